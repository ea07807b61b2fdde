"""Gradients through fg.distributions: log_prob w.r.t. parameters against central finite
differences, and reparameterized samples against their known derivatives."""

import numpy as np
import pytest

import flowgraph as fg

tfd = fg.distributions


def fd_check(make, params, value, method="log_prob", eps=1e-6, rtol=1e-5, atol=1e-7):
    """Gradient of sum(dist.method(value)) w.r.t. each parameter vs central differences."""
    phs = [fg.placeholder(fg.float64, np.shape(p)) for p in params]
    dist = make(*phs)
    out = fg.reduce_sum(getattr(dist, method)(value) if value is not None
                        else getattr(dist, method)())
    grads = fg.gradients(out, phs)
    with fg.Session() as sess:
        feed = {ph: p for ph, p in zip(phs, params)}
        # A parameter the output does not depend on has no gradient (None): zero.
        got = [np.zeros(np.shape(p)) if g is None else sess.run(g, feed)
               for g, p in zip(grads, params)]
        for i, p in enumerate(params):
            p = np.asarray(p, np.float64)
            num = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                shifted = []
                for sign in (1., -1.):
                    q = p.copy()
                    q[idx] += sign * eps
                    shifted.append(sess.run(out, {**feed, phs[i]: q}))
                num[idx] = (shifted[0] - shifted[1]) / (2 * eps)
            np.testing.assert_allclose(got[i], num, rtol=rtol, atol=atol)


X = np.array([0.3, 0.7, 0.45])

CASES = [
    ("normal", lambda a, b: tfd.Normal(a, b), [[0., 1., -1.], [1.5, 0.7, 2.]], X, "log_prob"),
    ("normal_cdf", lambda a, b: tfd.Normal(a, b), [[0., 1., -1.], [1.5, 0.7, 2.]], X, "cdf"),
    ("normal_entropy", lambda a, b: tfd.Normal(a, b), [[0., 1.], [1.5, 0.7]], None, "entropy"),
    ("laplace", lambda a, b: tfd.Laplace(a, b), [[0., 1., -1.], [1.5, 0.7, 2.]], X, "log_prob"),
    ("gamma", lambda a, b: tfd.Gamma(a, b), [[2., 0.6, 3.], [1.5, 0.7, 2.]], X, "log_prob"),
    ("gamma_entropy", lambda a, b: tfd.Gamma(a, b), [[2., 0.6], [1.5, 0.7]], None, "entropy"),
    ("exponential", lambda r: tfd.Exponential(r), [[1.5, 0.7, 2.]], X, "log_prob"),
    ("beta", lambda a, b: tfd.Beta(a, b), [[2., 0.6, 3.], [1.5, 0.7, 2.]], X, "log_prob"),
    ("uniform", lambda a, b: tfd.Uniform(a, b), [[0., 0.1, -1.], [1.5, 0.9, 2.]], X,
     "log_prob"),
    ("student_t", lambda d, a, b: tfd.StudentT(d, a, b), [[3., 1.5, 7.], [0., 0.5, 1.],
                                                          [1., 2., 0.5]], X, "log_prob"),
    ("bernoulli", lambda lg: tfd.Bernoulli(logits=lg), [[0.3, -1., 2.]], [1, 0, 1],
     "log_prob"),
    ("categorical", lambda lg: tfd.Categorical(logits=lg), [[[0.3, -1., 2.], [1., 0., 0.]]],
     [2, 0], "log_prob"),
    ("dirichlet", lambda c: tfd.Dirichlet(c), [[[1.5, 2., 0.7]]], [0.2, 0.3, 0.5],
     "log_prob"),
]


@pytest.mark.parametrize("name,make,params,value,method", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_finite_differences(name, make, params, value, method):
    value = None if value is None else np.asarray(value)
    if value is not None and value.dtype.kind == "f":
        value = value.astype(np.float64)
    fd_check(make, [np.asarray(p, np.float64) for p in params], value, method)


def test_kl_gradients_match_finite_differences():
    phs = [fg.placeholder(fg.float64, [2]) for _ in range(4)]
    kl = fg.reduce_sum(tfd.kl_divergence(tfd.Gamma(phs[0], phs[1]), tfd.Gamma(phs[2], phs[3])))
    params = [np.array([2., 0.6]), np.array([1.5, 0.7]), np.array([1., 3.]), np.array([2., .5])]
    grads = fg.gradients(kl, phs)
    with fg.Session() as sess:
        feed = dict(zip(phs, params))
        got = sess.run(grads, feed)
        for i in range(4):
            num = np.zeros(2)
            for j in range(2):
                up, down = params[i].copy(), params[i].copy()
                up[j] += 1e-6
                down[j] -= 1e-6
                num[j] = (sess.run(kl, {**feed, phs[i]: up})
                          - sess.run(kl, {**feed, phs[i]: down})) / 2e-6
            np.testing.assert_allclose(got[i], num, rtol=1e-5)


def test_reparameterized_samples_carry_gradients():
    loc = fg.constant(np.array([0.5, -1.]))
    scale = fg.constant(np.array([2., 0.3]))
    for dist in (tfd.Normal(loc, scale), tfd.Laplace(loc, scale)):
        assert dist.reparameterization_type == tfd.FULLY_REPARAMETERIZED
        s = dist.sample(50, seed=3)
        g_loc, g_scale = fg.gradients(fg.reduce_sum(s), [loc, scale])
        with fg.Session() as sess:
            values, gl, gs = sess.run([s, g_loc, g_scale])
        np.testing.assert_allclose(gl, [50., 50.])
        np.testing.assert_allclose(gs, ((values - [0.5, -1.]) / [2., 0.3]).sum(0), rtol=1e-9)

    rate = fg.constant(np.array([2., 0.5]))
    s = tfd.Exponential(rate).sample(30, seed=4)
    (g,) = fg.gradients(fg.reduce_sum(s), [rate])
    with fg.Session() as sess:
        values, grad = sess.run([s, g])
    np.testing.assert_allclose(grad, (-values / [2., 0.5]).sum(0), rtol=1e-9)

    low, high = fg.constant(np.array([0., 1.])), fg.constant(np.array([1., 4.]))
    s = tfd.Uniform(low, high).sample(20, seed=5)
    g_low, g_high = fg.gradients(fg.reduce_sum(s), [low, high])
    with fg.Session() as sess:
        values, gl, gh = sess.run([s, g_low, g_high])
    u = (values - [0., 1.]) / [1., 3.]
    np.testing.assert_allclose(gh, u.sum(0), rtol=1e-9)
    np.testing.assert_allclose(gl, (1 - u).sum(0), rtol=1e-9)


def test_reparameterization_types():
    full, none = tfd.FULLY_REPARAMETERIZED, tfd.NOT_REPARAMETERIZED
    assert tfd.Uniform().reparameterization_type == full
    assert tfd.Exponential(1.).reparameterization_type == full
    # fg.random_gamma has no gradient, so Gamma-based samples are not reparameterized.
    for d in (tfd.Gamma(1., 1.), tfd.Beta(1., 1.), tfd.Dirichlet([1., 1.]),
              tfd.StudentT(3., 0., 1.), tfd.Bernoulli(probs=0.5),
              tfd.Categorical(logits=[0., 0.])):
        assert d.reparameterization_type == none
    assert repr(full) == "<Reparameterization Type: FULLY_REPARAMETERIZED>"
