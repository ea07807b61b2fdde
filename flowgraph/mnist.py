"""The embedded MNIST subset (5,000 real digits) used by the demo, examples and tests."""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_data", "mnist_5k.npz")
TRAIN_SIZE = 4000


class MnistSplits(NamedTuple):
    train_images: np.ndarray  # float32 (4000, 784) in [0, 1]
    train_labels: np.ndarray  # int64 (4000,)
    test_images: np.ndarray   # float32 (1000, 784) in [0, 1]
    test_labels: np.ndarray   # int64 (1000,)


def load_mnist(path: str = _PATH) -> MnistSplits:
    """The 4,000 training and 1,000 test digits, flattened and scaled to [0, 1]."""
    with np.load(path, allow_pickle=False) as data:
        images = data["images"].reshape(-1, 784).astype(np.float32) / 255.0
        labels = data["labels"].astype(np.int64)
    return MnistSplits(images[:TRAIN_SIZE], labels[:TRAIN_SIZE], images[TRAIN_SIZE:],
                       labels[TRAIN_SIZE:])
