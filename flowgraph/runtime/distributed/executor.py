"""The Dask executor: runs a Session's plans on a Dask cluster.

Per plan (once): the plan is cut into units (`program.Program`); each group's spec and each
large constant are sent to the cluster as a Dask key of their own and reused by every run.
Per run: one Dask graph with one task per group (keys unique to the run), the fed values and
the Variable values the run reads as data; then the client waits (within the run's deadline,
watching the cluster), gathers the fetched values, the new Variable values and the random
generators' new states, and updates the Session's state. Nodes that run on the client
(`nodes.runs_on_client`) split a run into stages: the tasks that need them are sent once
they have run.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from typing import Any, Optional

from flowgraph import errors
from flowgraph.runtime.distributed import placement
from flowgraph.runtime.distributed.program import Program
from flowgraph.runtime.distributed.remote import Box, bound_locally
from flowgraph.runtime.distributed.run import Run, submit
from flowgraph.runtime.distributed.targets import connect, describe


class DaskExecutor:
    """Runs plans on the Dask cluster a Session's target names.

    Parameters
    ----------
    target : str or distributed.Client or cluster
        "tcp://host:8786" (a client is made, and closed with the Session), a
        `distributed.Client` (used as is, left open), or a cluster object.
    connect_timeout_s : float
        How long to wait for the scheduler when connecting.
    unavailable_after_s : float
        How long a run waits while the cluster has no workers or no scheduler connection
        before it fails with UnavailableError.
    """

    poll_s = 0.5

    def __init__(self, target: Any, connect_timeout_s: float = 30.0,
                 unavailable_after_s: float = 30.0) -> None:
        self.client, self._owned = connect(target, connect_timeout_s)
        self.address = describe(target)
        self.unavailable_after_s = unavailable_after_s
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._workers: dict = {}  # task number -> worker address, refreshed when stale
        self._state_locks: dict = {}  # "var:key" / "rng:name" -> Lock (see `run`)
        # Large Variable values already on the cluster: {key: (array, Future)}. A run whose
        # Variable still holds that very array (stored arrays are never changed in place)
        # uses the Future instead of sending the value again.
        self._resident: dict = {}

    # -- the Session's executor interface
    def worthwhile(self, plan: Any) -> bool:
        return True

    def shutdown(self) -> None:
        """Releases the cluster data of cached plans; closes the client if it made it."""
        with self._lock:
            compiled = list(self._compiled.values())
            self._compiled.clear()
            resident = list(self._resident.values())
            self._resident.clear()
        for entry in compiled:
            entry.release()
        for _, future in resident:
            future.release()
        if self._owned:
            self.client.close()

    def run(self, plan: Any, values: list, deadline: Optional[float] = None,
            trace: Optional[list] = None) -> list:
        """Runs `plan` on the cluster; fills the fetch slots of `values`, updates the
        Session's Variables and random generators."""
        compiled = self._compile(plan)
        program = compiled.program
        if not (program.units or program.alias_fetches):
            return values
        # A run reads the Variables it changes when it starts and writes them back when it
        # ends: two runs changing the same Variable (or drawing from the same generator)
        # take turns, so that neither loses the other's update.
        held = []
        try:
            for name in program.exclusive:
                lock = self._state_lock(name)
                timeout = -1 if deadline is None else max(deadline - time.monotonic(), 0)
                if not lock.acquire(timeout=timeout):
                    raise errors.DeadlineExceededError(
                        None, None, "Timed out waiting for another run that changes the same "
                        "Variables (RunOptions.timeout_in_ms).")
                held.append(lock)
            Run(self, compiled, values, deadline, trace).execute()
        except errors.OpError:
            raise
        except Exception as exc:
            if not _from_cluster(exc):
                raise
            raise errors.UnavailableError(
                None, None, f"The Dask cluster at {self.address} cannot run this: "
                f"{type(exc).__name__}: {exc}") from exc
        finally:
            for lock in reversed(held):
                lock.release()
        return values

    def _state_lock(self, name: str) -> threading.Lock:
        with self._lock:
            return self._state_locks.setdefault(name, threading.Lock())

    # -- helpers
    def _compile(self, plan: Any) -> "_Compiled":
        compiled = self._compiled.get(plan)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(plan)
                if compiled is None:
                    compiled = self._compiled[plan] = _Compiled(self.client, plan)
        return compiled

    def workers_for(self, tasks: list) -> dict:
        """{task number: worker address} for the tasks pinned nodes name."""
        if not tasks:
            return {}
        with self._lock:
            known = {t: self._workers.get(t) for t in tasks}
        if all(known.values()):
            return known
        found = placement.workers_for(self.client, tasks)
        with self._lock:
            self._workers.update(found)
        return found

    def forget_workers(self) -> None:
        with self._lock:
            self._workers.clear()

    def resident(self, key: str, value: Any) -> Any:
        """The Future holding `value` as Variable `key` on the cluster, or None."""
        found = self._resident.get(key)
        return found[1] if found is not None and found[0] is value else None

    def keep(self, kept: dict) -> None:
        """Records {key: (array, Future)} as resident Variable values."""
        with self._lock:
            replaced = [self._resident[k][1] for k in kept if k in self._resident]
            self._resident.update(kept)
        for future in replaced:
            future.release()


def _from_cluster(exc: BaseException) -> bool:
    """Whether `exc` says the Dask client, scheduler or network failed (not our code)."""
    module = type(exc).__module__ or ""
    return module.split(".")[0] in ("distributed", "tornado") or \
        isinstance(exc, (OSError, TimeoutError))


class _Compiled:
    """A plan's Program, and its per-plan data on the cluster (specs, large constants)."""

    def __init__(self, client: Any, plan: Any) -> None:
        self.client = client
        self.plan = weakref.ref(plan)
        self.program = Program(plan)
        self.client_kernels = {u.index: bound_locally(u.ops[0], plan.state)
                               for u in self.program.units if not u.remote}
        self._lock = threading.Lock()
        self._data: Optional[dict] = None

    def data(self) -> dict:
        """{("spec", unit index) | ("const", op): Future}: sent to the cluster once."""
        if self._data is None:
            with self._lock:
                if self._data is None:
                    token = uuid.uuid4().hex
                    graph = {}
                    names = {}
                    for unit in self.program.units:
                        if unit.remote:
                            key = f"flowgraph-spec-{unit.name}-{token}"
                            graph[key] = Box(unit.spec)
                            names[key] = ("spec", unit.index)
                            for source in unit.args:
                                if source[0] == "const":
                                    key = f"flowgraph-const-{source[1].name}-{token}"
                                    graph[key] = Box(source[1].op_def.value)
                                    names[key] = source
                    keys = list(graph)
                    futures = submit(self.client, {None: graph}, keys) if keys else []
                    self._data = {names[k]: f for k, f in zip(keys, futures)}
        return self._data

    def release(self) -> None:
        data, self._data = self._data, None
        for future in (data or {}).values():
            future.release()
