"""Categorical columns: vocabulary list / file, identity and hash bucket (TF1 v1
``VocabularyListCategoricalColumn``, ``VocabularyFileCategoricalColumn``,
``IdentityCategoricalColumn``, ``HashedCategoricalColumn``).

Each turns a string or integer feature (dense ``[batch]`` / ``[batch, k]``, or a
SparseTensor for several values per example) into int64 ids in ``[0, num_buckets)`` as a
SparseTensor. Dense inputs drop missing values first: ``b""`` for strings, ``-1`` for
integers (as TF1). Ids of -1 (unknown keys without OOV buckets) are ignored downstream.
"""

from __future__ import annotations

import collections
import os
from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.feature_column.base import (
    IdWeightPair,
    _CategoricalColumn,
    as_dtype_or_error,
    assert_key_is_string,
    assert_string_or_int,
    describe,
)
from flowgraph.feature_column.builder import to_sparse_input_and_drop_ignore_values
from flowgraph.feature_column.parse_spec import VarLenFeature
from flowgraph.sparse_tensor import SparseTensor


class _SparseIdsColumn(_CategoricalColumn):
    """Shared behaviour: the transformed feature is the id SparseTensor itself."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return self.key

    @property
    def _parse_example_spec(self) -> dict:
        return {self.key: VarLenFeature(self.dtype)}

    def _get_sparse_tensors(self, inputs: Any, weight_collections: Any = None,
                            trainable: Any = None) -> Any:
        return IdWeightPair(inputs.get(self), None)

    def _sparse_input(self, inputs: Any) -> SparseTensor:
        """The raw feature as a SparseTensor of int64 or string values, missing values
        dropped; ValueError naming the column for other dtypes."""
        tensor = to_sparse_input_and_drop_ignore_values(inputs.get(self.key))
        dtype = tensor.dtype
        if dtype != dtypes.string and not dtype.is_integer:
            raise ValueError(f"column_name: {self.key} input_tensor dtype must be string or "
                             f"integer. dtype: {dtype!r}. Feature {self.key!r} of column "
                             f"{self.name!r} is {describe(tensor.values)}; cast it to int64 "
                             f"or string.")
        return tensor


def _check_compatible(column: Any, tensor: SparseTensor) -> None:
    if column.dtype.is_integer != tensor.dtype.is_integer:
        raise ValueError(f"Column dtype and SparseTensors dtype must be compatible. key: "
                         f"{column.key}, column dtype: {column.dtype!r}, tensor dtype: "
                         f"{tensor.dtype!r}")


def _with_values(tensor: SparseTensor, values: Any) -> SparseTensor:
    return SparseTensor(tensor.indices, values, tensor.dense_shape)


# --------------------------------------------------------------------------- vocabulary list
class VocabularyListCategoricalColumn(_SparseIdsColumn, collections.namedtuple(
        "VocabularyListCategoricalColumn",
        ["key", "vocabulary_list", "dtype", "default_value", "num_oov_buckets"])):
    """Ids from an in-memory vocabulary."""

    @property
    def _num_buckets(self) -> int:
        return len(self.vocabulary_list) + self.num_oov_buckets

    def _transform_feature(self, inputs: Any) -> Any:
        from flowgraph.graph import name_scope
        from flowgraph.ops.cast import cast
        from flowgraph.ops.feature_lookup import vocabulary_lookup
        tensor = self._sparse_input(inputs)
        _check_compatible(self, tensor)
        values = tensor.values
        if values.dtype.is_integer and values.dtype != dtypes.int64:
            values = cast(values, dtypes.int64)
        with name_scope(f"{self.key}_lookup"):
            ids = vocabulary_lookup(values, self.vocabulary_list,
                                    default_value=self.default_value,
                                    num_oov_buckets=self.num_oov_buckets)
        return _with_values(tensor, ids)


def _vocabulary_dtype(vocabulary: Sequence[Any]) -> dtypes.DType:
    array = np.array(list(vocabulary))
    if array.dtype.kind in "USO":
        return dtypes.string
    if array.dtype.kind in "iu":
        return dtypes.as_dtype(array.dtype)
    return dtypes.as_dtype(array.dtype) if array.dtype.kind in "fb" else dtypes.string


def categorical_column_with_vocabulary_list(key: str, vocabulary_list: Sequence[Any],
                                            dtype: Any = None, default_value: int = -1,
                                            num_oov_buckets: int = 0
                                            ) -> VocabularyListCategoricalColumn:
    """Ids from an in-memory vocabulary: a key's id is its position in `vocabulary_list`.

    Keys not in the vocabulary get `default_value` (-1: ignored), or, with
    `num_oov_buckets`, ``len(vocabulary_list) + hash(key) % num_oov_buckets`` (TF1's
    FarmHash, so ids match TensorFlow's). The column's name is `key`.

    >>> colors = fg.feature_column.categorical_column_with_vocabulary_list(
    ...     "color", ["red", "green", "blue"])
    """
    if vocabulary_list is None or len(vocabulary_list) < 1:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: "
                         f"{key}")
    vocabulary_list = tuple(v.decode("utf-8") if isinstance(v, bytes) else
                            v.item() if isinstance(v, np.generic) else v
                            for v in vocabulary_list)
    if len(set(vocabulary_list)) != len(vocabulary_list):
        raise ValueError(f"Duplicate keys in vocabulary_list {vocabulary_list}, column_name: "
                         f"{key}")
    vocabulary_dtype = _vocabulary_dtype(vocabulary_list)
    if num_oov_buckets:
        if default_value != -1:
            raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")
        if num_oov_buckets < 0:
            raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
    assert_string_or_int(vocabulary_dtype, prefix=f"column_name: {key} vocabulary")
    if dtype is None:
        dtype = vocabulary_dtype
    else:
        dtype = as_dtype_or_error(dtype, f"categorical column {key!r}")
        if dtype.is_integer != vocabulary_dtype.is_integer:
            raise ValueError(f"dtype {dtype!r} and vocabulary dtype {vocabulary_dtype!r} do "
                             f"not match, column_name: {key}")
    assert_string_or_int(dtype, prefix=f"column_name: {key}")
    assert_key_is_string(key)
    return VocabularyListCategoricalColumn(key, vocabulary_list, dtype, default_value,
                                            num_oov_buckets)


# --------------------------------------------------------------------------- vocabulary file
class VocabularyFileCategoricalColumn(_SparseIdsColumn, collections.namedtuple(
        "VocabularyFileCategoricalColumn",
        ["key", "vocabulary_file", "vocabulary_size", "num_oov_buckets", "dtype",
         "default_value"])):
    """Ids from a vocabulary file (one key per line; the line number is the id)."""

    @property
    def _num_buckets(self) -> int:
        return self.vocabulary_size + self.num_oov_buckets

    def _read_vocabulary(self) -> tuple:
        try:
            with open(self.vocabulary_file, "rb") as f:
                lines = f.read().split(b"\n")
        except OSError as exc:
            raise ValueError(f"Could not read vocabulary_file {self.vocabulary_file!r} of "
                             f"column {self.key}: {exc}") from None
        if lines and lines[-1] == b"":
            lines.pop()
        lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
        if len(lines) < self.vocabulary_size:
            raise ValueError(f"Invalid vocab_size > size of vocab file: vocabulary_file "
                             f"{self.vocabulary_file!r} of column {self.key} has "
                             f"{len(lines)} lines, vocabulary_size is {self.vocabulary_size}")
        lines = lines[:self.vocabulary_size]
        if self.dtype.is_integer:
            try:
                return tuple(int(line) for line in lines)
            except ValueError:
                raise ValueError(f"vocabulary_file {self.vocabulary_file!r} of column "
                                 f"{self.key} must hold one integer per line for dtype "
                                 f"{self.dtype.name}") from None
        return tuple(lines)

    def _transform_feature(self, inputs: Any) -> Any:
        from flowgraph.graph import name_scope
        from flowgraph.ops.cast import cast
        from flowgraph.ops.feature_lookup import vocabulary_lookup
        tensor = self._sparse_input(inputs)
        _check_compatible(self, tensor)
        values = tensor.values
        if values.dtype.is_integer and values.dtype != dtypes.int64:
            values = cast(values, dtypes.int64)
        with name_scope(f"{self.key}_lookup"):
            ids = vocabulary_lookup(values, self._read_vocabulary(),
                                    default_value=self.default_value,
                                    num_oov_buckets=self.num_oov_buckets)
        return _with_values(tensor, ids)


def categorical_column_with_vocabulary_file(key: str, vocabulary_file: str,
                                            vocabulary_size: Optional[int] = None,
                                            num_oov_buckets: int = 0,
                                            default_value: Optional[int] = None,
                                            dtype: Any = dtypes.string
                                            ) -> VocabularyFileCategoricalColumn:
    """Ids from a vocabulary file: the key on line i (from 0) has id i.

    `vocabulary_size` defaults to the file's number of lines; unknown keys get
    `default_value` (default -1: ignored) or one of `num_oov_buckets` hash buckets.
    The file is read when the column is used in a graph (its contents become part of it).
    """
    if not vocabulary_file:
        raise ValueError(f"Missing vocabulary_file in {key}.")
    if vocabulary_size is None:
        if not os.path.exists(vocabulary_file):
            raise ValueError(f"vocabulary_file in {key} does not exist.")
        with open(vocabulary_file, "rb") as f:
            vocabulary_size = sum(1 for _ in f)
    if vocabulary_size < 1:
        raise ValueError(f"Invalid vocabulary_size in {key}.")
    if num_oov_buckets:
        if default_value is not None:
            raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")
        if num_oov_buckets < 0:
            raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
    dtype = as_dtype_or_error(dtype, f"categorical column {key!r}")
    assert_string_or_int(dtype, prefix=f"column_name: {key}")
    assert_key_is_string(key)
    return VocabularyFileCategoricalColumn(
        key, vocabulary_file, int(vocabulary_size),
        0 if num_oov_buckets is None else num_oov_buckets, dtype,
        -1 if default_value is None else default_value)


# --------------------------------------------------------------------------- identity
class IdentityCategoricalColumn(_SparseIdsColumn, collections.namedtuple(
        "IdentityCategoricalColumn", ["key", "number_buckets", "default_value"])):
    """Integer features that already are ids in [0, num_buckets)."""

    @property
    def num_buckets(self) -> int:
        return self.number_buckets

    @property
    def dtype(self) -> dtypes.DType:
        return dtypes.int64

    @property
    def _num_buckets(self) -> int:
        return self.number_buckets

    def _transform_feature(self, inputs: Any) -> Any:
        from flowgraph.ops.cast import cast
        from flowgraph.ops.compare import greater_equal, less
        from flowgraph.ops.constant import convert_to_tensor
        from flowgraph.ops.feature_lookup import check_ids_in_range
        from flowgraph.ops.fill import fill
        from flowgraph.ops.logic import logical_or, where
        from flowgraph.ops.shape_ops import shape
        tensor = to_sparse_input_and_drop_ignore_values(inputs.get(self.key))
        if not tensor.dtype.is_integer:
            raise ValueError(f"Invalid input, not integer. key: {self.key} dtype: "
                             f"{tensor.dtype!r}. categorical_column_with_identity needs "
                             f"integer ids; use a vocabulary or hash bucket column for "
                             f"{tensor.dtype.name} features.")
        values = cast(tensor.values, dtypes.int64, name="values")
        if self.default_value is None:
            values = check_ids_in_range(values, self.number_buckets, feature=self.key)
        else:
            num = convert_to_tensor(self.number_buckets, dtype=dtypes.int64,
                                    name="num_buckets")
            zero = convert_to_tensor(0, dtype=dtypes.int64, name="zero")
            out_of_range = logical_or(less(values, zero), greater_equal(values, num),
                                      name="out_of_range")
            defaults = fill(shape(values), convert_to_tensor(self.default_value,
                                                             dtype=dtypes.int64),
                            name="default_values")
            values = where(out_of_range, defaults, values)
        return _with_values(tensor, values)


def categorical_column_with_identity(key: str, num_buckets: int,
                                     default_value: Optional[int] = None
                                     ) -> IdentityCategoricalColumn:
    """Integer features used as ids directly, in [0, num_buckets).

    Out-of-range ids become `default_value`, or fail when run (InvalidArgumentError naming
    the feature) when it is None. Dense -1 values mean "missing" and are dropped.
    """
    if num_buckets < 1:
        raise ValueError(f"num_buckets {num_buckets} < 1, column_name {key}")
    if default_value is not None and (default_value < 0 or default_value >= num_buckets):
        raise ValueError(f"default_value {default_value} not in range [0, {num_buckets}), "
                         f"column_name {key}")
    assert_key_is_string(key)
    return IdentityCategoricalColumn(key, num_buckets, default_value)


# --------------------------------------------------------------------------- hash bucket
class HashedCategoricalColumn(_SparseIdsColumn, collections.namedtuple(
        "HashedCategoricalColumn", ["key", "hash_bucket_size", "dtype"])):
    """Ids by hashing: Fingerprint64(value) % hash_bucket_size (integers as decimal
    strings), as TF1."""

    @property
    def _num_buckets(self) -> int:
        return self.hash_bucket_size

    def _transform_feature(self, inputs: Any) -> Any:
        from flowgraph.ops.hashing import string_to_hash_bucket_fast
        from flowgraph.ops.strings import as_string
        tensor = self._sparse_input(inputs)
        _check_compatible(self, tensor)
        values = tensor.values
        if not values.dtype.is_string:
            values = as_string(values)
        ids = string_to_hash_bucket_fast(values, self.hash_bucket_size, name="lookup")
        return _with_values(tensor, ids)


def categorical_column_with_hash_bucket(key: str, hash_bucket_size: int,
                                        dtype: Any = dtypes.string
                                        ) -> HashedCategoricalColumn:
    """Ids by hashing string (or integer) features into `hash_bucket_size` buckets, with
    TF1's FarmHash Fingerprint64 (the same ids as TensorFlow)."""
    if hash_bucket_size is None:
        raise ValueError(f"hash_bucket_size must be set. key: {key}")
    if hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be at least 1. hash_bucket_size: "
                         f"{hash_bucket_size}, key: {key}")
    assert_key_is_string(key)
    dtype = as_dtype_or_error(dtype, f"categorical column {key!r}")
    assert_string_or_int(dtype, prefix=f"column_name: {key}")
    return HashedCategoricalColumn(key, hash_bucket_size, dtype)


_VocabularyListCategoricalColumn = VocabularyListCategoricalColumn  # TF1's v1 class names
_VocabularyFileCategoricalColumn = VocabularyFileCategoricalColumn
_IdentityCategoricalColumn = IdentityCategoricalColumn
_HashedCategoricalColumn = HashedCategoricalColumn
