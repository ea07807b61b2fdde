"""`fg.estimator`: Estimators (train, evaluate, predict and export a model_fn), with TF1's
`tf.estimator` names.

>>> def model_fn(features, labels, mode):
...     ...
...     return fg.estimator.EstimatorSpec(mode, predictions=y, loss=loss, train_op=train_op)
>>> est = fg.estimator.Estimator(model_fn, model_dir="runs/m")
>>> est.train(input_fn, steps=100)
"""

from flowgraph.estimator import experimental, export, inputs
from flowgraph.estimator.best_exporter import BestExporter
from flowgraph.estimator.estimator import Estimator
from flowgraph.estimator.exporter import Exporter, FinalExporter, LatestExporter
from flowgraph.estimator.extenders import add_metrics
from flowgraph.estimator.model_fn import EstimatorSpec, ModeKeys
from flowgraph.estimator.run_config import RunConfig
from flowgraph.estimator.training import EvalSpec, TrainSpec, train_and_evaluate
from flowgraph.estimator.warm_starting import VocabInfo, WarmStartSettings
from flowgraph.train.basic_session_run_hooks import (
    CheckpointSaverHook,
    CheckpointSaverListener,
    FeedFnHook,
    FinalOpsHook,
    GlobalStepWaiterHook,
    LoggingTensorHook,
    NanLossDuringTrainingError,
    NanTensorHook,
    SecondOrStepTimer,
    StepCounterHook,
    StopAtStepHook,
    SummarySaverHook,
)
from flowgraph.train.profiler_hook import ProfilerHook
from flowgraph.train.session_run_hook import (
    SessionRunArgs,
    SessionRunContext,
    SessionRunHook,
    SessionRunValues,
)

__all__ = [
    "Estimator", "EstimatorSpec", "ModeKeys", "RunConfig", "TrainSpec", "EvalSpec",
    "train_and_evaluate", "WarmStartSettings", "VocabInfo", "export", "inputs", "experimental",
    "Exporter", "FinalExporter", "LatestExporter", "BestExporter", "add_metrics",
    "SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues",
    "CheckpointSaverHook", "CheckpointSaverListener", "FeedFnHook", "FinalOpsHook",
    "GlobalStepWaiterHook", "LoggingTensorHook", "NanLossDuringTrainingError",
    "NanTensorHook", "SecondOrStepTimer", "StepCounterHook", "StopAtStepHook",
    "SummarySaverHook", "ProfilerHook",
]

# ---------------------------------------------------------------------------------------
# Canned estimators and heads (flowgraph/estimator/canned/): imports and __all__ entries
# go below this line.
# ---------------------------------------------------------------------------------------
from flowgraph.estimator.canned.boosted_trees import (  # noqa: E402
    BoostedTreesClassifier,
    BoostedTreesEstimator,
    BoostedTreesRegressor,
)

__all__ += ["BoostedTreesClassifier", "BoostedTreesRegressor", "BoostedTreesEstimator"]
from flowgraph.estimator.canned import (  # noqa: E402
    BaselineClassifier,
    BaselineEstimator,
    BaselineRegressor,
    DNNClassifier,
    DNNEstimator,
    DNNLinearCombinedClassifier,
    DNNLinearCombinedEstimator,
    DNNLinearCombinedRegressor,
    DNNRegressor,
    LinearClassifier,
    LinearEstimator,
    LinearRegressor,
)

__all__ += ["BaselineClassifier", "BaselineEstimator", "BaselineRegressor", "DNNClassifier",
            "DNNEstimator", "DNNRegressor", "DNNLinearCombinedClassifier",
            "DNNLinearCombinedEstimator", "DNNLinearCombinedRegressor", "LinearClassifier",
            "LinearEstimator", "LinearRegressor"]
from flowgraph.estimator.canned.parsing_utils import (  # noqa: E402
    classifier_parse_example_spec,
    regressor_parse_example_spec,
)

__all__ += ["classifier_parse_example_spec", "regressor_parse_example_spec"]
