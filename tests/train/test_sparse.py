"""IndexedSlices gradients (gather, embedding lookups): only the touched rows change."""

import numpy as np
import pytest

import flowgraph as fg

E0 = np.arange(10, dtype=np.float32).reshape(5, 2) / 10.0
IDS = np.array([3, 1, 3], dtype=np.int32)  # row 3 twice, rows 0, 2, 4 untouched
COEF = np.array([[1.0, -1.0], [0.5, 2.0], [-1.5, 1.0]], dtype=np.float32)


def sparse_grad(e):
    """d/d e of sum(COEF * gather(e, IDS)): COEF's rows added at IDS (duplicates summed)."""
    g = np.zeros_like(e, dtype=np.float64)
    np.add.at(g, IDS, COEF)
    return g


def build(optimizer, steps, ids=IDS):
    graph = fg.Graph()
    with graph.as_default():
        e = fg.Variable(E0, name="emb")
        ids_t = fg.placeholder(fg.int32, [None])
        loss = fg.reduce_sum(fg.gather(e, ids_t) * fg.constant(COEF))
        (grad, _), = optimizer.compute_gradients(loss, var_list=[e])
        assert isinstance(grad, fg.IndexedSlices)
        train = optimizer.apply_gradients([(grad, e)])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            values = []
            for _ in range(steps):
                sess.run(train, {ids_t: ids})
                values.append(sess.run(e))
            slots = {n: sess.run(optimizer.get_slot(e, n)) for n in optimizer.get_slot_names()}
    return values, slots


def dense_reference(update, steps, slots):
    e = E0.astype(np.float64)
    state = {k: v(e) for k, v in slots.items()}
    touched = np.isin(np.arange(5), IDS)
    out = []
    for _ in range(steps):
        new = update(e, sparse_grad(e), state)
        e = np.where(touched[:, None], new, e)
        out.append(e.copy())
    return out, state


CASES = {
    "gd": (lambda: fg.train.GradientDescentOptimizer(0.1),
           lambda e, g, s: e - 0.1 * g, {}),
    "momentum": (lambda: fg.train.MomentumOptimizer(0.1, 0.9),
                 lambda e, g, s: e - 0.1 * _set(s, "a", 0.9 * s["a"] + g), {"a": np.zeros_like}),
    "adagrad": (lambda: fg.train.AdagradOptimizer(0.1),
                lambda e, g, s: e - 0.1 * g / np.sqrt(_set(s, "acc", s["acc"] + g * g)),
                {"acc": lambda e: np.full_like(e, 0.1)}),
    "rmsprop": (lambda: fg.train.RMSPropOptimizer(0.1, momentum=0.5),
                lambda e, g, s: e - _set(s, "mom", 0.5 * s["mom"] + 0.1 * g / np.sqrt(
                    _set(s, "ms", 0.9 * s["ms"] + 0.1 * g * g) + 1e-10)),
                {"ms": np.ones_like, "mom": np.zeros_like}),
    "ftrl": (lambda: fg.train.FtrlOptimizer(0.5),
             lambda e, g, s: _ftrl(e, g, s), {"acc": lambda e: np.full_like(e, 0.1),
                                             "lin": np.zeros_like}),
}


def _set(state, key, value):
    # Only touched rows keep their new slot values (rows without gradient are untouched).
    touched = np.isin(np.arange(5), IDS)[:, None]
    state[key] = np.where(touched, value, state[key])
    return value


def _ftrl(e, g, s):
    new_acc = s["acc"] + g * g
    lin = _set(s, "lin", s["lin"] + g - (np.sqrt(new_acc) - np.sqrt(s["acc"])) / 0.5 * e)
    _set(s, "acc", new_acc)
    return -lin / (np.sqrt(new_acc) / 0.5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sparse_updates_touch_only_gathered_rows(name):
    make, update, slots = CASES[name]
    got, got_slots = build(make(), 3)
    want, _ = dense_reference(update, 3, slots)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    for row in (0, 2, 4):
        np.testing.assert_array_equal(got[-1][row], E0[row])
    for slot in got_slots.values():
        start = slot[0]  # row 0 is untouched: still the initial value
        np.testing.assert_array_equal(slot[2], start)
        np.testing.assert_array_equal(slot[4], start)


def test_sparse_adam_decays_moments_everywhere():
    # Step 1 touches row 1, step 2 touches row 3: in step 2 row 1 still moves (its moment
    # decays but is not zero), as TF1's AdamOptimizer._apply_sparse_shared.
    graph = fg.Graph()
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    with graph.as_default():
        e = fg.Variable(E0, name="emb")
        ids = fg.placeholder(fg.int32, [None])
        loss = fg.reduce_sum(fg.gather(e, ids))
        opt = fg.train.AdamOptimizer(lr)
        train = opt.minimize(loss)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            got = []
            for step_ids in ([1], [3]):
                sess.run(train, {ids: step_ids})
                got.append(sess.run(e))
    var = E0.astype(np.float64)
    m = np.zeros_like(var)
    v = np.zeros_like(var)
    for t, step_ids in enumerate(([1], [3]), start=1):
        g = np.zeros_like(var)
        g[step_ids] = 1.0
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        var = var - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        np.testing.assert_allclose(got[t - 1], var, rtol=1e-5)
    assert not np.allclose(got[1][1], got[0][1])
    np.testing.assert_array_equal(got[1][0], E0[0])


def test_sparse_gradient_out_of_range_index():
    graph = fg.Graph()
    with graph.as_default():
        e = fg.Variable(E0, name="emb")
        ids = fg.placeholder(fg.int32, [None])
        grad = fg.IndexedSlices(fg.ones([1, 2]), ids, fg.constant([5, 2]))
        train = fg.train.GradientDescentOptimizer(0.1).apply_gradients([(grad, e)])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            with pytest.raises(fg.errors.InvalidArgumentError, match="out of range"):
                sess.run(train, {ids: [7]})


def test_embedding_lookup_trains_sparsely():
    if not hasattr(fg.nn, "embedding_lookup"):
        pytest.skip("fg.nn.embedding_lookup is not available")
    graph = fg.Graph()
    with graph.as_default():
        e = fg.Variable(E0, name="emb")
        loss = fg.reduce_sum(fg.nn.embedding_lookup(e, fg.constant([0, 0, 2])))
        train = fg.train.AdagradOptimizer(0.1).minimize(loss)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(train)
            got = sess.run(e)
    want = E0.astype(np.float64).copy()
    for row, g in ((0, 2.0), (2, 1.0)):
        want[row] -= 0.1 * g / np.sqrt(0.1 + g * g)
    np.testing.assert_allclose(got, want, rtol=1e-5)
