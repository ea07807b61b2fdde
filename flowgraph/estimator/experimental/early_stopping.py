"""Early stopping for `Estimator.train`, as TF1's `tf.estimator.experimental`
`stop_if_*_hook` / `make_early_stopping_hook`: the chief checks a predicate (typically on
the metrics evaluation wrote to the eval event files) every `run_every_secs` seconds or
`run_every_steps` steps, and stops training when it holds."""

from __future__ import annotations

import collections
import glob
import logging
import operator
import os
from typing import Any, Callable, Optional

from flowgraph.train.session_run_hook import SessionRunArgs, SessionRunHook

__all__ = ["make_early_stopping_hook", "stop_if_higher_hook", "stop_if_lower_hook",
           "stop_if_no_increase_hook", "stop_if_no_decrease_hook", "read_eval_metrics"]

_log = logging.getLogger("flowgraph.estimator")
_EVENT_FILE_GLOB_PATTERN = "events.out.tfevents.*"


def make_early_stopping_hook(estimator: Any, should_stop_fn: Callable,
                             run_every_secs: Optional[float] = 60,
                             run_every_steps: Optional[int] = None) -> SessionRunHook:
    """A hook stopping training when ``should_stop_fn()`` returns True.

    Raises
    ------
    TypeError
        If `estimator` is not an Estimator.
    ValueError
        If both `run_every_secs` and `run_every_steps` are set.
    """
    from flowgraph.estimator.estimator import Estimator

    if not isinstance(estimator, Estimator):
        raise TypeError(f"`estimator` must have type `tf.estimator.Estimator`. Got: "
                        f"{type(estimator)}")
    if run_every_secs is not None and run_every_steps is not None:
        raise ValueError("Only one of `run_every_secs` and `run_every_steps` must be set.")
    if estimator.config.is_chief:
        return _StopOnPredicateHook(should_stop_fn, run_every_secs, run_every_steps)
    return _CheckForStoppingHook()


def stop_if_higher_hook(estimator: Any, metric_name: str, threshold: float,
                        eval_dir: Optional[str] = None, min_steps: int = 0,
                        run_every_secs: Optional[float] = 60,
                        run_every_steps: Optional[int] = None) -> SessionRunHook:
    """Stop once an evaluation (at step >= min_steps) has `metric_name` > threshold."""
    return _stop_if_threshold_crossed_hook(estimator, metric_name, threshold, True, eval_dir,
                                           min_steps, run_every_secs, run_every_steps)


def stop_if_lower_hook(estimator: Any, metric_name: str, threshold: float,
                       eval_dir: Optional[str] = None, min_steps: int = 0,
                       run_every_secs: Optional[float] = 60,
                       run_every_steps: Optional[int] = None) -> SessionRunHook:
    """Stop once an evaluation (at step >= min_steps) has `metric_name` < threshold."""
    return _stop_if_threshold_crossed_hook(estimator, metric_name, threshold, False, eval_dir,
                                           min_steps, run_every_secs, run_every_steps)


def stop_if_no_increase_hook(estimator: Any, metric_name: str,
                             max_steps_without_increase: int, eval_dir: Optional[str] = None,
                             min_steps: int = 0, run_every_secs: Optional[float] = 60,
                             run_every_steps: Optional[int] = None) -> SessionRunHook:
    """Stop when `metric_name` has not increased for `max_steps_without_increase` global
    steps (between evaluations)."""
    return _stop_if_no_metric_improvement_hook(estimator, metric_name,
                                               max_steps_without_increase, True, eval_dir,
                                               min_steps, run_every_secs, run_every_steps)


def stop_if_no_decrease_hook(estimator: Any, metric_name: str,
                             max_steps_without_decrease: int, eval_dir: Optional[str] = None,
                             min_steps: int = 0, run_every_secs: Optional[float] = 60,
                             run_every_steps: Optional[int] = None) -> SessionRunHook:
    """Stop when `metric_name` has not decreased for `max_steps_without_decrease` global
    steps (between evaluations)."""
    return _stop_if_no_metric_improvement_hook(estimator, metric_name,
                                               max_steps_without_decrease, False, eval_dir,
                                               min_steps, run_every_secs, run_every_steps)


def read_eval_metrics(eval_dir: str) -> "collections.OrderedDict[int, dict]":
    """{global step: {metric: value}} from the scalar summaries in `eval_dir`'s event
    files, ordered by step."""
    from flowgraph.summary.summary_iterator import summary_iterator

    by_step: dict = collections.defaultdict(dict)
    if os.path.isdir(eval_dir):
        for path in sorted(glob.glob(os.path.join(eval_dir, _EVENT_FILE_GLOB_PATTERN))):
            for event in summary_iterator(path):
                if not event.HasField("summary"):
                    continue
                metrics = {value.tag: value.simple_value for value in event.summary.value
                           if value.HasField("simple_value")}
                if metrics:
                    by_step[event.step].update(metrics)
    return collections.OrderedDict(sorted(by_step.items(), key=lambda item: item[0]))


def _stop_if_threshold_crossed_hook(estimator: Any, metric_name: str, threshold: float,
                                    higher_is_better: bool, eval_dir: Optional[str],
                                    min_steps: int, run_every_secs: Optional[float],
                                    run_every_steps: Optional[int]) -> SessionRunHook:
    eval_dir = eval_dir or estimator.eval_dir()
    is_lhs_better = operator.gt if higher_is_better else operator.lt
    greater_or_lesser = "greater than" if higher_is_better else "less than"

    def stop_if_threshold_crossed_fn() -> bool:
        for step, metrics in read_eval_metrics(eval_dir).items():
            if step < min_steps:
                continue
            value = _metric(metrics, metric_name, step, eval_dir)
            if is_lhs_better(value, threshold):
                _log.info('At step %s, metric "%s" has value %s which is %s the configured '
                          "threshold (%s) for early stopping.", step, metric_name, value,
                          greater_or_lesser, threshold)
                return True
        return False

    return make_early_stopping_hook(estimator, stop_if_threshold_crossed_fn,
                                    run_every_secs=run_every_secs,
                                    run_every_steps=run_every_steps)


def _stop_if_no_metric_improvement_hook(estimator: Any, metric_name: str,
                                        max_steps_without_improvement: int,
                                        higher_is_better: bool, eval_dir: Optional[str],
                                        min_steps: int, run_every_secs: Optional[float],
                                        run_every_steps: Optional[int]) -> SessionRunHook:
    eval_dir = eval_dir or estimator.eval_dir()
    is_lhs_better = operator.gt if higher_is_better else operator.lt
    increase_or_decrease = "increase" if higher_is_better else "decrease"

    def stop_if_no_metric_improvement_fn() -> bool:
        best_value = best_step = None
        for step, metrics in read_eval_metrics(eval_dir).items():
            if step < min_steps:
                continue
            value = _metric(metrics, metric_name, step, eval_dir)
            if best_value is None or is_lhs_better(value, best_value):
                best_value, best_step = value, step
            if step - best_step >= max_steps_without_improvement:
                _log.info('No %s in metric "%s" for %s steps, which is greater than or equal '
                          "to max steps (%s) configured for early stopping.",
                          increase_or_decrease, metric_name, step - best_step,
                          max_steps_without_improvement)
                return True
        return False

    return make_early_stopping_hook(estimator, stop_if_no_metric_improvement_fn,
                                    run_every_secs=run_every_secs,
                                    run_every_steps=run_every_steps)


def _metric(metrics: dict, metric_name: str, step: int, eval_dir: str) -> float:
    if metric_name not in metrics:
        raise KeyError(f"Early stopping: the evaluation at step {step} in {eval_dir} has no "
                       f"metric {metric_name!r}; it has {sorted(metrics)}.")
    return metrics[metric_name]


def _get_or_create_stop_var() -> Any:
    """The bool variable 'signal_early_stopping/STOP' the chief sets to stop the workers."""
    from flowgraph import dtypes
    from flowgraph.graph import GraphKeys
    from flowgraph.initializers import constant_initializer
    from flowgraph.variable_scope import AUTO_REUSE, get_variable, variable_scope

    with variable_scope("signal_early_stopping", values=[], reuse=AUTO_REUSE):
        return get_variable("STOP", shape=[], dtype=dtypes.bool_,
                            initializer=constant_initializer(False),
                            collections=[GraphKeys.GLOBAL_VARIABLES], trainable=False)


class _StopOnPredicateHook(SessionRunHook):
    """Runs `should_stop_fn` on a timer; when True sets the STOP variable and stops."""

    def __init__(self, should_stop_fn: Callable, run_every_secs: Optional[float] = 60,
                 run_every_steps: Optional[int] = None) -> None:
        from flowgraph.train.hook_timers import SecondOrStepTimer

        if not callable(should_stop_fn):
            raise TypeError("`should_stop_fn` must be callable.")
        self._should_stop_fn = should_stop_fn
        self._timer = SecondOrStepTimer(every_secs=run_every_secs, every_steps=run_every_steps)
        self._global_step_tensor = None
        self._stop_var = None
        self._stop_op = None

    def begin(self) -> None:
        from flowgraph.ops.state import assign
        from flowgraph.train.training_util import get_global_step

        self._global_step_tensor = get_global_step()
        self._stop_var = _get_or_create_stop_var()
        self._stop_op = assign(self._stop_var, True)

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        global_step = run_values.results
        if self._timer.should_trigger_for_step(global_step):
            self._timer.update_last_triggered_step(global_step)
            if self._should_stop_fn():
                _log.info("Requesting early stopping at global step %d", global_step)
                run_context.session.run(self._stop_op)
                run_context.request_stop()


class _CheckForStoppingHook(SessionRunHook):
    """A non-chief's hook: stops once the chief has set the STOP variable."""

    def __init__(self) -> None:
        self._stop_var = None

    def begin(self) -> None:
        self._stop_var = _get_or_create_stop_var()

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs(self._stop_var)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        if run_values.results:
            _log.info("Early stopping requested, suspending run.")
            run_context.request_stop()
