"""The containers of repeated and map fields of the Example messages, with protobuf's
Python behaviour: values are type-checked as they are added (an int64 field rejects floats
and out-of-range numbers, a bytes field rejects `str`), float fields hold float32 values,
and every change marks the enclosing messages as set (so ``ex.features.feature["x"]``
creates the entry and makes ``ex.HasField("features")`` true)."""

from __future__ import annotations

import numbers
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from flowgraph.io.example_wire import INT64_MAX, INT64_MIN

_NO_OP: Callable[[], None] = lambda: None  # noqa: E731 - a listener that ignores changes


# --------------------------------------------------------------------------- value checks
def check_int64(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an integer "
                        f"(Int64List.value takes integers, got {value!r:.60})")
    value = int(value)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"Value out of range: {value} (Int64List.value holds int64 values)")
    return value


def check_float(value: Any) -> float:
    if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Real):
        raise TypeError(f"must be real number, not {type(value).__name__} (FloatList.value "
                        f"takes numbers, got {value!r:.60})")
    with np.errstate(over="ignore"):
        return float(np.float32(value))


def check_bytes(value: Any) -> bytes:
    if not isinstance(value, bytes):
        hint = (f"; encode text first, e.g. {value!r:.40}.encode('utf-8')"
                if isinstance(value, str) else "")
        raise TypeError(f"expected bytes, {type(value).__name__} found (BytesList.value takes "
                        f"bytes{hint})")
    return bytes(value)


def check_many(check: Callable, values: Any) -> list:
    """`values` (any iterable) checked by `check`; numbers are converted at once through
    numpy when they form a flat numeric array."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"must assign iterable, got {type(values).__name__} {values!r:.60} "
                        "(a repeated field takes a list of values)")
    if check is not check_bytes:
        fast = _numeric_fast_path(check, values)
        if fast is not None:
            return fast
    return [check(v) for v in values]


def _numeric_fast_path(check: Callable, values: Any) -> Any:
    """The checked values of a flat numeric list or array, or None to check one by one."""
    if isinstance(values, np.ndarray):
        array = values
    elif isinstance(values, (list, tuple)) and values:
        if check is check_int64 and any(isinstance(v, (bool, np.bool_)) for v in values):
            return None  # bools are refused one by one, with the error message
        try:
            array = np.asarray(values)
        except (ValueError, TypeError):
            return None
    else:
        return None
    if array.ndim != 1:
        return None
    kind = array.dtype.kind
    if check is check_float and kind in "fiub":
        with np.errstate(over="ignore"):
            return array.astype(np.float32).astype(np.float64).tolist()
    if check is check_int64 and (kind == "i" or (kind == "u" and (
            array.dtype.itemsize < 8 or not array.size or array.max() <= INT64_MAX))):
        return array.astype(np.int64).tolist()
    return None


# --------------------------------------------------------------------------- repeated scalars
class RepeatedScalars:
    """A repeated number or bytes field: a list whose items are checked when added."""

    __slots__ = ("_values", "_check", "_changed")

    def __init__(self, check: Callable, changed: Callable = _NO_OP) -> None:
        self._values: list = []
        self._check = check
        self._changed = changed

    def append(self, value: Any) -> None:
        self._values.append(self._check(value))
        self._changed()

    def extend(self, values: Iterable) -> None:
        new = check_many(self._check, values)
        if new:
            self._values.extend(new)
            self._changed()

    def insert(self, index: int, value: Any) -> None:
        self._values.insert(index, self._check(value))
        self._changed()

    def remove(self, value: Any) -> None:
        self._values.remove(value)
        self._changed()

    def pop(self, index: int = -1) -> Any:
        value = self._values.pop(index)
        self._changed()
        return value

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._values.sort(*args, **kwargs)
        self._changed()

    def reverse(self) -> None:
        self._values.reverse()
        self._changed()

    def MergeFrom(self, other: Iterable) -> None:  # noqa: N802 - protobuf's name
        if isinstance(other, RepeatedScalars) and other._check is self._check:
            if other._values:  # already checked: copied as they are
                self._values.extend(other._values)
                self._changed()
            return
        self.extend(other)

    def __getitem__(self, index: Any) -> Any:
        return self._values[index]

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            self._values[index] = check_many(self._check, value)
        else:
            self._values[index] = self._check(value)
        self._changed()

    def __delitem__(self, index: Any) -> None:
        del self._values[index]
        self._changed()

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator:
        return iter(self._values)

    def __contains__(self, value: Any) -> bool:
        return value in self._values

    def index(self, value: Any) -> int:
        return self._values.index(value)

    def count(self, value: Any) -> int:
        return self._values.count(value)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, RepeatedScalars):
            return self._values == other._values
        if isinstance(other, (list, tuple)):
            return self._values == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment] - mutable, as protobuf's

    def __repr__(self) -> str:
        return repr(self._values)


# --------------------------------------------------------------------------- repeated messages
class RepeatedMessages:
    """A repeated message field (``FeatureList.feature``): `add()` a new item, or append
    copies of messages."""

    __slots__ = ("_items", "_cls", "_changed")

    def __init__(self, cls: type, changed: Callable = _NO_OP) -> None:
        self._items: list = []
        self._cls = cls
        self._changed = changed

    def _adopt(self, message: Any) -> Any:
        message._listener = self._changed
        self._items.append(message)
        self._changed()
        return message

    def add(self, **kwargs: Any) -> Any:
        """Appends a new message built from `kwargs` and returns it."""
        return self._adopt(self._cls(**kwargs))

    def append(self, message: Any) -> None:
        self._adopt(self._copy(message))

    def extend(self, messages: Iterable) -> None:
        for message in messages:
            self.append(message)

    def insert(self, index: int, message: Any) -> None:
        copy = self._copy(message)
        copy._listener = self._changed
        self._items.insert(index, copy)
        self._changed()

    def _copy(self, message: Any) -> Any:
        if isinstance(message, dict):
            return self._cls(**message)
        if type(message) is not self._cls:
            raise TypeError(f"Expected a {self._cls.__name__} message, got "
                            f"{type(message).__name__}")
        copy = self._cls()
        copy.MergeFrom(message)
        return copy

    def remove(self, message: Any) -> None:
        self._items.remove(message)
        message._listener = None
        self._changed()

    def pop(self, index: int = -1) -> Any:
        message = self._items.pop(index)
        message._listener = None
        self._changed()
        return message

    def MergeFrom(self, other: Iterable) -> None:  # noqa: N802 - protobuf's name
        self.extend(other)

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __delitem__(self, index: Any) -> None:
        del self._items[index]
        self._changed()

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError("Does not support assignment to an item of a repeated message field; "
                        "use add() or the item's CopyFrom()")

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, (RepeatedMessages, list, tuple)):
            return list(self._items) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._items)


# --------------------------------------------------------------------------- maps
def check_key(key: Any) -> str:
    if isinstance(key, bytes):
        try:
            return key.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"map key {key!r:.60} is not valid UTF-8") from None
    if not isinstance(key, str):
        raise TypeError(f"map keys are strings, got {type(key).__name__} {key!r:.60}")
    return key


class MessageMap:
    """A ``map<string, Message>`` field (``Features.feature``): reading a missing key
    creates its entry, as protobuf does; entries are changed in place, never assigned."""

    __slots__ = ("_entries", "_cls", "_changed")

    def __init__(self, cls: type, changed: Callable = _NO_OP) -> None:
        self._entries: dict = {}
        self._cls = cls
        self._changed = changed

    def __getitem__(self, key: Any) -> Any:
        key = check_key(key)
        message = self._entries.get(key)
        if message is None:
            message = self._cls()
            message._listener = self._changed
            self._entries[key] = message
            self._changed()
        return message

    def get_or_create(self, key: Any) -> Any:
        return self[key]

    def set_entry(self, key: str, message: Any) -> None:
        """Replaces the entry `key` by `message` (adopted, not copied)."""
        old = self._entries.get(key)
        if old is not None:
            old._listener = None
        message._listener = self._changed
        self._entries[key] = message
        self._changed()

    def __setitem__(self, key: Any, value: Any) -> None:
        raise ValueError("Message objects may not be assigned to a map entry; use "
                         f"features.feature[{key!r:.40}].CopyFrom(value) instead")

    def get(self, key: Any, default: Any = None) -> Any:
        return self._entries.get(check_key(key), default)

    def __contains__(self, key: Any) -> bool:
        try:
            return check_key(key) in self._entries
        except (TypeError, ValueError):
            return False

    def __delitem__(self, key: Any) -> None:
        key = check_key(key)
        message = self._entries.pop(key)
        message._listener = None
        self._changed()

    def pop(self, key: Any, *default: Any) -> Any:
        key = check_key(key)
        if key not in self._entries and default:
            return default[0]
        message = self._entries.pop(key)
        message._listener = None
        self._changed()
        return message

    def clear(self) -> None:
        for message in self._entries.values():
            message._listener = None
        self._entries.clear()
        self._changed()

    def MergeFrom(self, other: Any) -> None:  # noqa: N802 - protobuf's name
        """Copies every entry of `other` (a MessageMap or dict), replacing existing ones."""
        for key, value in other.items():
            copy = self._cls(**value) if isinstance(value, dict) else None
            if copy is None:
                if type(value) is not self._cls:
                    raise TypeError(f"Expected a {self._cls.__name__} message for key "
                                    f"{key!r:.40}, got {type(value).__name__}")
                copy = self._cls()
                copy.MergeFrom(value)
            self.set_entry(check_key(key), copy)

    update = MergeFrom

    def keys(self) -> Any:
        return self._entries.keys()

    def values(self) -> Any:
        return self._entries.values()

    def items(self) -> Any:
        return self._entries.items()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator:
        return iter(self._entries)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, MessageMap):
            return self._entries == other._entries
        if isinstance(other, dict):
            return self._entries == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._entries)
