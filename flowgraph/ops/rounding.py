"""Rounding (round, floor, ceil) and float classification (is_nan, is_inf, is_finite)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import UfuncUnary, check_dtype, unary_op
from flowgraph.ops.registry import register

__all__ = ["round", "floor", "ceil", "is_nan", "is_inf", "is_finite"]


@register
class Round(UfuncUnary):
    """x rounded to the nearest integer elementwise, halves to even (as TF1 and numpy):
    0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0."""

    allowed = "f"
    differentiable = False
    ufunc = np.rint


@register
class Floor(UfuncUnary):
    """The largest integer not greater than x, elementwise."""

    allowed = "f"
    differentiable = False
    ufunc = np.floor


@register
class Ceil(UfuncUnary):
    """The smallest integer not less than x, elementwise."""

    allowed = "f"
    differentiable = False
    ufunc = np.ceil


class _FloatPredicate(UfuncUnary):
    """A bool-valued test of each element of a floating-point tensor."""

    allowed = "f"
    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, self.allowed)
        return [(dtypes.bool_, x.shape)]


@register
class IsNan(_FloatPredicate):
    """True where x is NaN."""

    ufunc = np.isnan


@register
class IsInf(_FloatPredicate):
    """True where x is +inf or -inf."""

    ufunc = np.isinf


@register
class IsFinite(_FloatPredicate):
    """True where x is neither infinite nor NaN."""

    ufunc = np.isfinite


# --------------------------------------------------------------------------- builders
def round(x: Any, name: Optional[str] = None) -> Tensor:
    """Rounds x elementwise to the nearest integer, halves to even (node "Round").

    An integer tensor is returned as it is, as TF1 does.

    ``fg.round(fg.constant([0.5, 1.5, 2.5, -1.5]))`` evaluates to ``[0., 2., 2., -2.]``.
    """
    x = convert_to_tensor(x)
    if x.dtype.is_integer:
        return x
    return unary_op(Round(), x, name)


def floor(x: Any, name: Optional[str] = None) -> Tensor:
    """The largest integer not greater than x, elementwise (node "Floor")."""
    return unary_op(Floor(), x, name)


def ceil(x: Any, name: Optional[str] = None) -> Tensor:
    """The smallest integer not less than x, elementwise (node "Ceil")."""
    return unary_op(Ceil(), x, name)


def is_nan(x: Any, name: Optional[str] = None) -> Tensor:
    """A bool tensor, True where x is NaN (node "IsNan")."""
    return unary_op(IsNan(), x, name)


def is_inf(x: Any, name: Optional[str] = None) -> Tensor:
    """A bool tensor, True where x is infinite (node "IsInf")."""
    return unary_op(IsInf(), x, name)


def is_finite(x: Any, name: Optional[str] = None) -> Tensor:
    """A bool tensor, True where x is finite (node "IsFinite")."""
    return unary_op(IsFinite(), x, name)
