"""TF1's `tf.train.QueueRunner`: Python threads that run a queue's enqueue ops in a Session
until the input runs out (OutOfRangeError), the coordinator asks them to stop, or the
Session closes; the last thread to finish closes the queue, so that readers downstream see
OutOfRangeError once the queue is drained."""

from __future__ import annotations

import threading
from typing import Any, Optional, Sequence

from flowgraph import errors
from flowgraph.graph import GraphKeys, get_default_graph

__all__ = ["QueueRunner", "add_queue_runner"]


class QueueRunner:
    """Holds a queue and the enqueue ops to run in threads (one thread per op)."""

    def __init__(self, queue: Any = None, enqueue_ops: Optional[Sequence[Any]] = None,
                 close_op: Any = None, cancel_op: Any = None,
                 queue_closed_exception_types: Optional[tuple] = None,
                 queue_runner_def: Any = None, import_scope: Optional[str] = None) -> None:
        if queue_runner_def is not None:
            raise NotImplementedError("QueueRunner(queue_runner_def=...) is not supported")
        if queue is None or not enqueue_ops:
            raise ValueError("QueueRunner needs a queue and at least one enqueue op")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else \
            queue.close(cancel_pending_enqueues=True)
        self._exception_types = tuple(queue_closed_exception_types or
                                      (errors.OutOfRangeError,))
        self._lock = threading.Lock()
        self._runs_per_session: dict = {}
        self._exceptions_raised: list = []

    @property
    def queue(self) -> Any:
        return self._queue

    @property
    def enqueue_ops(self) -> list:
        return list(self._enqueue_ops)

    @property
    def close_op(self) -> Any:
        return self._close_op

    @property
    def cancel_op(self) -> Any:
        return self._cancel_op

    @property
    def queue_closed_exception_types(self) -> tuple:
        return self._exception_types

    @property
    def exceptions_raised(self) -> list:
        return list(self._exceptions_raised)

    @property
    def name(self) -> str:
        return self._queue.name

    def _run(self, sess: Any, enqueue_op: Any, coord: Any) -> None:
        decremented = False
        try:
            while True:
                if coord is not None and coord.should_stop():
                    break
                try:
                    sess.run(enqueue_op)
                except self._exception_types:
                    # This op is done: the last one to finish closes the queue.
                    with self._lock:
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        if self._runs_per_session[sess] == 0:
                            try:
                                sess.run(self._close_op)
                            except Exception:  # noqa: BLE001 - the session may be closing
                                pass
                    return
        except (errors.CancelledError, RuntimeError):
            pass  # the Session is closing (or closed): the thread just ends
        except Exception as e:  # noqa: BLE001 - reported through the coordinator, as TF1
            if coord is not None:
                coord.request_stop(e)
            else:
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def _close_on_stop(self, sess: Any, coord: Any) -> None:
        coord.wait_for_stop()
        try:
            sess.run(self._cancel_op)
        except Exception:  # noqa: BLE001 - the session may already be closed
            pass

    def create_threads(self, sess: Any, coord: Any = None, daemon: bool = False,
                       start: bool = False) -> list:
        """The threads running the enqueue ops in `sess` (plus one closing the queue when
        `coord` stops), started if `start`."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []  # already running in this session
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord), daemon=daemon)
                   for op in self._enqueue_ops]
        if coord is not None:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord),
                                            daemon=True))
        for t in threads:
            if coord is not None:
                coord.register_thread(t)
            if start:
                t.start()
        return threads


def add_queue_runner(qr: QueueRunner, collection: str = GraphKeys.QUEUE_RUNNERS) -> None:
    """Adds `qr` to the graph collection (tf.train.start_queue_runners starts them)."""
    get_default_graph().add_to_collection(collection, qr)
