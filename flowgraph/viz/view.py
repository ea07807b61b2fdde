"""The drawing's content, before any DOT: which boxes, in which scopes, joined by which edges.

`build_view` turns a list of graph ops into a `View`:

1. each op becomes a *unit*: one op, or a Variable together with its plumbing;
2. units get a group (gradients, optimizer) and a scope path (slot Variables move into
   their optimizer's scope, under a `slots` sub-scope);
3. with ``depth=N``, units in scopes deeper than N levels are replaced by one node per
   scope at level N + 1 (a scope holding a single unit keeps that unit);
4. edges between the resulting nodes are merged: one edge per (source, destination,
   kind), carrying the tensors it stands for.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Optional

import networkx as nx

from flowgraph.graph import Graph, Operation
from flowgraph.viz import roles, styles


@dataclasses.dataclass
class Unit:
    """One op, or one Variable with its read/Assign/initializer ops."""

    op: Operation
    members: list
    kind: str
    group: Optional[str] = None
    path: tuple = ()


@dataclasses.dataclass
class Node:
    """A box of the drawing: a unit, or a collapsed name scope (``op`` is None)."""

    id: str
    kind: str
    cluster: tuple
    name: tuple
    group: Optional[str] = None
    op: Optional[Operation] = None
    ops: list = dataclasses.field(default_factory=list)
    hidden_ops: int = 0  # hidden shape constants inside a collapsed scope
    variables: int = 0  # Variables inside a collapsed scope
    beside: Optional[str] = None  # a scalar constant's copy: the id of the node it feeds

    @property
    def order(self) -> int:
        """Creation order of the node's first op (drawing order)."""
        if self.op is not None:
            return self.op._id
        return min((op._id for op in self.ops), default=0)

    @property
    def op_count(self) -> int:
        return len(self.ops) + self.hidden_ops


@dataclasses.dataclass
class Edge:
    """One drawn arrow; ``items`` are the tensors (or, for control edges, ops) it stands for."""

    src: str
    dst: str
    style: str  # "data", "ref", "init", "const" or "control"
    items: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class View:
    nodes: dict
    edges: list
    cluster_groups: dict  # scope path -> "gradients" / "optimizer"


def build_view(graph: Graph, ops: list, *, depth: Optional[int] = None,
               show_gradients: bool = True, show_shape_consts: bool = False,
               merge_variables: bool = True) -> View:
    """The nodes and edges that draw `ops` (ops of `graph`, in creation order)."""
    owners = roles.variable_owners(graph.get_operations()) if merge_variables else {}
    ops = _with_variables(ops, owners)
    selected = set(ops)
    unit_of: dict = {}
    units: dict = {}
    for op in ops:
        rep = owners.get(op, op)
        unit_of[op] = rep
        unit = units.get(rep)
        if unit is None:
            unit = units[rep] = Unit(rep, [], roles.node_kind(rep))
        unit.members.append(op)
    hidden = {rep for rep, u in units.items()
              if not show_shape_consts and len(u.members) == 1 and roles.is_shape_constant(rep)}
    opt_scopes = roles.optimizer_scopes(ops)
    _assign_groups(graph, units, unit_of, selected, opt_scopes)
    _assign_paths(units, hidden)
    if not show_gradients:
        hidden |= {rep for rep, u in units.items() if u.group is not None}
    hidden |= _feeding_only(units, unit_of, selected, hidden)
    visible = [u for rep, u in units.items() if rep not in hidden]
    nodes, node_of = _place(visible, depth, units, hidden)
    edges = _edges(visible, unit_of, node_of)
    edges = _spread_scalar_constants(nodes, edges)
    edges = _reduce_control_edges(edges)
    groups = {}
    for scope in opt_scopes:
        groups[tuple(scope.split("/"))] = roles.OPTIMIZER
    for u in visible:
        if u.group == roles.GRADIENTS:
            for i, part in enumerate(u.path):
                if roles.is_gradient_scope(part):
                    groups[u.path[:i + 1]] = roles.GRADIENTS
                    break
    return View(nodes, edges, groups)


def _feeding_only(units: dict, unit_of: dict, selected: set, hidden: set) -> set:
    """Constants used only by hidden nodes (Adam's initial beta powers when the optimizer
    is hidden): drawn, they would float unattached."""
    result = set()
    for rep, unit in units.items():
        if unit.kind != styles.CONSTANT or rep in hidden:
            continue
        users = {unit_of[c] for t in rep.outputs for c in t.consumers() if c in selected}
        if users and users <= hidden:
            result.add(rep)
    return result


def _with_variables(ops: list, owners: dict) -> list:
    # A run does not read a Variable at a by-reference input (an assign, an optimizer
    # update), so pruning leaves the Variable out; the picture shows it all the same.
    extra = []
    seen = set(ops)
    for op in ops:
        wanted = [owners.get(op)]
        wanted += [op.inputs[i].op for i in op.op_def.ref_inputs if i < len(op.inputs)]
        for var in wanted:
            if var is not None and var not in seen:
                seen.add(var)
                extra.append(var)
    if not extra:
        return list(ops)
    return sorted(list(ops) + extra, key=lambda o: o._id)


def _assign_groups(graph: Graph, units: dict, unit_of: dict, selected: set,
                   opt_scopes: set) -> None:
    for rep, unit in units.items():
        if roles.is_gradient_op(rep):
            unit.group = roles.GRADIENTS
        elif roles.optimizer_scope_of(rep, opt_scopes) is not None:
            unit.group = roles.OPTIMIZER
        unit.path = tuple(rep.name.split("/")[:-1])
    if not opt_scopes:
        return
    trainable = roles.trainable_variable_ops(graph)
    steps = roles.global_step_ops(graph)
    for rep, unit in units.items():
        if unit.kind != styles.VARIABLE or rep in trainable or unit.group is not None:
            continue
        users = {unit_of[c] for m in unit.members for t in m.outputs for c in t.consumers()
                 if c in selected and unit_of[c] is not rep}
        scopes = {roles.optimizer_scope_of(u, opt_scopes) for u in users}
        if len(scopes) != 1 or None in scopes:
            continue
        # Optimizer state (slots, Adam's beta powers, the global step it increments).
        unit.group = roles.OPTIMIZER
        if rep not in steps:
            unit.path = tuple(scopes.pop().split("/")) + ("slots",)


def _assign_paths(units: dict, hidden: set) -> None:
    # An op named like a scope (TF1's `with name_scope("Adam") as scope: ... name=scope`)
    # is drawn inside that scope.
    prefixes = set()
    for rep, unit in units.items():
        if rep not in hidden:
            prefixes.update(unit.path[:i] for i in range(1, len(unit.path) + 1))
    for rep, unit in units.items():
        full = tuple(rep.name.split("/"))
        if full in prefixes and unit.path == full[:-1]:
            unit.path = full


def _place(visible: list, depth: Optional[int], units: dict, hidden: set) -> tuple:
    """The drawn nodes ({id: Node}) and {unit representative: node id}."""
    per_scope: dict = collections.defaultdict(list)
    if depth is not None:
        for u in visible:
            if len(u.path) > depth:
                per_scope[u.path[:depth + 1]].append(u)
    hidden_per_scope: dict = collections.Counter()
    if depth is not None:
        for rep in hidden:
            path = units[rep].path
            if len(path) > depth:
                hidden_per_scope[path[:depth + 1]] += len(units[rep].members)
    nodes: dict = {}
    node_of: dict = {}
    for u in visible:
        if depth is None or len(u.path) <= depth:
            cluster = u.path
        else:
            key = u.path[:depth + 1]
            cluster = u.path[:depth]
            if len(per_scope[key]) > 1:
                node_id = "/".join(key) + "/"
                node = nodes.get(node_id)
                if node is None:
                    groups = {m.group for m in per_scope[key]}
                    node = nodes[node_id] = Node(
                        node_id, styles.SCOPE, cluster, key,
                        group=groups.pop() if len(groups) == 1 else None)
                    node.hidden_ops = hidden_per_scope.get(key, 0)
                node.ops.extend(u.members)
                node.variables += u.kind == styles.VARIABLE
                node_of[u.op] = node_id
                continue
        node = Node(u.op.name, u.kind, cluster, tuple(u.op.name.split("/")), group=u.group,
                    op=u.op, ops=list(u.members))
        nodes[node.id] = node
        node_of[u.op] = node.id
    return nodes, node_of


def _edges(visible: list, unit_of: dict, node_of: dict) -> list:
    found: dict = {}

    def add(src_op: Operation, dst: str, style: str, item: object) -> None:
        rep = unit_of.get(src_op)
        src = node_of.get(rep) if rep is not None else None
        if src is None or src == dst:
            return
        edge = found.get((src, dst, style))
        if edge is None:
            edge = found[(src, dst, style)] = Edge(src, dst, style)
        if item not in edge.items:
            edge.items.append(item)

    for u in visible:
        dst = node_of[u.op]
        for member in u.members:
            refs = member.op_def.ref_inputs
            plumbing = member is not u.op
            for i, t in enumerate(member.inputs):
                style = "ref" if i in refs else "init" if plumbing else "data"
                add(t.op, dst, style, t)
            for c in member.control_inputs:
                add(c, dst, "control", c)
    linked = {(e.src, e.dst) for e in found.values() if e.style != "control"}
    return [e for e in found.values() if e.style != "control" or (e.src, e.dst) not in linked]


def _spread_scalar_constants(nodes: dict, edges: list) -> list:
    """Draws a scalar constant (a learning rate, a beta, the 2 of ``x * 2``) next to each of
    its consumers, as a small box of its own: one long edge per consumer would cross the
    picture for a number that is clearer written beside its use."""
    scalars = {node_id for node_id, node in nodes.items()
               if node.kind == styles.CONSTANT and node.op is not None
               and node.op.outputs and node.op.outputs[0].shape.as_tuple() == ()}
    if not scalars:
        return edges
    used = set()
    kept = []
    for edge in edges:
        if edge.src not in scalars:
            kept.append(edge)
            continue
        used.add(edge.src)
        if nodes[edge.dst].kind == styles.SCOPE:
            continue  # a collapsed scope hides such details anyway
        source = nodes[edge.src]
        copy_id = f"{edge.src}@{edge.dst}"
        if copy_id not in nodes:
            nodes[copy_id] = dataclasses.replace(source, id=copy_id, beside=edge.dst,
                                                 cluster=nodes[edge.dst].cluster)
        edge.src = copy_id
        if edge.style == "data":
            edge.style = "const"
        kept.append(edge)
    for node_id in used:
        del nodes[node_id]
    return kept


# Above this many control edges, the transitive reduction is skipped (it costs one
# reachability search per control edge).
_MAX_REDUCED_CONTROL_EDGES = 2000


def _reduce_control_edges(edges: list) -> list:
    """Drops each control edge whose order is already implied by another path (an update op
    that must run before ``read``, ``mul`` and ``Assign`` needs only the edge into ``read``).
    The drawing then shows the same run order with far fewer dashed lines."""
    control = [e for e in edges if e.style == "control"]
    if not control or len(control) > _MAX_REDUCED_CONTROL_EDGES:
        return edges
    dag = nx.DiGraph()
    dag.add_edges_from((e.src, e.dst) for e in edges)
    dropped = set()
    for edge in control:
        dag.remove_edge(edge.src, edge.dst)
        if nx.has_path(dag, edge.src, edge.dst):
            dropped.add(id(edge))
        else:
            dag.add_edge(edge.src, edge.dst)
    return [e for e in edges if id(e) not in dropped]
