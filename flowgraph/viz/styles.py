"""How each kind of node, edge and cluster looks: shapes, colours, fonts, label text.

One table per thing drawn, so a change of look is a change of one entry. The palette is
soft fills with a darker outline of the same hue, readable in colour and in greyscale
(the shapes differ too, not only the colours).
"""

from __future__ import annotations

import html
from typing import Any, Iterable, Optional

from flowgraph.shapes import TensorShape

FONT = "Helvetica"

# Node kinds (see flowgraph.viz.roles.node_kind).
PLACEHOLDER = "placeholder"
VARIABLE = "variable"
CONSTANT = "constant"
OP = "op"
STATEFUL = "stateful"
CONTROL = "control"
SCOPE = "scope"

KINDS = (PLACEHOLDER, VARIABLE, CONSTANT, OP, STATEFUL, CONTROL, SCOPE)

# Shown in the legend, in this order.
KIND_TITLES = {
    PLACEHOLDER: "placeholder (fed)",
    VARIABLE: "Variable",
    CONSTANT: "constant",
    OP: "op",
    STATEFUL: "stateful op (random, assign, update)",
    CONTROL: "control flow / group",
    SCOPE: "collapsed name scope",
}

NODE_STYLES: dict = {
    PLACEHOLDER: {"shape": "invhouse", "style": "filled", "fillcolor": "#c8e6c9",
                  "color": "#2e7d32"},
    VARIABLE: {"shape": "cylinder", "style": "filled", "fillcolor": "#ffe0b2",
               "color": "#e65100"},
    CONSTANT: {"shape": "ellipse", "style": "filled", "fillcolor": "#f0f0f0",
               "color": "#9e9e9e", "fontsize": "9", "margin": "0.03,0.01",
               "height": "0.3"},
    OP: {"shape": "box", "style": "rounded,filled", "fillcolor": "#d6e9fb",
         "color": "#1e6fbf"},
    STATEFUL: {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#ffcdd2",
               "color": "#c62828", "peripheries": "2"},
    CONTROL: {"shape": "hexagon", "style": "filled", "fillcolor": "#fff59d",
              "color": "#f9a825"},
    SCOPE: {"shape": "box3d", "style": "filled", "fillcolor": "#ffffff",
            "color": "#455a64"},
}

# Clusters: ordinary name scopes get lighter or darker grey by nesting level; the
# gradient and optimizer groups get their own tint so they stand apart at a glance.
SCOPE_FILLS = ("#f4f6f8", "#e8ecf0", "#dde3e9")
CLUSTER_STYLES: dict = {
    "scope": {"style": "rounded,filled", "color": "#90a4ae", "fontcolor": "#37474f"},
    "gradients": {"style": "rounded,filled", "color": "#ef8f3c", "fillcolor": "#fff1e2",
                  "fontcolor": "#b45309"},
    "optimizer": {"style": "rounded,filled", "color": "#8e63b5", "fillcolor": "#f3ebfa",
                  "fontcolor": "#5b2c83"},
    "legend": {"style": "rounded", "color": "#b0bec5", "fontcolor": "#546e7a"},
}

EDGE_STYLES: dict = {
    "data": {"color": "#5f6b73"},
    "ref": {"color": "#e65100", "penwidth": "1.4"},
    "init": {"color": "#b0b0b0"},
    "const": {"color": "#b0b0b0", "arrowsize": "0.4"},
    "control": {"style": "dashed", "color": "#8e63b5"},
}

GRAPH_ATTRS = {
    "rankdir": "TB", "fontname": FONT, "fontsize": "12", "newrank": "true",
    "nodesep": "0.25", "ranksep": "0.35", "compound": "true", "labeljust": "l",
    "bgcolor": "white", "pad": "0.2",
}
NODE_ATTRS = {"fontname": FONT, "fontsize": "11", "margin": "0.12,0.04", "height": "0.35",
              "penwidth": "1.2"}
EDGE_ATTRS = {"fontname": FONT, "fontsize": "8", "fontcolor": "#546e7a", "arrowsize": "0.6",
              "penwidth": "1.0"}


def cluster_attrs(group: Optional[str], level: int, label: str) -> dict:
    """Attributes of the cluster of a name scope at nesting `level` (1 = top level)."""
    attrs = dict(CLUSTER_STYLES[group or "scope"])
    if group is None:
        attrs["fillcolor"] = SCOPE_FILLS[min(level - 1, len(SCOPE_FILLS) - 1)]
    attrs["label"] = html_label(label, bold=True, size=11)
    attrs["fontname"] = FONT
    attrs["margin"] = "10"
    return attrs


# --------------------------------------------------------------------------- label text
def esc(text: Any) -> str:
    """Text escaped for a Graphviz HTML-like label."""
    return html.escape(str(text), quote=True)


def html_label(title: str, subtitle: Optional[str] = None, *, bold: bool = True,
               size: Optional[int] = None, sub_size: int = 9,
               sub_color: str = "#546e7a") -> str:
    """``<<B>title</B><BR/><FONT ...>subtitle</FONT>>``: a bold line and a small grey one."""
    text = esc(title)
    if bold:
        text = f"<B>{text}</B>"
    if size is not None:
        text = f'<FONT POINT-SIZE="{size}">{text}</FONT>'
    if subtitle:
        text += f'<BR/><FONT POINT-SIZE="{sub_size}" COLOR="{sub_color}">{esc(subtitle)}</FONT>'
    return f"<{text}>"


def shape_text(shape: TensorShape) -> str:
    """A static shape as TF1 users read it: ``[?, 784]``, ``scalar``, ``[?...]`` (unknown)."""
    dims = shape.as_tuple() if isinstance(shape, TensorShape) else None
    if dims is None:
        return "[?...]"
    if not dims:
        return "scalar"
    return "[" + ", ".join("?" if d is None else str(d) for d in dims) + "]"


def tensor_text(dtype_name: str, shape: TensorShape, *, ref: bool = False,
                show_dtype: bool = True, show_shape: bool = True) -> str:
    """An edge label: ``float32 [?, 784]`` (``float32_ref`` at a by-reference input)."""
    parts = []
    if show_dtype:
        parts.append(dtype_name + ("_ref" if ref else ""))
    if show_shape:
        parts.append(shape_text(shape))
    return " ".join(parts)


def dims_text(shape: TensorShape) -> str:
    """A Variable's shape in its box: ``784×256``, ``scalar``."""
    dims = shape.as_tuple() if isinstance(shape, TensorShape) else None
    if dims is None:
        return "?"
    if not dims:
        return "scalar"
    return "\u00d7".join("?" if d is None else str(d) for d in dims)


def count_text(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def join_nonempty(parts: Iterable[Optional[str]], sep: str = " ") -> str:
    return sep.join(p for p in parts if p)
