"""The Categorical distribution, TF1's `tf.distributions.Categorical`, and its KL."""

from __future__ import annotations

from typing import Any

import numpy as np

import flowgraph as fg
from flowgraph.distributions import bases, kullback_leibler, util

__all__ = ["Categorical"]


class Categorical(bases.LogitsProbs, bases.ScalarEvent):
    """Categorical distribution over classes {0, ..., K-1}.

    `logits` (or `probs`) has shape batch_shape + [K]; give exactly one of them. Events are
    scalar class indices of `dtype` (int32 by default); not reparameterized.
    """

    _multidimensional = True

    def __init__(self, logits: Any = None, probs: Any = None, dtype: Any = fg.int32,
                 validate_args: bool = False, allow_nan_stats: bool = True,
                 name: str = "Categorical") -> None:
        self._init_logits_probs(dict(locals()), build=self._build_shapes)

    def _build_shapes(self, parameters: dict) -> None:
        """Checks the logits and sets the batch rank, class count and batch shape tensors."""
        if parameters["validate_args"]:
            self._logits = util.embed_check_categorical_event_shape(self._logits)
        static = self._logits.shape
        if static.ndims is not None and static.ndims < 1:
            raise ValueError(f"Categorical: logits/probs must have rank >= 1 (batch "
                             f"shape + [num_classes]), got shape {static}")
        if static.ndims is not None:
            self._batch_rank = fg.convert_to_tensor(np.int32(static.ndims - 1),
                                                    name="batch_rank")
        else:
            with fg.name_scope("batch_rank"):
                self._batch_rank = fg.rank(self._logits) - 1
        logits_shape = fg.shape(self._logits, name="logits_shape")
        last = None if static.ndims is None else static.as_list()[-1]
        if last is not None:
            self._event_size = fg.convert_to_tensor(np.int32(last), name="event_size")
        else:
            with fg.name_scope("event_size"):
                self._event_size = fg.gather(logits_shape, self._batch_rank)
        if static.ndims is not None and static[:-1].is_fully_defined():
            self._batch_shape_val = fg.constant(static[:-1].as_list(), dtype=fg.int32,
                                                name="batch_shape")
        else:
            with fg.name_scope("batch_shape"):
                self._batch_shape_val = logits_shape[:-1]

    @property
    def event_size(self) -> fg.Tensor:
        """Scalar int32 tensor: the number of classes."""
        return self._event_size

    @property
    def logits(self) -> fg.Tensor:
        """Vector of coordinatewise logits."""
        return self._logits

    @property
    def probs(self) -> fg.Tensor:
        """Vector of coordinatewise probabilities."""
        return self._probs

    def _batch_shape_tensor(self):
        return fg.identity(self._batch_shape_val)

    def _batch_shape(self):
        shape = self.logits.shape
        return shape if shape.ndims is None else shape[:-1]

    def _sample_n(self, n, seed=None):
        if self.logits.shape.ndims == 2:
            logits_2d = self.logits
        else:
            logits_2d = fg.reshape(self.logits, fg.stack([-1, self.event_size]))
        sample_dtype = fg.int64 if self.dtype.size > 4 else fg.int32
        draws = fg.multinomial(logits_2d, n, seed=seed, output_dtype=sample_dtype)
        draws = fg.reshape(fg.transpose(draws),
                           fg.concat([[n], self.batch_shape_tensor()], 0))
        return fg.cast(draws, self.dtype)

    def _cdf(self, k):
        k = fg.convert_to_tensor(k, name="k")
        if self.validate_args:
            k = util.embed_check_integer_casting_closed(k, target_dtype=fg.int32)
        k, probs = _broadcast_cat_event_and_params(k, self.probs, base_dtype=self.dtype)
        flat_probs = fg.reshape(probs, fg.stack([-1, self._event_size]))
        flat_k = fg.reshape(k, [-1])
        to_sum_over = fg.where_v2(fg.sequence_mask(flat_k, self._event_size), flat_probs,
                                  fg.zeros_like(flat_probs))
        return fg.reshape(fg.reduce_sum(to_sum_over, axis=-1), fg.shape(k))

    def _log_prob(self, k):
        k = fg.convert_to_tensor(k, name="k")
        if self.validate_args:
            k = util.embed_check_integer_casting_closed(k, target_dtype=fg.int32)
        k, logits = _broadcast_cat_event_and_params(k, self.logits, base_dtype=self.dtype)
        return -fg.nn.sparse_softmax_cross_entropy_with_logits(labels=k, logits=logits)

    def _entropy(self):
        return -fg.reduce_sum(fg.nn.log_softmax(self.logits) * self.probs, axis=-1)

    def _mode(self):
        ret = fg.cast(fg.argmax(self.logits, axis=-1), self.dtype)
        ret.set_shape(self.batch_shape)
        return ret


def _broadcast_cat_event_and_params(event: fg.Tensor, params: fg.Tensor, base_dtype: Any
                                    ) -> tuple:
    """Broadcasts class indices `event` against the batch shape of `params` ([..., K])."""
    if event.dtype.is_integer:
        pass
    elif event.dtype.is_floating:
        # With validate_args the values were checked to be whole numbers.
        event = fg.cast(event, dtype=fg.int32)
    else:
        raise TypeError(f"`value` should have integer `dtype` or `self.dtype` "
                        f"({base_dtype.name}), got {event.dtype.name}")
    known = (params.shape.ndims is not None and params.shape[:-1].is_fully_defined()
             and event.shape.is_fully_defined())
    if not known or params.shape[:-1] != event.shape:
        params = params * fg.ones_like(fg.expand_dims(event, -1), dtype=params.dtype)
        event = event * fg.ones(fg.shape(params)[:-1], dtype=event.dtype)
        if params.shape.ndims is not None:
            event.set_shape(params.shape[:-1])
    return event, params


@kullback_leibler.RegisterKL(Categorical, Categorical)
def _kl_categorical_categorical(a: Categorical, b: Categorical, name: Any = None
                                ) -> fg.Tensor:
    """KL(a || b) = sum_k p_a(k) (log p_a(k) - log p_b(k))."""
    with fg.name_scope(name or "kl_categorical_categorical"):
        delta_log_probs = fg.nn.log_softmax(a.logits) - fg.nn.log_softmax(b.logits)
        return fg.reduce_sum(fg.nn.softmax(a.logits) * delta_log_probs, axis=-1)
