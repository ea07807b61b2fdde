"""Cases for comparisons (compare.py), logical ops and where / select (logic.py).

Expected values are hand-computed literals.
"""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F32 = np.float32
A = np.array([[1.0, 2.0, 3.0], [4.0, 2.0, 0.0]], dtype=F32)
B = np.array([2.0, 2.0, 2.0], dtype=F32)
K = np.array([[1], [5]], dtype=np.int64)
J = np.array([1, 3, 5], dtype=np.int64)
P = np.array([True, True, False, False])
Q = np.array([True, False, True, False])
T, F = True, False

CASES = [
    OpCase("Equal", lambda x, y: fg.equal(x, y), [A, B],
           expected=np.array([[F, T, F], [F, T, F]])),
    OpCase("Equal", lambda x, y: fg.equal(x, y), [K, J],
           expected=np.array([[T, F, F], [F, F, T]]), name="int64-outer"),
    OpCase("Equal", lambda x: fg.equal(x, "b"), [np.array([b"a", b"b"], dtype=object)],
           expected=np.array([F, T]), name="string"),
    OpCase("Equal", lambda x, y: fg.equal(x, y), [P, Q],
           expected=np.array([T, F, F, T]), name="bool"),
    OpCase("NotEqual", lambda x, y: fg.not_equal(x, y), [A, B],
           expected=np.array([[T, F, T], [T, F, T]])),
    OpCase("NotEqual", lambda x: fg.not_equal(x, "b"), [np.array([b"a", b"b"], dtype=object)],
           expected=np.array([T, F]), name="string"),
    OpCase("Less", lambda x, y: fg.less(x, y), [A, B],
           expected=np.array([[T, F, F], [F, F, T]])),
    OpCase("Less", lambda x: x < 3, [J], expected=np.array([T, F, F]), name="operator"),
    OpCase("LessEqual", lambda x, y: fg.less_equal(x, y), [A, B],
           expected=np.array([[T, T, F], [F, T, T]])),
    OpCase("LessEqual", lambda x, y: x <= y, [K, J],
           expected=np.array([[T, T, T], [F, F, T]]), name="operator-outer"),
    OpCase("Greater", lambda x, y: fg.greater(x, y), [A, B],
           expected=np.array([[F, F, T], [T, F, F]])),
    OpCase("Greater", lambda x: x > 2, [np.array(3, np.int32)], expected=np.array(T),
           name="scalar"),
    OpCase("GreaterEqual", lambda x, y: fg.greater_equal(x, y), [A, B],
           expected=np.array([[F, T, T], [T, T, F]])),
    # ------------------------------------------------------------------ logical
    OpCase("LogicalAnd", lambda x, y: fg.logical_and(x, y), [P, Q],
           expected=np.array([T, F, F, F])),
    OpCase("LogicalAnd", lambda x, y: x & y, [np.array([[T], [F]]), np.array([T, F])],
           expected=np.array([[T, F], [F, F]]), name="operator-outer"),
    OpCase("LogicalAnd", lambda x, y: fg.logical_xor(x, y), [P, Q],
           expected=np.array([F, T, T, F]), name="xor"),
    OpCase("LogicalAnd", lambda x, y: x ^ y, [P, Q],
           expected=np.array([F, T, T, F]), name="xor-operator"),
    OpCase("LogicalOr", lambda x, y: fg.logical_or(x, y), [P, Q],
           expected=np.array([T, T, T, F])),
    OpCase("LogicalOr", lambda x: x | False, [P], expected=P, name="operator-scalar"),
    OpCase("LogicalNot", lambda x: fg.logical_not(x), [P], expected=np.array([F, F, T, T])),
    OpCase("LogicalNot", lambda x: ~x, [np.array([[T, F]])], expected=np.array([[F, T]]),
           name="operator"),
    # ------------------------------------------------------------------ where / select
    OpCase("Select", lambda c, x, y: fg.where(c, x, y),
           [np.array([[T, F, T], [F, F, T]]), A, A * 10],
           expected=np.array([[1.0, 20.0, 3.0], [40.0, 20.0, 0.0]], F32)),
    OpCase("Select", lambda c, x, y: fg.where(c, x, y),
           [np.array([F, T]), np.array([[1, 2], [3, 4]], np.int32),
            np.array([[-1, -2], [-3, -4]], np.int32)],
           expected=np.array([[-1, -2], [3, 4]], np.int32), name="vector-rows"),
    OpCase("Select", lambda c, x, y: fg.where(c, x, y),
           [np.array(T), np.array([1.0, 2.0]), np.array([3.0, 4.0])],
           expected=np.array([1.0, 2.0]), name="scalar-condition"),
    OpCase("Select", lambda c, x, y: fg.where(c, x, y),
           [np.array([T, F]), A, A * 10],
           expected=np.array([[1.0, 2.0, 3.0], [40.0, 20.0, 0.0]], F32),
           name="vector-rows-float"),
    OpCase("Select", lambda c, x, y: fg.where(c, x, y),
           [np.array([T, F]), np.array([b"a", b"b"], dtype=object),
            np.array([b"x", b"y"], dtype=object)],
           expected=np.array([b"a", b"y"], dtype=object), name="string"),
    OpCase("SelectV2", lambda c, x, y: fg.where_v2(c, x, y),
           [np.array([[T], [F]]), np.array([1.0, 2.0, 3.0], F32), np.array(0.0, F32)],
           expected=np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], F32)),
    OpCase("SelectV2", lambda c, x: fg.where_v2(c, x, -x),
           [np.array([T, F, T]), np.array([[1, 2, 3], [4, 5, 6]], np.int64)],
           expected=np.array([[1, -2, 3], [4, -5, 6]], np.int64), name="row-condition"),
    OpCase("Where", lambda c: fg.where(c), [np.array([[T, F, F], [F, T, T]])],
           expected=np.array([[0, 0], [1, 1], [1, 2]], np.int64)),
    OpCase("Where", lambda c: fg.where(c), [np.array([0.0, 3.0, 0.0, -1.0], F32)],
           expected=np.array([[1], [3]], np.int64), name="float-nonzero"),
    OpCase("Where", lambda c: fg.where(c), [np.zeros((2, 2), bool)],
           expected=np.zeros((0, 2), np.int64), name="none-true"),
    OpCase("Where", lambda c: fg.where_v2(c), [np.array([[[F, T]], [[T, F]]])],
           expected=np.array([[0, 0, 1], [1, 0, 0]], np.int64), name="v2-rank3"),
]
