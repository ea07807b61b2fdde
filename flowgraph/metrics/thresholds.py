"""Streaming confusion counts at a list of thresholds and the metrics read from them
(TF1's `tf.metrics.*_at_thresholds`). A prediction counts as positive when it is strictly
above a threshold; predictions must lie in [0, 1]."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import Tensor, control_dependencies
from flowgraph.metrics.metric_utils import (
    add_to,
    broadcast_weights,
    check_collections,
    metric_variable,
    remove_squeezable,
    thresholds_list,
)
from flowgraph.ops import (
    Assert,
    assign_add,
    cast,
    constant,
    convert_to_tensor,
    divide,
    expand_dims,
    greater,
    greater_equal,
    identity,
    less_equal,
    logical_and,
    logical_not,
    reduce_all,
    reduce_sum,
    reshape,
    tile,
    transpose,
)
from flowgraph.variable_scope import variable_scope

__all__ = ["true_positives_at_thresholds", "false_positives_at_thresholds",
           "true_negatives_at_thresholds", "false_negatives_at_thresholds",
           "precision_at_thresholds", "recall_at_thresholds"]

_ALL = ("tp", "fn", "tn", "fp")
_VARIABLE_NAMES = {"tp": "true_positives", "fn": "false_negatives", "tn": "true_negatives",
                   "fp": "false_positives"}


def check_unit_interval(predictions: Tensor) -> Any:
    """An Assert that `predictions` lie in [0, 1] (TF1's "predictions must be in [0, 1]")."""
    zero = cast(0.0, predictions.dtype)
    one = cast(1.0, predictions.dtype)
    inside = logical_and(reduce_all(greater_equal(predictions, zero)),
                         reduce_all(less_equal(predictions, one)))
    return Assert(inside, ["predictions must be in [0, 1]. Got predictions: ", predictions])


def confusion_matrix_at_thresholds(labels: Any, predictions: Any, thresholds: Sequence[float],
                                   weights: Any = None, includes: Any = None) -> tuple:
    """Local Variables ``true_positives``, ``false_negatives``, ``true_negatives`` and
    ``false_positives`` (those in `includes`), each of shape [len(thresholds)], and the ops
    that add a batch's (weighted) counts to them.

    Returns
    -------
    (dict, dict)
        {key: Variable} and {key: update Tensor} for the keys in `includes`
        (of 'tp', 'fn', 'tn', 'fp').
    """
    includes = _ALL if includes is None else tuple(includes)
    for key in includes:
        if key not in _ALL:
            raise ValueError(f"Invalid key: {key}. Expected some of {list(_ALL)}.")
    thresholds = thresholds_list(thresholds)
    predictions = convert_to_tensor(predictions)
    with control_dependencies([check_unit_interval(predictions)]):
        predictions, labels, weights = remove_squeezable(
            cast(predictions, dtypes.float32), cast(convert_to_tensor(labels), dtypes.bool_),
            weights)
    num_thresholds = len(thresholds)
    predictions_2d = reshape(predictions, [-1, 1])
    labels_2d = reshape(labels, [1, -1])
    # [num_thresholds, num_predictions] comparisons, as TF1 builds them.
    thresh = expand_dims(constant(thresholds, dtype=dtypes.float32), 1)
    pred_is_pos = greater(tile(transpose(predictions_2d), [num_thresholds, 1]), thresh)
    pred_is_neg = logical_not(pred_is_pos)
    label_is_pos = tile(labels_2d, [num_thresholds, 1])
    label_is_neg = logical_not(label_is_pos)
    weights_tiled = None
    if weights is not None:
        weights = broadcast_weights(cast(weights, dtypes.float32), predictions)
        weights_tiled = tile(reshape(weights, [1, -1]), [num_thresholds, 1])
    conditions = {"tp": (label_is_pos, pred_is_pos), "fn": (label_is_pos, pred_is_neg),
                  "tn": (label_is_neg, pred_is_neg), "fp": (label_is_neg, pred_is_pos)}
    values, update_ops = {}, {}
    for key in _ALL:
        if key not in includes:
            continue
        variable = metric_variable([num_thresholds], dtypes.float32,
                                   name=_VARIABLE_NAMES[key])
        hits = cast(logical_and(*conditions[key]), dtypes.float32)
        if weights_tiled is not None:
            hits = hits * weights_tiled
        update_ops[key] = assign_add(variable, reduce_sum(hits, 1))
        values[key] = variable
    return values, update_ops


def _single_count(key: str, default_name: str):
    def metric(labels: Any, predictions: Any, thresholds: Sequence[float],
               weights: Any = None, metrics_collections: Any = None,
               updates_collections: Any = None, name: Optional[str] = None) -> tuple:
        check_collections(metrics_collections, updates_collections)
        with variable_scope(name, default_name, (predictions, labels, weights)):
            values, update_ops = confusion_matrix_at_thresholds(
                labels, predictions, thresholds, weights=weights, includes=(key,))
            value = identity(values[key].value())
            add_to(metrics_collections, value)
            add_to(updates_collections, update_ops[key])
            return value, update_ops[key]

    public = f"{default_name}_at_thresholds"
    metric.__name__ = public
    metric.__qualname__ = public
    metric.__doc__ = (
        f"The (weighted) {default_name.replace('_', ' ')} at each threshold, a float Tensor "
        f"of shape [len(thresholds)]; the local Variable is ``{default_name}/"
        f"{default_name}``.\n\nReturns ``(value, update_op)``.")
    return metric


true_positives_at_thresholds = _single_count("tp", "true_positives")
false_positives_at_thresholds = _single_count("fp", "false_positives")
true_negatives_at_thresholds = _single_count("tn", "true_negatives")
false_negatives_at_thresholds = _single_count("fn", "false_negatives")

_EPSILON = 1e-7


def precision_at_thresholds(labels: Any, predictions: Any, thresholds: Sequence[float],
                            weights: Any = None, metrics_collections: Any = None,
                            updates_collections: Any = None,
                            name: Optional[str] = None) -> tuple:
    """``tp / (tp + fp + 1e-7)`` at each threshold, shape [len(thresholds)]."""
    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "precision_at_thresholds", (predictions, labels, weights)):
        values, update_ops = confusion_matrix_at_thresholds(
            labels, predictions, thresholds, weights, includes=("tp", "fp"))
        value = divide(values["tp"].value(), _EPSILON + values["tp"].value()
                       + values["fp"].value(), name="precision_value")
        add_to(metrics_collections, value)
        update_op = divide(update_ops["tp"], _EPSILON + update_ops["tp"] + update_ops["fp"],
                           name="precision_update_op")
        add_to(updates_collections, update_op)
        return value, update_op


def recall_at_thresholds(labels: Any, predictions: Any, thresholds: Sequence[float],
                         weights: Any = None, metrics_collections: Any = None,
                         updates_collections: Any = None, name: Optional[str] = None) -> tuple:
    """``tp / (tp + fn + 1e-7)`` at each threshold, shape [len(thresholds)]."""
    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "recall_at_thresholds", (predictions, labels, weights)):
        values, update_ops = confusion_matrix_at_thresholds(
            labels, predictions, thresholds, weights, includes=("tp", "fn"))
        value = divide(values["tp"].value(), _EPSILON + values["tp"].value()
                       + values["fn"].value(), name="recall_value")
        add_to(metrics_collections, value)
        update_op = divide(update_ops["tp"], _EPSILON + update_ops["tp"] + update_ops["fn"],
                           name="recall_update_op")
        add_to(updates_collections, update_op)
        return value, update_op
