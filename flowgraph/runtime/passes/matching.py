"""The loop of the passes that merge a node with the one feeding it: find each match, then
rewrite it."""

from __future__ import annotations

from typing import Any, Callable

from flowgraph.runtime.ir import Guards, Node, PlanGraph


def rewrite_each(graph: PlanGraph, match: Callable[[Node, Guards], Any],
                 rewrite: Callable[..., None]) -> int:
    """Calls ``rewrite(graph, node, found)`` for every node for which ``match(node,
    guards)`` finds something (not None; a tuple is passed on as several arguments);
    returns the number of rewrites."""
    guards = graph.guards()
    rewrites = 0
    for node in list(graph.nodes):
        found = match(node, guards)
        if found is not None:
            rewrite(graph, node, *(found if isinstance(found, tuple) else (found,)))
            rewrites += 1
    return rewrites
