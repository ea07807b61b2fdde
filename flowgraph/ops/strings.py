"""String ops: join, formatting numbers as strings, parsing numbers, length and case.

Strings are numpy object arrays of ``bytes``. Only the TF1 top-level names are in
``__all__`` (`string_join`, `as_string`, `string_to_number`); the `fg.strings` names
(`join`, `as_string`, `to_number`, `length`, `upper`, `lower`) are defined here too.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, graph_of, register
from flowgraph.shapes import broadcast_shapes

__all__ = ["string_join", "as_string", "string_to_number"]


def _string_input(value: Any, what: str = "input") -> Tensor:
    tensor = convert_to_tensor(value)
    if not tensor.dtype.is_string:
        raise TypeError(f"Expected a string tensor for {what}, got {tensor.name} of dtype "
                        f"{tensor.dtype.name}; use fg.as_string to format numbers.")
    return tensor


def _as_object_array(result: Any, shape: tuple) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    out[...] = result
    return out


def _map_strings(fn: Any, values: np.ndarray, out_dtype: Any = object) -> np.ndarray:
    flat = values.reshape(-1)
    result = np.empty(flat.shape, dtype=out_dtype)
    for i, item in enumerate(flat):
        result[i] = fn(item)
    return result.reshape(values.shape)


class StringOp(Op):
    """An elementwise op on one string tensor."""

    differentiable = False

    def infer(self, op):
        check_dtype(op, op.inputs[0], "S")
        return [(dtypes.string, op.inputs[0].shape)]


# --------------------------------------------------------------------------- join
@register
class StringJoin(Op):
    """Joins string tensors elementwise with `separator`, broadcasting their shapes."""

    separator: str = ""

    differentiable = False

    def infer(self, op):
        if not op.inputs:
            raise ValueError("StringJoin needs at least one input")
        shape = op.inputs[0].shape
        for i, t in enumerate(op.inputs):
            check_dtype(op, t, "S", f"input {i}")
            merged = broadcast_shapes(shape, t.shape)
            if merged is None:
                raise ValueError(f"StringJoin inputs must broadcast: shape {t.shape} of "
                                 f"{t.name} does not fit {shape}")
            shape = merged
        return [(dtypes.string, shape)]

    def kernel(self, *values):
        arrays = np.broadcast_arrays(*values)
        sep = self.separator.encode("utf-8")
        result = arrays[0]
        for array in arrays[1:]:
            result = result + sep + array if sep else result + array
        return _as_object_array(result, arrays[0].shape)


def string_join(inputs: Sequence[Any], separator: str = "", name: Optional[str] = None
                ) -> Tensor:
    """Joins a list of string tensors elementwise, with `separator` between them.

    >>> fg.string_join([["a", "b"], "x"], separator="-")  # -> [b"a-x", b"b-x"]
    """
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, (list, tuple)):
        raise TypeError(f"string_join expects a list of string tensors, got "
                        f"{type(inputs).__name__}")
    if not isinstance(separator, str):
        separator = bytes(separator).decode("utf-8")
    with graph_of(*inputs).as_default():
        tensors = [_string_input(v, f"input {i}") for i, v in enumerate(inputs)]
    return apply_op(StringJoin(separator=separator), tensors, name=name)


join = string_join


# --------------------------------------------------------------------------- as_string
@register
class AsString(Op):
    """Formats each element as a string, with C printf rules as TF1 (float32 1.5 ->
    b"1.500000"; ints plainly; bools b"true"/b"false")."""

    precision: int = -1
    scientific: bool = False
    shortest: bool = False
    width: int = -1
    fill: str = ""

    differentiable = False

    def check(self) -> None:
        if len(self.fill) > 1:
            raise ValueError(f"AsString: fill must be one or fewer characters, got "
                             f"{self.fill!r}")
        if self.fill and self.fill not in " +-0#":
            raise ValueError(f'AsString: fill argument not supported: "{self.fill}" (use one '
                             "of ' ', '+', '-', '0', '#')")
        if self.scientific and self.shortest:
            raise ValueError("AsString: cannot select both scientific and shortest notation")

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, "fiub")
        if not x.dtype.is_floating and (self.scientific or self.shortest or
                                        self.precision > -1):
            raise ValueError(f"AsString: precision, scientific and shortest are not "
                             f"supported for datatype {x.dtype.name}")
        return [(dtypes.string, x.shape)]

    def format_string(self, kind: str) -> str:
        text = "%" + self.fill
        if self.width > -1:
            text += str(self.width)
        if self.precision > -1:
            text += f".{self.precision}"
        if kind == "f":
            return text + ("g" if self.shortest else "e" if self.scientific else "f")
        return text + "d"

    def kernel(self, x):
        if x.dtype.kind == "b":
            return np.where(x, b"true", b"false").astype(object)
        if x.dtype.kind == "f":
            fmt, convert = self.format_string("f"), float
        else:
            fmt, convert = self.format_string("d"), int
        return _map_strings(lambda v: (fmt % convert(v)).encode("ascii"), x)


def as_string(input: Any, precision: int = -1, scientific: bool = False,
              shortest: bool = False, width: int = -1, fill: str = "",
              name: Optional[str] = None) -> Tensor:
    """Converts each number (or bool) to a string, as TF1's `tf.as_string`.

    Parameters
    ----------
    precision : digits after the point for floats (-1: printf's default of 6)
    scientific, shortest : "%e" or "%g" formatting for floats (not both)
    width, fill : pad to `width` characters; `fill` is a printf flag: '0' pads with zeros,
        '-' left-aligns, ' ' and '+' control the sign (default: pad with spaces on the left)
    """
    x = convert_to_tensor(input)
    return apply_op(AsString(precision=precision, scientific=scientific, shortest=shortest,
                             width=width, fill=fill), [x], name=name)


# --------------------------------------------------------------------------- to number
_FLOAT_RE = re.compile(rb"^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)"
                       rb"\s*$", re.IGNORECASE)
_INT_RE = re.compile(rb"^\s*[+-]?\d+\s*$")


@register
class StringToNumber(Op):
    """Parses each string as a number of `out_type`; InvalidArgumentError naming the first
    string that is not one."""

    out_type: dtypes.DType = dtypes.float32

    differentiable = False

    def check(self) -> None:
        if self.out_type not in (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64):
            raise TypeError(f"StringToNumber out_type must be float32, float64, int32 or "
                            f"int64, got {self.out_type.name}")

    def infer(self, op):
        check_dtype(op, op.inputs[0], "S")
        return [(self.out_type, op.inputs[0].shape)]

    def kernel(self, strings):
        target = self.out_type.np
        is_int = self.out_type.is_integer
        pattern = _INT_RE if is_int else _FLOAT_RE
        info = np.iinfo(target) if is_int else None
        flat = strings.reshape(-1)
        out = np.empty(flat.shape, dtype=target)
        with np.errstate(over="ignore"):
            for i, text in enumerate(flat):
                if not pattern.match(text):
                    raise _bad_number(text, self.out_type)
                if is_int:
                    value = int(text)
                    if value < info.min or value > info.max:
                        raise _bad_number(text, self.out_type)
                    out[i] = value
                else:
                    out[i] = float(text)
        return out.reshape(strings.shape)


def _bad_number(text: bytes, out_type: dtypes.DType) -> errors.InvalidArgumentError:
    shown = text.decode("utf-8", errors="backslashreplace")
    return errors.InvalidArgumentError(
        None, None, f"StringToNumberOp could not correctly convert string: {shown} "
        f"(as {out_type.name})")


def string_to_number(string_tensor: Any, out_type: Any = dtypes.float32,
                     name: Optional[str] = None) -> Tensor:
    """Parses strings such as b"3.5" or b"-12" into numbers of `out_type` (float32, float64,
    int32 or int64). Text that is not a number raises InvalidArgumentError when run."""
    strings = _string_input(string_tensor, "string_tensor")
    return apply_op(StringToNumber(out_type=dtypes.as_dtype(out_type)), [strings], name=name)


to_number = string_to_number


# --------------------------------------------------------------------------- length, case
@register
class StringLength(StringOp):
    """The length of each string, in bytes (unit "BYTE") or Unicode characters
    ("UTF8_CHAR"), as int32."""

    unit: str = "BYTE"

    def check(self) -> None:
        if self.unit not in ("BYTE", "UTF8_CHAR"):
            raise ValueError(f"StringLength unit must be 'BYTE' or 'UTF8_CHAR', got "
                             f"{self.unit!r}")

    def infer(self, op):
        check_dtype(op, op.inputs[0], "S")
        return [(dtypes.int32, op.inputs[0].shape)]

    def kernel(self, strings):
        if self.unit == "BYTE":
            return _map_strings(len, strings, np.int32)
        return _map_strings(lambda s: len(s.decode("utf-8", errors="replace")), strings,
                            np.int32)


def length(input: Any, name: Optional[str] = None, unit: str = "BYTE") -> Tensor:
    """`fg.strings.length`: the length of each string in bytes, or in Unicode characters with
    ``unit="UTF8_CHAR"`` (int32)."""
    return apply_op(StringLength(unit=unit), [_string_input(input)], name=name)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _CaseOp(StringOp):
    """Changes the case of each string."""

    encoding: str = ""

    def check(self) -> None:
        if self.encoding.lower() not in ("", "utf-8", "utf8"):
            raise ValueError(f"{self.type_name} encoding must be '' (ASCII) or 'utf-8', got "
                             f"{self.encoding!r}")

    def convert(self, text: bytes) -> bytes:
        raise NotImplementedError

    def kernel(self, strings):
        return _map_strings(self.convert, strings)


@register
class StringUpper(_CaseOp):
    """Upper-cases each string: ASCII letters only, or all of Unicode with
    encoding="utf-8"."""

    def convert(self, text: bytes) -> bytes:
        if not self.encoding:
            return text.upper()
        return text.decode("utf-8").upper().encode("utf-8")


@register
class StringLower(_CaseOp):
    """Lower-cases each string: ASCII letters only, or all of Unicode with
    encoding="utf-8"."""

    def convert(self, text: bytes) -> bytes:
        if not self.encoding:
            return text.lower()
        return text.decode("utf-8").lower().encode("utf-8")


def upper(input: Any, encoding: str = "", name: Optional[str] = None) -> Tensor:
    """`fg.strings.upper`: upper-cases ASCII letters (all letters with encoding="utf-8")."""
    return apply_op(StringUpper(encoding=encoding), [_string_input(input)], name=name)


def lower(input: Any, encoding: str = "", name: Optional[str] = None) -> Tensor:
    """`fg.strings.lower`: lower-cases ASCII letters (all letters with encoding="utf-8")."""
    return apply_op(StringLower(encoding=encoding), [_string_input(input)], name=name)
