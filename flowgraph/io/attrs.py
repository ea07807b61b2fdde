"""Op attributes in graph files: each value is encoded by its field's declared type.

An encoded attribute is a JSON object with one key naming its kind::

    {"dtype": "float32"}          a DType (by name, looked up in a fixed table)
    {"shape": [null, 3]}          a TensorShape (null: unknown rank)
    {"i": 3}  {"f": 0.5}  {"f": "inf"}  {"b": true}  {"s": "SAME"}
    {"bytes": "<base64>"}         bytes inside a tuple
    {"none": true}                None
    {"list": [...]}               a tuple (elements encoded the same way, nested)
    {"tensor": {...}}             an array: {"ref": name} of a tensor stored in the
                                  container, or inline {"dtype", "shape", "data" (base64),
                                  "sha256"}
    {"graph": {...}}              a nested graph document (functional control flow)

Decoding checks the kind against the field's declared type and every payload against
bounds; nothing in a file can name a Python callable or module. The op definition is then
rebuilt through its dataclass constructor, whose coercions and ``check()`` validate values.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import typing
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Graph
from flowgraph.io import container
from flowgraph.ops.registry import _field_types
from flowgraph.shapes import TensorShape, as_shape

MAX_LIST = 1 << 20
MAX_DEPTH = 16
MAX_STRING_CHARS = 1 << 24
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_SPECIAL_FLOATS = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


class GraphDefError(errors.InvalidArgumentError, ValueError):
    """An invalid graph document; also a ValueError, as TF1's import_graph_def raised."""

    def __init__(self, message: str) -> None:
        errors.InvalidArgumentError.__init__(self, None, None, message)


def field_kinds(op_class: type) -> dict:
    """{attribute name: declared type} of a registered op class."""
    return _field_types(op_class)


# --------------------------------------------------------------------------- encoding
class Encoder:
    """Collects the arrays of an encoding: into `tensors` (binary form) or inline (text)."""

    def __init__(self, tensors: Optional[dict] = None) -> None:
        self.tensors = tensors

    def tensor(self, array: np.ndarray, path: str) -> dict:
        array = np.asarray(array)
        if self.tensors is None:
            dtype_name, shape, data = container.encode_tensor(array)
            return {"dtype": dtype_name, "shape": shape,
                    "data": base64.b64encode(data).decode("ascii"),
                    "sha256": hashlib.sha256(data).hexdigest()}
        if path in self.tensors:
            raise ValueError(f"Two tensors of the graph would be stored as {path!r}")
        self.tensors[path] = array
        return {"ref": path}


def encode_attr(kind: Any, value: Any, encoder: Encoder, path: str, depth: int = 0) -> dict:
    """The JSON encoding of attribute `value` whose field is declared as `kind`."""
    if depth > MAX_DEPTH:
        raise ValueError(f"{path}: attribute nested more than {MAX_DEPTH} levels deep")
    if value is None:
        return {"none": True}
    kind = _concrete(kind)
    if kind is dtypes.DType:
        return {"dtype": dtypes.as_dtype(value).name}
    if kind is TensorShape:
        return {"shape": shape_to_json(as_shape(value))}
    if kind is bool:
        return {"b": bool(value)}
    if kind is int:
        return {"i": _checked_int(int(value), path)}
    if kind is float:
        return {"f": float_to_json(float(value))}
    if kind is str:
        return {"s": str(value)}
    if kind is np.ndarray:
        return {"tensor": encoder.tensor(value, path)}
    if typing.get_origin(kind) is tuple or kind is tuple:
        element = _element_kind(kind)
        return {"list": [encode_attr(element, v, encoder, f"{path}.{i}", depth + 1)
                         for i, v in enumerate(value)]}
    return _encode_generic(value, encoder, path, depth)


def _encode_generic(value: Any, encoder: Encoder, path: str, depth: int) -> dict:
    from flowgraph.io.graph_def import GraphDef, graph_def_to_document
    if value is None:
        return {"none": True}
    if isinstance(value, (bool, np.bool_)):
        return {"b": bool(value)}
    if isinstance(value, (int, np.integer)):
        return {"i": _checked_int(int(value), path)}
    if isinstance(value, (float, np.floating)):
        return {"f": float_to_json(float(value))}
    if isinstance(value, str):
        return {"s": value}
    if isinstance(value, (bytes, np.bytes_)):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dtypes.DType):
        return {"dtype": value.name}
    if isinstance(value, TensorShape):
        return {"shape": shape_to_json(value)}
    if isinstance(value, np.ndarray):
        return {"tensor": encoder.tensor(value, path)}
    if isinstance(value, (tuple, list)):
        return {"list": [encode_attr(None, v, encoder, f"{path}.{i}", depth + 1)
                         for i, v in enumerate(value)]}
    if isinstance(value, Graph):
        value = value.as_graph_def()
    if isinstance(value, GraphDef):
        return {"graph": graph_def_to_document(value, encoder, prefix=f"{path}/",
                                               depth=depth + 1)}
    hint = (": graph files hold data, never Python code, so a graph with py_func ops "
            "cannot be saved (save the model without them)") if callable(value) else ""
    raise TypeError(f"{path}: cannot store an attribute value of type "
                    f"{type(value).__name__} ({value!r:.80}) in a graph file{hint}")


def shape_to_json(shape: TensorShape) -> Optional[list]:
    return shape.as_list() if shape.ndims is not None else None


def float_to_json(value: float) -> Any:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _checked_int(value: int, path: str) -> int:
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ValueError(f"{path}: integer {value} does not fit in 64 bits")
    return value


def _concrete(kind: Any) -> Any:
    """Optional[X] -> X; other unions and unknown annotations -> None (encode by value)."""
    if typing.get_origin(kind) is typing.Union:
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        return _concrete(args[0]) if len(args) == 1 else None
    if kind is typing.Any:
        return None
    return kind


def _element_kind(kind: Any) -> Any:
    args = typing.get_args(kind)
    if len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return None


# --------------------------------------------------------------------------- decoding
class Decoder:
    """Reads encoded attributes; arrays come from `box` (a Container) or inline."""

    def __init__(self, box: Any, where: str) -> None:
        self.box = box
        self.where = where
        self._refs: set = set()

    def tensor(self, spec: Any, path: str) -> np.ndarray:
        where = f"{self.where}: {path}"
        if not isinstance(spec, dict):
            raise _invalid(where, "a tensor must be a JSON object")
        if "ref" in spec:
            name = spec["ref"]
            if self.box is None or not isinstance(name, str) or name not in self.box:
                raise errors.DataLossError(None, None, f"{where}: refers to a tensor "
                                           f"{name!r:.100} that the file does not hold")
            if name in self._refs:  # one stored tensor must not be decoded many times over
                raise errors.DataLossError(None, None, f"{where}: refers to the tensor "
                                           f"{name!r:.100} a second time")
            self._refs.add(name)
            return self.box.read_tensor(name)
        return decode_inline_tensor(spec, where)


def decode_inline_tensor(spec: dict, where: str) -> np.ndarray:
    """An array from its inline JSON form, checked against its length and SHA-256."""
    dtype_name, shape, data, digest = (spec.get(k) for k in ("dtype", "shape", "data",
                                                              "sha256"))
    if not isinstance(dtype_name, str) or not isinstance(data, str) or \
            not isinstance(digest, str):
        raise _loss(where, "an inline tensor needs 'dtype', 'shape', 'data' and 'sha256'")
    if dtype_name != "string" and dtype_name not in container.NUMERIC_DTYPES:
        raise _loss(where, f"unknown tensor dtype {dtype_name!r:.40}")
    nbytes = container.tensor_nbytes(dtype_name, shape, where)
    if nbytes is not None and len(data) > 4 * (nbytes // 3 + 1) + 4:
        raise _loss(where, "tensor data is longer than its dtype and shape allow")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise _loss(where, "tensor data is not valid base64") from None
    if nbytes is not None and len(raw) != nbytes:
        raise _loss(where, f"tensor data has {len(raw)} bytes; its dtype and shape need "
                    f"{nbytes}")
    if hashlib.sha256(raw).hexdigest() != digest:
        raise _loss(where, "checksum mismatch in tensor data: the file is damaged")
    return container.decode_tensor(dtype_name, shape, raw, where)


_EXPECTED_TAG = {dtypes.DType: "dtype", TensorShape: "shape", bool: "b", int: "i",
                 float: "f", str: "s", np.ndarray: "tensor"}


def decode_attr(kind: Any, encoded: Any, decoder: Decoder, path: str, depth: int = 0) -> Any:
    """The value of an encoded attribute, checked against its declared type `kind`."""
    if depth > MAX_DEPTH:
        raise _invalid(f"{decoder.where}: {path}", f"nested more than {MAX_DEPTH} levels deep")
    if not isinstance(encoded, dict) or len(encoded) != 1:
        raise _invalid(f"{decoder.where}: {path}", "an attribute must be a JSON object with "
                       f"one key naming its kind, got {_short(encoded)}")
    (tag, payload), = encoded.items()
    if tag == "none":
        if payload is not True:
            raise _invalid(f"{decoder.where}: {path}", "'none' must be true")
        return None
    kind = _concrete(kind)
    expected = _EXPECTED_TAG.get(kind)
    if kind is tuple or typing.get_origin(kind) is tuple:
        expected = "list"
    elif kind is Graph:
        expected = "graph"
    if expected is not None and tag != expected:
        raise _invalid(f"{decoder.where}: {path}",
                       f"must be {_kind_name(kind)} ({{{expected!r}: ...}}), the file has "
                       f"{{{tag!r}: ...}}")
    return _decode_payload(tag, payload, kind, decoder, path, depth)


def _decode_payload(tag: str, payload: Any, kind: Any, decoder: Decoder, path: str,
                    depth: int) -> Any:
    where = f"{decoder.where}: {path}"
    if tag == "dtype":
        if not isinstance(payload, str) or payload not in dtypes._BY_NAME:
            raise _invalid(where, f"unknown dtype {_short(payload)}; expected one of "
                           f"{sorted(d.name for d in dtypes.ALL_DTYPES)}")
        return dtypes.as_dtype(payload)
    if tag == "shape":
        return shape_from_json(payload, where)
    if tag == "b":
        if not isinstance(payload, bool):
            raise _invalid(where, f"'b' must be true or false, got {_short(payload)}")
        return payload
    if tag == "i":
        if not isinstance(payload, int) or isinstance(payload, bool) or \
                not _INT64_MIN <= payload <= _INT64_MAX:
            raise _invalid(where, f"'i' must be a 64-bit integer, got {_short(payload)}")
        return payload
    if tag == "f":
        return float_from_json(payload, where)
    if tag == "s":
        if not isinstance(payload, str) or len(payload) > MAX_STRING_CHARS:
            raise _invalid(where, f"'s' must be a string of at most {MAX_STRING_CHARS} "
                           "characters")
        return payload
    if tag == "bytes":
        if not isinstance(payload, str) or len(payload) > 2 * MAX_STRING_CHARS:
            raise _invalid(where, "'bytes' must be a base64 string")
        try:
            return base64.b64decode(payload.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise _invalid(where, "'bytes' is not valid base64") from None
    if tag == "list":
        if not isinstance(payload, list) or len(payload) > MAX_LIST:
            raise _invalid(where, f"'list' must be a JSON list of at most {MAX_LIST} items")
        element = _element_kind(kind) if kind is not None else None
        return tuple(decode_attr(element, item, decoder, f"{path}.{i}", depth + 1)
                     for i, item in enumerate(payload))
    if tag == "tensor":
        return decoder.tensor(payload, path)
    if tag == "graph":
        from flowgraph.io.graph_def import graph_def_from_document
        return graph_def_from_document(payload, decoder.box, decoder.where,
                                       prefix=f"{path}/", depth=depth + 1, decoder=decoder)
    raise _invalid(where, f"unknown attribute kind {tag!r:.40}; expected one of dtype, "
                   "shape, i, f, b, s, bytes, none, list, tensor, graph")


def shape_from_json(payload: Any, where: str) -> TensorShape:
    if payload is None:
        return TensorShape(None)
    if not isinstance(payload, list) or len(payload) > container.MAX_RANK:
        raise _invalid(where, f"a shape must be null or a list of at most "
                       f"{container.MAX_RANK} dimensions, got {_short(payload)}")
    for dim in payload:
        if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool)
                                or not 0 <= dim <= container.MAX_DIM):
            raise _invalid(where, f"invalid dimension {_short(dim)} in shape")
    return TensorShape(payload)


def float_from_json(payload: Any, where: str) -> float:
    if isinstance(payload, str) and payload in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[payload]
    if isinstance(payload, (int, float)) and not isinstance(payload, bool):
        value = float(payload)
        if math.isfinite(value):
            return value
    raise _invalid(where, f"'f' must be a number, 'inf', '-inf' or 'nan', got "
                   f"{_short(payload)}")


def _kind_name(kind: Any) -> str:
    return getattr(kind, "__name__", None) or str(kind)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _invalid(where: str, message: str) -> GraphDefError:
    return GraphDefError(f"{where}: {message}")


def _loss(where: str, message: str) -> errors.DataLossError:
    return errors.DataLossError(None, None, f"{where}: {message}")
