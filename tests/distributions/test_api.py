"""API fidelity of fg.distributions with TF 1.15: names, parameters, copy, validate_args
and build-time errors. Expected names were produced with tf.compat.v1.distributions."""

import inspect

import numpy as np
import pytest

import flowgraph as fg
from tests.distributions.helpers import run

tfd = fg.distributions
InvalidArgument = fg.errors.InvalidArgumentError


def test_public_names():
    names = {"Bernoulli", "Beta", "Categorical", "Dirichlet", "DirichletMultinomial",
             "Multinomial", "Distribution", "Exponential",
             "FULLY_REPARAMETERIZED", "Gamma", "Laplace", "NOT_REPARAMETERIZED", "Normal",
             "RegisterKL", "ReparameterizationType", "StudentT", "Uniform", "kl_divergence"}
    assert names <= set(dir(tfd))
    assert fg.compat.v1.distributions is tfd


@pytest.mark.parametrize("cls,params", [
    ("Normal", ["loc", "scale", "validate_args", "allow_nan_stats", "name"]),
    ("Laplace", ["loc", "scale", "validate_args", "allow_nan_stats", "name"]),
    ("Bernoulli", ["logits", "probs", "dtype", "validate_args", "allow_nan_stats", "name"]),
    ("Categorical", ["logits", "probs", "dtype", "validate_args", "allow_nan_stats", "name"]),
    ("Uniform", ["low", "high", "validate_args", "allow_nan_stats", "name"]),
    ("Exponential", ["rate", "validate_args", "allow_nan_stats", "name"]),
    ("Gamma", ["concentration", "rate", "validate_args", "allow_nan_stats", "name"]),
    ("Beta", ["concentration1", "concentration0", "validate_args", "allow_nan_stats", "name"]),
    ("StudentT", ["df", "loc", "scale", "validate_args", "allow_nan_stats", "name"]),
    ("Dirichlet", ["concentration", "validate_args", "allow_nan_stats", "name"]),
    ("Multinomial", ["total_count", "logits", "probs", "validate_args", "allow_nan_stats",
                     "name"]),
    ("DirichletMultinomial", ["total_count", "concentration", "validate_args",
                              "allow_nan_stats", "name"]),
])
def test_constructor_signatures(cls, params):
    sig = inspect.signature(getattr(tfd, cls))
    assert list(sig.parameters) == params
    assert sig.parameters["name"].default == cls
    assert sig.parameters["validate_args"].default is False
    assert sig.parameters["allow_nan_stats"].default is True


def test_signature_defaults():
    assert inspect.signature(tfd.Uniform).parameters["low"].default == 0.
    assert inspect.signature(tfd.Uniform).parameters["high"].default == 1.
    assert inspect.signature(tfd.Bernoulli).parameters["dtype"].default == fg.int32
    sample = inspect.signature(tfd.Distribution.sample).parameters
    assert [(k, v.default) for k, v in sample.items()][1:] == [
        ("sample_shape", ()), ("seed", None), ("name", "sample")]
    kl = inspect.signature(tfd.kl_divergence).parameters
    assert [(k, v.default) for k, v in kl.items()][2:] == [("allow_nan_stats", True),
                                                           ("name", None)]


def test_names_as_tf():
    d = tfd.Normal(loc=[0., 1.], scale=2.)
    assert d.name == "Normal/"
    assert d.loc.name == "Normal/loc:0" and d.scale.name == "Normal/scale:0"
    assert d.sample(3, seed=1).name == "Normal/sample/Reshape:0"
    assert d.log_prob(0.).name == "Normal/log_prob/sub:0"
    d2 = tfd.Normal(0., 1.)
    assert d2.name == "Normal_1/"
    assert d2.entropy().name == "Normal_1/entropy/add:0"
    assert d.cross_entropy(d2).name == "Normal/cross_entropy/cross_entropy/add:0"
    b = tfd.Bernoulli(probs=0.3)
    assert (b.logits.name, b.probs.name) == ("Bernoulli/logits/sub:0", "Bernoulli/probs:0")
    c = tfd.Categorical(logits=[0., 1.])
    assert (c.logits.name, c.probs.name) == ("Categorical/logits:0", "Categorical/probs:0")
    e = tfd.Exponential(2.)
    assert (e.name, e.rate.name, e.concentration.name) == (
        "Exponential/", "Exponential/rate_1:0", "Exponential/concentration:0")
    assert tfd.Gamma(1., 1., name="prior").name == "prior/"


def test_parameters_and_copy():
    d = tfd.Normal(loc=[0., 1.], scale=2., name="N")
    assert d.parameters == {"loc": [0., 1.], "scale": 2., "validate_args": False,
                            "allow_nan_stats": True, "name": "N"}
    d2 = d.copy(scale=5.)
    assert isinstance(d2, tfd.Normal) and d2.parameters["scale"] == 5.
    (scale, loc) = run(d2.scale, d2.loc)
    assert scale == 5. and loc.tolist() == [0., 1.]
    e = tfd.Exponential(3., allow_nan_stats=False)
    assert e.parameters == {"rate": 3., "validate_args": False, "allow_nan_stats": False,
                            "name": "Exponential"}
    assert not e.allow_nan_stats and not e.validate_args
    assert "batch_shape=()" in str(e)


def test_build_time_errors():
    with pytest.raises(ValueError, match="float"):
        tfd.Normal(fg.constant(0), fg.constant(1))
    with pytest.raises(ValueError, match="same float dtype"):
        tfd.Normal(fg.constant(0., fg.float32), fg.constant(1., fg.float64))
    with pytest.raises(ValueError, match="probs or logits, but not both"):
        tfd.Bernoulli(logits=0.1, probs=0.5)
    with pytest.raises(ValueError, match="probs or logits, but not both"):
        tfd.Categorical()
    with pytest.raises(TypeError, match="floating"):
        tfd.Bernoulli(logits=fg.constant(1))
    with pytest.raises(ValueError, match="at least 2 events"):
        tfd.Categorical(logits=[[1.]], validate_args=True)
    with pytest.raises(NotImplementedError, match="cdf is not implemented by Dirichlet"):
        tfd.Dirichlet([1., 2.]).cdf([0.5, 0.5])
    with pytest.raises(NotImplementedError, match="mean is not implemented by Categorical"):
        tfd.Categorical(logits=[1., 2.]).mean()


@pytest.mark.parametrize("make,method,arg,message", [
    (lambda: tfd.Normal(0., -1., validate_args=True), "log_prob", 0., "x > 0"),
    (lambda: tfd.Laplace(0., 0., validate_args=True), "log_prob", 0., "x > 0"),
    (lambda: tfd.Uniform(2., 1., validate_args=True), "mean", None, "low >= high"),
    (lambda: tfd.Gamma(-1., 1., validate_args=True), "mean", None, "x > 0"),
    (lambda: tfd.Gamma(1., 1., validate_args=True), "log_prob", -1., "x > 0"),
    (lambda: tfd.StudentT(-1., 0., 1., validate_args=True), "mean", None, "x > 0"),
    (lambda: tfd.Beta(-1., 1., validate_args=True), "mean", None, "must be positive"),
    (lambda: tfd.Beta(2., 1., validate_args=True), "log_prob", 1.5, "less than `1`"),
    (lambda: tfd.Bernoulli(probs=1.5, validate_args=True), "mean", None,
     "greater than 1"),
    (lambda: tfd.Bernoulli(probs=0.5, validate_args=True), "log_prob", 0.5, "bool"),
    (lambda: tfd.Categorical(probs=[0.5, 0.6], validate_args=True), "entropy", None,
     "sum to 1"),
    (lambda: tfd.Categorical(logits=[0., 0.], validate_args=True), "log_prob", 1.5,
     "int32-equivalent"),
    (lambda: tfd.Dirichlet([1., -2.], validate_args=True), "mean", None, "must be positive"),
    (lambda: tfd.Dirichlet([1., 2.], validate_args=True), "log_prob", [0.5, 0.6],
     "sum to `1`"),
])
def test_validate_args_fails(make, method, arg, message):
    # Constant arguments fail while building (as TF1's static assertion check); fed ones
    # fail when the graph runs.
    with pytest.raises(InvalidArgument, match=message):
        dist = make()
        out = getattr(dist, method)() if arg is None else getattr(dist, method)(arg)
        run(out)


def test_validate_args_with_fed_values_fails_at_run_time():
    scale = fg.placeholder(fg.float32, [2])
    lp = tfd.Normal(0., scale, validate_args=True).log_prob(0.)
    with fg.Session() as sess:
        np.testing.assert_allclose(sess.run(lp, {scale: [1., 1.]}),
                                   [-0.5 * np.log(2 * np.pi)] * 2, rtol=1e-6)
        with pytest.raises(InvalidArgument, match="x > 0"):
            sess.run(lp, {scale: [1., -1.]})


def test_validate_args_passes_valid_values():
    out = run(tfd.Normal(0., 1., validate_args=True).log_prob(0.),
              tfd.Bernoulli(probs=0.25, validate_args=True).log_prob(1),
              tfd.Categorical(probs=[0.25, 0.75], validate_args=True).log_prob(1.),
              tfd.Dirichlet([1., 2.], validate_args=True).log_prob([0.4, 0.6]))
    np.testing.assert_allclose(out, [-0.5 * np.log(2 * np.pi), np.log(0.25), np.log(0.75),
                                     np.log(2 * 0.6)], rtol=1e-6)


def test_allow_nan_stats_false_mode_fails():
    with pytest.raises(InvalidArgument, match="Mode undefined"):
        run(tfd.Beta(0.5, 2., allow_nan_stats=False).mode())
    with pytest.raises(InvalidArgument, match="mean not defined"):
        run(tfd.StudentT(0.5, 0., 1., allow_nan_stats=False).mean())


def test_subclass_distribution():
    class Dirac(tfd.Distribution):
        def __init__(self, point):
            self._point = fg.convert_to_tensor(point)
            super().__init__(dtype=self._point.dtype,
                             reparameterization_type=tfd.NOT_REPARAMETERIZED,
                             validate_args=False, allow_nan_stats=True,
                             graph_parents=[self._point])

        def _batch_shape(self):
            return self._point.shape

        def _event_shape(self):
            return fg.TensorShape([])

        def _sample_n(self, n, seed=None):
            return fg.tile(fg.expand_dims(self._point, 0), fg.stack([n, 1]))

        def _prob(self, x):
            return fg.cast(fg.equal(x, self._point), self.dtype)

    d = Dirac([1., 2.])
    assert d.name == "Dirac/"
    s, lp, var = d.sample(3), d.log_prob([1., 0.]), None
    values, log_probs = run(s, lp)
    assert values.tolist() == [[1., 2.]] * 3
    assert log_probs[0] == 0. and log_probs[1] == -np.inf
    with pytest.raises(NotImplementedError, match="variance"):
        var = d.variance()
    assert var is None
    with pytest.raises(ValueError, match="Graph parent item 0 is not a Tensor"):
        tfd.Distribution(fg.float32, tfd.NOT_REPARAMETERIZED, False, True,
                         graph_parents=[1.])
