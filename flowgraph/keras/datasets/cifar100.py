"""`tf.keras.datasets.cifar100` (TF 1.15), from the extracted ``cifar-100-python`` folder
in the Keras datasets cache (see `flowgraph.keras.datasets`)."""

from __future__ import annotations

import os

import numpy as np

from flowgraph.keras.datasets._safe_pickle import find_dir
from flowgraph.keras.datasets.cifar import load_batch

__all__ = ["load_data"]

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"


def load_data(label_mode: str = "fine") -> tuple:
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (50000, 32, 32, 3) and
    (10000, 32, 32, 3) (channels first when ``image_data_format()`` says so) and int64
    labels of shape (n, 1): the 100 ``'fine'`` classes or the 20 ``'coarse'`` ones, from the
    ``train`` and ``test`` pickles (read with a restricted Unpickler that cannot run code)."""
    from flowgraph.keras import backend
    if label_mode not in ["fine", "coarse"]:
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`.')
    path = find_dir("cifar-100-python", "cifar100", _ORIGIN)
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=label_mode + "_labels")
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=label_mode + "_labels")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if backend.image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
