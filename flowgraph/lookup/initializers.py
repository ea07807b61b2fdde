"""Table initializers of TF1's `tf.lookup`: from tensors of keys and values, or from a text
file. `initialize(table)` adds the initializer op to the TABLE_INITIALIZERS collection, so
that `tf.tables_initializer()` runs it."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, Operation, get_default_graph, name_scope
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.lookup_ops import (
    LINE_NUMBER,
    WHOLE_LINE,
    InitializeTable,
    InitializeTableFromTextFile,
)
from flowgraph.ops.registry import apply_op

__all__ = ["TextFileIndex", "TableInitializerBase", "KeyValueTensorInitializer",
           "TextFileInitializer", "TextFileStringTableInitializer", "TextFileIdTableInitializer"]


class TextFileIndex:
    """Special column indices of `TextFileInitializer`: the whole line, or its number."""

    WHOLE_LINE = WHOLE_LINE
    LINE_NUMBER = LINE_NUMBER


def check_table_dtypes(table: Any, key_dtype: Any, value_dtype: Any) -> None:
    """TypeError unless the table's key/value dtypes are the initializer's (TF1's check)."""
    if key_dtype.base_dtype != table.key_dtype:
        raise TypeError(f"Invalid key dtype, expected {table.key_dtype} but got {key_dtype}.")
    if value_dtype.base_dtype != table.value_dtype:
        raise TypeError(f"Invalid value dtype, expected {table.value_dtype} but got "
                        f"{value_dtype}.")


class TableInitializerBase:
    """Base of table initializers: the key and value dtypes they produce."""

    def __init__(self, key_dtype: Any, value_dtype: Any) -> None:
        self._key_dtype = dtypes.as_dtype(key_dtype)
        self._value_dtype = dtypes.as_dtype(value_dtype)
        self._shared_name = None

    @property
    def key_dtype(self) -> dtypes.DType:
        return self._key_dtype

    @property
    def value_dtype(self) -> dtypes.DType:
        return self._value_dtype

    def initialize(self, table: Any) -> Operation:
        raise NotImplementedError


class KeyValueTensorInitializer(TableInitializerBase):
    """Initializes a table from a tensor of keys and a tensor of their values."""

    def __init__(self, keys: Any, values: Any, key_dtype: Any = None, value_dtype: Any = None,
                 name: Optional[str] = None) -> None:
        self._keys = convert_to_tensor(keys, dtype=key_dtype, name="keys")
        self._values = convert_to_tensor(values, dtype=value_dtype, name="values")
        self._name = name if name is not None else "key_value_init"
        super().__init__(self._keys.dtype, self._values.dtype)

    def initialize(self, table: Any) -> Operation:
        """The op filling `table` (added to the TABLE_INITIALIZERS collection)."""
        check_table_dtypes(table, self._keys.dtype, self._values.dtype)
        with name_scope(self._name):
            init_op = apply_op(InitializeTable(), [table.resource_handle, self._keys,
                                                   self._values], name="InitializeTableV2")
        get_default_graph().add_to_collection(GraphKeys.TABLE_INITIALIZERS, init_op)
        return init_op


class TextFileInitializer(TableInitializerBase):
    """Initializes a table from a text file: per line, the key is column `key_index` (split
    by `delimiter`), or the whole line (TextFileIndex.WHOLE_LINE), or the line number
    (TextFileIndex.LINE_NUMBER); likewise the value."""

    def __init__(self, filename: Any, key_dtype: Any, key_index: int, value_dtype: Any,
                 value_index: int, vocab_size: Optional[int] = None, delimiter: str = "\t",
                 name: Optional[str] = None) -> None:
        key_dtype, value_dtype = dtypes.as_dtype(key_dtype), dtypes.as_dtype(value_dtype)
        if key_index < WHOLE_LINE:
            raise ValueError(f"Invalid key index {key_index}.")
        if key_index == LINE_NUMBER and key_dtype != dtypes.int64:
            raise ValueError(f"Signature mismatch. Keys must be dtype {dtypes.int64}, got "
                             f"{key_dtype}.")
        if key_index == WHOLE_LINE and not key_dtype.is_integer and not key_dtype.is_string:
            raise ValueError(f"Signature mismatch. Keys must be integer or string, got "
                             f"{key_dtype}.")
        if value_index < WHOLE_LINE:
            raise ValueError(f"Invalid value index {value_index}.")
        if value_index == LINE_NUMBER and value_dtype != dtypes.int64:
            raise ValueError(f"Signature mismatch. Values must be dtype {dtypes.int64}, got "
                             f"{value_dtype}.")
        if value_index == WHOLE_LINE and not value_dtype.is_string:
            raise ValueError(f"Signature mismatch. Values must be dtype {dtypes.string}, got "
                             f"{value_dtype}.")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"Invalid vocab_size {vocab_size}.")
        self._filename = filename
        self._key_index = key_index
        self._value_index = value_index
        self._vocab_size = vocab_size
        self._delimiter = delimiter
        self._name = name
        super().__init__(key_dtype, value_dtype)

    def initialize(self, table: Any) -> Operation:
        """The op filling `table` from the file (added to TABLE_INITIALIZERS)."""
        check_table_dtypes(table, self.key_dtype, self.value_dtype)
        with name_scope(self._name, "text_file_init"):
            filename = convert_to_tensor(self._filename, dtypes.string, name="asset_filepath")
            op_def = InitializeTableFromTextFile(
                key_index=self._key_index, value_index=self._value_index,
                vocab_size=-1 if self._vocab_size is None else self._vocab_size,
                delimiter=self._delimiter)
            init_op = apply_op(op_def, [table.resource_handle, filename],
                               name="InitializeTableFromTextFileV2")
        graph = get_default_graph()
        graph.add_to_collection(GraphKeys.TABLE_INITIALIZERS, init_op)
        if isinstance(self._filename, (str, bytes)):
            graph.add_to_collection(GraphKeys.ASSET_FILEPATHS, filename)
        return init_op


class TextFileStringTableInitializer(TextFileInitializer):
    """A TextFileInitializer with string keys (whole lines) and int64 ids (line numbers)."""

    def __init__(self, filename: Any, key_column_index: int = WHOLE_LINE,
                 value_column_index: int = LINE_NUMBER, vocab_size: Optional[int] = None,
                 delimiter: str = "\t", name: str = "text_file_string_table_init") -> None:
        super().__init__(filename, dtypes.string, key_column_index, dtypes.int64,
                         value_column_index, vocab_size=vocab_size, delimiter=delimiter,
                         name=name)


class TextFileIdTableInitializer(TextFileInitializer):
    """A TextFileInitializer with int64 ids (line numbers) as keys and strings as values."""

    def __init__(self, filename: Any, key_column_index: int = LINE_NUMBER,
                 value_column_index: int = WHOLE_LINE, vocab_size: Optional[int] = None,
                 delimiter: str = "\t", name: str = "text_file_id_table_init",
                 key_dtype: Any = dtypes.int64) -> None:
        super().__init__(filename, key_dtype, key_column_index, dtypes.string,
                         value_column_index, vocab_size=vocab_size, delimiter=delimiter,
                         name=name)
