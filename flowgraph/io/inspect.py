"""Summaries of stored graphs, meta graphs, checkpoints and saved models (`flowgraph inspect`).

>>> from flowgraph.io.inspect import summarize, format_summary
>>> print(format_summary(summarize("export/1")))

`summarize(path)` returns a plain dict (kind, format versions, ops by type, variables with
dtypes, shapes and sizes, signatures, tags); `format_summary` renders it as text. Nothing is
run: files are only parsed and validated.
"""

from __future__ import annotations

import collections
import json
import os
import re
from typing import Any, Optional

from flowgraph import dtypes, errors

__all__ = ["summarize", "format_summary"]

_CHECKPOINT_FILE_RE = re.compile(r"(.+)\.(index|data-\d{5}-of-\d{5}(\.1)?)")
_VARIABLE_OP_TYPES = ("VariableV2", "Variable", "VarHandleOp")


# --------------------------------------------------------------------------- detection
def summarize(path: Any) -> dict:
    """A summary of what is stored at `path`.

    `path` may be a saved model folder, a folder with a checkpoint state file, a checkpoint
    prefix (or one of its files), a graph file or a meta graph file, binary or JSON text.
    """
    path = os.fspath(path)
    from flowgraph.saved_model.loader import maybe_saved_model_directory
    if os.path.isdir(path):
        if maybe_saved_model_directory(path):
            return _saved_model_summary(path)
        from flowgraph.train.checkpoint_management import latest_checkpoint
        prefix = latest_checkpoint(path)
        if prefix:
            return _checkpoint_summary(prefix)
        raise errors.NotFoundError(None, None, f"{path} is a folder without a saved model "
                                   "(saved_model.fgm / saved_model.json) or a checkpoint "
                                   "state file")
    match = _CHECKPOINT_FILE_RE.fullmatch(path)
    if match and os.path.isfile(path):
        return _checkpoint_summary(match.group(1))
    if not os.path.exists(path) and os.path.isfile(f"{path}.index"):
        return _checkpoint_summary(path)
    if not os.path.isfile(path):
        raise errors.NotFoundError(None, None, f"{path}: no such file, folder or checkpoint "
                                   "prefix")
    return _file_summary(path)


def _file_summary(path: str) -> dict:
    from flowgraph.io.checkpoint import DATA_KIND, INDEX_KIND
    from flowgraph.io.graph_def import graph_def_from_document
    from flowgraph.io.graph_files import read_file_document
    from flowgraph.io.meta_graph import META_GRAPH_KIND, meta_graph_from_document
    kind, document, box, path = read_file_document(path)
    if kind == "saved_model":
        return _saved_model_summary(os.path.dirname(os.path.abspath(path)))
    if kind in (INDEX_KIND, DATA_KIND):
        raise errors.InvalidArgumentError(None, None, f"{path} is a checkpoint file but not "
                                          "named PREFIX.index or PREFIX.data-*; rename it")
    versions = _file_versions(path, box is not None)
    if kind == META_GRAPH_KIND:
        summary, variables = _meta_graph_summary(meta_graph_from_document(document, box, path))
        return {"path": path, "kind": "meta_graph", "format_versions": versions,
                "meta_graphs": [summary], "variables": variables}
    if kind == "graph":
        graph_summary, variables = _graph_def_summary(
            graph_def_from_document(document, box, path))
        return {"path": path, "kind": "graph", "format_versions": versions,
                "graph": graph_summary, "variables": variables}
    raise errors.InvalidArgumentError(None, None, f"{path} holds a {kind!r:.40}, which "
                                      "flowgraph inspect does not summarize")


def _file_versions(path: str, binary: bool) -> dict:
    """The format versions of an already validated file: from the container header, or
    from the top of the JSON text."""
    with open(path, "rb") as handle:
        if binary:
            prefix = handle.read(16)
            header = json.loads(handle.read(int.from_bytes(prefix[12:16], "little")))
            return {"container_layout": int.from_bytes(prefix[8:12], "little"),
                    "producer": header.get("producer"),
                    "min_consumer": header.get("min_consumer")}
        top = json.loads(handle.read())
    return {"text format": True, "producer": top.get("producer"),
            "min_consumer": top.get("min_consumer")}


# --------------------------------------------------------------------------- summaries
def _saved_model_summary(export_dir: str) -> dict:
    from flowgraph.saved_model.file_format import parse_saved_model
    from flowgraph.saved_model.loader import get_variables_path
    model = parse_saved_model(export_dir)
    meta_graphs = []
    graph_variables: list = []
    for i, meta_graph in enumerate(model.meta_graphs):
        summary, found = _meta_graph_summary(meta_graph)
        summary["assets"] = [a.filename for a in model.asset_file_defs[i]]
        meta_graphs.append(summary)
        graph_variables = graph_variables or found
    prefix = get_variables_path(export_dir)
    variables = _checkpoint_variables(prefix) if os.path.isfile(f"{prefix}.index") \
        else graph_variables
    versions = dict(model.format_versions)
    versions["saved_model_schema_version"] = model.saved_model_schema_version
    return {"path": export_dir, "kind": "saved_model", "file": os.path.basename(model.path),
            "format_versions": versions, "meta_graphs": meta_graphs, "variables": variables}


def _checkpoint_summary(prefix: str) -> dict:
    variables = _checkpoint_variables(prefix)  # validates the index first
    return {"path": prefix, "kind": "checkpoint",
            "format_versions": _file_versions(f"{prefix}.index", True),
            "variables": variables}


def _checkpoint_variables(prefix: str) -> list:
    from flowgraph.io.checkpoint import CheckpointReader
    reader = CheckpointReader(prefix)
    shapes = reader.get_variable_to_shape_map()
    types = reader.get_variable_to_dtype_map()
    return [_variable_entry(name, types[name], shapes[name]) for name in sorted(shapes)]


def _meta_graph_summary(meta_graph: Any) -> tuple:
    graph_summary, variables = _graph_def_summary(meta_graph.graph_def)
    signatures = {}
    for key, signature in sorted((meta_graph.signature_def or {}).items()):
        signatures[key] = {
            "method_name": getattr(signature, "method_name", "") or "",
            "inputs": {k: _tensor_info(v) for k, v in sorted(signature.inputs.items())},
            "outputs": {k: _tensor_info(v) for k, v in sorted(signature.outputs.items())},
        }
    collections_ = {name: len(items or [])
                    for name, items in sorted((meta_graph.collection_def or {}).items())}
    info = meta_graph.meta_info_def
    return {"tags": list(getattr(info, "tags", None) or []), "graph": graph_summary,
            "signatures": signatures, "collections": collections_,
            "saver": meta_graph.saver_def is not None}, variables


def _graph_def_summary(graph_def: Any) -> tuple:
    """({nodes, ops by type, versions}, variables found in the graph)."""
    counts = collections.Counter(node.op for node in graph_def.node)
    summary = {"nodes": len(graph_def.node), "ops": dict(sorted(counts.items())),
               "versions": _versions_dict(getattr(graph_def, "versions", None))}
    return summary, _graph_variables(graph_def)


def _graph_variables(graph_def: Any) -> list:
    """Variables of a graph (name, dtype, shape), from the variable nodes' attributes."""
    found = []
    for node in graph_def.node:
        if node.op not in _VARIABLE_OP_TYPES:
            continue
        attr = node.attr or {}
        dtype = _attr_value(attr.get("dtype"), "dtype")
        shape = _attr_value(attr.get("shape"), "shape")
        try:
            dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        except (TypeError, ValueError):
            dtype = None
        if hasattr(shape, "as_list"):
            shape = shape.as_list() if shape.ndims is not None else None
        found.append(_variable_entry(node.name, dtype, shape))
    return found


def _attr_value(value: Any, tag: str) -> Any:
    # Attributes may be decoded values or their file encoding ({"dtype": "float32"}).
    if isinstance(value, dict) and tag in value:
        return value[tag]
    return value


def _variable_entry(name: str, dtype: Any, shape: Optional[list]) -> dict:
    size = None
    if dtype is not None and shape is not None and all(isinstance(d, int) for d in shape) \
            and not dtype.is_string:
        size = dtype.size
        for dim in shape:
            size *= dim
    return {"name": name, "dtype": dtype.name if dtype is not None else "?",
            "shape": shape, "bytes": size}


def _tensor_info(info: Any) -> dict:
    shape = getattr(info, "tensor_shape", None)
    if hasattr(shape, "as_list"):
        shape = shape.as_list() if shape.ndims is not None else None
    dtype = getattr(info, "dtype", None)
    return {"name": getattr(info, "name", ""),
            "dtype": getattr(dtype, "name", None) or str(dtype), "shape": shape}


def _versions_dict(versions: Any) -> dict:
    if versions is None:
        return {}
    if isinstance(versions, dict):
        return dict(versions)
    return {k: getattr(versions, k) for k in ("producer", "min_consumer", "bad_consumers")
            if hasattr(versions, k)}


# --------------------------------------------------------------------------- text
def format_summary(summary: dict) -> str:
    """The summary as readable text (what `flowgraph inspect` prints)."""
    lines = [f"{summary['kind'].replace('_', ' ')}: {summary['path']}"]
    versions = summary.get("format_versions") or {}
    if summary.get("file"):
        lines.append(f"  file: {summary['file']}")
    if versions:
        lines.append("  format versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    if "graph" in summary:
        lines.extend(_graph_lines(summary["graph"], "  "))
    for i, meta in enumerate(summary.get("meta_graphs", [])):
        lines.append(f"meta graph {i}: tags {meta['tags']}")
        lines.extend(_graph_lines(meta["graph"], "  "))
        lines.extend(_signature_lines(meta["signatures"]))
        if meta["collections"]:
            lines.append("  collections: " + ", ".join(
                f"{name} ({count})" for name, count in meta["collections"].items()))
        if meta.get("assets"):
            lines.append(f"  assets: {meta['assets']}")
    lines.extend(_variable_lines(summary.get("variables") or []))
    return "\n".join(lines)


def _graph_lines(graph: dict, indent: str) -> list:
    versions = graph.get("versions") or {}
    lines = [f"{indent}graph: {graph['nodes']} nodes" + (
        f", graph version {versions.get('producer')} (min consumer "
        f"{versions.get('min_consumer')})" if versions else "")]
    if graph["ops"]:
        lines.append(f"{indent}ops by type:")
        width = max(len(name) for name in graph["ops"])
        for name, count in sorted(graph["ops"].items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"{indent}  {name:<{width}}  {count}")
    return lines


def _signature_lines(signatures: dict) -> list:
    if not signatures:
        return ["  signatures: none"]
    lines = ["  signatures:"]
    for key, sig in signatures.items():
        lines.append(f"    {key!r}" + (f" (method {sig['method_name']})"
                                        if sig["method_name"] else ""))
        for field in ("inputs", "outputs"):
            lines.append(f"      {field}:")
            for name, info in sig[field].items():
                lines.append(f"        {name}: {info['name']} {info['dtype']} "
                             f"{_shape_text(info['shape'])}")
    return lines


def _variable_lines(variables: list) -> list:
    if not variables:
        return ["variables: none"]
    total = sum(v["bytes"] or 0 for v in variables)
    lines = [f"variables: {len(variables)}, {total:,} bytes in total ({_human(total)})"]
    width = max(len(v["name"]) for v in variables)
    for v in variables:
        size = "?" if v["bytes"] is None else f"{v['bytes']:,} bytes"
        lines.append(f"  {v['name']:<{width}}  {v['dtype']:<8} {_shape_text(v['shape']):<14} "
                     f"{size}")
    return lines


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _shape_text(shape: Optional[list]) -> str:
    if shape is None:
        return "<unknown>"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"
