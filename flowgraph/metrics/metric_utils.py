"""Shared pieces of `fg.metrics`: metric variables, shape alignment and weight broadcasting,
as TF1's `metrics_impl` helpers."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, Tensor, add_to_collections
from flowgraph.losses.reduction import assert_broadcastable
from flowgraph.ops import cast, convert_to_tensor, expand_dims, multiply, ones_like, squeeze, zeros
from flowgraph.shapes import as_shape
from flowgraph.variables import Variable

__all__: list = []


def metric_variable(shape: Any, dtype: Any, validate_shape: bool = True,
                    name: Optional[str] = None) -> Variable:
    """A non-trainable Variable starting at zeros, in the ``LOCAL_VARIABLES`` and
    ``METRIC_VARIABLES`` collections (so `fg.local_variables_initializer()` resets it).

    Parameters
    ----------
    shape : list or TensorShape
        Shape of the accumulator.
    dtype : DType
        Its dtype.
    validate_shape : bool
        As `fg.Variable`.
    name : str
        Its name inside the current variable scope, e.g. ``'total'`` -> ``'accuracy/total'``.
    """
    shape = as_shape(shape)
    if validate_shape and not shape.is_fully_defined():
        raise ValueError(f"A metric variable {name!r} needs a fully defined shape, got "
                         f"{shape}: give the metric inputs whose static shape is known.")
    dims = shape.as_list()
    return Variable(lambda: zeros(dims, dtype), trainable=False,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
                    validate_shape=validate_shape, name=name)


def check_collections(metrics_collections: Any, updates_collections: Any) -> None:
    """TF1 requires a list or tuple of collection names (a bare string is a mistake)."""
    for what, value in (("metrics_collections", metrics_collections),
                        ("updates_collections", updates_collections)):
        if value is not None and not isinstance(value, (list, tuple)):
            raise ValueError(f"{what} should be a list or tuple of collection names, got "
                             f"{value!r}")


def add_to(collections: Optional[Iterable[str]], value: Any) -> None:
    """Adds `value` to each of `collections` (None or empty: nothing)."""
    if collections:
        add_to_collections(list(collections), value)


def remove_squeezable_dimensions(labels: Tensor, predictions: Tensor,
                                 expected_rank_diff: int = 0) -> tuple:
    """Squeezes the last dimension of `labels` or `predictions` (if it is 1) when their
    ranks differ by one more or less than `expected_rank_diff` (TF1's
    `confusion_matrix.remove_squeezable_dimensions`, static ranks)."""
    labels = convert_to_tensor(labels)
    predictions = convert_to_tensor(predictions)
    p_rank, l_rank = predictions.shape.ndims, labels.shape.ndims
    if p_rank is None or l_rank is None:
        return labels, predictions
    rank_diff = p_rank - l_rank
    if rank_diff == expected_rank_diff + 1 and _last_dim_may_be_one(predictions):
        predictions = squeeze(predictions, [-1])
    elif rank_diff == expected_rank_diff - 1 and _last_dim_may_be_one(labels):
        labels = squeeze(labels, [-1])
    return labels, predictions


def _last_dim_may_be_one(tensor: Tensor) -> bool:
    last = tensor.shape.as_list()[-1]
    return last is None or last == 1


def remove_squeezable(predictions: Any, labels: Any, weights: Any) -> tuple:
    """TF1's `_remove_squeezable_dimensions`: aligns labels with predictions (squeezing a
    trailing 1), then squeezes or expands the last dimension of `weights` so its rank
    matches. A scalar weight stays scalar."""
    predictions = convert_to_tensor(predictions)
    if labels is not None:
        labels, predictions = remove_squeezable_dimensions(labels, predictions)
        predictions.shape.assert_is_compatible_with(labels.shape)
    if weights is None:
        return predictions, labels, None
    weights = convert_to_tensor(weights)
    w_rank, p_rank = weights.shape.ndims, predictions.shape.ndims
    if w_rank == 0 or w_rank is None or p_rank is None:
        return predictions, labels, weights
    if w_rank - p_rank == 1:
        weights = squeeze(weights, [-1])
    elif p_rank - w_rank == 1:
        weights = expand_dims(weights, -1)
    return predictions, labels, weights


def broadcast_weights(weights: Any, values: Tensor) -> Tensor:
    """`weights` broadcast to the shape of `values` (TF1's
    `weights_broadcast_ops.broadcast_weights`): a scalar, or a tensor of the same rank
    whose dimensions are 1 or those of `values`; ValueError otherwise."""
    weights = convert_to_tensor(weights)
    values = convert_to_tensor(values)
    if (weights.shape.is_fully_defined() and values.shape.is_fully_defined()
            and weights.shape.as_list() == values.shape.as_list()):
        return weights
    assert_broadcastable(weights, values)
    return multiply(weights, ones_like(values, dtype=weights.dtype), name="broadcast_weights")


def as_float(value: Any) -> Tensor:
    return cast(convert_to_tensor(value), dtypes.float32)


def thresholds_list(thresholds: Sequence[float]) -> list:
    """The thresholds as a list of Python floats (TypeError for a non-list, as TF1)."""
    try:
        return [float(t) for t in thresholds]
    except TypeError as err:
        raise TypeError(f"thresholds must be a list or tuple of floats in [0, 1], got "
                         f"{thresholds!r}") from err
