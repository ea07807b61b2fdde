"""Finding and managing checkpoints in a folder (TF1's checkpoint_management).

The `checkpoint` state file of a folder names its latest checkpoint and the ones still
kept. It is written atomically, after the checkpoint files it names.
"""

from __future__ import annotations

import glob
import logging
import os
import re
from typing import Any, Optional, Sequence

from flowgraph.io.atomic import atomic_write
from flowgraph.io.checkpoint import checkpoint_file_paths
from flowgraph.train.checkpoint_state import (
    MAX_STATE_BYTES,
    CheckpointState,
    CheckpointStateParseError,
)

__all__ = ["CheckpointState", "generate_checkpoint_state_proto", "update_checkpoint_state",
           "get_checkpoint_state", "latest_checkpoint", "checkpoint_exists",
           "get_checkpoint_mtimes", "remove_checkpoint", "meta_graph_filename"]

_log = logging.getLogger(__name__)
V1 = 1
V2 = 2


def _state_filename(save_dir: str, latest_filename: Optional[str]) -> str:
    return os.path.join(save_dir, "checkpoint" if latest_filename is None else latest_filename)


def _as_path(path: Any) -> str:
    if isinstance(path, bytes):
        return path.decode("utf-8")
    return os.fspath(path)


def _relpath(path: str, start: str) -> str:
    return os.path.relpath(path, start or os.curdir)


def generate_checkpoint_state_proto(save_dir: str, model_checkpoint_path: str,
                                    all_model_checkpoint_paths: Optional[Sequence[str]] = None,
                                    all_model_checkpoint_timestamps: Optional[Sequence[float]]
                                    = None,
                                    last_preserved_timestamp: Optional[float] = None
                                    ) -> CheckpointState:
    """A CheckpointState whose relative paths are made relative to `save_dir` (as TF1).

    `model_checkpoint_path` is appended to `all_model_checkpoint_paths` unless it is already
    its last element.
    """
    save_dir = _as_path(save_dir)
    model_checkpoint_path = _as_path(model_checkpoint_path)
    paths = [_as_path(p) for p in all_model_checkpoint_paths or []]
    if not paths or paths[-1] != model_checkpoint_path:
        _log.info("%s is not in all_model_checkpoint_paths. Manually adding it.",
                  model_checkpoint_path)
        paths.append(model_checkpoint_path)
    if all_model_checkpoint_timestamps and \
            len(all_model_checkpoint_timestamps) != len(paths):
        raise ValueError(f"Checkpoint timestamps, if provided, must match checkpoint paths "
                         f"(got paths {paths} and timestamps "
                         f"{list(all_model_checkpoint_timestamps)})")
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = _relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else _relpath(p, save_dir) for p in paths]
    return CheckpointState(model_checkpoint_path=model_checkpoint_path,
                           all_model_checkpoint_paths=paths,
                           all_model_checkpoint_timestamps=all_model_checkpoint_timestamps,
                           last_preserved_timestamp=last_preserved_timestamp)


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths: Optional[Sequence[str]] = None,
                            latest_filename: Optional[str] = None,
                            all_model_checkpoint_timestamps: Optional[Sequence[float]] = None,
                            last_preserved_timestamp: Optional[float] = None) -> None:
    """Writes the `checkpoint` state file of `save_dir` (atomically)."""
    update_checkpoint_state_internal(
        save_dir, model_checkpoint_path, all_model_checkpoint_paths, latest_filename,
        save_relative_paths=False,
        all_model_checkpoint_timestamps=all_model_checkpoint_timestamps,
        last_preserved_timestamp=last_preserved_timestamp)


def update_checkpoint_state_internal(save_dir: str, model_checkpoint_path: str,
                                     all_model_checkpoint_paths: Optional[Sequence[str]] = None,
                                     latest_filename: Optional[str] = None,
                                     save_relative_paths: bool = False,
                                     all_model_checkpoint_timestamps: Any = None,
                                     last_preserved_timestamp: Optional[float] = None) -> None:
    """`update_checkpoint_state`, optionally writing paths relative to `save_dir`."""
    save_dir = _as_path(save_dir)
    model_checkpoint_path = _as_path(model_checkpoint_path)
    paths = [_as_path(p) for p in all_model_checkpoint_paths or []]
    filename = _state_filename(save_dir, latest_filename)
    if save_relative_paths:
        if os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = _relpath(model_checkpoint_path, save_dir)
        paths = [_relpath(p, save_dir) if os.path.isabs(p) else p for p in paths]
    state = generate_checkpoint_state_proto(
        save_dir, model_checkpoint_path, all_model_checkpoint_paths=paths,
        all_model_checkpoint_timestamps=all_model_checkpoint_timestamps,
        last_preserved_timestamp=last_preserved_timestamp)
    if filename == state.model_checkpoint_path:
        raise RuntimeError(f"Save path '{model_checkpoint_path}' conflicts with path used for "
                           "checkpoint state.  Please use a different save path.")
    atomic_write(filename, str(state).encode("utf-8"))


def get_checkpoint_state(checkpoint_dir: Any, latest_filename: Optional[str] = None
                         ) -> Optional[CheckpointState]:
    """The CheckpointState in `checkpoint_dir`'s `checkpoint` file, or None.

    Relative paths are joined to `checkpoint_dir`. An unreadable or invalid file, or one
    whose relative paths lead outside `checkpoint_dir`, is ignored with a warning (None).
    ValueError if the file names no model_checkpoint_path (as TF1).
    """
    checkpoint_dir = _as_path(checkpoint_dir)
    filename = _state_filename(checkpoint_dir, latest_filename)
    if not os.path.isfile(filename):
        return None
    try:
        state = CheckpointState.from_text(_read_state_file(filename).decode("utf-8"))
    except (OSError, UnicodeDecodeError, CheckpointStateParseError) as exc:
        _log.warning("%s: %s", type(exc).__name__, exc)
        _log.warning("%s: Checkpoint ignored", filename)
        return None
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from " + checkpoint_dir)
    try:
        state.model_checkpoint_path = _inside(checkpoint_dir, state.model_checkpoint_path)
        state.all_model_checkpoint_paths = [
            _inside(checkpoint_dir, p) for p in state.all_model_checkpoint_paths]
    except CheckpointStateParseError as exc:
        _log.warning("%s: %s", filename, exc)
        _log.warning("%s: Checkpoint ignored", filename)
        return None
    return state


def _read_state_file(filename: str) -> bytes:
    """The bytes of a `checkpoint` state file, reading no more than it holds (a read of
    MAX_STATE_BYTES would allocate that much even for a file of a few lines);
    CheckpointStateParseError for a file over MAX_STATE_BYTES."""
    with open(filename, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_STATE_BYTES:
            raise CheckpointStateParseError(f"the file is {size} bytes, longer than "
                                            f"{MAX_STATE_BYTES} bytes")
        raw = handle.read(size + 1)
        if len(raw) > size:  # grown since fstat (not written atomically): read on, bounded
            raw += handle.read(MAX_STATE_BYTES + 1 - len(raw))
    if len(raw) > MAX_STATE_BYTES:
        raise CheckpointStateParseError(f"the file is longer than {MAX_STATE_BYTES} bytes")
    return raw


def _inside(checkpoint_dir: str, path: str) -> str:
    """`path` joined to `checkpoint_dir` if relative; refuses relative paths leading out."""
    if os.path.isabs(path):
        return path
    normal = os.path.normpath(path)
    if not path or normal == os.pardir or normal.startswith(os.pardir + os.sep) or \
            os.path.splitdrive(path)[0]:
        raise CheckpointStateParseError(f"the relative path {path!r:.200} leads outside "
                                        f"the checkpoint folder {checkpoint_dir!r}")
    return os.path.join(checkpoint_dir, path)


def latest_checkpoint(checkpoint_dir: Any, latest_filename: Optional[str] = None
                      ) -> Optional[str]:
    """The prefix of the latest checkpoint in `checkpoint_dir`, or None if there is none.

    >>> saver.restore(sess, fg.train.latest_checkpoint("/tmp/model"))
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is not None and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        _log.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


def checkpoint_exists(checkpoint_prefix: Any) -> bool:
    """True if a checkpoint with prefix `checkpoint_prefix` exists (its index file)."""
    return os.path.isfile(_as_path(checkpoint_prefix) + ".index")


def get_checkpoint_mtimes(checkpoint_prefixes: Sequence[str]) -> list:
    """Modification times (seconds since the epoch) of the checkpoints that exist."""
    mtimes = []
    for prefix in checkpoint_prefixes:
        try:
            mtimes.append(os.stat(_as_path(prefix) + ".index").st_mtime_ns / 1e9)
        except OSError:
            pass
    return mtimes


def meta_graph_filename(checkpoint_filename: str, meta_graph_suffix: str = "meta") -> str:
    """The meta graph file of a checkpoint: ``PREFIX.meta`` (shard suffixes removed)."""
    basename = re.sub(r"-[\d\?]+-of-\d+$", "", _as_path(checkpoint_filename))
    return ".".join([basename, meta_graph_suffix])


def remove_checkpoint(checkpoint_prefix: str, checkpoint_format_version: int = V2,
                      meta_graph_suffix: str = "meta") -> None:
    """Deletes the files of checkpoint `checkpoint_prefix` (index first, so that it stops
    existing before its data goes)."""
    prefix = _as_path(checkpoint_prefix)
    paths = checkpoint_file_paths(prefix)
    paths += sorted(glob.glob(glob.escape(prefix) + ".data-?????-of-?????"))
    paths.append(meta_graph_filename(prefix, meta_graph_suffix))
    for path in dict.fromkeys(paths):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
