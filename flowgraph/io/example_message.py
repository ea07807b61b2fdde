"""A small protocol-buffer message base class, enough for `tf.train.Example` and its
relatives (flowgraph.io.example_proto), with protobuf's Python API: keyword constructors,
fields read as attributes, ``SerializeToString``/``FromString``/``ParseFromString``,
``CopyFrom``/``MergeFrom``, ``HasField``/``WhichOneof``/``ClearField``, equality and a
text-format ``repr``. The bytes are those of protobuf (TensorFlow's protos are proto3:
repeated numbers are packed; map entries are written sorted by key, as protobuf's
deterministic serialization does).

Every field of these messages is a message, a repeated field or a map, so no field can be
assigned: they are changed in place (``ex.features.feature["x"].float_list.value.append(1)``).
A sub-message read from an unset field is a detached default until it is changed; then it
(and every message above it) becomes set, as in protobuf.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, ClassVar, Optional

from flowgraph.io import example_wire as wire
from flowgraph.io.example_containers import (
    MessageMap,
    RepeatedMessages,
    RepeatedScalars,
    check_bytes,
    check_float,
    check_int64,
)

MESSAGE, MAP, FLOAT, INT64, BYTES = "message", "map", "float", "int64", "bytes"
_CHECKS = {FLOAT: check_float, INT64: check_int64, BYTES: check_bytes}


@dataclasses.dataclass(frozen=True)
class FieldDescriptor:
    """What ``ListFields`` and ``DESCRIPTOR.fields`` give for a field (a subset of
    protobuf's FieldDescriptor)."""

    name: str
    number: int
    kind: str
    repeated: bool = False
    message_type: Any = None
    oneof: Optional[str] = None
    full_name: str = ""


@dataclasses.dataclass(frozen=True)
class Descriptor:
    """A message type's name and fields (a subset of protobuf's Descriptor)."""

    name: str
    full_name: str
    fields: tuple

    @property
    def fields_by_name(self) -> dict:
        return {f.name: f for f in self.fields}

    @property
    def fields_by_number(self) -> dict:
        return {f.number: f for f in self.fields}


def field(name: str, number: int, kind: str, repeated: bool = False, message_type: Any = None,
          oneof: Optional[str] = None) -> FieldDescriptor:
    return FieldDescriptor(name, number, kind, repeated or kind == MAP, message_type, oneof)


class Message:
    """Base class of the Example messages; subclasses list their fields in `_FIELDS`."""

    __slots__ = ("_fields", "_present", "_listener", "_unknown")
    _FULL_NAME: ClassVar[str] = ""
    _FIELDS: ClassVar[tuple] = ()
    _BY_NAME: ClassVar[dict] = {}
    _BY_NUMBER: ClassVar[dict] = {}
    _ONEOFS: ClassVar[dict] = {}
    DESCRIPTOR: ClassVar[Descriptor]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = tuple(dataclasses.replace(f, full_name=f"{cls._FULL_NAME}.{f.name}")
                       for f in cls._FIELDS)
        cls._FIELDS = fields
        cls._BY_NAME = {f.name: f for f in fields}
        cls._BY_NUMBER = {f.number: f for f in fields}
        oneofs: dict = {}
        for f in fields:
            if f.oneof:
                oneofs.setdefault(f.oneof, []).append(f.name)
        cls._ONEOFS = {k: tuple(v) for k, v in oneofs.items()}
        cls.DESCRIPTOR = Descriptor(cls.__name__, cls._FULL_NAME, fields)
        for f in fields:
            setattr(cls, f.name, _field_property(f))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            raise TypeError(f"No positional arguments allowed: build a {type(self).__name__} "
                            "with keywords, e.g. " + _example_call(type(self)))
        self._fields: dict = {}
        self._present: set = set()
        self._listener: Any = None
        self._unknown: list = []
        for name, value in kwargs.items():
            if value is not None:
                _init_field(self, self._field(name), value)

    # -- fields
    @classmethod
    def _field(cls, name: str) -> FieldDescriptor:
        spec = cls._BY_NAME.get(name)
        if spec is None:
            raise ValueError(f'Protocol message {cls.__name__} has no "{name}" field. '
                             f"Its fields are {list(cls._BY_NAME)}.")
        return spec

    def _get(self, spec: FieldDescriptor) -> Any:
        value = self._fields.get(spec.name)
        if value is None:
            if spec.kind == MESSAGE and not spec.repeated:
                value = spec.message_type()
                value._listener = functools.partial(self._child_set, spec.name)
            elif spec.kind == MAP:
                value = MessageMap(spec.message_type, self._modified)
            elif spec.kind == MESSAGE:
                value = RepeatedMessages(spec.message_type, self._modified)
            else:
                value = RepeatedScalars(_CHECKS[spec.kind], self._modified)
            self._fields[spec.name] = value
        return value

    def _modified(self) -> None:
        if self._listener is not None:
            self._listener()

    def _child_set(self, name: str) -> None:
        """A singular sub-message changed: it becomes set (clearing its oneof siblings)."""
        if name not in self._present:
            oneof = self._BY_NAME[name].oneof
            if oneof:
                for other in self._ONEOFS[oneof]:
                    if other != name:
                        self._drop(other)
            self._present.add(name)
        self._modified()

    def _drop(self, name: str) -> None:
        value = self._fields.pop(name, None)
        if isinstance(value, Message):
            value._listener = None
        self._present.discard(name)

    # -- protobuf's message API
    def HasField(self, field_name: str) -> bool:  # noqa: N802 - protobuf's names
        """Whether a singular message field (or a oneof) is set."""
        if field_name in self._ONEOFS:
            return self.WhichOneof(field_name) is not None
        spec = self._field(field_name)
        if spec.repeated:
            raise ValueError(f"Field {spec.full_name} does not have presence.")
        return field_name in self._present

    def WhichOneof(self, oneof_group: str) -> Optional[str]:  # noqa: N802
        """The name of the set field of a oneof (``Feature``'s "kind"), or None."""
        members = self._ONEOFS.get(oneof_group)
        if members is None:
            raise ValueError(f'Protocol message {type(self).__name__} has no "{oneof_group}" '
                             "field.")
        for name in members:
            if name in self._present:
                return name
        return None

    def ClearField(self, field_name: str) -> None:  # noqa: N802
        if field_name in self._ONEOFS:
            for name in self._ONEOFS[field_name]:
                self._drop(name)
        else:
            value = self._fields.get(self._field(field_name).name)
            if isinstance(value, (MessageMap, RepeatedMessages)):
                for item in (value.values() if isinstance(value, MessageMap) else value):
                    item._listener = None
            self._drop(field_name)
        self._modified()

    def Clear(self) -> None:  # noqa: N802
        for name in list(self._fields):
            self.ClearField(name)
        self._unknown = []
        self._modified()

    def SetInParent(self) -> None:  # noqa: N802
        """Marks this (sub-)message as set, even while empty."""
        self._modified()

    def ListFields(self) -> list:  # noqa: N802
        """[(FieldDescriptor, value)] of the set message fields and non-empty repeated ones,
        by field number."""
        out = []
        for spec in self._FIELDS:
            value = self._fields.get(spec.name)
            if value is None:
                continue
            if (spec.name in self._present) if not spec.repeated else len(value):
                out.append((spec, value))
        return out

    def CopyFrom(self, other_msg: Any) -> None:  # noqa: N802
        """Replaces this message's contents by a copy of `other_msg`'s."""
        if other_msg is self:
            return
        self._check_same_type(other_msg, "CopyFrom")
        self.Clear()
        self.MergeFrom(other_msg)

    def MergeFrom(self, other_msg: Any) -> None:  # noqa: N802
        """Merges `other_msg` in: set sub-messages merged, repeated fields appended, map
        entries replaced."""
        self._check_same_type(other_msg, "MergeFrom")
        if other_msg is self:
            other_msg = type(self).FromString(self.SerializeToString())
        for spec in other_msg._FIELDS:
            value = other_msg._fields.get(spec.name)
            if value is None:
                continue
            if spec.kind == MESSAGE and not spec.repeated:
                if spec.name in other_msg._present:
                    self._get(spec).MergeFrom(value)
                    self._child_set(spec.name)
            elif len(value):
                self._get(spec).MergeFrom(value)
        self._unknown.extend(other_msg._unknown)
        self._modified()

    def _check_same_type(self, other: Any, method: str) -> None:
        if type(other) is not type(self):
            raise TypeError(f"Parameter to {method}() must be instance of same class: expected "
                            f"{self._FULL_NAME} got {type(other).__name__}.")

    def IsInitialized(self) -> bool:  # noqa: N802 - proto3 messages have no required fields
        return True

    def FindInitializationErrors(self) -> list:  # noqa: N802
        return []

    def DiscardUnknownFields(self) -> None:  # noqa: N802
        self._unknown = []
        for value in self._fields.values():
            items = (value.values() if isinstance(value, MessageMap) else
                     value if isinstance(value, RepeatedMessages) else
                     [value] if isinstance(value, Message) else [])
            for item in items:
                item.DiscardUnknownFields()

    # -- bytes
    def SerializeToString(self, deterministic: Any = None) -> bytes:  # noqa: N802
        """The message in protobuf's wire format (map entries sorted by key)."""
        from flowgraph.io.example_codec import serialize
        return serialize(self)

    SerializePartialToString = SerializeToString

    def ByteSize(self) -> int:  # noqa: N802
        return len(self.SerializeToString())

    def MergeFromString(self, serialized: Any) -> int:  # noqa: N802
        """Merges a serialized message in; returns the number of bytes read."""
        from flowgraph.io.example_codec import merge_from_bytes
        data = _as_bytes(serialized)
        try:
            merge_from_bytes(self, data)
        except wire.DecodeError as exc:
            raise wire.DecodeError(f"Error parsing message with type '{self._FULL_NAME}': "
                                   f"{exc}") from None
        self._modified()
        return len(data)

    def ParseFromString(self, serialized: Any) -> int:  # noqa: N802
        """Replaces the contents by a parsed serialized message; returns the bytes read."""
        self.Clear()
        return self.MergeFromString(serialized)

    @classmethod
    def FromString(cls, s: Any) -> "Message":  # noqa: N802
        """A new message parsed from its serialized bytes."""
        message = cls()
        message.MergeFromString(s)
        return message

    # -- Python protocol
    def __eq__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.SerializeToString() == other.SerializeToString()

    __hash__ = None  # type: ignore[assignment] - mutable, as protobuf's messages

    def __repr__(self) -> str:
        from flowgraph.io.example_codec import to_text
        return to_text(self)

    __str__ = __repr__

    def __deepcopy__(self, memo: Any = None) -> "Message":
        copy = type(self)()
        copy.MergeFrom(self)
        return copy

    __copy__ = __deepcopy__

    def __reduce__(self) -> tuple:
        # Plain bytes, never code: a message pickles as its serialized form.
        return type(self).FromString, (self.SerializeToString(),)


def _as_bytes(serialized: Any) -> bytes:
    if isinstance(serialized, (bytes, bytearray, memoryview)):
        return bytes(serialized)
    raise TypeError(f"expected bytes, {type(serialized).__name__} found (a serialized "
                    "message is bytes, e.g. from SerializeToString() or a TFRecord file)")


def _field_property(spec: FieldDescriptor) -> property:
    def getter(self: Message) -> Any:
        return self._get(spec)

    def setter(self: Message, value: Any) -> None:
        kind = "repeated" if spec.repeated else "message"
        how = ("extend it or CopyFrom/MergeFrom its items" if spec.repeated else
               f"use {spec.name}.CopyFrom(value), or pass {spec.name}= to the constructor")
        raise AttributeError(f'Assignment not allowed to {kind} field "{spec.name}" in protocol '
                             f"message object ({how}).")

    return property(getter, setter, doc=f"The {spec.name!r} field (number {spec.number}).")


def _init_field(message: Message, spec: FieldDescriptor, value: Any) -> None:
    """Sets a field from a constructor keyword: a message (copied) or dict for a message
    field, a dict for a map, an iterable for a repeated field."""
    if spec.kind == MESSAGE and not spec.repeated:
        if isinstance(value, dict):
            value = spec.message_type(**value)
        elif type(value) is not spec.message_type:
            raise TypeError(f"Parameter to initialize message field must be dict or instance "
                            f"of same class: expected {spec.message_type.__name__} got "
                            f"{type(value).__name__} for field {spec.full_name}.")
        message._get(spec).MergeFrom(value)
        message._child_set(spec.name)
    elif spec.kind == MAP:
        if not hasattr(value, "items"):
            raise TypeError(f"Field {spec.full_name} is a map: pass a dict of str to "
                            f"{spec.message_type.__name__}, got {type(value).__name__}.")
        message._get(spec).MergeFrom(value)
    else:
        message._get(spec).extend(value)


def _example_call(cls: type) -> str:
    names = list(cls._BY_NAME)
    return f"{cls.__name__}({names[0]}=...)" if names else f"{cls.__name__}()"
