"""Atomic file writes: a crash mid-write never damages the previous file."""

from __future__ import annotations

import os
import tempfile
from typing import Union

from flowgraph import errors


def atomic_write(path: Union[str, os.PathLike], data: bytes) -> str:
    """Writes `data` to `path` atomically and durably; returns the path.

    The bytes go to a temporary file in the same folder, which is fsynced and then renamed
    over `path`; the folder is fsynced too, so after a crash `path` holds either its old
    content or the new one, never a mix.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                                    dir=folder)
    except OSError as exc:
        raise errors.PermissionDeniedError(None, None, f"Cannot write {path}: {exc}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)
    return path


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some platforms cannot open folders; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
