"""`tf.keras.datasets.reuters` (TF 1.15), from the cached ``reuters.npz`` and
``reuters_word_index.json`` (see `flowgraph.keras.datasets`). The object array of
``reuters.npz`` is read with a restricted Unpickler (numpy arrays and lists of ints only),
not with ``np.load(allow_pickle=True)``, so a tampered file cannot run code."""

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


def load_data(path: str = "reuters.npz", num_words: Optional[int] = None, skip_top: int = 0,
              maxlen: Optional[int] = None, test_split: float = 0.2, seed: int = 113,
              start_char: Optional[int] = 1, oov_char: Optional[int] = 2, index_from: int = 3,
              **kwargs: Any) -> tuple:
    """``(x_train, y_train), (x_test, y_test)``: newswires as lists of word ids, shuffled
    with ``np.random.seed(seed)``, rewritten as in `imdb.load_data`, the last `test_split`
    of them for testing; labels are the 46 topics."""
    num_words = legacy_num_words(num_words, kwargs)
    xs, labels = read_npz(path, "reuters", ["x", "y"])
    np.random.seed(seed)
    indices = np.arange(len(xs))
    np.random.shuffle(indices)
    xs = xs[indices]
    labels = labels[indices]
    xs, labels = encode(list(xs), labels, num_words, skip_top, maxlen, start_char, oov_char,
                        index_from, check_empty=False)
    idx = int(len(xs) * (1 - test_split))
    x_train, y_train = to_array(xs[:idx]), np.array(labels[:idx])
    x_test, y_test = to_array(xs[idx:]), np.array(labels[idx:])
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path: str = "reuters_word_index.json") -> dict:
    """The word -> index dict of ``reuters_word_index.json``."""
    return read_word_index(path, "reuters")
