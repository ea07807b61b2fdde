"""tf.random.stateless_gamma / stateless_poisson / stateless_binomial: determinism in the
seed, shapes and broadcasting as TF 1.x, and their distributions (fixed seeds, moments and
scipy's CDFs as independent references)."""

import numpy as np
import pytest
from scipy import stats

import flowgraph as fg


def _run(t):
    with fg.Session() as s:
        return s.run(t)


def test_deterministic_in_seed_and_shapes():
    with fg.Graph().as_default():
        a = fg.random.stateless_gamma([3, 2], seed=[1, 2], alpha=[1.0, 2.0])
        b = fg.random.stateless_gamma([3, 2], seed=[1, 2], alpha=[1.0, 2.0])
        c = fg.random.stateless_gamma([3, 2], seed=[1, 3], alpha=[1.0, 2.0])
        p = fg.random.stateless_poisson([3, 2], seed=[1, 2], lam=[1.0, 2.0])
        n = fg.random.stateless_binomial([3, 2], seed=[1, 2], counts=[10.0, 20.0], probs=0.5)
        assert a.shape.as_list() == [3, 2] and a.dtype == fg.float32
        assert p.dtype == fg.int32 and n.dtype == fg.int32 and p.shape.as_list() == [3, 2]
        assert p.op.type == "StatelessRandomPoisson" and n.op.type == "StatelessRandomBinomial"
        va, vb, vc = _run([a, b, c])
        np.testing.assert_array_equal(va, vb)
        assert not np.array_equal(va, vc)
        np.testing.assert_array_equal(_run(p), _run(p))
        n_value = _run(n)
        assert (n_value[:, 0] <= 10).all() and (n_value[:, 1] <= 20).all()


def test_gamma_distribution_and_beta():
    with fg.Graph().as_default():
        draws = _run(fg.random.stateless_gamma([20000, 2], seed=[7, 8], alpha=[0.5, 3.0],
                                               beta=[1.0, 2.0], dtype=fg.float64))
    assert draws.dtype == np.float64 and (draws > 0).all()
    for column, (alpha, beta) in enumerate([(0.5, 1.0), (3.0, 2.0)]):
        result = stats.kstest(draws[:, column], stats.gamma(alpha, scale=1 / beta).cdf)
        assert result.pvalue > 1e-3
        np.testing.assert_allclose(draws[:, column].mean(), alpha / beta, rtol=0.05)


def test_poisson_distribution():
    with fg.Graph().as_default():
        draws = _run(fg.random.stateless_poisson([30000], seed=[3, 4], lam=4.0,
                                                 dtype=fg.float32))
    assert draws.dtype == np.float32
    counts = np.bincount(draws.astype(int), minlength=15)[:15] / draws.size
    np.testing.assert_allclose(counts, stats.poisson(4.0).pmf(np.arange(15)), atol=0.01)


def test_binomial_distribution_broadcast():
    with fg.Graph().as_default():
        draws = _run(fg.random.stateless_binomial([20000, 2], seed=[5, 6],
                                                  counts=[[10.0], [10.0]][0],
                                                  probs=[0.2, 0.7], output_dtype=fg.int64))
    assert draws.dtype == np.int64
    np.testing.assert_allclose(draws.mean(axis=0), [2.0, 7.0], rtol=0.02)
    np.testing.assert_allclose(draws.var(axis=0), [1.6, 2.1], rtol=0.08)


def test_errors():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="rightmost"):
            fg.random.stateless_gamma([3, 2], seed=[1, 2], alpha=[1.0, 2.0, 3.0])
        with pytest.raises(ValueError, match="dtype"):
            fg.random.stateless_gamma([3], seed=[1, 2], alpha=1.0, dtype=fg.int32)
        with pytest.raises(ValueError, match="seed"):
            fg.random.stateless_poisson([3], seed=[1, 2, 3], lam=1.0)
        lam = fg.placeholder(fg.float32)
        with fg.Session() as s:
            with pytest.raises(fg.errors.InvalidArgumentError, match="broadcast"):
                s.run(fg.random.stateless_poisson([2], seed=[1, 2], lam=lam),
                      {lam: [1.0, 2.0, 3.0]})
