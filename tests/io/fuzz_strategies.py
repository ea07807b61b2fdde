"""Mutations for fuzzing flowgraph's file loaders (used by test_fuzz_loaders.py).

Five families:

* byte mutations of a whole file (flips, truncation, appended or inserted junk, deleted
  or repeated ranges): checksums stop most of them early;
* JSON mutations of a document (wrong types, huge or negative numbers, deep nesting,
  long strings, unknown and missing keys, raw literals such as ``1e400``), applied to a
  container's header and re-signed with a correct header digest (`repack`), or to a
  text file, so the semantic validation behind the checksums is reached;
* tensor-table mutations of a container (overlaps, gaps, wrong lengths, huge or
  overflowing shapes, unknown dtypes, rewritten bytes with a recomputed SHA-256, string
  tensors with bad length prefixes);
* semantic mutations of a graph document (unknown op types, attributes of the wrong kind,
  unknown or missing attributes, dangling and cyclic inputs, duplicate and invalid names,
  huge shapes, tuples and nested graphs nested past the limit, bad devices and versions);
* the same kinds of changes made to a parsed, in-memory GraphDef (values of the types its
  fields hold: tuples nested 10,000 deep, a graph holding itself, ...).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import struct
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

import flowgraph as fg
from flowgraph.io import container
from flowgraph.io.graph_def import GraphDef, NodeDef
from flowgraph.shapes import TensorShape

_PREFIX = struct.Struct("<8sII")
_DIGEST = 32

# Raw JSON literals that json.dumps cannot produce: a placeholder string is replaced by
# the literal after dumping.
_RAW_LITERALS = ["1e400", "-1e400", "1e-400", "-0", "9" * 5000, "NaN", "Infinity",
                 "-Infinity", "123456789012345678901234567890"]


class Raw:
    """A raw JSON literal to splice into a dumped document."""

    def __init__(self, text: str) -> None:
        self.text = text


_NESTED = (list, dict, Raw)


def dumps(document: Any) -> str:
    """JSON text of `document`, with `Raw` literals spliced in."""
    raws: list = []

    def replace(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(value.text)
            return f"\u0000RAW{len(raws) - 1}\u0000"
        if isinstance(value, list):
            return [replace(v) if isinstance(v, _NESTED) else v for v in value]
        if isinstance(value, dict):
            return {k: replace(v) if isinstance(v, _NESTED) else v for k, v in value.items()}
        return value

    text = json.dumps(replace(document), separators=(",", ":"), allow_nan=True)
    for i, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\u0000RAW{i}\u0000"), raw)
    return text


def deep(depth: int, kind: str) -> Raw:
    """A list or object nested `depth` levels deep, as a raw literal (so that neither this
    module nor json.dumps recurses that deep)."""
    if kind == "list":
        return Raw("[" * depth + "]" * depth)
    return Raw('{"a":' * depth + "1" + "}" * depth)


# --------------------------------------------------------------------------- containers
def split(data: bytes) -> tuple:
    """(header as a dict, tensor bytes) of a valid container."""
    _, _, header_len = _PREFIX.unpack_from(data, 0)
    header = json.loads(data[_PREFIX.size:_PREFIX.size + header_len])
    return header, data[_PREFIX.size + header_len + _DIGEST:]


def repack(header: Any, blob: bytes, layout: int = container.LAYOUT_VERSION) -> bytes:
    """A container with `header` (a JSON value, or raw bytes) and a correct header digest
    over prefix + header, as container.pack computes it, followed by `blob`."""
    raw = header if isinstance(header, bytes) else dumps(header).encode("utf-8")
    prefix = _PREFIX.pack(container.MAGIC, layout, len(raw))
    return prefix + raw + hashlib.sha256(prefix + raw).digest() + blob


# --------------------------------------------------------------------------- bytes
@st.composite
def byte_mutations(draw: Callable, data: bytes) -> bytes:
    """`data` with one to four random byte-level changes."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "flip", "truncate", "append", "insert",
                                     "delete", "repeat", "set"]))
        size = len(out)
        pos = draw(st.integers(0, max(size - 1, 0)))
        if kind == "flip" and size:
            out[pos] ^= draw(st.integers(1, 255))
        elif kind == "set" and size:
            out[pos] = draw(st.sampled_from([0, 0xFF, 0x7F, 0x80, ord("{"), ord('"')]))
        elif kind == "truncate":
            del out[draw(st.integers(0, size)):]
        elif kind == "append":
            out += draw(st.binary(min_size=1, max_size=64))
        elif kind == "insert":
            out[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete" and size:
            del out[pos:pos + draw(st.integers(1, 64))]
        elif kind == "repeat" and size:
            out[pos:pos] = out[pos:pos + draw(st.integers(1, 64))]
    return bytes(out)


# --------------------------------------------------------------------------- JSON values
HUGE_INTS = [2 ** 63, 2 ** 63 - 1, 2 ** 64, -(2 ** 63) - 1, 10 ** 30, -(10 ** 30), -1,
             -(2 ** 31), 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 40 + 1, container.MAX_DIM + 1,
             2 ** 20, 2 ** 22 + 1]


def _nasty_values() -> st.SearchStrategy:
    """JSON values of every wrong type and size."""
    scalars = st.sampled_from([None, True, False, 0, 1, 1.5, -0.5, 1e308, "", "x", "0",
                               "float32", "string", "^x", "x:0", "x:99999999", "nan",
                               "inf", "Const", "../../etc/passwd", "/abs", "\u00ff\ud7ff",
                               [], {}, [None], [1, 2], {"": None}, [[[]]], {"a": {"b": []}},
                               [{"kind": "int"}], {"ref": "w"}, {"i": 1}, ["a", 1, None]])
    huge = st.sampled_from(HUGE_INTS)
    nested = st.builds(deep, st.sampled_from([50, 400, 900, 990, 2000, 10_000]),
                       st.sampled_from(["list", "dict"]))
    long_text = st.sampled_from([10, 5000, 300_000]).map(lambda n: "a" * n)
    long_list = st.sampled_from([1000, 20_000]).map(lambda n: [0] * n)
    raw = st.sampled_from(_RAW_LITERALS).map(Raw)
    shapes = st.lists(st.sampled_from([0, 1, 3, None, -1, 2 ** 31, 2 ** 40, 2 ** 62,
                                       2 ** 63, 10 ** 30, 1.5, "3", True]),
                      max_size=40)
    return st.one_of(scalars, huge, nested, long_text, long_list, raw, shapes)


NASTY_VALUES = _nasty_values()


def json_paths(document: Any, limit: int = 4000) -> list:
    """Paths (tuples of keys / indices) to every value of `document`, root included."""
    paths: list = [()]
    stack = [((), document)]
    while stack and len(paths) < limit:
        path, value = stack.pop()
        children = value.items() if isinstance(value, dict) else (
            enumerate(value) if isinstance(value, list) else ())
        for key, child in children:
            paths.append(path + (key,))
            stack.append((path + (key,), child))
    return paths


def _get(document: Any, path: tuple) -> Any:
    """The value at `path`; KeyError if an earlier mutation changed the way there."""
    for key in path:
        if not isinstance(document, (dict, list)) or isinstance(document, list) and (
                not isinstance(key, int) or key >= len(document)):
            raise KeyError(key)
        document = document[key]
    return document


@st.composite
def json_mutations(draw: Callable, document: Any, paths: list = None) -> Any:
    """A deep copy of `document` with one to three values replaced, keys added or
    removed, lists grown or emptied."""
    document = copy.deepcopy(document)
    paths = paths if paths is not None else json_paths(document)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        try:
            target = _get(document, path)
        except KeyError:
            continue  # an earlier mutation removed it
        kind = draw(st.sampled_from(["replace", "replace", "replace", "add_key",
                                     "drop_key", "duplicate_item", "empty", "wrap"]))
        value = copy.deepcopy(draw(NASTY_VALUES))  # sampled values are shared
        if kind == "add_key" and isinstance(target, dict):
            target[draw(st.sampled_from(["", "x", "ref", "none", "extra", "__class__",
                                         "attr"]))] = value
        elif kind == "drop_key" and isinstance(target, dict) and target:
            del target[draw(st.sampled_from(sorted(target)))]
        elif kind == "duplicate_item" and isinstance(target, list) and target:
            target.append(copy.deepcopy(target[draw(st.integers(0, len(target) - 1))]))
        elif kind == "empty" and isinstance(target, (list, dict)):
            target.clear()
        elif not path:
            document = value
        else:
            parent = _get(document, path[:-1])
            parent[path[-1]] = [target] if kind == "wrap" else value
    return document


# --------------------------------------------------------------------------- tensor table
@st.composite
def tensor_table_mutations(draw: Callable, data: bytes) -> bytes:
    """A container whose tensor table or tensor bytes are changed, with a correct header
    digest (and, for rewritten bytes, a correct tensor SHA-256)."""
    header, blob = split(data)
    table = header["tensors"]
    blob = bytearray(blob)
    if not table:
        return repack(draw(json_mutations(header)), bytes(blob))
    i = draw(st.integers(0, len(table) - 1))
    entry = table[i]
    kind = draw(st.sampled_from(["offset", "length", "shape", "dtype", "bytes", "strings",
                                 "swap", "drop", "duplicate", "sha"]))
    if kind == "offset":
        entry["offset"] += draw(st.sampled_from([-8, -1, 1, 8, 2 ** 40, 2 ** 63, -2 ** 40]))
    elif kind == "length":
        entry["length"] += draw(st.sampled_from([-8, -1, 1, 4, 2 ** 40, 2 ** 64]))
    elif kind == "shape":
        entry["shape"] = draw(st.sampled_from([
            [2 ** 40, 2 ** 40], [2 ** 32, 2 ** 32, 2 ** 32], [2 ** 62, 4], [2 ** 63],
            [10 ** 30], [-1], [0], [], [1] * 33, [1] * 100_000, [3, -2], [None], "3",
            [1.0], [True], None, [2 ** 21, 2 ** 21],
            list(reversed(entry["shape"])) + [1]]))
    elif kind == "dtype":
        entry["dtype"] = draw(st.sampled_from(["complex256", "float16", "int8", "string",
                                               "bool", "", "object", "O", "float32",
                                               "int64", "bfloat16", None, 3]))
    elif kind in ("bytes", "strings"):
        start, length = entry["offset"], entry["length"]
        chunk = bytearray(blob[start:start + length])
        if kind == "strings" or not chunk:
            chunk[0:8] = struct.pack("<Q", draw(st.sampled_from(
                [2 ** 64 - 1, 2 ** 63, length, length + 1, 7, 0])))
        else:
            pos = draw(st.integers(0, len(chunk) - 1))
            chunk[pos] ^= draw(st.integers(1, 255))
        if draw(st.booleans()):
            del chunk[draw(st.integers(0, len(chunk))):]
            shift = length - len(chunk)
            entry["length"] = len(chunk)
            for later in table[i + 1:]:
                later["offset"] -= shift
        blob[start:start + length] = chunk
        entry["sha256"] = hashlib.sha256(bytes(chunk)).hexdigest()
    elif kind == "swap" and len(table) > 1:
        j = draw(st.integers(0, len(table) - 1))
        table[i], table[j] = table[j], table[i]
    elif kind == "drop":
        del table[i]
    elif kind == "duplicate":
        table.append(dict(entry))
    else:
        entry["sha256"] = draw(st.sampled_from(["0" * 64, "", "z" * 64, 5]))
    return repack(header, bytes(blob))


# --------------------------------------------------------------------------- graph semantics
_VERSIONS = '{"producer":1,"min_consumer":1,"bad_consumers":[]}'
BAD_OP_TYPES = ["NoSuchOp", "Placeholderr", "placeholder", "__import__", "os.system",
                "builtins.eval", "Const\u0000", "a" * 300, "Op", "\u00e9"]
BAD_INPUTS = ["nope:0", "x:1", "x:99", "x:1048576", "x:1048575", "^nope", "x:-1", "x:",
              ":0", "x:0:0", "^", "", "$unbound_inputs_q:0", "^$unbound_inputs_q",
              "x:\u0661", "x:00000001", "w:0", "^w", "y:0", "z:0", "every:0", "^every",
              "words:0", "x:0" * 3000]
BAD_NAMES = ["", "a b", "/x", "x//y", "-", "a" * 5000, "x:0", "^x", "x", "y", "w", ".",
             "\u00e9", "Z" * 4096]
BAD_DEVICES = ["/job:a/replica:x", "/device:GPU:99999999999999999999", "CPU", "/gpu:0",
               "a" * 5000, "/cpu:-1", "/device:CPU:0", "/job:worker/task:2**70"]
HUGE_SHAPES = [[2 ** 40, 3], [2 ** 40, 2 ** 40], [2 ** 40] * 32, [2 ** 40 + 1], [-1, 3],
               [None, 2 ** 40], [1] * 33, [None] * 32, [0, 3], [], None, [3], "3",
               [2 ** 63], [10 ** 30]]


def _deep_graph(depth: int, op_type: str) -> Raw:
    """A graph document whose only node's `body` holds a graph `depth` levels deep."""
    node = '{"versions":' + _VERSIONS + ',"node":[{"name":"n","op":"' + op_type + \
        '","attr":{"body":{"graph":'
    leaf = '{"versions":' + _VERSIONS + ',"node":[]}'
    return Raw(node * depth + leaf + "}}}]}" * depth)


def _deep_list(depth: int) -> Raw:
    return Raw('{"list":[' * depth + '{"i":1}' + "]}" * depth)


@functools.cache
def encoded_attrs(op_type: str) -> st.SearchStrategy:
    """Encoded attribute values of every kind, wrong ones and hostile ones."""
    fixed = st.sampled_from([
        {"i": 3}, {"i": 2 ** 63}, {"i": -(2 ** 63)}, {"i": 1.5}, {"i": True}, {"f": "nan"},
        {"f": 1e308}, {"f": "Infinity"}, {"f": "3"}, {"b": True}, {"b": 1}, {"s": "x"},
        {"s": "a" * 100_000}, {"s": 3}, {"dtype": "float32"}, {"dtype": "string"},
        {"dtype": "complex256"}, {"dtype": "resource"}, {"dtype": 1},
        {"none": True}, {"none": False}, {"list": []}, {"list": [{"i": 1}, {"s": "a"}]},
        {"list": {"i": 1}}, {"bytes": "!!"}, {"bytes": "YWI="}, {"tensor": {"ref": "w"}},
        {"tensor": {"ref": "every:table"}}, {"tensor": {"ref": 3}}, {"tensor": []},
        {"tensor": {"dtype": "int32", "shape": [2 ** 40], "data": "", "sha256": ""}},
        {"tensor": {"dtype": "float32", "shape": [1], "data": "AAAAAA==",
                    "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
        {"tensor": {"dtype": "string", "shape": [1], "data": "/////////////w==",
                    "sha256": "0" * 64}},
        {"graph": {"node": []}}, {"graph": []}, {"graph": {"versions": {}, "node": []}},
        {"unknown": 1}, {}, {"i": 1, "f": 2.0}, {"shape": [None, 3]},
    ])
    shapes = st.sampled_from(HUGE_SHAPES).map(lambda s: {"shape": s})
    deep_graphs = st.sampled_from([1, 2, 15, 16, 17, 40, 300, 3000]).map(
        lambda d: {"graph": _deep_graph(d, op_type)})
    deep_lists = st.sampled_from([2, 16, 17, 100, 3000]).map(_deep_list)
    return st.one_of(fixed, shapes, deep_graphs, deep_lists)


@st.composite
def graph_semantic_mutations(draw_shared: Callable, document: dict, op_type: str) -> dict:
    """A copy of graph `document` with one to three targeted semantic changes: unknown op
    types, wrong attribute kinds, unknown or missing attributes, dangling and cyclic
    inputs, duplicate and invalid names, huge shapes, deep nesting, bad devices,
    versions and recorded shapes."""
    document = copy.deepcopy(document)
    nodes = document["node"]

    def draw(strategy: st.SearchStrategy) -> Any:  # sampled values are shared: copy them
        return copy.deepcopy(draw_shared(strategy))

    for _ in range(draw(st.integers(1, 3))):
        if not nodes:
            break
        kind = draw(st.sampled_from([
            "op", "attr", "attr", "attr", "unknown_attr", "drop_attr", "dangling", "cycle",
            "duplicate", "rename", "drop_node", "huge_shape", "inputs", "versions",
            "output_shapes", "site", "device", "deep_body", "deep_list"]))
        # Most changes go to any node; attribute changes go to the op with every kind of
        # attribute half of the time, nesting always (other ops have no such attribute).
        targets = [k for k, n in enumerate(nodes) if n.get("op") == op_type]
        if kind in ("deep_body", "deep_list") or (kind == "attr" and draw(st.booleans())):
            i = draw(st.sampled_from(targets)) if targets else 0
        else:
            i = draw(st.integers(0, len(nodes) - 1))
        node = nodes[i]
        if kind == "op":
            node["op"] = draw(st.sampled_from(BAD_OP_TYPES + [n["op"] for n in nodes]))
        elif kind == "attr" and node.get("attr"):
            node["attr"][draw(st.sampled_from(sorted(node["attr"])))] = \
                draw(encoded_attrs(op_type))
        elif kind == "unknown_attr":
            node.setdefault("attr", {})[draw(st.sampled_from(
                ["bogus", "__class__", "_", "name", "type_name"]))] = {"i": 1}
        elif kind == "drop_attr" and node.get("attr"):
            del node["attr"][draw(st.sampled_from(sorted(node["attr"])))]
        elif kind == "dangling":
            node.setdefault("input", []).append(draw(st.sampled_from(BAD_INPUTS)))
        elif kind == "cycle":
            j = draw(st.integers(0, len(nodes) - 1))
            prefix = draw(st.sampled_from(["", "^"]))
            suffix = "" if prefix else ":0"
            node.setdefault("input", []).append(prefix + nodes[j]["name"] + suffix)
        elif kind == "duplicate":
            nodes.append(copy.deepcopy(node))
        elif kind == "rename":
            node["name"] = draw(st.sampled_from(BAD_NAMES + [n["name"] for n in nodes]))
        elif kind == "drop_node":
            del nodes[i]
        elif kind == "huge_shape":
            node.setdefault("attr", {})["shape"] = {"shape": draw(st.sampled_from(HUGE_SHAPES))}
        elif kind == "inputs":
            inputs = node.setdefault("input", [])
            action = draw(st.sampled_from(["reverse", "drop", "double", "clear"]))
            if action == "reverse":
                inputs.reverse()
            elif action == "drop" and inputs:
                inputs.pop()
            elif action == "double":
                inputs.extend(list(inputs) or ["x:0", "x:0"])
            else:
                inputs.clear()
        elif kind == "versions":
            document["versions"] = draw(st.sampled_from([
                {"producer": 0, "min_consumer": 1}, {"producer": 1, "min_consumer": 2},
                {"producer": 1, "min_consumer": 1, "bad_consumers": [1]},
                {"producer": 2 ** 70, "min_consumer": -(2 ** 70)}, {}, None, [],
                {"producer": 1, "min_consumer": 1, "bad_consumers": list(range(2000))}]))
        elif kind == "output_shapes":
            node["output_shapes"] = draw(st.sampled_from(
                [[[2 ** 40, 2 ** 40]], [None, None], [[1] * 33], ["x"], [[5, 5]], [], 3,
                 [[None, 7]], [[2 ** 63]]]))
        elif kind == "site":
            node["site"] = draw(st.sampled_from([
                {"file": "a", "line": 2 ** 70, "function": "f"}, {"file": 3}, [],
                {"file": "a" * 5000, "line": 1, "function": "f"}, None]))
        elif kind == "device":
            node["device"] = draw(st.sampled_from(BAD_DEVICES))
        elif kind == "deep_body":
            node.setdefault("attr", {})["body"] = {"graph": _deep_graph(
                draw(st.sampled_from([1, 15, 16, 17, 40, 300, 3000])), op_type)}
        elif kind == "deep_list":
            node.setdefault("attr", {})["nested"] = _deep_list(
                draw(st.sampled_from([2, 15, 16, 17, 100, 3000])))
    return document


# --------------------------------------------------------------------------- GraphDef objects
def deep_tuple(depth: int) -> tuple:
    value: tuple = (1,)
    for _ in range(depth):
        value = (value,)
    return value


def deep_graph_def(depth: int, op_type: str) -> Any:
    graph_def = GraphDef()
    for _ in range(depth):
        graph_def = GraphDef([NodeDef("n", op_type, attr={"body": graph_def})])
    return graph_def


@functools.cache
def attr_values(op_type: str) -> st.SearchStrategy:
    """Python attribute values of every kind an in-memory NodeDef may hold, wrong ones
    and hostile ones (deeply nested tuples and graphs)."""
    fixed = st.sampled_from([
        3, 2 ** 70, -1, 1.5, float("nan"), "float32", "x", "", b"x", True, None,
        fg.float32, fg.string, fg.int64, TensorShape([2 ** 40, 2 ** 40]),
        TensorShape(None), TensorShape([None, 3]), np.zeros((2, 2)),
        np.array([b"a"], dtype=object), np.float32(2.5), np.int64(2 ** 40), (),
        (1, "a", None), [1, 2], (fg.float32,), GraphDef()])
    nested = st.sampled_from([20, 10_000]).map(deep_tuple)
    graphs = st.sampled_from([2, 17, 3000]).map(lambda d: deep_graph_def(d, op_type))
    return st.one_of(fixed, nested, graphs)


@st.composite
def graph_def_object_mutations(draw: Callable, graph_def: Any, op_type: str) -> Any:
    """`graph_def` (a parsed GraphDef, changed in place) with one to three changes of
    values of the types its fields hold."""
    nodes = graph_def.node
    for _ in range(draw(st.integers(1, 3))):
        if not nodes:
            break
        node = nodes[draw(st.integers(0, len(nodes) - 1))]
        kind = draw(st.sampled_from(["attr", "attr", "attr", "new_attr", "input", "op",
                                     "name", "device", "output_shapes", "versions",
                                     "duplicate", "drop", "self"]))
        if kind == "attr" and node.attr:
            node.attr[draw(st.sampled_from(sorted(node.attr)))] = draw(attr_values(op_type))
        elif kind == "new_attr":
            node.attr[draw(st.sampled_from(["body", "nested", "bogus", "dtype"]))] = \
                draw(attr_values(op_type))
        elif kind == "input":
            node.input.append(draw(st.sampled_from(BAD_INPUTS + [n.name for n in nodes])))
        elif kind == "op":
            node.op = draw(st.sampled_from(BAD_OP_TYPES + [n.op for n in nodes]))
        elif kind == "name":
            node.name = draw(st.sampled_from(BAD_NAMES + [n.name for n in nodes]))
        elif kind == "device":
            node.device = draw(st.sampled_from(BAD_DEVICES))
        elif kind == "output_shapes":
            node.output_shapes = draw(st.sampled_from(
                [[TensorShape([2 ** 40])], [TensorShape([5, 5])], [], [None]]))
        elif kind == "versions":
            graph_def.versions.min_consumer = draw(st.sampled_from([2, 2 ** 70, -1]))
        elif kind == "duplicate":  # shallow: attribute values may nest 10,000 deep
            nodes.append(NodeDef(node.name, node.op, node.input, node.device, node.attr,
                                 node.creation_site, node.output_shapes))
        elif kind == "drop":
            nodes.remove(node)
        elif kind == "self":  # a graph holding itself: nesting without end
            for target in nodes:
                if target.op == op_type:
                    target.attr["body"] = graph_def
    return graph_def
