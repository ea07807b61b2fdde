"""Cases for the extra Variable updates (scatter_mul/div/max/min, scatter_nd_*, slices);
expected values are hand-computed."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

V = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32)


def _after_init(make, value=V):
    """Builds an update that runs in the same run as, and after, the initializer."""
    def build(*inputs):
        v = fg.Variable(value, name="v")
        with fg.control_dependencies([v.initializer]):
            return make(v, *inputs)
    return build


CASES = [
    OpCase("ScatterMul", _after_init(lambda v, i, u: fg.scatter_mul(v, i, u)),
           [np.int32([1, 1]), np.float32([[2, 3], [10, 10]])],
           expected=np.float32([[1, 2], [60, 120], [5, 6]])),
    OpCase("ScatterDiv", _after_init(lambda v, i, u: fg.scatter_div(v, i, u)),
           [np.int32([2]), np.float32([[2, 4]])],
           expected=np.float32([[1, 2], [3, 4], [2.5, 1.5]])),
    # Integers truncate toward zero, as C division: 7 / -2 = -3, -7 / 2 = -3.
    OpCase("ScatterDiv", _after_init(lambda v, i, u: fg.scatter_div(v, i, u),
                                     np.int32([[7, -7], [9, 9]])),
           [np.int64([0]), np.int32([[-2, 2]])],
           expected=np.int32([[-3, -3], [9, 9]]), name="int"),
    OpCase("ScatterMax", _after_init(lambda v, i, u: fg.scatter_max(v, i, u)),
           [np.int32([0, 0]), np.float32([[0, 7], [3, 1]])],
           expected=np.float32([[3, 7], [3, 4], [5, 6]])),
    OpCase("ScatterMin", _after_init(lambda v, i, u: fg.scatter_min(v, i, u)),
           [np.int32([2]), np.float32([[9, -1]])],
           expected=np.float32([[1, 2], [3, 4], [5, -1]])),
    OpCase("ScatterNdUpdate", _after_init(lambda v, i, u: fg.scatter_nd_update(v, i, u)),
           [np.int32([[0, 1], [2, 0]]), np.float32([10, 20])],
           expected=np.float32([[1, 10], [3, 4], [20, 6]])),
    OpCase("ScatterNdAdd", _after_init(lambda v, i, u: fg.scatter_nd_add(v, i, u)),
           [np.int32([[1], [1]]), np.float32([[1, 1], [2, 2]])],
           expected=np.float32([[1, 2], [6, 7], [5, 6]])),
    OpCase("ScatterNdSub", _after_init(lambda v, i, u: fg.scatter_nd_sub(v, i, u)),
           [np.int64([[0, 0]]), np.float32([1])],
           expected=np.float32([[0, 2], [3, 4], [5, 6]])),
    OpCase("StridedSliceAssign", _after_init(lambda v, x: v[1:, 0].assign(x)),
           [np.float32([30, 50])],
           expected=np.float32([[1, 2], [30, 4], [50, 6]])),
]
