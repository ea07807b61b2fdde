"""TF1's `tf.test.assert_equal_graph_def` for flowgraph GraphDefs.

As TF1's EqualGraphDef: nodes are matched by name, node order, versions and the order of
control inputs are ignored; each matched node must have the same op, the same data inputs
(in order), the same device and the same attributes. flowgraph's GraphDefs also record where
each node was created (file and line): that is debugging information, not graph content, and
is ignored.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = ["assert_equal_graph_def"]

# TF1's randomized values: the V2 checkpoint temp-file suffix and HashTable shared names.
_CHECKPOINT_V2_RANDOM = re.compile(r"_temp_[0-9a-f]{32}/part")
_HASH_TABLE_RANDOM = re.compile(r"hash_table_[0-9a-z\-]+")


def _documents(graph_def: Any, patterns: list) -> dict:
    """{node name: comparable node document}; strings matching `patterns` are masked."""
    from flowgraph.io.attrs import Encoder
    from flowgraph.io.graph_def import GraphDef, NodeDef, graph_def_to_document
    if patterns:
        graph_def = GraphDef([NodeDef(n.name, n.op, n.input, n.device,
                                      {k: _strip(v, patterns) for k, v in n.attr.items()},
                                      n.creation_site, n.output_shapes)
                              for n in graph_def.node], graph_def.versions)
    nodes = graph_def_to_document(graph_def, Encoder(None))["node"]
    for node, raw in zip(nodes, graph_def.node):
        node.pop("site", None)  # where a node was created is not graph content
        node["raw"] = raw
    return {node["name"]: node for node in nodes}


def _strip(value: Any, patterns: list) -> Any:
    """An attribute value with the random parts of its strings masked (TF1 clears them)."""
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub("<random>", value)
        return value
    if isinstance(value, bytes):
        return _strip(value.decode("utf-8", "surrogateescape"),
                      patterns).encode("utf-8", "surrogateescape")
    if isinstance(value, np.ndarray) and value.dtype.kind in "OSU":
        flat = [_strip(v, patterns) for v in value.reshape(-1)]
        out = np.empty(value.shape, dtype=value.dtype if value.dtype.kind == "O" else object)
        out.reshape(-1)[:] = flat
        return out.astype(value.dtype) if value.dtype.kind != "O" else out
    if isinstance(value, (list, tuple)):
        return type(value)(_strip(v, patterns) for v in value)
    return value


def _summary(node: dict) -> str:
    inputs = ", ".join(node["input"])
    device = f" @{node['device']}" if node["device"] else ""
    return f"{node['name']} = {node['op']}[{', '.join(sorted(node['attr']))}]({inputs}){device}"


def _shown(node: dict, key: str) -> str:
    """The attribute as the user set it (e.g. a Const's numpy value), not its encoding."""
    text = repr(node["raw"].attr.get(key))
    return text if len(text) <= 200 else text[:200] + "..."


def _node_difference(actual: dict, expected: dict) -> str:
    name = actual["name"]
    if actual["op"] != expected["op"]:
        return (f"Node named '{name}' has op {actual['op']} that does not match expected op "
                f"{expected['op']}")
    if actual["device"] != expected["device"]:
        return (f"Node named '{name}' has device '{actual['device']}' that does not match "
                f"expected device '{expected['device']}'")
    data_a = [i for i in actual["input"] if not i.startswith("^")]
    data_e = [i for i in expected["input"] if not i.startswith("^")]
    if data_a != data_e:
        return (f"Node named '{name}' has inputs {data_a} that do not match expected inputs "
                f"{data_e}")
    control_a = sorted(i for i in actual["input"] if i.startswith("^"))
    control_e = sorted(i for i in expected["input"] if i.startswith("^"))
    if control_a != control_e:
        return (f"Node named '{name}' has control inputs {control_a} that do not match "
                f"expected control inputs {control_e}")
    for key in sorted(set(actual["attr"]) | set(expected["attr"])):
        if key not in expected["attr"]:
            return f"Node named '{name}' has unexpected attr '{key}'"
        if key not in actual["attr"]:
            return f"Node named '{name}' missing expected attr '{key}'"
        if actual["attr"][key] != expected["attr"][key]:
            return (f"Node named '{name}' has attr '{key}' with value "
                    f"{_shown(actual, key)} that does not match expected value "
                    f"{_shown(expected, key)}")
    if actual.get("output_shapes") != expected.get("output_shapes"):
        return (f"Node named '{name}' has output shapes {actual.get('output_shapes')} that "
                f"do not match expected {expected.get('output_shapes')}")
    return ""


def assert_equal_graph_def(actual: Any, expected: Any, checkpoint_v2: bool = False,
                           hash_table_shared_name: bool = False) -> None:
    """Asserts that two GraphDefs are (mostly) the same.

    Parameters
    ----------
    actual, expected : fg.GraphDef
        E.g. from `graph.as_graph_def()`.
    checkpoint_v2 : bool
        Ignore the random temp-file suffixes V2 checkpoint saving puts in string values.
    hash_table_shared_name : bool
        Ignore random `hash_table_...` shared names.

    Raises
    ------
    TypeError
        If either argument is not a GraphDef.
    AssertionError
        Naming the first difference found.
    """
    from flowgraph.io.graph_def import GraphDef
    if not isinstance(actual, GraphDef):
        raise TypeError(f"Expected tf.GraphDef for actual, got {type(actual).__name__}")
    if not isinstance(expected, GraphDef):
        raise TypeError(f"Expected tf.GraphDef for expected, got {type(expected).__name__}")
    patterns = [pattern for pattern, wanted in ((_CHECKPOINT_V2_RANDOM, checkpoint_v2),
                                                (_HASH_TABLE_RANDOM, hash_table_shared_name))
                if wanted]
    got, want = _documents(actual, patterns), _documents(expected, patterns)
    for name, node in want.items():
        if name not in got:
            raise AssertionError(f"Did not find expected node '{_summary(node)}'")
    for name, node in got.items():
        if name not in want:
            raise AssertionError(f"Found unexpected node '{_summary(node)}' not in expected "
                                 "graph")
    for name, node in got.items():
        diff = _node_difference(node, want[name])
        if diff:
            raise AssertionError(diff)
