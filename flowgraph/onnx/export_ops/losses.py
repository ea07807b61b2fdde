"""Export of the fused loss ops: softmax / sigmoid cross-entropy and l2_loss."""

from __future__ import annotations

from flowgraph import dtypes
from flowgraph.onnx.export_ops.reduce import reduce_node
from flowgraph.onnx.export_ops.table import exporter


@exporter("SoftmaxCrossEntropyWithLogits")
def _softmax_xent(ctx, op):
    logits, labels = (ctx.name(t) for t in op.inputs)
    axis = int(getattr(op.op_def, "axis", -1))
    log_probs = ctx.node("LogSoftmax", [logits], hint="log_softmax", axis=axis)
    picked = ctx.node("Mul", [labels, log_probs], hint="picked")
    total = reduce_node(ctx, "ReduceSum", picked, [axis], keepdims=False, hint="sum")
    loss = ctx.node("Neg", [total])
    probs = ctx.node("Softmax", [logits], hint="softmax", axis=axis)
    backprop = ctx.node("Sub", [probs, labels], hint="backprop")
    return [loss, backprop]


@exporter("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_softmax_xent(ctx, op):
    logits_t, labels_t = op.inputs
    log_probs = ctx.node("LogSoftmax", [ctx.name(logits_t)], hint="log_softmax", axis=-1)
    labels = ctx.name(labels_t)
    if labels_t.dtype != dtypes.int64:
        labels = ctx.cast(labels, dtypes.int64, "labels")
    column = ctx.node("Unsqueeze", [labels, ctx.int64s([-1], "axes")], hint="column")
    picked = ctx.node("GatherElements", [log_probs, column], hint="picked", axis=-1)
    squeezed = ctx.node("Squeeze", [picked, ctx.int64s([-1], "axes")], hint="squeezed")
    return [ctx.node("Neg", [squeezed]), None]


@exporter("SigmoidCrossEntropyWithLogits")
def _sigmoid_xent(ctx, op):
    # max(x, 0) - x * z + log(1 + exp(-|x|)), TF's overflow-free form.
    x, z = (ctx.name(t) for t in op.inputs)
    relu = ctx.node("Relu", [x], hint="relu")
    xz = ctx.node("Mul", [x, z], hint="xz")
    tail = ctx.node("Softplus", [ctx.node("Neg", [ctx.node("Abs", [x], hint="abs")],
                                          hint="neg_abs")], hint="softplus")
    return ctx.node("Add", [ctx.node("Sub", [relu, xz], hint="diff"), tail])


@exporter("L2Loss")
def _l2_loss(ctx, op):
    t = op.inputs[0]
    total = reduce_node(ctx, "ReduceSumSquare", ctx.name(t), None, keepdims=False, hint="sum")
    return ctx.node("Mul", [total, ctx.scalar(0.5, t.dtype.np, "half")])
