"""Graph collections in meta graphs: each item is stored as a small JSON entry.

Entries name graph elements; scalars are stored as values::

    {"kind": "tensor", "name": "loss:0"}         {"kind": "operation", "name": "train"}
    {"kind": "variable", "name": "w:0", "variable_def": {"variable_name": "w:0", ...}}
    {"kind": "sparse_tensor", "indices": "a:0", "values": "b:0", "dense_shape": "c:0"}
    {"kind": "indexed_slices", "values": "a:0", "indices": "b:0", "dense_shape": ""}
    {"kind": "string" | "bytes" (base64) | "int" | "float" | "bool", "value": ...}

Importing rebuilds the items (Variables as `fg.Variable` objects sharing one object per
variable across collections); names are only ever looked up among the imported nodes.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from typing import Any, Callable, Optional

import numpy as np

from flowgraph.graph import Operation, Tensor
from flowgraph.io import container
from flowgraph.io.attrs import GraphDefError, float_from_json, float_to_json
from flowgraph.io.graph_checks import parse_input

MAX_COLLECTIONS = 1 << 12
MAX_ENTRIES = 1 << 20
_NAME_FIELDS = {"tensor": ("name",), "operation": ("name",), "variable": ("name",),
                "sparse_tensor": ("indices", "values", "dense_shape"),
                "indexed_slices": ("values", "indices", "dense_shape")}
_VARIABLE_FIELDS = ("variable_name", "initializer_name", "snapshot_name",
                    "initial_value_name")
_SCALARS = {"string": str, "bytes": str, "int": int, "float": (int, float, str), "bool": bool}


# --------------------------------------------------------------------------- export
def export_collections(graph: Any, keys: Optional[list], export_scope: Optional[str]) -> dict:
    """{collection name: [entry, ...]} for the string-keyed collections of `graph` (all, or
    `keys`); a collection holding something that cannot be stored is left out with a
    warning, as TF1 does."""
    if keys is None:
        keys = [k for k in graph.get_all_collection_keys() if isinstance(k, str)]
    prefix = export_scope.rstrip("/") + "/" if export_scope else ""
    result = {}
    for key in keys:
        if not isinstance(key, str):
            continue
        entries = []
        try:
            for item in graph.get_collection(key):
                entry = _entry_of(item, prefix)
                if entry is not None:
                    entries.append(entry)
        except TypeError as exc:
            warnings.warn(f"Collection {key!r} is not saved in the meta graph: {exc}",
                          stacklevel=3)
            continue
        if entries:
            result[key] = entries
    return result


def _entry_of(item: Any, prefix: str) -> Optional[dict]:
    from flowgraph.indexed_slices import IndexedSlices
    from flowgraph.sparse_tensor import SparseTensor
    from flowgraph.variables import Variable
    if isinstance(item, Variable):
        variable_def = item.to_proto(export_scope=prefix or None)
        if variable_def is None:
            return None
        return {"kind": "variable", "name": variable_def["variable_name"],
                "variable_def": variable_def}
    if callable(getattr(item, "as_saver_def", None)) and callable(getattr(item, "restore", None)):
        # A Saver (e.g. in the `savers` collection a Scaffold fills): the meta graph already
        # holds its SaverDef, so it is left out quietly rather than warned about.
        return None
    if isinstance(item, (bool, np.bool_)):
        return {"kind": "bool", "value": bool(item)}
    if isinstance(item, (int, np.integer)):
        return {"kind": "int", "value": int(item)}
    if isinstance(item, (float, np.floating)):
        return {"kind": "float", "value": float_to_json(float(item))}
    if isinstance(item, str):
        return {"kind": "string", "value": item}
    if isinstance(item, bytes):
        return {"kind": "bytes", "value": base64.b64encode(item).decode("ascii")}
    parts = None
    if isinstance(item, Tensor):
        kind, parts = "tensor", {"name": item}
    elif isinstance(item, Operation):
        kind, parts = "operation", {"name": item}
    elif isinstance(item, SparseTensor):
        kind, parts = "sparse_tensor", {"indices": item.indices, "values": item.values,
                                        "dense_shape": item.dense_shape}
    elif isinstance(item, IndexedSlices):
        kind, parts = "indexed_slices", {"values": item.values, "indices": item.indices,
                                         "dense_shape": item.dense_shape}
    if parts is None:
        raise TypeError(f"items of type {type(item).__name__} cannot be stored")
    entry = {"kind": kind}
    for field, element in parts.items():
        name = "" if element is None else element.name
        if name and prefix:
            if not name.startswith(prefix):
                return None  # outside the exported scope
            name = name[len(prefix):]
        entry[field] = name
    return entry


# --------------------------------------------------------------------------- checks
def check_collection_def(raw: Any, node_names: set, where: str) -> dict:
    """A validated copy of a collection_def document: known kinds, bounded counts, and
    names of nodes that exist in the graph."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or len(raw) > MAX_COLLECTIONS:
        raise _invalid(where, f"'collection_def' must be an object of at most "
                       f"{MAX_COLLECTIONS} collections")
    result = {}
    for key, entries in raw.items():
        if len(key) > container.MAX_NAME_CHARS or not isinstance(entries, list) or \
                len(entries) > MAX_ENTRIES:
            raise _invalid(where, f"collection {key!r:.80} must be a list of at most "
                           f"{MAX_ENTRIES} entries")
        result[key] = [_checked_entry(e, node_names, f"{where}: collection {key!r:.80}")
                       for e in entries]
    return result


def _checked_entry(entry: Any, node_names: set, where: str) -> dict:
    if not isinstance(entry, dict) or not isinstance(entry.get("kind"), str):
        raise _invalid(where, f"entries must be objects with a 'kind', got {entry!r:.80}")
    kind = entry["kind"]
    if kind in _SCALARS:
        value = entry.get("value")
        if not isinstance(value, _SCALARS[kind]) or (kind != "bool" and isinstance(
                value, bool)):
            raise _invalid(where, f"a {kind!r} entry has an invalid value {value!r:.80}")
        if kind == "float":
            float_from_json(value, where)
        if kind == "bytes":
            _b64(value, where)
        return dict(entry)
    if kind not in _NAME_FIELDS:
        raise _invalid(where, f"unknown entry kind {kind!r:.40}; expected one of "
                       f"{sorted(set(_NAME_FIELDS) | set(_SCALARS))}")
    for field in _NAME_FIELDS[kind]:
        name = entry.get(field)
        optional = kind == "indexed_slices" and field == "dense_shape"
        _check_name(name, kind != "operation", optional, node_names, where)
    if kind == "variable":
        variable_def = entry.get("variable_def")
        if not isinstance(variable_def, dict):
            raise _invalid(where, "a variable entry needs a 'variable_def' object")
        for field in _VARIABLE_FIELDS:
            _check_name(variable_def.get(field), field != "initializer_name",
                        field == "initial_value_name", node_names, where)
        if not isinstance(variable_def.get("trainable", True), bool):
            raise _invalid(where, "variable_def 'trainable' must be true or false")
    return dict(entry)


def _check_name(name: Any, is_tensor: bool, optional: bool, node_names: set,
                where: str) -> None:
    if optional and name == "":
        return
    if not isinstance(name, str) or len(name) > container.MAX_NAME_CHARS:
        raise _invalid(where, f"invalid node name {name!r:.80}")
    try:
        op_name, _, _ = parse_input(name)
    except ValueError:
        raise _invalid(where, f"invalid tensor name {name!r:.80}") from None
    if is_tensor != (":" in name) or op_name not in node_names:
        what = "tensor" if is_tensor else "operation"
        raise _invalid(where, f"names {name!r:.80}, which is not a {what} of the graph")


# --------------------------------------------------------------------------- import
def import_collections(graph: Any, collection_def: dict, created: dict,
                       predicate: Optional[Callable[[str], bool]] = None) -> None:
    """Adds the items of `collection_def` to `graph`'s collections; `created` maps node
    names in the file to the imported Operations."""
    from flowgraph.variables import Variable
    variables: dict = {}

    def element(name: str) -> Any:
        if not name:
            return None
        if ":" not in name:
            return _created(created, name)
        op_name, index, _ = parse_input(name)
        return _created(created, op_name).outputs[index]

    with graph.as_default():
        for key, entries in collection_def.items():
            if predicate is not None and not predicate(key):
                continue
            for entry in entries:
                kind = entry["kind"]
                if kind == "variable":
                    variable_def = {k: element(v).name if k in _VARIABLE_FIELDS and v
                                    else v for k, v in entry["variable_def"].items()}
                    name = variable_def["variable_name"]
                    if name not in variables:
                        variables[name] = Variable(variable_def=variable_def)
                    item = variables[name]
                elif kind in ("tensor", "operation"):
                    item = element(entry["name"])
                elif kind == "sparse_tensor":
                    from flowgraph.sparse_tensor import SparseTensor
                    item = SparseTensor(element(entry["indices"]), element(entry["values"]),
                                        element(entry["dense_shape"]))
                elif kind == "indexed_slices":
                    from flowgraph.indexed_slices import IndexedSlices
                    item = IndexedSlices(element(entry["values"]), element(entry["indices"]),
                                         element(entry.get("dense_shape", "")))
                else:
                    item = _scalar(kind, entry["value"])
                graph.add_to_collection(key, item)


def _created(created: dict, name: str) -> Operation:
    op = created.get(name)
    if op is None:
        raise GraphDefError(f"a collection names {name!r}, which is not in the imported "
                            "graph")
    return op


def _scalar(kind: str, value: Any) -> Any:
    if kind == "float":
        return float_from_json(value, "collection")
    if kind == "bytes":
        return _b64(value, "collection")
    return value


def _b64(value: str, where: str) -> bytes:
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise _invalid(where, "a 'bytes' entry is not valid base64") from None


def _invalid(where: str, message: str) -> GraphDefError:
    return GraphDefError(f"{where}: {message}")
