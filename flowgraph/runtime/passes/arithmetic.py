"""Arithmetic simplification (Grappler's arithmetic optimizer), exact rewrites only:

- ``x * 1``, ``1 * x``, ``x + 0``, ``0 + x``, ``x - 0``, ``x / 1`` -> ``x`` (the constant
  holds one element, so it cannot change x's shape, and x has the result's dtype);
- ``-(-x)`` -> ``x``;
- identities: Identity, StopGradient, PlaceholderWithDefault (not fed) and a Cast to x's
  own dtype -> ``x``; a Reshape to x's own (fully known) shape -> ``x``;
- a reshape of a reshape -> one reshape of the original;
- a transpose of a transpose -> one transpose by the composed permutation; a transpose by
  the identity permutation -> ``x``.

A node is only bypassed when nothing else depends on it as a node: it is not fetched, has
no control inputs and is no other node's control input. Reads of Variables (their ``read``
identities) are kept: when a Variable is read matters.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from flowgraph.runtime.ir import CONST, NODE, VARIABLE, Node, PlanGraph, Value
from flowgraph.runtime.options import PlanOptions

_IDENTITIES = frozenset({"Identity", "StopGradient", "PlaceholderWithDefault", "Snapshot"})
# op type -> (value the constant must have, positions where it may stand)
_NEUTRAL = {"Mul": (1, (0, 1)), "Add": (0, (0, 1)), "AddV2": (0, (0, 1)), "Sub": (0, (1,)),
            "RealDiv": (1, (1,)), "Div": (1, (1,))}


def run(graph: PlanGraph, options: PlanOptions) -> int:
    fetched = graph.fetched()
    control_users = graph.control_users()
    rewrites = 0
    for node in graph.nodes:
        graph.resolve(node)
        if node.op_def is None or node.controls or node in control_users:
            continue
        if len(node.outputs) != 1 or node.outputs[0] in fetched:
            continue
        out = node.outputs[0]
        same = _bypass(node, out)
        if same is not None:
            graph.redirect(out, same)
            rewrites += 1
        elif _rewire(node):
            rewrites += 1
    graph.settle()
    return rewrites


def _bypass(node: Node, out: Value) -> Optional[Value]:
    """The input `node`'s output always equals, or None."""
    kind = node.op_def.type_name
    inputs = node.inputs
    if out.tensor is None:
        return None  # a fed output: the node is not what fetches see
    if kind in _IDENTITIES:
        return _plain(inputs[0], out)
    if kind == "Cast" and inputs[0].dtype == out.dtype:
        return _plain(inputs[0], out)
    if kind == "Neg":
        inner = _producer(inputs[0], "Neg")
        return _plain(inner.inputs[0], out) if inner is not None else None
    if kind == "Transpose":
        perm = inputs[1]
        if perm.kind == CONST and np.array_equal(np.asarray(perm.data),
                                                 np.arange(np.size(perm.data))):
            return _plain(inputs[0], out)
        return None
    if kind == "Reshape":
        x = inputs[0]
        dims = x.shape.as_tuple() if x.shape is not None else None
        if dims is not None and None not in dims and out.shape.as_tuple() == dims:
            return _plain(x, out)
        return None
    neutral = _NEUTRAL.get(kind)
    if neutral is None or len(inputs) != 2:
        return None
    value, positions = neutral
    for pos in positions:
        const, x = inputs[pos], inputs[1 - pos]
        if const.kind == CONST and _all_equal(const.data, value) and _fits(const, x, out):
            return _plain(x, out)
    return None


def _plain(x: Value, out: Value) -> Optional[Value]:
    # A Variable's value is read by the node standing between: keep that node.
    if x.kind == VARIABLE or x.dtype != out.dtype:
        return None
    return x


def _producer(v: Value, kind: str) -> Optional[Node]:
    node = v.producer if v.kind == NODE else None
    if node is not None and node.op_def is not None and node.op_def.type_name == kind:
        return node
    return None


def _all_equal(data, value) -> bool:
    try:
        return data.size == 1 and data.dtype.kind in "iuf" and bool(data.reshape(()) == value)
    except (AttributeError, TypeError, ValueError):
        return False


def _fits(const: Value, x: Value, out: Value) -> bool:
    """True when broadcasting the one-element `const` against x leaves x's shape as is."""
    ndims = x.shape.ndims
    return ndims is not None and const.data.ndim <= ndims and x.dtype == out.dtype


def _rewire(node: Node) -> bool:
    """Reshape(Reshape(x)) -> Reshape(x); Transpose(Transpose(x)) -> Transpose(x)."""
    kind = node.op_def.type_name
    if kind == "Reshape":
        inner = _producer(node.inputs[0], "Reshape")
        if inner is None:
            return False
        node.inputs = [inner.inputs[0], node.inputs[1]]
        return True
    if kind == "Transpose":
        inner = _producer(node.inputs[0], "Transpose")
        if inner is None:
            return False
        outer_perm, inner_perm = node.inputs[1], inner.inputs[1]
        if outer_perm.kind != CONST or inner_perm.kind != CONST:
            return False
        p2 = np.asarray(outer_perm.data).astype(np.int64)
        p1 = np.asarray(inner_perm.data).astype(np.int64)
        if p1.shape != p2.shape or p1.ndim != 1 or \
                sorted(p1.tolist()) != list(range(p1.size)) or \
                sorted(p2.tolist()) != list(range(p2.size)):
            return False  # an invalid permutation fails at run time, as written
        composed = np.asarray(p1[p2], dtype=outer_perm.data.dtype)
        composed.flags.writeable = False
        perm = Value(CONST, outer_perm.dtype, outer_perm.shape, data=composed)
        node.inputs = [inner.inputs[0], perm]
        return True
    return False
