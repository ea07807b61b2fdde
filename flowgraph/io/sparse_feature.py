"""TF1's ``tf.io.SparseFeature``: a SparseTensor built from an index feature and a value
feature of each example, as ``fg.io.parse_example`` / ``parse_single_example`` parse it.

>>> spec = {"weights": fg.io.SparseFeature("ids", "w", fg.float32, size=100)}
>>> fg.io.parse_example(serialized, spec)["weights"]   # SparseTensor, dense shape [batch, 100]

Parsing reads the index and value keys as VarLenFeatures and merges them with
``sparse_merge`` (as TF does), so the value at position ``i`` of the value list lands at
column ``index[i]``; the index and value lists of an example must have the same length.
"""

from __future__ import annotations

import collections
from typing import Any

from flowgraph import dtypes
from flowgraph.io.example_spec import VarLenFeature

__all__ = ["SparseFeature"]


class SparseFeature(collections.namedtuple(
        "SparseFeature", ["index_key", "value_key", "dtype", "size", "already_sorted"])):
    """A sparse feature read from an index feature and a value feature of each example
    (TF1's ``tf.io.SparseFeature``).

    Parameters
    ----------
    index_key : str or list of str
        The int64 feature(s) holding each value's index; a list gives one index feature per
        dimension (a SparseTensor of rank ``1 + len(index_key)``).
    value_key : str
        The feature holding the values.
    dtype : DType
        The values' type (float32, int64 or string).
    size : int or list of int
        The dense size of each index dimension (a list when `index_key` is a list).
    already_sorted : bool
        The indices are already sorted in each example (skips a reorder).
    """

    def __new__(cls, index_key: Any, value_key: Any, dtype: Any, size: Any,
                already_sorted: bool = False) -> "SparseFeature":
        dtype = None if dtype is None else dtypes.as_dtype(dtype)
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


def _index_keys(spec: SparseFeature) -> list:
    return [spec.index_key] if isinstance(spec.index_key, str) else list(spec.index_key)


def expand_sparse_features(features: dict) -> tuple:
    """(raw features, has SparseFeature): each SparseFeature replaced by VarLenFeatures of
    its index keys (int64) and value key, with TF's build-time checks."""
    if not isinstance(features, dict) or not any(
            isinstance(s, SparseFeature) for s in features.values()):
        return features, False
    raw = {k: s for k, s in features.items() if not isinstance(s, SparseFeature)}
    extra: dict = {}
    for key in sorted(features):
        spec = features[key]
        if not isinstance(spec, SparseFeature):
            continue
        if not spec.index_key:
            raise ValueError(f"Missing index_key for SparseFeature {spec}.")
        if not spec.value_key:
            raise ValueError(f"Missing value_key for SparseFeature {spec}.")
        if spec.dtype is None:
            raise ValueError(f"Missing type for feature {key}. Received feature={spec}.")
        sizes = spec.size if isinstance(spec.index_key, (list, tuple)) else [spec.size]
        if not isinstance(sizes, (list, tuple)) or len(sizes) != len(_index_keys(spec)):
            raise ValueError(f"SparseFeature {key!r}: size must give one dense size per "
                             f"index key ({_index_keys(spec)}), got {spec.size!r}")
        wanted = [(k, dtypes.int64) for k in sorted(_index_keys(spec))]
        wanted.append((spec.value_key, spec.dtype))
        for raw_key, dtype in wanted:
            _add(raw, extra, raw_key, dtype)
    raw.update(extra)
    return raw, True


def _add(raw: dict, extra: dict, key: str, dtype: dtypes.DType) -> None:
    """Adds VarLenFeature(dtype) for `key`, unless the same is already asked for."""
    existing = raw.get(key, extra.get(key))
    if existing is None:
        extra[key] = VarLenFeature(dtype)
        return
    if isinstance(existing, VarLenFeature):
        if existing.dtype != dtype:
            raise ValueError(f"Conflicting type {existing.dtype!r} vs {dtype!r} for feature "
                             f"{key}.")
        return
    raise ValueError(f"Dense and sparse keys must not intersect; feature {key!r} is both a "
                     f"{type(existing).__name__} and the index or value key of a "
                     "SparseFeature: parse it under one kind only")


def merge_sparse_features(features: dict, parsed: dict) -> dict:
    """The parse result for `features`: SparseFeatures merged from their index and value
    SparseTensors, and the helper keys not asked for dropped."""
    from flowgraph.ops.sparse_extra import sparse_merge
    result = dict(parsed)
    for key in sorted(features):
        spec = features[key]
        if isinstance(spec, SparseFeature):
            parsed = dict(parsed)
            parsed[spec.value_key] = _checked_values(parsed, spec)
            if isinstance(spec.index_key, str):
                ids, sizes = parsed[spec.index_key], spec.size
                result[key] = sparse_merge(ids, parsed[spec.value_key], sizes,
                                           already_sorted=spec.already_sorted)
            else:
                ids = [parsed[k] for k in spec.index_key]
                result[key] = _merge_many(ids, parsed[spec.value_key], list(spec.size),
                                          spec.already_sorted)
    return {k: v for k, v in result.items() if k in features}


def _merge_many(sp_ids: list, sp_values: Any, sizes: list, already_sorted: bool) -> Any:
    """TF's sparse_merge for a list of id SparseTensors (one per output dimension)."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.cast import cast
    from flowgraph.ops.constant import constant
    from flowgraph.ops.elementwise import op_scope
    from flowgraph.ops.shape_ops import expand_dims
    from flowgraph.ops.sparse import sparse_reorder
    from flowgraph.sparse_tensor import SparseTensor
    with op_scope(None, "SparseMerge", [sp_values.values]):
        columns = [expand_dims(cast(ids.values, dtypes.int64), 1) for ids in sp_ids]
        indices = concat([sp_ids[0].indices[:, :-1]] + columns, 1)
        size = constant([int(s) for s in sizes], dtype=dtypes.int64)
        shape = concat([sp_ids[0].dense_shape[:-1], size], 0)
        result = SparseTensor(indices, sp_values.values, shape)
        if already_sorted:
            return result
        ordered = sparse_reorder(result)
        return SparseTensor(ordered.indices, ordered.values, shape)


def _checked_values(parsed: dict, spec: SparseFeature) -> Any:
    """The value SparseTensor, with a run-time check that each index list has as many
    entries as the value list (TF's SparseReorder error)."""
    from flowgraph.ops.check_ops import assert_equal
    from flowgraph.ops.constant import identity
    from flowgraph.ops.shape_ops import shape
    from flowgraph.sparse_tensor import SparseTensor
    values = parsed[spec.value_key]
    count = shape(values.values, out_type=dtypes.int64)[0]
    checks = [assert_equal(shape(parsed[k].values, out_type=dtypes.int64)[0], count,
                           message=f"SparseFeature: the number of elements in indices "
                                   f"({k!r}) and values ({spec.value_key!r}) do not match; "
                                   "each example needs one index per value")
              for k in _index_keys(spec)]
    with values.values.graph.control_dependencies(checks):
        return SparseTensor(values.indices, identity(values.values), values.dense_shape)
