"""`BaselineClassifier`, `BaselineRegressor` and `BaselineEstimator`: models that ignore
the features and learn one bias per output, i.e. the label distribution or mean (TF1's
`tf.estimator.Baseline*`, v1 semantics: ``loss_reduction=SUM``)."""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.estimator.canned import optimizers
from flowgraph.estimator.canned.head import (
    _binary_logistic_or_multi_class_head,
    _regression_head,
)
from flowgraph.estimator.estimator import Estimator
from flowgraph.graph import Tensor, control_dependencies
from flowgraph.initializers import zeros_initializer
from flowgraph.losses import Reduction
from flowgraph.ops import Assert, convert_to_tensor, equal, multiply, ones, shape, stack
from flowgraph.sparse_tensor import SparseTensor
from flowgraph.train import get_global_step
from flowgraph.variable_scope import get_variable, variable_scope

__all__ = ["BaselineClassifier", "BaselineRegressor", "BaselineEstimator"]

# TF1's default learning rate of the baseline estimators' Ftrl.
_LEARNING_RATE = 0.3


def _weight_key(weight_column: Any) -> Optional[str]:
    return weight_column if isinstance(weight_column, str) or weight_column is None \
        else weight_column.key


def _batch_size(feature: Any) -> Tensor:
    if isinstance(feature, SparseTensor):
        return feature.dense_shape[0]
    return shape(convert_to_tensor(feature))[0]


def _baseline_logit_fn_builder(num_outputs: int, weight_column: Any = None) -> Callable:
    """``logit_fn(features)``: the bias ``baseline/bias`` [num_outputs] repeated for each
    example (the batch size read from the features, which must agree)."""

    def baseline_logit_fn(features: dict) -> Tensor:
        if not isinstance(features, dict) or not features:
            raise ValueError("A baseline model needs a non-empty dict of features (they are "
                             "only used to know the batch size).")
        weight_key = _weight_key(weight_column)
        batch_size, checks = None, []
        for key, feature in features.items():
            if key == weight_key:  # no dependency on the weight at serving time
                continue
            first_dim = _batch_size(feature)
            if batch_size is None:
                batch_size = first_dim
            else:
                checks.append(Assert(equal(batch_size, first_dim),
                                     [f"feature {key!r} has a different batch size: ",
                                      first_dim, " vs ", batch_size]))
        with control_dependencies(checks):
            with variable_scope("baseline"):
                bias = get_variable("bias", shape=[num_outputs],
                                    initializer=zeros_initializer())
                return multiply(bias, ones(stack([batch_size, num_outputs]),
                                           dtype=dtypes.float32))

    return baseline_logit_fn


def _baseline_model_fn(features: Any, labels: Any, mode: str, head: Any, optimizer: Any,
                       weight_column: Any = None, config: Any = None) -> Any:
    del config  # unused, as in TF1
    logits = _baseline_logit_fn_builder(head.logits_dimension, weight_column)(features)

    def train_op_fn(loss: Tensor) -> Any:
        opt = optimizers.get_optimizer_instance(optimizer, learning_rate=_LEARNING_RATE)
        return opt.minimize(loss, global_step=get_global_step())

    return head.create_estimator_spec(features=features, mode=mode, logits=logits,
                                      labels=labels, train_op_fn=train_op_fn)


class BaselineClassifier(Estimator):
    """Predicts the class distribution seen in training, whatever the features.

    Parameters: `model_dir`, `n_classes`, `weight_column`, `label_vocabulary`,
    `optimizer` ('Ftrl', learning rate 0.3), `config`, `loss_reduction` (``SUM``).
    """

    def __init__(self, model_dir: Optional[str] = None, n_classes: int = 2,
                 weight_column: Any = None, label_vocabulary: Any = None,
                 optimizer: Any = "Ftrl", config: Any = None,
                 loss_reduction: str = Reduction.SUM) -> None:
        head = _binary_logistic_or_multi_class_head(n_classes, weight_column,
                                                    label_vocabulary, loss_reduction)

        def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
            return _baseline_model_fn(features=features, labels=labels, mode=mode, head=head,
                                      optimizer=optimizer, weight_column=weight_column,
                                      config=config)

        super().__init__(model_fn=_model_fn, model_dir=model_dir, config=config)


class BaselineRegressor(Estimator):
    """Predicts the (weighted) mean label seen in training, whatever the features."""

    def __init__(self, model_dir: Optional[str] = None, label_dimension: int = 1,
                 weight_column: Any = None, optimizer: Any = "Ftrl", config: Any = None,
                 loss_reduction: str = Reduction.SUM) -> None:
        head = _regression_head(label_dimension=label_dimension, weight_column=weight_column,
                                loss_reduction=loss_reduction)

        def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
            return _baseline_model_fn(features=features, labels=labels, mode=mode, head=head,
                                      optimizer=optimizer, config=config)

        super().__init__(model_fn=_model_fn, model_dir=model_dir, config=config)


class BaselineEstimator(Estimator):
    """A baseline (one bias per output) with a custom `head`."""

    def __init__(self, head: Any, model_dir: Optional[str] = None, optimizer: Any = "Ftrl",
                 config: Any = None) -> None:
        def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
            return _baseline_model_fn(features=features, labels=labels, mode=mode, head=head,
                                      optimizer=optimizer, config=config)

        super().__init__(model_fn=_model_fn, model_dir=model_dir, config=config)
