"""Cases for TopKV2, Sort, ArgSort, InTopKV2 and the sort gradient ops GatherAlongAxis and
ScatterAlongAxis (hand-computed expected values; equal values keep the lower index first).

Gradient checks use `TD` (distinct values): ties are kinks of top_k and sort."""

import numpy as np

import flowgraph as fg
from flowgraph.ops.sort_grad import gather_along_axis, scatter_along_axis
from tests.ops.harness import OpCase

T = np.array([[3.0, 5.0, 5.0, 1.0], [2.0, 2.0, 2.0, 2.0]], dtype=np.float32)
TD = np.array([[3.0, 5.0, 4.5, 1.0], [2.0, 2.5, 1.5, 0.5]], dtype=np.float32)
IDX = np.array([[2, 0], [1, 3]], dtype=np.int32)
S = np.array([[3, 1, 2], [1, 3, 3], [-2**31, 7, 0]], dtype=np.int32)
NAN, INF = np.nan, np.inf

CASES = [
    # TopKV2
    OpCase("TopKV2", lambda x: fg.top_k(x, 3), [T],
           expected=[np.float32([[5, 5, 3], [2, 2, 2]]), np.int32([[1, 2, 0], [0, 1, 2]])],
           name="ties", grad_inputs=[TD]),
    OpCase("TopKV2", lambda x: fg.top_k(x), [np.int32([4, -2**31, 9, 9])],
           expected=[np.int32([9]), np.int32([2])], name="default-k-1"),
    OpCase("TopKV2", lambda x: fg.top_k(x, k=2), [S],
           expected=[np.int32([[3, 2], [3, 3], [7, 0]]), np.int32([[0, 2], [1, 2], [1, 2]])],
           name="int-min"),
    OpCase("TopKV2", lambda x, k: fg.top_k(x, k), [T, np.int32(2)],
           expected=[np.float32([[5, 5], [2, 2]]), np.int32([[1, 2], [0, 1]])],
           name="k-fed", grad_inputs=[TD, np.int32(2)]),
    OpCase("TopKV2", lambda x: fg.top_k(x, 0), [T],
           expected=[np.zeros((2, 0), np.float32), np.zeros((2, 0), np.int32)], name="k0"),
    OpCase("TopKV2", lambda x: fg.top_k(x, 2), [np.float64([[[1, 2], [4, 3]]])],
           expected=[np.float64([[[2, 1], [4, 3]]]), np.int32([[[1, 0], [0, 1]]])],
           name="rank3"),
    # Sort
    OpCase("Sort", lambda x: fg.sort(x), [T],
           expected=np.float32([[1, 3, 5, 5], [2, 2, 2, 2]]), grad_inputs=[TD]),
    OpCase("Sort", lambda x: fg.sort(x, axis=0, direction="DESCENDING"), [S],
           expected=np.int32([[3, 7, 3], [1, 3, 2], [-2**31, 1, 0]]), name="axis0-desc"),
    OpCase("Sort", lambda x: fg.sort(x, direction="DESCENDING"), [np.float64([0.5, -INF, 3])],
           expected=np.float64([3, 0.5, -INF]), name="1d-desc",
           grad_inputs=[np.float64([0.5, -2.0, 3.0])]),
    OpCase("Sort", lambda x: fg.sort(x, axis=0), [np.float64([[2.0, -1.0], [0.5, 3.0]])],
           expected=np.float64([[0.5, -1.0], [2.0, 3.0]]), name="axis0"),
    # GatherAlongAxis / ScatterAlongAxis (rows of TD picked at IDX, and put back)
    OpCase("GatherAlongAxis", lambda x, i: gather_along_axis(x, i, -1), [TD, IDX],
           expected=np.float32([[4.5, 3.0], [2.5, 0.5]])),
    OpCase("GatherAlongAxis", lambda x, i: gather_along_axis(x, i, 0),
           [TD.T.copy(), IDX.T.copy()], expected=np.float32([[4.5, 2.5], [3.0, 0.5]]),
           name="axis0"),
    OpCase("ScatterAlongAxis", lambda u, i, s: scatter_along_axis(u, i, s, 1),
           [np.float64([[1.0, 2.0], [3.0, 4.0]]), IDX, np.int32([2, 4])],
           expected=np.float64([[2, 0, 1, 0], [0, 3, 0, 4]])),
    OpCase("ScatterAlongAxis", lambda u, i: scatter_along_axis(u, i, fg.constant([4, 2]), 0),
           [np.float32([[1.0, 2.0], [3.0, 4.0]]), IDX.T.copy()],
           expected=np.float32([[3, 0], [0, 2], [1, 0], [0, 4]]), name="axis0-constant-shape"),
    # ArgSort
    OpCase("ArgSort", lambda x: fg.argsort(x), [T],
           expected=np.int32([[3, 0, 1, 2], [0, 1, 2, 3]])),
    OpCase("ArgSort", lambda x: fg.argsort(x, direction="DESCENDING"), [T],
           expected=np.int32([[1, 2, 0, 3], [0, 1, 2, 3]]), name="desc-ties"),
    OpCase("ArgSort", lambda x: fg.argsort(x, axis=-2, stable=True), [S],
           expected=np.int32([[2, 0, 2], [1, 1, 0], [0, 2, 1]]), name="axis0"),
    OpCase("ArgSort", lambda x: fg.argsort(x, 0, "DESCENDING", output_type=fg.int64), [S],
           expected=np.int64([[0, 2, 1], [1, 1, 0], [2, 0, 2]]), name="int64-desc"),
    # InTopKV2, k=2: row 0 target value 2 ties class 2 -> in; row 1 has two values above the
    # target -> out; row 2 -> in; row 3 holds a NaN -> False; row 4 target out of range -> False
    OpCase("InTopKV2", lambda p, t: fg.in_top_k(p, t, 2),
           [np.float32([[1, 2, 2, 0], [4, 3, 5, 1], [0, 1, 2, 3], [1, NAN, 2, 3],
                        [1, 2, 3, 4]]),
            np.int32([1, 1, 3, 3, 7])],
           expected=np.array([True, False, True, False, False]), name="rules"),
    OpCase("InTopKV2", lambda p, t: fg.in_top_k(p, t, 1),
           [np.float32([[1, 2, 2, 0], [INF, 0, 0, 0]]), np.int64([2, 0])],
           expected=np.array([True, False]), name="k1-int64"),
]
