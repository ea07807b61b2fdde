"""GraphDef: a graph as data (TF1's `tf.GraphDef`), its binary and JSON forms.

A GraphDef lists NodeDefs (name, op type, inputs "name:index" / "^control", device, typed
attributes, creation site). Its binary form is a flowgraph container of kind "graph" whose
document is the graph document below, with Const values stored as checksummed tensors; its
text form is JSON (indent 1, sorted keys) with the values inline (base64 + sha256)::

    {"kind": "graph", "producer": 1, "min_consumer": 1,
     "document": {"versions": {"producer": 1, "min_consumer": 1, "bad_consumers": []},
                  "node": [{"name": "x", "op": "Placeholder", "input": [], "device": "",
                            "attr": {"dtype": {"dtype": "float32"},
                                     "shape": {"shape": [null, 3]}},
                            "site": {"file": "train.py", "line": 3, "function": "main"}}]}}

Reading validates everything before a node is built: versions, names, inputs, counts,
op types (registry only) and attributes (`flowgraph.io.attrs`).
"""

from __future__ import annotations

import json
import types
from typing import Any, Optional

from flowgraph import errors
from flowgraph.graph import _NAME_RE
from flowgraph.io import container, graph_checks
from flowgraph.io.attrs import (
    Decoder,
    Encoder,
    GraphDefError,
    decode_attr,
    encode_attr,
    field_kinds,
    shape_from_json,
    shape_to_json,
)
from flowgraph.io.output_shapes import (
    ENCODED_KIND,
    OUTPUT_SHAPES,
    OutputShapesAttr,
    output_shapes_of,
)
from flowgraph.node import CreationSite
from flowgraph.shapes import TensorShape

__all__ = ["GraphDef", "NodeDef", "VersionDef", "GraphDefError"]

# Versions of the graph semantics (op set and attribute meanings) written and read.
GRAPH_DEF_VERSION = 1
GRAPH_DEF_VERSION_MIN_CONSUMER = 1
GRAPH_DEF_VERSION_MIN_PRODUCER = 1
GRAPH_KIND = "graph"
MAX_TEXT_BYTES = 1 << 30


class VersionDef:
    """The graph-semantics versions of a GraphDef (as TF1's `VersionDef`)."""

    def __init__(self, producer: int = GRAPH_DEF_VERSION,
                 min_consumer: int = GRAPH_DEF_VERSION_MIN_CONSUMER,
                 bad_consumers: Optional[list] = None) -> None:
        self.producer = producer
        self.min_consumer = min_consumer
        self.bad_consumers = list(bad_consumers or [])

    def __repr__(self) -> str:
        return f"VersionDef(producer={self.producer}, min_consumer={self.min_consumer})"


class NodeDef:
    """One node: `name`, `op` (type name), `input` (["x", "x:1", "^ctrl"]), `device`, `attr`
    ({name: value} with the op's typed attribute values), `creation_site` (or None) and
    `output_shapes` (recorded static shapes, or None)."""

    def __init__(self, name: str = "", op: str = "", input: Optional[list] = None,
                 device: str = "", attr: Optional[dict] = None,
                 creation_site: Optional[CreationSite] = None,
                 output_shapes: Optional[list] = None) -> None:
        self.name = name
        self.op = op
        self.input = list(input or [])
        self.device = device
        self.attr = dict(attr or {})
        self.creation_site = creation_site
        self.output_shapes = output_shapes

    def __repr__(self) -> str:
        return f"NodeDef(name={self.name!r}, op={self.op!r}, input={self.input})"


class GraphDef:
    """A graph as data: `node` (list of NodeDef) and `versions`.

    >>> graph_def = graph.as_graph_def()
    >>> data = graph_def.SerializeToString()
    >>> fg.import_graph_def(fg.GraphDef.FromString(data), name="")
    """

    def __init__(self, node: Optional[list] = None,
                 versions: Optional[VersionDef] = None) -> None:
        self.node = list(node or [])
        self.versions = versions if versions is not None else VersionDef()

    # -- binary form
    def SerializeToString(self) -> bytes:  # noqa: N802 - TF1's name
        """The binary form: a container of kind "graph" (Const values as tensors)."""
        tensors: dict = {}
        document = graph_def_to_document(self, Encoder(tensors))
        return container.pack(GRAPH_KIND, document, tensors)

    @classmethod
    def FromString(cls, data: bytes) -> "GraphDef":  # noqa: N802 - TF1's name
        """Parses and validates the binary form."""
        box = container.parse(bytes(data), "<GraphDef bytes>", GRAPH_KIND)
        return graph_def_from_document(box.document, box, box.path)

    def ParseFromString(self, data: bytes) -> None:  # noqa: N802 - TF1's name
        """Replaces this GraphDef's content by the parsed binary form `data`."""
        parsed = GraphDef.FromString(data)
        self.node, self.versions = parsed.node, parsed.versions

    def ByteSize(self) -> int:  # noqa: N802 - TF1's name
        return len(self.SerializeToString())

    # -- text form
    def to_json(self) -> str:
        """The text form: readable, diffable JSON with tensor values inline (+ sha256)."""
        return dump_text(GRAPH_KIND, graph_def_to_document(self, Encoder(None)))

    @classmethod
    def from_json(cls, text: Any) -> "GraphDef":
        """Parses and validates the text form."""
        document = load_text(text, "<GraphDef JSON>", GRAPH_KIND)
        return graph_def_from_document(document, None, "<GraphDef JSON>")

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, GraphDef) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<fg.GraphDef with {len(self.node)} nodes>"


# --------------------------------------------------------------------------- text files
def dump_text(kind: str, document: Any) -> str:
    """A document as flowgraph's text form (JSON, indent 1, sorted keys)."""
    return json.dumps({"kind": kind, "producer": container.PRODUCER_VERSION,
                       "min_consumer": container.CONSUMER_VERSION, "document": document},
                      indent=1, sort_keys=True, allow_nan=False) + "\n"


def load_text(text: Any, path: str, expected_kind: Optional[str]) -> Any:
    """The document of a text-form file, after checking its kind and format versions."""
    kind, document = parse_text(text, path)
    if expected_kind is not None and kind != expected_kind:
        raise errors.InvalidArgumentError(None, None, f"{path} holds a {kind!r:.40}, "
                                          f"not a {expected_kind!r}")
    return document


def parse_text(text: Any, path: str) -> tuple:
    """(kind, document) of a text-form file, after checking its format versions."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        if len(text) > MAX_TEXT_BYTES:
            raise _loss(path, f"{len(text)} bytes exceed the limit of {MAX_TEXT_BYTES}")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _loss(path, f"not UTF-8 text: {exc}") from None
    if not isinstance(text, str):
        raise TypeError(f"Expected JSON text (str or bytes), got {type(text).__name__}")
    if len(text) > MAX_TEXT_BYTES:
        raise _loss(path, f"{len(text)} characters exceed the limit of {MAX_TEXT_BYTES}")
    try:
        top = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise _loss(path, "JSON is nested too deeply") from None
    except ValueError as exc:
        raise _loss(path, f"not valid JSON: {exc}") from None
    if not isinstance(top, dict) or not isinstance(top.get("kind"), str):
        raise _loss(path, "not a flowgraph text file (no 'kind' field)")
    producer, min_consumer = top.get("producer"), top.get("min_consumer")
    if not _is_int(producer) or not _is_int(min_consumer) or "document" not in top:
        raise _loss(path, "missing 'producer', 'min_consumer' or 'document'")
    if min_consumer > container.CONSUMER_VERSION:
        raise errors.UnimplementedError(
            None, None, f"{path} was written by flowgraph format version {producer} and "
            f"needs a reader of version {min_consumer} or newer; this flowgraph reads "
            f"version {container.CONSUMER_VERSION}. Upgrade flowgraph.")
    return top["kind"], top["document"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


# --------------------------------------------------------------------------- to documents
def graph_def_to_document(graph_def: GraphDef, encoder: Encoder, prefix: str = "",
                          depth: int = 0) -> dict:
    """The JSON-able graph document; arrays go to `encoder` (named `prefix` + node:attr)."""
    from flowgraph.ops.registry import lookup
    nodes = []
    for node in graph_def.node:
        kinds = _kinds_or_none(node.op, lookup)
        attr = {}
        for key in sorted(node.attr):
            kind = kinds.get(key) if kinds is not None else None
            value = node.attr[key]
            if key == OUTPUT_SHAPES:  # TF1's add_shapes attribute: stored as a shape list
                kind, value = ENCODED_KIND, output_shapes_of(value)
            attr[key] = encode_attr(kind, value, encoder,
                                    f"{prefix}{node.name}:{key}", depth)
        entry = {"name": node.name, "op": node.op, "input": list(node.input),
                 "device": node.device or "", "attr": attr}
        site = node.creation_site
        if site is not None:
            entry["site"] = {"file": site.filename, "line": int(site.lineno),
                             "function": site.function}
        if node.output_shapes is not None:
            entry["output_shapes"] = [shape_to_json(TensorShape(s)) for s in
                                      node.output_shapes]
        nodes.append(entry)
    versions = graph_def.versions
    return {"versions": {"producer": versions.producer, "min_consumer": versions.min_consumer,
                         "bad_consumers": list(versions.bad_consumers)},
            "node": nodes}


def _kinds_or_none(op_type: str, lookup: Any) -> Optional[dict]:
    try:
        return field_kinds(lookup(op_type))
    except KeyError:
        return None  # an unregistered type still encodes (by value); reading rejects it


# --------------------------------------------------------------------------- from documents
def graph_def_from_document(document: Any, box: Any, where: str, prefix: str = "",
                            depth: int = 0, decoder: Optional[Decoder] = None) -> GraphDef:
    """A validated GraphDef from a graph document (arrays read from `box` or inline)."""
    if not isinstance(document, dict):
        raise _invalid(where, "the graph document must be a JSON object")
    versions = _versions_from_document(document.get("versions"), where)
    raw_nodes = document.get("node", [])
    if not isinstance(raw_nodes, list) or len(raw_nodes) > graph_checks.MAX_NODES:
        raise _invalid(where, f"'node' must be a list of at most {graph_checks.MAX_NODES} "
                       "nodes")
    decoder = decoder if decoder is not None else Decoder(box, where)
    nodes = [_node_from_document(raw, i, decoder, prefix, depth)
             for i, raw in enumerate(raw_nodes)]
    graph_def = GraphDef(nodes, versions)
    graph_checks.validate(graph_def, where)
    for node in nodes:
        graph_checks.build_op_def(node, where)  # the op's own checks, on the file's values
    return graph_def


def _versions_from_document(raw: Any, where: str) -> VersionDef:
    if not isinstance(raw, dict):
        raise _invalid(where, "'versions' must be a JSON object")
    producer, min_consumer = raw.get("producer"), raw.get("min_consumer")
    bad = raw.get("bad_consumers", [])
    if not _is_int(producer) or not _is_int(min_consumer) or not isinstance(bad, list) or \
            len(bad) > 1024 or not all(_is_int(v) for v in bad):
        raise _invalid(where, "'versions' needs integer 'producer' and 'min_consumer' and a "
                       "list of integer 'bad_consumers'")
    versions = VersionDef(producer, min_consumer, bad)
    check_versions(versions, where)
    return versions


def check_versions(versions: VersionDef, where: str) -> None:
    """UnimplementedError unless this flowgraph can read a graph of these versions."""
    producer, min_consumer = versions.producer, versions.min_consumer
    bad = list(versions.bad_consumers)
    if min_consumer > GRAPH_DEF_VERSION:
        raise errors.UnimplementedError(
            None, None, f"{where}: the graph was written by graph version {producer} and "
            f"needs a reader of graph version {min_consumer} or newer (min_consumer); this "
            f"flowgraph reads graph version {GRAPH_DEF_VERSION}. Upgrade flowgraph.")
    if GRAPH_DEF_VERSION in bad:
        raise errors.UnimplementedError(
            None, None, f"{where}: the graph disallows reader graph version "
            f"{GRAPH_DEF_VERSION} (bad_consumers {bad}); use another flowgraph version.")
    if producer < GRAPH_DEF_VERSION_MIN_PRODUCER:
        raise errors.UnimplementedError(
            None, None, f"{where}: graph version {producer} is older than the oldest this "
            f"flowgraph reads ({GRAPH_DEF_VERSION_MIN_PRODUCER}).")
    return VersionDef(producer, min_consumer, bad)


def _node_from_document(raw: Any, index: int, decoder: Decoder, prefix: str,
                        depth: int) -> NodeDef:
    where = decoder.where
    if not isinstance(raw, dict):
        raise _invalid(where, f"node {index} must be a JSON object")
    name = raw.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= container.MAX_NAME_CHARS or \
            not _NAME_RE.match(name):
        raise _invalid(where, f"node {index} has an invalid name {name!r:.100}: names use "
                       "letters, digits, '.', '_', '-', '/' and '>'")
    op_type, inputs, device = raw.get("op"), raw.get("input", []), raw.get("device", "")
    if not isinstance(op_type, str) or not 0 < len(op_type) <= 256:
        raise _invalid(where, f"node {name!r} has no valid op type")
    if not isinstance(inputs, list) or len(inputs) > graph_checks.MAX_INPUTS or \
            not all(isinstance(s, str) and len(s) <= 2 * container.MAX_NAME_CHARS
                    for s in inputs):
        raise _invalid(where, f"node {name!r}: 'input' must be a list of at most "
                       f"{graph_checks.MAX_INPUTS} strings")
    if not isinstance(device, str) or len(device) > container.MAX_NAME_CHARS:
        raise _invalid(where, f"node {name!r}: 'device' must be a string")
    op_class = graph_checks.lookup_op(op_type, name, where)
    kinds = field_kinds(op_class)
    raw_attr = raw.get("attr", {})
    if not isinstance(raw_attr, dict) or len(raw_attr) > graph_checks.MAX_ATTRS:
        raise _invalid(where, f"node {name!r}: 'attr' must be a JSON object")
    attr = {}
    for key, encoded in raw_attr.items():
        if key == OUTPUT_SHAPES:
            attr[key] = OutputShapesAttr(decode_attr(ENCODED_KIND, encoded, decoder,
                                                     f"{prefix}{name}:{key}", depth))
            continue
        if key not in kinds:
            raise _invalid(where, f"node {name!r} (op {op_type}) has no attribute "
                           f"{key!r:.60}; its attributes are {sorted(kinds)}")
        attr[key] = decode_attr(kinds[key], encoded, decoder, f"{prefix}{name}:{key}", depth)
    return NodeDef(name, op_type, inputs, device, attr,
                   _site_from_document(raw.get("site"), name, where),
                   _shapes_from_document(raw.get("output_shapes"), name, where))


def _site_from_document(raw: Any, name: str, where: str) -> Optional[CreationSite]:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("file"), str) or \
            not _is_int(raw.get("line")) or not isinstance(raw.get("function"), str) or \
            len(raw["file"]) > container.MAX_NAME_CHARS or \
            len(raw["function"]) > container.MAX_NAME_CHARS:
        raise _invalid(where, f"node {name!r}: 'site' must be {{'file': str, 'line': int, "
                       "'function': str}")
    return CreationSite(raw["file"], raw["line"], raw["function"])


def _shapes_from_document(raw: Any, name: str, where: str) -> Optional[list]:
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) > graph_checks.MAX_INPUTS:
        raise _invalid(where, f"node {name!r}: 'output_shapes' must be a list")
    return [shape_from_json(s, f"{where}: node {name!r} output_shapes") for s in raw]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(where: str, message: str) -> GraphDefError:
    return GraphDefError(f"{where}: {message}")


def _loss(where: str, message: str) -> errors.DataLossError:
    return errors.DataLossError(None, None, f"{where}: {message}")


# --------------------------------------------------------------------------- from graphs
def graph_to_graph_def(graph: Any, from_version: Optional[int] = None,
                       add_shapes: bool = False, strip_creation_sites: bool = False,
                       clear_devices: bool = False) -> GraphDef:
    """The GraphDef of `graph` (see `Graph.as_graph_def`)."""
    with graph.building_lock:
        ops = graph.get_operations()
        if from_version is not None:
            # Graph.version counts added nodes and control-edge edits; without a record of
            # each node's version, keep every node that may have been added since.
            first = max(0, int(from_version) - graph._control_edits)
            ops = [op for op in ops if op._id >= first]
        nodes = [_node_def_of(op, add_shapes, strip_creation_sites, clear_devices)
                 for op in ops]
    return GraphDef(nodes, VersionDef())


def node_def_of(op: Any) -> NodeDef:
    """The NodeDef of one Operation (`Operation.node_def`), with TF1's "_class" attribute
    for an op created under `colocate_with` (GraphDefs leave it out: placement is the
    device's business here)."""
    node = _node_def_of(op, False, False, False)
    if op._colocation:
        # Read as TF1's AttrValue: node_def.attr["_class"].list.s
        groups = [f"loc:@{name}".encode() for name in op._colocation]
        node.attr["_class"] = types.SimpleNamespace(list=types.SimpleNamespace(s=groups))
    return node


def _input_name(tensor: Any) -> str:
    # As TF1's NodeDef: output 0 is named by its op alone.
    index = tensor.value_index
    return tensor.op.name if index == 0 else f"{tensor.op.name}:{index}"


def _node_def_of(op: Any, add_shapes: bool, strip_sites: bool, clear_devices: bool) -> NodeDef:
    inputs = [_input_name(t) for t in op.inputs]
    inputs += [f"^{c.name}" for c in op.control_inputs]
    attr = {key: _graph_values_as_defs(value, strip_sites)
            for key, value in op.op_def.attributes().items()}
    shapes = None
    if add_shapes or _shapes_were_refined(op):
        shapes = [t.shape for t in op.outputs]
    if add_shapes and op.outputs:  # as TF1: ops without outputs get no _output_shapes
        attr[OUTPUT_SHAPES] = OutputShapesAttr(shapes)
    return NodeDef(op.name, op.type, inputs, "" if clear_devices else op.device, attr,
                   None if strip_sites else op.creation_site, shapes)


def _graph_values_as_defs(value: Any, strip_sites: bool) -> Any:
    from flowgraph.graph import Graph
    if isinstance(value, Graph):
        return graph_to_graph_def(value, strip_creation_sites=strip_sites)
    if isinstance(value, tuple):
        return tuple(_graph_values_as_defs(v, strip_sites) for v in value)
    return value


def _shapes_were_refined(op: Any) -> bool:
    """True when an output's static shape is more precise than the op's inference gives
    (`set_shape` was called), so the file must record it for importing to reproduce it."""
    outputs = op.outputs
    try:
        specs = op.op_def.infer(op)
    except Exception:  # inference succeeded when the node was built; be safe anyway
        return True
    return any(TensorShape(shape) != t.shape for (_, shape), t in zip(specs, outputs))
