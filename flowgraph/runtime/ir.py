"""The plan graph: a private, rewritable copy of the part of a graph one run needs.

The optimization passes (flowgraph.runtime.passes) rewrite this copy, never the user's
Graph. A `Value` is one tensor's value during a run: fed, a known constant, a Variable
(read when a consumer runs), a Variable reference (for ops that update it), or the output
of a `Node`. A `Node` runs one kernel: an original Operation's, or a fused one standing for
several Operations (``members``).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph.graph import Operation, Tensor

FED, CONST, VARIABLE, REF, NODE = "fed", "const", "variable", "ref", "node"


class Value:
    """One value of a run. ``kind``: FED, CONST (``data`` is the array), VARIABLE or REF
    (``data`` is the VariableRef), NODE (``producer`` made it, as its output ``index``)."""

    __slots__ = ("kind", "dtype", "shape", "data", "producer", "index", "tensor")

    def __init__(self, kind: str, dtype: Any, shape: Any, data: Any = None,
                 producer: Optional["Node"] = None, index: int = 0,
                 tensor: Optional[Tensor] = None) -> None:
        self.kind = kind
        self.dtype = dtype
        self.shape = shape
        self.data = data
        self.producer = producer
        self.index = index
        self.tensor = tensor

    @property
    def name(self) -> str:
        if self.tensor is not None:
            return self.tensor.name
        if self.producer is not None:
            return f"{self.producer.name}:{self.index}"
        return f"<{self.kind}>"

    def static_size(self) -> Optional[int]:
        """The number of elements when the static shape is fully known, else None."""
        dims = self.shape.as_tuple() if self.shape is not None else None
        if dims is None or None in dims:
            return None
        size = 1
        for d in dims:
            size *= d
        return size

    def __repr__(self) -> str:
        return f"Value({self.name}, {self.kind})"


class Node:
    """One step of the plan: ``op`` (the Operation it stands for; the last one for a fused
    node), ``op_def`` (None for a fused kernel), ``kernel`` (a runtime kernel replacing the
    op's own, or None), inputs, outputs and ``controls`` (nodes that must run first)."""

    __slots__ = ("op", "op_def", "kernel", "inputs", "outputs", "controls", "members")

    def __init__(self, op: Operation, op_def: Any, inputs: list, controls: list) -> None:
        self.op = op
        self.op_def = op_def
        self.kernel = None
        self.inputs = inputs
        self.outputs: list = []
        self.controls = controls
        self.members: tuple = (op,)

    @property
    def name(self) -> str:
        return self.op.name

    @property
    def type(self) -> str:
        return self.op_def.type_name if self.op_def is not None else "Fused"

    def is_pure(self) -> bool:
        """True for a node that only computes from its inputs (foldable, mergeable): not
        stateful, no Session state, no Variable references or reads, no sub-graph."""
        op_def = self.op_def
        if op_def is None or op_def.stateful or op_def.needs_state or op_def.ref_inputs:
            return False
        return all(v.kind not in (VARIABLE, REF) for v in self.inputs)

    def __repr__(self) -> str:
        return f"Node({self.name}, {self.type})"


class Guards:
    """A plan graph's readers of each value (`uses`), its fetched values, and its pinned
    nodes (another node's control input, or a target), which no pass may merge away."""

    __slots__ = ("uses", "fetched", "pinned")

    def __init__(self, uses: dict, fetched: set, pinned: set) -> None:
        self.uses = uses
        self.fetched = fetched
        self.pinned = pinned

    def private(self, value: Value) -> bool:
        """Whether `value` is read by exactly one node and not fetched."""
        return value not in self.fetched and len(self.uses.get(value, ())) == 1


class PlanGraph:
    """The nodes of one plan in a valid execution order, with its fetches and targets."""

    def __init__(self, nodes: list, fetches: list, targets: list, feeds: list) -> None:
        self.nodes = nodes
        self.fetches = fetches  # one Value per fetched tensor
        self.targets = targets  # Nodes that must run
        self.feeds = feeds      # one FED Value per fed tensor
        self._aliases: dict = {}

    # -- queries
    def uses(self) -> dict:
        """{Value: [(node, input position), ...]} over every node."""
        uses: dict = {}
        for node in self.nodes:
            for i, v in enumerate(node.inputs):
                uses.setdefault(v, []).append((node, i))
        return uses

    def control_users(self) -> set:
        """The nodes some other node has as a control input."""
        return {c for node in self.nodes for c in node.controls}

    def fetched(self) -> set:
        return set(self.fetches)

    def guards(self) -> "Guards":
        """What the rewriting passes must leave alone, as of now."""
        return Guards(self.uses(), self.fetched(),
                      self.control_users() | set(self.targets))

    # -- rewriting
    def redirect(self, old: Value, new: Value) -> None:
        """From now on, readers of `old` (and the fetches) read `new`. Passes call
        `resolve(node)` before looking at a node's inputs and `settle()` when done."""
        self._aliases[old] = new

    def resolve(self, node: Node) -> None:
        """Rewrites `node`'s inputs through the redirections made so far."""
        aliases = self._aliases
        if aliases and any(v in aliases for v in node.inputs):
            node.inputs = [self._final(v) for v in node.inputs]

    def _final(self, v: Value) -> Value:
        aliases = self._aliases
        while v in aliases:
            v = aliases[v]
        return v

    def settle(self) -> None:
        """Applies every redirection to all nodes and the fetches."""
        if not self._aliases:
            return
        for node in self.nodes:
            self.resolve(node)
        self.fetches = [self._final(v) for v in self.fetches]
        self._aliases = {}

    def remove_dead(self) -> int:
        """Drops the nodes that no fetch, target or kept node needs; returns how many."""
        producers = {}
        for node in self.nodes:
            for v in node.outputs:
                producers[v] = node
        live: set = set()
        stack = [producers[v] for v in self.fetches if v in producers] + list(self.targets)
        while stack:
            node = stack.pop()
            if node in live:
                continue
            live.add(node)
            stack.extend(producers[v] for v in node.inputs if v in producers)
            stack.extend(node.controls)
        before = len(self.nodes)
        self.nodes = [n for n in self.nodes if n in live]
        return before - len(self.nodes)


def build(ops: Sequence[Operation], fetches: Sequence[Tensor], targets: Sequence[Operation],
          feeds: Sequence[Tensor], variable_ref: Any) -> PlanGraph:
    """The plan graph of `ops` (pruned, in execution order). `variable_ref(op)` makes the
    VariableRef a Variable node's consumers get; `variable_ref(op, consumer, tensor)` the one
    a by-reference input gets (it raises for a tensor that is not a Variable)."""
    value_of: dict = {}
    fed = set(feeds)
    feed_values = []
    for t in feeds:
        v = value_of.setdefault(t, Value(FED, t.dtype, t.shape, tensor=t))
        feed_values.append(v)
    node_of: dict = {}
    nodes = []
    for op in ops:
        op_def = op.op_def
        if op_def.type_name == "Const" and not op.control_inputs:
            t = op.outputs[0]
            if t not in fed:
                value_of[t] = Value(CONST, t.dtype, t.shape, data=op_def.value, tensor=t)
            continue
        if getattr(op_def, "is_variable", False):
            t = op.outputs[0]
            if t not in fed:
                value_of[t] = Value(VARIABLE, t.dtype, t.shape, data=variable_ref(op), tensor=t)
            continue
        inputs = []
        for i, t in enumerate(op.inputs):
            if i in op_def.ref_inputs:
                inputs.append(Value(REF, t.dtype, t.shape, data=variable_ref(t.op, op, t)))
            else:
                inputs.append(value_of[t])
        controls = [node_of[c] for c in op.control_inputs if c in node_of]
        node = Node(op, op_def, inputs, controls)
        for i, t in enumerate(op.outputs):
            # A fed output keeps its fed value: the node's own result goes nowhere.
            v = Value(NODE, t.dtype, t.shape, producer=node, index=i,
                      tensor=None if t in fed else t)
            node.outputs.append(v)
            if t not in fed:
                value_of[t] = v
        node_of[op] = node
        nodes.append(node)
    fetch_values = [value_of[t] for t in fetches]
    target_nodes = [node_of[op] for op in targets if op in node_of]
    return PlanGraph(nodes, fetch_values, target_nodes, feed_values)
