"""The protocol-buffer wire format, as far as `tf.train.Example` and its relatives need it.

A message is a sequence of fields, each a varint *tag* ``(field_number << 3) | wire_type``
followed by its payload:

- wire type 0: a varint (int64 values are stored as 64-bit two's complement, so a negative
  number takes ten bytes),
- wire type 1: eight little-endian bytes, wire type 5: four (a float),
- wire type 2: a varint length, then that many bytes (strings, bytes, nested messages and
  *packed* repeated numbers: all values back to back),
- wire types 3 and 4: the start and end of a (deprecated) group.

This module holds the codec and the text-format spellings used by ``repr``; it imports
nothing from the rest of flowgraph, so both the message classes (flowgraph.io.example_proto)
and the ParseExample kernel use it.
"""

from __future__ import annotations

import math
from typing import Iterator, Tuple

import numpy as np

__all__ = ["DecodeError"]

_U64 = (1 << 64) - 1
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
VARINT, FIXED64, LENGTH, START_GROUP, END_GROUP, FIXED32 = 0, 1, 2, 3, 4, 5


class DecodeError(ValueError):
    """Bytes that are not a valid serialized message (protobuf's ``message.DecodeError``)."""


# --------------------------------------------------------------------------- encoding
def encode_varint(value: int) -> bytes:
    """The varint bytes of `value` (negative values as 64-bit two's complement)."""
    value &= _U64
    if value < 0x80:
        return bytes((value,))
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_tag(number: int, wire_type: int) -> bytes:
    return encode_varint((number << 3) | wire_type)


def encode_length_delimited(number: int, payload: bytes) -> bytes:
    """A wire-type-2 field: tag, length, payload."""
    return b"".join((encode_tag(number, LENGTH), encode_varint(len(payload)), payload))


def encode_packed_floats(values: list) -> bytes:
    return np.asarray(values, dtype="<f4").tobytes()


def encode_packed_varints(values: list) -> bytes:
    return b"".join(encode_varint(v) for v in values)


# --------------------------------------------------------------------------- decoding
def read_varint(data: bytes, pos: int) -> Tuple[int, int]:
    """(value, position after it) of the varint at `pos`; DecodeError if it is cut off or
    longer than ten bytes."""
    result = shift = 0
    end = len(data)
    while True:
        if pos >= end:
            raise DecodeError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & _U64, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint longer than 10 bytes")


def to_int64(value: int) -> int:
    """A 64-bit varint value read back as a signed int64."""
    return value - (1 << 64) if value > INT64_MAX else value


def iter_fields(data: bytes) -> Iterator[tuple]:
    """Yields ``(field_number, wire_type, value, start, end)`` for each field of a message:
    `value` is an int (varint) or bytes (length-delimited, fixed32/64, or a whole group);
    ``data[start:end]`` is the whole field (so callers can keep unknown fields verbatim)."""
    pos, end = 0, len(data)
    while pos < end:
        start = pos
        tag, pos = read_varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if number == 0:
            raise DecodeError("field number 0")
        if wire_type == VARINT:
            value, pos = read_varint(data, pos)
        elif wire_type == LENGTH:
            size, pos = read_varint(data, pos)
            if pos + size > end:
                raise DecodeError("length-delimited field runs past the end")
            value, pos = data[pos:pos + size], pos + size
        elif wire_type in (FIXED32, FIXED64):
            size = 4 if wire_type == FIXED32 else 8
            if pos + size > end:
                raise DecodeError("fixed-size field runs past the end")
            value, pos = data[pos:pos + size], pos + size
        elif wire_type == START_GROUP:
            pos = _skip_group(data, pos, number)
            value = data[start:pos]
        else:
            raise DecodeError(f"unexpected wire type {wire_type}")
        yield number, wire_type, value, start, pos


def _skip_group(data: bytes, pos: int, number: int) -> int:
    """The position after the end-group tag that closes group `number`."""
    depth = [number]
    end = len(data)
    while depth:
        if pos >= end:
            raise DecodeError("unterminated group")
        tag, pos = read_varint(data, pos)
        field, wire_type = tag >> 3, tag & 7
        if wire_type == END_GROUP:
            if field != depth.pop():
                raise DecodeError("mismatched end-group tag")
        elif wire_type == START_GROUP:
            depth.append(field)
        elif wire_type == VARINT:
            _, pos = read_varint(data, pos)
        elif wire_type == LENGTH:
            size, pos = read_varint(data, pos)
            pos += size
        elif wire_type in (FIXED32, FIXED64):
            pos += 4 if wire_type == FIXED32 else 8
        else:
            raise DecodeError(f"unexpected wire type {wire_type}")
        if pos > end:
            raise DecodeError("group runs past the end")
    return pos


def decode_packed_floats(payload: bytes) -> list:
    if len(payload) % 4:
        raise DecodeError("packed float field whose length is not a multiple of 4")
    return np.frombuffer(payload, dtype="<f4").astype(np.float64).tolist()


def decode_packed_varints(payload: bytes) -> list:
    values = []
    pos, end = 0, len(payload)
    while pos < end:
        value, pos = read_varint(payload, pos)
        values.append(to_int64(value))
    return values


def decode_float(payload: bytes) -> float:
    return float(np.frombuffer(payload, dtype="<f4")[0])


def decode_utf8(payload: bytes, what: str) -> str:
    try:
        return bytes(payload).decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError(f"{what}: string field had bad UTF-8") from None


# --------------------------------------------------------------------------- text format
def format_float32(value: float) -> str:
    """A float field as protobuf's text format prints it: the shortest of 6 or 9
    significant digits that reads back as the same float32."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.6g}"
    if np.float32(float(text)) != np.float32(value):
        text = f"{value:.9g}"
    return text


_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"',
            ord("'"): "\\'", ord("\\"): "\\\\"}


def escape_bytes(value: bytes, is_bytes: bool = True) -> str:
    """A quoted text-format string: C escapes, octal for unprintable bytes (for a string
    field, bytes of UTF-8 sequences are kept as they are)."""
    parts = ['"']
    for byte in value:
        escaped = _ESCAPES.get(byte)
        if escaped is not None:
            parts.append(escaped)
        elif 0x20 <= byte < 0x7F:
            parts.append(chr(byte))
        elif byte >= 0x80 and not is_bytes:
            parts.append(None)  # placeholder: replaced by the raw UTF-8 run below
        else:
            parts.append(f"\\{byte:03o}")
    if is_bytes or all(p is not None for p in parts):
        return "".join(parts) + '"'
    # Re-assemble runs of raw UTF-8 bytes into characters.
    out = []
    run = bytearray()
    for byte, part in zip(value, parts[1:]):
        if part is None:
            run.append(byte)
            continue
        if run:
            out.append(run.decode("utf-8", "replace"))
            run = bytearray()
        out.append(part)
    if run:
        out.append(run.decode("utf-8", "replace"))
    return '"' + "".join(out) + '"'


# --------------------------------------------------------------------------- fast Example reading
KINDS = {1: "bytes_list", 2: "float_list", 3: "int64_list"}


def decode_example_features(data: bytes) -> dict:
    """{key: (kind, values)} of a serialized ``tf.Example``, read straight from the wire
    (no message objects): `kind` is "bytes_list", "float_list", "int64_list" or None for a
    Feature with no kind set; `values` a list (float32 values as a numpy array). A later
    entry for the same key replaces an earlier one, as protobuf's maps do."""
    out: dict = {}
    for number, wire_type, features, _, _ in iter_fields(data):
        if number != 1 or wire_type != LENGTH:
            continue
        for entry_number, entry_type, entry, _, _ in iter_fields(features):
            if entry_number == 1 and entry_type == LENGTH:
                key, feature = _entry(entry)
                out[key] = decode_feature(feature)
    return out


def _entry(data: bytes) -> tuple:
    key, value = "", b""
    for number, wire_type, payload, _, _ in iter_fields(data):
        if wire_type != LENGTH:
            continue
        if number == 1:
            key = decode_utf8(payload, "tensorflow.Features.feature key")
        elif number == 2:
            value += payload  # repeated occurrences of a message field merge
    return key, value


def decode_feature(data: bytes) -> tuple:
    """(kind, values) of a serialized ``tf.train.Feature``."""
    kind = None
    chunks: list = []
    for number, wire_type, payload, _, _ in iter_fields(data):
        new_kind = KINDS.get(number)
        if new_kind is None or wire_type != LENGTH:
            continue
        if new_kind != kind:  # the oneof: a different kind replaces the earlier one
            kind, chunks = new_kind, []
        chunks.append(payload)
    if kind is None:
        return None, []
    values: list = []
    floats: list = []
    for chunk in chunks:
        for number, wire_type, payload, _, _ in iter_fields(chunk):
            if number != 1:
                continue
            if kind == "bytes_list" and wire_type == LENGTH:
                values.append(bytes(payload))
            elif kind == "int64_list" and wire_type == LENGTH:
                values.extend(decode_packed_varints(payload))
            elif kind == "int64_list" and wire_type == VARINT:
                values.append(to_int64(payload))
            elif kind == "float_list" and wire_type == LENGTH:
                if len(payload) % 4:
                    raise DecodeError("packed float field whose length is not a multiple "
                                      "of 4")
                floats.append(np.frombuffer(payload, dtype="<f4"))
            elif kind == "float_list" and wire_type == FIXED32:
                floats.append(np.frombuffer(payload, dtype="<f4"))
    if kind == "float_list":
        return kind, (np.concatenate(floats).astype(np.float32) if floats else
                      np.zeros(0, np.float32))
    return kind, values
