"""Sample shapes, dtypes and moments of fg.distributions (fixed seeds, statistical bounds)."""

import numpy as np
import pytest

import flowgraph as fg

tfd = fg.distributions
N = 40000


def draw(dist, n=N, seed=7):
    samples = dist.sample(n, seed=seed)
    with fg.Session() as sess:
        return samples, sess.run(samples)


def check_moments(values, mean, var, sigmas=5.):
    """Sample mean and variance within `sigmas` standard errors of the true ones."""
    n = values.shape[0]
    mean, var = np.asarray(mean, np.float64), np.asarray(var, np.float64)
    got_mean = values.mean(0)
    assert np.all(np.abs(got_mean - mean) < sigmas * np.sqrt(var / n)), (got_mean, mean)
    # Relative error of the sample variance; 0.05 is >5 standard errors for these n.
    got_var = values.var(0)
    assert np.all(np.abs(got_var - var) < 0.05 * var), (got_var, var)


CASES = [
    ("normal", lambda: tfd.Normal([0., 3.], [1., 0.5]), [0., 3.], [1., 0.25]),
    ("laplace", lambda: tfd.Laplace([1., -2.], [2., 0.5]), [1., -2.], [8., 0.5]),
    ("uniform", lambda: tfd.Uniform([0., -1.], [1., 5.]), [0.5, 2.], [1 / 12, 3.]),
    ("exponential", lambda: tfd.Exponential([1., 4.]), [1., 0.25], [1., 1 / 16]),
    ("gamma", lambda: tfd.Gamma([2., 0.7], [3., 1.]), [2 / 3, 0.7], [2 / 9, 0.7]),
    ("beta", lambda: tfd.Beta([2., 0.5], [3., 0.5]), [0.4, 0.5], [0.04, 0.125]),
    ("bernoulli", lambda: tfd.Bernoulli(probs=[0.2, 0.9]), [0.2, 0.9], [0.16, 0.09]),
    ("student_t", lambda: tfd.StudentT([6., 10.], [1., 0.], [2., 1.]), [1., 0.],
     [4. * 6 / 4, 10 / 8]),
]


@pytest.mark.parametrize("name,make,mean,var", CASES, ids=[c[0] for c in CASES])
def test_sample_moments(name, make, mean, var):
    dist = make()
    samples, values = draw(dist)
    assert samples.shape.as_list() == [N, 2]
    assert values.shape == (N, 2) and values.dtype == dist.dtype.np
    check_moments(values.astype(np.float64), mean, var)


def test_categorical_sample_frequencies():
    probs = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]])
    dist = tfd.Categorical(probs=probs.astype(np.float32))
    samples, values = draw(dist)
    assert samples.dtype == fg.int32 and values.shape == (N, 2)
    for b in range(2):
        freq = np.bincount(values[:, b], minlength=3) / N
        assert np.all(np.abs(freq - probs[b]) < 5 * np.sqrt(probs[b] * (1 - probs[b]) / N))


def test_dirichlet_sample_moments():
    alpha = np.array([1., 2., 3.], np.float32)
    samples, values = draw(tfd.Dirichlet(alpha))
    assert samples.shape.as_list() == [N, 3]
    np.testing.assert_allclose(values.sum(-1), 1., rtol=1e-5)
    a0 = alpha.sum()
    mean = alpha / a0
    check_moments(values.astype(np.float64), mean, mean * (1 - mean) / (a0 + 1))


@pytest.mark.parametrize("sample_shape,expected", [((), []), (5, [5]), ([2, 3], [2, 3]),
                                                   ((4, 1), [4, 1])])
def test_sample_shape_is_sample_batch_event(sample_shape, expected):
    dists = [tfd.Normal(np.zeros([2, 3], np.float32), 1.),
             tfd.Dirichlet(np.ones([2, 4], np.float32)),
             tfd.Categorical(logits=np.zeros([2, 5], np.float32)),
             tfd.Bernoulli(probs=np.full([2, 3], 0.5, np.float32))]
    for dist in dists:
        s = dist.sample(sample_shape, seed=1)
        want = expected + dist.batch_shape.as_list() + dist.event_shape.as_list()
        assert s.shape.as_list() == want
        with fg.Session() as sess:
            assert list(sess.run(s).shape) == want


def test_sample_shape_tensor():
    n = fg.placeholder(fg.int32, [])
    s = tfd.Normal(0., [1., 2.]).sample(fg.stack([n, 2]), seed=2)
    assert s.shape.as_list() == [None, 2, 2]
    with fg.Session() as sess:
        assert sess.run(s, {n: 3}).shape == (3, 2, 2)


def test_seeded_samples_repeat_and_differ_by_seed():
    d = tfd.Normal(0., 1.)
    a, b, c = d.sample(10, seed=5), d.sample(10, seed=5), d.sample(10, seed=6)
    with fg.Session() as sess:
        va, vb, vc = sess.run([a, b, c])
    np.testing.assert_array_equal(va, vb)
    assert not np.allclose(va, vc)


def test_sample_rejects_matrix_sample_shape():
    with pytest.raises(ValueError, match="scalar or a vector"):
        tfd.Normal(0., 1.).sample([[2, 3]])
