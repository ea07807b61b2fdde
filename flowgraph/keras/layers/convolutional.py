"""`tf.keras.layers` convolution layers (TF 1.15): Conv1D/2D/3D, Conv2DTranspose,
SeparableConv2D, UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D."""

from __future__ import annotations

from typing import Any, Callable, Optional

import flowgraph as fg
from flowgraph.keras import backend
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.layers.core import _KernelBiasConfig, kernel_bias_arguments, resolve, serialize
from flowgraph.layers import conv_transpose as fg_transpose
from flowgraph.layers import convolutional as fg_conv
from flowgraph.layers import convolutional3d as fg_conv3d
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.layers.utils import normalize_tuple
from flowgraph.shapes import TensorShape

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "SeparableConv2D",
           "Convolution1D", "Convolution2D", "Convolution3D", "Convolution2DTranspose",
           "SeparableConvolution2D", "UpSampling1D", "UpSampling2D", "ZeroPadding1D",
           "ZeroPadding2D", "Cropping1D", "Cropping2D"]


def _data_format(value: Optional[str]) -> str:
    data_format = backend.image_data_format() if value is None else str(value).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: {value}")
    return data_format


class _KerasConv(_KernelBiasConfig):
    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, **self._kernel_bias_config()}


def _conv_init(default_strides: Any, default_data_format: Optional[str],
               default_dilation_rate: Any) -> Callable:
    """The __init__ of Conv1D / Conv2D / Conv3D: Keras' argument list, with the defaults of
    the rank, resolving the Keras identifiers for the flowgraph layer."""

    def __init__(self: Any, filters: int, kernel_size: Any, strides: Any = default_strides,
                 padding: str = "valid", data_format: Optional[str] = default_data_format,
                 dilation_rate: Any = default_dilation_rate, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super(_KerasConv, self).__init__(
            filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=_data_format(data_format), dilation_rate=dilation_rate,
            use_bias=use_bias,
            **kernel_bias_arguments(activation, kernel_initializer, bias_initializer,
                                    kernel_regularizer, bias_regularizer,
                                    activity_regularizer, kernel_constraint,
                                    bias_constraint),
            **kwargs)

    return __init__


class Conv1D(_KerasConv, Layer, fg_conv.Conv1D):
    """1-D convolution over [batch, steps, channels] (``padding='causal'`` pads only on the
    left); weights ``conv1d/kernel`` [k, in, filters] and ``conv1d/bias``."""

    __init__ = _conv_init(1, "channels_last", 1)


class Conv2D(_KerasConv, Layer, fg_conv.Conv2D):
    """2-D convolution over NHWC inputs (NCHW with ``data_format='channels_first'``);
    weights ``conv2d/kernel`` [kh, kw, in, filters] and ``conv2d/bias``."""

    __init__ = _conv_init((1, 1), None, (1, 1))


class Conv3D(_KerasConv, Layer, fg_conv3d.Conv3D):
    """3-D convolution over NDHWC inputs; weights ``conv3d/kernel`` [kd, kh, kw, in,
    filters] and ``conv3d/bias``."""

    __init__ = _conv_init((1, 1, 1), None, (1, 1, 1))


class Conv2DTranspose(_KerasConv, Layer, fg_transpose.Conv2DTranspose):
    """Transposed 2-D convolution; the kernel is [kh, kw, filters, in]. Output sizes are
    ``in * stride`` (``'same'``) or ``in * stride + max(k - stride, 0)`` (``'valid'``).

    flowgraph supports ``output_padding=None`` and ``dilation_rate=(1, 1)`` only (others
    raise ValueError)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", output_padding: Any = None,
                 data_format: Optional[str] = None, dilation_rate: Any = (1, 1),
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        if output_padding is not None:
            raise ValueError("Conv2DTranspose: flowgraph does not support `output_padding`; "
                             "leave it None (the output size is then in * stride for "
                             "'same', in * stride + max(k - stride, 0) for 'valid').")
        if normalize_tuple(dilation_rate, 2, "dilation_rate") != (1, 1):
            raise ValueError("Conv2DTranspose: flowgraph supports only dilation_rate=(1, 1), "
                             f"got {dilation_rate}")
        super().__init__(filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=_data_format(data_format),
                         use_bias=use_bias,
                         **kernel_bias_arguments(activation, kernel_initializer,
                                                 bias_initializer, kernel_regularizer,
                                                 bias_regularizer, activity_regularizer,
                                                 kernel_constraint, bias_constraint),
                         **kwargs)
        self.output_padding = None

    def get_config(self) -> dict:
        return {**super().get_config(), "output_padding": self.output_padding}


class SeparableConv2D(_KerasConv, Layer, fg_transpose.SeparableConv2D):
    """Depthwise-separable 2-D convolution; weights ``depthwise_kernel`` [kh, kw, in,
    depth_multiplier], ``pointwise_kernel`` [1, 1, in * depth_multiplier, filters], ``bias``."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: Optional[str] = None,
                 dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", depthwise_regularizer: Any = None,
                 pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 pointwise_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=_data_format(data_format),
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier,
                         activation=resolve("activations", activation), use_bias=use_bias,
                         depthwise_initializer=resolve("initializers", depthwise_initializer),
                         pointwise_initializer=resolve("initializers", pointwise_initializer),
                         bias_initializer=resolve("initializers", bias_initializer),
                         depthwise_regularizer=resolve("regularizers", depthwise_regularizer),
                         pointwise_regularizer=resolve("regularizers", pointwise_regularizer),
                         bias_regularizer=resolve("regularizers", bias_regularizer),
                         activity_regularizer=resolve("regularizers", activity_regularizer),
                         depthwise_constraint=resolve("constraints", depthwise_constraint),
                         pointwise_constraint=resolve("constraints", pointwise_constraint),
                         bias_constraint=resolve("constraints", bias_constraint), **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        config["depth_multiplier"] = self.depth_multiplier
        for kind in ("initializer", "regularizer", "constraint"):
            for part in ("depthwise", "pointwise"):
                config[f"{part}_{kind}"] = serialize(getattr(self, f"{part}_{kind}"))
        return config


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D


class UpSampling1D(Layer):
    """Repeats each step `size` times: [batch, steps, features] -> [batch, steps * size,
    features]."""

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        steps = None if dims[1] is None else dims[1] * self.size
        return TensorShape([dims[0], steps, dims[2]])

    def call(self, inputs: Any) -> Any:
        outputs = fg.repeat(inputs, self.size, axis=1)
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}


class UpSampling2D(Layer):
    """Scales rows and columns by `size` (nearest neighbour, or ``interpolation='bilinear'``
    with half-pixel centers, as TF 1.15's ``resize_images_v2``)."""

    def __init__(self, size: Any = (2, 2), data_format: Optional[str] = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.size = normalize_tuple(size, 2, "size")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("`interpolation` argument should be one of `\"nearest\"` or "
                             f"`\"bilinear\"`, got {interpolation!r}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        axes = (2, 3) if self.data_format == "channels_first" else (1, 2)
        for axis, factor in zip(axes, self.size):
            dims[axis] = None if dims[axis] is None else dims[axis] * factor
        return TensorShape(dims)

    def call(self, inputs: Any) -> Any:
        first = self.data_format == "channels_first"
        if self.interpolation == "nearest":
            axes = (2, 3) if first else (1, 2)
            outputs = inputs
            for axis, factor in zip(axes, self.size):
                outputs = fg.repeat(outputs, factor, axis=axis)
        else:
            x = fg.transpose(inputs, [0, 2, 3, 1]) if first else inputs
            height, width = fg.shape(x)[1], fg.shape(x)[2]
            new_size = fg.stack([height * self.size[0], width * self.size[1]])
            outputs = fg.image.resize_bilinear(x, new_size, half_pixel_centers=True)
            if first:
                outputs = fg.transpose(outputs, [0, 3, 1, 2])
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class ZeroPadding1D(Layer):
    """Pads the steps axis with zeros: `padding` an int or (left, right)."""

    def __init__(self, padding: Any = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = normalize_tuple(padding, 2, "padding")
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        if dims[1] is not None:
            dims[1] += sum(self.padding)
        return TensorShape(dims)

    def call(self, inputs: Any) -> Any:
        return fg.pad(inputs, [[0, 0], list(self.padding), [0, 0]])

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}


def _pairs(value: Any, name: str) -> tuple:
    """An int, (sym_h, sym_w) or ((top, bottom), (left, right)) as two pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        return ((value, value), (value, value))
    if hasattr(value, "__len__") and len(value) == 2:
        first, second = value
        if isinstance(first, int) and isinstance(second, int):
            return ((first, first), (second, second))
        return (normalize_tuple(first, 2, f"1st entry of {name}"),
                normalize_tuple(second, 2, f"2nd entry of {name}"))
    raise ValueError(f"`{name}` should be either an int, a tuple of 2 ints (symmetric_height, "
                     "symmetric_width), or a tuple of 2 tuples of 2 ints ((top, bottom), "
                     f"(left, right)). Found: {value}")


class ZeroPadding2D(Layer):
    """Pads rows and columns with zeros: `padding` an int, (rows, cols) or
    ((top, bottom), (left, right))."""

    def __init__(self, padding: Any = (1, 1), data_format: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.padding = _pairs(padding, "padding")
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        axes = (2, 3) if self.data_format == "channels_first" else (1, 2)
        for axis, pair in zip(axes, self.padding):
            if dims[axis] is not None:
                dims[axis] += sum(pair)
        return TensorShape(dims)

    def call(self, inputs: Any) -> Any:
        rows, cols = list(self.padding[0]), list(self.padding[1])
        if self.data_format == "channels_first":
            pads = [[0, 0], [0, 0], rows, cols]
        else:
            pads = [[0, 0], rows, cols, [0, 0]]
        return fg.pad(inputs, pads)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


class Cropping1D(Layer):
    """Crops (start, end) steps of [batch, steps, features] inputs."""

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cropping = normalize_tuple(cropping, 2, "cropping")
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        if dims[1] is not None:
            dims[1] -= sum(self.cropping)
        return TensorShape(dims)

    def call(self, inputs: Any) -> Any:
        start, end = self.cropping
        return inputs[:, start:(-end if end else None), :]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(Layer):
    """Crops rows and columns: `cropping` an int, (rows, cols) or ((top, bottom),
    (left, right))."""

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.cropping = _pairs(cropping, "cropping")
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        axes = (2, 3) if self.data_format == "channels_first" else (1, 2)
        for axis, pair in zip(axes, self.cropping):
            if dims[axis] is not None:
                dims[axis] -= sum(pair)
        return TensorShape(dims)

    def call(self, inputs: Any) -> Any:
        (top, bottom), (left, right) = self.cropping
        rows = slice(top, -bottom if bottom else None)
        cols = slice(left, -right if right else None)
        if self.data_format == "channels_first":
            return inputs[:, :, rows, cols]
        return inputs[:, rows, cols, :]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}
