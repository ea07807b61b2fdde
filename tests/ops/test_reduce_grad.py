"""Gradients of the reductions, top_k and sort: TF1's semantics (ties, zeros), the ops they
build on the hot path, static shapes, and second derivatives."""

import numpy as np
import pytest

import flowgraph as fg


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


def _grad_op_types(graph) -> list:
    return sorted(op.type for op in graph.get_operations()
                  if op.name.startswith("gradients/") and "grad_ys" not in op.name)


# --------------------------------------------------------------------------- hot path
@pytest.mark.parametrize("reduce, grad_type", [(fg.reduce_sum, "SumGrad"),
                                               (fg.reduce_mean, "MeanGrad")])
def test_sum_and_mean_gradients_are_one_kernel(reduce, grad_type):
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, 3])
        (g,) = fg.gradients(reduce(x, 1), x)
        # the batch size is only known when run: one Shape node feeds the expanding kernel
        assert _grad_op_types(graph) == sorted(["Shape", grad_type])
        assert g.shape.as_list() == [None, 3]
        value = _run(g, {x: np.ones((2, 3), np.float32)})
    want = 1.0 if grad_type == "SumGrad" else 1.0 / 3.0
    np.testing.assert_allclose(value, np.full((2, 3), want, np.float32))
    assert value.dtype == np.float32


def test_sum_gradient_with_known_shape_has_no_shape_node():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float64, [2, 3])
        (g,) = fg.gradients(fg.reduce_mean(x), x)
        types = _grad_op_types(graph)
        assert types.count("MeanGrad") == 1 and "Shape" not in types
        np.testing.assert_allclose(_run(g, {x: np.zeros((2, 3))}), np.full((2, 3), 1 / 6))


def test_sum_gradient_keeps_the_weights_of_each_row():
    x = fg.placeholder(fg.float32, [2, 3])
    y = fg.reduce_sum(x, -1, keepdims=True)
    (g,) = fg.gradients(y, x, grad_ys=[np.array([[2.0], [-1.0]])])
    np.testing.assert_array_equal(_run(g, {x: np.zeros((2, 3))}),
                                  [[2, 2, 2], [-1, -1, -1]])


def test_mean_gradient_of_unknown_rank_input():
    x = fg.placeholder(fg.float64)
    (g,) = fg.gradients(fg.reduce_mean(x, [0, -1]), x)
    np.testing.assert_allclose(_run(g, {x: np.ones((2, 3, 4))}), np.full((2, 3, 4), 1 / 8))


# --------------------------------------------------------------------------- TF1 semantics
def test_max_splits_the_gradient_among_ties():
    x = fg.constant([[1.0, 3.0, 3.0], [5.0, 5.0, 5.0], [0.0, -1.0, 2.0]])
    (g,) = fg.gradients(fg.reduce_max(x, 1), x)
    np.testing.assert_allclose(_run(g), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3], [0, 0, 1]])


def test_min_over_all_axes_with_ties():
    x = fg.constant([[2.0, -1.0], [-1.0, 4.0]])
    (g,) = fg.gradients(fg.reduce_min(x), x)
    np.testing.assert_allclose(_run(g), [[0, 0.5], [0.5, 0]])


def test_prod_gradient_with_zeros_needs_no_division():
    x = fg.constant([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    (g,) = fg.gradients(fg.reduce_prod(x, 1), x)
    np.testing.assert_array_equal(_run(g), [[6, 0, 0], [0, 0, 0], [8, 4, 2]])


def test_prod_gradient_over_all_axes_and_no_axes():
    x = fg.constant([[1.0, 2.0], [3.0, 4.0]])
    (g_all,) = fg.gradients(fg.reduce_prod(x), x)
    (g_none,) = fg.gradients(fg.reduce_prod(x, []), x)
    got_all, got_none = _run([g_all, g_none])
    np.testing.assert_array_equal(got_all, [[24, 12], [8, 6]])
    np.testing.assert_array_equal(got_none, np.ones((2, 2)))


def test_logsumexp_gradient_is_softmax():
    x = fg.constant([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]], fg.float64)
    (g,) = fg.gradients(fg.reduce_logsumexp(x, 1), x)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(_run(g), [e / e.sum(), [1 / 3] * 3], rtol=1e-12)


def test_integer_reduction_gives_no_gradient():
    x = fg.placeholder(fg.float32, [3])
    y = fg.reduce_sum(fg.cast(x, fg.int32))
    assert fg.gradients(fg.cast(y, fg.float32), x) == [None]


def test_argmax_passes_no_gradient():
    x = fg.placeholder(fg.float32, [3])
    assert fg.gradients(fg.cast(fg.argmax(x, 0), fg.float32), x) == [None]
    (g,) = fg.gradients(fg.cast(fg.argmax(x, 0), fg.float32) * x, x)
    np.testing.assert_array_equal(_run(g, {x: [1.0, 5.0, 2.0]}), [1.0, 1.0, 1.0])


# --------------------------------------------------------------------------- second order
def test_logsumexp_hessian():
    xv = np.array([0.5, -1.0, 2.0])
    x = fg.constant(xv)
    (h,) = fg.hessians(fg.reduce_logsumexp(x), x)
    p = np.exp(xv) / np.exp(xv).sum()
    np.testing.assert_allclose(_run(h), np.diag(p) - np.outer(p, p), rtol=1e-10, atol=1e-12)


def test_prod_hessian():
    xv = np.array([2.0, 3.0, 5.0])
    x = fg.constant(xv)
    (h,) = fg.hessians(fg.reduce_prod(x), x)
    # d2/dxi dxj prod = product of the third element (i != j), 0 on the diagonal
    np.testing.assert_allclose(_run(h), [[0, 5, 3], [5, 0, 2], [3, 2, 0]])


def test_mean_squared_second_derivative():
    x = fg.constant([[1.0, 2.0], [3.0, 6.0]], fg.float64)
    (g,) = fg.gradients(fg.square(fg.reduce_mean(x)), x)   # 2 * mean / 4 everywhere
    (gg,) = fg.gradients(g, x)                               # sum over 4 of 2 / 16
    got_g, got_gg = _run([g, gg])
    np.testing.assert_allclose(got_g, np.full((2, 2), 2 * 3.0 / 4))
    np.testing.assert_allclose(got_gg, np.full((2, 2), 4 * 2 / 16))


def test_gradient_of_sum_gradient_weights():
    # d/du of sum(c * dsum/dx) with dsum/dx = SumGrad(u): the sum of c over the reduced axis
    u = fg.placeholder(fg.float64, [2])
    x = fg.placeholder(fg.float64, [2, 3])
    (g,) = fg.gradients(fg.reduce_sum(x, 1), x, grad_ys=u)
    c = np.arange(6.0).reshape(2, 3)
    (gu,) = fg.gradients(fg.reduce_sum(g * c), u)
    np.testing.assert_allclose(_run(gu, {u: [1.0, 1.0], x: np.zeros((2, 3))}), [3.0, 12.0])


# --------------------------------------------------------------------------- top_k / sort
def test_top_k_gradient_goes_back_to_the_picked_positions():
    x = fg.placeholder(fg.float32, [None, 4])
    values, _ = fg.top_k(x, 2)
    (g,) = fg.gradients(values, x, grad_ys=[np.array([[1.0, 2.0], [3.0, 4.0]])])
    assert g.shape.as_list() == [2, 4]  # the batch size comes from the values' gradient
    got = _run(g, {x: [[3.0, 5.0, 4.0, 1.0], [2.0, 0.0, 7.0, 9.0]]})
    np.testing.assert_array_equal(got, [[0, 1, 2, 0], [0, 0, 4, 3]])


def test_top_k_second_order_gathers_at_the_indices():
    x = fg.placeholder(fg.float64, [2, 3])
    u = fg.placeholder(fg.float64, [2, 2])
    values, _ = fg.top_k(x, 2)
    (g,) = fg.gradients(values, x, grad_ys=u)
    c = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (gu,) = fg.gradients(fg.reduce_sum(g * c), u)
    got = _run(gu, {x: [[0.0, 2.0, 1.0], [9.0, 7.0, 8.0]], u: np.ones((2, 2))})
    np.testing.assert_array_equal(got, [[2, 3], [4, 6]])


def test_sort_gradient_follows_the_permutation():
    x = fg.placeholder(fg.float64, [3, 2])
    y = fg.sort(x, axis=0, direction="DESCENDING")
    w = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    (g,) = fg.gradients(y, x, grad_ys=[w])
    got = _run(g, {x: [[0.5, 9.0], [7.0, -1.0], [2.0, 4.0]]})
    # column 0 sorts to rows [1, 2, 0]; column 1 to rows [0, 2, 1]
    np.testing.assert_array_equal(got, [[3, 10], [1, 30], [2, 20]])
