"""A small least-squares problem whose gradient is written out in numpy."""

import numpy as np

import flowgraph as fg

X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], dtype=np.float32)
T = np.array([[1.0], [0.0], [2.0]], dtype=np.float32)
W0 = np.array([[0.3], [-0.2]], dtype=np.float32)
B0 = np.array([0.1], dtype=np.float32)


def build(dtype=fg.float32):
    """loss = sum((X @ w + b - T)^2) with Variables w and b; returns (w, b, loss)."""
    np_dtype = dtype.np
    w = fg.Variable(W0.astype(np_dtype), name="w")
    b = fg.Variable(B0.astype(np_dtype), name="b")
    err = fg.matmul(fg.constant(X.astype(np_dtype)), w) + b - fg.constant(T.astype(np_dtype))
    return w, b, fg.reduce_sum(fg.square(err))


def grads(w, b):
    """d loss / d w and d loss / d b for `build`'s loss, in float64."""
    err = X.astype(np.float64) @ w + b - T
    return 2 * X.T.astype(np.float64) @ err, 2 * err.sum(axis=0)


def run_steps(optimizer, steps, dtype=fg.float32, **minimize_kwargs):
    """Runs `steps` training steps; returns the list of (w, b) values after each."""
    graph = fg.Graph()
    with graph.as_default():
        w, b, loss = build(dtype)
        train = optimizer.minimize(loss, **minimize_kwargs)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            values = []
            for _ in range(steps):
                sess.run(train)
                values.append(sess.run([w, b]))
    return values


def reference(update, steps, slots):
    """Runs a numpy optimizer: update(param, grad, slot_dict, t) -> new param."""
    params = [W0.astype(np.float64), B0.astype(np.float64)]
    states = [dict((k, v(p)) for k, v in slots.items()) for p in params]
    out = []
    for t in range(1, steps + 1):
        gs = grads(*params)
        params = [update(p, g, s, t) for p, g, s in zip(params, gs, states)]
        out.append([p.copy() for p in params])
    return out


def assert_close(got, want, rtol=1e-5, atol=1e-6):
    for step_got, step_want in zip(got, want, strict=True):
        for g, w in zip(step_got, step_want, strict=True):
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
