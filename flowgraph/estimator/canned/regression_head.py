"""The regression head: `label_dimension` outputs per example, mean squared error loss
(TF1's `_RegressionHeadWithMeanSquaredErrorLoss`)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes, losses, metrics
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
from flowgraph.losses import Reduction, compute_weighted_loss
from flowgraph.ops import cast, convert_to_tensor

__all__: list = []


def _regression_head(weight_column: Any = None, label_dimension: int = 1,
                     loss_reduction: str = Reduction.SUM, loss_fn: Any = None,
                     inverse_link_fn: Any = None,
                     name: Optional[str] = None) -> "_RegressionHeadWithMeanSquaredErrorLoss":
    """A regression head with the squared error loss.

    Parameters
    ----------
    weight_column : str or numeric column, optional
        The feature holding each example's weight (one per example or per output).
    label_dimension : int
        Outputs per example: labels and logits are [batch, label_dimension].
    loss_reduction : str
        A `fg.losses.Reduction` other than NONE; TF1's default SUM.
    loss_fn : callable, optional
        ``loss_fn(labels, logits[, features])`` returning [batch, label_dimension].
    inverse_link_fn : callable, optional
        Maps logits to predictions (e.g. `fg.exp` for Poisson regression); the
        predictions dict then also holds 'logits'.
    name : str, optional
        Suffixes metric and summary names; the ops' name scope.
    """
    validate_loss_reduction(loss_reduction)
    if loss_fn:
        validate_loss_fn_args(loss_fn)
    return _RegressionHeadWithMeanSquaredErrorLoss(
        weight_column=weight_column, label_dimension=label_dimension,
        loss_reduction=loss_reduction, loss_fn=loss_fn, inverse_link_fn=inverse_link_fn,
        name=name)


class _RegressionHeadWithMeanSquaredErrorLoss(_Head):
    """See `_regression_head`."""

    def __init__(self, label_dimension: int, weight_column: Any = None,
                 loss_reduction: str = Reduction.SUM, loss_fn: Any = None,
                 inverse_link_fn: Any = None, name: Optional[str] = None) -> None:
        if label_dimension < 1:
            raise ValueError(f"Invalid label_dimension {label_dimension}.")
        self._logits_dimension = label_dimension
        self._weight_column = weight_column
        self._loss_reduction = loss_reduction
        self._loss_fn = loss_fn
        self._inverse_link_fn = inverse_link_fn
        self._name = name

    @property
    def logits_dimension(self) -> int:
        return self._logits_dimension

    def create_loss(self, features: Any, mode: str, logits: Any, labels: Any) -> hu.LossSpec:
        del mode  # the loss is the same in every mode
        logits = convert_to_tensor(logits)
        labels = hu.check_dense_labels_match_logits_and_reshape(
            labels=labels, logits=logits, expected_labels_dimension=self._logits_dimension)
        if labels.dtype == dtypes.string:
            raise ValueError("Regression labels must be numbers, got strings: parse them "
                             "with fg.string_to_number in your input_fn.")
        labels = cast(labels, dtypes.float32)
        if self._loss_fn:
            unweighted_loss = call_loss_fn(self._loss_fn, labels=labels, logits=logits,
                                           features=features,
                                           expected_loss_dim=self._logits_dimension)
        else:
            unweighted_loss = losses.mean_squared_error(labels=labels, predictions=logits,
                                                        reduction=Reduction.NONE)
        weights = hu.get_weights_and_check_match_logits(
            features=features, weight_column=self._weight_column, logits=logits,
            allow_per_logit_weights=True)
        training_loss = compute_weighted_loss(unweighted_loss, weights=weights,
                                              reduction=self._loss_reduction)
        return hu.LossSpec(training_loss=training_loss, unreduced_loss=unweighted_loss,
                           weights=weights, processed_labels=labels)

    def _predictions(self, logits: Any) -> tuple:
        keys = PredictionKeys
        logits = hu.check_logits_final_dim(logits, self._logits_dimension)
        if self._inverse_link_fn:
            predictions = {keys.PREDICTIONS: self._inverse_link_fn(logits),
                           keys.LOGITS: logits}
        else:
            predictions = {keys.PREDICTIONS: logits}
        return logits, predictions

    def _export_outputs(self, predictions: dict) -> dict:
        regression_output = export_output.RegressionOutput(
            value=predictions[PredictionKeys.PREDICTIONS])
        return {
            hu.DEFAULT_SERVING_KEY: regression_output,
            hu.REGRESS_SERVING_KEY: regression_output,
            hu.PREDICT_SERVING_KEY: export_output.PredictOutput(predictions),
        }

    def _eval_metric_ops(self, labels: Any, logits: Any, predictions: dict, weights: Any,
                         unreduced_loss: Any, regularization_loss: Any) -> dict:
        keys = MetricKeys
        # As TF1: no 'metrics' name scope for this head. The Estimator adds 'loss'.
        ops = {
            hu.summary_key(self._name, keys.LOSS_MEAN): metrics.mean(
                values=unreduced_loss, weights=weights),
            hu.summary_key(self._name, keys.PREDICTION_MEAN): hu.predictions_mean(
                predictions=predictions[PredictionKeys.PREDICTIONS], weights=weights,
                name=keys.PREDICTION_MEAN),
            hu.summary_key(self._name, keys.LABEL_MEAN): metrics.mean(
                values=labels, weights=weights),
        }
        if regularization_loss is not None:
            ops[hu.summary_key(self._name, keys.LOSS_REGULARIZATION)] = metrics.mean(
                values=regularization_loss, name=keys.LOSS_REGULARIZATION)
        return ops
