"""What `imdb` and `reuters` share: TF 1.15's word-index rewriting of the sequences, the
word-index json, and building the returned arrays."""

from __future__ import annotations

import json
import logging
from typing import Any, Optional

import numpy as np

from flowgraph.keras.datasets._cache import find
from flowgraph.keras.datasets._safe_pickle import load_npz

__all__ = ["legacy_num_words", "read_npz", "encode", "to_array", "read_word_index"]


def legacy_num_words(num_words: Optional[int], kwargs: dict) -> Optional[int]:
    """TF 1.15's ``nb_words`` alias of `num_words`; TypeError for any other extra keyword."""
    if "nb_words" in kwargs:
        logging.warning("The `nb_words` argument in `load_data` has been renamed `num_words`.")
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError("Unrecognized keyword arguments: " + str(kwargs))
    return num_words


def read_npz(path: str, dataset: str, keys: list) -> list:
    """The arrays `keys` of the cached ``.npz`` `path` (object arrays read safely)."""
    full = find(path, dataset)
    arrays = load_npz(full)
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f"{dataset}.load_data: {full} has no array(s) {missing} "
                         f"(it has {sorted(arrays)}); is it the right file?")
    return [arrays[k] for k in keys]


def _remove_long_seq(maxlen: int, seq: list, label: Any) -> tuple:
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


def encode(xs: Any, labels: Any, num_words: Optional[int], skip_top: int,
           maxlen: Optional[int], start_char: Optional[int], oov_char: Optional[int],
           index_from: int, check_empty: bool) -> tuple:
    """TF 1.15's rewriting: shift word ids by `index_from`, prepend `start_char`, drop
    sequences of `maxlen` words or more, then replace (or drop, when `oov_char` is None) ids
    outside ``[skip_top, num_words)``."""
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    if maxlen:
        xs, labels = _remove_long_seq(maxlen, xs, labels)
        if check_empty and not xs:
            raise ValueError("After filtering for sequences shorter than maxlen=" +
                             str(maxlen) + ", no sequence was kept. Increase maxlen.")
    if not num_words:
        num_words = max([max(x) for x in xs])
    if oov_char is not None:
        xs = [[w if (skip_top <= w < num_words) else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    return xs, labels


def to_array(seqs: list) -> np.ndarray:
    """``np.array(seqs)`` as the numpy of TF 1.15 built it: a 2-D int array when all the
    sequences have one length, else a 1-D object array of lists."""
    if seqs and len({len(s) for s in seqs}) == 1:
        return np.array(seqs)
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def read_word_index(path: str, dataset: str) -> dict:
    """The word -> index dict of the cached json `path`."""
    with open(find(path, dataset)) as f:
        return json.load(f)
