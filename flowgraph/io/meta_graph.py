"""Meta graphs: a graph with its collections, saver and signatures (TF1's `MetaGraphDef`).

`export_meta_graph` writes one (binary: a container of kind "meta_graph", Const values
as tensors; text: JSON); `import_meta_graph` adds its nodes to the default graph, restores
its collections (Variables become `fg.Variable` objects again, so
`global_variables_initializer()` and `Saver` work) and returns the Saver its saver_def
describes. The document::

    {"meta_info_def": {"meta_graph_version": "", "tags": [...], "flowgraph_version": "...",
                       "stripped_op_list": [op types used]},
     "graph_def": {graph document}, "saver_def": {...} or null,
     "collection_def": {name: [entry, ...]},
     "signature_def": {key: {"inputs": {k: {"name", "dtype", "tensor_shape"}},
                             "outputs": {...}, "method_name": "..."}}}
"""

from __future__ import annotations

import os
from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import get_default_graph
from flowgraph.io import container
from flowgraph.io.attrs import Encoder, GraphDefError, shape_from_json, shape_to_json
from flowgraph.io.collection_def import check_collection_def, export_collections, import_collections
from flowgraph.io.graph_checks import UNBOUND_PREFIX
from flowgraph.io.graph_def import (
    GraphDef,
    NodeDef,
    dump_text,
    graph_def_from_document,
    graph_def_to_document,
    graph_to_graph_def,
    load_text,
)
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["MetaGraphDef", "MetaInfoDef", "SignatureDef", "TensorInfo", "export_meta_graph",
           "import_meta_graph", "read_meta_graph_file"]

META_GRAPH_KIND = "meta_graph"
MAX_SIGNATURES = 1 << 12
MAX_TAGS = 256
_MAX_JSON_DEPTH = 8


class _Dim:
    """One dimension of a TensorShapeProto view: `size` (-1 when unknown) and `name`."""

    __slots__ = ("size", "name")

    def __init__(self, size: int) -> None:
        self.size = size
        self.name = ""

    def __repr__(self) -> str:
        return f"dim {{ size: {self.size} }}"


class TensorShapeView(TensorShape):
    """A TensorShape that also reads as TF1's TensorShapeProto: `dim` (each with `size`,
    -1 for an unknown size) and `unknown_rank`, as TF1 code reads a TensorInfo's shape."""

    __slots__ = ()

    @property
    def dim(self) -> list:
        if self.dims is None:
            return []
        return [_Dim(-1 if d.value is None else d.value) for d in self.dims]

    @property
    def unknown_rank(self) -> bool:
        return self.dims is None


class TensorInfo:
    """A signature's tensor: its `name` ("x:0"), `dtype` (equal to TF1's DataType enum
    too: ``info.dtype == 1`` for float32) and `tensor_shape` (a TensorShape that also has
    the TensorShapeProto fields `dim[i].size` and `unknown_rank`)."""

    def __init__(self, name: str = "", dtype: Any = None, tensor_shape: Any = None) -> None:
        self.name = name
        self.dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self.tensor_shape = TensorShapeView(as_shape(tensor_shape))

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, TensorInfo) and (self.name, self.dtype, self.tensor_shape) \
            == (other.name, other.dtype, other.tensor_shape)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        dtype = self.dtype.name if self.dtype is not None else None
        return f"TensorInfo(name={self.name!r}, dtype={dtype}, tensor_shape={self.tensor_shape})"


class SignatureDef:
    """A signature: `inputs` and `outputs` ({key: TensorInfo}) and a `method_name`."""

    def __init__(self, inputs: Optional[dict] = None, outputs: Optional[dict] = None,
                 method_name: str = "") -> None:
        self.inputs = dict(inputs or {})
        self.outputs = dict(outputs or {})
        self.method_name = method_name or ""

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, SignatureDef) and (self.inputs, self.outputs,
                                                    self.method_name) == (
            other.inputs, other.outputs, other.method_name)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"SignatureDef(inputs={self.inputs}, outputs={self.outputs}, "
                f"method_name={self.method_name!r})")


class MetaInfoDef:
    """Facts about a meta graph: `tags`, `meta_graph_version`, the `flowgraph_version`
    that wrote it and `stripped_op_list` (the op types its graph uses)."""

    def __init__(self, meta_graph_version: str = "", tags: Optional[list] = None,
                 flowgraph_version: str = "", stripped_op_list: Optional[list] = None,
                 **unused: Any) -> None:
        self.meta_graph_version = meta_graph_version
        self.tags = list(tags or [])
        self.flowgraph_version = flowgraph_version
        self.stripped_op_list = list(stripped_op_list or [])


class MetaGraphDef:
    """A graph (`graph_def`) with `collection_def` ({name: [entry, ...]}), `saver_def`
    (a dict or None), `signature_def` ({key: SignatureDef}) and `meta_info_def`."""

    def __init__(self, meta_info_def: Optional[MetaInfoDef] = None,
                 graph_def: Optional[GraphDef] = None, saver_def: Optional[dict] = None,
                 collection_def: Optional[dict] = None,
                 signature_def: Optional[dict] = None) -> None:
        self.meta_info_def = meta_info_def if meta_info_def is not None else MetaInfoDef()
        self.graph_def = graph_def if graph_def is not None else GraphDef()
        self.saver_def = saver_def
        self.collection_def = dict(collection_def or {})
        self.signature_def = dict(signature_def or {})

    def HasField(self, name: str) -> bool:  # noqa: N802 - TF1's name
        return getattr(self, name, None) is not None

    def SerializeToString(self) -> bytes:  # noqa: N802 - TF1's name
        """The binary form: a container of kind "meta_graph"."""
        tensors: dict = {}
        return container.pack(META_GRAPH_KIND, self._document(Encoder(tensors)), tensors)

    @classmethod
    def FromString(cls, data: bytes) -> "MetaGraphDef":  # noqa: N802 - TF1's name
        box = container.parse(bytes(data), "<MetaGraphDef bytes>", META_GRAPH_KIND)
        return meta_graph_from_document(box.document, box, box.path)

    def ParseFromString(self, data: bytes) -> None:  # noqa: N802 - TF1's name
        self.__dict__.update(MetaGraphDef.FromString(data).__dict__)

    def to_json(self) -> str:
        """The text form: JSON with tensor values inline (+ sha256)."""
        return dump_text(META_GRAPH_KIND, self._document(Encoder(None)))

    @classmethod
    def from_json(cls, text: Any) -> "MetaGraphDef":
        document = load_text(text, "<MetaGraphDef JSON>", META_GRAPH_KIND)
        return meta_graph_from_document(document, None, "<MetaGraphDef JSON>")

    def _document(self, encoder: Encoder) -> dict:
        info = self.meta_info_def
        return {"meta_info_def": {"meta_graph_version": info.meta_graph_version,
                                  "tags": list(info.tags),
                                  "flowgraph_version": info.flowgraph_version,
                                  "stripped_op_list": list(info.stripped_op_list)},
                "graph_def": graph_def_to_document(self.graph_def, encoder),
                "saver_def": None if self.saver_def is None else dict(self.saver_def),
                "collection_def": self.collection_def,
                "signature_def": {key: _signature_document(sig)
                                  for key, sig in self.signature_def.items()}}

    def __repr__(self) -> str:
        return (f"<fg.MetaGraphDef with {len(self.graph_def.node)} nodes, "
                f"{len(self.collection_def)} collections, tags {self.meta_info_def.tags}>")


def _signature_document(signature: SignatureDef) -> dict:
    def infos(mapping: dict) -> dict:
        return {k: {"name": v.name, "dtype": v.dtype.name if v.dtype is not None else None,
                    "tensor_shape": shape_to_json(as_shape(v.tensor_shape))}
                for k, v in mapping.items()}
    return {"inputs": infos(signature.inputs), "outputs": infos(signature.outputs),
            "method_name": signature.method_name}


# --------------------------------------------------------------------------- reading
def meta_graph_from_document(document: Any, box: Any, where: str) -> MetaGraphDef:
    """A validated MetaGraphDef from its document (arrays from `box` or inline)."""
    if not isinstance(document, dict):
        raise GraphDefError(f"{where}: the meta graph document must be a JSON object")
    graph_def = graph_def_from_document(document.get("graph_def"), box, where)
    node_names = {node.name for node in graph_def.node}
    return MetaGraphDef(
        meta_info_def=_meta_info_from_document(document.get("meta_info_def"), where),
        graph_def=graph_def,
        saver_def=_saver_def(document.get("saver_def"), where),
        collection_def=check_collection_def(document.get("collection_def"), node_names,
                                            where),
        signature_def=_signatures_from_document(document.get("signature_def"), where))


def _meta_info_from_document(raw: Any, where: str) -> MetaInfoDef:
    raw = {} if raw is None else raw
    tags = raw.get("tags", []) if isinstance(raw, dict) else None
    if not isinstance(tags, list) or len(tags) > MAX_TAGS or not all(
            isinstance(t, str) and len(t) <= container.MAX_NAME_CHARS for t in tags):
        raise GraphDefError(f"{where}: meta_info_def 'tags' must be a list of strings")
    fields = {}
    for key in ("meta_graph_version", "flowgraph_version"):
        value = raw.get(key, "")
        if not isinstance(value, str) or len(value) > container.MAX_NAME_CHARS:
            raise GraphDefError(f"{where}: meta_info_def {key!r} must be a string")
        fields[key] = value
    ops = raw.get("stripped_op_list", [])
    if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
        raise GraphDefError(f"{where}: meta_info_def 'stripped_op_list' must be a list of "
                            "op type names")
    return MetaInfoDef(tags=tags, stripped_op_list=ops, **fields)


def _signatures_from_document(raw: Any, where: str) -> dict:
    raw = {} if raw is None else raw
    if not isinstance(raw, dict) or len(raw) > MAX_SIGNATURES:
        raise GraphDefError(f"{where}: 'signature_def' must be an object")
    result = {}
    for key, sig in raw.items():
        here = f"{where}: signature {key!r:.80}"
        if not isinstance(sig, dict) or not isinstance(sig.get("method_name", ""), str):
            raise GraphDefError(f"{here} must be an object with a string 'method_name'")
        maps = {}
        for field in ("inputs", "outputs"):
            entries = sig.get(field, {})
            if not isinstance(entries, dict) or len(entries) > MAX_SIGNATURES:
                raise GraphDefError(f"{here}: {field!r} must be an object")
            maps[field] = {k: _tensor_info(v, f"{here}: {field}[{k!r:.80}]")
                           for k, v in entries.items()}
        result[key] = SignatureDef(maps["inputs"], maps["outputs"], sig.get("method_name", ""))
    return result


def _tensor_info(raw: Any, where: str) -> TensorInfo:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or \
            len(raw["name"]) > container.MAX_NAME_CHARS:
        raise GraphDefError(f"{where}: a TensorInfo needs a string 'name'")
    dtype = raw.get("dtype")
    if dtype is not None and (not isinstance(dtype, str) or dtype not in dtypes._BY_NAME):
        raise GraphDefError(f"{where}: unknown dtype {dtype!r:.40}")
    return TensorInfo(raw["name"], dtype, shape_from_json(raw.get("tensor_shape"), where))


def _saver_def(raw: Any, where: str) -> Optional[dict]:
    """The file's saver_def, checked as `Saver(saver_def=...)` will check it, so that a bad
    one is reported when the file is read (GraphDefError), not when it is imported."""
    from flowgraph.train.saver_def import checked_saver_def
    value = _json_data(raw, f"{where}: saver_def", 0)
    if value is None:
        return None
    try:
        checked_saver_def(value)
    except ValueError as exc:
        raise GraphDefError(f"{where}: invalid saver_def: {exc}") from None
    return value


def _json_data(value: Any, where: str, depth: int) -> Any:
    """`value` if it is plain JSON data (no deeper than a few levels), else GraphDefError."""
    if depth > _MAX_JSON_DEPTH:
        raise GraphDefError(f"{where}: nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_json_data(v, where, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _json_data(v, where, depth + 1) for k, v in value.items()}
    raise GraphDefError(f"{where}: unexpected value {value!r:.80}")


def read_meta_graph_file(filename: Any) -> MetaGraphDef:
    """The MetaGraphDef in a meta graph file (binary or JSON text; a plain graph file gives
    a MetaGraphDef holding only its graph)."""
    from flowgraph.io.graph_files import read_file_document
    kind, document, box, path = read_file_document(filename)
    if kind == META_GRAPH_KIND:
        return meta_graph_from_document(document, box, path)
    if kind == "graph":
        return MetaGraphDef(graph_def=graph_def_from_document(document, box, path))
    raise GraphDefError(f"{path} holds a {kind!r:.40}, not a meta graph")


# --------------------------------------------------------------------------- export
def export_meta_graph(filename: Any = None, meta_info_def: Any = None,
                      graph_def: Optional[GraphDef] = None, saver_def: Any = None,
                      collection_list: Optional[list] = None, as_text: bool = False,
                      graph: Any = None, export_scope: Optional[str] = None,
                      clear_devices: bool = False, clear_extraneous_savers: bool = False,
                      strip_default_attrs: bool = False, save_debug_info: bool = False,
                      strip_creation_sites: bool = False, **kwargs: Any) -> MetaGraphDef:
    """The MetaGraphDef of `graph` (default: the default graph), written to `filename`
    when given (binary, or JSON with `as_text`).

    `export_scope` keeps only the nodes and collection items under that name scope and
    removes the scope from their names (inputs from outside become "$unbound_inputs_..."
    that `import_meta_graph(..., input_map=...)` must map); `clear_devices` drops device
    placements; `strip_creation_sites` drops where nodes were created.
    """
    del clear_extraneous_savers, strip_default_attrs, save_debug_info, kwargs
    graph = graph if graph is not None else get_default_graph()
    if graph_def is None:
        graph_def = graph_to_graph_def(graph, strip_creation_sites=strip_creation_sites,
                                       clear_devices=clear_devices)
    elif clear_devices or strip_creation_sites:
        graph_def = GraphDef([_copy_node(n, clear_devices, strip_creation_sites)
                              for n in graph_def.node], graph_def.versions)
    if export_scope:
        graph_def = _scoped(graph_def, export_scope)
    if meta_info_def is None:
        meta_info_def = MetaInfoDef()
    elif isinstance(meta_info_def, dict):
        meta_info_def = MetaInfoDef(**meta_info_def)
    if not meta_info_def.flowgraph_version:
        from flowgraph import __version__
        meta_info_def.flowgraph_version = __version__
    meta_info_def.stripped_op_list = sorted({node.op for node in graph_def.node})
    if saver_def is not None and not isinstance(saver_def, dict):
        raise TypeError(f"saver_def must be a dict (Saver.as_saver_def()), got "
                        f"{type(saver_def).__name__}")
    meta_graph_def = MetaGraphDef(
        meta_info_def=meta_info_def, graph_def=graph_def,
        saver_def=None if saver_def is None else dict(saver_def),
        collection_def=export_collections(graph, collection_list, export_scope))
    if filename is not None:
        from flowgraph.io.graph_files import write_graph
        write_graph(meta_graph_def, os.path.dirname(os.fspath(filename)) or ".",
                    os.path.basename(os.fspath(filename)), as_text=as_text)
    return meta_graph_def


def _copy_node(node: NodeDef, clear_devices: bool, strip_sites: bool) -> NodeDef:
    return NodeDef(node.name, node.op, node.input, "" if clear_devices else node.device,
                   node.attr, None if strip_sites else node.creation_site,
                   node.output_shapes)


def _scoped(graph_def: GraphDef, export_scope: str) -> GraphDef:
    prefix = export_scope.rstrip("/") + "/"
    nodes = []
    for node in graph_def.node:
        if not node.name.startswith(prefix):
            continue
        inputs = []
        for text in node.input:
            control = text.startswith("^")
            name = text.lstrip("^")
            name = name[len(prefix):] if name.startswith(prefix) else UNBOUND_PREFIX + name
            inputs.append(("^" if control else "") + name)
        nodes.append(NodeDef(node.name[len(prefix):], node.op, inputs, node.device,
                             node.attr, node.creation_site, node.output_shapes))
    return GraphDef(nodes, graph_def.versions)


# --------------------------------------------------------------------------- import
def import_meta_graph(meta_graph_or_file: Any, clear_devices: bool = False,
                      import_scope: Optional[str] = None, **kwargs: Any) -> Any:
    """Adds a meta graph's nodes and collections to the default graph; returns a Saver
    built from its saver_def (or a Saver of all variables if it has none but has
    variables; None if it has no variables).

    Keyword arguments: `input_map` (as `import_graph_def`), `graph` (import into this
    graph instead of the default one), `restore_collections_predicate` (collection name ->
    bool: which collections to restore). Variables in the collections are rebuilt as
    `fg.Variable` objects.
    """
    saver, _ = import_meta_graph_with_return_elements(
        meta_graph_or_file, clear_devices=clear_devices, import_scope=import_scope, **kwargs)
    return saver


def import_meta_graph_with_return_elements(
        meta_graph_or_file: Any, clear_devices: bool = False,
        import_scope: Optional[str] = None, input_map: Optional[dict] = None,
        return_elements: Optional[list] = None, graph: Any = None,
        restore_collections_predicate: Any = None,
        unbound_inputs_col_name: Optional[str] = "unbound_inputs") -> tuple:
    """`import_meta_graph`, also returning the elements named in `return_elements`."""
    from flowgraph.io.importer import import_with_names
    del unbound_inputs_col_name
    if isinstance(meta_graph_or_file, MetaGraphDef):
        meta_graph_def = meta_graph_or_file
    else:
        meta_graph_def = read_meta_graph_file(meta_graph_or_file)
    graph_def = meta_graph_def.graph_def
    if clear_devices:
        graph_def = GraphDef([_copy_node(n, True, False) for n in graph_def.node],
                             graph_def.versions)
    graph = graph if graph is not None else get_default_graph()
    with graph.as_default():
        created, returned = import_with_names(graph_def, input_map, return_elements,
                                              name=import_scope or "", graph=graph)
        import_collections(graph, meta_graph_def.collection_def, created,
                           restore_collections_predicate)
        scope = _actual_scope(import_scope, created, graph_def)
        return _saver_for(meta_graph_def, graph, scope), returned


def _actual_scope(import_scope: Optional[str], created: dict, graph_def: GraphDef) -> str:
    """The prefix the nodes were imported under (a name scope may have been made unique)."""
    if not import_scope or not graph_def.node:
        return import_scope or ""
    first = graph_def.node[0].name
    new = created[first].name
    return new[:-len(first) - 1] if new.endswith("/" + first) else import_scope


def _saver_for(meta_graph_def: MetaGraphDef, graph: Any, scope: str) -> Any:
    from flowgraph.train.saver import Saver
    from flowgraph.variables import global_variables
    if meta_graph_def.saver_def is not None:
        return Saver(saver_def=dict(meta_graph_def.saver_def), name=scope or None)
    variables = global_variables(scope=scope) if scope else global_variables()
    return Saver() if variables else None
