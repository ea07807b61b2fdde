"""`tf.keras.utils` as TF 1.15: `to_categorical`, `normalize`, the custom-object registry
that deserialization consults, and the `Sequence` base class of data generators."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

__all__ = ["to_categorical", "normalize", "get_custom_objects", "custom_object_scope",
           "CustomObjectScope", "Sequence"]

# Keras' global registry of user classes and functions, by name (the public API
# `get_custom_objects()` returns this very dict, so user code can add to it).
_GLOBAL_CUSTOM_OBJECTS: dict = {}


def to_categorical(y: Any, num_classes: Optional[int] = None,
                   dtype: str = "float32") -> np.ndarray:
    """One-hot rows of the class indices `y`: shape ``y.shape + (num_classes,)`` (a trailing
    dimension of 1 is dropped); `num_classes` defaults to ``max(y) + 1``."""
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if not num_classes:
        num_classes = int(np.max(y)) + 1
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise IndexError(f"to_categorical: class indices must be in [0, {num_classes}), got "
                         f"values from {y.min()} to {y.max()}; pass a larger num_classes")
    n = y.shape[0]
    categorical = np.zeros((n, num_classes), dtype=dtype)
    categorical[np.arange(n), y] = 1
    return np.reshape(categorical, tuple(input_shape) + (num_classes,))


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """`x` divided by its `order`-norm along `axis` (zero norms left as they are)."""
    x = np.asarray(x)
    norms = np.atleast_1d(np.linalg.norm(x, order, axis))
    norms[norms == 0] = 1
    return x / np.expand_dims(norms, axis)


def get_custom_objects() -> dict:
    """The global dict of custom objects (name -> class or function) that deserialization
    looks names up in; add to it to register your own."""
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """``with CustomObjectScope({'MyLayer': MyLayer}):`` makes those names known to
    deserialization for the duration of the block."""

    def __init__(self, *args: dict) -> None:
        for arg in args:
            if not isinstance(arg, dict):
                raise TypeError(f"CustomObjectScope takes dicts of name -> object, got "
                                f"{type(arg).__name__}")
        self.custom_objects = args
        self.backup: Optional[dict] = None

    def __enter__(self) -> "CustomObjectScope":
        self.backup = dict(_GLOBAL_CUSTOM_OBJECTS)
        for objects in self.custom_objects:
            _GLOBAL_CUSTOM_OBJECTS.update(objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(self.backup or {})


def custom_object_scope(*args: dict) -> CustomObjectScope:
    """A `CustomObjectScope` of the given dicts."""
    return CustomObjectScope(*args)


class Sequence:
    """Base class of data sequences for `fit_generator`/`fit`: define ``__getitem__(index)``
    returning one batch and ``__len__()`` the number of batches; `on_epoch_end` runs after
    each epoch."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) "
                                  "returning a batch")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__() returning "
                                  "the number of batches")

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch (shuffle here, for instance)."""

    def __iter__(self) -> Any:
        for index in range(len(self)):
            yield self[index]

from flowgraph.keras.generic_utils import Progbar  # noqa: E402,F401 - tf.keras.utils.Progbar

__all__ += ["get_source_inputs", "GeneratorEnqueuer", "OrderedEnqueuer", "SequenceEnqueuer",
            "model_to_dot", "plot_model"]
from flowgraph.keras.utils_more import (  # noqa: E402,F401,I001 - tf.keras.utils.X
    GeneratorEnqueuer, OrderedEnqueuer, SequenceEnqueuer, get_source_inputs, model_to_dot,
    plot_model)

__all__ += ["get_file"]
from flowgraph.keras.get_file import get_file  # noqa: E402,F401,I001 - tf.keras.utils.get_file
