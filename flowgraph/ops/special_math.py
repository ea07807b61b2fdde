"""Special functions of TF1's math namespace: lgamma, digamma, polygamma, zeta, the inverse
hyperbolic functions, rint, and the zero-safe products xlogy, xdivy, multiply_no_nan.

The gamma-family kernels are written in numpy (no scipy): lgamma by the Lanczos
approximation with the reflection formula, digamma by recurrence and its asymptotic series,
zeta (Hurwitz) by Euler-Maclaurin summation as Cephes (which TF1's Eigen kernels follow).
They compute in float64 and return the input's dtype.
"""

from __future__ import annotations

import math as _math
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import (
    QUIET,
    BinaryOp,
    UfuncUnary,
    binary_inputs,
    binary_op,
    op_scope,
    unary_op,
)
from flowgraph.ops.registry import apply_op, register

# xlogy, xdivy and multiply_no_nan are TF1's tf.math.* only (flowgraph.api.math).
__all__ = ["lgamma", "digamma", "polygamma", "zeta", "asinh", "acosh", "atanh", "rint"]

_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)
# Cephes' zeta: (2k)! / B_2k for the Euler-Maclaurin correction terms.
_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18)


def _pole(x: np.ndarray) -> np.ndarray:
    """Non-positive integers, where gamma has its poles."""
    return (x <= 0) & (x == np.floor(x))


def _lgamma_at_least_half(x: np.ndarray) -> np.ndarray:
    z = x - 1.0
    series = np.full_like(z, _LANCZOS[0])
    for i in range(1, len(_LANCZOS)):
        series = series + _LANCZOS[i] / (z + i)
    t = z + 7.5
    return 0.5 * _math.log(2 * _math.pi) + (z + 0.5) * np.log(t) - t + np.log(series)


def lgamma_kernel(x: Any) -> np.ndarray:
    """log|Gamma(x)| elementwise; +inf at the poles (0, -1, -2, ...)."""
    dtype = np.asarray(x).dtype
    v = np.asarray(x, dtype=np.float64)
    with np.errstate(**QUIET):
        small = v < 0.5
        big = _lgamma_at_least_half(np.where(small, 1.0 - v, v))
        reflected = np.log(np.pi / np.abs(np.sin(np.pi * v))) - big
        out = np.where(small, reflected, big)
    out = np.where(_pole(v), np.inf, out)
    out = np.where(np.isinf(v), np.inf, out)
    return np.asarray(out, dtype=dtype)


def digamma_kernel(x: Any) -> np.ndarray:
    """psi(x) = d/dx lgamma(x) elementwise; NaN at the poles."""
    dtype = np.asarray(x).dtype
    v = np.asarray(x, dtype=np.float64)
    with np.errstate(**QUIET):
        negative = v < 0.5
        w = np.where(negative, 1.0 - v, v)
        shift = np.zeros_like(w)
        for _ in range(10):  # w >= 0.5: ten steps bring it to >= 10, where the series
            low = w < 10.0  # is accurate to ~1e-15 (smooth across the step)
            shift = shift - np.where(low, 1.0 / w, 0.0)
            w = np.where(low, w + 1.0, w)
        inv2 = 1.0 / (w * w)
        tail = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (
            1 / 240 - inv2 * (1 / 132)))))
        out = np.log(w) - 0.5 / w - tail + shift
        out = np.where(negative, out - np.pi / np.tan(np.pi * v), out)
    out = np.where(_pole(v), np.nan, out)
    return np.asarray(out, dtype=dtype)


def zeta_kernel(x: Any, q: Any) -> np.ndarray:
    """The Hurwitz zeta function sum_k (q + k)^-x elementwise (x > 1, q > 0), as Cephes."""
    dtype = np.result_type(np.asarray(x).dtype, np.asarray(q).dtype)
    s_, q_ = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    with np.errstate(**QUIET):
        total = q_ ** -s_
        a = q_.copy()
        b = np.zeros_like(total)
        for _ in range(9):
            a = a + 1.0
            b = a ** -s_
            total = total + b
        w = a
        total = total + b * w / (s_ - 1.0) - 0.5 * b
        factor = np.ones_like(total)
        k = 0.0
        for coefficient in _ZETA_A:
            factor = factor * (s_ + k)
            b = b / w
            total = total + factor * b / coefficient
            k += 1.0
            factor = factor * (s_ + k)
            b = b / w
            k += 1.0
    total = np.where(s_ == 1.0, np.inf, total)
    total = np.where(s_ < 1.0, np.nan, total)
    total = np.where(_pole(q_), np.inf, total)
    total = np.where((q_ < 0) & ~_pole(q_) & (s_ != np.floor(s_)), np.nan, total)
    return np.asarray(total, dtype=dtype)


def polygamma_kernel(a: Any, x: Any) -> np.ndarray:
    """The a-th derivative of digamma at x (a a non-negative integer, as a float)."""
    dtype = np.result_type(np.asarray(a).dtype, np.asarray(x).dtype)
    n, v = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    with np.errstate(**QUIET):
        sign = np.where(np.mod(n, 2.0) == 0.0, -1.0, 1.0)  # (-1)^(n+1)
        factorial = np.exp(lgamma_kernel(n + 1.0))
        out = sign * factorial * zeta_kernel(n + 1.0, v)
        out = np.where(n == 0.0, digamma_kernel(v), out)
        out = np.where((n < 0) | (n != np.floor(n)), np.nan, out)
    return np.asarray(out, dtype=dtype)


@register
class Lgamma(UfuncUnary):
    """log|Gamma(x)| elementwise (+inf at 0, -1, -2, ...)."""

    allowed = "f"
    ufunc = staticmethod(lgamma_kernel)

    def grad(self, op, dy):
        from flowgraph.ops.math import multiply
        return [multiply(dy, digamma(op.inputs[0]))]


@register
class Digamma(UfuncUnary):
    """psi(x), the derivative of lgamma, elementwise (NaN at 0, -1, -2, ...)."""

    allowed = "f"
    ufunc = staticmethod(digamma_kernel)

    def grad(self, op, dy):
        from flowgraph.ops.math import multiply
        x = op.inputs[0]
        return [multiply(dy, polygamma(np.ones((), x.dtype.np), x))]


@register
class Zeta(BinaryOp):
    """The Hurwitz zeta function zeta(x, q) = sum over k >= 0 of (q + k)^-x."""

    allowed = "f"

    def kernel(self, x, q):
        return zeta_kernel(x, q)

    def grad(self, op, dz):
        # As TF1: no gradient for x; d/dq zeta(x, q) = -x * zeta(x + 1, q).
        from flowgraph.ops.math import add, multiply
        from flowgraph.ops.unary import negative
        x, q = op.inputs
        return [None, multiply(dz, multiply(negative(x), zeta(add(x, 1), q)))]


@register
class Polygamma(BinaryOp):
    """polygamma(a, x): the a-th derivative of digamma (a a whole number, as a float)."""

    allowed = "f"

    def kernel(self, a, x):
        return polygamma_kernel(a, x)

    def grad(self, op, dz):
        # As TF1: no gradient for a; d/dx polygamma(a, x) = polygamma(a + 1, x).
        from flowgraph.ops.math import add, multiply
        a, x = op.inputs
        return [None, multiply(dz, polygamma(add(a, 1), x))]


@register
class Asinh(UfuncUnary):
    """The inverse hyperbolic sine, elementwise."""

    allowed = "f"
    ufunc = np.arcsinh

    def grad(self, op, dy):
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.math import add
        from flowgraph.ops.unary import sqrt, square
        return [realdiv(dy, sqrt(add(square(op.inputs[0]), 1)))]


@register
class Acosh(UfuncUnary):
    """The inverse hyperbolic cosine, elementwise (NaN below 1)."""

    allowed = "f"
    ufunc = np.arccosh
    quiet = True

    def grad(self, op, dy):
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.math import subtract
        from flowgraph.ops.unary import sqrt, square
        return [realdiv(dy, sqrt(subtract(square(op.inputs[0]), 1)))]


@register
class Atanh(UfuncUnary):
    """The inverse hyperbolic tangent, elementwise (NaN outside [-1, 1])."""

    allowed = "f"
    ufunc = np.arctanh
    quiet = True

    def grad(self, op, dy):
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.math import subtract
        from flowgraph.ops.unary import square
        return [realdiv(dy, subtract(1, square(op.inputs[0])))]


@register
class Rint(UfuncUnary):
    """The nearest integer elementwise, halves to even (0.5 -> 0, 1.5 -> 2)."""

    allowed = "f"
    differentiable = False
    ufunc = np.rint


@register
class Xlogy(BinaryOp):
    """x * log(y) elementwise, 0 wherever x is 0 (even where log(y) is inf or NaN)."""

    allowed = "f"

    def kernel(self, x, y):
        with np.errstate(**QUIET):
            product = np.multiply(x, np.log(y))
        return np.where(np.equal(x, 0), 0, product).astype(product.dtype, copy=False)

    def grad(self, op, dz):
        from flowgraph.ops.cast import cast
        from flowgraph.ops.compare import not_equal
        from flowgraph.ops.math import multiply
        x, y = op.inputs
        x_nonzero = cast(not_equal(x, 0), x.dtype)
        return [multiply(dz, xlogy(x_nonzero, y)), multiply(dz, xdivy(x, y))]


@register
class Xdivy(BinaryOp):
    """x / y elementwise, 0 wherever x is 0 (even where y is 0)."""

    allowed = "f"

    def kernel(self, x, y):
        with np.errstate(**QUIET):
            quotient = np.divide(x, y)
        return np.where(np.equal(x, 0), 0, quotient).astype(quotient.dtype, copy=False)

    def grad(self, op, dz):
        from flowgraph.ops.cast import cast
        from flowgraph.ops.compare import not_equal
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import negative, square
        x, y = op.inputs
        x_nonzero = cast(not_equal(x, 0), x.dtype)
        return [multiply(dz, xdivy(x_nonzero, y)),
                multiply(dz, xdivy(negative(x), square(y)))]


@register
class MulNoNan(BinaryOp):
    """x * y elementwise, 0 wherever y is 0 (even where x is inf or NaN)."""

    allowed = "f"

    def kernel(self, x, y):
        with np.errstate(**QUIET):
            product = np.multiply(x, y)
        return np.where(np.equal(y, 0), 0, product).astype(product.dtype, copy=False)

    def grad(self, op, dz):
        x, y = op.inputs
        return [multiply_no_nan(dz, y), multiply_no_nan(x, dz)]


def lgamma(x: Any, name: Optional[str] = None) -> Tensor:
    """log|Gamma(x)| elementwise (node "Lgamma")."""
    return unary_op(Lgamma(), x, name=name)


def digamma(x: Any, name: Optional[str] = None) -> Tensor:
    """psi(x), the derivative of lgamma, elementwise (node "Digamma")."""
    return unary_op(Digamma(), x, name=name)


def polygamma(a: Any, x: Any, name: Optional[str] = None) -> Tensor:
    """The a-th derivative of digamma at x (node "Polygamma"); a and x of one float dtype."""
    a, x = binary_inputs(a, x)
    return apply_op(Polygamma(), [a, x], name=name)


def zeta(x: Any, q: Any, name: Optional[str] = None) -> Tensor:
    """The Hurwitz zeta function sum_k (q + k)^-x (node "Zeta")."""
    return binary_op(Zeta(), x, q, name=name)


def asinh(x: Any, name: Optional[str] = None) -> Tensor:
    """The inverse hyperbolic sine elementwise (node "Asinh")."""
    return unary_op(Asinh(), x, name=name)


def acosh(x: Any, name: Optional[str] = None) -> Tensor:
    """The inverse hyperbolic cosine elementwise (node "Acosh")."""
    return unary_op(Acosh(), x, name=name)


def atanh(x: Any, name: Optional[str] = None) -> Tensor:
    """The inverse hyperbolic tangent elementwise (node "Atanh")."""
    return unary_op(Atanh(), x, name=name)


def rint(x: Any, name: Optional[str] = None) -> Tensor:
    """The nearest integer elementwise, halves to even (node "Rint")."""
    return unary_op(Rint(), x, name=name)


def xlogy(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x * log(y), 0 where x is 0 (node "Xlogy")."""
    return binary_op(Xlogy(), x, y, name=name)


def xdivy(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x / y, 0 where x is 0 (node "xdivy/Xdivy", as TF1's wrapper)."""
    with op_scope(name, "xdivy", [x, y]):
        return binary_op(Xdivy(), x, y)


def multiply_no_nan(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x * y, 0 where y is 0 (node "multiply_no_nan")."""
    with op_scope(name, "multiply_no_nan", [x, y]) as scope:
        return binary_op(MulNoNan(), x, y, name=scope)
