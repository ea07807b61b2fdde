"""The SeparableConv1D layer and its functional form (TF1's ``tf.layers``)."""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import nn
from flowgraph.graph import Tensor
from flowgraph.initializers import zeros_initializer
from flowgraph.layers.base import InputSpec
from flowgraph.layers.convolutional import _Conv
from flowgraph.layers.plumbing import apply_functional
from flowgraph.ops import pad
from flowgraph.ops.shape_ops import expand_dims, squeeze

__all__ = ["SeparableConv1D", "separable_conv1d"]


class SeparableConv1D(_Conv):
    """Depthwise-separable 1-D convolution over [batch, width, channels] inputs: a depthwise
    convolution (``depth_multiplier`` filters per input channel) followed by a pointwise
    (1-wide) one, as TF1's ``tf.layers.SeparableConv1D``; ``padding='causal'`` pads only on
    the left.

    Variables: ``depthwise_kernel`` [k, in, depth_multiplier], ``pointwise_kernel``
    [1, in * depth_multiplier, filters], ``bias`` [filters].
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate: Any = 1, depth_multiplier: int = 1,
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
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
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
            "pointwise_kernel", (1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, trainable=True)
        self._build_bias(self.filters)
        self.input_spec = InputSpec(ndim=3, axes={self._channel_axis: channels})
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        outputs, spatial = separable_conv1d_as_2d(
            inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides[0],
            self.padding, self.dilation_rate[0], self.data_format)
        return self._finish(squeeze(outputs, [spatial]))


def separable_conv1d_as_2d(inputs: Tensor, depthwise_kernel: Tensor, pointwise_kernel: Tensor,
                           stride: int, padding: str, dilation_rate: int,
                           data_format: str) -> tuple:
    """The separable 1-D convolution of `inputs` [batch, width, channels] (or channels
    first), computed as TF1 does: a 2-D one over a height-1 image. Returns the 4-D result
    and its height axis (squeezed by the caller, after TF's Keras layer added its bias).
    'causal' padding pads the left end by ``dilation_rate * (width - 1)``."""
    first = data_format == "channels_first"
    if padding == "causal":
        left = dilation_rate * (depthwise_kernel.shape.as_list()[0] - 1)
        inputs = pad(inputs, [[0, 0], [0, 0], [left, 0]] if first
                     else [[0, 0], [left, 0], [0, 0]])
    spatial = 2 if first else 1
    strides = [1, 1, stride, stride] if first else [1, stride, stride, 1]
    outputs = nn.separable_conv2d(
        expand_dims(inputs, spatial), expand_dims(depthwise_kernel, 0),
        expand_dims(pointwise_kernel, 0), strides=strides,
        padding="VALID" if padding == "causal" else padding.upper(),
        rate=[1, dilation_rate], data_format="NCHW" if first else "NHWC")
    return outputs, spatial


def separable_conv1d(inputs: Any, filters: int, kernel_size: Any, strides: Any = 1,
                     padding: str = "valid", data_format: str = "channels_last",
                     dilation_rate: Any = 1, depth_multiplier: int = 1,
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
    """Functional `SeparableConv1D` (TF1's ``tf.layers.separable_conv1d``)."""
    return apply_functional(SeparableConv1D, locals())
