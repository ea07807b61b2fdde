"""fg.GradientTape in graph mode (TF 1.15's tape with eager execution off).

Reference values were checked against TensorFlow (tf.compat.v1, eager execution off,
resource variables) and are hard-coded; derivatives are also checked against hand-computed
formulas and finite differences.
"""

import numpy as np
import pytest

import flowgraph as fg


@pytest.fixture(autouse=True)
def fresh_graph():
    with fg.Graph().as_default() as graph:
        yield graph


def run(*fetches):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(list(fetches))


def test_watched_tensor_matches_hand_derivative():
    x = fg.constant(1.3, dtype=fg.float64)
    with fg.GradientTape() as tape:
        tape.watch(x)
        y = x * x * x + fg.sin(x)
    (g,) = run(tape.gradient(y, x))
    assert g == pytest.approx(3 * 1.3 ** 2 + np.cos(1.3), rel=1e-12)


def test_unwatched_tensor_gets_none_or_zeros():
    x = fg.constant(3.0)
    with fg.GradientTape(persistent=True) as tape:
        y = x * x
    assert tape.gradient(y, x) is None
    (z,) = run(tape.gradient(y, x, unconnected_gradients=fg.UnconnectedGradients.ZERO))
    assert z == 0.0
    (z,) = run(tape.gradient(y, x, unconnected_gradients="zero"))
    assert z == 0.0


def test_trainable_variables_read_inside_are_watched():
    # TF: watched ['Variable:0', 'Variable_1:0']; grads 12 / [None, None, 21, None].
    x = fg.constant(3.0)
    v = fg.Variable(2.0)
    rv = fg.Variable(5.0)
    nt = fg.Variable(7.0, trainable=False)
    with fg.GradientTape(persistent=True) as tape:
        y = v * v * x
        z = rv * x * nt
    assert [w.name for w in tape.watched_variables()] == ["Variable:0", "Variable_1:0"]
    gy = tape.gradient(y, [v, x, rv])
    assert gy[1] is None and gy[2] is None
    gz = tape.gradient(z, [v, x, rv, nt])
    assert gz[0] is None and gz[1] is None and gz[3] is None
    assert run(gy[0], gz[2]) == [12.0, 21.0]


def test_watch_accessed_variables_false():
    v = fg.Variable(2.0)
    with fg.GradientTape(watch_accessed_variables=False, persistent=True) as tape:
        c = v * 2.0
    assert tape.watched_variables() == ()
    assert tape.gradient(c, v) is None
    with fg.GradientTape(watch_accessed_variables=False) as tape2:
        tape2.watch(v)
        d = v * v * 4.0
    assert tape2.watched_variables() == (v,)
    assert run(tape2.gradient(d, v)) == [16.0]


def test_op_created_outside_blocks_the_gradient():
    # TF: d(outside * v)/dv = 9, d/dx = None (x * x was built before the tape).
    x = fg.constant(3.0)
    v = fg.Variable(2.0)
    outside = x * x
    with fg.GradientTape() as tape:
        tape.watch(x)
        w = outside * v
    gv, gx = tape.gradient(w, [v, x])
    assert gx is None
    assert run(gv) == [9.0]


def test_target_created_outside_gets_no_gradient():
    x = fg.constant(3.0)
    with fg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    outside = y * 2.0  # not recorded
    assert tape.gradient(outside, x) is None
    assert run(tape.gradient(y, x)) == [6.0]


def test_watched_tensor_made_outside_is_a_source():
    # TF: [3.0, None]
    x = fg.constant(3.0)
    outside = x * x
    with fg.GradientTape() as tape:
        tape.watch(outside)
        b = outside * 3.0
    g_outside, g_x = tape.gradient(b, [outside, x])
    assert g_x is None
    assert run(g_outside) == [3.0]


def test_stop_recording():
    # TF: q = (x * v built under stop_recording) * v: dq/dv = 6, dq/dx = None.
    x = fg.constant(3.0)
    v = fg.Variable(2.0)
    with fg.GradientTape() as tape:
        tape.watch(x)
        with tape.stop_recording():
            s = x * v
        q = s * v
    gv, gx = tape.gradient(q, [v, x])
    assert gx is None
    assert run(gv) == [6.0]
    with pytest.raises(RuntimeError, match="not recording"):
        with tape.stop_recording():
            pass


def test_non_persistent_tape_allows_one_call():
    x = fg.constant(3.0)
    with fg.GradientTape() as tape:
        tape.watch(x)
        y = x * x * 2.0
        g = tape.gradient(y, x)  # inside the block: allowed, recording stops
    assert run(g) == [12.0]
    with pytest.raises(RuntimeError,
                       match="GradientTape.gradient can only be called once on non-persistent"):
        tape.gradient(y, x)


def test_persistent_tape_and_second_order():
    # TF: g = d/dx sum([x, x^2, x^3]) = 1 + 2x + 3x^2 = 34 at 3; dg/dx = 2 + 6x = 20.
    x = fg.constant(3.0)
    with fg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        m = fg.stack([x, x * x, x * x * x])
        g = tape.gradient(m, x)
    (g2,) = tape.gradient(g, [x])
    assert run(g, g2, tape.gradient(m, x)) == [34.0, 20.0, 34.0]


def test_nested_tapes_second_derivative():
    x = fg.constant(0.7, dtype=fg.float64)
    with fg.GradientTape() as outer:
        outer.watch(x)
        with fg.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x * x
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    got = run(dy, d2y)
    assert got[0] == pytest.approx(4 * 0.7 ** 3, rel=1e-12)
    assert got[1] == pytest.approx(12 * 0.7 ** 2, rel=1e-12)


def test_reset():
    # TF: after reset, the earlier op is forgotten: [None], then 5.0.
    x = fg.constant(3.0)
    with fg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        d = x * x
        tape.reset()
        tape.watch(x)
        e = x * 5.0
    assert tape.gradient(d, x) is None
    assert run(tape.gradient(e, x)) == [5.0]
    with pytest.raises(ValueError, match="Tape is not recording"):
        tape.reset()


def test_output_gradients_and_structures():
    # TF: output_gradients [3, 5] on p * p at [1, 2] gives [6, 20].
    p = fg.constant([1.0, 2.0])
    q = fg.constant(4.0)
    with fg.GradientTape() as tape:
        tape.watch([p, q])
        o = p * p
        r = q * 2.0
    grads = tape.gradient([o, r], {"p": p, "q": q},
                          output_gradients=[fg.constant([3.0, 5.0]), fg.constant(10.0)])
    assert set(grads) == {"p", "q"}
    got_p, got_q = run(grads["p"], grads["q"])
    np.testing.assert_array_equal(got_p, [6.0, 20.0])
    assert got_q == 20.0


def test_finite_differences_through_a_variable():
    a = np.array([[0.3, -1.2, 0.5], [0.8, 0.1, -0.4]])
    w0 = np.array([0.2, -0.7, 1.1])
    w = fg.Variable(w0, dtype=fg.float64)
    with fg.GradientTape() as tape:
        h = fg.tanh(fg.matmul(fg.constant(a), fg.reshape(w, [3, 1])))
        loss = fg.reduce_sum(h * h) + fg.reduce_sum(w * w * w)
    (g,) = run(tape.gradient(loss, w))

    def f(wv):
        hv = np.tanh(a @ wv)
        return np.sum(hv * hv) + np.sum(wv ** 3)

    eps = 1e-6
    fd = np.array([(f(w0 + eps * e) - f(w0 - eps * e)) / (2 * eps) for e in np.eye(3)])
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-9)


def _sin_rowsum_jacobian(xv):
    s = xv.sum(axis=1)
    n, m = xv.shape
    jac = np.zeros((n, m, n, m))
    for i in range(n):
        for j in range(m):
            jac[i, j, i, :] = np.sin(xv[i, j])
            jac[i, j, i, j] += np.cos(xv[i, j]) * s[i]
    return jac


def test_jacobian_and_batch_jacobian():
    xv = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    xx = fg.constant(xv)
    with fg.GradientTape(persistent=True) as tape:
        tape.watch(xx)
        yy = fg.sin(xx) * fg.reduce_sum(xx, axis=1, keepdims=True)
    jac = tape.jacobian(yy, xx)
    bjac = tape.batch_jacobian(yy, xx)
    assert jac.shape.as_list() == [3, 2, 3, 2]
    assert bjac.shape.as_list() == [3, 2, 2]
    got_j, got_b = run(jac, bjac)
    expected = _sin_rowsum_jacobian(xv)
    np.testing.assert_allclose(got_j, expected, rtol=1e-12)
    np.testing.assert_allclose(got_b, np.stack([expected[i, :, i, :] for i in range(3)]),
                               rtol=1e-12)
    # TF (float32) for the first row of the batch jacobian.
    np.testing.assert_allclose(got_b[0], [[2.4623777866, 0.8414709568],
                                          [0.9092974067, -0.3391430974]], rtol=1e-6)


def test_jacobian_several_sources_and_unconnected():
    p = fg.constant([1.0, 2.0])
    q = fg.constant(3.0)
    v = fg.Variable(1.0)
    with fg.GradientTape(persistent=True) as tape:
        tape.watch([p, q])
        o = p * p * q
    jp, jq = tape.jacobian(o, [p, q])
    assert tape.jacobian(o, v) is None
    zeros = tape.jacobian(o, v, unconnected_gradients=fg.UnconnectedGradients.ZERO)
    got_p, got_q, got_z = run(jp, jq, zeros)
    np.testing.assert_allclose(got_p, np.diag([2 * 1.0 * 3.0, 2 * 2.0 * 3.0]))
    np.testing.assert_allclose(got_q, [1.0, 4.0])
    np.testing.assert_array_equal(got_z, [0.0, 0.0])


def test_batch_jacobian_shape_mismatch():
    xx = fg.constant(np.ones((3, 2), np.float32))
    p = fg.constant([1.0, 2.0])
    with fg.GradientTape() as tape:
        tape.watch(xx)
        o = xx * 2.0
    with pytest.raises(ValueError, match="first dimension of target shape"):
        tape.batch_jacobian(o, p)


def test_bad_source_and_bad_watch():
    x = fg.constant(1.0)
    with fg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * 2.0
        with pytest.raises(ValueError, match="Tensors or Variables"):
            tape.watch("x")
    with pytest.raises(ValueError, match="Tensors or Variables"):
        tape.gradient(y, [1.0])
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, x, unconnected_gradients="maybe")


def test_control_flow_inside_the_tape():
    # z = 2 * x^3 (while_loop then cond): dz/dx = 6 x^2.
    x = fg.constant(1.5)
    with fg.GradientTape() as tape:
        tape.watch(x)
        _, y = fg.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x),
                             [0, fg.constant(1.0)])
        z = fg.cond(x > 1.0, lambda: y * 2.0, lambda: y)
    assert run(tape.gradient(z, x)) == [pytest.approx(6 * 1.5 ** 2, rel=1e-6)]


def test_persistent_gradient_inside_block_warns_once(caplog):
    x = fg.constant(2.0)
    with fg.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        with caplog.at_level("WARNING", logger="flowgraph"):
            tape.gradient(y, x)
            tape.gradient(y, x)
    assert sum("persistent tape inside its context" in r.message for r in caplog.records) == 1
