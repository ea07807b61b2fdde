"""Wide-and-deep estimators: `DNNLinearCombinedClassifier`,
`DNNLinearCombinedRegressor` and `DNNLinearCombinedEstimator` (TF1's, v1 semantics:
``loss_reduction=SUM``). The logits are the sum of a linear model's (trained with
`linear_optimizer`) and a DNN's (trained with `dnn_optimizer`)."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from flowgraph import nn
from flowgraph.estimator.canned.dnn_linear_combined_model import (
    _dnn_linear_combined_model_fn,
    validate_feature_columns,
)
from flowgraph.estimator.canned.head import (
    _binary_logistic_or_multi_class_head,
    _regression_head,
)
from flowgraph.estimator.estimator import Estimator
from flowgraph.losses import Reduction

__all__ = ["DNNLinearCombinedClassifier", "DNNLinearCombinedRegressor",
           "DNNLinearCombinedEstimator"]


def _combined_estimator_model_fn(head: Any, linear_feature_columns: Any,
                                 linear_optimizer: Any, dnn_feature_columns: Any,
                                 dnn_optimizer: Any, dnn_hidden_units: Any,
                                 dnn_activation_fn: Callable, dnn_dropout: Any,
                                 input_layer_partitioner: Any, batch_norm: bool,
                                 linear_sparse_combiner: str) -> Callable:
    validate_feature_columns(linear_feature_columns, dnn_feature_columns)
    linear_feature_columns = list(linear_feature_columns or [])
    dnn_feature_columns = list(dnn_feature_columns or [])

    def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
        return _dnn_linear_combined_model_fn(
            features=features, labels=labels, mode=mode, head=head,
            linear_feature_columns=linear_feature_columns,
            linear_optimizer=linear_optimizer, dnn_feature_columns=dnn_feature_columns,
            dnn_optimizer=dnn_optimizer, dnn_hidden_units=dnn_hidden_units,
            dnn_activation_fn=dnn_activation_fn, dnn_dropout=dnn_dropout,
            input_layer_partitioner=input_layer_partitioner, config=config,
            batch_norm=batch_norm, linear_sparse_combiner=linear_sparse_combiner)

    return _model_fn


class DNNLinearCombinedClassifier(Estimator):
    """A wide-and-deep classifier: a linear model over `linear_feature_columns` (wide:
    sparse, crossed features) plus a DNN over `dnn_feature_columns` (deep: dense and
    embedded features), their logits added.

    >>> est = fg.estimator.DNNLinearCombinedClassifier(
    ...     linear_feature_columns=[a_x_b], dnn_feature_columns=[x, y],
    ...     dnn_hidden_units=[32, 16])

    Parameters
    ----------
    model_dir : str, optional
    linear_feature_columns, dnn_feature_columns : iterables of feature columns
        At least one of them must be given.
    linear_optimizer : str, Optimizer or callable
        'Ftrl' by default, learning rate ``min(0.005, 1 / sqrt(len(linear columns)))``.
    dnn_optimizer : str, Optimizer or callable
        'Adagrad' by default, learning rate 0.001.
    dnn_hidden_units : list of int
        Required with `dnn_feature_columns`.
    dnn_activation_fn, dnn_dropout, batch_norm : as `DNNClassifier`
    n_classes, weight_column, label_vocabulary, loss_reduction : as `DNNClassifier`
    input_layer_partitioner : optional
        Accepted for TF1 compatibility; variables are not partitioned.
    config, warm_start_from : as `Estimator`
    linear_sparse_combiner : {'sum', 'mean', 'sqrtn'}
    """

    def __init__(self, model_dir: Optional[str] = None, linear_feature_columns: Any = None,
                 linear_optimizer: Any = "Ftrl", dnn_feature_columns: Any = None,
                 dnn_optimizer: Any = "Adagrad",
                 dnn_hidden_units: Optional[Sequence[int]] = None,
                 dnn_activation_fn: Callable = nn.relu, dnn_dropout: Optional[float] = None,
                 n_classes: int = 2, weight_column: Any = None, label_vocabulary: Any = None,
                 input_layer_partitioner: Any = None, config: Any = None,
                 warm_start_from: Any = None, loss_reduction: str = Reduction.SUM,
                 batch_norm: bool = False, linear_sparse_combiner: str = "sum") -> None:
        self._feature_columns = validate_feature_columns(linear_feature_columns,
                                                         dnn_feature_columns)
        head = _binary_logistic_or_multi_class_head(n_classes, weight_column,
                                                    label_vocabulary, loss_reduction)
        model_fn = _combined_estimator_model_fn(
            head, linear_feature_columns, linear_optimizer, dnn_feature_columns,
            dnn_optimizer, dnn_hidden_units, dnn_activation_fn, dnn_dropout,
            input_layer_partitioner, batch_norm, linear_sparse_combiner)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)


class DNNLinearCombinedRegressor(Estimator):
    """A wide-and-deep regressor trained on the squared error; parameters as
    `DNNLinearCombinedClassifier`, with `label_dimension` in place of `n_classes` and
    `label_vocabulary`."""

    def __init__(self, model_dir: Optional[str] = None, linear_feature_columns: Any = None,
                 linear_optimizer: Any = "Ftrl", dnn_feature_columns: Any = None,
                 dnn_optimizer: Any = "Adagrad",
                 dnn_hidden_units: Optional[Sequence[int]] = None,
                 dnn_activation_fn: Callable = nn.relu, dnn_dropout: Optional[float] = None,
                 label_dimension: int = 1, weight_column: Any = None,
                 input_layer_partitioner: Any = None, config: Any = None,
                 warm_start_from: Any = None, loss_reduction: str = Reduction.SUM,
                 batch_norm: bool = False, linear_sparse_combiner: str = "sum") -> None:
        self._feature_columns = validate_feature_columns(linear_feature_columns,
                                                         dnn_feature_columns)
        head = _regression_head(label_dimension=label_dimension, weight_column=weight_column,
                                loss_reduction=loss_reduction)
        model_fn = _combined_estimator_model_fn(
            head, linear_feature_columns, linear_optimizer, dnn_feature_columns,
            dnn_optimizer, dnn_hidden_units, dnn_activation_fn, dnn_dropout,
            input_layer_partitioner, batch_norm, linear_sparse_combiner)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)


class DNNLinearCombinedEstimator(Estimator):
    """A wide-and-deep model with a custom `head` (a head object from
    `flowgraph.estimator.canned.head`)."""

    def __init__(self, head: Any, model_dir: Optional[str] = None,
                 linear_feature_columns: Any = None, linear_optimizer: Any = "Ftrl",
                 dnn_feature_columns: Any = None, dnn_optimizer: Any = "Adagrad",
                 dnn_hidden_units: Optional[Sequence[int]] = None,
                 dnn_activation_fn: Callable = nn.relu, dnn_dropout: Optional[float] = None,
                 input_layer_partitioner: Any = None, config: Any = None,
                 linear_sparse_combiner: str = "sum") -> None:
        self._feature_columns = validate_feature_columns(linear_feature_columns,
                                                         dnn_feature_columns)
        model_fn = _combined_estimator_model_fn(
            head, linear_feature_columns, linear_optimizer, dnn_feature_columns,
            dnn_optimizer, dnn_hidden_units, dnn_activation_fn, dnn_dropout,
            input_layer_partitioner, False, linear_sparse_combiner)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config)
