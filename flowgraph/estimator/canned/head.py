"""Heads: given a model's logits, a head builds the predictions, loss, training op,
evaluation metrics and export signatures of an `EstimatorSpec` (TF1's v1
`tensorflow_estimator/python/estimator/canned/head.py`).

>>> head = _binary_logistic_or_multi_class_head(n_classes=2, weight_column=None,
...                                              label_vocabulary=None,
...                                              loss_reduction=fg.losses.Reduction.SUM)
>>> spec = head.create_estimator_spec(features=features, mode=mode, logits=logits,
...                                   labels=labels, optimizer=fg.train.AdagradOptimizer(0.05))

The concrete heads live in `binary_head`, `multi_class_head` and `regression_head`.
"""

from __future__ import annotations

import inspect
from typing import Any, Optional

from flowgraph.estimator.canned.head_utils import LossSpec, summary_key
from flowgraph.estimator.canned.metric_keys import MetricKeys
from flowgraph.estimator.model_fn import EstimatorSpec, ModeKeys
from flowgraph.graph import GraphKeys, control_dependencies, get_collection, name_scope
from flowgraph.losses import Reduction
from flowgraph.ops import (
    Assert,
    add_n,
    concat,
    equal,
    group,
    identity,
    ones_like,
    reduce_all,
    reduce_sum,
    shape,
)
from flowgraph.summary import scalar as summary_scalar
from flowgraph.train import get_global_step

__all__ = ["LossSpec"]


def validate_loss_fn_args(loss_fn: Any) -> None:
    """A custom loss_fn takes `labels` and `logits`, and optionally `features`."""
    try:
        args = list(inspect.signature(loss_fn).parameters)
    except (TypeError, ValueError) as err:
        raise ValueError(f"loss_fn must be a function, got {loss_fn!r}") from err
    for required in ("labels", "logits"):
        if required not in args:
            raise ValueError(f"loss_fn must contain argument: {required}. Given arguments: "
                             f"{args}")
    invalid = sorted(set(args) - {"labels", "logits", "features"})
    if invalid:
        raise ValueError(f"loss_fn has unexpected args: {invalid}")


def validate_loss_reduction(loss_reduction: Any) -> None:
    if loss_reduction not in Reduction.all() or loss_reduction == Reduction.NONE:
        raise ValueError(f"Invalid loss_reduction: {loss_reduction}")


def call_loss_fn(loss_fn: Any, labels: Any, logits: Any, features: Any,
                 expected_loss_dim: int = 1) -> Any:
    """Calls a custom loss_fn and checks it returns [D0, ... DN, expected_loss_dim]."""
    kwargs = {}
    if "features" in inspect.signature(loss_fn).parameters:
        kwargs["features"] = features
    with name_scope(None, "call_loss_fn", [labels, logits] + list(features.values())):
        unweighted_loss = loss_fn(labels=labels, logits=logits, **kwargs)
        expected = concat([shape(logits, name="logits_shape")[:-1], [expected_loss_dim]], 0,
                          name="expected_loss_shape")
        loss_shape = shape(unweighted_loss, name="loss_shape")
        check = Assert(reduce_all(equal(loss_shape, expected)),
                       [f"loss_fn must return Tensor of shape [D0, D1, ... DN, "
                        f"{expected_loss_dim}]. ", "logits_shape: ", shape(logits),
                        "loss_shape: ", loss_shape], name="check_loss_shape")
        with control_dependencies([check]):
            return identity(unweighted_loss)


def append_update_ops(train_op: Any) -> Any:
    """`train_op` grouped with the ``UPDATE_OPS`` collection (batch-norm statistics)."""
    update_ops = get_collection(GraphKeys.UPDATE_OPS)
    if update_ops:
        return group(train_op, *update_ops)
    return train_op


class _Head:
    """The top of a model: from logits to an `EstimatorSpec` for each mode.

    Subclasses define `name`, `logits_dimension`, `create_loss`, and the hooks
    `_predictions`, `_export_outputs` and `_eval_metric_ops` that `create_estimator_spec`
    calls.
    """

    _name: Optional[str] = None
    _loss_reduction: str = Reduction.SUM

    @property
    def name(self) -> Optional[str]:
        return self._name

    @property
    def logits_dimension(self) -> int:
        raise NotImplementedError("Calling an abstract method.")

    def create_loss(self, features: Any, mode: str, logits: Any, labels: Any) -> LossSpec:
        """The training loss, the unreduced loss, the weights and the processed labels."""
        raise NotImplementedError("Calling an abstract method.")

    def _predictions(self, logits: Any) -> tuple:
        """(checked logits, predictions dict); built inside the head's name scope."""
        raise NotImplementedError("Calling an abstract method.")

    def _export_outputs(self, predictions: dict) -> dict:
        raise NotImplementedError("Calling an abstract method.")

    def _eval_metric_ops(self, labels: Any, logits: Any, predictions: dict, weights: Any,
                         unreduced_loss: Any, regularization_loss: Any) -> dict:
        raise NotImplementedError("Calling an abstract method.")

    def create_estimator_spec(self, features: Any, mode: str, logits: Any, labels: Any = None,
                              optimizer: Any = None, train_op_fn: Any = None,
                              regularization_losses: Any = None) -> EstimatorSpec:
        """The `EstimatorSpec` of `mode` for these logits.

        Parameters
        ----------
        features : dict
            The input features (the weight column is read from them).
        mode : str
            A `ModeKeys` value.
        logits : Tensor
            [D0, ... DN, logits_dimension].
        labels : Tensor
            Required in TRAIN and EVAL modes.
        optimizer : Optimizer, optional
            TRAIN: ``train_op = optimizer.minimize(loss, global_step)``.
        train_op_fn : callable, optional
            TRAIN, instead of `optimizer`: builds the train op from the loss.
        regularization_losses : list of Tensor, optional
            Scalars added to the training loss.
        """
        with name_scope(self._name, "head"):
            logits, predictions = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode=ModeKeys.PREDICT, predictions=predictions,
                                     export_outputs=self._export_outputs(predictions))
            loss_spec = self.create_loss(features=features, mode=mode, logits=logits,
                                         labels=labels)
            training_loss, unreduced_loss, weights, processed_labels = loss_spec
            if regularization_losses:
                regularization_loss = add_n(list(regularization_losses))
                regularized_loss = add_n([training_loss, regularization_loss])
            else:
                regularization_loss = None
                regularized_loss = training_loss
            if mode == ModeKeys.TRAIN:
                if optimizer is not None:
                    if train_op_fn is not None:
                        raise ValueError("train_op_fn and optimizer cannot both be set.")
                    train_op = optimizer.minimize(regularized_loss,
                                                  global_step=get_global_step())
                elif train_op_fn is not None:
                    train_op = train_op_fn(regularized_loss)
                else:
                    raise ValueError("train_op_fn and optimizer cannot both be None.")
                train_op = append_update_ops(train_op)
                # As TF1: the mean loss is summarized only for SUM reduction.
                mean_loss = None
                if self._loss_reduction == Reduction.SUM:
                    example_weight_sum = reduce_sum(weights * ones_like(unreduced_loss))
                    mean_loss = training_loss / example_weight_sum
        if mode == ModeKeys.EVAL:
            eval_metric_ops = self._eval_metric_ops(
                labels=processed_labels, logits=logits, predictions=predictions,
                weights=weights, unreduced_loss=unreduced_loss,
                regularization_loss=regularization_loss)
            return EstimatorSpec(mode=ModeKeys.EVAL, predictions=predictions,
                                 loss=regularized_loss, eval_metric_ops=eval_metric_ops)
        if mode != ModeKeys.TRAIN:
            raise ValueError(f"Unknown mode {mode!r}: expected one of ModeKeys.TRAIN, "
                             f"ModeKeys.EVAL, ModeKeys.PREDICT.")
        with name_scope(""):
            summary_scalar(summary_key(self._name, MetricKeys.LOSS), regularized_loss)
            if mean_loss is not None:
                summary_scalar(summary_key(self._name, MetricKeys.LOSS_MEAN), mean_loss)
            if regularization_loss is not None:
                summary_scalar(summary_key(self._name, MetricKeys.LOSS_REGULARIZATION),
                               regularization_loss)
        return EstimatorSpec(mode=ModeKeys.TRAIN, predictions=predictions,
                             loss=regularized_loss, train_op=train_op)


def _binary_logistic_or_multi_class_head(n_classes: int, weight_column: Any,
                                         label_vocabulary: Any, loss_reduction: str) -> _Head:
    """A sigmoid head for ``n_classes == 2``, else a softmax head (as TF1's canned
    classifiers choose)."""
    from flowgraph.estimator.canned.binary_head import (
        _binary_logistic_head_with_sigmoid_cross_entropy_loss,
    )
    from flowgraph.estimator.canned.multi_class_head import (
        _multi_class_head_with_softmax_cross_entropy_loss,
    )

    if n_classes == 2:
        return _binary_logistic_head_with_sigmoid_cross_entropy_loss(
            weight_column=weight_column, label_vocabulary=label_vocabulary,
            loss_reduction=loss_reduction)
    return _multi_class_head_with_softmax_cross_entropy_loss(
        n_classes, weight_column=weight_column, label_vocabulary=label_vocabulary,
        loss_reduction=loss_reduction)


def _regression_head(weight_column: Any = None, label_dimension: int = 1,
                     loss_reduction: str = Reduction.SUM, loss_fn: Any = None,
                     inverse_link_fn: Any = None, name: Optional[str] = None) -> _Head:
    """A mean-squared-error regression head (see `regression_head`)."""
    from flowgraph.estimator.canned.regression_head import _regression_head as make

    return make(weight_column=weight_column, label_dimension=label_dimension,
                loss_reduction=loss_reduction, loss_fn=loss_fn,
                inverse_link_fn=inverse_link_fn, name=name)
