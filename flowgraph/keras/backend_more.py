"""More of `tf.keras.backend` as TF 1.15: convolutions, pooling, padding and resizing,
batch normalization, the RNN loop ``K.rnn``, functional loops, CTC and sparse helpers.

All are composites of existing flowgraph ops (``fg.nn``, ``fg.image``, ``fg.while_loop``...),
so their gradients come from those ops. ``data_format=None`` means ``image_data_format()``.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np

import flowgraph as fg
from flowgraph import dtypes
from flowgraph.graph import get_default_graph
from flowgraph.keras.backend import epsilon as _epsilon
from flowgraph.keras.backend import floatx, image_data_format
from flowgraph.keras.backend_ops import (
    batch_dot,
    concatenate,
    int_shape,
    ndim,
    permute_dimensions,
    repeat_elements,
    reshape,
)

__all__ = [
    "batch_normalization", "conv1d", "conv2d", "conv2d_transpose", "conv3d", "ctc_batch_cost",
    "ctc_decode", "ctc_label_dense_to_sparse", "depthwise_conv2d", "foldl", "foldr", "in_top_k",
    "is_sparse", "learning_phase_scope", "local_conv1d", "local_conv2d", "map_fn",
    "normalize_batch_in_training", "pool2d", "pool3d", "print_tensor", "random_binomial",
    "resize_images", "resize_volumes", "rnn", "separable_conv2d", "spatial_2d_padding",
    "spatial_3d_padding", "temporal_padding", "to_dense",
]


# -- helpers
def _data_format(data_format: Optional[str]) -> str:
    if data_format is None:
        data_format = image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format!r} (use 'channels_first' or "
                         "'channels_last')")
    return data_format


def _padding(padding: str) -> str:
    if padding == "same":
        return "SAME"
    if padding == "valid":
        return "VALID"
    raise ValueError(f"Unknown padding: {padding!r} (use 'same' or 'valid')")


def _to_last(x: Any, data_format: str) -> Any:
    """channels_first -> channels_last (TF's CPU path does the same transposes)."""
    if data_format != "channels_first":
        return x
    rank = ndim(x)
    return fg.transpose(x, [0] + list(range(2, rank)) + [1])


def _to_first(x: Any, data_format: str) -> Any:
    if data_format != "channels_first":
        return x
    rank = ndim(x)
    return fg.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def _tuple(value: Any, n: int) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    return tuple(value)


# -- convolutions
def conv1d(x: Any, kernel: Any, strides: int = 1, padding: str = "valid",
           data_format: Optional[str] = None, dilation_rate: int = 1) -> Any:
    """1D convolution of `x` [batch, steps, channels] (or channels_first) with `kernel`
    [width, in, out]; ``padding='causal'`` left-pads so output t sees inputs <= t."""
    data_format = _data_format(data_format)
    x = fg.convert_to_tensor(x)
    kernel_width = int_shape(fg.convert_to_tensor(kernel))[0]
    x = _to_last(x, data_format)
    if padding == "causal":
        left = dilation_rate * (kernel_width - 1)
        x = temporal_padding(x, (left, 0))
        padding = "valid"
    x = fg.nn.convolution(x, kernel, padding=_padding(padding), strides=(strides,),
                          dilation_rate=(dilation_rate,), data_format="NWC")
    return _to_first(x, data_format)


def conv2d(x: Any, kernel: Any, strides: Sequence[int] = (1, 1), padding: str = "valid",
           data_format: Optional[str] = None, dilation_rate: Sequence[int] = (1, 1)) -> Any:
    """2D convolution; `kernel` is [rows, cols, in, out]."""
    data_format = _data_format(data_format)
    x = _to_last(fg.convert_to_tensor(x), data_format)
    x = fg.nn.convolution(x, kernel, padding=_padding(padding), strides=tuple(strides),
                          dilation_rate=tuple(dilation_rate), data_format="NHWC")
    return _to_first(x, data_format)


def conv2d_transpose(x: Any, kernel: Any, output_shape: Any, strides: Sequence[int] = (1, 1),
                     padding: str = "valid", data_format: Optional[str] = None,
                     dilation_rate: Sequence[int] = (1, 1)) -> Any:
    """Transposed 2D convolution; `kernel` is [rows, cols, out, in] and `output_shape` is
    the full output shape in `data_format`."""
    data_format = _data_format(data_format)
    if isinstance(output_shape, (tuple, list)):
        output_shape = fg.stack(list(output_shape))
    x = _to_last(fg.convert_to_tensor(x), data_format)
    if data_format == "channels_first":
        output_shape = fg.gather(output_shape, [0, 2, 3, 1])
    if tuple(dilation_rate) == (1, 1):
        x = fg.nn.conv2d_transpose(x, kernel, output_shape, (1,) + tuple(strides) + (1,),
                                   padding=_padding(padding), data_format="NHWC")
    else:
        if dilation_rate[0] != dilation_rate[1]:
            raise ValueError("Expected the two dilation rates to be equal, got "
                             f"{tuple(dilation_rate)}.")
        x = fg.nn.atrous_conv2d_transpose(x, kernel, output_shape, rate=dilation_rate[0],
                                          padding=_padding(padding))
    return _to_first(x, data_format)


def conv3d(x: Any, kernel: Any, strides: Sequence[int] = (1, 1, 1), padding: str = "valid",
           data_format: Optional[str] = None,
           dilation_rate: Sequence[int] = (1, 1, 1)) -> Any:
    """3D convolution; `kernel` is [depth, rows, cols, in, out]."""
    data_format = _data_format(data_format)
    x = _to_last(fg.convert_to_tensor(x), data_format)
    x = fg.nn.conv3d(x, kernel, (1,) + tuple(strides) + (1,), _padding(padding),
                     data_format="NDHWC", dilations=(1,) + tuple(dilation_rate) + (1,))
    return _to_first(x, data_format)


def depthwise_conv2d(x: Any, depthwise_kernel: Any, strides: Sequence[int] = (1, 1),
                     padding: str = "valid", data_format: Optional[str] = None,
                     dilation_rate: Sequence[int] = (1, 1)) -> Any:
    """Depthwise 2D convolution; `depthwise_kernel` is [rows, cols, in, multiplier]."""
    data_format = _data_format(data_format)
    x = _to_last(fg.convert_to_tensor(x), data_format)
    x = fg.nn.depthwise_conv2d(x, depthwise_kernel, (1,) + tuple(strides) + (1,),
                               _padding(padding), rate=tuple(dilation_rate),
                               data_format="NHWC")
    return _to_first(x, data_format)


def separable_conv2d(x: Any, depthwise_kernel: Any, pointwise_kernel: Any,
                     strides: Sequence[int] = (1, 1), padding: str = "valid",
                     data_format: Optional[str] = None,
                     dilation_rate: Sequence[int] = (1, 1)) -> Any:
    """Depthwise then 1x1 pointwise 2D convolution."""
    data_format = _data_format(data_format)
    if not isinstance(strides, (tuple, list)) or len(strides) != 2:
        raise ValueError(f"`strides` must be a tuple of 2 integers, got {strides!r}.")
    x = _to_last(fg.convert_to_tensor(x), data_format)
    x = fg.nn.separable_conv2d(x, depthwise_kernel, pointwise_kernel,
                               (1,) + tuple(strides) + (1,), _padding(padding),
                               rate=tuple(dilation_rate), data_format="NHWC")
    return _to_first(x, data_format)


# -- pooling
def _pool(x: Any, pool_size: Sequence[int], strides: Sequence[int], padding: str,
          data_format: Optional[str], pool_mode: str, rank: int) -> Any:
    data_format = _data_format(data_format)
    if pool_mode not in ("max", "avg"):
        raise ValueError("Invalid pooling mode: " + str(pool_mode))
    if len(pool_size) != rank:
        raise ValueError(f"`pool_size` must be a tuple of {rank} integers, got {pool_size!r}.")
    if len(strides) != rank:
        raise ValueError(f"`strides` must be a tuple of {rank} integers, got {strides!r}.")
    x = _to_last(fg.convert_to_tensor(x), data_format)
    ksize = [1] + list(pool_size) + [1]
    step = [1] + list(strides) + [1]
    if rank == 2:
        pool = fg.nn.max_pool if pool_mode == "max" else fg.nn.avg_pool
        x = pool(x, ksize, step, _padding(padding), data_format="NHWC")
    else:
        pool = fg.nn.max_pool3d if pool_mode == "max" else fg.nn.avg_pool3d
        x = pool(x, ksize, step, _padding(padding), data_format="NDHWC")
    return _to_first(x, data_format)


def pool2d(x: Any, pool_size: Sequence[int], strides: Sequence[int] = (1, 1),
           padding: str = "valid", data_format: Optional[str] = None,
           pool_mode: str = "max") -> Any:
    """2D max or average pooling (``pool_mode`` 'max' or 'avg')."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2)


def pool3d(x: Any, pool_size: Sequence[int], strides: Sequence[int] = (1, 1, 1),
           padding: str = "valid", data_format: Optional[str] = None,
           pool_mode: str = "max") -> Any:
    """3D max or average pooling (``pool_mode`` 'max' or 'avg')."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3)


# -- locally connected
def _local_conv(inputs: Any, kernel: Any, kernel_size: Sequence[int], strides: Sequence[int],
                output_shape: tuple, data_format: Optional[str]) -> Any:
    data_format = _data_format(data_format)
    inputs, kernel = fg.convert_to_tensor(inputs), fg.convert_to_tensor(kernel)
    kernel_shape = int_shape(kernel)
    feature_dim = kernel_shape[1]
    filters = kernel_shape[-1]
    dims = len(output_shape)
    spatial = list(range(dims))
    pieces = []
    for position in itertools.product(*[range(n) for n in output_shape]):
        index: list = [slice(None)]
        if data_format == "channels_first":
            index.append(slice(None))
        index.extend(slice(position[d] * strides[d], position[d] * strides[d] + kernel_size[d])
                     for d in spatial)
        if data_format == "channels_last":
            index.append(slice(None))
        pieces.append(reshape(inputs[tuple(index)], (1, -1, feature_dim)))
    output = batch_dot(concatenate(pieces, axis=0), kernel)
    output = reshape(output, tuple(output_shape) + (-1, filters))
    if data_format == "channels_first":
        order = [dims, dims + 1] + spatial
    else:
        order = [dims] + spatial + [dims + 1]
    return permute_dimensions(output, order)


def local_conv1d(inputs: Any, kernel: Any, kernel_size: Sequence[int], strides: Sequence[int],
                 data_format: Optional[str] = None) -> Any:
    """Unshared-weight 1D convolution; `kernel` is [output_length, width * in, filters]."""
    output_length = int_shape(fg.convert_to_tensor(kernel))[0]
    return _local_conv(inputs, kernel, kernel_size, strides, (output_length,), data_format)


def local_conv2d(inputs: Any, kernel: Any, kernel_size: Sequence[int], strides: Sequence[int],
                 output_shape: Sequence[int], data_format: Optional[str] = None) -> Any:
    """Unshared-weight 2D convolution; `kernel` is [rows * cols, kr * kc * in, filters] and
    `output_shape` the (rows, cols) of the output."""
    return _local_conv(inputs, kernel, kernel_size, strides, tuple(output_shape), data_format)


# -- resizing and padding
def resize_images(x: Any, height_factor: int, width_factor: int, data_format: str,
                  interpolation: str = "nearest") -> Any:
    """Scales rows and columns of a 4D tensor by integer factors."""
    if data_format == "channels_first":
        rows, cols = 2, 3
    elif data_format == "channels_last":
        rows, cols = 1, 2
    else:
        raise ValueError(f"Invalid `data_format` argument: {data_format} (use "
                         "'channels_first' or 'channels_last')")
    x = fg.convert_to_tensor(x)
    original = int_shape(x)
    new_shape = fg.shape(x)[rows:cols + 1] * fg.constant(
        np.array([height_factor, width_factor], dtype="int32"))
    if data_format == "channels_first":
        x = permute_dimensions(x, [0, 2, 3, 1])
    if interpolation == "nearest":
        x = fg.image.resize_nearest_neighbor(x, new_shape)
    elif interpolation == "bilinear":
        x = fg.image.resize_bilinear(x, new_shape)
    else:
        raise ValueError('interpolation should be one of "nearest" or "bilinear".')
    if data_format == "channels_first":
        x = permute_dimensions(x, [0, 3, 1, 2])
    if original is not None:
        static = list(original)
        static[rows] = None if static[rows] is None else static[rows] * height_factor
        static[cols] = None if static[cols] is None else static[cols] * width_factor
        x.set_shape(static)
    return x


def resize_volumes(x: Any, depth_factor: int, height_factor: int, width_factor: int,
                   data_format: str) -> Any:
    """Scales the three spatial axes of a 5D tensor by repeating elements."""
    if data_format == "channels_first":
        axes = (2, 3, 4)
    elif data_format == "channels_last":
        axes = (1, 2, 3)
    else:
        raise ValueError(f"Invalid data_format: {data_format} (use 'channels_first' or "
                         "'channels_last')")
    x = repeat_elements(fg.convert_to_tensor(x), depth_factor, axis=axes[0])
    x = repeat_elements(x, height_factor, axis=axes[1])
    return repeat_elements(x, width_factor, axis=axes[2])


def _pairs(padding: Any, n: int) -> list:
    if len(padding) != n or any(len(p) != 2 for p in padding):
        raise ValueError(f"`padding` must be {n} pairs of integers, got {padding!r}.")
    return [list(p) for p in padding]


def temporal_padding(x: Any, padding: Sequence[int] = (1, 1)) -> Any:
    """Pads the middle (time) axis of a 3D tensor with zeros."""
    if len(padding) != 2:
        raise ValueError(f"`padding` must be a pair of integers, got {padding!r}.")
    return fg.pad(x, [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x: Any, padding: Any = ((1, 1), (1, 1)),
                       data_format: Optional[str] = None) -> Any:
    """Pads rows and columns of a 4D tensor with zeros."""
    data_format = _data_format(data_format)
    pads = _pairs(padding, 2)
    if data_format == "channels_first":
        pattern = [[0, 0], [0, 0]] + pads
    else:
        pattern = [[0, 0]] + pads + [[0, 0]]
    return fg.pad(x, pattern)


def spatial_3d_padding(x: Any, padding: Any = ((1, 1), (1, 1), (1, 1)),
                       data_format: Optional[str] = None) -> Any:
    """Pads depth, rows and columns of a 5D tensor with zeros."""
    data_format = _data_format(data_format)
    pads = _pairs(padding, 3)
    if data_format == "channels_first":
        pattern = [[0, 0], [0, 0]] + pads
    else:
        pattern = [[0, 0]] + pads + [[0, 0]]
    return fg.pad(x, pattern)


# -- batch normalization
def batch_normalization(x: Any, mean: Any, var: Any, beta: Any, gamma: Any, axis: int = -1,
                        epsilon: float = 1e-3) -> Any:
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` (parameters broadcast against `x`;
    for 4D channels-last `x` they may also be [channels] or any shape of that size)."""
    x = fg.convert_to_tensor(x)
    if ndim(x) == 4 and axis in (3, -1):
        mean, var = reshape(mean, [-1]), reshape(var, [-1])
        beta = None if beta is None else reshape(beta, [-1])
        gamma = None if gamma is None else reshape(gamma, [-1])
    return fg.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)


def normalize_batch_in_training(x: Any, gamma: Any, beta: Any, reduction_axes: Sequence[int],
                                epsilon: float = 1e-3) -> tuple:
    """Normalizes `x` over `reduction_axes` with its own batch statistics.

    Returns ``(normalized, mean, variance)``. As TF 1.15: a 4D `x` reduced over [0, 1, 2] uses
    the fused batch norm, whose variance is the unbiased (n - 1) one and whose epsilon is at
    least 1.001e-5; other cases return the biased variance of ``nn.moments``.
    """
    x = fg.convert_to_tensor(x)
    rank = ndim(x)
    axes = list(reduction_axes)
    if rank == 4 and axes == [0, 1, 2]:
        channels = int_shape(x)[3]
        if gamma is None:
            gamma = fg.constant(1.0, dtype=x.dtype, shape=[channels])
        if beta is None:
            beta = fg.constant(0.0, dtype=x.dtype, shape=[channels])
        return fg.nn.fused_batch_norm(x, gamma, beta, epsilon=epsilon, data_format="NHWC")
    mean, var = fg.nn.moments(x, axes, None, None, False)
    if sorted(axes) == list(range(rank))[:-1]:
        return fg.nn.batch_normalization(x, mean, var, beta, gamma, epsilon), mean, var
    target = fg.stack([1 if axis in axes else fg.shape(x)[axis] for axis in range(rank)])
    wide = [None if t is None else reshape(t, target) for t in (mean, var, beta, gamma)]
    normed = fg.nn.batch_normalization(x, wide[0], wide[1], wide[2], wide[3], epsilon)
    return normed, mean, var


# -- loops
def _swap_batch_time(x: Any) -> Any:
    rank = len(x.shape)
    return fg.transpose(x, [1, 0] + list(range(2, rank)))


def _expand_mask(mask_t: Any, like: Any, fixed_dim: int = 1) -> Any:
    for _ in range(len(like.shape) - len(mask_t.shape)):
        mask_t = fg.expand_dims(mask_t, -1)
    multiples = [1] * fixed_dim + like.shape.as_list()[fixed_dim:]
    if any(m is None for m in multiples):
        multiples = fg.concat([[1] * fixed_dim, fg.shape(like)[fixed_dim:]], 0)
    return fg.tile(mask_t, multiples)


def rnn(step_function: Callable, inputs: Any, initial_states: Sequence, go_backwards: bool = False,
        mask: Any = None, constants: Optional[Sequence] = None, unroll: bool = False,
        input_length: Any = None, time_major: bool = False,
        zero_output_for_mask: bool = False) -> tuple:
    """Iterates `step_function(input_t, states + constants) -> (output_t, new_states)` over
    the time axis of `inputs` ([batch, time, ...], or [time, batch, ...] with `time_major`;
    may be a nested structure of such tensors).

    `mask` ([batch, time] or [batch, time, 1]) keeps, where False, the previous output (zeros
    with `zero_output_for_mask`) and states. `unroll` builds one step per time step (needs a
    static time length); otherwise a `while_loop`. A tensor `input_length` [batch] without a
    mask masks steps at or beyond each sample's length. Returns
    ``(last_output, outputs, new_states)`` with `outputs` in the layout of `inputs`.
    """
    inputs = fg.nest.map_structure(fg.convert_to_tensor, inputs)
    if not time_major:
        inputs = fg.nest.map_structure(_swap_batch_time, inputs)
    flat_inputs = fg.nest.flatten(inputs)
    for item in flat_inputs:
        if item.shape.ndims is not None and item.shape.ndims < 3:
            raise ValueError(f"K.rnn needs inputs of rank at least 3 ([batch, time, ...]), "
                             f"got shape {item.shape}.")
    time_steps = flat_inputs[0].shape.as_list()[0]
    time_steps_t = fg.shape(flat_inputs[0])[0]
    if mask is not None:
        mask = fg.convert_to_tensor(mask)
        if mask.dtype != dtypes.bool:
            mask = fg.cast(mask, dtypes.bool)
        if len(mask.shape) == 2:
            mask = fg.expand_dims(mask, -1)
        if not time_major:
            mask = _swap_batch_time(mask)
    constants = [] if constants is None else list(constants)
    states = tuple(initial_states)
    if unroll:
        if not time_steps:
            raise ValueError("Unrolling requires a fixed number of timesteps.")
        return _rnn_unrolled(step_function, inputs, states, go_backwards, mask, constants,
                             time_steps, time_major, zero_output_for_mask)
    return _rnn_loop(step_function, inputs, states, go_backwards, mask, constants,
                     input_length, time_steps_t, time_major, zero_output_for_mask)


def _rnn_unrolled(step_function: Callable, inputs: Any, states: tuple, go_backwards: bool,
                  mask: Any, constants: list, time_steps: int, time_major: bool,
                  zero_output_for_mask: bool) -> tuple:
    steps = [fg.unstack(x, num=time_steps) for x in fg.nest.flatten(inputs)]
    if go_backwards:
        for seq in steps:
            seq.reverse()
    outputs: list = []
    if mask is not None:
        masks = fg.unstack(mask, num=time_steps)
        if go_backwards:
            masks.reverse()
    for i in range(time_steps):
        x = fg.nest.pack_sequence_as(inputs, [seq[i] for seq in steps])
        output, new_states = step_function(x, tuple(states) + tuple(constants))
        if mask is None:
            states = new_states
        else:
            prev = fg.zeros_like(output) if not outputs else outputs[-1]
            output = fg.where(_expand_mask(masks[i], output), output, prev)
            flat_old = fg.nest.flatten(states)
            flat_new = fg.nest.flatten(new_states)
            kept = [fg.where(_expand_mask(masks[i], old), new, old)
                    for old, new in zip(flat_old, flat_new)]
            states = fg.nest.pack_sequence_as(states, kept)
        outputs.append(output)
    last_output = outputs[-1]
    stacked = fg.stack(outputs)
    if mask is not None and zero_output_for_mask:
        last_output = fg.where(_expand_mask(masks[-1], last_output), last_output,
                               fg.zeros_like(last_output))
        stacked = fg.where(_expand_mask(mask, stacked, fixed_dim=2), stacked,
                           fg.zeros_like(stacked))
    if not time_major:
        stacked = _swap_batch_time(stacked)
    return last_output, stacked, states


def _rnn_loop(step_function: Callable, inputs: Any, states: tuple, go_backwards: bool,
              mask: Any, constants: list, input_length: Any, time_steps_t: Any,
              time_major: bool, zero_output_for_mask: bool) -> tuple:
    flat_inputs = fg.nest.flatten(inputs)
    input_tas = []
    for x in flat_inputs:
        ta = fg.TensorArray(dtype=x.dtype, size=time_steps_t, element_shape=x.shape[1:])
        input_tas.append(ta.unstack(fg.reverse(x, [0]) if go_backwards else x))
    first = fg.nest.pack_sequence_as(inputs, [x[0] for x in flat_inputs])
    output_zero, _ = step_function(first, tuple(states) + tuple(constants))
    output_shape = output_zero.shape
    output_ta = fg.TensorArray(dtype=output_zero.dtype, size=time_steps_t,
                               element_shape=output_shape)
    state_shapes = [s.shape for s in fg.nest.flatten(states)]
    masking_fn: Optional[Callable] = None
    if mask is not None:
        mask_seq = fg.reverse(mask, [0]) if go_backwards else mask
        mask_ta = fg.TensorArray(dtype=dtypes.bool, size=time_steps_t,
                                 element_shape=mask_seq.shape[1:]).unstack(mask_seq)

        def masking_fn(time: Any) -> Any:
            return mask_ta.read(time)

        def choose(mask_t: Any, new: Any, old: Any) -> Any:
            return fg.where(_expand_mask(mask_t, new), new, old)
    elif input_length is not None and fg.is_tensor(input_length):
        if go_backwards:
            reverse_length = fg.reduce_max(input_length, axis=0) - 1 - input_length

            def masking_fn(time: Any) -> Any:
                return fg.less(reverse_length, time)
        else:
            def masking_fn(time: Any) -> Any:
                return fg.greater(input_length, time)

        def choose(mask_t: Any, new: Any, old: Any) -> Any:
            return fg.where(mask_t, new, old)

    def restore(values: Sequence) -> list:
        for value, known in zip(values, state_shapes):
            value.set_shape(known)
        return list(values)

    def read(time: Any) -> Any:
        values = []
        for ta, x in zip(input_tas, flat_inputs):
            value = ta.read(time)
            value.set_shape(x.shape[1:])
            values.append(value)
        return fg.nest.pack_sequence_as(inputs, values)

    def call(time: Any, flat_states: Sequence) -> tuple:
        packed = fg.nest.pack_sequence_as(states, restore(flat_states))
        output, new_states = step_function(read(time), tuple(packed) + tuple(constants))
        flat_new = fg.nest.flatten(new_states)
        for new, known in zip(flat_new, state_shapes):
            if fg.is_tensor(new):
                new.set_shape(known)
        return output, flat_new

    time = fg.constant(0, dtype=dtypes.int32, name="time")
    flat_states = tuple(fg.nest.flatten(states))
    if masking_fn is not None:
        zero_output = fg.zeros_like(output_zero)

        def body(time: Any, output_ta_t: Any, prev_output: Any, *old: Any) -> tuple:
            prev_output.set_shape(output_shape)
            mask_t = masking_fn(time)
            output, flat_new = call(time, old)
            keep_from = zero_output if zero_output_for_mask else prev_output
            output = choose(mask_t, output, keep_from)
            kept = [choose(mask_t, new, o) for new, o in zip(flat_new, restore(old))]
            return (time + 1, output_ta_t.write(time, output), output) + tuple(kept)

        results = fg.while_loop(lambda time, *_: fg.less(time, time_steps_t), body,
                                (time, output_ta, zero_output) + flat_states,
                                maximum_iterations=time_steps_t)
        final_states = restore(results[3:])
    else:
        def body(time: Any, output_ta_t: Any, *old: Any) -> tuple:
            output, flat_new = call(time, old)
            return (time + 1, output_ta_t.write(time, output)) + tuple(flat_new)

        results = fg.while_loop(lambda time, *_: fg.less(time, time_steps_t), body,
                                (time, output_ta) + flat_states,
                                maximum_iterations=time_steps_t)
        final_states = restore(results[2:])
    outputs = results[1].stack()
    outputs.set_shape([flat_inputs[0].shape[0]] + output_shape.as_list())
    last_output = outputs[-1]
    last_output.set_shape(output_shape)
    if not time_major:
        outputs = _swap_batch_time(outputs)
    new_states = fg.nest.pack_sequence_as(states, final_states)
    return last_output, outputs, list(new_states) if isinstance(states, tuple) else new_states


def map_fn(fn: Callable, elems: Any, name: Optional[str] = None, dtype: Any = None) -> Any:
    """``fn`` applied to each element of `elems` along its first axis, stacked."""
    return fg.map_fn(fn, elems, name=name, dtype=dtype)


def foldl(fn: Callable, elems: Any, initializer: Any = None, name: Optional[str] = None) -> Any:
    """Reduces `elems` along its first axis from the left with ``fn(acc, x)``."""
    return fg.foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn: Callable, elems: Any, initializer: Any = None, name: Optional[str] = None) -> Any:
    """Reduces `elems` along its first axis from the right with ``fn(acc, x)``."""
    return fg.foldr(fn, elems, initializer=initializer, name=name)


# -- CTC
def ctc_label_dense_to_sparse(labels: Any, label_lengths: Any) -> Any:
    """The first ``label_lengths[b]`` labels of each row of `labels` [batch, max_len] as a
    SparseTensor (int64 indices and dense shape)."""
    labels = fg.convert_to_tensor(labels)
    label_lengths = fg.convert_to_tensor(label_lengths)
    label_shape = fg.shape(labels)
    positions = fg.expand_dims(fg.range(label_shape[1]), 0)
    lengths = fg.expand_dims(fg.cast(label_lengths, dtypes.int32), 1)
    indices = fg.where(fg.less(positions, lengths))
    values = fg.gather_nd(labels, indices)
    return fg.SparseTensor(indices, values, fg.cast(label_shape, dtypes.int64))


def ctc_batch_cost(y_true: Any, y_pred: Any, input_length: Any, label_length: Any) -> Any:
    """CTC loss of each batch element: `y_true` [batch, max_label_len] labels, `y_pred`
    [batch, time, classes] softmax outputs (blank last), `input_length` and `label_length`
    [batch, 1]. Returns [batch, 1]."""
    label_length = fg.cast(fg.squeeze(label_length, axis=-1), dtypes.int32)
    input_length = fg.cast(fg.squeeze(input_length, axis=-1), dtypes.int32)
    sparse = ctc_label_dense_to_sparse(y_true, label_length)
    sparse = fg.SparseTensor(sparse.indices, fg.cast(sparse.values, dtypes.int32),
                             sparse.dense_shape)
    y_pred = fg.math.log(fg.transpose(y_pred, [1, 0, 2]) + _epsilon())
    return fg.expand_dims(fg.nn.ctc_loss(inputs=y_pred, labels=sparse,
                                         sequence_length=input_length), 1)


def ctc_decode(y_pred: Any, input_length: Any, greedy: bool = True, beam_width: int = 100,
               top_paths: int = 1) -> tuple:
    """Decodes softmax outputs `y_pred` [batch, time, classes] (blank last).

    Returns ``(decoded, log_prob)``: a list (one per path) of dense [batch, max_len] int64
    label tensors padded with -1, and the [batch, top_paths] log probabilities.
    """
    y_pred = fg.math.log(fg.transpose(y_pred, [1, 0, 2]) + _epsilon())
    input_length = fg.cast(input_length, dtypes.int32)
    if greedy:
        decoded, log_prob = fg.nn.ctc_greedy_decoder(inputs=y_pred,
                                                     sequence_length=input_length)
    else:
        decoded, log_prob = fg.nn.ctc_beam_search_decoder(
            inputs=y_pred, sequence_length=input_length, beam_width=beam_width,
            top_paths=top_paths)
    dense = [fg.sparse_to_dense(st.indices, st.dense_shape, st.values, default_value=-1)
             for st in decoded]
    return dense, log_prob


# -- misc
def in_top_k(predictions: Any, targets: Any, k: int) -> Any:
    """bool [batch]: whether each target is among the `k` largest predictions."""
    return fg.nn.in_top_k(predictions, targets, k)


def print_tensor(x: Any, message: str = "") -> Any:
    """`x`, printing `message` and its value whenever it is evaluated."""
    return fg.Print(x, [x], message)


def random_binomial(shape: Any, p: float = 0.0, dtype: Any = None,
                    seed: Optional[int] = None) -> Any:
    """Ones with probability `p`, else zeros, of the given shape and (float) dtype."""
    dtype = dtypes.as_dtype(dtype if dtype is not None else floatx())
    if seed is None:
        seed = int(np.random.randint(10e6))
    draw = fg.random_uniform(shape, dtype=dtype, seed=seed)
    return fg.where(fg.less_equal(draw, p), fg.ones(shape, dtype=dtype),
                    fg.zeros(shape, dtype=dtype))


def is_sparse(tensor: Any) -> bool:
    """Whether `tensor` is a SparseTensor."""
    return isinstance(tensor, fg.SparseTensor)


def to_dense(tensor: Any) -> Any:
    """A SparseTensor made dense; any other tensor unchanged."""
    if is_sparse(tensor):
        return fg.sparse_tensor_to_dense(tensor)
    return tensor


@contextlib.contextmanager
def learning_phase_scope(value: int) -> Iterator[None]:
    """Fixes the learning phase to `value` (0 or 1) inside the block, then restores it."""
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    phases = get_default_graph().get_state("keras_learning_phase", dict)
    missing = object()
    previous = phases.get("fixed", missing)
    phases["fixed"] = int(value)
    try:
        yield
    finally:
        if previous is missing:
            phases.pop("fixed", None)
        else:
            phases["fixed"] = previous
