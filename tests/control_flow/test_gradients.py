"""Gradients through cond, while_loop, TensorArrays, map_fn, scan and folds, checked against
finite differences in float64; second order through cond; recorded random values."""

import numpy as np

import flowgraph as fg
import flowgraph.control_flow as cf
from tests.control_flow.helpers import check_gradients, run

RNG = np.random.default_rng(3)
X = RNG.uniform(-1.0, 1.0, size=(3,))
W = RNG.uniform(-1.0, 1.0, size=(3, 3))


def holders(*shapes):
    return [fg.placeholder(fg.float64, shape) for shape in shapes]


def test_cond_gradient_in_both_branches():
    x, w = holders([3], [3, 3])
    p = fg.placeholder(fg.bool, [])
    y = cf.cond(p, lambda: fg.tanh(fg.matmul(fg.reshape(x, [1, 3]), w)) * x,
                lambda: fg.sin(x) * fg.reduce_sum(w))
    for taken in (True, False):
        check_gradients(y, [x, w], [X, W], feeds={p: taken})


def test_cond_gradient_of_an_input_one_branch_ignores_is_zero():
    x, w = holders([3], [3])
    p = fg.placeholder(fg.bool, [])
    y = cf.cond(p, lambda: x * 2.0, lambda: w * 3.0)
    gx, gw = fg.gradients(y, [x, w])
    got = run([gx, gw], {x: X, w: X, p: True})
    np.testing.assert_allclose(got[0], 2.0 * np.ones(3))
    np.testing.assert_allclose(got[1], np.zeros(3))


def test_second_order_through_cond():
    (x,) = holders([])
    y = cf.cond(x > 0, lambda: x * x * x, lambda: fg.sin(x))
    (g,) = fg.gradients(y, x)
    (h,) = fg.gradients(g, x)
    with fg.Session() as sess:
        assert np.isclose(sess.run(g, {x: 2.0}), 12.0)
        assert np.isclose(sess.run(h, {x: 2.0}), 12.0)  # 6x
        assert np.isclose(sess.run(h, {x: -0.5}), -np.sin(-0.5))
    hess = fg.hessians(cf.cond(x > 0, lambda: x * x, lambda: -x * x * x), x)[0]
    assert np.isclose(run(hess, {x: -2.0}), 12.0)


def test_second_order_through_nested_cond_with_captured_tensor():
    x, w = holders([], [])
    y = cf.cond(x > 0, lambda: cf.cond(w > 0, lambda: x * x * w, lambda: x), lambda: x * w)
    (g,) = fg.gradients(y, x)
    (gw,) = fg.gradients(g, w)
    assert np.isclose(run(gw, {x: 1.5, w: 2.0}), 3.0)  # d/dw (2xw) = 2x


def test_while_gradient_rnn_like_with_captured_weights():
    x, w = holders([3], [3, 3])

    def body(i, h):
        return i + 1, fg.tanh(fg.reshape(fg.matmul(fg.reshape(h, [1, 3]), w), [3]) + x)

    _, h = cf.while_loop(lambda i, h: i < 4, body, [0, x])
    check_gradients(h, [x, w], [X, W])


def test_while_gradient_with_run_time_trip_count():
    (x,) = holders([2])
    n = fg.placeholder(fg.int32, [])
    _, y = cf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * x + 1.0),
                         [0, fg.ones([2], fg.float64)])
    (g,) = fg.gradients(y, x)
    value = np.float64([0.5, 2.0])
    with fg.Session() as sess:
        for count, want in ((0, 0.0), (1, 1.0), (3, 3 * value ** 2 + 2 * value + 1)):
            np.testing.assert_allclose(sess.run(g, {x: value, n: count}),
                                       want * np.ones(2))


def test_nested_while_and_cond_in_while_gradients():
    x, w = holders([3], [3])

    def inner(j, a):
        return j + 1, a * w + fg.sin(a)

    def outer(i, s):
        _, s = cf.while_loop(lambda j, a: j < 2, inner, [0, s])
        s = cf.cond(fg.reduce_sum(s) > 0, lambda: s * 0.5, lambda: s * s)
        return i + 1, s

    _, s = cf.while_loop(lambda i, s: i < 3, outer, [0, x])
    check_gradients(s, [x, w], [X, X[::-1]])


def test_while_inside_cond_gradient():
    (x,) = holders([3])
    y = cf.cond(fg.reduce_sum(x) < 10.0,
                lambda: cf.while_loop(lambda v: fg.reduce_sum(v) < 10.0, lambda v: v * 1.5,
                                      [x]),
                lambda: x)
    check_gradients(y, [x], [np.float64([0.5, 1.0, 1.5])])


def test_gradient_through_maximum_iterations():
    (x,) = holders([])
    y = cf.while_loop(lambda v: True, lambda v: v * x, [fg.constant(1.0, fg.float64)],
                      maximum_iterations=4)
    (g,) = fg.gradients(y, x)
    assert np.isclose(run(g, {x: 1.5}), 4 * 1.5 ** 3)


def test_tensor_array_gradients():
    x, w = holders([4, 3], [3])
    ta = cf.TensorArray(fg.float64, size=4).unstack(x)
    other = cf.TensorArray(fg.float64, size=3).scatter([2, 0, 1], x[:3] * w)
    parts = cf.TensorArray(fg.float64, size=2, infer_shape=False).split(
        fg.reshape(x, [12]) * 2.0, [5, 7])
    y = [ta.read(1) * ta.read(1) * w, ta.gather([3, 0, 3]), other.stack(), parts.concat(),
         fg.reduce_sum(ta.stack() * w)]
    check_gradients(y, [x, w], [RNG.uniform(-1, 1, (4, 3)), X])


def test_functional_gradients():
    x, w = holders([4, 3], [3])
    mapped = cf.map_fn(lambda row: fg.tanh(row * w), x)
    scanned = cf.scan(lambda a, row: a * w + row, x)
    scanned_reverse = cf.scan(lambda a, row: fg.sin(a) + row * w, x, initializer=w,
                              reverse=True)
    folded_left = cf.foldl(lambda a, row: a * row + w, x)
    folded_right = cf.foldr(lambda a, row: a * row - w, x, initializer=w * 2.0)
    values = [RNG.uniform(-1, 1, (4, 3)), X]
    for y in (mapped, scanned, scanned_reverse, folded_left, folded_right):
        check_gradients(y, [x, w], values)


def test_compute_gradient_error_through_scan():
    x = fg.placeholder(fg.float64, [5])
    y = cf.scan(lambda a, e: a * 0.5 + e * e, x)
    with fg.Session().as_default():
        error = fg.test.compute_gradient_error(x, [5], y, [5], x_init_value=np.linspace(
            -1, 1, 5), delta=1e-6)
    assert error < 1e-6


def test_random_values_in_the_body_are_recorded_not_redrawn():
    (x,) = holders([6])
    fg.set_random_seed(5)

    def body(i, s, masks):
        mask = fg.cast(fg.random_uniform([6], dtype=fg.float64) < 0.5, fg.float64)
        return i + 1, s + x * mask, masks.write(i, mask)

    _, s, masks = cf.while_loop(lambda i, *_: i < 4, body,
                                [0, fg.zeros([6], fg.float64),
                                 cf.TensorArray(fg.float64, size=4)])
    (g,) = fg.gradients(fg.reduce_sum(s), x)
    with fg.Session() as sess:
        for _ in range(3):  # new draws each run; the gradient uses that run's draws
            grad, drawn = sess.run([g, masks.stack()], {x: np.ones(6)})
            np.testing.assert_allclose(grad, drawn.sum(0))


def test_dropout_in_a_cond_branch_is_recorded():
    (x,) = holders([8])
    p = fg.placeholder(fg.bool, [])
    fg.set_random_seed(2)
    mask_and_y = cf.cond(p, lambda: _dropped(x), lambda: (fg.ones_like(x), x))
    (g,) = fg.gradients(fg.reduce_sum(mask_and_y[1] * 3.0), x)
    with fg.Session() as sess:
        grad, mask = sess.run([g, mask_and_y[0]], {x: np.ones(8), p: True})
        np.testing.assert_allclose(grad, 3.0 * mask)


def _dropped(x):
    mask = fg.cast(fg.random_uniform([8], dtype=fg.float64) < 0.5, fg.float64)
    return mask, x * mask


def test_gradient_of_a_variable_read_in_a_loop_and_training():
    w = fg.Variable(np.float64([0.5, -0.3]), name="w")
    x = fg.placeholder(fg.float64, [2])

    def body(i, h):
        return i + 1, fg.tanh(h * w + x)  # `w` is read when the body runs

    _, h = cf.while_loop(lambda i, h: i < 3, body, [0, fg.zeros([2], fg.float64)])
    loss = fg.reduce_sum(fg.square(h - 0.25))
    (g,) = fg.gradients(loss, w)
    train = fg.train.GradientDescentOptimizer(0.5).minimize(loss)
    # The same model unrolled, as the reference.
    h_ref = fg.zeros([2], fg.float64)
    for _ in range(3):
        h_ref = fg.tanh(h_ref * w + x)
    loss_ref = fg.reduce_sum(fg.square(h_ref - 0.25))
    (g_ref,) = fg.gradients(loss_ref, w)
    feed = {x: [0.3, 0.7]}
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        got, want = sess.run([g, g_ref], feed)
        np.testing.assert_allclose(got, want, rtol=1e-12)
        first = sess.run(loss, feed)
        for _ in range(20):
            sess.run(train, feed)
        assert sess.run(loss, feed) < 0.5 * first


def test_second_order_through_while_loop_is_refused_clearly():
    import pytest
    (x,) = holders([])
    y = cf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * x), [0, x])[1]
    (g,) = fg.gradients(y, x)
    with pytest.raises(LookupError, match="Second-order gradients through a while_loop"):
        fg.gradients(g, x)


def test_dropout_through_a_cond_inside_a_loop_uses_the_forward_draws():
    (x,) = holders([5])
    training = fg.placeholder(fg.bool, [])
    fg.set_random_seed(9)

    def body(i, s, masks):
        def dropped():
            mask = fg.cast(fg.random_uniform([5], dtype=fg.float64) < 0.5, fg.float64)
            return mask, x * mask

        mask, y = cf.cond(training, dropped, lambda: (fg.ones_like(x), x))
        return i + 1, s + y * fg.cast(i + 1, fg.float64), masks.write(i, mask)

    _, s, masks = cf.while_loop(lambda i, *_: i < 3, body,
                                [0, fg.zeros([5], fg.float64),
                                 cf.TensorArray(fg.float64, size=3)])
    (g,) = fg.gradients(fg.reduce_sum(s), x)
    with fg.Session() as sess:
        for _ in range(3):
            grad, drawn = sess.run([g, masks.stack()], {x: np.ones(5), training: True})
            np.testing.assert_allclose(grad, (drawn * [[1.0], [2.0], [3.0]]).sum(0))
        grad = sess.run(g, {x: np.ones(5), training: False})
        np.testing.assert_allclose(grad, 6.0 * np.ones(5))
