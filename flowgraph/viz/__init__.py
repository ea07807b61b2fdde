"""Drawing graphs: `fg.viz.to_dot` (a `graphviz.Digraph`) and `fg.viz.render` (a file).

>>> fg.viz.render(graph, "model.png", depth=1)               # the whole graph
>>> fg.viz.render(logits, "inference.svg")                    # what running `logits` needs
>>> fg.viz.render(graph, "model.pdf", show_gradients=False)   # the model without training ops

Name scopes are drawn as nested clusters; ``depth=N`` collapses deeper scopes into one box
each. A Graph also draws itself in Jupyter (as SVG). Images need Graphviz's `dot`
program: `dot` on the PATH, or the program named by the environment variable
``FLOWGRAPH_DOT``. Without it, `render` writes the ``.dot`` source next to the requested
file and raises `GraphvizUnavailableError` (an `fg.errors.UnavailableError`).
See docs/viz.md.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Union

from flowgraph.viz.dot import to_dot
from flowgraph.viz.render import (
    DOT_ENV,
    GraphvizUnavailableError,
    find_dot,
    pipe_source,
    render_source,
)

__all__ = ["to_dot", "render", "to_svg", "GraphvizUnavailableError", "find_dot", "DOT_ENV"]


def render(graph_or_fetches: Any, path: Union[str, os.PathLike], *,
           dpi: Optional[float] = None, **options: Any) -> str:
    """Draws a graph (or what some fetches need) into an image file; returns its path.

    Parameters
    ----------
    graph_or_fetches : Graph, Tensor, Operation, Variable, str, list of them, or None
        What to draw, as for `to_dot` (None: the default graph).
    path : str or os.PathLike
        The file to write; its suffix picks the format: ``.png``, ``.svg``, ``.pdf``, or
        ``.dot`` / ``.gv`` (the DOT source, which needs no Graphviz program).
    dpi : float, optional
        Resolution of a ``.png`` (Graphviz's default is 96).
    **options
        `to_dot`'s options: ``depth``, ``show_shapes``, ``show_gradients``, ``title``, ...

    Returns
    -------
    str
        `path`.

    Raises
    ------
    GraphvizUnavailableError
        The `dot` program is missing (see ``$FLOWGRAPH_DOT``); the DOT source was written
        next to `path` (``model.png`` -> ``model.dot``), and the message says where and how
        to install Graphviz.
    ValueError
        The suffix of `path` is not one of the formats above.
    """
    from flowgraph.viz.render import file_format

    file_format(path)  # a bad suffix fails before any drawing work
    source = to_dot(graph_or_fetches, **options).source
    return render_source(source, path, dpi=dpi)


def to_svg(graph_or_fetches: Any = None, **options: Any) -> Optional[str]:
    """The drawing as SVG text (None when Graphviz's `dot` is missing); `to_dot`'s options."""
    data = pipe_source(to_dot(graph_or_fetches, **options).source, "svg")
    return None if data is None else data.decode("utf-8")


def _repr_svg(graph: Any) -> Optional[str]:
    """`fg.Graph._repr_svg_`: the graph at a depth that keeps it readable, or None."""
    if not graph.get_operations():
        return None
    return to_svg(graph, depth="auto")


def _repr_mimebundle(graph: Any) -> dict:
    """`fg.Graph._repr_mimebundle_`: SVG (when `dot` is available) and plain text."""
    bundle = {"text/plain": repr(graph)}
    svg = _repr_svg(graph)
    if svg is not None:
        bundle["image/svg+xml"] = svg
    return bundle
