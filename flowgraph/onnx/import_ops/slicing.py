"""Import of ONNX Slice, Gather and GatherND."""

from __future__ import annotations

import numpy as np

from flowgraph import dtypes
from flowgraph.onnx.import_ops.common import fg, normalize_axes, rank, static_dims
from flowgraph.onnx.import_ops.table import importer

INT32_MAX = np.iinfo(np.int32).max


def _clip(value: int) -> int:
    # flowgraph's strided_slice clamps like ONNX: huge ends just mean "to the end".
    return int(max(min(value, INT32_MAX), -INT32_MAX - 1))


def _spec_rank(x, axes: list) -> int:
    """How many leading dimensions the slice spec covers: all of them, or (for an input of
    unknown rank) up to the last sliced one; strided_slice keeps the others whole."""
    if x.shape.ndims is not None:
        return x.shape.ndims
    if any(a < 0 for a in axes):
        return rank(x)  # (raises: a negative axis needs the rank)
    return max(axes) + 1


@importer("Slice")
def _slice(ctx, node, inputs, attrs):
    x = inputs[0]
    if "starts" in attrs:  # opsets before 10
        starts, ends = list(attrs["starts"]), list(attrs["ends"])
        axes = list(attrs.get("axes", range(len(starts))))
        steps = [1] * len(starts)
        ndims = _spec_rank(x, axes)
    else:
        count = inputs[1].shape.num_elements()
        if len(inputs) > 3 and inputs[3] is not None:
            axes = ctx.static_ints(inputs[3], "axes")
        else:
            axes = list(range(count if count is not None else rank(x)))
        steps = ctx.static_ints(inputs[4], "steps") if len(inputs) > 4 and \
            inputs[4] is not None else [1] * len(axes)
        ndims = _spec_rank(x, axes)
        known = [ctx.static(inputs[1]), ctx.static(inputs[2])]
        if any(k is None for k in known):
            return _dynamic_slice(x, inputs[1], inputs[2], normalize_axes(axes, ndims), steps,
                                  ndims)
        starts, ends = ([int(v) for v in np.asarray(k).reshape(-1)] for k in known)
    begin, end, strides = [0] * ndims, [0] * ndims, [1] * ndims
    begin_mask = end_mask = (1 << ndims) - 1
    for axis, b, e, s in zip(normalize_axes(axes, ndims), starts, ends, steps):
        strides[axis] = int(s)
        if s < 0 and b < -INT32_MAX:
            b = 0  # ONNX clamps a start before the first element to it; TF would skip it
        begin[axis] = _clip(b)
        begin_mask &= ~(1 << axis)
        if (e >= INT32_MAX and s > 0) or (e <= -INT32_MAX and s < 0):
            continue  # to the end: leave the end mask bit set
        end[axis] = _clip(e)
        end_mask &= ~(1 << axis)
    return fg().strided_slice(x, begin, end, strides, begin_mask=begin_mask, end_mask=end_mask)


def _dynamic_slice(x, starts, ends, axes: list, steps: list, ndims: int):
    """A slice whose starts / ends are computed when the graph runs (axes and steps known):
    begin and end vectors with one entry per dimension, masks for the others."""
    f = fg()
    starts, ends = f.cast(starts, dtypes.int64), f.cast(ends, dtypes.int64)
    zero = f.constant(0, dtype=dtypes.int64)
    begin, end, strides = [zero] * ndims, [zero] * ndims, [1] * ndims
    mask = (1 << ndims) - 1
    for j, (axis, step) in enumerate(zip(axes, steps)):
        begin[axis], end[axis], strides[axis] = starts[j], ends[j], int(step)
        mask &= ~(1 << axis)
    return f.strided_slice(x, f.stack(begin), f.stack(end),
                           f.constant(strides, dtype=dtypes.int64), begin_mask=mask,
                           end_mask=mask)


@importer("GatherElements")
def _gather_elements(ctx, node, inputs, attrs):
    from flowgraph.ops.registry import apply_op
    from flowgraph.ops.sort_grad import GatherAlongAxis
    params, indices = inputs
    # numpy's take_along_axis counts negative indices from the end, as ONNX does.
    return apply_op(GatherAlongAxis(axis=int(attrs.get("axis", 0))), [params, indices])


@importer("Gather")
def _gather(ctx, node, inputs, attrs):
    f = fg()
    params, indices = inputs
    axis = int(attrs.get("axis", 0))
    known = ctx.static(indices)
    if known is None or np.any(np.asarray(known) < 0):
        # ONNX counts negative indices from the end.
        dims = static_dims(params)
        axis_n = axis + rank(params) if axis < 0 else axis
        size = dims[axis_n] if dims is not None else None
        if known is not None and size is not None:
            indices = ctx.constant(np.where(known < 0, known + size, known), "indices")
        else:
            dim = f.shape(params, out_type=indices.dtype)[axis_n] if size is None else \
                f.constant(size, dtype=indices.dtype)
            indices = f.where_v2(f.less(indices, f.zeros_like(indices)),
                                 f.add(indices, dim), indices)
    return f.gather(params, indices, axis=axis)


@importer("GatherND")
def _gather_nd(ctx, node, inputs, attrs):
    params, indices = inputs
    if indices.dtype != dtypes.int64 and indices.dtype != dtypes.int32:
        indices = fg().cast(indices, dtypes.int64)
    return fg().gather_nd(params, indices, batch_dims=int(attrs.get("batch_dims", 0)))
