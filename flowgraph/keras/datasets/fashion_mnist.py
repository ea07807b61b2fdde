"""`tf.keras.datasets.fashion_mnist` (TF 1.15), from the four cached IDX ``.gz`` files in
``datasets/fashion-mnist``."""

from __future__ import annotations

import gzip
import os

import numpy as np

from flowgraph.keras.datasets._cache import find

__all__ = ["load_data"]

_FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]


def load_data() -> tuple:
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (n, 28, 28) and labels (n,)
    read from ``fashion-mnist/<file>.gz`` in the Keras datasets cache folder (see
    `flowgraph.keras.datasets`); raises FileNotFoundError saying where to put them."""
    paths = [find(os.path.join("fashion-mnist", f), "fashion_mnist") for f in _FILES]
    with gzip.open(paths[0], "rb") as lbpath:
        y_train = np.frombuffer(lbpath.read(), np.uint8, offset=8)
    with gzip.open(paths[1], "rb") as imgpath:
        x_train = np.frombuffer(imgpath.read(), np.uint8, offset=16).reshape(
            len(y_train), 28, 28)
    with gzip.open(paths[2], "rb") as lbpath:
        y_test = np.frombuffer(lbpath.read(), np.uint8, offset=8)
    with gzip.open(paths[3], "rb") as imgpath:
        x_test = np.frombuffer(imgpath.read(), np.uint8, offset=16).reshape(
            len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
