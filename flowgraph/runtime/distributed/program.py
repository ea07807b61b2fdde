"""A Plan cut into units of Dask work, once per plan.

The plan's ops are taken in plan order (the reference executor's order) and put into units:

- a *group* is a task on a worker: a node joins the group of its inputs when all of them
  (data, control, and the Variable versions it reads) come from that one group, the node is
  placed like the group, and it is cheap or the only reader of what it takes from the group;
  cheap nodes with no such inputs join one root group per placement. A node only ever waits
  for units made before it, so the units form a DAG. Heavy independent chains stay separate
  tasks, so Dask can run them on different workers at the same time.
- cheap pure nodes with no inputs from other nodes (e.g. a shape, a transposed constant)
  wait for their first reader and join its group, so that they run where they are used;
  a Variable's plain read before anything writes it (`v/read`) runs nowhere: its readers
  take the Variable's value from before the run, wherever they run.
- a *client* unit is one node that runs in the client process, on the Session's own state:
  ops whose kernels need more of the Session than its Variables and random generators
  (iterators, control flow with its compiled sub-graphs; see `nodes.runs_on_client`).

Variables: each write makes a new *version* of the Variable; a reader gets the version
current at its place in plan order, as with the sequential executor, and a group only
takes in a node whose versions are the ones the group has at that point. Units exchange
values and versions through *exports*: each unit lists what other units or the client need
from it (`wiring.py`).
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.runtime.distributed import wiring
from flowgraph.runtime.distributed.nodes import (
    is_cheap,
    is_constant,
    is_pure,
    is_variable,
    runs_on_client,
    task_of,
    written_variables,
)
from flowgraph.runtime.distributed.remote import GroupSpec


def _is_read(op: Any) -> bool:
    """Whether `op` is a plain read of a Variable (`v/read`, `v.read_value()`)."""
    return (op.op_def.type_name == "Identity" and not op.control_inputs
            and len(op.inputs) == 1 and is_variable(op.inputs[0].op))


def _fits(unit: "Unit", seen: dict) -> bool:
    """Whether a node that reads the Variable versions `seen` can run at the end of `unit`:
    the unit's own values of those Variables must be the same versions."""
    return all(unit.variables.get(key, version) == version for key, version in seen.items())


def _set_stage(unit: "Unit", units: list) -> int:
    """A unit's stage: one more than that of any client unit it waits for (for group units),
    at least that of every unit it waits for."""
    if unit.stage is None:
        unit.stage = 0  # (units form a DAG: no cycle can reach here again)
        unit.stage = max((_set_stage(units[d], units) + (units[d].remote is False and unit.remote)
                          for d in unit.deps), default=0)
    return unit.stage


class Unit:
    """A group of nodes run as one Dask task, or one node run on the client."""

    def __init__(self, index: int, remote: bool, task: Optional[int]) -> None:
        self.index = index
        self.remote = remote
        self.task = task
        self.ops: list = []
        self.deps: set = set()
        self.stage: Optional[int] = None
        self.exports: dict = {}  # ("t", tensor) | ("v", key, position) -> export index
        self.args: dict = {}  # argument source -> position among the task's arguments
        self.spec: Optional[GroupSpec] = None
        self.anchor: Any = None
        # {Variable key: the version its nodes see after the last one}: first the version
        # the unit starts from, then the unit's own writes.
        self.variables: dict = {}
        self.sources: list = []  # client units: per node input, its source
        self.versions: list = []  # client units: (key, source of the version it touches)

    @property
    def name(self) -> str:
        """The name of the node the unit was made for (its Dask keys start with it)."""
        return self.anchor.name

    def export(self, desc: tuple) -> int:
        return self.exports.setdefault(desc, len(self.exports))

    def arg(self, source: tuple) -> int:
        """The position of `source` among the task's arguments (after its spec and random
        generators)."""
        return self.args.setdefault(source, len(self.args))

    @property
    def stateful_ops(self) -> tuple:
        """Names of the nodes whose kernels take the Session's state (e.g. random ops, whose
        generators travel with the task)."""
        return tuple(op.name for op in self.ops if op.op_def.needs_state)


class Program:
    """The units of one plan, the order to run them in, and what the client gathers."""

    def __init__(self, plan: Any) -> None:
        self.feeds = {t: i for i, t in enumerate(plan.feeds)}
        self.units: list = []
        self._where: dict = {}  # op -> (unit index, position)
        self._producer: dict = {}  # tensor -> (unit index, position)
        self._seen: dict = {}  # op -> {variable key: version it touches}
        self._versions: dict = {}  # variable key -> latest (unit index, position)
        self._variable_ops: dict = {}
        self.aliases: dict = {}  # tensor -> key of the Variable whose value before the run it is
        self._group(plan)
        wiring.wire(self, plan)
        for unit in self.units:
            if unit.remote:
                wiring.finish_spec(unit)
        self.stages = max((u.stage for u in self.units), default=-1) + 1
        self.tasks = sorted({u.task for u in self.units if u.remote and u.task is not None})
        self.initial = sorted({s[1] for u in self.units for s in u.args if s[0] == "var"} |
                              {s[1] for u in self.units for _, s in u.versions
                               if s is not None and s[0] == "var"} |
                              {key for _, key in self.alias_fetches} |
                              {s[1] for u in self.units for s in u.sources if s[0] == "alias"})
        # What a run changes in the Session's state: Variables, and random generators.
        self.exclusive = sorted({f"var:{key}" for key in self._versions} | {
            f"rng:{op.name}" for u in self.units for op in u.ops
            if op.op_def.needs_state and not written_variables(op)})
        dependents = {d for u in self.units if u.remote for d in u.deps}
        # Errors reach every unit's dependents, so waiting for these sees any failure.
        self.sinks = [u.index for u in self.units if u.remote and u.index not in dependents]

    # -- pass 1: which unit each node goes to
    def _group(self, plan: Any) -> None:
        self._readers: dict = {}
        for op in plan.ops:
            for t in op.inputs:
                self._readers[t] = self._readers.get(t, 0) + 1
        for t in plan.fetches:
            self._readers[t] = self._readers.get(t, 0) + 1
        self._roots: dict = {}
        # Pure nodes with no dependencies (e.g. a Variable's read) wait for their first
        # reader and join its group, so that they run where their value is used.
        self._pending: dict = {}
        for op in plan.ops:
            if is_variable(op):
                self._variable_ops[op.name] = op
            if is_constant(op) or is_variable(op):
                continue
            deps, seen, waiting = self._dependencies(op)
            if _is_read(op) and not deps:
                # A Variable's read before anything writes it is its value before the run:
                # readers take that value directly, wherever they run.
                self.aliases[op.outputs[0]] = op.inputs[0].op.name
                continue
            if not deps and not waiting and is_pure(op) and is_cheap(op):
                self._pending[op] = seen
                continue
            unit = self._choose(op, deps, seen)
            for source in waiting:
                self._pull(source, unit)
            self._add(unit, op, deps, seen)
        for op, seen in list(self._pending.items()):
            self._add(self._choose(op, set(), seen), op, set(), seen)
        for unit in self.units:
            _set_stage(unit, self.units)

    def _choose(self, op: Any, deps: set, seen: dict) -> Unit:
        """The group `op` joins (see the module's docstring), or a new unit."""
        remote = not runs_on_client(op.op_def)
        task = task_of(op.device)
        cheap = is_cheap(op)
        candidate = None
        if remote and not deps and cheap:
            candidate = self._roots.get(task)  # (cannot make a cycle: it has no dependencies)
        elif remote and len(deps) == 1:
            candidate = self.units[next(iter(deps))]
            if not (cheap or all(self._readers.get(t) == 1 for t in op.inputs
                                 if self._producer.get(t, (None,))[0] == candidate.index)):
                candidate = None
        if candidate is not None and candidate.remote and candidate.task == task and \
                _fits(candidate, seen):
            return candidate
        unit = Unit(len(self.units), remote, task)
        unit.anchor = op
        self.units.append(unit)
        if remote and not deps and cheap and task not in self._roots:
            self._roots[task] = unit
        return unit

    def _add(self, unit: Unit, op: Any, deps: set, seen: dict) -> None:
        unit.deps |= deps - {unit.index}
        position = len(unit.ops)
        unit.ops.append(op)
        self._pending.pop(op, None)
        self._where[op] = (unit.index, position)
        self._seen[op] = seen
        for key, version in seen.items():
            unit.variables.setdefault(key, version)
        for t in op.outputs:
            self._producer[t] = (unit.index, position)
        for key in written_variables(op):
            self._versions[key] = unit.variables[key] = (unit.index, position)

    def _pull(self, source: Any, reader: Unit) -> None:
        """Puts a waiting pure node into the unit of its first reader (just before it), or
        where it would have gone had it not waited."""
        if source not in self._pending:
            return  # another input of the same reader pulled it already
        seen = self._pending[source]
        unit = reader
        if not (reader.remote and reader.task == task_of(source.device) and
                _fits(reader, seen)):
            unit = self._choose(source, set(), seen)
            reader.deps.add(unit.index)
        self._add(unit, source, set(), seen)

    def _dependencies(self, op: Any) -> tuple:
        """(units it depends on, {Variable key: version it touches}, waiting nodes it reads)."""
        deps: set = set()
        seen: dict = {}
        waiting: list = []
        for t in op.inputs:
            if t in self.feeds or is_constant(t.op):
                continue
            if is_variable(t.op):
                version = self._versions.get(t.op.name)
                seen[t.op.name] = version
                if version is not None:
                    deps.add(version[0])
            elif t in self.aliases:
                continue
            elif t.op in self._pending:
                waiting.append(t.op)
            else:
                deps.add(self._producer[t][0])
        for c in op.control_inputs:
            if c.outputs and c.outputs[0] in self.aliases:
                continue  # a read has no effects to wait for
            if c in self._pending:
                waiting.append(c)
            elif c in self._where:
                deps.add(self._where[c][0])
        return deps, seen, list(dict.fromkeys(waiting))
