"""Top-k metrics over integer labels: `recall_at_k`, `precision_at_k`, their `*_at_top_k`
forms, `average_precision_at_k` and the deprecated `sparse_*` aliases (TF1's
`tf.metrics`).

Each row of `labels` [D1, ... DN, num_labels] (or [D1, ... DN]) and of the top-k
predicted ids [D1, ... DN, k] is treated as a set, as TF1's set operations do: true
positives are the ids in both, false positives the predicted ids not among the labels,
false negatives the labels not predicted. Labels are dense tensors (pad rows with -1) or
SparseTensors.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor, name_scope
from flowgraph.losses.reduction import assert_broadcastable
from flowgraph.metrics.metric_utils import (
    add_to,
    broadcast_weights,
    check_collections,
    metric_variable,
)
from flowgraph.nn import top_k
from flowgraph.ops import (
    assign_add,
    cast,
    constant,
    convert_to_tensor,
    cumsum,
    div_no_nan,
    divide,
    equal,
    expand_dims,
    greater_equal,
    logical_and,
    logical_not,
    minimum,
    multiply,
    not_equal,
    ones_like,
    reduce_any,
    reduce_max,
    reduce_sum,
    shape,
    size,
    where_v2,
    zeros_like,
)
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["recall_at_k", "recall_at_top_k", "precision_at_k", "precision_at_top_k",
           "sparse_precision_at_k", "average_precision_at_k", "sparse_average_precision_at_k"]


def _at_k_name(name: str, k: Optional[int] = None, class_id: Optional[int] = None) -> str:
    name = f"{name}_at_{k}" if k is not None else f"{name}_at_k"
    return f"{name}_class{class_id}" if class_id is not None else name


# Fills the missing entries of SparseTensor labels made dense. A dense label of -1 still counts
# as a (never predicted) label, as in TF1, so the padding needs a value of its own.
SPARSE_PAD = int(np.iinfo(np.int64).min)


def _dense_ids(labels: Any, predictions_idx: Tensor) -> tuple:
    """int64 labels with the rank of `predictions_idx` (a trailing 1 added if needed).

    A SparseTensor of labels (TF1's [D1, ... DN, num_labels] form) becomes dense with the
    missing entries `SPARSE_PAD` (not labels: TF1's set operations only see the values)."""
    from flowgraph.ops.sparse import sparse_tensor_to_dense
    from flowgraph.sparse_tensor import SparseTensorValue
    if isinstance(labels, SparseTensorValue):
        labels = SparseTensor.from_value(labels)
    if isinstance(labels, SparseTensor):
        values = cast(labels.values, dtypes.int64)
        labels = sparse_tensor_to_dense(SparseTensor(labels.indices, values, labels.dense_shape),
                                        default_value=SPARSE_PAD, validate_indices=False)
    labels = cast(convert_to_tensor(labels), dtypes.int64)
    predictions_idx = cast(convert_to_tensor(predictions_idx), dtypes.int64)
    l_rank, p_rank = labels.shape.ndims, predictions_idx.shape.ndims
    if l_rank is None or p_rank is None:
        raise ValueError("labels and predictions need a known rank for top-k metrics.")
    if p_rank == l_rank + 1:
        labels = expand_dims(labels, -1)
    elif p_rank != l_rank:
        raise ValueError(f"Unexpected labels shape {labels.shape} for predictions shape "
                         f"{predictions_idx.shape}. Predictions rank should be the same rank "
                         "as labels rank or labels rank plus one .")
    return labels, predictions_idx


def _first_occurrences(ids: Tensor) -> Tensor:
    """True for each entry of the last axis that does not repeat an earlier one."""
    n = ids.shape.as_list()[-1]
    if n is None:
        raise ValueError(f"The last dimension of {ids.name} must be known, got {ids.shape}.")
    earlier = constant(np.tril(np.ones((n, n), dtype=bool), -1))
    same = equal(expand_dims(ids, -1), expand_dims(ids, -2))
    return logical_not(reduce_any(logical_and(same, earlier), -1))


def set_counts(labels: Tensor, predictions_idx: Tensor,
               class_id: Optional[int] = None) -> tuple:
    """Per-row float64 counts (tp, fp, fn) of the sets of predicted ids and label ids,
    restricted to `class_id` when given."""
    p_valid = _first_occurrences(predictions_idx)
    l_valid = logical_and(_first_occurrences(labels), not_equal(labels, SPARSE_PAD))
    if class_id is not None:
        p_valid = logical_and(p_valid, equal(predictions_idx, class_id))
        l_valid = logical_and(l_valid, equal(labels, class_id))
    match = equal(expand_dims(predictions_idx, -1), expand_dims(labels, -2))
    p_hit = reduce_any(logical_and(match, expand_dims(l_valid, -2)), -1)
    l_hit = reduce_any(logical_and(match, expand_dims(p_valid, -1)), -2)

    def count(mask: Tensor) -> Tensor:
        return reduce_sum(cast(mask, dtypes.float64), -1)

    return (count(logical_and(p_valid, p_hit)), count(logical_and(p_valid, logical_not(p_hit))),
            count(logical_and(l_valid, logical_not(l_hit))))


def _weighted(counts: Tensor, weights: Any) -> Tensor:
    if weights is None:
        return counts
    weights = cast(convert_to_tensor(weights), dtypes.float64)
    assert_broadcastable(weights, counts)
    return multiply(counts, weights)


def _streaming_count(counts: Tensor, weights: Any, default_name: str) -> tuple:
    """A local float64 Variable named after the scope and the op adding the batch total."""
    with name_scope(None, default_name, (counts,)) as scope:
        total = reduce_sum(_weighted(counts, weights))
        variable = metric_variable([], dtypes.float64, name=scope)
        return variable, assign_add(variable, total, name="update")


def _ratio_at_top_k(kind: str, other: str, labels: Any, predictions_idx: Any, k: Any,
                    class_id: Any, weights: Any, metrics_collections: Any,
                    updates_collections: Any, name: Optional[str]) -> tuple:
    check_collections(metrics_collections, updates_collections)
    with name_scope(name, _at_k_name(kind, k, class_id=class_id),
                    (predictions_idx, labels, weights)) as scope:
        labels, top_k_idx = _dense_ids(labels, predictions_idx)
        tp_counts, fp_counts, fn_counts = set_counts(labels, top_k_idx, class_id)
        other_counts = fp_counts if other == "false_positive" else fn_counts
        tp, tp_update = _streaming_count(tp_counts, weights,
                                         _at_k_name("true_positive", k, class_id))
        oth, oth_update = _streaming_count(other_counts, weights,
                                           _at_k_name(other, k, class_id))
        tp_value = tp.value()
        value = divide(tp_value, tp_value + oth.value(), name=scope)
        add_to(metrics_collections, value)
        update = divide(tp_update, tp_update + oth_update, name="update")
        add_to(updates_collections, update)
        return value, update


def recall_at_top_k(labels: Any, predictions_idx: Any, k: Optional[int] = None,
                    class_id: Optional[int] = None, weights: Any = None,
                    metrics_collections: Any = None, updates_collections: Any = None,
                    name: Optional[str] = None) -> tuple:
    """Recall@k from the top-k predicted ids [D1, ... DN, k]: ``tp / (tp + fn)`` (float64;
    NaN before any label is seen). Labels outside [0, num_classes) count as misses."""
    return _ratio_at_top_k("recall", "false_negative", labels, predictions_idx, k, class_id,
                           weights, metrics_collections, updates_collections, name)


def recall_at_k(labels: Any, predictions: Any, k: int, class_id: Optional[int] = None,
                weights: Any = None, metrics_collections: Any = None,
                updates_collections: Any = None, name: Optional[str] = None) -> tuple:
    """How often a label of an example is among its `k` highest-scored classes
    (`predictions`: scores [D1, ... DN, num_classes]); with `class_id`, only that class.
    Local Variables: ``recall_at_<k>/true_positive_at_<k>`` and
    ``recall_at_<k>/false_negative_at_<k>``.

    >>> rec, rec_op = fg.metrics.recall_at_k(labels=y, predictions=logits, k=5)
    """
    with name_scope(name, _at_k_name("recall", k, class_id=class_id),
                    (predictions, labels, weights)) as scope:
        _, top_k_idx = top_k(predictions, k)
        return recall_at_top_k(labels, top_k_idx, k=k, class_id=class_id, weights=weights,
                               metrics_collections=metrics_collections,
                               updates_collections=updates_collections, name=scope)


def precision_at_top_k(labels: Any, predictions_idx: Any, k: Optional[int] = None,
                       class_id: Optional[int] = None, weights: Any = None,
                       metrics_collections: Any = None, updates_collections: Any = None,
                       name: Optional[str] = None) -> tuple:
    """Precision@k from the top-k predicted ids [D1, ... DN, k]: ``tp / (tp + fp)``
    (float64)."""
    return _ratio_at_top_k("precision", "false_positive", labels, predictions_idx, k,
                           class_id, weights, metrics_collections, updates_collections, name)


def precision_at_k(labels: Any, predictions: Any, k: int, class_id: Optional[int] = None,
                   weights: Any = None, metrics_collections: Any = None,
                   updates_collections: Any = None, name: Optional[str] = None) -> tuple:
    """How often one of the `k` highest-scored classes of an example is among its labels;
    with `class_id`, only that class. Local Variables:
    ``precision_at_<k>/true_positive_at_<k>`` and ``.../false_positive_at_<k>``."""
    with name_scope(name, _at_k_name("precision", k, class_id=class_id),
                    (predictions, labels, weights)) as scope:
        _, top_k_idx = top_k(predictions, k)
        return precision_at_top_k(labels, top_k_idx, k=k, class_id=class_id,
                                  weights=weights, metrics_collections=metrics_collections,
                                  updates_collections=updates_collections, name=scope)


def sparse_precision_at_k(labels: Any, predictions: Any, k: int,
                          class_id: Optional[int] = None, weights: Any = None,
                          metrics_collections: Any = None, updates_collections: Any = None,
                          name: Optional[str] = None) -> tuple:
    """Deprecated in TF1: the same as `precision_at_k`."""
    return precision_at_k(labels, predictions, k, class_id, weights, metrics_collections,
                          updates_collections, name)


def _average_precision_per_row(labels: Tensor, predictions_idx: Tensor) -> Tensor:
    """AveP = sum_i P_i * rel_i / min(#labels >= 0, k) for each row (float64)."""
    k = predictions_idx.shape.as_list()[-1]
    if k is None:
        raise ValueError("The last dimension of predictions_idx must be set. Currently, it "
                         "is None.")
    p_valid = _first_occurrences(predictions_idx)
    l_valid = logical_and(_first_occurrences(labels), greater_equal(labels, 0))
    match = equal(expand_dims(predictions_idx, -1), expand_dims(labels, -2))
    relevant = cast(logical_and(p_valid, reduce_any(
        logical_and(match, expand_dims(l_valid, -2)), -1)), dtypes.float64)
    retrieved = cumsum(ones_like(relevant), axis=-1)
    precision_per_k = divide(cumsum(relevant, axis=-1), retrieved)
    precision_sum = reduce_sum(multiply(precision_per_k, relevant), -1)
    num_labels = reduce_sum(where_v2(greater_equal(labels, 0), ones_like(labels),
                                     zeros_like(labels)), -1)
    num_relevant = cast(minimum(num_labels, k), dtypes.float64)
    return divide(precision_sum, num_relevant)


def average_precision_at_k(labels: Any, predictions: Any, k: int, weights: Any = None,
                           metrics_collections: Any = None, updates_collections: Any = None,
                           name: Optional[str] = None) -> tuple:
    """The mean over examples of the average precision of the `k` highest-scored classes
    (float64). Labels outside [0, num_classes) are ignored. Local Variables:
    ``average_precision_at_<k>/total`` and ``average_precision_at_<k>/max_1`` (TF1's names)."""
    check_collections(metrics_collections, updates_collections)
    if k < 1:
        raise ValueError(f"Invalid k={k}. `k` should be >= 1.")
    with name_scope(name, _at_k_name("average_precision", k),
                    (predictions, labels, weights)) as scope:
        predictions = convert_to_tensor(predictions)
        _, top_k_idx = top_k(predictions, k)
        labels, top_k_idx = _dense_ids(labels, top_k_idx)
        num_classes = cast(shape(predictions)[-1], dtypes.int64)
        # TF1 first takes the labels' max ("Max") to skip the clean-up when no label is out
        # of range; the node also makes the max accumulator ``max_1``, as in TF1.
        any_out_of_range = greater_equal(reduce_max(labels), num_classes)
        labels = where_v2(logical_and(any_out_of_range, greater_equal(labels, num_classes)),
                          -1 * ones_like(labels), labels)
        average_precision = _average_precision_per_row(labels, top_k_idx)
        if weights is not None:
            weights = broadcast_weights(cast(convert_to_tensor(weights), dtypes.float64),
                                        average_precision)
            average_precision = multiply(average_precision, weights)
        with name_scope(None, "max", (average_precision,)) as max_scope:
            max_var = metric_variable([], dtypes.float64, name=max_scope)
            batch_max = (cast(size(average_precision), dtypes.float64) if weights is None
                         else reduce_sum(weights, name="batch_max"))
            max_update = assign_add(max_var, batch_max, name="update")
        with name_scope(None, "total", (average_precision,)) as total_scope:
            total_var = metric_variable([], dtypes.float64, name=total_scope)
            batch_total = reduce_sum(average_precision, name="batch_total")
            total_update = assign_add(total_var, batch_total, name="update")
        value = div_no_nan(total_var.value(), max_var.value(), name="mean")
        add_to(metrics_collections, value)
        update = div_no_nan(total_update, max_update, name=scope)
        add_to(updates_collections, update)
        return value, update


def sparse_average_precision_at_k(labels: Any, predictions: Any, k: int, weights: Any = None,
                                  metrics_collections: Any = None,
                                  updates_collections: Any = None,
                                  name: Optional[str] = None) -> tuple:
    """Deprecated in TF1: the same as `average_precision_at_k`."""
    return average_precision_at_k(labels, predictions, k, weights, metrics_collections,
                                  updates_collections, name)
