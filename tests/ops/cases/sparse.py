"""Cases for the sparse ops. References: hand-written dense arrays, or numpy on the dense
tensor built here from (indices, values, shape) with a plain loop.

Float values (and dense operands) are inputs, so that the registry's gradient check feeds
them as float64: no case builds float constants of its own.
"""

import numpy as np

import flowgraph as fg
from flowgraph.ops import sparse_math
from flowgraph.ops.registry import apply_op
from flowgraph.sparse_tensor import SparseTensor
from tests.ops.harness import OpCase

IND = np.array([[0, 1], [1, 0], [2, 3]], dtype=np.int64)
VAL = np.array([1.5, -2.0, 4.0], dtype=np.float32)
SHAPE = np.array([3, 4], dtype=np.int64)
DENSE = np.array([[0, 1.5, 0, 0], [-2.0, 0, 0, 0], [0, 0, 0, 4.0]], dtype=np.float32)

IND3 = np.array([[0, 0, 1], [0, 2, 0], [1, 1, 1], [1, 2, 0]], dtype=np.int64)
VAL3 = np.array([1, 2, 3, 4], dtype=np.int32)
SHAPE3 = np.array([2, 3, 2], dtype=np.int64)


def densify(indices, values, shape):
    """Independent reference: a dense array summing values at their indices."""
    out = np.zeros(tuple(shape), dtype=values.dtype)
    for index, value in zip(indices, values):
        out[tuple(index)] += value
    return out


def sp(i, v, s):
    return SparseTensor(i, v, s)


def parts(st):
    return [st.indices, st.values, st.dense_shape]


B = np.arange(8, dtype=np.float32).reshape(4, 2) - 3.0

CASES = [
    # -- SparseToDense
    OpCase("SparseToDense", lambda i, v, s: fg.sparse_tensor_to_dense(sp(i, v, s)),
           [IND, VAL, SHAPE], expected=DENSE),
    OpCase("SparseToDense",
           lambda i, v, s, d: fg.sparse_tensor_to_dense(sp(i, v, s), default_value=d),
           [IND, VAL, SHAPE, np.float32(-1.0)],
           expected=np.where(DENSE == 0, np.float32(-1.0), DENSE), name="default_value"),
    OpCase("SparseToDense", lambda i, v, s: fg.sparse_tensor_to_dense(sp(i, v, s)),
           [IND3, VAL3, SHAPE3], expected=densify(IND3, VAL3, SHAPE3), name="rank3_int"),
    OpCase("SparseToDense", lambda i, v, s: fg.sparse_tensor_to_dense(sp(i, v, s)),
           [np.array([[0], [2]], dtype=np.int64), np.array([b"a", b"c"], dtype=object),
            np.array([4], dtype=np.int64)],
           expected=np.array([b"a", b"", b"c", b""], dtype=object), name="strings"),
    OpCase("SparseToDense", lambda i, v, s: fg.sparse_tensor_to_dense(sp(i, v, s)),
           [np.zeros((0, 2), np.int64), np.zeros((0,), np.float64),
            np.array([2, 3], np.int64)],
           expected=np.zeros((2, 3), np.float64), name="empty"),
    OpCase("SparseToDense",
           lambda i, s, v: fg.sparse_to_dense(i, s, v, default_value=7),
           [np.array([1, 3], dtype=np.int32), np.array([5], dtype=np.int32),
            np.int32(9)],
           expected=np.array([7, 9, 7, 9, 7], dtype=np.int32), name="vector_indices"),
    OpCase("SparseToDense",
           lambda i, s, v, d: fg.sparse_to_dense(i, s, v, default_value=d),
           [np.array([[0, 1], [2, 2]], dtype=np.int64), np.array([3, 3], dtype=np.int64),
            np.float32(2.5), np.float32(-1.0)],
           expected=np.array([[-1, 2.5, -1], [-1, -1, -1], [-1, -1, 2.5]], np.float32),
           name="scalar_value_float"),
    OpCase("SparseToDense",
           lambda i, s, v: fg.sparse_to_dense(i, s, v, default_value=0.5),
           [np.array([1, 3], dtype=np.int32), np.array([5], dtype=np.int32),
            np.array([2.0, -3.0], np.float64)],
           expected=np.array([0.5, 2.0, 0.5, -3.0, 0.5]), name="vector_indices_float"),
    OpCase("SparseToDense",
           lambda i, s, v: fg.sparse_to_dense(i, s, v, default_value=0.5),
           [np.array([0, 3], dtype=np.int64), np.int64(4), np.array([2.0, -3.0], np.float32)],
           expected=np.array([2.0, 0.5, 0.5, -3.0], np.float32), name="scalar_shape_float"),
    OpCase("SparseToDense",
           lambda i, s, v: fg.sparse_to_dense(i, s, v),
           [np.int64(2), np.array([3], dtype=np.int64), np.float32(4.0)],
           expected=np.array([0, 0, 4.0], np.float32), name="scalar_index"),
    # -- SparseTensorDenseMatMul (reference: the dense matrix times B)
    OpCase("SparseTensorDenseMatMul",
           lambda i, v, s, b: fg.sparse_tensor_dense_matmul(sp(i, v, s), b),
           [IND, VAL, SHAPE, B], expected=DENSE @ B),
    OpCase("SparseTensorDenseMatMul",
           lambda i, v, s, b: fg.sparse_tensor_dense_matmul(sp(i, v, s), b, adjoint_a=True,
                                                            adjoint_b=True),
           [IND, VAL, SHAPE, np.arange(6, dtype=np.float32).reshape(2, 3)],
           expected=DENSE.T @ np.arange(6, dtype=np.float32).reshape(2, 3).T,
           name="adjoints"),
    OpCase("SparseTensorDenseMatMul",
           lambda i, v, s, b: fg.sparse_tensor_dense_matmul(sp(i, v, s), b, adjoint_a=True),
           [IND, VAL, SHAPE, B[:3] * 0.5], expected=DENSE.T @ (B[:3] * 0.5),
           name="adjoint_a"),
    OpCase("SparseTensorDenseMatMul",
           lambda i, v, s, b: fg.sparse_tensor_dense_matmul(sp(i, v, s), b, adjoint_b=True),
           [IND, VAL, SHAPE, np.ascontiguousarray(B.T)], expected=DENSE @ B,
           name="adjoint_b"),
    OpCase("SparseTensorDenseMatMul",
           lambda i, v, s, b: fg.sparse_tensor_dense_matmul(sp(i, v, s), b),
           [np.array([[1, 2], [1, 2], [0, 0]], np.int64), np.array([2.0, -1.0, 3.0]),
            np.array([2, 3], np.int64), np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])],
           expected=np.array([[3.0, 6.0], [5.0, 6.0]]), name="repeated_index_float"),
    OpCase("SparseTensorDenseMatMul",
           lambda i, v, s, b: sparse_math.sparse_tensor_dense_matmul(sp(i, v, s), b),
           [np.array([[0, 0], [0, 0], [1, 2]], np.int64), np.array([2, 3, 5], np.int64),
            np.array([2, 3], np.int64), np.array([[1], [10], [100]], np.int64)],
           expected=np.array([[5], [500]], np.int64), name="repeated_index_int64"),
    # -- SparseReduceSum (reference: numpy sums of the dense tensor)
    OpCase("SparseReduceSum", lambda i, v, s: fg.sparse_reduce_sum(sp(i, v, s)),
           [IND3, VAL3, SHAPE3], expected=np.int32(10)),
    OpCase("SparseReduceSum", lambda i, v, s: fg.sparse_reduce_sum(sp(i, v, s), axis=1),
           [IND3, VAL3, SHAPE3], expected=densify(IND3, VAL3, SHAPE3).sum(axis=1),
           name="axis1"),
    OpCase("SparseReduceSum",
           lambda i, v, s: fg.sparse_reduce_sum(sp(i, v, s), axis=[-1, 0], keepdims=True),
           [IND3, VAL3, SHAPE3],
           expected=densify(IND3, VAL3, SHAPE3).sum(axis=(0, 2), keepdims=True),
           name="keepdims_negative"),
    OpCase("SparseReduceSum", lambda i, v, s: fg.sparse_reduce_sum(sp(i, v, s), 0),
           [IND, VAL, SHAPE], expected=DENSE.sum(axis=0), name="float"),
    OpCase("SparseReduceSum", lambda i, v, s: fg.sparse_reduce_sum(sp(i, v, s)),
           [IND3, VAL3.astype(np.float32), SHAPE3], expected=np.float32(10), name="all_float"),
    OpCase("SparseReduceSum",
           lambda i, v, s: fg.sparse_reduce_sum(sp(i, v, s), keepdims=True),
           [IND3, VAL3.astype(np.float64), SHAPE3], expected=np.full((1, 1, 1), 10.0),
           name="all_keepdims_float"),
    OpCase("SparseReduceSum", lambda i, v, s: fg.sparse_reduce_sum(sp(i, v, s), axis=1),
           [IND3, VAL3.astype(np.float32), SHAPE3],
           expected=densify(IND3, VAL3.astype(np.float32), SHAPE3).sum(axis=1),
           name="axis1_float"),
    OpCase("SparseReduceSum",
           lambda i, v, s: fg.sparse_reduce_sum(sp(i, v, s), axis=[-1, 0], keepdims=True),
           [IND3, VAL3.astype(np.float32), SHAPE3],
           expected=np.array([[[1.0], [3.0], [6.0]]], np.float32),
           name="keepdims_negative_float"),
    # -- SparseAdd: sorted output, repeated indices summed
    OpCase("SparseAdd",
           lambda i, v, s, w: parts(fg.sparse_add(sp(i, v, s), sp([[2, 3], [0, 0]], w, s))),
           [IND, VAL, SHAPE, np.array([1.0, 5.0], np.float32)],
           expected=[np.array([[0, 0], [0, 1], [1, 0], [2, 3]], np.int64),
                     np.array([5.0, 1.5, -2.0, 5.0], np.float32), np.array([3, 4], np.int64)]),
    OpCase("SparseAdd",
           lambda i, v, s, w: parts(fg.sparse_add(sp(i, v, s), sp(i, w, s), threshold=0.5)),
           [IND, VAL, SHAPE, np.array([-1.4, 2.0, 0.5], np.float32)],
           expected=[np.array([[2, 3]], np.int64), np.array([4.5], np.float32),
                     np.array([3, 4], np.int64)], name="some_dropped"),
    OpCase("SparseAdd",
           lambda i, v, s, j, w: parts(fg.sparse_add(sp(i, v, s), sp(j, w, s))),
           [np.array([[1, 1], [0, 2], [1, 1]], np.int64), np.array([1.0, 2.0, 3.0]),
            np.array([2, 3], np.int64), np.array([[1, 1], [0, 0]], np.int64),
            np.array([10.0, 20.0])],
           expected=[np.array([[0, 0], [0, 2], [1, 1]], np.int64),
                     np.array([20.0, 2.0, 14.0]), np.array([2, 3], np.int64)],
           name="repeated_unsorted"),
    OpCase("SparseAdd",
           lambda i, v, s: parts(fg.sparse_add(sp(i, v, s), sp(i, -v, s), threshold=0.5)),
           [IND, VAL, SHAPE],
           expected=[np.zeros((0, 2), np.int64), np.zeros((0,), np.float32),
                     np.array([3, 4], np.int64)], name="cancel_threshold"),
    # -- SparseTensorDenseAdd
    OpCase("SparseTensorDenseAdd",
           lambda i, v, s, d: fg.sparse_add(d, sp(i, v, s)),
           [IND, VAL, SHAPE, np.ones((3, 4), np.float32)], expected=DENSE + 1.0),
    OpCase("SparseTensorDenseAdd",
           lambda i, v, s, d: fg.sparse_add(sp(i, v, s), d),
           [np.array([[1, 0, 1], [0, 1, 0]], np.int64), np.array([2.0, -3.0]),
            np.array([2, 2, 2], np.int64), np.arange(8.0).reshape(2, 2, 2)],
           expected=np.arange(8.0).reshape(2, 2, 2) + np.array(
               [[[0, 0], [-3.0, 0]], [[0, 2.0], [0, 0]]]), name="rank3_float64"),
    # -- SparseReorder
    OpCase("SparseReorder", lambda i, v, s: parts(fg.sparse_reorder(sp(i, v, s)))[:2],
           [np.array([[2, 0], [0, 3], [0, 1]], np.int64), np.array([1, 2, 3], np.int32),
            np.array([3, 4], np.int64)],
           expected=[np.array([[0, 1], [0, 3], [2, 0]], np.int64),
                     np.array([3, 2, 1], np.int32)]),
    OpCase("SparseReorder", lambda i, v, s: parts(fg.sparse_reorder(sp(i, v, s)))[:2],
           [np.array([[1, 2], [0, 3], [1, 0], [0, 0]], np.int64),
            np.array([1.0, 2.0, 3.0, 4.0], np.float32), np.array([2, 4], np.int64)],
           expected=[np.array([[0, 0], [0, 3], [1, 0], [1, 2]], np.int64),
                     np.array([4.0, 2.0, 3.0, 1.0], np.float32)], name="float"),
    # -- SparseIndexPositions (SparseAdd's gradient): position in the sorted rows, or M
    OpCase("SparseIndexPositions",
           lambda i, m: apply_op(sparse_math.SparseIndexPositions(), [i, m]),
           [np.array([[1, 1], [0, 2], [1, 1], [3, 0], [0, 0]], np.int64),
            np.array([[0, 0], [0, 2], [1, 1], [2, 5]], np.int64)],
           expected=np.array([2, 1, 2, 4, 0], np.int64)),
    OpCase("SparseIndexPositions",
           lambda i, m: apply_op(sparse_math.SparseIndexPositions(), [i, m]),
           [np.array([[4], [1]], np.int32), np.zeros((0, 1), np.int64)],
           expected=np.array([0, 0], np.int64), name="none_sorted"),
    OpCase("SparseIndexPositions",
           lambda i, m: apply_op(sparse_math.SparseIndexPositions(), [i, m]),
           [np.zeros((0, 3), np.int64), np.array([[0, 1, 2]], np.int64)],
           expected=np.zeros((0,), np.int64), name="no_queries"),
]
