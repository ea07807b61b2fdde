"""Shared graphs and DOT-source helpers for the viz tests."""

from __future__ import annotations

import re

import flowgraph as fg
from flowgraph.demo import build_mlp


def mlp_graph() -> tuple:
    """(graph, model dict) of the demo MLP with its Adam training ops, in a fresh graph."""
    graph = fg.Graph()
    with graph.as_default():
        model = build_mlp()
    return graph, model


def node_line(source: str, node_id: str) -> str:
    """The DOT statement that declares node `node_id` (quoted or not); '' when absent."""
    pattern = re.compile(r'^\s*(?:"' + re.escape(node_id) + r'"|' + re.escape(node_id)
                         + r')\s+\[', re.M)
    match = pattern.search(source)
    if match is None:
        return ""
    end = source.find("]\n", match.start())
    return source[match.start():end + 1]


def node_ids(source: str) -> set:
    """Every declared node id."""
    ids = set()
    for match in re.finditer(r'^\s*("(?:[^"\\]|\\.)*"|[\w./@-]+)\s+\[', source, re.M):
        name = match.group(1).strip('"')
        if name not in ("graph", "node", "edge"):
            ids.add(name)
    return ids


def edge_lines(source: str, src: str, dst: str) -> list:
    """The DOT statements of edges src -> dst."""
    def q(name: str) -> str:
        return r'(?:"' + re.escape(name) + r'"|' + re.escape(name) + r")"
    pattern = re.compile(r"^\s*" + q(src) + r"\s*->\s*" + q(dst) + r"\s*\[.*\]\s*$", re.M)
    return [m.group(0) for m in pattern.finditer(source)]


def cluster_block(source: str, name: str) -> str:
    """The text of `subgraph cluster_<name> { ... }`, braces matched; '' when absent."""
    match = re.search(r'subgraph\s+"?cluster_' + re.escape(name) + r'"?\s*\{', source)
    if match is None:
        return ""
    depth = 0
    for i in range(match.end() - 1, len(source)):
        if source[i] == "{":
            depth += 1
        elif source[i] == "}":
            depth -= 1
            if depth == 0:
                return source[match.start():i + 1]
    raise AssertionError("unbalanced braces in the DOT source")


def label_of(line: str) -> str:
    """The HTML-like label of a node statement."""
    match = re.search(r"label=(<.*?>)\s+\w+=", line)
    return match.group(1) if match else ""
