"""Student's t distribution, TF1's `tf.distributions.StudentT`."""

from __future__ import annotations

from typing import Any

import numpy as np

import flowgraph as fg
from flowgraph.distributions import bases, distribution, util
from flowgraph.distributions.gamma import _vector

__all__ = ["StudentT"]


class StudentT(bases.FloatParams):
    """Student's t distribution with degrees of freedom `df`, location `loc`, scale `scale`.

    pdf(x) = (1 + y**2 / df)**(-(df + 1) / 2) / Z, y = (x - loc) / scale,
    Z = |scale| sqrt(df) sqrt(pi) Gamma(df / 2) / Gamma((df + 1) / 2).
    Samples use a Gamma draw, which has no gradient here: NOT_REPARAMETERIZED (as TF1).
    """

    _batch_params = ("df", "loc", "scale")

    def __init__(self, df: Any, loc: Any, scale: Any, validate_args: bool = False,
                 allow_nan_stats: bool = True, name: str = "StudentT") -> None:
        parameters = dict(locals())
        checks = (lambda d, _l, _s: [fg.assert_positive(d)]) if validate_args else None
        self._init_float_params(parameters, "StudentT", distribution.NOT_REPARAMETERIZED,
                                checks)

    @property
    def df(self) -> fg.Tensor:
        """Degrees of freedom in these Student's t distribution(s)."""
        return self._df

    @property
    def loc(self) -> fg.Tensor:
        """Locations of these Student's t distribution(s)."""
        return self._loc

    @property
    def scale(self) -> fg.Tensor:
        """Scaling factors of these Student's t distribution(s)."""
        return self._scale

    def _ones(self):
        return fg.ones(self.batch_shape_tensor(), dtype=self.dtype)

    def _sample_n(self, n, seed=None):
        # X ~ Normal(0, 1), Z ~ Chi2(df) = Gamma(df / 2, 1 / 2): X / sqrt(Z / df) ~ t(df).
        shape = fg.concat([[n], self.batch_shape_tensor()], 0)
        normal_sample = fg.random_normal(shape, dtype=self.dtype, seed=seed)
        df = self.df * self._ones()
        gamma_sample = fg.random_gamma(_vector(n), 0.5 * df, beta=0.5, dtype=self.dtype,
                                       seed=util.gen_new_seed(seed, salt="student_t"))
        samples = normal_sample * fg.rsqrt(gamma_sample / df)
        return samples * self.scale + self.loc

    def _log_prob(self, x):
        return self._log_unnormalized_prob(x) - self._log_normalization()

    def _log_unnormalized_prob(self, x):
        y = (x - self.loc) / self.scale
        return -0.5 * (self.df + 1.) * fg.log1p(fg.square(y) / self.df)

    def _log_normalization(self):
        return (fg.log(fg.abs(self.scale)) + 0.5 * fg.log(self.df) + 0.5 * np.log(np.pi)
                + fg.lgamma(0.5 * self.df) - fg.lgamma(0.5 * (self.df + 1.)))

    def _cdf(self, x):
        y = (x - self.loc) / fg.abs(self.scale)
        x_t = self.df / (fg.square(y) + self.df)
        neg_cdf = 0.5 * fg.betainc(0.5 * self.df, 0.5 * fg.ones_like(x_t), x_t)
        return fg.where_v2(fg.less(y, 0.), neg_cdf, 1. - neg_cdf)

    def _entropy(self):
        v = fg.expand_dims(self._ones(), -1)
        u = v * fg.expand_dims(self.df, -1)
        beta_arg = fg.concat([u, v], -1) / 2.
        return (fg.log(fg.abs(self.scale)) + 0.5 * fg.log(self.df) + fg.lbeta(beta_arg)
                + 0.5 * (self.df + 1.)
                * (fg.digamma(0.5 * (self.df + 1.)) - fg.digamma(0.5 * self.df)))

    def _mean(self):
        """loc where df > 1, else NaN (or a failed run when allow_nan_stats=False)."""
        mean = self.loc * self._ones()
        return util.nan_where_undefined(self, mean, self.df * self._ones() > 1.,
                                        "mean not defined for components of df <= 1")

    def _variance(self):
        """scale**2 df / (df - 2) where df > 2, inf where 1 < df <= 2, NaN where df <= 1
        (or a failed run there when allow_nan_stats=False)."""
        df = self.df * self._ones()
        # The inner where keeps df - 2 <= 0 out of the division (no NaN gradients).
        denom = fg.where_v2(fg.greater(df, 2.), df - 2., fg.ones_like(df))
        var = self._ones() * fg.square(self.scale) * df / denom
        inf = fg.fill(self.batch_shape_tensor(), np.array(np.inf, dtype=self.dtype.np))
        result = fg.where_v2(df > 2., var, inf)
        return util.nan_where_undefined(self, result, df > 1.,
                                        "variance not defined for components of df <= 1")

    def _mode(self):
        return fg.identity(self.loc)
