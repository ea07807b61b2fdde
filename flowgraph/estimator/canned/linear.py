"""`LinearClassifier`, `LinearRegressor` and `LinearEstimator`: linear models over
feature columns (TF1's `tf.estimator.Linear*`, v1 semantics: ``loss_reduction=SUM``)."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from flowgraph.estimator.canned.head import (
    _binary_logistic_or_multi_class_head,
    _regression_head,
)
from flowgraph.estimator.canned.linear_model import _linear_model_fn
from flowgraph.estimator.estimator import Estimator
from flowgraph.losses import Reduction

__all__ = ["LinearClassifier", "LinearRegressor", "LinearEstimator"]


def _check_sparse_combiner(sparse_combiner: str) -> None:
    if sparse_combiner not in ("sum", "mean", "sqrtn"):
        raise ValueError(f'sparse_combiner must be one of "mean", "sqrtn" or "sum", got '
                         f"{sparse_combiner!r}")


def _linear_estimator_model_fn(head: Any, feature_columns: Sequence[Any], optimizer: Any,
                               partitioner: Any, sparse_combiner: str) -> Callable:
    _check_sparse_combiner(sparse_combiner)
    feature_columns = tuple(feature_columns or [])

    def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
        return _linear_model_fn(features=features, labels=labels, mode=mode, head=head,
                                feature_columns=feature_columns, optimizer=optimizer,
                                partitioner=partitioner, config=config,
                                sparse_combiner=sparse_combiner)

    return _model_fn


class LinearClassifier(Estimator):
    """A linear classifier (logistic regression for 2 classes, softmax regression for
    more) over numeric, bucketized, categorical and crossed feature columns.

    >>> est = fg.estimator.LinearClassifier(feature_columns=[age, education_x_job])
    >>> est.train(input_fn, steps=200)

    Parameters
    ----------
    feature_columns : iterable of feature columns
    model_dir : str, optional
    n_classes : int
    weight_column : str or numeric column, optional
    label_vocabulary : list of str, optional
    optimizer : str, Optimizer, callable or None
        'Ftrl' (default: Ftrl with learning rate 0.2, as TF1), another name, an
        Optimizer or a callable; None gives Ftrl with ``min(0.2, 1 / sqrt(number of
        columns))``.
    config : RunConfig, optional
    partitioner : optional
        Accepted for TF1 compatibility; variables are not partitioned.
    warm_start_from : str or WarmStartSettings, optional
    loss_reduction : str
        TF1's default ``Reduction.SUM``.
    sparse_combiner : {'sum', 'mean', 'sqrtn'}
        How the weights of a multivalent categorical feature are combined.
    """

    def __init__(self, feature_columns: Sequence[Any], model_dir: Optional[str] = None,
                 n_classes: int = 2, weight_column: Any = None, label_vocabulary: Any = None,
                 optimizer: Any = "Ftrl", config: Any = None, partitioner: Any = None,
                 warm_start_from: Any = None, loss_reduction: str = Reduction.SUM,
                 sparse_combiner: str = "sum") -> None:
        head = _binary_logistic_or_multi_class_head(n_classes, weight_column,
                                                    label_vocabulary, loss_reduction)
        model_fn = _linear_estimator_model_fn(head, feature_columns, optimizer, partitioner,
                                              sparse_combiner)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)


class LinearRegressor(Estimator):
    """A linear regressor trained on the squared error; parameters as
    `LinearClassifier`, with `label_dimension` in place of `n_classes` and
    `label_vocabulary`."""

    def __init__(self, feature_columns: Sequence[Any], model_dir: Optional[str] = None,
                 label_dimension: int = 1, weight_column: Any = None,
                 optimizer: Any = "Ftrl", config: Any = None, partitioner: Any = None,
                 warm_start_from: Any = None, loss_reduction: str = Reduction.SUM,
                 sparse_combiner: str = "sum") -> None:
        head = _regression_head(label_dimension=label_dimension, weight_column=weight_column,
                                loss_reduction=loss_reduction)
        model_fn = _linear_estimator_model_fn(head, feature_columns, optimizer, partitioner,
                                              sparse_combiner)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)


class LinearEstimator(Estimator):
    """A linear model with a custom `head` (a head object from
    `flowgraph.estimator.canned.head`)."""

    def __init__(self, head: Any, feature_columns: Sequence[Any],
                 model_dir: Optional[str] = None, optimizer: Any = "Ftrl",
                 config: Any = None, partitioner: Any = None, sparse_combiner: str = "sum",
                 warm_start_from: Any = None) -> None:
        model_fn = _linear_estimator_model_fn(head, feature_columns, optimizer, partitioner,
                                              sparse_combiner)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)
