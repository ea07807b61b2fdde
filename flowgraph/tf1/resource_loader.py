"""`tf.resource_loader`: find data files that sit next to a script (TF1's Bazel helpers,
without Bazel). Relative paths are resolved against the directory of the CALLING file."""

from __future__ import annotations

import inspect
import os
import sys
from typing import Any

__all__ = ["get_data_files_path", "get_path_to_datafile", "get_root_dir_with_all_resources",
           "load_resource", "readahead_file_path"]


def _caller_dir(depth: int) -> str:
    """The directory of the source file `depth` frames above the caller of this helper."""
    frame = sys._getframe(depth + 1)
    return os.path.dirname(inspect.getfile(frame))


def get_data_files_path() -> str:
    """The directory of the file that calls this (where a script's data files live)."""
    return _caller_dir(1)


def get_path_to_datafile(path: Any) -> str:
    """`path` joined to the directory of the calling file (an absolute `path` is kept)."""
    return os.path.join(_caller_dir(1), os.fspath(path))


def load_resource(path: Any) -> bytes:
    """The bytes of the file at `path`, relative to the directory of the calling file.

    Raises IOError (FileNotFoundError) if it cannot be read. (TF resolves this path
    against its own package directory; flowgraph resolves it against the caller's, which is
    what a user script can use.)
    """
    with open(os.path.join(_caller_dir(1), os.fspath(path)), "rb") as f:
        return f.read()


def get_root_dir_with_all_resources() -> str:
    """The directory just below a Bazel ``*.runfiles`` directory that holds the calling
    file, or the calling file's directory when it is not inside one."""
    script_dir = _caller_dir(1)
    directories = [script_dir]
    while True:
        candidate = directories[-1]
        if ".runfiles" in os.path.basename(candidate):
            return directories[-2] if len(directories) > 1 else script_dir
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return script_dir
        directories.append(parent)


def readahead_file_path(path: Any, readahead: str = "128M") -> Any:
    """Returns `path` unchanged (as TF: read-ahead is not implemented)."""
    return path
