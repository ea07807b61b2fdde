"""The evaluation loop of an Estimator: run the metrics' update ops over the eval data
(or `steps` batches), read the metric values once at the end, write them as summaries to
`model_dir/eval[_name]` (TF1's `estimator/evaluation` and `_evaluate_once`)."""

import logging
import os
import time
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, control_dependencies, get_default_graph
from flowgraph.ops.constant import identity
from flowgraph.ops.control import group
from flowgraph.ops.state import assign_add
from flowgraph.train.basic_session_run_hooks import FinalOpsHook
from flowgraph.train.checkpoint_summary_hooks import summary_writer_for
from flowgraph.train.monitored_session import ChiefSessionCreator, MonitoredSession
from flowgraph.train.session_run_hook import SessionRunArgs, SessionRunHook

_log = logging.getLogger("flowgraph.estimator")

LOSS_METRIC_KEY = "loss"


def get_or_create_eval_step() -> Any:
    """The graph's `eval_step` local counter (GraphKeys.EVAL_STEP), created on first use."""
    graph = get_default_graph()
    steps = graph.get_collection(GraphKeys.EVAL_STEP)
    if len(steps) == 1:
        return steps[0]
    if len(steps) > 1:
        raise ValueError("Multiple tensors added to tf.GraphKeys.EVAL_STEP")
    from flowgraph.ops.fill import zeros
    from flowgraph.variables import Variable

    with graph.name_scope(None):
        return Variable(zeros([], dtypes.int64), trainable=False, name=GraphKeys.EVAL_STEP,
                        collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP])


class StopAfterNEvalsHook(SessionRunHook):
    """Stops evaluation after `num_evals` batches, logging 'Evaluation [i/n]'."""

    def __init__(self, num_evals: Optional[int], log_progress: bool = True) -> None:
        self._num_evals = num_evals
        self._evals_completed: Any = None
        self._log_progress = log_progress
        self._log_frequency = 1 if not num_evals else max(num_evals // 10, 1)

    def _set_evals_completed_tensor(self, updated_eval_step: Any) -> None:
        self._evals_completed = updated_eval_step

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs({"evals_completed": self._evals_completed})

    def after_run(self, run_context: Any, run_values: Any) -> None:
        evals_completed = int(run_values.results["evals_completed"])
        if self._log_progress:
            if self._num_evals is None:
                _log.info("Evaluation [%d]", evals_completed)
            elif (evals_completed % self._log_frequency == 0
                  or self._num_evals == evals_completed):
                _log.info("Evaluation [%d/%d]", evals_completed, self._num_evals)
        if self._num_evals is not None and evals_completed >= self._num_evals:
            run_context.request_stop()


def verify_and_create_loss_metric(eval_metric_ops: dict, loss: Any) -> dict:
    """Add the mean of the loss over the batches as the metric 'loss'."""
    if LOSS_METRIC_KEY in eval_metric_ops:
        raise ValueError(f'Metric with name "{LOSS_METRIC_KEY}" is not allowed, because '
                         "Estimator already defines a default metric with the same name.")
    from flowgraph.metrics.means import mean

    eval_metric_ops = dict(eval_metric_ops)
    eval_metric_ops[LOSS_METRIC_KEY] = mean(loss)
    return eval_metric_ops


def extract_metric_update_ops(eval_dict: dict) -> tuple:
    """(one op running every update op, {name: value tensor}), in sorted name order."""
    update_ops = []
    value_ops = {}
    for name, value in sorted(eval_dict.items()):
        value_ops[name] = value[0]
        update_ops.append(value[1])
    update_op = group(*update_ops) if update_ops else None
    return update_op, value_ops


def evaluate_once(checkpoint_path: Optional[str], scaffold: Any, eval_ops: Any,
                  final_ops: dict, hooks: list, config: Any = None, master: str = "") -> dict:
    """Restore `checkpoint_path` (or initialize), run `eval_ops` until the hooks stop or the
    input ends, then return the values of `final_ops`."""
    eval_step = get_or_create_eval_step()
    hooks = list(hooks)
    if eval_ops is not None:
        update_eval_step = assign_add(eval_step, 1, use_locking=True)
        eval_ops = [eval_ops, update_eval_step]
        with control_dependencies(eval_ops):
            eval_step_value = identity(eval_step.read_value())
        for hook in hooks:
            if isinstance(hook, StopAfterNEvalsHook):
                hook._set_evals_completed_tensor(eval_step_value)
    _log.info("Starting evaluation at %s", time.strftime("%Y-%m-%dT%H:%M:%S"))
    start = time.time()
    creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_filename_with_path=checkpoint_path,
                                  master=master, config=config)
    final_ops_hook = FinalOpsHook(final_ops)
    hooks.append(final_ops_hook)
    with MonitoredSession(session_creator=creator, hooks=hooks) as session:
        if eval_ops is not None:
            while not session.should_stop():
                session.run(eval_ops)
    _log.info("Inference Time : %.5fs", time.time() - start)
    _log.info("Finished evaluation at %s", time.strftime("%Y-%m-%d-%H:%M:%S"))
    return final_ops_hook.final_ops_values


def write_dict_to_summary(output_dir: str, dictionary: dict, current_global_step: int) -> None:
    """Write the scalar entries of `dictionary` (not global_step) as summaries at
    `current_global_step`; a bytes value holding a serialized Summary is written as is."""
    _log.info("Saving dict for global step %d: %s", current_global_step,
              ", ".join(f"{k} = {v}" for k, v in sorted(dictionary.items())))
    writer = summary_writer_for(output_dir)
    if writer is None:
        return
    from flowgraph.summary.protos import Summary

    summary = Summary()
    for key, value in sorted(dictionary.items()):
        if value is None or key == "global_step":
            continue
        array = np.asarray(value)
        if array.dtype.kind in "fiub" and array.size == 1:
            summary.value.add(tag=key, simple_value=float(array.reshape(())))
        elif isinstance(value, (bytes, np.bytes_)):
            try:
                nested = Summary.FromString(bytes(value))
            except Exception:  # noqa: BLE001 - not a serialized Summary: skipped as TF1 does
                _log.warning("Skipping summary for %s, cannot parse string to Summary.", key)
                continue
            for nested_value in nested.value:
                nested_value.tag = key
                summary.value.add().CopyFrom(nested_value)
        else:
            _log.warning("Skipping summary for %s, must be a float, np.float32, np.int64, "
                         "np.int32 or int or a serialized string of Summary.", key)
    writer.add_summary(summary, current_global_step)
    writer.flush()


def evaluate(estimator: Any, input_fn: Any, hooks: list, checkpoint_path: Optional[str],
             name: Optional[str]) -> dict:
    """Build the EVAL graph, run it over the input and write the results (the work of
    `Estimator.evaluate`, whose arguments are already checked)."""
    from flowgraph.graph import Graph

    if not checkpoint_path:
        checkpoint_path = estimator.latest_checkpoint()
        if not checkpoint_path:
            _log.info("Could not find trained model in model_dir: %s, running initialization "
                      "to evaluate.", estimator.model_dir)
    with Graph().as_default():
        scaffold, update_op, eval_dict, all_hooks = build_eval_graph(
            estimator, input_fn, hooks, checkpoint_path)
        return run_eval(estimator, checkpoint_path, scaffold, update_op, eval_dict, all_hooks,
                        estimator.eval_dir(name))


def build_eval_graph(estimator: Any, input_fn: Any, hooks: list,
                     checkpoint_path: Optional[str]) -> tuple:
    """Build the EVAL-mode model in the default graph (TF1's `_evaluate_build_graph`).

    Returns (scaffold, update_op, {name: value tensor} with global_step, all hooks).
    """
    from flowgraph.estimator.checkpoint_names import add_default_saver
    from flowgraph.estimator.model_fn import ModeKeys
    from flowgraph.train.scaffold import Scaffold

    config = estimator._config
    graph = get_default_graph()
    if config.tf_random_seed is not None:
        graph.seed = config.tf_random_seed
    global_step = estimator._create_and_assert_global_step(graph)
    features, labels, input_hooks = estimator._get_features_and_labels_from_input_fn(
        input_fn, ModeKeys.EVAL)
    spec = estimator._call_model_fn(features, labels, ModeKeys.EVAL, estimator.config)
    eval_metric_ops = verify_and_create_loss_metric(spec.eval_metric_ops, spec.loss)
    update_op, eval_dict = extract_metric_update_ops(eval_metric_ops)
    if GraphKeys.GLOBAL_STEP in eval_dict:
        raise ValueError("Metric with name `global_step` is not allowed, because Estimator "
                         "already defines a default metric with the same name.")
    eval_dict[GraphKeys.GLOBAL_STEP] = global_step
    scaffold = estimator._maybe_warm_started(spec.scaffold, checkpoint_path)
    all_hooks = list(input_hooks) + list(hooks) + list(spec.evaluation_hooks or [])
    get_or_create_eval_step()
    add_default_saver(scaffold, sharded=True, allow_empty=True)
    if scaffold.local_init_op is not None:
        # Metric variables were added after the user's local_init_op: initialize them too.
        scaffold = Scaffold(local_init_op=group(scaffold.local_init_op,
                                                Scaffold.default_local_init_op()),
                            copy_from_scaffold=scaffold)
    return scaffold, update_op, eval_dict, all_hooks


def run_eval(estimator: Any, checkpoint_path: Optional[str], scaffold: Any, update_op: Any,
             eval_dict: dict, all_hooks: list, output_dir: str) -> dict:
    """Run a graph of `build_eval_graph` and write its results to `output_dir` (TF1's
    `_evaluate_run`)."""
    results = evaluate_once(checkpoint_path, scaffold, update_op, eval_dict, all_hooks,
                            config=estimator._session_config,
                            master=estimator._config.evaluation_master)
    step = int(results[GraphKeys.GLOBAL_STEP])
    write_dict_to_summary(output_dir, results, step)
    if checkpoint_path:
        write_checkpoint_path_to_summary(output_dir, checkpoint_path, step)
    return results


def write_checkpoint_path_to_summary(output_dir: str, checkpoint_path: str,
                                     current_global_step: int) -> None:
    """Record which checkpoint was evaluated: a string tensor summary tagged
    'checkpoint_path' at `current_global_step`, as TF1's Estimator writes after the
    metrics."""
    _log.info("Saving 'checkpoint_path' summary for global step %d: %s", current_global_step,
              checkpoint_path)
    writer = summary_writer_for(output_dir)
    if writer is None:
        return
    from flowgraph.ops.summary_encoding import load_protos
    from flowgraph.summary.protos import Summary

    # A scalar string TensorProto (DT_STRING = 7), as tensor_util.make_tensor_proto makes.
    tensor = load_protos().tensor_pb2.TensorProto(dtype=7, string_val=[
        os.fsencode(checkpoint_path)])
    tensor.tensor_shape.SetInParent()
    summary = Summary()
    summary.value.add(tag="checkpoint_path", tensor=tensor)
    writer.add_summary(summary, current_global_step)
    writer.flush()
