"""Second- and third-order derivatives through the pooling gradient ops (MaxPoolGrad <->
MaxPoolGradGrad, AvgPoolGrad -> AvgPool, SumPoolGrad -> SumPool), against loops."""

import numpy as np

import flowgraph as fg
from tests.ops.cases.pool import _windows, loop_max_grad, loop_max_grad_grad, loop_pool

X = np.random.default_rng(21).permutation(2 * 5 * 5 * 2).reshape(2, 5, 5, 2) * 0.1


def run(fetches):
    with fg.Session() as sess:
        return sess.run(fetches)


def _first_max_counts(x, ksize, strides, padding):
    """How many windows have their first maximum at each cell."""
    counts = np.zeros(x.shape)
    for _, cells in _windows(x.shape, ksize, strides, padding):
        for b in range(x.shape[0]):
            for c in range(x.shape[-1]):
                first = cells[int(np.argmax([x[(b,) + cell + (c,)] for cell in cells]))]
                counts[(b,) + first + (c,)] += 1
    return counts


def _inverse_counts(shape, ksize, strides, padding):
    """sum over the windows holding each cell of 1 / (real cells of the window)."""
    out = np.zeros(shape)
    for _, cells in _windows(shape, ksize, strides, padding):
        for cell in cells:
            out[(slice(None),) + cell + (slice(None),)] += 1.0 / len(cells)
    return out


def test_max_pool_second_derivative():
    x = fg.constant(X)
    (g,) = fg.gradients(fg.reduce_sum(fg.square(fg.nn.max_pool(x, 3, 2, "SAME"))), x)
    (h,) = fg.gradients(g, x)
    y = loop_pool(X, [3, 3], [2, 2], "SAME", "max")
    got_g, got_h = run([g, h])
    np.testing.assert_allclose(got_g, loop_max_grad(X, 2 * y, [3, 3], [2, 2], "SAME"))
    np.testing.assert_allclose(got_h, 2 * _first_max_counts(X, [3, 3], [2, 2], "SAME"))
    assert any(op.type == "MaxPoolGradGrad" for op in h.graph.get_operations())


def test_avg_pool_second_derivative():
    x = fg.constant(X)
    (g,) = fg.gradients(fg.reduce_sum(fg.square(fg.nn.avg_pool(x, 3, 2, "SAME"))), x)
    (h,) = fg.gradients(g, x)
    np.testing.assert_allclose(run(h), 2 * _inverse_counts(X.shape, [3, 3], [2, 2], "SAME"),
                               rtol=1e-12)


def test_sum_pool_second_derivative():
    x = fg.constant(X)
    y = fg.nn.pool(x, [2, 2], "SUM", "SAME")
    (g,) = fg.gradients(fg.reduce_sum(fg.square(y)), x)
    (h,) = fg.gradients(g, x)
    counts = np.zeros(X.shape)
    for _, cells in _windows(X.shape, [2, 2], [1, 1], "SAME"):
        for cell in cells:
            counts[(slice(None),) + cell + (slice(None),)] += len(cells)
    np.testing.assert_allclose(run(h), 2 * counts)


def test_third_order_through_max_pool_grad_grad():
    x = fg.constant(X)
    y = fg.nn.max_pool(x, 2, 2, "VALID")
    dy = fg.constant(np.ones((2, 2, 2, 2)))
    (g,) = fg.gradients(y, x, grad_ys=dy)  # MaxPoolGrad
    w = np.random.default_rng(1).normal(size=X.shape)
    (gg,) = fg.gradients(fg.reduce_sum(g * w), dy)  # MaxPoolGradGrad: w at the maxima
    v = np.random.default_rng(2).normal(size=(2, 2, 2, 2))
    w_t = fg.constant(w)
    (ggg,) = fg.gradients(fg.reduce_sum(
        fg.gradients(fg.reduce_sum(g * w_t), dy)[0] * v), w_t)  # MaxPoolGrad again
    got = run([gg, ggg])
    np.testing.assert_allclose(got[0], loop_max_grad_grad(X, w, [2, 2], [2, 2], "VALID"))
    np.testing.assert_allclose(got[1], loop_max_grad(X, v, [2, 2], [2, 2], "VALID"))


def test_avg_pool_grad_gradient_is_avg_pool():
    x = fg.constant(X)
    dy = fg.constant(np.ones((2, 3, 3, 2)))
    (g,) = fg.gradients(fg.nn.avg_pool(x, 2, 2, "SAME"), x, grad_ys=dy)
    w = np.random.default_rng(3).normal(size=X.shape)
    (gg,) = fg.gradients(fg.reduce_sum(g * w), dy)
    np.testing.assert_allclose(run(gg), loop_pool(w, [2, 2], [2, 2], "SAME", "avg"))


def test_hessian_of_non_overlapping_max_pool_is_diagonal():
    value = np.array([[1.0, 4.0], [3.0, 2.0]]).reshape(1, 2, 2, 1)
    x = fg.constant(value)
    (hess,) = fg.hessians(fg.reduce_sum(fg.square(fg.nn.max_pool(x, 2, 2, "VALID"))), x)
    h = run(hess).reshape(4, 4)
    np.testing.assert_array_equal(h, np.diag([0.0, 2.0, 0.0, 0.0]))
