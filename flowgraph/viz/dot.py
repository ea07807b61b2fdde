"""`to_dot`: a graph (or the part of it some fetches need) as a `graphviz.Digraph`.

Name scopes become nested clusters (``subgraph cluster_<scope>``); a scope holding a
single box is not drawn as a cluster of its own, and a scope holding only one sub-scope
is drawn as one cluster (``a/b``), so nesting costs space only where it says something.
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional, Union

import graphviz

from flowgraph.graph import Graph
from flowgraph.viz import legend as _legend
from flowgraph.viz import roles, styles
from flowgraph.viz.select import select_ops
from flowgraph.viz.view import Edge, Node, View, build_view

_SIDE_KINDS = (styles.VARIABLE, styles.CONSTANT, styles.PLACEHOLDER)

# `depth="auto"` picks the deepest level whose drawing has at most this many boxes.
AUTO_MAX_NODES = 60


def to_dot(graph_or_fetches: Any = None, *, depth: Union[int, str, None] = None,
           show_shapes: bool = True, show_gradients: bool = True, show_dtypes: bool = True,
           show_shape_consts: bool = False, merge_variables: bool = True,
           legend: bool = True, rankdir: str = "TB", title: Optional[str] = None,
           graph: Optional[Graph] = None) -> graphviz.Digraph:
    """The graph, or the subgraph that fetches need, as a `graphviz.Digraph`.

    Parameters
    ----------
    graph_or_fetches : Graph, Tensor, Operation, Variable, str, or a list of them
        A Graph draws all its ops; fetches draw only what ``Session.run(fetches)``
        executes. None: the default graph (or `graph`).
    depth : int, "auto" or None
        Show name scopes nested up to `depth` levels as clusters; deeper scopes collapse
        into one box per scope, labelled with its op count. ``0`` collapses every
        top-level scope. ``"auto"``: the deepest level with at most 60 boxes. None: no
        collapsing.
    show_shapes, show_dtypes : bool
        Label edges with the tensor's static shape (``[?, 784]``) and dtype.
    show_gradients : bool
        Draw the gradient ops (``gradients*`` scopes) and the optimizer's ops, slots and
        global step. False draws the model alone.
    show_shape_consts : bool
        Draw small integer constants (shapes, axes, permutations); hidden by default.
    merge_variables : bool
        Draw each Variable with its ``read``/``Assign``/initializer ops as one box.
    legend : bool
        Add a legend cluster of the node and edge kinds drawn.
    rankdir : str
        Graphviz layout direction: "TB" (top to bottom), "LR", "BT" or "RL".
    title : str, optional
        A caption above the drawing.
    graph : Graph, optional
        Where fetch names are looked up (default: the fetches' graph or the default graph).

    Returns
    -------
    graphviz.Digraph
        ``.source`` is the DOT text; `flowgraph.viz.render` writes it as an image.
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"rankdir must be 'TB', 'LR', 'BT' or 'RL', got {rankdir!r}")
    graph, ops = select_ops(graph_or_fetches, graph)
    options = {"show_gradients": show_gradients, "show_shape_consts": show_shape_consts,
               "merge_variables": merge_variables}
    if depth == "auto":
        view = auto_view(graph, ops, **options)
    else:
        if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int)
                                  or depth < 0):
            raise ValueError(f"depth must be a non-negative int, 'auto' or None, got {depth!r}")
        view = build_view(graph, ops, depth=depth, **options)
    return view_to_dot(view, show_shapes=show_shapes, show_dtypes=show_dtypes,
                       with_legend=legend, rankdir=rankdir, title=title)


def auto_view(graph: Graph, ops: list, max_nodes: int = AUTO_MAX_NODES, **options: Any) -> View:
    """The view at the deepest depth that draws at most `max_nodes` boxes (at least depth 0)."""
    full = build_view(graph, ops, depth=None, **options)
    if len(full.nodes) <= max_nodes:
        return full
    deepest = max((len(n.cluster) for n in full.nodes.values()), default=0)
    best = build_view(graph, ops, depth=0, **options)
    for depth in range(1, deepest + 1):
        view = build_view(graph, ops, depth=depth, **options)
        if len(view.nodes) > max_nodes:
            break
        best = view
    return best


def view_to_dot(view: View, *, show_shapes: bool = True, show_dtypes: bool = True,
                with_legend: bool = True, rankdir: str = "TB",
                title: Optional[str] = None) -> graphviz.Digraph:
    """A View as a Digraph: clusters, styled nodes, labelled edges and a legend."""
    graph_attrs = dict(styles.GRAPH_ATTRS, rankdir=rankdir)
    if title:
        graph_attrs.update(label=styles.html_label(title, size=14), labelloc="t")
    dot = graphviz.Digraph("flowgraph", graph_attr=graph_attrs, node_attr=styles.NODE_ATTRS,
                           edge_attr=styles.EDGE_ATTRS)
    root = _cluster_tree(view)
    drawn_in: dict = {}
    _emit_cluster(dot, root, view, level=0, group=None, drawn_in=drawn_in)
    for edge in view.edges:
        _emit_edge(dot, edge, view, drawn_in, show_shapes, show_dtypes)
    if with_legend and view.nodes:
        _legend.add_legend(dot, kinds={n.kind for n in view.nodes.values()},
                          edge_styles={e.style for e in view.edges})
    return dot


# --------------------------------------------------------------------------- clusters
class _Cluster:
    __slots__ = ("path", "nodes", "children")

    def __init__(self, path: tuple) -> None:
        self.path = path
        self.nodes: list = []
        self.children: dict = {}


def _cluster_tree(view: View) -> _Cluster:
    root = _Cluster(())
    for node in view.nodes.values():
        cluster = root
        for i in range(len(node.cluster)):
            key = node.cluster[i]
            child = cluster.children.get(key)
            if child is None:
                child = cluster.children[key] = _Cluster(node.cluster[:i + 1])
            cluster = child
        cluster.nodes.append(node)
    _simplify(root)
    return root


def _simplify(cluster: _Cluster) -> None:
    for child in list(cluster.children.values()):
        _simplify(child)
    children: dict = {}
    for key, child in cluster.children.items():
        while not child.nodes and len(child.children) == 1:
            child = next(iter(child.children.values()))  # a/b drawn as one cluster
        # A lone box (with the constants drawn beside it) needs no frame.
        if sum(n.beside is None for n in child.nodes) <= 1 and not child.children:
            cluster.nodes.extend(child.nodes)
        elif child.nodes or child.children:
            children[key] = child
    cluster.children = children


def _emit_cluster(dot: graphviz.Digraph, cluster: _Cluster, view: View, level: int,
                  group: Optional[str], drawn_in: dict) -> None:
    # Ops first, then the Variables and constants that feed them: Graphviz keeps this
    # order left to right where it can, which keeps the main data path in one column.
    for node in sorted(cluster.nodes, key=lambda n: (n.kind in _SIDE_KINDS[:2], n.order)):
        _emit_node(dot, node, cluster.path)
        drawn_in[node.id] = cluster.path
    for child in cluster.children.values():
        child_group = view.cluster_groups.get(child.path)
        label = "/".join(child.path[len(cluster.path):])
        with dot.subgraph(name="cluster_" + "/".join(child.path)) as sub:
            attrs = styles.cluster_attrs(child_group or group, level + 1, label)
            if child_group is None and group is not None:
                attrs["fillcolor"] = "#ffffff"  # a scope inside the gradients/optimizer box
            attrs["tooltip"] = "/".join(child.path)
            sub.attr(**attrs)
            _emit_cluster(sub, child, view, level + 1, child_group or group, drawn_in)


# --------------------------------------------------------------------------- nodes
def _emit_node(dot: graphviz.Digraph, node: Node, cluster_path: tuple) -> None:
    title, subtitle = node_label(node, cluster_path)
    attrs = dict(styles.NODE_STYLES[node.kind])
    attrs["label"] = styles.html_label(title, subtitle)
    attrs["tooltip"] = _tooltip(node)
    if node.kind == styles.CONSTANT:
        attrs["label"] = styles.html_label(title, subtitle, sub_size=8)
    dot.node(node.id, **attrs)


def _relative(name: tuple, cluster_path: tuple) -> tuple:
    if cluster_path and name[:len(cluster_path)] == cluster_path:
        return name[len(cluster_path):]
    return name


def node_label(node: Node, cluster_path: tuple) -> tuple:
    """``(title, subtitle)`` of a box drawn inside the cluster of `cluster_path`."""
    rel = _relative(node.name, cluster_path) or node.name[-1:]
    short = "/".join(rel)
    if node.kind == styles.SCOPE:
        ops = styles.count_text(node.op_count, "op")
        if node.variables:
            return short, f"{styles.count_text(node.variables, 'Variable')}, {ops}"
        return short, ops
    op = node.op
    out = op.outputs[0] if op.outputs else None
    if node.kind == styles.VARIABLE and out is not None:
        dtype = "" if out.dtype.name == "float32" else out.dtype.name
        return short, styles.join_nonempty([dtype, styles.dims_text(out.shape)])
    if node.kind == styles.PLACEHOLDER and out is not None:
        return short, styles.tensor_text(out.dtype.name, out.shape)
    if node.kind == styles.CONSTANT:
        value = roles.constant_text(op)
        named = None if re.fullmatch(r"Const(_\d+)?", rel[-1]) else short
        if value is not None:
            return value, named
        shape = styles.tensor_text(out.dtype.name, out.shape) if out is not None else None
        return named or "Const", shape
    # The name under the type only when it says more than the type: not for "MatMul" or
    # "add" (tf.add's default name); "BiasAdd_grad/BiasAddGrad" shows "BiasAdd_grad".
    default = re.compile(re.escape(op.type) + r"(_\d+)?", re.IGNORECASE)
    if len(rel) > 1 and default.fullmatch(rel[-1]):
        rel = rel[:-1]
    short = "/".join(rel)
    return op.type, (None if short.lower() == op.type.lower() else short)


def _tooltip(node: Node) -> str:
    if node.kind == styles.SCOPE:
        counts: dict = {}
        for op in node.ops:
            counts[op.type] = counts.get(op.type, 0) + 1
        common = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
        kinds = ", ".join(f"{n} {t}" for t, n in common)
        return f"{'/'.join(node.name)}: {styles.count_text(node.op_count, 'op')} ({kinds})"
    op = node.op
    lines = [f"{op.name} ({op.type})"]
    for t in op.outputs:
        lines.append(f"{t.name}: {styles.tensor_text(t.dtype.name, t.shape)}")
    if len(node.ops) > 1:
        lines.append(f"with {', '.join(m.name for m in node.ops if m is not op)}"[:300])
    site = op.creation_site
    if site is not None:
        lines.append(f"created at {site.short()}")
    # "\n" is DOT's escape for a line break; other backslashes (Windows paths) are literal.
    return "\\n".join(line.replace("\\", "\\\\") for line in lines)


# --------------------------------------------------------------------------- edges
def edge_label(edge: Edge, show_shapes: bool = True, show_dtypes: bool = True) -> str:
    """``float32 [?, 784]`` for one tensor; ``float32 [?, 10] ×2`` or ``3 tensors`` for an
    edge that stands for several (between collapsed scopes)."""
    count = len(edge.items)
    if edge.style == "control":
        return ""  # dashed, and thicker when it stands for several
    if edge.style == "const":
        return ""  # the constant's box shows its value
    texts = []
    if show_shapes or show_dtypes:
        for t in edge.items:
            text = styles.tensor_text(t.dtype.name, t.shape, ref=edge.style == "ref",
                                      show_dtype=show_dtypes, show_shape=show_shapes)
            if text not in texts:
                texts.append(text)
    if count == 1:
        return texts[0] if texts else ""
    if len(texts) == 1:
        return f"{texts[0]} \u00d7{count}"
    return f"{count} tensors"


def _emit_edge(dot: graphviz.Digraph, edge: Edge, view: View, drawn_in: dict,
               show_shapes: bool, show_dtypes: bool) -> None:
    attrs = dict(styles.EDGE_STYLES[edge.style])
    if edge.style == "data" and view.nodes[edge.src].kind not in _SIDE_KINDS:
        attrs["weight"] = "4"  # keep the main data path straight; parameters join from the side
        if drawn_in[edge.src] != drawn_in[edge.dst]:
            # One spare rank where the path enters another scope, for the Variables that
            # join there: then scopes stack vertically instead of in a staircase.
            attrs["minlen"] = "2"
    label = edge_label(edge, show_shapes, show_dtypes)
    if label:
        attrs["label"] = label
    count = len(edge.items)
    if count > 1:
        base = float(attrs.get("penwidth", 1.0))
        attrs["penwidth"] = f"{base + 0.6 * math.log2(count):.2f}"
    tips = [getattr(item, "name", str(item)) for item in edge.items[:8]]
    attrs["tooltip"] = ", ".join(tips) + (", ..." if count > 8 else "")
    dot.edge(edge.src, edge.dst, **attrs)
