"""`train_and_evaluate` with `TrainSpec` and `EvalSpec`, as TF1's (local mode): train
to `max_steps`, evaluating after each new checkpoint (at most every `throttle_secs`) and
at the end."""

import collections
import logging
import os
from typing import Any, Callable, Optional

from flowgraph.train.checkpoint_summary_hooks import CheckpointSaverListener
from flowgraph.train.hook_timers import SecondOrStepTimer
from flowgraph.train.session_run_hook import SessionRunHook

__all__ = ["TrainSpec", "EvalSpec", "train_and_evaluate"]

_log = logging.getLogger("flowgraph.estimator")


def _validate_hooks(hooks: Any) -> tuple:
    hooks = tuple(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"All hooks must be SessionRunHook instances, given: {hook}")
    return hooks


class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks",
                                                     "saving_listeners"])):
    """The training half of train_and_evaluate: input_fn, max_steps, hooks, listeners."""

    def __new__(cls, input_fn: Callable, max_steps: Optional[int] = None, hooks: Any = None,
                saving_listeners: Any = None) -> "TrainSpec":
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        hooks = _validate_hooks(hooks)
        saving_listeners = tuple(saving_listeners or [])
        for listener in saving_listeners:
            if not isinstance(listener, CheckpointSaverListener):
                raise TypeError("All saving_listeners must be `CheckpointSaverListener` "
                                f"instances, given: {listener}")
        return super().__new__(cls, input_fn=input_fn, max_steps=max_steps, hooks=hooks,
                               saving_listeners=saving_listeners)


class EvalSpec(collections.namedtuple("EvalSpec", [
        "input_fn", "steps", "name", "hooks", "exporters", "start_delay_secs",
        "throttle_secs"])):
    """The evaluation half of train_and_evaluate."""

    def __new__(cls, input_fn: Callable, steps: Optional[int] = 100, name: Optional[str] = None,
                hooks: Any = None, exporters: Any = None, start_delay_secs: int = 120,
                throttle_secs: int = 600) -> "EvalSpec":
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn}")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be string, given: {name}")
        hooks = _validate_hooks(hooks)
        if exporters is None:
            exporters = ()
        elif not isinstance(exporters, (list, tuple)):
            exporters = (exporters,)
        exporters = tuple(exporters)
        names = [getattr(e, "name", None) for e in exporters]
        if len(set(names)) != len(names):
            raise ValueError(f"`exporters` must have unique names. Such a name cannot be "
                             f"`None`. {names} ")
        if start_delay_secs < 0:
            raise ValueError(f"Must specify start_delay_secs >= 0, given: {start_delay_secs}")
        if throttle_secs < 0:
            raise ValueError(f"Must specify throttle_secs >= 0, given: {throttle_secs}")
        return super().__new__(cls, input_fn=input_fn, steps=steps, name=name, hooks=hooks,
                               exporters=exporters, start_delay_secs=start_delay_secs,
                               throttle_secs=throttle_secs)


class _EvaluateAfterSave(CheckpointSaverListener):
    """Evaluates (and exports) after a new checkpoint, throttled, and at the end."""

    def __init__(self, estimator: Any, eval_spec: EvalSpec,
                 max_training_steps: Optional[int]) -> None:
        self._estimator = estimator
        self._max_training_steps = max_training_steps
        self._eval_spec = eval_spec
        self._timer = SecondOrStepTimer(every_secs=eval_spec.throttle_secs)
        self.eval_result: Optional[dict] = None
        self.export_results: list = []
        self._previous_ckpt: Optional[str] = None

    def begin(self) -> None:
        self._timer.reset()
        self._is_first_run = True

    def after_save(self, session: Any, global_step_value: int) -> None:
        # The first save is of the model before any training step of this run.
        if self._is_first_run:
            self._is_first_run = False
            return
        if self._timer.should_trigger_for_step(global_step_value):
            self._evaluate(global_step_value)

    def end(self, session: Any, global_step_value: int) -> None:
        if global_step_value != self._timer.last_triggered_step():
            self._evaluate(global_step_value)

    def _evaluate(self, global_step_value: int) -> None:
        self._timer.update_last_triggered_step(global_step_value)
        latest = self._estimator.latest_checkpoint()
        if not latest or latest == self._previous_ckpt:
            return
        self._previous_ckpt = latest
        spec = self._eval_spec
        self.eval_result = self._estimator.evaluate(
            input_fn=spec.input_fn, steps=spec.steps, name=spec.name, checkpoint_path=latest,
            hooks=spec.hooks)
        self.export_results = []
        # As TF1: the export is final once training reached max_steps.
        is_final = bool(self._max_training_steps) and \
            self.eval_result["global_step"] >= self._max_training_steps
        for exporter in spec.exporters:
            export_path = os.path.join(self._estimator.model_dir, "export", exporter.name)
            self.export_results.append(exporter.export(self._estimator, export_path, latest,
                                                       self.eval_result, is_final))


def train_and_evaluate(estimator: Any, train_spec: TrainSpec, eval_spec: EvalSpec) -> tuple:
    """Train `estimator` to `train_spec.max_steps`, evaluating after new checkpoints.

    Returns (the last evaluation's metrics, the export results).
    """
    from flowgraph.estimator.estimator import Estimator

    if not isinstance(estimator, Estimator):
        raise TypeError("`estimator` must have type `tf.estimator.Estimator`. Got: "
                        f"{type(estimator)}")
    if not isinstance(train_spec, TrainSpec):
        raise TypeError(f"`train_spec` must have type `tf.estimator.TrainSpec`. Got: "
                        f"{type(train_spec)}")
    if not isinstance(eval_spec, EvalSpec):
        raise TypeError(f"`eval_spec` must have type `tf.estimator.EvalSpec`. Got: "
                        f"{type(eval_spec)}")
    config = estimator.config
    _log.info("Start train and evaluate loop. The evaluate will happen after every "
              "checkpoint. Checkpoint frequency is determined based on RunConfig arguments: "
              "save_checkpoints_steps %s or save_checkpoints_secs %s.",
              config.save_checkpoints_steps, config.save_checkpoints_secs)
    listener = _EvaluateAfterSave(estimator, eval_spec, train_spec.max_steps)
    estimator.train(input_fn=train_spec.input_fn, max_steps=train_spec.max_steps,
                    hooks=list(train_spec.hooks),
                    saving_listeners=list(train_spec.saving_listeners) + [listener])
    if listener.eval_result is None:
        # Training was skipped (max_steps already reached) or saved nothing new.
        listener._evaluate(-1)
    return listener.eval_result, listener.export_results
