"""Export of activations and softmax."""

from __future__ import annotations

from flowgraph.onnx.export_ops.table import exporter
from flowgraph.ops.activations import SELU_ALPHA, SELU_SCALE

SIMPLE = {"Relu": "Relu", "Elu": "Elu", "Softplus": "Softplus", "Softsign": "Softsign"}


@exporter(*SIMPLE)
def _simple(ctx, op):
    return ctx.node(SIMPLE[op.type], [ctx.name(op.inputs[0])])


@exporter("Selu")
def _selu(ctx, op):
    return ctx.node("Selu", [ctx.name(op.inputs[0])], alpha=SELU_ALPHA, gamma=SELU_SCALE)


@exporter("LeakyRelu")
def _leaky_relu(ctx, op):
    return ctx.node("LeakyRelu", [ctx.name(op.inputs[0])], alpha=float(op.op_def.alpha))


@exporter("Relu6")
def _relu6(ctx, op):
    x = op.inputs[0]
    return ctx.node("Clip", [ctx.name(x), ctx.scalar(0, x.dtype.np, "zero"),
                             ctx.scalar(6, x.dtype.np, "six")])


@exporter("Softmax", "LogSoftmax")
def _softmax(ctx, op):
    # Since opset 13, ONNX's softmax normalizes along one axis, as TF's does.
    return ctx.node(op.type, [ctx.name(op.inputs[0])], axis=int(op.op_def.axis))
