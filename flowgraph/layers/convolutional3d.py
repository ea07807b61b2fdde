"""3-D layers (TF1's tf.layers): Conv3D, Conv3DTranspose, MaxPooling3D, AveragePooling3D
and their functional forms, over [batch, depth, height, width, channels] inputs
(``data_format='channels_first'``: [batch, channels, depth, height, width]).

Variables as TF1: ``conv3d/kernel`` [kd, kh, kw, in, filters] and ``conv3d/bias``
[filters]; ``conv3d_transpose/kernel`` [kd, kh, kw, filters, in].
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import nn
from flowgraph.graph import Tensor
from flowgraph.initializers import zeros_initializer
from flowgraph.layers.conv_transpose import _ConvTranspose
from flowgraph.layers.convolutional import _Conv
from flowgraph.layers.plumbing import apply_functional, arguments_of
from flowgraph.layers.pooling import _Pooling

__all__ = ["Conv3D", "Conv3DTranspose", "MaxPooling3D", "AveragePooling3D", "conv3d",
           "conv3d_transpose", "max_pooling3d", "average_pooling3d"]


class Conv3D(_Conv):
    """3-D convolution over NDHWC (or NCDHW) inputs: ``activation(conv3d(inputs, kernel) +
    bias)``."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
                 padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate: Any = (1, 1, 1), activation: Optional[Callable] = None,
                 use_bias: bool = True, kernel_initializer: Any = None,
                 bias_initializer: Any = zeros_initializer(),
                 kernel_regularizer: Optional[Callable] = None,
                 bias_regularizer: Optional[Callable] = None,
                 activity_regularizer: Optional[Callable] = None,
                 kernel_constraint: Optional[Callable] = None,
                 bias_constraint: Optional[Callable] = None, trainable: bool = True,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(rank=3, **arguments_of(locals()))


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution: the gradient of a convolution for its input, so
    ``strides=2`` doubles depth, height and width. The kernel has shape
    [kd, kh, kw, filters, input_channels]."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
                 padding: str = "valid", data_format: str = "channels_last",
                 activation: Optional[Callable] = None, use_bias: bool = True,
                 kernel_initializer: Any = None, bias_initializer: Any = zeros_initializer(),
                 kernel_regularizer: Optional[Callable] = None,
                 bias_regularizer: Optional[Callable] = None,
                 activity_regularizer: Optional[Callable] = None,
                 kernel_constraint: Optional[Callable] = None,
                 bias_constraint: Optional[Callable] = None, trainable: bool = True,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(rank=3, dilation_rate=1, **arguments_of(locals()))


class _Pooling3D(_Pooling):
    """Pooling over depth, height and width with ``nn.max_pool3d`` / ``nn.avg_pool3d``."""

    def call(self, inputs: Tensor) -> Tensor:
        if self.data_format == "channels_last":
            ksize, steps, layout = (1,) + self.pool_size + (1,), \
                (1,) + self.strides + (1,), "NDHWC"
        else:
            ksize, steps, layout = (1, 1) + self.pool_size, (1, 1) + self.strides, "NCDHW"
        return self.pool_function(inputs, ksize=list(ksize), strides=list(steps),
                                  padding=self.padding.upper(), data_format=layout)


class MaxPooling3D(_Pooling3D):
    """Max pooling over depth, height and width of NDHWC (or NCDHW) inputs."""

    def __init__(self, pool_size: Any, strides: Any, padding: str = "valid",
                 data_format: str = "channels_last", name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(3, nn.max_pool3d, pool_size, strides, padding, data_format, name,
                         **kwargs)


class AveragePooling3D(_Pooling3D):
    """Average pooling over depth, height and width of NDHWC (or NCDHW) inputs (SAME
    padding divides by the number of real cells in each window)."""

    def __init__(self, pool_size: Any, strides: Any, padding: str = "valid",
                 data_format: str = "channels_last", name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(3, nn.avg_pool3d, pool_size, strides, padding, data_format, name,
                         **kwargs)


def conv3d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
           padding: str = "valid", data_format: str = "channels_last",
           dilation_rate: Any = (1, 1, 1), activation: Optional[Callable] = None,
           use_bias: bool = True, kernel_initializer: Any = None,
           bias_initializer: Any = zeros_initializer(),
           kernel_regularizer: Optional[Callable] = None,
           bias_regularizer: Optional[Callable] = None,
           activity_regularizer: Optional[Callable] = None,
           kernel_constraint: Optional[Callable] = None,
           bias_constraint: Optional[Callable] = None, trainable: bool = True,
           name: Any = None, reuse: Any = None) -> Tensor:
    """Functional `Conv3D`: variables ``conv3d/kernel`` [kd, kh, kw, in, filters] and
    ``conv3d/bias``.

    >>> h = fg.layers.conv3d(volumes, 8, 3, padding="same", activation=fg.nn.relu)
    """
    return apply_functional(Conv3D, locals())


def conv3d_transpose(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     activation: Optional[Callable] = None, use_bias: bool = True,
                     kernel_initializer: Any = None,
                     bias_initializer: Any = zeros_initializer(),
                     kernel_regularizer: Optional[Callable] = None,
                     bias_regularizer: Optional[Callable] = None,
                     activity_regularizer: Optional[Callable] = None,
                     kernel_constraint: Optional[Callable] = None,
                     bias_constraint: Optional[Callable] = None, trainable: bool = True,
                     name: Any = None, reuse: Any = None) -> Tensor:
    """Functional `Conv3DTranspose`: variables ``conv3d_transpose/kernel``
    [kd, kh, kw, filters, in] and ``conv3d_transpose/bias``."""
    return apply_functional(Conv3DTranspose, locals())


def max_pooling3d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    """Functional `MaxPooling3D`."""
    return MaxPooling3D(pool_size, strides, padding=padding, data_format=data_format,
                        name=name).apply(inputs)


def average_pooling3d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    """Functional `AveragePooling3D`."""
    return AveragePooling3D(pool_size, strides, padding=padding, data_format=data_format,
                            name=name).apply(inputs)
