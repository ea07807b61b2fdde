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
        # As TF1: the 1-D convolution is a 2-D one over a height-1 image.
        first = self.data_format == "channels_first"
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            inputs = pad(inputs, [[0, 0], [0, 0], [left, 0]] if first
                         else [[0, 0], [left, 0], [0, 0]])
        spatial = 2 if first else 1
        strides = (1, 1) + self.strides * 2 if first else (1,) + self.strides * 2 + (1,)
        outputs = nn.separable_conv2d(
            expand_dims(inputs, spatial), expand_dims(self.depthwise_kernel, 0),
            expand_dims(self.pointwise_kernel, 0), strides=list(strides),
            padding="VALID" if self.padding == "causal" else self.padding.upper(),
            rate=[1, self.dilation_rate[0]], data_format="NCHW" if first else "NHWC")
        return self._finish(squeeze(outputs, [spatial]))


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
