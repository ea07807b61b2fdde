"""Base classes shared by the distributions: scalar or vector events, a batch shape
broadcast from parameter tensors, the float-parameter and logits/probs constructors, and
the `concentration` of the Dirichlet family.

Each is a `Distribution` subclass that fills in some of its private hooks; a distribution
inherits from the ones it needs (e.g. `class Normal(bases.FloatParams)`). None of them has
a KL registered.
"""

from __future__ import annotations

from typing import Callable, Optional

import flowgraph as fg
from flowgraph.distributions import distribution, util

__all__ = ["ScalarEvent", "VectorEvent", "BroadcastBatch", "FloatParams", "LogitsProbs",
           "ConcentrationVector"]


class ScalarEvent(distribution.Distribution):
    """Events are scalars: event shape []."""

    def _event_shape_tensor(self):
        return fg.constant([], dtype=fg.int32)

    def _event_shape(self):
        return fg.TensorShape([])


class VectorEvent(distribution.Distribution):
    """Events are vectors: the last axis of the tensor named by `_event_param` ([..., k])."""

    _event_param: str = ""

    def _event_shape_tensor(self):
        return fg.shape(getattr(self, self._event_param))[-1:]

    def _event_shape(self):
        shape = getattr(self, self._event_param).shape
        return fg.TensorShape([None]) if shape.ndims is None else shape[-1:]


class BroadcastBatch(distribution.Distribution):
    """The batch shape is the broadcast shape of the tensors named by `_batch_params`."""

    _batch_params: tuple = ()

    def _batch_tensors(self) -> list:
        return [getattr(self, param) for param in self._batch_params]

    def _batch_shape_tensor(self):
        return util.dynamic_batch_shape(*self._batch_tensors())

    def _batch_shape(self):
        return util.static_batch_shape(*self._batch_tensors())


class FloatParams(BroadcastBatch, ScalarEvent):
    """Scalar events, with float parameters `_batch_params` that broadcast to the batch shape
    (Normal, Laplace, StudentT, Uniform, Gamma)."""

    def _init_float_params(self, parameters: dict, dist: str,
                           reparameterization_type: distribution.ReparameterizationType,
                           checks: Optional[Callable[..., list]] = None) -> None:
        """The constructor's body. `parameters` are its arguments (`dict(locals())`): each
        of `_batch_params` becomes a tensor `self._<param>` (`util.float_params`, checked
        by `checks` and reported as `dist`) in the name scope `parameters["name"]`."""
        with fg.name_scope(parameters["name"]) as name:
            tensors = util.float_params([parameters[p] for p in self._batch_params],
                                        list(self._batch_params), dist, checks)
            for param, tensor in zip(self._batch_params, tensors):
                setattr(self, "_" + param, tensor)
        distribution.Distribution.__init__(
            self, dtype=tensors[0].dtype, reparameterization_type=reparameterization_type,
            validate_args=parameters["validate_args"],
            allow_nan_stats=parameters["allow_nan_stats"], parameters=parameters,
            graph_parents=tensors, name=name)


class LogitsProbs(distribution.Distribution):
    """Given by exactly one of `logits` and `probs` (Bernoulli, Categorical, Multinomial):
    probs = sigmoid(logits) for scalar events, softmax(logits) over the last axis when
    `_multidimensional`."""

    _multidimensional: bool = False

    def _convert_logits_and_probs(self, parameters: dict, name: str) -> None:
        """Sets `self._logits` and `self._probs` from the constructor's arguments
        `parameters`, inside its name scope `name`."""
        self._logits, self._probs = util.get_logits_and_probs(
            logits=parameters["logits"], probs=parameters["probs"],
            multidimensional=self._multidimensional,
            validate_args=parameters["validate_args"], name=name)

    def _init_logits_probs(self, parameters: dict,
                           build: Optional[Callable[[dict], None]] = None) -> None:
        """The constructor's body for scalar class events of `parameters["dtype"]`: converts
        logits/probs in the name scope `parameters["name"]`, then runs `build(parameters)`
        (the class's own tensors) there; not reparameterized."""
        with fg.name_scope(parameters["name"]) as name:
            self._convert_logits_and_probs(parameters, name)
            if build is not None:
                build(parameters)
        distribution.Distribution.__init__(
            self, dtype=fg.as_dtype(parameters["dtype"]),
            reparameterization_type=distribution.NOT_REPARAMETERIZED,
            validate_args=parameters["validate_args"],
            allow_nan_stats=parameters["allow_nan_stats"], parameters=parameters,
            graph_parents=[self._logits, self._probs], name=name)


class ConcentrationVector(BroadcastBatch, VectorEvent):
    """A `concentration` [..., k] summed over its last axis to `total_concentration`, the
    batch (Dirichlet, DirichletMultinomial). The class provides `_variance_scale_term`."""

    _batch_params = ("total_concentration",)
    _event_param = "concentration"

    @property
    def total_concentration(self) -> fg.Tensor:
        """Sum of last dim of concentration parameter."""
        return self._total_concentration

    def _covariance(self):
        x = self._variance_scale_term() * self._mean()
        outer = fg.matmul(fg.expand_dims(x, -1), fg.expand_dims(x, -2))
        return fg.matrix_set_diag(-outer, self._variance())
