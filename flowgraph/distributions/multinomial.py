"""The Multinomial distribution, TF1's `tf.distributions.Multinomial`."""

from __future__ import annotations

from typing import Any

import flowgraph as fg
from flowgraph.distributions import bases, distribution
from flowgraph.distributions import counts as count_util

__all__ = ["Multinomial"]


class Multinomial(bases.LogitsProbs, bases.VectorEvent):
    """Counts of `total_count` draws among K classes with probabilities `probs`.

    pmf(n) = total_count! / prod(n_j!) * prod(probs_j**n_j) for counts n summing to
    total_count. `total_count` (floats holding whole numbers) broadcasts against the
    batch shape of `logits`/`probs` ([..., K]); events have shape [K] and the float dtype.
    """

    _multidimensional = True
    _event_param = "_mean_val"

    def __init__(self, total_count: Any, logits: Any = None, probs: Any = None,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Multinomial") -> None:
        parameters = dict(locals())
        with fg.name_scope(name) as name:
            self._convert_logits_and_probs(parameters, name)
            self._total_count = count_util.convert_total_count(
                total_count, self._probs.dtype, validate_args, "Multinomial")
            self._mean_val = fg.expand_dims(self._total_count, -1) * self._probs
        super().__init__(dtype=self._probs.dtype,
                         reparameterization_type=distribution.NOT_REPARAMETERIZED,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats,
                         parameters=parameters,
                         graph_parents=[self._total_count, self._logits, self._probs],
                         name=name)

    @property
    def total_count(self) -> fg.Tensor:
        """Number of trials used to construct a sample."""
        return self._total_count

    @property
    def logits(self) -> fg.Tensor:
        """Vector of coordinatewise logits."""
        return self._logits

    @property
    def probs(self) -> fg.Tensor:
        """Probability of drawing a `1` in that coordinate."""
        return self._probs

    def _batch_shape_tensor(self):
        return fg.shape(self._mean_val)[:-1]

    def _batch_shape(self):
        shape = self._mean_val.shape
        return shape if shape.ndims is None else shape[:-1]

    def _sample_n(self, n, seed=None):
        k = self.event_shape_tensor()[0]
        n_draws = fg.cast(self.total_count, fg.int32)
        n_draws = fg.ones_like(self.logits[..., 0], dtype=fg.int32) * n_draws
        logits = fg.ones_like(fg.expand_dims(n_draws, -1), dtype=self.logits.dtype) \
            * self.logits
        flat_logits = fg.reshape(logits, fg.stack([-1, k]))
        flat_draws = fg.reshape(n_draws, [-1])
        x = count_util.draw_counts(fg.tile(flat_logits, fg.stack([n, 1])),
                                   fg.tile(flat_draws, fg.reshape(n, [1])), k, seed,
                                   self.dtype)
        return fg.reshape(x, fg.concat([[n], self.batch_shape_tensor(), [k]], 0))

    def _log_prob(self, counts):
        return self._log_unnormalized_prob(counts) - self._log_normalization(counts)

    def _log_unnormalized_prob(self, counts):
        counts = count_util.check_counts(self, counts)
        return fg.reduce_sum(counts * fg.nn.log_softmax(self.logits), -1)

    def _log_normalization(self, counts):
        counts = count_util.check_counts(self, counts)
        return -count_util.log_combinations(self.total_count, counts)

    def _mean(self):
        return fg.identity(self._mean_val)

    def _covariance(self):
        p = self.probs * fg.expand_dims(fg.ones_like(self.total_count), -1)
        outer = fg.matmul(fg.expand_dims(self._mean_val, -1), fg.expand_dims(p, -2))
        return fg.matrix_set_diag(-outer, self._variance())

    def _variance(self):
        p = self.probs * fg.expand_dims(fg.ones_like(self.total_count), -1)
        return self._mean_val - self._mean_val * p
