"""Checks of a GraphDef before anything is built from it, and building its op definitions.

Node names must be unique and well formed, inputs must name nodes that exist (earlier or
later in the list), the graph must have no cycle (checked with networkx), counts are
bounded, and op types are looked up only in the op registry.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import errors
from flowgraph.graph import _NAME_RE
from flowgraph.io.attrs import MAX_DEPTH, GraphDefError

MAX_NODES = 1 << 22
MAX_INPUTS = 1 << 16
MAX_ATTRS = 1024
MAX_OUTPUT_INDEX = 1 << 20
UNBOUND_PREFIX = "$unbound_inputs_"


class OpTypeNotFoundError(errors.NotFoundError, ValueError):
    """A node names an op type that is not registered; also a ValueError (TF1's import)."""

    def __init__(self, message: str) -> None:
        errors.NotFoundError.__init__(self, None, None, message)


def lookup_op(op_type: str, node_name: str, where: str) -> type:
    """The registered op class of `op_type`; OpTypeNotFoundError listing close names."""
    from flowgraph.ops.registry import lookup
    try:
        return lookup(op_type)
    except KeyError as exc:
        raise OpTypeNotFoundError(f"{where}: node {node_name!r:.100} has op type "
                                  f"{op_type!r:.100}, which is not registered. "
                                  f"{exc.args[0] if exc.args else ''}") from None


def parse_input(text: str) -> tuple:
    """("name", index, is_control) of an input string "name:index", "name" or "^name".

    Raises ValueError for anything else."""
    if text.startswith("^"):
        return text[1:], -1, True
    name, sep, index = text.rpartition(":")
    if not sep:
        return text, 0, False
    if not index.isdigit() or len(index) > 7 or not name:
        raise ValueError(f"Cannot convert {text!r:.100} to a tensor name.")
    return name, int(index), False


def validate(graph_def: Any, where: str = "GraphDef") -> list:
    """Checks names, inputs, counts and cycles; returns the node indices in an order where
    every node comes after its inputs (the file's order wherever possible)."""
    import networkx as nx  # imported here: it is slow to import and only needed to read
    nodes = graph_def.node
    if len(nodes) > MAX_NODES:
        raise _invalid(where, f"{len(nodes)} nodes exceed the limit of {MAX_NODES}")
    index_of: dict = {}
    for i, node in enumerate(nodes):
        name = node.name
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise _invalid(where, f"node {i} has an invalid name {name!r:.100}")
        if name in index_of:
            raise _invalid(where, f"two nodes are named {name!r}")
        index_of[name] = i
    edges = nx.DiGraph()
    edges.add_nodes_from(range(len(nodes)))
    for i, node in enumerate(nodes):
        if len(node.input) > MAX_INPUTS:
            raise _invalid(where, f"node {node.name!r} has {len(node.input)} inputs, more "
                           f"than the limit of {MAX_INPUTS}")
        for text in node.input:
            source = _input_source(text, node.name, where)
            if source is None:
                continue  # an unbound input of a scoped export: must be in input_map
            if source not in index_of:
                raise _invalid(where, f"node {node.name!r} has input {text!r:.100}, but no "
                               f"node is named {source!r:.100}" + _close(source, index_of))
            edges.add_edge(index_of[source], i)
    try:
        return list(nx.lexicographical_topological_sort(edges))
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(edges)
        names = [nodes[a].name for a, _ in cycle] + [nodes[cycle[0][0]].name]
        raise _invalid(where, "the graph has a cycle: " + " -> ".join(names[:20])
                       + (" -> ..." if len(names) > 20 else "")
                       + "; a graph's nodes must not depend on themselves") from None


def _input_source(text: Any, node_name: str, where: str) -> Optional[str]:
    if not isinstance(text, str):
        raise _invalid(where, f"node {node_name!r}: inputs must be strings, got "
                       f"{type(text).__name__}")
    if text.startswith(UNBOUND_PREFIX) or text.startswith("^" + UNBOUND_PREFIX):
        return None
    try:
        name, index, _ = parse_input(text)
    except ValueError:
        raise _invalid(where, f"node {node_name!r} has a malformed input {text!r:.100}; "
                       "inputs look like 'name:0' or '^name'") from None
    if index >= MAX_OUTPUT_INDEX:
        raise _invalid(where, f"node {node_name!r}: output index in {text!r:.100} is too "
                       "large")
    return name


def build_op_def(node: Any, where: str) -> Any:
    """The op definition of `node`, rebuilt through the op class's dataclass constructor
    (so its coercions and ``check()`` validate the values); nested graph documents become
    Graphs."""
    op_class = lookup_op(node.op, node.name, where)
    fields = op_class.attribute_names()
    # TF1's add_shapes attribute describes the outputs; importing infers them again.
    attrs = {key: value for key, value in node.attr.items() if key != "_output_shapes"}
    unknown = [key for key in attrs if key not in fields]
    if unknown:
        raise _invalid(where, f"node {node.name!r} (op {node.op}) has no attribute "
                       f"{unknown[0]!r:.60}; its attributes are {list(fields)}")
    _check_nesting(node, where)
    try:
        values = {key: _to_graphs(value) for key, value in attrs.items()}
        return op_class(**values)
    except GraphDefError:
        raise
    except (TypeError, ValueError) as exc:
        raise _invalid(where, f"node {node.name!r} (op {node.op}) has invalid attributes: "
                       f"{exc}") from None


def _check_nesting(node: Any, where: str) -> None:
    """GraphDefError if an attribute nests tuples and graphs more than MAX_DEPTH levels
    deep (as a file may: an in-memory GraphDef could nest them without end, or contain
    itself); checked without recursion, before anything recurses over the values."""
    from flowgraph.io.graph_def import GraphDef
    stack = [(value, 0) for value in node.attr.values()]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:  # the limit attrs.decode_attr applies to files
            raise _invalid(where, f"node {node.name!r:.100} (op {node.op!r:.100}) has an "
                           f"attribute nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, (tuple, list)):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, GraphDef):
            stack.extend((item, depth + 1) for inner in value.node
                         for item in getattr(inner, "attr", {}).values())


def _to_graphs(value: Any) -> Any:
    from flowgraph.io.graph_def import GraphDef
    if isinstance(value, GraphDef):
        return graph_from_graph_def(value)
    if isinstance(value, tuple):
        return tuple(_to_graphs(v) for v in value)
    return value


def graph_from_graph_def(graph_def: Any) -> Any:
    """A new Graph holding `graph_def`'s nodes under their own names."""
    from flowgraph.graph import Graph
    from flowgraph.io.importer import import_graph_def
    graph = Graph()
    with graph.as_default():
        import_graph_def(graph_def, name="")
    return graph


def _close(name: str, known: dict) -> str:
    import difflib
    close = difflib.get_close_matches(name, list(known)[:100000], n=3)
    return f". Did you mean {close}?" if close else ""


def _invalid(where: str, message: str) -> GraphDefError:
    return GraphDefError(f"{where}: {message}")
