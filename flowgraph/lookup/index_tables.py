"""TF1's index table helpers (`tf.contrib.lookup.index_table_from_tensor`, ...): vocabulary
tables mapping keys to int64 ids (with optional hash buckets), and ids back to strings."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor, name_scope
from flowgraph.lookup.initializers import (
    KeyValueTensorInitializer,
    TextFileIdTableInitializer,
    TextFileIndex,
    TextFileStringTableInitializer,
)
from flowgraph.lookup.tables import FastHashSpec, IdTableWithHashBuckets, StaticHashTable
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.fill import range as range_
from flowgraph.ops.shape_ops import size as size_

__all__ = ["index_table_from_tensor", "index_table_from_file",
           "index_to_string_table_from_tensor", "index_to_string_table_from_file",
           "string_to_index", "index_to_string"]


def index_table_from_tensor(vocabulary_list: Any, num_oov_buckets: int = 0,
                            default_value: int = -1, hasher_spec: Any = FastHashSpec,
                            dtype: Any = dtypes.string, name: Optional[str] = None) -> Any:
    """A table from each key of `vocabulary_list` (1-D strings or integers) to its position
    (int64); other keys get `default_value`, or with `num_oov_buckets` > 0 the id
    ``len(vocabulary) + Fingerprint64(key) % num_oov_buckets``. Run
    `tf.tables_initializer()` before looking up."""
    if vocabulary_list is None:
        raise ValueError("vocabulary_list must be specified.")
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got "
                         f"{num_oov_buckets}.")
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_integer and dtype != dtypes.string:
        raise TypeError(f"Only integer and string keys are supported, got {dtype}.")
    with name_scope(name, "string_to_index"):
        keys = convert_to_tensor(vocabulary_list)
        if keys.dtype.is_integer != dtype.is_integer:
            raise ValueError(f"Expected {'integer' if dtype.is_integer else 'non-integer'}, "
                             f"got {keys.dtype}.")
        if not dtype.is_integer and keys.dtype.base_dtype != dtype:
            raise ValueError(f"Expected {dtype}, got {keys.dtype}.")
        values = cast(range_(size_(keys)), dtypes.int64)
        with name_scope(None, "hash_table"):
            table_keys = cast(keys, dtypes.int64) if keys.dtype.is_integer else keys
            init = KeyValueTensorInitializer(table_keys, values, table_keys.dtype.base_dtype,
                                             dtypes.int64, name="table_init")
            table = StaticHashTable(init, default_value)
        if num_oov_buckets:
            table = IdTableWithHashBuckets(table, num_oov_buckets=num_oov_buckets,
                                           hasher_spec=hasher_spec, key_dtype=dtype)
        return table


def index_table_from_file(vocabulary_file: Any = None, num_oov_buckets: int = 0,
                          vocab_size: Optional[int] = None, default_value: int = -1,
                          hasher_spec: Any = FastHashSpec, key_dtype: Any = dtypes.string,
                          name: Optional[str] = None,
                          key_column_index: int = TextFileIndex.WHOLE_LINE,
                          value_column_index: int = TextFileIndex.LINE_NUMBER,
                          delimiter: str = "\t") -> Any:
    """A table from the keys of a vocabulary file (one per line by default) to their line
    numbers (int64); other keys get `default_value` or one of `num_oov_buckets` buckets."""
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("vocabulary_file must be specified and must not be empty.")
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got "
                         f"{num_oov_buckets}.")
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"vocab_size must be greater than 0, got {vocab_size}. "
                         f"vocabulary_file: {vocabulary_file}")
    key_dtype = dtypes.as_dtype(key_dtype)
    if not key_dtype.is_integer and key_dtype != dtypes.string:
        raise TypeError(f"Only integer and string keys are supported, got {key_dtype}.")
    with name_scope(name, "string_to_index"):
        table = None
        with name_scope(None, "hash_table"):
            init = TextFileStringTableInitializer(
                vocabulary_file, vocab_size=vocab_size, key_column_index=key_column_index,
                value_column_index=value_column_index, delimiter=delimiter)
            if key_dtype.is_integer:
                # Integer keys are read from the file as int64.
                init._key_dtype = dtypes.int64
            table = StaticHashTable(init, default_value)
        if num_oov_buckets:
            table = IdTableWithHashBuckets(table, num_oov_buckets=num_oov_buckets,
                                           hasher_spec=hasher_spec, key_dtype=key_dtype)
        return table


def index_to_string_table_from_tensor(vocabulary_list: Any, default_value: str = "UNK",
                                      name: Optional[str] = None) -> StaticHashTable:
    """A table from int64 ids to the strings of `vocabulary_list`; other ids give
    `default_value`."""
    if vocabulary_list is None:
        raise ValueError("vocabulary_list must be specified.")
    with name_scope(name, "index_to_string"):
        vocabulary_list = convert_to_tensor(vocabulary_list, dtypes.string)
        keys = cast(range_(size_(vocabulary_list)), dtypes.int64)
        init = KeyValueTensorInitializer(keys, vocabulary_list, dtypes.int64, dtypes.string,
                                         name="table_init")
        return StaticHashTable(init, default_value)


def index_to_string_table_from_file(vocabulary_file: Any, vocab_size: Optional[int] = None,
                                    default_value: str = "UNK", name: Optional[str] = None,
                                    key_column_index: int = TextFileIndex.LINE_NUMBER,
                                    value_column_index: int = TextFileIndex.WHOLE_LINE,
                                    delimiter: str = "\t") -> StaticHashTable:
    """A table from int64 line numbers to the lines of a vocabulary file; other ids give
    `default_value`."""
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("vocabulary_file must be specified and must not be empty.")
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"vocab_size must be greater than 0, got {vocab_size}.")
    with name_scope(name, "index_to_string"):
        init = TextFileIdTableInitializer(
            vocabulary_file, vocab_size=vocab_size, key_column_index=key_column_index,
            value_column_index=value_column_index, delimiter=delimiter)
        return StaticHashTable(init, default_value)


def string_to_index(tensor: Any, mapping: Any, default_value: int = -1,
                    name: Optional[str] = None) -> Tensor:
    """The int64 position of each string of `tensor` in `mapping` (TF1 contrib's
    deprecated helper); needs `tf.tables_initializer()` run first."""
    table = index_table_from_tensor(vocabulary_list=mapping, default_value=default_value,
                                    name=name)
    return table.lookup(tensor)


def index_to_string(tensor: Any, mapping: Any, default_value: str = "UNK",
                    name: Optional[str] = None) -> Tensor:
    """The string of `mapping` at each int64 id of `tensor` (TF1 contrib's deprecated
    helper); needs `tf.tables_initializer()` run first."""
    table = index_to_string_table_from_tensor(mapping, default_value=default_value,
                                              name=name)
    return table.lookup(tensor)
