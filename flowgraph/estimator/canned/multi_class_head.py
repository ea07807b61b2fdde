"""The multi-class head: one logit per class, softmax cross-entropy loss (TF1's
`_MultiClassHeadWithSoftmaxCrossEntropyLoss`)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import losses, metrics, nn
from flowgraph.estimator.canned import head_utils as hu
from flowgraph.estimator.canned.head import (
    _Head,
    call_loss_fn,
    validate_loss_fn_args,
    validate_loss_reduction,
)
from flowgraph.estimator.canned.metric_keys import MetricKeys
from flowgraph.estimator.canned.prediction_keys import PredictionKeys
from flowgraph.estimator.export import export_output
from flowgraph.graph import name_scope
from flowgraph.losses import Reduction, compute_weighted_loss
from flowgraph.ops import argmax, convert_to_tensor, expand_dims

__all__: list = []


def _validate_n_classes(n_classes: Any) -> int:
    if n_classes is None:
        raise ValueError("n_classes cannot be None")
    if isinstance(n_classes, int) and n_classes <= 2:
        raise ValueError(f"n_classes must be > 2: {n_classes}.")
    return n_classes


def _multi_class_head_with_softmax_cross_entropy_loss(
        n_classes: int, weight_column: Any = None, label_vocabulary: Any = None,
        loss_reduction: str = Reduction.SUM, loss_fn: Any = None,
        name: Optional[str] = None) -> "_MultiClassHeadWithSoftmaxCrossEntropyLoss":
    """A head for classification into `n_classes` (> 2) classes with softmax
    cross-entropy.

    Parameters
    ----------
    n_classes : int
        The number of classes, more than 2 (use the binary head for 2).
    weight_column : str or numeric column, optional
        The feature holding each example's weight.
    label_vocabulary : list of str, optional
        String labels; else labels are integer class ids in [0, n_classes).
    loss_reduction : str
        A `fg.losses.Reduction` other than NONE; TF1's default SUM.
    loss_fn : callable, optional
        ``loss_fn(labels, logits[, features])`` returning the unreduced loss [batch, 1].
    name : str, optional
        Suffixes metric and summary names; the ops' name scope.
    """
    if label_vocabulary is not None and not isinstance(label_vocabulary, (list, tuple)):
        raise ValueError(f"label_vocabulary should be a list or a tuple. Given type: "
                         f"{type(label_vocabulary)}")
    validate_loss_reduction(loss_reduction)
    if loss_fn:
        validate_loss_fn_args(loss_fn)
    return _MultiClassHeadWithSoftmaxCrossEntropyLoss(
        n_classes=n_classes, weight_column=weight_column, label_vocabulary=label_vocabulary,
        loss_reduction=loss_reduction, loss_fn=loss_fn, name=name)


class _MultiClassHeadWithSoftmaxCrossEntropyLoss(_Head):
    """See `_multi_class_head_with_softmax_cross_entropy_loss`."""

    def __init__(self, n_classes: int, weight_column: Any = None,
                 label_vocabulary: Any = None, loss_reduction: str = Reduction.SUM,
                 loss_fn: Any = None, name: Optional[str] = None) -> None:
        self._n_classes = _validate_n_classes(n_classes)
        if label_vocabulary is not None and len(label_vocabulary) != n_classes:
            raise ValueError(f"label_vocabulary has {len(label_vocabulary)} entries but "
                             f"n_classes is {n_classes}: give one name per class.")
        self._weight_column = weight_column
        self._label_vocabulary = label_vocabulary
        self._loss_reduction = loss_reduction
        self._loss_fn = loss_fn
        self._name = name

    @property
    def logits_dimension(self) -> int:
        return self._n_classes

    def _label_ids(self, labels: Any) -> Any:
        """Labels as integer class ids, checked to lie in [0, n_classes)."""
        if self._label_vocabulary is None:
            if not labels.dtype.is_integer:
                raise ValueError(f"Labels dtype should be integer. Instead got {labels.dtype}.")
            label_ids = labels
        else:
            label_ids = hu.label_ids_from_vocabulary(labels, self._label_vocabulary)
        return hu.assert_range(label_ids, self._n_classes)

    def create_loss(self, features: Any, mode: str, logits: Any, labels: Any) -> hu.LossSpec:
        del mode  # the loss is the same in every mode
        logits = convert_to_tensor(logits)
        labels = hu.check_dense_labels_match_logits_and_reshape(
            labels=labels, logits=logits, expected_labels_dimension=1)
        label_ids = self._label_ids(labels)
        if self._loss_fn:
            unweighted_loss = call_loss_fn(self._loss_fn, labels=label_ids, logits=logits,
                                           features=features, expected_loss_dim=1)
        else:
            unweighted_loss = losses.sparse_softmax_cross_entropy(
                labels=label_ids, logits=logits, reduction=Reduction.NONE)
            # Restore the squeezed dimension, so the loss matches the weights' shape.
            unweighted_loss = expand_dims(unweighted_loss, axis=-1)
        weights = hu.get_weights_and_check_match_logits(
            features=features, weight_column=self._weight_column, logits=logits)
        training_loss = compute_weighted_loss(unweighted_loss, weights=weights,
                                              reduction=self._loss_reduction)
        return hu.LossSpec(training_loss=training_loss, unreduced_loss=unweighted_loss,
                           weights=weights, processed_labels=label_ids)

    def _predictions(self, logits: Any) -> tuple:
        keys = PredictionKeys
        logits = hu.check_logits_final_dim(logits, self.logits_dimension)
        with name_scope(None, "predictions", (logits,)):
            all_ids = hu.all_class_ids(logits, self._n_classes)
            all_names = hu.all_classes(logits, self._n_classes, self._label_vocabulary)
            class_ids = argmax(logits, axis=-1, name=keys.CLASS_IDS)
            class_ids = expand_dims(class_ids, axis=-1)
            classes = hu.class_names(class_ids, self._label_vocabulary)
            probabilities = nn.softmax(logits, name=keys.PROBABILITIES)
            predictions = {
                keys.LOGITS: logits,
                keys.PROBABILITIES: probabilities,
                keys.CLASS_IDS: class_ids,
                keys.CLASSES: classes,
                keys.ALL_CLASS_IDS: all_ids,
                keys.ALL_CLASSES: all_names,
            }
        return logits, predictions

    def _export_outputs(self, predictions: dict) -> dict:
        classifier_output = hu.classification_output(
            scores=predictions[PredictionKeys.PROBABILITIES], n_classes=self._n_classes,
            label_vocabulary=self._label_vocabulary)
        return {
            hu.DEFAULT_SERVING_KEY: classifier_output,
            hu.CLASSIFY_SERVING_KEY: classifier_output,
            hu.PREDICT_SERVING_KEY: export_output.PredictOutput(predictions),
        }

    def _eval_metric_ops(self, labels: Any, logits: Any, predictions: dict, weights: Any,
                         unreduced_loss: Any, regularization_loss: Any) -> dict:
        keys = MetricKeys
        class_ids = predictions[PredictionKeys.CLASS_IDS]
        with name_scope(None, "metrics", (labels, class_ids, weights, unreduced_loss,
                                          regularization_loss)):
            # The Estimator itself adds 'loss' (the mean of the batch losses).
            ops = {
                hu.summary_key(self._name, keys.LOSS_MEAN): metrics.mean(
                    values=unreduced_loss, weights=weights, name=keys.LOSS_MEAN),
                hu.summary_key(self._name, keys.ACCURACY): metrics.accuracy(
                    labels=labels, predictions=class_ids, weights=weights,
                    name=keys.ACCURACY),
            }
            if regularization_loss is not None:
                ops[hu.summary_key(self._name, keys.LOSS_REGULARIZATION)] = metrics.mean(
                    values=regularization_loss, name=keys.LOSS_REGULARIZATION)
        return ops
