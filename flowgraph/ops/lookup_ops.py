"""TF1's lookup table ops: a table is a per-Session resource (``SessionState.resources``)
made by its handle op and used through initialize / find / insert / size / export ops.

Static tables (``HashTable``) start uninitialized: finding keys before their initializer op
ran raises FailedPreconditionError ("Table not initialized."), as TF1. Mutable tables
(``MutableHashTable``, ``MutableDenseHashTable``) are usable as soon as they exist.
"""

from __future__ import annotations

import threading
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # used through flowgraph.lookup and flowgraph.contrib.lookup

WHOLE_LINE = -2
LINE_NUMBER = -1


def _key(value: Any, is_string: bool) -> Any:
    """A hashable dict key for one table key (strings as bytes, numbers as Python ints)."""
    if is_string:
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


class TableResource:
    """The entries of one lookup table in one Session."""

    def __init__(self, name: str, key_dtype: dtypes.DType, value_dtype: dtypes.DType,
                 kind: str, empty_key: Any = None) -> None:
        self.name = name
        self.key_dtype = key_dtype
        self.value_dtype = value_dtype
        self.kind = kind
        self.empty_key = empty_key
        self.entries: dict = {}
        self.initialized = kind != "hash"
        self.lock = threading.Lock()

    def _error(self, ctx: Any, message: str, cls: Any = errors.FailedPreconditionError) -> Any:
        return cls(None, ctx.op, message)

    def check_ready(self, ctx: Any) -> None:
        if not self.initialized:
            raise self._error(ctx, f"Table not initialized. (table {self.name!r}: run its "
                                   "initializer, e.g. sess.run(tf.tables_initializer()), "
                                   "before looking keys up)")

    def insert(self, ctx: Any, keys: np.ndarray, values: np.ndarray, static: bool) -> None:
        is_string = self.key_dtype.is_string
        flat = keys.reshape(-1)
        rows = values.reshape((flat.size,) + values.shape[keys.ndim:])
        with self.lock:
            for key, value in zip(flat, rows):
                key = _key(key, is_string)
                if self.kind == "dense" and key == self.empty_key:
                    raise self._error(ctx, f"Using the empty_key as a table key is not "
                                           f"allowed (table {self.name!r})",
                                      errors.InvalidArgumentError)
                old = self.entries.get(key)
                if static and old is not None and not np.array_equal(old, value):
                    raise self._error(ctx, f"HashTable has different value for same key. "
                                           f"Key {key!r} has {old} and trying to add value "
                                           f"{value} (table {self.name!r}: remove the "
                                           "duplicate key)")
                self.entries[key] = np.array(value, copy=True)

    def find(self, keys: np.ndarray, default: np.ndarray) -> np.ndarray:
        is_string = self.key_dtype.is_string
        dtype = object if self.value_dtype.is_string else self.value_dtype.np
        value_shape = default.shape
        flat = keys.reshape(-1)
        out = np.empty((flat.size,) + value_shape, dtype=dtype)
        with self.lock:
            for i, key in enumerate(flat):
                out[i, ...] = self.entries.get(_key(key, is_string), default)
        return out.reshape(keys.shape + value_shape)


def table_resource(ctx: Any, handle: np.ndarray) -> TableResource:
    """The table whose handle is `handle` in this Session."""
    item = handle.item() if isinstance(handle, np.ndarray) else handle
    name = item.decode() if isinstance(item, bytes) else str(item)
    resource = ctx.state.resources.get("table:" + name)
    if resource is None:
        raise errors.FailedPreconditionError(None, ctx.op, f"Table {name!r} does not exist "
                                                           "in this Session")
    return resource


class _TableOp(Op):
    stateful = True
    needs_state = True
    differentiable = False


@register
class LookupTableHandle(_TableOp):
    """Creates (once per Session) the table its attributes describe; outputs its handle.
    `kind` is "hash" (static, TF1's HashTableV2), "mutable" (MutableHashTableV2) or
    "dense" (MutableDenseHashTableV2, whose `empty_key` may not be inserted)."""

    key_dtype: str = "string"
    value_dtype: str = "int64"
    kind: str = "hash"
    shared_name: str = ""
    empty_key: Any = None

    def check(self) -> None:
        if self.kind not in ("hash", "mutable", "dense"):
            raise ValueError(f"LookupTableHandle: unknown kind {self.kind!r}")

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, ctx):
        name = self.shared_name or ctx.op.name
        key = "table:" + name
        state = ctx.state
        if key not in state.resources:
            with state.lock:
                if key not in state.resources:
                    empty = None if self.empty_key is None else \
                        _key(self.empty_key, dtypes.as_dtype(self.key_dtype).is_string)
                    state.resources[key] = TableResource(
                        name, dtypes.as_dtype(self.key_dtype), dtypes.as_dtype(self.value_dtype),
                        self.kind, empty)
        return np.array(name.encode(), dtype=object)


@register
class InitializeTable(_TableOp):
    """Fills a static table (input 0) with `keys` -> `values` and marks it initialized.
    Re-running it with the same entries is fine; a key with two values fails."""

    def infer(self, op):
        return []

    def kernel(self, ctx, handle, keys, values):
        table = table_resource(ctx, handle)
        if keys.shape != values.shape[:keys.ndim]:
            raise errors.InvalidArgumentError(
                None, ctx.op, f"Expected shape {list(keys.shape)} for values, got "
                              f"{list(values.shape)} (one value per key)")
        table.insert(ctx, keys, values, static=True)
        table.initialized = True
        return ()


def _read_text_table(ctx: Any, filename: str, op: "InitializeTableFromTextFile",
                     key_dtype: dtypes.DType, value_dtype: dtypes.DType) -> tuple:
    try:
        with open(filename, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as exc:
        raise errors.NotFoundError(None, ctx.op, f"{filename}; {exc.strerror} (the "
                                                 "vocabulary file of a lookup table)") from None
    if lines and lines[-1] == b"":
        lines.pop()
    if op.vocab_size >= 0:
        if len(lines) < op.vocab_size:
            raise errors.InvalidArgumentError(
                None, ctx.op, f"Invalid vocab_size in {filename}: expected {op.vocab_size} "
                              f"lines, the file has {len(lines)}")
        lines = lines[:op.vocab_size]
    delimiter = op.delimiter.encode("utf-8")

    def column(line: bytes, number: int, index: int, dtype: dtypes.DType) -> Any:
        if index == LINE_NUMBER:
            return number
        text = line if index == WHOLE_LINE else _split(line, number, index)
        if dtype.is_string:
            return text
        try:
            return float(text) if dtype.is_floating else int(text)
        except ValueError:
            raise errors.InvalidArgumentError(
                None, ctx.op, f"Field {text!r} in line {number} of {filename} is not a "
                              f"valid {dtype.name}") from None

    def _split(line: bytes, number: int, index: int) -> bytes:
        fields = line.split(delimiter)
        if index >= len(fields):
            raise errors.InvalidArgumentError(
                None, ctx.op, f"Invalid number of columns in {filename} line {number} "
                              f"({line!r}): expected more than {index}, got {len(fields)}")
        return fields[index]

    keys = [column(line, i, op.key_index, key_dtype) for i, line in enumerate(lines)]
    values = [column(line, i, op.value_index, value_dtype) for i, line in enumerate(lines)]
    return keys, values


@register
class InitializeTableFromTextFile(_TableOp):
    """Fills a static table (input 0) from the text file named by input 1: per line, the key
    and value are column `key_index` / `value_index` (split by `delimiter`), the whole line
    (-2) or the line number (-1); only the first `vocab_size` lines when it is >= 0."""

    key_index: int = WHOLE_LINE
    value_index: int = LINE_NUMBER
    vocab_size: int = -1
    delimiter: str = "\t"

    def infer(self, op):
        return []

    def kernel(self, ctx, handle, filename):
        table = table_resource(ctx, handle)
        item = filename.item() if isinstance(filename, np.ndarray) else filename
        path = item.decode("utf-8") if isinstance(item, bytes) else str(item)
        keys, values = _read_text_table(ctx, path, self, table.key_dtype, table.value_dtype)
        key_array = np.empty(len(keys), dtype=object)
        key_array[:] = keys
        value_array = np.empty(len(values), dtype=object)
        value_array[:] = values
        table.insert(ctx, key_array, value_array, static=True)
        table.initialized = True
        return ()


@register
class LookupTableFind(_TableOp):
    """The value of each key (input 1) in the table (input 0), `default_value` (input 2) for
    missing keys; shape keys.shape + default_value.shape."""

    value_dtype: str = "int64"

    def infer(self, op):
        keys, default = op.inputs[1], op.inputs[2]
        return [(dtypes.as_dtype(self.value_dtype), keys.shape.concatenate(default.shape))]

    def kernel(self, ctx, handle, keys, default):
        table = table_resource(ctx, handle)
        table.check_ready(ctx)
        return table.find(np.asarray(keys), np.asarray(default))


@register
class LookupTableInsert(_TableOp):
    """Sets `keys` (input 1) -> `values` (input 2) in a mutable table (input 0)."""

    def infer(self, op):
        return []

    def kernel(self, ctx, handle, keys, values):
        table = table_resource(ctx, handle)
        if keys.shape != values.shape[:keys.ndim]:
            raise errors.InvalidArgumentError(
                None, ctx.op, f"Expected shape {list(keys.shape)} for values, got "
                              f"{list(values.shape)} (one value per key)")
        table.insert(ctx, keys, values, static=False)
        return ()


@register
class LookupTableRemove(_TableOp):
    """Removes `keys` (input 1) from a mutable table (input 0); absent keys are ignored."""

    def infer(self, op):
        return []

    def kernel(self, ctx, handle, keys):
        table = table_resource(ctx, handle)
        is_string = table.key_dtype.is_string
        with table.lock:
            for key in keys.reshape(-1):
                table.entries.pop(_key(key, is_string), None)
        return ()


@register
class LookupTableSize(_TableOp):
    """The number of entries of the table (input 0), int64 (0 before initialization)."""

    def infer(self, op):
        return [(dtypes.int64, TensorShape([]))]

    def kernel(self, ctx, handle):
        return np.array(len(table_resource(ctx, handle).entries), np.int64)


@register
class LookupTableExport(_TableOp):
    """All keys and values of the table (input 0), in insertion order."""

    key_dtype: str = "string"
    value_dtype: str = "int64"
    value_shape: Optional[tuple] = ()

    def infer(self, op):
        value_shape = None if self.value_shape is None else list(self.value_shape)
        values = TensorShape(None) if value_shape is None else TensorShape([None] + value_shape)
        return [(dtypes.as_dtype(self.key_dtype), TensorShape([None])),
                (dtypes.as_dtype(self.value_dtype), values)]

    def kernel(self, ctx, handle):
        table = table_resource(ctx, handle)
        with table.lock:
            keys, values = list(table.entries.keys()), list(table.entries.values())
        key_dtype = object if table.key_dtype.is_string else table.key_dtype.np
        value_dtype = object if table.value_dtype.is_string else table.value_dtype.np
        key_array = np.empty(len(keys), dtype=key_dtype)
        key_array[:] = keys
        shape = (len(values),) + (tuple(self.value_shape) if self.value_shape else ())
        value_array = np.empty(shape, dtype=value_dtype)
        for i, value in enumerate(values):
            value_array[i] = value
        return key_array, value_array
