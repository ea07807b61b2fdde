"""The training progress display of `Estimator.train`: a tqdm bar with the loss and
steps/s on a terminal, plain lines every `every_n_steps` steps otherwise.

The bar needs the optional tqdm package (``pip install "flowgraph[progress]"``); without
it, or with the environment variable TQDM_DISABLE set, or when stderr is not a terminal,
plain lines are written instead (none at all with TQDM_DISABLE).
"""

import os
import sys
import time
from typing import Any, Optional

from flowgraph.train.session_run_hook import SessionRunArgs, SessionRunHook


def _tqdm_disabled() -> bool:
    value = os.environ.get("TQDM_DISABLE", "")
    return value not in ("", "0", "false", "False")


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class ProgressHook(SessionRunHook):
    """Shows training progress: loss, global step and steps per second.

    Parameters
    ----------
    loss : Tensor
    global_step : Variable or Tensor
    total_steps : int, optional
        Steps this call will run, when known (steps=, or max_steps= minus the start).
    every_n_steps : int
        How often plain lines are written (the bar refreshes itself).
    stream : file, optional
        Where to write (default sys.stderr).
    """

    def __init__(self, loss: Any, global_step: Any, total_steps: Optional[int] = None,
                 every_n_steps: int = 100, stream: Any = None) -> None:
        self._loss = loss
        self._global_step = global_step
        self._total = total_steps
        self._every = max(int(every_n_steps or 100), 1)
        self._stream = stream
        self._bar: Any = None

    def begin(self) -> None:
        stream = self._stream if self._stream is not None else sys.stderr
        self._out = stream
        self._quiet = _tqdm_disabled()
        self._bar = None
        if not self._quiet and _is_terminal(stream):
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=self._total, unit="step", file=stream,
                                 dynamic_ncols=True, leave=True, desc="train")
        self._steps = 0
        self._start = time.time()
        self._last_time = self._start
        self._last_steps = 0

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs({"loss": self._loss, "step": self._global_step})

    def after_run(self, run_context: Any, run_values: Any) -> None:
        self._steps += 1
        loss = float(run_values.results["loss"])
        step = int(run_values.results["step"])  # a Variable fetch: the step after this run
        if self._bar is not None:
            self._bar.set_postfix(loss=f"{loss:.4g}", step=step, refresh=False)
            self._bar.update(1)
            return
        self._last_loss, self._last_step = loss, step
        if self._quiet or self._steps % self._every:
            return
        self._write_line(loss, step)

    def _write_line(self, loss: float, step: int) -> None:
        now = time.time()
        elapsed = now - self._last_time
        rate = (self._steps - self._last_steps) / elapsed if elapsed > 0 else float("inf")
        total = f"/{self._total}" if self._total else ""
        print(f"train: step {step} ({self._steps}{total} this run), loss = {loss:.6g}, "
              f"{rate:.3g} steps/s", file=self._out, flush=True)
        self._last_time = now
        self._last_steps = self._steps

    def end(self, session: Any) -> None:
        # The last step, unless it just got its line (plain mode).
        if self._bar is None and not self._quiet and self._steps > self._last_steps:
            self._write_line(self._last_loss, self._last_step)
        self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
