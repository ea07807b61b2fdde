"""Trigonometric, hyperbolic and logistic ops: sin, cos, tan, asin, ..., tanh, sigmoid."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import UfuncBinary, UfuncUnary, binary_op, op_scope, unary_op
from flowgraph.ops.registry import register

__all__ = ["sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
           "sigmoid"]


@register
class Sin(UfuncUnary):
    """sin(x) elementwise (radians)."""

    allowed = "f"
    ufunc = np.sin
    quiet = True


@register
class Cos(UfuncUnary):
    """cos(x) elementwise (radians)."""

    allowed = "f"
    ufunc = np.cos
    quiet = True


@register
class Tan(UfuncUnary):
    """tan(x) elementwise (radians)."""

    allowed = "f"
    ufunc = np.tan
    quiet = True


@register
class Asin(UfuncUnary):
    """arcsin(x) elementwise (NaN outside [-1, 1])."""

    allowed = "f"
    ufunc = np.arcsin
    quiet = True


@register
class Acos(UfuncUnary):
    """arccos(x) elementwise (NaN outside [-1, 1])."""

    allowed = "f"
    ufunc = np.arccos
    quiet = True


@register
class Atan(UfuncUnary):
    """arctan(x) elementwise."""

    allowed = "f"
    ufunc = np.arctan


@register
class Atan2(UfuncBinary):
    """arctan(y / x) elementwise, in the quadrant of the point (x, y); inputs (y, x)."""

    allowed = "f"
    ufunc = np.arctan2


@register
class Sinh(UfuncUnary):
    """sinh(x) elementwise."""

    allowed = "f"
    ufunc = np.sinh
    quiet = True


@register
class Cosh(UfuncUnary):
    """cosh(x) elementwise."""

    allowed = "f"
    ufunc = np.cosh
    quiet = True


@register
class Tanh(UfuncUnary):
    """tanh(x) elementwise."""

    allowed = "f"
    ufunc = np.tanh


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow: exp is only taken of -|x| <= 0, and the tail
    e / (1 + e) keeps full relative precision for very negative x."""
    e = np.exp(-np.absolute(x))
    return np.where(x >= 0, 1, e) / (1 + e)


@register
class Sigmoid(UfuncUnary):
    """The logistic function 1 / (1 + exp(-x)) elementwise, finite for any finite x."""

    allowed = "f"
    ufunc = staticmethod(_sigmoid)


# --------------------------------------------------------------------------- builders
def sin(x: Any, name: Optional[str] = None) -> Tensor:
    """sin(x) elementwise (node "Sin")."""
    return unary_op(Sin(), x, name)


def cos(x: Any, name: Optional[str] = None) -> Tensor:
    """cos(x) elementwise (node "Cos")."""
    return unary_op(Cos(), x, name)


def tan(x: Any, name: Optional[str] = None) -> Tensor:
    """tan(x) elementwise (node "Tan")."""
    return unary_op(Tan(), x, name)


def asin(x: Any, name: Optional[str] = None) -> Tensor:
    """arcsin(x) elementwise (node "Asin")."""
    return unary_op(Asin(), x, name)


def acos(x: Any, name: Optional[str] = None) -> Tensor:
    """arccos(x) elementwise (node "Acos")."""
    return unary_op(Acos(), x, name)


def atan(x: Any, name: Optional[str] = None) -> Tensor:
    """arctan(x) elementwise (node "Atan")."""
    return unary_op(Atan(), x, name)


def atan2(y: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """The angle of the point (x, y) in radians, elementwise with broadcasting (node
    "Atan2"); note the argument order (y, x), as numpy's arctan2."""
    return binary_op(Atan2(), y, x, name)


def sinh(x: Any, name: Optional[str] = None) -> Tensor:
    """sinh(x) elementwise (node "Sinh")."""
    return unary_op(Sinh(), x, name)


def cosh(x: Any, name: Optional[str] = None) -> Tensor:
    """cosh(x) elementwise (node "Cosh")."""
    return unary_op(Cosh(), x, name)


def tanh(x: Any, name: Optional[str] = None) -> Tensor:
    """tanh(x) elementwise (node "Tanh")."""
    return unary_op(Tanh(), x, name)


def sigmoid(x: Any, name: Optional[str] = None) -> Tensor:
    """The logistic function 1 / (1 + exp(-x)) elementwise (node "Sigmoid").

    Stable for large |x|: sigmoid(-1000) is 0 and sigmoid(1000) is 1, with no overflow.
    """
    with op_scope(name, "Sigmoid", [x]) as scope:
        return unary_op(Sigmoid(), x, scope)
