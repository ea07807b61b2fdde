"""tf.keras.datasets read from the Keras cache folder (never downloaded)."""

import gzip
import os

import numpy as np
import pytest

from flowgraph.keras.datasets import _cache, boston_housing, fashion_mnist, mnist


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(_cache, "TMP_BASE", str(tmp_path / "tmp-keras"))
    folder = tmp_path / ".keras" / "datasets"
    folder.mkdir(parents=True)
    return folder


def test_mnist_reads_cached_npz(home):
    rng = np.random.RandomState(0)
    arrays = {"x_train": rng.randint(0, 256, (6, 28, 28)).astype(np.uint8),
              "y_train": np.arange(6, dtype=np.uint8),
              "x_test": rng.randint(0, 256, (2, 28, 28)).astype(np.uint8),
              "y_test": np.array([7, 9], dtype=np.uint8)}
    np.savez(home / "mnist.npz", **arrays)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    np.testing.assert_array_equal(x_test, arrays["x_test"])
    assert y_test.tolist() == [7, 9]
    assert x_train.dtype == np.uint8


def test_keras_home_and_custom_path(tmp_path, monkeypatch):
    keras_home = tmp_path / "kh"
    (keras_home / "datasets").mkdir(parents=True)
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setattr(_cache, "TMP_BASE", str(tmp_path / "tmp-keras"))
    np.savez(keras_home / "datasets" / "digits.npz", x_train=np.zeros((1, 2)),
             y_train=np.ones(1), x_test=np.zeros((0, 2)), y_test=np.zeros(0))
    (x_train, y_train), (x_test, _) = mnist.load_data(path="digits.npz")
    assert x_train.shape == (1, 2) and y_train.tolist() == [1.0] and x_test.shape == (0, 2)


def test_missing_file_error_names_file_and_place(home):
    with pytest.raises(FileNotFoundError) as info:
        mnist.load_data()
    message = str(info.value)
    assert "mnist.npz" in message
    assert str(home / "mnist.npz") in message
    assert "load_embedded" in message
    with pytest.raises(FileNotFoundError, match="boston_housing.npz"):
        boston_housing.load_data()
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte.gz"):
        fashion_mnist.load_data()


def test_npz_with_objects_is_refused(home):
    np.savez(home / "mnist.npz", x_train=np.array([{"a": 1}], dtype=object),
             y_train=np.zeros(1), x_test=np.zeros(1), y_test=np.zeros(1))
    with pytest.raises(ValueError, match="allow_pickle"):
        mnist.load_data()


def _idx(path, header, payload):
    with gzip.open(path, "wb") as f:
        f.write(header + payload.tobytes())


def test_fashion_mnist_reads_idx_files(home):
    folder = home / "fashion-mnist"
    folder.mkdir()
    rng = np.random.RandomState(1)
    x_train = rng.randint(0, 256, (3, 28, 28)).astype(np.uint8)
    x_test = rng.randint(0, 256, (2, 28, 28)).astype(np.uint8)
    y_train = np.array([4, 0, 9], np.uint8)
    y_test = np.array([1, 2], np.uint8)
    # IDX headers: magic number and sizes, big-endian int32 (8 bytes labels, 16 images)
    _idx(folder / "train-labels-idx1-ubyte.gz", np.array([2049, 3], ">i4").tobytes(), y_train)
    _idx(folder / "train-images-idx3-ubyte.gz", np.array([2051, 3, 28, 28], ">i4").tobytes(),
         x_train)
    _idx(folder / "t10k-labels-idx1-ubyte.gz", np.array([2049, 2], ">i4").tobytes(), y_test)
    _idx(folder / "t10k-images-idx3-ubyte.gz", np.array([2051, 2, 28, 28], ">i4").tobytes(),
         x_test)
    (a, b), (c, d) = fashion_mnist.load_data()
    np.testing.assert_array_equal(a, x_train)
    assert b.tolist() == [4, 0, 9]
    np.testing.assert_array_equal(c, x_test)
    assert d.tolist() == [1, 2]


def test_boston_housing_shuffle_and_split(home):
    x = np.arange(20 * 13, dtype=np.float64).reshape(20, 13)
    y = np.arange(20, dtype=np.float64) * 1.5
    np.savez(home / "boston_housing.npz", x=x, y=y)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.25, seed=5)
    # as TF 1.15: np.random.seed(seed); np.random.shuffle(arange(n)); first 75% for training
    rng = np.random.RandomState(5)
    order = np.arange(20)
    rng.shuffle(order)
    np.testing.assert_array_equal(x_train, x[order[:15]])
    np.testing.assert_array_equal(y_train, y[order[:15]])
    np.testing.assert_array_equal(x_test, x[order[15:]])
    np.testing.assert_array_equal(y_test, y[order[15:]])
    assert os.path.isfile(home / "boston_housing.npz")
