"""Densities, cdfs and statistics of fg.distributions against scipy.stats / numpy formulas."""

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

import flowgraph as fg
from tests.distributions.helpers import f64, run

tfd = fg.distributions


def close(a, b, rtol=1e-9, atol=1e-12):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


X = np.array([-1.5, 0.2, 3.0])


def test_normal_against_scipy():
    loc, scale = np.array([0., 1., -2.]), 2.5
    d = tfd.Normal(f64(loc), f64(scale))
    ref = st.norm(loc, scale)
    out = run(d.log_prob(f64(X)), d.prob(f64(X)), d.cdf(f64(X)), d.log_cdf(f64(X)),
              d.survival_function(f64(X)), d.log_survival_function(f64(X)), d.entropy(),
              d.mean(), d.stddev(), d.variance(), d.mode(),
              d.quantile(f64([0.001, 0.3, 0.97])))
    expected = [ref.logpdf(X), ref.pdf(X), ref.cdf(X), ref.logcdf(X), ref.sf(X), ref.logsf(X),
                ref.entropy(), loc, [2.5] * 3, [6.25] * 3, loc,
                ref.ppf([0.001, 0.3, 0.97])]
    for got, want in zip(out, expected):
        close(got, want)


def test_normal_log_cdf_far_tails():
    d = tfd.Normal(f64(0.), f64(1.))
    x = np.array([-40., -25., -12., -3., 0., 6., 9., 30.])
    log_cdf, log_sf = run(d.log_cdf(f64(x)), d.log_survival_function(f64(x)))
    close(log_cdf, st.norm.logcdf(x), rtol=1e-10)
    close(log_sf, st.norm.logsf(x), rtol=1e-10)


def test_normal_quantile_extremes():
    p = np.array([0., 1e-300, 1e-30, 1e-5, 0.135, 0.5, 0.865, 1 - 1e-12, 1.])
    (q,) = run(tfd.Normal(f64(0.), f64(1.)).quantile(f64(p)))
    close(q, sp.ndtri(p), rtol=1e-12)


def test_normal_float32():
    d = tfd.Normal(loc=[0., 1.], scale=2.)
    lp = d.log_prob(0.5)
    assert d.dtype == fg.float32 and lp.dtype == fg.float32
    (got,) = run(lp)
    close(got, st.norm.logpdf(0.5, [0., 1.], 2.), rtol=1e-6)


def test_laplace_against_scipy():
    loc, scale = np.array([0., 1., -2.]), 1.7
    d = tfd.Laplace(f64(loc), f64(scale))
    ref = st.laplace(loc, scale)
    out = run(d.log_prob(f64(X)), d.prob(f64(X)), d.cdf(f64(X)), d.log_cdf(f64(X)),
              d.log_survival_function(f64(X)), d.survival_function(f64(X)), d.entropy(),
              d.mean(), d.stddev(), d.variance(), d.mode())
    expected = [ref.logpdf(X), ref.pdf(X), ref.cdf(X), ref.logcdf(X), ref.logsf(X), ref.sf(X),
                ref.entropy(), loc, ref.std(), ref.var(), loc]
    for got, want in zip(out, expected):
        close(got, want)


def test_uniform_against_scipy():
    low, high = np.array([0., -1.]), np.array([2., 3.])
    d = tfd.Uniform(f64(low), f64(high))
    x = np.array([[0.5, -2.], [2.0, 2.9], [-0.1, 3.0]])
    ref = st.uniform(low, high - low)
    out = run(d.prob(f64(x)), d.cdf(f64(x)), d.entropy(), d.mean(), d.variance(), d.stddev(),
              d.range(), d.survival_function(f64(x)))
    pdf = np.where((x >= low) & (x < high), 1. / (high - low), 0.)  # [low, high) as TF
    expected = [pdf, ref.cdf(x), ref.entropy(), ref.mean(), ref.var(), ref.std(), high - low,
                ref.sf(x)]
    for got, want in zip(out, expected):
        close(got, want)
    (lp,) = run(d.log_prob(f64(x)))
    with np.errstate(divide="ignore"):
        close(lp, np.log(pdf))


def test_uniform_defaults_and_nan():
    d = tfd.Uniform()
    p, c = run(d.prob([np.nan, 0.5]), d.cdf([-1., 0.25]))
    assert np.isnan(p[0]) and p[1] == 1.
    close(c, [0., 0.25])


def test_gamma_and_exponential_against_scipy():
    conc, rate = np.array([2., 0.5, 7.]), 3.
    d = tfd.Gamma(f64(conc), f64(rate))
    ref = st.gamma(conc, scale=1. / rate)
    x = np.array([0.5, 2., 0.01])
    out = run(d.log_prob(f64(x)), d.prob(f64(x)), d.cdf(f64(x)), d.survival_function(f64(x)),
              d.entropy(), d.mean(), d.variance(), d.stddev(), d.mode())
    expected = [ref.logpdf(x), ref.pdf(x), ref.cdf(x), ref.sf(x), ref.entropy(), ref.mean(),
                ref.var(), ref.std(), np.where(conc > 1, (conc - 1) / rate, np.nan)]
    for got, want in zip(out, expected):
        close(got, want, rtol=1e-8)

    e = tfd.Exponential(f64([1., 2.5]))
    ref = st.expon(scale=1. / np.array([1., 2.5]))
    x = np.array([0.3, 4.])
    out = run(e.log_prob(f64(x)), e.cdf(f64(x)), e.log_survival_function(f64(x)),
              e.entropy(), e.mean(), e.variance(), e.concentration)
    expected = [ref.logpdf(x), ref.cdf(x), ref.logsf(x), ref.entropy(), ref.mean(), ref.var(),
                1.]
    for got, want in zip(out, expected):
        close(got, want)


def test_gamma_mode_without_nan_stats_fails_at_run_time():
    d = tfd.Gamma(f64([2., 0.5]), f64(1.), allow_nan_stats=False)
    with pytest.raises(fg.errors.InvalidArgumentError, match="concentration <= 1"):
        run(d.mode())
    (mode,) = run(tfd.Gamma(f64([2., 3.]), f64(2.), allow_nan_stats=False).mode())
    close(mode, [0.5, 1.])


def test_beta_against_scipy():
    a, b = np.array([2., 0.5, 4.]), np.array([3., 3., 1.5])
    d = tfd.Beta(f64(a), f64(b))
    ref = st.beta(a, b)
    x = np.array([0.3, 0.8, 0.05])
    out = run(d.log_prob(f64(x)), d.prob(f64(x)), d.cdf(f64(x)), d.log_cdf(f64(x)),
              d.entropy(), d.mean(), d.variance(), d.stddev(), d.mode(), d.total_concentration)
    mode = np.where((a > 1) & (b > 1), (a - 1) / (a + b - 2), np.nan)
    expected = [ref.logpdf(x), ref.pdf(x), ref.cdf(x), ref.logcdf(x), ref.entropy(),
                ref.mean(), ref.var(), ref.std(), mode, a + b]
    for got, want in zip(out, expected):
        close(got, want, rtol=1e-8)


def test_student_t_against_scipy():
    df, loc, scale = np.array([3., 1.5, 0.5, 30.]), 1., 2.
    d = tfd.StudentT(f64(df), f64(loc), f64(scale))
    ref = st.t(df, loc, scale)
    x = np.array([-1., 0.5, 3., 10.])
    out = run(d.log_prob(f64(x)), d.prob(f64(x)), d.cdf(f64(x)), d.entropy(), d.mean(),
              d.variance(), d.mode())
    mean = np.where(df > 1, loc, np.nan)
    var = np.where(df > 2, scale**2 * df / (df - 2), np.where(df > 1, np.inf, np.nan))
    expected = [ref.logpdf(x), ref.pdf(x), ref.cdf(x), ref.entropy(), mean, var, loc]
    for got, want in zip(out, expected):
        close(got, want, rtol=1e-8)


def test_bernoulli_against_scipy():
    p = np.array([0.2, 0.7, 0.5])
    for d in (tfd.Bernoulli(probs=f64(p)), tfd.Bernoulli(logits=f64(np.log(p / (1 - p))))):
        k = np.array([[1, 0, 1], [0, 0, 0]])
        out = run(d.log_prob(k), d.prob(k), d.entropy(), d.mean(), d.variance(), d.stddev(),
                  d.mode(), d.probs, d.logits)
        ref = st.bernoulli(p)
        expected = [ref.logpmf(k), ref.pmf(k), ref.entropy(), p, p * (1 - p),
                    np.sqrt(p * (1 - p)), (p > 0.5).astype(np.int32), p, sp.logit(p)]
        for got, want in zip(out, expected):
            close(got, want)
        assert out[6].dtype == np.int32


def test_categorical_against_numpy():
    logits = np.array([[0., 1., 2.], [1., -1., 0.5]])
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    d = tfd.Categorical(logits=f64(logits))
    k = np.array([[2, 0], [1, 1]])
    out = run(d.log_prob(k), d.prob(k), d.cdf(np.array([1, 3])), d.entropy(), d.mode(),
              d.probs, d.event_size)
    expected = [np.log(probs[[0, 1], k]), probs[[0, 1], k],
                [probs[0, :1].sum(), 1.], -(probs * np.log(probs)).sum(-1), [2, 0], probs, 3]
    for got, want in zip(out, expected):
        close(got, want)
    dp = tfd.Categorical(probs=f64(probs))
    lp, logits_from_probs = run(dp.log_prob([1, 2]), dp.logits)
    close(lp, np.log(probs[[0, 1], [1, 2]]))
    close(logits_from_probs, np.log(probs))


def test_dirichlet_against_scipy():
    alpha = np.array([[1., 2., 3.], [2., 2., 5.]])
    d = tfd.Dirichlet(f64(alpha))
    x = np.array([0.2, 0.3, 0.5])
    out = run(d.log_prob(f64(x)), d.prob(f64(x)), d.entropy(), d.mean(), d.variance(),
              d.covariance(), d.mode(), d.total_concentration)
    a0 = alpha.sum(-1, keepdims=True)
    mean = alpha / a0
    cov = (np.einsum("bi,ij->bij", mean, np.eye(3)) - np.einsum("bi,bj->bij", mean, mean)) \
        / (a0[..., None] + 1)
    mode = np.where((alpha > 1).all(-1, keepdims=True), (alpha - 1) / (a0 - 3), np.nan)
    expected = [[st.dirichlet(a).logpdf(x) for a in alpha], [st.dirichlet(a).pdf(x) for a in alpha],
                [st.dirichlet(a).entropy() for a in alpha], mean,
                [st.dirichlet(a).var() for a in alpha], cov, mode, a0[:, 0]]
    for got, want in zip(out, expected):
        close(got, want, rtol=1e-8)


def test_parameter_broadcasting_and_static_shapes():
    d = tfd.Normal(loc=np.zeros([2, 1], np.float32), scale=np.ones([3], np.float32))
    assert d.batch_shape.as_list() == [2, 3] and d.event_shape.as_list() == []
    lp = d.log_prob(np.zeros([4, 1, 1], np.float32))
    assert lp.shape.as_list() == [4, 2, 3]
    assert d.mean().shape.as_list() == [2, 3]
    bs, es, scalar_batch, scalar_event = run(d.batch_shape_tensor(), d.event_shape_tensor(),
                                            d.is_scalar_batch(), d.is_scalar_event())
    assert bs.tolist() == [2, 3] and es.tolist() == [] and bs.dtype == np.int32
    assert not scalar_batch and scalar_event


def test_unknown_batch_shape_is_dynamic():
    loc = fg.placeholder(fg.float32, [None])
    d = tfd.Normal(loc, 1.)
    assert d.batch_shape.as_list() == [None]
    s = d.sample(2, seed=3)
    assert s.shape.as_list() == [2, None]
    with fg.Session() as sess:
        bs, sample = sess.run([d.batch_shape_tensor(), s], {loc: [0., 1., 2.]})
    assert bs.tolist() == [3] and sample.shape == (2, 3)
