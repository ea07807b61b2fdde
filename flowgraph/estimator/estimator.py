"""`fg.estimator.Estimator`: trains, evaluates, predicts with and exports a model
described by a model_fn, keeping its checkpoints and summaries in `model_dir` (TF1's
`tf.estimator.Estimator`)."""

import copy
import logging
import os
import tempfile
from typing import Any, Callable, Iterator, Optional

from flowgraph.estimator import evaluation, util
from flowgraph.estimator.model_fn import EstimatorSpec, ModeKeys
from flowgraph.estimator.run_config import RunConfig, TaskType
from flowgraph.estimator.train_loop import train_with_estimator_spec, with_warm_start
from flowgraph.estimator.warm_starting import default_warm_start_settings, plan_warm_start
from flowgraph.graph import Graph, GraphKeys
from flowgraph.train import checkpoint_management, training_util
from flowgraph.train.basic_session_run_hooks import StopAtStepHook
from flowgraph.train.scaffold import Scaffold

__all__ = ["Estimator"]

_log = logging.getLogger("flowgraph.estimator")


class Estimator:
    """Trains and evaluates a model given by `model_fn`, as TF1's `tf.estimator.Estimator`.

    Parameters
    ----------
    model_fn : callable
        `model_fn(features, labels, mode, params, config)` (any subset, `features`
        required) returning an `EstimatorSpec`.
    model_dir : str, optional
        Where checkpoints and summaries go; a new temporary folder when None (and the
        config has none).
    config : RunConfig, optional
    params : dict, optional
        Passed to model_fn as `params` (deep-copied).
    warm_start_from : str or WarmStartSettings, optional
        A checkpoint (or SavedModel folder) to initialize the variables from when
        model_dir has no checkpoint yet.
    """

    def __init__(self, model_fn: Callable, model_dir: Optional[str] = None,
                 config: Optional[RunConfig] = None, params: Optional[dict] = None,
                 warm_start_from: Any = None) -> None:
        self._config = _config_with_model_dir(config, model_dir)
        self._model_dir = self._config.model_dir
        self._session_config = self._config.session_config
        self._device_fn = self._config.device_fn
        _log.info("Using config: %s", self._config)
        util.verify_model_fn_args(model_fn, params)
        self._model_fn = model_fn
        self._params = copy.deepcopy(params or {})
        self._warm_start_settings = default_warm_start_settings(warm_start_from)

    # ------------------------------------------------------------------ properties
    @property
    def model_dir(self) -> str:
        return self._model_dir

    @property
    def config(self) -> RunConfig:
        return copy.deepcopy(self._config)

    @property
    def params(self) -> dict:
        return copy.deepcopy(self._params)

    @property
    def model_fn(self) -> Callable:
        """`model_fn(features, labels, mode, config)` calling the user's model_fn as the
        Estimator does (with params)."""
        def public_model_fn(features: Any, labels: Any, mode: str,
                            config: Optional[RunConfig]) -> EstimatorSpec:
            return self._call_model_fn(features, labels, mode, config)

        return public_model_fn

    # ------------------------------------------------------------------ checkpoints
    def latest_checkpoint(self) -> Optional[str]:
        """The latest checkpoint prefix in model_dir, or None."""
        return checkpoint_management.latest_checkpoint(self.model_dir)

    def get_variable_names(self) -> list:
        """The names of the variables in the latest checkpoint."""
        from flowgraph.train.reader import list_variables

        _check_checkpoint_available(self.model_dir)
        return [name for name, _ in list_variables(self.model_dir)]

    def get_variable_value(self, name: str) -> Any:
        """The value (numpy) of variable `name` in the latest checkpoint."""
        from flowgraph.train.reader import load_variable

        _check_checkpoint_available(self.model_dir)
        return load_variable(self.model_dir, name)

    def eval_dir(self, name: Optional[str] = None) -> str:
        """The folder evaluation summaries are written to: model_dir/eval[_name]."""
        return os.path.join(self._model_dir, "eval" if not name else "eval_" + name)

    # ------------------------------------------------------------------ training
    def train(self, input_fn: Callable, hooks: Any = None, steps: Optional[int] = None,
              max_steps: Optional[int] = None, saving_listeners: Any = None) -> "Estimator":
        """Train from the latest checkpoint of model_dir (global_step carries on).

        Stops after `steps` more steps, at global step `max_steps`, when a hook asks, or at
        the end of the input (OutOfRangeError). Returns self.
        """
        if self.config.task_type in (TaskType.EVALUATOR, TaskType.PS):
            raise ValueError("Train has been called wrong configuration. Please use "
                             "tf.estimator.train_and_evaluate which calls proper API according "
                             f"to given configuration. Current configuration: {self.config}.")
        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        start_step = _load_global_step_from_checkpoint_dir(self._model_dir)
        if max_steps is not None and max_steps <= start_step:
            _log.info("Skipping training since max_steps has already saved.")
            return self
        hooks = util.check_hooks_type(hooks)
        if steps is not None or max_steps is not None:
            hooks.append(StopAtStepHook(steps, max_steps))
        saving_listeners = util.check_listeners_type(saving_listeners)
        total = steps if steps is not None else (
            max_steps - start_step if max_steps is not None else None)
        loss = self._train_model(input_fn, hooks, saving_listeners, total)
        _log.info("Loss for final step: %s.", loss)
        return self

    def _train_model(self, input_fn: Callable, hooks: list, saving_listeners: list,
                     total_steps: Optional[int]) -> Any:
        graph = Graph()
        with graph.as_default():
            if self._config.tf_random_seed is not None:
                graph.seed = self._config.tf_random_seed
            self._create_and_assert_global_step(graph)
            features, labels, input_hooks = self._get_features_and_labels_from_input_fn(
                input_fn, ModeKeys.TRAIN)
            spec = self._call_model_fn(features, labels, ModeKeys.TRAIN, self.config)
            global_step = training_util.get_global_step(graph)
            return train_with_estimator_spec(self, spec, list(input_hooks), hooks, global_step,
                                             saving_listeners, total_steps)

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, input_fn: Callable, steps: Optional[int] = None, hooks: Any = None,
                 checkpoint_path: Optional[str] = None, name: Optional[str] = None) -> dict:
        """Evaluate the latest checkpoint (or `checkpoint_path`) on `steps` batches of
        input_fn (default: until its end).

        Returns {metric name: value} with the model_fn's eval_metric_ops, 'loss' (the mean
        of the batches' losses) and 'global_step'; they are also written as summaries to
        model_dir/eval (or model_dir/eval_NAME).
        """
        hooks = util.check_hooks_type(hooks)
        if steps is not None:
            if steps <= 0:
                raise ValueError(f"Must specify steps > 0, given: {steps}")
            hooks.append(evaluation.StopAfterNEvalsHook(num_evals=steps))
        return evaluation.evaluate(self, input_fn, hooks, checkpoint_path, name)

    # ------------------------------------------------------------------ prediction
    def predict(self, input_fn: Callable, predict_keys: Any = None, hooks: Any = None,
                checkpoint_path: Optional[str] = None,
                yield_single_examples: bool = True) -> Iterator:
        """Yield the predictions of the latest checkpoint (or `checkpoint_path`) for the
        input of input_fn until it ends: one dict (or value, for a single prediction
        tensor) per example, or per batch when `yield_single_examples` is False.

        `predict_keys` restricts a dict of predictions to these keys. Without any checkpoint
        the model's initial values are used.
        """
        from flowgraph.estimator.prediction import predict

        hooks = util.check_hooks_type(hooks)
        yield from predict(self, input_fn, predict_keys, hooks, checkpoint_path,
                           yield_single_examples)

    # ------------------------------------------------------------------ export
    def export_saved_model(self, export_dir_base: Any, serving_input_receiver_fn: Callable,
                           assets_extra: Optional[dict] = None, as_text: bool = False,
                           checkpoint_path: Optional[str] = None,
                           experimental_mode: str = ModeKeys.PREDICT) -> bytes:
        """Export the model (PREDICT mode, latest checkpoint) as a saved model in a new
        folder `export_dir_base/<timestamp>`; returns that folder's path (bytes, as TF1).

        Load it with `fg.saved_model.load(sess, ["serve"], path)` or serve it with
        `flowgraph run`.
        """
        from flowgraph.estimator.exporting import export_all_saved_models

        if not serving_input_receiver_fn:
            raise ValueError("An input_receiver_fn must be defined.")
        return export_all_saved_models(self, export_dir_base,
                                       {experimental_mode: serving_input_receiver_fn},
                                       assets_extra=assets_extra, as_text=as_text,
                                       checkpoint_path=checkpoint_path)

    def export_savedmodel(self, export_dir_base: Any, serving_input_receiver_fn: Callable,
                          assets_extra: Optional[dict] = None, as_text: bool = False,
                          checkpoint_path: Optional[str] = None,
                          strip_default_attrs: bool = False) -> bytes:
        """Deprecated TF1 name of `export_saved_model`."""
        return self.export_saved_model(export_dir_base, serving_input_receiver_fn,
                                       assets_extra=assets_extra, as_text=as_text,
                                       checkpoint_path=checkpoint_path)

    def experimental_export_all_saved_models(self, export_dir_base: Any,
                                             input_receiver_fn_map: dict,
                                             assets_extra: Optional[dict] = None,
                                             as_text: bool = False,
                                             checkpoint_path: Optional[str] = None) -> bytes:
        """Export with one receiver fn per mode (only PREDICT is supported)."""
        from flowgraph.estimator.exporting import export_all_saved_models

        return export_all_saved_models(self, export_dir_base, input_receiver_fn_map,
                                       assets_extra=assets_extra, as_text=as_text,
                                       checkpoint_path=checkpoint_path)

    # ------------------------------------------------------------------ internals
    def _create_and_assert_global_step(self, graph: Graph) -> Any:
        step = training_util.create_global_step(graph)
        if step is not training_util.get_global_step(graph):
            raise ValueError("The global step created is not the graph's global step.")
        if not step.dtype.is_integer:
            raise ValueError(f"The global step must be an integer, got {step.dtype}.")
        return step

    def _call_input_fn(self, input_fn: Callable, mode: str) -> Any:
        args = util.fn_args(input_fn)
        kwargs = {}
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = self.config
        return input_fn(**kwargs)

    def _get_features_and_labels_from_input_fn(self, input_fn: Callable, mode: str) -> tuple:
        return util.parse_input_fn_result(self._call_input_fn(input_fn, mode))

    def _call_model_fn(self, features: Any, labels: Any, mode: str,
                       config: Optional[RunConfig]) -> EstimatorSpec:
        args = util.fn_args(self._model_fn)
        kwargs = {}
        if "labels" in args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise ValueError("model_fn does not take labels, but input_fn returns labels.")
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = config
        _log.info("Calling model_fn.")
        spec = self._model_fn(features=features, **kwargs)
        _log.info("Done calling model_fn.")
        if not isinstance(spec, EstimatorSpec):
            raise ValueError("model_fn should return an EstimatorSpec.")
        return spec

    def _maybe_warm_started(self, scaffold: Scaffold, checkpoint_path: Optional[str]
                            ) -> Scaffold:
        """Evaluate/predict without a checkpoint start from the warm-start values."""
        if not checkpoint_path and self._warm_start_settings:
            _log.info("Warm-starting with WarmStartSettings: %s", self._warm_start_settings)
            return with_warm_start(scaffold, plan_warm_start(self._warm_start_settings))
        return scaffold


# ---------------------------------------------------------------------- helpers
def _config_with_model_dir(config: Optional[RunConfig], model_dir: Any) -> RunConfig:
    if config is None:
        config = RunConfig()
        _log.info("Using default config.")
    if not isinstance(config, RunConfig):
        raise ValueError(f"config must be an instance of `RunConfig`, but provided {config}.")
    if config.session_config is None:
        from flowgraph.runtime.config import ConfigProto

        config = config.replace(session_config=ConfigProto(allow_soft_placement=True))
    if model_dir is not None:
        model_dir = os.fsdecode(model_dir)
        if config.model_dir is not None and config.model_dir != model_dir:
            raise ValueError("`model_dir` are set both in constructor and `RunConfig`, but "
                             f"with different values. In constructor: '{model_dir}', in "
                             f"`RunConfig`: '{config.model_dir}' ")
    if model_dir:
        config = config.replace(model_dir=model_dir)
    elif config.model_dir is None:
        model_dir = tempfile.mkdtemp()
        _log.warning("Using temporary folder as model directory: %s", model_dir)
        config = config.replace(model_dir=model_dir)
    return config


def _check_checkpoint_available(model_dir: str) -> None:
    if not checkpoint_management.latest_checkpoint(model_dir):
        raise ValueError(f"Could not find trained model in model_dir: {model_dir}.")


def _load_global_step_from_checkpoint_dir(checkpoint_dir: str) -> int:
    from flowgraph.train.reader import NewCheckpointReader

    latest = checkpoint_management.latest_checkpoint(checkpoint_dir)
    if not latest:
        return 0
    try:
        return int(NewCheckpointReader(latest).get_tensor(GraphKeys.GLOBAL_STEP))
    except Exception:  # noqa: BLE001 - as TF1: an unreadable step counts as 0
        return 0


