"""Which ops to draw: a whole graph, or the ops a Session run of some fetches executes."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import Graph, Operation, Tensor, get_default_graph
from flowgraph.runtime.plan import prune


def select_ops(graph_or_fetches: Any = None, graph: Optional[Graph] = None) -> tuple:
    """``(graph, ops)``: the ops to draw, in creation order.

    `graph_or_fetches` is a Graph (all its ops), None (the default graph, or `graph`), or
    a fetch: a Tensor, an Operation, a Variable, a name (looked up in `graph`, default: the
    default graph), or a list / tuple / set / dict of them. A fetch draws only the ops a
    ``Session.run`` of it would execute.
    """
    if graph_or_fetches is None:
        graph = graph if graph is not None else get_default_graph()
        return graph, graph.get_operations()
    if isinstance(graph_or_fetches, Graph):
        if graph is not None and graph is not graph_or_fetches:
            raise ValueError("graph_or_fetches is a Graph and graph= names another one: pass "
                             "one of them.")
        return graph_or_fetches, graph_or_fetches.get_operations()
    items = _flatten(graph_or_fetches)
    if not items:
        raise ValueError("Nothing to draw: the list of fetches is empty. Pass a Graph, a "
                         "Tensor or an Operation, or a list of them.")
    if graph is None:
        graph = next((_graph_of(i) for i in items if _graph_of(i) is not None), None)
        graph = graph if graph is not None else get_default_graph()
    tensors: list = []
    targets: list = []
    for item in items:
        element = graph.as_graph_element(item)
        (tensors if isinstance(element, Tensor) else targets).append(element)
    return graph, prune(tensors, targets, set())


def _flatten(value: Any) -> list:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        result = []
        for item in value:
            result.extend(_flatten(item))
        return result
    return [value]


def _graph_of(item: Any) -> Optional[Graph]:
    if isinstance(item, (Tensor, Operation)):
        return item.graph
    graph = getattr(item, "graph", None)
    return graph if isinstance(graph, Graph) else None
