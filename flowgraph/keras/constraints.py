"""`tf.keras.constraints` as TF 1.15: callables mapping a weight to its projected value,
applied after each optimizer step."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as fg
from flowgraph.keras import backend
from flowgraph.keras.generic_utils import deserialize_object, get_object, serialize_object

__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "max_norm",
           "non_neg", "unit_norm", "min_max_norm", "get", "serialize", "deserialize"]


class Constraint:
    """Base class: ``constraint(w)`` returns the constrained weight (the identity here)."""

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)


def _norms(w: Any, axis: Any) -> Any:
    return fg.sqrt(fg.reduce_sum(fg.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales the slices along `axis` whose L2 norm exceeds `max_value`."""

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        norms = _norms(w, self.axis)
        desired = fg.clip_by_value(norms, 0.0, self.max_value)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to 0."""

    def __call__(self, w: Any) -> Any:
        return w * fg.cast(fg.greater_equal(w, 0.0), backend.floatx())


class UnitNorm(Constraint):
    """Divides the slices along `axis` by their L2 norm."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the L2 norms along `axis` into [min_value, max_value], by the fraction
    `rate` of the way."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Any = 0) -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        norms = _norms(w, self.axis)
        desired = (self.rate * fg.clip_by_value(norms, self.min_value, self.max_value) +
                   (1 - self.rate) * norms)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value,
                "rate": self.rate, "axis": self.axis}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_NAMES = {"Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg,
          "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm, "max_norm": MaxNorm,
          "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def serialize(constraint: Any) -> dict:
    """``{'class_name': ..., 'config': ...}``."""
    return serialize_object(constraint)


def deserialize(config: dict, custom_objects: Optional[dict] = None) -> Any:
    """The constraint a `serialize` dict describes."""
    return deserialize_object(config, _NAMES, custom_objects, "constraint")


def get(identifier: Any) -> Any:
    """None -> None; a name ('max_norm', 'non_neg', 'unit_norm', 'min_max_norm') or a
    serialized dict -> a constraint; a callable -> itself."""
    return get_object(identifier, deserialize, "constraint")
