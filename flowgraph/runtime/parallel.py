"""The thread-pool executor: runs independent steps of a plan at the same time.

numpy releases the GIL inside its kernels, so large independent ops (two matmuls, two
convolutions) overlap on separate cores. Dispatching a step to a thread costs tens of
microseconds, so a plan is run in parallel only when it has independent steps that are
big enough to pay for it (`worthwhile`); otherwise the Session runs it sequentially.

Matmuls already use every core through BLAS, so two of them are not overlapped, unless the
Session limits BLAS threads: with intra_op_parallelism_threads=1, or, by default, for the
runs of a plan whose heavy independent steps are matmuls (BLAS is then limited to
cores / pool threads for that run, so the threads never oversubscribe the cores).
Compiled steps write their large results into buffers of the Session's pool, and the slots
of their inputs are recycled once their last reader is done.

One coordinating thread (the caller's) does the bookkeeping: it frees inputs and starts the
steps that become ready. A worker that finishes a step whose consumer waits for nothing else
runs that consumer itself (`_continuations`), so a chain of heavy steps costs no hand-offs.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.runtime import intra_op
from flowgraph.runtime.executor import deadline_error, node_error, store_outputs
from flowgraph.runtime.memory import release
from flowgraph.runtime.plan import Plan
from flowgraph.runtime.threads import blas_limited, cores

# A step is worth a thread of its own from about this many elements touched: handing a step
# to another thread costs tens of microseconds, about what numpy spends on 2**18 elements.
MIN_PARALLEL_ELEMENTS = 1 << 20
# Steps touching fewer elements run on the coordinating thread instead of a worker.
INLINE_ELEMENTS = 1 << 16


class _Schedule:
    """Per-plan scheduling data: dependency counts, consumers and reader counts."""

    def __init__(self, plan: Plan, min_elements: int, blas_uses_all_cores: bool,
                 blas_auto: bool = False, inline_elements: int = 0) -> None:
        self.consumers = plan.consumers()
        self.indegree = [0] * len(plan.steps)
        for deps in self.consumers.values():
            for d in deps:
                self.indegree[d] += 1
        self.inline = [_runs_inline(step, inline_elements) for step in plan.steps]
        self.follow = _continuations(plan, self.consumers, self.indegree, self.inline)
        readers: dict = {}
        for step in plan.steps:
            for slot in step.inputs:
                readers[slot] = readers.get(slot, 0) + 1
        keep = set(plan.fetch_slots) | plan.preloaded
        self.readers = {s: n for s, n in readers.items() if s not in keep}
        # Outputs no step reads (an assign's result, a fed tensor's own value): dropped as
        # soon as their step is done, as the sequential executor does.
        self.unread = [tuple(s for s in step.outputs if s not in readers and s not in keep)
                       for step in plan.steps]
        self.worthwhile = min_elements <= 0 or _has_parallel_heavy_steps(
            plan, self.consumers, min_elements, blas_uses_all_cores)
        # With BLAS threads left to the Session (intra_op_parallelism_threads 0), a plan
        # whose heavy independent steps are BLAS calls runs them side by side, each with
        # fewer BLAS threads, rather than one after another on every core.
        # Only when most of the heavy BLAS work has a partner to run beside: a plan that is
        # mostly a chain of BLAS calls (a CNN or an MLP step, whose backward pass has a few
        # independent pairs) runs faster one call at a time on every core.
        self.limit_blas = False
        if not self.worthwhile and blas_auto and blas_uses_all_cores:
            self.limit_blas = self.worthwhile = _mostly_parallel_blas(
                plan, self.consumers, min_elements)


def _runs_inline(step: Any, inline_elements: int) -> bool:
    """Cheap steps (Variable reads, small elementwise ops) run on the coordinating thread: a
    hand-off to a worker would cost more than the step (as TF1's inline kernels)."""
    return step.elements < inline_elements and not step.uses_all_cores


def _continuations(plan: Plan, consumers: dict, indegree: list, inline: list) -> list:
    """For each step run by a worker, the consumer the same worker runs next (or -1): one
    that waits for nothing else but steps run inline before any worker starts (Variable
    reads, constants). The link in a chain of matmuls then costs no round trip through the
    coordinating thread (two thread wake-ups, tens of microseconds each), as TF1's executor
    runs one ready successor on the thread that finished its input."""
    early = [inline[step.index] and indegree[step.index] == 0 for step in plan.steps]
    waits_on_early = [0] * len(plan.steps)
    for step in plan.steps:
        if early[step.index]:
            for c in consumers[step.index]:
                waits_on_early[c] += 1
    follow = [-1] * len(plan.steps)
    for step in plan.steps:
        if inline[step.index]:
            continue
        for c in consumers[step.index]:
            if indegree[c] - waits_on_early[c] == 1:
                follow[step.index] = c
                break
    return follow


def _has_parallel_heavy_steps(plan: Plan, consumers: dict, min_elements: int,
                              blas_uses_all_cores: bool) -> bool:
    """True when two heavy steps sit at the same depth of the DAG (so neither needs the
    other)."""
    depth = _depths(plan, consumers)
    seen: set = set()
    for step in plan.steps:
        if blas_uses_all_cores and step.uses_all_cores:
            continue  # two BLAS calls at once only fight over the same cores
        if step.elements >= min_elements:
            if depth[step.index] in seen:
                return True
            seen.add(depth[step.index])
    return False


# The share of heavy BLAS steps that must sit beside another heavy BLAS step for the
# automatic thread setting to run them side by side on fewer BLAS threads each.
PARALLEL_BLAS_SHARE = 0.75


def _depths(plan: Plan, consumers: dict) -> list:
    depth = [0] * len(plan.steps)
    for step in plan.steps:
        for c in consumers[step.index]:
            depth[c] = max(depth[c], depth[step.index] + 1)
    return depth


def _mostly_parallel_blas(plan: Plan, consumers: dict, min_elements: int) -> bool:
    """True when at least PARALLEL_BLAS_SHARE of the heavy BLAS steps are independent of
    (neither needs nor is needed by) another heavy BLAS step, e.g. chains of matmuls side
    by side. Ancestry is tracked as bit sets over the heavy BLAS steps."""
    heavy = {step.index: bit for bit, step in enumerate(
        s for s in plan.steps if s.uses_all_cores and s.elements >= min_elements)}
    if len(heavy) < 2:
        return False
    ancestors = [0] * len(plan.steps)
    for step in plan.steps:  # in dependency order
        mine = ancestors[step.index] | (1 << heavy[step.index] if step.index in heavy else 0)
        for c in consumers[step.index]:
            ancestors[c] |= mine
    descendants = [0] * len(heavy)
    for index, bit in heavy.items():
        for other in _bits(ancestors[index]):
            descendants[other] |= 1 << bit
    everyone = (1 << len(heavy)) - 1
    paired = 0
    for index, bit in heavy.items():
        related = ancestors[index] | descendants[bit] | (1 << bit)
        if related != everyone:
            paired += 1
    return paired >= PARALLEL_BLAS_SHARE * len(heavy)


def _bits(mask: int):
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _quiet_numpy() -> None:
    np.seterr(all="ignore")  # per worker thread, as Session.run does for its own thread


class ParallelExecutor:
    """Runs plans on a pool of `threads` worker threads, in dependency order."""

    def __init__(self, threads: int, min_elements: int = MIN_PARALLEL_ELEMENTS,
                 blas_uses_all_cores: bool = True, blas_auto: bool = False) -> None:
        self.threads = threads
        self.min_elements = min_elements
        self.inline_elements = min(INLINE_ELEMENTS, min_elements)
        self.blas_auto = blas_auto
        # False when BLAS is limited to one thread (intra_op_parallelism_threads=1): then
        # independent matmuls do gain from running side by side.
        self.blas_uses_all_cores = blas_uses_all_cores
        self._pool = ThreadPoolExecutor(max_workers=threads,
                                        thread_name_prefix="flowgraph-inter-op",
                                        initializer=_quiet_numpy)
        self._schedules: dict = {}
        self._lock = threading.Lock()
        self._closed = False

    def shutdown(self) -> None:
        # Steps already queued still run: a run in progress (another thread's) then ends
        # with CancelledError at its next submission, instead of waiting forever for
        # steps whose futures were cancelled.
        self._closed = True  # workers go on to no continuation (see _run's work)
        self._pool.shutdown(wait=False)

    def _submit(self, work: Any, step: Any) -> None:
        try:
            self._pool.submit(work, step)
        except RuntimeError:  # the pool was shut down: its Session was closed
            raise errors.CancelledError(
                None, step.op, f"The Session was closed during this run; {step.op.describe()} "
                "did not run.") from None

    def _schedule(self, plan: Plan) -> _Schedule:
        schedule = self._schedules.get(id(plan))
        if schedule is None or schedule.plan is not plan:
            schedule = _Schedule(plan, self.min_elements, self.blas_uses_all_cores,
                                 self.blas_auto, self.inline_elements)
            schedule.plan = plan
            with self._lock:
                self._schedules[id(plan)] = schedule
        return schedule

    def worthwhile(self, plan: Plan) -> bool:
        """Whether running `plan` in parallel can beat running it in order."""
        return self._schedule(plan).worthwhile

    def run(self, plan: Plan, values: list, deadline: Optional[float] = None,
            trace: Optional[list] = None) -> list:
        """Runs every step once its inputs and control inputs are done; fills `values`."""
        schedule = self._schedule(plan)
        if schedule.limit_blas:
            with blas_limited(max(1, cores() // self.threads)):
                return self._run(plan, schedule, values, deadline, trace)
        return self._run(plan, schedule, values, deadline, trace)

    def _run(self, plan: Plan, schedule: _Schedule, values: list, deadline: Optional[float],
             trace: Optional[list]) -> list:
        steps = plan.steps
        if not steps:
            return values
        pending = list(schedule.indegree)
        readers = dict(schedule.readers)
        done: queue.SimpleQueue = queue.SimpleQueue()
        give = plan.pool.give if getattr(plan, "pool", None) is not None else None

        follow = schedule.follow
        stopped = [False]  # set once a step failed: workers then go on to nothing more

        def attempt(step: Any) -> Optional[BaseException]:
            try:
                if step.call is not None:  # a compiled step (buffers from the pool)
                    step.call(values)
                else:
                    result = step.fn(*[values[i] for i in step.inputs])
                    if step.single:
                        values[step.outputs[0]] = result
                    else:
                        store_outputs(step, values, result)
            except BaseException as exc:  # handed to the coordinating thread
                return exc
            return None

        def work(step: Any) -> None:
            # On a worker: each step's completion goes to the coordinating thread (which
            # frees its inputs and starts its other consumers); its continuation, if any,
            # runs right here.
            while True:
                start = time.perf_counter()
                exc = attempt(step)
                end = time.perf_counter()
                after = follow[step.index] if exc is None and not stopped[0] else -1
                if after >= 0 and self._closed:
                    after = -1  # the coordinating thread's next submission reports it
                if after >= 0 and deadline is not None and time.monotonic() > deadline:
                    after = -1  # left to the coordinating thread, which reports the deadline
                done.put((step, exc, start, end, after >= 0))
                if after < 0:
                    return
                step = steps[after]

        inline = schedule.inline

        def dispatch(step: Any) -> None:
            if inline[step.index]:
                if deadline is not None and time.monotonic() > deadline:
                    raise deadline_error(step)
                start = time.perf_counter()
                exc = attempt(step)
                if exc is not None:
                    stopped[0] = True
                done.put((step, exc, start, time.perf_counter(), False))
            else:
                self._submit(work, step)

        # Steps that need nothing run inline first, so that they are done before any worker
        # starts (the continuations count on it).
        roots = [step for step in steps if pending[step.index] == 0]
        roots.sort(key=lambda step: not inline[step.index])
        for step in roots:
            dispatch(step)
        in_flight = len(roots)
        finished = 0
        failure: Optional[BaseException] = None
        while in_flight:
            # Steps side by side already keep the cores busy: no pass is split meanwhile.
            intra_op.crowded = in_flight > 1
            timeout = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:
                step, exc, start, end, continued = done.get(timeout=timeout)
            except queue.Empty:
                raise deadline_error(None) from None
            if not continued:  # else its continuation is now in flight on the same worker
                in_flight -= 1
            finished += 1
            if exc is not None:
                if failure is None:
                    stopped[0] = True
                    failure = node_error(step, values, exc)
                    if not isinstance(exc, errors.OpError):
                        failure.__cause__ = exc
                continue
            if failure is not None:
                continue
            if trace is not None:
                trace.append((step, start, end))
            for slot in schedule.unread[step.index]:
                values[slot] = None
            for slot in step.inputs:
                left = readers.get(slot)
                if left is not None:
                    if left == 1:
                        if give is not None and slot in step.big_slots:
                            release(values, slot, give)
                        else:
                            values[slot] = None
                        del readers[slot]
                    else:
                        readers[slot] = left - 1
            for c in schedule.consumers[step.index]:
                pending[c] -= 1
                if pending[c] == 0 and not (continued and c == follow[step.index]):
                    dispatch(steps[c])
                    in_flight += 1
        intra_op.crowded = False
        if failure is not None:
            raise failure
        return values
