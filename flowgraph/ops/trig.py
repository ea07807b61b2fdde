"""Trigonometric, hyperbolic and logistic ops: sin, cos, tan, asin, ..., tanh, sigmoid.

Tanh and Sigmoid differentiate through fused ops of their output, TanhGrad and SigmoidGrad
(as TF1), which are differentiable themselves.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.division import realdiv
from flowgraph.ops.elementwise import (
    UfuncBinary,
    UfuncUnary,
    UnaryGradOp,
    binary_op,
    op_scope,
    unary_op,
)
from flowgraph.ops.math import add, multiply, subtract
from flowgraph.ops.registry import register
from flowgraph.ops.unary import fused_grad, negative, sqrt, square

__all__ = ["sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
           "sigmoid"]


@register
class Sin(UfuncUnary):
    """sin(x) elementwise (radians)."""

    allowed = "f"
    ufunc = np.sin
    quiet = True

    def grad(self, op, dy):
        return [multiply(dy, cos(op.inputs[0]))]


@register
class Cos(UfuncUnary):
    """cos(x) elementwise (radians)."""

    allowed = "f"
    ufunc = np.cos
    quiet = True

    def grad(self, op, dy):
        return [multiply(dy, negative(sin(op.inputs[0])))]


@register
class Tan(UfuncUnary):
    """tan(x) elementwise (radians)."""

    allowed = "f"
    ufunc = np.tan
    quiet = True

    def grad(self, op, dy):
        return [realdiv(dy, square(cos(op.inputs[0])))]  # dy * sec(x)**2


@register
class Asin(UfuncUnary):
    """arcsin(x) elementwise (NaN outside [-1, 1])."""

    allowed = "f"
    ufunc = np.arcsin
    quiet = True

    def grad(self, op, dy):
        return [realdiv(dy, _sqrt_one_minus_square(op.inputs[0]))]


@register
class Acos(UfuncUnary):
    """arccos(x) elementwise (NaN outside [-1, 1])."""

    allowed = "f"
    ufunc = np.arccos
    quiet = True

    def grad(self, op, dy):
        return [realdiv(negative(dy), _sqrt_one_minus_square(op.inputs[0]))]


def _sqrt_one_minus_square(x: Tensor) -> Tensor:
    return sqrt(subtract(1, square(x)))


@register
class Atan(UfuncUnary):
    """arctan(x) elementwise."""

    allowed = "f"
    ufunc = np.arctan

    def grad(self, op, dy):
        return [realdiv(dy, add(square(op.inputs[0]), 1))]


@register
class Atan2(UfuncBinary):
    """arctan(y / x) elementwise, in the quadrant of the point (x, y); inputs (y, x)."""

    allowed = "f"
    ufunc = np.arctan2

    def grad(self, op, dz):
        # d atan2(y, x) = (x dy - y dx) / (x**2 + y**2)
        y, x = op.inputs
        scaled = realdiv(dz, add(square(x), square(y)))
        return [multiply(x, scaled), multiply(negative(y), scaled)]


@register
class Sinh(UfuncUnary):
    """sinh(x) elementwise."""

    allowed = "f"
    ufunc = np.sinh
    quiet = True

    def grad(self, op, dy):
        return [multiply(dy, cosh(op.inputs[0]))]


@register
class Cosh(UfuncUnary):
    """cosh(x) elementwise."""

    allowed = "f"
    ufunc = np.cosh
    quiet = True

    def grad(self, op, dy):
        return [multiply(dy, sinh(op.inputs[0]))]


@register
class Tanh(UfuncUnary):
    """tanh(x) elementwise."""

    allowed = "f"
    ufunc = np.tanh

    def grad(self, op, dy):
        return [fused_grad(TanhGrad, op.outputs[0], dy)]


@register
class TanhGrad(UnaryGradOp):
    """The gradient of y = tanh(x) from y: dy * (1 - y**2)."""

    def kernel(self, y, dy):
        return np.multiply(dy, np.subtract(y.dtype.type(1), np.multiply(y, y)))

    def grad(self, op, g):
        y, dy = op.inputs
        return [multiply(multiply(g, dy), multiply(y, -2)), fused_grad(TanhGrad, y, g)]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) in one buffer. For very negative x, exp(-x) overflows to inf and
    the result is 0, below the smallest normal number anyway; elsewhere the relative
    precision is full (1 + exp(-x) loses nothing that matters after the reciprocal)."""
    with np.errstate(over="ignore"):
        out = np.array(x)  # a fresh buffer (also for 0-d inputs, which ufuncs unwrap)
        np.negative(out, out=out)
        np.exp(out, out=out)
        out += 1
        return np.reciprocal(out, out=out)


@register
class Sigmoid(UfuncUnary):
    """The logistic function 1 / (1 + exp(-x)) elementwise, finite for any finite x."""

    allowed = "f"
    ufunc = staticmethod(_sigmoid)

    def grad(self, op, dy):
        return [fused_grad(SigmoidGrad, op.outputs[0], dy)]


@register
class SigmoidGrad(UnaryGradOp):
    """The gradient of y = sigmoid(x) from y: dy * y * (1 - y)."""

    def kernel(self, y, dy):
        return np.multiply(np.multiply(dy, y), np.subtract(y.dtype.type(1), y))

    def grad(self, op, g):
        y, dy = op.inputs
        # d/dy [dy * y * (1 - y)] = dy * (1 - 2y); d/d(dy) = y * (1 - y)
        return [multiply(multiply(g, dy), subtract(1, multiply(y, 2))),
                fused_grad(SigmoidGrad, y, g)]


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
