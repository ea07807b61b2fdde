"""The Gamma and Exponential distributions (TF1's `tf.distributions.Gamma`, `Exponential`)
and the Gamma-Gamma KL (which also serves Exponential, a subclass)."""

from __future__ import annotations

from typing import Any

import numpy as np

import flowgraph as fg
from flowgraph.distributions import bases, distribution, kullback_leibler, util

__all__ = ["Gamma", "Exponential"]


class Gamma(bases.FloatParams):
    """Gamma distribution with shape `concentration` and inverse scale `rate`.

    pdf(x) = x**(c - 1) exp(-rate x) rate**c / Gamma(c), x > 0. Samples come from
    fg.random_gamma, which has no gradient in flowgraph, so this is NOT_REPARAMETERIZED
    (TF 1.15 differentiates its gamma sampler and says FULLY_REPARAMETERIZED).
    """

    _batch_params = ("concentration", "rate")

    def __init__(self, concentration: Any, rate: Any, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Gamma") -> None:
        parameters = dict(locals())
        checks = None
        if validate_args:
            def checks(c, r):
                return [fg.assert_positive(c), fg.assert_positive(r)]
        self._init_float_params(parameters, type(self).__name__,
                                distribution.NOT_REPARAMETERIZED, checks)

    @property
    def concentration(self) -> fg.Tensor:
        """Concentration parameter."""
        return self._concentration

    @property
    def rate(self) -> fg.Tensor:
        """Rate parameter."""
        return self._rate

    def _sample_n(self, n, seed=None):
        return fg.random_gamma(shape=_vector(n), alpha=self.concentration,
                               beta=self.rate, dtype=self.dtype, seed=seed)

    def _log_prob(self, x):
        return self._log_unnormalized_prob(x) - self._log_normalization()

    def _cdf(self, x):
        x = self._maybe_assert_valid_sample(x)
        # igamma is the regularized lower incomplete gamma function: the cdf.
        return fg.igamma(self.concentration, self.rate * x)

    def _log_unnormalized_prob(self, x):
        x = self._maybe_assert_valid_sample(x)
        return fg.math.xlogy(self.concentration - 1., x) - self.rate * x

    def _log_normalization(self):
        return fg.lgamma(self.concentration) - self.concentration * fg.log(self.rate)

    def _entropy(self):
        return (self.concentration - fg.log(self.rate) + fg.lgamma(self.concentration)
                + (1. - self.concentration) * fg.digamma(self.concentration))

    def _mean(self):
        return self.concentration / self.rate

    def _variance(self):
        return self.concentration / fg.square(self.rate)

    def _stddev(self):
        return fg.sqrt(self.concentration) / self.rate

    def _mode(self):
        """(concentration - 1) / rate where concentration > 1, else NaN (or a failed run
        when allow_nan_stats=False)."""
        mode = (self.concentration - 1.) / self.rate
        mode = mode * fg.ones(self.batch_shape_tensor(), dtype=self.dtype)
        return util.nan_where_undefined(self, mode, self.concentration > 1.,
                                        "mode not defined when any concentration <= 1")

    def _maybe_assert_valid_sample(self, x):
        if x.dtype != self.dtype:
            raise ValueError(f"{type(self).__name__}: value has dtype {x.dtype.name}, "
                             f"expected {self.dtype.name}")
        if not self.validate_args:
            return x
        return fg.with_dependencies([fg.assert_positive(x)], x)


def _vector(n: Any) -> Any:
    """The sample count as a 1-D shape: [n] for a number, reshaped for a tensor."""
    return fg.reshape(n, [1]) if isinstance(n, fg.Tensor) else [int(n)]


class Exponential(Gamma):
    """Exponential distribution with `rate`: pdf(x) = rate exp(-rate x), x >= 0.

    A Gamma with concentration 1. Samples are -log(u) / rate with u uniform on (0, 1), so
    gradients flow through them (FULLY_REPARAMETERIZED).
    """

    def __init__(self, rate: Any, validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Exponential") -> None:
        parameters = dict(locals())
        with fg.name_scope(name) as name:
            self._rate = fg.convert_to_tensor(rate, name="rate", preferred_dtype=fg.float32)
        super().__init__(concentration=fg.ones([], dtype=self._rate.dtype), rate=self._rate,
                         allow_nan_stats=allow_nan_stats, validate_args=validate_args,
                         name=name)
        self._parameters = parameters
        self._graph_parents.append(self._rate)
        self._reparameterization_type = distribution.FULLY_REPARAMETERIZED

    @property
    def rate(self) -> fg.Tensor:
        return self._rate

    def _log_survival_function(self, value):
        return self._log_prob(value) - fg.log(self._rate)

    def _sample_n(self, n, seed=None):
        shape = fg.concat([[n], fg.shape(self._rate)], 0)
        # Open interval (0, 1): u = 0 would give an infinite sample.
        sampled = fg.random_uniform(shape, minval=np.finfo(self.dtype.np).tiny, maxval=1.,
                                    seed=seed, dtype=self.dtype)
        return -fg.log(sampled) / self._rate


@kullback_leibler.RegisterKL(Gamma, Gamma)
def _kl_gamma_gamma(g0: Gamma, g1: Gamma, name: Any = None) -> fg.Tensor:
    """KL(g0 || g1) for Gamma distributions (W. Penny, "KL-divergences of Normal, Gamma,
    Dirichlet and Wishart densities")."""
    with fg.name_scope(name or "kl_gamma_gamma"):
        return ((g0.concentration - g1.concentration) * fg.digamma(g0.concentration)
                + fg.lgamma(g1.concentration) - fg.lgamma(g0.concentration)
                + g1.concentration * fg.log(g0.rate) - g1.concentration * fg.log(g1.rate)
                + g0.concentration * (g1.rate / g0.rate - 1.))
