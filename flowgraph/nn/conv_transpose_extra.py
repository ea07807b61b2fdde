"""More of TF1's `tf.nn` convolution helpers, built from existing ops (so their gradients
come for free): with_space_to_batch, atrous_conv2d_transpose, conv_transpose, the
depthwise_conv2d_backprop_* aliases, and the single-replica loss scalers
compute_average_loss and scale_regularization_loss."""

from __future__ import annotations

import collections.abc
from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.array import concat, stack
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.conv_depthwise import (
    depthwise_conv2d_native_backprop_filter as depthwise_conv2d_backprop_filter,
)
from flowgraph.ops.conv_depthwise import (
    depthwise_conv2d_native_backprop_input as depthwise_conv2d_backprop_input,
)
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import constant_value
from flowgraph.ops.space_batch import (
    batch_to_space,
    batch_to_space_nd,
    required_space_to_batch_paddings,
    space_to_batch,
    space_to_batch_nd,
)
from flowgraph.shapes import TensorShape

__all__ = ["with_space_to_batch", "atrous_conv2d_transpose", "conv_transpose",
           "depthwise_conv2d_backprop_input", "depthwise_conv2d_backprop_filter",
           "compute_average_loss", "scale_regularization_loss"]


# --------------------------------------------------------------------------- with_space_to_batch
def _base_paddings(filter_shape: Any, num_spatial_dims: int, rate: Any) -> Any:
    """[[start, end], ...] that turn "SAME" into "VALID" for a filter dilated by `rate`."""
    extra = (filter_shape[:num_spatial_dims] - 1) * rate
    start = extra // 2
    end = extra - start
    return stack([[start[i], end[i]] for i in range(num_spatial_dims)])


def _adjust(orig: Any, fill_value: int, spatial_dims: list) -> Any:
    """`orig` (one row per spatial dim) spread over rows 0 .. max(spatial_dims) - 1, with
    `fill_value` rows for the dimensions between them (TF1's _with_space_to_batch_adjust)."""
    orig_t = convert_to_tensor(orig)
    fill_dims = orig_t.shape.as_list()[1:]
    const = constant_value(orig_t)
    source = const if const is not None else orig_t
    parts, prev, i = [], 0, 0
    while i < len(spatial_dims):
        start_i = i
        if spatial_dims[i] > 1:
            parts.append(np.full([spatial_dims[i] - 1 - prev] + fill_dims, fill_value,
                                 dtype=orig_t.dtype.np))
        while i + 1 < len(spatial_dims) and spatial_dims[i + 1] == spatial_dims[i] + 1:
            i += 1
        parts.append(source[start_i:i + 1])
        prev = spatial_dims[i]
        i += 1
    if const is not None:
        return np.concatenate(parts)
    return concat(parts, 0)


def with_space_to_batch(input: Any, dilation_rate: Any, padding: str,  # noqa: A002
                        op: Callable, filter_shape: Any = None, spatial_dims: Any = None,
                        data_format: Optional[str] = None) -> Tensor:
    """Runs `op` on the space-to-batch form of `input`, as TF1's `tf.nn.with_space_to_batch`:
    an atrous (dilated) version of any sliding-window op.

    With every dilation rate 1 this is ``op(input, num_spatial_dims, padding)``; otherwise
    ``batch_to_space_nd(op(space_to_batch_nd(input, rate, paddings), num_spatial_dims,
    "VALID"), rate, crops)`` with paddings / crops from `required_space_to_batch_paddings`
    (for "SAME", padded by the dilated `filter_shape`, which is then required).
    `spatial_dims` (default 1..N, or 2..N+1 for "NC*" data formats) must increase.
    """
    input = convert_to_tensor(input, name="input")
    input_shape = input.shape
    rate_t = convert_to_tensor(dilation_rate, dtype=dtypes.int32, name="dilation_rate")
    if rate_t.shape.ndims not in (None, 1):
        raise ValueError(f"with_space_to_batch: dilation_rate must be a vector (rank 1), got "
                         f"shape {rate_t.shape}")
    if not rate_t.shape.is_fully_defined():
        raise ValueError(f"with_space_to_batch: dilation_rate must have a known shape, got "
                         f"{rate_t.shape}")
    n = rate_t.shape[0].value
    start = 2 if data_format is not None and data_format.startswith("NC") else 1
    if spatial_dims is None:
        spatial_dims = range(start, n + start)
    orig = list(spatial_dims)
    spatial_dims = sorted(set(int(d) for d in orig))
    if spatial_dims != orig or any(d < 1 for d in spatial_dims):
        raise ValueError(f"with_space_to_batch: spatial_dims must be a monotonically "
                         f"increasing sequence of positive integers, got {orig}")
    rank_needed = spatial_dims[-1] + (0 if start == 2 else 1)
    if input_shape.ndims is not None and input_shape.ndims < rank_needed:
        raise ValueError(f"with_space_to_batch: the input must have rank at least "
                         f"{rank_needed}, got shape {input_shape}")
    const_rate = constant_value(rate_t)
    rate = rate_t
    if const_rate is not None:
        rate = const_rate
        if np.any(const_rate < 1):
            raise ValueError(f"with_space_to_batch: dilation_rate must be positive, got "
                             f"{const_rate.tolist()}")
        if np.all(const_rate == 1):
            return op(input, n, padding)
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError("with_space_to_batch: filter_shape must be specified for "
                             "padding='SAME'")
        filter_t = convert_to_tensor(filter_shape, name="filter_shape")
        const_filter = constant_value(filter_t)
        base = _base_paddings(const_filter if const_filter is not None else filter_t, n, rate)
    elif padding == "VALID":
        base = np.zeros([n, 2], np.int32)
    else:
        raise ValueError(f"with_space_to_batch: padding must be 'SAME' or 'VALID', got "
                         f"{padding!r}")
    spatial_shape = None
    if input_shape.ndims is not None:
        dims = input_shape.as_list()
        spatial_shape = [dims[i] for i in spatial_dims]
    if spatial_shape is None or None in spatial_shape:
        from flowgraph.ops.shape_ops import shape
        full = shape(input)
        spatial_shape = stack([full[i] for i in spatial_dims])
    paddings, crops = required_space_to_batch_paddings(input_shape=spatial_shape,
                                                       base_paddings=base, block_shape=rate_t)
    block = _adjust(rate_t, 1, spatial_dims)
    paddings = _adjust(paddings, 0, spatial_dims)
    crops = _adjust(crops, 0, spatial_dims)
    converted = space_to_batch_nd(input=input, block_shape=block, paddings=paddings)
    result = op(converted, n, "VALID")
    return batch_to_space_nd(input=result, block_shape=block, crops=crops)


# --------------------------------------------------------------------------- transposes
def atrous_conv2d_transpose(value: Any, filters: Any, output_shape: Any, rate: int,
                            padding: str, name: Optional[str] = None) -> Tensor:
    """The transpose (gradient) of `atrous_conv2d`, as TF1's `tf.nn.atrous_conv2d_transpose`:
    space_to_batch, a stride-1 "VALID" conv2d_backprop_input, batch_to_space.

    `value` is [batch, in_height, in_width, in_channels] (NHWC); `filters` is [height,
    width, out_channels, in_channels]; `output_shape` is [batch, out_height, out_width,
    out_channels]; `rate` (int >= 1) dilates the filter; `padding` is "SAME" or "VALID".
    """
    from flowgraph.ops.conv_grad import conv2d_backprop_input, conv2d_transpose
    from flowgraph.ops.shape_ops import shape
    with op_scope(name, "atrous_conv2d_transpose", [value, filters, output_shape]) as scope:
        value = convert_to_tensor(value, name="value")
        filters = convert_to_tensor(filters, name="filters")
        v_shape = value.shape.with_rank(4) if value.shape.ndims is not None else \
            TensorShape([None] * 4)
        f_shape = filters.shape.with_rank(4) if filters.shape.ndims is not None else \
            TensorShape([None] * 4)
        if not v_shape[3].is_compatible_with(f_shape[3]):
            raise ValueError(f"atrous_conv2d_transpose: value's input channels do not match "
                             f"filters' input channels: {v_shape[3]} != {f_shape[3]} (value "
                             f"{v_shape}, filters {f_shape} [height, width, out_channels, "
                             f"in_channels])")
        if isinstance(rate, bool) or int(rate) != rate:
            raise TypeError(f"atrous_conv2d_transpose: rate must be an int, got {rate!r}")
        rate = int(rate)
        if rate < 1:
            raise ValueError(f"atrous_conv2d_transpose: rate {rate} cannot be less than one")
        if rate == 1:
            return conv2d_transpose(value, filters, output_shape, strides=[1, 1, 1, 1],
                                    padding=padding, data_format="NHWC", name=scope)
        out_t = convert_to_tensor(output_shape, name="output_shape")
        if not out_t.shape.is_compatible_with([4]):
            raise ValueError(f"atrous_conv2d_transpose: output_shape must have shape (4,), got "
                             f"{out_t.shape}")
        if isinstance(output_shape, tuple):
            output_shape = list(output_shape)
        if isinstance(output_shape, (list, np.ndarray)):
            if not f_shape[2].is_compatible_with(output_shape[3]):
                raise ValueError(f"atrous_conv2d_transpose: output_shape does not match the "
                                 f"filters' output channels: {output_shape[3]} != "
                                 f"{f_shape[2]}")
        else:
            output_shape = out_t
        if padding == "SAME":
            f_dims = f_shape.as_list() if f_shape.is_fully_defined() else shape(filters)
            pad_h = (f_dims[0] - 1) * rate
            pad_w = (f_dims[1] - 1) * rate
            top, left = pad_h // 2, pad_w // 2
            bottom, right = pad_h - top, pad_w - left
        elif padding == "VALID":
            top = bottom = left = right = 0
        else:
            raise ValueError(f"atrous_conv2d_transpose: padding must be either VALID or SAME, "
                             f"got {padding!r}")
        in_h = output_shape[1] + top + bottom
        in_w = output_shape[2] + left + right
        extra_b = (rate - in_h % rate) % rate
        extra_r = (rate - in_w % rate) % rate
        value = space_to_batch(input=value, paddings=[[0, extra_b], [0, extra_r]],
                               block_size=rate)
        sizes = [rate * rate * output_shape[0], (in_h + extra_b) // rate,
                 (in_w + extra_r) // rate, output_shape[3]]
        value = conv2d_backprop_input(input_sizes=sizes, filter=filters, out_backprop=value,
                                      strides=[1, 1, 1, 1], padding="VALID",
                                      data_format="NHWC")
        return batch_to_space(input=value, crops=[[top, bottom + extra_b],
                                                  [left, right + extra_r]],
                              block_size=rate, name=scope)


def conv_transpose(input: Any, filters: Any, output_shape: Any, strides: Any,  # noqa: A002
                   padding: str = "SAME", data_format: Optional[str] = None,
                   dilations: Any = None, name: Optional[str] = None) -> Tensor:
    """The transpose of an N-D convolution, as TF1's `tf.nn.conv_transpose`: dispatches on
    the length of `output_shape` (3, 4 or 5) to conv1d_transpose, conv2d_transpose or
    conv3d_transpose (default data formats NWC, NHWC, NDHWC)."""
    from flowgraph.ops.conv3d import conv3d_transpose
    from flowgraph.ops.conv_grad import conv1d_transpose, conv2d_transpose
    if isinstance(output_shape, Tensor):
        length = output_shape.shape[0].value if output_shape.shape.ndims == 1 else None
        if length is None:
            raise ValueError(f"conv_transpose: output_shape must be a vector of known length "
                             f"(3, 4 or 5), got shape {output_shape.shape}")
    elif isinstance(output_shape, (collections.abc.Sized, TensorShape)):
        length = len(output_shape)
    else:
        raise ValueError(f"conv_transpose: output_shape must be a tensor or sized collection, "
                         f"got {output_shape!r}")
    n = length - 2
    if not 1 <= n <= 3:
        raise ValueError(f"conv_transpose: output_shape must be of length 3, 4 or 5 but was "
                         f"{length}.")
    name = name or "conv_transpose"
    if n == 1:
        return conv1d_transpose(input, filters, output_shape, strides, padding=padding,
                                data_format=data_format or "NWC", dilations=dilations,
                                name=name)
    if n == 2:
        return conv2d_transpose(input=input, filters=filters, output_shape=output_shape,
                                strides=strides, padding=padding,
                                data_format=data_format or "NHWC", dilations=dilations,
                                name=name)
    return conv3d_transpose(None, input=input, filters=filters, output_shape=output_shape,
                            strides=strides, padding=padding,
                            data_format=data_format or "NDHWC", dilations=dilations, name=name)


# --------------------------------------------------------------------------- loss scaling
def _scale_by_sample_weight(losses: Tensor, weight: Any) -> Tensor:
    """losses * sample_weight in float32, the weight squeezed / expanded by one trailing
    dimension to the losses' rank when that makes them match (as TF1)."""
    from flowgraph.ops.shape_ops import expand_dims, squeeze
    losses = cast(losses, dtypes.float32)
    weight = cast(convert_to_tensor(weight), dtypes.float32)
    lr, wr = losses.shape.ndims, weight.shape.ndims
    if lr is not None and wr is not None:
        if wr - lr == 1 and weight.shape[-1].value in (None, 1):
            weight = squeeze(weight, [-1])
        elif lr - wr == 1:
            weight = expand_dims(weight, -1)
    return losses * weight


def compute_average_loss(per_example_loss: Any, sample_weight: Any = None,
                         global_batch_size: Any = None) -> Tensor:
    """sum(per_example_loss * sample_weight) / global_batch_size, as TF1's
    `tf.nn.compute_average_loss` with one replica: `global_batch_size` defaults to the
    size of the first dimension of `per_example_loss` (which needs rank >= 1)."""
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.shape_ops import shape
    per_example_loss = convert_to_tensor(per_example_loss)
    dtype = per_example_loss.dtype
    if per_example_loss.shape.ndims == 0:
        raise ValueError(f"Invalid value passed for `per_example_loss`. Expected a tensor with "
                         f"at least rank 1, received {per_example_loss}: pass one loss per "
                         f"example")
    if sample_weight is not None:
        per_example_loss = cast(_scale_by_sample_weight(per_example_loss, sample_weight),
                                dtype)
    if global_batch_size is None:
        global_batch_size = cast(shape(per_example_loss)[0], dtype)
    elif not isinstance(global_batch_size, Tensor):
        if isinstance(global_batch_size, bool) or np.ndim(global_batch_size) != 0 or \
                int(global_batch_size) != global_batch_size or global_batch_size < 0:
            raise ValueError(f"compute_average_loss: global_batch_size must be a "
                             f"non-negative integer scalar, got {global_batch_size!r}")
        global_batch_size = convert_to_tensor(float(global_batch_size), dtype=dtype)
    else:
        global_batch_size = cast(global_batch_size, dtype)
    return reduce_sum(per_example_loss) / global_batch_size


def scale_regularization_loss(regularization_loss: Any) -> Tensor:
    """sum(regularization_loss) / number of replicas (1 here), as TF1's
    `tf.nn.scale_regularization_loss`."""
    from flowgraph.ops.reduce import reduce_sum
    return reduce_sum(regularization_loss) / 1
