"""`tf.keras.layers` activation layers (TF 1.15): LeakyReLU, PReLU, ELU, ThresholdedReLU,
Softmax, ReLU."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as fg
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.layers.core import resolve, serialize
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax", "ReLU"]


class _Elementwise(Layer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return as_shape(input_shape)


class LeakyReLU(_Elementwise):
    """``x`` for x >= 0, ``alpha * x`` otherwise."""

    def __init__(self, alpha: float = 0.3, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs: Any) -> Any:
        return fg.nn.leaky_relu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Elementwise):
    """``x`` for x >= 0, ``alpha * x`` otherwise, with ``alpha`` a learned weight of the
    input's shape without the batch axis (axes listed in `shared_axes` share one value)."""

    def __init__(self, alpha_initializer: Any = "zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = resolve("initializers", alpha_initializer)
        self.alpha_regularizer = resolve("regularizers", alpha_regularizer)
        self.alpha_constraint = resolve("constraints", alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape: Any) -> None:
        dims = as_shape_list(input_shape)
        param_shape = list(dims[1:])
        for axis in self.shared_axes or []:
            param_shape[axis - 1] = 1
        if None in param_shape:
            raise ValueError("PReLU needs every non-batch dimension of its input defined "
                             f"(or listed in `shared_axes`), got input shape {tuple(dims)}")
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        for i in range(1, len(dims)):
            if not self.shared_axes or i not in self.shared_axes:
                axes[i] = dims[i]
        self.input_spec = InputSpec(ndim=len(dims), axes=axes)
        self.built = True

    def call(self, inputs: Any) -> Any:
        positive = fg.nn.relu(inputs)
        negative = -self.alpha * fg.nn.relu(-inputs)
        return positive + negative

    def get_config(self) -> dict:
        return {**super().get_config(),
                "alpha_initializer": serialize(self.alpha_initializer),
                "alpha_regularizer": serialize(self.alpha_regularizer),
                "alpha_constraint": serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


class ELU(_Elementwise):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs: Any) -> Any:
        elu = fg.nn.elu(inputs)
        if self.alpha == 1:
            return elu
        return fg.where(inputs > 0, elu, self.alpha * elu)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class ThresholdedReLU(_Elementwise):
    """``x`` for x > theta, 0 otherwise."""

    def __init__(self, theta: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.theta = float(theta)

    def call(self, inputs: Any) -> Any:
        return inputs * fg.cast(fg.greater(inputs, self.theta), inputs.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "theta": self.theta}


class Softmax(_Elementwise):
    """Softmax along `axis`."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: Any) -> Any:
        return fg.nn.softmax(inputs, axis=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class ReLU(_Elementwise):
    """``max(x, 0)`` with options: ``min(..., max_value)`` and, below `threshold`,
    ``negative_slope * (x - threshold)``."""

    def __init__(self, max_value: Optional[float] = None, negative_slope: float = 0,
                 threshold: float = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.:
            raise ValueError("max_value of Relu layer cannot be negative value: "
                             f"{max_value}")
        if negative_slope < 0.:
            raise ValueError("negative_slope of Relu layer cannot be negative value: "
                             f"{negative_slope}")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs: Any) -> Any:
        x = inputs
        if self.negative_slope == 0 and self.threshold == 0:
            out = fg.nn.relu(x)
        else:
            above = x >= self.threshold if self.negative_slope == 0 else x > self.threshold
            low = self.negative_slope * (x - self.threshold)
            out = fg.where(above, x, low if self.negative_slope else fg.zeros_like(x))
        if self.max_value is not None:
            out = fg.minimum(out, fg.cast(self.max_value, x.dtype))
        return out

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
