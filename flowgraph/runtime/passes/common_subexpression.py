"""Common-subexpression elimination: pure nodes computing the same op (equal typed
attributes) on the same inputs after the same control inputs are computed once. Equal small
constants are merged first, so that ``x + 1`` written twice with two constant nodes is
recognized as well. A fetched node is never merged away (its result keeps its name)."""

from __future__ import annotations

from flowgraph.runtime.ir import CONST, PlanGraph, Value
from flowgraph.runtime.options import PlanOptions

# Constants up to this size are compared by value.
_MAX_CONST_BYTES = 1024


def run(graph: PlanGraph, options: PlanOptions) -> int:
    merged = _merge_constants(graph)
    targets = set(graph.targets)
    fetched = graph.fetched()
    seen: dict = {}
    replaced: dict = {}  # duplicate node -> kept node
    for node in graph.nodes:
        graph.resolve(node)
        if replaced:
            node.controls = _dedup([replaced.get(c, c) for c in node.controls])
        if node in targets or not node.is_pure() or not node.outputs:
            continue
        if any(v.tensor is None for v in node.outputs):
            continue
        try:
            key = (type(node.op_def), node.op_def, tuple(id(v) for v in node.inputs),
                   frozenset(id(c) for c in node.controls))
            kept = seen.get(key)
        except (TypeError, ValueError):  # attributes that cannot be hashed: never merged
            continue
        if kept is None:
            seen[key] = node
            continue
        if any(v in fetched for v in node.outputs):
            continue
        for old, new in zip(node.outputs, kept.outputs):
            graph.redirect(old, new)
        replaced[node] = kept
        merged += 1
    graph.settle()
    if replaced:
        graph.nodes = [n for n in graph.nodes if n not in replaced]
    return merged


def _dedup(nodes: list) -> list:
    out = []
    for n in nodes:
        if n not in out:
            out.append(n)
    return out


def _merge_constants(graph: PlanGraph) -> int:
    canonical: dict = {}
    rewired = 0
    fetched = graph.fetched()
    for node in graph.nodes:
        for i, v in enumerate(node.inputs):
            if v.kind != CONST or v in fetched:
                continue
            key = _const_key(v)
            if key is None:
                continue
            first = canonical.setdefault(key, v)
            if first is not v:
                node.inputs[i] = first
                rewired += 1
    return 1 if rewired else 0


def _const_key(v: Value):
    data = v.data
    try:
        if data.nbytes > _MAX_CONST_BYTES or data.dtype.kind not in "biuf":
            return None
        return (data.dtype.str, data.shape, data.tobytes())
    except AttributeError:
        return None
