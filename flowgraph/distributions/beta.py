"""The Beta distribution, TF1's `tf.distributions.Beta`, and the Beta-Beta KL."""

from __future__ import annotations

from typing import Any

import flowgraph as fg
from flowgraph.distributions import bases, distribution, kullback_leibler, util
from flowgraph.distributions.gamma import _vector

__all__ = ["Beta"]


class Beta(bases.BroadcastBatch, bases.ScalarEvent):
    """Beta distribution on (0, 1) with `concentration1` (alpha) and `concentration0` (beta).

    pdf(x) = x**(a - 1) (1 - x)**(b - 1) / B(a, b). Samples are g1 / (g1 + g0) for Gamma
    draws; the gamma sampler has no gradient in flowgraph, so NOT_REPARAMETERIZED.
    """

    _batch_params = ("total_concentration",)

    def __init__(self, concentration1: Any = None, concentration0: Any = None,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Beta") -> None:
        parameters = dict(locals())
        with fg.name_scope(name) as name:
            checks = None
            if validate_args:
                def checks(*cs):
                    msg = "Concentration parameter must be positive."
                    return [fg.assert_positive(c, message=msg) for c in cs]
            self._concentration1, self._concentration0 = util.float_params(
                [concentration1, concentration0], ["concentration1", "concentration0"],
                "Beta", checks)
            self._total_concentration = self._concentration1 + self._concentration0
        super().__init__(dtype=self._total_concentration.dtype,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats,
                         reparameterization_type=distribution.NOT_REPARAMETERIZED,
                         parameters=parameters,
                         graph_parents=[self._concentration1, self._concentration0,
                                        self._total_concentration], name=name)

    @property
    def concentration1(self) -> fg.Tensor:
        """Concentration parameter associated with a `1` outcome."""
        return self._concentration1

    @property
    def concentration0(self) -> fg.Tensor:
        """Concentration parameter associated with a `0` outcome."""
        return self._concentration0

    @property
    def total_concentration(self) -> fg.Tensor:
        """Sum of concentration parameters."""
        return self._total_concentration

    def _sample_n(self, n, seed=None):
        ones = fg.ones_like(self.total_concentration, dtype=self.dtype)
        gamma1 = fg.random_gamma(shape=_vector(n), alpha=ones * self.concentration1,
                                 dtype=self.dtype, seed=seed)
        gamma2 = fg.random_gamma(shape=_vector(n), alpha=ones * self.concentration0,
                                 dtype=self.dtype, seed=util.gen_new_seed(seed, "beta"))
        return gamma1 / (gamma1 + gamma2)

    def _log_prob(self, x):
        return self._log_unnormalized_prob(x) - self._log_normalization()

    def _prob(self, x):
        return fg.exp(self._log_prob(x))

    def _log_cdf(self, x):
        return fg.log(self._cdf(x))

    def _cdf(self, x):
        return fg.betainc(self.concentration1, self.concentration0, x)

    def _log_unnormalized_prob(self, x):
        x = self._maybe_assert_valid_sample(x)
        return (fg.math.xlogy(self.concentration1 - 1., x)
                + (self.concentration0 - 1.) * fg.log1p(-x))

    def _log_normalization(self):
        return (fg.lgamma(self.concentration1) + fg.lgamma(self.concentration0)
                - fg.lgamma(self.total_concentration))

    def _entropy(self):
        return (self._log_normalization()
                - (self.concentration1 - 1.) * fg.digamma(self.concentration1)
                - (self.concentration0 - 1.) * fg.digamma(self.concentration0)
                + (self.total_concentration - 2.) * fg.digamma(self.total_concentration))

    def _mean(self):
        return self._concentration1 / self._total_concentration

    def _variance(self):
        return self._mean() * (1. - self._mean()) / (1. + self.total_concentration)

    def _mode(self):
        """(a - 1) / (a + b - 2) where both concentrations > 1, else NaN (or a failed run
        when allow_nan_stats=False)."""
        mode = (self.concentration1 - 1.) / (self.total_concentration - 2.)
        defined = fg.logical_and(self.concentration1 > 1., self.concentration0 > 1.)
        return util.nan_where_undefined(self, mode, defined,
                                        "Mode undefined for concentration1 <= 1 or "
                                        "concentration0 <= 1.")

    def _maybe_assert_valid_sample(self, x):
        if not self.validate_args:
            return x
        return fg.with_dependencies([
            fg.assert_positive(x, message="sample must be positive"),
            fg.assert_less(x, fg.ones([], self.dtype),
                           message="sample must be less than `1`.")], x)


@kullback_leibler.RegisterKL(Beta, Beta)
def _kl_beta_beta(d1: Beta, d2: Beta, name: Any = None) -> fg.Tensor:
    """KL(d1 || d2) for Beta distributions, in closed form with digamma."""
    with fg.name_scope(name or "kl_beta_beta"):
        return (d2._log_normalization() - d1._log_normalization()
                - fg.digamma(d1.concentration1) * (d2.concentration1 - d1.concentration1)
                - fg.digamma(d1.concentration0) * (d2.concentration0 - d1.concentration0)
                + fg.digamma(d1.total_concentration)
                * (d2.total_concentration - d1.total_concentration))
