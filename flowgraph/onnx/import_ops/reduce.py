"""Import of ONNX reductions, ArgMax / ArgMin, CumSum and TopK."""

from __future__ import annotations

from flowgraph import dtypes
from flowgraph.onnx.import_ops.common import axes_of, fg, rank
from flowgraph.onnx.import_ops.table import importer
from flowgraph.onnx.unsupported import CannotConvertError

REDUCTIONS = ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
              "ReduceLogSumExp", "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum")


@importer(*REDUCTIONS)
def _reduce(ctx, node, inputs, attrs):
    f = fg()
    x = inputs[0]
    keepdims = bool(attrs.get("keepdims", 1))
    axes = axes_of(ctx, attrs, inputs, 1)
    if not axes:
        if attrs.get("noop_with_empty_axes", 0):
            return f.identity(x)
        axes = None
    kind = node.op_type
    if kind == "ReduceSumSquare":
        x, kind = f.square(x), "ReduceSum"
    elif kind == "ReduceL1":
        x, kind = f.abs(x), "ReduceSum"
    elif kind == "ReduceL2":
        return f.sqrt(f.reduce_sum(f.square(x), axis=axes, keepdims=keepdims))
    elif kind == "ReduceLogSum":
        return f.log(f.reduce_sum(x, axis=axes, keepdims=keepdims))
    fn = {"ReduceSum": f.reduce_sum, "ReduceMean": f.reduce_mean, "ReduceMax": f.reduce_max,
          "ReduceMin": f.reduce_min, "ReduceProd": f.reduce_prod,
          "ReduceLogSumExp": f.reduce_logsumexp}[kind]
    return fn(x, axis=axes, keepdims=keepdims)


@importer("ArgMax", "ArgMin")
def _arg(ctx, node, inputs, attrs):
    f = fg()
    x = inputs[0]
    axis = int(attrs.get("axis", 0))
    if attrs.get("select_last_index", 0):
        raise CannotConvertError("select_last_index=1 (TF picks the first of equal values)")
    fn = f.argmax if node.op_type == "ArgMax" else f.argmin
    out = fn(x, axis=axis, output_type=dtypes.int64)
    if attrs.get("keepdims", 1):
        out = f.expand_dims(out, axis)
    return out


@importer("CumSum")
def _cumsum(ctx, node, inputs, attrs):
    x, axis_t = inputs
    (axis,) = ctx.static_ints(axis_t, "axis")
    return fg().cumsum(x, axis, exclusive=bool(attrs.get("exclusive", 0)),
                       reverse=bool(attrs.get("reverse", 0)))


@importer("TopK")
def _top_k(ctx, node, inputs, attrs):
    f = fg()
    x, k_t = inputs
    ndims = rank(x)
    axis = int(attrs.get("axis", -1)) % ndims
    if "k" in attrs:  # opsets before 10
        k = int(attrs["k"])
    else:
        known = ctx.static(k_t)
        k = int(known.reshape(-1)[0]) if known is not None else \
            f.cast(f.reshape(k_t, []), dtypes.int32)
    largest = attrs.get("largest", 1)
    if not largest and x.dtype.is_unsigned:
        raise CannotConvertError("the smallest values of an unsigned tensor")
    if axis != ndims - 1:  # TF's top_k works along the last axis
        perm = list(range(ndims))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        x = f.transpose(x, perm)
    values, indices = f.nn.top_k(x if largest else f.negative(x), k, sorted=True)
    if not largest:
        values = f.negative(values)
    if axis != ndims - 1:
        values, indices = f.transpose(values, perm), f.transpose(indices, perm)
    return [values, f.cast(indices, dtypes.int64)]
