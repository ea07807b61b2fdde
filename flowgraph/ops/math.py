"""Elementwise arithmetic ops: add, subtract, multiply, pow, maximum, minimum, add_n, clip.

Division and modulo live in `division.py`; one-input functions in `unary.py`, `trig.py` and
`rounding.py`.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import as_tensors, convert_to_tensor
from flowgraph.ops.elementwise import (
    BinaryOp,
    UfuncBinary,
    binary_inputs,
    binary_op,
    check_dtype,
    map_slices,
    op_scope,
    same_shape_grad,
    scoped_binary_op,
)
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape, broadcast_shapes

__all__ = ["add", "subtract", "multiply", "scalar_mul", "pow", "maximum", "minimum",
           "squared_difference", "add_n", "clip_by_value"]


@register
class Add(BinaryOp):
    """x + y, elementwise with broadcasting (strings concatenate)."""

    accepts_indexed_slices = True

    allowed = "fiuSc"

    def kernel(self, x, y):
        if x.dtype == object:
            return np.char.add(x.astype(bytes), y.astype(bytes)).astype(object)
        return np.add(x, y)

    def fast_kernel(self, op):
        return None if op.inputs[0].dtype.is_string else np.add

    def grad(self, op, dz):
        dz = same_shape_grad(op, dz)
        return [dz, dz]


@register
class Sub(UfuncBinary):
    """x - y, elementwise with broadcasting."""

    accepts_indexed_slices = True
    allowed = "fiuc"

    ufunc = np.subtract

    def grad(self, op, dz):
        from flowgraph.ops.unary import negative
        dz = same_shape_grad(op, dz)
        return [dz, map_slices(negative, dz)]


@register
class Mul(UfuncBinary):
    """x * y, elementwise with broadcasting."""

    ufunc = np.multiply
    allowed = "fiuc"

    def grad(self, op, dz):
        from flowgraph.ops.complex_ops import conj_if_complex as _cj
        x, y = op.inputs
        return [multiply(dz, _cj(y)), multiply(_cj(x), dz)]


@register
class Pow(BinaryOp):
    """x ** y elementwise; integers to negative integer powers are an error (as TF1)."""

    def kernel(self, x, y):
        if x.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
            raise ValueError("Integers to negative integer powers are not allowed")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.power(x, y)

    def fast_kernel(self, op):
        return np.power if op.inputs[0].dtype.is_floating else None

    def grad(self, op, dz):
        """dz * y * x ** (y - 1) for x; dz * z * log(x) for y, with 0 where x <= 0 (as
        TF1: no real logarithm there, and no false singularity at x = 0)."""
        from flowgraph.ops.compare import greater
        from flowgraph.ops.logic import where_v2
        from flowgraph.ops.unary import log
        x, y = op.inputs
        gx = multiply(multiply(dz, y), pow(x, subtract(y, 1)))
        positive = greater(x, 0)
        log_x = where_v2(positive, log(where_v2(positive, x, 1)), 0)
        gy = multiply(multiply(dz, op.outputs[0]), log_x)
        return [gx, gy]


@register
class Maximum(UfuncBinary):
    """max(x, y) elementwise with broadcasting (NaN propagates)."""

    ufunc = np.maximum

    def grad(self, op, dz):
        from flowgraph.ops.compare import greater_equal
        return _select_grads(greater_equal(*op.inputs), dz)


@register
class Minimum(UfuncBinary):
    """min(x, y) elementwise with broadcasting (NaN propagates)."""

    ufunc = np.minimum

    def grad(self, op, dz):
        from flowgraph.ops.compare import less_equal
        return _select_grads(less_equal(*op.inputs), dz)


def _select_grads(x_wins: Tensor, dz: Any) -> list:
    """[dz where x_wins else 0, 0 where x_wins else dz] (ties go to x, as in TF1)."""
    from flowgraph.ops.logic import where_v2
    zero = convert_to_tensor(0, dtype=dz.dtype)
    return [where_v2(x_wins, dz, zero), where_v2(x_wins, zero, dz)]


def _squared_difference(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    diff = np.subtract(x, y)
    return np.multiply(diff, diff, out=diff if isinstance(diff, np.ndarray) else None)


@register
class SquaredDifference(UfuncBinary):
    """(x - y) * (x - y) elementwise with broadcasting."""

    allowed = "fi"
    ufunc = staticmethod(_squared_difference)

    def grad(self, op, dz):
        from flowgraph.ops.unary import negative
        x, y = op.inputs
        gx = multiply(multiply(dz, 2), subtract(x, y))
        return [gx, negative(gx)]


@register
class AddN(Op):
    """The elementwise sum of N tensors of one dtype and one shape (no broadcasting)."""

    def infer(self, op):
        first = op.inputs[0]
        check_dtype(op, first, "fiuc", "inputs")
        shape = first.shape
        for t in op.inputs[1:]:
            if t.dtype != first.dtype:
                raise TypeError(f"Tensors in list passed to 'inputs' of AddN have dtypes "
                                f"{[i.dtype.name for i in op.inputs]} that don't all match.")
            if not shape.is_compatible_with(t.shape):
                raise ValueError(f"AddN inputs must all have one shape (no broadcasting), got "
                                 f"{[str(i.shape) for i in op.inputs]}")
            shape = shape.merge_with(t.shape)
        return [(first.dtype, shape)]

    def kernel(self, *values):
        first = np.asarray(values[0])
        for v in values[1:]:
            if np.shape(v) != first.shape:
                raise ValueError(f"AddN inputs must all have one shape, got "
                                 f"{[list(np.shape(v)) for v in values]}")
        if len(values) == 1:
            return first
        total = np.add(values[0], values[1])
        for v in values[2:]:
            total = np.add(total, v, out=total if isinstance(total, np.ndarray) else None)
        return total

    def grad(self, op, dz):
        return [dz] * len(op.inputs)


@register
class ClipByValue(Op):
    """t clipped to [clip_value_min, clip_value_max] elementwise; keeps t's shape.

    Computed as ``maximum(minimum(t, max), min)``, as TF1 does (so min wins over max when
    min > max). The gradient goes to t where min <= t <= max, else to the bound t crossed.
    """

    broadcasting = True  # the bounds broadcast to t's shape

    def infer(self, op):
        t, low, high = op.inputs
        check_dtype(op, t, "fiu", "t")
        for bound, what in ((low, "clip_value_min"), (high, "clip_value_max")):
            if bound.dtype != t.dtype:
                raise TypeError(f"clip_by_value: {what} has dtype {bound.dtype.name}, "
                                f"expected t's dtype {t.dtype.name}")
            merged = broadcast_shapes(t.shape, bound.shape)
            if merged is None or not t.shape.is_compatible_with(merged) or \
                    _broadcast_grows(t.shape, bound.shape):
                raise ValueError(f"clip_by_value: {what} of shape {bound.shape} must "
                                 f"broadcast to t's shape {t.shape} without changing it")
        return [(t.dtype, t.shape)]

    def kernel(self, t, low, high):
        t = np.asarray(t)
        result = np.maximum(np.minimum(t, high), low)
        if result.shape != t.shape:
            raise ValueError(f"clip_by_value: bounds of shapes {list(np.shape(low))} and "
                             f"{list(np.shape(high))} would change t's shape {list(t.shape)}")
        return result

    def grad(self, op, dz):
        from flowgraph.ops.compare import greater, less
        from flowgraph.ops.logic import logical_or, where_v2
        t, low, high = op.inputs
        zero = convert_to_tensor(0, dtype=dz.dtype)
        below = less(t, low)
        above = greater(t, high)
        return [where_v2(logical_or(below, above), zero, dz),
                where_v2(below, dz, zero), where_v2(above, dz, zero)]


def _broadcast_grows(t: TensorShape, bound: TensorShape) -> bool:
    """Whether broadcasting `bound` against `t` would make a bigger shape than t's."""
    if t.ndims is None or bound.ndims is None:
        return False
    if bound.ndims > t.ndims:
        return True
    tail = t.as_list()[t.ndims - bound.ndims:]
    return any(b is not None and b != 1 and d == 1 for d, b in zip(tail, bound.as_list()))


# --------------------------------------------------------------------------- builders
def add(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x + y elementwise, with numpy broadcasting (node "Add")."""
    return binary_op(Add(), x, y, name)


def subtract(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x - y elementwise, with numpy broadcasting (node "Sub")."""
    return binary_op(Sub(), x, y, name)


def multiply(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x * y elementwise, with numpy broadcasting (node "Mul")."""
    return binary_op(Mul(), x, y, name)


def scalar_mul(scalar: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """Multiplies the tensor `x` by a scalar; ValueError if `scalar` is not a scalar."""
    x = convert_to_tensor(x)
    scalar = convert_to_tensor(scalar, dtype=x.dtype)
    if scalar.shape.ndims != 0:
        raise ValueError(f"Only scalar multiply works, got shape {scalar.shape}")
    return apply_op(Mul(), [scalar, x], name=name)


def pow(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x ** y elementwise, with broadcasting (node "Pow").

    ``fg.pow(fg.constant([2, 3]), 2)`` evaluates to ``[4, 9]``.
    """
    return scoped_binary_op(Pow(), x, y, name, "Pow")


def maximum(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """max(x, y) elementwise, with broadcasting."""
    return binary_op(Maximum(), x, y, name)


def minimum(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """min(x, y) elementwise, with broadcasting."""
    return binary_op(Minimum(), x, y, name)


def squared_difference(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """(x - y)**2 elementwise, with broadcasting."""
    return binary_op(SquaredDifference(), x, y, name)


def add_n(inputs: Sequence[Any], name: Optional[str] = None) -> Tensor:
    """The elementwise sum of a list of tensors of one dtype and shape.

    A single input is returned as it is (or through an Identity named `name`), as TF1 does.
    """
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype "
                         "and shape")
    tensors = as_tensors(inputs)
    if len(tensors) == 1:
        if name:
            from flowgraph.ops.constant import identity
            return identity(tensors[0], name=name)
        return tensors[0]
    return apply_op(AddN(), tensors, name=name)


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any,
                  name: Optional[str] = None) -> Tensor:
    """Clips `t` to [clip_value_min, clip_value_max] elementwise (node "clip_by_value").

    The bounds are scalars or tensors that broadcast to t's shape; ValueError if they would
    change t's shape.
    """
    with op_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        t = convert_to_tensor(t)
        low, high = (binary_inputs(t, bound)[1] for bound in (clip_value_min, clip_value_max))
        return apply_op(ClipByValue(), [t, low, high], name=scope)
