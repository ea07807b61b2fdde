"""Cases for special_math.py: lgamma, digamma, polygamma, zeta, asinh / acosh / atanh, rint,
xlogy, xdivy, multiply_no_nan.

References: Python's math.lgamma / math.asinh ...; digamma, zeta and polygamma at points
with closed forms (psi(1) = -gamma, psi(1/2) = -gamma - 2 ln 2, zeta(2, 1) = pi^2 / 6,
zeta(3, 1) = Apery's constant, polygamma(n, 1) = (-1)^(n+1) n! zeta(n + 1)); the poles and
zero-safe products as TF1 gives them (checked against a real TF run).
"""

import math

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F32 = np.float32
EULER = 0.5772156649015329
APERY = 1.2020569031595942
PI2_6 = math.pi ** 2 / 6
X = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]], F32)
POS = np.array([0.3, 1.0, 2.5, 7.0, 30.0])
NEG = np.array([-0.5, -1.7, -3.25])


def _vec(fn, values, dtype=np.float64):
    return np.array([fn(float(v)) for v in np.ravel(values)], dtype).reshape(np.shape(values))


CASES = [
    # TF1: [-0.1207822, inf, 0.6931472, 0.5723649, 1.7917595, inf]
    OpCase("Lgamma", lambda x: fg.lgamma(x), [X], expected=np.array(
        [[math.lgamma(1.5), np.inf, math.log(2.0)], [math.lgamma(0.5), math.log(6.0), np.inf]],
        F32), grad_inputs=[np.array([1.5, 0.7, 3.0, 12.0])]),
    OpCase("Lgamma", lambda x: fg.lgamma(x), [np.concatenate([POS, NEG])],
           expected=_vec(math.lgamma, np.concatenate([POS, NEG])), rtol=1e-12, name="wide"),
    OpCase("Digamma", lambda x: fg.digamma(x), [np.array([1.0, 0.5, 4.0, -2.0, 0.0])],
           expected=np.array([-EULER, -EULER - 2 * math.log(2), 1.5 + 1 / 3 - EULER, np.nan,
                              np.nan]), rtol=1e-12, grad_inputs=[np.array([0.5, 1.0, 4.0])]),
    # psi(x + 1) = psi(x) + 1 / x: psi(-0.5) = psi(0.5) + 2 = psi(1.5) = 2 - gamma - 2 ln 2.
    OpCase("Digamma", lambda x: fg.digamma(x), [np.array([-0.5, 1.5], F32)],
           expected=np.array([2 - EULER - 2 * math.log(2), 2 - EULER - 2 * math.log(2)], F32),
           name="reflection"),
    OpCase("Zeta", lambda q: fg.zeta(np.float64(2.0), q), [np.array([1.0, 2.0, 0.5])],
           expected=np.array([PI2_6, PI2_6 - 1, math.pi ** 2 / 2]), rtol=1e-12),
    OpCase("Zeta", lambda x, q: fg.zeta(x, q), [np.array([3.0, 1.0, 0.5]),
                                                 np.array([1.0, 1.0, 1.0])],
           expected=np.array([APERY, np.inf, np.nan]), rtol=1e-12, grad=False, name="x"),
    OpCase("Polygamma", lambda x: fg.polygamma(np.float64(1.0), x),
           [np.array([1.0, 1.5, 3.0])],
           expected=np.array([PI2_6, math.pi ** 2 / 2 - 4, PI2_6 - 1 - 0.25]), rtol=1e-12),
    OpCase("Polygamma", lambda a, x: fg.polygamma(a, x),
           [np.array([0.0, 2.0, 3.0, 1.5]), np.array([1.0, 1.0, 1.0, 1.0])],
           expected=np.array([-EULER, -2 * APERY, 6 * math.pi ** 4 / 90, np.nan]),
           rtol=1e-12, grad=False, name="orders"),
    OpCase("Asinh", lambda x: fg.asinh(x), [X], expected=_vec(math.asinh, X, F32)),
    OpCase("Acosh", lambda x: fg.acosh(x), [np.array([1.0, 1.5, 10.0, 0.5])],
           expected=np.array([0.0, math.acosh(1.5), math.acosh(10.0), np.nan]),
           grad_inputs=[np.array([1.5, 10.0])]),
    OpCase("Atanh", lambda x: fg.atanh(x), [np.array([0.5, -0.2, 0.0, 0.9], F32)],
           expected=_vec(math.atanh, [0.5, -0.2, 0.0, 0.9], F32)),
    OpCase("Rint", lambda x: fg.rint(x), [np.array([0.5, 1.5, 2.5, -0.5, -1.7], F32)],
           expected=np.array([0.0, 2.0, 2.0, -0.0, -2.0], F32)),
    # TF1: xlogy([1.5, 0], [2, -2]) = [1.5 ln 2, 0]; xdivy(0, 0) = 0; mul_no_nan(inf, 0) = 0.
    OpCase("Xlogy", lambda x, y: fg.math.xlogy(x, y),
           [np.array([[1.5, 0.0, 2.0]], F32), np.array([[2.0, -2.0, 0.5]], F32)],
           expected=np.array([[1.5 * math.log(2), 0.0, 2 * math.log(0.5)]], F32),
           grad_inputs=[np.array([[1.5, -0.5, 2.0]]), np.array([[2.0, 3.0, 0.5]])]),
    OpCase("Xdivy", lambda x, y: fg.math.xdivy(x, y),
           [np.array([1.5, 0.0, -2.0], F32), np.array([2.0, 0.0, 0.5], F32)],
           expected=np.array([0.75, 0.0, -4.0], F32),
           grad_inputs=[np.array([1.5, -0.5, 2.0]), np.array([2.0, 3.0, 0.5])]),
    OpCase("MulNoNan", lambda x, y: fg.math.multiply_no_nan(x, y),
           [np.array([np.inf, 2.0, np.nan], F32), np.array([0.0, 3.0, 0.0], F32)],
           expected=np.array([0.0, 6.0, 0.0], F32),
           grad_inputs=[np.array([1.5, 2.0]), np.array([-0.5, 3.0])]),
]
