"""Fusion: chains of elementwise ops, and a matmul followed by its bias and activation
(Grappler's "remapping"), become one node running a `FusedKernel`.

A chain grows along values read by exactly one op: each op after the first takes the
previous op's result (the chain value) and, possibly, other inputs (a bias, a constant,
the forward activation for a gradient). A value leaves the chain if it is fetched or read
by anyone else, so fusing never hides a value somebody needs. Ops after the first must not
have control inputs, and no node may wait (by control edge) for an op inside a chain; the
fused node inherits the first op's control inputs and runs where the last op ran.

With ``remapping`` alone, a matmul takes at most a bias add and one activation; with
``elementwise_fusion``, any chain of ops that have a form in flowgraph.runtime.elementwise
(with or without a matmul before them).
"""

from __future__ import annotations

from typing import Optional

from flowgraph import errors
from flowgraph.runtime import elementwise
from flowgraph.runtime.fused import FusedKernel, MatMulHead, compile_numexpr
from flowgraph.runtime.ir import Node, PlanGraph
from flowgraph.runtime.options import PlanOptions

_BIAS_ADDS = frozenset({"Add", "AddV2", "BiasAdd"})
# Longer chains are cut into several fused nodes (numexpr compiles expressions of up to a
# few hundred operations).
MAX_CHAIN_OPS = 64
_ACTIVATIONS = frozenset({"Relu", "Tanh", "Sigmoid", "Relu6", "Elu"})


class _Chain:
    __slots__ = ("head", "first", "main", "links")

    def __init__(self, head: Optional[Node], first: Optional[Node], main: int) -> None:
        self.head = head        # a MatMul node, or None
        self.first = first      # without a head: the first elementwise node
        self.main = main        # its input holding the chain value
        self.links: list = []   # (node, main position, Form) after the head / first node

    @property
    def nodes(self) -> list:
        start = [self.head] if self.head is not None else [self.first]
        return start + [n for n, _, _ in self.links]

    @property
    def tail(self) -> Node:
        return self.links[-1][0] if self.links else (self.head or self.first)

    def remapping_allows(self, node: Node) -> bool:
        """Remapping alone: matmul, then at most a bias add and an activation."""
        kinds = [n.op_def.type_name for n, _, _ in self.links]
        kind = node.op_def.type_name
        if kind in _BIAS_ADDS:
            chained = next((i for i, v in enumerate(node.inputs)
                            if v.producer is self.tail), 0)
            return not kinds and node.inputs[1 - chained].shape.ndims == 1
        return kind in _ACTIVATIONS and all(k in _BIAS_ADDS for k in kinds) and len(kinds) < 2


def run(graph: PlanGraph, options: PlanOptions) -> int:
    uses = graph.uses()
    fetched = graph.fetched()
    targets = set(graph.targets)
    waited_for = graph.control_users()
    open_chains: dict = {}  # chain value (a Value) -> _Chain
    chains = []
    for node in graph.nodes:
        if node in targets or node.op_def is None or len(node.outputs) != 1:
            continue
        out = node.outputs[0]
        if out.tensor is None:
            continue  # its output is fed
        chain = _extend(node, open_chains, uses, fetched, waited_for, options)
        if chain is None:
            chain = _start(node, options)
            if chain is None:
                continue
            chains.append(chain)
        open_chains[out] = chain
    fused = 0
    for chain in chains:
        if (chain.links or chain.head is not None) and len(chain.nodes) >= 2:
            _materialize(graph, chain)
            fused += 1
    return fused


def _extend(node: Node, open_chains: dict, uses: dict, fetched: set, waited_for: set,
            options: PlanOptions) -> Optional[_Chain]:
    if node.controls:
        return None
    for pos, v in enumerate(node.inputs):
        chain = open_chains.get(v)
        if chain is None or len(uses.get(v, ())) != 1 or v in fetched:
            continue
        if len(chain.links) + 1 >= MAX_CHAIN_OPS:
            continue
        if chain.tail in waited_for or not v.shape.is_compatible_with(node.outputs[0].shape):
            continue
        if not options.elementwise_fusion and (chain.head is None
                                               or not chain.remapping_allows(node)):
            continue
        form = elementwise.form_of(node, pos)
        if form is None:
            continue
        del open_chains[v]
        chain.links.append((node, pos, form))
        return chain
    return None


def _start(node: Node, options: PlanOptions) -> Optional[_Chain]:
    kind = node.op_def.type_name
    if kind == "MatMul" and options.remapping:
        out = node.outputs[0]
        if out.dtype.np.kind == "f" and all(v.dtype == out.dtype for v in node.inputs):
            return _Chain(node, None, 0)
        return None
    if not options.elementwise_fusion:
        return None
    for pos in range(len(node.inputs)):
        if elementwise.form_of(node, pos) is not None:
            return _Chain(None, node, pos)
    return None


def _materialize(graph: PlanGraph, chain: _Chain) -> None:
    members = chain.nodes
    tail = chain.tail
    inputs: list = []
    index: dict = {}

    def slot(v) -> int:
        i = index.get(v)
        if i is None:
            i = index[v] = len(inputs)
            inputs.append(v)
        return i

    if chain.head is not None:
        head_node = chain.head
        slot(head_node.inputs[0])
        if head_node.inputs[1] in index:  # x @ x: the head still reads inputs 0 and 1
            inputs.append(head_node.inputs[1])
        else:
            slot(head_node.inputs[1])
        main = -1
        head = MatMulHead(head_node.op_def.transpose_a, head_node.op_def.transpose_b)
        links = chain.links
    else:
        first = chain.first
        main = slot(first.inputs[chain.main])
        head = None
        links = [(first, chain.main, elementwise.form_of(first, chain.main))] + chain.links
    forms = []
    for node, _, form in links:
        sides = tuple(slot(node.inputs[i]) for i in form.sides)
        forms.append((form, sides))
    applies = [form.build(sides) for form, sides in forms]
    sides_all = tuple(sorted({i for _, sides in forms for i in sides} - {main}))
    dtype = tail.outputs[0].dtype.np
    numexpr = compile_numexpr(forms, main, dtype) if head is None else None
    fallback = _fallback(chain, index)
    kernel = FusedKernel(head, main, applies, sides_all, dtype, fallback, numexpr,
                         tuple(n.name for n in members))
    # The main input may only be overwritten in place if no op of the chain reads it again.
    kernel.main_is_side = head is None and any(main in sides for _, sides in forms)
    kernel.donatable = head is None and not kernel.main_is_side
    if any(form.mixes_rows for form, _ in forms):
        kernel.mixing = tuple(form.mixes_rows for form, _ in forms)
    first_node = members[0]
    fused = Node(tail.op, None, inputs, list(first_node.controls))
    fused.kernel = kernel
    fused.members = tuple(n.op for n in members)
    out = tail.outputs[0]
    out.producer = fused
    fused.outputs = [out]
    drop = set(members)
    graph.nodes = [fused if n is tail else n for n in graph.nodes if n is tail or n not in drop]


def _fallback(chain: _Chain, index: dict):
    """Runs the chain's original kernels one by one (for inputs the fused path does not
    take, e.g. a side operand that broadcasts the result to a larger shape)."""
    from flowgraph.runtime.kernels import plain_kernel
    steps = []
    nodes = chain.nodes
    for position, node in enumerate(nodes):
        if position == 0 and chain.head is not None:
            args = (0, 1)
        elif position == 0:
            args = tuple(index[v] for v in node.inputs)
        else:
            chained = next(pos for n, pos, _ in chain.links if n is node)
            args = tuple(-1 if i == chained else index[node.inputs[i]]
                         for i in range(len(node.inputs)))
        steps.append((plain_kernel(node), args, node.op))

    def fallback(*ins):
        value = None
        for fn, args, op in steps:
            try:
                value = fn(*[value if a == -1 else ins[a] for a in args])
            except errors.OpError:
                raise
            except Exception as exc:  # name the fused op that failed, not the last one
                kind = errors.ResourceExhaustedError if isinstance(exc, MemoryError) else \
                    errors.InvalidArgumentError
                raise kind(None, op, f"{type(exc).__name__}: {exc}\n  [[{op.describe()}]]"
                           ) from exc
        return value

    return fallback

