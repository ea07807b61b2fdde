"""`flowgraph viz GRAPH_FILE -o out.png [--depth N] [--fetch NAME ...] [--no-gradients]`."""

from __future__ import annotations

import argparse
import sys

from flowgraph import errors


def viz_command(args: argparse.Namespace) -> int:
    """Draws a saved graph file into an image; returns the exit status.

    `args` has ``graph_file``, ``output`` (its suffix picks .png/.svg/.pdf/.dot),
    ``depth`` (None: the deepest level that keeps the drawing to about 60 boxes),
    ``fetch`` (op or tensor names: draw only what running them needs) and
    ``no_gradients``.
    """
    from flowgraph.io import load_graph_file
    from flowgraph.viz import GraphvizUnavailableError, render

    output = getattr(args, "output", None)
    if not output:
        print("flowgraph viz: give the image to write with -o FILE (.png, .svg, .pdf or .dot)",
              file=sys.stderr)
        return 2
    depth = getattr(args, "depth", None)
    try:
        graph = load_graph_file(args.graph_file)
    except (OSError, ValueError, errors.OpError) as exc:
        print(f"flowgraph viz: cannot load {args.graph_file}: {exc}", file=sys.stderr)
        return 1
    names = list(getattr(args, "fetch", None) or [])
    fetches = []
    for name in names:
        try:
            fetches.append(graph.as_graph_element(name))
        except (KeyError, ValueError, TypeError) as exc:
            print(f"flowgraph viz: --fetch {name}: {exc.args[0] if exc.args else exc}",
                  file=sys.stderr)
            return 2
    try:
        path = render(fetches if fetches else graph, output,
                      depth="auto" if depth is None else depth,
                      show_gradients=not getattr(args, "no_gradients", False), graph=graph)
    except GraphvizUnavailableError as exc:
        print(f"flowgraph viz: {exc}", file=sys.stderr)
        return 1
    except (ValueError, errors.OpError) as exc:
        print(f"flowgraph viz: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0
