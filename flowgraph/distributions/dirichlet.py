"""The Dirichlet distribution, TF1's `tf.distributions.Dirichlet`, and its KL."""

from __future__ import annotations

from typing import Any

import flowgraph as fg
from flowgraph.distributions import bases, distribution, kullback_leibler, util
from flowgraph.distributions.gamma import _vector

__all__ = ["Dirichlet"]


class Dirichlet(bases.ConcentrationVector):
    """Dirichlet distribution over the probability simplex with `concentration` [..., k].

    pdf(x) = prod(x_j**(c_j - 1)) / B(c). Batch shape is concentration.shape[:-1], event
    shape [k]. Samples normalize Gamma draws; the gamma sampler has no gradient in
    flowgraph, so NOT_REPARAMETERIZED.
    """

    def __init__(self, concentration: Any, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Dirichlet") -> None:
        parameters = dict(locals())
        with fg.name_scope(name) as name:
            concentration = util.float_tensor(concentration, "concentration", "Dirichlet",
                                              hint="; pass floats")
            if concentration.shape.ndims == 0:
                raise ValueError("Dirichlet: concentration must have rank >= 1 (batch shape "
                                 "+ [event_size]), got a scalar")
            self._concentration = self._maybe_assert_valid_concentration(concentration,
                                                                         validate_args)
            self._total_concentration = fg.reduce_sum(self._concentration, -1)
        super().__init__(dtype=self._concentration.dtype, validate_args=validate_args,
                         allow_nan_stats=allow_nan_stats,
                         reparameterization_type=distribution.NOT_REPARAMETERIZED,
                         parameters=parameters,
                         graph_parents=[self._concentration, self._total_concentration],
                         name=name)

    @property
    def concentration(self) -> fg.Tensor:
        """Concentration parameter; expected counts for that coordinate."""
        return self._concentration

    def _sample_n(self, n, seed=None):
        gamma_sample = fg.random_gamma(shape=_vector(n), alpha=self.concentration,
                                       dtype=self.dtype, seed=seed)
        return gamma_sample / fg.reduce_sum(gamma_sample, -1, keepdims=True)

    def _log_prob(self, x):
        return self._log_unnormalized_prob(x) - self._log_normalization()

    def _prob(self, x):
        return fg.exp(self._log_prob(x))

    def _log_unnormalized_prob(self, x):
        x = self._maybe_assert_valid_sample(x)
        return fg.reduce_sum(fg.math.xlogy(self.concentration - 1., x), -1)

    def _log_normalization(self):
        return fg.lbeta(self.concentration)

    def _entropy(self):
        k = fg.cast(self.event_shape_tensor()[0], self.dtype)
        return (self._log_normalization()
                + (self.total_concentration - k) * fg.digamma(self.total_concentration)
                - fg.reduce_sum((self.concentration - 1.) * fg.digamma(self.concentration),
                                axis=-1))

    def _mean(self):
        return self.concentration / fg.expand_dims(self.total_concentration, -1)

    def _variance(self):
        scale = self._variance_scale_term()
        x = scale * self._mean()
        return x * (scale - x)

    def _variance_scale_term(self):
        return fg.rsqrt(1. + fg.expand_dims(self.total_concentration, -1))

    def _mode(self):
        """(c - 1) / (sum(c) - k) where every c > 1, else NaN (or a failed run when
        allow_nan_stats=False)."""
        k = fg.cast(self.event_shape_tensor()[0], self.dtype)
        mode = (self.concentration - 1.) / (fg.expand_dims(self.total_concentration, -1) - k)
        defined = fg.reduce_all(self.concentration > 1., axis=-1, keepdims=True)
        return util.nan_where_undefined(self, mode, defined,
                                        "Mode undefined when any concentration <= 1")

    @staticmethod
    def _maybe_assert_valid_concentration(concentration, validate_args):
        if not validate_args:
            return concentration
        return fg.with_dependencies([
            fg.assert_positive(concentration,
                               message="Concentration parameter must be positive."),
            fg.assert_rank_at_least(concentration, 1, message="Concentration parameter "
                                    "must have >=1 dimensions."),
            fg.assert_less(1, fg.shape(concentration)[-1], message="Concentration "
                           "parameter must have event_size >= 2."),
        ], concentration)

    def _maybe_assert_valid_sample(self, x):
        if not self.validate_args:
            return x
        return fg.with_dependencies([
            fg.assert_positive(x, message="samples must be positive"),
            fg.assert_near(fg.ones([], dtype=self.dtype), fg.reduce_sum(x, -1),
                           message="sample last-dimension must sum to `1`"),
        ], x)


@kullback_leibler.RegisterKL(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(d1: Dirichlet, d2: Dirichlet, name: Any = None) -> fg.Tensor:
    """KL(d1 || d2) = sum((c1 - c2) (digamma(c1) - digamma(sum c1))) - lbeta(c1) + lbeta(c2)."""
    with fg.name_scope(name or "kl_dirichlet_dirichlet"):
        digamma_sum_d1 = fg.digamma(fg.reduce_sum(d1.concentration, axis=-1, keepdims=True))
        digamma_diff = fg.digamma(d1.concentration) - digamma_sum_d1
        concentration_diff = d1.concentration - d2.concentration
        return (fg.reduce_sum(concentration_diff * digamma_diff, axis=-1)
                - fg.lbeta(d1.concentration) + fg.lbeta(d2.concentration))
