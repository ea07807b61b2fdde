"""The cheaper while loop iteration (benchmark W6): loop variables nobody reads are not
computed (flowgraph.runtime.passes.dead_loop_vars), a backward loop drops the recorded
values it has read (flowgraph.runtime.passes.consumed_recordings), a loop's condition
and body run through one generated call (flowgraph.runtime.function), Variable reads are
inlined in the straight-line plan (flowgraph.runtime.compiler). Results must not change:
values are checked against numpy references and finite differences."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.control_flow as cf
from flowgraph.runtime.config import ConfigProto, RewriterConfig
from tests.control_flow.helpers import check_gradients

RNG = np.random.default_rng(61)
W = RNG.standard_normal((3, 3)) * 0.5
X = RNG.standard_normal((4, 2, 3))
H0 = RNG.standard_normal((2, 3))
WEIGHT = RNG.standard_normal((2, 3))


def _numpy_rnn(x, h0, w):
    hs = []
    h = h0
    for x_t in x:
        h = np.tanh(h @ w + x_t)
        hs.append(h)
    return hs


def _rnn_graph():
    x = fg.placeholder(fg.float64, [4, 2, 3])
    h0 = fg.placeholder(fg.float64, [2, 3])
    ta = cf.TensorArray(fg.float64, size=4)

    def body(t, h, out):
        h = fg.tanh(fg.matmul(h, fg.constant(W)) + x[t])
        return t + 1, h, out.write(t, h)

    _, h, out = cf.while_loop(lambda t, h, out: t < 4, body, [0, h0, ta])
    return x, h0, h, out


def _pass_counts(sess, name):
    return [plan.pass_counts.get(name, 0) for plan in sess._plans.values()]


def test_unread_tensor_array_is_not_written_and_fetching_it_still_works():
    x, h0, h, out = _rnn_graph()
    want = _numpy_rnn(X, H0, W)
    with fg.Session() as sess:
        got_h = sess.run(h, {x: X, h0: H0})
        assert _pass_counts(sess, "dead_loop_vars") == [1]  # the TensorArray
        np.testing.assert_allclose(got_h, want[-1], rtol=1e-12)
        got_all, got_h2 = sess.run([out.stack(), h], {x: X, h0: H0})
        np.testing.assert_allclose(got_all, np.stack(want), rtol=1e-12)
        np.testing.assert_allclose(got_h2, want[-1], rtol=1e-12)
        assert sorted(_pass_counts(sess, "dead_loop_vars")) == [0, 1]


def test_gradient_with_unread_outputs_matches_finite_differences():
    x, h0, h, _ = _rnn_graph()
    loss = fg.reduce_sum(h * h)
    check_gradients(loss, [h0, x], [H0, X])


def test_backward_loop_drops_the_recording_it_alone_reads():
    x, h0, h, _ = _rnn_graph()
    loss = fg.reduce_sum(h * fg.constant(WEIGHT))
    dh0, dx = fg.gradients(loss, [h0, x])
    with fg.Session() as sess:
        got_dh0, got_dx = sess.run([dh0, dx], {x: X, h0: H0})
        assert max(_pass_counts(sess, "consumed_recordings")) == 1
        # Run again: every run records afresh.
        again = sess.run(dx, {x: X, h0: H0})
    want_dh0, want_dx = _numpy_rnn_grads(X, H0, W, WEIGHT)
    np.testing.assert_allclose(got_dh0, want_dh0, rtol=1e-10)
    np.testing.assert_allclose(got_dx, want_dx, rtol=1e-10)
    np.testing.assert_allclose(again, want_dx, rtol=1e-10)


def _numpy_rnn_grads(x, h0, w, weight):
    """d/dh0 and d/dx of sum(h_T * weight), backpropagated through time by hand."""
    hs = [h0] + _numpy_rnn(x, h0, w)
    dh = weight.copy()
    dx = np.zeros_like(x)
    for t in range(len(x) - 1, -1, -1):
        dz = dh * (1 - hs[t + 1] ** 2)
        dx[t] = dz
        dh = dz @ w.T
    return dh, dx


def test_two_gradients_reading_one_recording_are_both_right():
    # Two backward loops read the same recording in one run: neither may drop entries.
    x, h0, h, _ = _rnn_graph()
    (dx1,) = fg.gradients(fg.reduce_sum(h * fg.constant(WEIGHT)), [x])
    (dx2,) = fg.gradients(fg.reduce_sum(h), [x])
    with fg.Session() as sess:
        got1, got2 = sess.run([dx1, dx2], {x: X, h0: H0})
        assert max(_pass_counts(sess, "consumed_recordings")) == 0
    np.testing.assert_allclose(got1, _numpy_rnn_grads(X, H0, W, WEIGHT)[1], rtol=1e-10)
    np.testing.assert_allclose(got2, _numpy_rnn_grads(X, H0, W, np.ones((2, 3)))[1],
                               rtol=1e-10)


def test_gradient_and_final_value_of_a_fetched_loop_stay_right():
    # The forward loop's outputs are fetched besides the gradient: nothing is dead there.
    x, h0, h, out = _rnn_graph()
    (dx,) = fg.gradients(fg.reduce_sum(h * fg.constant(WEIGHT)), [x])
    with fg.Session() as sess:
        got_all, got_dx = sess.run([out.stack(), dx], {x: X, h0: H0})
    np.testing.assert_allclose(got_all, np.stack(_numpy_rnn(X, H0, W)), rtol=1e-12)
    np.testing.assert_allclose(got_dx, _numpy_rnn_grads(X, H0, W, WEIGHT)[1], rtol=1e-10)


def test_chain_of_unread_variables_is_dropped_and_can_be_fetched():
    # c reads d, d reads itself; b is independent: c and d are dead when only b is fetched.
    b0 = fg.placeholder(fg.float64, [2])

    def body(i, b, c, d):
        return i + 1, b * 3.0, c + d, d * 2.0

    _, b, c, d = cf.while_loop(lambda i, b, c, d: i < 3, body,
                               [0, b0, fg.constant([1.0, 1.0], fg.float64),
                                fg.constant([0.5, -1.0], fg.float64)])
    with fg.Session() as sess:
        got_b = sess.run(b, {b0: [1.0, 2.0]})
        assert _pass_counts(sess, "dead_loop_vars") == [2]
        got_c = sess.run(c, {b0: [1.0, 2.0]})
        assert sorted(_pass_counts(sess, "dead_loop_vars")) == [1, 2]  # d feeds c
    np.testing.assert_array_equal(got_b, [27.0, 54.0])
    # c = 1 + d0 * (1 + 2 + 4)
    np.testing.assert_array_equal(got_c, [1.0 + 0.5 * 7, 1.0 - 7.0])


def test_unread_variable_read_by_the_condition_is_kept():
    def body(i, a, b):
        return i + 1, a * 2.0, b + 1.0

    _, _, b = cf.while_loop(lambda i, a, b: a < 20.0, body,
                            [0, fg.constant(1.0, fg.float64), fg.constant(0.0, fg.float64)])
    with fg.Session() as sess:
        assert sess.run(b) == 5.0  # a: 1, 2, 4, 8, 16 pass the test, 32 stops
        assert _pass_counts(sess, "dead_loop_vars") == [1]  # i only (a decides the end)


def test_unread_flag_that_is_the_condition_itself_is_kept():
    # The condition returns its placeholder as is (as an imported ONNX Loop does).
    def body(go, x, n):
        return x < 10.0, x * 2.0, n + 1

    _, x, n = cf.while_loop(lambda go, x, n: go, body,
                            [fg.constant(True), fg.constant(1.0, fg.float64), 0])
    with fg.Session() as sess:
        assert sess.run(n) == 5  # x: 1, 2, 4, 8 continue; 16 stops after the 5th
        assert sess.run(x) == 32.0


def test_unread_variable_feeding_a_stateful_op_is_kept():
    v = fg.Variable(0.0, dtype=fg.float64)

    def body(i, a, b):
        a = a * 2.0
        with fg.control_dependencies([v.assign_add(fg.reduce_sum(a))]):
            b = b + 1.0
        return i + 1, a, b

    _, _, b = cf.while_loop(lambda i, a, b: i < 3, body,
                            [0, fg.constant([1.0, 3.0], fg.float64),
                             fg.constant(0.0, fg.float64)])
    with fg.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(b) == 3.0
        # sum(a) after each iteration: 8, 16, 32
        assert sess.run(v) == 56.0


def test_unread_variable_without_the_pass_is_computed_alike():
    x, h0, h, out = _rnn_graph()
    config = ConfigProto()
    config.graph_options.rewrite_options.dependency_optimization = RewriterConfig.OFF
    with fg.Session(config=config) as sess:
        got = sess.run(h, {x: X, h0: H0})
        assert _pass_counts(sess, "dead_loop_vars") == [0]
    np.testing.assert_allclose(got, _numpy_rnn(X, H0, W)[-1], rtol=1e-12)


def test_variable_read_in_a_loop_body_sees_assignments_and_reports_uninitialized():
    v = fg.Variable([1.0, 2.0], dtype=fg.float64)

    def body(i, total):
        return i + 1, total + v * fg.cast(i, fg.float64)

    _, total = cf.while_loop(lambda i, t: i < 4, body, [0, fg.zeros([2], fg.float64)])
    with fg.Session() as sess:
        with pytest.raises(fg.errors.FailedPreconditionError, match="uninitialized"):
            sess.run(total)
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(total), [6.0, 12.0])  # v * (0+1+2+3)
        sess.run(v.assign([-1.0, 0.5]))
        np.testing.assert_array_equal(sess.run(total), [-6.0, 3.0])


def test_error_in_a_loop_body_names_the_node():
    ta = cf.TensorArray(fg.float64, size=2).unstack(fg.constant([1.0, 2.0], fg.float64))

    def body(i, total):
        return i + 1, total + ta.read(i)

    _, total = cf.while_loop(lambda i, t: i < 3, body, [0, fg.constant(0.0, fg.float64)])
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError,
                           match="(?s)Tried to read from index 2.*TensorArrayReadV3"):
            sess.run(total)


def _numpy_lstm_loss(x, kernel, bias, dense):
    """sum(h_T * dense) of a BasicLSTMCell (forget bias 1) over x [batch, time, depth]."""
    units = kernel.shape[1] // 4
    h = np.zeros((x.shape[0], units))
    c = np.zeros_like(h)

    def sigmoid(v):
        return 1.0 / (1.0 + np.exp(-v))

    for t in range(x.shape[1]):
        z = np.concatenate([x[:, t], h], axis=1) @ kernel + bias
        i, j, f, o = np.split(z, 4, axis=1)
        c = c * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * sigmoid(o)
    return float(np.sum(h * dense))


def _finite_differences(fn, value, delta=1e-6):
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        plus, minus = value.copy(), value.copy()
        plus[index] += delta
        minus[index] -= delta
        grad[index] = (fn(plus) - fn(minus)) / (2 * delta)
    return grad


def test_dynamic_rnn_lstm_gradients_match_finite_differences_of_numpy():
    batch, steps, depth, units = 2, 5, 3, 4
    rng = np.random.default_rng(6)
    x_value = rng.standard_normal((batch, steps, depth))
    kernel0 = rng.standard_normal((depth + units, 4 * units)) * 0.4
    bias0 = rng.standard_normal(4 * units) * 0.1
    dense = rng.standard_normal((batch, units))
    x = fg.placeholder(fg.float64, [batch, steps, depth])
    cell = fg.nn.rnn_cell.BasicLSTMCell(units)
    outputs, state = fg.nn.dynamic_rnn(cell, x, dtype=fg.float64)
    loss = fg.reduce_sum(state.h * fg.constant(dense))
    kernel, bias = cell.weights
    grads = fg.gradients(loss, [kernel, bias])
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run([kernel.assign(kernel0), bias.assign(bias0)])
        got_loss, got_dk, got_db = sess.run([loss] + grads, {x: x_value})
        assert max(_pass_counts(sess, "dead_loop_vars")) == 1  # the outputs' TensorArray
        assert max(_pass_counts(sess, "consumed_recordings")) == 1
        got_outputs = sess.run(outputs, {x: x_value})
    assert got_loss == pytest.approx(_numpy_lstm_loss(x_value, kernel0, bias0, dense),
                                     rel=1e-12)
    want_dk = _finite_differences(lambda k: _numpy_lstm_loss(x_value, k, bias0, dense),
                                  kernel0)
    want_db = _finite_differences(lambda b: _numpy_lstm_loss(x_value, kernel0, b, dense),
                                  bias0)
    np.testing.assert_allclose(got_dk, want_dk, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(got_db, want_db, rtol=1e-6, atol=1e-9)
    # The outputs, fetched, are every step's h (the last one is the final state's).
    assert got_outputs.shape == (batch, steps, units)
    assert np.sum(got_outputs[:, -1] * dense) == pytest.approx(got_loss, rel=1e-12)
