"""Max and average pooling layers, 1-D and 2-D, and their functional forms (TF1's tf.layers).

As TF1's: `strides` has no default; ``padding='same'`` max pooling ignores the padded cells
and average pooling divides by the number of real cells in each window.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import nn
from flowgraph.graph import Tensor
from flowgraph.layers.base import InputSpec, Layer, as_shape_list
from flowgraph.layers.utils import (
    conv_output_length,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
)
from flowgraph.ops import expand_dims, squeeze
from flowgraph.shapes import TensorShape

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "max_pooling1d", "max_pooling2d", "average_pooling1d", "average_pooling2d"]


def _max_pool(*args: Any, **kwargs: Any) -> Tensor:
    return nn.max_pool(*args, **kwargs)


def _avg_pool(*args: Any, **kwargs: Any) -> Tensor:
    return nn.avg_pool(*args, **kwargs)


class _Pooling(Layer):
    """Pooling over `rank` spatial axes with `pool_function` (``nn.max_pool`` or
    ``nn.avg_pool`` on 4-D NHWC / NCHW tensors)."""

    def __init__(self, rank: int, pool_function: Callable, pool_size: Any, strides: Any,
                 padding: str = "valid", data_format: str = "channels_last",
                 name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.rank = rank
        self.pool_function = pool_function
        self.pool_size = normalize_tuple(pool_size, rank, "pool_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.padding = normalize_padding(padding)
        if self.padding == "causal":
            raise ValueError("Pooling layers take padding 'valid' or 'same', not 'causal'.")
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _pool4d(self, inputs: Tensor, pool_size: tuple, strides: tuple) -> Tensor:
        if self.data_format == "channels_last":
            ksize, steps, layout = (1,) + pool_size + (1,), (1,) + strides + (1,), "NHWC"
        else:
            ksize, steps, layout = (1, 1) + pool_size, (1, 1) + strides, "NCHW"
        return self.pool_function(inputs, ksize=list(ksize), strides=list(steps),
                                  padding=self.padding.upper(), data_format=layout)

    def call(self, inputs: Tensor) -> Tensor:
        if self.rank == 2:
            return self._pool4d(inputs, self.pool_size, self.strides)
        axis = 2 if self.data_format == "channels_last" else 3
        outputs = self._pool4d(expand_dims(inputs, axis), self.pool_size + (1,),
                               self.strides + (1,))
        return squeeze(outputs, [axis])

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        last = self.data_format == "channels_last"
        space = dims[1:-1] if last else dims[2:]
        new_space = [conv_output_length(length, k, self.padding, s)
                     for length, k, s in zip(space, self.pool_size, self.strides)]
        if last:
            return TensorShape([dims[0]] + new_space + [dims[-1]])
        return TensorShape(dims[:2] + new_space)


class MaxPooling1D(_Pooling):
    """Max pooling over the width of [batch, width, channels] inputs."""

    def __init__(self, pool_size: Any, strides: Any, padding: str = "valid",
                 data_format: str = "channels_last", name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(1, _max_pool, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling1D(_Pooling):
    """Average pooling over the width of [batch, width, channels] inputs."""

    def __init__(self, pool_size: Any, strides: Any, padding: str = "valid",
                 data_format: str = "channels_last", name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(1, _avg_pool, pool_size, strides, padding, data_format, name, **kwargs)


class MaxPooling2D(_Pooling):
    """Max pooling over the height and width of NHWC (or NCHW) inputs."""

    def __init__(self, pool_size: Any, strides: Any, padding: str = "valid",
                 data_format: str = "channels_last", name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(2, _max_pool, pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling2D(_Pooling):
    """Average pooling over the height and width of NHWC (or NCHW) inputs."""

    def __init__(self, pool_size: Any, strides: Any, padding: str = "valid",
                 data_format: str = "channels_last", name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(2, _avg_pool, pool_size, strides, padding, data_format, name, **kwargs)


def max_pooling1d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    """Functional `MaxPooling1D`."""
    return MaxPooling1D(pool_size, strides, padding=padding, data_format=data_format,
                        name=name).apply(inputs)


def average_pooling1d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    """Functional `AveragePooling1D`."""
    return AveragePooling1D(pool_size, strides, padding=padding, data_format=data_format,
                            name=name).apply(inputs)


def max_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    """Functional `MaxPooling2D`.

    >>> pooled = fg.layers.max_pooling2d(conv, pool_size=2, strides=2)
    """
    return MaxPooling2D(pool_size, strides, padding=padding, data_format=data_format,
                        name=name).apply(inputs)


def average_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None) -> Tensor:
    """Functional `AveragePooling2D`."""
    return AveragePooling2D(pool_size, strides, padding=padding, data_format=data_format,
                            name=name).apply(inputs)
