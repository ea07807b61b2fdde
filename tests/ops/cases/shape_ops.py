"""Cases for shape ops (Shape, ShapeN, Size, Rank, Reshape, ExpandDims, Squeeze, BroadcastTo)
and for tensors made from shapes (Fill, ZerosLike, OnesLike, Range, LinSpace). Expected values
are literals or numpy."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)
X3 = np.arange(24, dtype=np.int64).reshape(2, 3, 4)
S = np.array([[b"a"], [b"bc"]], dtype=object)
EMPTY = np.zeros((0, 3), dtype=np.float32)

CASES = [
    # Shape / ShapeN / Size / Rank
    OpCase("Shape", lambda x: fg.shape(x), [X3], expected=np.int32([2, 3, 4])),
    OpCase("Shape", lambda x: fg.shape(x, out_type=fg.int64), [EMPTY],
           expected=np.int64([0, 3]), name="int64-empty"),
    OpCase("Shape", lambda x: fg.shape(x), [np.float64(1.0)], expected=np.int32([]),
           name="scalar"),
    OpCase("ShapeN", lambda x, y: fg.shape_n([x, y]), [A, S],
           expected=[np.int32([2, 3]), np.int32([2, 1])]),
    OpCase("Size", lambda x: fg.size(x), [X3], expected=np.int32(24)),
    OpCase("Size", lambda x: fg.size(x, out_type=fg.int64), [EMPTY], expected=np.int64(0),
           name="empty"),
    OpCase("Rank", lambda x: fg.rank(x), [X3], expected=np.int32(3)),
    OpCase("Rank", lambda x: fg.rank(x), [np.int32(7)], expected=np.int32(0), name="scalar"),
    # Reshape
    OpCase("Reshape", lambda x: fg.reshape(x, [3, 2]), [A],
           expected=np.float32([[1, 2], [3, 4], [5, 6]]), name="static"),
    OpCase("Reshape", lambda x: fg.reshape(x, [-1]), [X3], expected=np.arange(24),
           name="flatten"),
    OpCase("Reshape", lambda x: fg.reshape(x, [2, -1, 2]), [X3],
           expected=np.arange(24).reshape(2, 6, 2), name="minus-one-middle"),
    OpCase("Reshape", lambda x, s: fg.reshape(x, s), [A, np.int32([6, 1])],
           expected=np.float32([[1], [2], [3], [4], [5], [6]]), name="shape-tensor"),
    OpCase("Reshape", lambda x: fg.reshape(x, [fg.shape(x)[0], -1]), [X3],
           expected=np.arange(24).reshape(2, 12), name="packed-shape"),
    OpCase("Reshape", lambda x: fg.reshape(x, []), [np.float32([[4.5]])],
           expected=np.float32(4.5), name="to-scalar"),
    OpCase("Reshape", lambda x: fg.reshape(x, [3, 0]), [EMPTY],
           expected=np.zeros((3, 0), np.float32), name="empty"),
    OpCase("Reshape", lambda x: fg.reshape(x, [1, 2]), [S],
           expected=np.array([[b"a", b"bc"]], dtype=object), name="strings"),
    # ExpandDims / Squeeze
    OpCase("ExpandDims", lambda x: fg.expand_dims(x, 0), [A], expected=A[None]),
    OpCase("ExpandDims", lambda x: fg.expand_dims(x, -1), [A], expected=A[:, :, None],
           name="neg"),
    OpCase("ExpandDims", lambda x: fg.expand_dims(x, axis=-2), [X3],
           expected=X3[:, :, None, :], name="neg-middle"),
    OpCase("ExpandDims", lambda x: fg.expand_dims(x, dim=0), [np.int32(3)],
           expected=np.int32([3]), name="scalar-dim-alias"),
    OpCase("Squeeze", lambda x: fg.squeeze(x), [np.zeros((1, 2, 1, 3), np.float32)],
           expected=np.zeros((2, 3), np.float32), name="all"),
    OpCase("Squeeze", lambda x: fg.squeeze(x, [-2]), [np.ones((1, 2, 1, 3), np.int32)],
           expected=np.ones((1, 2, 3), np.int32), name="neg-axis"),
    OpCase("Squeeze", lambda x: fg.squeeze(x, squeeze_dims=[0, 2]), [np.int32([[[7]]])],
           expected=np.int32([7]), name="alias"),
    # BroadcastTo
    OpCase("BroadcastTo", lambda x: fg.broadcast_to(x, [2, 3]), [np.float32([1, 2, 3])],
           expected=np.float32([[1, 2, 3], [1, 2, 3]])),
    OpCase("BroadcastTo", lambda x, s: fg.broadcast_to(x, s), [np.int32([[1], [2]]),
                                                               np.int32([2, 2, 3])],
           expected=np.int32([[[1] * 3, [2] * 3]] * 2), name="shape-tensor"),
    OpCase("BroadcastTo", lambda x, y: fg.meshgrid(x, y), [np.int32([1, 2, 3]),
                                                           np.int32([4, 5])],
           expected=[np.int32([[1, 2, 3], [1, 2, 3]]), np.int32([[4, 4, 4], [5, 5, 5]])],
           name="meshgrid-xy"),
    OpCase("BroadcastTo", lambda x, y: fg.meshgrid(x, y, indexing="ij"),
           [np.float32([1, 2]), np.float32([4, 5, 6])],
           expected=[np.float32([[1, 1, 1], [2, 2, 2]]), np.float32([[4, 5, 6], [4, 5, 6]])],
           name="meshgrid-ij"),
    # Fill / ZerosLike / OnesLike
    OpCase("Fill", lambda: fg.fill([2, 3], 9), expected=np.full((2, 3), 9, np.int32)),
    OpCase("Fill", lambda d, v: fg.fill(d, v), [np.int32([2, 1]), np.float64(-0.5)],
           expected=np.float64([[-0.5], [-0.5]]), name="tensors"),
    OpCase("Fill", lambda d: fg.zeros(d, fg.int64), [np.int32([3])],
           expected=np.int64([0, 0, 0]), name="zeros-dynamic"),
    OpCase("Fill", lambda: fg.ones([40, 30], fg.bool), expected=np.ones((40, 30), bool),
           name="ones-large"),
    OpCase("Fill", lambda x: fg.ones_like(x, dtype=fg.int32, optimize=False), [A],
           expected=np.ones((2, 3), np.int32), name="ones-like-dtype"),
    OpCase("ZerosLike", lambda x: fg.zeros_like(x, optimize=False), [A],
           expected=np.zeros((2, 3), np.float32)),
    OpCase("ZerosLike", lambda x: fg.zeros_like(x, optimize=False), [S],
           expected=np.array([[b""], [b""]], dtype=object), name="strings"),
    OpCase("OnesLike", lambda x: fg.ones_like(x, optimize=False), [X3],
           expected=np.ones((2, 3, 4), np.int64)),
    OpCase("OnesLike", lambda x: fg.ones_like(x, optimize=False), [np.array([True, False])],
           expected=np.array([True, True]), name="bool"),
    # Range / LinSpace
    OpCase("Range", lambda: fg.range(5), expected=np.int32([0, 1, 2, 3, 4]), name="limit"),
    OpCase("Range", lambda: fg.range(10, 1, -3), expected=np.int32([10, 7, 4]),
           name="negative-delta"),
    OpCase("Range", lambda: fg.range(0.5, 2), expected=np.float32([0.5, 1.5]), name="float"),
    OpCase("Range", lambda: fg.range(3, 3), expected=np.zeros(0, np.int32), name="empty"),
    OpCase("Range", lambda n: fg.range(1, n, 2), [np.int64(6)], expected=np.int64([1, 3, 5]),
           name="tensor-limit"),
    OpCase("Range", lambda: fg.range(4, dtype=fg.float64), expected=np.float64([0, 1, 2, 3]),
           name="dtype"),
    OpCase("LinSpace", lambda: fg.linspace(0.0, 1.0, 5),
           expected=np.float32([0.0, 0.25, 0.5, 0.75, 1.0])),
    OpCase("LinSpace", lambda a, b, n: fg.lin_space(a, b, n),
           [np.float64(2.0), np.float64(-1.0), np.int32(4)],
           expected=np.float64([2.0, 1.0, 0.0, -1.0]), name="tensors-descending"),
    OpCase("LinSpace", lambda: fg.linspace(3.0, 7.0, 1), expected=np.float32([3.0]),
           name="one"),
]
