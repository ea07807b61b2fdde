"""TF1's lookup tables: static hash tables filled by an initializer, tables with
out-of-vocabulary hash buckets, and mutable hash tables.

Each table is a per-Session resource made by its handle op; `lookup(keys)` returns the
values of keys of any shape (that shape, plus the value shape for mutable tables of vector
values). Static tables fail with FailedPreconditionError ("Table not initialized.") until
their initializer ran (`sess.run(tf.tables_initializer())`).
"""

from __future__ import annotations

import uuid
from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Operation, Tensor, name_scope
from flowgraph.ops.cast import cast
from flowgraph.ops.compare import not_equal
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.hashing import string_to_hash_bucket_fast
from flowgraph.ops.logic import where
from flowgraph.ops.lookup_ops import (
    LookupTableExport,
    LookupTableFind,
    LookupTableHandle,
    LookupTableInsert,
    LookupTableRemove,
    LookupTableSize,
)
from flowgraph.ops.math import add
from flowgraph.ops.registry import apply_op
from flowgraph.ops.strings import as_string
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["LookupInterface", "InitializableLookupTableBase", "StaticHashTable", "HashTable",
           "FastHashSpec", "HasherSpec", "IdTableWithHashBuckets", "StaticVocabularyTable",
           "MutableHashTable", "MutableDenseHashTable", "DenseHashTable"]


class HasherSpec:
    """How out-of-vocabulary keys are hashed; only TF1's FastHashSpec (Fingerprint64)."""

    def __init__(self, hasher: str, key: Any = None) -> None:
        if hasher != "fasthash":
            raise ValueError(f"hasher {hasher!r} is not supported: only FastHashSpec "
                             "(Fingerprint64) is")
        self.hasher = hasher
        self.key = key


FastHashSpec = HasherSpec("fasthash", None)


def _values_of(keys: Any) -> Any:
    return keys.values if isinstance(keys, SparseTensor) else convert_to_tensor(keys)


def _like(keys: Any, values: Tensor) -> Any:
    if isinstance(keys, SparseTensor):
        return SparseTensor(keys.indices, values, keys.dense_shape)
    return values


class LookupInterface:
    """A table from `key_dtype` keys to `value_dtype` values, behind a resource handle."""

    def __init__(self, key_dtype: Any, value_dtype: Any) -> None:
        self._key_dtype = dtypes.as_dtype(key_dtype)
        self._value_dtype = dtypes.as_dtype(value_dtype)
        self._resource_handle: Optional[Tensor] = None
        self._table_name: Optional[str] = None

    @property
    def key_dtype(self) -> dtypes.DType:
        return self._key_dtype

    @property
    def value_dtype(self) -> dtypes.DType:
        return self._value_dtype

    @property
    def name(self) -> Optional[str]:
        return self._table_name

    @property
    def resource_handle(self) -> Tensor:
        return self._resource_handle

    def _check_keys(self, keys: Tensor) -> None:
        if keys.dtype.base_dtype != self._key_dtype:
            raise TypeError(f"Signature mismatch. Keys must be dtype {self._key_dtype}, got "
                            f"{keys.dtype}.")

    def _make_handle(self, kind: str, shared_name: str, name: str, empty_key: Any = None
                     ) -> Tensor:
        op_def = LookupTableHandle(key_dtype=self._key_dtype.name,
                                   value_dtype=self._value_dtype.name, kind=kind,
                                   shared_name=shared_name, empty_key=empty_key)
        handle = apply_op(op_def, [], name=name)
        self._table_name = handle.op.name.split("/")[-1]
        self._resource_handle = handle
        return handle

    def size(self, name: Optional[str] = None) -> Tensor:
        """The number of entries (int64 scalar)."""
        with name_scope(name, f"{self.name}_Size"):
            return apply_op(LookupTableSize(), [self._resource_handle], name="LookupTableSizeV2")


class InitializableLookupTableBase(LookupInterface):
    """A table filled once by an initializer; `initializer` is the op doing it."""

    def __init__(self, default_value: Any, initializer: Any) -> None:
        super().__init__(initializer.key_dtype, initializer.value_dtype)
        self._initializer = initializer
        self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype)
        if self._default_value.shape.ndims not in (None, 0):
            raise ValueError(f"default_value must be a scalar, got shape "
                             f"{self._default_value.shape}")
        self._resource_handle = self._create_resource()
        self._init_op = initializer.initialize(self)

    def _create_resource(self) -> Tensor:
        raise NotImplementedError

    @property
    def default_value(self) -> Tensor:
        return self._default_value

    @property
    def initializer(self) -> Operation:
        return self._init_op

    @property
    def init(self) -> Operation:
        return self._init_op

    def lookup(self, keys: Any, name: Optional[str] = None) -> Any:
        """The values of `keys` (a Tensor of any shape, or a SparseTensor), the default value
        for keys not in the table."""
        key_tensor = _values_of(keys)
        self._check_keys(key_tensor)
        with name_scope(name, f"{self.name}_Lookup"):
            values = apply_op(LookupTableFind(value_dtype=self._value_dtype.name),
                              [self._resource_handle, key_tensor, self._default_value],
                              name="LookupTableFindV2")
        return _like(keys, values)


class StaticHashTable(InitializableLookupTableBase):
    """A hash table filled by `initializer`, immutable afterwards (TF1's HashTable)."""

    def __init__(self, initializer: Any, default_value: Any, name: Optional[str] = None
                 ) -> None:
        self._shared_name = getattr(initializer, "_shared_name", None) or \
            f"hash_table_{uuid.uuid4()}"
        self._name = name or "hash_table"
        super().__init__(default_value, initializer)

    def _create_resource(self) -> Tensor:
        return self._make_handle("hash", self._shared_name, self._name)

    def export(self, name: Optional[str] = None) -> tuple:
        """(keys, values): every entry of the table."""
        with name_scope(name, f"{self.name}_Export"):
            keys, values = apply_op(LookupTableExport(key_dtype=self._key_dtype.name,
                                                      value_dtype=self._value_dtype.name),
                                    [self._resource_handle], name="LookupTableExportV2")
        return keys, values


HashTable = StaticHashTable


class IdTableWithHashBuckets(LookupInterface):
    """A string/integer -> int64 id table whose unknown keys go to one of `num_oov_buckets`
    buckets after the table's ids: ``table.size() + Fingerprint64(key) % num_oov_buckets``
    (integer keys hash as their decimal strings), as TF1."""

    def __init__(self, table: Any, num_oov_buckets: int, hasher_spec: Any = FastHashSpec,
                 name: Optional[str] = None, key_dtype: Any = None) -> None:
        if table is None and key_dtype is None:
            key_dtype = dtypes.string
        if table is not None:
            table_key_dtype = table.key_dtype
            if key_dtype is not None and table_key_dtype != dtypes.int64 and \
                    dtypes.as_dtype(key_dtype) != table_key_dtype:
                raise ValueError(f"Invalid key dtype, expected {table_key_dtype} but got "
                                 f"{key_dtype}.")
            if table.value_dtype != dtypes.int64:
                raise TypeError(f"Invalid value dtype, expected {dtypes.int64} but got "
                                f"{table.value_dtype}.")
            key_dtype = key_dtype or table_key_dtype
        key_dtype = dtypes.as_dtype(key_dtype)
        if not key_dtype.is_integer and key_dtype != dtypes.string:
            raise TypeError(f"Invalid key_dtype, expected integer or string, got {key_dtype}.")
        if num_oov_buckets < 0:
            raise ValueError(f"oov_buckets must be >= 0, got {num_oov_buckets}.")
        if not isinstance(hasher_spec, HasherSpec):
            raise TypeError(f"hasher_spec must be of type HasherSpec, got {hasher_spec}")
        super().__init__(key_dtype, dtypes.int64)
        self._table = table
        self._num_oov_buckets = num_oov_buckets
        self._hasher_spec = hasher_spec
        self._table_name = name or (table.name if table is not None else None)
        if self._table_name:
            self._table_name = self._table_name.split("/")[-1]
        self._resource_handle = table.resource_handle if table is not None else None

    @property
    def initializer(self) -> Any:
        return self._table.initializer if self._table is not None else None

    init = initializer

    def size(self, name: Optional[str] = None) -> Tensor:
        """The number of ids: the table's size plus num_oov_buckets (int64)."""
        with name_scope(name, f"{self.name}_Size"):
            if self._table is None:
                return convert_to_tensor(self._num_oov_buckets, dtypes.int64)
            return add(self._table.size(), self._num_oov_buckets)

    def _lookup_ids(self, keys: Tensor, name: Optional[str]) -> Tensor:
        if keys.dtype.is_integer and keys.dtype != dtypes.int64:
            keys = cast(keys, dtypes.int64)
        if self._num_oov_buckets == 0:
            return self._table.lookup(keys, name=name)
        with name_scope(name, f"{self.name}_Lookup"):
            text = keys if keys.dtype == dtypes.string else as_string(keys)
            buckets = string_to_hash_bucket_fast(text, self._num_oov_buckets,
                                                 name="hash_bucket")
            if self._table is None:
                return buckets
            ids = self._table.lookup(keys)
            buckets = add(buckets, self._table.size())
            found = not_equal(ids, self._table.default_value)
            return where(found, ids, buckets)

    def lookup(self, keys: Any, name: Optional[str] = None) -> Any:
        """The int64 id of each key (a Tensor of any shape, or a SparseTensor)."""
        key_tensor = _values_of(keys)
        if key_tensor.dtype.base_dtype != self._key_dtype:
            raise TypeError(f"Signature mismatch. Keys must be dtype {self._key_dtype}, got "
                            f"{key_tensor.dtype}.")
        return _like(keys, self._lookup_ids(key_tensor, name))


class StaticVocabularyTable(IdTableWithHashBuckets):
    """A vocabulary (from `initializer`, keys -> int64 ids) with `num_oov_buckets` hash
    buckets for the other keys (TF1's tf.lookup.StaticVocabularyTable)."""

    def __init__(self, initializer: Any, num_oov_buckets: int, lookup_key_dtype: Any = None,
                 name: Optional[str] = None) -> None:
        if num_oov_buckets <= 0:
            raise ValueError("oov_buckets must be > 0; use StaticHashTable.")
        if initializer.value_dtype != dtypes.int64:
            raise TypeError(f"Invalid value dtype, expected {dtypes.int64} but got "
                            f"{initializer.value_dtype}.")
        if lookup_key_dtype is None:
            lookup_key_dtype = initializer.key_dtype
        table = StaticHashTable(initializer, -1)
        super().__init__(table, num_oov_buckets, name=name, key_dtype=lookup_key_dtype)


class MutableHashTable(LookupInterface):
    """A table changed by `insert` (and `remove`) ops, read by `lookup`; keys not in it give
    `default_value`, whose shape is the shape of each value."""

    def __init__(self, key_dtype: Any, value_dtype: Any, default_value: Any,
                 name: str = "MutableHashTable", checkpoint: bool = True) -> None:
        super().__init__(key_dtype, value_dtype)
        self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype)
        self._value_shape = self._default_value.shape
        self._checkpoint = checkpoint
        self._name = name
        self._shared_name = f"table_{uuid.uuid4()}" if not checkpoint else ""
        self._resource_handle = self._create_resource()
        if checkpoint:
            # As TF1: a Saver writes the entries as "<name>-keys" and "<name>-values".
            from flowgraph.lookup.table_saveable import add_table_saveables
            add_table_saveables(self, name)

    def _create_resource(self) -> Tensor:
        return self._make_handle("mutable", self._shared_name, self._name)

    @property
    def default_value(self) -> Tensor:
        return self._default_value

    def insert(self, keys: Any, values: Any, name: Optional[str] = None) -> Operation:
        """An op setting `keys` -> `values` (values of shape keys.shape + value shape)."""
        keys = convert_to_tensor(keys, dtype=self._key_dtype)
        values = convert_to_tensor(values, dtype=self._value_dtype)
        with name_scope(name, f"{self.name}_lookup_table_insert"):
            return apply_op(LookupTableInsert(), [self._resource_handle, keys, values],
                            name="LookupTableInsertV2")

    def remove(self, keys: Any, name: Optional[str] = None) -> Operation:
        """An op removing `keys` (absent keys are ignored)."""
        keys = convert_to_tensor(keys)
        self._check_keys(keys)
        with name_scope(name, f"{self.name}_lookup_table_remove"):
            return apply_op(LookupTableRemove(), [self._resource_handle, keys],
                            name="LookupTableRemoveV2")

    def lookup(self, keys: Any, name: Optional[str] = None) -> Tensor:
        """The values of `keys` (shape keys.shape + value shape); default_value if absent."""
        keys = convert_to_tensor(keys)
        self._check_keys(keys)
        with name_scope(name, f"{self.name}_lookup_table_find"):
            return apply_op(LookupTableFind(value_dtype=self._value_dtype.name),
                            [self._resource_handle, keys, self._default_value],
                            name="LookupTableFindV2")

    def export(self, name: Optional[str] = None) -> tuple:
        """(keys, values): every entry of the table."""
        dims = self._value_shape.as_list() if self._value_shape.ndims is not None else None
        with name_scope(name, f"{self.name}_lookup_table_export_values"):
            keys, values = apply_op(
                LookupTableExport(key_dtype=self._key_dtype.name,
                                  value_dtype=self._value_dtype.name,
                                  value_shape=None if dims is None else tuple(dims)),
                [self._resource_handle], name="LookupTableExportV2")
        return keys, values


class MutableDenseHashTable(MutableHashTable):
    """A mutable table as TF1's open-addressing one: `empty_key` (and `deleted_key`) are
    reserved and may not be inserted."""

    def __init__(self, key_dtype: Any, value_dtype: Any, default_value: Any, empty_key: Any,
                 deleted_key: Any = None, initial_num_buckets: Optional[int] = None,
                 name: str = "MutableDenseHashTable", checkpoint: bool = True) -> None:
        self._empty_key = empty_key.item() if hasattr(empty_key, "item") else empty_key
        self._deleted_key = deleted_key
        self._initial_num_buckets = initial_num_buckets
        if deleted_key is not None and deleted_key == empty_key:
            raise ValueError("empty_key and deleted_key must differ")
        super().__init__(key_dtype, value_dtype, default_value, name=name,
                         checkpoint=checkpoint)

    def _create_resource(self) -> Tensor:
        empty = self._empty_key
        if isinstance(empty, bytes):
            empty = empty.decode("utf-8")
        return self._make_handle("dense", self._shared_name, self._name, empty_key=empty)


DenseHashTable = MutableDenseHashTable
