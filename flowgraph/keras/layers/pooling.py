"""`tf.keras.layers` pooling layers (TF 1.15): Max/AveragePooling1D/2D/3D, the global
poolings and their short aliases (MaxPool2D, GlobalAvgPool2D...)."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as fg
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.layers.convolutional import _data_format
from flowgraph.layers import convolutional3d as fg_pool3d
from flowgraph.layers import pooling as fg_pool
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.shapes import TensorShape

__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
           "AveragePooling2D", "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
           "GlobalMaxPooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
           "GlobalAveragePooling3D", "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D",
           "AvgPool2D", "AvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D"]


class _KerasPooling:
    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


def _pool_args(pool_size: Any, strides: Any, padding: str, data_format: Optional[str]) -> dict:
    return {"pool_size": pool_size, "strides": pool_size if strides is None else strides,
            "padding": padding, "data_format": _data_format(data_format)}


class MaxPooling1D(_KerasPooling, Layer, fg_pool.MaxPooling1D):
    """Max over windows of `pool_size` steps (stride `strides`, default `pool_size`)."""

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str = "channels_last", **kwargs: Any) -> None:
        super().__init__(**_pool_args(pool_size, strides, padding, data_format), **kwargs)


class AveragePooling1D(_KerasPooling, Layer, fg_pool.AveragePooling1D):
    """Mean over windows of `pool_size` steps (stride `strides`, default `pool_size`)."""

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str = "channels_last", **kwargs: Any) -> None:
        super().__init__(**_pool_args(pool_size, strides, padding, data_format), **kwargs)


class MaxPooling2D(_KerasPooling, Layer, fg_pool.MaxPooling2D):
    """Max over `pool_size` windows of rows and columns (stride default `pool_size`)."""

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**_pool_args(pool_size, strides, padding, data_format), **kwargs)


class AveragePooling2D(_KerasPooling, Layer, fg_pool.AveragePooling2D):
    """Mean over `pool_size` windows of rows and columns (stride default `pool_size`)."""

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**_pool_args(pool_size, strides, padding, data_format), **kwargs)


class MaxPooling3D(_KerasPooling, Layer, fg_pool3d.MaxPooling3D):
    """Max over `pool_size` windows of depth, rows and columns."""

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None,
                 padding: str = "valid", data_format: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(**_pool_args(pool_size, strides, padding, data_format), **kwargs)


class AveragePooling3D(_KerasPooling, Layer, fg_pool3d.AveragePooling3D):
    """Mean over `pool_size` windows of depth, rows and columns."""

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None,
                 padding: str = "valid", data_format: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(**_pool_args(pool_size, strides, padding, data_format), **kwargs)


class _GlobalPooling(Layer):
    """Reduces every spatial axis (max or mean): [batch, ..., channels] -> [batch,
    channels]."""

    rank = 1
    reduce = staticmethod(fg.reduce_max)

    def __init__(self, data_format: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        channel = dims[1] if self.data_format == "channels_first" else dims[-1]
        return TensorShape([dims[0], channel])

    def call(self, inputs: Any) -> Any:
        first = self.data_format == "channels_first"
        axes = list(range(2, self.rank + 2)) if first else list(range(1, self.rank + 1))
        return type(self).reduce(inputs, axis=axes)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the steps: [batch, steps, features] -> [batch, features]."""

    def __init__(self, data_format: str = "channels_last", **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps: [batch, steps, features] -> [batch, features]. With a Keras
    mask ``[batch, steps]`` (e.g. after ``Embedding(mask_zero=True)``) only the unmasked
    steps are averaged, as TF 1.15; the output has no mask."""

    reduce = staticmethod(fg.reduce_mean)

    def __init__(self, data_format: str = "channels_last", **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return super().call(inputs)
        steps_axis = 1 if self.data_format == "channels_last" else 2
        weights = fg.cast(mask, inputs.dtype)
        # [batch, steps] -> [batch, steps, 1] (channels_last) or [batch, 1, steps]
        weights = fg.expand_dims(weights, axis=2 if steps_axis == 1 else 1)
        total = fg.reduce_sum(inputs * weights, axis=steps_axis)
        return total / fg.reduce_sum(weights, axis=steps_axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over rows and columns: [batch, rows, cols, channels] -> [batch, channels]."""

    rank = 2


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over rows and columns: [batch, rows, cols, channels] -> [batch, channels]."""

    rank = 2
    reduce = staticmethod(fg.reduce_mean)


class GlobalMaxPooling3D(_GlobalPooling):
    """Max over depth, rows and columns of 5-D inputs."""

    rank = 3


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over depth, rows and columns of 5-D inputs."""

    rank = 3
    reduce = staticmethod(fg.reduce_mean)


MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
