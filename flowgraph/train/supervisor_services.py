"""The background services of `fg.train.Supervisor` (TF1's SVSummaryThread,
SVStepCounterThread and SVTimerCheckpointThread): LooperThreads that write summaries, a
steps/sec summary and checkpoints while training runs."""

from __future__ import annotations

import logging
import time
from typing import Any

from flowgraph.train import training_util
from flowgraph.train.looper import LooperThread

__all__ = ["SummaryThread", "StepCounterThread", "CheckpointThread", "session_log"]

_log = logging.getLogger("flowgraph.train")


def session_log(status: str, checkpoint_path: str = "") -> Any:
    from flowgraph.summary.protos import SessionLog

    return SessionLog(status=getattr(SessionLog, status), checkpoint_path=checkpoint_path)


class SummaryThread(LooperThread):
    """Runs the summary op every save_summaries_secs and writes its result."""

    def __init__(self, sv: Any, sess: Any) -> None:
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv = sv
        self._sess = sess

    def run_loop(self) -> None:
        if self._sv.global_step is not None:
            summary_strs, global_step = self._sess.run([self._sv.summary_op,
                                                        self._sv.global_step])
        else:
            summary_strs = self._sess.run(self._sv.summary_op)
            global_step = None
        if self._sv.summary_writer is not None:
            _log.info("Recording summary at step %s.", global_step)
            self._sv.summary_writer.add_summary(summary_strs, global_step)


class StepCounterThread(LooperThread):
    """Writes the "<global step name>/sec" summary every save_summaries_secs."""

    def __init__(self, sv: Any, sess: Any) -> None:
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv = sv
        self._sess = sess
        self._last_time = 0.0
        self._last_step = 0
        self._step_counter = sv.global_step
        self._summary_tag = f"{self._step_counter.op.name}/sec"

    def start_loop(self) -> None:
        self._last_time = time.time()
        self._last_step = training_util.global_step(self._sess, self._step_counter)

    def run_loop(self) -> None:
        from flowgraph.summary.protos import Summary

        current_step = training_util.global_step(self._sess, self._step_counter)
        added_steps = current_step - self._last_step
        self._last_step = current_step
        current_time = time.time()
        elapsed_time = current_time - self._last_time
        self._last_time = current_time
        steps_per_sec = added_steps / elapsed_time if elapsed_time > 0 else float("inf")
        summary = Summary(value=[Summary.Value(tag=self._summary_tag,
                                               simple_value=steps_per_sec)])
        if self._sv.summary_writer is not None:
            self._sv.summary_writer.add_summary(summary, current_step)


class CheckpointThread(LooperThread):
    """Saves a checkpoint to save_path every save_model_secs."""

    def __init__(self, sv: Any, sess: Any) -> None:
        super().__init__(sv.coord, sv.save_model_secs)
        self._sv = sv
        self._sess = sess

    def run_loop(self) -> None:
        _log.info("Saving checkpoint to path %s", self._sv.save_path)
        self._sv.saver.save(self._sess, self._sv.save_path, global_step=self._sv.global_step)
        if self._sv.summary_writer is not None and self._sv.global_step is not None:
            current_step = training_util.global_step(self._sess, self._sv.global_step)
            self._sv.summary_writer.add_session_log(
                session_log("CHECKPOINT", self._sv.save_path), current_step)
