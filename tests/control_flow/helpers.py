"""Shared helpers of the control-flow tests."""

import numpy as np

import flowgraph as fg


def run(fetches, feed_dict=None, init=False, graph=None, config=None):
    """Runs `fetches` in a new Session of `graph` (default: the default graph)."""
    graph = graph if graph is not None else fg.get_default_graph()
    with fg.Session(graph=graph, config=config) as sess:
        if init:
            sess.run(fg.global_variables_initializer())
        return sess.run(fetches, feed_dict)


def numeric_gradient(sess, y, x, value, feeds=None, delta=1e-6):
    """Central finite differences of sum(y) with respect to placeholder `x` at `value`."""
    feeds = dict(feeds or {})
    value = np.array(value, dtype=np.float64)
    grad = np.zeros_like(value)
    flat = value.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + delta
        plus = _total(sess.run(y, {**feeds, x: value}))
        flat[i] = original - delta
        minus = _total(sess.run(y, {**feeds, x: value}))
        flat[i] = original
        grad.reshape(-1)[i] = (plus - minus) / (2 * delta)
    return grad


def _total(values):
    if isinstance(values, (list, tuple)):
        return sum(_total(v) for v in values)
    return float(np.sum(values))


def check_gradients(y, xs, values, feeds=None, rtol=1e-5, atol=1e-7):
    """fg.gradients(sum(y), xs) against finite differences, each x fed its value."""
    grads = fg.gradients(y, xs)
    assert all(g is not None for g in grads), grads
    feeds = dict(feeds or {})
    feeds.update(zip(xs, values))
    with fg.Session() as sess:
        symbolic = sess.run([fg.convert_to_tensor(g) for g in grads], feeds)
        for x, value, got in zip(xs, values, symbolic):
            others = {k: v for k, v in feeds.items() if k is not x}
            want = numeric_gradient(sess, y, x, value, others)
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol,
                                       err_msg=f"gradient for {x.name}")
    return symbolic
