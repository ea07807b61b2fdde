"""Export of convolutions, pooling, batch normalization, bias_add and LRN.

flowgraph (like TF) defaults to channels-last (NHWC) images, ONNX's Conv, pools,
BatchNormalization and LRN take channels-first (NCHW) ones: channels-last ops are wrapped
in Transposes (consecutive ones cancel, see `Scope.transpose`). "SAME" padding becomes
explicit pads computed as TF does (the odd cell after), or ONNX's equivalent SAME_UPPER
when the image size is unknown.
"""

from __future__ import annotations

from flowgraph.onnx.export_ops.reduce import reduce_node
from flowgraph.onnx.export_ops.table import exporter
from flowgraph.onnx.unsupported import CannotConvertError
from flowgraph.ops.pool_geometry import output_size


def _to_first(rank: int) -> list:
    return [0, rank - 1] + list(range(1, rank - 1))


def _to_last(rank: int) -> list:
    return [0] + list(range(2, rank)) + [1]


def _pads(padding: str, sizes, ksize, strides, dilations, explicit=None) -> dict:
    """ONNX padding attributes: explicit ``pads`` (all befores, then all afters)."""
    n = len(ksize)
    if padding == "VALID":
        return {"pads": [0] * (2 * n)}
    if padding == "EXPLICIT":
        return {"pads": [p[0] for p in explicit] + [p[1] for p in explicit]}
    if any(s is None for s in sizes) or any(k is None for k in ksize):
        return {"auto_pad": "SAME_UPPER"}  # TF's SAME: the extra cell after, as here
    before, after = [], []
    for size, k, s, d in zip(sizes, ksize, strides, dilations):
        _, b, a = output_size(size, k, s, d, "SAME")
        before.append(b)
        after.append(a)
    return {"pads": before + after}


def _spatial_dims(tensor, channels_first: bool) -> list:
    dims = tensor.shape.as_tuple()
    if dims is None:
        return [None, None]
    return list(dims[2:] if channels_first else dims[1:-1])


@exporter("Conv2D", "DepthwiseConv2dNative")
def _conv(ctx, op):
    d = op.op_def
    x_t, w_t = op.inputs
    first = d.data_format == "NCHW"
    x = ctx.name(x_t)
    if not first:
        x = ctx.transpose(x, _to_first(4), "nchw")
    w_dims = w_t.shape.as_tuple() or (None,) * 4
    kh, kw, c_in, multiplier = w_dims
    attrs = {}
    if op.type == "Conv2D":
        w = ctx.transpose(ctx.name(w_t), [3, 2, 0, 1], "oihw")  # HWIO -> OIHW
    else:
        if None in w_dims:
            raise CannotConvertError(f"a depthwise filter of unknown shape {w_t.shape}")
        # [C, M, kh, kw] -> [C * M, 1, kh, kw]: output channel c * M + m, as TF orders them.
        w = ctx.transpose(ctx.name(w_t), [2, 3, 0, 1], "cmhw")
        w = ctx.node("Reshape", [w, ctx.int64s([c_in * multiplier, 1, kh, kw], "shape")],
                     hint="grouped")
        attrs["group"] = c_in
    strides, dilations = list(d.hw(d.strides)), list(d.hw(d.dilations))
    explicit = d.spatial_pads() if d.padding == "EXPLICIT" else None
    attrs.update(_pads(d.padding, _spatial_dims(x_t, first), [kh, kw], strides, dilations,
                       explicit))
    y = ctx.node("Conv", [x, w], hint=None if first else "nchw_out", strides=strides,
                 dilations=dilations, kernel_shape=[kh, kw] if None not in (kh, kw) else None,
                 **attrs)
    return y if first else ctx.transpose(y, _to_last(4), None)


@exporter("MaxPool", "AvgPool", "MaxPool3D", "AvgPool3D")
def _pool(ctx, op):
    d = op.op_def
    x_t = op.inputs[0]
    rank = len(d.ksize)
    first = d.data_format.startswith("NC")
    ksize, strides = list(d.spatial(d.ksize)), list(d.spatial(d.strides))
    dilations = list(d.spatial(d.dilations)) if d.dilations else [1] * (rank - 2)
    dims = x_t.shape.as_tuple()
    sizes = [None] * (rank - 2) if dims is None else list(d.spatial(dims))
    attrs = _pads(d.padding, sizes, ksize, strides, dilations)
    if any(v != 1 for v in dilations):
        if op.type.startswith("Avg") and ctx.opset < 19:
            raise CannotConvertError("dilated average pooling needs opset 19 or later")
        attrs["dilations"] = dilations
    if op.type.startswith("Avg"):
        onnx_type = "AveragePool"
        attrs["count_include_pad"] = 0  # TF divides by the real cells of each window
    else:
        onnx_type = "MaxPool"
    x = ctx.name(x_t)
    if not first:
        x = ctx.transpose(x, _to_first(rank), "nchw")
    y = ctx.node(onnx_type, [x], hint=None if first else "nchw_out", kernel_shape=ksize,
                 strides=strides, **attrs)
    return y if first else ctx.transpose(y, _to_last(rank), None)


@exporter("BiasAdd")
def _bias_add(ctx, op):
    x_t, b_t = op.inputs
    x, b = ctx.name(x_t), ctx.name(b_t)
    if op.op_def.data_format.startswith("NC"):
        rank = ctx.rank(x_t)
        if rank > 2:  # the bias runs along axis 1: [C] -> [C, 1, ..., 1]
            b = ctx.node("Unsqueeze", [b, ctx.int64s(range(1, rank - 1), "axes")],
                         hint="bias")
    return ctx.node("Add", [x, b])


@exporter("FusedBatchNormV3")
def _batch_norm(ctx, op):
    d = op.op_def
    x_t, scale, offset, mean, variance = op.inputs
    first = d.data_format == "NCHW"
    if d.is_training:
        return _batch_norm_training(ctx, op, first)
    x = ctx.name(x_t)
    if not first:
        x = ctx.transpose(x, _to_first(4), "nchw")
    y = ctx.node("BatchNormalization", [x] + [ctx.name(t) for t in (scale, offset, mean,
                                                                      variance)],
                 hint=None if first else "nchw_out", epsilon=float(d.epsilon))
    if not first:
        y = ctx.transpose(y, _to_last(4), None)
    stats = [ctx.name(mean), ctx.name(variance)]
    return [y, *stats, *stats, None]


def _batch_norm_training(ctx, op, first: bool) -> list:
    """Normalization by the batch's own statistics (a batch_norm built with
    training=True): y = (x - mean) / sqrt(var + eps) * scale + offset."""
    x_t, scale, offset = op.inputs[:3]
    x = ctx.name(x_t)
    axes = [0, 2, 3] if first else [0, 1, 2]
    mean = reduce_node(ctx, "ReduceMean", x, axes, keepdims=True, hint="mean")
    centered = ctx.node("Sub", [x, mean], hint="centered")
    var = reduce_node(ctx, "ReduceMean", ctx.node("Mul", [centered, centered], hint="sq"),
                      axes, keepdims=True, hint="variance")
    eps = ctx.scalar(op.op_def.epsilon, x_t.dtype.np, "epsilon")
    inv = ctx.node("Reciprocal", [ctx.node("Sqrt", [ctx.node("Add", [var, eps], hint="var_eps")],
                                           hint="std")], hint="inv_std")
    s, b = ctx.name(scale), ctx.name(offset)
    if first:
        s = ctx.node("Unsqueeze", [s, ctx.int64s([1, 2], "axes")], hint="scale")
        b = ctx.node("Unsqueeze", [b, ctx.int64s([1, 2], "axes")], hint="offset")
    y = ctx.node("Add", [ctx.node("Mul", [ctx.node("Mul", [centered, inv], hint="normed"), s],
                                  hint="scaled"), b])
    flat_mean = ctx.node("Reshape", [mean, ctx.int64s([-1], "flat")], hint="batch_mean")
    flat_var = ctx.node("Reshape", [var, ctx.int64s([-1], "flat")], hint="batch_var")
    return [y, flat_mean, None, flat_mean, flat_var, None]


@exporter("LRN")
def _lrn(ctx, op):
    d = op.op_def
    size = 2 * d.depth_radius + 1
    x = ctx.transpose(ctx.name(op.inputs[0]), _to_first(4), "nchw")
    # ONNX divides alpha by the window size; TF does not.
    y = ctx.node("LRN", [x], hint="nchw_out", size=size, alpha=float(d.alpha) * size,
                 beta=float(d.beta), bias=float(d.bias))
    return ctx.transpose(y, _to_last(4), None)
