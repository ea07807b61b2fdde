"""Gradients of the random ops with respect to their parameters.

RandomStandardNormal and TruncatedNormal compute ``z * stddev + mean`` and RandomUniform
``u * (maxval - minval) + minval``: the gradient reaches mean / stddev / minval / maxval
(never the shape). The registry's finite-difference check (test_registry_gradients.py) runs
the graph many times in one Session, whose successive runs draw new values; here every
evaluation of the objective runs in a fresh Session of a seeded graph, which replays the
same draws, so central differences are meaningful.
"""

from __future__ import annotations

import numpy as np
import pytest

import flowgraph as fg

DELTA = 1e-6
WEIGHTS_SEED = 3


def _normal(shape, a, b):
    return fg.random_normal(shape, mean=a, stddev=b, dtype=fg.float64, seed=11)


def _truncated(shape, a, b):
    return fg.truncated_normal(shape, mean=a, stddev=b, dtype=fg.float64, seed=12)


def _uniform(shape, a, b):
    return fg.random_uniform(shape, minval=a, maxval=b, dtype=fg.float64, seed=13)


# (op type, builder, shape, first parameter, second parameter): broadcasting parameters.
CASES = [
    ("RandomStandardNormal", _normal, [2, 3], np.array([[1.0], [-2.0]]),
     np.array([0.5, 1.5, 2.0])),
    ("RandomStandardNormal", _normal, [3], np.array([[1.0], [-2.0]]), np.array(0.7)),
    ("TruncatedNormal", _truncated, [2, 3], np.array(0.3), np.array([[0.5], [2.5]])),
    ("TruncatedNormal", _truncated, [4], np.array([1.0, 2.0, 3.0, 4.0]),
     np.array([0.1, 0.2, 0.3, 0.4])),
    ("RandomUniform", _uniform, [2, 3], np.array([[-1.0], [0.5]]), np.array([1.0, 2.0, 3.0])),
    ("RandomUniform", _uniform, [3, 2], np.array(-4.0), np.array(4.0)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _build(builder, shape, a, b):
    """A fresh graph: placeholders for the two parameters, the sample y and sum(w * y)'s
    gradients with respect to them."""
    graph = fg.Graph()
    with graph.as_default():
        pa = fg.placeholder(fg.float64, a.shape)
        pb = fg.placeholder(fg.float64, b.shape)
        y = builder(shape, pa, pb)
        w = np.random.default_rng(WEIGHTS_SEED).uniform(0.5, 1.5, y.shape.as_list())
        grads = fg.gradients(y, [pa, pb], grad_ys=fg.constant(w))
    return graph, pa, pb, y, w, grads


def _sample(graph, pa, pb, y, a, b):
    with fg.Session(graph=graph) as sess:
        return sess.run(y, {pa: a, pb: b})


def _sum_to(value, shape):
    """Sums a broadcast array back to `shape` (the reference of the gradients' reduction)."""
    value = np.asarray(value)
    while value.ndim > len(shape):
        value = value.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and value.shape[axis] != 1:
            value = value.sum(axis=axis, keepdims=True)
    return value


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_matches_finite_differences_with_replayed_draws(case):
    op_type, builder, shape, a, b = case
    graph, pa, pb, y, w, grads = _build(builder, shape, a, b)
    assert y.op.type == op_type
    assert all(g is not None for g in grads)
    with fg.Session(graph=graph) as sess:
        symbolic = sess.run(grads, {pa: a, pb: b})
    # The premise: a fresh Session of the seeded graph draws the same values.
    np.testing.assert_array_equal(_sample(graph, pa, pb, y, a, b),
                                  _sample(graph, pa, pb, y, a, b))

    def objective(a_value, b_value):
        return float(np.sum(w * _sample(graph, pa, pb, y, a_value, b_value)))

    for which, (value, got) in enumerate(zip((a, b), symbolic)):
        assert got.shape == value.shape
        numeric = np.zeros(value.shape)
        for i in range(value.size):
            step = np.zeros(value.size)
            step[i] = DELTA
            step = step.reshape(value.shape)
            if which == 0:
                plus, minus = objective(a + step, b), objective(a - step, b)
            else:
                plus, minus = objective(a, b + step), objective(a, b - step)
            numeric.reshape(-1)[i] = (plus - minus) / (2 * DELTA)
        np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-6,
                                   err_msg=f"{op_type}: gradient of parameter {which}")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_is_the_analytic_formula_of_the_same_draw(case):
    op_type, builder, shape, a, b = case
    graph, pa, pb, y, w, grads = _build(builder, shape, a, b)
    with fg.Session(graph=graph) as sess:
        sample, ga, gb = sess.run([y, *grads], {pa: a, pb: b})
    if op_type == "RandomUniform":
        u = (sample - a) / (b - a)  # the standard draw in [0, 1)
        assert u.min() >= 0.0 and u.max() < 1.0
        want_a, want_b = _sum_to(w * (1.0 - u), a.shape), _sum_to(w * u, b.shape)
    else:
        z = (sample - a) / b  # the standard draw
        if op_type == "TruncatedNormal":
            assert np.abs(z).max() <= 2.0 + 1e-9
        want_a, want_b = _sum_to(w * np.ones_like(z), a.shape), _sum_to(w * z, b.shape)
    np.testing.assert_allclose(ga, want_a, rtol=1e-10)
    np.testing.assert_allclose(gb, want_b, rtol=1e-9, atol=1e-12)


def test_float32_parameters_get_float32_gradients():
    graph = fg.Graph()
    with graph.as_default():
        mean = fg.constant(np.float32(2.0))
        stddev = fg.constant(np.float32(3.0))
        y = fg.random_normal([5], mean=mean, stddev=stddev, seed=1)
        low = fg.constant(np.float32(-1.0))
        u = fg.random_uniform([5], minval=low, maxval=4.0, seed=2)
        grads = fg.gradients([y, u], [mean, stddev, low])
        assert [g.dtype for g in grads] == [fg.float32] * 3
        with fg.Session() as sess:
            y_value, u_value, g_mean, g_std, g_low = sess.run([y, u, *grads])
    assert g_mean == pytest.approx(5.0)
    assert g_std == pytest.approx(float(np.sum((y_value - 2.0) / 3.0)), rel=1e-5, abs=1e-5)
    assert g_low == pytest.approx(float(np.sum(1.0 - (u_value + 1.0) / 5.0)), rel=1e-5,
                                  abs=1e-5)


def test_second_derivatives_through_the_sample():
    # loss = sum(y * y) with y = z * s + m: dloss/ds = sum(2 y z), d2/ds2 = sum(2 z^2),
    # d2/dm2 = 2 n, d2/dm ds = sum(2 z).
    graph = fg.Graph()
    with graph.as_default():
        m = fg.placeholder(fg.float64, [])
        s = fg.placeholder(fg.float64, [])
        y = fg.random_normal([6], mean=m, stddev=s, dtype=fg.float64, seed=5)
        loss = fg.reduce_sum(y * y)
        d_m, d_s = fg.gradients(loss, [m, s])
        (d_ss,) = fg.gradients(d_s, [s])
        (d_mm,) = fg.gradients(d_m, [m])
        (d_ms,) = fg.gradients(d_m, [s])
        with fg.Session() as sess:
            values = sess.run([y, d_s, d_ss, d_mm, d_ms], {m: 0.5, s: 2.0})
    sample, got_s, got_ss, got_mm, got_ms = values
    z = (sample - 0.5) / 2.0
    assert got_s == pytest.approx(np.sum(2 * sample * z))
    assert got_ss == pytest.approx(np.sum(2 * z * z))
    assert got_mm == pytest.approx(12.0)
    assert got_ms == pytest.approx(np.sum(2 * z))


def test_zero_stddev_or_width_gives_zero_not_nan():
    graph = fg.Graph()
    with graph.as_default():
        s = fg.placeholder(fg.float64, [])
        hi = fg.placeholder(fg.float64, [])
        y = fg.random_normal([4], mean=1.0, stddev=s, dtype=fg.float64, seed=1)
        u = fg.random_uniform([4], minval=1.0, maxval=hi, dtype=fg.float64, seed=2)
        g_s, g_hi = fg.gradients([y, u], [s, hi])
        with fg.Session() as sess:
            got = sess.run([g_s, g_hi], {s: 0.0, hi: 1.0})
    assert got == [0.0, 0.0]


def test_no_gradient_reaches_the_shape():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [2, 3])
        y = fg.random_normal(fg.shape(x), seed=1) * x
        (g,) = fg.gradients(y, [x])
        with fg.Session() as sess:
            sample, grad = sess.run([y, g], {x: np.ones((2, 3), np.float32)})
    # y = z * x: the gradient is z (the draw of the same run), nothing through fg.shape(x).
    np.testing.assert_allclose(grad, sample)


def test_shuffle_multinomial_and_int_uniform_are_not_differentiable():
    ops = fg.registered_ops()
    for name in ("RandomShuffle", "Multinomial", "RandomUniformInt"):
        assert not ops[name].differentiable, name
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [4, 2])
        with pytest.raises(LookupError, match="RandomShuffle.*stop_gradient"):
            fg.gradients(fg.random_shuffle(x), [x])
        shuffled = fg.random_shuffle(x)
        (g,) = fg.gradients(shuffled + x, [x], stop_gradients=[shuffled])
        with fg.Session() as sess:
            grad = sess.run(g, {x: np.zeros((4, 2), np.float32)})
    np.testing.assert_array_equal(grad, np.ones((4, 2), np.float32))
