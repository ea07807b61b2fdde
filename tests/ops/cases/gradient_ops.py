"""Cases for the ops gradient construction uses; values are hand-computed."""

import numpy as np

import flowgraph as fg
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.gradient_ops import SumToShape
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

G = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)


def _sum_to(g, shape):
    return apply_op(SumToShape(), [g, fg.constant(shape)])


def _dense(values, indices):
    return fg.convert_to_tensor(IndexedSlices(values, indices, fg.constant([4, 2])))


CASES = [
    OpCase("StopGradient", lambda x: fg.stop_gradient(x), [G], expected=G),
    OpCase("SumToShape", lambda g: _sum_to(g, [1, 3]), [G],
           expected=np.float32([[5, 7, 9]]), name="rows"),
    OpCase("SumToShape", lambda g: _sum_to(g, [3]), [G], expected=np.float32([5, 7, 9]),
           name="leading"),
    OpCase("SumToShape", lambda g: _sum_to(g, [2, 1]), [G], expected=np.float32([[6], [15]]),
           name="columns"),
    OpCase("DenseFromSlices", _dense,
           [np.float32([[1, 2], [3, 4], [5, 6]]), np.int32([3, 0, 3])],
           expected=np.float32([[3, 4], [0, 0], [0, 0], [6, 8]])),
]
