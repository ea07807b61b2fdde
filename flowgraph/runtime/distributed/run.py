"""One `Session.run` on a Dask cluster: send the stages' tasks, run client nodes between
them, wait, gather, and update the Session's state."""

from __future__ import annotations

import time
import uuid
import warnings
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.runtime.distributed.failures import Watch
from flowgraph.runtime.distributed.nodes import INLINE_BYTES
from flowgraph.runtime.distributed.remote import MISSING, Box, run_group
from flowgraph.runtime.executor import node_error
from flowgraph.runtime.plan import VariableRef
from flowgraph.runtime.state import uninitialized_error


class Run:
    """One `Session.run` on the cluster."""

    def __init__(self, executor: Any, compiled: Any, values: list,
                 deadline: Optional[float], trace: Optional[list]) -> None:
        self.executor = executor
        self.client = executor.client
        self.compiled = compiled
        self.program = compiled.program
        self.plan = compiled.plan()
        self.state = self.plan.state
        self.values = values
        self.trace = trace
        self.token = uuid.uuid4().hex
        self.futures: dict = {}  # unit index -> Future
        self.by_key: dict = {}  # Dask key -> unit index
        self.results: dict = {}  # unit index -> tuple of exports (gathered or local)
        self.watch: Optional[Watch] = None
        self.deadline = deadline

    def execute(self) -> None:
        program = self.program
        state = self.state
        with state.lock:
            self.initial = {k: state.variables.get(k, MISSING) for k in program.initial}
            rngs = getattr(state, "_rngs", {})
            self.rngs = {u.index: {n: rngs[n] for n in u.stateful_ops if n in rngs}
                         for u in program.units if u.remote}
        pinned = self.executor.workers_for(program.tasks)
        self.watch = Watch(self.client, self.deadline, pinned, self.executor.poll_s,
                           self.executor.unavailable_after_s)
        data = self.compiled.data()
        try:
            for stage in range(program.stages):
                self._submit(stage, pinned, data)
                for unit in program.units:
                    if unit.stage == stage and not unit.remote:
                        self._run_on_client(unit)
            self._wait([i for i in program.sinks if i in self.futures])
            self._gather()
        except errors.UnavailableError:
            self.executor.forget_workers()
            self._cancel()
            raise
        except BaseException:
            self._cancel()
            raise
        finally:
            for future in self.futures.values():
                future.release()
        self._finish()

    # -- sending work
    def _submit(self, stage: int, pinned: dict, data: dict) -> None:
        layers: dict = {}
        keys: dict = {}
        units = [u for u in self.program.units if u.remote and u.stage == stage]
        for unit in units:
            keys[unit.index] = f"{unit.name}-{self.token}"
        extra: dict = {}
        self.sent = {}  # Variable key -> (array, data key) sent with this stage
        for unit in units:
            args = [data[("spec", unit.index)], Box(self.rngs[unit.index] or None)]
            for source in sorted(unit.args, key=unit.args.get):
                args.append(self._argument(source, keys, data, extra, stage))
            address = pinned.get(unit.task) if unit.task is not None else None
            layers.setdefault(address, {})[keys[unit.index]] = (run_group, *args)
        if not units:
            return
        layers.setdefault(None, {}).update(extra)
        sent = list(self.sent.items())
        wanted = [keys[u.index] for u in units] + [key for _, (_, key) in sent]
        futures = submit(self.client, layers, wanted)
        for unit, future in zip(units, futures):
            self.futures[unit.index] = future
            self.by_key[future.key] = unit.index
        if sent:
            self.executor.keep({name: (value, future) for (name, (value, _)), future
                                in zip(sent, futures[len(units):])})

    def _argument(self, source: tuple, keys: dict, data: dict, extra: dict, stage: int) -> Any:
        kind = source[0]
        if kind == "unit":
            index = source[1]
            if index in keys:
                return keys[index]
            if index in self.futures:
                return self.futures[index]
            return Box(self.results[index])  # a unit that ran on the client
        if kind == "const":
            return data[source]
        if kind == "feed":
            value = self.values[self.plan.feed_slots[source[1]]]
        else:
            value = self.initial[source[1]]
        if getattr(value, "nbytes", 0) <= INLINE_BYTES:
            return Box(value)
        if kind == "var":
            future = self.executor.resident(source[1], value)
            if future is not None:
                return future
        key = f"flowgraph-{kind}-{source[1]}-{stage}-{self.token}"
        if key not in extra:
            extra[key] = Box(value)
            if kind == "var":
                self.sent[source[1]] = (value, key)
        return key

    # -- nodes that run on the client
    def _run_on_client(self, unit: Any) -> None:
        op = unit.ops[0]
        state = self.state
        current = {}
        for key, source in unit.versions:
            current[key] = self.initial[key] if source[0] == "var" else \
                self._export(source[1], source[2])
        with state.lock:  # the Session's own kernels read its state: bring it up to date
            for key, value in current.items():
                if value is MISSING:
                    state.variables.pop(key, None)
                else:
                    state.variables[key] = value
        inputs = []
        for source in unit.sources:
            kind = source[0]
            if kind == "feed":
                inputs.append(self.values[self.plan.feed_slots[source[1]]])
            elif kind == "c":
                inputs.append(source[1])
            elif kind == "r":
                inputs.append(VariableRef(source[1]))
            elif kind in ("x", "alias"):
                key = source[1].name if kind == "x" else source[1]
                value = current[key] if kind == "x" else self.initial[key]
                if value is MISSING:
                    raise uninitialized_error(op.graph, key)
                inputs.append(value)
            else:
                inputs.append(self._export(source[1], source[2]))
        start = time.perf_counter()
        try:
            with np.errstate(all="ignore"):
                result = self.compiled.client_kernels[unit.index](*inputs)
        except Exception as exc:
            raise node_error(_Traced(op, len(inputs)), inputs, exc) from (
                None if isinstance(exc, errors.OpError) else exc)
        if self.trace is not None:
            self.trace.append((_Traced(op), start, time.perf_counter()))
        outputs = (result,) if len(op.outputs) == 1 else tuple(result or ())
        exports = [None] * len(unit.exports)
        for desc, index in unit.exports.items():
            if desc[0] == "t":
                exports[index] = outputs[desc[1].value_index]
            else:
                exports[index] = state.variables.get(desc[1], MISSING)
        self.results[unit.index] = tuple(exports)

    def _export(self, index: int, position: int) -> Any:
        if index not in self.results:
            self.results[index] = self._collect([index])[0]
        return self.results[index][position]

    # -- waiting and collecting
    def _describe(self, future: Any) -> tuple:
        """(first node, its description, unit index) of the unit a future computes."""
        index = self.by_key[future.key]
        op = self.program.units[index].ops[0]
        return op, op.describe(), index

    def _wait(self, indices: list) -> None:
        self.watch.wait([self.futures[i] for i in indices], self._describe)

    def _collect(self, indices: list) -> list:
        return self.watch.gather([self.futures[i] for i in indices], self._describe)

    def _gather(self) -> None:
        program = self.program
        wanted = {u for _, u, _ in program.fetches} | {u for _, u, _ in program.final}
        wanted |= {i for i, names in self.rngs.items() if names} | {
            u.index for u in program.units if u.remote and u.stateful_ops}
        if self.trace is not None:
            wanted |= set(self.futures)
        wanted = [i for i in sorted(wanted) if i in self.futures and i not in self.results]
        if wanted:
            self.results.update(zip(wanted, self._collect(wanted)))

    def _finish(self) -> None:
        program = self.program
        state = self.state
        for position, index, export in program.fetches:
            self.values[self.plan.fetch_slots[position]] = self.results[index][export]
        for position, key in program.alias_fetches:
            value = self.initial[key]
            if value is MISSING:
                raise uninitialized_error(self.plan.ops[0].graph, key)
            self.values[self.plan.fetch_slots[position]] = value
        with state.lock:
            for key, index, export in program.final:
                value = self.results[index][export]
                if value is MISSING:
                    continue
                if isinstance(value, np.ndarray):
                    value.flags.writeable = False  # as the Session stores its Variables
                state.variables[key] = value
            rngs = getattr(state, "_rngs", None)
            for unit in program.units:
                if unit.remote and unit.stateful_ops and rngs is not None:
                    rngs.update(self.results[unit.index][-2])
        if self.trace is not None:
            offset = time.perf_counter() - time.time()
            for unit in program.units:
                if unit.remote:
                    for op, (start, end) in zip(unit.ops, self.results[unit.index][-1]):
                        self.trace.append((_Traced(op), start + offset, end + offset))

    def _cancel(self) -> None:
        futures = list(self.futures.values())
        if futures and self.client.status == "running":
            try:
                self.client.cancel(futures, asynchronous=False)
            except Exception:  # the cluster is gone already: nothing left to cancel
                pass


class _Traced:
    """A step as the Session's trace recorder and `node_error` see it: its node."""

    __slots__ = ("op", "inputs")

    def __init__(self, op: Any, count: int = 0) -> None:
        self.op = op
        self.inputs = range(count)


def submit(client: Any, layers: dict, keys: list) -> list:
    """Futures of `keys`, from tasks given as {worker address or None: {key: task}}.

    Values travel inside graphs on purpose (the scheduler can then send them again if a
    worker is lost), so Dask's warning about large graphs is not for us.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sending large graph")
        return client.get(layered_graph(layers), keys, sync=False)


def layered_graph(layers: dict) -> Any:
    """A Dask graph whose tasks for pinned nodes may run only on their worker.

    (A HighLevelGraph also spares the values in the graph the hashing Dask gives plain
    dict graphs.)
    """
    from dask.highlevelgraph import HighLevelGraph, MaterializedLayer
    named = {}
    for address, tasks in layers.items():
        if address is None:
            named["flowgraph-anywhere"] = MaterializedLayer(tasks)
        else:
            named[f"flowgraph-on-{address}"] = MaterializedLayer(
                tasks, annotations={"workers": [address], "allow_other_workers": False})
    return HighLevelGraph(named, {name: set() for name in named})
