"""One-input arithmetic ops: negative, abs, sign, square, sqrt, rsqrt, reciprocal, exp, log.

Each op's kernel is one numpy ufunc (see `UfuncUnary`), which the executor calls directly.
Sqrt, Rsqrt and Reciprocal differentiate through fused ops of their output (SqrtGrad,
RsqrtGrad, ReciprocalGrad, as TF1), which are differentiable themselves.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import (
    QUIET,
    UfuncUnary,
    UnaryGradOp,
    map_slices,
    op_scope,
    unary_op,
)
from flowgraph.ops.registry import apply_op, register

__all__ = ["negative", "abs", "sign", "square", "sqrt", "rsqrt", "reciprocal", "exp", "log",
           "log1p", "expm1"]


@register
class Neg(UfuncUnary):
    """-x elementwise."""

    accepts_indexed_slices = True

    allowed = "fic"
    ufunc = np.negative

    def grad(self, op, dy):
        return [map_slices(negative, dy)]


@register
class Abs(UfuncUnary):
    """|x| elementwise."""

    allowed = "fi"
    ufunc = np.absolute

    def grad(self, op, dy):
        from flowgraph.ops.math import multiply
        return [multiply(dy, sign(op.inputs[0]))]  # 0 at x = 0, as TF1


@register
class Sign(UfuncUnary):
    """-1, 0 or 1 by the sign of x, elementwise (NaN stays NaN)."""

    allowed = "fi"
    ufunc = np.sign

    def grad(self, op, dy):
        from flowgraph.ops.fill import zeros_like
        return [zeros_like(op.inputs[0])]


@register
class Square(UfuncUnary):
    """x * x elementwise."""

    allowed = "fic"
    ufunc = np.square

    def grad(self, op, dy):
        from flowgraph.ops.complex_ops import conj_if_complex as _cj
        from flowgraph.ops.math import multiply
        return [multiply(dy, multiply(_cj(op.inputs[0]), 2))]


@register
class Sqrt(UfuncUnary):
    """The square root of x elementwise (NaN for x < 0)."""

    allowed = "fc"
    ufunc = np.sqrt
    quiet = True

    def grad(self, op, dy):
        return [fused_grad(SqrtGrad, op.outputs[0], dy)]


def _rsqrt(x: np.ndarray) -> np.ndarray:
    return np.reciprocal(np.sqrt(x))


@register
class Rsqrt(UfuncUnary):
    """1 / sqrt(x) elementwise."""

    allowed = "f"
    ufunc = staticmethod(_rsqrt)
    quiet = True

    def grad(self, op, dy):
        return [fused_grad(RsqrtGrad, op.outputs[0], dy)]


@register
class Reciprocal(UfuncUnary):
    """1 / x elementwise (inf for x = 0)."""

    allowed = "f"
    ufunc = np.reciprocal
    quiet = True

    def grad(self, op, dy):
        return [fused_grad(ReciprocalGrad, op.outputs[0], dy)]


@register
class Exp(UfuncUnary):
    """e ** x elementwise."""

    allowed = "fc"
    ufunc = np.exp
    quiet = True

    def grad(self, op, dy):
        from flowgraph.ops.complex_ops import conj_if_complex as _cj
        from flowgraph.ops.math import multiply
        return [multiply(dy, _cj(op.outputs[0]))]


@register
class Log(UfuncUnary):
    """The natural logarithm of x elementwise (-inf at 0, NaN below)."""

    allowed = "fc"
    ufunc = np.log
    quiet = True

    def grad(self, op, dy):
        from flowgraph.ops.complex_ops import conj_if_complex as _cj
        from flowgraph.ops.division import realdiv
        return [realdiv(dy, _cj(op.inputs[0]))]


@register
class Log1p(UfuncUnary):
    """log(1 + x) elementwise, accurate for small x."""

    allowed = "f"
    ufunc = np.log1p
    quiet = True

    def grad(self, op, dy):
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.math import add
        return [realdiv(dy, add(op.inputs[0], 1))]


@register
class Expm1(UfuncUnary):
    """exp(x) - 1 elementwise, accurate for small x."""

    allowed = "f"
    ufunc = np.expm1
    quiet = True

    def grad(self, op, dy):
        from flowgraph.ops.math import multiply
        return [multiply(dy, exp(op.inputs[0]))]


# --------------------------------------------------------------------------- fused gradients
def fused_grad(op_class: type, y: Tensor, dy: Any) -> Tensor:
    """The node op_class()(y, dy): a fused gradient from an op's output y."""
    return apply_op(op_class(), [y, convert_to_tensor(dy)])


def _zero_where_no_gradient(dy: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out, with 0 wherever dy is 0: TF1's SqrtGrad / RsqrtGrad / ReciprocalGrad kernels
    skip the formula there, so y = 0 or inf (e.g. a norm of zeros) gives 0, not NaN."""
    return np.where(dy == 0, out.dtype.type(0), out)


@register
class SqrtGrad(UnaryGradOp):
    """The gradient of y = sqrt(x) from y: dy * 0.5 / y."""

    allowed = "fc"

    def kernel(self, y, dy):
        with np.errstate(**QUIET):
            if y.dtype.kind == "c":  # TF1's kernel: 0.5 * dy / conj(y)
                y = np.conjugate(y)
            return _zero_where_no_gradient(dy, np.multiply(np.divide(dy, y), y.dtype.type(0.5)))

    def grad(self, op, g):
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.math import multiply
        y = op.inputs[0]
        gy = realdiv(g, y)
        return [negative(multiply(gy, op.outputs[0])), fused_grad(SqrtGrad, y, g)]


@register
class RsqrtGrad(UnaryGradOp):
    """The gradient of y = 1 / sqrt(x) from y: -0.5 * dy * y**3."""

    def kernel(self, y, dy):
        with np.errstate(**QUIET):
            out = np.multiply(np.multiply(dy, y * y * y), y.dtype.type(-0.5))
        return _zero_where_no_gradient(dy, out)

    def grad(self, op, g):
        from flowgraph.ops.math import multiply
        y, dy = op.inputs
        return [multiply(multiply(g, dy), multiply(square(y), -1.5)),
                fused_grad(RsqrtGrad, y, g)]


@register
class ReciprocalGrad(UnaryGradOp):
    """The gradient of y = 1 / x from y: -dy * y**2."""

    def kernel(self, y, dy):
        with np.errstate(**QUIET):
            return _zero_where_no_gradient(dy, np.negative(np.multiply(dy, np.multiply(y, y))))

    def grad(self, op, g):
        from flowgraph.ops.math import multiply
        y, dy = op.inputs
        return [multiply(multiply(g, dy), multiply(y, -2)), fused_grad(ReciprocalGrad, y, g)]


# --------------------------------------------------------------------------- builders
def negative(x: Any, name: Optional[str] = None) -> Tensor:
    """-x elementwise (node "Neg")."""
    return unary_op(Neg(), x, name)


def abs(x: Any, name: Optional[str] = None) -> Tensor:
    """The absolute value of x elementwise (node "Abs")."""
    with op_scope(name, "Abs", [x]) as scope:
        x = convert_to_tensor(x)
        if x.dtype.is_complex:  # as TF1: node "ComplexAbs", a real result
            from flowgraph.ops.complex_ops import ComplexAbs
            return apply_op(ComplexAbs(Tout=x.dtype.real_dtype), [x], name=scope)
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
