"""Execution plans: prune the graph to what a run needs, optimize it, order it, plan memory.

A Plan is compiled once per (fetches, feeds) signature and cached by the Session:

1. prune: the ops the fetches and targets need (stopping at fed tensors), in a valid order;
2. optimize: the enabled passes rewrite a private copy of that part of the graph
   (flowgraph.runtime.ir, flowgraph.runtime.passes);
3. slots: every value the run touches gets a slot in a flat list; constants and Variable
   references are preloaded into a template list, so they cost nothing per run;
4. memory: each slot is cleared right after the last step that reads it (large arrays go
   back to the Session's buffer pool), and steps that can write into a given buffer get one
   (flowgraph.runtime.memory);
5. compile: each step becomes a pre-bound closure (flowgraph.runtime.compiler).

`run_sequential` (flowgraph.runtime.executor) runs any plan step by step through each
step's plain kernel: it is the reference the compiled and thread-pool paths are tested
against.
"""

from __future__ import annotations

import functools
from typing import Any, Optional, Sequence

import networkx as nx
import numpy as np

from flowgraph import errors
from flowgraph.graph import Operation, Tensor
from flowgraph.runtime import ir, memory
from flowgraph.runtime.kernels import bind_kernel, node_kernel, single_out_kernel
from flowgraph.runtime.options import PlanOptions
from flowgraph.runtime.state import SessionState, uninitialized_error

__all__ = ["Plan", "Step", "VariableRef", "prune", "bind_kernel", "read_variable"]

# The parallel executor's guess for a dimension it does not know statically.
_UNKNOWN_DIM = 64


class VariableRef:
    """What a kernel receives at a by-reference input: the variable's key, not its value."""

    __slots__ = ("key", "op")

    def __init__(self, op: Operation) -> None:
        self.key = op.name
        self.op = op

    def __repr__(self) -> str:
        return f"VariableRef({self.key!r})"


class Step:
    """One node to run: its kernel, where its inputs are, where its outputs go."""

    __slots__ = ("op", "fn", "kernel_fn", "inputs", "outputs", "single", "frees", "index",
                 "reads", "deps", "members", "input_names", "out_kernel", "donor",
                 "min_out_elements", "big_slots", "elements", "uses_all_cores", "call",
                 "run")

    def __init__(self, op: Operation, fn: Any, inputs: tuple, outputs: tuple) -> None:
        self.op = op
        self.fn = fn
        self.kernel_fn = fn
        self.inputs = inputs
        self.outputs = outputs
        self.single = len(outputs) == 1
        self.frees: tuple = ()
        self.index = 0
        self.reads: tuple = ()
        self.deps: tuple = ()
        self.members: tuple = (op,)
        self.input_names: tuple = ()
        self.out_kernel = None
        self.donor: Optional[int] = None
        self.min_out_elements = 0
        self.big_slots: frozenset = frozenset()
        self.elements = 0
        self.uses_all_cores = False
        self.call = None
        self.run = None


class Plan:
    """The compiled form of one (fetches, feeds) signature of a Session's graph.

    `options` (a PlanOptions; default: everything on) chooses the passes, the memory
    planner and the compiled executor; `PlanOptions.reference()` gives the plan exactly as
    the graph says, run by the reference loop.
    """

    def __init__(self, fetches: Sequence[Tensor], targets: Sequence[Operation],
                 feeds: Sequence[Tensor], state: SessionState,
                 options: Optional[PlanOptions] = None,
                 ops: Optional[list] = None) -> None:
        self.fetches = list(fetches)
        self.targets = list(targets)
        self.feeds = list(feeds)
        self.options = options if options is not None else PlanOptions()
        self.state = state
        # `ops`: an already pruned and ordered op list (partial runs skip the ops they ran).
        self.ops = ops if ops is not None else prune(self.fetches, self.targets,
                                                     set(self.feeds))
        self._check_feeds_present()
        graph = ir.build(self.ops, self.fetches, self.targets, self.feeds, _variable_ref)
        self.pass_counts: dict = {}
        if self.options.any_pass:
            from flowgraph.runtime.passes import optimize
            self.pass_counts = optimize(graph, self.options)
        self._assign_slots(graph, state)
        self._plan_frees()
        self.pool = state.pool if self.options.memory_planning and memory.ENABLED else None
        if self.pool is not None:
            self._plan_memory(graph)
        self._nodes = self._values = None  # (the plan graph is not needed any more)
        self.program: Optional[tuple] = None
        self.straight: Optional[tuple] = None
        if self.options.compiled:
            from flowgraph.runtime.compiler import compile_plan, straight_line
            self.program = compile_plan(self, self.pool)
            self.straight = straight_line(self)

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

    def _assign_slots(self, graph: ir.PlanGraph, state: SessionState) -> None:
        template: list = []
        slot_of_value: dict = {}
        preloaded: set = set()

        def slot(v: ir.Value) -> int:
            s = slot_of_value.get(v)
            if s is None:
                s = slot_of_value[v] = len(template)
                template.append(v.data if v.kind in (ir.CONST, ir.VARIABLE, ir.REF) else None)
                if v.kind in (ir.CONST, ir.VARIABLE, ir.REF):
                    preloaded.add(s)
            return s

        self.feed_slots = [slot(v) for v in graph.feeds]
        steps = []
        step_of: dict = {}
        for node in graph.nodes:
            inputs = tuple(slot(v) for v in node.inputs)
            outputs = tuple(slot(v) for v in node.outputs)
            fn = node_kernel(node, state)
            step = Step(node.op, fn, inputs, outputs)
            step.reads = tuple(i for i, v in enumerate(node.inputs) if v.kind == ir.VARIABLE)
            if step.reads:
                step.fn = _reading_variables(fn, step.reads, state)
            step.members = node.members
            step.input_names = tuple(v.name for v in node.inputs)
            step.deps = tuple(step_of[c].index for c in node.controls if c in step_of)
            step.elements = 0 if _is_variable_read(node) else \
                sum(_elements(v) for v in node.inputs + node.outputs)
            step.uses_all_cores = any(getattr(op.op_def, "uses_all_cores", False)
                                      for op in node.members)
            step.index = len(steps)
            step_of[node] = step
            steps.append(step)
        self.steps = steps
        self.template = template
        self.preloaded = preloaded
        self.fetch_slots = [slot(v) for v in graph.fetches]
        self.slot_of = {v.tensor: s for v, s in slot_of_value.items() if v.tensor is not None}
        self._values = slot_of_value
        self._nodes = {step.index: node for node, step in step_of.items()}
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
        self.last_reader = last_reader

    def _plan_memory(self, graph: ir.PlanGraph) -> None:
        """Marks large slots (recycled through the pool when freed) and gives buffer-writing
        kernels to the steps that can use one, with the input they may overwrite."""
        big = frozenset(s for v, s in self._values.items()
                        if v.kind == ir.NODE and _may_be_large(v))
        protected = set(self.fetch_slots) | self.preloaded | set(self.feed_slots)
        for step in self.steps:
            step.big_slots = big
            node = self._nodes[step.index]
            if not step.single or not (set(step.outputs) & big):
                continue
            kernel = single_out_kernel(node)
            if kernel is None:
                continue
            step.out_kernel = kernel
            step.min_out_elements = memory.MIN_POOL_BYTES // max(kernel.dtype.itemsize, 1)
            if kernel.donatable and kernel.main >= 0:
                donor = step.inputs[kernel.main]
                if (self.last_reader.get(donor) == step.index and donor not in protected
                        and step.inputs.count(donor) == 1):
                    step.donor = donor

    def execute(self, values: list, deadline: Optional[float] = None,
                trace: Optional[list] = None) -> list:
        """Runs the plan on `values` in order (compiled, or the reference loop)."""
        executor = _executor()
        if self.program is not None:
            return executor.run_compiled(self, values, deadline, trace)
        return executor.run_sequential(self, values, deadline, trace)

    def consumers(self) -> dict:
        """{step index: [indices of steps that must wait for it]} (data and control edges)."""
        producer = {}
        for step in self.steps:
            for slot in step.outputs:
                producer[slot] = step.index
        result: dict = {step.index: [] for step in self.steps}
        for step in self.steps:
            deps = {producer[s] for s in step.inputs if s in producer}
            deps.update(step.deps)
            for d in deps:
                result[d].append(step.index)
        return result


def _is_variable_read(node: ir.Node) -> bool:
    """An Identity of a Variable: it hands out the stored array, touching no data (so the
    thread-pool executor runs it inline instead of handing it to a worker)."""
    return node.op_def is not None and node.op_def.type_name == "Identity" and \
        bool(node.inputs) and all(v.kind == ir.VARIABLE for v in node.inputs)


@functools.cache
def _executor() -> Any:
    # (imported on first use: the executor imports this module; a loop body's plan runs
    # once per iteration, where an import statement's lookup alone cost 1% of an LSTM step)
    from flowgraph.runtime import executor
    return executor


def _elements(v: ir.Value) -> int:
    dims = v.shape.as_tuple() if v.shape is not None else None
    if dims is None:
        return _UNKNOWN_DIM * _UNKNOWN_DIM
    count = 1
    for d in dims:
        count *= _UNKNOWN_DIM if d is None else d
    return count


def _may_be_large(v: ir.Value) -> bool:
    """Whether the value may reach the buffer pool's size (unknown shapes may)."""
    try:
        itemsize = np.dtype(v.dtype.np).itemsize
    except TypeError:
        return False
    if v.dtype.is_string or not itemsize:
        return False
    size = v.static_size()
    return size is None or size * itemsize >= memory.MIN_POOL_BYTES


def _variable_ref(op: Operation, consumer: Optional[Operation] = None,
                  t: Optional[Tensor] = None) -> VariableRef:
    if consumer is not None and not getattr(op.op_def, "is_variable", False):
        raise errors.InvalidArgumentError(
            None, consumer, f"{consumer.describe()} must take a Variable at this input, got "
            f"{t.name} (op type {t.op.type}).")
    return VariableRef(op)


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
