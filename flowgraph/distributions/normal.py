"""The Normal (Gaussian) distribution, TF1's `tf.distributions.Normal`, and its KL."""

from __future__ import annotations

import math
from typing import Any

import flowgraph as fg
from flowgraph.distributions import bases, distribution, kullback_leibler, special_math

__all__ = ["Normal"]


class Normal(bases.FloatParams):
    """Normal distribution with mean `loc` and standard deviation `scale`.

    pdf(x) = exp(-0.5 ((x - loc) / scale)**2) / (scale sqrt(2 pi)). Parameters broadcast
    to the batch shape; samples are `loc + scale * z`, z ~ N(0, 1), so gradients flow
    through them (FULLY_REPARAMETERIZED).

    Example
    -------
    >>> d = fg.distributions.Normal(loc=[0., 1.], scale=2.)
    >>> d.log_prob([0.5, 0.5])     # shape [2]
    """

    _batch_params = ("loc", "scale")

    def __init__(self, loc: Any, scale: Any, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "Normal") -> None:
        parameters = dict(locals())
        checks = (lambda _, s: [fg.assert_positive(s)]) if validate_args else None
        self._init_float_params(parameters, "Normal", distribution.FULLY_REPARAMETERIZED,
                                checks)

    @property
    def loc(self) -> fg.Tensor:
        """Distribution parameter for the mean."""
        return self._loc

    @property
    def scale(self) -> fg.Tensor:
        """Distribution parameter for the standard deviation."""
        return self._scale

    def _sample_n(self, n, seed=None):
        shape = fg.concat([[n], self.batch_shape_tensor()], 0)
        sampled = fg.random_normal(shape=shape, mean=0., stddev=1., dtype=self.loc.dtype,
                                   seed=seed)
        return sampled * self.scale + self.loc

    def _log_prob(self, x):
        return self._log_unnormalized_prob(x) - self._log_normalization()

    def _log_cdf(self, x):
        return special_math.log_ndtr(self._z(x))

    def _cdf(self, x):
        return special_math.ndtr(self._z(x))

    def _log_survival_function(self, x):
        return special_math.log_ndtr(-self._z(x))

    def _survival_function(self, x):
        return special_math.ndtr(-self._z(x))

    def _log_unnormalized_prob(self, x):
        return -0.5 * fg.square(self._z(x))

    def _log_normalization(self):
        return 0.5 * math.log(2. * math.pi) + fg.log(self.scale)

    def _entropy(self):
        scale = self.scale * fg.ones_like(self.loc)
        return 0.5 * math.log(2. * math.pi * math.e) + fg.log(scale)

    def _mean(self):
        return self.loc * fg.ones_like(self.scale)

    def _quantile(self, p):
        return self._inv_z(special_math.ndtri(p))

    def _stddev(self):
        return self.scale * fg.ones_like(self.loc)

    def _mode(self):
        return self._mean()

    def _z(self, x):
        with fg.name_scope("standardize"):
            return (x - self.loc) / self.scale

    def _inv_z(self, z):
        with fg.name_scope("reconstruct"):
            return z * self.scale + self.loc


@kullback_leibler.RegisterKL(Normal, Normal)
def _kl_normal_normal(n_a: Normal, n_b: Normal, name: Any = None) -> fg.Tensor:
    """KL(n_a || n_b) = (mu_a - mu_b)**2 / (2 s_b**2) + (r - 1 - log r) / 2, r = s_a**2/s_b**2."""
    with fg.name_scope(name or "kl_normal_normal"):
        s_a_squared = fg.square(n_a.scale)
        s_b_squared = fg.square(n_b.scale)
        ratio = s_a_squared / s_b_squared
        return (fg.squared_difference(n_a.loc, n_b.loc) / (2. * s_b_squared)
                + 0.5 * (ratio - 1. - fg.log(ratio)))
