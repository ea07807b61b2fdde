"""The continuous Uniform distribution, TF1's `tf.distributions.Uniform`."""

from __future__ import annotations

import math
from typing import Any

import flowgraph as fg
from flowgraph.distributions import bases, distribution

__all__ = ["Uniform"]


class Uniform(bases.FloatParams):
    """Uniform distribution on [low, high).

    pdf(x) = 1 / (high - low) for low <= x < high, else 0. Samples are
    `low + (high - low) * u`, u ~ U[0, 1): FULLY_REPARAMETERIZED.
    """

    _batch_params = ("low", "high")

    def __init__(self, low: Any = 0., high: Any = 1., validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Uniform") -> None:
        parameters = dict(locals())
        checks = None
        if validate_args:
            def checks(lo, hi):
                return [fg.assert_less(lo, hi, message="uniform not defined when "
                                       "low >= high.")]
        self._init_float_params(parameters, "Uniform", distribution.FULLY_REPARAMETERIZED,
                                checks)

    @property
    def low(self) -> fg.Tensor:
        """Lower boundary of the output interval."""
        return self._low

    @property
    def high(self) -> fg.Tensor:
        """Upper boundary of the output interval."""
        return self._high

    def range(self, name: str = "range") -> fg.Tensor:
        """`high - low`."""
        with self._name_scope(name):
            return self.high - self.low

    def _sample_n(self, n, seed=None):
        shape = fg.concat([[n], self.batch_shape_tensor()], 0)
        samples = fg.random_uniform(shape=shape, dtype=self.dtype, seed=seed)
        return self.low + self.range() * samples

    def _prob(self, x):
        broadcasted_x = x * fg.ones(self.batch_shape_tensor(), dtype=x.dtype)
        outside = fg.logical_or(broadcasted_x < self.low, broadcasted_x >= self.high)
        inside = fg.where_v2(outside, fg.zeros_like(broadcasted_x),
                             fg.ones_like(broadcasted_x) / self.range())
        return fg.where_v2(fg.is_nan(broadcasted_x), broadcasted_x, inside)

    def _cdf(self, x):
        broadcast_shape = fg.broadcast_dynamic_shape(fg.shape(x), self.batch_shape_tensor())
        zeros = fg.zeros(broadcast_shape, dtype=self.dtype)
        ones = fg.ones(broadcast_shape, dtype=self.dtype)
        broadcasted_x = x * ones
        result_if_not_big = fg.where_v2(x < self.low, zeros,
                                        (broadcasted_x - self.low) / self.range())
        return fg.where_v2(x >= self.high, ones, result_if_not_big)

    def _entropy(self):
        return fg.log(self.range())

    def _mean(self):
        return (self.low + self.high) / 2.

    def _variance(self):
        return fg.square(self.range()) / 12.

    def _stddev(self):
        return self.range() / math.sqrt(12.)
