"""`fg.train.ProfilerHook` (TF1's ``tf.train.ProfilerHook``): every N steps or seconds, a
traced run whose op timings are written as a Chrome trace ``timeline-<step>.json`` (open it
at chrome://tracing or ui.perfetto.dev), made by `flowgraph.client.timeline.Timeline` as
TF1's hook does, and as run metadata for TensorBoard."""

from __future__ import annotations

import logging
import os
from typing import Any, Optional

from flowgraph.client.timeline import Timeline
from flowgraph.runtime.config import RunOptions
from flowgraph.train.checkpoint_summary_hooks import summary_writer_for
from flowgraph.train.hook_timers import SecondOrStepTimer, global_step_read
from flowgraph.train.session_run_hook import SessionRunArgs, SessionRunHook

_log = logging.getLogger("flowgraph.train")


class ProfilerHook(SessionRunHook):
    """Captures op timings every `save_steps` steps or `save_secs` seconds.

    Parameters
    ----------
    save_steps, save_secs : int, optional
        How often (exactly one of the two).
    output_dir : str
        Where ``timeline-<global step>.json`` files go (and the run metadata events).
    show_dataflow, show_memory : bool
        Passed to `Timeline.generate_chrome_trace_format`: flow arrows between producer
        and consumer ops, and memory events (flowgraph's traces record no allocations, so
        `show_memory` adds none).
    """

    def __init__(self, save_steps: Optional[int] = None, save_secs: Optional[int] = None,
                 output_dir: str = "", show_dataflow: bool = True,
                 show_memory: bool = False) -> None:
        self._output_file = os.path.join(output_dir, "timeline-{}.json")
        self._output_dir = output_dir
        self._show_dataflow = show_dataflow
        self._show_memory = show_memory
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self) -> None:
        self._next_step: Optional[int] = None
        self._file_writer = summary_writer_for(self._output_dir) if self._output_dir else None
        self._global_step_tensor = global_step_read()
        if self._global_step_tensor is None:
            raise RuntimeError("Global step should be created to use ProfilerHook.")

    def before_run(self, run_context: Any) -> SessionRunArgs:
        self._request_trace = (self._next_step is not None
                               and self._timer.should_trigger_for_step(self._next_step))
        options = RunOptions(trace_level=RunOptions.FULL_TRACE) if self._request_trace else None
        return SessionRunArgs({"global_step": self._global_step_tensor}, options=options)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        stale_global_step = int(run_values.results["global_step"])
        if self._next_step is None:
            # The first trigger comes N steps (or seconds) after the first run, as TF1.
            self._timer.update_last_triggered_step(stale_global_step)
        global_step = stale_global_step + 1
        if self._request_trace:
            global_step = int(run_context.session.run(self._global_step_tensor))
            self._timer.update_last_triggered_step(global_step)
            self._save(global_step, self._output_file.format(global_step),
                       run_values.run_metadata)
            if self._file_writer is not None:
                self._file_writer.add_run_metadata(run_values.run_metadata,
                                                   f"step_{global_step}")
        self._next_step = global_step + 1

    def _save(self, step: int, path: str, run_metadata: Any) -> None:
        _log.info("Saving timeline for %d into '%s'.", step, path)
        trace = Timeline(run_metadata.step_stats)
        with open(path, "w") as f:
            f.write(trace.generate_chrome_trace_format(show_dataflow=self._show_dataflow,
                                                       show_memory=self._show_memory))
