"""Inverse error functions and friends (TF's ``tf.math.erfinv``, ``erfcinv``, ``ndtri``,
``xlog1py``, ``nextafter``), numpy only.

ndtri (the inverse of the standard normal CDF) starts from P. J. Acklam's rational
approximation (relative error < 1.2e-9) and takes two Halley steps on the CDF, evaluated
with flowgraph's float64 erf / erfc (W. J. Cody's approximations), which brings it to
float64 precision; below p = 1e-290 (where the CDF's density underflows) Acklam's value is
kept. erfinv uses M. Giles' polynomial and Halley steps on erf for |x| <= 0.5, and ndtri
elsewhere (so that 1 - |x| is exact).
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import (
    QUIET,
    BinaryOp,
    UfuncBinary,
    UnaryOp,
    binary_op,
    op_scope,
    unary_op,
)
from flowgraph.ops.erf import erf_values
from flowgraph.ops.registry import register

__all__: list = []  # tf.math.* only (flowgraph/api/math.py), as TF1

_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
      6.680131188771972e+01, -1.328068155288572e+01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
      3.754408661907416e+00)
_GILES = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
          -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
_TINY = 1e-290


def _polyval(coefficients: tuple, x: np.ndarray) -> np.ndarray:
    out = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        out = out * x + c
    return out


def _acklam_lower(q: np.ndarray) -> np.ndarray:
    """Acklam's approximation of ndtri(q) for 0 < q <= 0.5."""
    out = np.empty_like(q)
    tail = q < 0.02425
    t = np.sqrt(-2.0 * np.log(q[tail]))
    out[tail] = _polyval(_C, t) / (_polyval(_D, t) * t + 1.0)
    r = q[~tail] - 0.5
    s = r * r
    out[~tail] = _polyval(_A, s) * r / (_polyval(_B, s) * s + 1.0)
    return out


def _ndtri_lower(q: np.ndarray) -> np.ndarray:
    """ndtri(q) for 0 < q <= 0.5 (x <= 0), refined by Halley steps on the normal CDF."""
    x = _acklam_lower(q)
    refine = q >= _TINY
    central = q >= 0.25
    for _ in range(2):
        # CDF(x) - q; near the median as 0.5 * erf(x / sqrt 2) - (q - 0.5), both exact-ish.
        diff = np.where(central, 0.5 * erf_values(x / _SQRT2) - (q - 0.5),
                        0.5 * erf_values(-x / _SQRT2, complement=True) - q)
        with np.errstate(over="ignore", invalid="ignore"):
            u = diff * _SQRT2PI * np.exp(0.5 * x * x)
            step = u / (1.0 + 0.5 * x * u)
        x = np.where(refine, x - np.where(np.isfinite(step), step, 0.0), x)
    return x


def ndtri_values(p: np.ndarray) -> np.ndarray:
    """The inverse standard normal CDF of p elementwise (float64 computation, p's dtype)."""
    v = np.asarray(p, dtype=np.float64)
    out = np.full(v.shape, np.nan)
    inside = (v > 0) & (v < 1)
    q = np.where(v[inside] > 0.5, 1.0 - v[inside], v[inside])
    x = _ndtri_lower(q) if q.size else q
    out[inside] = np.where(v[inside] > 0.5, -x, x)
    out[v == 0] = -np.inf
    out[v == 1] = np.inf
    return out.astype(np.asarray(p).dtype, copy=False)


def erfinv_values(y: np.ndarray) -> np.ndarray:
    """The inverse error function of y elementwise (float64 computation, y's dtype)."""
    v = np.asarray(y, dtype=np.float64)
    out = np.full(v.shape, np.nan)
    a = np.abs(v)
    small = a <= 0.5
    ys = v[small]
    with np.errstate(**QUIET):
        w = -np.log((1.0 - ys) * (1.0 + ys)) - 2.5
    x = _polyval(_GILES, w) * ys
    for _ in range(2):
        t = (erf_values(x) - ys) / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
        x = x - t / (1.0 + x * t)
    out[small] = x
    large = (a > 0.5) & (a < 1)
    out[large] = np.sign(v[large]) * -ndtri_values((1.0 - a[large]) / 2.0) / _SQRT2
    out[a == 1] = np.sign(v[a == 1]) * np.inf
    return out.astype(np.asarray(y).dtype, copy=False)


@register
class Erfinv(UnaryOp):
    """The inverse of erf on (-1, 1) elementwise (+-inf at +-1, NaN outside)."""

    allowed = "f"

    def kernel(self, x):
        return erfinv_values(x)

    def grad(self, op, dy):
        """dy * sqrt(pi) / 2 * exp(erfinv(x)^2), as TF."""
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import exp, square
        return [multiply(dy, multiply(exp(square(op.outputs[0])), math.sqrt(math.pi) / 2))]


@register
class Ndtri(UnaryOp):
    """The inverse of the standard normal CDF on (0, 1) elementwise (-inf at 0, inf at 1,
    NaN outside)."""

    allowed = "f"

    def kernel(self, x):
        return ndtri_values(x)

    def grad(self, op, dy):
        """dy * sqrt(2 pi) * exp(ndtri(x)^2 / 2), as TF."""
        from flowgraph.ops.math import multiply
        from flowgraph.ops.unary import exp, square
        half_square = multiply(square(op.outputs[0]), 0.5)
        return [multiply(dy, multiply(exp(half_square), _SQRT2PI))]


@register
class Xlog1py(BinaryOp):
    """x * log1p(y) elementwise, 0 wherever x is 0 (even where log1p(y) is inf or NaN)."""

    allowed = "f"

    def kernel(self, x, y):
        with np.errstate(**QUIET):
            product = np.multiply(x, np.log1p(y))
        return np.where(np.equal(x, 0), 0, product).astype(product.dtype, copy=False)

    def grad(self, op, dz):
        """As TF: d/dx = xlog1py(x != 0, y), d/dy = xdivy(x, y + 1)."""
        from flowgraph.ops.cast import cast
        from flowgraph.ops.compare import not_equal
        from flowgraph.ops.math import add, multiply
        from flowgraph.ops.special_math import xdivy
        x, y = op.inputs
        x_nonzero = cast(not_equal(x, 0), x.dtype)
        return [multiply(dz, xlog1py(x_nonzero, y)), multiply(dz, xdivy(x, add(y, 1.0)))]


@register
class NextAfter(UfuncBinary):
    """The next representable float after x1 in the direction of x2, elementwise."""

    allowed = "f"
    differentiable = False
    ufunc = np.nextafter


def erfinv(x: Any, name: Optional[str] = None) -> Tensor:
    """The inverse error function of x elementwise (node "Erfinv"); float dtypes.

    >>> fg.math.erfinv([0.5])                  # [0.4769363]
    """
    return unary_op(Erfinv(), x, name=name)


def ndtri(x: Any, name: Optional[str] = None) -> Tensor:
    """The inverse of the standard normal CDF elementwise (node "Ndtri"); float dtypes.

    >>> fg.math.ndtri([0.975])                 # [1.959964]
    """
    return unary_op(Ndtri(), x, name=name)


def erfcinv(x: Any, name: Optional[str] = None) -> Tensor:
    """The inverse of erfc on (0, 2) elementwise, as TF: ``-ndtri(0.5 * x) * sqrt(0.5)``
    (under name scope "erfcinv")."""
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.math import multiply
    from flowgraph.ops.unary import negative
    with op_scope(name, "erfcinv", [x]):
        x = convert_to_tensor(x, name="x")
        return multiply(negative(ndtri(multiply(x, 0.5))), math.sqrt(0.5))


def xlog1py(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x * log1p(y) elementwise, 0 where x == 0 (node "Xlog1py"); float dtypes."""
    return binary_op(Xlog1py(), x, y, name=name)


def nextafter(x1: Any, x2: Any, name: Optional[str] = None) -> Tensor:
    """The next float after x1 towards x2 elementwise (node "NextAfter"); float32/64."""
    return binary_op(NextAfter(), x1, x2, name=name)
