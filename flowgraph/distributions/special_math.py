"""Normal-distribution special functions built from flowgraph ops (so they differentiate):
`ndtr` (the standard normal cdf), `log_ndtr` (its log, accurate far in the tails) and
`ndtri` (its inverse), and `log_cdf_laplace`. The algorithms are TF1's
(tensorflow/python/ops/distributions/special_math.py): erf/erfc for ndtr, an asymptotic
series for log_ndtr in the lower tail, and Cephes' piecewise rational approximation for
ndtri.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import flowgraph as fg

__all__ = ["ndtr", "ndtri", "log_ndtr", "log_cdf_laplace"]

# log_ndtr switches method at these points (float64, float32).
_LOGNDTR_LOWER = {np.dtype(np.float64): -20., np.dtype(np.float32): -10.}
_LOGNDTR_UPPER = {np.dtype(np.float64): 8., np.dtype(np.float32): 5.}

# Cephes ndtri coefficients, constant term first.
_P0 = [-1.23916583867381258016E0, 1.39312609387279679503E1, -5.66762857469070293439E1,
       9.80010754185999661536E1, -5.99633501014107895267E1]
_Q0 = [-1.18331621121330003142E0, 1.59056225126211695515E1, -8.20372256168333339912E1,
       2.00260212380060660359E2, -2.25462687854119370527E2, 8.63602421390890590575E1,
       4.67627912898881538453E0, 1.95448858338141759834E0, 1.0]
_P1 = [-8.57456785154685413611E-4, -3.50424626827848203418E-2, -1.40256079171354495875E-1,
       2.18663306850790267539E0, 1.46849561928858024014E1, 4.40805073893200834700E1,
       5.71628192246421288162E1, 3.15251094599893866154E1, 4.05544892305962419923E0]
_Q1 = [-9.33259480895457427372E-4, -3.80806407691578277194E-2, -1.42182922854787788574E-1,
       2.50464946208309415979E0, 1.50425385692907503408E1, 4.13172038254672030440E1,
       4.53907635128879210584E1, 1.57799883256466749731E1, 1.0]
_P2 = [6.23974539184983293730E-9, 2.65806974686737550832E-6, 3.01581553508235416007E-4,
       1.23716634817820021358E-2, 2.01485389549179081538E-1, 1.33303460815807542389E0,
       3.93881025292474443415E0, 6.91522889068984211695E0, 3.23774891776946035970E0]
_Q2 = [6.79019408009981274425E-9, 2.89247864745380683936E-6, 3.28014464682127739104E-4,
       1.34204006088543189037E-2, 2.16236993594496635890E-1, 1.37702099489081330271E0,
       3.67983563856160859403E0, 6.02427039364742014255E0, 1.0]


def _float_input(x: Any, name: str) -> fg.Tensor:
    x = fg.convert_to_tensor(x, name=name, preferred_dtype=fg.float32)
    if x.dtype not in (fg.float32, fg.float64):
        raise TypeError(f"{name}.dtype={x.dtype.name} is not handled: pass float32 or "
                        f"float64 values")
    return x


def ndtr(x: Any, name: str = "ndtr") -> fg.Tensor:
    """The standard normal cdf, 0.5 * (1 + erf(x / sqrt(2))), accurate in both tails."""
    with fg.name_scope(name):
        return _ndtr(_float_input(x, "x"))


def _ndtr(x: fg.Tensor) -> fg.Tensor:
    half_sqrt_2 = fg.constant(0.5 * np.sqrt(2.), dtype=x.dtype, name="half_sqrt_2")
    w = x * half_sqrt_2
    z = fg.abs(w)
    y = fg.where_v2(fg.less(z, half_sqrt_2), 1. + fg.erf(w),
                    fg.where_v2(fg.greater(w, 0.), 2. - fg.erfc(z), fg.erfc(z)))
    return 0.5 * y


def ndtri(p: Any, name: str = "ndtri") -> fg.Tensor:
    """The inverse of `ndtr`: x with P[N(0, 1) <= x] = p (-inf at 0, inf at 1)."""
    with fg.name_scope(name):
        return _ndtri(_float_input(p, "p"))


def _polynomial(var: fg.Tensor, coeffs: list) -> fg.Tensor:
    """sum(coeffs[i] * var**i) by Horner's method."""
    coeffs = np.asarray(coeffs, var.dtype.np)[::-1]
    result = fg.zeros_like(var) + coeffs[0]
    for c in coeffs[1:]:
        result = result * var + c
    return result


def _ndtri(p: fg.Tensor) -> fg.Tensor:
    maybe_complement_p = fg.where_v2(p > -np.expm1(-2.), 1. - p, p)
    # 0 would give NaNs below; the value computed there is replaced at the end anyway.
    sanitized = fg.where_v2(maybe_complement_p <= 0.,
                            fg.fill(fg.shape(p), np.array(0.5, p.dtype.np)),
                            maybe_complement_p)
    # p > exp(-2): x / sqrt(2 pi) = w + w**3 P0(w**2) / Q0(w**2).
    w = sanitized - 0.5
    ww = w * w
    x_for_big_p = w + w * ww * (_polynomial(ww, _P0) / _polynomial(ww, _Q0))
    x_for_big_p = x_for_big_p * -np.sqrt(2. * np.pi)
    # Otherwise x = z - log(z) / z - (1 / z) P(1 / z) / Q(1 / z), z = sqrt(-2 log p).
    z = fg.sqrt(-2. * fg.log(sanitized))
    first_term = z - fg.log(z) / z
    inv_z = 1. / z
    second_small = _polynomial(inv_z, _P2) / _polynomial(inv_z, _Q2) / z
    second_other = _polynomial(inv_z, _P1) / _polynomial(inv_z, _Q1) / z
    x = fg.where_v2(sanitized > np.exp(-2.), x_for_big_p,
                    fg.where_v2(z >= 8.0, first_term - second_small,
                                first_term - second_other))
    x = fg.where_v2(p > 1. - np.exp(-2.), x, -x)
    infinity = fg.fill(fg.shape(p), fg.constant(np.inf, dtype=p.dtype))
    return fg.where_v2(p <= 0.0, -infinity, fg.where_v2(p >= 1.0, infinity, x))


def log_ndtr(x: Any, series_order: int = 3, name: str = "log_ndtr") -> fg.Tensor:
    """log(ndtr(x)), accurate far into both tails (an asymptotic series of order
    `series_order` below -20 in float64 / -10 in float32)."""
    if not isinstance(series_order, int) or isinstance(series_order, bool):
        raise TypeError(f"series_order must be a Python integer, got {series_order!r}")
    if series_order < 0:
        raise ValueError(f"series_order must be non-negative, got {series_order}")
    if series_order > 30:
        raise ValueError(f"series_order must be <= 30, got {series_order}")
    with fg.name_scope(name):
        x = _float_input(x, "x")
        lower = _LOGNDTR_LOWER[x.dtype.np]
        upper = _LOGNDTR_UPPER[x.dtype.np]
        return fg.where_v2(
            fg.greater(x, upper), -_ndtr(-x),  # log(1 - e) ~= -e for small e
            fg.where_v2(fg.greater(x, lower), fg.log(_ndtr(fg.maximum(x, lower))),
                        _log_ndtr_lower(fg.minimum(x, lower), series_order)))


def _log_ndtr_lower(x: fg.Tensor, series_order: int) -> fg.Tensor:
    x_2 = fg.square(x)
    log_scale = -0.5 * x_2 - fg.log(-x) - 0.5 * np.log(2. * np.pi)
    return log_scale + fg.log(_log_ndtr_asymptotic_series(x, series_order))


def _log_ndtr_asymptotic_series(x: fg.Tensor, series_order: int) -> Any:
    dtype = x.dtype.np
    if series_order <= 0:
        return np.array(1, dtype)
    x_2 = fg.square(x)
    even_sum = fg.zeros_like(x)
    odd_sum = fg.zeros_like(x)
    x_2n = x_2
    for n in range(1, series_order + 1):
        y = np.array(np.prod(np.arange(2 * n - 1, 1, -2)), dtype) / x_2n
        if n % 2:
            odd_sum = odd_sum + y
        else:
            even_sum = even_sum + y
        x_2n = x_2n * x_2
    return 1. + even_sum - odd_sum


def log_cdf_laplace(x: Any, name: str = "log_cdf_laplace") -> fg.Tensor:
    """log of the standard Laplace cdf, exact in the lower tail and stable in the upper."""
    with fg.name_scope(name):
        x = fg.convert_to_tensor(x, name="x")
        lower_solution = -np.log(2.) + x
        # exp(-|x|) <= 1: no overflow for the x < 0 values this branch never returns.
        safe_exp_neg_x = fg.exp(-fg.abs(x))
        upper_solution = fg.log1p(-0.5 * safe_exp_neg_x)
        return fg.where_v2(x < 0., lower_solution, upper_solution)
