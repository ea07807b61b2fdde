"""`tf.keras.datasets.mnist` (TF 1.15), from the cached ``mnist.npz``."""

from __future__ import annotations

import numpy as np

from flowgraph.keras.datasets._cache import find

__all__ = ["load_data"]


def load_data(path: str = "mnist.npz") -> tuple:
    """``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes (60000, 28, 28),
    (60000,), (10000, 28, 28), (10000,) from `path` in the Keras datasets cache folder
    (see `flowgraph.keras.datasets`); raises FileNotFoundError saying where to put it."""
    with np.load(find(path, "mnist"), allow_pickle=False) as f:
        x_train, y_train = f["x_train"], f["y_train"]
        x_test, y_test = f["x_test"], f["y_test"]
    return (x_train, y_train), (x_test, y_test)
