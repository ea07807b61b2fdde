"""flowgraph's binary file container: a checksummed JSON header plus checksummed tensors.

Layout (little-endian)::

    0     8 bytes   magic b"FLOWGRPH"
    8     u32       container layout version (1)
    12    u32       header length H (at most MAX_HEADER_BYTES)
    16    H bytes   header: UTF-8 JSON {"kind", "producer", "min_consumer", "document",
                    "tensors": [{"name", "dtype", "shape", "offset", "length", "sha256"}]}
    16+H  32 bytes  SHA-256 of bytes 0..16+H (the prefix above and the header)
    48+H  ...       tensor bytes, back to back in the order of "tensors", covering the rest
                    of the file exactly

Later layouts keep the magic, the layout field, the header length, the header and its
digest where they are, so a reader can tell a newer file (digest intact) from a damaged one.

Loading never runs code: the header is JSON, tensors are raw numeric bytes (strings are
length-prefixed byte strings), and every size, rank, count and offset is checked against
the bytes actually present before anything is allocated. Any damage raises DataLossError
naming what is wrong; a file from a newer flowgraph raises UnimplementedError.

The header is bounded before it is parsed, because parsed JSON takes far more memory than
its text (``[{},{},...]`` is 3 bytes but some 70 bytes of Python objects per item): at most
MAX_HEADER_BYTES of text and MAX_HEADER_VALUES structural characters (``[ { , :``, an upper
bound on the number of JSON values and keys), so a hostile file cannot make the loader
allocate more than about 300 MB. Real headers hold only structure (the graph's nodes, the
tensor table; tensor values live in the tensor bytes), with about one structural character
per 10 bytes: the examples' largest, the training meta graph of mnist_lstm.py unrolled
with static_rnn (28 steps), is 160 KB; the test suite's largest are 600 KB and 100,000
values. The limits leave room for graphs some 50 times larger.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.io.atomic import atomic_write

MAGIC = b"FLOWGRPH"
LAYOUT_VERSION = 1
# Versions of the document formats this flowgraph writes and can read.
PRODUCER_VERSION = 1
CONSUMER_VERSION = 1

MAX_HEADER_BYTES = 32 << 20
MAX_HEADER_VALUES = 4 << 20
MAX_TENSORS = 1 << 20
MAX_RANK = 32
MAX_DIM = 1 << 40
MAX_NAME_CHARS = 4096
_PREFIX = struct.Struct("<8sII")
_DIGEST_BYTES = 32
NUMERIC_DTYPES = {d.name: d for d in dtypes.ALL_DTYPES if not d.is_string}


def _loss(path: str, message: str) -> errors.DataLossError:
    return errors.DataLossError(None, None, f"{path}: {message}")


# --------------------------------------------------------------------------- tensors
def encode_tensor(array: np.ndarray) -> tuple:
    """(dtype name, shape, bytes) of an array; strings become length-prefixed bytes."""
    array = np.asarray(array)
    if array.dtype.kind in "OSU":
        parts = []
        for item in array.reshape(-1):
            raw = item.encode("utf-8") if isinstance(item, str) else bytes(item)
            parts.append(struct.pack("<Q", len(raw)))
            parts.append(raw)
        return "string", list(array.shape), b"".join(parts)
    dtype = dtypes.as_dtype(array.dtype)
    data = np.ascontiguousarray(array, dtype=dtype.np.newbyteorder("<")).tobytes()
    return dtype.name, list(array.shape), data


def decode_tensor(dtype_name: str, shape: list, data: bytes, where: str) -> np.ndarray:
    """The array stored in `data` (already checked to have the declared length)."""
    count = _element_count(shape, where)
    if dtype_name == "string":
        items = []
        view = memoryview(data)
        pos = 0
        for _ in range(count):
            if pos + 8 > len(view):
                raise _loss(where, "string tensor is truncated")
            (length,) = struct.unpack_from("<Q", view, pos)
            pos += 8
            if length > len(view) - pos:
                raise _loss(where, f"string element of {length} bytes exceeds the tensor")
            items.append(bytes(view[pos:pos + length]))
            pos += length
        if pos != len(view):
            raise _loss(where, f"string tensor has {len(view) - pos} trailing bytes")
        array = np.empty(count, dtype=object)
        array[:] = items
        return array.reshape(shape)
    dtype = NUMERIC_DTYPES[dtype_name]
    array = np.frombuffer(data, dtype=dtype.np.newbyteorder("<"), count=count)
    return array.astype(dtype.np, copy=True).reshape(shape)


def _element_count(shape: Any, where: str) -> int:
    if not isinstance(shape, list) or len(shape) > MAX_RANK:
        raise _loss(where, f"shape must be a list of at most {MAX_RANK} dims, got {shape!r:.80}")
    count = 1
    for dim in shape:
        if not isinstance(dim, int) or isinstance(dim, bool) or not 0 <= dim <= MAX_DIM:
            raise _loss(where, f"invalid dimension {dim!r:.40} in shape")
        count *= dim
        if count > MAX_DIM:
            raise _loss(where, f"shape {shape} has too many elements")
    return count


def tensor_nbytes(dtype_name: str, shape: list, where: str) -> Optional[int]:
    """The exact byte length a numeric tensor needs (None for strings: variable length)."""
    count = _element_count(shape, where)
    if dtype_name == "string":
        return None
    if dtype_name not in NUMERIC_DTYPES:
        raise _loss(where, f"unknown dtype {dtype_name!r:.40}")
    return count * NUMERIC_DTYPES[dtype_name].size


# --------------------------------------------------------------------------- writing
def pack(kind: str, document: Any, tensors: Optional[dict] = None) -> bytes:
    """The bytes of a container holding `document` (JSON-able) and named arrays."""
    entries = []
    blobs = []
    offset = 0
    for name, array in (tensors or {}).items():
        dtype_name, shape, data = encode_tensor(array)
        entries.append({"name": name, "dtype": dtype_name, "shape": shape, "offset": offset,
                        "length": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        blobs.append(data)
        offset += len(data)
    header = json.dumps({"kind": kind, "producer": PRODUCER_VERSION,
                         "min_consumer": CONSUMER_VERSION, "document": document,
                         "tensors": entries}, separators=(",", ":"),
                        allow_nan=False).encode("utf-8")
    problem = _header_size_problem(len(header), header)
    if problem:
        # Never write a file that the reader would refuse.
        raise errors.ResourceExhaustedError(
            None, None, f"Cannot write the {kind}: its header {problem}. Split it into "
            "smaller files (e.g. fewer variables per checkpoint shard).")
    prefix = _PREFIX.pack(MAGIC, LAYOUT_VERSION, len(header))
    return b"".join([prefix, header, hashlib.sha256(prefix + header).digest(), *blobs])


def write(path: str, kind: str, document: Any, tensors: Optional[dict] = None) -> str:
    """Writes a container file atomically; returns the path."""
    return atomic_write(path, pack(kind, document, tensors))


# --------------------------------------------------------------------------- reading
class Container:
    """A parsed, validated container. Tensors are checked against their SHA-256 when read."""

    def __init__(self, path: str, kind: str, document: Any, entries: dict,
                 blob: memoryview) -> None:
        self.path = path
        self.kind = kind
        self.document = document
        self._entries = entries
        self._blob = blob

    def tensor_names(self) -> list:
        return list(self._entries)

    def tensor_spec(self, name: str) -> tuple:
        """(dtype name, shape) of a stored tensor, without reading it."""
        entry = self._entries[name]
        return entry["dtype"], list(entry["shape"])

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def read_tensor(self, name: str) -> np.ndarray:
        """The stored array; DataLossError if its bytes do not match their checksum."""
        entry = self._entries.get(name)
        if entry is None:
            raise errors.NotFoundError(None, None, f"{self.path}: no tensor named {name!r}")
        data = self._blob[entry["offset"]:entry["offset"] + entry["length"]]
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise _loss(self.path, f"checksum mismatch in tensor {name!r}: the file is "
                        "damaged")
        return decode_tensor(entry["dtype"], entry["shape"], bytes(data),
                             f"{self.path}: tensor {name!r}")


def is_container(data: bytes) -> bool:
    return data[:8] == MAGIC


def read(path: str, expected_kind: Optional[str] = None) -> Container:
    """Reads and validates a container file."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}: no such file") from None
    except OSError as exc:
        raise errors.PermissionDeniedError(None, None, f"Cannot read {path}: {exc}") from None
    return parse(data, path, expected_kind)


def parse(data: bytes, path: str = "<bytes>", expected_kind: Optional[str] = None
          ) -> Container:
    """Validates container bytes: layout, header checksum, versions, and the tensor table."""
    if len(data) < _PREFIX.size + _DIGEST_BYTES:
        raise _loss(path, f"file of {len(data)} bytes is too short to be a flowgraph file")
    magic, layout, header_len = _PREFIX.unpack_from(data, 0)
    if magic != MAGIC:
        raise _loss(path, "not a flowgraph file (bad magic bytes); a pickle or other format "
                    "is never loaded")
    body_start = _PREFIX.size + header_len + _DIGEST_BYTES
    if header_len > MAX_HEADER_BYTES:
        raise _loss(path, f"header {_header_size_problem(header_len)}; the file is damaged "
                    "or not written by flowgraph")
    if body_start > len(data):
        raise _loss(path, f"header length {header_len} does not fit a file of {len(data)} "
                    "bytes")
    header_end = _PREFIX.size + header_len
    if hashlib.sha256(data[:header_end]).digest() != data[header_end:body_start]:
        raise _loss(path, "header checksum mismatch: the file is damaged")
    if layout > LAYOUT_VERSION:
        raise errors.UnimplementedError(
            None, None, f"{path} uses container layout {layout}, newer than this flowgraph "
            f"(layout {LAYOUT_VERSION}); upgrade flowgraph to read it")
    if layout != LAYOUT_VERSION:
        raise _loss(path, f"invalid container layout {layout}")
    header_bytes = data[_PREFIX.size:header_end]
    problem = _header_size_problem(header_len, header_bytes)
    if problem:
        raise _loss(path, f"header {problem}; refusing to parse it")
    header = _parse_json(header_bytes, path)
    kind = _check_header(header, path, expected_kind)
    blob = memoryview(data)[body_start:]
    entries = _check_tensor_table(header["tensors"], len(blob), path)
    return Container(path, kind, header["document"], entries, blob)


def _header_size_problem(size: int, raw: Optional[bytes] = None) -> str:
    """What makes a header of `size` bytes (text `raw`, when given) too large to parse, or
    "" if nothing does. Counting runs at C speed, before any JSON is parsed."""
    if size > MAX_HEADER_BYTES:
        return f"is {size} bytes, more than the limit of {MAX_HEADER_BYTES}"
    if raw is not None:
        values = sum(raw.count(char) for char in b"[{,:")
        if values > MAX_HEADER_VALUES:
            return (f"has {values} JSON values (counting '[', '{{', ',' and ':'), more than "
                    f"the limit of {MAX_HEADER_VALUES}")
    return ""


def _parse_json(raw: bytes, path: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise _loss(path, "header is nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _loss(path, f"header is not valid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _check_header(header: Any, path: str, expected_kind: Optional[str]) -> str:
    if not isinstance(header, dict):
        raise _loss(path, "header must be a JSON object")
    for key, kind in (("kind", str), ("producer", int), ("min_consumer", int),
                      ("tensors", list)):
        if not isinstance(header.get(key), kind) or isinstance(header.get(key), bool):
            raise _loss(path, f"header field {key!r} is missing or not a {kind.__name__}")
    if "document" not in header:
        raise _loss(path, "header has no document")
    if header["min_consumer"] > CONSUMER_VERSION:
        raise errors.UnimplementedError(
            None, None, f"{path} was written by flowgraph format version "
            f"{header['producer']} and needs a reader of version {header['min_consumer']} or "
            f"newer; this flowgraph reads version {CONSUMER_VERSION}. Upgrade flowgraph.")
    if expected_kind is not None and header["kind"] != expected_kind:
        raise errors.InvalidArgumentError(
            None, None, f"{path} holds a {header['kind']!r}, not a {expected_kind!r}")
    return header["kind"]


def _check_tensor_table(table: list, blob_size: int, path: str) -> dict:
    if len(table) > MAX_TENSORS:
        raise _loss(path, f"{len(table)} tensors exceed the limit of {MAX_TENSORS}")
    entries: dict = {}
    expected_offset = 0
    for i, entry in enumerate(table):
        where = f"{path}: tensor entry {i}"
        if not isinstance(entry, dict):
            raise _loss(where, "must be a JSON object")
        name = entry.get("name")
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_CHARS:
            raise _loss(where, "has an invalid name")
        if name in entries:
            raise _loss(where, f"repeats the tensor name {name!r}")
        for key in ("offset", "length"):
            value = entry.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _loss(where, f"{key} must be a non-negative integer")
        if not isinstance(entry.get("sha256"), str) or len(entry["sha256"]) != 64:
            raise _loss(where, "has no valid sha256")
        dtype_name = entry.get("dtype")
        if not isinstance(dtype_name, str):
            raise _loss(where, "has no dtype")
        nbytes = tensor_nbytes(dtype_name, entry.get("shape"), f"{path}: tensor {name!r}")
        if nbytes is not None and nbytes != entry["length"]:
            raise _loss(path, f"tensor {name!r} declares {entry['length']} bytes but its "
                        f"dtype and shape need {nbytes}")
        if entry["offset"] != expected_offset:
            raise _loss(path, f"tensor {name!r} starts at {entry['offset']}, expected "
                        f"{expected_offset} (tensors must not overlap or leave gaps)")
        expected_offset += entry["length"]
        if expected_offset > blob_size:
            raise _loss(path, f"tensor {name!r} runs past the end of the file")
        entries[name] = entry
    if expected_offset != blob_size:
        raise _loss(path, f"{blob_size - expected_offset} bytes after the last tensor are not "
                    "accounted for")
    return entries
