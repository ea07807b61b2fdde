"""Fixtures for the tf1 runner tests: small MNIST IDX files made from the embedded subset."""

import gzip
import os
import struct

import numpy as np
import pytest

from flowgraph.datasets import mnist


def write_idx(path: str, array: np.ndarray) -> None:
    """Writes a uint8 IDX file (gzipped): magic 0x00 0x00 0x08 ndim, big-endian dims, data."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(">" + "I" * array.ndim, *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + np.ascontiguousarray(array, np.uint8).tobytes())


@pytest.fixture(scope="session")
def mnist_dir(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("mnist_idx")
    (train_x, train_y), (test_x, test_y) = mnist.load_embedded()
    for key, array in (("train_images", train_x), ("train_labels", train_y),
                       ("test_images", test_x), ("test_labels", test_y)):
        write_idx(os.path.join(folder, mnist.FILES[key] + ".gz"), array)
    return str(folder)
