"""Cases for special_gamma.py (Igamma, Igammac, IgammaGradA, Betainc, BesselI0e, BesselI1e)
and cumulative_log.py (CumulativeLogsumexp).

References are closed forms (P(1, x) = 1 - e^-x, P(2, x) = 1 - (1 + x) e^-x,
P(1/2, x) = erf(sqrt x), I_x(a, 1) = x^a, I_x(2, 2) = 3x^2 - 2x^3, I_1/2(a, a) = 1/2),
power series summed in plain Python in this file (Bessel I0 / I1, the gamma series), literal
values from a real TF run, and numpy's log(cumsum(exp(x))).
"""

import math

import numpy as np

from flowgraph.ops.cumulative_log import cumulative_logsumexp
from flowgraph.ops.special_gamma import (
    bessel_i0e,
    bessel_i1e,
    betainc,
    igamma,
    igamma_grad_a,
    igammac,
)
from tests.ops.harness import OpCase

F32 = np.float32
NAN = np.nan
A = np.array([1.0, 1.0, 2.0, 2.0, 0.5, 0.5, 3.0, -1.0, 0.0, 2.0, 2.0, 2.0])
X = np.array([0.3, 5.0, 0.7, 9.0, 0.2, 16.0, 10.0, 1.0, 1.0, -1.0, 0.0, np.inf])
P = np.array([1 - math.exp(-0.3), 1 - math.exp(-5.0), 1 - 1.7 * math.exp(-0.7),
              1 - 10 * math.exp(-9.0), math.erf(math.sqrt(0.2)), math.erf(4.0),
              1 - 61 * math.exp(-10.0), NAN, NAN, NAN, 0.0, 1.0])


def _p_series(a: float, x: float) -> float:
    """P(a, x) = x^a e^-x sum_n x^n / Gamma(a + n + 1), summed in plain Python."""
    return sum(math.exp((a + n) * math.log(x) - x - math.lgamma(a + n + 1)) for n in range(400))


def _dp_da(a: float, x: float, h: float = 1e-5) -> float:
    return (_p_series(a + h, x) - _p_series(a - h, x)) / (2 * h)


def _bessel_ie(x: float, order: int) -> float:
    """exp(-|x|) I_order(x) from the power series, summed in plain Python (|x| <= 100)."""
    q = x * x / 4
    total = sum(math.exp(k * math.log(q) - math.lgamma(k + 1) - math.lgamma(k + order + 1))
                for k in range(400)) if q > 0 else 1.0 / math.factorial(order)
    return total * (x / 2) ** order * math.exp(-abs(x))


Z = np.array([0.0, 0.4, -1.0, 3.5, -12.0, 29.0, 31.0, -55.0, 100.0])
I0E = np.array([_bessel_ie(v, 0) for v in Z])
I1E = np.array([_bessel_ie(v, 1) for v in Z])
C = np.array([[1.0, 2.0, -3.0, 0.5], [0.5, -np.inf, 4.0, 700.0]])


def _cumulative_logsumexp(x, axis, exclusive=False, reverse=False):
    x = np.flip(x, axis) if reverse else x
    with np.errstate(divide="ignore", over="ignore"):
        shift = np.max(np.where(np.isinf(x), -1e300, x))
        out = np.log(np.cumsum(np.exp(x - shift), axis=axis)) + shift
    if exclusive:
        out = np.concatenate([np.full_like(np.take(out, [0], axis), -np.inf),
                              np.delete(out, -1, axis)], axis)
    return np.flip(out, axis) if reverse else out


CASES = [
    OpCase("Igamma", lambda a, x: igamma(a, x), [A, X], expected=P, rtol=1e-12, atol=1e-15,
           grad_inputs=[np.array([0.7, 2.5, 4.0]), np.array([0.4, 3.0, 2.0])]),
    # TF1 (float32): igamma(2, 1) = 0.26424113, igamma(0.5, 0.3) = 0.5614219.
    OpCase("Igamma", lambda a, x: igamma(a, x), [np.array([2.0, 0.5], F32),
                                                 np.array([1.0, 0.3], F32)],
           expected=np.array([0.26424113, 0.5614219], F32), name="float32"),
    OpCase("Igammac", lambda a, x: igammac(a, x), [A, X], expected=1 - P, rtol=1e-12,
           atol=1e-15, grad_inputs=[np.array([0.7, 2.5, 4.0]), np.array([0.4, 3.0, 2.0])]),
    OpCase("IgammaGradA", lambda a, x: igamma_grad_a(a, x),
           [np.array([0.5, 2.0, 3.0, 1.5]), np.array([0.2, 7.0, 1.0, 2.5])],
           expected=np.array([_dp_da(0.5, 0.2), _dp_da(2.0, 7.0), _dp_da(3.0, 1.0),
                              _dp_da(1.5, 2.5)]), rtol=1e-7),
    OpCase("Betainc", lambda a, b, x: betainc(a, b, x),
           [np.array([2.5, 1.0, 2.0, 7.0, 2.0, -1.0, 2.0, 2.0, 0.5]),
            np.array([1.0, 3.0, 2.0, 7.0, 0.0, 1.0, 2.0, 2.0, 0.5]),
            np.array([0.3, 0.6, 0.8, 0.5, 0.5, 0.5, 1.5, 0.0, 1.0])],
           expected=np.array([0.3 ** 2.5, 1 - 0.4 ** 3, 3 * 0.64 - 2 * 0.512, 0.5, NAN, NAN,
                              NAN, 0.0, 1.0]), rtol=1e-12, atol=1e-15, grad=False),
    # As TF1, the gradient reaches x only.
    OpCase("Betainc", lambda x: betainc(np.float64(1.0), np.float64(2.5), x),
           [np.array([0.1, 0.45, 0.9])], expected=1 - (1 - np.array([0.1, 0.45, 0.9])) ** 2.5,
           rtol=1e-12, name="grad_x"),
    OpCase("BesselI0e", lambda x: bessel_i0e(x), [Z], expected=I0E, rtol=1e-12,
           grad_inputs=[np.array([0.4, -1.0, 3.5, -40.0])]),
    # TF1 (float32): bessel_i0e([0, 1, -2, 50]) = [1, 0.46575963, 0.30850834, 0.05656163].
    OpCase("BesselI0e", lambda x: bessel_i0e(x), [np.array([0.0, 1.0, -2.0, 50.0], F32)],
           expected=np.array([1.0, 0.46575963, 0.30850834, 0.05656163], F32), name="float32"),
    OpCase("BesselI1e", lambda x: bessel_i1e(x), [Z], expected=I1E, rtol=1e-12,
           grad_inputs=[np.array([0.0, 0.4, -1.0, 3.5, -40.0])]),
    OpCase("CumulativeLogsumexp", lambda x: cumulative_logsumexp(x, axis=1), [C],
           expected=_cumulative_logsumexp(C, 1), rtol=1e-12,
           grad_inputs=[np.array([[1.0, 2.0, -3.0], [0.5, 0.0, 4.0]])]),
    OpCase("CumulativeLogsumexp",
           lambda x: cumulative_logsumexp(x, axis=0, exclusive=True, reverse=True),
           [C.astype(F32)], expected=_cumulative_logsumexp(C, 0, True, True).astype(F32),
           grad=False, name="exclusive"),  # -inf outputs: gradient in test_special_gamma.py
]
