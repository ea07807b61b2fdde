"""TF1's `tf.io.decode_compressed` (ZLIB / GZIP strings) and `tf.io.decode_json_example`
(the JSON form of a tf.train.Example to its serialized proto bytes)."""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.io.example_wire import encode_length_delimited, encode_tag, encode_varint
from flowgraph.ops.registry import apply_op, register
from flowgraph.ops.strings import StringOp, _map_strings, _string_input

__all__ = ["decode_compressed", "decode_json_example"]

_WBITS = {"ZLIB": 15, "GZIP": 31}
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _as_bytes(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


# --------------------------------------------------------------------------- decompress
@register
class DecodeCompressed(StringOp):
    """Decompresses each string: "ZLIB", "GZIP" (every concatenated member) or "" (as is).
    Bytes after a ZLIB stream are ignored, and so is a cut-off end (as TF's stream reader)."""

    compression_type: str = ""

    def kernel(self, x):
        if self.compression_type not in ("", *_WBITS):
            raise errors.InvalidArgumentError(
                None, None, f"Only ZLIB, GZIP or NONE are supported compressions, got "
                f"compression_type={self.compression_type!r} (use 'ZLIB', 'GZIP' or '')")
        if not self.compression_type:
            return _map_strings(_as_bytes, x)
        return _map_strings(lambda s: self._inflate(_as_bytes(s)), x)

    def _inflate(self, data: bytes) -> bytes:
        wbits = _WBITS[self.compression_type]
        out = []
        try:
            while True:
                stream = zlib.decompressobj(wbits)
                out.append(stream.decompress(data))
                out.append(stream.flush())
                # A GZIP string may hold several members, one after the other.
                if not (stream.eof and stream.unused_data and wbits == 31):
                    break
                data = stream.unused_data
        except zlib.error as exc:
            raise errors.DataLossError(
                None, None, f"inflate() failed: {exc}; is the data {self.compression_type} "
                f"compressed?") from None
        return b"".join(out)


def decode_compressed(bytes: Any, compression_type: str = "",  # noqa: A002 - TF's name
                      name: Optional[str] = None) -> Tensor:
    """Decompresses each string of `bytes` ("ZLIB", "GZIP" or "" for none), as TF's
    ``tf.io.decode_compressed``; the output has the input's shape.

    >>> fg.io.decode_compressed([zlib.compress(b"abc")], "ZLIB")  # -> [b"abc"]
    """
    tensor = _string_input(bytes, "bytes")
    return apply_op(DecodeCompressed(compression_type=str(compression_type)), [tensor],
                    name=name)


# --------------------------------------------------------------------------- JSON Example
class _JsonError(ValueError):
    pass


def _fields(obj: Any, where: str, allowed: dict) -> list:
    """[(field number, value)] of a JSON object, in its order; both the JSON (lowerCamel)
    and the proto field names are accepted, nulls are skipped, as protobuf's parser."""
    if not isinstance(obj, dict):
        raise _JsonError(f"{where}: expected an object, got {json.dumps(obj)}")
    out, seen = [], set()
    for key, value in obj.items():
        if key not in allowed:
            raise _JsonError(f"{where}: no such field: {key!r}")
        number = allowed[key]
        if number in seen:
            raise _JsonError(f"{where}: field {key!r} has already been set (either directly "
                             f"or as part of a oneof)")
        seen.add(number)
        if value is not None:
            out.append((number, value))
    return out


def _list_values(obj: Any, where: str) -> list:
    values = dict(_fields(obj, where, {"value": 1})).get(1, [])
    return values if isinstance(values, list) else [values]


def _int64(value: Any, where: str) -> int:
    if isinstance(value, str):
        try:
            value = int(value.strip(), 10)
        except ValueError:
            raise _JsonError(f"{where}: expected an integer, got {value!r}") from None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _JsonError(f"{where}: int64 expected an integer, got {json.dumps(value)}")
    if not -(1 << 63) <= value < (1 << 63):
        raise _JsonError(f"{where}: JSON number out of range for int64: {value}")
    return value


def _float(value: Any, where: str) -> bytes:
    names = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
    if isinstance(value, str):
        if value in names:
            value = names[value]
        else:
            try:
                value = float(value)
            except ValueError:
                raise _JsonError(f"{where}: expected a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _JsonError(f"{where}: float expected a number, got {json.dumps(value)}")
    if math.isfinite(value) and abs(value) > _FLOAT32_MAX:
        raise _JsonError(f"{where}: float out of range: {value}")
    return np.float32(value).astype("<f4").tobytes()


def _bytes(value: Any, where: str) -> bytes:
    if not isinstance(value, str):
        raise _JsonError(f"{where}: bytes expected a base64 string, got {json.dumps(value)}")
    text = value.replace("-", "+").replace("_", "/").rstrip("=")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise _JsonError(f"{where}: corrupt base64 {value!r}") from None


_KINDS = {"bytesList": 1, "bytes_list": 1, "floatList": 2, "float_list": 2, "int64List": 3,
          "int64_list": 3}


def _feature(obj: Any, where: str) -> bytes:
    out = []
    # bytes_list, float_list and int64_list are a oneof: only one of them may be set.
    kinds = _fields(obj, where, _KINDS)
    if len(kinds) > 1:
        raise _JsonError(f"{where}: a Feature holds only one of bytesList, floatList and "
                         f"int64List, got several")
    for number, value in kinds:
        place = f"{where}.{['bytesList', 'floatList', 'int64List'][number - 1]}.value"
        items = _list_values(value, place)
        if number == 1:
            body = b"".join(encode_length_delimited(1, _bytes(v, place)) for v in items)
        elif number == 2:
            body = b"".join(encode_tag(1, 5) + _float(v, place) for v in items)
        else:
            body = b"".join(encode_tag(1, 0) + encode_varint(_int64(v, place)) for v in items)
        out.append(encode_length_delimited(number, body))
    return b"".join(out)


def json_example_to_bytes(text: bytes) -> bytes:
    """The serialized tf.train.Example of its JSON form (fields in the JSON's order, repeated
    numbers unpacked, as TF's converter writes them); _JsonError if it is not one."""
    try:
        obj = json.loads(text, parse_constant=lambda c: _raise(f"invalid JSON constant {c}"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _JsonError(f"invalid JSON: {exc}") from None
    out = []
    for _, features in _fields(obj, "Example", {"features": 1}):
        entries = []
        for _, feature_map in _fields(features, "features", {"feature": 1}):
            if not isinstance(feature_map, dict):
                raise _JsonError("features.feature: expected an object mapping names to "
                                 "Features")
            for key, feature in feature_map.items():
                value = b"" if feature is None else _feature(feature, f"feature[{key!r}]")
                entry = (encode_length_delimited(1, key.encode("utf-8"))
                         + encode_length_delimited(2, value))
                entries.append(encode_length_delimited(1, entry))
        out.append(encode_length_delimited(1, b"".join(entries)))
    return b"".join(out)


def _raise(message: str) -> Any:
    raise _JsonError(message)


@register
class DecodeJSONExample(StringOp):
    """Converts each string, a tf.train.Example in protobuf's JSON form, to its serialized
    proto bytes (for `parse_example`)."""

    def kernel(self, x):
        def convert(item: Any) -> bytes:
            try:
                return json_example_to_bytes(_as_bytes(item))
            except _JsonError as exc:
                raise errors.InvalidArgumentError(
                    None, None, f"Error while parsing JSON: {exc} (expected the JSON form "
                    f'of a tf.train.Example: {{"features": {{"feature": {{"x": {{"int64List"'
                    f': {{"value": [1]}}}}}}}}}})') from None
        return _map_strings(convert, x)


def decode_json_example(json_examples: Any, name: Optional[str] = None) -> Tensor:
    """Converts JSON-encoded tf.train.Example records (protobuf's JSON mapping: camelCase
    or proto field names, int64 as numbers or strings, bytes as base64) to serialized
    Example protos, as TF's ``tf.io.decode_json_example``.

    >>> fg.io.decode_json_example('{"features": {"feature": {"x": {"int64List": '
    ...                           '{"value": ["1"]}}}}}')
    """
    tensor = _string_input(json_examples, "json_examples")
    return apply_op(DecodeJSONExample(), [tensor], name=name)
