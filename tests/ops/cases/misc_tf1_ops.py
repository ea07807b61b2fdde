"""Cases for PrintV2, LowerBound / UpperBound, bitwise ops, Bitcast, Erfinv,
Ndtri, Xlog1py, NextAfter, TensorScatterMax / Min, Timestamp.

References: scipy.special and numpy written here, and values printed by TensorFlow 2.21
(tf.compat.v1) hard-coded below.
"""

import time

import numpy as np
import scipy.special as sp

import flowgraph as fg
from tests.ops.harness import OpCase

P = np.array([[0.02, 0.3], [0.5, 0.975]])
Y = np.array([[-0.9, -0.2], [0.1, 0.7]])
XS = np.array([0.0, 2.0, 1.5])
YS = np.array([-0.5, 3.0, 0.25])
I8 = np.array([1, -8, 5, 127], np.int8)
S8 = np.array([-1, 3, 8, 9], np.int8)


def _print_then_identity(x):
    printed = fg.print("value:", x, {"k": x}, summarize=1)
    with fg.control_dependencies([printed]):
        return fg.identity(x)


def _timestamp_is_now(x):
    ts = fg.timestamp()
    return [fg.abs(ts - x) < 3600.0]


def _check_timestamp(values, inputs):
    assert values[0].dtype == np.bool_ and bool(values[0])


def _max_case(t, u):
    return fg.tensor_scatter_nd_max(t, [[0], [2], [3]], u)


def _min_case(t, u):
    return fg.tensor_scatter_nd_min(t, [[1, 0], [0, 1]], u)


T4 = np.array([1.0, 5.0, 3.0, 2.0])
U3 = np.array([4.0, 1.0, 2.5])
M2 = np.array([[1.0, 2.0], [3.0, 4.0]])
V2 = np.array([0.5, 7.0])

CASES = [
    OpCase("PrintV2", _print_then_identity, [np.array([1.0, 2.0, 3.0])],
           expected=np.array([1.0, 2.0, 3.0])),
    OpCase("LowerBound", lambda s, v: fg.searchsorted(s, v),
           [np.array([[0, 3, 9, 9, 10], [1, 2, 3, 4, 5]], np.float32),
            np.array([[2, 4, 9], [0, 2, 6]], np.float32)],
           expected=np.array([[1, 2, 2], [0, 1, 5]], np.int32)),  # TF's output
    OpCase("UpperBound", lambda s, v: fg.searchsorted(s, v, side="right", out_type=fg.int64),
           [np.array([[0, 3, 9, 9, 10], [1, 2, 3, 4, 5]], np.float32),
            np.array([[2, 4, 9], [0, 2, 6]], np.float32)],
           expected=np.array([[1, 2, 4], [0, 2, 5]], np.int64)),  # TF's output
    OpCase("BitwiseAnd", fg.bitwise.bitwise_and, [np.array([12, 10], np.int32),
                                                  np.array([10, 3], np.int32)],
           expected=np.array([8, 2], np.int32)),
    OpCase("BitwiseOr", fg.bitwise.bitwise_or, [np.array([12, 10], np.uint16),
                                                np.array([10, 3], np.uint16)],
           expected=np.array([14, 11], np.uint16)),
    OpCase("BitwiseXor", fg.bitwise.bitwise_xor, [np.array([12, 10], np.int64),
                                                  np.array([[10], [3]], np.int64)],
           expected=np.array([[6, 0], [15, 9]], np.int64)),
    OpCase("Invert", fg.bitwise.invert, [I8], expected=np.array([-2, 7, -6, -128], np.int8)),
    OpCase("LeftShift", fg.bitwise.left_shift, [I8, S8],  # TF: shift clamped to [0, 7]
           expected=np.array([1, -64, -128, -128], np.int8)),
    OpCase("RightShift", fg.bitwise.right_shift,
           [np.array([1, 200, 5, 255], np.uint8), np.array([0, 3, 8, 200], np.uint8)],
           expected=np.array([1, 25, 0, 1], np.uint8)),
    OpCase("Bitcast", lambda x: fg.bitcast(x, fg.int32), [np.array([1.0, 2.0], np.float32)],
           expected=np.array([1065353216, 1073741824], np.int32)),
    OpCase("Bitcast", lambda x: fg.bitcast(x, fg.int64),
           [np.array([[1, 2], [3, 4]], np.int32)],
           expected=np.array([8589934593, 17179869187], np.int64), name="merge",
           partial_shapes=False),
    OpCase("Bitcast", lambda x: fg.bitcast(x, fg.uint8), [np.array([1.0], np.float32)],
           expected=np.array([[0, 0, 128, 63]], np.uint8), name="split"),
    OpCase("Erfinv", fg.math.erfinv, [Y], expected=lambda y: sp.erfinv(y), rtol=1e-13),
    OpCase("Ndtri", fg.math.ndtri, [P], expected=lambda p: sp.ndtri(p), rtol=1e-13),
    OpCase("Ndtri", fg.math.erfcinv, [P * 1.9], expected=lambda z: sp.erfcinv(z),
           rtol=1e-13, name="erfcinv"),
    OpCase("Xlog1py", fg.math.xlog1py, [XS, YS],
           expected=lambda x, y: np.where(x == 0, 0.0, x * np.log1p(y)),
           grad_inputs=[np.array([0.5, 2.0, 1.5]), YS]),  # (d/dx is 0 at x = 0, as TF)
    OpCase("NextAfter", fg.math.nextafter, [np.array([0.0, 1.0, 0.5], np.float32),
                                            np.array([-1.0, 2.0, 0.0], np.float32)],
           expected=np.array([-1.4012985e-45, 1.0000001, 0.49999997], np.float32),
           rtol=0, atol=0),
    OpCase("TensorScatterMax", _max_case, [T4, U3],
           expected=lambda t, u: np.array([4.0, 5.0, 3.0, 2.5])),
    OpCase("TensorScatterMin", _min_case, [M2, V2],
           expected=lambda t, u: np.array([[1.0, 2.0], [0.5, 4.0]])),
    OpCase("Timestamp", _timestamp_is_now, [np.float64(time.time())],
           check=_check_timestamp, grad=False),
]
