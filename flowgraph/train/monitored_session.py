"""Monitored sessions, as TF1's `tf.train.MonitoredSession`, `SingularMonitoredSession` and
`MonitoredTrainingSession`: a Session that initializes or restores its model on creation,
runs hooks around every step, and ends cleanly at the end of the input data.

>>> with fg.train.MonitoredTrainingSession(checkpoint_dir="ckpt", hooks=[
...         fg.train.StopAtStepHook(last_step=1000)]) as sess:
...     while not sess.should_stop():
...         sess.run(train_op)
"""

import inspect
import logging
from typing import Any, Callable, Optional

from flowgraph import errors
from flowgraph.graph import get_default_graph
from flowgraph.runtime.config import RunMetadata, RunOptions
from flowgraph.train import basic_session_run_hooks as hooks_lib
from flowgraph.train.coordinator import Coordinator
from flowgraph.train.input_feeders import run_input_feeders
from flowgraph.train.scaffold import Scaffold
from flowgraph.train.session_manager import SessionManager
from flowgraph.train.session_run_hook import SessionRunArgs, SessionRunContext, SessionRunValues

__all__ = ["Scaffold", "SessionCreator", "ChiefSessionCreator", "WorkerSessionCreator",
           "MonitoredSession", "SingularMonitoredSession", "MonitoredTrainingSession",
           "StepContext", "USE_DEFAULT"]

_log = logging.getLogger("flowgraph.train")

USE_DEFAULT = object()
# Errors after which a MonitoredSession re-creates its session and carries on.
_PREEMPTION_ERRORS = (errors.AbortedError, errors.UnavailableError)


class SessionCreator:
    """Creates a Session whose model is ready to run."""

    def create_session(self) -> Any:
        raise NotImplementedError("create_session is not implemented for "
                                  f"{type(self).__name__}.")


class ChiefSessionCreator(SessionCreator):
    """Creates a Session that restores the latest checkpoint of `checkpoint_dir` (or
    `checkpoint_filename_with_path`), else runs the scaffold's init ops."""

    def __init__(self, scaffold: Optional[Scaffold] = None, master: str = "",
                 config: Any = None, checkpoint_dir: Optional[str] = None,
                 checkpoint_filename_with_path: Optional[str] = None) -> None:
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path
        self._scaffold = scaffold or Scaffold()
        self._session_manager: Optional[SessionManager] = None
        self._master = master
        self._config = config

    def _get_session_manager(self) -> SessionManager:
        if self._session_manager is None:
            self._session_manager = SessionManager(
                local_init_op=self._scaffold.local_init_op,
                ready_op=self._scaffold.ready_op,
                ready_for_local_init_op=self._scaffold.ready_for_local_init_op,
                graph=get_default_graph(),
                local_init_feed_dict=self._scaffold.local_init_feed_dict)
        return self._session_manager

    def create_session(self) -> Any:
        self._scaffold.finalize()
        return self._get_session_manager().prepare_session(
            self._master, saver=self._scaffold.saver, checkpoint_dir=self._checkpoint_dir,
            checkpoint_filename_with_path=self._checkpoint_filename_with_path,
            config=self._config, init_op=self._scaffold.init_op,
            init_feed_dict=self._scaffold.init_feed_dict, init_fn=self._scaffold.init_fn)


class WorkerSessionCreator(SessionCreator):
    """Creates a Session for a non-chief worker: waits until the chief made the model
    ready (up to `max_wait_secs`)."""

    def __init__(self, scaffold: Optional[Scaffold] = None, master: str = "",
                 config: Any = None, max_wait_secs: float = 30 * 60) -> None:
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config
        self._max_wait_secs = max_wait_secs

    def create_session(self) -> Any:
        self._scaffold.finalize()
        manager = SessionManager(local_init_op=self._scaffold.local_init_op,
                                 ready_op=self._scaffold.ready_op,
                                 ready_for_local_init_op=self._scaffold.ready_for_local_init_op,
                                 graph=get_default_graph(), recovery_wait_secs=1,
                                 local_init_feed_dict=self._scaffold.local_init_feed_dict)
        return manager.wait_for_session(self._master, config=self._config,
                                        max_wait_secs=self._max_wait_secs)


class _StopRequestedError(Exception):
    """Raised by StepContext.request_stop to leave a step_fn."""


class StepContext:
    """What `run_step_fn`'s step_fn gets: the raw session, a hooked run, and a stop."""

    def __init__(self, session: Any, run_with_hooks_fn: Callable) -> None:
        self._session = session
        self._run_with_hooks_fn = run_with_hooks_fn

    @property
    def session(self) -> Any:
        return self._session

    def run_with_hooks(self, *args: Any, **kwargs: Any) -> Any:
        """Run one step like `MonitoredSession.run` (hooks included)."""
        return self._run_with_hooks_fn(*args, **kwargs)

    def request_stop(self) -> None:
        """Leave the step_fn now and make `should_stop()` True."""
        raise _StopRequestedError("step_fn has requested the iterations to stop.")


class _MonitoredSession:
    """The shared machinery of MonitoredSession and SingularMonitoredSession."""

    def __init__(self, session_creator: Optional[SessionCreator], hooks: Any,
                 should_recover: bool, stop_grace_period_secs: float = 120) -> None:
        self._graph = get_default_graph()
        self._graph_was_finalized = self._graph.finalized
        self._hooks = list(hooks or [])
        for hook in self._hooks:
            hook.begin()
        self._session_creator = session_creator or ChiefSessionCreator()
        self._should_recover = should_recover
        self._stop_grace_period_secs = stop_grace_period_secs
        self._sess: Any = None
        self._coord: Optional[Coordinator] = None
        self._stopped = False
        try:
            self._create_session()
        except BaseException:
            # A failed creation leaves the user's graph as it found it.
            if not self._graph_was_finalized and self._graph.finalized:
                self._graph._unsafe_unfinalize()
            raise

    def _create_session(self) -> None:
        with self._graph.as_default():
            self._sess = self._session_creator.create_session()
        self._coord = Coordinator()
        self._stopped = False
        # Start Python-fed inputs (numpy_input_fn ...), as TF1 starts its queue runners.
        run_input_feeders(self._sess, self._graph)
        for hook in self._hooks:
            hook.after_create_session(self._sess, self._coord)

    @property
    def graph(self) -> Any:
        return self._graph

    def _tf_sess(self) -> Any:
        return self._sess

    def should_stop(self) -> bool:
        """True once a hook requested a stop, or the session is closed."""
        return (self._sess is None or self._stopped
                or (self._coord is not None and self._coord.should_stop()))

    def run(self, fetches: Any, feed_dict: Optional[dict] = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        """Run one step: the hooks' before_run, `sess.run`, then the hooks' after_run."""
        while True:
            try:
                return self._hooked_run(fetches, feed_dict, options, run_metadata)
            except _PREEMPTION_ERRORS as exc:
                if not self._should_recover:
                    raise
                _log.info("An error was raised. This may be due to a preemption in a "
                          "connected worker or parameter server. The current session will "
                          "be closed and a new session will be created. Error: %s", exc)
                self._close_raw()
                self._create_session()

    def _hooked_run(self, fetches: Any, feed_dict: Optional[dict], options: Any,
                    run_metadata: Any) -> Any:
        if self._sess is None:
            raise RuntimeError("Attempted to use a closed MonitoredSession.")
        if self.should_stop():
            raise RuntimeError("Run called even after should_stop requested.")
        actual_fetches: dict = {"caller": fetches}
        run_context = SessionRunContext(original_args=SessionRunArgs(fetches, feed_dict),
                                        session=self._sess)
        # As TF1, hooks always see a RunOptions and a RunMetadata (filled when a hook asked
        # for a trace, e.g. ProfilerHook).
        options = options if options is not None else RunOptions()
        run_metadata = run_metadata if run_metadata is not None else RunMetadata()
        feed_dict, options = self._call_hook_before_run(run_context, actual_fetches,
                                                        feed_dict, options)
        outputs = self._sess.run(actual_fetches, feed_dict=feed_dict, options=options,
                                 run_metadata=run_metadata)
        for hook in self._hooks:
            hook.after_run(run_context, SessionRunValues(
                results=outputs.get(hook), options=options, run_metadata=run_metadata))
        self._stopped = self._stopped or run_context.stop_requested
        return outputs["caller"]

    def _call_hook_before_run(self, run_context: SessionRunContext, fetch_dict: dict,
                              user_feed_dict: Optional[dict], options: Any) -> tuple:
        hook_feeds: dict = {}
        for hook in self._hooks:
            request = hook.before_run(run_context)
            if request is None:
                continue
            if request.fetches is not None:
                fetch_dict[hook] = request.fetches
            if request.feed_dict:
                _raise_if_feeds_intersect(hook_feeds, request.feed_dict,
                                          "Same tensor is fed by two hooks.")
                hook_feeds.update(request.feed_dict)
            if request.options is not None:
                options = _merge_run_options(options, request.options)
        if not hook_feeds:
            return user_feed_dict, options
        if not user_feed_dict:
            return hook_feeds, options
        _raise_if_feeds_intersect(user_feed_dict, hook_feeds,
                                  "Same tensor is fed by a SessionRunHook and user.")
        hook_feeds.update(user_feed_dict)
        return hook_feeds, options

    def run_step_fn(self, step_fn: Callable) -> Any:
        """Run `step_fn(step_context)`; it may call `step_context.run_with_hooks(...)`,
        use `step_context.session` directly, or `step_context.request_stop()`."""
        params = list(inspect.signature(step_fn).parameters)
        if params not in (["step_context"], ["self", "step_context"]):
            raise ValueError("`step_fn` may either have one `step_context` argument, or `self` "
                             "and `step_context` arguments if it's an instance method. Got "
                             f"{tuple(params)} instead.")
        try:
            return step_fn(StepContext(self._sess, self.run))
        except _StopRequestedError:
            self._stopped = True
            return None

    def __enter__(self) -> "_MonitoredSession":
        return self

    def __exit__(self, exception_type: Any, exception_value: Any, traceback: Any) -> bool:
        if exception_type in (errors.OutOfRangeError, StopIteration):
            exception_type = None
        self._close_internal(exception_type)
        # The end of the input data ends the `with` block cleanly, as in TF1.
        return exception_type is None

    def close(self) -> None:
        """Call every hook's end(), then close the session."""
        self._close_internal()

    def _close_internal(self, exception_type: Any = None) -> None:
        try:
            if not exception_type and self._sess is not None:
                for hook in self._hooks:
                    hook.end(self._sess)
        finally:
            try:
                if self._sess is None:
                    raise RuntimeError("Session is already closed.")
                self._close_raw()
            finally:
                self._sess = None
                self._coord = None
                if not self._graph_was_finalized and self._graph.finalized:
                    self._graph._unsafe_unfinalize()

    def _close_raw(self) -> None:
        if self._coord is not None:
            self._coord.request_stop()
        if self._sess is not None:
            self._sess.close()


class MonitoredSession(_MonitoredSession):
    """A Session that creates (initializes or restores) its model, runs hooks around each
    `run`, and re-creates itself after a preemption error.

    Parameters
    ----------
    session_creator : SessionCreator, optional
        Default: a ChiefSessionCreator with a default Scaffold.
    hooks : list of SessionRunHook, optional
    stop_grace_period_secs : float
    """

    def __init__(self, session_creator: Optional[SessionCreator] = None, hooks: Any = None,
                 stop_grace_period_secs: float = 120) -> None:
        super().__init__(session_creator, hooks, should_recover=True,
                         stop_grace_period_secs=stop_grace_period_secs)


class SingularMonitoredSession(_MonitoredSession):
    """A MonitoredSession for a single process that does not recover from errors and gives
    access to its raw Session (`raw_session()`)."""

    def __init__(self, hooks: Any = None, scaffold: Optional[Scaffold] = None,
                 master: str = "", config: Any = None, checkpoint_dir: Optional[str] = None,
                 stop_grace_period_secs: float = 120,
                 checkpoint_filename_with_path: Optional[str] = None) -> None:
        creator = ChiefSessionCreator(
            scaffold=scaffold, master=master, config=config, checkpoint_dir=checkpoint_dir,
            checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, should_recover=False,
                         stop_grace_period_secs=stop_grace_period_secs)

    def raw_session(self) -> Any:
        """The underlying Session (hooks do not run for its `run`)."""
        return self._tf_sess()


def MonitoredTrainingSession(  # noqa: N802 - TF1's name for a factory function
        master: str = "", is_chief: bool = True, checkpoint_dir: Optional[str] = None,
        scaffold: Optional[Scaffold] = None, hooks: Any = None, chief_only_hooks: Any = None,
        save_checkpoint_secs: Any = USE_DEFAULT, save_summaries_steps: Any = USE_DEFAULT,
        save_summaries_secs: Any = USE_DEFAULT, config: Any = None,
        stop_grace_period_secs: float = 120, log_step_count_steps: Optional[int] = 100,
        max_wait_secs: float = 7200, save_checkpoint_steps: Any = USE_DEFAULT,
        summary_dir: Optional[str] = None, save_graph_def: bool = True) -> MonitoredSession:
    """A MonitoredSession set up for training, with TF1's default hooks.

    As chief, it restores the latest checkpoint of `checkpoint_dir` (else initializes the
    model) and adds: a StepCounterHook every `log_step_count_steps` steps, a
    SummarySaverHook every `save_summaries_steps` steps (default 100) and a
    CheckpointSaverHook every `save_checkpoint_secs` seconds (default 600) or
    `save_checkpoint_steps` steps. `chief_only_hooks` run only on the chief.
    `save_graph_def` (TF 2.x's addition): whether the checkpoint hook also writes
    ``graph.pbtxt`` and the meta graphs.
    """
    if save_summaries_steps is USE_DEFAULT and save_summaries_secs is USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    elif save_summaries_secs is USE_DEFAULT:
        save_summaries_secs = None
    elif save_summaries_steps is USE_DEFAULT:
        save_summaries_steps = None
    if save_checkpoint_steps is USE_DEFAULT and save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_steps, save_checkpoint_secs = None, 600
    elif save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_secs = None
    elif save_checkpoint_steps is USE_DEFAULT:
        save_checkpoint_steps = None
    scaffold = scaffold or Scaffold()
    all_hooks = []
    if is_chief and chief_only_hooks:
        all_hooks.extend(chief_only_hooks)
    if hooks:
        all_hooks.extend(hooks)
    if not is_chief:
        creator = WorkerSessionCreator(scaffold=scaffold, master=master, config=config,
                                       max_wait_secs=max_wait_secs)
        return MonitoredSession(session_creator=creator, hooks=all_hooks,
                                stop_grace_period_secs=stop_grace_period_secs)
    creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir,
                                  master=master, config=config)
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(hooks_lib.StepCounterHook(output_dir=summary_dir,
                                                       every_n_steps=log_step_count_steps))
        if (save_summaries_steps and save_summaries_steps > 0) or \
                (save_summaries_secs and save_summaries_secs > 0):
            all_hooks.append(hooks_lib.SummarySaverHook(
                scaffold=scaffold, save_steps=save_summaries_steps,
                save_secs=save_summaries_secs, output_dir=summary_dir))
    if checkpoint_dir:
        if (save_checkpoint_secs and save_checkpoint_secs > 0) or \
                (save_checkpoint_steps and save_checkpoint_steps > 0):
            all_hooks.append(hooks_lib.CheckpointSaverHook(
                checkpoint_dir, save_steps=save_checkpoint_steps,
                save_secs=save_checkpoint_secs, scaffold=scaffold,
                save_graph_def=save_graph_def))
    return MonitoredSession(session_creator=creator, hooks=all_hooks,
                            stop_grace_period_secs=stop_grace_period_secs)


def _raise_if_feeds_intersect(feeds1: dict, feeds2: dict, message: str) -> None:
    common = set(feeds1) & set(feeds2)
    if common:
        raise RuntimeError(f"{message} Conflict(s): {sorted(str(k) for k in common)}")


def _merge_run_options(options: Any, incoming: Any) -> Any:
    """The stronger of two RunOptions: the higher trace level, the shorter timeout."""
    if options is None:
        return incoming
    options.trace_level = max(options.trace_level, incoming.trace_level)
    if incoming.timeout_in_ms:
        options.timeout_in_ms = (min(options.timeout_in_ms, incoming.timeout_in_ms)
                                 if options.timeout_in_ms else incoming.timeout_in_ms)
    return options
