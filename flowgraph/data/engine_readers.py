"""Run-time builders of the file readers: text lines, fixed-length records, CSV records and
the rows of `.npy` files (memory-mapped a window at a time)."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from typing import Any, BinaryIO, Iterator

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.data.engine import Env, Source

NPY_WINDOW_BYTES = 16 << 20


# --------------------------------------------------------------------------- files
class _ZlibReader(io.RawIOBase):
    """A raw stream of the decompressed bytes of a zlib stream."""

    def __init__(self, raw: BinaryIO, chunk: int) -> None:
        self._raw = raw
        self._chunk = chunk
        self._inflate = zlib.decompressobj()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            data = self._raw.read(self._chunk)
            if not data:
                self._pending = self._inflate.flush()
                if not self._pending:
                    return 0
                break
            try:
                self._pending = self._inflate.decompress(data)
            except zlib.error as exc:
                raise errors.DataLossError(None, None, f"Invalid ZLIB data: {exc}") from None
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_file(name: str, compression: str, buffer_size: int = -1) -> BinaryIO:
    """A binary stream of a file's (decompressed) bytes; NotFoundError if it is missing."""
    try:
        if compression == "":
            return open(name, "rb", buffering=buffer_size if buffer_size > 0 else -1)
        if compression == "GZIP":
            return gzip.open(name, "rb")
        if compression == "ZLIB":
            raw = open(name, "rb")
            return io.BufferedReader(_ZlibReader(raw, max(buffer_size, 1 << 16)))
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{name}; No such file or directory") from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, f"{name}; Is a directory") from None
    except OSError as exc:
        raise errors.PermissionDeniedError(None, None, f"{name}; {exc}") from None
    raise errors.InvalidArgumentError(None, None, f"Unsupported compression_type: "
                                      f"{compression!r}; use '', 'ZLIB' or 'GZIP'")


def file_names(env: Env, slot: Any) -> list:
    values = np.asarray(env.value(slot), dtype=object).reshape(-1)
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]


def scalar_bytes(value: bytes) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = value
    return out


def _read_error(name: str, exc: Exception) -> errors.OpError:
    if isinstance(exc, errors.OpError):
        return exc
    if isinstance(exc, (OSError, EOFError, zlib.error)):
        return errors.DataLossError(None, None, f"{name}: {exc}")
    return errors.InvalidArgumentError(None, None, f"{name}: {exc}")


# --------------------------------------------------------------------------- text lines
def text_lines(name: str, compression: str, buffer_size: int) -> Iterator[bytes]:
    """The lines of a file without their line endings (\\n or \\r\\n)."""
    with open_file(name, compression, buffer_size) as handle:
        try:
            for line in handle:
                if line.endswith(b"\n"):
                    line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
                yield line
        except (OSError, EOFError, zlib.error) as exc:
            raise _read_error(name, exc) from None


def _text_line(attrs: dict, children: tuple, env: Env) -> Source:
    names = file_names(env, attrs["filenames"])
    compression = env.text(attrs["compression_type"], "compression_type")
    buffer_size = env.integer(attrs["buffer_size"], "buffer_size")

    def open_() -> Iterator[tuple]:
        for name in names:
            for line in text_lines(name, compression, buffer_size):
                yield (scalar_bytes(line),)

    return Source(open_)


# --------------------------------------------------------------------------- fixed length
def _fixed_length(attrs: dict, children: tuple, env: Env) -> Source:
    names = file_names(env, attrs["filenames"])
    record = env.integer(attrs["record_bytes"], "record_bytes")
    header = env.integer(attrs["header_bytes"], "header_bytes")
    footer = env.integer(attrs["footer_bytes"], "footer_bytes")
    buffer_size = env.integer(attrs["buffer_size"], "buffer_size")
    compression = env.text(attrs["compression_type"], "compression_type")
    if record <= 0 or header < 0 or footer < 0:
        raise errors.InvalidArgumentError(None, None, "record_bytes must be > 0 and "
                                          "header_bytes, footer_bytes >= 0")

    def body_error(name: str, body: int) -> errors.InvalidArgumentError:
        return errors.InvalidArgumentError(
            None, None, f"Excluding the header ({header} bytes) and footer ({footer} bytes), "
            f"input file \"{name}\" has body length {body} bytes, which is not an exact "
            f"multiple of the record length ({record} bytes).")

    def records(name: str) -> Iterator[bytes]:
        if compression == "" and os.path.isfile(name):
            body = os.path.getsize(name) - header - footer
            if body < 0 or body % record:
                raise body_error(name, max(body, 0))
        with open_file(name, compression, buffer_size) as handle:
            if len(handle.read(header)) < header:
                raise body_error(name, 0)
            pending = b""
            chunk = max(record * max(1, (1 << 16) // record), record + footer)
            while True:
                data = handle.read(chunk)
                pending += data
                usable = len(pending) - footer
                whole = max(usable, 0) // record * record if data else usable
                if not data and usable % record:
                    raise body_error(name, usable)
                for start in range(0, whole, record):
                    yield pending[start:start + record]
                pending = pending[whole:]
                if not data:
                    return

    def open_() -> Iterator[tuple]:
        for name in names:
            for value in records(name):
                yield (scalar_bytes(value),)

    return Source(open_)


# --------------------------------------------------------------------------- CSV
def inside_quotes(record: bytes, delim: bytes) -> bool:
    """True when `record` ends inside a quoted field (which goes on on the next line)."""
    i, n = 0, len(record)
    while i < n:
        if record[i] == 34:  # a quoted field: find its closing quote ("" is a quote)
            j = i + 1
            while True:
                k = record.find(b'"', j)
                if k < 0:
                    return True
                if k + 1 < n and record[k + 1] == 34:
                    j = k + 2
                    continue
                i = k + 1
                break
        following = record.find(delim, i)
        if following < 0:
            return False
        i = following + 1
    return False


def csv_records(name: str, compression: str, buffer_size: int, use_quote: bool,
                delim: bytes = b",") -> Iterator[bytes]:
    """The records of a CSV file: lines, joined while a quoted field spans line breaks."""
    pending = None
    for line in text_lines(name, compression, buffer_size):
        record = line if pending is None else pending + b"\n" + line
        if use_quote and b'"' in line and inside_quotes(record, delim):
            pending = record
            continue
        pending = None
        yield record
    if pending is not None:
        raise errors.InvalidArgumentError(None, None, "Reached end of file without closing "
                                          f"quoted field in record ({name})")


def _csv(attrs: dict, children: tuple, env: Env) -> Source:
    from flowgraph.ops.decode_csv import convert_field, split_fields
    names = file_names(env, attrs["filenames"])
    compression = env.text(attrs["compression_type"], "compression_type")
    buffer_size = env.integer(attrs["buffer_size"], "buffer_size")
    header = env.boolean(attrs["header"], "header")
    delim = env.text(attrs["field_delim"], "field_delim").encode("utf-8")
    use_quote = env.boolean(attrs["use_quote_delim"], "use_quote_delim")
    na_value = env.text(attrs["na_value"], "na_value").encode("utf-8")
    select = tuple(attrs["select_cols"])
    defaults = [np.asarray(env.value(slot)) for slot in attrs["record_defaults"]]
    types = [dtypes.as_dtype(t) for t in attrs["dtypes"]]
    skip_errors = bool(attrs.get("ignore_errors", False))
    if len(delim) != 1:
        raise errors.InvalidArgumentError(None, None, "field_delim should be only 1 char")

    def open_() -> Iterator[tuple]:
        for name in names:
            records = csv_records(name, compression, buffer_size, use_quote, delim)
            if header:
                next(records, None)
            for record in records:
                try:
                    yield parse(record)
                except errors.InvalidArgumentError:
                    if not skip_errors:
                        raise

    def parse(record: bytes) -> tuple:
        try:
            fields = split_fields(record, delim, use_quote, select, dataset=True)
        except ValueError as exc:
            raise errors.InvalidArgumentError(None, None, str(exc)) from None
        if len(fields) != len(types):
            raise errors.InvalidArgumentError(
                None, None, f"Expect {len(types)} fields but have {len(fields)} in record")
        return tuple(convert_field(field, dtype, default, col, None, na_value)
                     for col, (field, dtype, default) in enumerate(zip(fields, types,
                                                                         defaults)))

    return Source(open_)


# --------------------------------------------------------------------------- .npy
def read_npy_header(path: str) -> tuple:
    """(row count, row shape, numpy dtype, data offset) of a C-ordered `.npy` file."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    with handle:
        try:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
        except ValueError as exc:
            raise errors.DataLossError(None, None, f"{path} is not a valid .npy file: "
                                       f"{exc}") from None
        offset = handle.tell()
    if dtype.hasobject:
        raise errors.InvalidArgumentError(None, None, f"{path} holds Python objects "
                                          "(pickles), which NpyDataset never reads")
    if fortran and len(shape) > 1:
        raise errors.InvalidArgumentError(
            None, None, f"{path} is Fortran-ordered; NpyDataset reads rows of C-ordered "
            "arrays: save it with np.save(path, np.ascontiguousarray(array))")
    if not shape:
        raise errors.InvalidArgumentError(None, None, f"{path} holds a scalar; NpyDataset "
                                          "reads the rows of arrays of rank >= 1")
    return shape[0], tuple(shape[1:]), dtype, offset


def _npy(attrs: dict, children: tuple, env: Env) -> Source:
    path = env.text(attrs["path"], "path")
    rows, row_shape, dtype, offset = read_npy_header(path)
    want = dtypes.as_dtype(attrs["dtype"]).np
    if dtype.newbyteorder("=") != want or tuple(attrs["row_shape"]) != row_shape:
        raise errors.InvalidArgumentError(
            None, None, f"{path} changed since its dataset was built: rows of {row_shape} "
            f"{dtype}, expected {tuple(attrs['row_shape'])} {want}")
    row_bytes = int(np.prod(row_shape, dtype=np.int64)) * dtype.itemsize

    def read_rows(start: int, count: int) -> np.ndarray:
        """Rows [start, start + count), copied out of a mapping that is closed at once."""
        if count == 0 or row_bytes == 0:
            return np.zeros((count,) + row_shape, dtype=want)
        window = np.memmap(path, dtype=dtype, mode="r", offset=offset + start * row_bytes,
                           shape=(count,) + row_shape)
        try:
            return np.array(window, dtype=want, copy=True)
        finally:
            mapping = getattr(window, "_mmap", None)
            del window
            if mapping is not None:
                try:
                    mapping.close()
                except BufferError:  # a view is still alive; it closes with the view
                    pass

    per_window = max(1, NPY_WINDOW_BYTES // max(row_bytes, 1))

    def open_() -> Iterator[tuple]:
        for start in range(0, rows, per_window):
            block = read_rows(start, min(per_window, rows - start))
            for i in range(len(block)):
                yield (block[i, ...],)

    def batches(size: int, drop_remainder: bool) -> Iterator[tuple]:
        for start in range(0, rows, size):
            count = min(size, rows - start)
            if drop_remainder and count < size:
                return
            yield (read_rows(start, count),)

    return Source(open_, batches)


KINDS = {
    "TextLine": _text_line,
    "FixedLengthRecord": _fixed_length,
    "Csv": _csv,
    "Npy": _npy,
}
