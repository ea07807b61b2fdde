"""The standard hooks of monitored sessions, as TF1's `tf.train.*Hook`: stop at a step,
log tensors, count steps per second, stop on NaN, feed, wait, run final ops. The
checkpoint and summary hooks live in `checkpoint_summary_hooks` and are re-exported here.
"""

import logging
import time
from typing import Any, Callable, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import get_default_graph
from flowgraph.train import training_util
from flowgraph.train.checkpoint_summary_hooks import (
    CheckpointSaverHook,
    CheckpointSaverListener,
    StepCounterHook,
    SummarySaverHook,
)
from flowgraph.train.hook_timers import SecondOrStepTimer, global_step_read
from flowgraph.train.session_run_hook import SessionRunArgs, SessionRunHook

__all__ = ["SecondOrStepTimer", "StopAtStepHook", "LoggingTensorHook", "CheckpointSaverHook",
           "CheckpointSaverListener", "StepCounterHook", "SummarySaverHook", "NanTensorHook",
           "NanLossDuringTrainingError", "FeedFnHook", "GlobalStepWaiterHook",
           "FinalOpsHook"]

_log = logging.getLogger("flowgraph.train")


class StopAtStepHook(SessionRunHook):
    """Requests a stop when the global step reaches `last_step` (or `num_steps` more steps
    than it was at when the session was created).

    Parameters
    ----------
    num_steps : int, optional
        How many steps to run from the global step at session creation.
    last_step : int, optional
        The global step to stop at. Give exactly one of the two.
    """

    def __init__(self, num_steps: Optional[int] = None, last_step: Optional[int] = None):
        if num_steps is None and last_step is None:
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and last_step is not None:
            raise ValueError("Only one of num_steps or last_step can be specified.")
        self._num_steps = num_steps
        self._last_step = last_step

    def begin(self) -> None:
        self._global_step_tensor = global_step_read()
        if self._global_step_tensor is None:
            raise RuntimeError("Global step should be created to use StopAtStepHook.")

    def after_create_session(self, session: Any, coord: Any) -> None:
        if self._last_step is None:
            self._last_step = int(session.run(self._global_step_tensor)) + self._num_steps

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        # The fetched step may be read before the step's own increment: check again.
        if int(run_values.results) + 1 >= self._last_step:
            step = int(run_context.session.run(self._global_step_tensor))
            if step >= self._last_step:
                run_context.request_stop()


class LoggingTensorHook(SessionRunHook):
    """Logs the values of some tensors every N steps, every N seconds, and/or at the end.

    Parameters
    ----------
    tensors : dict of str to Tensor/name, or iterable of Tensors/names
        What to log; a dict's keys are the tags.
    every_n_iter, every_n_secs : int, optional
        How often (at most one of the two).
    at_end : bool
        Also log the last values when the session ends.
    formatter : callable, optional
        `formatter(dict of tag to value) -> str`; default "tag = value, ...".
    """

    def __init__(self, tensors: Any, every_n_iter: Optional[int] = None,
                 every_n_secs: Optional[float] = None, at_end: bool = False,
                 formatter: Optional[Callable[[dict], str]] = None) -> None:
        only_log_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not only_log_at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError("either at_end and/or exactly one of every_n_iter and "
                             "every_n_secs must be provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        if not isinstance(tensors, dict):
            self._tag_order = list(tensors)
            tensors = {item: item for item in tensors}
        else:
            self._tag_order = sorted(tensors.keys())
        self._tensors = tensors
        self._formatter = formatter
        self._timer = (_NeverTriggerTimer() if only_log_at_end
                       else SecondOrStepTimer(every_secs=every_n_secs, every_steps=every_n_iter))
        self._log_at_end = at_end

    def begin(self) -> None:
        self._timer.reset()
        self._iter_count = 0
        graph = get_default_graph()
        self._current_tensors = {tag: _as_graph_element(tensor, graph)
                                 for tag, tensor in self._tensors.items()}

    def before_run(self, run_context: Any) -> Optional[SessionRunArgs]:
        self._should_trigger = self._timer.should_trigger_for_step(self._iter_count)
        if self._should_trigger:
            return SessionRunArgs(self._current_tensors)
        return None

    def _log_tensors(self, tensor_values: dict) -> None:
        original = np.get_printoptions()
        np.set_printoptions(suppress=True)
        try:
            elapsed_secs, _ = self._timer.update_last_triggered_step(self._iter_count)
            if self._formatter is not None:
                _log.info(self._formatter(tensor_values))
            else:
                # str() as TF1's "%s" (a float32's str is its shortest form, 0.4096;
                # its format() would give 0.40959998965263367).
                stats = ", ".join(f"{tag} = {tensor_values[tag]!s}"
                                  for tag in self._tag_order)
                if elapsed_secs is not None:
                    _log.info("%s (%.3f sec)", stats, elapsed_secs)
                else:
                    _log.info("%s", stats)
        finally:
            np.set_printoptions(**original)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        if self._should_trigger:
            self._log_tensors(run_values.results)
        self._iter_count += 1

    def end(self, session: Any) -> None:
        if self._log_at_end:
            self._log_tensors(session.run(self._current_tensors))


class NanLossDuringTrainingError(RuntimeError):
    """Raised by NanTensorHook when the loss becomes NaN."""

    def __str__(self) -> str:
        return "NaN loss during training."


class NanTensorHook(SessionRunHook):
    """Stops training (or raises NanLossDuringTrainingError) when the loss is NaN.

    Parameters
    ----------
    loss_tensor : Tensor
        The loss.
    fail_on_nan_loss : bool
        Raise (True, default) or only request a stop (False).
    """

    def __init__(self, loss_tensor: Any, fail_on_nan_loss: bool = True) -> None:
        self._loss_tensor = loss_tensor
        self._fail_on_nan_loss = fail_on_nan_loss

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        if np.isnan(run_values.results).any():
            message = "Model diverged with loss = NaN."
            if self._fail_on_nan_loss:
                _log.error(message)
                raise NanLossDuringTrainingError
            _log.warning(message)
            run_context.request_stop()


class FeedFnHook(SessionRunHook):
    """Adds `feed_fn()`'s feed_dict to every step."""

    def __init__(self, feed_fn: Callable[[], dict]) -> None:
        self.feed_fn = feed_fn

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs(fetches=None, feed_dict=self.feed_fn())


class GlobalStepWaiterHook(SessionRunHook):
    """Delays the first step until the global step reaches `wait_until_step` (set by
    another worker of a cluster); a no-op for `wait_until_step <= 0`."""

    def __init__(self, wait_until_step: int) -> None:
        self._wait_until_step = wait_until_step

    def begin(self) -> None:
        self._worker_is_started = False
        self._global_step_tensor = global_step_read()
        if self._global_step_tensor is None:
            raise RuntimeError("Global step should be created to use _GlobalStepWaiterHook.")

    def before_run(self, run_context: Any) -> None:
        if self._worker_is_started:
            return None
        if self._wait_until_step <= 0:
            self._worker_is_started = True
            return None
        _log.info("Waiting for global step %d before starting training.",
                  self._wait_until_step)
        last_logged_step = 0
        while True:
            current_step = int(training_util.global_step(run_context.session,
                                                         self._global_step_tensor))
            if current_step >= self._wait_until_step:
                self._worker_is_started = True
                return None
            if current_step - last_logged_step > 1000:
                _log.info("Waiting for global step %d before starting training. Current "
                          "step is %d.", self._wait_until_step, current_step)
                last_logged_step = current_step
            time.sleep(0.5)


class FinalOpsHook(SessionRunHook):
    """Runs `final_ops` when the session ends; read them from `final_ops_values`."""

    def __init__(self, final_ops: Any, final_ops_feed_dict: Optional[dict] = None) -> None:
        self._final_ops = final_ops
        self._final_ops_feed_dict = final_ops_feed_dict
        self._final_ops_values = None

    @property
    def final_ops_values(self) -> Any:
        return self._final_ops_values

    def end(self, session: Any) -> None:
        if self._final_ops is None:
            return
        try:
            self._final_ops_values = session.run(self._final_ops,
                                                 feed_dict=self._final_ops_feed_dict)
        except (errors.OutOfRangeError, StopIteration) as exc:
            _log.warning("An OutOfRangeError or StopIteration exception is raised by the code "
                         "in FinalOpsHook. This typically means the Ops running by the "
                         "FinalOpsHook have a dependency back to some input source, which "
                         "should not happen. For example, for metrics in tf.estimator, this "
                         "means that the update op of the metric depends on the input data "
                         "while the final op should not.")
            raise exc


class _NeverTriggerTimer(SecondOrStepTimer):
    """A timer that never triggers (LoggingTensorHook with only at_end)."""

    def __init__(self) -> None:
        self._last_triggered_step = None
        self._last_triggered_time = None

    def should_trigger_for_step(self, step: int) -> bool:
        return False


def _as_graph_element(obj: Any, graph: Any) -> Any:
    """A tensor name (or Tensor/Variable) as an element of `graph`."""
    if isinstance(obj, str):
        name = obj if ":" in obj else obj + ":0"
        return graph.get_tensor_by_name(name)
    element = getattr(obj, "_as_graph_element", None)
    return element() if callable(element) else obj
