"""The Dirichlet-multinomial distribution, TF1's `tf.distributions.DirichletMultinomial`."""

from __future__ import annotations

from typing import Any

import flowgraph as fg
from flowgraph.distributions import bases, distribution, util
from flowgraph.distributions import counts as count_util
from flowgraph.distributions.gamma import _vector

__all__ = ["DirichletMultinomial"]


class DirichletMultinomial(bases.ConcentrationVector):
    """Counts of `total_count` draws among K classes whose probabilities are drawn from a
    Dirichlet(`concentration`) (one probability vector per sample).

    pmf(n) = total_count! / prod(n_j!) * B(concentration + n) / B(concentration).
    Events have shape [K] and the float dtype; not reparameterized.
    """

    def __init__(self, total_count: Any, concentration: Any, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "DirichletMultinomial") -> None:
        parameters = dict(locals())
        with fg.name_scope(name) as name:
            concentration = util.float_tensor(concentration, "concentration",
                                              "DirichletMultinomial")
            self._total_count = count_util.convert_total_count(
                total_count, concentration.dtype, validate_args, "DirichletMultinomial")
            if validate_args:
                concentration = util.embed_check_categorical_event_shape(concentration)
                concentration = fg.with_dependencies([fg.assert_positive(
                    concentration, message="Concentration parameter must be positive.")],
                    concentration)
            self._concentration = concentration
            self._total_concentration = fg.reduce_sum(self._concentration, -1)
        super().__init__(dtype=self._concentration.dtype, validate_args=validate_args,
                         allow_nan_stats=allow_nan_stats,
                         reparameterization_type=distribution.NOT_REPARAMETERIZED,
                         parameters=parameters,
                         graph_parents=[self._total_count, self._concentration], name=name)

    @property
    def total_count(self) -> fg.Tensor:
        """Number of trials used to construct a sample."""
        return self._total_count

    @property
    def concentration(self) -> fg.Tensor:
        """Concentration parameter; expected prior counts for that coordinate."""
        return self._concentration

    def _sample_n(self, n, seed=None):
        k = self.event_shape_tensor()[0]
        gamma = fg.random_gamma(shape=_vector(n), alpha=self.concentration,
                                dtype=self.dtype, seed=seed)  # [n, batch..., k]
        logits = fg.reshape(fg.log(gamma), fg.stack([-1, k]))
        n_draws = fg.cast(self.total_count, fg.int32) * fg.ones(self.batch_shape_tensor(),
                                                                dtype=fg.int32)
        n_draws = fg.tile(fg.reshape(n_draws, [-1]), fg.reshape(n, [1]))
        x = count_util.draw_counts(logits, n_draws, k,
                                   util.gen_new_seed(seed, salt="dirichlet_multinomial"),
                                   self.dtype)
        return fg.reshape(x, fg.concat([[n], self.batch_shape_tensor(), [k]], 0))

    def _log_prob(self, counts):
        counts = count_util.check_counts(self, counts)
        ordered_prob = fg.lbeta(self.concentration + counts) - fg.lbeta(self.concentration)
        return ordered_prob + count_util.log_combinations(self.total_count, counts)

    def _prob(self, counts):
        return fg.exp(self._log_prob(counts))

    def _mean(self):
        return self.total_count * (self.concentration
                                   / fg.expand_dims(self.total_concentration, -1))

    def _variance(self):
        scale = self._variance_scale_term()
        x = scale * self._mean()
        return x * (self.total_count * scale - x)

    def _variance_scale_term(self):
        c0 = fg.expand_dims(self.total_concentration, -1)
        return fg.sqrt((1. + c0 / self.total_count) / (1. + c0))
