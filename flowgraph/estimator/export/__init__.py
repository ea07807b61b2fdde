"""`fg.estimator.export`: what an exported Estimator is fed (`ServingInputReceiver`) and
serves (`PredictOutput`, `ClassificationOutput`, `RegressionOutput`), as TF1's
`tf.estimator.export`."""

from flowgraph.estimator.export.export import (
    ServingInputReceiver,
    TensorServingInputReceiver,
    build_parsing_serving_input_receiver_fn,
    build_raw_serving_input_receiver_fn,
)
from flowgraph.estimator.export.export_output import (
    ClassificationOutput,
    ExportOutput,
    PredictOutput,
    RegressionOutput,
)
from flowgraph.estimator.export.supervised_output import EvalOutput

__all__ = [
    "ServingInputReceiver", "TensorServingInputReceiver",
    "build_raw_serving_input_receiver_fn", "build_parsing_serving_input_receiver_fn",
    "ExportOutput", "ClassificationOutput", "PredictOutput", "RegressionOutput", "EvalOutput",
]
