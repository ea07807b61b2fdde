"""Canned estimators and their heads (TF1's `tensorflow_estimator/.../canned`)."""

from flowgraph.estimator.canned.baseline import (
    BaselineClassifier,
    BaselineEstimator,
    BaselineRegressor,
)
from flowgraph.estimator.canned.dnn import DNNClassifier, DNNEstimator, DNNRegressor
from flowgraph.estimator.canned.dnn_linear_combined import (
    DNNLinearCombinedClassifier,
    DNNLinearCombinedEstimator,
    DNNLinearCombinedRegressor,
)
from flowgraph.estimator.canned.linear import LinearClassifier, LinearEstimator, LinearRegressor
from flowgraph.estimator.canned.metric_keys import MetricKeys
from flowgraph.estimator.canned.prediction_keys import PredictionKeys

__all__ = [
    "BaselineClassifier", "BaselineEstimator", "BaselineRegressor", "DNNClassifier",
    "DNNEstimator", "DNNRegressor", "DNNLinearCombinedClassifier",
    "DNNLinearCombinedEstimator", "DNNLinearCombinedRegressor", "LinearClassifier",
    "LinearEstimator", "LinearRegressor", "MetricKeys", "PredictionKeys",
]
