"""Convolution layers Conv1D and Conv2D and their functional forms (TF1's tf.layers)."""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import nn
from flowgraph.graph import Tensor
from flowgraph.initializers import zeros_initializer
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.layers.plumbing import KernelBiasLayer, apply_functional, arguments_of
from flowgraph.layers.utils import (
    conv_output_length,
    convert_data_format,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
)
from flowgraph.ops import pad, reshape
from flowgraph.shapes import TensorShape

__all__ = ["Conv1D", "Conv2D", "conv1d", "conv2d"]


class _Conv(KernelBiasLayer):
    """An N-D convolution layer: ``activation(conv(inputs, kernel) + bias)``.

    The kernel has shape ``kernel_size + (input_channels, filters)``; the bias [filters].
    """

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate: Any = 1, activation: Optional[Callable] = None,
                 use_bias: bool = True, kernel_initializer: Any = None,
                 bias_initializer: Any = zeros_initializer(),
                 kernel_regularizer: Optional[Callable] = None,
                 bias_regularizer: Optional[Callable] = None,
                 activity_regularizer: Optional[Callable] = None,
                 kernel_constraint: Optional[Callable] = None,
                 bias_constraint: Optional[Callable] = None, trainable: bool = True,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.padding = normalize_padding(padding)
        if self.padding == "causal" and rank != 1:
            raise ValueError("Causal padding is only supported for `Conv1D`.")
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate")
        self._set_kernel_bias_config(activation, use_bias, kernel_initializer, bias_initializer,
                                     kernel_regularizer, bias_regularizer, kernel_constraint,
                                     bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else -1

    def _input_channels(self, input_shape: Any) -> int:
        dims = as_shape_list(input_shape)
        channels = dims[self._channel_axis]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None`.")
        return channels

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self._add_kernel(self.kernel_size + (channels, self.filters))
        self._build_bias(self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _convolve(self, inputs: Tensor) -> Tensor:
        data_format = convert_data_format(self.data_format, self.rank + 2)
        padding = "valid" if self.padding == "causal" else self.padding
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            inputs = pad(inputs, [[0, 0], [left, 0], [0, 0]])
        if self.rank == 1:
            kwargs = {"dilations": self.dilation_rate[0]} if self.dilation_rate != (1,) else {}
            return nn.conv1d(inputs, self.kernel, stride=self.strides[0],
                             padding=padding.upper(), data_format=data_format, **kwargs)
        if self.data_format == "channels_last":
            strides = (1,) + self.strides + (1,)
            dilations = (1,) + self.dilation_rate + (1,)
        else:
            strides = (1, 1) + self.strides
            dilations = (1, 1) + self.dilation_rate
        convolve = nn.conv2d if self.rank == 2 else nn.conv3d
        return convolve(inputs, self.kernel, strides=list(strides), padding=padding.upper(),
                        data_format=data_format, dilations=list(dilations))

    def _add_bias(self, outputs: Tensor) -> Tensor:
        if self.data_format == "channels_first" and self.rank != 2:
            return outputs + reshape(self.bias, (1, self.filters) + (1,) * self.rank)
        if self.data_format == "channels_first":
            return nn.bias_add(outputs, self.bias, data_format="NCHW")
        return nn.bias_add(outputs, self.bias)

    def call(self, inputs: Tensor) -> Tensor:
        return self._finish(self._convolve(inputs))

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        if self.data_format == "channels_last":
            space = dims[1:-1]
        else:
            space = dims[2:]
        new_space = [conv_output_length(length, k, self.padding, s, d)
                     for length, k, s, d in zip(space, self.kernel_size, self.strides,
                                                self.dilation_rate)]
        if self.data_format == "channels_last":
            return TensorShape([dims[0]] + new_space + [self.filters])
        return TensorShape([dims[0], self.filters] + new_space)


class Conv1D(_Conv):
    """1-D convolution over [batch, width, channels] inputs (``padding='causal'`` pads only
    on the left)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate: Any = 1,
                 activation: Optional[Callable] = None, use_bias: bool = True,
                 kernel_initializer: Any = None, bias_initializer: Any = zeros_initializer(),
                 kernel_regularizer: Optional[Callable] = None,
                 bias_regularizer: Optional[Callable] = None,
                 activity_regularizer: Optional[Callable] = None,
                 kernel_constraint: Optional[Callable] = None,
                 bias_constraint: Optional[Callable] = None, trainable: bool = True,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(rank=1, **arguments_of(locals()))


class Conv2D(_Conv):
    """2-D convolution over [batch, height, width, channels] inputs (NHWC; NCHW with
    ``data_format='channels_first'``)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate: Any = (1, 1), activation: Optional[Callable] = None,
                 use_bias: bool = True, kernel_initializer: Any = None,
                 bias_initializer: Any = zeros_initializer(),
                 kernel_regularizer: Optional[Callable] = None,
                 bias_regularizer: Optional[Callable] = None,
                 activity_regularizer: Optional[Callable] = None,
                 kernel_constraint: Optional[Callable] = None,
                 bias_constraint: Optional[Callable] = None, trainable: bool = True,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(rank=2, **arguments_of(locals()))


def conv1d(inputs: Any, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
           data_format: str = "channels_last", dilation_rate: Any = 1,
           activation: Optional[Callable] = None, use_bias: bool = True,
           kernel_initializer: Any = None, bias_initializer: Any = zeros_initializer(),
           kernel_regularizer: Optional[Callable] = None,
           bias_regularizer: Optional[Callable] = None,
           activity_regularizer: Optional[Callable] = None,
           kernel_constraint: Optional[Callable] = None,
           bias_constraint: Optional[Callable] = None, trainable: bool = True,
           name: Any = None, reuse: Any = None) -> Tensor:
    """Functional `Conv1D`."""
    return apply_functional(Conv1D, locals())


def conv2d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1),
           padding: str = "valid", data_format: str = "channels_last",
           dilation_rate: Any = (1, 1), activation: Optional[Callable] = None,
           use_bias: bool = True, kernel_initializer: Any = None,
           bias_initializer: Any = zeros_initializer(),
           kernel_regularizer: Optional[Callable] = None,
           bias_regularizer: Optional[Callable] = None,
           activity_regularizer: Optional[Callable] = None,
           kernel_constraint: Optional[Callable] = None,
           bias_constraint: Optional[Callable] = None, trainable: bool = True,
           name: Any = None, reuse: Any = None) -> Tensor:
    """Functional `Conv2D`: variables ``conv2d/kernel`` [kh, kw, in, filters] and
    ``conv2d/bias``.

    >>> h = fg.layers.conv2d(images, 16, 5, padding="same", activation=fg.nn.relu)
    """
    return apply_functional(Conv2D, locals())
