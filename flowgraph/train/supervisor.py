"""`fg.train.Supervisor`: TF1's pre-MonitoredSession training helper. It builds (or takes)
the init, ready and summary ops, a Saver and the global step; creates a session through
`fg.train.SessionManager`, restoring the latest checkpoint of `logdir` when there is one;
and runs background services: periodic checkpoints, summaries and a steps/sec summary.

>>> sv = fg.train.Supervisor(logdir="/tmp/train")
>>> with sv.managed_session() as sess:
...     while not sv.should_stop():
...         sess.run(train_op)
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from typing import Any, Callable, Iterator, Optional

from flowgraph import dtypes
from flowgraph import variables as variables_lib
from flowgraph.graph import GraphKeys, get_default_graph
from flowgraph.ops.control import group
from flowgraph.train import training_util
from flowgraph.train.coordinator import Coordinator
from flowgraph.train.looper import LooperThread
from flowgraph.train.session_manager import SessionManager
from flowgraph.train.supervisor_services import (
    CheckpointThread,
    StepCounterThread,
    SummaryThread,
    session_log,
)

__all__ = ["Supervisor"]

_log = logging.getLogger("flowgraph.train")


class Supervisor:
    """Creates a ready Session, saves checkpoints and summaries to `logdir` in background
    threads, and coordinates the stop of all threads, as TF1's `tf.train.Supervisor`.

    Arguments left as `Supervisor.USE_DEFAULT` are taken from the graph collection of the
    same role (READY_OP, INIT_OP, LOCAL_INIT_OP, SAVERS, SUMMARY_OP, GLOBAL_STEP) or
    built as TF1 does; pass None to disable a piece. Only a chief (`is_chief=True`)
    initializes the model and writes to `logdir`; other tasks wait for the model to
    become ready. `save_summaries_secs` / `save_model_secs` of 0 or None turn off the
    summary / checkpoint service. The graph is finalized by the constructor.
    """

    USE_DEFAULT = 0

    def __init__(self, graph: Any = None, ready_op: Any = USE_DEFAULT,
                 ready_for_local_init_op: Any = USE_DEFAULT, is_chief: bool = True,
                 init_op: Any = USE_DEFAULT, init_feed_dict: Optional[dict] = None,
                 local_init_op: Any = USE_DEFAULT, logdir: Optional[str] = None,
                 summary_op: Any = USE_DEFAULT, saver: Any = USE_DEFAULT,
                 global_step: Any = USE_DEFAULT, save_summaries_secs: Optional[float] = 120,
                 save_model_secs: Optional[float] = 600, recovery_wait_secs: float = 30,
                 stop_grace_secs: float = 120, checkpoint_basename: str = "model.ckpt",
                 session_manager: Optional[SessionManager] = None,
                 summary_writer: Any = USE_DEFAULT, init_fn: Optional[Callable] = None,
                 local_init_run_options: Any = None) -> None:
        if graph is None:
            graph = get_default_graph()
        with graph.as_default():
            self._init_ready_op(ready_op, ready_for_local_init_op)
            self._init_init_op(init_op, init_feed_dict)
            self._init_local_init_op(local_init_op)
            self._init_saver(saver)
            self._init_summary_op(summary_op)
            self._init_global_step(global_step)
        self._graph = graph
        self._is_chief = is_chief
        self._coord = Coordinator()
        self._recovery_wait_secs = recovery_wait_secs
        self._stop_grace_secs = stop_grace_secs
        self._init_fn = init_fn
        self._local_init_run_options = local_init_run_options
        self._logdir: Optional[str] = None
        self._save_summaries_secs = save_summaries_secs
        self._save_model_secs = save_model_secs
        self._save_path: Optional[str] = None
        self._summary_writer: Any = None
        if self._is_chief:
            self._logdir = os.fspath(logdir) if logdir else None
            if self._logdir:
                self._save_path = os.path.join(self._logdir, checkpoint_basename)
            if summary_writer is Supervisor.USE_DEFAULT:
                if self._logdir:
                    self._summary_writer = _new_file_writer(self._logdir)
            else:
                self._summary_writer = summary_writer
        self._graph_added_to_summary = False
        self._init_session_manager(session_manager)
        self._verify_setup()
        graph.finalize()

    # -- building the pieces (TF1's _init_* helpers)
    def _first_from_collection(self, key: str) -> Any:
        items = get_default_graph().get_collection(key)
        return items[0] if items else None

    def _init_session_manager(self, session_manager: Optional[SessionManager]) -> None:
        if session_manager is None:
            session_manager = SessionManager(
                local_init_op=self._local_init_op, ready_op=self._ready_op,
                ready_for_local_init_op=self._ready_for_local_init_op, graph=self._graph,
                recovery_wait_secs=self._recovery_wait_secs,
                local_init_run_options=self._local_init_run_options)
        self._session_manager = session_manager

    def _init_ready_op(self, ready_op: Any, ready_for_local_init_op: Any) -> None:
        if ready_op is Supervisor.USE_DEFAULT:
            ready_op = self._first_from_collection(GraphKeys.READY_OP)
            if ready_op is None:
                ready_op = variables_lib.report_uninitialized_variables()
                get_default_graph().add_to_collection(GraphKeys.READY_OP, ready_op)
        self._ready_op = ready_op
        if ready_for_local_init_op is Supervisor.USE_DEFAULT:
            ready_for_local_init_op = self._first_from_collection(
                GraphKeys.READY_FOR_LOCAL_INIT_OP)
            if ready_for_local_init_op is None:
                ready_for_local_init_op = variables_lib.report_uninitialized_variables(
                    variables_lib.global_variables())
                get_default_graph().add_to_collection(GraphKeys.READY_FOR_LOCAL_INIT_OP,
                                                      ready_for_local_init_op)
        self._ready_for_local_init_op = ready_for_local_init_op

    def _init_init_op(self, init_op: Any, init_feed_dict: Optional[dict]) -> None:
        if init_op is Supervisor.USE_DEFAULT:
            init_op = self._first_from_collection(GraphKeys.INIT_OP)
            if init_op is None:
                init_op = variables_lib.global_variables_initializer()
                get_default_graph().add_to_collection(GraphKeys.INIT_OP, init_op)
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict

    def _init_local_init_op(self, local_init_op: Any) -> None:
        if local_init_op is Supervisor.USE_DEFAULT:
            local_init_op = self._first_from_collection(GraphKeys.LOCAL_INIT_OP)
            if local_init_op is None:
                local_init_op = group(variables_lib.local_variables_initializer(),
                                      variables_lib.tables_initializer())
                get_default_graph().add_to_collection(GraphKeys.LOCAL_INIT_OP, local_init_op)
        self._local_init_op = local_init_op

    def _init_saver(self, saver: Any) -> None:
        if saver is Supervisor.USE_DEFAULT:
            saver = self._first_from_collection(GraphKeys.SAVERS)
            if saver is None and variables_lib.global_variables():
                from flowgraph.train.saver import Saver

                saver = Saver()
                get_default_graph().add_to_collection(GraphKeys.SAVERS, saver)
        self._saver = saver

    def _init_summary_op(self, summary_op: Any) -> None:
        if summary_op is Supervisor.USE_DEFAULT:
            summary_op = self._first_from_collection(GraphKeys.SUMMARY_OP)
            if summary_op is None:
                from flowgraph import summary

                summary_op = summary.merge_all()
                if summary_op is not None:
                    get_default_graph().add_to_collection(GraphKeys.SUMMARY_OP, summary_op)
        self._summary_op = summary_op

    def _init_global_step(self, global_step: Any) -> None:
        if global_step is Supervisor.USE_DEFAULT:
            global_step = self._first_from_collection(GraphKeys.GLOBAL_STEP)
            if global_step is None:
                global_step = _default_global_step_tensor()
        self._global_step = global_step

    def _verify_setup(self) -> None:
        if self._is_chief:
            return
        for op in self._graph.get_operations():
            if op.type in ("Variable", "VariableV2") and not op.device:
                raise ValueError(f"When using replicas, all Variables must have their device "
                                 f"set: {op.name} has none; create the variables under "
                                 "fg.device(fg.train.replica_device_setter(...)).")

    # -- properties, as TF1
    @property
    def session_manager(self) -> SessionManager:
        return self._session_manager

    @property
    def coord(self) -> Coordinator:
        return self._coord

    @property
    def is_chief(self) -> bool:
        return self._is_chief

    @property
    def init_op(self) -> Any:
        return self._init_op

    @property
    def init_feed_dict(self) -> Optional[dict]:
        return self._init_feed_dict

    @property
    def ready_op(self) -> Any:
        return self._ready_op

    @property
    def ready_for_local_init_op(self) -> Any:
        return self._ready_for_local_init_op

    @property
    def summary_writer(self) -> Any:
        return self._summary_writer

    @property
    def summary_op(self) -> Any:
        return self._summary_op

    @property
    def save_summaries_secs(self) -> Optional[float]:
        return self._save_summaries_secs

    @property
    def global_step(self) -> Any:
        return self._global_step

    @property
    def saver(self) -> Any:
        return self._saver

    @property
    def save_model_secs(self) -> Optional[float]:
        return self._save_model_secs

    @property
    def save_path(self) -> Optional[str]:
        return self._save_path

    # -- sessions and services
    def _write_graph(self) -> None:
        if self._is_chief and self._logdir:
            from flowgraph.io.graph_files import write_graph

            write_graph(self._graph, self._logdir, "graph.pbtxt")
        if self._summary_writer is not None and not self._graph_added_to_summary:
            self._summary_writer.add_graph(self._graph)
            self._graph_added_to_summary = True

    def start_standard_services(self, sess: Any) -> Optional[list]:
        """Start the checkpoint, summary and steps/sec threads (chief only); returns them."""
        if not self._is_chief:
            raise RuntimeError("Only chief supervisor can start standard services. Because "
                               "only chief supervisors can write events.")
        if not self._logdir:
            _log.warning("Standard services need a 'logdir' passed to the SessionManager")
            return None
        if self._global_step is not None and self._summary_writer is not None:
            current_step = training_util.global_step(sess, self._global_step)
            self._summary_writer.add_session_log(session_log("START"), current_step)
        threads: list = []
        if self._save_summaries_secs and self._summary_writer is not None:
            if self._summary_op is not None:
                threads.append(SummaryThread(self, sess))
            if self._global_step is not None:
                threads.append(StepCounterThread(self, sess))
        if self._saver is not None and self._save_model_secs:
            threads.append(CheckpointThread(self, sess))
        for thread in threads:
            thread.start()
        return threads

    def prepare_or_wait_for_session(self, master: str = "", config: Any = None,
                                    wait_for_checkpoint: bool = False,
                                    max_wait_secs: float = 7200,
                                    start_standard_services: bool = True) -> Any:
        """A ready Session: the chief restores the latest checkpoint of logdir or runs
        the init op; other tasks wait for the model. Starts the services and the graph's
        queue runners when `start_standard_services`."""
        self._coord.clear_stop()
        if self._summary_writer is not None:
            self._summary_writer.reopen()
        if self._is_chief:
            sess = self._session_manager.prepare_session(
                master, init_op=self._init_op, saver=self._saver,
                checkpoint_dir=self._logdir, wait_for_checkpoint=wait_for_checkpoint,
                max_wait_secs=max_wait_secs, config=config,
                init_feed_dict=self._init_feed_dict, init_fn=self._init_fn)
            self._write_graph()
            if start_standard_services:
                _log.info("Starting standard services.")
                self.start_standard_services(sess)
        else:
            sess = self._session_manager.wait_for_session(master, config=config,
                                                          max_wait_secs=max_wait_secs)
        if start_standard_services:
            _log.info("Starting queue runners.")
            self.start_queue_runners(sess)
        return sess

    def start_queue_runners(self, sess: Any, queue_runners: Optional[list] = None) -> list:
        """Start threads for the graph's QueueRunners (or `queue_runners`), coordinated by
        this supervisor."""
        if queue_runners is None:
            queue_runners = self._graph.get_collection(GraphKeys.QUEUE_RUNNERS)
        threads = []
        for qr in queue_runners:
            threads.extend(qr.create_threads(sess, coord=self._coord, daemon=True,
                                             start=True))
        return threads

    def loop(self, timer_interval_secs: Optional[float], target: Callable,
             args: Any = None, kwargs: Optional[dict] = None) -> LooperThread:
        """Start a LooperThread calling `target(*args, **kwargs)` every
        `timer_interval_secs` until the supervisor stops."""
        looper = LooperThread(self._coord, timer_interval_secs, target=target, args=args,
                              kwargs=kwargs)
        looper.start()
        return looper

    def stop(self, threads: Optional[list] = None, close_summary_writer: bool = True,
             ignore_live_threads: bool = False) -> None:
        """Stop all threads and wait for them (re-raising any exception they reported);
        then write a STOP event and close the summary writer."""
        self._coord.request_stop()
        try:
            self._coord.join(threads, stop_grace_period_secs=self._stop_grace_secs,
                             ignore_live_threads=ignore_live_threads)
        finally:
            if close_summary_writer and self._summary_writer is not None:
                self._summary_writer.add_session_log(session_log("STOP"))
                self._summary_writer.close()
                self._graph_added_to_summary = False

    def request_stop(self, ex: Any = None) -> None:
        """Ask the threads to stop; `ex` is re-raised by `stop()`."""
        self._coord.request_stop(ex=ex)

    def should_stop(self) -> bool:
        return self._coord.should_stop()

    def stop_on_exception(self) -> Any:
        return self._coord.stop_on_exception()

    def wait_for_stop(self) -> None:
        self._coord.wait_for_stop()

    def summary_computed(self, sess: Any, summary: Any, global_step: Any = None) -> None:
        """Write a summary computed by the caller (at the current global step by default)."""
        if self._summary_writer is None:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self._global_step is not None:
            global_step = training_util.global_step(sess, self._global_step)
        self._summary_writer.add_summary(summary, global_step)

    @contextlib.contextmanager
    def managed_session(self, master: str = "", config: Any = None,
                        start_standard_services: bool = True,
                        close_summary_writer: bool = True) -> Iterator[Any]:
        """A context manager giving a ready Session; on exit all threads are stopped and
        the session closed. An exception in the block stops the threads and is re-raised,
        except OutOfRangeError, which ends training cleanly (as TF1)."""
        sess = None
        try:
            sess = self.prepare_or_wait_for_session(
                master=master, config=config, start_standard_services=start_standard_services)
            yield sess
        except Exception as e:  # noqa: BLE001 - re-raised by stop() unless a clean stop
            self.request_stop(e)
        finally:
            try:
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                if sess is not None:
                    with contextlib.suppress(Exception):
                        sess.close()


def _new_file_writer(logdir: str) -> Any:
    from flowgraph.train.checkpoint_summary_hooks import tensorboard_available

    if not tensorboard_available():
        warnings.warn("Supervisor writes no summaries: the tensorboardX package is missing. "
                      "Install it with: pip install \"flowgraph[tensorboard]\"", stacklevel=3)
        return None
    from flowgraph.summary.writer import FileWriter

    return FileWriter(logdir)


def _default_global_step_tensor() -> Any:
    """The tensor "global_step:0" when it is an integer, else None (as TF1)."""
    try:
        gs = get_default_graph().get_tensor_by_name("global_step:0")
    except (KeyError, ValueError):
        return None
    if gs.dtype.base_dtype in (dtypes.int32, dtypes.int64):
        return gs
    _log.warning("Found 'global_step' is not an int type: %s", gs.dtype)
    return None
