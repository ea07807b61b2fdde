"""The graph and code views of a profile (TF1's tfprof ``TFGraph`` / ``TFCode`` rules).

Graph view: a node's children are its inputs (data inputs, then control inputs). The walk
starts at the graph's roots (ops no other op takes as an input), in name order, and goes
depth first; an op reached a second time (a shared input) is not listed again, so it
appears once, under the first node that reached it. Ops that are not accounted pass their
accounted inputs up to the nearest accounted consumer, so the depth counts accounted nodes
only (the root is depth 1). Shown nodes follow the scope view's rules (own statistics
against the ``min_*`` thresholds, show/hide regexes, ``max_depth``); a trimmed node keeps
its place but hides its inputs.

Code view: a MultiGraphNodeProto tree of the Python call sites that created the ops, named
``file.py:line:function`` as TF1 (the function cut to 17 characters and "..." when it has
20 or more). Gradient ops (``gradients/<op>_grad/...``) go under the forward op's call site
with a " (gradient)" suffix. TF1 keeps the whole creation stack, from the module down to its
own ``ops.py``; flowgraph records only the innermost frame of the user's code (see
`flowgraph.node.user_creation_site`), so each call site is one level below the root. As
TF1, thresholds apply to a node's totals, ``account_displayed_op_only`` is ignored, and a
trimmed or too deep node is left out with what is below it.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from typing import Any

from flowgraph.profiler.nodes import ROOT_NAME, STAT_FIELDS, GraphNodeProto, MultiGraphNodeProto
from flowgraph.profiler.views import (
    _MINIMUMS,
    _add_totals,
    _Entry,
    _format_stats,
    _matches,
    _memory,
    _number,
    _report,
    _reset_totals,
    _should_show,
    _sorted,
    _time,
)

__all__ = ["graph_view", "code_view"]

_GRADIENT_SUFFIX = " (gradient)"
_GRADIENT_RE = re.compile(r"gradients/(.+?)_grad/")


def _deep_recursion(size: int) -> Any:
    """Room for walks as deep as the graph is long (Python 3.11 keeps pure-Python calls off
    the C stack, so a larger limit is safe)."""
    old = sys.getrecursionlimit()
    return old, max(old, 4 * size + 1000)


def _account_self(node: Any, accounted: bool, count: int) -> None:
    _reset_totals(node, accounted)
    node.total_definition_count = count


# ------------------------------------------------------------------------------ graph view
def _graph_entries(records: list, opts: dict) -> dict:
    entries = {}
    for proto, types, op in sorted(records, key=lambda r: r[0].name):
        accounted = any(_matches(opts["account_type_regexes"], t) for t in types)
        entries[proto.name] = _Entry(copy.copy(proto), accounted, op)
    for entry in entries.values():
        names = [t.op.name for t in entry.op.inputs] + [c.name for c in
                                                        entry.op.control_inputs]
        entry.children = [entries[n] for n in names if n in entries]
    return entries


def _account_graph(nodes: list, visits: set) -> list:
    accounted = []
    for entry in nodes:
        if entry.proto.name in visits:
            continue
        visits.add(entry.proto.name)
        below = _account_graph(entry.children, visits)
        if entry.accounted:
            _account_self(entry.proto, True, 1)
            for child in below:
                _add_totals(entry.proto, child.proto)
                entry.proto.total_definition_count += child.proto.total_definition_count
            entry.shown_children = below
            accounted.append(entry)
        else:
            accounted.extend(below)
    return accounted


def _search_graph_roots(nodes: list, regexes: list, visits: set) -> list:
    found = []
    for entry in nodes:
        if entry.proto.name in visits:
            continue
        visits.add(entry.proto.name)
        if _matches(regexes, entry.proto.name):
            found.append(entry)
        else:
            found.extend(_search_graph_roots(entry.shown_children, regexes, visits))
    return found


def _print_graph(nodes: list, opts: dict, depth: int, visits: set) -> list:
    shown = []
    for entry in nodes:
        if entry.proto.name in visits:
            continue
        visits.add(entry.proto.name)
        show = entry.proto.name == ROOT_NAME or _should_show(entry, opts, depth)
        below = []
        if not _matches(opts["trim_name_regexes"], entry.proto.name) and \
                depth <= opts["max_depth"]:
            below = _print_graph(entry.shown_children, opts, depth + 1, visits)
        if show:
            entry.shown_children = _sorted(below, opts["order_by"])
            if opts["account_displayed_op_only"]:
                _account_self(entry.proto, entry.accounted, 1)
                for child in entry.shown_children:
                    _add_totals(entry.proto, child.proto)
                    entry.proto.total_definition_count += child.proto.total_definition_count
            shown.append(entry)
        else:
            shown.extend(below)
    return shown


def graph_view(records: list, opts: dict) -> tuple:
    """(root GraphNodeProto, text report) of the graph view: children are inputs."""
    entries = _graph_entries(records, opts)
    consumed = {c.proto.name for e in entries.values() for c in e.children}
    roots = [e for name, e in entries.items() if name not in consumed]
    old, limit = _deep_recursion(len(entries))
    sys.setrecursionlimit(limit)
    try:
        tops = _account_graph(roots, set())
        root = _Entry(GraphNodeProto(name=ROOT_NAME), False)
        root.is_scope = False
        _account_self(root.proto, False, 0)
        for entry in tops:
            _add_totals(root.proto, entry.proto)
            root.proto.total_definition_count += entry.proto.total_definition_count
        if opts["start_name_regexes"] not in ([".*"], []):
            tops = _search_graph_roots(tops, opts["start_name_regexes"], set())
        root.shown_children = tops
        _print_graph([root], opts, 1, set())
        lines: list = []
        _build_graph(root, opts, 0, lines)
    finally:
        sys.setrecursionlimit(old)
    return root.proto, _report("graph", opts, lines)


def _build_graph(entry: _Entry, opts: dict, indent: int, lines: list) -> None:
    lines.append("  " * indent + f"{entry.proto.name} ({_format_stats(entry, opts)})")
    entry.proto.children = []
    for child in entry.shown_children:
        _build_graph(child, opts, indent + 1, lines)
        entry.proto.children.append(child.proto)


# ------------------------------------------------------------------------------- code view
class _CodeNode:
    """A call site: its proto, the records of the ops it created, its callees."""

    def __init__(self, name: str) -> None:
        self.proto = MultiGraphNodeProto(name=name)
        self.records: list = []
        self.children: dict = {}
        self.accounted = False
        self.shown_children: list = []

    def child(self, name: str) -> "_CodeNode":
        found = self.children.get(name)
        if found is None:
            found = self.children[name] = _CodeNode(name)
        return found


def _trace_name(site: Any) -> str:
    function = site[2] if len(site[2]) < 20 else site[2][:17] + "..."
    return f"{os.path.basename(site[0])}:{site[1]}:{function}"


def _site_of(op: Any) -> Any:
    site = op.creation_site
    return None if site is None else (site.filename, site.lineno, site.function)


def _code_tree(records: list) -> _CodeNode:
    root = _CodeNode(ROOT_NAME)
    forward_sites: dict = {}
    gradients = []
    for record in records:
        op = record[2]
        site = _site_of(op)
        if site is None:
            continue  # as TF1: a node without a trace is not in the code view
        match = _GRADIENT_RE.search(op.name)
        if match:
            gradients.append((match.group(1), record))
            continue
        forward_sites[op.name] = site
        root.child(_trace_name(site)).records.append(record)
    for forward, record in gradients:
        site = forward_sites.get(forward)
        if site is not None:  # TF1 reports "N gradient nodes not accounted" for the rest
            root.child(_trace_name(site) + _GRADIENT_SUFFIX).records.append(record)
    return root


def _reaccount(node: _CodeNode, opts: dict) -> bool:
    regexes = opts["account_type_regexes"]
    kept = [r for r in node.records if any(_matches(regexes, t) for t in r[1])]
    node.proto.graph_nodes = [copy.copy(r[0]) for r in kept]
    for own, _ in STAT_FIELDS:
        setattr(node.proto, own, sum(getattr(r[0], own) for r in kept))
    return regexes == [".*"] or bool(kept)


def _account_code(nodes: list, opts: dict) -> list:
    accounted = []
    for node in nodes:
        below = _account_code(list(node.children.values()), opts)
        node.accounted = _reaccount(node, opts)
        if node.accounted or below:
            _account_self(node.proto, node.accounted, 1)
            for child in below:
                _add_totals(node.proto, child.proto)
                node.proto.total_definition_count += child.proto.total_definition_count
            node.shown_children = below
            accounted.append(node)
    return accounted


def _search_code_roots(nodes: list, regexes: list) -> list:
    found = []
    for node in nodes:
        if _matches(regexes, node.proto.name):
            found.append(node)
        else:
            found.extend(_search_code_roots(node.shown_children, regexes))
    return found


def _code_should_show(node: _CodeNode, opts: dict, depth: int) -> bool:
    if node.proto.name == ROOT_NAME:
        return True
    if depth > opts["max_depth"] or any(getattr(node.proto, "total_" + own) < opts[option]
                                        for option, own in _MINIMUMS
                                        if option != "min_occurrence"):
        return False
    name = node.proto.name
    show = opts["show_name_regexes"] in ([".*"], []) or \
        _matches(opts["show_name_regexes"], name)
    return show and not _matches(opts["hide_name_regexes"], name)


def _print_code(nodes: list, opts: dict, depth: int) -> list:
    shown = []
    for node in nodes:
        if _matches(opts["trim_name_regexes"], node.proto.name) or depth > opts["max_depth"]:
            continue
        show = _code_should_show(node, opts, depth)
        below = _print_code(node.shown_children, opts, depth + 1)
        if show:
            node.shown_children = _sorted(below, opts["order_by"])
            shown.append(node)
        else:
            shown.extend(below)
    return shown


def code_view(records: list, opts: dict) -> tuple:
    """(root MultiGraphNodeProto, text report) of the code view: a tree of call sites."""
    if opts["account_displayed_op_only"]:
        print("Note: code view ignores account_displayed_op_only", file=sys.stderr)
    root = _code_tree(records)
    tops = _account_code(list(root.children.values()), opts)
    _account_self(root.proto, False, 0)
    for node in tops:
        _add_totals(root.proto, node.proto)
        root.proto.total_definition_count += node.proto.total_definition_count
    if opts["start_name_regexes"] not in ([".*"], []):
        tops = _search_code_roots(tops, opts["start_name_regexes"])
    root.shown_children = tops
    _print_code([root], opts, 1)
    lines: list = []
    _build_code(root, opts, 0, lines)
    return root.proto, _report("code", opts, lines)


def _build_code(node: _CodeNode, opts: dict, indent: int, lines: list) -> None:
    lines.append("  " * indent + f"{node.proto.name} ({_code_stats(node, opts)})")
    node.proto.children = []
    for child in node.shown_children:
        _build_code(child, opts, indent + 1, lines)
        node.proto.children.append(child.proto)


def _code_stats(node: _CodeNode, opts: dict) -> str:
    """TF1's code-view columns: bytes, time, params, flops (no shapes), "--" for own
    statistics of a call site whose ops are not accounted."""
    proto, select, info = node.proto, opts["select"], []

    def ratio(own: str, total: str, fmt: Any) -> str:
        mine = fmt(getattr(proto, own)) if node.accounted else "--"
        return f"{mine}/{fmt(getattr(proto, total))}"

    if "bytes" in select:
        info.append(ratio("requested_bytes", "total_requested_bytes", _memory))
    if "micros" in select:
        info.append(ratio("exec_micros", "total_exec_micros", _time))
    if "params" in select:
        info.append(ratio("parameters", "total_parameters", _number) + " params")
    if "float_ops" in select:
        info.append(ratio("float_ops", "total_float_ops", _number) + " flops")
    if "occurrence" in select:
        info.append("occurrence N/A in code view")
    return ", ".join(info)
