"""`fg.train.SessionManager`: creates a Session and brings its model to a ready state,
restoring the latest checkpoint when there is one, as TF1's `tf.train.SessionManager`."""

import logging
import time
from typing import Any, Callable, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import get_default_graph
from flowgraph.runtime.session import Session
from flowgraph.train import checkpoint_management

__all__ = ["SessionManager"]

_log = logging.getLogger("flowgraph.train")


def _maybe_name(obj: Any) -> Any:
    if obj is None:
        return None
    return getattr(obj, "name", obj)


class SessionManager:
    """Creates Sessions whose model is initialized or restored from a checkpoint.

    Parameters
    ----------
    local_init_op : Operation, optional
        Run on every new session, once the global variables are ready.
    ready_op : Tensor, optional
        Names of uninitialized variables (empty when the model is ready).
    ready_for_local_init_op : Tensor, optional
        As ready_op, checked before local_init_op runs.
    graph : Graph, optional
    recovery_wait_secs : float
        How long to sleep between checks while waiting for a checkpoint or readiness.
    local_init_run_options, local_init_feed_dict
        Options and feeds for local_init_op.
    """

    def __init__(self, local_init_op: Any = None, ready_op: Any = None,
                 ready_for_local_init_op: Any = None, graph: Any = None,
                 recovery_wait_secs: float = 30, local_init_run_options: Any = None,
                 local_init_feed_dict: Optional[dict] = None) -> None:
        self._local_init_op = local_init_op
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._graph = graph if graph is not None else get_default_graph()
        self._recovery_wait_secs = recovery_wait_secs
        self._target: Any = None
        self._local_init_run_options = local_init_run_options
        self._local_init_feed_dict = local_init_feed_dict
        if ready_for_local_init_op is not None and local_init_op is None:
            raise ValueError(f"If you pass a ready_for_local_init_op you must also pass a "
                             f"local_init_op , ready_for_local_init_op ["
                             f"{ready_for_local_init_op}]")

    def _restore_checkpoint(self, master: str, saver: Any = None,
                            checkpoint_dir: Optional[str] = None,
                            checkpoint_filename_with_path: Optional[str] = None,
                            wait_for_checkpoint: bool = False, max_wait_secs: float = 7200,
                            config: Any = None) -> tuple:
        self._target = master
        sess = Session(master, graph=self._graph, config=config)
        if checkpoint_dir and checkpoint_filename_with_path:
            raise ValueError("Can not provide both checkpoint_dir and "
                             "checkpoint_filename_with_path.")
        if checkpoint_filename_with_path:
            saver.restore(sess, checkpoint_filename_with_path)
            return sess, True
        if not saver or not checkpoint_dir:
            return sess, False
        wait_time = 0.0
        ckpt = checkpoint_management.get_checkpoint_state(checkpoint_dir)
        while not ckpt or not ckpt.model_checkpoint_path:
            if wait_for_checkpoint and wait_time < max_wait_secs:
                _log.info("Waiting for checkpoint to be available.")
                time.sleep(self._recovery_wait_secs)
                wait_time += self._recovery_wait_secs
                ckpt = checkpoint_management.get_checkpoint_state(checkpoint_dir)
            else:
                return sess, False
        _log.info("Restoring parameters from %s", ckpt.model_checkpoint_path)
        saver.restore(sess, ckpt.model_checkpoint_path)
        saver.recover_last_checkpoints(list(ckpt.all_model_checkpoint_paths))
        return sess, True

    def prepare_session(self, master: str, init_op: Any = None, saver: Any = None,
                        checkpoint_dir: Optional[str] = None,
                        wait_for_checkpoint: bool = False, max_wait_secs: float = 7200,
                        config: Any = None, init_feed_dict: Optional[dict] = None,
                        init_fn: Optional[Callable] = None,
                        checkpoint_filename_with_path: Optional[str] = None) -> Session:
        """A new Session with the model restored from the latest checkpoint of
        `checkpoint_dir` (or `checkpoint_filename_with_path`), else initialized by
        `init_op` and `init_fn`; then local_init_op is run and readiness checked."""
        sess, is_loaded = self._restore_checkpoint(
            master, saver, checkpoint_dir=checkpoint_dir,
            checkpoint_filename_with_path=checkpoint_filename_with_path,
            wait_for_checkpoint=wait_for_checkpoint, max_wait_secs=max_wait_secs,
            config=config)
        if not is_loaded:
            if init_op is None and not init_fn and self._local_init_op is None:
                raise RuntimeError("Model is not initialized and no init_op or init_fn or "
                                   "local_init_op was given")
            if init_op is not None:
                sess.run(init_op, feed_dict=init_feed_dict)
            if init_fn:
                init_fn(sess)
        ok, msg = self._try_run_local_init_op(sess)
        if not ok:
            raise RuntimeError(f"Init operations did not make model ready for local_init.  "
                               f"Init op: {_maybe_name(init_op)}, init fn: {init_fn}, "
                               f"error: {msg}")
        is_ready, msg = self._model_ready(sess)
        if not is_ready:
            raise RuntimeError(f"Init operations did not make model ready.  Init op: "
                               f"{_maybe_name(init_op)}, init fn: {init_fn}, local_init_op: "
                               f"{_maybe_name(self._local_init_op)}, error: {msg}")
        return sess

    def recover_session(self, master: str, saver: Any = None,
                        checkpoint_dir: Optional[str] = None,
                        wait_for_checkpoint: bool = False, max_wait_secs: float = 7200,
                        config: Any = None,
                        checkpoint_filename_with_path: Optional[str] = None) -> tuple:
        """A Session restored from a checkpoint if possible: (session, initialized)."""
        sess, is_loaded = self._restore_checkpoint(
            master, saver, checkpoint_dir=checkpoint_dir,
            checkpoint_filename_with_path=checkpoint_filename_with_path,
            wait_for_checkpoint=wait_for_checkpoint, max_wait_secs=max_wait_secs,
            config=config)
        ok, _ = self._try_run_local_init_op(sess)
        if not is_loaded:
            return sess, False
        if not ok:
            return sess, False
        is_ready, msg = self._model_ready(sess)
        if not is_ready:
            _log.info("Restoring model from %s did not make model ready for local init: %s",
                      checkpoint_dir, msg)
            return sess, False
        return sess, True

    def wait_for_session(self, master: str, config: Any = None,
                         max_wait_secs: float = float("inf")) -> Session:
        """A Session once the model is ready (initialized by another task)."""
        self._target = master
        deadline = time.time() + max_wait_secs
        while True:
            sess = Session(master, graph=self._graph, config=config)
            ok, _ = self._try_run_local_init_op(sess)
            if ok:
                is_ready, msg = self._model_ready(sess)
                if is_ready:
                    return sess
            sess.close()
            remaining = deadline - time.time()
            if remaining < self._recovery_wait_secs:
                raise errors.DeadlineExceededError(
                    None, None, f"Session was not ready after waiting {max_wait_secs} secs.")
            _log.info("Waiting for model to be ready.  Ready_for_local_init_op:  %s, "
                      "ready: %s", _maybe_name(self._ready_for_local_init_op), msg)
            time.sleep(self._recovery_wait_secs)

    def _ready(self, op: Any, sess: Any, msg: str) -> tuple:
        if op is None:
            return True, None
        names = np.asarray(sess.run(op))
        if names.size == 0:
            return True, None
        decoded = [n.decode() if isinstance(n, bytes) else str(n) for n in names.ravel()]
        return False, f"{msg} {', '.join(decoded)}"

    def _model_ready(self, sess: Any) -> tuple:
        return self._ready(self._ready_op, sess, "Variables not initialized:")

    def _model_ready_for_local_init(self, sess: Any) -> tuple:
        return self._ready(self._ready_for_local_init_op, sess,
                           "Variables not initialized:")

    def _try_run_local_init_op(self, sess: Any) -> tuple:
        if self._local_init_op is not None:
            is_ready, msg = self._model_ready_for_local_init(sess)
            if not is_ready:
                return False, msg
            _log.info("Running local_init_op.")  # TF1's log lines
            sess.run(self._local_init_op, feed_dict=self._local_init_feed_dict,
                     options=self._local_init_run_options)
            _log.info("Done running local_init_op.")
        return True, None
