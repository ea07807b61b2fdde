"""More `tf.keras.layers` convolution layers (TF 1.15): DepthwiseConv2D, SeparableConv1D,
Conv3DTranspose, Cropping3D, UpSampling3D, ZeroPadding3D, SpatialDropout3D,
LocallyConnected1D and LocallyConnected2D (``implementation`` 1, 2 and 3)."""

from __future__ import annotations

import itertools
from typing import Any, Optional

import numpy as np

import flowgraph as fg
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.layers.convolutional import _data_format, _KerasConv
from flowgraph.keras.layers.core import Dropout, kernel_bias_arguments, resolve, serialize
from flowgraph.layers import convolutional as fg_conv
from flowgraph.layers import convolutional3d as fg_conv3d
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.layers.separable_conv1d import separable_conv1d_as_2d
from flowgraph.layers.utils import conv_output_length, normalize_padding, normalize_tuple
from flowgraph.shapes import TensorShape

__all__ = ["DepthwiseConv2D", "SeparableConv1D", "SeparableConvolution1D", "Conv3DTranspose",
           "Convolution3DTranspose", "Cropping3D", "UpSampling3D", "ZeroPadding3D",
           "SpatialDropout3D", "LocallyConnected1D", "LocallyConnected2D"]


# ----------------------------------------------------------------- depthwise / separable
class DepthwiseConv2D(Layer, fg_conv._Conv):
    """Depthwise 2-D convolution: each input channel convolved with its own
    ``depth_multiplier`` filters, no mixing across channels. Weights
    ``depthwise_conv2d/depthwise_kernel`` [kh, kw, in, depth_multiplier] and
    ``depthwise_conv2d/bias`` [in * depth_multiplier].

    As in TF 1.15, ``dilation_rate`` is not in the signature but is accepted as a keyword
    (it goes to the Conv2D base there)."""

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: Optional[str] = None,
                 activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", depthwise_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        dilation_rate = kwargs.pop("dilation_rate", (1, 1))
        kwargs.pop("filters", None)  # a TF 1.15 config may carry filters=None
        super().__init__(rank=2, filters=0, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=_data_format(data_format),
                         dilation_rate=dilation_rate, use_bias=use_bias,
                         **kernel_bias_arguments(activation, None, bias_initializer, None,
                                                 bias_regularizer, activity_regularizer,
                                                 None, bias_constraint),
                         **kwargs)
        if self.padding not in ("valid", "same"):
            raise ValueError("DepthwiseConv2D: `padding` must be 'valid' or 'same', got "
                             f"{padding!r}")
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = resolve("initializers", depthwise_initializer)
        self.depthwise_regularizer = resolve("regularizers", depthwise_regularizer)
        self.depthwise_constraint = resolve("constraints", depthwise_constraint)
        self.depthwise_kernel = None

    def build(self, input_shape: Any) -> None:
        dims = as_shape_list(input_shape)
        if len(dims) < 4:
            raise ValueError("Inputs to `DepthwiseConv2D` should have rank 4. Received input "
                             f"shape: {input_shape}")
        channels = dims[self._channel_axis]
        if channels is None:
            raise ValueError("The channel dimension of the inputs to `DepthwiseConv2D` "
                             "should be defined. Found `None`.")
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, trainable=True)
        self._build_bias(channels * self.depth_multiplier)
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis: channels})
        self.built = True

    def call(self, inputs: Any) -> Any:
        first = self.data_format == "channels_first"
        strides = (1, 1) + self.strides if first else (1,) + self.strides + (1,)
        outputs = fg.nn.depthwise_conv2d(inputs, self.depthwise_kernel, strides=list(strides),
                                         padding=self.padding.upper(),
                                         rate=list(self.dilation_rate),
                                         data_format="NCHW" if first else "NHWC")
        return self._finish(outputs)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        first = self.data_format == "channels_first"
        channels = dims[1] if first else dims[3]
        out_channels = None if channels is None else channels * self.depth_multiplier
        space = dims[2:4] if first else dims[1:3]
        rows, cols = [conv_output_length(length, k, self.padding, s, d)
                      for length, k, s, d in zip(space, self.kernel_size, self.strides,
                                                 self.dilation_rate)]
        if first:
            return TensorShape([dims[0], out_channels, rows, cols])
        return TensorShape([dims[0], rows, cols, out_channels])

    def get_config(self) -> dict:
        return {**super().get_config(), "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": serialize(self.activation), "use_bias": self.use_bias,
                "bias_initializer": serialize(self.bias_initializer),
                "bias_regularizer": serialize(self.bias_regularizer),
                "activity_regularizer": serialize(self.activity_regularizer),
                "bias_constraint": serialize(self.bias_constraint),
                "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": serialize(self.depthwise_initializer),
                "depthwise_regularizer": serialize(self.depthwise_regularizer),
                "depthwise_constraint": serialize(self.depthwise_constraint)}


class SeparableConv1D(_KerasConv, Layer, fg_conv._Conv):
    """Depthwise-separable 1-D convolution over [batch, steps, channels] (``'causal'``
    padding pads the left only). Weights ``depthwise_kernel`` [k, in, depth_multiplier],
    ``pointwise_kernel`` [1, in * depth_multiplier, filters] and ``bias`` [filters]; computed,
    as TF 1.15, with a 2-D separable convolution over an inserted axis."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: Optional[str] = None, dilation_rate: Any = 1,
                 depth_multiplier: int = 1, activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", depthwise_regularizer: Any = None,
                 pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 pointwise_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        for key in ("kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            kwargs.pop(key, None)  # configs written by later Keras versions carry these
        super().__init__(rank=1, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=_data_format(data_format),
                         dilation_rate=dilation_rate, use_bias=use_bias,
                         **kernel_bias_arguments(activation, None, bias_initializer, None,
                                                 bias_regularizer, activity_regularizer,
                                                 None, bias_constraint),
                         **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        for part, initializer, regularizer, constraint in (
                ("depthwise", depthwise_initializer, depthwise_regularizer,
                 depthwise_constraint),
                ("pointwise", pointwise_initializer, pointwise_regularizer,
                 pointwise_constraint)):
            setattr(self, f"{part}_initializer", resolve("initializers", initializer))
            setattr(self, f"{part}_regularizer", resolve("regularizers", regularizer))
            setattr(self, f"{part}_constraint", resolve("constraints", constraint))
        self.depthwise_kernel = None
        self.pointwise_kernel = None

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, trainable=True)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, trainable=True)
        self._build_bias(self.filters)
        self.input_spec = InputSpec(ndim=3, axes={self._channel_axis: channels})
        self.built = True

    def call(self, inputs: Any) -> Any:
        first = self.data_format == "channels_first"
        outputs, spatial_axis = separable_conv1d_as_2d(
            inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides[0],
            self.padding, self.dilation_rate[0], self.data_format)
        if self.use_bias:
            outputs = fg.nn.bias_add(outputs, self.bias, data_format="NCHW" if first else "NHWC")
        outputs = fg.squeeze(outputs, [spatial_axis])
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        config["depth_multiplier"] = self.depth_multiplier
        for kind in ("initializer", "regularizer", "constraint"):
            for part in ("depthwise", "pointwise"):
                config[f"{part}_{kind}"] = serialize(getattr(self, f"{part}_{kind}"))
        return config


SeparableConvolution1D = SeparableConv1D


# ------------------------------------------------------------------------ Conv3DTranspose
def _transpose_length(length: Any, kernel: int, padding: str, stride: int,
                      output_padding: Optional[int]) -> Any:
    """Keras' deconv_output_length (a Python int, None, or a scalar tensor)."""
    if length is None:
        return None
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        return length * stride
    pad = kernel // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel - 2 * pad + output_padding


class Conv3DTranspose(_KerasConv, Layer, fg_conv3d.Conv3DTranspose):
    """Transposed 3-D convolution over NDHWC (or NCDHW) inputs; weights
    ``conv3d_transpose/kernel`` [kd, kh, kw, filters, in] and ``conv3d_transpose/bias``.
    Output sizes are ``in * stride`` ('same') or ``in * stride + max(k - stride, 0)``
    ('valid'); with ``output_padding`` p, ``(in - 1) * stride + k - 2 * pad + p`` where pad
    is ``k // 2`` for 'same' and 0 for 'valid'."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
                 padding: str = "valid", output_padding: Any = None,
                 data_format: Optional[str] = None, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=_data_format(data_format),
                         use_bias=use_bias,
                         **kernel_bias_arguments(activation, kernel_initializer,
                                                 bias_initializer, kernel_regularizer,
                                                 bias_regularizer, activity_regularizer,
                                                 kernel_constraint, bias_constraint),
                         **kwargs)
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, 3, "output_padding")
            for stride, out_pad in zip(self.strides, self.output_padding):
                if out_pad >= stride:
                    raise ValueError(f"Stride {self.strides} must be greater than output "
                                     f"padding {self.output_padding}")

    def _output_pads(self) -> tuple:
        return self.output_padding or (None, None, None)

    def call(self, inputs: Any) -> Any:
        first = self.data_format == "channels_first"
        axes = (2, 3, 4) if first else (1, 2, 3)
        static = inputs.shape.as_list()
        dynamic = fg.shape(inputs)
        sizes = [static[a] if static[a] is not None else dynamic[a] for a in (0,) + axes]
        space = [_transpose_length(length, k, self.padding, s, p)
                 for length, k, s, p in zip(sizes[1:], self.kernel_size, self.strides,
                                            self._output_pads())]
        if first:
            dims = [sizes[0], self.filters] + space
        else:
            dims = [sizes[0]] + space + [self.filters]
        output_shape = fg.stack(dims) if any(isinstance(d, fg.Tensor) for d in dims) else dims
        strides = (1, 1) + self.strides if first else (1,) + self.strides + (1,)
        outputs = fg.nn.conv3d_transpose(inputs, self.kernel, output_shape,
                                         strides=list(strides), padding=self.padding.upper(),
                                         data_format="NCDHW" if first else "NDHWC")
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return self._finish(outputs)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        first = self.data_format == "channels_first"
        space = dims[2:5] if first else dims[1:4]
        new_space = [_transpose_length(length, k, self.padding, s, p)
                     for length, k, s, p in zip(space, self.kernel_size, self.strides,
                                                self._output_pads())]
        if first:
            return TensorShape([dims[0], self.filters] + new_space)
        return TensorShape([dims[0]] + new_space + [self.filters])

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("dilation_rate")
        config["output_padding"] = self.output_padding
        return config


Convolution3DTranspose = Conv3DTranspose


# ---------------------------------------------------------------------- 3-D reshaping
def _triples(value: Any, name: str) -> tuple:
    """An int, (d, h, w) or ((d1, d2), (h1, h2), (w1, w2)) as three pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        return ((value, value),) * 3
    if hasattr(value, "__len__") and len(value) == 3:
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return tuple((v, v) for v in value)
        return tuple(normalize_tuple(v, 2, f"entry {i} of {name}") for i, v in enumerate(value))
    raise ValueError(f"`{name}` should be either an int, a tuple of 3 ints (symmetric_dim1, "
                     "symmetric_dim2, symmetric_dim3), or a tuple of 3 tuples of 2 ints "
                     "((left_dim1_pad, right_dim1_pad), (left_dim2_pad, right_dim2_pad), "
                     f"(left_dim3_pad, right_dim2_pad)). Found: {value}")


def _spatial_axes(data_format: str) -> tuple:
    return (2, 3, 4) if data_format == "channels_first" else (1, 2, 3)


class Cropping3D(Layer):
    """Crops depth, rows and columns of 5-D inputs: `cropping` an int, (d, h, w) or
    ((d1, d2), (h1, h2), (w1, w2))."""

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)),
                 data_format: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.cropping = _triples(cropping, "cropping")
        self.input_spec = InputSpec(ndim=5)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        for axis, pair in zip(_spatial_axes(self.data_format), self.cropping):
            if dims[axis] is not None:
                dims[axis] -= sum(pair)
        return TensorShape(dims)

    def call(self, inputs: Any) -> Any:
        index = [slice(None)] * 5
        for axis, (start, end) in zip(_spatial_axes(self.data_format), self.cropping):
            index[axis] = slice(start, -end if end else None)
        return inputs[tuple(index)]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class UpSampling3D(Layer):
    """Repeats each depth slice, row and column `size` times (nearest neighbour)."""

    def __init__(self, size: Any = (2, 2, 2), data_format: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.size = normalize_tuple(size, 3, "size")
        self.input_spec = InputSpec(ndim=5)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        for axis, factor in zip(_spatial_axes(self.data_format), self.size):
            dims[axis] = None if dims[axis] is None else dims[axis] * factor
        return TensorShape(dims)

    def call(self, inputs: Any) -> Any:
        outputs = inputs
        for axis, factor in zip(_spatial_axes(self.data_format), self.size):
            outputs = fg.repeat(outputs, factor, axis=axis)
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


class ZeroPadding3D(Layer):
    """Pads depth, rows and columns of 5-D inputs with zeros: `padding` an int, (d, h, w)
    or ((d1, d2), (h1, h2), (w1, w2))."""

    def __init__(self, padding: Any = (1, 1, 1), data_format: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.padding = _triples(padding, "padding")
        self.input_spec = InputSpec(ndim=5)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        for axis, pair in zip(_spatial_axes(self.data_format), self.padding):
            if dims[axis] is not None:
                dims[axis] += sum(pair)
        return TensorShape(dims)

    def call(self, inputs: Any) -> Any:
        pads = [[0, 0] for _ in range(5)]
        for axis, pair in zip(_spatial_axes(self.data_format), self.padding):
            pads[axis] = list(pair)
        return fg.pad(inputs, pads)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


class SpatialDropout3D(Dropout):
    """Dropout of whole feature volumes of 5-D inputs (one keep/drop per example and
    channel), in the training phase only."""

    def __init__(self, rate: float, data_format: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(rate, **kwargs)
        self.data_format = _data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def _get_noise_shape(self, inputs: Any) -> Any:
        shape = fg.shape(inputs)
        if self.data_format == "channels_first":
            return fg.stack([shape[0], shape[1], 1, 1, 1])
        return fg.stack([shape[0], 1, 1, 1, shape[4]])

    def get_config(self) -> dict:
        # TF 1.15 shows Dropout's keys (rate, noise_shape, seed); data_format is added so
        # that a channels_first layer survives from_config
        return {**super().get_config(), "data_format": self.data_format}


# ------------------------------------------------------------------- locally connected
def _connected_inputs(input_shape: tuple, kernel: tuple, position: tuple, strides: tuple,
                      padding: str) -> list:
    """The input positions (one range per axis) an output position sees (Keras'
    conv_utils.conv_connected_inputs: 'same' centres the window at ``k // 2``)."""
    ranges = []
    for size, k, pos, stride in zip(input_shape, kernel, position, strides):
        left = k // 2
        center = pos * stride + (left if padding == "valid" else 0)
        ranges.append(range(max(0, center - left), min(size, center + k - left)))
    return ranges


def _kernel_mask(input_shape: tuple, output_shape: tuple, kernel: tuple, strides: tuple,
                 padding: str, data_format: str) -> np.ndarray:
    """Keras' get_locallyconnected_mask: ones where input position feeds output position,
    shaped to broadcast against the implementation-2 kernel."""
    mask = np.zeros(tuple(input_shape) + tuple(output_shape), dtype=bool)
    for position in itertools.product(*[range(n) for n in output_shape]):
        for source in itertools.product(*_connected_inputs(input_shape, kernel, position,
                                                           strides, padding)):
            mask[source + position] = True
    ndims = len(input_shape)
    if data_format == "channels_first":
        return np.expand_dims(np.expand_dims(mask, 0), -ndims - 1)
    return np.expand_dims(np.expand_dims(mask, ndims), -1)


def _kernel_idxs(input_shape: tuple, output_shape: tuple, kernel: tuple, strides: tuple,
                 padding: str, filters_in: int, filters_out: int,
                 data_format: str) -> list:
    """Keras' conv_kernel_idxs, sorted: the (flat output, flat input) index pairs of the
    implementation-3 sparse kernel."""
    def join(space: tuple, channel: Any) -> tuple:
        return (channel,) + tuple(space) if data_format == "channels_first" else \
            tuple(space) + (channel,)

    out_dims, in_dims = join(output_shape, filters_out), join(input_shape, filters_in)
    pairs = []
    for position in itertools.product(*[range(n) for n in output_shape]):
        for source in itertools.product(*_connected_inputs(input_shape, kernel, position,
                                                           strides, padding)):
            for f_in in range(filters_in):
                in_idx = int(np.ravel_multi_index(join(source, f_in), in_dims))
                for f_out in range(filters_out):
                    out_idx = int(np.ravel_multi_index(join(position, f_out), out_dims))
                    pairs.append((out_idx, in_idx))
    return sorted(pairs)


class _LocallyConnected(Layer):
    """Shared body of LocallyConnected1D/2D: a convolution whose weights differ at every
    output position. ``implementation`` 1 multiplies gathered patches (kernel
    [out_positions, k * in, filters]); 2 a masked dense matmul (kernel [*in_space, in,
    *out_space, filters] for channels_last); 3 a sparse matmul (kernel a vector holding
    the connected entries only)."""

    rank = 1

    def __init__(self, filters: int, kernel_size: Any, strides: Any, padding: str,
                 data_format: Optional[str], activation: Any, use_bias: bool,
                 kernel_initializer: Any, bias_initializer: Any, kernel_regularizer: Any,
                 bias_regularizer: Any, activity_regularizer: Any, kernel_constraint: Any,
                 bias_constraint: Any, implementation: int, **kwargs: Any) -> None:
        resolved = kernel_bias_arguments(activation, kernel_initializer, bias_initializer,
                                         kernel_regularizer, bias_regularizer,
                                         activity_regularizer, kernel_constraint,
                                         bias_constraint)
        super().__init__(activity_regularizer=resolved.pop("activity_regularizer"), **kwargs)
        name = type(self).__name__
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        if self.padding not in ("valid", "same"):
            raise ValueError(f"{name}: `padding` must be 'valid' or 'same', got {padding!r}")
        if self.padding != "valid" and implementation == 1:
            raise ValueError(f"Invalid border mode for {name} (only \"valid\" is supported "
                             f"if implementation is 1): {padding}")
        self.data_format = _data_format(data_format)
        self.use_bias = use_bias
        for key, value in resolved.items():
            setattr(self, key, value)
        self.implementation = implementation
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.kernel = None
        self.bias = None

    @property
    def _first(self) -> bool:
        return self.data_format == "channels_first"

    def _space_and_channels(self, input_shape: Any) -> tuple:
        dims = as_shape_list(input_shape)
        space = dims[2:] if self._first else dims[1:-1]
        channels = dims[1] if self._first else dims[-1]
        return space, channels

    def _output_space(self, space: list) -> list:
        return [conv_output_length(length, k, self.padding, s)
                for length, k, s in zip(space, self.kernel_size, self.strides)]

    def build(self, input_shape: Any) -> None:
        name = type(self).__name__
        space, channels = self._space_and_channels(input_shape)
        if None in space or channels is None:
            raise ValueError(f"The spatial dimensions and the channel dimension of the inputs "
                             f"to {name} should be defined (got input shape {input_shape}); "
                             "give the layer an `input_shape` with every size known.")
        if self.implementation not in (1, 2, 3):
            raise ValueError(f"Unrecognized implementation mode: {self.implementation}.")
        space, out_space = tuple(space), tuple(self._output_space(space))
        self._in_space, self._out_space, self._channels = space, out_space, channels
        if self.implementation == 1:
            shape = (int(np.prod(out_space)), int(np.prod(self.kernel_size)) * channels,
                     self.filters)
        elif self.implementation == 2:
            if self._first:
                shape = (channels,) + space + (self.filters,) + out_space
            else:
                shape = space + (channels,) + out_space + (self.filters,)
            self.kernel_mask = _kernel_mask(space, out_space, self.kernel_size, self.strides,
                                            self.padding, self.data_format)
        else:
            self.kernel_idxs = _kernel_idxs(space, out_space, self.kernel_size, self.strides,
                                            self.padding, channels, self.filters,
                                            self.data_format)
            self.kernel_shape = (int(np.prod(out_space)) * self.filters,
                                 int(np.prod(space)) * channels)
            shape = (len(self.kernel_idxs),)
        self.kernel = self.add_weight("kernel", shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, trainable=True)
        if self.use_bias:
            self.bias = self.add_weight("bias", out_space + (self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, trainable=True)
        axis = 1 if self._first else self.rank + 1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})
        self.built = True

    def _patches_product(self, inputs: Any) -> Any:
        """Implementation 1 (Keras' backend.local_conv): one flattened patch per output
        position, multiplied by that position's [k * in, filters] slice of the kernel."""
        patches = []
        for position in itertools.product(*[range(n) for n in self._out_space]):
            window = [slice(p * s, p * s + k)
                      for p, s, k in zip(position, self.strides, self.kernel_size)]
            index = [slice(None), slice(None)] + window if self._first else \
                [slice(None)] + window + [slice(None)]
            patches.append(fg.reshape(inputs[tuple(index)], [1, -1, self._kernel_width()]))
        stacked = fg.concat(patches, axis=0)  # [positions, batch, k * in]
        product = fg.matmul(stacked, self.kernel)  # [positions, batch, filters]
        batch = fg.shape(inputs)[0]
        outputs = fg.reshape(product, list(self._out_space) + [batch, self.filters])
        order = list(range(self.rank + 2))
        if self._first:
            perm = [order[-2], order[-1]] + order[:-2]
        else:
            perm = [order[-2]] + order[:-2] + [order[-1]]
        return fg.transpose(outputs, perm)

    def _kernel_width(self) -> int:
        return int(np.prod(self.kernel_size)) * self._channels

    def _flat_output(self, flat: Any) -> Any:
        out_dims = [self.filters] + list(self._out_space) if self._first else \
            list(self._out_space) + [self.filters]
        return fg.reshape(flat, [fg.shape(flat)[0]] + out_dims)

    def call(self, inputs: Any) -> Any:
        if self.implementation == 1:
            outputs = self._patches_product(inputs)
        else:
            flat_inputs = fg.reshape(inputs, [fg.shape(inputs)[0], -1])
            if self.implementation == 2:
                mask = fg.constant(self.kernel_mask.astype(self.kernel.dtype.as_numpy_dtype))
                kernel = fg.reshape(self.kernel * mask, [int(np.prod(self._in_space)) *
                                                         self._channels, -1])
            else:
                dense = fg.scatter_nd(np.asarray(self.kernel_idxs, dtype=np.int64),
                                      self.kernel, list(self.kernel_shape))
                kernel = fg.transpose(dense)
            outputs = self._flat_output(fg.matmul(flat_inputs, kernel))
        if self.use_bias:
            if self._first:
                # TF 1.15's backend.bias_add reshapes (not transposes) the bias here
                bias_shape = (1, self.filters) + self._out_space
                outputs = outputs + fg.reshape(self.bias, bias_shape)
            else:
                outputs = outputs + self.bias
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        space, _ = self._space_and_channels(input_shape)
        out_space = self._output_space(space)
        if self._first:
            return TensorShape([dims[0], self.filters] + out_space)
        return TensorShape([dims[0]] + out_space + [self.filters])

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "activation": serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": serialize(self.kernel_initializer),
                "bias_initializer": serialize(self.bias_initializer),
                "kernel_regularizer": serialize(self.kernel_regularizer),
                "bias_regularizer": serialize(self.bias_regularizer),
                "activity_regularizer": serialize(self.activity_regularizer),
                "kernel_constraint": serialize(self.kernel_constraint),
                "bias_constraint": serialize(self.bias_constraint),
                "implementation": self.implementation}


class LocallyConnected1D(_LocallyConnected):
    """Conv1D with unshared weights over [batch, steps, channels]: kernel ``kernel``
    [out_steps, k * in, filters] (implementation 1), bias [out_steps, filters].

    >>> layer = fg.keras.layers.LocallyConnected1D(64, 3, input_shape=(10, 32))  # -> (8, 64)
    """

    rank = 1

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: Optional[str] = None, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 implementation: int = 1, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, implementation, **kwargs)


class LocallyConnected2D(_LocallyConnected):
    """Conv2D with unshared weights: kernel ``kernel`` [out_rows * out_cols, kh * kw * in,
    filters] (implementation 1), bias [out_rows, out_cols, filters]."""

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: Optional[str] = None,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, implementation: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, implementation, **kwargs)
