"""The error function and its complement: Erf and Erfc (TF1's `tf.math.erf`, `tf.erf`,
`tf.math.erfc`, `tf.erfc`), used by ``fg.nn.gelu``.

numpy has no erf: the kernel evaluates W. J. Cody's rational Chebyshev approximations
(Math. Comp. 1969) on three ranges of |x|, accurate to float64 precision, elementwise and
without Python loops.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import UnaryOp, unary_op
from flowgraph.ops.registry import register

__all__ = ["erf", "erfc"]

# Cody's coefficients: erf on |x| <= 0.46875 (A / B), erfc on (0.46875, 4] (C / D) and on
# (4, inf) (P / Q).
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_INV_SQRT_PI = 5.6418958354775628695e-1
_THRESHOLD = 0.46875
_BIG = 26.543  # erfc(x) underflows to 0 beyond


def _exp_neg_square(y: np.ndarray) -> np.ndarray:
    """exp(-y * y), split as Cody does so that the rounding of y * y is not magnified."""
    head = np.trunc(y * 16) / 16
    return np.exp(-head * head) * np.exp(-(y - head) * (y + head))


def _erf_small(x: np.ndarray) -> np.ndarray:
    ysq = x * x
    num = _A[4] * ysq
    den = ysq
    for a, b in zip(_A[:3], _B[:3]):
        num = (num + a) * ysq
        den = (den + b) * ysq
    return x * (num + _A[3]) / (den + _B[3])


def _erfc_mid(y: np.ndarray) -> np.ndarray:
    num = _C[8] * y
    den = y
    for c, d in zip(_C[:7], _D[:7]):
        num = (num + c) * y
        den = (den + d) * y
    return _exp_neg_square(y) * (num + _C[7]) / (den + _D[7])


def _erfc_large(y: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ysq = 1 / (y * y)
        num = _P[5] * ysq
        den = ysq
        for p, q in zip(_P[:4], _Q[:4]):
            num = (num + p) * ysq
            den = (den + q) * ysq
        r = ysq * (num + _P[4]) / (den + _Q[4])
        r = (_INV_SQRT_PI - r) / y
        return np.where(y < _BIG, _exp_neg_square(np.minimum(y, _BIG)) * r, 0.0)


def erf_values(x: np.ndarray, complement: bool = False) -> np.ndarray:
    """erf(x) (or erfc(x)) elementwise, computed in float64, returned in x's dtype."""
    v = np.asarray(x, dtype=np.float64)
    y = np.abs(v)
    out = np.empty_like(v)
    small = y <= _THRESHOLD
    mid = (y > _THRESHOLD) & (y <= 4.0)
    large = ~(small | mid)  # includes nan, which stays nan
    erf_small = _erf_small(v[small])
    tail = np.empty_like(v)
    tail[mid] = _erfc_mid(y[mid])
    tail[large] = _erfc_large(y[large])
    tail[np.isnan(v)] = np.nan
    negative = v < 0
    if complement:
        out[small] = 1 - erf_small
        rest = ~small
        out[rest] = np.where(negative[rest], 2 - tail[rest], tail[rest])
    else:
        out[small] = erf_small
        rest = ~small
        out[rest] = np.where(negative[rest], tail[rest] - 1, 1 - tail[rest])
    return out.astype(x.dtype, copy=False)


def _erf_derivative(x: Tensor, dy: Tensor, sign: float) -> Tensor:
    """dy * sign * 2 / sqrt(pi) * exp(-x^2)."""
    from flowgraph.ops.math import multiply
    from flowgraph.ops.unary import exp, negative, square
    return multiply(dy, multiply(exp(negative(square(x))), sign * 2 / math.sqrt(math.pi)))


@register
class Erf(UnaryOp):
    """The Gauss error function 2 / sqrt(pi) * integral_0^x exp(-t^2) dt, elementwise."""

    allowed = "f"

    def kernel(self, x):
        return erf_values(x)

    def grad(self, op, dy):
        return [_erf_derivative(op.inputs[0], dy, 1.0)]


@register
class Erfc(UnaryOp):
    """The complementary error function 1 - erf(x), accurate for large x, elementwise."""

    allowed = "f"

    def kernel(self, x):
        return erf_values(x, complement=True)

    def grad(self, op, dy):
        return [_erf_derivative(op.inputs[0], dy, -1.0)]


def erf(x: Any, name: Optional[str] = None) -> Tensor:
    """The Gauss error function of x elementwise (node "Erf"); float dtypes."""
    return unary_op(Erf(), x, name)


def erfc(x: Any, name: Optional[str] = None) -> Tensor:
    """1 - erf(x) elementwise, without cancellation for large x (node "Erfc")."""
    return unary_op(Erfc(), x, name)
