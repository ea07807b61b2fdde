"""Per-class streaming metrics over integer class ids: `mean_per_class_accuracy` and
`mean_iou` (TF1's `tf.metrics`)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor, control_dependencies
from flowgraph.metrics.metric_utils import add_to, check_collections, metric_variable
from flowgraph.ops import (
    Assert,
    assign_add,
    cast,
    convert_to_tensor,
    div_no_nan,
    divide,
    equal,
    eye,
    greater,
    greater_equal,
    identity,
    less,
    logical_and,
    matmul,
    maximum,
    multiply,
    not_equal,
    one_hot,
    ones_like,
    reduce_all,
    reduce_mean,
    reduce_sum,
    reshape,
    scatter_add,
    where,
)
from flowgraph.variable_scope import variable_scope

__all__ = ["mean_per_class_accuracy", "mean_iou"]


def _flat(tensor: Tensor) -> Tensor:
    if tensor.shape.ndims is None or tensor.shape.ndims > 1:
        return reshape(tensor, [-1])
    return tensor


def _check_ids(ids: Tensor, num_classes: int, what: str) -> Any:
    """An Assert that the class ids lie in [0, num_classes)."""
    inside = logical_and(reduce_all(greater_equal(ids, 0)),
                         reduce_all(less(ids, cast(num_classes, ids.dtype))))
    return Assert(inside, [f"`{what}` out of bound [0, {num_classes}): ", ids])


def _checked_ids(values: Any, num_classes: int, what: str) -> Tensor:
    ids = _flat(cast(convert_to_tensor(values), dtypes.int64))
    with control_dependencies([_check_ids(ids, num_classes, what)]):
        return identity(ids)


def mean_per_class_accuracy(labels: Any, predictions: Any, num_classes: int,
                            weights: Any = None, metrics_collections: Any = None,
                            updates_collections: Any = None,
                            name: Optional[str] = None) -> tuple:
    """The mean over classes of each class's accuracy (the weighted fraction of the
    examples labelled with the class that were predicted as it).

    Returns
    -------
    (Tensor, Tensor)
        The mean accuracy, and an update op whose value is the per-class accuracies
        [num_classes] (as TF1). Local Variables: ``mean_accuracy/total`` (examples per
        class) and ``mean_accuracy/count`` (correct ones per class).
    """
    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "mean_accuracy", (predictions, labels, weights)):
        labels = _checked_ids(labels, num_classes, "labels")
        predictions = _flat(convert_to_tensor(predictions))
        predictions.shape.assert_is_compatible_with(labels.shape)
        total = metric_variable([num_classes], dtypes.float32, name="total")
        count = metric_variable([num_classes], dtypes.float32, name="count")
        ones = ones_like(labels, dtype=dtypes.float32)
        if labels.dtype != predictions.dtype:
            predictions = cast(predictions, labels.dtype)
        is_correct = cast(equal(predictions, labels), dtypes.float32)
        if weights is not None:
            weights = _flat(cast(convert_to_tensor(weights), dtypes.float32))
            is_correct = multiply(is_correct, weights)
            ones = multiply(ones, weights)
        update_total = scatter_add(total, labels, ones)
        update_count = scatter_add(count, labels, is_correct)
        per_class = div_no_nan(count.value(), maximum(total.value(), 0))
        value = reduce_mean(per_class, name="mean_accuracy")
        add_to(metrics_collections, value)
        update_op = div_no_nan(update_count, maximum(update_total, 0), name="update_op")
        add_to(updates_collections, update_op)
        return value, update_op


def streaming_confusion_matrix(labels: Any, predictions: Any, num_classes: int,
                               weights: Any = None) -> tuple:
    """A local float64 ``total_confusion_matrix`` [num_classes, num_classes] (rows: labels,
    columns: predictions) and the op adding a batch's weighted counts to it."""
    total_cm = metric_variable([num_classes, num_classes], dtypes.float64,
                               name="total_confusion_matrix")
    labels = _checked_ids(labels, num_classes, "labels")
    predictions = _checked_ids(predictions, num_classes, "predictions")
    label_rows = one_hot(labels, num_classes, dtype=dtypes.float64)
    if weights is not None:
        weights = _flat(cast(convert_to_tensor(weights), dtypes.float64))
        label_rows = multiply(label_rows, reshape(weights, [-1, 1]))
    current = matmul(label_rows, one_hot(predictions, num_classes, dtype=dtypes.float64),
                     transpose_a=True)
    return total_cm, assign_add(total_cm, current)


def mean_iou(labels: Any, predictions: Any, num_classes: int, weights: Any = None,
             metrics_collections: Any = None, updates_collections: Any = None,
             name: Optional[str] = None) -> tuple:
    """The mean intersection-over-union over the classes that occur in the labels or the
    predictions: ``IOU = tp / (tp + fp + fn)`` per class, from a streaming confusion
    matrix.

    Returns
    -------
    (Tensor, Tensor)
        The mean IOU, and the update op of the confusion matrix (its value is the
        accumulated [num_classes, num_classes] matrix, as TF1).
    """
    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "mean_iou", (predictions, labels, weights)):
        predictions = convert_to_tensor(predictions)
        labels = convert_to_tensor(labels)
        predictions.shape.assert_is_compatible_with(labels.shape)
        total_cm, update_op = streaming_confusion_matrix(labels, predictions, num_classes,
                                                         weights)
        cm = total_cm.value()
        sum_over_row = cast(reduce_sum(cm, 0), dtypes.float32)
        sum_over_col = cast(reduce_sum(cm, 1), dtypes.float32)
        cm_diag = cast(reduce_sum(multiply(cm, eye(num_classes, dtype=dtypes.float64)), 1),
                       dtypes.float32)
        denominator = sum_over_row + sum_over_col - cm_diag
        num_valid = reduce_sum(cast(not_equal(denominator, 0), dtypes.float32))
        # TF1 uses the v1 `where` (node "Select"), so the value is ``mean_iou/Select_1``.
        denominator = where(greater(denominator, 0), denominator, ones_like(denominator))
        iou = divide(cm_diag, denominator)
        value = where(greater(num_valid, 0),
                         reduce_sum(iou, name="mean_iou") / num_valid, 0.0)
        add_to(metrics_collections, value)
        add_to(updates_collections, update_op)
        return value, update_op
