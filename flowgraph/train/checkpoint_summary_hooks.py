"""Hooks that write to a model directory: checkpoints (`CheckpointSaverHook` and its
listeners), summaries (`SummarySaverHook`) and steps per second (`StepCounterHook`)."""

import logging
import os
import warnings
from typing import Any, Optional

from flowgraph.graph import GraphKeys, get_default_graph
from flowgraph.train.hook_timers import SecondOrStepTimer, global_step_name, global_step_read
from flowgraph.train.session_run_hook import SessionRunArgs, SessionRunHook

__all__ = ["CheckpointSaverListener", "CheckpointSaverHook", "StepCounterHook",
           "SummarySaverHook", "summary_writer_for", "tensorboard_available"]

_log = logging.getLogger("flowgraph.train")
_warned_no_tensorboard = []


def tensorboard_available() -> bool:
    """Whether summaries can be written (the optional tensorboardX package is installed)."""
    try:
        from flowgraph.ops.summary_encoding import load_protos

        load_protos()
    except ImportError:
        return False
    return True


def summary_writer_for(logdir: Optional[str]) -> Any:
    """The shared FileWriter of `logdir`, or None (with one warning) without tensorboardX."""
    if logdir is None:
        return None
    if not tensorboard_available():
        if not _warned_no_tensorboard:
            _warned_no_tensorboard.append(True)
            warnings.warn("TensorBoard summaries are not written: the tensorboardX package is "
                          "missing. Install it with: pip install \"flowgraph[tensorboard]\"",
                          stacklevel=3)
        return None
    from flowgraph.summary.writer import FileWriterCache

    return FileWriterCache.get(logdir)


def _session_log(status: str, checkpoint_path: str = "") -> Any:
    from flowgraph.summary.protos import SessionLog

    return SessionLog(status=getattr(SessionLog, status), checkpoint_path=checkpoint_path)


class CheckpointSaverListener:
    """Called by CheckpointSaverHook around each save; `after_save` returning True asks
    training to stop."""

    def begin(self) -> None:
        pass

    def before_save(self, session: Any, global_step_value: int) -> None:
        pass

    def after_save(self, session: Any, global_step_value: int) -> Optional[bool]:
        pass

    def end(self, session: Any, global_step_value: int) -> None:
        pass


class CheckpointSaverHook(SessionRunHook):
    """Saves a checkpoint when the session is created, every N steps or seconds, and at
    the end.

    Parameters
    ----------
    checkpoint_dir : str
    save_secs, save_steps : int, optional
        How often (exactly one of the two).
    saver : Saver, optional
    checkpoint_basename : str
        Checkpoints are `checkpoint_dir/checkpoint_basename-STEP`.
    scaffold : Scaffold, optional
        Takes the Saver from here (give saver or scaffold, not both).
    listeners : list of CheckpointSaverListener, optional
    save_graph_def : bool
        Also write the graph (graph.pbtxt, and the .meta of each checkpoint).
    """

    def __init__(self, checkpoint_dir: str, save_secs: Optional[int] = None,
                 save_steps: Optional[int] = None, saver: Any = None,
                 checkpoint_basename: str = "model.ckpt", scaffold: Any = None,
                 listeners: Optional[list] = None, save_graph_def: bool = True) -> None:
        _log.info("Create CheckpointSaverHook.")
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        self._saver = saver
        self._checkpoint_dir = os.fspath(checkpoint_dir)
        self._save_path = os.path.join(self._checkpoint_dir, checkpoint_basename)
        self._scaffold = scaffold
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)
        self._listeners = list(listeners or [])
        self._steps_per_run = 1
        self._save_graph_def = save_graph_def

    def begin(self) -> None:
        self._summary_writer = summary_writer_for(self._checkpoint_dir)
        self._global_step_tensor = global_step_read()
        if self._global_step_tensor is None:
            raise RuntimeError("Global step should be created to use CheckpointSaverHook.")
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session: Any, coord: Any) -> None:
        global_step = int(session.run(self._global_step_tensor))
        if self._save_graph_def:
            # Written here, not in begin(): other hooks may still add ops in their begin().
            from flowgraph.io.graph_files import write_graph

            os.makedirs(self._checkpoint_dir, exist_ok=True)
            write_graph(get_default_graph(), self._checkpoint_dir, "graph.pbtxt")
        if self._summary_writer is not None and self._save_graph_def:
            self._summary_writer.add_graph(get_default_graph())
        # The checkpoint saved here is the state at step `global_step`.
        self._save(session, global_step)
        self._timer.update_last_triggered_step(global_step)

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        stale_global_step = int(run_values.results)
        if self._timer.should_trigger_for_step(stale_global_step + self._steps_per_run):
            global_step = int(run_context.session.run(self._global_step_tensor))
            if self._timer.should_trigger_for_step(global_step):
                self._timer.update_last_triggered_step(global_step)
                if self._save(run_context.session, global_step):
                    run_context.request_stop()

    def end(self, session: Any) -> None:
        last_step = int(session.run(self._global_step_tensor))
        if last_step != self._timer.last_triggered_step():
            self._save(session, last_step)
        for listener in self._listeners:
            listener.end(session, last_step)

    def _save(self, session: Any, step: int) -> bool:
        """Save a checkpoint at `step`; True if a listener asks training to stop."""
        _log.info("Calling checkpoint listeners before saving checkpoint %d...", step)
        for listener in self._listeners:
            listener.before_save(session, step)
        _log.info("Saving checkpoints for %d into %s.", step, self._save_path)
        self._get_saver().save(session, self._save_path, global_step=step,
                               write_meta_graph=self._save_graph_def)
        if self._summary_writer is not None:
            self._summary_writer.add_session_log(
                _session_log("CHECKPOINT", self._save_path), step)
        _log.info("Calling checkpoint listeners after saving checkpoint %d...", step)
        should_stop = False
        for listener in self._listeners:
            if listener.after_save(session, step):
                _log.info("A CheckpointSaverListener requested that training be stopped. "
                          "listener: %s", listener)
                should_stop = True
        return should_stop

    def _get_saver(self) -> Any:
        if self._saver is not None:
            return self._saver
        if self._scaffold is not None:
            return self._scaffold.saver
        savers = get_default_graph().get_collection(GraphKeys.SAVERS)
        if not savers:
            raise RuntimeError(f"No items in collection {GraphKeys.SAVERS}. Please add a "
                               "saver to the collection or provide a saver or scaffold.")
        if len(savers) > 1:
            raise RuntimeError(f"More than one item in collection {GraphKeys.SAVERS}. Please "
                               "indicate which one to use by passing it to the constructor.")
        self._saver = savers[0]
        return savers[0]


class StepCounterHook(SessionRunHook):
    """Logs and writes (summary tag 'global_step/sec') the training speed every N steps or
    seconds."""

    def __init__(self, every_n_steps: Optional[int] = 100, every_n_secs: Optional[int] = None,
                 output_dir: Optional[str] = None, summary_writer: Any = None) -> None:
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be "
                             "provided.")
        self._timer = SecondOrStepTimer(every_steps=every_n_steps, every_secs=every_n_secs)
        self._summary_writer = summary_writer
        self._output_dir = output_dir
        self._last_global_step: Optional[int] = None
        self._steps_per_run = 1

    def begin(self) -> None:
        if self._summary_writer is None and self._output_dir:
            self._summary_writer = summary_writer_for(self._output_dir)
        self._global_step_tensor = global_step_read()
        if self._global_step_tensor is None:
            raise RuntimeError("Global step should be created to use StepCounterHook.")
        self._summary_tag = global_step_name() + "/sec"

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs(self._global_step_tensor)

    def _log_and_record(self, elapsed_steps: int, elapsed_time: float,
                        global_step: int) -> None:
        steps_per_sec = elapsed_steps / elapsed_time if elapsed_time > 0 else float("inf")
        if self._summary_writer is not None:
            from flowgraph.summary.protos import Summary

            summary = Summary(value=[Summary.Value(tag=self._summary_tag,
                                                   simple_value=steps_per_sec)])
            self._summary_writer.add_summary(summary, global_step)
        _log.info("%s: %g", self._summary_tag, steps_per_sec)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        stale_global_step = int(run_values.results)
        if self._timer.should_trigger_for_step(stale_global_step + self._steps_per_run):
            global_step = int(run_context.session.run(self._global_step_tensor))
            if self._timer.should_trigger_for_step(global_step):
                elapsed_time, elapsed_steps = self._timer.update_last_triggered_step(
                    global_step)
                if elapsed_time is not None:
                    self._log_and_record(elapsed_steps, elapsed_time, global_step)
        if stale_global_step == self._last_global_step:
            _log.debug("It seems that global step has not been increased. Current value "
                       "(could be stable): %s vs previous value: %s.",
                       stale_global_step, self._last_global_step)
        self._last_global_step = stale_global_step


class SummarySaverHook(SessionRunHook):
    """Runs the summary op every N steps or seconds and writes its result.

    Parameters
    ----------
    save_steps, save_secs : int, optional
        How often (exactly one of the two).
    output_dir : str, optional
        Where the event files go (or give `summary_writer`).
    summary_writer : FileWriter, optional
    scaffold : Scaffold, optional
        Takes the summary op from here (give scaffold or summary_op, not both).
    summary_op : Tensor or list of Tensors, optional
    """

    def __init__(self, save_steps: Optional[int] = None, save_secs: Optional[int] = None,
                 output_dir: Optional[str] = None, summary_writer: Any = None,
                 scaffold: Any = None, summary_op: Any = None) -> None:
        if (scaffold is None) == (summary_op is None):
            raise ValueError("Exactly one of scaffold or summary_op must be provided.")
        self._summary_op = summary_op
        self._summary_writer = summary_writer
        self._output_dir = output_dir
        self._scaffold = scaffold
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self) -> None:
        if self._summary_writer is None and self._output_dir:
            self._summary_writer = summary_writer_for(self._output_dir)
        self._next_step: Optional[int] = None
        self._global_step_tensor = global_step_read()
        if self._global_step_tensor is None:
            raise RuntimeError("Global step should be created to use SummarySaverHook.")

    def before_run(self, run_context: Any) -> SessionRunArgs:
        self._request_summary = (self._next_step is None
                                 or self._timer.should_trigger_for_step(self._next_step))
        requests = {"global_step": self._global_step_tensor}
        summary_op = self._get_summary_op()
        if self._request_summary and summary_op is not None and \
                self._summary_writer is not None:
            requests["summary"] = summary_op
        return SessionRunArgs(requests)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        if self._summary_writer is None:
            return
        global_step = int(run_values.results["global_step"]) + 1
        if self._next_step is None or self._request_summary:
            global_step = int(run_context.session.run(self._global_step_tensor))
        if self._next_step is None:
            self._summary_writer.add_session_log(_session_log("START"), global_step)
        if self._request_summary:
            self._timer.update_last_triggered_step(global_step)
            for summary in run_values.results.get("summary", []):
                self._summary_writer.add_summary(summary, global_step)
        self._next_step = global_step + 1

    def end(self, session: Any = None) -> None:
        if self._summary_writer is not None:
            self._summary_writer.flush()

    def _get_summary_op(self) -> Optional[list]:
        summary_op = self._summary_op
        if self._scaffold is not None:
            summary_op = self._scaffold.summary_op
        if summary_op is None:
            return None
        if not isinstance(summary_op, list):
            return [summary_op]
        return summary_op
