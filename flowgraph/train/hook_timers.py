"""Timers that decide when a hook acts (every N steps or N seconds), and the global step
tensor hooks fetch."""

import time
from typing import Any, Optional

from flowgraph.train import training_util


class SecondOrStepTimer:
    """Triggers at most once every `every_secs` seconds or every `every_steps` steps.

    Parameters
    ----------
    every_secs : float, optional
    every_steps : int, optional
        Give exactly one of the two.
    """

    def __init__(self, every_secs: Optional[float] = None,
                 every_steps: Optional[int] = None) -> None:
        self.reset()
        self._every_secs = every_secs
        self._every_steps = every_steps
        if self._every_secs is None and self._every_steps is None:
            raise ValueError("Either every_secs or every_steps should be provided.")
        if self._every_secs is not None and self._every_steps is not None:
            raise ValueError("Can not provide both every_secs and every_steps.")

    def reset(self) -> None:
        self._last_triggered_step: Optional[int] = None
        self._last_triggered_time: Optional[float] = None

    def should_trigger_for_step(self, step: int) -> bool:
        """Whether the timer should trigger at `step` (always at the first step seen)."""
        if self._last_triggered_step is None:
            return True
        if self._last_triggered_step == step:
            return False
        if self._every_secs is not None:
            if time.time() >= self._last_triggered_time + self._every_secs:
                return True
        if self._every_steps is not None:
            if step >= self._last_triggered_step + self._every_steps:
                return True
        return False

    def update_last_triggered_step(self, step: int) -> tuple:
        """Record a trigger at `step`; returns (seconds, steps) since the previous one, or
        (None, None) at the first."""
        current_time = time.time()
        if self._last_triggered_time is None:
            elapsed_secs = None
            elapsed_steps = None
        else:
            elapsed_secs = current_time - self._last_triggered_time
            elapsed_steps = step - self._last_triggered_step
        self._last_triggered_time = current_time
        self._last_triggered_step = step
        return elapsed_secs, elapsed_steps

    def last_triggered_step(self) -> Optional[int]:
        return self._last_triggered_step


def global_step_read() -> Any:
    """The default graph's global step Variable (fetching it reads its value), or None."""
    return training_util.get_global_step()


def global_step_name() -> str:
    """The op name of the global step ('global_step'), for summary tags like
    'global_step/sec'."""
    step = training_util.get_global_step()
    return step.op.name if step is not None else "global_step"


def run_global_step(session: Any, global_step: Any) -> int:
    """The current global step as an int."""
    return int(session.run(global_step))
