"""Streaming counts of binary outcomes and the ratios built on them: `true_positives`,
`false_positives`, `true_negatives`, `false_negatives`, `precision`, `recall` (TF1's
`tf.metrics`). Labels and predictions are cast to bool."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.metrics.metric_utils import (
    add_to,
    as_float,
    check_collections,
    metric_variable,
    remove_squeezable,
)
from flowgraph.ops import (
    assign_add,
    cast,
    convert_to_tensor,
    divide,
    equal,
    greater,
    identity,
    logical_and,
    multiply,
    reduce_sum,
    where_v2,
)
from flowgraph.variable_scope import variable_scope

__all__ = ["true_positives", "false_positives", "true_negatives", "false_negatives",
           "precision", "recall"]


def _count_condition(values: Tensor, weights: Any, metrics_collections: Any,
                     updates_collections: Any) -> tuple:
    """Sums the weights where the bool `values` are True into a local ``count``."""
    if values.dtype != dtypes.bool_:
        raise TypeError(f"Expected bool values to count, got {values.dtype.name}")
    count = metric_variable([], dtypes.float32, name="count")
    values = cast(values, dtypes.float32)
    if weights is not None:
        weights = as_float(weights)
        w_rank, v_rank = weights.shape.ndims, values.shape.ndims
        if w_rank not in (None, 0) and v_rank is not None and w_rank != v_rank:
            raise ValueError(f"weights must be a scalar or have the rank of the values "
                             f"({v_rank}); got weights of shape {weights.shape} for values of "
                             f"shape {values.shape}.")
        values = multiply(values, weights)
    value = identity(count.value())
    add_to(metrics_collections, value)
    update_op = assign_add(count, reduce_sum(values))
    add_to(updates_collections, update_op)
    return value, update_op


def _as_bools(labels: Any, predictions: Any, weights: Any) -> tuple:
    predictions, labels, weights = remove_squeezable(
        cast(convert_to_tensor(predictions), dtypes.bool_),
        cast(convert_to_tensor(labels), dtypes.bool_), weights)
    return labels, predictions, weights


def _counter(default_name: str, label_value: bool, prediction_value: bool):
    def metric(labels: Any, predictions: Any, weights: Any = None,
               metrics_collections: Any = None, updates_collections: Any = None,
               name: Optional[str] = None) -> tuple:
        check_collections(metrics_collections, updates_collections)
        with variable_scope(name, default_name, (predictions, labels, weights)):
            labels, predictions, weights = _as_bools(labels, predictions, weights)
            condition = logical_and(equal(labels, label_value),
                                    equal(predictions, prediction_value))
            return _count_condition(condition, weights, metrics_collections,
                                    updates_collections)

    metric.__name__ = default_name
    metric.__qualname__ = default_name
    metric.__doc__ = (
        f"The (weighted) number of {default_name.replace('_', ' ')}: labels "
        f"{label_value} where predictions are {prediction_value} (both cast to bool).\n\n"
        f"Returns ``(value, update_op)``; the local Variable is "
        f"``{default_name}/count``.")
    return metric


true_positives = _counter("true_positives", True, True)
false_positives = _counter("false_positives", False, True)
true_negatives = _counter("true_negatives", False, False)
false_negatives = _counter("false_negatives", True, False)


def _ratio(numerator: Tensor, other: Tensor, name: str) -> Tensor:
    """``numerator / (numerator + other)``, 0 when the sum is 0."""
    total = numerator + other
    return where_v2(greater(total, 0), divide(numerator, total), 0.0, name=name)


def precision(labels: Any, predictions: Any, weights: Any = None,
              metrics_collections: Any = None, updates_collections: Any = None,
              name: Optional[str] = None) -> tuple:
    """``true_positives / (true_positives + false_positives)`` over every batch seen
    (0 while there are none). Variables: ``precision/true_positives/count`` and
    ``precision/false_positives/count``.

    >>> prec, prec_op = fg.metrics.precision(labels=y, predictions=y_hat)
    """
    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "precision", (predictions, labels, weights)):
        labels, predictions, weights = _as_bools(labels, predictions, weights)
        tp, tp_update = true_positives(labels, predictions, weights)
        fp, fp_update = false_positives(labels, predictions, weights)
        value = _ratio(tp, fp, "value")
        add_to(metrics_collections, value)
        update_op = _ratio(tp_update, fp_update, "update_op")
        add_to(updates_collections, update_op)
        return value, update_op


def recall(labels: Any, predictions: Any, weights: Any = None,
           metrics_collections: Any = None, updates_collections: Any = None,
           name: Optional[str] = None) -> tuple:
    """``true_positives / (true_positives + false_negatives)`` over every batch seen
    (0 while there are none). Variables: ``recall/true_positives/count`` and
    ``recall/false_negatives/count``."""
    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "recall", (predictions, labels, weights)):
        labels, predictions, weights = _as_bools(labels, predictions, weights)
        tp, tp_update = true_positives(labels, predictions, weights)
        fn, fn_update = false_negatives(labels, predictions, weights)
        value = _ratio(tp, fn, "value")
        add_to(metrics_collections, value)
        update_op = _ratio(tp_update, fn_update, "update_op")
        add_to(updates_collections, update_op)
        return value, update_op
