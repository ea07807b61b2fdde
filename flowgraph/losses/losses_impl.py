"""The loss functions of `fg.losses` (TF1's `tf.losses`).

Each computes per-element losses, then weights and reduces them with
`compute_weighted_loss` (default: the mean over non-zero weights) and adds the result to
``GraphKeys.LOSSES``. As TF1, the regression and margin losses compute in float32 (labels
and predictions are cast); the cross-entropies keep the logits' dtype.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes, nn
from flowgraph.graph import GraphKeys, Tensor, name_scope
from flowgraph.losses.reduction import Reduction, compute_weighted_loss, num_present
from flowgraph.losses.util import add_loss
from flowgraph.ops import abs as abs_op
from flowgraph.ops import (
    cast,
    convert_to_tensor,
    div_no_nan,
    log,
    minimum,
    multiply,
    ones_like,
    rank,
    reduce_sum,
    shape,
    square,
    squared_difference,
    squeeze,
    stop_gradient,
    subtract,
    where_v2,
    zeros_like,
)
from flowgraph.ops import range as range_op

__all__ = ["absolute_difference", "cosine_distance", "hinge_loss", "huber_loss", "log_loss",
           "mean_pairwise_squared_error", "mean_squared_error", "sigmoid_cross_entropy",
           "softmax_cross_entropy", "sparse_softmax_cross_entropy"]

_DEFAULT = Reduction.SUM_BY_NONZERO_WEIGHTS


def _required(**values: Any) -> None:
    for what, value in values.items():
        if value is None:
            raise ValueError(f"{what} must not be None.")


def _float_pair(labels: Any, predictions: Any) -> tuple:
    """Both cast to float32, with compatible static shapes (ValueError otherwise)."""
    predictions = cast(convert_to_tensor(predictions), dtypes.float32)
    labels = cast(convert_to_tensor(labels), dtypes.float32)
    predictions.shape.assert_is_compatible_with(labels.shape)
    return labels, predictions


def absolute_difference(labels: Any, predictions: Any, weights: Any = 1.0,
                        scope: Optional[str] = None,
                        loss_collection: Optional[str] = GraphKeys.LOSSES,
                        reduction: str = _DEFAULT) -> Tensor:
    """Weighted ``|predictions - labels|`` (L1 loss)."""
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "absolute_difference", [predictions, labels, weights]) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = abs_op(subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def mean_squared_error(labels: Any, predictions: Any, weights: Any = 1.0,
                       scope: Optional[str] = None,
                       loss_collection: Optional[str] = GraphKeys.LOSSES,
                       reduction: str = _DEFAULT) -> Tensor:
    """Weighted ``(predictions - labels) ** 2``.

    >>> loss = fg.losses.mean_squared_error(labels=y, predictions=y_hat)
    """
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def huber_loss(labels: Any, predictions: Any, weights: Any = 1.0, delta: float = 1.0,
               scope: Optional[str] = None, loss_collection: Optional[str] = GraphKeys.LOSSES,
               reduction: str = _DEFAULT) -> Tensor:
    """Weighted Huber loss of ``e = predictions - labels``: ``0.5 * e ** 2`` where
    ``|e| <= delta``, ``0.5 * delta ** 2 + delta * (|e| - delta)`` beyond."""
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "huber_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _float_pair(labels, predictions)
        abs_error = abs_op(subtract(predictions, labels))
        quadratic = minimum(abs_error, delta)
        linear = subtract(abs_error, quadratic)
        losses = 0.5 * multiply(quadratic, quadratic) + multiply(delta, linear)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def log_loss(labels: Any, predictions: Any, weights: Any = 1.0, epsilon: float = 1e-7,
             scope: Optional[str] = None, loss_collection: Optional[str] = GraphKeys.LOSSES,
             reduction: str = _DEFAULT) -> Tensor:
    """Weighted binary cross-entropy of probabilities:
    ``-y log(p + eps) - (1 - y) log(1 - p + eps)``."""
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "log_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = -multiply(labels, log(predictions + epsilon)) - multiply(
            1 - labels, log(1 - predictions + epsilon))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def hinge_loss(labels: Any, logits: Any, weights: Any = 1.0, scope: Optional[str] = None,
               loss_collection: Optional[str] = GraphKeys.LOSSES,
               reduction: str = _DEFAULT) -> Tensor:
    """Weighted ``max(0, 1 - (2 y - 1) * logits)`` for 0/1 `labels`."""
    _required(labels=labels, logits=logits)
    with name_scope(scope, "hinge_loss", [logits, labels, weights]) as scope:
        labels, logits = _float_pair(labels, logits)
        all_ones = ones_like(labels)
        signs = subtract(2 * labels, all_ones)
        losses = nn.relu(subtract(all_ones, multiply(signs, logits)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def cosine_distance(labels: Any, predictions: Any, axis: Optional[int] = None,
                    weights: Any = 1.0, scope: Optional[str] = None,
                    loss_collection: Optional[str] = GraphKeys.LOSSES,
                    reduction: str = _DEFAULT, dim: Optional[int] = None) -> Tensor:
    """Weighted ``1 - sum(labels * predictions, axis)`` for unit-normalized inputs (the
    reduced axis is kept, of size 1). `dim` is the deprecated name of `axis`."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as scope:
        labels, predictions = _float_pair(labels, predictions)
        losses = 1 - reduce_sum(multiply(predictions, labels), axis=(axis,), keepdims=True)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def mean_pairwise_squared_error(labels: Any, predictions: Any, weights: Any = 1.0,
                                scope: Optional[str] = None,
                                loss_collection: Optional[str] = GraphKeys.LOSSES) -> Tensor:
    """The mean over pairs of elements (within each example) of
    ``((p_i - p_j) - (y_i - y_j)) ** 2``, weighted per example and summed over the batch."""
    _required(labels=labels, predictions=predictions)
    with name_scope(scope, "mean_pairwise_squared_error", [predictions, labels, weights]):
        weights = cast(convert_to_tensor(weights), dtypes.float32)
        labels, predictions = _float_pair(labels, predictions)
        diffs = subtract(predictions, labels)
        known = diffs.shape.ndims
        axis = list(range(1, known)) if known is not None else range_op(1, rank(diffs))
        sum_squares = reduce_sum(square(diffs), axis=axis, keepdims=True)
        count = num_present(diffs, weights, per_batch=True)
        term1 = 2.0 * div_no_nan(sum_squares, count - 1, name="value")
        sum_diff = reduce_sum(diffs, axis=axis, keepdims=True)
        term2 = 2.0 * div_no_nan(square(sum_diff), multiply(count, count - 1), name="value")
        loss = reduce_sum(multiply(term1 - term2, weights))
        mean_loss = where_v2(reduce_sum(count) > 0, loss, zeros_like(loss), name="value")
        add_loss(mean_loss, loss_collection)
        return mean_loss


def sigmoid_cross_entropy(multi_class_labels: Any, logits: Any, weights: Any = 1.0,
                          label_smoothing: float = 0, scope: Optional[str] = None,
                          loss_collection: Optional[str] = GraphKeys.LOSSES,
                          reduction: str = _DEFAULT) -> Tensor:
    """Weighted sigmoid cross-entropy of 0/1 labels (independent classes).

    With `label_smoothing` s, labels become ``y * (1 - s) + 0.5 * s``.
    """
    _required(multi_class_labels=multi_class_labels, logits=logits)
    with name_scope(scope, "sigmoid_cross_entropy_loss",
                    [logits, multi_class_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        labels = cast(multi_class_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        if label_smoothing > 0:
            labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                      name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels: Any, logits: Any, weights: Any = 1.0,
                          label_smoothing: float = 0, scope: Optional[str] = None,
                          loss_collection: Optional[str] = GraphKeys.LOSSES,
                          reduction: str = _DEFAULT) -> Tensor:
    """Weighted softmax cross-entropy of one-hot (or probability) labels [batch, classes];
    `weights` is a scalar or per example [batch].

    With `label_smoothing` s, labels become ``y * (1 - s) + s / num_classes``. No gradient
    flows into the labels.
    """
    _required(onehot_labels=onehot_labels, logits=logits)
    with name_scope(scope, "softmax_cross_entropy_loss",
                    [logits, onehot_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        labels = cast(onehot_labels, logits.dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        if label_smoothing > 0:
            classes = cast(shape(labels)[-1], logits.dtype)
            labels = labels * (1.0 - label_smoothing) + label_smoothing / classes
        labels = stop_gradient(labels, name="labels_stop_gradient")
        losses = nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits,
                                                         name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def _squeeze_for_sparse(labels: Tensor, logits: Tensor, weights: Any) -> tuple:
    """As TF1: labels [batch, 1] with logits [batch, classes] lose their last axis, and so
    do weights one rank above the labels."""
    l_rank, p_rank = labels.shape.ndims, logits.shape.ndims
    if l_rank is not None and p_rank is not None:
        diff = p_rank - l_rank
        if diff == 2 and logits.shape.as_list()[-1] in (1, None):
            logits = squeeze(logits, [-1])
        elif diff == 0 and labels.shape.as_list()[-1] in (1, None):
            labels = squeeze(labels, [-1])
    weights = convert_to_tensor(weights)
    l_rank = labels.shape.ndims
    if l_rank is not None and weights.shape.ndims is not None \
            and weights.shape.ndims - l_rank == 1:
        weights = squeeze(weights, [-1])
    return labels, logits, weights


def sparse_softmax_cross_entropy(labels: Any, logits: Any, weights: Any = 1.0,
                                 scope: Optional[str] = None,
                                 loss_collection: Optional[str] = GraphKeys.LOSSES,
                                 reduction: str = _DEFAULT) -> Tensor:
    """Weighted softmax cross-entropy of integer class `labels` [batch] (int32 or int64)
    and `logits` [batch, classes].

    >>> loss = fg.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    """
    _required(labels=labels, logits=logits)
    with name_scope(scope, "sparse_softmax_cross_entropy_loss",
                    [logits, labels, weights]) as scope:
        labels, logits, weights = _squeeze_for_sparse(convert_to_tensor(labels),
                                                      convert_to_tensor(logits), weights)
        losses = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                             name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)
