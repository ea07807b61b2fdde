"""Gradients of the sparse ops (TF1's sparse_grad.py): values and dense operands get
gradients, indices and shapes none; second order; IndexedSlices arriving as output
gradients; the dynamic-rank path of SparseReduceSum; SparseAdd's index matching."""

from __future__ import annotations

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.sparse_math import SparseIndexPositions

IND = np.array([[0, 1], [1, 0], [2, 3], [2, 0]], dtype=np.int64)
VAL = np.array([1.5, -2.0, 4.0, 0.5])
SHAPE = np.array([3, 4], dtype=np.int64)
W = np.arange(12.0).reshape(3, 4) / 10.0 - 0.3


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


@pytest.fixture(autouse=True)
def _fresh_graph():
    with fg.Graph().as_default():
        yield


def test_sparse_to_dense_values_and_default_gradients():
    v = fg.placeholder(fg.float64, [4])
    d = fg.placeholder(fg.float64, [])
    # validate_indices off: IND is not in row-major order.
    dense = fg.sparse_to_dense(IND, SHAPE, v, default_value=d, validate_indices=False)
    g_v, g_d = fg.gradients(dense, [v, d], grad_ys=fg.constant(W))
    got_v, got_d = _run([g_v, g_d], {v: VAL, d: -1.0})
    np.testing.assert_allclose(got_v, [W[0, 1], W[1, 0], W[2, 3], W[2, 0]])
    # The default value fills the 8 other cells.
    assert got_d == pytest.approx(W.sum() - got_v.sum())


def test_sparse_to_dense_vector_indices_with_unknown_shapes():
    indices = fg.placeholder(fg.int64, None)
    shape = fg.placeholder(fg.int64, None)
    v = fg.placeholder(fg.float64, None)
    dense = fg.sparse_to_dense(indices, shape, v, default_value=0.25)
    (g,) = fg.gradients(dense, [v], grad_ys=fg.constant(np.array([1.0, 2.0, 3.0, 4.0])))
    for shape_value in (np.int64(4), np.array([4], np.int64)):
        feeds = {indices: np.array([3, 1], np.int64), shape: shape_value, v: [5.0, 6.0]}
        np.testing.assert_allclose(_run(g, feeds), [4.0, 2.0])
        feeds[v] = 5.0  # one value for every index: the gradient is summed back
        np.testing.assert_allclose(_run(g, feeds), 6.0)


def test_no_gradient_for_indices_or_shape():
    indices = fg.placeholder(fg.int64, [4, 2])
    shape = fg.placeholder(fg.int64, [2])
    v = fg.placeholder(fg.float64, [4])
    sp = fg.SparseTensor(indices, v, shape)
    y = fg.reduce_sum(fg.sparse_reduce_sum(sp, axis=0))
    assert fg.gradients(y, [indices, shape]) == [None, None]


def test_gradient_through_indexed_slices_output_gradient():
    v = fg.placeholder(fg.float64, [4])
    dense = fg.sparse_to_dense(IND, SHAPE, v, validate_indices=False)
    rows = fg.gather(dense, [2, 0, 2])  # the gradient reaching `dense` is an IndexedSlices
    (g,) = fg.gradients(rows, [v], grad_ys=fg.constant(np.ones((3, 4))))
    got = _run(g, {v: VAL})
    np.testing.assert_allclose(got, [1.0, 0.0, 2.0, 2.0])  # row 2 taken twice


def test_sparse_dense_matmul_gradient_by_hand():
    v = fg.placeholder(fg.float64, [4])
    b = fg.placeholder(fg.float64, [4, 2])
    b_value = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
    dy = np.array([[1.0, -1.0], [0.5, 2.0], [3.0, 0.0]])
    y = fg.sparse_tensor_dense_matmul(fg.SparseTensor(IND, v, SHAPE), b)
    g_v, g_b = fg.gradients(y, [v, b], grad_ys=fg.constant(dy))
    got_v, got_b = _run([g_v, g_b], {v: VAL, b: b_value})
    dense_a = np.zeros((3, 4))
    dense_a[tuple(IND.T)] = VAL
    np.testing.assert_allclose(got_b, dense_a.T @ dy)
    want_v = [dy[r] @ b_value[k] for r, k in IND]
    np.testing.assert_allclose(got_v, want_v)


def test_sparse_dense_matmul_second_order():
    # gB = d/dB sum(W2 * (A(v) B)) = A^T W2; h = sum(C * gB) gives dh/dv_i = W2[r_i] . C[k_i].
    v = fg.placeholder(fg.float64, [4])
    b = fg.placeholder(fg.float64, [4, 2])
    w2 = np.array([[1.0, 2.0], [-1.0, 0.5], [0.25, 3.0]])
    c = np.array([[0.5, 1.0], [2.0, -1.0], [1.5, 0.0], [-2.0, 1.0]])
    y = fg.sparse_tensor_dense_matmul(fg.SparseTensor(IND, v, SHAPE), b)
    (g_b,) = fg.gradients(y, [b], grad_ys=fg.constant(w2))
    h = fg.reduce_sum(g_b * fg.constant(c))
    (g_v,) = fg.gradients(h, [v])
    got = _run(g_v, {v: VAL, b: np.ones((4, 2))})
    np.testing.assert_allclose(got, [w2[r] @ c[k] for r, k in IND])


def test_sparse_to_dense_hessian():
    # f = sum(dense(v)^2) + d^2 * (cells left to the default): d2f/dv2 = 2 I.
    v = fg.placeholder(fg.float64, [4])
    dense = fg.sparse_to_dense(IND, SHAPE, v, validate_indices=False)
    (hess,) = fg.hessians(fg.reduce_sum(dense * dense), [v])
    np.testing.assert_allclose(_run(hess, {v: VAL}), 2.0 * np.eye(4))


def test_sparse_reduce_sum_with_unknown_rank():
    indices = fg.placeholder(fg.int64, None)
    v = fg.placeholder(fg.float64, [None])
    shape = fg.placeholder(fg.int64, None)
    ind3 = np.array([[0, 0, 1], [0, 2, 0], [1, 1, 1], [1, 2, 0]], np.int64)
    shape3 = np.array([2, 3, 2], np.int64)
    sp = fg.SparseTensor(indices, v, shape)
    for axis, keepdims in (([-1], False), ([0, 2], True), (None, False)):
        y = fg.sparse_reduce_sum(sp, axis=axis, keepdims=keepdims)
        out = _run(y, {indices: ind3, v: np.ones(4), shape: shape3})
        weights = np.arange(1.0, out.size + 1).reshape(out.shape)
        (g,) = fg.gradients(y, [v], grad_ys=fg.constant(weights))
        got = _run(g, {indices: ind3, v: np.ones(4), shape: shape3})
        if axis is None:
            want = np.full(4, weights)
        else:
            kept = [i for i in range(3) if i not in {a % 3 for a in axis}]
            flat = weights.reshape([shape3[i] for i in kept])
            want = np.array([flat[tuple(row[kept])] for row in ind3])
        np.testing.assert_allclose(got, want, err_msg=f"axis={axis}")


def test_sparse_add_routes_gradients_and_drops_below_threshold():
    a = fg.placeholder(fg.float64, [3])
    b = fg.placeholder(fg.float64, [2])
    total = fg.sparse_add(fg.SparseTensor([[0, 0], [1, 1], [0, 2]], a, [2, 3]),
                          fg.SparseTensor([[1, 1], [0, 2]], b, [2, 3]), threshold=0.5)
    values = _run(total.values, {a: [1.0, 2.0, 0.3], b: [3.0, -0.1]})
    np.testing.assert_allclose(values, [1.0, 5.0])  # [0, 2] sums to 0.2 and is dropped
    g_a, g_b = fg.gradients(total.values, [a, b], grad_ys=fg.constant(np.array([10.0, 20.0])))
    got_a, got_b = _run([g_a, g_b], {a: [1.0, 2.0, 0.3], b: [3.0, -0.1]})
    np.testing.assert_allclose(got_a, [10.0, 20.0, 0.0])
    np.testing.assert_allclose(got_b, [20.0, 0.0])


def test_sparse_tensor_dense_add_gradients():
    v = fg.placeholder(fg.float64, [4])
    d = fg.placeholder(fg.float64, [3, 4])
    y = fg.sparse_add(d, fg.SparseTensor(IND, v, SHAPE))
    g_v, g_d = fg.gradients(y, [v, d], grad_ys=fg.constant(W))
    got_v, got_d = _run([g_v, g_d], {v: VAL, d: np.zeros((3, 4))})
    np.testing.assert_allclose(got_v, [W[0, 1], W[1, 0], W[2, 3], W[2, 0]])
    np.testing.assert_allclose(got_d, W)


def test_sparse_reorder_permutes_the_gradient_back():
    v = fg.placeholder(fg.float64, [4])
    ordered = fg.sparse_reorder(fg.SparseTensor(IND, v, SHAPE))
    # Row-major order of IND: [0,1], [1,0], [2,0], [2,3] = entries 0, 1, 3, 2.
    np.testing.assert_allclose(_run(ordered.values, {v: VAL}), VAL[[0, 1, 3, 2]])
    (g,) = fg.gradients(ordered.values, [v], grad_ys=fg.constant(np.array([1.0, 2.0, 3.0, 4.0])))
    np.testing.assert_allclose(_run(g, {v: VAL}), [1.0, 2.0, 4.0, 3.0])


def test_sparse_reorder_then_to_dense_trains_the_values():
    v = fg.Variable(np.zeros(4), dtype=fg.float64)
    dense = fg.sparse_tensor_to_dense(fg.sparse_reorder(fg.SparseTensor(IND, v, SHAPE)))
    loss = fg.reduce_sum((dense - 1.0) ** 2)
    (g,) = fg.gradients(loss, [v])
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_allclose(sess.run(g), np.full(4, -2.0))


def _positions_by_search(indices, sorted_indices):
    rows = [tuple(r) for r in sorted_indices]
    return np.array([rows.index(tuple(r)) if tuple(r) in rows else len(rows)
                     for r in indices], dtype=np.int64)


def test_sparse_index_positions_against_a_linear_search():
    rng = np.random.default_rng(0)
    for _ in range(20):
        rank = int(rng.integers(1, 4))
        pool = rng.integers(0, 3, size=(12, rank))
        sorted_rows = np.unique(pool[: int(rng.integers(0, 12))], axis=0).reshape(-1, rank)
        queries = rng.integers(0, 3, size=(int(rng.integers(0, 9)), rank))
        got = SparseIndexPositions().kernel(queries, sorted_rows)
        np.testing.assert_array_equal(got, _positions_by_search(queries, sorted_rows))
