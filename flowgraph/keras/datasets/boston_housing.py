"""`tf.keras.datasets.boston_housing` (TF 1.15), from the cached ``boston_housing.npz``."""

from __future__ import annotations

import numpy as np

from flowgraph.keras.datasets._cache import find

__all__ = ["load_data"]


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2,
              seed: int = 113) -> tuple:
    """``(x_train, y_train), (x_test, y_test)``: the samples of `path` (keys ``x``, ``y``)
    shuffled with ``np.random.seed(seed)``, the last `test_split` of them for testing."""
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), got {test_split}")
    with np.load(find(path, "boston_housing"), allow_pickle=False) as f:
        x = f["x"]
        y = f["y"]
    np.random.seed(seed)
    indices = np.arange(len(x))
    np.random.shuffle(indices)
    x = x[indices]
    y = y[indices]
    split = int(len(x) * (1 - test_split))
    x_train, y_train = np.array(x[:split]), np.array(y[:split])
    x_test, y_test = np.array(x[split:]), np.array(y[split:])
    return (x_train, y_train), (x_test, y_test)
