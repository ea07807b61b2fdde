"""`tf.keras.regularizers` as TF 1.15: callables mapping a weight to a scalar loss tensor."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as fg
from flowgraph.keras import backend
from flowgraph.keras.generic_utils import deserialize_object, get_object, serialize_object

__all__ = ["Regularizer", "L1L2", "l1", "l2", "l1_l2", "get", "serialize", "deserialize"]


class Regularizer:
    """Base class: ``regularizer(weight)`` returns a scalar loss tensor."""

    def __call__(self, x: Any) -> Any:
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = backend.cast_to_floatx(l1)
        self.l2 = backend.cast_to_floatx(l2)

    def __call__(self, x: Any) -> Any:
        if not self.l1 and not self.l2:
            return fg.constant(0.0, dtype=backend.floatx())
        regularization = 0.0
        if self.l1:
            regularization += self.l1 * fg.reduce_sum(fg.abs(x))
        if self.l2:
            regularization += self.l2 * fg.reduce_sum(fg.square(x))
        return regularization

    def get_config(self) -> dict:
        return {"l1": float(self.l1), "l2": float(self.l2)}


def l1(l: float = 0.01) -> L1L2:  # noqa: E741 - Keras' argument name
    """An L1 penalty ``l * sum(|x|)``."""
    return L1L2(l1=l)


def l2(l: float = 0.01) -> L1L2:  # noqa: E741 - Keras' argument name
    """An L2 penalty ``l * sum(x ** 2)``."""
    return L1L2(l2=l)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:  # noqa: F811 - Keras' names
    """Both penalties."""
    return L1L2(l1=l1, l2=l2)


_NAMES = {"Regularizer": Regularizer, "L1L2": L1L2, "l1": l1, "l2": l2, "l1_l2": l1_l2}


def serialize(regularizer: Any) -> dict:
    """``{'class_name': ..., 'config': ...}``."""
    return serialize_object(regularizer)


def deserialize(config: dict, custom_objects: Optional[dict] = None) -> Any:
    """The regularizer a `serialize` dict describes."""
    return deserialize_object(config, _NAMES, custom_objects, "regularizer")


def get(identifier: Any) -> Any:
    """None -> None; a name ('l1', 'l2', 'l1_l2') or a serialized dict -> a regularizer; a
    callable -> itself."""
    return get_object(identifier, deserialize, "regularizer")
