"""Data types of tensors, spelled as in TensorFlow 1.x (`fg.float32`, `fg.as_dtype("float")`)."""

from __future__ import annotations

from typing import Any

import numpy as np


class DType:
    """A tensor element type: a name and the numpy dtype that stores it.

    Strings are stored as numpy object arrays of ``bytes`` (as TF1 returns them).
    """

    __slots__ = ("name", "as_numpy_dtype", "_np")

    def __init__(self, name: str, np_type: Any) -> None:
        self.name = name
        self.as_numpy_dtype = np_type
        self._np = np.dtype(np_type)

    @property
    def np(self) -> np.dtype:
        """The numpy dtype used for arrays of this type."""
        return self._np

    @property
    def is_floating(self) -> bool:
        return self._np.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._np.kind in "iu"

    @property
    def is_complex(self) -> bool:
        return self._np.kind == "c"

    @property
    def is_unsigned(self) -> bool:
        return self._np.kind == "u"

    @property
    def is_bool(self) -> bool:
        return self._np.kind == "b"

    @property
    def is_string(self) -> bool:
        return self.name == "string"

    @property
    def is_numeric(self) -> bool:
        return self._np.kind in "iuf"

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def real_dtype(self) -> "DType":
        """float32 for complex64, float64 for complex128, the type itself otherwise."""
        return _REAL_OF_COMPLEX.get(self.name, self)

    @property
    def min(self):
        """The smallest representable value (numeric types only)."""
        if self.is_floating:
            return np.finfo(self._np).min
        if self.is_integer:
            return np.iinfo(self._np).min
        raise TypeError(f"DType {self.name} has no min")

    @property
    def max(self):
        """The largest representable value (numeric types only)."""
        if self.is_floating:
            return np.finfo(self._np).max
        if self.is_integer:
            return np.iinfo(self._np).max
        raise TypeError(f"DType {self.name} has no max")

    @property
    def size(self) -> int:
        return self._np.itemsize

    @property
    def as_datatype_enum(self) -> int:
        """TF1's DataType enum value of this type (DT_FLOAT = 1, DT_STRING = 7, ...), as in
        a TensorInfo's `dtype` field."""
        return _ENUM_BY_NAME[self.name]

    def is_compatible_with(self, other: Any) -> bool:
        return self == as_dtype(other)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, DType):
            return other.name == self.name
        try:
            return as_dtype(other).name == self.name
        except TypeError:
            return False

    def __ne__(self, other: Any) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"fg.{self.name}"

    def __reduce__(self):
        return (as_dtype, (self.name,))


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool_ = DType("bool", np.bool_)
string = DType("string", np.object_)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)

half = float16
double = float64

# An opaque value (a TensorArray's elements, a while loop's recorded iterations): held as a
# Python object, never converted from numpy, so it is kept out of ALL_DTYPES and _BY_NUMPY.
# Added for control flow (flowgraph.control_flow).
variant = DType("variant", np.object_)

ALL_DTYPES = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
              bool_, string, complex64, complex128)
_REAL_OF_COMPLEX = {"complex64": float32, "complex128": float64}
_BY_NAME = {d.name: d for d in ALL_DTYPES}
_BY_NAME.update({"half": float16, "float": float32, "double": float64, "int": int32,
                 "long": int64, "str": string, "bytes": string, "variant": variant})
_BY_NUMPY = {d.np: d for d in ALL_DTYPES}
# TF1's DataType enum (tensorflow/core/framework/types.proto) of each flowgraph dtype.
_ENUM_BY_NAME = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
                 "string": 7, "int64": 9, "bool": 10, "uint16": 17, "float16": 19,
                 "variant": 21, "uint32": 22, "uint64": 23,
                 "complex64": 8, "complex128": 18}
_BY_ENUM = {enum: _BY_NAME[name] for name, enum in _ENUM_BY_NAME.items()}


def as_dtype(type_value: Any) -> DType:
    """Converts a DType, a numpy dtype or type, a Python type or a name to a DType.

    >>> as_dtype("float") is float32
    True
    """
    value = type_value  # (TF1's argument name)
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        found = _BY_NAME.get(value)
        if found is None:
            raise TypeError(f"Unknown dtype name {value!r}; expected one of "
                            f"{sorted(_BY_NAME)}")
        return found
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        # A DataType enum value, as TF1 accepts (1 is float32, 7 string, ...).
        found = _BY_ENUM.get(int(value))
        if found is None:
            raise TypeError(f"Cannot convert DataType enum value {value} to a flowgraph "
                            f"dtype; supported: {sorted(_BY_ENUM)}")
        return found
    if value is float:
        return float32
    if value is int:
        return int32
    if value is bool:
        return bool_
    if value is bytes or value is str:
        return string
    try:
        np_dtype = np.dtype(value)
    except TypeError:
        raise TypeError(f"Cannot convert {value!r} to a flowgraph dtype") from None
    if np_dtype.kind in "SU":
        return string
    found = _BY_NUMPY.get(np_dtype)
    if found is None:
        raise TypeError(f"numpy dtype {np_dtype} has no flowgraph equivalent; supported: "
                        f"{[d.name for d in ALL_DTYPES]}")
    return found


def dtype_of_value(value: Any) -> DType:
    """The dtype TF1 gives a Python or numpy value: floats float32, ints int32."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SUO":
            return string
        return as_dtype(value.dtype)
    if isinstance(value, np.generic):
        return as_dtype(value.dtype)
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int32 if -2**31 <= value < 2**31 else int64
    if isinstance(value, float):
        return float32
    if isinstance(value, complex):
        return complex128
    if isinstance(value, (bytes, str)):
        return string
    if isinstance(value, (list, tuple)):
        return _dtype_of_sequence(value)
    raise TypeError(f"Cannot infer a dtype for {type(value).__name__} value {value!r}")


def _dtype_of_sequence(value: Any) -> DType:
    """Nested Python lists: any string -> string, any float -> float32, else ints or bools."""
    if len(value) == 0:
        return float32
    kinds = {dtype_of_value(v) for v in value}
    if len(kinds) == 1:
        return kinds.pop()
    if string in kinds:
        return string
    for wide in (complex128, complex64, float64, float32, int64, int32):
        if wide in kinds:
            return wide
    return next(iter(kinds))
