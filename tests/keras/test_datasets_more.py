"""tf.keras.datasets cifar10 / cifar100 / imdb / reuters, read from small fake files in the
cache layout TF 1.15 uses. Reference values for imdb / reuters come from Keras 2 (tf_keras)
run on the same files (where TF 1.15's code is the same), or are derived by hand."""

import json
import os
import pickle

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras.datasets import _cache, cifar10, cifar100, imdb, reuters


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(_cache, "TMP_BASE", str(tmp_path / "tmp-keras"))
    folder = tmp_path / ".keras" / "datasets"
    folder.mkdir(parents=True)
    return folder


def _obj(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def _write_batch(path, data, labels, label_key=b"labels"):
    # the real files are Python 2 pickles: bytes keys, numpy uint8 data, list labels
    d = {b"batch_label": b"fake batch", b"data": data, label_key: labels,
         b"filenames": [b"x.png"] * len(labels)}
    with open(path, "wb") as f:
        pickle.dump(d, f, protocol=2)


def _pixel(data, i, row, col, channel):
    # CIFAR rows: 1024 red values, then green, then blue, each row-major over 32 x 32
    return data[i, channel * 1024 + row * 32 + col]


def test_cifar10_layout(home):
    folder = home / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.RandomState(0)
    batches = []
    for i in range(1, 6):
        data = rng.randint(0, 256, (2, 3072)).astype(np.uint8)
        labels = [i, 9 - i]
        _write_batch(folder / f"data_batch_{i}", data, labels)
        batches.append((data, labels))
    test_data = rng.randint(0, 256, (3, 3072)).astype(np.uint8)
    _write_batch(folder / "test_batch", test_data, [7, 8, 9])
    (x_train, y_train), (x_test, y_test) = fg.keras.datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert y_train.shape == (10, 1) and y_test.shape == (3, 1)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert y_test.dtype == np.uint8
    assert y_train[:, 0].tolist() == [1, 8, 2, 7, 3, 6, 4, 5, 5, 4]
    assert y_test[:, 0].tolist() == [7, 8, 9]
    for i, r, c, ch in [(0, 0, 0, 0), (1, 5, 31, 2), (0, 17, 3, 1)]:
        for b, (data, _) in enumerate(batches):
            assert x_train[2 * b + i, r, c, ch] == _pixel(data, i, r, c, ch)
        assert x_test[2, r, c, ch] == _pixel(test_data, 2, r, c, ch)


def test_cifar10_channels_first(home, monkeypatch):
    folder = home / "cifar-10-batches-py"
    folder.mkdir()
    data = np.arange(3072 * 2, dtype=np.int64).reshape(2, 3072).astype(np.uint8)
    for i in range(1, 6):
        _write_batch(folder / f"data_batch_{i}", data, [0, 1])
    _write_batch(folder / "test_batch", data, [1, 0])
    monkeypatch.setattr(fg.keras.backend, "image_data_format", lambda: "channels_first")
    (x_train, _), (x_test, _) = cifar10.load_data()
    assert x_train.shape == (10, 3, 32, 32)
    assert x_test[1, 2, 4, 5] == _pixel(data, 1, 4, 5, 2)


def test_cifar100_label_modes(home):
    folder = home / "cifar-100-python"
    folder.mkdir()
    data = np.random.RandomState(1).randint(0, 256, (4, 3072)).astype(np.uint8)
    for name, fine, coarse in [("train", [10, 20, 30, 99], [1, 2, 3, 19]),
                               ("test", [5, 6, 7, 8], [0, 0, 1, 1])]:
        d = {b"data": data, b"fine_labels": fine, b"coarse_labels": coarse}
        with open(folder / name, "wb") as f:
            pickle.dump(d, f, protocol=2)
    (x_train, y_train), (x_test, y_test) = cifar100.load_data()
    assert y_train[:, 0].tolist() == [10, 20, 30, 99] and y_train.shape == (4, 1)
    assert y_train.dtype == np.int64  # np.reshape of the label list, as TF 1.15
    assert y_test[:, 0].tolist() == [5, 6, 7, 8]
    assert x_train.shape == (4, 32, 32, 3) and x_train.dtype == np.uint8
    assert x_train[3, 30, 1, 1] == _pixel(data, 3, 30, 1, 1)
    (_, y_train), (_, y_test) = cifar100.load_data(label_mode="coarse")
    assert y_train[:, 0].tolist() == [1, 2, 3, 19]
    assert y_test[:, 0].tolist() == [0, 0, 1, 1]
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium")


def test_cifar_missing_folder_says_where(home):
    with pytest.raises(FileNotFoundError, match="cifar-10-batches-py") as info:
        cifar10.load_data()
    assert str(home / "cifar-10-batches-py") in str(info.value)
    assert "cifar-10-python.tar.gz" in str(info.value)


class _Evil:
    def __reduce__(self):
        return (os.getcwd, ())


def test_cifar_pickle_cannot_run_code(home):
    folder = home / "cifar-10-batches-py"
    folder.mkdir()
    with open(folder / "data_batch_1", "wb") as f:
        pickle.dump({b"data": _Evil(), b"labels": [1]}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="posix.getcwd|os.getcwd"):
        cifar10.load_data()


def _write_imdb(home):
    np.savez(home / "imdb.npz", x_train=_obj([[1, 2, 3], [4, 5], [6], [7, 8, 9, 10]]),
             y_train=np.array([0, 1, 0, 1]), x_test=_obj([[2, 2], [11, 1, 5]]),
             y_test=np.array([1, 0]))


def _lists(x):
    return [list(s) for s in x]


def test_imdb_defaults_and_word_limits(home):
    _write_imdb(home)
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    assert _lists(x_train) == [[1, 10, 11, 12, 13], [1, 9], [1, 4, 5, 6], [1, 7, 8]]
    assert y_train.tolist() == [1, 0, 0, 1]
    assert _lists(x_test) == [[1, 2, 4, 8], [1, 5, 5]]
    assert y_test.tolist() == [0, 1]
    assert x_train.dtype == object and y_train.dtype == np.int64
    (x_train, _), (x_test, _) = imdb.load_data(num_words=8, skip_top=4)
    assert _lists(x_train) == [[2, 2, 2, 2, 2], [2, 2], [2, 4, 5, 6], [2, 7, 2]]
    assert _lists(x_test) == [[2, 2, 4, 2], [2, 5, 5]]
    (x_train, _), (x_test, _) = imdb.load_data(oov_char=None, num_words=8)
    assert _lists(x_train) == [[1], [1], [1, 4, 5, 6], [1, 7]]
    assert _lists(x_test) == [[1, 4], [1, 5, 5]]
    (x_train, y_train), (x_test, y_test) = imdb.load_data(seed=5, index_from=0)
    assert _lists(x_train) == [[1, 1, 2, 3], [1, 4, 5], [1, 6], [1, 7, 8, 9, 10]]
    assert y_train.tolist() == [0, 1, 0, 1]
    assert _lists(x_test) == [[1, 2, 2], [1, 2, 1, 5]] and y_test.tolist() == [1, 0]


def test_imdb_maxlen_splits_as_tf115(home):
    # TF 1.15 filters train + test together, then splits at the original train size (4):
    # the three sequences shorter than 4 all land in the training set; num_words is then
    # the largest kept id, 9, and ids must be < num_words, so 9 becomes oov_char 2
    _write_imdb(home)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(maxlen=4)
    assert _lists(x_train) == [[1, 2], [1, 7, 8], [1, 5, 5]]
    assert y_train.tolist() == [0, 1, 1]
    assert len(x_test) == 0 and len(y_test) == 0
    with pytest.raises(ValueError, match="Increase maxlen"):
        imdb.load_data(maxlen=1)


def test_imdb_legacy_and_bad_kwargs(home):
    _write_imdb(home)
    (x_train, _), _ = imdb.load_data(nb_words=8, skip_top=4)
    assert _lists(x_train)[3] == [2, 7, 2]
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        imdb.load_data(num_word=3)


def test_imdb_object_array_cannot_run_code(home):
    evil = np.empty(1, dtype=object)
    evil[0] = _Evil()
    np.savez(home / "imdb.npz", x_train=evil, y_train=np.array([0]), x_test=evil,
             y_test=np.array([0]))
    with pytest.raises(pickle.UnpicklingError, match="getcwd"):
        imdb.load_data()


def test_reuters(home):
    np.savez(home / "reuters.npz",
             x=_obj([[1, 2], [3, 4, 5], [6], [7, 8, 9], [10, 1], [2, 3, 4, 5, 6]]),
             y=np.array([0, 3, 1, 2, 3, 0]))
    (x_train, y_train), (x_test, y_test) = fg.keras.datasets.reuters.load_data()
    assert _lists(x_train) == [[1, 6, 7, 8], [1, 4, 5], [1, 10, 11, 12], [1, 9]]
    assert y_train.tolist() == [3, 0, 2, 1]
    assert _lists(x_test) == [[1, 2, 4], [1, 5, 6, 7, 8, 9]] and y_test.tolist() == [3, 0]
    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=9, test_split=0.5)
    assert _lists(x_train) == [[1, 6, 7, 8], [1, 4, 5], [1, 2, 2, 2]]
    assert y_train.tolist() == [3, 0, 2]
    assert _lists(x_test) == [[1, 2], [1, 2, 4], [1, 5, 6, 7, 8, 2]]
    assert y_test.tolist() == [1, 3, 0]
    (x_train, y_train), (x_test, y_test) = reuters.load_data(maxlen=3)
    assert len(x_train) == 0 and _lists(x_test) == [[1, 2]] and y_test.tolist() == [1]


def test_equal_length_sequences_give_2d_array(home):
    np.savez(home / "reuters.npz", x=_obj([[1, 2], [3, 4], [5, 6], [7, 8], [9, 1]]),
             y=np.array([0, 1, 2, 3, 4]))
    (x_train, _), _ = reuters.load_data()
    assert x_train.shape == (4, 3) and x_train.dtype.kind == "i"


def test_word_indexes(home):
    (home / "imdb_word_index.json").write_text(json.dumps({"the": 1, "movie": 17}))
    (home / "reuters_word_index.json").write_text(json.dumps({"said": 3}))
    assert imdb.get_word_index() == {"the": 1, "movie": 17}
    assert fg.keras.datasets.reuters.get_word_index() == {"said": 3}
    with pytest.raises(FileNotFoundError, match="imdb.npz"):
        imdb.load_data()
