"""Multinomial and DirichletMultinomial against scipy.stats, sampled moments and checks."""

import numpy as np
import pytest
import scipy.stats as st

import flowgraph as fg
from tests.distributions.helpers import f64, run

tfd = fg.distributions


def test_multinomial_against_scipy():
    n, p = np.array([4., 6.]), np.array([0.2, 0.3, 0.5])
    counts = np.array([[1., 1., 2.], [0., 3., 3.]])
    for d in (tfd.Multinomial(f64(n), probs=f64(p)),
              tfd.Multinomial(f64(n), logits=f64(np.log(p) + 0.7))):
        assert d.batch_shape.as_list() == [2] and d.event_shape.as_list() == [3]
        out = run(d.log_prob(f64(counts)), d.prob(f64(counts)), d.mean(), d.variance(),
                  d.covariance())
        ref = [st.multinomial(int(n[i]), p) for i in range(2)]
        expected = [[r.logpmf(c) for r, c in zip(ref, counts)],
                    [r.pmf(c) for r, c in zip(ref, counts)],
                    [r.mean() for r in ref], [np.diag(r.cov()) for r in ref],
                    [r.cov() for r in ref]]
        for got, want in zip(out, expected):
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_dirichlet_multinomial_against_scipy():
    alpha = np.array([[1., 2., 3.], [0.5, 0.5, 4.]])
    d = tfd.DirichletMultinomial(f64(5.), f64(alpha))
    counts = np.array([1., 1., 3.])
    out = run(d.log_prob(f64(counts)), d.prob(f64(counts)), d.mean(), d.variance(),
              d.covariance())
    ref = [st.dirichlet_multinomial(a, 5) for a in alpha]
    expected = [[r.logpmf(counts) for r in ref], [r.pmf(counts) for r in ref],
                [r.mean() for r in ref], [r.var() for r in ref], [r.cov() for r in ref]]
    for got, want in zip(out, expected):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_multinomial_samples():
    n_total = np.array([3., 10.], np.float32)
    p = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], np.float32)
    s = tfd.Multinomial(n_total, probs=p).sample(20000, seed=11)
    assert s.shape.as_list() == [20000, 2, 3]
    (values,) = run(s)
    np.testing.assert_array_equal(values.sum(-1), np.broadcast_to(n_total, (20000, 2)))
    assert values.min() >= 0 and np.all(values == np.round(values))
    mean = n_total[:, None] * p
    var = mean * (1 - p)
    assert np.all(np.abs(values.mean(0) - mean) < 5 * np.sqrt(var / 20000))
    np.testing.assert_allclose(values.var(0), var, rtol=0.05)


def test_dirichlet_multinomial_samples():
    alpha = np.array([1., 2., 3.], np.float32)
    d = tfd.DirichletMultinomial(8., alpha)
    s = d.sample([100, 100], seed=12)
    assert s.shape.as_list() == [100, 100, 3]
    (values,) = run(s)
    values = values.reshape(-1, 3).astype(np.float64)
    np.testing.assert_array_equal(values.sum(-1), 8.)
    ref = st.dirichlet_multinomial(alpha, 8)
    assert np.all(np.abs(values.mean(0) - ref.mean()) < 5 * np.sqrt(ref.var() / 10000))
    np.testing.assert_allclose(values.var(0), ref.var(), rtol=0.06)


def test_log_prob_gradients_match_finite_differences():
    logits = fg.placeholder(fg.float64, [3])
    conc = fg.placeholder(fg.float64, [3])
    counts = f64([1., 2., 3.])
    lp = (tfd.Multinomial(6., logits=logits).log_prob(counts)
          + tfd.DirichletMultinomial(6., conc).log_prob(counts))
    grads = fg.gradients(lp, [logits, conc])
    x0 = {logits: np.array([0.1, -0.5, 0.3]), conc: np.array([1.5, 0.7, 2.])}
    with fg.Session() as sess:
        got = sess.run(grads, x0)
        for i, ph in enumerate([logits, conc]):
            num = np.zeros(3)
            for j in range(3):
                up, down = x0[ph].copy(), x0[ph].copy()
                up[j] += 1e-6
                down[j] -= 1e-6
                num[j] = (sess.run(lp, {**x0, ph: up}) - sess.run(lp, {**x0, ph: down})) / 2e-6
            np.testing.assert_allclose(got[i], num, rtol=1e-5)


def test_validate_args():
    total = fg.placeholder(fg.float32, [])
    d = tfd.Multinomial(total, probs=[0.5, 0.5], validate_args=True)
    lp = d.log_prob([1., 2.])
    with fg.Session() as sess:
        np.testing.assert_allclose(sess.run(lp, {total: 3.}), np.log(3 / 8), rtol=1e-6)
        with pytest.raises(fg.errors.InvalidArgumentError, match="sum to `self.total_count`"):
            sess.run(lp, {total: 4.})
        with pytest.raises(fg.errors.InvalidArgumentError, match="fractional"):
            sess.run(lp, {total: 2.5})
    with pytest.raises(fg.errors.InvalidArgumentError, match="must be positive"):
        run(tfd.DirichletMultinomial(2., [1., -1.], validate_args=True).mean())
    with pytest.raises(ValueError, match="total_count"):
        tfd.Multinomial(fg.constant(2., fg.float64), probs=[0.5, 0.5])
