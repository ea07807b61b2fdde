"""Cases for binary arithmetic (math.py) and division (division.py).

Expected values are hand-computed literals, or numpy written here. `grad_inputs` keep the
finite-difference gradient check away from kinks (ties of max / min, clip bounds, y = 0).
"""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F32 = np.float32
A23 = np.array([[1.5, -2.0, 3.25], [0.0, 4.0, -1.0]], dtype=F32)
V3 = np.array([2.0, 0.5, -1.0], dtype=F32)
COL = np.array([[1.0], [2.0]], dtype=np.float64)
ROW = np.array([[10.0, 20.0, 30.0]], dtype=np.float64)
I7 = np.array([7, -7, 7, -7, 0, 6], dtype=np.int32)
D3 = np.array([3, 3, -3, -3, 5, -4], dtype=np.int32)
# Free of ties with V3 (for Maximum / Minimum gradients).
A23_NO_TIE = np.array([[1.5, -2.0, 3.25], [0.0, 4.0, -1.5]], dtype=F32)
S = np.array(-1.5, dtype=np.float64)

CASES = [
    # ------------------------------------------------------------------ Add / Sub / Mul
    OpCase("Add", lambda x, y: fg.add(x, y), [A23, V3],
           expected=np.array([[3.5, -1.5, 2.25], [2.0, 4.5, -2.0]], F32), name="row"),
    OpCase("Add", lambda x, y: fg.add(x, y), [COL, ROW],
           expected=np.array([[11.0, 21.0, 31.0], [12.0, 22.0, 32.0]]), name="outer"),
    OpCase("Add", lambda x: fg.add(x, 1), [np.array([1, 2], np.int64)],
           expected=np.array([2, 3], np.int64), name="int64-scalar"),
    OpCase("Add", lambda x, y: fg.add(x, y),
           [np.array([b"ab", b"c"], dtype=object), np.array([b"x", b"yz"], dtype=object)],
           expected=np.array([b"abx", b"cyz"], dtype=object), name="string"),
    OpCase("Add", lambda x, y: fg.add(x, y), [np.zeros((0, 3), F32), V3],
           expected=np.zeros((0, 3), F32), name="empty"),
    OpCase("Sub", lambda x, y: fg.subtract(x, y), [A23, V3],
           expected=np.array([[-0.5, -2.5, 4.25], [-2.0, 3.5, 0.0]], F32)),
    OpCase("Sub", lambda x, y: fg.subtract(x, y), [COL, ROW],
           expected=np.array([[-9.0, -19.0, -29.0], [-8.0, -18.0, -28.0]]), name="outer"),
    OpCase("Sub", lambda x: 10 - x, [np.array(3, np.int32)], expected=np.int32(7),
           name="scalar-reflected"),
    OpCase("Mul", lambda x, y: fg.multiply(x, y), [A23, V3],
           expected=np.array([[3.0, -1.0, -3.25], [0.0, 2.0, 1.0]], F32)),
    OpCase("Mul", lambda x, y: x * y, [np.array([[2], [3]], np.int32),
                                       np.array([4, 5, 6], np.int32)],
           expected=np.array([[8, 10, 12], [12, 15, 18]], np.int32), name="int32-outer"),
    OpCase("Mul", lambda x: fg.scalar_mul(2.0, x), [A23], expected=A23 * 2,
           name="scalar_mul"),
    OpCase("Mul", lambda x, s: x * s, [COL, S], expected=np.array([[-1.5], [-3.0]]),
           name="scalar-tensor"),
    OpCase("Mul", lambda x, y: fg.multiply(x, y), [COL, ROW],
           expected=np.array([[10.0, 20.0, 30.0], [20.0, 40.0, 60.0]]), name="outer"),
    OpCase("Add", lambda s, x: s + x, [S, A23.astype(np.float64)],
           expected=A23.astype(np.float64) - 1.5, name="scalar-tensor"),
    # ------------------------------------------------------------------ Pow / Max / Min
    OpCase("Pow", lambda x, y: fg.pow(x, y), [np.array([2.0, 4.0, 9.0], F32),
                                              np.array([3.0, 0.5, -0.5], F32)],
           expected=np.array([8.0, 2.0, 1.0 / 3.0], F32)),
    OpCase("Pow", lambda x: x ** 2, [np.array([[-3, 2], [0, 5]], np.int64)],
           expected=np.array([[9, 4], [0, 25]], np.int64), name="int64"),
    # A zero base: the exponent's gradient there is 0 (log(x) is masked), as in TF1.
    OpCase("Pow", lambda x, y: fg.pow(x, y), [np.array([[0.0], [1.5]]),
                                              np.array([2.0, 3.0, 4.0])],
           expected=np.array([[0.0, 0.0, 0.0], [2.25, 3.375, 5.0625]]),
           name="outer-zero-base"),
    OpCase("Pow", lambda x, y: fg.pow(x, y), [np.array([[0.5, 2.0, 3.0]], F32),
                                              np.array(2.5, F32)],
           expected=np.array([[0.5 ** 2.5, 2.0 ** 2.5, 3.0 ** 2.5]], F32),
           name="scalar-exponent"),
    OpCase("Maximum", lambda x, y: fg.maximum(x, y), [A23, V3],
           expected=np.array([[2.0, 0.5, 3.25], [2.0, 4.0, -1.0]], F32),
           grad_inputs=[A23_NO_TIE, V3]),
    OpCase("Maximum", lambda x, y: fg.maximum(x, y), [COL, np.array(1.5)],
           expected=np.array([[1.5], [2.0]]), name="scalar"),
    OpCase("Maximum", lambda x: fg.maximum(x, 0), [np.array([-2, 0, 3], np.int32)],
           expected=np.array([0, 0, 3], np.int32), name="relu-int"),
    OpCase("Minimum", lambda x, y: fg.minimum(x, y), [COL, ROW],
           expected=np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]), name="outer"),
    OpCase("Minimum", lambda x, y: fg.minimum(x, y), [A23, V3],
           expected=np.array([[1.5, -2.0, -1.0], [0.0, 0.5, -1.0]], F32),
           grad_inputs=[A23_NO_TIE, V3]),
    OpCase("SquaredDifference", lambda x, y: fg.squared_difference(x, y), [A23, V3],
           expected=np.array([[0.25, 6.25, 18.0625], [4.0, 12.25, 0.0]], F32)),
    OpCase("SquaredDifference", lambda x, y: fg.squared_difference(x, y), [COL, ROW],
           expected=np.array([[81.0, 361.0, 841.0], [64.0, 324.0, 784.0]]), name="outer"),
    OpCase("SquaredDifference", lambda x, y: fg.squared_difference(x, y),
           [np.array([1, 5], np.int32), np.array(3, np.int32)],
           expected=np.array([4, 4], np.int32), name="int32"),
    # ------------------------------------------------------------------ AddN / clip
    OpCase("AddN", lambda x, y: fg.add_n([x, y, x]), [A23, A23 * 2], expected=A23 * 4),
    OpCase("AddN", lambda x, y: fg.add_n([x, y]), [np.array([1, 2], np.int64),
                                                   np.array([10, 20], np.int64)],
           expected=np.array([11, 22], np.int64), name="int64"),
    OpCase("ClipByValue", lambda x: fg.clip_by_value(x, -1.0, 2.0), [A23],
           expected=np.array([[1.5, -1.0, 2.0], [0.0, 2.0, -1.0]], F32),
           grad_inputs=[A23_NO_TIE]),
    # Tensor bounds that broadcast: their gradients are summed back to their shapes.
    OpCase("ClipByValue", lambda x, lo, hi: fg.clip_by_value(x, lo, hi), [
        A23, np.array([-1.5, 0.0, -0.5], F32), np.array(1.75, F32)],
        expected=np.array([[1.5, 0.0, 1.75], [0.0, 1.75, -0.5]], F32),
        grad_inputs=[A23_NO_TIE, np.array([-1.25, 0.5, -0.75], F32), np.array(1.75, F32)],
        name="tensor-bounds"),
    OpCase("ClipByValue", lambda x, lo: fg.clip_by_value(x, lo, 3), [
        np.array([[0, 5], [2, -4]], np.int32), np.array([1, -2], np.int32)],
        expected=np.array([[1, 3], [2, -2]], np.int32), name="int-tensor-bound"),
    # ------------------------------------------------------------------ division
    OpCase("RealDiv", lambda x, y: fg.realdiv(x, y), [A23, V3],
           expected=np.array([[0.75, -4.0, -3.25], [0.0, 8.0, 1.0]], F32)),
    OpCase("RealDiv", lambda x, y: x / y, [np.array([1, 7, -7], np.int32),
                                           np.array([2, 2, 2], np.int32)],
           expected=np.array([0.5, 3.5, -3.5], np.float64), name="truediv-int32"),
    OpCase("RealDiv", lambda x: fg.truediv(x, 4), [np.array([[1], [2]], np.int16)],
           expected=np.array([[0.25], [0.5]], np.float32), name="truediv-int16"),
    OpCase("RealDiv", lambda x, y: fg.realdiv(x, y), [I7, D3],
           expected=np.array([2, -2, -2, 2, 0, -1], np.int32), name="int-truncates"),
    OpCase("RealDiv", lambda x: fg.divide(x, 0.0), [np.array([1.0, -1.0], np.float64)],
           expected=np.array([np.inf, -np.inf]), name="by-zero", grad=False),
    OpCase("RealDiv", lambda x, y: x / y, [COL, ROW],
           expected=np.array([[0.1, 0.05, 1 / 30], [0.2, 0.1, 1 / 15]]), name="outer"),
    OpCase("DivNoNan", lambda x, y: fg.div_no_nan(x, y), [
        np.array([[1.0, 2.0], [3.0, 4.0]], F32), np.array([2.0, 0.0], F32)],
        expected=np.array([[0.5, 0.0], [1.5, 0.0]], F32),
        grad_inputs=[np.array([[1.0, 2.0], [3.0, 4.0]], F32), np.array([2.0, -0.5], F32)]),
    OpCase("FloorDiv", lambda x, y: fg.floordiv(x, y), [I7, D3],
           expected=np.array([2, -3, -3, 2, 0, -2], np.int32)),
    OpCase("FloorDiv", lambda x, y: x // y, [np.array([7.5, -7.5], np.float64),
                                             np.array([2.0, 2.0], np.float64)],
           expected=np.array([3.0, -4.0]), name="float64"),
    OpCase("FloorDiv", lambda x, y: fg.div(x, y), [I7, D3],
           expected=np.array([2, -3, -3, 2, 0, -2], np.int32), name="div-int"),
    OpCase("FloorMod", lambda x, y: fg.floormod(x, y), [I7, D3],
           expected=np.array([1, 2, -2, -1, 0, -2], np.int32)),
    OpCase("FloorMod", lambda x: x % 3.0, [np.array([5.5, -5.5], F32)],
           expected=np.array([2.5, 0.5], F32), name="float-operator"),
    OpCase("FloorMod", lambda x, y: fg.floormod(x, y), [
        np.array([[5.5, -5.5, 7.25], [1.0, -0.5, 2.75]]), np.array([3.0, 2.0, -1.5])],
        expected=np.array([[2.5, 0.5, -0.25], [1.0, 1.5, -0.25]]), name="float-broadcast"),
    OpCase("FloorMod", lambda x, y: fg.mod(x, y), [np.array([[7], [-7]], np.int64),
                                                   np.array([3, -3], np.int64)],
           expected=np.array([[1, -2], [2, -1]], np.int64), name="int64-broadcast"),
    OpCase("TruncateDiv", lambda x, y: fg.truncatediv(x, y), [I7, D3],
           expected=np.array([2, -2, -2, 2, 0, -1], np.int32)),
    OpCase("TruncateDiv", lambda x, y: fg.truncatediv(x, y), [
        np.array([7.5, -7.5], np.float64), np.array([2.0, 2.0])],
        expected=np.array([3.0, -3.0]), name="float64"),
    OpCase("TruncateMod", lambda x, y: fg.truncatemod(x, y), [I7, D3],
           expected=np.array([1, -1, 1, -1, 0, 2], np.int32)),
    OpCase("TruncateMod", lambda x, y: fg.truncatemod(x, y), [
        np.array([5.5, -5.5], F32), np.array([3.0, 3.0], F32)],
        expected=np.array([2.5, -2.5], F32), name="float32"),
]
