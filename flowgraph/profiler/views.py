"""The scope and op views of a profile: which nodes are accounted, shown and summed, and
the text report (TF1's tfprof ``TFScope`` / ``TFOp`` rules).

A node is *accounted* when one of its types (op type, device, ``_trainable_variables``)
fully matches one of ``account_type_regexes``; totals sum the accounted nodes. A node is
*shown* when it is accounted or is a name scope (without an op of its own) holding
accounted nodes, its own
statistics reach the ``min_*`` thresholds, its depth (the root is 1, its children 2) is
at most ``max_depth`` and its name passes the show/hide regexes; the children of a hidden
node take its place. With ``account_displayed_op_only`` the totals of a shown node only
sum what is shown below it. (Rules checked against TF's profiler on small graphs.)
"""

from __future__ import annotations

import copy
import re
from typing import Any

from flowgraph.profiler.nodes import ROOT_NAME, STAT_FIELDS, GraphNodeProto, MultiGraphNodeProto

__all__ = ["scope_view", "op_view"]

# option -> the node's own statistic it bounds from below
_MINIMUMS = (("min_bytes", "requested_bytes"), ("min_peak_bytes", "peak_bytes"),
             ("min_residual_bytes", "residual_bytes"), ("min_output_bytes", "output_bytes"),
             ("min_micros", "exec_micros"),
             ("min_accelerator_micros", "accelerator_exec_micros"),
             ("min_cpu_micros", "cpu_exec_micros"), ("min_params", "parameters"),
             ("min_float_ops", "float_ops"), ("min_occurrence", "run_count"))
_ORDER_FIELDS = {"bytes": "total_requested_bytes", "peak_bytes": "total_peak_bytes",
                 "residual_bytes": "total_residual_bytes", "output_bytes": "total_output_bytes",
                 "micros": "total_exec_micros",
                 "accelerator_micros": "total_accelerator_exec_micros",
                 "cpu_micros": "total_cpu_exec_micros", "params": "total_parameters",
                 "float_ops": "total_float_ops", "occurrence": "total_run_count"}
_DOCS = {"params": "param: Number of parameters (in the Variable).",
         "float_ops": "flops: Number of float operations. Note: Please read the "
                      "implementation for the math behind it.",
         "micros": "micros: Time spent running the op (flowgraph: on the CPU).",
         "bytes": "bytes: The sizes of the op's outputs (flowgraph: from static shapes)."}
_TITLES = {"params": "# parameters", "float_ops": "# float_ops", "micros": "execution time",
           "bytes": "requested bytes", "occurrence": "occurrence"}


def _matches(regexes: list, text: str) -> bool:
    return any(re.fullmatch(regex, text) for regex in regexes)


def _reset_totals(node: Any, include_self: bool) -> None:
    for own, total in STAT_FIELDS:
        setattr(node, total, getattr(node, own) if include_self else 0)


def _add_totals(node: Any, child: Any) -> None:
    for _, total in STAT_FIELDS:
        setattr(node, total, getattr(node, total) + getattr(child, total))


class _Entry:
    """A scope-tree node: its proto, whether it is accounted, its children."""

    def __init__(self, proto: GraphNodeProto, accounted: bool, op: Any = None) -> None:
        self.proto, self.accounted, self.op = proto, accounted, op
        self.children: list = []
        self.is_scope = op is None and proto.name != ROOT_NAME
        self.has_accounted = accounted  # it or a descendant


def _scope_tree(records: list, opts: dict) -> _Entry:
    root = _Entry(GraphNodeProto(name=ROOT_NAME), False)
    root.is_scope = False
    entries = {}
    for proto, types, op in records:
        accounted = any(_matches(opts["account_type_regexes"], t) for t in types)
        entries[proto.name] = _Entry(copy.copy(proto), accounted, op)
    for name in sorted(list(entries)):
        parts = name.split("/")
        for i in range(1, len(parts)):  # name scopes that are no op get a node of their own
            prefix = "/".join(parts[:i])
            if prefix not in entries:
                entries[prefix] = _Entry(GraphNodeProto(name=prefix), False)
    for name in sorted(entries):
        parent = root
        if "/" in name:
            parent = entries[name.rsplit("/", 1)[0]]
        parent.children.append(entries[name])
    _account(root)
    return root


def _account(entry: _Entry) -> None:
    _reset_totals(entry.proto, entry.accounted)
    for child in entry.children:
        _account(child)
        _add_totals(entry.proto, child.proto)
        entry.has_accounted = entry.has_accounted or child.has_accounted
    entry.proto.total_definition_count = 1 + sum(c.proto.total_definition_count
                                                 for c in entry.children)


def _should_show(entry: _Entry, opts: dict, depth: int) -> bool:
    if not (entry.accounted or (entry.is_scope and entry.has_accounted)) or \
            depth > opts["max_depth"]:
        return False
    if any(getattr(entry.proto, own) < opts[option] for option, own in _MINIMUMS):
        return False
    name = entry.proto.name
    show = opts["show_name_regexes"] in ([".*"], []) or \
        _matches(opts["show_name_regexes"], name)
    return show and not _matches(opts["hide_name_regexes"], name)


def _sorted(nodes: list, order_by: str) -> list:
    nodes = sorted(nodes, key=lambda e: e.proto.name)
    if order_by in _ORDER_FIELDS:
        field = _ORDER_FIELDS[order_by]
        nodes.sort(key=lambda e: -getattr(e.proto, field))
    return nodes


def _displayed(entries: list, opts: dict, depth: int) -> list:
    """The shown entries among `entries` and below (hidden ones pass on their children)."""
    shown = []
    for entry in entries:
        show = _should_show(entry, opts, depth)
        below = []
        if not _matches(opts["trim_name_regexes"], entry.proto.name) and \
                depth <= opts["max_depth"]:
            below = _displayed(entry.children, opts, depth + 1 if show else depth)
        if show:
            entry.shown_children = _sorted(below, opts["order_by"])
            if opts["account_displayed_op_only"]:
                _reset_totals(entry.proto, entry.accounted)
                for child in entry.shown_children:
                    _add_totals(entry.proto, child.proto)
            shown.append(entry)
        else:
            shown.extend(below)
    return shown


def _start_roots(entry: _Entry, regexes: list) -> list:
    if _matches(regexes, entry.proto.name):
        return [entry]
    return [found for child in entry.children for found in _start_roots(child, regexes)]


def scope_view(records: list, opts: dict) -> tuple:
    """(root GraphNodeProto, text report) of the scope view."""
    root = _scope_tree(records, opts)
    starts = opts["start_name_regexes"]
    tops = root.children if starts in ([".*"], []) else \
        [e for c in root.children for e in _start_roots(c, starts)]
    shown = _sorted(_displayed(tops, opts, 2), opts["order_by"])
    if opts["account_displayed_op_only"]:
        _reset_totals(root.proto, False)
        for entry in shown:
            _add_totals(root.proto, entry.proto)
    root.shown_children = shown
    lines = []
    _build(root, opts, 0, lines)
    return root.proto, _report("scope", opts, lines)


def _build(entry: _Entry, opts: dict, depth: int, lines: list) -> None:
    proto = entry.proto
    proto.children = []
    lines.append("  " * depth + f"{proto.name} ({_format_stats(entry, opts)})")
    for child in entry.shown_children:
        _build(child, opts, depth + 1, lines)
        proto.children.append(child.proto)
    proto.total_definition_count = 1 + sum(c.total_definition_count for c in proto.children)


def _format_stats(entry: _Entry, opts: dict) -> str:
    proto, info = entry.proto, []
    select = opts["select"]
    if "params" in select:
        if entry.op is not None and proto.shapes and proto.shapes[0]:
            info.append("x".join("-1" if d is None else str(d) for d in proto.shapes[0]))
        info.append(_ratio(entry, "parameters", "total_parameters", _number) + " params")
    if "float_ops" in select:
        info.append(_ratio(entry, "float_ops", "total_float_ops", _number) + " flops")
    if "bytes" in select:
        info.append(_ratio(entry, "requested_bytes", "total_requested_bytes", _memory))
    if "micros" in select:
        info.append(_ratio(entry, "exec_micros", "total_exec_micros", _time))
    if "occurrence" in select:
        info.append(f"{proto.total_run_count} occurrence")
    return ", ".join(info)


def _ratio(entry: _Entry, own: str, total: str, fmt: Any) -> str:
    mine = fmt(getattr(entry.proto, own)) if entry.accounted else "--"
    return f"{mine}/{fmt(getattr(entry.proto, total))}"


def _number(n: int) -> str:
    for limit, suffix in ((1e9, "b"), (1e6, "m"), (1e3, "k")):
        if n >= limit:
            return f"{n / limit:.2f}{suffix}"
    return str(int(n))


def _memory(n: int) -> str:
    for limit, suffix in ((1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if n >= limit:
            return f"{n / limit:.2f}{suffix}"
    return f"{int(n)}B"


def _time(us: int) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.2f}sec"
    if us >= 1e3:
        return f"{us / 1e3:.2f}ms"
    return f"{int(us)}us"


def _report(view: str, opts: dict, lines: list) -> str:
    select = [s for s in opts["select"] if s in _TITLES]
    scope_doc = ("scope: The nodes in the model graph are organized by their names, which is "
                 "hierarchical like filesystem.")
    doc = {"scope": scope_doc, "graph": scope_doc,  # (TF1 documents its graph view so too)
           "code": "code: When python trace is available, the nodes are python lines and "
                   "their are organized by the python call stack.",
           "op": "op: The nodes are operation kernel type, such as MatMul, Conv2D. Graph "
                 "nodes belonging to the same type are aggregated together."}[view]
    head = ["", "==================Model Analysis Report======================", "", "Doc:",
            doc] + [_DOCS[s] for s in select if s in _DOCS]
    head += ["", "Profile:", " | ".join(["node name"] + [_TITLES[s] for s in select])]
    tail = ["", "======================End of Report=========================="]
    return "\n".join(head + lines + tail) + "\n"


def op_view(records: list, opts: dict) -> tuple:
    """(root MultiGraphNodeProto, text report) of the op view: one node per op type."""
    groups: dict = {}
    for proto, types, op in records:
        if not any(_matches(opts["account_type_regexes"], t) for t in types):
            continue
        group = groups.setdefault(op.type, MultiGraphNodeProto(name=op.type))
        group.graph_nodes.append(copy.copy(proto))
        for own, _ in STAT_FIELDS:
            setattr(group, own, getattr(group, own) + getattr(proto, own))
        group.total_definition_count += 1
    shown = []
    for group in groups.values():
        _reset_totals(group, True)
        entry = _Entry(group, True)
        if _should_show(entry, opts, 2) and _matches(opts["start_name_regexes"] or [".*"],
                                                     group.name):
            shown.append(entry)
    shown = _sorted(shown, opts["order_by"])[:max(int(opts["max_depth"]), 0)]
    root = MultiGraphNodeProto(name=ROOT_NAME)
    _reset_totals(root, False)
    for entry in shown:
        _add_totals(root, entry.proto)
    # TF1's op view is a chain: each type's totals include the types listed after it.
    following = MultiGraphNodeProto()
    _reset_totals(following, False)
    for entry in reversed(shown):
        _reset_totals(entry.proto, True)
        _add_totals(entry.proto, following)
        entry.proto.children = [following] if following.name else []
        following = entry.proto
    root.children = [following] if following.name else []
    lines = [_op_line(e.proto, root, opts) for e in shown]
    return root, _report("op", opts, lines)


def _op_line(node: MultiGraphNodeProto, root: MultiGraphNodeProto, opts: dict) -> str:
    parts = []
    fields = {"params": ("parameters", "total_parameters", _number, " params"),
              "float_ops": ("float_ops", "total_float_ops", _number, " float_ops"),
              "bytes": ("requested_bytes", "total_requested_bytes", _memory, ""),
              "micros": ("exec_micros", "total_exec_micros", _time, "")}
    for key in opts["select"]:
        if key not in fields:
            continue
        own, total, fmt, unit = fields[key]
        whole = getattr(root, total) or 1
        parts.append(f"{fmt(getattr(node, own))}{unit} "
                     f"({100.0 * getattr(node, total) / whole:.2f}%, "
                     f"{100.0 * getattr(node, own) / whole:.2f}%)")
    return f"{node.name:<24} " + ", ".join(parts)
