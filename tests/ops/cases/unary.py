"""Cases for one-input ops: unary.py, trig.py and rounding.py.

Expected values are hand-computed literals, or numpy / math written here. `grad_inputs`
keep the finite-difference gradient check away from kinks and poles (sign at 0, 1 / 0,
asin at +-1); the fused gradient ops (TanhGrad, ...) are checked to second order.
"""

import math

import numpy as np

import flowgraph as fg
from flowgraph.ops.registry import apply_op
from flowgraph.ops.trig import SigmoidGrad, TanhGrad
from flowgraph.ops.unary import ReciprocalGrad, RsqrtGrad, SqrtGrad
from tests.ops.harness import OpCase

F32 = np.float32
X = np.array([[1.5, -2.0, 0.0], [4.0, -0.25, 9.0]], dtype=F32)
POS = np.array([0.25, 1.0, 4.0, 100.0], dtype=np.float64)
SMALL = np.array([-0.5, 0.0, 1e-10, 0.75], dtype=F32)
ANGLES = np.array([0.0, math.pi / 6, math.pi / 4, -math.pi / 3], dtype=np.float64)
UNIT = np.array([-1.0, -0.5, 0.0, 0.5, 1.0], dtype=F32)
INSIDE = np.array([-0.9, -0.5, 0.0, 0.5, 0.75], dtype=F32)  # asin / acos away from +-1
X_NONZERO = np.array([[1.5, -2.0, 0.5], [4.0, -0.25, 9.0]], dtype=F32)
Y = np.array([[0.5, -0.25, 0.9], [0.1, -0.75, 0.3]])  # outputs fed to the fused grads
DY = np.array([[1.5, -2.0, 0.5], [0.25, 3.0, -1.0]])


def _fused(op_class):
    return lambda y, dy: apply_op(op_class(), [y, dy])


def _vec(fn, values, dtype):
    return np.array([fn(float(v)) for v in values], dtype=dtype)


CASES = [
    OpCase("Neg", lambda x: fg.negative(x), [X], expected=np.array(
        [[-1.5, 2.0, 0.0], [-4.0, 0.25, -9.0]], F32)),
    OpCase("Neg", lambda x: -x, [np.array([3, -4, 0], np.int64)],
           expected=np.array([-3, 4, 0], np.int64), name="int64-operator"),
    OpCase("Abs", lambda x: fg.abs(x), [X], expected=np.array(
        [[1.5, 2.0, 0.0], [4.0, 0.25, 9.0]], F32)),
    OpCase("Abs", lambda x: abs(x), [np.array([-3, 4, 0], np.int32)],
           expected=np.array([3, 4, 0], np.int32), name="int32-operator"),
    OpCase("Sign", lambda x: fg.sign(x), [X], expected=np.array(
        [[1.0, -1.0, 0.0], [1.0, -1.0, 1.0]], F32), grad_inputs=[X_NONZERO]),
    OpCase("Sign", lambda x: fg.sign(x), [np.array([-7, 0, 2], np.int32)],
           expected=np.array([-1, 0, 1], np.int32), name="int32"),
    OpCase("Square", lambda x: fg.square(x), [X], expected=np.array(
        [[2.25, 4.0, 0.0], [16.0, 0.0625, 81.0]], F32)),
    OpCase("Square", lambda x: fg.square(x), [np.array([-3, 5], np.int64)],
           expected=np.array([9, 25], np.int64), name="int64"),
    OpCase("Sqrt", lambda x: fg.sqrt(x), [POS], expected=np.array([0.5, 1.0, 2.0, 10.0])),
    OpCase("Sqrt", lambda x: fg.sqrt(x), [np.array(6.25, F32)], expected=F32(2.5),
           name="scalar"),
    OpCase("Rsqrt", lambda x: fg.rsqrt(x), [POS], expected=np.array([2.0, 1.0, 0.5, 0.1])),
    OpCase("Reciprocal", lambda x: fg.reciprocal(x), [np.array([4.0, -0.5, 0.0], F32)],
           expected=np.array([0.25, -2.0, np.inf], F32),
           grad_inputs=[np.array([4.0, -0.5, 1.25], F32)]),
    # ------------------------------------------------------------------ fused gradients
    OpCase("SqrtGrad", _fused(SqrtGrad), [Y + 1, DY], expected=0.5 * DY / (Y + 1)),
    OpCase("RsqrtGrad", _fused(RsqrtGrad), [Y, DY], expected=-0.5 * DY * Y ** 3),
    OpCase("ReciprocalGrad", _fused(ReciprocalGrad), [Y, DY], expected=-DY * Y * Y),
    OpCase("TanhGrad", _fused(TanhGrad), [Y, DY], expected=DY * (1 - Y * Y)),
    OpCase("TanhGrad", lambda x, dy: fg.gradients(fg.tanh(x), x, grad_ys=dy)[0],
           [Y.astype(F32), DY.astype(F32)],
           expected=(DY * (1 - np.tanh(Y) ** 2)).astype(F32), name="from-gradients"),
    OpCase("SigmoidGrad", _fused(SigmoidGrad), [Y, DY], expected=DY * Y * (1 - Y)),
    OpCase("Exp", lambda x: fg.exp(x), [SMALL], expected=_vec(math.exp, SMALL, F32)),
    OpCase("Exp", lambda x: fg.exp(x), [np.array([0.0, 1.0], np.float64)],
           expected=np.array([1.0, math.e]), name="float64"),
    OpCase("Log", lambda x: fg.log(x), [POS], expected=_vec(math.log, POS, np.float64)),
    OpCase("Log", lambda x: fg.log(x), [np.array([0.0, 1.0], F32)],
           expected=np.array([-np.inf, 0.0], F32), name="zero", grad=False),
    OpCase("Log1p", lambda x: fg.log1p(x), [SMALL], expected=_vec(math.log1p, SMALL, F32)),
    OpCase("Expm1", lambda x: fg.expm1(x), [SMALL], expected=_vec(math.expm1, SMALL, F32)),
    # ------------------------------------------------------------------ trig
    OpCase("Sin", lambda x: fg.sin(x), [ANGLES],
           expected=np.array([0.0, 0.5, math.sqrt(0.5), -math.sqrt(3) / 2]), atol=1e-12),
    OpCase("Cos", lambda x: fg.cos(x), [ANGLES],
           expected=np.array([1.0, math.sqrt(3) / 2, math.sqrt(0.5), 0.5]), atol=1e-12),
    OpCase("Tan", lambda x: fg.tan(x), [ANGLES],
           expected=np.array([0.0, 1 / math.sqrt(3), 1.0, -math.sqrt(3)]), atol=1e-12),
    OpCase("Asin", lambda x: fg.asin(x), [UNIT], expected=np.array(
        [-math.pi / 2, -math.pi / 6, 0.0, math.pi / 6, math.pi / 2], F32),
        grad_inputs=[INSIDE]),
    OpCase("Acos", lambda x: fg.acos(x), [UNIT], expected=np.array(
        [math.pi, 2 * math.pi / 3, math.pi / 2, math.pi / 3, 0.0], F32),
        grad_inputs=[INSIDE]),
    OpCase("Atan", lambda x: fg.atan(x), [UNIT], expected=_vec(math.atan, UNIT, F32)),
    # (0, -2) sits on the branch cut: the gradient check uses (0.5, -2) instead.
    OpCase("Atan2", lambda y, x: fg.atan2(y, x), [np.array([1.0, 1.0, -1.0, 0.0]),
                                                  np.array([1.0, -1.0, -1.0, -2.0])],
           expected=np.array([math.pi / 4, 3 * math.pi / 4, -3 * math.pi / 4, math.pi]),
           grad_inputs=[np.array([1.0, 1.0, -1.0, 0.5]), np.array([1.0, -1.0, -1.0, -2.0])]),
    OpCase("Atan2", lambda y, x: fg.atan2(y, x), [np.array([[1.0], [-2.0]], F32),
                                                  np.array([0.5, 3.0, -1.0], F32)],
           expected=np.array([[math.atan2(y, x) for x in (0.5, 3.0, -1.0)]
                              for y in (1.0, -2.0)], F32), name="outer"),
    OpCase("Sinh", lambda x: fg.sinh(x), [UNIT], expected=_vec(math.sinh, UNIT, F32)),
    OpCase("Cosh", lambda x: fg.cosh(x), [UNIT], expected=_vec(math.cosh, UNIT, F32)),
    OpCase("Tanh", lambda x: fg.tanh(x), [X], expected=np.array(
        [[math.tanh(v) for v in row] for row in X.tolist()], F32)),
    OpCase("Tanh", lambda x: fg.tanh(x), [np.array([-1000.0, 1000.0], np.float64)],
           expected=np.array([-1.0, 1.0]), name="saturates"),
    OpCase("Sigmoid", lambda x: fg.sigmoid(x), [X], expected=np.array(
        [[1 / (1 + math.exp(-v)) for v in row] for row in X.tolist()], F32)),
    OpCase("Sigmoid", lambda x: fg.sigmoid(x), [np.array([-1000.0, 0.0, 1000.0], F32)],
           expected=np.array([0.0, 0.5, 1.0], F32), name="stable-f32"),
    OpCase("Sigmoid", lambda x: fg.sigmoid(x), [np.array([-30.0, -700.0, 36.0])],
           expected=np.array([math.exp(-30.0) / (1 + math.exp(-30.0)),
                              math.exp(-700.0) / (1 + math.exp(-700.0)),
                              1 / (1 + math.exp(-36.0))]),
           rtol=1e-12, atol=0.0, name="tail-precision"),
    # ------------------------------------------------------------------ rounding
    OpCase("Round", lambda x: fg.round(x),
           [np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6], F32)],
           expected=np.array([0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 2.0, -3.0], F32)),
    OpCase("Round", lambda x: fg.round(x), [np.array([[3.5], [4.5]], np.float64)],
           expected=np.array([[4.0], [4.0]]), name="float64"),
    OpCase("Floor", lambda x: fg.floor(x), [np.array([1.5, -1.5, 2.0, -0.2], F32)],
           expected=np.array([1.0, -2.0, 2.0, -1.0], F32)),
    OpCase("Ceil", lambda x: fg.ceil(x), [np.array([1.5, -1.5, 2.0, -0.2], F32)],
           expected=np.array([2.0, -1.0, 2.0, -0.0], F32)),
    OpCase("IsNan", lambda x: fg.is_nan(x), [np.array([1.0, np.nan, np.inf], F32)],
           expected=np.array([False, True, False])),
    OpCase("IsInf", lambda x: fg.is_inf(x), [np.array([1.0, np.nan, -np.inf], np.float64)],
           expected=np.array([False, False, True])),
    OpCase("IsFinite", lambda x: fg.is_finite(x), [np.array([[1.0, np.nan, np.inf]], F32)],
           expected=np.array([[True, False, False]])),
]
