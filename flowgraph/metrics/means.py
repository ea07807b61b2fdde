"""Streaming means: `mean`, `mean_tensor`, `accuracy` and the error metrics built on `mean`
(TF1's `tf.metrics`).

Each returns ``(value, update_op)``: `value` reads the accumulators, `update_op` adds a
batch to them and returns the new value. The accumulators are local Variables
(``<name>/total``, ``<name>/count``), reset by `fg.local_variables_initializer()`.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import control_dependencies
from flowgraph.metrics.metric_utils import (
    add_to,
    as_float,
    broadcast_weights,
    check_collections,
    metric_variable,
    remove_squeezable,
    remove_squeezable_dimensions,
)
from flowgraph.ops import abs as abs_op
from flowgraph.ops import (
    assign_add,
    cast,
    convert_to_tensor,
    div_no_nan,
    divide,
    equal,
    less,
    maximum,
    multiply,
    ones_like,
    reduce_sum,
    size,
    sqrt,
    squared_difference,
    subtract,
    where_v2,
    zeros_like,
)
from flowgraph.variable_scope import variable_scope

__all__ = ["mean", "mean_tensor", "accuracy", "mean_absolute_error", "mean_squared_error",
           "root_mean_squared_error", "mean_relative_error", "mean_cosine_distance",
           "percentage_below"]


def mean(values: Any, weights: Any = None, metrics_collections: Any = None,
         updates_collections: Any = None, name: Optional[str] = None) -> tuple:
    """The (weighted) mean of `values` over every batch seen.

    Parameters
    ----------
    values : Tensor
        Any shape.
    weights : Tensor, optional
        A scalar, or of the rank of `values` with dimensions 1 or those of `values`.
    metrics_collections, updates_collections : list of str, optional
        Collections the value and the update op are added to.
    name : str, optional
        The variable scope (default ``'mean'``).

    Returns
    -------
    (Tensor, Tensor)
        ``total / count`` and the op that adds a batch to ``total`` and ``count``.

    >>> m, update = fg.metrics.mean(x)
    """
    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "mean", (values, weights)):
        values = as_float(values)
        total = metric_variable([], dtypes.float32, name="total")
        count = metric_variable([], dtypes.float32, name="count")
        if weights is None:
            num_values = cast(size(values), dtypes.float32)
        else:
            values, _, weights = remove_squeezable(values, None, weights)
            weights = broadcast_weights(as_float(weights), values)
            values = multiply(values, weights)
            num_values = reduce_sum(weights)
        update_total = assign_add(total, reduce_sum(values))
        with control_dependencies([values]):
            update_count = assign_add(count, num_values)
        value = div_no_nan(total, maximum(count, 0), name="value")
        add_to(metrics_collections, value)
        update_op = div_no_nan(update_total, maximum(update_count, 0), name="update_op")
        add_to(updates_collections, update_op)
        return value, update_op


def mean_tensor(values: Any, weights: Any = None, metrics_collections: Any = None,
                updates_collections: Any = None, name: Optional[str] = None) -> tuple:
    """The element-wise (weighted) mean of `values` over every batch seen; the result has
    the shape of `values` (accumulators ``total_tensor`` and ``count_tensor``)."""
    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "mean", (values, weights)):
        values = as_float(values)
        total = metric_variable(values.shape, dtypes.float32, name="total_tensor")
        count = metric_variable(values.shape, dtypes.float32, name="count_tensor")
        num_values = ones_like(values)
        if weights is not None:
            values, _, weights = remove_squeezable(values, None, weights)
            weights = broadcast_weights(as_float(weights), values)
            values = multiply(values, weights)
            num_values = multiply(num_values, weights)
        update_total = assign_add(total, values)
        with control_dependencies([values]):
            update_count = assign_add(count, num_values)
        value = div_no_nan(total, maximum(count, 0), name="value")
        add_to(metrics_collections, value)
        update_op = div_no_nan(update_total, maximum(update_count, 0), name="update_op")
        add_to(updates_collections, update_op)
        return value, update_op


def accuracy(labels: Any, predictions: Any, weights: Any = None,
             metrics_collections: Any = None, updates_collections: Any = None,
             name: Optional[str] = None) -> tuple:
    """How often `predictions` equals `labels` (weighted), over every batch seen.

    Shapes must match, up to a trailing dimension of 1 on either side; predictions are cast
    to the labels' dtype. Variables: ``accuracy/total``, ``accuracy/count``.

    >>> acc, acc_op = fg.metrics.accuracy(labels=y, predictions=fg.argmax(logits, 1))
    """
    predictions, labels, weights = remove_squeezable(predictions, labels, weights)
    predictions.shape.assert_is_compatible_with(labels.shape)
    if labels.dtype != predictions.dtype:
        predictions = cast(predictions, labels.dtype)
    is_correct = cast(equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")


def _float_pair(predictions: Any, labels: Any, weights: Any) -> tuple:
    predictions, labels, weights = remove_squeezable(predictions, labels, weights)
    if labels.dtype != predictions.dtype:
        # TF1 requires equal dtypes here; casting both to float32 is the forgiving reading.
        predictions, labels = as_float(predictions), as_float(labels)
    return predictions, labels, weights


def mean_absolute_error(labels: Any, predictions: Any, weights: Any = None,
                        metrics_collections: Any = None, updates_collections: Any = None,
                        name: Optional[str] = None) -> tuple:
    """The (weighted) mean of ``|predictions - labels|``."""
    predictions, labels, weights = _float_pair(predictions, labels, weights)
    errors = abs_op(subtract(predictions, labels))
    return mean(errors, weights, metrics_collections, updates_collections,
                name or "mean_absolute_error")


def mean_squared_error(labels: Any, predictions: Any, weights: Any = None,
                       metrics_collections: Any = None, updates_collections: Any = None,
                       name: Optional[str] = None) -> tuple:
    """The (weighted) mean of ``(labels - predictions) ** 2``."""
    predictions, labels, weights = _float_pair(predictions, labels, weights)
    errors = squared_difference(labels, predictions)
    return mean(errors, weights, metrics_collections, updates_collections,
                name or "mean_squared_error")


def root_mean_squared_error(labels: Any, predictions: Any, weights: Any = None,
                            metrics_collections: Any = None, updates_collections: Any = None,
                            name: Optional[str] = None) -> tuple:
    """The square root of the streaming `mean_squared_error` (variables
    ``root_mean_squared_error/total`` and ``/count``)."""
    check_collections(metrics_collections, updates_collections)
    predictions, labels, weights = remove_squeezable(predictions, labels, weights)
    mse, update_mse = mean_squared_error(labels, predictions, weights, None, None,
                                         name or "root_mean_squared_error")
    rmse = sqrt(mse)
    add_to(metrics_collections, rmse)
    update_rmse = sqrt(update_mse)
    add_to(updates_collections, update_rmse)
    return rmse, update_rmse


def mean_relative_error(labels: Any, predictions: Any, normalizer: Any, weights: Any = None,
                        metrics_collections: Any = None, updates_collections: Any = None,
                        name: Optional[str] = None) -> tuple:
    """The (weighted) mean of ``|labels - predictions| / normalizer`` (0 where the
    normalizer is 0)."""
    predictions, labels, weights = _float_pair(predictions, labels, weights)
    normalizer, predictions = remove_squeezable_dimensions(normalizer, predictions)
    predictions.shape.assert_is_compatible_with(normalizer.shape)
    normalizer = cast(normalizer, predictions.dtype)
    relative = where_v2(equal(normalizer, 0.0), zeros_like(labels),
                        divide(abs_op(subtract(labels, predictions)), normalizer))
    return mean(relative, weights, metrics_collections, updates_collections,
                name or "mean_relative_error")


def mean_cosine_distance(labels: Any, predictions: Any, dim: int, weights: Any = None,
                         metrics_collections: Any = None, updates_collections: Any = None,
                         name: Optional[str] = None) -> tuple:
    """``1 - mean(sum(labels * predictions, axis=dim))`` for unit-normalized inputs."""
    check_collections(metrics_collections, updates_collections)
    predictions, labels, weights = _float_pair(predictions, labels, weights)
    radial = reduce_sum(multiply(predictions, labels), axis=[dim], keepdims=True)
    mean_distance, update_op = mean(radial, weights, None, None,
                                    name or "mean_cosine_distance")
    mean_distance = subtract(1.0, mean_distance)
    update_op = subtract(1.0, update_op)
    add_to(metrics_collections, mean_distance)
    add_to(updates_collections, update_op)
    return mean_distance, update_op


def percentage_below(values: Any, threshold: Any, weights: Any = None,
                     metrics_collections: Any = None, updates_collections: Any = None,
                     name: Optional[str] = None) -> tuple:
    """The (weighted) fraction of `values` strictly below `threshold`."""
    values = convert_to_tensor(values)
    is_below = cast(less(values, cast(threshold, values.dtype)), dtypes.float32)
    return mean(is_below, weights, metrics_collections, updates_collections,
                name or "percentage_below_threshold")

