"""What a model_fn returns: `EstimatorSpec`, and the `ModeKeys` it is called with, as
TF1's `tf.estimator.EstimatorSpec` and `tf.estimator.ModeKeys`."""

import collections
from typing import Any

from flowgraph.estimator.export import export_output as export_output_lib
from flowgraph.graph import Operation, Tensor, get_default_graph
from flowgraph.saved_model.signature_constants import DEFAULT_SERVING_SIGNATURE_DEF_KEY
from flowgraph.train.scaffold import Scaffold
from flowgraph.train.session_run_hook import SessionRunHook
from flowgraph.variables import Variable

__all__ = ["ModeKeys", "EstimatorSpec"]


class ModeKeys:
    """The three modes a model_fn is called in (TF1's string values)."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


_DEFAULT_GRAPH_ERROR = (
    '{0} with "{1}" must be from the default graph. Possible causes of this error include: '
    "\n\n1) {0} was created outside the context of the default graph."
    "\n\n2) The object passed through to EstimatorSpec was not created in the most recent "
    'call to "model_fn".')

_FIELDS = ["mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
           "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks",
           "prediction_hooks"]


class EstimatorSpec(collections.namedtuple("EstimatorSpec", _FIELDS)):
    """The ops and objects a model_fn returns for one mode, checked on construction.

    Parameters
    ----------
    mode : str
        A `ModeKeys` value.
    predictions : Tensor or dict of str to Tensor
        Required in PREDICT mode.
    loss : Tensor
        A scalar; required in TRAIN and EVAL modes.
    train_op : Operation or Tensor
        One training step; required in TRAIN mode.
    eval_metric_ops : dict of str to (value, update_op)
        Metrics computed in EVAL mode.
    export_outputs : dict of str to ExportOutput
        Signatures of an exported model; in PREDICT mode defaults to a PredictOutput of
        `predictions` under 'serving_default'.
    training_chief_hooks, training_hooks, evaluation_hooks, prediction_hooks : iterable
        `SessionRunHook`s run in the corresponding mode.
    scaffold : Scaffold
        Init ops, the Saver and the summary op; a default Scaffold when None.
    """

    def __new__(cls, mode: str, predictions: Any = None, loss: Any = None, train_op: Any = None,
                eval_metric_ops: Any = None, export_outputs: Any = None,
                training_chief_hooks: Any = None, training_hooks: Any = None,
                scaffold: Any = None, evaluation_hooks: Any = None,
                prediction_hooks: Any = None) -> "EstimatorSpec":
        graph = get_default_graph()
        train_op = _validate_train_op(train_op, mode, graph)
        loss = _validate_loss(loss, mode, graph)
        predictions = _validate_predictions(predictions, mode, graph)
        if mode == ModeKeys.PREDICT:
            export_outputs = get_export_outputs(export_outputs, predictions)
        training_chief_hooks = _validate_hooks(training_chief_hooks)
        training_hooks = _validate_hooks(training_hooks)
        evaluation_hooks = _validate_hooks(evaluation_hooks)
        prediction_hooks = _validate_hooks(prediction_hooks)
        eval_metric_ops = _validate_eval_metric_ops(eval_metric_ops, graph)
        scaffold = scaffold or Scaffold()
        if not isinstance(scaffold, Scaffold):
            raise TypeError(f"scaffold must be tf.train.Scaffold. Given: {scaffold}")
        return super().__new__(
            cls, mode=mode, predictions=predictions, loss=loss, train_op=train_op,
            eval_metric_ops=eval_metric_ops, export_outputs=export_outputs,
            training_chief_hooks=training_chief_hooks, training_hooks=training_hooks,
            scaffold=scaffold, evaluation_hooks=evaluation_hooks,
            prediction_hooks=prediction_hooks)

    def _replace(self, **kwds: Any) -> "EstimatorSpec":
        """A copy with some fields replaced (and checked again); the mode cannot change."""
        if "mode" in kwds and self.mode != kwds["mode"]:
            raise ValueError("mode of EstimatorSpec cannot be changed.")
        fields = {name: kwds.pop(name, value) for name, value in zip(self._fields, self)}
        if kwds:
            raise ValueError(f"Got unexpected field names: {sorted(kwds)}")
        return EstimatorSpec(**fields)


def get_export_outputs(export_outputs: Any, predictions: Any) -> dict:
    """The checked export outputs, with a 'serving_default' entry (TF1's rules)."""
    if export_outputs is None:
        export_outputs = {
            DEFAULT_SERVING_SIGNATURE_DEF_KEY: export_output_lib.PredictOutput(predictions)}
    if not isinstance(export_outputs, dict):
        raise TypeError(f"export_outputs must be dict, given: {export_outputs}")
    export_outputs = dict(export_outputs)
    for value in export_outputs.values():
        if not isinstance(value, export_output_lib.ExportOutput):
            raise TypeError(f"Values in export_outputs must be ExportOutput objects. Given: "
                            f"{export_outputs}")
    if len(export_outputs) == 1:
        ((key, value),) = export_outputs.items()
        if key != DEFAULT_SERVING_SIGNATURE_DEF_KEY:
            export_outputs[DEFAULT_SERVING_SIGNATURE_DEF_KEY] = value
    if len(export_outputs) > 1 and DEFAULT_SERVING_SIGNATURE_DEF_KEY not in export_outputs:
        raise ValueError("Multiple export_outputs were provided, but none of them is specified "
                         "as the default.  Do this by naming one of them with "
                         "signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY.")
    return export_outputs


def _as_tensor(value: Any, name: str) -> Tensor:
    if isinstance(value, Variable):
        return value.value()
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be Tensor, given: {value}")
    return value


def _check_graph(element: Any, name: str, graph: Any) -> None:
    if element.graph is not graph:
        raise ValueError(_DEFAULT_GRAPH_ERROR.format(name, element.name))


def _validate_train_op(train_op: Any, mode: str, graph: Any) -> Any:
    if train_op is None:
        if mode == ModeKeys.TRAIN:
            raise ValueError("Missing train_op.")
        return None
    if isinstance(train_op, Variable):
        train_op = train_op.op
    if not isinstance(train_op, (Operation, Tensor)):
        raise TypeError(f"train_op must be Operation or Tensor, given: {train_op}")
    _check_graph(train_op, "train_op", graph)
    return train_op


def _validate_loss(loss: Any, mode: str, graph: Any) -> Any:
    if loss is None:
        if mode in (ModeKeys.TRAIN, ModeKeys.EVAL):
            raise ValueError("Missing loss.")
        return None
    loss = _as_tensor(loss, "loss")
    shape = loss.get_shape()
    if shape.num_elements() not in (None, 1):
        raise ValueError(f"Loss must be scalar, given: {loss}")
    _check_graph(loss, "loss", graph)
    if shape.ndims != 0:
        from flowgraph.ops.shape_ops import reshape

        with graph.as_default():
            loss = reshape(loss, [])
    return loss


def _validate_predictions(predictions: Any, mode: str, graph: Any) -> Any:
    if predictions is None:
        if mode == ModeKeys.PREDICT:
            raise ValueError("Missing predictions.")
        return {}
    if isinstance(predictions, dict):
        predictions = {key: _as_tensor(value, f"predictions[{key}]")
                       for key, value in predictions.items()}
        for value in predictions.values():
            _check_graph(value, "prediction values", graph)
    else:
        predictions = _as_tensor(predictions, "predictions")
        _check_graph(predictions, "prediction values", graph)
    return predictions


def _validate_hooks(hooks: Any) -> tuple:
    hooks = tuple(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"All hooks must be SessionRunHook instances, given: {hook}")
    return hooks


def _validate_eval_metric_ops(eval_metric_ops: Any, graph: Any) -> dict:
    if eval_metric_ops is None:
        return {}
    if not isinstance(eval_metric_ops, dict):
        raise TypeError(f"eval_metric_ops must be a dict, given: {eval_metric_ops}")
    for key, value in eval_metric_ops.items():
        if not isinstance(value, tuple) or len(value) != 2:
            raise TypeError("Values of eval_metric_ops must be (metric_value, update_op) "
                            f"tuples, given: {value} for key: {key}")
        metric_value, update_op = value
        members = list(metric_value) if isinstance(metric_value, (tuple, list)) \
            else [metric_value]
        for element in members + [update_op]:
            if isinstance(element, Variable):
                element = element.op
            if not isinstance(element, (Tensor, Operation)):
                # As TF1's _check_is_tensor_or_operation.
                raise TypeError(f"eval_metric_ops[{key}] must be Operation or Tensor, given: "
                                f"{element}")
            _check_graph(element, "eval_metric_ops", graph)
    return dict(eval_metric_ops)
