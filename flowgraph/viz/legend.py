"""The legend: one small table node (in its own cluster) naming the kinds of boxes and
edges that the drawing uses, each in its own colours."""

from __future__ import annotations

import graphviz

from flowgraph.viz import styles

# Box kinds: a sample cell in the kind's colours, and what it is drawn as.
SHAPE_WORDS = {
    styles.PLACEHOLDER: "green pentagon",
    styles.VARIABLE: "orange cylinder",
    styles.CONSTANT: "small grey oval",
    styles.OP: "blue rounded box",
    styles.STATEFUL: "red double box",
    styles.CONTROL: "yellow hexagon",
    styles.SCOPE: "3-D box: N ops",
}

EDGE_TITLES = {
    "data": ("\u2192", "tensor: dtype [shape]"),
    "ref": ("\u2192", "Variable by reference (_ref)"),
    "init": ("\u2192", "initial value of a Variable"),
    "control": ("\u21e2", "control dependency (dashed)"),
}


def legend_table(kinds: set, edge_styles: set) -> str:
    """The HTML-like label of the legend node."""
    rows = []
    for kind in styles.KINDS:
        if kind not in kinds:
            continue
        style = styles.NODE_STYLES[kind]
        rows.append(
            f'<TR><TD BGCOLOR="{style["fillcolor"]}" COLOR="{style["color"]}" BORDER="1" '
            f'STYLE="ROUNDED" CELLPADDING="3">{styles.esc(styles.KIND_TITLES[kind])}</TD>'
            f'<TD ALIGN="LEFT"><FONT COLOR="#78909c">{styles.esc(SHAPE_WORDS[kind])}'
            '</FONT></TD></TR>')
    for style_name, (arrow, text) in EDGE_TITLES.items():
        if style_name not in edge_styles:
            continue
        color = styles.EDGE_STYLES[style_name]["color"]
        rows.append(f'<TR><TD ALIGN="RIGHT"><FONT COLOR="{color}" POINT-SIZE="14"><B>{arrow}'
                    f'</B></FONT></TD><TD ALIGN="LEFT">{styles.esc(text)}</TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def add_legend(dot: graphviz.Digraph, kinds: set, edge_styles: set) -> None:
    """Adds ``cluster_legend`` to `dot`, describing only the `kinds` and `edge_styles` used."""
    with dot.subgraph(name="cluster_legend") as sub:
        sub.attr(label=styles.html_label("Legend", size=10), fontname=styles.FONT, margin="6",
                 **styles.CLUSTER_STYLES["legend"])
        sub.node("_legend", label=legend_table(kinds, edge_styles), shape="plaintext",
                 fontsize="9", margin="0", tooltip="legend")
