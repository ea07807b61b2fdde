"""Intra-op parallelism for memory-bound kernels: one large elementwise pass, pooling
gradient or optimizer update split into row ranges run on all cores at once (and
convolutions, whose ranges each copy their own windows and call one-thread BLAS).

BLAS already spreads a matmul over the cores, but a numpy ufunc runs on the calling thread
only, so during a CNN step's pooling, ReLU and update passes the other cores sit idle.
numpy releases the GIL inside its loops, so row ranges of one pass run truly side by side
on helper threads. Each row range computes exactly what the whole pass computes for those
rows (the kernels split only along axes their results do not mix), so results are
unchanged.

A pass is split only when it is large enough to pay for the hand-off (tens of
microseconds), when a helper is idle, when no other step of the run is in flight (the
thread-pool executor's steps already keep the cores busy), and once OpenBLAS's idle threads
have been told to stop spinning soon (flowgraph.runtime.blas_spin): with OpenBLAS's own
spin, split passes ran slower (the MLP inference step took 20.8 ms instead of 11.0).
FLOWGRAPH_INTRA_OP=0 turns splitting off.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from typing import Any, Callable, Optional

# Passes touching fewer elements run on the calling thread alone. Waking a helper costs
# tens of microseconds, and right after a matmul the helper shares its core with BLAS's
# spinning workers (flowgraph.runtime.blas_spin) for up to 0.1 ms: measured, an MLP step's
# 1.6 MB update passes ran slower split, 4-8 MB passes faster.
MIN_ELEMENTS = 1 << 20
ENABLED = os.environ.get("FLOWGRAPH_INTRA_OP", "1") != "0"

_lock = threading.Lock()
_idle: "queue.SimpleQueue[_Helper]" = queue.SimpleQueue()
_helpers: list = []
# Set by flowgraph.runtime.blas_spin once OpenBLAS's idle threads stop spinning soon after
# a product: before that (or without it) a split would share its cores with them.
quiet_blas = False
# Set by the thread-pool executor while several steps of a run are in flight.
crowded = False
# The most threads one pass is split over: every core, unless a Session set
# intra_op_parallelism_threads (which, as BLAS's thread count, holds for the process).
max_parts = 0


class _Helper:
    """A daemon thread running one row range at a time."""

    def __init__(self, index: int) -> None:
        self.tasks: queue.SimpleQueue = queue.SimpleQueue()
        self.done = threading.Semaphore(0)
        self.error: Optional[BaseException] = None
        thread = threading.Thread(target=self._loop, name=f"flowgraph-intra-op-{index}",
                                  daemon=True)
        thread.start()

    def _loop(self) -> None:
        import numpy as np
        np.seterr(all="ignore")  # as Session.run does for its own thread
        while True:
            fn, start, stop = self.tasks.get()
            try:
                fn(start, stop)
            except BaseException as exc:  # re-raised on the calling thread
                self.error = exc
            self.done.release()

    def wait(self) -> None:
        self.done.acquire()
        error, self.error = self.error, None
        if error is not None:
            raise error


def _start_helpers() -> None:
    with _lock:
        if _helpers:
            return
        for index in range((os.cpu_count() or 1) - 1):
            helper = _Helper(index)
            _helpers.append(helper)
            _idle.put(helper)


def split(rows: int, elements: int, fn: Callable[[int, int], None],
          blas: bool = False) -> None:
    """Runs ``fn(start, stop)`` over row ranges covering [0, rows): on this thread alone,
    or, for a pass over at least MIN_ELEMENTS elements while cores are idle, one range per
    idle core at once. `fn` must write disjoint outputs for disjoint ranges.

    ``blas=True`` for ranges that make BLAS calls: while they run side by side, BLAS is
    limited to one thread per call (else each call would start a thread per core)."""
    if not ENABLED or not quiet_blas or elements < MIN_ELEMENTS or rows < 2 or crowded or \
            max_parts == 1:
        fn(0, rows)
        return
    if not _helpers:
        _start_helpers()
    taken = []
    wanted = min(rows, max_parts or rows)
    while len(taken) + 1 < wanted:
        try:
            taken.append(_idle.get_nowait())
        except queue.Empty:
            break
    if not taken:
        fn(0, rows)
        return
    parts = len(taken) + 1
    bounds = [rows * k // parts for k in range(parts + 1)]
    try:
        with _one_blas_thread() if blas else contextlib.nullcontext():
            for k, helper in enumerate(taken, start=1):
                helper.tasks.put((fn, bounds[k], bounds[k + 1]))
            failure: Optional[BaseException] = None
            try:
                fn(bounds[0], bounds[1])
            except BaseException as exc:
                failure = exc
            for helper in taken:  # every range must finish before the buffers are reused
                try:
                    helper.wait()
                except BaseException as exc:
                    failure = failure or exc
        if failure is not None:
            raise failure
    finally:
        for helper in taken:
            _idle.put(helper)


def _one_blas_thread() -> Any:
    from flowgraph.runtime.threads import blas_limited  # (threads imports this module)
    return blas_limited(1)
