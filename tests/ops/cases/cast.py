"""Cases for Cast (cast.py) and Cumsum / Cumprod (cumulative.py).

Expected values are hand-computed literals. Casts to integers or bools pass no gradient
(grad=False); float-to-float casts pass it back in the input's dtype.
"""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F32 = np.float32
M = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
MF = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float64)
# Small values: float32 resolves the finite-difference steps of the gradient check there.
TINY = np.array([[1e-3, -2.5e-3], [5e-4, 0.0]], dtype=np.float64)

CASES = [
    OpCase("Cast", lambda x: fg.cast(x, fg.int32),
           [np.array([1.7, -1.7, 2.5, -0.5, 0.0], F32)],
           expected=np.array([1, -1, 2, 0, 0], np.int32), name="truncates", grad=False),
    OpCase("Cast", lambda x: fg.cast(x, fg.float32), [M],
           expected=np.array([[1, 2, 3], [4, 5, 6]], F32), name="int-to-float"),
    OpCase("Cast", lambda x: fg.cast(x, fg.bool), [np.array([0.0, -2.0, 0.5], F32)],
           expected=np.array([False, True, True]), name="float-to-bool", grad=False),
    OpCase("Cast", lambda x: fg.cast(x, "int64"), [np.array([[True], [False]])],
           expected=np.array([[1], [0]], np.int64), name="bool-to-int"),
    OpCase("Cast", lambda x: fg.to_float(x), [np.array(7, np.int64)], expected=F32(7.0),
           name="to_float-scalar"),
    OpCase("Cast", lambda x: fg.to_int64(x), [np.array([-3.9, 3.9])],
           expected=np.array([-3, 3], np.int64), name="to_int64", grad=False),
    OpCase("Cast", lambda x: fg.to_int32(x), [np.array([2.9], F32)],
           expected=np.array([2], np.int32), name="to_int32", grad=False),
    OpCase("Cast", lambda x: fg.to_double(x), [np.array([1.5], F32)],
           expected=np.array([1.5]), name="to_double"),
    OpCase("Cast", lambda x: fg.saturate_cast(x, fg.uint8),
           [np.array([-5.0, 7.9, 300.0], F32)],
           expected=np.array([0, 7, 255], np.uint8), name="saturate", grad=False),
    OpCase("Cast", lambda x: fg.cast(x, fg.float32) * 3.0, [TINY],
           expected=(TINY * 3).astype(F32), grad_rtol=1e-3, name="float64-to-float32"),
    # ------------------------------------------------------------------ cumulative
    OpCase("Cumsum", lambda x: fg.cumsum(x), [M],
           expected=np.array([[1, 2, 3], [5, 7, 9]], np.int32)),
    OpCase("Cumsum", lambda x: fg.cumsum(x, axis=-1), [MF],
           expected=np.array([[1.0, 3.0, 6.0], [4.0, 9.0, 15.0]]), name="last-axis"),
    OpCase("Cumsum", lambda x: fg.cumsum(x, axis=1, exclusive=True), [M],
           expected=np.array([[0, 1, 3], [0, 4, 9]], np.int32), name="exclusive"),
    OpCase("Cumsum", lambda x: fg.cumsum(x, axis=1, reverse=True), [M],
           expected=np.array([[6, 5, 3], [15, 11, 6]], np.int32), name="reverse"),
    OpCase("Cumsum", lambda x: fg.cumsum(x, 1, exclusive=True, reverse=True), [M],
           expected=np.array([[5, 3, 0], [11, 6, 0]], np.int32), name="exclusive-reverse"),
    OpCase("Cumsum", lambda x: fg.cumsum(x, axis=fg.constant(0)),
           [np.array([0.5, 0.25, 0.125], F32)],
           expected=np.array([0.5, 0.75, 0.875], F32), name="tensor-axis"),
    OpCase("Cumsum", lambda x: fg.cumsum(x, axis=1, exclusive=True),
           [np.zeros((2, 0), np.int64)], expected=np.zeros((2, 0), np.int64), name="empty"),
    OpCase("Cumsum", lambda x: fg.cumsum(x, axis=0, exclusive=True, reverse=True), [MF],
           expected=np.array([[4.0, 5.0, 6.0], [0.0, 0.0, 0.0]]),
           name="float-exclusive-reverse"),
    OpCase("Cumsum", lambda x: fg.cumsum(x, axis=1, reverse=True), [MF],
           expected=np.array([[6.0, 5.0, 3.0], [15.0, 11.0, 6.0]]), name="float-reverse"),
    OpCase("Cumprod", lambda x: fg.cumprod(x, axis=1), [M],
           expected=np.array([[1, 2, 6], [4, 20, 120]], np.int32)),
    OpCase("Cumprod", lambda x: fg.cumprod(x, exclusive=True), [MF],
           expected=np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]), name="exclusive"),
    OpCase("Cumprod", lambda x: fg.cumprod(x, axis=-1, exclusive=True, reverse=True), [MF],
           expected=np.array([[6.0, 3.0, 1.0], [30.0, 6.0, 1.0]]), name="exclusive-reverse"),
    OpCase("Cumprod", lambda x: fg.cumprod(x, axis=1), [-MF / 2],
           expected=np.array([[-0.5, 0.5, -0.75], [-2.0, 5.0, -15.0]]), name="float"),
    OpCase("Cumprod", lambda x: fg.cumprod(x, axis=1, reverse=True), [MF],
           expected=np.array([[6.0, 6.0, 3.0], [120.0, 30.0, 6.0]]), name="float-reverse"),
]
