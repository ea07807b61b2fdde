"""`CheckpointState`: the contents of a checkpoint folder's `checkpoint` file.

The file is TF1's text format, so TF1 tools read it and flowgraph reads TF1's::

    model_checkpoint_path: "model.ckpt-1000"
    all_model_checkpoint_paths: "model.ckpt-900"
    all_model_checkpoint_paths: "model.ckpt-1000"

Parsing is strict: one ``field: value`` per line (blank lines and ``#`` comments allowed),
only the four fields of TF1's CheckpointState, quoted strings with C escapes, and a size
limit. Anything else raises `CheckpointStateParseError`.
"""

from __future__ import annotations

import math
import re
from typing import Optional, Sequence

__all__ = ["CheckpointState"]

MAX_STATE_BYTES = 16 << 20
_STRING_FIELDS = ("model_checkpoint_path", "all_model_checkpoint_paths")
_FLOAT_FIELDS = ("all_model_checkpoint_timestamps", "last_preserved_timestamp")
# The patterns match in linear time (no two quantifiers compete for the same characters):
# a file of a few MB must not take minutes to reject.
_LINE_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*:[ \t]*(.*)")
_FLOAT_RE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?[fF]?")
_OCTAL_RE = re.compile(r"[0-7]{1,3}")
_HEX_RE = re.compile(r"[0-9A-Fa-f]{1,2}")
_SIMPLE_ESCAPES = {"n": 10, "r": 13, "t": 9, '"': 34, "'": 39, "\\": 92, "a": 7, "b": 8,
                   "f": 12, "v": 11, "?": 63}
_WRITE_ESCAPES = {10: "\\n", 13: "\\r", 9: "\\t", 34: '\\"', 39: "\\'", 92: "\\\\"}


class CheckpointStateParseError(ValueError):
    """The `checkpoint` file is not a valid CheckpointState text."""


class CheckpointState:
    """TF1's CheckpointState proto: the latest checkpoint and the ones still kept.

    Attributes: ``model_checkpoint_path`` (str), ``all_model_checkpoint_paths`` (list of
    str, oldest first), ``all_model_checkpoint_timestamps`` (list of float),
    ``last_preserved_timestamp`` (float). ``str(state)`` is the text written to disk.
    """

    def __init__(self, model_checkpoint_path: str = "",
                 all_model_checkpoint_paths: Optional[Sequence[str]] = None,
                 all_model_checkpoint_timestamps: Optional[Sequence[float]] = None,
                 last_preserved_timestamp: Optional[float] = None) -> None:
        self.model_checkpoint_path = str(model_checkpoint_path or "")
        self.all_model_checkpoint_paths = [str(p) for p in all_model_checkpoint_paths or []]
        self.all_model_checkpoint_timestamps = [
            float(t) for t in all_model_checkpoint_timestamps or []]
        self.last_preserved_timestamp = float(last_preserved_timestamp or 0.0)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CheckpointState) and str(self) == str(other)

    def __repr__(self) -> str:
        return (f"CheckpointState(model_checkpoint_path={self.model_checkpoint_path!r}, "
                f"all_model_checkpoint_paths={self.all_model_checkpoint_paths!r})")

    def __str__(self) -> str:
        lines = []
        if self.model_checkpoint_path:
            lines.append(f"model_checkpoint_path: {_quote(self.model_checkpoint_path)}")
        lines += [f"all_model_checkpoint_paths: {_quote(p)}"
                  for p in self.all_model_checkpoint_paths]
        lines += [f"all_model_checkpoint_timestamps: {_float_text(t)}"
                  for t in self.all_model_checkpoint_timestamps]
        if self.last_preserved_timestamp:
            lines.append(f"last_preserved_timestamp: "
                         f"{_float_text(self.last_preserved_timestamp)}")
        return "".join(line + "\n" for line in lines)

    @classmethod
    def from_text(cls, text: str) -> "CheckpointState":
        """Parses the text format (strictly); CheckpointStateParseError if invalid."""
        if len(text) > MAX_STATE_BYTES:
            raise CheckpointStateParseError(f"the file is longer than {MAX_STATE_BYTES} bytes")
        state = cls()
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            match = _LINE_RE.fullmatch(stripped)
            if match is None:
                raise CheckpointStateParseError(f"line {number}: expected 'field: value', got "
                                                f"{stripped!r:.80}")
            field, raw = match.group(1), match.group(2).rstrip(" \t")
            if field in _STRING_FIELDS:
                value = _unquote(raw, number)
                if field == "model_checkpoint_path":
                    state.model_checkpoint_path = value
                else:
                    state.all_model_checkpoint_paths.append(value)
            elif field in _FLOAT_FIELDS:
                number_value = _parse_float(raw, number)
                if field == "last_preserved_timestamp":
                    state.last_preserved_timestamp = number_value
                else:
                    state.all_model_checkpoint_timestamps.append(number_value)
            else:
                raise CheckpointStateParseError(
                    f"line {number}: unknown field {field!r:.80} (a CheckpointState has "
                    f"{', '.join(_STRING_FIELDS + _FLOAT_FIELDS)})")
        return state


def _quote(text: str) -> str:
    parts = []
    for byte in text.encode("utf-8"):
        if byte in _WRITE_ESCAPES:
            parts.append(_WRITE_ESCAPES[byte])
        elif 0x20 <= byte < 0x7F:
            parts.append(chr(byte))
        else:
            parts.append(f"\\{byte:03o}")
    return '"' + "".join(parts) + '"'


def _unquote(raw: str, number: int) -> str:
    raw = _strip_comment(raw)
    if len(raw) < 2 or raw[0] not in "\"'" or raw[-1] != raw[0]:
        raise CheckpointStateParseError(f"line {number}: expected a quoted string, got "
                                        f"{raw!r:.80}")
    quote = raw[0]
    body = raw[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        char = body[i]
        if char == quote:
            raise CheckpointStateParseError(f"line {number}: unescaped quote in string")
        if char != "\\":
            # A lone surrogate passes here and fails the strict decode below.
            out += char.encode("utf-8", "surrogatepass")
            i += 1
            continue
        if i + 1 >= len(body):
            raise CheckpointStateParseError(f"line {number}: string ends with a backslash")
        code = body[i + 1]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            i += 2
        elif code in "01234567":
            digits = _OCTAL_RE.match(body, i + 1).group()  # no copy of the rest
            value = int(digits, 8)
            if value > 255:
                raise CheckpointStateParseError(f"line {number}: octal escape out of range")
            out.append(value)
            i += 1 + len(digits)
        elif code in "xX":
            digits = _HEX_RE.match(body, i + 2)
            if digits is None:
                raise CheckpointStateParseError(f"line {number}: bad \\x escape")
            out.append(int(digits.group(), 16))
            i += 2 + len(digits.group())
        else:
            raise CheckpointStateParseError(f"line {number}: unknown escape \\{code}")
    try:
        value = out.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointStateParseError(f"line {number}: the path is not UTF-8") from None
    if "\x00" in value:
        raise CheckpointStateParseError(f"line {number}: the path contains a NUL character")
    return value


def _strip_comment(raw: str) -> str:
    """The value without a trailing ``# comment`` (outside its quotes)."""
    if not raw or raw[0] not in "\"'":
        return raw.split("#", 1)[0].rstrip()
    quote = raw[0]
    i = 1
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw[i] == quote:
            rest = raw[i + 1:].strip()
            if rest and not rest.startswith("#"):
                raise CheckpointStateParseError(f"unexpected text after a string: {rest!r:.40}")
            return raw[:i + 1]
        i += 1
    return raw


def _parse_float(raw: str, number: int) -> float:
    raw = _strip_comment(raw)
    if _FLOAT_RE.fullmatch(raw) is None:
        raise CheckpointStateParseError(f"line {number}: expected a number, got {raw!r:.40}")
    value = float(raw.rstrip("fF"))
    if not math.isfinite(value):
        raise CheckpointStateParseError(f"line {number}: the number is out of range")
    return value


def _float_text(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
