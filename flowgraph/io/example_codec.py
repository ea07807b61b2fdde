"""Serializing, parsing and printing the Example messages (flowgraph.io.example_message).

Serialization writes fields by number; repeated floats and int64s packed (proto3), map
entries sorted by key (protobuf's deterministic order), each entry with its key and value
even when empty, and unknown fields read earlier kept verbatim. Parsing accepts packed and
unpacked repeated numbers, merges repeated occurrences of a sub-message, lets a later map
entry replace an earlier one with the same key, and keeps fields it does not know (or whose
wire type does not fit) as unknown fields, as protobuf does.
"""

from __future__ import annotations

from typing import Any

from flowgraph.io import example_wire as wire
from flowgraph.io.example_message import BYTES, FLOAT, INT64, MAP, MESSAGE, Message


# --------------------------------------------------------------------------- serializing
def serialize(message: Message) -> bytes:
    parts = []
    for spec in message._FIELDS:
        value = message._fields.get(spec.name)
        if value is None:
            continue
        number = spec.number
        if spec.kind == MESSAGE and not spec.repeated:
            if spec.name in message._present:
                parts.append(wire.encode_length_delimited(number, serialize(value)))
        elif spec.kind == MAP:
            for key in sorted(value.keys()):
                entry = (wire.encode_length_delimited(1, key.encode("utf-8")) +
                         wire.encode_length_delimited(2, serialize(value._entries[key])))
                parts.append(wire.encode_length_delimited(number, entry))
        elif spec.kind == MESSAGE:
            parts.extend(wire.encode_length_delimited(number, serialize(item))
                         for item in value)
        elif spec.kind == BYTES:
            parts.extend(wire.encode_length_delimited(number, item) for item in value._values)
        elif value._values:
            packed = (wire.encode_packed_floats(value._values) if spec.kind == FLOAT else
                      wire.encode_packed_varints(value._values))
            parts.append(wire.encode_length_delimited(number, packed))
    parts.extend(message._unknown)
    return b"".join(parts)


# --------------------------------------------------------------------------- parsing
def merge_from_bytes(message: Message, data: bytes) -> None:
    """Merges the serialized `data` into `message`; DecodeError for malformed bytes."""
    for number, wire_type, value, start, end in wire.iter_fields(data):
        spec = message._BY_NUMBER.get(number)
        if spec is None or not _merge_field(message, spec, wire_type, value):
            message._unknown.append(data[start:end])


def _merge_field(message: Message, spec: Any, wire_type: int, value: Any) -> bool:
    """Merges one field; False when its wire type does not fit (kept as unknown)."""
    kind = spec.kind
    if kind == FLOAT and wire_type in (wire.LENGTH, wire.FIXED32):
        values = (wire.decode_packed_floats(value) if wire_type == wire.LENGTH else
                  [wire.decode_float(value)])
        _extend_checked(message._get(spec), values)
        return True
    if kind == INT64 and wire_type in (wire.LENGTH, wire.VARINT):
        values = (wire.decode_packed_varints(value) if wire_type == wire.LENGTH else
                  [wire.to_int64(value)])
        _extend_checked(message._get(spec), values)
        return True
    if wire_type != wire.LENGTH:
        return False
    if kind == BYTES:
        _extend_checked(message._get(spec), [bytes(value)])
    elif kind == MAP:
        key, payloads = _map_entry(value, spec.full_name)
        entry = spec.message_type()
        for payload in payloads:
            merge_from_bytes(entry, payload)
        message._get(spec).set_entry(key, entry)
    elif spec.repeated:
        item = spec.message_type()
        merge_from_bytes(item, value)
        message._get(spec)._adopt(item)
    else:
        merge_from_bytes(message._get(spec), value)
        message._child_set(spec.name)
    return True


def _extend_checked(container: Any, values: list) -> None:
    """Appends values that the wire format already guarantees to be of the right type."""
    if values:
        container._values.extend(values)
        container._changed()


def _map_entry(data: bytes, where: str) -> tuple:
    key = ""
    payloads = []
    for number, wire_type, value, _, _ in wire.iter_fields(data):
        if number == 1 and wire_type == wire.LENGTH:
            key = wire.decode_utf8(value, where)
        elif number == 2 and wire_type == wire.LENGTH:
            payloads.append(value)
    return key, payloads


# --------------------------------------------------------------------------- text format
def to_text(message: Message) -> str:
    """The message in protobuf's text format (as ``print(example)`` shows it)."""
    lines: list = []
    _text_lines(message, "", lines)
    return "".join(line + "\n" for line in lines)


def _text_lines(message: Message, indent: str, lines: list) -> None:
    inner = indent + "  "
    for spec in message._FIELDS:
        value = message._fields.get(spec.name)
        if value is None:
            continue
        name = spec.name
        if spec.kind == MESSAGE and not spec.repeated:
            if name in message._present:
                _block(value, name, indent, lines)
        elif spec.kind == MAP:
            for key in sorted(value.keys()):
                lines.append(f"{indent}{name} {{")
                lines.append(f"{inner}key: {wire.escape_bytes(key.encode('utf-8'), False)}")
                _block(value._entries[key], "value", inner, lines)
                lines.append(f"{indent}}}")
        elif spec.kind == MESSAGE:
            for item in value:
                _block(item, name, indent, lines)
        else:
            text = {FLOAT: wire.format_float32, INT64: str, BYTES: wire.escape_bytes}[spec.kind]
            lines.extend(f"{indent}{name}: {text(v)}" for v in value._values)


def _block(message: Message, name: str, indent: str, lines: list) -> None:
    lines.append(f"{indent}{name} {{")
    _text_lines(message, indent + "  ", lines)
    lines.append(f"{indent}}}")
