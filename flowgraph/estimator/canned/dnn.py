"""`DNNClassifier`, `DNNRegressor` and `DNNEstimator`: fully connected networks over
feature columns (TF1's `tf.estimator.DNN*`, v1 semantics: ``loss_reduction=SUM``)."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from flowgraph import nn
from flowgraph.estimator.canned.dnn_model import _dnn_model_fn
from flowgraph.estimator.canned.head import (
    _binary_logistic_or_multi_class_head,
    _regression_head,
)
from flowgraph.estimator.estimator import Estimator
from flowgraph.losses import Reduction

__all__ = ["DNNClassifier", "DNNRegressor", "DNNEstimator"]


def _dnn_estimator_model_fn(head: Any, hidden_units: Sequence[int], feature_columns: Any,
                            optimizer: Any, activation_fn: Callable, dropout: Any,
                            input_layer_partitioner: Any, batch_norm: bool) -> Callable:
    feature_columns = tuple(feature_columns or [])

    def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
        return _dnn_model_fn(features=features, labels=labels, mode=mode, head=head,
                             hidden_units=hidden_units, feature_columns=feature_columns,
                             optimizer=optimizer, activation_fn=activation_fn,
                             dropout=dropout, input_layer_partitioner=input_layer_partitioner,
                             config=config, batch_norm=batch_norm)

    return _model_fn


class DNNClassifier(Estimator):
    """A classifier on a deep neural network: ``len(hidden_units)`` fully connected layers
    over `feature_columns`, then logits; sigmoid cross-entropy for 2 classes, softmax
    cross-entropy for more.

    >>> est = fg.estimator.DNNClassifier(
    ...     hidden_units=[64, 32],
    ...     feature_columns=[fg.feature_column.numeric_column("x", shape=[784])],
    ...     n_classes=10)
    >>> est.train(input_fn, steps=800)
    >>> est.evaluate(eval_input_fn)["accuracy"]

    Parameters
    ----------
    hidden_units : list of int
        Units per hidden layer, e.g. ``[64, 32]``.
    feature_columns : iterable of dense feature columns
        The model input (``fg.feature_column.numeric_column``, ``embedding_column``...).
    model_dir : str, optional
        Where checkpoints and summaries are kept.
    n_classes : int
        Number of label classes (2: binary, sigmoid head).
    weight_column : str or numeric column, optional
        The feature holding each example's weight in the loss.
    label_vocabulary : list of str, optional
        String labels, in class-id order; else labels are class ids.
    optimizer : str, Optimizer or callable
        'Adagrad' (default, learning rate 0.05), 'Adam', 'Ftrl', 'RMSProp', 'SGD', an
        Optimizer, or a callable returning one.
    activation_fn : callable
        Applied after each hidden layer (``fg.nn.relu``).
    dropout : float, optional
        Probability of dropping a hidden unit while training.
    input_layer_partitioner : optional
        Accepted for TF1 compatibility; variables are not partitioned.
    config : RunConfig, optional
    warm_start_from : str or WarmStartSettings, optional
        A checkpoint to initialize the weights from.
    loss_reduction : str
        How the per-example losses are reduced: TF1's default ``Reduction.SUM``.
    batch_norm : bool
        Batch normalization after each hidden layer.
    """

    def __init__(self, hidden_units: Sequence[int], feature_columns: Any,
                 model_dir: Optional[str] = None, n_classes: int = 2,
                 weight_column: Any = None, label_vocabulary: Any = None,
                 optimizer: Any = "Adagrad", activation_fn: Callable = nn.relu,
                 dropout: Optional[float] = None, input_layer_partitioner: Any = None,
                 config: Any = None, warm_start_from: Any = None,
                 loss_reduction: str = Reduction.SUM, batch_norm: bool = False) -> None:
        head = _binary_logistic_or_multi_class_head(n_classes, weight_column,
                                                    label_vocabulary, loss_reduction)
        model_fn = _dnn_estimator_model_fn(head, hidden_units, feature_columns, optimizer,
                                           activation_fn, dropout, input_layer_partitioner,
                                           batch_norm)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)


class DNNRegressor(Estimator):
    """A regressor on a deep neural network, trained on the squared error.

    Parameters as `DNNClassifier`, with `label_dimension` (outputs per example) in place
    of `n_classes` and `label_vocabulary`. Predictions: ``{'predictions': [batch,
    label_dimension]}``.
    """

    def __init__(self, hidden_units: Sequence[int], feature_columns: Any,
                 model_dir: Optional[str] = None, label_dimension: int = 1,
                 weight_column: Any = None, optimizer: Any = "Adagrad",
                 activation_fn: Callable = nn.relu, dropout: Optional[float] = None,
                 input_layer_partitioner: Any = None, config: Any = None,
                 warm_start_from: Any = None, loss_reduction: str = Reduction.SUM,
                 batch_norm: bool = False) -> None:
        head = _regression_head(label_dimension=label_dimension, weight_column=weight_column,
                                loss_reduction=loss_reduction)
        model_fn = _dnn_estimator_model_fn(head, hidden_units, feature_columns, optimizer,
                                           activation_fn, dropout, input_layer_partitioner,
                                           batch_norm)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)


class DNNEstimator(Estimator):
    """A deep neural network with a custom `head` (a head object from
    `flowgraph.estimator.canned.head`)."""

    def __init__(self, head: Any, hidden_units: Sequence[int], feature_columns: Any,
                 model_dir: Optional[str] = None, optimizer: Any = "Adagrad",
                 activation_fn: Callable = nn.relu, dropout: Optional[float] = None,
                 input_layer_partitioner: Any = None, config: Any = None,
                 warm_start_from: Any = None, batch_norm: bool = False) -> None:
        model_fn = _dnn_estimator_model_fn(head, hidden_units, feature_columns, optimizer,
                                           activation_fn, dropout, input_layer_partitioner,
                                           batch_norm)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)
