"""Feature lookup ops: bucketizing numbers, vocabulary lookups, id range checks.

These are the kernels behind feature columns (`flowgraph.feature_column`):
- `Bucketize`: the index of the bucket each value falls in, as TF1's ``Bucketize`` op;
- `VocabularyLookup`: each key's position in a vocabulary, with TF1's default value and
  out-of-vocabulary hash buckets (``index_table_from_tensor`` / ``_from_file``); the
  vocabulary is an attribute of the op, so no table initializer has to run;
- `CheckIdsInRange`: passes ids through, or fails naming the feature when one is out of
  [0, num_buckets) (TF1's asserts of ``categorical_column_with_identity``).
"""

from __future__ import annotations

import functools
from typing import Any, Optional, Tuple

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.farmhash import fingerprint64
from flowgraph.ops.registry import Op, apply_op, register

__all__: list = []


# --------------------------------------------------------------------------- bucketize
@register
class Bucketize(Op):
    """For each value, the number of `boundaries` at or below it (int32): values below
    boundaries[0] go to bucket 0, boundaries[i-1] <= v < boundaries[i] to bucket i, and
    values at or above the last boundary to bucket len(boundaries)."""

    boundaries: Tuple[float, ...] = ()

    differentiable = False

    def check(self) -> None:
        b = self.boundaries
        if any(b[i] > b[i + 1] for i in range(len(b) - 1)):
            raise ValueError(f"Bucketize: boundaries must be sorted, got {list(b)}")

    def infer(self, op):
        check_dtype(op, op.inputs[0], "fiu", "input")
        return [(dtypes.int32, op.inputs[0].shape)]

    def kernel(self, x):
        # TF1 keeps boundaries as float32 and compares each value with them.
        edges = np.asarray(self.boundaries, dtype=np.float32).astype(np.float64)
        return np.searchsorted(edges, x.astype(np.float64), side="right").astype(np.int32)


def bucketize(input: Any, boundaries: Any, name: Optional[str] = None) -> Tensor:
    """The bucket index of each value (int32) given sorted `boundaries` (TF1's
    ``math_ops._bucketize``): bucket i holds boundaries[i-1] <= v < boundaries[i]."""
    x = convert_to_tensor(input)
    return apply_op(Bucketize(boundaries=tuple(float(b) for b in boundaries)), [x], name=name)


# --------------------------------------------------------------------------- vocabulary
@register
class VocabularyLookup(Op):
    """The int64 id of each key: its position in `vocabulary` (strings as bytes, or
    integers), else ``len(vocabulary) + Fingerprint64(key) % num_oov_buckets`` when there
    are out-of-vocabulary buckets (integer keys hash as their decimal strings), else
    `default_value`. TF1's hash table lookup with ``IdTableWithHashBuckets``."""

    vocabulary: Tuple[Any, ...] = ()
    default_value: int = -1
    num_oov_buckets: int = 0

    differentiable = False

    def check(self) -> None:
        if self.num_oov_buckets < 0:
            raise ValueError(f"VocabularyLookup: num_oov_buckets must be >= 0, got "
                             f"{self.num_oov_buckets}")
        kinds = {isinstance(v, bytes) for v in self.vocabulary}
        if len(kinds) > 1:
            raise TypeError("VocabularyLookup: the vocabulary mixes strings and integers")

    @property
    def string_keys(self) -> bool:
        return bool(self.vocabulary) and isinstance(self.vocabulary[0], bytes)

    @functools.cached_property
    def table(self) -> dict:
        table: dict = {}
        for i, key in enumerate(self.vocabulary):
            table.setdefault(key, i)  # the first occurrence wins, as a file-backed table
        return table

    def infer(self, op):
        keys = op.inputs[0]
        if self.string_keys:
            check_dtype(op, keys, "S", "keys")
        else:
            check_dtype(op, keys, "iu", "keys")
        return [(dtypes.int64, keys.shape)]

    def kernel(self, keys):
        table, size, oov = self.table, len(self.vocabulary), self.num_oov_buckets
        flat = keys.reshape(-1)
        out = np.empty(flat.shape, dtype=np.int64)
        for i, key in enumerate(flat):
            if self.string_keys:
                key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
            else:
                key = int(key)
            found = table.get(key)
            if found is not None:
                out[i] = found
            elif oov:
                text = key if self.string_keys else str(key).encode("ascii")
                out[i] = size + fingerprint64(text) % oov
            else:
                out[i] = self.default_value
        return out.reshape(keys.shape)


def vocabulary_lookup(keys: Any, vocabulary: Any, default_value: int = -1,
                      num_oov_buckets: int = 0, name: Optional[str] = None) -> Tensor:
    """The int64 id of each key in `vocabulary` (a list of strings or integers); unknown keys
    get `default_value`, or one of `num_oov_buckets` hash buckets after the vocabulary."""
    keys = convert_to_tensor(keys)
    vocab = tuple(v.encode("utf-8") if isinstance(v, str) else
                  bytes(v) if isinstance(v, (bytes, np.bytes_)) else int(v) for v in vocabulary)
    return apply_op(VocabularyLookup(vocabulary=vocab, default_value=default_value,
                                     num_oov_buckets=num_oov_buckets), [keys], name=name)


# --------------------------------------------------------------------------- range check
@register
class CheckIdsInRange(Op):
    """Returns the int64 ids unchanged, or raises InvalidArgumentError naming `feature`
    when one is negative or not below `num_buckets`."""

    num_buckets: int = 1
    feature: str = ""

    differentiable = False

    def infer(self, op):
        check_dtype(op, op.inputs[0], "iu", "ids")
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, ids):
        bad = (ids < 0) | (ids >= self.num_buckets)
        if np.any(bad):
            value = ids[bad].reshape(-1)[0]
            where = f" of feature {self.feature!r}" if self.feature else ""
            raise errors.InvalidArgumentError(
                None, None, f"Id {value}{where} is out of range [0, {self.num_buckets}): "
                f"categorical_column_with_identity needs ids in [0, num_buckets), or a "
                f"default_value for the others")
        return ids.copy()


def check_ids_in_range(ids: Any, num_buckets: int, feature: str = "",
                       name: Optional[str] = None) -> Tensor:
    """`ids` unchanged when every one is in [0, num_buckets); InvalidArgumentError naming
    `feature` otherwise (raised when run)."""
    return apply_op(CheckIdsInRange(num_buckets=num_buckets, feature=feature),
                    [convert_to_tensor(ids)], name=name)
