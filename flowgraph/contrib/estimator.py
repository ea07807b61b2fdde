"""`fg.contrib.estimator`: TF1's contrib head factories for custom Estimators."""

from flowgraph.estimator.canned.contrib_heads import (  # noqa: F401
    binary_classification_head,
    multi_class_head,
    regression_head,
)

__all__ = ["binary_classification_head", "multi_class_head", "regression_head"]
