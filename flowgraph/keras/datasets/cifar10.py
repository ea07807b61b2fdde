"""`tf.keras.datasets.cifar10` (TF 1.15), from the extracted ``cifar-10-batches-py`` folder
in the Keras datasets cache (see `flowgraph.keras.datasets`)."""

from __future__ import annotations

import os

import numpy as np

from flowgraph.keras.datasets._safe_pickle import find_dir
from flowgraph.keras.datasets.cifar import load_batch

__all__ = ["load_data"]

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def load_data() -> tuple:
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (50000, 32, 32, 3) and
    (10000, 32, 32, 3) (channels first, (n, 3, 32, 32), when
    ``keras.backend.image_data_format()`` is ``'channels_first'``) and uint8 labels of shape
    (n, 1), from ``data_batch_1`` ... ``data_batch_5`` and ``test_batch``. The batch pickles
    are read with a restricted Unpickler that cannot run code."""
    from flowgraph.keras import backend
    path = find_dir("cifar-10-batches-py", "cifar10", _ORIGIN)
    xs, ys = [], []
    for i in range(1, 6):
        data, labels = load_batch(os.path.join(path, "data_batch_" + str(i)))
        xs.append(np.asarray(data, dtype="uint8"))
        ys.append(np.asarray(labels, dtype="uint8"))
    x_train = np.concatenate(xs)
    y_train = np.concatenate(ys)
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if backend.image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    x_test = x_test.astype(x_train.dtype)
    y_test = y_test.astype(y_train.dtype)
    return (x_train, y_train), (x_test, y_test)
