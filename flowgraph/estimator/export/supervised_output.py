"""`EvalOutput` (and `TrainOutput`): the outputs of a supervised signature, loss,
predictions and metrics, keyed as TF1's `tf.estimator.export.EvalOutput` keys them
(``loss``, ``predictions/<key>``, ``metrics/<name>/value``, ``metrics/<name>/update_op``)."""

from typing import Any, Optional

from flowgraph.estimator.export.export_output import ExportOutput
from flowgraph.graph import Operation, Tensor, control_dependencies

__all__ = ["EvalOutput", "TrainOutput", "SUPERVISED_EVAL_METHOD_NAME",
           "SUPERVISED_TRAIN_METHOD_NAME"]

SUPERVISED_EVAL_METHOD_NAME = "tensorflow/supervised/eval"
SUPERVISED_TRAIN_METHOD_NAME = "tensorflow/supervised/training"


class _SupervisedOutput(ExportOutput):
    LOSS_NAME = "loss"
    PREDICTIONS_NAME = "predictions"
    METRICS_NAME = "metrics"
    METRIC_VALUE_SUFFIX = "value"
    METRIC_UPDATE_SUFFIX = "update_op"
    _METHOD_NAME = ""

    def __init__(self, loss: Any = None, predictions: Any = None,
                 metrics: Optional[dict] = None) -> None:
        self._loss = self._predictions = self._metrics = None
        if loss is not None:
            self._loss = self._prefix_output_keys(
                self._wrap_and_check_outputs(loss, self.LOSS_NAME, self.LOSS_NAME),
                self.LOSS_NAME)
        if predictions is not None:
            self._predictions = self._prefix_output_keys(
                self._wrap_and_check_outputs(predictions, self.PREDICTIONS_NAME,
                                             self.PREDICTIONS_NAME), self.PREDICTIONS_NAME)
        if metrics is not None:
            self._metrics = self._wrap_and_check_metrics(metrics)

    def _prefix_key(self, key: str, output_name: str) -> str:
        # TF1 prefixes unless the key already starts with the output name.
        return key if key.find(output_name) == 0 else f"{output_name}{self._SEPARATOR_CHAR}{key}"

    def _prefix_output_keys(self, outputs: dict, output_name: str) -> dict:
        return {self._prefix_key(key, output_name): value for key, value in outputs.items()}

    def _wrap_and_check_metrics(self, metrics: Any) -> dict:
        if not isinstance(metrics, dict):
            raise ValueError(f"{self.METRICS_NAME} output value must be a dict; got {metrics}.")
        outputs = {}
        for key, value in metrics.items():
            if not (isinstance(value, tuple) and len(value) == 2):
                raise ValueError(f"{key}: a metric must be a (value, update_op) tuple, as "
                                 f"fg.metrics.* return; got {value!r:.80}.")
            metric_val, metric_op = value
            key = self._prefix_key(self._check_output_key(key, self.METRICS_NAME),
                                   self.METRICS_NAME)
            if not isinstance(metric_val, Tensor):
                raise ValueError(f"{key} output value must be a Tensor; got {metric_val}.")
            if not isinstance(metric_op, (Tensor, Operation)):
                raise ValueError(f"{key} update_op must be a Tensor or Operation; got "
                                 f"{metric_op}.")
            if isinstance(metric_op, Operation):
                # A signature holds tensors only: an empty constant that runs the op.
                from flowgraph.ops.constant import constant

                with control_dependencies([metric_op]):
                    metric_op = constant([], name="metric_op_wrapper")
            outputs[f"{key}{self._SEPARATOR_CHAR}{self.METRIC_VALUE_SUFFIX}"] = metric_val
            outputs[f"{key}{self._SEPARATOR_CHAR}{self.METRIC_UPDATE_SUFFIX}"] = metric_op
        return outputs

    @property
    def loss(self) -> Optional[dict]:
        return self._loss

    @property
    def predictions(self) -> Optional[dict]:
        return self._predictions

    @property
    def metrics(self) -> Optional[dict]:
        return self._metrics

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        from flowgraph.saved_model import signature_def_utils, utils

        if not receiver_tensors:
            raise ValueError(f"{self._METHOD_NAME} inputs cannot be None or empty.")
        inputs = {key: utils.build_tensor_info(t) for key, t in receiver_tensors.items()}
        outputs = {}
        for output_set in (self.loss, self.predictions, self.metrics):
            if output_set is not None:
                outputs.update({key: utils.build_tensor_info(t)
                                for key, t in output_set.items()})
        return signature_def_utils.build_signature_def(inputs, outputs, self._METHOD_NAME)


class EvalOutput(_SupervisedOutput):
    """The outputs of an eval signature (method 'tensorflow/supervised/eval').

    Parameters
    ----------
    loss : Tensor or dict of str to Tensor, optional
    predictions : Tensor or dict of str to Tensor, optional
    metrics : dict of str to (value Tensor, update_op), optional
    """

    _METHOD_NAME = SUPERVISED_EVAL_METHOD_NAME


class TrainOutput(_SupervisedOutput):
    """The outputs of a training signature (method 'tensorflow/supervised/training')."""

    _METHOD_NAME = SUPERVISED_TRAIN_METHOD_NAME
