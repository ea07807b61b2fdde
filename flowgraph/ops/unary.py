"""One-input arithmetic ops: negative, abs, sign, square, sqrt, rsqrt, reciprocal, exp, log.

Each op's kernel is one numpy ufunc (see `UfuncUnary`), which the executor calls directly.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import UfuncUnary, op_scope, unary_op
from flowgraph.ops.registry import register

__all__ = ["negative", "abs", "sign", "square", "sqrt", "rsqrt", "reciprocal", "exp", "log",
           "log1p", "expm1"]


@register
class Neg(UfuncUnary):
    """-x elementwise."""

    allowed = "fi"
    ufunc = np.negative


@register
class Abs(UfuncUnary):
    """|x| elementwise."""

    allowed = "fi"
    ufunc = np.absolute


@register
class Sign(UfuncUnary):
    """-1, 0 or 1 by the sign of x, elementwise (NaN stays NaN)."""

    allowed = "fi"
    ufunc = np.sign


@register
class Square(UfuncUnary):
    """x * x elementwise."""

    allowed = "fi"
    ufunc = np.square


@register
class Sqrt(UfuncUnary):
    """The square root of x elementwise (NaN for x < 0)."""

    allowed = "f"
    ufunc = np.sqrt
    quiet = True


def _rsqrt(x: np.ndarray) -> np.ndarray:
    return np.reciprocal(np.sqrt(x))


@register
class Rsqrt(UfuncUnary):
    """1 / sqrt(x) elementwise."""

    allowed = "f"
    ufunc = staticmethod(_rsqrt)
    quiet = True


@register
class Reciprocal(UfuncUnary):
    """1 / x elementwise (inf for x = 0)."""

    allowed = "f"
    ufunc = np.reciprocal
    quiet = True


@register
class Exp(UfuncUnary):
    """e ** x elementwise."""

    allowed = "f"
    ufunc = np.exp
    quiet = True


@register
class Log(UfuncUnary):
    """The natural logarithm of x elementwise (-inf at 0, NaN below)."""

    allowed = "f"
    ufunc = np.log
    quiet = True


@register
class Log1p(UfuncUnary):
    """log(1 + x) elementwise, accurate for small x."""

    allowed = "f"
    ufunc = np.log1p
    quiet = True


@register
class Expm1(UfuncUnary):
    """exp(x) - 1 elementwise, accurate for small x."""

    allowed = "f"
    ufunc = np.expm1
    quiet = True


# --------------------------------------------------------------------------- builders
def negative(x: Any, name: Optional[str] = None) -> Tensor:
    """-x elementwise (node "Neg")."""
    return unary_op(Neg(), x, name)


def abs(x: Any, name: Optional[str] = None) -> Tensor:
    """The absolute value of x elementwise (node "Abs")."""
    with op_scope(name, "Abs", [x]) as scope:
        return unary_op(Abs(), x, scope)


def sign(x: Any, name: Optional[str] = None) -> Tensor:
    """The sign of x elementwise: -1, 0 or 1 (node "Sign")."""
    return unary_op(Sign(), x, name)


def square(x: Any, name: Optional[str] = None) -> Tensor:
    """x * x elementwise (node "Square")."""
    return unary_op(Square(), x, name)


def sqrt(x: Any, name: Optional[str] = None) -> Tensor:
    """The square root of x elementwise (node "Sqrt"); x must be floating point."""
    return unary_op(Sqrt(), x, name)


def rsqrt(x: Any, name: Optional[str] = None) -> Tensor:
    """1 / sqrt(x) elementwise (node "Rsqrt")."""
    return unary_op(Rsqrt(), x, name)


def reciprocal(x: Any, name: Optional[str] = None) -> Tensor:
    """1 / x elementwise (node "Reciprocal")."""
    return unary_op(Reciprocal(), x, name)


def exp(x: Any, name: Optional[str] = None) -> Tensor:
    """e ** x elementwise (node "Exp")."""
    return unary_op(Exp(), x, name)


def log(x: Any, name: Optional[str] = None) -> Tensor:
    """The natural logarithm of x elementwise (node "Log")."""
    return unary_op(Log(), x, name)


def log1p(x: Any, name: Optional[str] = None) -> Tensor:
    """log(1 + x) elementwise (node "Log1p")."""
    return unary_op(Log1p(), x, name)


def expm1(x: Any, name: Optional[str] = None) -> Tensor:
    """exp(x) - 1 elementwise (node "Expm1")."""
    return unary_op(Expm1(), x, name)
