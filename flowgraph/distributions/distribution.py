"""The `Distribution` base class and reparameterization types of TF1's `tf.distributions`.

A subclass implements the private hooks (`_sample_n`, `_log_prob`, `_batch_shape`, ...);
the public methods open the distribution's name scope ("Normal/log_prob/..."), convert
their arguments, and fall back between related hooks as TF 1.15 does (`prob` from
`log_prob`, `stddev` from `variance`, `survival_function` from `cdf`, ...).
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Optional

import numpy as np

import flowgraph as fg
from flowgraph.distributions import kullback_leibler
from flowgraph.distributions.reparameterization import (
    FULLY_REPARAMETERIZED,
    NOT_REPARAMETERIZED,
    ReparameterizationType,
)

__all__ = ["Distribution", "ReparameterizationType", "FULLY_REPARAMETERIZED",
           "NOT_REPARAMETERIZED"]


def _is_tensor(value: Any) -> bool:
    return isinstance(value, fg.Tensor) or hasattr(value, "__fg_tensor__")


class Distribution:
    """A generic probability distribution (TF1's `tf.distributions.Distribution`).

    Shapes: samples have shape `sample_shape + batch_shape + event_shape`; `batch_shape`
    indexes independent distributions of the same family, `event_shape` is the shape of
    one draw. `log_prob(x)` has shape `broadcast(x[:-event_ndims], batch_shape)`.

    Example
    -------
    >>> d = fg.distributions.Normal(loc=0., scale=[1., 2.])
    >>> d.sample(3).shape          # TensorShape([3, 2])
    """

    def __init__(self, dtype: Any, reparameterization_type: ReparameterizationType,
                 validate_args: bool, allow_nan_stats: bool,
                 parameters: Optional[dict] = None, graph_parents: Optional[list] = None,
                 name: Optional[str] = None) -> None:
        graph_parents = [] if graph_parents is None else list(graph_parents)
        for i, t in enumerate(graph_parents):
            if t is None or not _is_tensor(t):
                raise ValueError(f"Graph parent item {i} is not a Tensor; {t!r}.")
        if not name or name[-1] != "/":  # not yet a name scope: make a unique one
            with fg.name_scope(name or type(self).__name__) as scope:
                name = scope
        self._dtype = dtype
        self._reparameterization_type = reparameterization_type
        self._allow_nan_stats = allow_nan_stats
        self._validate_args = validate_args
        self._parameters = parameters or {}
        self._graph_parents = graph_parents
        self._name = name

    # ------------------------------------------------------------------ properties
    @property
    def name(self) -> str:
        """Name scope of the ops this distribution creates (ends in '/')."""
        return self._name

    @property
    def dtype(self) -> Any:
        """The dtype of samples from this distribution."""
        return self._dtype

    @property
    def parameters(self) -> dict:
        """The constructor arguments, as a dict (a copy)."""
        return {k: v for k, v in self._parameters.items()
                if not k.startswith("__") and k != "self"}

    @property
    def reparameterization_type(self) -> ReparameterizationType:
        return self._reparameterization_type

    @property
    def allow_nan_stats(self) -> bool:
        return self._allow_nan_stats

    @property
    def validate_args(self) -> bool:
        return self._validate_args

    def copy(self, **override_parameters_kwargs: Any) -> "Distribution":
        """A new distribution of the same type with some constructor arguments replaced."""
        parameters = dict(self.parameters, **override_parameters_kwargs)
        return type(self)(**parameters)

    # ------------------------------------------------------------------ shapes
    @property
    def batch_shape(self) -> fg.TensorShape:
        """Static shape of the batch of distributions (may be partially known)."""
        return fg.TensorShape(self._batch_shape())

    @property
    def event_shape(self) -> fg.TensorShape:
        """Static shape of one draw (may be partially known)."""
        return fg.TensorShape(self._event_shape())

    def batch_shape_tensor(self, name: str = "batch_shape_tensor") -> fg.Tensor:
        """The batch shape as a 1-D int32 tensor."""
        with self._name_scope(name):
            if self.batch_shape.is_fully_defined():
                return fg.convert_to_tensor(np.asarray(self.batch_shape.as_list(), np.int32),
                                            name="batch_shape")
            return self._batch_shape_tensor()

    def event_shape_tensor(self, name: str = "event_shape_tensor") -> fg.Tensor:
        """The event shape as a 1-D int32 tensor."""
        with self._name_scope(name):
            if self.event_shape.is_fully_defined():
                return fg.convert_to_tensor(np.asarray(self.event_shape.as_list(), np.int32),
                                            name="event_shape")
            return self._event_shape_tensor()

    def is_scalar_event(self, name: str = "is_scalar_event") -> fg.Tensor:
        """A boolean tensor: is the event shape `[]`?"""
        with self._name_scope(name):
            return fg.convert_to_tensor(
                self._is_scalar_helper(self.event_shape, self.event_shape_tensor),
                name="is_scalar_event")

    def is_scalar_batch(self, name: str = "is_scalar_batch") -> fg.Tensor:
        """A boolean tensor: is the batch shape `[]`?"""
        with self._name_scope(name):
            return fg.convert_to_tensor(
                self._is_scalar_helper(self.batch_shape, self.batch_shape_tensor),
                name="is_scalar_batch")

    # ------------------------------------------------------------------ sampling
    def sample(self, sample_shape: Any = (), seed: Optional[int] = None,
               name: str = "sample") -> fg.Tensor:
        """Draws samples of shape `sample_shape + batch_shape + event_shape`."""
        with self._name_scope(name, values=[sample_shape]):
            sample_shape = fg.convert_to_tensor(
                np.asarray(sample_shape, np.int32) if not _is_tensor(sample_shape)
                else sample_shape, dtype=fg.int32, name="sample_shape")
            sample_shape, n = self._expand_sample_shape_to_vector(sample_shape)
            samples = self._sample_n(n, seed)
            batch_event_shape = fg.shape(samples)[1:]
            final_shape = fg.concat([sample_shape, batch_event_shape], 0)
            samples = fg.reshape(samples, final_shape)
            return self._set_sample_static_shape(samples, sample_shape)

    # ------------------------------------------------------------------ densities
    def log_prob(self, value: Any, name: str = "log_prob") -> fg.Tensor:
        """Log probability density/mass function at `value`."""
        with self._name_scope(name, values=[value]):
            value = self._convert_value(value)
            try:
                return self._log_prob(value)
            except NotImplementedError as original:
                try:
                    return fg.log(self._prob(value))
                except NotImplementedError:
                    raise original from None

    def prob(self, value: Any, name: str = "prob") -> fg.Tensor:
        """Probability density/mass function at `value`."""
        with self._name_scope(name, values=[value]):
            value = self._convert_value(value)
            try:
                return self._prob(value)
            except NotImplementedError as original:
                try:
                    return fg.exp(self._log_prob(value))
                except NotImplementedError:
                    raise original from None

    def log_cdf(self, value: Any, name: str = "log_cdf") -> fg.Tensor:
        """Log of the cumulative distribution function at `value`."""
        with self._name_scope(name, values=[value]):
            value = self._convert_value(value)
            try:
                return self._log_cdf(value)
            except NotImplementedError as original:
                try:
                    return fg.log(self._cdf(value))
                except NotImplementedError:
                    raise original from None

    def cdf(self, value: Any, name: str = "cdf") -> fg.Tensor:
        """Cumulative distribution function P[X <= value]."""
        with self._name_scope(name, values=[value]):
            value = self._convert_value(value)
            try:
                return self._cdf(value)
            except NotImplementedError as original:
                try:
                    return fg.exp(self._log_cdf(value))
                except NotImplementedError:
                    raise original from None

    def log_survival_function(self, value: Any,
                              name: str = "log_survival_function") -> fg.Tensor:
        """Log of P[X > value]."""
        with self._name_scope(name, values=[value]):
            value = self._convert_value(value)
            try:
                return self._log_survival_function(value)
            except NotImplementedError as original:
                try:
                    return fg.log1p(-self.cdf(value))
                except NotImplementedError:
                    raise original from None

    def survival_function(self, value: Any, name: str = "survival_function") -> fg.Tensor:
        """P[X > value] = 1 - cdf(value)."""
        with self._name_scope(name, values=[value]):
            value = self._convert_value(value)
            try:
                return self._survival_function(value)
            except NotImplementedError as original:
                try:
                    return 1. - self.cdf(value)
                except NotImplementedError:
                    raise original from None

    # ------------------------------------------------------------------ statistics
    def entropy(self, name: str = "entropy") -> fg.Tensor:
        """Shannon entropy in nats."""
        with self._name_scope(name):
            return self._entropy()

    def mean(self, name: str = "mean") -> fg.Tensor:
        """The mean."""
        with self._name_scope(name):
            return self._mean()

    def quantile(self, value: Any, name: str = "quantile") -> fg.Tensor:
        """The inverse cdf: x such that P[X <= x] = value."""
        with self._name_scope(name, values=[value]):
            return self._quantile(self._convert_value(value))

    def variance(self, name: str = "variance") -> fg.Tensor:
        """The variance E[(X - E[X])**2]."""
        with self._name_scope(name):
            try:
                return self._variance()
            except NotImplementedError as original:
                try:
                    return fg.square(self._stddev())
                except NotImplementedError:
                    raise original from None

    def stddev(self, name: str = "stddev") -> fg.Tensor:
        """The standard deviation (square root of the variance)."""
        with self._name_scope(name):
            try:
                return self._stddev()
            except NotImplementedError as original:
                try:
                    return fg.sqrt(self._variance())
                except NotImplementedError:
                    raise original from None

    def covariance(self, name: str = "covariance") -> fg.Tensor:
        """The covariance matrix of a vector-event distribution (batch + [k, k])."""
        with self._name_scope(name):
            return self._covariance()

    def mode(self, name: str = "mode") -> fg.Tensor:
        """The mode."""
        with self._name_scope(name):
            return self._mode()

    def cross_entropy(self, other: "Distribution", name: str = "cross_entropy") -> fg.Tensor:
        """H[self, other] = -E_self[log other(X)], in nats."""
        with self._name_scope(name):
            return self._cross_entropy(other)

    def kl_divergence(self, other: "Distribution", name: str = "kl_divergence") -> fg.Tensor:
        """KL[self || other], from the KL registered for the two classes (`RegisterKL`)."""
        with self._name_scope(name):
            return self._kl_divergence(other)

    def __str__(self) -> str:
        return (f"fg.distributions.{type(self).__name__}(\"{self.name}\", "
                f"batch_shape={self.batch_shape}, event_shape={self.event_shape}, "
                f"dtype={getattr(self.dtype, 'name', self.dtype)})")

    __repr__ = __str__

    # ------------------------------------------------------------------ hooks
    def _missing(self, what: str) -> NotImplementedError:
        return NotImplementedError(
            f"{what} is not implemented by {type(self).__name__} (a subclass provides it "
            f"by defining _{what}; the built-in distributions have the methods TF 1.15's do)")

    def _batch_shape_tensor(self):
        raise self._missing("batch_shape_tensor")

    def _batch_shape(self):
        return fg.TensorShape(None)

    def _event_shape_tensor(self):
        raise self._missing("event_shape_tensor")

    def _event_shape(self):
        return fg.TensorShape(None)

    def _sample_n(self, n, seed=None):
        raise self._missing("sample")

    def _log_prob(self, value):
        raise self._missing("log_prob")

    def _prob(self, value):
        raise self._missing("prob")

    def _log_cdf(self, value):
        raise self._missing("log_cdf")

    def _cdf(self, value):
        raise self._missing("cdf")

    def _log_survival_function(self, value):
        raise self._missing("log_survival_function")

    def _survival_function(self, value):
        raise self._missing("survival_function")

    def _entropy(self):
        raise self._missing("entropy")

    def _mean(self):
        raise self._missing("mean")

    def _quantile(self, value):
        raise self._missing("quantile")

    def _variance(self):
        raise self._missing("variance")

    def _stddev(self):
        raise self._missing("stddev")

    def _covariance(self):
        raise self._missing("covariance")

    def _mode(self):
        raise self._missing("mode")

    def _cross_entropy(self, other):
        return kullback_leibler.cross_entropy(self, other, allow_nan_stats=self.allow_nan_stats)

    def _kl_divergence(self, other):
        return kullback_leibler.kl_divergence(self, other, allow_nan_stats=self.allow_nan_stats)

    # ------------------------------------------------------------------ helpers
    @contextlib.contextmanager
    def _name_scope(self, name: Optional[str] = None, values: Optional[list] = None
                    ) -> Iterator[str]:
        with fg.name_scope(self.name):
            with fg.name_scope(name) as scope:
                yield scope

    def _convert_value(self, value: Any) -> fg.Tensor:
        if _is_tensor(value):
            return fg.convert_to_tensor(value, name="value")
        dtype = self.dtype if isinstance(self.dtype, fg.DType) else None
        return fg.convert_to_tensor(value, name="value", preferred_dtype=dtype)

    def _expand_sample_shape_to_vector(self, x: fg.Tensor) -> tuple:
        """`sample_shape` as a vector, and the number of samples it asks for."""
        static = fg.get_static_value(x)
        n = fg.reduce_prod(x) if static is None else int(np.prod(static, dtype=np.int64))
        ndims = x.shape.ndims
        if ndims is None:
            x = fg.reshape(x, fg.where_v2(fg.equal(fg.rank(x), 0),
                                          np.array([1], np.int32), fg.shape(x)))
        elif ndims == 0:
            if static is not None:
                x = fg.convert_to_tensor(np.array([static], np.int32), name="sample_shape")
            else:
                x = fg.reshape(x, [1])
        elif ndims != 1:
            raise ValueError(f"sample_shape must be a scalar or a vector (rank 0 or 1), got "
                             f"rank {ndims}: shape {x.shape}")
        return x, n

    def _set_sample_static_shape(self, x: fg.Tensor, sample_shape: fg.Tensor) -> fg.Tensor:
        static = fg.get_static_value(sample_shape)
        if static is not None:
            head = fg.TensorShape([int(d) for d in np.reshape(static, [-1])])
        else:
            head = fg.TensorShape([None] * (sample_shape.shape.num_elements()
                                            if sample_shape.shape.is_fully_defined() else 0))
            if not sample_shape.shape.is_fully_defined():
                return x
        if self.batch_shape.ndims is None or self.event_shape.ndims is None:
            return x
        full = head.concatenate(self.batch_shape).concatenate(self.event_shape)
        x.set_shape(x.shape.merge_with(full))
        return x

    def _is_scalar_helper(self, static_shape: fg.TensorShape, dynamic_shape_fn) -> Any:
        if static_shape.ndims is not None:
            return static_shape.ndims == 0
        shape = dynamic_shape_fn()
        if shape.shape.ndims is not None and shape.shape.as_list()[0] is not None:
            return shape.shape.as_list() == [0]
        return fg.equal(fg.shape(shape)[0], 0)
