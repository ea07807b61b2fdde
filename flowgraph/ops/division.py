"""Division and modulo: RealDiv, FloorDiv, FloorMod, TruncateDiv, TruncateMod, DivNoNan.

The public functions follow TF1: `truediv` (and `divide`, and the `/` operator) casts
integer operands to floats first; `div` is Python 2 division (floor for integers);
`floordiv` / `floormod` (`//`, `%`) round toward minus infinity as Python does; integer
division by zero is an error at run time.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.cast import cast
from flowgraph.ops.elementwise import (
    QUIET,
    BinaryOp,
    binary_inputs,
    binary_op,
    op_scope,
    same_shape_grad,
    scoped_binary_op,
)
from flowgraph.ops.registry import apply_op, register

__all__ = ["divide", "truediv", "div", "realdiv", "floordiv", "floor_div", "floormod", "mod",
           "truncatediv", "truncatemod", "div_no_nan", "divide_no_nan"]

# TF1's _TRUEDIV_TABLE: the float type integer operands are cast to before dividing.
_TRUEDIV_TYPE = {
    dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32,
    dtypes.int16: dtypes.float32, dtypes.uint16: dtypes.float32,
    dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64,
    # (as tf.compat.v1 of TF 2.x; TF 1.15 had no uint32 / uint64 division)
    dtypes.uint32: dtypes.float64, dtypes.uint64: dtypes.float64,
}


def _check_int_divisor(y: Any) -> None:
    if not np.all(y):
        raise ZeroDivisionError("Integer division by zero")


def _truncate_div_int(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Integer division rounding toward zero (C semantics)."""
    _check_int_divisor(y)
    return np.floor_divide(np.subtract(x, np.fmod(x, y)), y)


@register
class RealDiv(BinaryOp):
    """x / y elementwise with broadcasting; integers divide rounding toward zero, as C.

    Use `fg.truediv` (the `/` operator) to divide integers as floats.
    """

    def kernel(self, x, y):
        if np.asarray(x).dtype.kind in "iu":
            return _truncate_div_int(x, y)
        with np.errstate(**QUIET):
            return np.divide(x, y)

    allowed = "fiuc"

    def fast_kernel(self, op):
        return np.divide if op.inputs[0].dtype.is_floating else None

    def grad(self, op, dz):
        # d(x / y) = dz / y for x, and -dz * x / y**2 = -(dz / y) * z for y (z the output);
        # conjugated for complex inputs, as TF1.
        from flowgraph.ops.complex_ops import conj_if_complex as _cj
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import negative
        gx = realdiv(dz, _cj(op.inputs[1]))
        return [gx, negative(multiply(gx, _cj(op.outputs[0])))]


@register
class DivNoNan(BinaryOp):
    """x / y elementwise, with 0 wherever y is 0."""

    allowed = "f"

    def kernel(self, x, y):
        with np.errstate(**QUIET):
            quotient = np.divide(x, y)
        return np.where(np.equal(y, 0), 0, quotient).astype(quotient.dtype, copy=False)

    def grad(self, op, dz):
        # As RealDiv's, with 0 wherever y is 0 (both gx and the output z are 0 there).
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import negative
        gx = div_no_nan(dz, op.inputs[1])
        return [gx, negative(multiply(gx, op.outputs[0]))]


@register
class FloorDiv(BinaryOp):
    """x // y elementwise with broadcasting, rounding toward minus infinity (Python's //)."""

    differentiable = False

    def kernel(self, x, y):
        if np.asarray(x).dtype.kind in "iu":
            _check_int_divisor(y)
            return np.floor_divide(x, y)
        with np.errstate(**QUIET):
            # TF1 computes floor(x / y) for floats (numpy's floor_divide differs slightly).
            return np.floor(np.divide(x, y))


@register
class FloorMod(BinaryOp):
    """x % y elementwise with broadcasting; the result has the sign of y (Python's %)."""

    accepts_indexed_slices = True

    def kernel(self, x, y):
        if np.asarray(x).dtype.kind in "iu":
            _check_int_divisor(y)
        with np.errstate(**QUIET):
            return np.mod(x, y)

    def grad(self, op, dz):
        # x % y = x - floor(x / y) * y: (dz, -dz * floor(x / y)), as TF1. The floor is
        # piecewise constant, so it gets no gradient of its own (for second derivatives).
        from flowgraph.ops.gradient_ops import stop_gradient
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import negative
        x, y = op.inputs
        floor_xy = stop_gradient(floor_div(x, y))
        return [same_shape_grad(op, dz), multiply(dz, negative(floor_xy))]


@register
class TruncateDiv(BinaryOp):
    """x / y elementwise rounding toward zero (C's integer division)."""

    differentiable = False

    def kernel(self, x, y):
        if np.asarray(x).dtype.kind in "iu":
            return _truncate_div_int(x, y)
        with np.errstate(**QUIET):
            return np.trunc(np.divide(x, y))


@register
class TruncateMod(BinaryOp):
    """The remainder of truncating division: it has the sign of x (C's fmod)."""

    differentiable = False

    def kernel(self, x, y):
        if np.asarray(x).dtype.kind in "iu":
            _check_int_divisor(y)
        with np.errstate(**QUIET):
            return np.fmod(x, y)


# --------------------------------------------------------------------------- builders
def _same_dtype(x: Tensor, y: Tensor, what: str) -> None:
    if x.dtype != y.dtype:
        raise TypeError(f"{what}: x and y must have the same dtype, got {x.dtype.name} != "
                        f"{y.dtype.name}; use fg.cast on one of them.")


def truediv(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x / y as Python 3 divides: integer operands are cast to floats first.

    int8, int16, uint8 and uint16 become float32; int32 and int64 become float64 (as TF1).
    The node is named "truediv".

    >>> fg.truediv(fg.constant([1, 2]), 2).dtype
    fg.float64
    """
    with op_scope(name, "truediv", [x, y]) as scope:
        x, y = binary_inputs(x, y)
        _same_dtype(x, y, "truediv")
        if not (x.dtype.is_numeric or x.dtype.is_complex):
            raise TypeError(f"Invalid dtype {x.dtype.name} in truediv (the / operator); "
                            "expected a numeric dtype.")
        target = _TRUEDIV_TYPE.get(x.dtype)
        if target is not None:
            x = cast(x, target)
            y = cast(y, target)
        return apply_op(RealDiv(), [x, y], name=scope)


def divide(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x / y elementwise, as `truediv` (integers are divided as floats)."""
    return truediv(x, y, name=name)


def div(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x / y with Python 2 semantics: floor division for integers, real division for floats
    (node "div")."""
    with op_scope(name, "div", [x, y]) as scope:
        x, y = binary_inputs(x, y)
        _same_dtype(x, y, "div")
        op_def = RealDiv() if x.dtype.is_floating or x.dtype.is_complex else FloorDiv()
        return apply_op(op_def, [x, y], name=scope)


def realdiv(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x / y for real types (node "RealDiv"); integers round toward zero."""
    return binary_op(RealDiv(), x, y, name)


def floordiv(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x // y elementwise, rounding toward minus infinity (node "floordiv").

    ``fg.floordiv(fg.constant([7, -7]), 2)`` evaluates to ``[3, -4]``.
    """
    return scoped_binary_op(FloorDiv(), x, y, name, "floordiv")


def floor_div(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x // y elementwise (node "FloorDiv")."""
    return binary_op(FloorDiv(), x, y, name)


def floormod(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x % y elementwise with the sign of y, as Python's % (node "FloorMod").

    ``fg.floormod(fg.constant([7, -7]), 3)`` evaluates to ``[1, 2]``.
    """
    return binary_op(FloorMod(), x, y, name)


mod = floormod


def truncatediv(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x / y rounding toward zero (node "TruncateDiv")."""
    return binary_op(TruncateDiv(), x, y, name)


def truncatemod(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """The remainder of division rounding toward zero, with the sign of x
    (node "TruncateMod")."""
    return binary_op(TruncateMod(), x, y, name)


def div_no_nan(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x / y elementwise, with 0 where y is 0 (node "div_no_nan")."""
    return scoped_binary_op(DivNoNan(), x, y, name, "div_no_nan")


divide_no_nan = div_no_nan
