"""`tf.io.gfile`: TF's lower-case file API (GFile, exists, makedirs, glob, walk, ...) on the
local file system, with TF's errors: `errors.NotFoundError` for a missing file or directory,
`errors.AlreadyExistsError` for `rename`/`copy` onto an existing file without
``overwrite=True``, `errors.FailedPreconditionError` for a file where a directory is needed
(and the reverse).

Paths may be str, bytes or os.PathLike; paths with a URL scheme other than ``file://``
(gs://, hdfs://) are not supported and say so (`errors.UnimplementedError`).
"""

from __future__ import annotations

import errno
import glob as _glob
import os
import posixpath
import shutil
from typing import Any, Callable, Iterator, Optional

from flowgraph import errors
from flowgraph.tf1 import gfile as _v1
from flowgraph.tf1.gfile import _local

__all__ = ["GFile", "exists", "makedirs", "mkdir", "glob", "listdir", "isdir", "remove",
           "rename", "rmtree", "copy", "stat", "walk", "join"]

_MODES = ("r", "w", "a", "rb", "wb", "ab")


def _tf_error(err: OSError, path: str) -> errors.OpError:
    """TF's error class for an OSError about `path` (ENOENT -> NotFoundError, ...)."""
    reason = err.strerror or str(err)
    message = f"{path}; {reason}"
    if err.errno == errno.ENOENT:
        return errors.NotFoundError(None, None, message)
    if err.errno == errno.EEXIST:
        return errors.AlreadyExistsError(None, None, message)
    if err.errno in (errno.EACCES, errno.EPERM):
        return errors.PermissionDeniedError(None, None, message)
    if err.errno in (errno.EISDIR, errno.ENOTDIR, errno.ENOTEMPTY):
        return errors.FailedPreconditionError(None, None, message)
    return errors.UnknownError(None, None, message)


class GFile(_v1.GFile):
    """A file as TF's `tf.io.gfile.GFile(name, mode="r")`.

    Opening is lazy, as TF's: a missing file raises `errors.NotFoundError` on the first read,
    not in the constructor. `mode` is one of "r", "w", "a", "rb", "wb", "ab"; reads return
    str in text modes and bytes in binary ones, and `write` takes str or bytes in any mode
    (text is written as UTF-8, with no newline translation). Usable with ``with`` and as a
    line iterator; ``size()`` is the file's length in bytes.
    """

    def __init__(self, name: Any, mode: str = "r") -> None:  # no super().__init__: opens lazily
        self._file = None
        self.name = _local(name)
        if mode not in _MODES:
            raise errors.InvalidArgumentError(
                None, None, f"GFile mode {mode!r} is not one of {', '.join(_MODES)}")
        self.mode = mode
        self._binary = "b" in mode
        self._read_check = mode.startswith("r")

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"'GFile' object has no attribute {name!r}")

    def _open(self) -> Any:
        if self._file is None:
            try:
                self._file = open(self.name, self.mode[0] + "b")  # noqa: SIM115 - see close()
            except OSError as e:
                raise _tf_error(e, self.name) from None
        return self._file

    def _reader(self) -> Any:
        if not self._read_check:
            raise errors.PermissionDeniedError(
                None, None, f"File {self.name} isn't open for reading (mode {self.mode!r})")
        return self._open()

    def _writer(self) -> Any:
        if self._read_check:
            raise errors.PermissionDeniedError(
                None, None, f"File {self.name} isn't open for writing (mode {self.mode!r})")
        return self._open()

    def _value(self, data: bytes) -> Any:
        return data if self._binary else data.decode("utf-8")

    def read(self, n: int = -1) -> Any:
        """Up to `n` bytes (all that is left if n is -1), as str or bytes by mode."""
        return self._value(self._reader().read(n))

    def readline(self) -> Any:
        """The next line, with its newline ('' or b'' at the end of the file)."""
        return self._value(self._reader().readline())

    def readlines(self) -> list:
        """All remaining lines."""
        return [self._value(line) for line in self._reader().readlines()]

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def write(self, file_content: Any) -> None:
        """Appends str (as UTF-8) or bytes to the file."""
        if isinstance(file_content, str):
            file_content = file_content.encode("utf-8")
        elif not isinstance(file_content, (bytes, bytearray, memoryview)):
            raise TypeError(f"GFile.write takes str or bytes, got "
                            f"{type(file_content).__name__}")
        self._writer().write(file_content)

    def seek(self, offset: Optional[int] = None, whence: int = 0,
             position: Optional[int] = None) -> None:
        """Moves to `offset` (relative to `whence`: 0 start, 1 current, 2 end). `position`
        is TF's deprecated name for `offset`."""
        if position is not None:
            if offset is not None:
                raise ValueError("seek takes `offset` or its deprecated name `position`, "
                                 "not both")
            offset = position
        if offset is None:
            raise TypeError("seek() needs an offset")
        if whence not in (0, 1, 2):
            raise errors.InvalidArgumentError(
                None, None, f"Invalid whence argument {whence}; valid values are 0, 1 and 2")
        self._open().seek(offset, whence)

    def tell(self) -> int:
        """The current position in the file, in bytes."""
        return self._open().tell()

    def size(self) -> int:
        """The file's length in bytes."""
        if self._file is not None:
            self._file.flush()
        try:
            return os.stat(self.name).st_size
        except OSError as e:
            raise _tf_error(e, self.name) from None

    def flush(self) -> None:
        """Writes buffered data to the file."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Flushes and closes the file (a no-op if it was never opened)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def seekable(self) -> bool:
        return True

    def __enter__(self) -> "GFile":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class FileStatistics:
    """What `stat` returns: `length` (bytes), `mtime_nsec` (modification time in
    nanoseconds since the epoch) and `is_directory`."""

    def __init__(self, length: int, mtime_nsec: int, is_directory: bool) -> None:
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory

    def __repr__(self) -> str:
        return (f"FileStatistics(length={self.length}, mtime_nsec={self.mtime_nsec}, "
                f"is_directory={self.is_directory})")


def exists(path: Any) -> bool:
    """Whether `path` (a file or directory) exists."""
    return os.path.exists(_local(path))


def isdir(path: Any) -> bool:
    """Whether `path` is a directory (False if it does not exist)."""
    return os.path.isdir(_local(path))


def makedirs(path: Any) -> None:
    """Creates directory `path` and its missing parents; an existing directory is fine.
    Raises `errors.FailedPreconditionError` if `path` or a parent is a file."""
    path = _local(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise errors.FailedPreconditionError(None, None, f"{path} is not a directory")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        if e.errno in (errno.EEXIST, errno.ENOTDIR):
            raise errors.FailedPreconditionError(
                None, None, f"{path}: a parent of it is a file, not a directory") from None
        raise _tf_error(e, path) from None


def mkdir(path: Any) -> None:
    """Creates directory `path`, whose parent must exist (`errors.NotFoundError` if not).
    As TF, an existing `path` is not an error."""
    path = _local(path)
    try:
        os.mkdir(path)
    except FileExistsError:
        return
    except OSError as e:
        raise _tf_error(e, path) from None


def glob(pattern: Any) -> list:
    """The paths matching `pattern` (``*``, ``?``, ``[...]``; hidden files included),
    sorted; [] when nothing matches."""
    return sorted(_glob.glob(_local(pattern), include_hidden=True))


def listdir(path: Any) -> list:
    """The names of the entries of directory `path` (without "." and ".."), sorted.
    Raises `errors.NotFoundError` if `path` is not a directory."""
    path = _local(path)
    if not os.path.isdir(path):
        raise errors.NotFoundError(None, None, f"Could not find directory {path}")
    try:
        return sorted(os.listdir(path))
    except OSError as e:
        raise _tf_error(e, path) from None


def remove(path: Any) -> None:
    """Deletes the file `path` (`errors.NotFoundError` if missing,
    `errors.FailedPreconditionError` for a directory: use `rmtree`)."""
    path = _local(path)
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            raise IsADirectoryError(errno.EISDIR, "Is a directory (use rmtree)")
        os.remove(path)
    except OSError as e:
        raise _tf_error(e, path) from None


def _check_transfer(src: str, dst: str, overwrite: bool) -> None:
    """TF's checks before a rename or copy: an existing `dst` needs `overwrite`; `src` must
    exist."""
    if not overwrite and os.path.exists(dst):
        raise errors.AlreadyExistsError(
            None, None, f"file already exists: {dst} (pass overwrite=True to replace it)")
    if not os.path.exists(src):
        raise errors.NotFoundError(None, None, f"{src}; No such file or directory")


def rename(src: Any, dst: Any, overwrite: bool = False) -> None:
    """Moves `src` to `dst`. Raises `errors.AlreadyExistsError` if `dst` exists and
    `overwrite` is False, `errors.NotFoundError` if `src` is missing."""
    src, dst = _local(src), _local(dst)
    _check_transfer(src, dst, overwrite)
    try:
        os.replace(src, dst)
    except OSError as e:
        raise _tf_error(e, dst) from None


def copy(src: Any, dst: Any, overwrite: bool = False) -> None:
    """Copies file `src` to `dst`. Raises `errors.AlreadyExistsError` if `dst` exists and
    `overwrite` is False, `errors.NotFoundError` if `src` or `dst`'s directory is missing."""
    src, dst = _local(src), _local(dst)
    _check_transfer(src, dst, overwrite)
    try:
        shutil.copyfile(src, dst)
    except OSError as e:
        raise _tf_error(e, dst) from None


def rmtree(path: Any) -> None:
    """Deletes `path` and everything below it (a file is just deleted, as TF).
    Raises `errors.NotFoundError` if `path` does not exist."""
    path = _local(path)
    if not os.path.lexists(path):
        raise errors.NotFoundError(None, None, f"{path} not found")
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except OSError as e:
        raise _tf_error(e, path) from None


def stat(path: Any) -> FileStatistics:
    """The `FileStatistics` (length, mtime_nsec, is_directory) of `path`
    (`errors.NotFoundError` if missing)."""
    path = _local(path)
    try:
        st = os.stat(path)
    except OSError as e:
        raise _tf_error(e, path) from None
    return FileStatistics(st.st_size, st.st_mtime_ns, os.path.isdir(path))


def walk(top: Any, topdown: bool = True,
         onerror: Optional[Callable[[Exception], Any]] = None) -> Iterator:
    """Yields ``(dirname, subdirnames, filenames)`` for `top` and each directory below it,
    parents first if `topdown` (else children first). A directory that cannot be listed
    (including a missing `top`) is skipped; `onerror`, if given, is called with its
    `errors.NotFoundError` first (raise from it to stop the walk)."""
    top = _local(top)
    try:
        listing = listdir(top)
    except errors.NotFoundError as err:
        if onerror is not None:
            onerror(err)
        return
    subdirs, files = [], []
    for item in listing:
        (subdirs if os.path.isdir(os.path.join(top, item)) else files).append(item)
    here = (top, subdirs, files)
    if topdown:
        yield here
    for subdir in subdirs:
        yield from walk(os.path.join(top, subdir), topdown, onerror)
    if not topdown:
        yield here


def join(path: Any, *paths: Any) -> str:
    """Joins path components: `os.path.join` for local paths, "/" for URL-like paths
    ("gs://bucket" + "a" -> "gs://bucket/a")."""
    path = os.fspath(path)
    parts = [os.fspath(p) for p in paths]
    if isinstance(path, bytes):
        path = path.decode()
    parts = [p.decode() if isinstance(p, bytes) else p for p in parts]
    if "://" in path[1:]:
        return posixpath.join(path, *parts)
    return os.path.join(path, *parts)
