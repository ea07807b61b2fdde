"""Export of slicing and gathering: Slice, StridedSlice, GatherV2, GatherNd."""

from __future__ import annotations

import numpy as np

from flowgraph import dtypes
from flowgraph.onnx.export_ops.array import as_int64
from flowgraph.onnx.export_ops.table import exporter
from flowgraph.onnx.unsupported import CannotConvertError

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


@exporter("Slice")
def _slice(ctx, op):
    x_t, begin_t, size_t = op.inputs
    begin, size = ctx.static(begin_t), ctx.static(size_t)
    if begin is not None and size is not None:
        begin = [int(b) for b in np.asarray(begin).reshape(-1)]
        size = [int(s) for s in np.asarray(size).reshape(-1)]
        ends = [INT64_MAX if s == -1 else b + s for b, s in zip(begin, size)]
        return ctx.node("Slice", [ctx.name(x_t), ctx.int64s(begin, "starts"),
                                  ctx.int64s(ends, "ends"),
                                  ctx.int64s(range(len(begin)), "axes")])
    starts = as_int64(ctx, begin_t, "begin")
    sizes = as_int64(ctx, size_t, "size")
    to_end = ctx.node("Equal", [sizes, ctx.int64s([-1], "minus_one")], hint="to_end")
    ends = ctx.node("Where", [to_end, ctx.int64s([INT64_MAX], "max"),
                              ctx.node("Add", [starts, sizes], hint="sum")], hint="ends")
    return ctx.node("Slice", [ctx.name(x_t), starts, ends])


def _bit(mask: int, i: int) -> bool:
    return bool(mask >> i & 1)


@exporter("StridedSlice")
def _strided_slice(ctx, op):
    d = op.op_def
    x_t, begin_t, end_t, strides_t = op.inputs
    begin = ctx.static_ints(begin_t, "begin")
    end = ctx.static_ints(end_t, "end")
    strides = ctx.static_ints(strides_t, "strides")
    starts, ends, axes, steps, squeeze, new_axes = [], [], [], [], [], []
    dim = out = 0  # the next input and output dimension
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        if _bit(d.ellipsis_mask, i):
            after = sum(1 for j in range(i + 1, len(begin)) if not _bit(d.new_axis_mask, j))
            skipped = ctx.rank(x_t) - dim - after
            dim += skipped
            out += skipped
        elif _bit(d.new_axis_mask, i):
            new_axes.append(out)
            out += 1
        elif _bit(d.shrink_axis_mask, i):
            starts.append(b)
            ends.append(INT64_MAX if b == -1 else b + 1)
            axes.append(dim)
            steps.append(1)
            squeeze.append(dim)
            dim += 1
        else:
            if s == 0:
                raise CannotConvertError("a stride of 0")
            starts.append(b if not _bit(d.begin_mask, i) else (0 if s > 0 else INT64_MAX))
            ends.append(e if not _bit(d.end_mask, i) else (INT64_MAX if s > 0 else INT64_MIN))
            axes.append(dim)
            steps.append(s)
            dim += 1
            out += 1
    y = ctx.name(x_t)
    last = bool(squeeze) or bool(new_axes)
    if axes:
        y = ctx.node("Slice", [y, ctx.int64s(starts, "starts"), ctx.int64s(ends, "ends"),
                               ctx.int64s(axes, "axes"), ctx.int64s(steps, "steps")],
                     hint="slice" if last else None)
    if squeeze:
        y = ctx.node("Squeeze", [y, ctx.int64s(squeeze, "shrink")],
                     hint="shrink" if new_axes else None)
    if new_axes:
        y = ctx.node("Unsqueeze", [y, ctx.int64s(new_axes, "new_axes")])
    if not (axes or squeeze or new_axes):
        y = ctx.node("Identity", [y])
    return y


@exporter("GatherV2")
def _gather(ctx, op):
    d = op.op_def
    if d.batch_dims:
        raise CannotConvertError(f"batch_dims={d.batch_dims} (only 0 has an ONNX Gather)")
    params, indices = op.inputs
    return ctx.node("Gather", [ctx.name(params), ctx.name(indices)], axis=int(d.axis))


@exporter("GatherNd")
def _gather_nd(ctx, op):
    params, indices_t = op.inputs
    indices = ctx.name(indices_t)
    if indices_t.dtype != dtypes.int64:
        indices = ctx.cast(indices, dtypes.int64, "indices")
    return ctx.node("GatherND", [ctx.name(params), indices], batch_dims=int(op.op_def.batch_dims))
