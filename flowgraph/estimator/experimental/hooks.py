"""`make_stop_at_checkpoint_step_hook` and `call_logit_fn`, as TF1's
`tf.estimator.experimental`."""

from __future__ import annotations

import time
from typing import Any

from flowgraph.train.session_run_hook import SessionRunArgs, SessionRunHook

__all__ = ["make_stop_at_checkpoint_step_hook", "call_logit_fn"]


def make_stop_at_checkpoint_step_hook(estimator: Any, last_step: int,
                                      wait_after_file_check_secs: float = 30) -> SessionRunHook:
    """A hook for non-chief workers: stop once model_dir holds a checkpoint of step
    >= `last_step` (the chief gets a hook doing nothing, as TF1)."""
    if estimator.config.is_chief:
        return SessionRunHook()
    return _StopAtCheckpointStepHook(estimator.model_dir, last_step,
                                     wait_after_file_check_secs)


class _StopAtCheckpointStepHook(SessionRunHook):
    def __init__(self, model_dir: str, last_step: int,
                 wait_after_file_check_secs: float = 30) -> None:
        self._model_dir = model_dir
        self._last_step = last_step
        self._wait_after_file_check_secs = wait_after_file_check_secs
        self._global_step_tensor = None

    def begin(self) -> None:
        from flowgraph.train.training_util import get_global_step

        self._global_step_tensor = get_global_step()
        if self._global_step_tensor is None:
            raise RuntimeError("Global step should be created to use "
                               "StopAtCheckpointStepHook.")

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        from flowgraph.estimator.estimator import _load_global_step_from_checkpoint_dir

        if run_values.results + 1 >= self._last_step:
            if _load_global_step_from_checkpoint_dir(self._model_dir) >= self._last_step:
                run_context.request_stop()
            else:
                time.sleep(self._wait_after_file_check_secs)


def call_logit_fn(logit_fn: Any, features: Any, mode: str, params: Any, config: Any) -> Any:
    """Call `logit_fn(features, [mode], [params], [config])` with the arguments it takes;
    it must return a Tensor or a dict of str to Tensor (ValueError otherwise)."""
    from flowgraph.estimator.util import fn_args
    from flowgraph.graph import Tensor

    args = fn_args(logit_fn)
    kwargs = {name: value for name, value in (("mode", mode), ("params", params),
                                              ("config", config)) if name in args}
    result = logit_fn(features=features, **kwargs)
    valid_dict = isinstance(result, dict) and all(
        isinstance(k, str) and isinstance(v, Tensor) for k, v in result.items())
    if not (valid_dict or isinstance(result, Tensor)):
        raise ValueError("logit_fn should return a Tensor or a dictionary mapping strings to "
                         f"Tensors.  logit_fn returned: {result}")
    return result
