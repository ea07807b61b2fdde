"""The Laplace distribution, TF1's `tf.distributions.Laplace`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import flowgraph as fg
from flowgraph.distributions import bases, distribution, special_math

__all__ = ["Laplace"]


class Laplace(bases.FloatParams):
    """Laplace distribution with location `loc` and scale `scale` > 0.

    pdf(x) = exp(-|x - loc| / scale) / (2 scale). Samples are
    `loc - scale * sign(u) * log1p(-|u|)` for u uniform on (-1, 1): FULLY_REPARAMETERIZED.
    """

    _batch_params = ("loc", "scale")

    def __init__(self, loc: Any, scale: Any, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Laplace") -> None:
        parameters = dict(locals())
        checks = (lambda _, s: [fg.assert_positive(s)]) if validate_args else None
        self._init_float_params(parameters, "Laplace", distribution.FULLY_REPARAMETERIZED,
                                checks)

    @property
    def loc(self) -> fg.Tensor:
        """Distribution parameter for the location."""
        return self._loc

    @property
    def scale(self) -> fg.Tensor:
        """Distribution parameter for scale."""
        return self._scale

    def _sample_n(self, n, seed=None):
        shape = fg.concat([[n], self.batch_shape_tensor()], 0)
        np_dtype = self.dtype.np
        # Open interval (-1, 1): u = -1 would give log1p(-1) = -inf.
        uniform = fg.random_uniform(shape=shape, minval=np.nextafter(np_dtype.type(-1.),
                                                                    np_dtype.type(0.)),
                                    maxval=1., dtype=self.dtype, seed=seed)
        return self.loc - self.scale * fg.sign(uniform) * fg.log1p(-fg.abs(uniform))

    def _log_prob(self, x):
        return self._log_unnormalized_prob(x) - self._log_normalization()

    def _prob(self, x):
        return fg.exp(self._log_prob(x))

    def _log_cdf(self, x):
        return special_math.log_cdf_laplace(self._z(x))

    def _log_survival_function(self, x):
        return special_math.log_cdf_laplace(-self._z(x))

    def _cdf(self, x):
        z = self._z(x)
        return 0.5 + 0.5 * fg.sign(z) * (1. - fg.exp(-fg.abs(z)))

    def _log_unnormalized_prob(self, x):
        return -fg.abs(self._z(x))

    def _log_normalization(self):
        return math.log(2.) + fg.log(self.scale)

    def _entropy(self):
        scale = self.scale + fg.zeros_like(self.loc)
        return math.log(2.) + 1. + fg.log(scale)

    def _mean(self):
        return self.loc + fg.zeros_like(self.scale)

    def _stddev(self):
        return math.sqrt(2.) * self.scale + fg.zeros_like(self.loc)

    def _mode(self):
        return self._mean()

    def _z(self, x):
        return (x - self.loc) / self.scale
