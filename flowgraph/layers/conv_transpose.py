"""Conv2DTranspose and SeparableConv2D layers and their functional forms (TF1's tf.layers)."""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import nn
from flowgraph.graph import Tensor
from flowgraph.initializers import zeros_initializer
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.layers.convolutional import _Conv
from flowgraph.layers.plumbing import apply_functional, arguments_of
from flowgraph.layers.utils import convert_data_format, deconv_output_length
from flowgraph.ops import shape as shape_op
from flowgraph.ops import stack
from flowgraph.shapes import TensorShape

__all__ = ["Conv2DTranspose", "SeparableConv2D", "conv2d_transpose", "separable_conv2d"]


class _ConvTranspose(_Conv):
    """The transposed convolution of any rank: the gradient of a convolution with respect to
    its input, so ``strides=2`` doubles each spatial size. The kernel has shape
    [*kernel_size, filters, input_channels]. Output sizes are ``in * stride`` with
    ``padding='same'``, ``in * stride + max(k - stride, 0)`` with ``'valid'``."""

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self._add_kernel(self.kernel_size + (self.filters, channels))
        self._build_bias(self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        first = self.data_format == "channels_first"
        axes = range(2, 2 + self.rank) if first else range(1, 1 + self.rank)
        static = inputs.shape.as_list()
        dynamic = None

        def dim(axis: int) -> Any:
            nonlocal dynamic
            if static[axis] is not None:
                return static[axis]
            if dynamic is None:
                dynamic = shape_op(inputs)
            return dynamic[axis]

        space = [self._output_length(dim(axis), k, s)
                 for axis, k, s in zip(axes, self.kernel_size, self.strides)]
        sizes = [dim(0), self.filters] + space if first else [dim(0)] + space + [self.filters]
        output_shape = stack(sizes) if any(isinstance(s, Tensor) for s in sizes) else sizes
        strides = (1, 1) + self.strides if first else (1,) + self.strides + (1,)
        transpose = nn.conv2d_transpose if self.rank == 2 else nn.conv3d_transpose
        outputs = transpose(inputs, self.kernel, output_shape, strides=list(strides),
                            padding=self.padding.upper(),
                            data_format=convert_data_format(self.data_format, self.rank + 2))
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return self._finish(outputs)

    def _output_length(self, length: Any, kernel: int, stride: int) -> Any:
        if isinstance(length, Tensor):
            extra = max(kernel - stride, 0) if self.padding == "valid" else 0
            return length * stride + extra
        return deconv_output_length(length, kernel, self.padding, stride)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        first = self.data_format == "channels_first"
        space = dims[2:] if first else dims[1:1 + self.rank]
        new_space = [deconv_output_length(length, k, self.padding, s)
                     for length, k, s in zip(space, self.kernel_size, self.strides)]
        if first:
            return TensorShape([dims[0], self.filters] + new_space)
        return TensorShape([dims[0]] + new_space + [self.filters])


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution ("deconvolution"): the gradient of a convolution with
    respect to its input, so ``strides=2`` doubles the height and width.

    The kernel has shape [kh, kw, filters, input_channels]. Output sizes are
    ``in * stride`` with ``padding='same'``, ``in * stride + max(k - stride, 0)`` with
    ``'valid'``.
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str = "channels_last",
                 activation: Optional[Callable] = None, use_bias: bool = True,
                 kernel_initializer: Any = None, bias_initializer: Any = zeros_initializer(),
                 kernel_regularizer: Optional[Callable] = None,
                 bias_regularizer: Optional[Callable] = None,
                 activity_regularizer: Optional[Callable] = None,
                 kernel_constraint: Optional[Callable] = None,
                 bias_constraint: Optional[Callable] = None, trainable: bool = True,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(rank=2, dilation_rate=1, **arguments_of(locals()))


class SeparableConv2D(_Conv):
    """Depthwise-separable 2-D convolution: a depthwise convolution (``depth_multiplier``
    filters per input channel) followed by a 1x1 pointwise one.

    Variables: ``depthwise_kernel`` [kh, kw, in, depth_multiplier], ``pointwise_kernel``
    [1, 1, in * depth_multiplier, filters], ``bias`` [filters].
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Optional[Callable] = None, use_bias: bool = True,
                 depthwise_initializer: Any = None, pointwise_initializer: Any = None,
                 bias_initializer: Any = zeros_initializer(),
                 depthwise_regularizer: Optional[Callable] = None,
                 pointwise_regularizer: Optional[Callable] = None,
                 bias_regularizer: Optional[Callable] = None,
                 activity_regularizer: Optional[Callable] = None,
                 depthwise_constraint: Optional[Callable] = None,
                 pointwise_constraint: Optional[Callable] = None,
                 bias_constraint: Optional[Callable] = None, trainable: bool = True,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, None, bias_initializer, None, bias_regularizer,
                         activity_regularizer, None, bias_constraint, trainable, name, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint
        self.depthwise_kernel = None
        self.pointwise_kernel = None

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, trainable=True)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1, 1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, trainable=True)
        self._build_bias(self.filters)
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis: channels})
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        first = self.data_format == "channels_first"
        strides = (1, 1) + self.strides if first else (1,) + self.strides + (1,)
        outputs = nn.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                      strides=list(strides), padding=self.padding.upper(),
                                      rate=list(self.dilation_rate),
                                      data_format="NCHW" if first else "NHWC")
        return self._finish(outputs)


def conv2d_transpose(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     activation: Optional[Callable] = None, use_bias: bool = True,
                     kernel_initializer: Any = None, bias_initializer: Any = zeros_initializer(),
                     kernel_regularizer: Optional[Callable] = None,
                     bias_regularizer: Optional[Callable] = None,
                     activity_regularizer: Optional[Callable] = None,
                     kernel_constraint: Optional[Callable] = None,
                     bias_constraint: Optional[Callable] = None, trainable: bool = True,
                     name: Any = None, reuse: Any = None) -> Tensor:
    """Functional `Conv2DTranspose`."""
    return apply_functional(Conv2DTranspose, locals())


def separable_conv2d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                     activation: Optional[Callable] = None, use_bias: bool = True,
                     depthwise_initializer: Any = None, pointwise_initializer: Any = None,
                     bias_initializer: Any = zeros_initializer(),
                     depthwise_regularizer: Optional[Callable] = None,
                     pointwise_regularizer: Optional[Callable] = None,
                     bias_regularizer: Optional[Callable] = None,
                     activity_regularizer: Optional[Callable] = None,
                     depthwise_constraint: Optional[Callable] = None,
                     pointwise_constraint: Optional[Callable] = None,
                     bias_constraint: Optional[Callable] = None, trainable: bool = True,
                     name: Any = None, reuse: Any = None) -> Tensor:
    """Functional `SeparableConv2D`."""
    return apply_functional(SeparableConv2D, locals())
