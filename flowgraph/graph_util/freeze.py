"""Freezing (TF1's ``graph_util.convert_variables_to_constants``): a GraphDef whose
Variables are Consts holding a Session's values, pruned to what the outputs need, so it
runs after `import_graph_def` with no checkpoint and no initialization."""

from __future__ import annotations

import logging
from typing import Any, Iterable, Optional

import numpy as np

from flowgraph.graph_util.prune import extract_sub_graph
from flowgraph.io.graph_def import GraphDef, NodeDef

__all__ = ["convert_variables_to_constants"]

_log = logging.getLogger("flowgraph.graph_util")


def _is_variable(op_type: str) -> bool:
    from flowgraph.ops.registry import lookup
    try:
        return bool(getattr(lookup(op_type), "is_variable", False))
    except KeyError:
        return op_type in ("Variable", "VariableV2")


def convert_variables_to_constants(sess: Any, input_graph_def: GraphDef,
                                   output_node_names: Iterable[str],
                                   variable_names_whitelist: Optional[Iterable[str]] = None,
                                   variable_names_blacklist: Optional[Iterable[str]] = None
                                   ) -> GraphDef:
    """Replaces the Variables that `output_node_names` need by Consts with their values
    in `sess`, and drops every node the outputs do not need (initializers, savers,
    training ops).

    Parameters
    ----------
    sess : Session
        A Session of the graph `input_graph_def` describes, with its Variables
        initialized or restored.
    input_graph_def : GraphDef
        Usually ``sess.graph.as_graph_def()``.
    output_node_names : iterable of str
        Names of the output nodes (op names such as ``"logits"``, not ``"logits:0"``).
    variable_names_whitelist, variable_names_blacklist : iterable of str, optional
        Only convert the Variables named in the whitelist / none named in the blacklist;
        the others stay Variables.

    Returns
    -------
    GraphDef
        The frozen graph: each converted Variable is a Const node of the same name (its
        ``name/read`` Identity stays and now reads the Const).

    Raises
    ------
    AssertionError
        If an output node is not in the graph (TF1's error: ``"<name> is not in graph"``).
    TypeError
        If `output_node_names` is a single string.

    Examples
    --------
    >>> frozen = fg.graph_util.convert_variables_to_constants(
    ...     sess, sess.graph.as_graph_def(), ["y"])
    >>> with fg.Graph().as_default():
    ...     (y,) = fg.import_graph_def(frozen, return_elements=["y:0"], name="")
    """
    inference = extract_sub_graph(input_graph_def, output_node_names)
    whitelist = None if variable_names_whitelist is None else set(variable_names_whitelist)
    blacklist = set(variable_names_blacklist or ())
    names = []
    for node in inference.node:
        if not _is_variable(node.op):
            continue
        if (whitelist is not None and node.name not in whitelist) or node.name in blacklist:
            continue
        names.append(node.name)
    values = sess.run([f"{name}:0" for name in names]) if names else []
    _log.info("Froze %d variables.", len(values))
    frozen = dict(zip(names, values))
    nodes = []
    for node in inference.node:
        if node.name in frozen:
            nodes.append(_const_node(node, frozen[node.name]))
        else:
            nodes.append(node)
    _log.info("Converted %d variables to const ops.", len(frozen))
    return GraphDef(nodes, inference.versions)


def _const_node(variable: NodeDef, value: Any) -> NodeDef:
    dtype = variable.attr["dtype"]
    data = np.array(value, dtype=dtype.np)  # a copy: later training must not change it
    data.flags.writeable = False
    return NodeDef(variable.name, "Const", [], variable.device,
                   {"value": data, "dtype": dtype}, variable.creation_site)
