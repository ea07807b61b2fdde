"""`fg.contrib.metrics`: TF1's `tf.contrib.metrics` streaming metrics.

These are the `fg.metrics` functions under their contrib names, with TF1's contrib argument
order: **predictions first**, then labels (``streaming_accuracy(predictions, labels)``).
Each returns ``(value, update_op)``; the accumulators are local Variables, so run
`fg.local_variables_initializer()` first. `aggregate_metrics` and `aggregate_metric_map`
split many ``(value, update_op)`` pairs into the values and the updates.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import metrics as _m
from flowgraph.metrics.metric_utils import add_to, check_collections
from flowgraph.metrics.thresholds import confusion_matrix_at_thresholds
from flowgraph.ops import divide, reduce_max
from flowgraph.variable_scope import variable_scope

__all__ = [
    "aggregate_metric_map", "aggregate_metrics", "f1_score", "streaming_accuracy",
    "streaming_auc", "streaming_concat", "streaming_false_negatives", "streaming_false_positives",
    "streaming_mean", "streaming_mean_absolute_error", "streaming_mean_cosine_distance",
    "streaming_mean_iou", "streaming_mean_relative_error", "streaming_mean_squared_error",
    "streaming_mean_tensor", "streaming_percentage_less", "streaming_precision",
    "streaming_precision_at_thresholds", "streaming_recall", "streaming_recall_at_thresholds",
    "streaming_root_mean_squared_error", "streaming_sensitivity_at_specificity",
    "streaming_specificity_at_sensitivity", "streaming_true_negatives",
    "streaming_true_positives",
]

_Opt = Optional[str]


def streaming_mean(values: Any, weights: Any = None, metrics_collections: Any = None,
                   updates_collections: Any = None, name: _Opt = None) -> tuple:
    """The (weighted) mean of `values` over all batches (`fg.metrics.mean`)."""
    return _m.mean(values, weights, metrics_collections, updates_collections, name)


def streaming_mean_tensor(values: Any, weights: Any = None, metrics_collections: Any = None,
                          updates_collections: Any = None, name: _Opt = None) -> tuple:
    """The element-wise mean of `values` over all batches (`fg.metrics.mean_tensor`)."""
    return _m.mean_tensor(values, weights, metrics_collections, updates_collections, name)


def streaming_accuracy(predictions: Any, labels: Any, weights: Any = None,
                       metrics_collections: Any = None, updates_collections: Any = None,
                       name: _Opt = None) -> tuple:
    """How often `predictions` equals `labels` (`fg.metrics.accuracy`)."""
    return _m.accuracy(labels=labels, predictions=predictions, weights=weights,
                       metrics_collections=metrics_collections,
                       updates_collections=updates_collections, name=name)


def _pair(metric):
    """A contrib form ``f(predictions, labels, weights=None, ...)`` of ``metric``."""

    def streaming(predictions: Any, labels: Any, weights: Any = None,
                  metrics_collections: Any = None, updates_collections: Any = None,
                  name: _Opt = None) -> tuple:
        return metric(labels=labels, predictions=predictions, weights=weights,
                      metrics_collections=metrics_collections,
                      updates_collections=updates_collections, name=name)

    streaming.__name__ = streaming.__qualname__ = f"streaming_{metric.__name__}"
    streaming.__doc__ = (f"`fg.metrics.{metric.__name__}` with TF1's contrib argument order "
                         "(predictions, labels, weights=None, metrics_collections=None, "
                         "updates_collections=None, name=None).")
    return streaming


streaming_precision = _pair(_m.precision)
streaming_recall = _pair(_m.recall)
streaming_true_positives = _pair(_m.true_positives)
streaming_true_negatives = _pair(_m.true_negatives)
streaming_false_positives = _pair(_m.false_positives)
streaming_false_negatives = _pair(_m.false_negatives)
streaming_mean_absolute_error = _pair(_m.mean_absolute_error)
streaming_mean_squared_error = _pair(_m.mean_squared_error)
streaming_root_mean_squared_error = _pair(_m.root_mean_squared_error)


def streaming_auc(predictions: Any, labels: Any, weights: Any = None, num_thresholds: int = 200,
                  metrics_collections: Any = None, updates_collections: Any = None,
                  curve: str = "ROC", name: _Opt = None,
                  summation_method: str = "trapezoidal") -> tuple:
    """The area under the ROC or PR curve (`fg.metrics.auc`)."""
    return _m.auc(labels=labels, predictions=predictions, weights=weights,
                  num_thresholds=num_thresholds, metrics_collections=metrics_collections,
                  updates_collections=updates_collections, curve=curve, name=name,
                  summation_method=summation_method)


def streaming_mean_relative_error(predictions: Any, labels: Any, normalizer: Any,
                                  weights: Any = None, metrics_collections: Any = None,
                                  updates_collections: Any = None, name: _Opt = None) -> tuple:
    """The mean of ``|predictions - labels| / normalizer``."""
    return _m.mean_relative_error(labels=labels, predictions=predictions,
                                  normalizer=normalizer, weights=weights,
                                  metrics_collections=metrics_collections,
                                  updates_collections=updates_collections, name=name)


def streaming_mean_cosine_distance(predictions: Any, labels: Any, dim: int, weights: Any = None,
                                   metrics_collections: Any = None,
                                   updates_collections: Any = None, name: _Opt = None) -> tuple:
    """The mean cosine distance along `dim` of unit-normalized vectors."""
    return _m.mean_cosine_distance(labels=labels, predictions=predictions, dim=dim,
                                   weights=weights, metrics_collections=metrics_collections,
                                   updates_collections=updates_collections, name=name)


def streaming_percentage_less(values: Any, threshold: Any, weights: Any = None,
                              metrics_collections: Any = None, updates_collections: Any = None,
                              name: _Opt = None) -> tuple:
    """The fraction of `values` below `threshold` (`fg.metrics.percentage_below`)."""
    return _m.percentage_below(values=values, threshold=threshold, weights=weights,
                               metrics_collections=metrics_collections,
                               updates_collections=updates_collections, name=name)


def streaming_mean_iou(predictions: Any, labels: Any, num_classes: int, weights: Any = None,
                       metrics_collections: Any = None, updates_collections: Any = None,
                       name: _Opt = None) -> tuple:
    """The mean intersection-over-union over `num_classes` classes."""
    return _m.mean_iou(labels=labels, predictions=predictions, num_classes=num_classes,
                       weights=weights, metrics_collections=metrics_collections,
                       updates_collections=updates_collections, name=name)


def _thresholded(metric):
    def streaming(predictions: Any, labels: Any, thresholds: Sequence[float],
                  weights: Any = None, metrics_collections: Any = None,
                  updates_collections: Any = None, name: _Opt = None) -> tuple:
        return metric(labels=labels, predictions=predictions, thresholds=thresholds,
                      weights=weights, metrics_collections=metrics_collections,
                      updates_collections=updates_collections, name=name)

    streaming.__name__ = streaming.__qualname__ = f"streaming_{metric.__name__}"
    streaming.__doc__ = (f"`fg.metrics.{metric.__name__}` with TF1's contrib argument order "
                         "(predictions, labels, thresholds, weights=None, ...).")
    return streaming


streaming_precision_at_thresholds = _thresholded(_m.precision_at_thresholds)
streaming_recall_at_thresholds = _thresholded(_m.recall_at_thresholds)


def streaming_sensitivity_at_specificity(predictions: Any, labels: Any, specificity: float,
                                         weights: Any = None, num_thresholds: int = 200,
                                         metrics_collections: Any = None,
                                         updates_collections: Any = None,
                                         name: _Opt = None) -> tuple:
    """The sensitivity at the threshold whose specificity is closest to `specificity`."""
    return _m.sensitivity_at_specificity(
        labels=labels, predictions=predictions, specificity=specificity, weights=weights,
        num_thresholds=num_thresholds, metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def streaming_specificity_at_sensitivity(predictions: Any, labels: Any, sensitivity: float,
                                         weights: Any = None, num_thresholds: int = 200,
                                         metrics_collections: Any = None,
                                         updates_collections: Any = None,
                                         name: _Opt = None) -> tuple:
    """The specificity at the threshold whose sensitivity is closest to `sensitivity`."""
    return _m.specificity_at_sensitivity(
        labels=labels, predictions=predictions, sensitivity=sensitivity, weights=weights,
        num_thresholds=num_thresholds, metrics_collections=metrics_collections,
        updates_collections=updates_collections, name=name)


def f1_score(labels: Any, predictions: Any, weights: Any = None, num_thresholds: int = 200,
             metrics_collections: Any = None, updates_collections: Any = None,
             name: _Opt = None) -> tuple:
    """The best F1 score over `num_thresholds` evenly spaced thresholds in [0, 1]
    (note: labels first, as in TF1's contrib `f1_score`).

    ``precision = tp / (1e-7 + tp + fp)``, ``recall = tp / (1e-7 + tp + fn)``,
    ``f1 = 2 * precision * recall / (precision + recall + 1e-7)``, maximized over the
    thresholds. `predictions` must be in [0, 1].
    """
    check_collections(metrics_collections, updates_collections)
    if num_thresholds < 2:
        raise ValueError(f"num_thresholds must be > 1, got {num_thresholds}.")
    with variable_scope(name, "f1", (labels, predictions, weights)):
        epsilon = 1e-7
        inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        thresholds = [0.0 - epsilon] + inner + [1.0 + epsilon]
        values, update_ops = confusion_matrix_at_thresholds(
            labels, predictions, thresholds, weights, includes=("tp", "fp", "fn"))

        def best_f1(tp: Any, fp: Any, fn: Any, op_name: str) -> Any:
            precision_at_t = divide(tp, epsilon + tp + fp)
            recall_at_t = divide(tp, epsilon + tp + fn)
            f1_at_t = 2.0 * precision_at_t * recall_at_t / (precision_at_t + recall_at_t
                                                             + epsilon)
            return reduce_max(f1_at_t, name=op_name)

        value = best_f1(values["tp"].value(), values["fp"].value(), values["fn"].value(),
                        "value")
        add_to(metrics_collections, value)
        update_op = best_f1(update_ops["tp"], update_ops["fp"], update_ops["fn"], "update")
        add_to(updates_collections, update_op)
        return value, update_op


def aggregate_metrics(*value_update_tuples: Any) -> tuple:
    """``(value, update_op)`` pairs -> ``([values], [update_ops])``."""
    if not value_update_tuples:
        raise ValueError("Expected at least one value_tensor/update_op pair")
    for pair in value_update_tuples:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError("aggregate_metrics takes (value_tensor, update_op) pairs, as "
                             f"returned by the streaming metrics; got {pair!r}")
    value_ops, update_ops = zip(*value_update_tuples)
    return list(value_ops), list(update_ops)


def aggregate_metric_map(names_to_tuples: dict) -> tuple:
    """``{name: (value, update_op)}`` -> ``({name: value}, {name: update_op})``."""
    if not isinstance(names_to_tuples, dict):
        raise TypeError("aggregate_metric_map takes a dict of metric names to "
                        f"(value_tensor, update_op) pairs; got {type(names_to_tuples)}")
    metric_names = list(names_to_tuples)
    value_ops, update_ops = aggregate_metrics(*names_to_tuples.values())
    return dict(zip(metric_names, value_ops)), dict(zip(metric_names, update_ops))




def streaming_concat(values: Any, axis: int = 0, max_size: Optional[int] = None,
                     metrics_collections: Any = None, updates_collections: Any = None,
                     name: _Opt = None) -> tuple:
    """All the `values` seen so far, concatenated along `axis` (TF1's contrib
    `streaming_concat`).

    Every dimension but `axis` must be statically known. With `max_size`, values past the
    first `max_size` along `axis` are dropped. The state is the local Variables ``array``
    (the values, `axis` moved first) and ``size`` (how many are valid); `update_op`
    returns the new size.
    """
    from flowgraph import dtypes
    from flowgraph.metrics.metric_utils import metric_variable
    from flowgraph.ops import assign, concat, convert_to_tensor, minimum, shape, transpose

    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "streaming_concat", (values,)):
        values = convert_to_tensor(values)
        values_shape = values.shape
        if values_shape.ndims is None:
            raise ValueError("`values` must have known statically known rank")
        ndim = values_shape.ndims
        if axis < 0:
            axis += ndim
        if not 0 <= axis < ndim:
            raise ValueError(f"axis = {axis!r} not in [0, {ndim!r})")
        fixed_shape = [dim for n, dim in enumerate(values_shape.as_list()) if n != axis]
        if any(dim is None for dim in fixed_shape):
            raise ValueError("all dimensions of `values` other than the dimension to "
                             "concatenate along must have statically known size")
        array = metric_variable([0] + fixed_shape, values.dtype, validate_shape=False,
                                name="array")
        size = metric_variable([], dtypes.int32, name="size")

        to_values = [0 if n == axis else n + 1 if n < axis else n for n in range(ndim)]
        valid_array = array.value()[:size.value()]
        valid_array.set_shape([None] + fixed_shape)
        value = transpose(valid_array, to_values, name="concat")

        values_size = shape(values, out_type=dtypes.int32)[axis]
        batch_size = values_size if max_size is None else minimum(values_size,
                                                                  max_size - size.value())
        to_array = [axis] + [n for n in range(ndim) if n != axis]
        batch_values = transpose(values, to_array)[:batch_size]
        new_size = size.value() + batch_size
        grown = assign(array, concat([array.value()[:size.value()], batch_values], 0),
                       validate_shape=False)
        with grown.graph.control_dependencies([grown]):
            update_op = size.assign(new_size)
        add_to(metrics_collections, value)
        add_to(updates_collections, update_op)
        return value, update_op
