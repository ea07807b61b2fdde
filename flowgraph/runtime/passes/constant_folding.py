"""Constant folding: a pure node whose inputs are all known is computed once, when the plan
is compiled, and its outputs become constants of the plan.

Also folds Shape, ShapeN, Size and Rank of fully known static shapes (a fed value always
has its tensor's static shape, so these facts hold whatever is fed). Results over
``max_folded_constant_in_bytes`` are left to run time, as are nodes with control inputs
(their order matters), targets and fetched nodes (a fetched node always runs, as in TF1).
Folded arrays are read-only, so nothing can change them between runs.
"""

from __future__ import annotations

import numpy as np

from flowgraph.runtime.ir import CONST, Node, PlanGraph, Value
from flowgraph.runtime.options import PlanOptions


def run(graph: PlanGraph, options: PlanOptions) -> int:
    targets = set(graph.targets)
    fetched = graph.fetched()
    folded = 0
    for node in graph.nodes:
        graph.resolve(node)
        if node in targets or node.controls or not node.outputs or not node.is_pure():
            continue
        if any(v.tensor is None or v in fetched for v in node.outputs):
            continue  # a fed output (the feed wins) or a fetched one (fetched nodes stay)
        results = _static(node)
        if results is None and all(v.kind == CONST for v in node.inputs):
            results = _compute(node)
        if results is None or not _small(results, options.max_folded_constant_in_bytes):
            continue
        for old, array in zip(list(node.outputs), results):
            graph.redirect(old, Value(CONST, old.dtype, old.shape, data=array,
                                      tensor=old.tensor))
        folded += 1
    graph.settle()
    if folded:
        graph.remove_dead()
    return folded


# Ops whose static_value depends on static shapes only (others, e.g. StridedSlice, read
# the graph's constant values, which a feed may override).
_SHAPE_OPS = frozenset({"Shape", "ShapeN", "Size", "Rank"})


def _static(node: Node):
    """The op's static_value (from shapes), for an unchanged original shape op."""
    if node.op_def.type_name not in _SHAPE_OPS or node.kernel is not None:
        return None
    custom = getattr(node.op_def, "static_value", None)
    if custom is None or node.op.op_def is not node.op_def:
        return None
    if [v.tensor for v in node.inputs] != list(node.op.inputs):
        return None  # inputs were rewired: the graph's static facts may not apply
    try:
        values = custom(node.op)
    except Exception:  # a static value that cannot be had is simply not folded
        return None
    if values is None or any(v is None for v in values):
        return None
    return [_frozen(np.asarray(v, dtype=t.dtype.np)) for v, t in zip(values, node.op.outputs)]


def _compute(node: Node):
    try:
        with np.errstate(all="ignore"):  # as at run time: inf / nan without warnings
            result = node.op_def.kernel(*[v.data for v in node.inputs])
    except Exception:  # it fails again at run time, with the node's context
        return None
    results = (result,) if len(node.outputs) == 1 else tuple(result)
    if len(results) != len(node.outputs):
        return None
    out = []
    for value, spec in zip(results, node.outputs):
        if not isinstance(value, (np.ndarray, np.generic)):
            return None  # e.g. a resource handle: leave it to run time
        array = np.asarray(value)
        if array.dtype != spec.dtype.np and not spec.dtype.is_string:
            return None
        out.append(_frozen(array))
    return out


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.flags.writeable = False
    return array


def _small(arrays: list, limit: int) -> bool:
    return sum(a.nbytes for a in arrays) <= limit
