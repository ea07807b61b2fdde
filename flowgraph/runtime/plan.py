"""Execution plans: prune the graph to what a run needs, order it, and plan memory.

A Plan is compiled once per (fetches, feeds) signature and cached by the Session. Every
tensor the run touches gets a slot in a flat list of values; constants are preloaded into a
template list, so they cost nothing per run; every other slot is cleared right after the
last step that reads it, so intermediates are freed as soon as possible.
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

import networkx as nx

from flowgraph import errors
from flowgraph.graph import Operation, Tensor
from flowgraph.runtime.state import NodeContext, SessionState, uninitialized_error


class VariableRef:
    """What a kernel receives at a by-reference input: the variable's key, not its value."""

    __slots__ = ("key", "op")

    def __init__(self, op: Operation) -> None:
        self.key = op.name
        self.op = op

    def __repr__(self) -> str:
        return f"VariableRef({self.key!r})"


class Step:
    """One node to run: its bound kernel, where its inputs are, where its outputs go."""

    __slots__ = ("op", "fn", "inputs", "outputs", "single", "frees", "index")

    def __init__(self, op: Operation, fn: Any, inputs: tuple, outputs: tuple) -> None:
        self.op = op
        self.fn = fn
        self.inputs = inputs
        self.outputs = outputs
        self.single = len(outputs) == 1
        self.frees: tuple = ()
        self.index = 0


class Plan:
    """The compiled form of one (fetches, feeds) signature of a Session's graph."""

    def __init__(self, fetches: Sequence[Tensor], targets: Sequence[Operation],
                 feeds: Sequence[Tensor], state: SessionState) -> None:
        self.fetches = list(fetches)
        self.targets = list(targets)
        self.feeds = list(feeds)
        self.ops = prune(self.fetches, self.targets, set(self.feeds))
        self._check_feeds_present()
        self._assign_slots(state)
        self._plan_frees()

    # -- building
    def _check_feeds_present(self) -> None:
        for op in self.ops:
            if getattr(op.op_def, "requires_feed", False):
                site = op.creation_site
                where = f"\nThe placeholder was created at:\n  {site}" if site else ""
                shape = op.outputs[0].shape
                raise errors.InvalidArgumentError(
                    None, op, f"You must feed a value for placeholder tensor '{op.name}' with "
                    f"dtype {op.outputs[0].dtype.name} and shape {shape}: the fetches depend "
                    f"on it.{where}\nAdd it to feed_dict: sess.run(..., feed_dict={{"
                    f"{op.name}: value}}).")

    def _assign_slots(self, state: SessionState) -> None:
        slot_of: dict = {}
        template: list = []

        def new_slot(value: Any = None) -> int:
            template.append(value)
            return len(template) - 1

        fed = set(self.feeds)
        self.feed_slots = [slot_of.setdefault(t, new_slot()) for t in self.feeds]
        self.preloaded: set = set()
        steps = []
        for op in self.ops:
            op_def = op.op_def
            if op_def.type_name == "Const" and not op.control_inputs:
                slot_of[op.outputs[0]] = new_slot(op_def.value)
                self.preloaded.add(len(template) - 1)
                continue
            if getattr(op_def, "is_variable", False):
                # A Variable is read when a consumer runs (after the consumer's control
                # inputs, e.g. an assign), not when the Variable node is reached.
                slot_of[op.outputs[0]] = new_slot(VariableRef(op))
                self.preloaded.add(len(template) - 1)
                continue
            inputs = []
            reads = []
            for i, t in enumerate(op.inputs):
                if i in op_def.ref_inputs:
                    inputs.append(new_slot(_variable_ref(op, t)))
                    self.preloaded.add(len(template) - 1)
                else:
                    inputs.append(slot_of[t])
                    if getattr(t.op.op_def, "is_variable", False):
                        reads.append(i)
            # A fed output keeps its fed value: the node's own result goes to a spare slot.
            outputs = tuple(new_slot() if t in fed else slot_of.setdefault(t, new_slot())
                            for t in op.outputs)
            fn = bind_kernel(op, state)
            if reads:
                fn = _reading_variables(fn, tuple(reads), state)
            steps.append(Step(op, fn, tuple(inputs), outputs))
        for i, step in enumerate(steps):
            step.index = i
        self.steps = steps
        self.template = template
        self.slot_of = slot_of
        self.fetch_slots = [slot_of[t] for t in self.fetches]
        self.state = state
        # Fetches of a Variable node itself hold a VariableRef until read at the end.
        self.fetch_reads = any(isinstance(template[s], VariableRef) for s in self.fetch_slots)

    def read_fetches(self, values: list) -> list:
        """The fetched values, reading Variables fetched directly."""
        result = [values[s] for s in self.fetch_slots]
        if self.fetch_reads:
            result = [read_variable(v, self.state) if isinstance(v, VariableRef) else v
                      for v in result]
        return result

    def _plan_frees(self) -> None:
        last_reader: dict = {}
        for step in self.steps:
            for slot in step.inputs:
                last_reader[slot] = step.index
        keep = set(self.fetch_slots)
        frees: dict = {}
        for slot, index in last_reader.items():
            if slot not in keep:
                frees.setdefault(index, []).append(slot)
        for step in self.steps:
            # Outputs nobody reads (e.g. an assign's result) are dropped at once too.
            unread = [s for s in step.outputs if s not in last_reader and s not in keep]
            step.frees = tuple(frees.get(step.index, ())) + tuple(unread)

    def consumers(self) -> dict:
        """{step index: [indices of steps that must wait for it]} (data and control edges)."""
        producer = {}
        for step in self.steps:
            for slot in step.outputs:
                producer[slot] = step.index
        by_op = {step.op: step.index for step in self.steps}
        result: dict = {step.index: [] for step in self.steps}
        for step in self.steps:
            deps = {producer[s] for s in step.inputs if s in producer}
            deps.update(by_op[c] for c in step.op.control_inputs if c in by_op)
            for d in deps:
                result[d].append(step.index)
        return result


def _variable_ref(op: Operation, t: Tensor) -> VariableRef:
    if not getattr(t.op.op_def, "is_variable", False):
        raise errors.InvalidArgumentError(
            None, op, f"{op.describe()} must take a Variable at this input, got {t.name} "
            f"(op type {t.op.type}).")
    return VariableRef(t.op)


def read_variable(ref: VariableRef, state: SessionState) -> Any:
    """The current value of a Variable, or FailedPreconditionError naming it."""
    try:
        return state.variables[ref.key]
    except KeyError:
        raise uninitialized_error(ref.op.graph, ref.key) from None


def _reading_variables(fn: Any, positions: tuple, state: SessionState) -> Any:
    variables = state.variables

    def run(*args: Any) -> Any:
        args = list(args)
        for i in positions:
            ref = args[i]
            try:
                args[i] = variables[ref.key]
            except KeyError:
                raise uninitialized_error(ref.op.graph, ref.key) from None
        return fn(*args)

    return run


def bind_kernel(op: Operation, state: SessionState) -> Any:
    """The callable that runs `op`: its kernel, bound to its node context if it needs one."""
    op_def = op.op_def
    fast = getattr(op_def, "fast_kernel", None)
    fn = (fast(op) if fast is not None else None) or op_def.kernel
    if op_def.needs_state:
        fn = functools.partial(fn, NodeContext(op, state))
    return fn


def prune(fetches: Sequence[Tensor], targets: Sequence[Operation], fed: set) -> list:
    """The ops the fetches and targets need (stopping at fed tensors), in execution order."""
    needed: set = set()
    stack = [t.op for t in fetches if t not in fed] + list(targets)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        refs = op.op_def.ref_inputs
        for i, t in enumerate(op.inputs):
            if t not in fed and i not in refs and t.op not in needed:
                stack.append(t.op)
        for c in op.control_inputs:
            if c not in needed and not _fed_placeholder(c, fed):
                stack.append(c)
    ordered = sorted(needed, key=lambda o: o._id)
    if _creation_order_is_valid(ordered, needed, fed):
        return ordered
    return _topological_order(needed, fed)


def _fed_placeholder(op: Operation, fed: set) -> bool:
    # As TF1: a control edge from a fed placeholder is satisfied by the feed.
    return getattr(op.op_def, "requires_feed", False) and all(t in fed for t in op.outputs)


def _creation_order_is_valid(ordered: list, needed: set, fed: set) -> bool:
    # Nodes are created after their inputs, so creation order is a valid order unless
    # control edges were added to existing nodes afterwards.
    for op in ordered:
        for c in op.control_inputs:
            if c._id > op._id:
                return False
    return True


def _topological_order(needed: set, fed: set) -> list:
    dag = nx.DiGraph()
    dag.add_nodes_from(needed)
    for op in needed:
        refs = op.op_def.ref_inputs
        for i, t in enumerate(op.inputs):
            if t not in fed and i not in refs:
                dag.add_edge(t.op, op)
        for c in op.control_inputs:
            if c in needed:
                dag.add_edge(c, op)
    try:
        return list(nx.lexicographical_topological_sort(dag, key=lambda o: o._id))
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(dag)
        names = " -> ".join(a.name for a, _ in cycle)
        raise errors.InvalidArgumentError(
            None, None, f"The graph has a cycle through control dependencies: {names}") from None
