"""Cases for array_extra.py (values from numpy written here, or literals checked against a
real TF1 run: space_to_depth of arange(16) in a 1x4x4x1 image, bincount, unravel_index)."""

import numpy as np

import flowgraph as fg
from flowgraph.ops.array_extra import RepeatIndices
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

F32 = np.float32
IMG = np.arange(16, dtype=F32).reshape(1, 4, 4, 1)
# TF1: space_to_depth(IMG, 2) -> [0 1 4 5 | 2 3 6 7 | 8 9 12 13 | 10 11 14 15], (1, 2, 2, 4)
S2D = np.array([0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15], F32).reshape(1, 2, 2, 4)


def _check_repeat(outputs, inputs):
    np.testing.assert_array_equal(outputs[0], [0, 0, 1, 2, 2, 2])


CASES = [
    OpCase("UniqueWithCounts", lambda x: list(fg.unique_with_counts(x)),
           [np.array([1, 1, 2, 4, 4, 4, 7, 8, 8], np.int32)],
           expected=[np.array([1, 2, 4, 7, 8], np.int32),
                     np.array([0, 0, 1, 2, 2, 2, 3, 4, 4], np.int32),
                     np.array([2, 1, 3, 1, 2], np.int32)]),
    OpCase("ListDiff", lambda x, y: list(fg.setdiff1d(x, y)),
           [np.array([1, 2, 3, 4, 5, 6]), np.array([1, 3, 5])],
           expected=[np.array([2, 4, 6]), np.array([1, 3, 5], np.int32)]),
    OpCase("BroadcastArgs", lambda a, b: fg.broadcast_dynamic_shape(a, b),
           [np.array([2, 1, 3], np.int32), np.array([4, 1], np.int32)],
           expected=np.array([2, 4, 3], np.int32)),
    OpCase("SpaceToDepth", lambda x: fg.space_to_depth(x, 2), [IMG], expected=S2D),
    OpCase("DepthToSpace", lambda x: fg.depth_to_space(x, 2), [S2D], expected=IMG),
    OpCase("IdentityN", lambda a, b: fg.identity_n([a, b]),
           [np.array([1.5, -2.0], F32), np.array([[3]], np.int64)],
           expected=[np.array([1.5, -2.0], F32), np.array([[3]], np.int64)]),
    OpCase("EnsureShape", lambda x: fg.ensure_shape(x, [None, 2]),
           [np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])],
           expected=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])),
    # TF1: bincount([1, 1, 3]) = [0, 2, 0, 1]; with minlength=5 and weights as below.
    OpCase("Bincount", lambda x: fg.bincount(x), [np.array([1, 1, 3], np.int32)],
           expected=np.array([0, 2, 0, 1], np.int32)),
    OpCase("Bincount", lambda x, w: fg.math.bincount(x, weights=w, minlength=5,
                                                     dtype=fg.float32),
           [np.array([[0, 2], [2, 1]], np.int32), np.array([[0.5, 1.0], [2.0, 4.0]], F32)],
           expected=np.array([0.5, 4.0, 3.0, 0.0, 0.0], F32), name="weights"),
    OpCase("UnravelIndex", lambda i, d: fg.unravel_index(i, d),
           [np.array([5, 0, 7], np.int32), np.array([3, 4], np.int32)],
           expected=np.array([[1, 0, 1], [1, 0, 3]], np.int32)),
    OpCase("RepeatIndices", lambda n, r: apply_op(RepeatIndices(), [n, r]),
           [np.array(3, np.int32), np.array([2, 1, 3], np.int32)], check=_check_repeat),
    OpCase("RepeatIndices", lambda x: fg.repeat(x, [1, 2], axis=0),
           [np.array([[1.0, 2.0], [3.0, 4.0]])],
           expected=np.array([[1.0, 2.0], [3.0, 4.0], [3.0, 4.0]]), name="repeat"),
]
