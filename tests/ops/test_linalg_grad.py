"""Gradients of matmul (every transpose combination, as TF1: two matmuls with transpose
flags), batch matmul with broadcast batch axes, trace, matrix_transpose, tensordot and einsum,
with second derivatives."""

import numpy as np
import pytest

import flowgraph as fg

RNG = np.random.default_rng(3)


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_gradient_is_two_matmuls_with_flags(transpose_a, transpose_b):
    a_value = RNG.standard_normal((2, 3))
    b_value = RNG.standard_normal((3, 4))
    w = RNG.standard_normal((2, 4))
    graph = fg.Graph()
    with graph.as_default():
        a = fg.placeholder(fg.float64, [None, None])
        b = fg.placeholder(fg.float64, [None, None])
        dy = fg.placeholder(fg.float64, [None, None])
        y = fg.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        ga, gb = fg.gradients(y, [a, b], grad_ys=dy)
        grad_ops = [op for op in graph.get_operations() if op.name.startswith("gradients/")
                    and "grad_ys" not in op.name]
        assert [op.type for op in grad_ops] == ["MatMul", "MatMul"]
        feeds = {a: a_value.T if transpose_a else a_value,
                 b: b_value.T if transpose_b else b_value, dy: w}
        got_a, got_b = _run([ga, gb], feeds)
    want_a, want_b = w @ b_value.T, a_value.T @ w
    np.testing.assert_allclose(got_a, want_a.T if transpose_a else want_a, rtol=1e-12)
    np.testing.assert_allclose(got_b, want_b.T if transpose_b else want_b, rtol=1e-12)


def test_matmul_gradient_shapes_are_static():
    x = fg.placeholder(fg.float32, [None, 784])
    w = fg.placeholder(fg.float32, [784, 10])
    gx, gw = fg.gradients(fg.matmul(x, w), [x, w])
    assert gx.shape.as_list() == [None, 784]
    assert gw.shape.as_list() == [784, 10]


def test_batch_matmul_sums_the_broadcast_batch_axes():
    p = RNG.standard_normal((1, 3, 2, 4))
    q = RNG.standard_normal((5, 1, 4, 3))
    w = RNG.standard_normal((5, 3, 2, 3))
    x, y = fg.constant(p), fg.constant(q)
    gx, gy = fg.gradients(fg.matmul(x, y), [x, y], grad_ys=[w])
    assert gx.shape.as_list() == [1, 3, 2, 4] and gy.shape.as_list() == [5, 1, 4, 3]
    got_x, got_y = _run([gx, gy])
    q_t = np.swapaxes(q, -1, -2)
    np.testing.assert_allclose(got_x, np.sum(w @ q_t, axis=0, keepdims=True), rtol=1e-10)
    np.testing.assert_allclose(got_y, np.sum(np.swapaxes(p, -1, -2) @ w, axis=1,
                                             keepdims=True), rtol=1e-10)


def test_batch_matmul_rank3_by_rank2():
    x = fg.placeholder(fg.float64, [None, 2, 3])
    m = fg.placeholder(fg.float64, [3, 2])
    (gm,) = fg.gradients(fg.matmul(x, m), m)
    xv = RNG.standard_normal((4, 2, 3))
    got = _run(gm, {x: xv, m: np.zeros((3, 2))})
    np.testing.assert_allclose(got, np.einsum("bij,bik->jk", xv, np.ones((4, 2, 2))),
                               rtol=1e-12)


def test_trace_of_square_hessian():
    # trace(X @ X) = sum_ij X_ij X_ji: gradient 2 X^T, Hessian 2 delta_il delta_jk
    xv = RNG.standard_normal((2, 2))
    x = fg.constant(xv)
    y = fg.trace(fg.matmul(x, x))
    (g,) = fg.gradients(y, x)
    (h,) = fg.hessians(y, x)
    got_g, got_h = _run([g, h])
    np.testing.assert_allclose(got_g, 2 * xv.T, rtol=1e-12)
    want = 2 * np.einsum("il,jk->ijkl", np.eye(2), np.eye(2))
    np.testing.assert_allclose(got_h, want, atol=1e-12)


def test_trace_gradient_of_unknown_shape_batch():
    x = fg.placeholder(fg.float32)
    (g,) = fg.gradients(fg.trace(x), x)
    got = _run(g, {x: np.zeros((2, 2, 3), np.float32)})
    np.testing.assert_array_equal(got, np.broadcast_to(np.eye(2, 3), (2, 2, 3)))


def test_matrix_transpose_gradient():
    x = fg.placeholder(fg.float64, [2, 3])
    w = np.arange(6.0).reshape(3, 2)
    (g,) = fg.gradients(fg.matrix_transpose(x), x, grad_ys=[w])
    np.testing.assert_array_equal(_run(g, {x: np.zeros((2, 3))}), w.T)


def test_quadratic_forms_hessian():
    a = RNG.standard_normal((3, 3))
    x = fg.constant(RNG.standard_normal(3))
    forms = [fg.tensordot(x, fg.tensordot(a, x, 1), 1),
             fg.einsum("i,ij,j->", x, fg.constant(a), x)]
    hessians = [fg.hessians(f, x)[0] for f in forms]
    for got in _run(hessians):
        np.testing.assert_allclose(got, a + a.T, rtol=1e-10)


def test_tensordot_gradient_with_unknown_rank_is_a_clear_error():
    a = fg.placeholder(fg.float32)
    b = fg.placeholder(fg.float32, [3, 2])
    with pytest.raises(ValueError, match="ranks of its inputs"):
        fg.gradients(fg.tensordot(a, b, 1), a)


def test_einsum_diagonal_gradient():
    x = fg.placeholder(fg.float64, [3, 3])
    (g,) = fg.gradients(fg.einsum("ii->i", x), x, grad_ys=[np.array([1.0, 2.0, 3.0])])
    np.testing.assert_array_equal(_run(g, {x: np.zeros((3, 3))}), np.diag([1.0, 2.0, 3.0]))


def test_einsum_gradient_with_unknown_sizes():
    x = fg.placeholder(fg.float64, [None, None])
    (g,) = fg.gradients(fg.einsum("ij->i", x), x, grad_ys=[np.array([1.0, 2.0])])
    np.testing.assert_array_equal(_run(g, {x: np.zeros((2, 3))}), [[1, 1, 1], [2, 2, 2]])
    (g2,) = fg.gradients(fg.einsum("ii->", x), x)
    np.testing.assert_array_equal(_run(g2, {x: np.zeros((2, 2))}), np.eye(2))


def test_gradients_arriving_as_indexed_slices_are_densified():
    # gather's gradient is an IndexedSlices; the matmul and sort rules take it as dense
    a = fg.constant(np.arange(6.0).reshape(2, 3))
    b = fg.constant(np.ones((3, 4)))
    rows = fg.gather(fg.matmul(a, b), [1, 1])
    picked = fg.gather(fg.sort(fg.matmul(a, b), direction="DESCENDING"), [0])
    ga, gb = fg.gradients(rows, [a, b])
    (gs,) = fg.gradients(picked, a)
    got_a, got_b, got_s = _run([ga, gb, gs])
    np.testing.assert_array_equal(got_a, [[0, 0, 0], [8, 8, 8]])
    np.testing.assert_array_equal(got_b, np.repeat([[6.0], [8.0], [10.0]], 4, axis=1))
    np.testing.assert_array_equal(got_s, [[4, 4, 4], [0, 0, 0]])
