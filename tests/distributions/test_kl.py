"""KL divergences of fg.distributions: closed forms, numerical integration, Monte Carlo,
and the RegisterKL lookup through class hierarchies."""

import numpy as np
import pytest
import scipy.integrate as integrate
import scipy.special as sp
import scipy.stats as st

import flowgraph as fg
from tests.distributions.helpers import f64, run

tfd = fg.distributions


def quad_kl(p, q, lo, hi):
    """KL(p || q) = integral p log(p / q), for frozen scipy distributions."""
    def integrand(x):
        return p.pdf(x) * (p.logpdf(x) - q.logpdf(x))
    return integrate.quad(integrand, lo, hi, limit=200)[0]


def test_normal_normal():
    m1, s1, m2, s2 = np.array([0., 1.]), np.array([1., 2.]), np.array([0.5, -1.]), 3.
    kl, via_method = run(tfd.kl_divergence(tfd.Normal(f64(m1), f64(s1)),
                                           tfd.Normal(f64(m2), f64(s2))),
                         tfd.Normal(f64(m1), f64(s1)).kl_divergence(tfd.Normal(f64(m2),
                                                                               f64(s2))))
    want = np.log(s2 / s1) + (s1**2 + (m1 - m2)**2) / (2 * s2**2) - 0.5
    np.testing.assert_allclose(kl, want, rtol=1e-12)
    np.testing.assert_allclose(via_method, want, rtol=1e-12)


def test_bernoulli_bernoulli():
    p, q = np.array([0.2, 0.9, 0.5]), np.array([0.5, 0.3, 0.5])
    (kl,) = run(tfd.kl_divergence(tfd.Bernoulli(probs=f64(p)), tfd.Bernoulli(logits=f64(
        sp.logit(q)))))
    want = p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))
    np.testing.assert_allclose(kl, want, rtol=1e-10, atol=1e-15)


def test_categorical_categorical():
    p = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    q = np.array([0.3, 0.3, 0.4])
    (kl,) = run(tfd.kl_divergence(tfd.Categorical(probs=f64(p)), tfd.Categorical(probs=f64(q))))
    np.testing.assert_allclose(kl, (p * np.log(p / q)).sum(-1), rtol=1e-10)


def test_gamma_gamma_and_exponential_by_integration():
    a1, r1, a2, r2 = np.array([2., 0.7]), np.array([3., 1.]), np.array([1.5, 4.]), 0.5
    (kl,) = run(tfd.kl_divergence(tfd.Gamma(f64(a1), f64(r1)), tfd.Gamma(f64(a2), f64(r2))))
    want = [quad_kl(st.gamma(a1[i], scale=1 / r1[i]), st.gamma(a2[i], scale=1 / r2), 0, np.inf)
            for i in range(2)]
    np.testing.assert_allclose(kl, want, rtol=1e-6)
    # Exponential is a Gamma subclass: the Gamma-Gamma KL applies.
    (kl_e,) = run(tfd.kl_divergence(tfd.Exponential(f64(2.)), tfd.Gamma(f64(1.5), f64(0.5))))
    np.testing.assert_allclose(
        kl_e, quad_kl(st.expon(scale=0.5), st.gamma(1.5, scale=2.), 0, np.inf), rtol=1e-6)


def test_beta_beta_by_integration():
    a1, b1, a2, b2 = np.array([2., 5.]), np.array([3., 1.5]), np.array([1.5, 2.]), 2.5
    (kl,) = run(tfd.kl_divergence(tfd.Beta(f64(a1), f64(b1)), tfd.Beta(f64(a2), f64(b2))))
    want = [quad_kl(st.beta(a1[i], b1[i]), st.beta(a2[i], b2), 0, 1) for i in range(2)]
    np.testing.assert_allclose(kl, want, rtol=1e-6)


def test_dirichlet_dirichlet_monte_carlo():
    a = np.array([1.5, 2., 3.])
    b = np.array([1., 4., 2.])
    (kl,) = run(tfd.kl_divergence(tfd.Dirichlet(f64(a)), tfd.Dirichlet(f64(b))))
    x = np.random.default_rng(0).dirichlet(a, size=200000)
    terms = st.dirichlet(a).logpdf(x.T) - st.dirichlet(b).logpdf(x.T)
    assert abs(kl - terms.mean()) < 5 * terms.std() / np.sqrt(len(terms))


def test_cross_entropy_is_minus_expected_log_density():
    p, q = st.norm(0.3, 1.2), st.norm(-1., 2.)
    (h,) = run(tfd.Normal(f64(0.3), f64(1.2)).cross_entropy(tfd.Normal(f64(-1.), f64(2.))))
    want = integrate.quad(lambda x: -p.pdf(x) * q.logpdf(x), -np.inf, np.inf)[0]
    np.testing.assert_allclose(h, want, rtol=1e-8)


def test_kl_names_as_tf():
    kl = tfd.kl_divergence(tfd.Normal(0., 1.), tfd.Normal(1., 2.))
    assert kl.name == "KullbackLeibler/kl_normal_normal/add:0"
    d = tfd.Normal(0., 1., name="P")
    assert d.kl_divergence(tfd.Normal(1., 2.)).name.startswith("P/kl_divergence/")


def test_unregistered_pair_raises():
    with pytest.raises(NotImplementedError, match="No KL.*Normal.*Gamma"):
        tfd.kl_divergence(tfd.Normal(0., 1.), tfd.Gamma(1., 1.))


def test_allow_nan_stats_false_checks_at_run_time():
    a = tfd.Normal(f64(0.), f64([1., np.nan]))
    b = tfd.Normal(f64(0.), f64(1.))
    kl = tfd.kl_divergence(a, b, allow_nan_stats=False)
    with pytest.raises(fg.errors.InvalidArgumentError, match="returned NaN values"):
        run(kl)
    (ok,) = run(tfd.kl_divergence(b, b, allow_nan_stats=False))
    assert ok == 0.


def test_register_kl_hierarchy_lookup():
    class MyNormal(tfd.Normal):
        pass

    class MyOtherNormal(MyNormal):
        pass

    base = tfd.kl_divergence(MyOtherNormal(0., 1.), tfd.Normal(1., 1.))
    (value,) = run(base)
    np.testing.assert_allclose(value, 0.5, rtol=1e-6)  # inherits Normal-Normal

    @tfd.RegisterKL(MyNormal, tfd.Normal)
    def _kl_mine(a, b, name=None):
        return fg.constant(42.)

    (value,) = run(tfd.kl_divergence(MyOtherNormal(0., 1.), tfd.Normal(1., 1.)))
    assert value == 42.  # the nearer registration wins
    (value,) = run(tfd.kl_divergence(tfd.Normal(0., 1.), MyNormal(1., 1.)))
    np.testing.assert_allclose(value, 0.5, rtol=1e-6)  # (Normal, MyNormal): base pair

    with pytest.raises(ValueError, match="already been registered"):
        tfd.RegisterKL(MyNormal, tfd.Normal)(_kl_mine)
    with pytest.raises(TypeError, match="callable"):
        tfd.RegisterKL(MyOtherNormal, tfd.Normal)(3)
