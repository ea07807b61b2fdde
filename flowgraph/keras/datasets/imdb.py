"""`tf.keras.datasets.imdb` (TF 1.15), from the cached ``imdb.npz`` and
``imdb_word_index.json`` (see `flowgraph.keras.datasets`). The object arrays of ``imdb.npz``
are read with a restricted Unpickler (numpy arrays and lists of ints only), not with
``np.load(allow_pickle=True)``, so a tampered file cannot run code."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.keras.datasets._text import (
    encode,
    legacy_num_words,
    read_npz,
    read_word_index,
    to_array,
)

__all__ = ["load_data", "get_word_index"]


def load_data(path: str = "imdb.npz", num_words: Optional[int] = None, skip_top: int = 0,
              maxlen: Optional[int] = None, seed: int = 113, start_char: Optional[int] = 1,
              oov_char: Optional[int] = 2, index_from: int = 3, **kwargs: Any) -> tuple:
    """``(x_train, y_train), (x_test, y_test)``: reviews as lists of word ids (train and test
    each shuffled with ``np.random.seed(seed)``), rewritten as TF 1.15 does: ids shifted by
    `index_from`, `start_char` prepended, reviews of `maxlen` words or more dropped, ids
    outside ``[skip_top, num_words)`` replaced by `oov_char` (dropped when it is None). As in
    TF 1.15 the train / test split after `maxlen` filtering is at the original number of
    training reviews."""
    num_words = legacy_num_words(num_words, kwargs)
    x_train, labels_train, x_test, labels_test = read_npz(
        path, "imdb", ["x_train", "y_train", "x_test", "y_test"])
    np.random.seed(seed)
    indices = np.arange(len(x_train))
    np.random.shuffle(indices)
    x_train = x_train[indices]
    labels_train = labels_train[indices]
    indices = np.arange(len(x_test))
    np.random.shuffle(indices)
    x_test = x_test[indices]
    labels_test = labels_test[indices]
    xs = list(x_train) + list(x_test)
    labels = np.concatenate([labels_train, labels_test])
    xs, labels = encode(xs, labels, num_words, skip_top, maxlen, start_char, oov_char,
                        index_from, check_empty=True)
    idx = len(x_train)
    x_train, y_train = to_array(xs[:idx]), np.array(labels[:idx])
    x_test, y_test = to_array(xs[idx:]), np.array(labels[idx:])
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path: str = "imdb_word_index.json") -> dict:
    """The word -> index dict of ``imdb_word_index.json`` (indices before `index_from`)."""
    return read_word_index(path, "imdb")
