"""Export of reductions, arg-max/min, cumulative sums and top-k."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.onnx.export_ops.table import exporter
from flowgraph.onnx.types import onnx_type

REDUCTIONS = {"Sum": "ReduceSum", "Mean": "ReduceMean", "Max": "ReduceMax",
              "Min": "ReduceMin", "Prod": "ReduceProd", "ReduceLogSumExp": "ReduceLogSumExp"}


def reduce_node(ctx, onnx_op: str, x: str, axes: Optional[Sequence[int]], keepdims: bool,
                hint: Optional[str] = None) -> str:
    """An ONNX reduction of `x` over `axes` (None: all of them). The axes are an input of
    ReduceSum since opset 13 and of the others since opset 18, an attribute before."""
    if axes is not None and len(axes) == 0:
        return ctx.node("Identity", [x], hint=hint)  # TF: no axes, nothing reduced
    as_input = ctx.opset >= (13 if onnx_op == "ReduceSum" else 18)
    if axes is None:
        return ctx.node(onnx_op, [x], hint=hint, keepdims=int(keepdims))
    axes = [int(a) for a in axes]
    if as_input:
        return ctx.node(onnx_op, [x, ctx.int64s(axes, "axes")], hint=hint,
                        keepdims=int(keepdims))
    return ctx.node(onnx_op, [x], hint=hint, axes=axes, keepdims=int(keepdims))


@exporter(*REDUCTIONS)
def _reduce(ctx, op):
    d = op.op_def
    return reduce_node(ctx, REDUCTIONS[op.type], ctx.name(op.inputs[0]), d.axis, d.keepdims)


@exporter("All", "Any")
def _all_any(ctx, op):
    # ONNX reduces no bools before opset 20: reduce them as 0 / 1 integers.
    d = op.op_def
    as_int = ctx.cast(ctx.name(op.inputs[0]), dtypes.int32, "as_int")
    onnx_op = "ReduceMin" if op.type == "All" else "ReduceMax"
    reduced = reduce_node(ctx, onnx_op, as_int, d.axis, d.keepdims, hint="reduced")
    return ctx.cast(reduced, dtypes.bool_, None)


@exporter("CountNonzero")
def _count_nonzero(ctx, op):
    d = op.op_def
    x_t = op.inputs[0]
    x = ctx.name(x_t)
    if x_t.dtype == dtypes.bool_:
        nonzero = x
    else:
        zero = ctx.scalar(0, x_t.dtype.np, "zero")
        nonzero = ctx.node("Not", [ctx.node("Equal", [x, zero], hint="zero")], hint="nonzero")
    counts = ctx.cast(nonzero, dtypes.int64, "count")
    total = reduce_node(ctx, "ReduceSum", counts, d.axis, d.keepdims, hint="sum")
    return total if d.dtype == dtypes.int64 else ctx.cast(total, d.dtype, None)


@exporter("ArgMax", "ArgMin")
def _arg(ctx, op):
    d = op.op_def
    out = ctx.node(op.type, [ctx.name(op.inputs[0])], axis=int(d.axis), keepdims=0,
                   hint=None if d.output_type == dtypes.int64 else "int64")
    return out if d.output_type == dtypes.int64 else ctx.cast(out, d.output_type, None)


@exporter("Cumsum")
def _cumsum(ctx, op):
    d = op.op_def
    axis = ctx.scalar(d.axis, np.int64, "axis")
    return ctx.node("CumSum", [ctx.name(op.inputs[0]), axis], exclusive=int(d.exclusive),
                    reverse=int(d.reverse))


@exporter("TopKV2")
def _top_k(ctx, op):
    x_t, k_t = op.inputs
    k = ctx.static(k_t)
    if k is not None:
        k_name = ctx.int64s([int(k)], "k")
    else:
        k_name = ctx.node("Reshape", [ctx.cast(ctx.name(k_t), dtypes.int64, "k64"),
                                      ctx.int64s([1], "one")], hint="k")
    values, indices = ctx.node("TopK", [ctx.name(x_t), k_name], outputs=2, axis=-1,
                               largest=1, sorted=1)
    return [values, ctx.node("Cast", [indices], hint="indices",
                             to=onnx_type(op.outputs[1].dtype))]
