"""Logical ops on bool tensors, and `where`: selecting elements, or finding true ones.

- `logical_and` / `logical_or` / `logical_not` / `logical_xor` (built from the others, as
  TF1 does),
- `where(condition, x, y)` (op Select, TF1's v1 rules: `condition` has x's shape, is a
  scalar, or is a vector along x's first dimension), `where_v2` (op SelectV2, which
  broadcasts all three),
- `where(condition)`: the int64 [N, rank] coordinates of the N true elements (op Where).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import (
    UfuncBinary,
    UfuncUnary,
    binary_inputs,
    binary_op,
    check_dtype,
    op_scope,
    unary_op,
)
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape, broadcast_shapes

__all__ = ["logical_and", "logical_or", "logical_not", "logical_xor", "where", "where_v2"]


@register
class LogicalAnd(UfuncBinary):
    """x AND y elementwise on bool tensors, with broadcasting."""

    allowed = "b"
    differentiable = False
    ufunc = np.logical_and


@register
class LogicalOr(UfuncBinary):
    """x OR y elementwise on bool tensors, with broadcasting."""

    allowed = "b"
    differentiable = False
    ufunc = np.logical_or


@register
class LogicalNot(UfuncUnary):
    """NOT x elementwise on a bool tensor."""

    allowed = "b"
    differentiable = False
    ufunc = np.logical_not


def _check_bool(op: Any, condition: Tensor) -> None:
    if not condition.dtype.is_bool:
        raise TypeError(f"{op.type} needs a bool condition, got {condition.name} of dtype "
                        f"{condition.dtype.name}; compare it first, e.g. fg.not_equal(c, 0).")


def _check_branches(op: Any, x: Tensor, y: Tensor) -> None:
    if x.dtype != y.dtype:
        raise TypeError(f"{op.type} needs x and y of one dtype, got {x.dtype.name} and "
                        f"{y.dtype.name}; use fg.cast on one of them.")


@register
class Select(Op):
    """Elements of x where condition is true, else of y (TF1's v1 `where`).

    x and y have one shape; condition has that shape, or is a scalar, or is a vector whose
    length is x's first dimension (choosing whole rows).
    """

    def infer(self, op):
        condition, x, y = op.inputs
        _check_bool(op, condition)
        _check_branches(op, x, y)
        if not x.shape.is_compatible_with(y.shape):
            raise ValueError(f"Select needs x and y of one shape, got {x.shape} and "
                             f"{y.shape}; use fg.where_v2 to broadcast.")
        shape = x.shape.merge_with(y.shape)
        c_rank, x_rank = condition.shape.ndims, shape.ndims
        if c_rank is None or c_rank == 0:
            return [(x.dtype, shape)]
        if x_rank is None:
            return [(x.dtype, condition.shape if c_rank > 1 else shape)]
        if c_rank == 1 and x_rank > 1:
            first = TensorShape([shape.dims[0]])
            if not condition.shape.is_compatible_with(first):
                raise ValueError(f"Select: a vector condition of shape {condition.shape} must "
                                 f"have the length of x's first dimension, x has shape "
                                 f"{shape}")
            dims = [condition.shape.merge_with(first).dims[0]] + shape.dims[1:]
            return [(x.dtype, TensorShape(dims))]
        if not condition.shape.is_compatible_with(shape):
            raise ValueError(f"Select: condition of shape {condition.shape} must have x's "
                             f"shape {shape}, be a scalar, or be a vector over x's first "
                             "dimension; use fg.where_v2 to broadcast.")
        return [(x.dtype, shape.merge_with(condition.shape))]

    def kernel(self, condition, x, y):
        condition, x, y = np.asarray(condition), np.asarray(x), np.asarray(y)
        if x.shape != y.shape:
            raise ValueError(f"Select needs x and y of one shape, got {list(x.shape)} and "
                             f"{list(y.shape)}")
        if condition.ndim == 1 and x.ndim > 1:
            if condition.shape[0] != x.shape[0]:
                raise ValueError(f"Select: a vector condition of length {condition.shape[0]} "
                                 f"does not match x's first dimension ({list(x.shape)})")
            condition = condition.reshape(condition.shape + (1,) * (x.ndim - 1))
        elif condition.ndim != 0 and condition.shape != x.shape:
            raise ValueError(f"Select: condition of shape {list(condition.shape)} does not "
                             f"match x of shape {list(x.shape)}")
        return np.where(condition, x, y)

    def grad(self, op, dz):
        """dz where condition else 0 for x, the opposite for y; none for condition."""
        condition, x, _ = op.inputs
        dz = convert_to_tensor(dz)
        zero = convert_to_tensor(0, dtype=dz.dtype)
        c_rank, x_rank = condition.shape.ndims, dz.shape.ndims
        if c_rank is not None and x_rank is not None and c_rank in (0, x_rank):
            # numpy broadcasting agrees with Select's rules here: a cheap scalar zero.
            return [None, where_v2(condition, dz, zero), where_v2(condition, zero, dz)]
        from flowgraph.ops.fill import zeros_like
        zeros = zeros_like(dz)
        return [None, apply_op(Select(), [condition, dz, zeros]),
                apply_op(Select(), [condition, zeros, dz])]


@register
class SelectV2(Op):
    """Elements of x where condition is true, else of y, broadcasting all three."""

    def infer(self, op):
        condition, x, y = op.inputs
        _check_bool(op, condition)
        _check_branches(op, x, y)
        shape = broadcast_shapes(x.shape, y.shape)
        if shape is not None:
            shape = broadcast_shapes(condition.shape, shape)
        if shape is None:
            raise ValueError(f"SelectV2: shapes {condition.shape}, {x.shape} and {y.shape} "
                             "cannot be broadcast together.")
        return [(x.dtype, shape)]

    broadcasting = True

    def kernel(self, condition, x, y):
        return np.where(condition, x, y)

    def fast_kernel(self, op):
        return np.where

    def grad(self, op, dz):
        dz = convert_to_tensor(dz)
        zero = convert_to_tensor(0, dtype=dz.dtype)
        condition = op.inputs[0]
        return [None, where_v2(condition, dz, zero), where_v2(condition, zero, dz)]


@register
class Where(Op):
    """The coordinates of the true (non-zero) elements of x: int64 [N, rank(x)], in
    row-major order."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, "fiub")
        return [(dtypes.int64, TensorShape([None, x.shape.ndims]))]

    def kernel(self, x):
        return np.argwhere(x).astype(np.int64, copy=False)


# --------------------------------------------------------------------------- builders
def logical_and(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x AND y elementwise on bools, with broadcasting (node "LogicalAnd")."""
    return binary_op(LogicalAnd(), x, y, name)


def logical_or(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x OR y elementwise on bools, with broadcasting (node "LogicalOr")."""
    return binary_op(LogicalOr(), x, y, name)


def logical_not(x: Any, name: Optional[str] = None) -> Tensor:
    """NOT x elementwise on bools (node "LogicalNot")."""
    return unary_op(LogicalNot(), x, name)


def logical_xor(x: Any, y: Any, name: str = "LogicalXor") -> Tensor:
    """x XOR y elementwise on bools, as TF1 builds it: (x OR y) AND NOT (x AND y); the final
    LogicalAnd node is named `name`."""
    x, y = binary_inputs(x, y)
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


def _condition(condition: Any) -> Tensor:
    return convert_to_tensor(condition, preferred_dtype=dtypes.bool_)


def where(condition: Any, x: Any = None, y: Any = None, name: Optional[str] = None) -> Tensor:
    """Selects from x or y by condition, or finds the true elements of condition (TF1 v1).

    With x and y (of one shape): elements of x where condition is true, else of y;
    condition has x's shape, or is a vector choosing whole rows of x (node "Select").
    With neither: the int64 [N, rank] coordinates of condition's N true elements
    (node "Where").

    ``fg.where([[True, False], [False, True]])`` evaluates to ``[[0, 0], [1, 1]]``.
    """
    if x is None and y is None:
        with op_scope(name, "Where", [condition]) as scope:
            return apply_op(Where(), [_condition(condition)], name=scope)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = _condition(condition)
    x, y = binary_inputs(x, y)
    return apply_op(Select(), [condition, x, y], name=name)


def where_v2(condition: Any, x: Any = None, y: Any = None,
             name: Optional[str] = None) -> Tensor:
    """As `where`, but condition, x and y broadcast together (node "SelectV2")."""
    if x is None and y is None:
        return where(condition, name=name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    condition = _condition(condition)
    x, y = binary_inputs(x, y)
    return apply_op(SelectV2(), [condition, x, y], name=name)
