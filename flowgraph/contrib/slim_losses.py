"""`slim.losses`: TF1's `tf.contrib.losses` (which `tf.contrib.slim` exposes as
`slim.losses`). These are TF1's older loss signatures: the logits or predictions come FIRST
(``softmax_cross_entropy(logits, onehot_labels)``), unlike `tf.losses`; each one delegates
to the `fg.losses` function with the same reduction (sum over elements divided by the number
of non-zero weights) and default name scope.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import losses as _losses
from flowgraph.graph import GraphKeys, name_scope
from flowgraph.nn.activations import relu
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.math import multiply, subtract

__all__ = ["absolute_difference", "add_loss", "compute_weighted_loss", "cosine_distance",
           "get_losses", "get_regularization_losses", "get_total_loss", "hinge_loss",
           "log_loss", "mean_squared_error", "sigmoid_cross_entropy", "softmax_cross_entropy",
           "sparse_softmax_cross_entropy"]


def _need_labels(labels: Any, fn: str) -> Any:
    if labels is None:
        raise ValueError(f"{fn}: labels must not be None; pass the targets as the second "
                         "argument (tf.contrib.losses takes predictions first)")
    return labels


def compute_weighted_loss(losses: Any, weights: Any = 1.0, scope: Optional[str] = None) -> Any:
    """The weighted loss: sum(losses * weights) / (number of non-zero weighted elements),
    added to the LOSSES collection."""
    return _losses.compute_weighted_loss(losses, weights, scope=scope)


def add_loss(loss: Any, loss_collection: str = GraphKeys.LOSSES) -> None:
    """Adds `loss` to `loss_collection`."""
    _losses.add_loss(loss, loss_collection=loss_collection)


def get_losses(scope: Optional[str] = None, loss_collection: str = GraphKeys.LOSSES) -> list:
    """The losses in `loss_collection` under `scope`."""
    return _losses.get_losses(scope=scope, loss_collection=loss_collection)


def get_regularization_losses(scope: Optional[str] = None) -> list:
    """The REGULARIZATION_LOSSES under `scope`."""
    return _losses.get_regularization_losses(scope=scope)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss") -> Any:
    """The sum of the LOSSES (and, by default, the regularization losses)."""
    return _losses.get_total_loss(add_regularization_losses=add_regularization_losses,
                                  name=name)


def absolute_difference(predictions: Any, labels: Any = None, weights: Any = 1.0,
                        scope: Optional[str] = None) -> Any:
    """Weighted mean of ``|predictions - labels|``."""
    labels = _need_labels(labels, "absolute_difference")
    return _losses.absolute_difference(labels, predictions, weights, scope=scope)


def mean_squared_error(predictions: Any, labels: Any = None, weights: Any = 1.0,
                       scope: Optional[str] = None) -> Any:
    """Weighted mean of ``(predictions - labels) ** 2``."""
    labels = _need_labels(labels, "mean_squared_error")
    return _losses.mean_squared_error(labels, predictions, weights, scope=scope)


def log_loss(predictions: Any, labels: Any = None, weights: Any = 1.0, epsilon: float = 1e-7,
             scope: Optional[str] = None) -> Any:
    """Weighted mean of the binary log loss of probabilities `predictions`."""
    labels = _need_labels(labels, "log_loss")
    return _losses.log_loss(labels, predictions, weights, epsilon=epsilon, scope=scope)


def cosine_distance(predictions: Any, labels: Any = None, axis: Optional[int] = None,
                    weights: Any = 1.0, scope: Optional[str] = None,
                    dim: Optional[int] = None) -> Any:
    """Weighted mean of ``1 - sum(predictions * labels, axis)`` (unit-normalized inputs)."""
    labels = _need_labels(labels, "cosine_distance")
    return _losses.cosine_distance(labels, predictions, axis=axis, weights=weights,
                                   scope=scope, dim=dim)


def softmax_cross_entropy(logits: Any, onehot_labels: Any, weights: Any = 1.0,
                          label_smoothing: float = 0, scope: Optional[str] = None) -> Any:
    """Weighted mean softmax cross-entropy of `logits` against one-hot labels."""
    return _losses.softmax_cross_entropy(onehot_labels, logits, weights,
                                         label_smoothing=label_smoothing, scope=scope)


def sigmoid_cross_entropy(logits: Any, multi_class_labels: Any, weights: Any = 1.0,
                          label_smoothing: float = 0, scope: Optional[str] = None) -> Any:
    """Weighted mean sigmoid cross-entropy of `logits` against 0/1 labels."""
    return _losses.sigmoid_cross_entropy(multi_class_labels, logits, weights,
                                         label_smoothing=label_smoothing, scope=scope)


def sparse_softmax_cross_entropy(logits: Any, labels: Any, weights: Any = 1.0,
                                 scope: Optional[str] = None) -> Any:
    """Weighted mean softmax cross-entropy of `logits` against integer class labels."""
    return _losses.sparse_softmax_cross_entropy(labels, logits, weights, scope=scope)


def hinge_loss(logits: Any, labels: Any = None, scope: Optional[str] = None) -> Any:
    """The element-wise (NOT reduced, as in TF1's contrib) hinge loss
    ``relu(1 - (2 * labels - 1) * logits)`` for 0/1 `labels`."""
    labels = _need_labels(labels, "hinge_loss")
    with name_scope(scope, "hinge_loss", [logits, labels]):
        logits = convert_to_tensor(logits)
        labels = convert_to_tensor(labels, dtype=logits.dtype)
        if logits.shape.is_fully_defined() and labels.shape.is_fully_defined() \
                and logits.shape.as_list() != labels.shape.as_list():
            raise ValueError(f"hinge_loss: logits shape {logits.shape} must equal labels "
                             f"shape {labels.shape}")
        signs = subtract(multiply(2.0, labels), 1.0)
        return relu(subtract(1.0, multiply(signs, logits)))
