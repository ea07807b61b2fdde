"""The MLP's first training steps match a hand-written numpy MLP (float64, to 1e-10)."""

import numpy as np

import flowgraph as fg

SIZES = (784, 64, 32, 10)
BATCH = 16
LEARNING_RATE = 0.1


def _problem():
    rng = np.random.default_rng(3)
    (x_train, y_train), _ = fg.datasets.mnist.load_embedded(flatten=True, normalize=True)
    batches = [(x_train[i * BATCH:(i + 1) * BATCH].astype(np.float64),
                y_train[i * BATCH:(i + 1) * BATCH].astype(np.int64)) for i in range(10)]
    params = [(rng.normal(0, 0.1, (a, b)), rng.normal(0, 0.1, b))
              for a, b in zip(SIZES[:-1], SIZES[1:])]
    return batches, params


def _numpy_step(params, x, y):
    """Forward, softmax cross-entropy (mean), backward and SGD, written out by hand."""
    acts, pre = [x], []
    h = x
    for i, (w, b) in enumerate(params):
        z = h @ w + b
        pre.append(z)
        h = np.maximum(z, 0.0) if i < len(params) - 1 else z
        acts.append(h)
    shifted = h - h.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
    delta = probs.copy()
    delta[np.arange(len(y)), y] -= 1.0
    delta /= len(y)
    new = list(params)
    for i in range(len(params) - 1, -1, -1):
        w, b = params[i]
        dw, db = acts[i].T @ delta, delta.sum(axis=0)
        if i > 0:
            delta = (delta @ w.T) * (pre[i - 1] > 0)
        new[i] = (w - LEARNING_RATE * dw, b - LEARNING_RATE * db)
    return new, loss


def test_first_ten_sgd_steps_match_numpy():
    batches, params = _problem()
    x = fg.placeholder(fg.float64, [None, SIZES[0]])
    y = fg.placeholder(fg.int64, [None])
    variables = []
    h = x
    for i, (w, b) in enumerate(params):
        wv = fg.Variable(w, name=f"w{i}")
        bv = fg.Variable(b, name=f"b{i}")
        variables += [wv, bv]
        h = fg.nn.bias_add(fg.matmul(h, wv), bv)
        if i < len(params) - 1:
            h = fg.nn.relu(h)
    loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=h))
    train = fg.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
    reference = params
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        for xb, yb in batches:
            _, got_loss = sess.run([train, loss], {x: xb, y: yb})
            reference, want_loss = _numpy_step(reference, xb, yb)
            assert abs(got_loss - want_loss) < 1e-10
            got = sess.run(variables)
            want = [a for pair in reference for a in pair]
            for g, w in zip(got, want):
                np.testing.assert_allclose(g, w, rtol=0, atol=1e-10)
