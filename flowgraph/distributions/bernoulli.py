"""The Bernoulli distribution, TF1's `tf.distributions.Bernoulli`, and its KL."""

from __future__ import annotations

from typing import Any

import flowgraph as fg
from flowgraph.distributions import bases, kullback_leibler, util

__all__ = ["Bernoulli"]


class Bernoulli(bases.LogitsProbs, bases.BroadcastBatch, bases.ScalarEvent):
    """Bernoulli distribution over {0, 1}: P[X = 1] = probs = sigmoid(logits).

    Give exactly one of `logits` and `probs`. Samples have `dtype` (int32 by default) and
    are not reparameterized.
    """

    _batch_params = ("logits",)

    def __init__(self, logits: Any = None, probs: Any = None, dtype: Any = fg.int32,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Bernoulli") -> None:
        self._init_logits_probs(dict(locals()))

    @property
    def logits(self) -> fg.Tensor:
        """Log-odds of a `1` outcome (vs `0`)."""
        return self._logits

    @property
    def probs(self) -> fg.Tensor:
        """Probability of a `1` outcome (vs `0`)."""
        return self._probs

    def _sample_n(self, n, seed=None):
        new_shape = fg.concat([[n], self.batch_shape_tensor()], 0)
        uniform = fg.random_uniform(new_shape, seed=seed, dtype=self.probs.dtype)
        return fg.cast(fg.less(uniform, self.probs), self.dtype)

    def _log_prob(self, event):
        if self.validate_args:
            event = util.embed_check_integer_casting_closed(event, target_dtype=fg.bool)
        event = fg.cast(event, self.logits.dtype)
        logits = self.logits
        # sigmoid_cross_entropy_with_logits needs equal shapes.
        if not (event.shape.is_fully_defined() and logits.shape.is_fully_defined()
                and event.shape == logits.shape):
            logits, event = fg.ones_like(event) * logits, fg.ones_like(logits) * event
        return -fg.nn.sigmoid_cross_entropy_with_logits(labels=event, logits=logits)

    def _entropy(self):
        return -self.logits * (fg.sigmoid(self.logits) - 1) + fg.nn.softplus(-self.logits)

    def _mean(self):
        return fg.identity(self.probs)

    def _variance(self):
        return self._mean() * (1. - self.probs)

    def _mode(self):
        """1 where probs > 0.5, else 0."""
        return fg.cast(self.probs > 0.5, self.dtype)


@kullback_leibler.RegisterKL(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(a: Bernoulli, b: Bernoulli, name: Any = None) -> fg.Tensor:
    """KL(a || b) for two batches of Bernoulli distributions, from their logits."""
    with fg.name_scope(name or "kl_bernoulli_bernoulli"):
        delta_probs0 = fg.nn.softplus(-b.logits) - fg.nn.softplus(-a.logits)
        delta_probs1 = fg.nn.softplus(b.logits) - fg.nn.softplus(a.logits)
        return fg.sigmoid(a.logits) * delta_probs0 + fg.sigmoid(-a.logits) * delta_probs1
