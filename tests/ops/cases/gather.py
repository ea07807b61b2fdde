"""Cases for GatherV2, GatherV2Grad, GatherNd, ScatterNd, TensorScatter*, OneHot, and the
composites boolean_mask and sequence_mask. Expected values are literals or numpy indexing
written here."""

import numpy as np

import flowgraph as fg
from flowgraph.ops.array_grad import GatherV2Grad
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

P = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32)
X3 = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
S = np.array([b"a", b"b", b"c"], dtype=object)
M2 = np.array([[True, False, True], [False, False, True]])
M3 = np.array([[True, False, False, True]] * 3)
F3 = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4 - 2


def _gather_grad(shape, axis=0, batch_dims=0):
    def build(dy, indices):
        op_def = GatherV2Grad(axis=axis, batch_dims=batch_dims)
        return apply_op(op_def, [dy, indices, fg.constant(np.int32(shape))])
    return build


def _gathered_adjoint(shape, axis, batch_dims):
    """The transpose of gather: gather element numbers with numpy, then add each gradient
    element to the element it was read from."""
    def expected(dy, indices):
        numbers = np.arange(int(np.prod(shape))).reshape(shape)
        if batch_dims == 0:
            read = np.take(numbers, indices, axis=axis)
        else:  # one batch dimension
            read = np.stack([np.take(numbers[b], indices[b], axis=axis - 1)
                             for b in range(shape[0])])
        out = np.zeros(int(np.prod(shape)), dtype=dy.dtype)
        np.add.at(out, read.ravel(), dy.ravel())
        return out.reshape(shape)
    return expected

CASES = [
    # GatherV2
    OpCase("GatherV2", lambda p, i: fg.gather(p, i), [P, np.int32([2, 0, 2])],
           expected=np.float32([[5, 6], [1, 2], [5, 6]]), name="axis0"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i, axis=1), [P, np.int64([[1], [0]])],
           expected=np.float32([[[2], [1]], [[4], [3]], [[6], [5]]]), name="axis1-2d-indices"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i, axis=-1), [X3, np.int32([3, 0])],
           expected=lambda p, i: p[..., [3, 0]], name="neg-axis"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i), [P, np.int32(1)],
           expected=np.float32([3, 4]), name="scalar-index"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i), [S, np.int32([2, 2, 0])],
           expected=np.array([b"c", b"c", b"a"], dtype=object), name="strings"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i), [P, np.zeros(0, np.int32)],
           expected=np.zeros((0, 2), np.float32), name="empty-indices"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i, batch_dims=1),
           [X3, np.int32([[2, 0], [1, 1]])],
           expected=np.stack([X3[0][[2, 0]], X3[1][[1, 1]]]), name="batch-dims"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i, axis=2, batch_dims=1),
           [X3, np.int32([[3], [0]])],
           expected=np.stack([X3[0][:, [3]], X3[1][:, [0]]]), name="batch-dims-axis2"),
    OpCase("GatherV2", lambda x, m: fg.boolean_mask(x, m), [P, np.array([True, False, True])],
           expected=np.float32([[1, 2], [5, 6]]), name="boolean-mask", partial_shapes=False),
    OpCase("GatherV2", lambda x: fg.boolean_mask(x, M2), [X3], expected=lambda x: x[M2],
           name="boolean-mask-2d"),
    OpCase("GatherV2", lambda x: fg.boolean_mask(x, [False, True, True], axis=1), [X3],
           expected=lambda x: x[:, [1, 2]], name="boolean-mask-axis"),
    OpCase("GatherV2", lambda x: fg.boolean_mask(x, M3, axis=1), [X3],
           expected=lambda x: x[:, M3], name="boolean-mask-2d-axis1"),
    OpCase("GatherV2", lambda x: fg.boolean_mask(x, [False, False]), [P[:2]],
           expected=np.zeros((0, 2), np.float32), name="boolean-mask-none-true"),
    # GatherV2 on floats (gradients: IndexedSlices along axis 0, dense otherwise)
    OpCase("GatherV2", lambda p, i: fg.gather(p, i), [P, np.int64([[0, 2], [2, 2]])],
           expected=np.float32([[[1, 2], [5, 6]], [[5, 6], [5, 6]]]), name="2d-indices-float"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i, axis=-1), [F3, np.int32([3, 0, 3])],
           expected=lambda p, i: p[..., [3, 0, 3]], name="neg-axis-float"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i, axis=1), [F3, np.int32([[2, 2], [0, 1]])],
           expected=lambda p, i: p[:, [[2, 2], [0, 1]]], name="axis1-float"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i, batch_dims=1),
           [F3, np.int32([[2, 0, 2], [1, 1, 0]])],
           expected=lambda p, i: np.stack([p[0][i[0]], p[1][i[1]]]), name="batch-dims-float"),
    OpCase("GatherV2", lambda p, i: fg.gather(p, i, axis=2, batch_dims=1),
           [F3, np.int32([[3, 3], [0, 1]])],
           expected=lambda p, i: np.stack([p[0][:, i[0]], p[1][:, i[1]]]),
           name="batch-dims-axis2-float"),
    OpCase("GatherV2", lambda x: fg.boolean_mask(x, [False, True, True], axis=1), [F3],
           expected=lambda x: x[:, [1, 2]], name="boolean-mask-axis-float"),
    OpCase("GatherV2", lambda x: fg.boolean_mask(x, M2), [F3], expected=lambda x: x[M2],
           name="boolean-mask-2d-float"),
    # GatherV2Grad (the dense gradient of GatherV2)
    OpCase("GatherV2Grad", _gather_grad([3, 2], axis=1), [P, np.int32([1, 1])],
           expected=np.float32([[0, 3], [0, 7], [0, 11]]), name="axis1-duplicates"),
    OpCase("GatherV2Grad", _gather_grad([2, 3, 4], axis=2),
           [np.ones((2, 3, 2, 2), np.float32), np.int32([[0, 3], [3, 3]])],
           expected=_gathered_adjoint((2, 3, 4), 2, 0), name="2d-indices"),
    OpCase("GatherV2Grad", _gather_grad([2, 3, 4], axis=1, batch_dims=1),
           [np.arange(16, dtype=np.float64).reshape(2, 2, 4), np.int64([[2, 2], [0, 1]])],
           expected=_gathered_adjoint((2, 3, 4), 1, 1), name="batch-dims"),
    OpCase("GatherV2Grad", _gather_grad([2, 3, 4], axis=2, batch_dims=1),
           [np.arange(18, dtype=np.float32).reshape(2, 3, 3), np.int32([[3, 0, 3], [1, 2, 1]])],
           expected=_gathered_adjoint((2, 3, 4), 2, 1), name="batch-dims-axis2"),
    OpCase("GatherV2Grad", _gather_grad([3, 2]), [np.zeros((0, 2), np.float32),
                                                  np.zeros(0, np.int32)],
           expected=np.zeros((3, 2), np.float32), name="empty"),
    # GatherNd
    OpCase("GatherNd", lambda p, i: fg.gather_nd(p, i), [P, np.int32([[2, 1], [0, 0]])],
           expected=np.float32([6, 1]), name="elements"),
    OpCase("GatherNd", lambda p, i: fg.gather_nd(p, i), [P, np.int64([[1], [2]])],
           expected=np.float32([[3, 4], [5, 6]]), name="rows"),
    OpCase("GatherNd", lambda p, i: fg.gather_nd(p, i), [X3, np.int32([[[1, 2]], [[0, 0]]])],
           expected=np.int32([[[20, 21, 22, 23]], [[0, 1, 2, 3]]]), name="nested"),
    OpCase("GatherNd", lambda p, i: fg.gather_nd(p, i, batch_dims=1),
           [X3, np.int32([[1, 3], [2, 0]])], expected=np.int32([7, 20]), name="batch-dims"),
    OpCase("GatherNd", lambda p, i: fg.gather_nd(p, i), [F3, np.int32([[[1, 2]], [[1, 2]]])],
           expected=lambda p, i: np.stack([p[1, 2][None], p[1, 2][None]]),
           name="nested-duplicates-float"),
    OpCase("GatherNd", lambda p, i: fg.gather_nd(p, i, batch_dims=1),
           [F3, np.int32([[[1, 3], [2, 0]], [[0, 0], [0, 0]]])],
           expected=lambda p, i: np.float32([[p[0, 1, 3], p[0, 2, 0]], [p[1, 0, 0]] * 2]),
           name="batch-dims-float"),
    OpCase("GatherNd", lambda p, i: fg.gather_nd(p, i, batch_dims=1),
           [F3, np.int64([[2], [0]])], expected=lambda p, i: np.stack([p[0, 2], p[1, 0]]),
           name="batch-dims-rows-float"),
    # ScatterNd
    OpCase("ScatterNd", lambda i, u: fg.scatter_nd(i, u, [4]),
           [np.int32([[1], [3], [1]]), np.float32([9, 10, 11])],
           expected=np.float32([0, 20, 0, 10]), name="duplicates-sum"),
    OpCase("ScatterNd", lambda i, u: fg.scatter_nd(i, u, [2, 3]),
           [np.int64([[1, 2], [0, 0]]), np.int32([5, 7])],
           expected=np.int32([[7, 0, 0], [0, 0, 5]]), name="elements"),
    OpCase("ScatterNd", lambda i, u, s: fg.scatter_nd(i, u, s),
           [np.int32([[1]]), np.float64([[1.5, 2.5]]), np.int32([3, 2])],
           expected=np.float64([[0, 0], [1.5, 2.5], [0, 0]]), name="rows-shape-tensor"),
    # TensorScatterUpdate / Add / Sub
    OpCase("TensorScatterUpdate", lambda t, i, u: fg.tensor_scatter_nd_update(t, i, u),
           [np.float32([1, 2, 3, 4]), np.int32([[3], [0]]), np.float32([9, 8])],
           expected=np.float32([8, 2, 3, 9])),
    OpCase("TensorScatterUpdate", lambda t, i: fg.tensor_scatter_update(t, i, [[b"x", b"y"]]),
           [np.array([[b"a", b"b"], [b"c", b"d"]], dtype=object), np.int64([[1]])],
           expected=np.array([[b"a", b"b"], [b"x", b"y"]], dtype=object), name="strings-rows"),
    OpCase("TensorScatterAdd", lambda t, i, u: fg.tensor_scatter_nd_add(t, i, u),
           [np.int32([[1, 2], [3, 4]]), np.int32([[0, 1], [0, 1], [1, 0]]),
            np.int32([10, 20, 30])], expected=np.int32([[1, 32], [33, 4]])),
    OpCase("TensorScatterSub", lambda t, i: fg.tensor_scatter_nd_sub(t, i, [1.5, 1.5]),
           [np.float64([0, 0, 0]), np.int32([[2], [2]])], expected=np.float64([0, 0, -3])),
    OpCase("TensorScatterAdd", lambda t, i, u: fg.tensor_scatter_nd_add(t, i, u),
           [np.float64([[1, 2], [3, 4], [5, 6]]), np.int32([[0], [2], [0]]),
           np.float64([[1, 1], [2, 2], [3, 3]])],
           expected=np.float64([[5, 6], [3, 4], [7, 8]]), name="rows-float"),
    OpCase("TensorScatterUpdate", lambda t, i, u: fg.tensor_scatter_nd_update(t, i, u),
           [np.float32([[1, 2], [3, 4]]), np.int64([[1, 0]]), np.float32([-7])],
           expected=np.float32([[1, 2], [-7, 4]]), name="element"),
    OpCase("TensorScatterSub", lambda t, i, u: fg.tensor_scatter_nd_sub(t, i, u),
           [np.float32([1, 2, 3]), np.int32([[0], [2]]), np.float32([0.5, 4])],
           expected=np.float32([0.5, 2, -1]), name="updates-input"),
    # OneHot
    OpCase("OneHot", lambda i: fg.one_hot(i, 3), [np.int32([0, 2, -1, 5])],
           expected=np.float32([[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]),
           name="minus-one-and-out-of-range"),
    OpCase("OneHot", lambda i: fg.one_hot(i, 3, axis=0), [np.int64([1, 0])],
           expected=np.float32([[0, 1], [1, 0], [0, 0]]), name="axis0"),
    OpCase("OneHot", lambda i: fg.one_hot(i, 2, on_value=5, off_value=-1),
           [np.uint8([[1], [0]])], expected=np.int32([[[-1, 5]], [[5, -1]]]),
           name="values-int"),
    OpCase("OneHot", lambda i: fg.one_hot(i, 4, dtype=fg.float64, axis=1),
           [np.int32([[0, 3], [2, 1]])],
           expected=np.float64([[[1, 0], [0, 0], [0, 0], [0, 1]],
                                [[0, 0], [0, 1], [1, 0], [0, 0]]]), name="axis-middle"),
    OpCase("OneHot", lambda i: fg.one_hot(i, 3, on_value=True, off_value=False),
           [np.int32(1)], expected=np.array([False, True, False]), name="scalar-bool"),
    OpCase("OneHot", lambda i, on, off: fg.one_hot(i, 3, on_value=on, off_value=off),
           [np.int32([0, 2, -1]), np.float32(2.5), np.float32(-0.5)],
           expected=np.float32([[2.5, -0.5, -0.5], [-0.5, -0.5, 2.5], [-0.5, -0.5, -0.5]]),
           name="values-float"),
    OpCase("OneHot", lambda i, on: fg.one_hot(i, 2, on_value=on, axis=0),
           [np.int64([[1], [0]]), np.float64(3.0)],
           expected=np.float64([[[0], [3]], [[3], [0]]]), name="on-value-axis0"),
    # sequence_mask (a composite ending in Less)
    OpCase("Less", lambda n: fg.sequence_mask(n, 4), [np.int32([1, 3, 0])],
           expected=np.array([[1, 0, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0]], dtype=bool),
           name="sequence-mask"),
    OpCase("Less", lambda n: fg.sequence_mask(n), [np.int64([[2], [1]])],
           expected=np.array([[[1, 1]], [[1, 0]]], dtype=bool), name="sequence-mask-default"),
]
