"""`tf.gfile`: TF1's file functions on the local file system (GFile, Exists, MakeDirs,
Glob, ...). Paths with a URL scheme (gs://, hdfs://) are not supported and say so."""

from __future__ import annotations

import glob as _glob
import os
import shutil
from typing import Any, Iterator

__all__ = ["GFile", "FastGFile", "Open", "Exists", "MakeDirs", "MkDir", "Glob",
           "IsDirectory", "ListDirectory", "Remove", "Rename", "DeleteRecursively", "Copy",
           "Walk", "Stat"]


def _local(path: Any) -> str:
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = path.decode()
    if "://" in path and not path.startswith("file://"):
        from flowgraph import errors
        raise errors.UnimplementedError(None, None, f"File system scheme of {path!r} is not "
                                        "available in flowgraph: only local paths are")
    return path[len("file://"):] if path.startswith("file://") else path


class GFile:
    """A file object as TF1's `tf.gfile.GFile(name, mode="r")`: text in "r"/"w" modes,
    bytes in "rb"/"wb"; usable with ``with`` and iteration, plus ``size()``."""

    def __init__(self, name: Any, mode: str = "r") -> None:
        self.name = _local(name)
        self.mode = mode
        self._file = open(self.name, mode)  # noqa: SIM115 - closed by close()/__exit__

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __iter__(self) -> Iterator:
        return iter(self._file)

    def __enter__(self) -> "GFile":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._file.close()

    def size(self) -> int:
        return os.path.getsize(self.name)

    def read(self, n: int = -1) -> Any:
        return self._file.read(n)


FastGFile = GFile
Open = GFile


def Exists(filename: Any) -> bool:  # noqa: N802 - TF1's names
    return os.path.exists(_local(filename))


def IsDirectory(dirname: Any) -> bool:  # noqa: N802
    return os.path.isdir(_local(dirname))


def MakeDirs(dirname: Any) -> None:  # noqa: N802
    os.makedirs(_local(dirname), exist_ok=True)


def MkDir(dirname: Any) -> None:  # noqa: N802
    os.mkdir(_local(dirname))


def Glob(filename: Any) -> list:  # noqa: N802
    return sorted(_glob.glob(_local(filename)))


def ListDirectory(dirname: Any) -> list:  # noqa: N802
    return sorted(os.listdir(_local(dirname)))


def Remove(filename: Any) -> None:  # noqa: N802
    os.remove(_local(filename))


def Rename(oldname: Any, newname: Any, overwrite: bool = False) -> None:  # noqa: N802
    old, new = _local(oldname), _local(newname)
    if os.path.exists(new) and not overwrite:
        raise FileExistsError(f"{new} already exists (pass overwrite=True)")
    os.replace(old, new)


def DeleteRecursively(dirname: Any) -> None:  # noqa: N802
    shutil.rmtree(_local(dirname))


def Copy(oldpath: Any, newpath: Any, overwrite: bool = False) -> None:  # noqa: N802
    old, new = _local(oldpath), _local(newpath)
    if os.path.exists(new) and not overwrite:
        raise FileExistsError(f"{new} already exists (pass overwrite=True)")
    shutil.copyfile(old, new)


def Walk(top: Any, in_order: bool = True) -> Iterator:  # noqa: N802
    return os.walk(_local(top), topdown=in_order)


def Stat(filename: Any) -> Any:  # noqa: N802
    """An object with TF1's `length`, `mtime_nsec` and `is_directory`."""
    path = _local(filename)
    st = os.stat(path)

    class FileStatistics:
        length = st.st_size
        mtime_nsec = st.st_mtime_ns
        is_directory = os.path.isdir(path)
    return FileStatistics()
