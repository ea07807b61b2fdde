"""Checkpoint files: the values of named tensors under a path prefix.

A checkpoint ``PREFIX`` is two container files (`flowgraph.io.container`)::

    PREFIX.index                  kind "checkpoint_index": no tensors; its document lists the
                                  variables (name, dtype, shape, data file) and each data
                                  file's name suffix, size and SHA-256
    PREFIX.data-00000-of-00001    kind "checkpoint_data": the tensors, sorted by name

(``PREFIX.meta``, the meta graph, is written next to them by `Saver.save`.)

Both files are written atomically, data first, so that an index always describes data
that is complete on disk. The index binds its data file by size and SHA-256: a data file
that is damaged, truncated or left from another save is detected before any value is
used. Re-saving the same prefix writes the new data under the alternate suffix
``data-00000-of-00001.1`` (and back), so the previous index stays valid until the new one
replaces it. Data files are named by suffix relative to the prefix, so a checkpoint can
be renamed, and a file can never point outside its folder.

Reading needs no graph: `CheckpointReader(prefix)`.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import threading
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.io import container
from flowgraph.io.atomic import atomic_write

__all__ = ["CheckpointReader", "write_checkpoint", "checkpoint_file_paths", "close_matches"]

INDEX_KIND = "checkpoint_index"
DATA_KIND = "checkpoint_data"
DATA_SUFFIX = "data-00000-of-00001"
ALT_DATA_SUFFIX = DATA_SUFFIX + ".1"
_SUFFIX_RE = re.compile(r"data-\d{5}-of-\d{5}(\.1)?")
MAX_DATA_FILES = 1 << 16
MAX_INDEX_BYTES = container.MAX_HEADER_BYTES + 4096
MAX_DATA_BYTES = 1 << 44


def _loss(message: str) -> errors.DataLossError:
    return errors.DataLossError(None, None, message)


def close_matches(name: str, names: Any, n: int = 3) -> list:
    """Up to `n` of `names` that look like `name` (case-insensitively), best first."""
    by_lower: dict = {}
    for candidate in names:
        by_lower.setdefault(candidate.lower(), candidate)
    found = difflib.get_close_matches(str(name).lower(), list(by_lower), n=n)
    return [by_lower[match] for match in found]


def _tensor_spec(array: np.ndarray) -> tuple:
    """(dtype name, shape) under which the container stores `array`."""
    if array.dtype.kind in "OSU":
        return "string", list(array.shape)
    return dtypes.as_dtype(array.dtype).name, list(array.shape)


# --------------------------------------------------------------------------- writing
def write_checkpoint(prefix: str, tensors: dict) -> str:
    """Writes the arrays of `tensors` ({name: array}) as checkpoint `prefix`; returns it.

    The data file is written (atomically) before the index, so a crash at any moment
    leaves either the previous checkpoint under `prefix` or the new one, never a mix.
    """
    prefix = os.fspath(prefix)
    for name in tensors:
        if not isinstance(name, str) or not name or len(name) > container.MAX_NAME_CHARS:
            raise ValueError(f"Checkpoint tensor names must be non-empty strings of at most "
                             f"{container.MAX_NAME_CHARS} characters, got {name!r:.80}")
    names = sorted(tensors)
    arrays = {name: np.asarray(tensors[name]) for name in names}
    suffix = ALT_DATA_SUFFIX if _current_data_suffix(prefix) == DATA_SUFFIX else DATA_SUFFIX
    data = container.pack(DATA_KIND, {"tensors": len(names)}, arrays)
    atomic_write(f"{prefix}.{suffix}", data)
    variables = []
    for name in names:
        dtype_name, shape = _tensor_spec(arrays[name])
        variables.append({"name": name, "dtype": dtype_name, "shape": shape, "file": 0})
    document = {
        "data_files": [{"suffix": suffix, "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest()}],
        "variables": variables,
    }
    container.write(f"{prefix}.index", INDEX_KIND, document)
    # The other data file belongs to no index any more.
    stale = f"{prefix}.{DATA_SUFFIX if suffix == ALT_DATA_SUFFIX else ALT_DATA_SUFFIX}"
    try:
        os.unlink(stale)
    except OSError:
        pass
    return prefix


def _current_data_suffix(prefix: str) -> Optional[str]:
    """The data suffix the existing index of `prefix` uses (None: no readable index)."""
    if not os.path.exists(f"{prefix}.index"):
        return None
    try:
        files, _ = _read_index(prefix)
    except errors.OpError:
        return None
    return files[0]["suffix"] if len(files) == 1 else None


def checkpoint_file_paths(prefix: str) -> list:
    """The data and index paths that checkpoint `prefix` may have (existing or not)."""
    prefix = os.fspath(prefix)
    return [f"{prefix}.index", f"{prefix}.{DATA_SUFFIX}", f"{prefix}.{ALT_DATA_SUFFIX}"]


# --------------------------------------------------------------------------- reading
def _read_bytes(path: str, limit: int, what: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _loss(f"{path}: the {what} is {size} bytes, more than the limit of "
                            f"{limit}")
            return handle.read(size + 1)
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}: no such file") from None
    except IsADirectoryError:
        raise errors.NotFoundError(None, None, f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise errors.PermissionDeniedError(None, None, f"Cannot read {path}: {exc}") from None


def _parse(data: bytes, path: str, kind: str) -> container.Container:
    """container.parse, checking the file holds a checkpoint part of `kind`."""
    parsed = container.parse(data, path)
    if parsed.kind != kind:
        raise _loss(f"{path} holds a {parsed.kind!r:.40}, not a {kind!r}")
    return parsed


def _read_index(prefix: str) -> tuple:
    """(data files, {name: variable entry}) of checkpoint `prefix`, validated."""
    path = f"{prefix}.index"
    document = _parse(_read_bytes(path, MAX_INDEX_BYTES, "index"), path, INDEX_KIND).document
    if not isinstance(document, dict):
        raise _loss(f"{path}: the index document must be a JSON object")
    files = document.get("data_files")
    if not isinstance(files, list) or not 1 <= len(files) <= MAX_DATA_FILES:
        raise _loss(f"{path}: the index must list between 1 and {MAX_DATA_FILES} data files")
    for i, entry in enumerate(files):
        where = f"{path}: data file entry {i}"
        if not isinstance(entry, dict):
            raise _loss(f"{where} must be a JSON object")
        suffix = entry.get("suffix")
        if not isinstance(suffix, str) or not _SUFFIX_RE.fullmatch(suffix):
            raise _loss(f"{where} has an invalid name suffix {suffix!r:.80}")
        size = entry.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or \
                not 0 <= size <= MAX_DATA_BYTES:
            raise _loss(f"{where} has an invalid size")
        digest = entry.get("sha256")
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise _loss(f"{where} has an invalid sha256")
    table = document.get("variables")
    if not isinstance(table, list) or len(table) > container.MAX_TENSORS:
        raise _loss(f"{path}: the index must list at most {container.MAX_TENSORS} variables")
    variables: dict = {}
    for i, entry in enumerate(table):
        where = f"{path}: variable entry {i}"
        if not isinstance(entry, dict):
            raise _loss(f"{where} must be a JSON object")
        name = entry.get("name")
        if not isinstance(name, str) or not name or len(name) > container.MAX_NAME_CHARS:
            raise _loss(f"{where} has an invalid name")
        if name in variables:
            raise _loss(f"{path}: the variable {name!r} is listed twice")
        dtype_name = entry.get("dtype")
        if not isinstance(dtype_name, str) or (
                dtype_name != "string" and dtype_name not in container.NUMERIC_DTYPES):
            raise _loss(f"{path}: variable {name!r} has an unknown dtype {dtype_name!r:.40}")
        container.tensor_nbytes(dtype_name, entry.get("shape"), f"{path}: variable {name!r}")
        file_index = entry.get("file")
        if not isinstance(file_index, int) or isinstance(file_index, bool) or \
                not 0 <= file_index < len(files):
            raise _loss(f"{path}: variable {name!r} names no listed data file")
        variables[name] = entry
    return files, variables


class CheckpointReader:
    """Reads checkpoint `prefix` (as TF1's ``tf.train.NewCheckpointReader``), no graph needed.

    >>> reader = fg.train.NewCheckpointReader("/tmp/model/model.ckpt-1000")
    >>> reader.get_variable_to_shape_map()
    {'w': [784, 10], 'global_step': []}
    >>> reader.get_tensor("w").shape
    (784, 10)

    Values are verified against their checksums before they are returned: a damaged file
    raises DataLossError naming the tensor, never wrong numbers.
    """

    def __init__(self, prefix: Any) -> None:
        if isinstance(prefix, bytes):
            prefix = prefix.decode("utf-8")
        prefix = os.fspath(prefix)
        if not os.path.isfile(f"{prefix}.index"):
            raise errors.NotFoundError(
                None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                f"matching files for {prefix} (no file {prefix}.index)")
        self._prefix = prefix
        self._files, self._variables = _read_index(prefix)
        self._data: dict = {}
        self._lock = threading.Lock()

    @property
    def prefix(self) -> str:
        return self._prefix

    def has_tensor(self, tensor_str: str) -> bool:
        return tensor_str in self._variables

    def get_variable_to_shape_map(self) -> dict:
        """{name: shape as a list of ints} of every stored tensor."""
        return {name: list(entry["shape"]) for name, entry in self._variables.items()}

    def get_variable_to_dtype_map(self) -> dict:
        """{name: fg.DType} of every stored tensor."""
        return {name: dtypes.as_dtype(entry["dtype"])
                for name, entry in self._variables.items()}

    def debug_string(self) -> bytes:
        """One line per tensor: ``name (dtype) [shape]``, as bytes (as TF1)."""
        lines = [f"{name} ({entry['dtype']}) {list(entry['shape'])}"
                 for name, entry in sorted(self._variables.items())]
        return "".join(line + "\n" for line in lines).encode("utf-8")

    def get_tensor(self, tensor_str: str) -> np.ndarray:
        """The stored value of `tensor_str`: NotFoundError if absent, DataLossError (naming
        it) if the files are damaged."""
        entry = self._variables.get(tensor_str)
        if entry is None:
            close = close_matches(tensor_str, self._variables)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise errors.NotFoundError(
                None, None, f"Key {tensor_str} not found in checkpoint {self._prefix}.{hint}")
        try:
            data = self._data_file(entry["file"])
            array = data.read_tensor(tensor_str)
        except errors.DataLossError as exc:
            raise _loss(f"{exc.message} (reading tensor {tensor_str!r} of checkpoint "
                        f"{self._prefix})") from None
        except errors.NotFoundError as exc:
            raise errors.NotFoundError(
                None, None, f"{exc.message}: the data of tensor {tensor_str!r} of checkpoint "
                f"{self._prefix} is missing") from None
        return array

    def _data_file(self, index: int) -> container.Container:
        with self._lock:
            cached = self._data.get(index)
            if cached is None:
                cached = self._data[index] = self._load_data_file(index)
        if isinstance(cached, errors.OpError):
            raise type(cached)(None, None, cached.message)
        return cached

    def _load_data_file(self, index: int) -> Any:
        spec = self._files[index]
        path = f"{self._prefix}.{spec['suffix']}"
        try:
            data = _read_bytes(path, MAX_DATA_BYTES, "data file")
            if len(data) != spec["size"] or hashlib.sha256(data).hexdigest() != spec["sha256"]:
                detail = (f"{len(data)} bytes where the index says {spec['size']}"
                          if len(data) != spec["size"] else "its SHA-256 differs")
                raise _loss(f"{path} does not match the checkpoint index ({detail}): the "
                            "file is damaged or was left by another save")
            parsed = _parse(data, path, DATA_KIND)
            self._check_data_table(parsed, index, path)
            return parsed
        except (errors.DataLossError, errors.NotFoundError) as exc:
            return exc

    def _check_data_table(self, parsed: container.Container, index: int, path: str) -> None:
        expected = {name for name, entry in self._variables.items() if entry["file"] == index}
        stored = set(parsed.tensor_names())
        if stored != expected:
            extra = sorted(stored ^ expected)[:3]
            raise _loss(f"{path} and its index list different tensors (e.g. {extra})")
        for name in stored:
            entry = self._variables[name]
            if parsed.tensor_spec(name) != (entry["dtype"], list(entry["shape"])):
                raise _loss(f"{path}: tensor {name!r} is stored as "
                            f"{parsed.tensor_spec(name)}, its index says "
                            f"{(entry['dtype'], entry['shape'])}")
