"""Export of shape and layout ops: reshape, transpose, concat, stack, split, squeeze, pad,
tile, fill, range, one-hot, reverse, where, shape/size/rank."""

from __future__ import annotations

import numpy as np

from flowgraph import dtypes
from flowgraph.onnx.export_ops.table import exporter
from flowgraph.onnx.unsupported import CannotConvertError

INT64_MIN = np.iinfo(np.int64).min


def as_int64(ctx, tensor, hint: str) -> str:
    """An integer input (shape, multiples, paddings) as the int64 ONNX wants: a constant
    when known, else a Cast."""
    value = ctx.static(tensor)
    if value is not None:
        return ctx.const(np.asarray(value, dtype=np.int64), f"{ctx.op.name}/{hint}")
    name = ctx.name(tensor)
    return name if tensor.dtype == dtypes.int64 else ctx.cast(name, dtypes.int64, hint)


@exporter("Reshape")
def _reshape(ctx, op):
    x_t, shape_t = op.inputs
    known = ctx.static(shape_t)
    if ctx.opset < 14:
        if known is None or 0 in np.asarray(known).tolist():
            raise CannotConvertError("before opset 14, ONNX reads a 0 in a reshape's shape as "
                                     "'keep this dimension'; export with opset 14 or later "
                                     "(the default is 17)")
        return ctx.node("Reshape", [ctx.name(x_t), as_int64(ctx, shape_t, "shape")])
    # allowzero: a 0 in the shape is a dimension of size 0 (TF), not "copy the input's".
    return ctx.node("Reshape", [ctx.name(x_t), as_int64(ctx, shape_t, "shape")], allowzero=1)


@exporter("Transpose")
def _transpose(ctx, op):
    x_t, perm_t = op.inputs
    perm = ctx.static_ints(perm_t, "permutation")
    return ctx.node("Transpose", [ctx.name(x_t)], perm=perm)


@exporter("ConcatV2")
def _concat(ctx, op):
    names = [ctx.name(t) for t in op.inputs]
    return ctx.node("Concat", names, axis=int(op.op_def.axis))


@exporter("Pack")
def _pack(ctx, op):
    axis = int(op.op_def.axis)
    axes = ctx.int64s([axis], "axis")
    parts = [ctx.node("Unsqueeze", [ctx.name(t), axes], hint=f"part{i}")
             for i, t in enumerate(op.inputs)]
    return ctx.node("Concat", parts, axis=axis)


def _split(ctx, x: str, axis: int, count: int, sizes=None) -> list:
    inputs = [x] if sizes is None else [x, ctx.int64s(sizes, "split")]
    num_outputs = count if sizes is None and ctx.opset >= 18 else None
    parts = ctx.node("Split", inputs, outputs=count, hint="split", axis=axis,
                     num_outputs=num_outputs)
    return [parts] if count == 1 else parts


@exporter("Unpack")
def _unpack(ctx, op):
    d = op.op_def
    axes = ctx.int64s([d.axis], "axis")
    return [ctx.node("Squeeze", [part, axes], hint=f"out{i}")
            for i, part in enumerate(_split(ctx, ctx.name(op.inputs[0]), d.axis, d.num))]


@exporter("Split")
def _split_equal(ctx, op):
    d = op.op_def
    return _split(ctx, ctx.name(op.inputs[0]), d.axis, d.num_split)


@exporter("SplitV")
def _split_sizes(ctx, op):
    d = op.op_def
    x_t, sizes_t = op.inputs
    sizes = ctx.static_ints(sizes_t, "size_splits")
    if -1 in sizes:
        dims = x_t.shape.as_tuple()
        total = None if dims is None else dims[d.axis]
        if total is None:
            raise CannotConvertError("a size_splits of -1 along a dimension of unknown size")
        sizes[sizes.index(-1)] = total - sum(s for s in sizes if s != -1)
    return _split(ctx, ctx.name(x_t), d.axis, d.num_split, sizes)


@exporter("Squeeze")
def _squeeze(ctx, op):
    axes = list(op.op_def.axis)
    inputs = [ctx.name(op.inputs[0])]
    if axes:
        inputs.append(ctx.int64s(axes, "axes"))
    return ctx.node("Squeeze", inputs)


@exporter("ExpandDims")
def _expand_dims(ctx, op):
    return ctx.node("Unsqueeze", [ctx.name(op.inputs[0]), ctx.int64s([op.op_def.axis], "axes")])


def _from_int64(ctx, name: str, dtype) -> str:
    return name if dtype == dtypes.int64 else ctx.cast(name, dtype, None)


@exporter("Shape")
def _shape(ctx, op):
    out = ctx.node("Shape", [ctx.name(op.inputs[0])], hint="int64")
    return _from_int64(ctx, out, op.op_def.out_type)


@exporter("Size")
def _size(ctx, op):
    out = ctx.node("Size", [ctx.name(op.inputs[0])], hint="int64")
    return _from_int64(ctx, out, op.op_def.out_type)


@exporter("Rank")
def _rank(ctx, op):
    shape = ctx.node("Shape", [ctx.name(op.inputs[0])], hint="shape")
    return ctx.cast(ctx.node("Size", [shape], hint="int64"), dtypes.int32, None)


def _fill_value(ctx, value, dtype):
    return ctx.model.onnx.numpy_helper.from_array(np.asarray(value, dtype.np).reshape(1))


@exporter("Fill")
def _fill(ctx, op):
    dims_t, value_t = op.inputs
    dims = as_int64(ctx, dims_t, "dims")
    value = ctx.static(value_t)
    if value is not None:
        return ctx.node("ConstantOfShape", [dims], value=_fill_value(ctx, value, value_t.dtype))
    return ctx.node("Expand", [ctx.name(value_t), dims])


@exporter("ZerosLike", "OnesLike")
def _zeros_like(ctx, op):
    x_t = op.inputs[0]
    shape = ctx.node("Shape", [ctx.name(x_t)], hint="shape")
    value = 0 if op.type == "ZerosLike" else 1
    return ctx.node("ConstantOfShape", [shape], value=_fill_value(ctx, value, x_t.dtype))


@exporter("Tile")
def _tile(ctx, op):
    x_t, multiples = op.inputs
    return ctx.node("Tile", [ctx.name(x_t), as_int64(ctx, multiples, "multiples")])


@exporter("BroadcastTo")
def _broadcast_to(ctx, op):
    x_t, shape = op.inputs
    return ctx.node("Expand", [ctx.name(x_t), as_int64(ctx, shape, "shape")])


def _onnx_pads(ctx, paddings_t) -> str:
    """TF's [[before, after], ...] as ONNX's [befores..., afters...]."""
    known = ctx.static(paddings_t)
    if known is not None:
        known = np.asarray(known, dtype=np.int64)
        return ctx.int64s(list(known[:, 0]) + list(known[:, 1]), "pads")
    pairs = ctx.transpose(as_int64(ctx, paddings_t, "paddings"), [1, 0], "pads_t")
    return ctx.node("Reshape", [pairs, ctx.int64s([-1], "flat")], hint="pads")


@exporter("Pad", "PadV2", "MirrorPad")
def _pad(ctx, op):
    x_t, paddings = op.inputs[:2]
    inputs = [ctx.name(x_t), _onnx_pads(ctx, paddings)]
    mode = "constant"
    if op.type == "PadV2":
        inputs.append(ctx.name(op.inputs[2]))
    elif op.type == "MirrorPad":
        if op.op_def.mode != "REFLECT":
            raise CannotConvertError(f"ONNX has no {op.op_def.mode} mirror padding (only REFLECT)")
        mode = "reflect"
    return ctx.node("Pad", inputs, mode=mode)


@exporter("Range")
def _range(ctx, op):
    return ctx.node("Range", [ctx.name(t) for t in op.inputs])


@exporter("OneHot")
def _one_hot(ctx, op):
    indices_t, depth_t, on_t, off_t = op.inputs
    indices = ctx.name(indices_t)
    depth = ctx.name(depth_t)
    # ONNX counts negative indices from the end; TF gives them a row of off_value.
    negative = ctx.node("Less", [indices, ctx.scalar(0, indices_t.dtype.np, "zero")],
                        hint="negative")
    depth_as_index = ctx.cast(depth, indices_t.dtype, "depth")
    indices = ctx.node("Where", [negative, depth_as_index, indices], hint="indices")
    flat = ctx.int64s([1], "one")
    values = ctx.node("Concat", [ctx.node("Reshape", [ctx.name(off_t), flat], hint="off"),
                                 ctx.node("Reshape", [ctx.name(on_t), flat], hint="on")],
                      hint="values", axis=0)
    return ctx.node("OneHot", [indices, depth, values], axis=int(op.op_def.axis))


@exporter("ReverseV2")
def _reverse(ctx, op):
    axes = list(op.op_def.axis)
    x = ctx.name(op.inputs[0])
    if not axes:
        return ctx.node("Identity", [x])
    n = len(axes)
    return ctx.node("Slice", [x, ctx.int64s([-1] * n, "starts"),
                              ctx.int64s([INT64_MIN] * n, "ends"), ctx.int64s(axes, "axes"),
                              ctx.int64s([-1] * n, "steps")])


@exporter("Where")
def _where(ctx, op):
    indices = ctx.node("NonZero", [ctx.name(op.inputs[0])], hint="nonzero")
    return ctx.node("Transpose", [indices], perm=[1, 0])  # [rank, n] -> [n, rank]
