"""Cases for SparseReduceSumSparse / SparseReduceMaxSparse (flowgraph.ops.sparse_extra);
expected values are hand-computed (and equal TF 2.21 compat.v1's for the same inputs)."""

import numpy as np

from flowgraph.ops.sparse_extra import sparse_reduce_max_sparse, sparse_reduce_sum_sparse
from flowgraph.sparse_tensor import SparseTensor
from tests.ops.harness import OpCase

IND = np.array([[0, 0], [0, 2], [1, 1], [2, 3]], np.int64)
VAL = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
SHAPE = np.array([3, 4], np.int64)
IND3 = np.array([[0, 0, 1], [0, 2, 0], [1, 1, 1], [1, 2, 0]], np.int64)
VAL3 = np.array([1, 2, 3, 4], np.int32)
SHAPE3 = np.array([2, 3, 2], np.int64)


def parts(st):
    return [st.indices, st.values, st.dense_shape]


def sp(i, v, s):
    return SparseTensor(i, v, s)


CASES = [
    OpCase("SparseReduceSumSparse",
           lambda i, v, s: parts(sparse_reduce_sum_sparse(sp(i, v, s), 1)), [IND, VAL, SHAPE],
           expected=[np.array([[0], [1], [2]], np.int64), np.float32([3, 3, 4]),
                     np.int64([3])], grad=False),
    OpCase("SparseReduceSumSparse",
           lambda i, v, s: parts(sparse_reduce_sum_sparse(sp(i, v, s), 1, keepdims=True)),
           [IND, VAL, SHAPE],
           expected=[np.array([[0, 0], [1, 0], [2, 0]], np.int64), np.float32([3, 3, 4]),
                     np.int64([3, 1])], name="keepdims", grad=False),
    OpCase("SparseReduceSumSparse",
           lambda i, v, s: parts(sparse_reduce_sum_sparse(sp(i, v, s))), [IND, VAL, SHAPE],
           expected=[np.zeros((1, 0), np.int64), np.float32([10]), np.zeros(0, np.int64)],
           name="all", grad=False),
    OpCase("SparseReduceSumSparse",
           lambda i, v, s: parts(sparse_reduce_sum_sparse(sp(i, v, s), [1])),
           [IND3, VAL3, SHAPE3],
           expected=[np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.int64),
                     np.int32([2, 1, 4, 3]), np.int64([2, 2])], name="rank3_int", grad=False),
    OpCase("SparseReduceSumSparse",
           lambda i, v, s: parts(sparse_reduce_sum_sparse(sp(i, v, s), 0)),
           [np.array([[1, 0], [0, 0]], np.int64), np.float32([1.5, -1.5]), np.int64([2, 2])],
           expected=[np.array([[0]], np.int64), np.float32([0]), np.int64([2])],
           name="zero_sum_kept", grad=False),
    OpCase("SparseReduceMaxSparse",
           lambda i, v, s: parts(sparse_reduce_max_sparse(sp(i, v, s), 0)), [IND, VAL, SHAPE],
           expected=[np.array([[0], [1], [2], [3]], np.int64), np.float32([1, 3, 2, 4]),
                     np.int64([4])], grad=False),
    OpCase("SparseReduceMaxSparse",
           lambda i, v, s: parts(sparse_reduce_max_sparse(sp(i, v, s), 2, keepdims=True)),
           [IND3, VAL3, SHAPE3],
           expected=[np.array([[0, 0, 0], [0, 2, 0], [1, 1, 0], [1, 2, 0]], np.int64),
                     np.int32([1, 2, 3, 4]), np.int64([2, 3, 1])], name="keepdims_int",
           grad=False),
    OpCase("SparseReduceMaxSparse",
           lambda i, v, s: parts(sparse_reduce_max_sparse(sp(i, v, s), 1)),
           [np.array([[0, 0], [0, 1]], np.int64), np.float32([-3, -5]), np.int64([2, 4])],
           expected=[np.array([[0]], np.int64), np.float32([-3]), np.int64([2])],
           name="negatives_ignore_implicit_zeros", grad=False),
]
