"""Graph files on disk: `write_graph` (TF1's `tf.train.write_graph`) and
`load_graph_file`, which reads any flowgraph graph file into a new Graph.

A graph file is binary (a flowgraph container of kind "graph" or "meta_graph") or JSON
text (the same document with tensor values inline). Loading never runs code: see
`flowgraph.io.container` and `flowgraph.io.graph_checks`.
"""

from __future__ import annotations

import os
from typing import Any

from flowgraph import errors
from flowgraph.io import container
from flowgraph.io.atomic import atomic_write
from flowgraph.io.graph_def import MAX_TEXT_BYTES, GraphDef, graph_def_from_document, parse_text

__all__ = ["write_graph", "load_graph_file", "read_graph_def"]


def write_graph(graph_or_graph_def: Any, logdir: Any, name: str, as_text: bool = True) -> str:
    """Writes a Graph, GraphDef or MetaGraphDef to `logdir/name` atomically; returns the
    path. `as_text` writes readable JSON, else the binary container form.

    >>> fg.train.write_graph(sess.graph, "/tmp/model", "graph.json")
    '/tmp/model/graph.json'
    """
    from flowgraph.graph import Graph
    value = graph_or_graph_def
    if isinstance(value, Graph):
        value = value.as_graph_def()
    if not hasattr(value, "SerializeToString") or not hasattr(value, "to_json"):
        raise TypeError(f"write_graph expects a Graph, GraphDef or MetaGraphDef, got "
                        f"{type(value).__name__}")
    path = os.path.join(os.fspath(logdir), name)
    data = value.to_json().encode("utf-8") if as_text else value.SerializeToString()
    return atomic_write(path, data)


def read_file_document(filename: Any) -> tuple:
    """(kind, document, container or None, path) of a binary or JSON flowgraph file."""
    path = os.fspath(filename)
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(container.MAGIC))
            size = os.fstat(handle.fileno()).st_size
            if container.is_container(head):
                box = container.parse(head + handle.read(), path)
                return box.kind, box.document, box, path
            if head.lstrip()[:1] != b"{":
                raise errors.DataLossError(
                    None, None, f"{path}: not a flowgraph graph file (neither the binary "
                    "container nor JSON text); pickles and other formats are never loaded")
            if size > MAX_TEXT_BYTES:
                raise errors.DataLossError(None, None, f"{path}: {size} bytes exceed the "
                                           f"limit of {MAX_TEXT_BYTES} for a text file")
            text = head + handle.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}: no such file") from None
    except IsADirectoryError:
        raise errors.InvalidArgumentError(None, None, f"{path} is a folder, not a graph "
                                          "file") from None
    except OSError as exc:
        raise errors.PermissionDeniedError(None, None, f"Cannot read {path}: {exc}") from None
    kind, document = parse_text(text, path)
    return kind, document, None, path


def read_graph_def(filename: Any) -> GraphDef:
    """The GraphDef in a graph file or meta graph file (binary or text)."""
    from flowgraph.io.meta_graph import META_GRAPH_KIND, meta_graph_from_document
    kind, document, box, path = read_file_document(filename)
    if kind == "graph":
        return graph_def_from_document(document, box, path)
    if kind == META_GRAPH_KIND:
        return meta_graph_from_document(document, box, path).graph_def
    raise errors.InvalidArgumentError(None, None, f"{path} holds a {kind!r:.40}, not a graph")


def load_graph_file(path: Any) -> Any:
    """A new fg.Graph holding the graph of `path`: a graph file (JSON text or binary), a
    meta graph file (its collections are restored too) or a saved-model folder (its
    "serve" meta graph, else its first one).

    Raises NotFoundError for a missing file, DataLossError for a damaged or foreign one
    (never unpickled), UnimplementedError for a file from a newer flowgraph, and
    NotFoundError naming close op types for an op type this flowgraph does not know.
    """
    from flowgraph.graph import Graph
    from flowgraph.io.collection_def import import_collections
    from flowgraph.io.importer import import_with_names
    from flowgraph.io.meta_graph import META_GRAPH_KIND, meta_graph_from_document
    path = os.fspath(path)
    if os.path.isdir(path):
        meta_graph_def = _saved_model_meta_graph(path)
    else:
        kind, document, box, path = read_file_document(path)
        if kind == "saved_model":
            meta_graph_def = _saved_model_meta_graph(os.path.dirname(path) or ".")
        elif kind == META_GRAPH_KIND:
            meta_graph_def = meta_graph_from_document(document, box, path)
        elif kind == "graph":
            meta_graph_def = None
            graph_def = graph_def_from_document(document, box, path)
        else:
            raise errors.InvalidArgumentError(None, None, f"{path} holds a {kind!r:.40}, "
                                              "not a graph")
    graph = Graph()
    with graph.as_default():
        if meta_graph_def is None:
            import_with_names(graph_def, name="", graph=graph)
        else:
            created, _ = import_with_names(meta_graph_def.graph_def, name="", graph=graph)
            import_collections(graph, meta_graph_def.collection_def, created)
    return graph


def _saved_model_meta_graph(export_dir: str) -> Any:
    from flowgraph.saved_model.file_format import parse_saved_model
    model = parse_saved_model(export_dir)
    if not model.meta_graphs:
        raise errors.NotFoundError(None, None, f"The saved model at {export_dir} holds no "
                                   "meta graph")
    for meta_graph_def in model.meta_graphs:
        if list(meta_graph_def.meta_info_def.tags) == ["serve"]:
            return meta_graph_def
    return model.meta_graphs[0]
