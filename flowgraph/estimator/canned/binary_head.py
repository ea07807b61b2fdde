"""The binary classification head: one logit per example, sigmoid cross-entropy loss
(TF1's `_BinaryLogisticHeadWithSigmoidCrossEntropyLoss`)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import dtypes, metrics, nn
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
from flowgraph.ops import (
    argmax,
    cast,
    concat,
    convert_to_tensor,
    expand_dims,
    sigmoid,
    zeros_like,
)

__all__: list = []


def _binary_logistic_head_with_sigmoid_cross_entropy_loss(
        weight_column: Any = None, thresholds: Optional[Sequence[float]] = None,
        label_vocabulary: Any = None, loss_reduction: str = Reduction.SUM,
        loss_fn: Any = None, name: Optional[str] = None) -> _Head:
    """A head for binary classification with `sigmoid_cross_entropy_with_logits`.

    Parameters
    ----------
    weight_column : str or numeric column, optional
        The feature holding each example's weight.
    thresholds : iterable of float in (0, 1), optional
        Each adds accuracy, precision and recall metrics at that threshold.
    label_vocabulary : list of str, optional
        String labels (negative class first); else labels are 0/1 numbers.
    loss_reduction : str
        A `fg.losses.Reduction` other than NONE; TF1's default SUM.
    loss_fn : callable, optional
        ``loss_fn(labels, logits[, features])`` returning the unreduced loss [batch, 1].
    name : str, optional
        Suffixes metric and summary names (``accuracy/name``); the ops' name scope.
    """
    thresholds = tuple(thresholds) if thresholds else tuple()
    if label_vocabulary is not None and not isinstance(label_vocabulary, (list, tuple)):
        raise TypeError(f"label_vocabulary should be a list or tuple. Given type: "
                        f"{type(label_vocabulary)}")
    for threshold in thresholds:
        if threshold <= 0.0 or threshold >= 1.0:
            raise ValueError(f"thresholds not in (0, 1): {(thresholds,)}.")
    validate_loss_reduction(loss_reduction)
    if loss_fn:
        validate_loss_fn_args(loss_fn)
    return _BinaryLogisticHeadWithSigmoidCrossEntropyLoss(
        weight_column=weight_column, thresholds=thresholds, label_vocabulary=label_vocabulary,
        loss_reduction=loss_reduction, loss_fn=loss_fn, name=name)


class _BinaryLogisticHeadWithSigmoidCrossEntropyLoss(_Head):
    """See `_binary_logistic_head_with_sigmoid_cross_entropy_loss`."""

    def __init__(self, weight_column: Any = None, thresholds: Sequence[float] = (),
                 label_vocabulary: Any = None, loss_reduction: str = Reduction.SUM,
                 loss_fn: Any = None, name: Optional[str] = None) -> None:
        self._weight_column = weight_column
        self._thresholds = tuple(thresholds) if thresholds else tuple()
        self._label_vocabulary = label_vocabulary
        self._loss_reduction = loss_reduction
        self._loss_fn = loss_fn
        self._name = name

    @property
    def logits_dimension(self) -> int:
        return 1

    def create_loss(self, features: Any, mode: str, logits: Any, labels: Any) -> hu.LossSpec:
        del mode  # the loss is the same in every mode
        logits = convert_to_tensor(logits)
        labels = hu.check_dense_labels_match_logits_and_reshape(
            labels=labels, logits=logits, expected_labels_dimension=1)
        if self._label_vocabulary is not None:
            labels = hu.label_ids_from_vocabulary(labels, self._label_vocabulary)
        elif labels.dtype == dtypes.string:
            raise ValueError("Labels are strings but no label_vocabulary was given: pass "
                             "label_vocabulary=[negative_name, positive_name], or labels "
                             "0 and 1.")
        labels = cast(labels, dtypes.float32)
        labels = hu.assert_range(labels, n_classes=2)
        if self._loss_fn:
            unweighted_loss = call_loss_fn(self._loss_fn, labels=labels, logits=logits,
                                           features=features, expected_loss_dim=1)
        else:
            unweighted_loss = nn.sigmoid_cross_entropy_with_logits(labels=labels,
                                                                   logits=logits)
        weights = hu.get_weights_and_check_match_logits(
            features=features, weight_column=self._weight_column, logits=logits)
        training_loss = compute_weighted_loss(unweighted_loss, weights=weights,
                                              reduction=self._loss_reduction)
        return hu.LossSpec(training_loss=training_loss, unreduced_loss=unweighted_loss,
                           weights=weights, processed_labels=labels)

    def _predictions(self, logits: Any) -> tuple:
        keys = PredictionKeys
        with name_scope(None, "predictions", (logits,)):
            logits = hu.check_logits_final_dim(logits, self.logits_dimension)
            logistic = sigmoid(logits, name=keys.LOGISTIC)
            two_class_logits = concat((zeros_like(logits), logits), axis=-1,
                                      name="two_class_logits")
            probabilities = nn.softmax(two_class_logits, name=keys.PROBABILITIES)
            class_ids = argmax(two_class_logits, axis=-1, name=keys.CLASS_IDS)
            class_ids = expand_dims(class_ids, axis=-1)
            predictions = {
                keys.LOGITS: logits,
                keys.LOGISTIC: logistic,
                keys.PROBABILITIES: probabilities,
                keys.CLASS_IDS: class_ids,
                keys.CLASSES: hu.class_names(class_ids, self._label_vocabulary),
                keys.ALL_CLASS_IDS: hu.all_class_ids(logits, n_classes=2),
                keys.ALL_CLASSES: hu.all_classes(logits, 2, self._label_vocabulary),
            }
        return logits, predictions

    def _export_outputs(self, predictions: dict) -> dict:
        classifier_output = hu.classification_output(
            scores=predictions[PredictionKeys.PROBABILITIES], n_classes=2,
            label_vocabulary=self._label_vocabulary)
        return {
            hu.DEFAULT_SERVING_KEY: classifier_output,
            hu.CLASSIFY_SERVING_KEY: classifier_output,
            hu.REGRESS_SERVING_KEY: export_output.RegressionOutput(
                value=predictions[PredictionKeys.LOGISTIC]),
            hu.PREDICT_SERVING_KEY: export_output.PredictOutput(predictions),
        }

    def _eval_metric_ops(self, labels: Any, logits: Any, predictions: dict, weights: Any,
                         unreduced_loss: Any, regularization_loss: Any) -> dict:
        keys = MetricKeys
        logistic = predictions[PredictionKeys.LOGISTIC]
        class_ids = predictions[PredictionKeys.CLASS_IDS]

        def key(name: str) -> str:
            return hu.summary_key(self._name, name)

        with name_scope(None, "metrics", (labels, logits, logistic, class_ids, weights,
                                          unreduced_loss, regularization_loss)):
            labels_mean = hu.indicator_labels_mean(labels=labels, weights=weights,
                                                   name=keys.LABEL_MEAN)
            # The Estimator itself adds 'loss' (the mean of the batch losses).
            ops = {
                key(keys.LOSS_MEAN): metrics.mean(values=unreduced_loss, weights=weights,
                                                  name=keys.LOSS_MEAN),
                key(keys.ACCURACY): metrics.accuracy(labels=labels, predictions=class_ids,
                                                     weights=weights, name=keys.ACCURACY),
                key(keys.PRECISION): metrics.precision(labels=labels, predictions=class_ids,
                                                       weights=weights, name=keys.PRECISION),
                key(keys.RECALL): metrics.recall(labels=labels, predictions=class_ids,
                                                 weights=weights, name=keys.RECALL),
                key(keys.PREDICTION_MEAN): hu.predictions_mean(
                    predictions=logistic, weights=weights, name=keys.PREDICTION_MEAN),
                key(keys.LABEL_MEAN): labels_mean,
                key(keys.ACCURACY_BASELINE): hu.accuracy_baseline(labels_mean),
                key(keys.AUC): hu.auc(labels=labels, predictions=logistic, weights=weights,
                                      name=keys.AUC),
                key(keys.AUC_PR): hu.auc(labels=labels, predictions=logistic,
                                         weights=weights, curve="PR", name=keys.AUC_PR),
            }
            if regularization_loss is not None:
                ops[key(keys.LOSS_REGULARIZATION)] = metrics.mean(
                    values=regularization_loss, name=keys.LOSS_REGULARIZATION)
            for threshold in self._thresholds:
                accuracy_key = keys.ACCURACY_AT_THRESHOLD % threshold
                ops[key(accuracy_key)] = hu.accuracy_at_threshold(
                    labels=labels, predictions=logistic, weights=weights,
                    threshold=threshold, name=accuracy_key)
                precision_key = keys.PRECISION_AT_THRESHOLD % threshold
                ops[key(precision_key)] = hu.precision_at_threshold(
                    labels=labels, predictions=logistic, weights=weights,
                    threshold=threshold, name=precision_key)
                recall_key = keys.RECALL_AT_THRESHOLD % threshold
                ops[key(recall_key)] = hu.recall_at_threshold(
                    labels=labels, predictions=logistic, weights=weights,
                    threshold=threshold, name=recall_key)
        return ops
