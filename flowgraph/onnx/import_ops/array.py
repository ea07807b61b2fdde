"""Import of ONNX shape and layout ops: Reshape, Transpose, Concat, Split, Squeeze,
Unsqueeze, Shape, Size, Expand, Tile, Pad, ConstantOfShape, Range, OneHot, NonZero and
Constant."""

from __future__ import annotations

import numpy as np

from flowgraph import dtypes
from flowgraph.onnx.import_ops.common import axes_of, fg, normalize_axes, rank, static_dims
from flowgraph.onnx.import_ops.table import importer
from flowgraph.onnx.unsupported import CannotConvertError


@importer("Constant")
def _constant(ctx, node, inputs, attrs):
    for key, dtype in (("value", None), ("value_float", np.float32),
                       ("value_floats", np.float32), ("value_int", np.int64),
                       ("value_ints", np.int64)):
        if key in attrs:
            value = np.asarray(attrs[key], dtype=dtype)
            return ctx.constant(value, "value")
    raise CannotConvertError(f"a Constant given as {sorted(attrs)} (only tensors and numbers)")


@importer("Reshape")
def _reshape(ctx, node, inputs, attrs):
    f = fg()
    x, shape_t = inputs
    shape = ctx.static(shape_t)
    if shape is not None:
        shape = [int(s) for s in np.asarray(shape).reshape(-1)]
        if 0 in shape and not attrs.get("allowzero", 0):
            dims = static_dims(x) or []
            # ONNX's 0 copies the input's dimension there.
            if all(i < len(dims) and dims[i] is not None for i, s in enumerate(shape) if s == 0):
                shape = [dims[i] if s == 0 else s for i, s in enumerate(shape)]
            else:
                x_shape = f.shape(x, out_type=dtypes.int64)
                parts = [x_shape[i] if s == 0 else np.int64(s) for i, s in enumerate(shape)]
                return f.reshape(x, f.stack(parts))
        return f.reshape(x, shape)
    if not attrs.get("allowzero", 0):
        ndims = shape_t.shape.num_elements()
        if ndims is None or ndims > rank(x):
            raise CannotConvertError("a computed target shape (which may hold 0s to copy) of "
                              "unknown length")
        x_shape = f.shape(x, out_type=shape_t.dtype)[:ndims]
        shape_t = f.where_v2(f.equal(shape_t, f.zeros_like(shape_t)), x_shape, shape_t)
    return f.reshape(x, shape_t)


@importer("Transpose")
def _transpose(ctx, node, inputs, attrs):
    x = inputs[0]
    perm = attrs.get("perm")
    if perm is None:
        perm = list(reversed(range(rank(x))))
    return fg().transpose(x, [int(p) for p in perm])


@importer("Concat")
def _concat(ctx, node, inputs, attrs):
    return fg().concat([t for t in inputs if t is not None], int(attrs["axis"]))


@importer("Split")
def _split(ctx, node, inputs, attrs):
    x = inputs[0]
    axis = int(attrs.get("axis", 0))
    if "split" in attrs:
        sizes = [int(s) for s in attrs["split"]]
    elif len(inputs) > 1 and inputs[1] is not None:
        sizes = ctx.static_ints(inputs[1], "split sizes")
    else:
        count = len(node.output)
        dims = static_dims(x)
        size = None if dims is None else dims[axis]
        if size is not None and size % count:
            # opset 18: the last piece is smaller.
            piece = -(-size // count)
            sizes = [piece] * (count - 1) + [size - piece * (count - 1)]
        else:
            return fg().split(x, count, axis=axis)
    return fg().split(x, sizes, axis=axis)


@importer("Squeeze")
def _squeeze(ctx, node, inputs, attrs):
    axes = axes_of(ctx, attrs, inputs, 1)
    return fg().squeeze(inputs[0], axis=axes or None)


@importer("Unsqueeze")
def _unsqueeze(ctx, node, inputs, attrs):
    x = inputs[0]
    axes = axes_of(ctx, attrs, inputs, 1) or []
    if len(axes) == 1:  # a negative axis counts from the end of the output, as in TF
        return fg().expand_dims(x, axes[0])
    if any(a < 0 for a in axes):
        axes = normalize_axes(axes, rank(x) + len(axes))
    for axis in sorted(axes):  # positions in the output
        x = fg().expand_dims(x, axis)
    return x


@importer("Shape")
def _shape(ctx, node, inputs, attrs):
    shape = fg().shape(inputs[0], out_type=dtypes.int64)
    start, end = attrs.get("start", 0), attrs.get("end")
    if start == 0 and end is None:
        return shape
    return shape[start:end]


@importer("Size")
def _size(ctx, node, inputs, attrs):
    return fg().size(inputs[0], out_type=dtypes.int64)


@importer("Expand")
def _expand(ctx, node, inputs, attrs):
    f = fg()
    x, shape_t = inputs
    shape = ctx.static(shape_t)
    dims = static_dims(x)
    if shape is not None and dims is not None and None not in dims:
        # Both directions broadcast (a 1 in the target keeps x's size).
        target = np.broadcast_shapes(tuple(dims), tuple(int(s) for s in shape))
        return f.broadcast_to(x, list(target))
    if x.dtype == dtypes.bool_:
        return f.logical_or(x, f.fill(shape_t, False))
    return f.multiply(x, f.ones(shape_t, dtype=x.dtype))


@importer("Tile")
def _tile(ctx, node, inputs, attrs):
    return fg().tile(inputs[0], inputs[1])


@importer("Pad")
def _pad(ctx, node, inputs, attrs):
    f = fg()
    x = inputs[0]
    mode = attrs.get("mode", "constant")
    if len(inputs) > 3 and inputs[3] is not None:
        raise CannotConvertError("the axes input of Pad")
    if "pads" in attrs:
        flat = [int(p) for p in attrs["pads"]]
    else:
        known = ctx.static(inputs[1])
        flat = None if known is None else [int(p) for p in np.asarray(known).reshape(-1)]
    if flat is None:  # pads computed when the graph runs: [befores, afters] -> pairs
        paddings = f.transpose(f.reshape(inputs[1], [2, -1]))
    else:
        n = len(flat) // 2
        if any(p < 0 for p in flat):
            raise CannotConvertError("negative pads (cropping)")
        paddings = [[flat[i], flat[n + i]] for i in range(n)]
    if mode == "reflect":
        return f.pad(x, paddings, mode="REFLECT")
    if mode != "constant":
        raise CannotConvertError(f"mode {mode!r} (only constant and reflect)")
    value = inputs[2] if len(inputs) > 2 and inputs[2] is not None else None
    if value is None:
        value = attrs.get("value", 0)
        return f.pad(x, paddings, constant_values=np.asarray(value, x.dtype.np))
    return f.pad(x, paddings, constant_values=value)


@importer("ConstantOfShape")
def _constant_of_shape(ctx, node, inputs, attrs):
    value = attrs.get("value", np.zeros(1, np.float32))
    scalar = np.asarray(value).reshape(-1)[0]
    return fg().fill(inputs[0], ctx.constant(scalar, "value"))


@importer("Range")
def _range(ctx, node, inputs, attrs):
    start, limit, delta = inputs
    return fg().range(start, limit, delta)


@importer("OneHot")
def _one_hot(ctx, node, inputs, attrs):
    f = fg()
    indices, depth, values = inputs
    depth32 = f.cast(f.reshape(depth, []), dtypes.int32)
    # ONNX counts negative indices from the end.
    depth_i = f.cast(depth32, indices.dtype)
    indices = f.where_v2(f.less(indices, f.zeros_like(indices)), f.add(indices, depth_i),
                         indices)
    off, on = values[0], values[1]
    return f.one_hot(indices, depth32, on_value=on, off_value=off,
                     axis=int(attrs.get("axis", -1)))


@importer("NonZero")
def _non_zero(ctx, node, inputs, attrs):
    f = fg()
    return f.transpose(f.where(inputs[0]), [1, 0])  # [n, rank] -> ONNX's [rank, n]
