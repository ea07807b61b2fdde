"""Import of ONNX convolution, pooling, normalization, dropout, LRN and Flatten.

ONNX images are channels-first (NCHW); flowgraph's conv2d and pools run them as they are
(data_format "NCHW"), with ONNX's OIHW filters transposed to flowgraph's HWIO.
"""

from __future__ import annotations

import numpy as np

from flowgraph.onnx.import_ops.common import fg, rank, scalar_like, static_dims
from flowgraph.onnx.import_ops.table import importer
from flowgraph.onnx.unsupported import CannotConvertError
from flowgraph.ops.pool_geometry import output_size


def _tf_padding(attrs: dict, sizes, ksize, strides, dilations, node_type: str):
    """"SAME", "VALID", or explicit [(before, after), ...] per spatial axis."""
    auto_pad = attrs.get("auto_pad", "NOTSET")
    n = len(ksize)
    if auto_pad == "SAME_UPPER":
        return "SAME"  # TF's SAME puts the odd cell after, as SAME_UPPER
    if auto_pad == "VALID":
        return "VALID"
    if auto_pad == "SAME_LOWER":
        pads = []
        for size, k, s, d in zip(sizes, ksize, strides, dilations):
            if size is None:
                raise CannotConvertError(f"{node_type} with auto_pad SAME_LOWER on an input of "
                                  "unknown size")
            _, before, after = output_size(size, k, s, d, "SAME")
            pads.append((after, before))  # the odd cell before
        return pads
    flat = [int(p) for p in attrs.get("pads", [0] * (2 * n))]
    pads = list(zip(flat[:n], flat[n:]))
    if not any(flat):
        return "VALID"
    if None not in sizes:
        same = [output_size(size, k, s, d, "SAME")[1:]
                for size, k, s, d in zip(sizes, ksize, strides, dilations)]
        if [tuple(p) for p in same] == pads:
            return "SAME"
    return pads


def _filter_hwio(ctx, w):
    """An OIHW filter as HWIO: transposed when the model is imported if it is a constant."""
    f = fg()
    value = ctx.static(w)
    if value is not None:
        return f.constant(np.ascontiguousarray(np.transpose(value, (2, 3, 1, 0))),
                          name="filter")
    return f.transpose(w, [2, 3, 1, 0])


@importer("Conv")
def _conv(ctx, node, inputs, attrs):
    f = fg()
    x, w = inputs[:2]
    bias = inputs[2] if len(inputs) > 2 else None
    w_dims = static_dims(w)
    if rank(x) != 4 or (w_dims is not None and len(w_dims) != 4):
        raise CannotConvertError("only 2-D convolutions (4-D inputs) are supported")
    if w_dims is None or None in w_dims:
        raise CannotConvertError("the filter's shape must be known")
    out_c, per_group, kh, kw = w_dims
    ksize = attrs.get("kernel_shape", [kh, kw])
    strides = list(attrs.get("strides", [1, 1]))
    dilations = list(attrs.get("dilations", [1, 1]))
    sizes = (static_dims(x) or [None] * 4)[2:]
    padding = _tf_padding(attrs, sizes, ksize, strides, dilations, "Conv")
    if isinstance(padding, list):
        padding = [[0, 0], [0, 0], list(padding[0]), list(padding[1])]
    group = int(attrs.get("group", 1))
    in_c = (static_dims(x) or [None] * 4)[1]
    nchw = dict(strides=[1, 1] + strides, padding=padding, data_format="NCHW",
                dilations=[1, 1] + dilations)
    if group == 1:
        y = f.nn.conv2d(x, _filter_hwio(ctx, w), **nchw)
    elif per_group == 1 and (in_c is None or in_c == group) and out_c % group == 0:
        # Depthwise: [C * M, 1, kh, kw] -> [kh, kw, C, M] (output channel c * M + m).
        multiplier = out_c // group
        value = ctx.static(w)
        if value is not None:
            kernel = f.constant(np.ascontiguousarray(np.transpose(
                value.reshape(group, multiplier, kh, kw), (2, 3, 0, 1))), name="filter")
        else:
            kernel = f.transpose(f.reshape(w, [group, multiplier, kh, kw]), [2, 3, 0, 1])
        if isinstance(padding, list):
            raise CannotConvertError("explicit padding of a depthwise (grouped) convolution that "
                              "is not SAME or VALID")
        y = f.nn.depthwise_conv2d_native(x, kernel, **nchw)
    else:
        raise CannotConvertError(f"group={group} (only 1, or one group per input channel)")
    if bias is not None:
        y = f.nn.bias_add(y, bias, data_format="NCHW")
    return y


@importer("MaxPool", "AveragePool")
def _pool(ctx, node, inputs, attrs):
    from flowgraph.ops import pool
    f = fg()
    x = inputs[0]
    ndims = rank(x)
    if ndims not in (4, 5):
        raise CannotConvertError(f"only 2-D and 3-D pooling (4-D or 5-D inputs), got rank {ndims}")
    if attrs.get("ceil_mode", 0):
        raise CannotConvertError("ceil_mode=1")
    n = ndims - 2
    ksize = list(attrs["kernel_shape"])
    strides = list(attrs.get("strides", [1] * n))
    dilations = list(attrs.get("dilations", [1] * n))
    sizes = (static_dims(x) or [None] * ndims)[2:]
    padding = _tf_padding(attrs, sizes, ksize, strides, dilations, node.op_type)
    average = node.op_type == "AveragePool"
    counted = average and attrs.get("count_include_pad", 0)
    if counted and padding == "SAME":
        # TF's SAME averages exclude the pads: pad explicitly with zeros that count.
        if None in sizes:
            raise CannotConvertError("SAME average pooling that counts the pads "
                              "(count_include_pad=1) of an input of unknown size")
        padding = [output_size(size, k, s, d, "SAME")[1:]
                   for size, k, s, d in zip(sizes, ksize, strides, dilations)]
    if isinstance(padding, list):
        # Padding TF cannot express: pad explicitly, with cells that do not change the
        # result (-inf for max) or that count (zeros, for count_include_pad averages).
        if average and not counted:
            raise CannotConvertError("average pooling with explicit pads that are not SAME, "
                              "excluding the pads from the count")
        fill = pool.lowest(x.dtype.np) if not average else 0
        x = f.pad(x, [[0, 0], [0, 0]] + [list(p) for p in padding],
                  constant_values=scalar_like(fill, x))
        padding = "VALID"
    kind = {(False, 4): pool.MaxPool, (True, 4): pool.AvgPool, (False, 5): pool.MaxPool3D,
            (True, 5): pool.AvgPool3D}[(average, ndims)]
    data_format = "NCHW" if ndims == 4 else "NCDHW"
    y = pool.pool_nd(kind, x, [1, 1] + ksize, [1, 1] + strides, padding, data_format, None,
                     kind.type_name, dilations=[1, 1] + dilations)
    return [y, None] if not average else y


@importer("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(ctx, node, inputs, attrs):
    f = fg()
    x = inputs[0]
    axes = list(range(2, rank(x)))
    reduce = f.reduce_mean if node.op_type == "GlobalAveragePool" else f.reduce_max
    return reduce(x, axis=axes, keepdims=True)


@importer("BatchNormalization")
def _batch_norm(ctx, node, inputs, attrs):
    f = fg()
    if attrs.get("training_mode", 0):
        raise CannotConvertError("training_mode=1 (only inference batch normalization)")
    x, scale, bias, mean, var = inputs
    epsilon = float(attrs.get("epsilon", 1e-5))
    if rank(x) == 4 and x.dtype == scale.dtype == mean.dtype:
        y = f.nn.fused_batch_norm(x, scale, bias, mean, var, epsilon=epsilon,
                                  data_format="NCHW", is_training=False)[0]
        return [y, None, None]
    # Other ranks: the arithmetic, with the statistics along axis 1.
    shape = [-1] + [1] * (rank(x) - 2)
    factor = f.multiply(scale, f.math.rsqrt(f.add(var, scalar_like(epsilon, var))))
    shift = f.subtract(bias, f.multiply(mean, factor))
    y = f.add(f.multiply(x, f.reshape(factor, shape)), f.reshape(shift, shape))
    return [y, None, None]


@importer("Dropout")
def _dropout(ctx, node, inputs, attrs):
    if len(inputs) > 2 and inputs[2] is not None:
        training = ctx.static(inputs[2])
        if training is None or bool(training):
            raise CannotConvertError("training_mode must be false (dropout is imported for "
                              "inference)")
    x = inputs[0]
    mask = fg().ones_like(x, dtype=fg().bool)
    return [fg().identity(x), mask]


@importer("LRN")
def _lrn(ctx, node, inputs, attrs):
    f = fg()
    size = int(attrs["size"])
    if size % 2 == 0:
        raise CannotConvertError(f"an even LRN size ({size}); TF's window is symmetric")
    x = f.transpose(inputs[0], [0, 2, 3, 1])
    y = f.nn.lrn(x, depth_radius=(size - 1) // 2, bias=attrs.get("bias", 1.0),
                 alpha=attrs.get("alpha", 1e-4) / size, beta=attrs.get("beta", 0.75))
    return f.transpose(y, [0, 3, 1, 2])


@importer("Flatten")
def _flatten(ctx, node, inputs, attrs):
    f = fg()
    x = inputs[0]
    ndims = rank(x)
    axis = int(attrs.get("axis", 1))
    axis = axis + ndims if axis < 0 else axis
    dims = static_dims(x)
    outer, inner = dims[:axis], dims[axis:]
    if None not in outer:
        return f.reshape(x, [int(np.prod(outer)), -1])
    if None not in inner:
        return f.reshape(x, [-1, int(np.prod(inner))])
    shape = f.shape(x)
    first = f.reduce_prod(shape[:axis], keepdims=True)
    return f.reshape(x, f.concat([first, [-1]], 0))
