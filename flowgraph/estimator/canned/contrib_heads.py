"""The public head factories TF1 kept in `tf.contrib.estimator` (for `DNNEstimator`,
`LinearEstimator`, `DNNLinearCombinedEstimator` or a custom model_fn). Unlike the canned
classifiers' heads, they default to ``loss_reduction=SUM_OVER_BATCH_SIZE``.

>>> head = binary_classification_head()
>>> est = fg.estimator.DNNEstimator(head=head, hidden_units=[8], feature_columns=cols)
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph.estimator.canned.binary_head import (
    _binary_logistic_head_with_sigmoid_cross_entropy_loss,
)
from flowgraph.estimator.canned.head import _Head
from flowgraph.estimator.canned.multi_class_head import (
    _multi_class_head_with_softmax_cross_entropy_loss,
)
from flowgraph.estimator.canned.regression_head import _regression_head
from flowgraph.losses import Reduction

__all__ = ["binary_classification_head", "multi_class_head", "regression_head"]


def binary_classification_head(weight_column: Any = None,
                               thresholds: Optional[Sequence[float]] = None,
                               label_vocabulary: Any = None,
                               loss_reduction: str = Reduction.SUM_OVER_BATCH_SIZE,
                               loss_fn: Any = None, name: Optional[str] = None) -> _Head:
    """A sigmoid cross-entropy head for binary classification (logits [batch, 1])."""
    return _binary_logistic_head_with_sigmoid_cross_entropy_loss(
        weight_column=weight_column, thresholds=thresholds,
        label_vocabulary=label_vocabulary, loss_reduction=loss_reduction, loss_fn=loss_fn,
        name=name)


def multi_class_head(n_classes: int, weight_column: Any = None, label_vocabulary: Any = None,
                     loss_reduction: str = Reduction.SUM_OVER_BATCH_SIZE, loss_fn: Any = None,
                     name: Optional[str] = None) -> _Head:
    """A softmax cross-entropy head for `n_classes` (> 2) classes."""
    return _multi_class_head_with_softmax_cross_entropy_loss(
        n_classes=n_classes, weight_column=weight_column, label_vocabulary=label_vocabulary,
        loss_reduction=loss_reduction, loss_fn=loss_fn, name=name)


def regression_head(weight_column: Any = None, label_dimension: int = 1,
                    loss_reduction: str = Reduction.SUM_OVER_BATCH_SIZE, loss_fn: Any = None,
                    inverse_link_fn: Any = None, name: Optional[str] = None) -> _Head:
    """A squared-error regression head with `label_dimension` outputs."""
    return _regression_head(weight_column=weight_column, label_dimension=label_dimension,
                            loss_reduction=loss_reduction, loss_fn=loss_fn,
                            inverse_link_fn=inverse_link_fn, name=name)
