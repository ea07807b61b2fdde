"""Casting between dtypes: cast, saturate_cast, to_float, to_double, to_int32, to_int64."""

from __future__ import annotations

import warnings
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.elementwise import map_slices, op_scope
from flowgraph.ops.math import maximum, minimum
from flowgraph.ops.registry import Op, apply_op, register

__all__ = ["cast", "saturate_cast", "to_float", "to_double", "to_int32", "to_int64"]


@register
class Cast(Op):
    """x converted to dtype `DstT` (TF1's attribute name) elementwise.

    Floats become integers by truncation toward zero (1.7 -> 1, -1.7 -> -1); numbers become
    bools by `!= 0`; bools become 0 and 1. Gradients flow only between floating dtypes (cast
    back to the input's dtype); casts to or from integers and bools pass none, as in TF1.
    """

    accepts_indexed_slices = True

    DstT: DType

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype.is_string or self.DstT.is_string:
            raise TypeError(f"Cast from {x.dtype.name} to {self.DstT.name} is not supported; "
                            "use fg.strings.to_number / fg.strings.as_string for strings.")
        return [(self.DstT, x.shape)]

    def kernel(self, x):
        if self.DstT.is_bool:
            return np.not_equal(x, 0)
        with np.errstate(invalid="ignore", over="ignore"), warnings.catch_warnings():
            # complex -> real keeps the real part, as TF1 (numpy warns about it).
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            return np.asarray(x).astype(self.DstT.np)

    def grad(self, op, dy):
        source = op.inputs[0].dtype
        if not ((source.is_floating or source.is_complex)
                and (self.DstT.is_floating or self.DstT.is_complex)):
            return [None]
        return [map_slices(lambda g: cast(g, source), dy)]


def cast(x: Any, dtype: Any, name: Optional[str] = None) -> Tensor:
    """Casts x to `dtype` (node "Cast"); a tensor that already has it is returned as is.

    ``fg.cast(fg.constant([1.7, -1.7]), fg.int32)`` evaluates to ``[1, -1]``.
    """
    dtype = dtypes.as_dtype(dtype)
    if isinstance(x, Tensor) and x.dtype == dtype:
        return x
    with op_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x)
        if x.dtype == dtype:
            return x
        return apply_op(Cast(DstT=dtype), [x], name=scope)


def saturate_cast(value: Any, dtype: Any, name: Optional[str] = None) -> Tensor:
    """Casts value to `dtype`, first clamping it to the range of `dtype` (so 300.0 becomes
    255 in uint8 rather than wrapping around)."""
    dtype = dtypes.as_dtype(dtype)
    with op_scope(name, "saturate_cast", [value]) as scope:
        value = convert_to_tensor(value)
        if value.dtype.is_numeric and dtype.is_numeric:
            src = value.dtype
            if src.min < dtype.min:
                value = maximum(value, constant(_bound(dtype.min, src, up=False), src,
                                                name="min"))
            if src.max > dtype.max:
                value = minimum(value, constant(_bound(dtype.max, src, up=True), src,
                                                name="max"))
        return cast(value, dtype, name=scope)


def _bound(limit: Any, src: DType, up: bool) -> np.ndarray:
    """`limit` in dtype `src`, rounded inward so that casting it back stays in range."""
    value = np.array(limit).astype(src.np)
    if src.is_floating and (float(value) > limit if up else float(value) < limit):
        value = np.nextafter(value, src.np.type(0))
    return value


def to_float(x: Any, name: str = "ToFloat") -> Tensor:
    """Casts x to float32 (TF1's deprecated `tf.to_float`)."""
    return cast(x, dtypes.float32, name=name)


def to_double(x: Any, name: str = "ToDouble") -> Tensor:
    """Casts x to float64."""
    return cast(x, dtypes.float64, name=name)


def to_int32(x: Any, name: str = "ToInt32") -> Tensor:
    """Casts x to int32 (floats truncate toward zero)."""
    return cast(x, dtypes.int32, name=name)


def to_int64(x: Any, name: str = "ToInt64") -> Tensor:
    """Casts x to int64 (floats truncate toward zero)."""
    return cast(x, dtypes.int64, name=name)
