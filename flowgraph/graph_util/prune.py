"""Sub-graph extraction and inference clean-up of GraphDefs (TF1's ``graph_util_impl``).

flowgraph's GraphDef writes every data input as ``"node:index"`` and control inputs as
``"^node"``; TF1's writes ``"node"`` for output 0. Both spellings are understood here.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Optional

from flowgraph.io.graph_def import GraphDef, NodeDef

__all__ = ["extract_sub_graph", "remove_training_nodes", "tensor_shape_from_node_def_name",
           "must_run_on_cpu"]

# Op types TF1 treats as variable-related (`graph_util_impl._is_variable_op`).
_VARIABLE_OPS = frozenset({"Variable", "VariableV2", "AutoReloadVariable", "VarHandleOp",
                           "ReadVariableOp"})


def node_name(input_name: str) -> str:
    """The node named by an input string: ``"^a"``, ``"a:1"`` and ``"a"`` all name ``a``."""
    if input_name.startswith("^"):
        return input_name[1:]
    return input_name.split(":")[0]


def _check_graph_def(graph_def: Any) -> None:
    if not isinstance(graph_def, GraphDef):
        raise TypeError(f"graph_def must be a GraphDef (from Graph.as_graph_def() or "
                        f"GraphDef.FromString), but got type {type(graph_def)}.")


def _check_dest_nodes(dest_nodes: Any) -> list:
    if isinstance(dest_nodes, (str, bytes)):
        # A lone name would be iterated character by character: TF1 refuses it too.
        raise TypeError(f"dest_nodes must be an iterable of strings, but got type "
                        f"{type(dest_nodes)}. Wrap a single name in a list: [{dest_nodes!r}].")
    return list(dest_nodes)


def extract_sub_graph(graph_def: GraphDef, dest_nodes: Iterable[str]) -> GraphDef:
    """The sub-graph of `graph_def` that `dest_nodes` need (through data and control
    inputs), with the nodes in their original order.

    Parameters
    ----------
    graph_def : GraphDef
    dest_nodes : iterable of str
        Node names (not tensor names) to keep with everything they depend on.

    Returns
    -------
    GraphDef
        A new GraphDef; the nodes are copies.

    Raises
    ------
    TypeError
        If `graph_def` is not a GraphDef or `dest_nodes` is a single string.
    AssertionError
        If a destination node is not in the graph (TF1's error class, with its message
        ``"<name> is not in graph"``).
    """
    _check_graph_def(graph_def)
    dest_nodes = _check_dest_nodes(dest_nodes)
    by_name = {node.name: node for node in graph_def.node}
    for name in dest_nodes:
        if name not in by_name:
            # TF1 raises AssertionError here; raised explicitly so `python -O` keeps it.
            raise AssertionError(f"{name} is not in graph")
    keep = reachable_nodes(dest_nodes, by_name)
    nodes = [copy.deepcopy(node) for node in graph_def.node if node.name in keep]
    return GraphDef(nodes, copy.deepcopy(graph_def.versions))


def reachable_nodes(targets: Iterable[str], by_name: dict) -> set:
    """Names of `targets` and of every node they reach through their inputs."""
    keep: set = set()
    pending = list(targets)
    while pending:
        name = pending.pop()
        if name in keep:
            continue
        keep.add(name)
        node = by_name.get(name)
        if node is not None:
            pending.extend(node_name(i) for i in node.input)
    return keep


def remove_training_nodes(input_graph: GraphDef,
                          protected_nodes: Optional[Iterable[str]] = None) -> GraphDef:
    """A copy of `input_graph` without the nodes only useful in training.

    `CheckNumerics` nodes are removed and `Identity` / `StopGradient` nodes are spliced
    out (their consumers read their input directly), unless they are named in
    `protected_nodes`, are the source of a control edge, or have control inputs
    themselves (as TF1). TF1 drops the data inputs of a removed `CheckNumerics` from its
    consumers; flowgraph reconnects them to its input instead, so the result still runs.

    Parameters
    ----------
    input_graph : GraphDef
    protected_nodes : iterable of str, optional
        Names of nodes to keep whatever their type (e.g. an ``Identity`` output node).

    Returns
    -------
    GraphDef
    """
    _check_graph_def(input_graph)
    protected = set(protected_nodes or ())
    control_sources = set()
    with_control_inputs = set()
    for node in input_graph.node:
        for name in node.input:
            if name.startswith("^"):
                control_sources.add(name[1:])
                with_control_inputs.add(node.name)
    splice = {}
    for node in input_graph.node:
        if node.name in protected or not node.input:
            continue
        if node.op == "CheckNumerics" or (
                node.op in ("Identity", "StopGradient")
                and node.name not in with_control_inputs
                and node.name not in control_sources):
            splice[node.name] = node.input[0]
    nodes = []
    for node in input_graph.node:
        if node.name in splice:
            continue
        new = copy.deepcopy(node)
        new.input = [_spliced_input(name, splice) for name in node.input]
        new.input = [name for name in new.input if name is not None]
        nodes.append(new)
    return GraphDef(nodes, copy.deepcopy(input_graph.versions))


def _spliced_input(name: str, splice: dict) -> Optional[str]:
    if name.startswith("^"):
        # Only CheckNumerics can be a spliced control source: the edge goes with it.
        return None if name[1:] in splice else name
    seen = set()
    while node_name(name) in splice and _output_index(name) == 0:
        if name in seen:  # a cycle of identities cannot occur in a valid graph; be safe
            break
        seen.add(name)
        name = splice[node_name(name)]
    return name


def _output_index(name: str) -> int:
    _, _, index = name.partition(":")
    return int(index) if index.isdigit() else 0


def tensor_shape_from_node_def_name(graph: Any, input_name: str) -> Any:
    """The static shape of the tensor a NodeDef input string names (``"a"`` means
    ``"a:0"``) in `graph`."""
    canonical = input_name if ":" in input_name else input_name + ":0"
    return graph.get_tensor_by_name(canonical).get_shape()


def must_run_on_cpu(node: Any, pin_variables_on_cpu: bool = False) -> bool:
    """Whether TF1's device placement would keep `node` (an Operation or NodeDef) on the
    CPU: int32 and string constants, int32 DynamicStitch and casts from int32, and, with
    `pin_variables_on_cpu`, variable ops. flowgraph runs everything on the CPU; this
    answers TF1's question for scripts that assign devices with it."""
    op_type, attrs, input_dtype = _node_facts(node)
    if pin_variables_on_cpu and op_type in _VARIABLE_OPS:
        return True
    if op_type == "Const":
        return _dtype_name(attrs.get("dtype")) in ("string", "int32")
    if op_type in ("DynamicStitch", "ParallelDynamicStitch", "Cast"):
        return _dtype_name(input_dtype) == "int32"
    return False


def _node_facts(node: Any) -> tuple:
    from flowgraph.graph import Operation
    if isinstance(node, Operation):
        attrs = node.op_def.attributes()
        dtype = None
        if node.type == "Const":
            dtype = attrs.get("dtype")
        elif node.type == "Cast" and node.inputs:
            dtype = node.inputs[0].dtype
        elif node.type.endswith("DynamicStitch") and len(node.inputs) > 1:
            dtype = node.inputs[-1].dtype  # the data inputs follow the index inputs
        return node.type, attrs, dtype
    if isinstance(node, NodeDef):
        # A NodeDef alone does not say its inputs' dtypes: use TF1's attribute names.
        attrs = dict(node.attr)
        return node.op, attrs, attrs.get("SrcT", attrs.get("T"))
    raise TypeError(f"must_run_on_cpu expects an Operation or a NodeDef, got "
                    f"{type(node).__name__}")


def _dtype_name(dtype: Any) -> str:
    return getattr(dtype, "name", str(dtype))
