"""`decode_csv`: CSV records (strings) to one tensor per column, as TF1's `tf.io.decode_csv`
(also `fg.decode_csv` and `fg.io.decode_csv`).

Records follow RFC 4180: fields are separated by `field_delim`; with `use_quote_delim` a
field may be quoted ("a,b") with quotes inside doubled (""). Int and float fields may have
leading and trailing spaces. An empty field (or one equal to `na_value`) takes its
column's default; a column whose default is empty is required. The field splitting and
conversion here (`split_fields`, `convert_field`) are shared with
`fg.data.experimental.CsvDataset`.
"""

from __future__ import annotations

import re
from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, graph_of, register

__all__ = ["decode_csv"]

CSV_DTYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)
_INT = re.compile(rb"\s*[+-]?[0-9]+\s*")
_FLOAT = re.compile(rb"\s*[+-]?([0-9]+\.?[0-9]*([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?|"
                    rb"inf|infinity|nan)\s*", re.IGNORECASE)
_QUOTE = ord('"')


# --------------------------------------------------------------------------- parsing
def split_fields(record: bytes, delim: bytes, use_quote: bool, select: Sequence[int] = (),
                 dataset: bool = False) -> list:
    """The fields of one record (only the columns in `select`, when given).

    Raises ValueError with TF1's message for malformed quoting. `dataset` selects the
    messages of CsvDataset, where an empty record is one empty field.
    """
    fields: list = []
    n = len(record)
    sep = delim[0]
    column = chosen = 0
    if n == 0:
        return [b""] if dataset and (not select or select[0] == 0) else []
    i = 0
    while i < n:
        include = not select or (chosen < len(select) and select[chosen] == column)
        if use_quote and record[i] == _QUOTE:
            field, i = _quoted(record, i + 1, sep, dataset)
        else:
            end = record.find(delim, i)
            end = n if end < 0 else end
            field = record[i:end]
            if use_quote and b'"' in field or not dataset and (b"\n" in field or
                                                               b"\r" in field):
                raise ValueError("Unquoted fields cannot have quotes inside" if dataset else
                                 "Unquoted fields cannot have quotes/CRLFs inside")
            i = end + 1
        if include:
            fields.append(field)
            chosen += 1
            if select and chosen == len(select):
                return fields
        column += 1
    if record[n - 1] == sep and (not select or (chosen < len(select) and
                                                select[chosen] == column)):
        fields.append(b"")
    return fields


def _quoted(record: bytes, i: int, sep: int, dataset: bool) -> tuple:
    """(field, index after it) of a quoted field whose opening quote is before `i`."""
    n = len(record)
    parts = []
    start = i
    while True:
        close = record.find(b'"', i)
        if close < 0:
            raise ValueError("Reached end of file without closing quoted field in record"
                             if dataset else
                             "Quoted field has to end with quote followed by delim or end")
        parts.append(record[start:close])
        if close + 1 == n:
            return b"".join(parts), n
        follower = record[close + 1]
        if follower == sep:
            return b"".join(parts), close + 2
        if follower == _QUOTE:
            parts.append(b'"')
            i = start = close + 2
            continue
        raise ValueError("Quote inside a string has to be escaped by another quote")


def convert_field(field: bytes, dtype: dtypes.DType, default: np.ndarray, column: int,
                  record: Optional[int], na_value: bytes) -> np.ndarray:
    """One field as a 0-d array of `dtype`, or its column's default when empty / NA."""
    where = f"record {record}" if record is not None else "record"
    if field == b"" or field == na_value:
        if default.size != 1:
            raise errors.InvalidArgumentError(None, None, f"Field {column} is required but "
                                              f"missing in {where}!")
        return np.array(default.reshape(()), dtype=dtype.np if not dtype.is_string else
                        object)
    if dtype.is_string:
        out = np.empty((), dtype=object)
        out[()] = field
        return out
    text = field.decode("utf-8", "replace")
    if dtype.is_integer:
        info = np.iinfo(dtype.np)
        if _INT.fullmatch(field) and info.min <= int(field) <= info.max:
            return np.array(int(field), dtype=dtype.np)
        raise errors.InvalidArgumentError(None, None, f"Field {column} in {where} is not a "
                                          f"valid {dtype.name}: {text}")
    if _FLOAT.fullmatch(field):
        with np.errstate(over="ignore"):
            return np.array(float(field), dtype=dtype.np)
    kind = "float" if dtype == dtypes.float32 else "double"
    raise errors.InvalidArgumentError(None, None, f"Field {column} in {where} is not a valid "
                                      f"{kind}: {text}")


# --------------------------------------------------------------------------- the op
@register
class DecodeCSV(Op):
    """Input 0: string records (any shape); inputs 1..: one default per column (a scalar or
    1-element vector, or an empty vector for a required column). One output per column, of
    its default's dtype and the records' shape."""

    field_delim: str = ","
    use_quote_delim: bool = True
    na_value: str = ""
    select_cols: tuple = ()

    differentiable = False

    def check(self) -> None:
        if len(self.field_delim.encode("utf-8")) != 1:
            raise ValueError(f"field_delim should be only 1 char, got {self.field_delim!r}")
        cols = list(self.select_cols)
        if any(not isinstance(c, int) or isinstance(c, bool) for c in cols):
            raise TypeError(f"select_cols must be integers, got {cols}")
        if cols and cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if any(a >= b for a, b in zip(cols, cols[1:])):
            raise ValueError("select_cols is not strictly increasing.")

    def infer(self, op):
        if not op.inputs:
            raise ValueError("DecodeCSV takes records and record_defaults")
        records, defaults = op.inputs[0], op.inputs[1:]
        if not records.dtype.is_string:
            raise TypeError(f"records must be strings, got {records.dtype.name}")
        if self.select_cols and len(self.select_cols) != len(defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
        for i, t in enumerate(defaults):
            if t.dtype not in CSV_DTYPES:
                raise TypeError(f"record_defaults[{i}] has dtype {t.dtype.name}; acceptable "
                                "types are float32, float64, int32, int64, string")
            if t.shape.ndims is not None and t.shape.ndims > 1:
                raise ValueError("Each record default should be at most rank 1")
            count = t.shape.num_elements()
            if count is not None and count > 1:
                raise ValueError(f"There should only be 1 default per field but field {i} "
                                 f"has {count}")
        return [(t.dtype, records.shape) for t in defaults]

    def kernel(self, records, *defaults):
        for i, d in enumerate(defaults):
            if np.ndim(d) > 1:
                raise errors.InvalidArgumentError(None, None, "Each record default should be "
                                                  "at most rank 1")
            if np.size(d) > 1:
                raise errors.InvalidArgumentError(
                    None, None, f"There should only be 1 default per field but field {i} has "
                    f"{np.size(d)}")
        types = [dtypes.as_dtype(np.asarray(d).dtype) if np.asarray(d).dtype.kind not in "OSU"
                 else dtypes.string for d in defaults]
        flat = np.asarray(records, dtype=object).reshape(-1)
        outputs = [np.empty(flat.shape, dtype=object if t.is_string else t.np)
                   for t in types]
        delim = self.field_delim.encode("utf-8")
        na_value = self.na_value.encode("utf-8")
        defaults = [np.asarray(d) for d in defaults]
        for r, record in enumerate(flat):
            if isinstance(record, str):
                record = record.encode("utf-8")
            try:
                fields = split_fields(record, delim, self.use_quote_delim, self.select_cols)
            except ValueError as exc:
                raise errors.InvalidArgumentError(None, None, str(exc)) from None
            if len(fields) != len(types):
                raise errors.InvalidArgumentError(None, None, f"Expect {len(types)} fields "
                                                  f"but have {len(fields)} in record {r}")
            for c, (field, dtype) in enumerate(zip(fields, types)):
                outputs[c][r] = convert_field(field, dtype, defaults[c], c, r, na_value)[()]
        shape = np.shape(records)
        result = tuple(out.reshape(shape) for out in outputs)
        return result[0] if len(result) == 1 else result


def decode_csv(records: Any, record_defaults: Sequence[Any], field_delim: str = ",",
               use_quote_delim: bool = True, name: Optional[str] = None, na_value: str = "",
               select_cols: Optional[Sequence[int]] = None) -> list:
    """Converts CSV records to tensors, one per column (TF1's `tf.io.decode_csv`).

    Parameters
    ----------
    records : string tensor of any shape
        Each string is one record (a row of a CSV file).
    record_defaults : list
        One entry per (selected) column: a scalar or 1-element list whose dtype (float32,
        float64, int32, int64 or string) is the column's, or an empty tensor / a DType for
        a required column. Python floats are float32 and ints int32, as in TF1.
    field_delim, use_quote_delim, na_value, select_cols
        The delimiter (one character), whether fields may be quoted, an extra string read
        as missing, and the sorted indices of the columns to decode.

    Returns
    -------
    list of Tensor
        One per column, each of the records' shape.

    >>> a, b = fg.io.decode_csv(["1,x", "2,"], [[0], ["none"]])
    """
    if select_cols is not None:
        select_cols = [int(c) for c in select_cols]
        if any(a >= b for a, b in zip(select_cols, select_cols[1:])):
            raise ValueError("select_cols is not strictly increasing.")
        if select_cols and select_cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if len(select_cols) != len(record_defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    graph = graph_of(records, *record_defaults)
    with graph.as_default():
        records = convert_to_tensor(records, dtype=dtypes.string, name="records")
        defaults = [default_tensor(d, i) for i, d in enumerate(record_defaults)]
        result = apply_op(DecodeCSV(field_delim=field_delim, use_quote_delim=use_quote_delim,
                                    na_value=na_value, select_cols=tuple(select_cols or ())),
                          [records] + defaults, name=name)
    return [result] if isinstance(result, Tensor) else list(result)


def default_tensor(value: Any, index: int) -> Tensor:
    """A record default as a tensor: a DType gives an empty (required) one of that dtype."""
    if isinstance(value, dtypes.DType) or (isinstance(value, type) and value in
                                           (float, int, str, bytes)):
        dtype = dtypes.as_dtype(value) if isinstance(value, dtypes.DType) else \
            {float: dtypes.float32, int: dtypes.int32, str: dtypes.string,
             bytes: dtypes.string}[value]
        empty = np.empty((0,), dtype=object if dtype.is_string else dtype.np)
        return convert_to_tensor(empty, dtype=dtype, name=f"record_defaults_{index}")
    tensor = convert_to_tensor(value, name=f"record_defaults_{index}")
    if tensor.dtype not in CSV_DTYPES:
        raise TypeError(f"record_defaults[{index}] has dtype {tensor.dtype.name}; acceptable "
                        "types are float32, float64, int32, int64, string")
    return tensor
