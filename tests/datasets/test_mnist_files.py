"""fg.datasets.mnist file readers: read_idx (round trips, damaged and lying files),
load_data, and TF1's read_data_sets / DataSet. The IDX files are written here, in tmp_path,
from the embedded digits."""

import gzip
import struct
import tracemalloc

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.datasets import mnist

(X_TRAIN, Y_TRAIN), (X_TEST, Y_TEST) = mnist.load_embedded()
X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = X_TRAIN[:300], Y_TRAIN[:300], X_TEST[:100], Y_TEST[:100]
CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype("i2"): 0x0B,
         np.dtype("i4"): 0x0C, np.dtype("f4"): 0x0D, np.dtype("f8"): 0x0E}


def idx_bytes(array, code=None, dims=None):
    """An IDX file's bytes, written independently of the reader."""
    array = np.asarray(array)
    code = CODES[array.dtype] if code is None else code
    dims = array.shape if dims is None else dims
    header = bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, data, zipped=False):
    if zipped:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


def write_mnist(folder, zipped=(True, False, False, True)):
    arrays = [X_TRAIN, Y_TRAIN, X_TEST, Y_TEST]
    for name, array, gz in zip(mnist.FILES.values(), arrays, zipped):
        write(folder / (name + (".gz" if gz else "")), idx_bytes(array), gz)
    return folder


@pytest.mark.parametrize("zipped", [False, True])
@pytest.mark.parametrize("array", [
    X_TRAIN[:7], Y_TRAIN, np.arange(-60, 60, dtype=np.int8).reshape(2, 3, 4, 5),
    np.arange(-500, 500, 7, dtype=np.int16), np.arange(24, dtype=np.int32).reshape(2, 3, 4) *
    -70000, np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4),
    np.array([[np.pi, -np.e, 1e300]]), np.zeros((0, 28, 28), np.uint8),
], ids=["images", "labels", "int8", "int16", "int32", "float32", "float64", "empty"])
def test_read_idx_round_trips(tmp_path, zipped, array):
    path = write(tmp_path / "a.idx", idx_bytes(array), zipped)
    got = mnist.read_idx(path)
    assert got.dtype == array.dtype.newbyteorder("=") and got.shape == array.shape
    np.testing.assert_array_equal(got, array)
    got[...] = 0   # a writable array of its own


@pytest.mark.parametrize("zipped", [False, True])
def test_truncated_file_is_data_loss(tmp_path, zipped):
    data = idx_bytes(X_TRAIN[:5])
    path = write(tmp_path / "t.idx", data[:-100], zipped)
    with pytest.raises(fg.errors.DataLossError, match="truncated"):
        mnist.read_idx(path)
    path = write(tmp_path / "h.idx", data[:9], zipped)
    with pytest.raises(fg.errors.DataLossError, match="truncated"):
        mnist.read_idx(path)


@pytest.mark.parametrize("zipped", [False, True])
def test_lying_header_allocates_nothing_big(tmp_path, zipped):
    # The header claims 60000 x 784 x 784 bytes (~37 GB) over 10 real images.
    data = idx_bytes(X_TRAIN[:10], dims=(60000, 784, 784))
    path = write(tmp_path / "lie.idx", data, zipped)
    tracemalloc.start()
    try:
        with pytest.raises(fg.errors.DataLossError, match="more than the limit"):
            mnist.read_idx(path)
        # Under the limit but more than the file holds.
        small_lie = write(tmp_path / "lie2.idx", idx_bytes(X_TRAIN[:10], dims=(50000, 28, 28)),
                          zipped)
        with pytest.raises(fg.errors.DataLossError, match="truncated"):
            mnist.read_idx(small_lie)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, f"peak allocation {peak} bytes"


@pytest.mark.parametrize("zipped", [False, True])
def test_trailing_bytes_are_data_loss(tmp_path, zipped):
    path = write(tmp_path / "x.idx", idx_bytes(Y_TRAIN) + b"\0\0", zipped)
    with pytest.raises(fg.errors.DataLossError, match="trailing bytes"):
        mnist.read_idx(path)


@pytest.mark.parametrize("data, message", [
    (b"\x00\x00\x08", "too short for an IDX header"),
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "bad magic number 0x01000801"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown IDX dtype code 0x07"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (b"\x00\x00\x08\x09" + b"\x00\x00\x00\x01" * 9 + b"\x05", "9 dimensions"),
    (b"\x00\x00\x08\x01\xff\xff\xff\xff", "exceed"),
])
def test_bad_headers(tmp_path, data, message):
    path = write(tmp_path / "bad.idx", data)
    with pytest.raises(fg.errors.DataLossError, match=message):
        mnist.read_idx(path)


def test_damaged_gzip_is_data_loss(tmp_path):
    data = bytearray(gzip.compress(idx_bytes(X_TRAIN[:20])))
    data[len(data) // 2] ^= 0xFF
    data[len(data) // 2 + 1] ^= 0xFF
    path = write(tmp_path / "damaged.idx.gz", bytes(data))
    with pytest.raises(fg.errors.DataLossError, match="damaged.idx.gz"):
        mnist.read_idx(path)


def test_load_data_reads_gz_and_plain_files(tmp_path):
    (x, y), (xt, yt) = mnist.load_data(write_mnist(tmp_path))
    for got, want in [(x, X_TRAIN), (y, Y_TRAIN), (xt, X_TEST), (yt, Y_TEST)]:
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


def test_missing_file_says_which_file_to_put_where(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(fg.errors.NotFoundError) as info:
        mnist.load_data(tmp_path)
    message = str(info.value)
    assert "t10k-labels-idx1-ubyte.gz" in message and str(tmp_path) in message
    assert "never downloads" in message


def test_load_data_checks_the_pairs(tmp_path):
    write_mnist(tmp_path)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(Y_TRAIN[:-1]))
    with pytest.raises(fg.errors.DataLossError, match="299 labels for the 300 images"):
        mnist.load_data(tmp_path)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(Y_TRAIN.astype(np.int32)))
    with pytest.raises(fg.errors.DataLossError, match="uint8 labels"):
        mnist.load_data(tmp_path)


def test_read_data_sets_splits_and_formats(tmp_path):
    data = mnist.read_data_sets(write_mnist(tmp_path), validation_size=50)
    assert isinstance(data, mnist.Datasets)
    assert (data.train.num_examples, data.validation.num_examples,
            data.test.num_examples) == (250, 50, 100)
    assert data.train.images.shape == (250, 784) and data.train.images.dtype == np.float32
    np.testing.assert_allclose(data.validation.images, X_TRAIN[:50].reshape(50, -1) / 255.0,
                               rtol=1e-6)
    np.testing.assert_array_equal(data.train.labels, Y_TRAIN[50:])
    assert 0.0 <= data.test.images.min() and data.test.images.max() <= 1.0

    hot = mnist.read_data_sets(tmp_path, one_hot=True, dtype=fg.uint8, reshape=False,
                               validation_size=0)
    assert hot.train.labels.shape == (300, 10) and hot.validation.num_examples == 0
    np.testing.assert_array_equal(hot.train.labels.argmax(axis=1), Y_TRAIN)
    assert hot.train.images.shape == (300, 28, 28, 1) and hot.train.images.dtype == np.uint8


def test_read_data_sets_argument_errors(tmp_path):
    write_mnist(tmp_path)
    with pytest.raises(ValueError, match="Validation size should be between 0 and 300"):
        mnist.read_data_sets(tmp_path, validation_size=301)
    with pytest.raises(TypeError, match="expected uint8 or float32"):
        mnist.read_data_sets(tmp_path, dtype=fg.float64, validation_size=10)
    with pytest.raises(fg.errors.NotFoundError, match="train-images-idx3-ubyte"):
        mnist.read_data_sets(tmp_path / "nowhere")


def test_next_batch_epochs_and_shuffling(tmp_path):
    data = mnist.read_data_sets(write_mnist(tmp_path), validation_size=200, seed=4)
    train = data.train                     # 100 examples
    seen, labels = [], []
    for step in range(4):                  # 4 x 30 = 120: the 4th batch crosses the epoch
        images, batch_labels = train.next_batch(30)
        assert images.shape == (30, 784) and len(batch_labels) == 30
        seen.append(images)
        labels.append(batch_labels)
        assert train.epochs_completed == (1 if step == 3 else 0)
    first_epoch = np.concatenate(seen)[:100]
    # Every example exactly once in the first epoch, shuffled.
    pool = X_TRAIN[200:].reshape(100, -1)
    order = [int(np.flatnonzero((pool == np.round(img * 255)).all(axis=1))[0])
             for img in first_epoch]
    assert sorted(order) == list(range(100)) and order != list(range(100))
    np.testing.assert_array_equal(np.concatenate(labels)[:100], Y_TRAIN[200:][order])
    # The same seed replays the same batches; another seed does not.
    again = mnist.read_data_sets(tmp_path, validation_size=200, seed=4).train
    other = mnist.read_data_sets(tmp_path, validation_size=200, seed=5).train
    np.testing.assert_array_equal(again.next_batch(30)[0], seen[0])
    assert not np.array_equal(other.next_batch(30)[0], seen[0])


def test_next_batch_without_shuffle_wraps_in_order(tmp_path):
    test = mnist.read_data_sets(write_mnist(tmp_path), validation_size=0).test
    for _ in range(3):
        test.next_batch(30, shuffle=False)
    images, labels = test.next_batch(30, shuffle=False)
    np.testing.assert_array_equal(labels, np.concatenate([Y_TEST[90:], Y_TEST[:20]]))
    assert test.epochs_completed == 1 and images.shape == (30, 784)


def test_fake_data():
    data = mnist.read_data_sets("unused", fake_data=True, one_hot=True)
    assert data.train.num_examples == 10000
    images, labels = data.train.next_batch(5, fake_data=True)
    assert np.shape(images) == (5, 784) and labels[0] == [1] + [0] * 9
