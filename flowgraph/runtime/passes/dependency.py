"""Pruning of no-ops (Grappler's dependency optimization): a NoOp that only groups control
dependencies (``tf.group``, an optimizer's ``minimize`` op used inside another group) is
dropped unless it is a target of the run; whoever waited for it waits for its own control
inputs instead. The order of the ops that do work is unchanged."""

from __future__ import annotations

from flowgraph.runtime.ir import PlanGraph
from flowgraph.runtime.options import PlanOptions


def run(graph: PlanGraph, options: PlanOptions) -> int:
    targets = set(graph.targets)
    removable = {node for node in graph.nodes
                 if node.op_def is not None and node.op_def.type_name == "NoOp"
                 and not node.inputs and not node.outputs and node not in targets}
    if not removable:
        return 0
    expanded: dict = {}

    def expand(node) -> list:
        # The non-removable nodes a removable one stands for (its controls, transitively).
        found = expanded.get(node)
        if found is None:
            found = []
            for c in node.controls:
                for d in (expand(c) if c in removable else [c]):
                    if d not in found:
                        found.append(d)
            expanded[node] = found
        return found

    for node in graph.nodes:
        if any(c in removable for c in node.controls):
            controls = []
            for c in node.controls:
                for d in (expand(c) if c in removable else [c]):
                    if d not in controls:
                        controls.append(d)
            node.controls = controls
    graph.nodes = [n for n in graph.nodes if n not in removable]
    return len(removable)
