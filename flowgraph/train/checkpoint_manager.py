"""`fg.train.CheckpointManager`: numbered saves of a `fg.train.Checkpoint` in one folder,
keeping the `max_to_keep` most recent (TF 1.15's ``tf.train.CheckpointManager``).

>>> manager = fg.train.CheckpointManager(ckpt, "/tmp/run", max_to_keep=3)
>>> with sess.as_default():
...     path = manager.save()                        # "/tmp/run/ckpt-1"

The folder's "checkpoint" state file (shared with `fg.train.latest_checkpoint` and the
Saver) lists the kept checkpoints with their timestamps, so a new manager on the same
folder picks up where the last one left off.
"""

from __future__ import annotations

import collections
import logging
import os
import time
from typing import Any, Optional

import numpy as np

from flowgraph.io.checkpoint import checkpoint_file_paths
from flowgraph.runtime.state import NodeContext
from flowgraph.train import checkpoint_management as management
from flowgraph.train import training_util
from flowgraph.train.checkpoint_object import session_state

__all__ = ["CheckpointManager"]

_log = logging.getLogger(__name__)


def _delete_checkpoint_files(prefix: str) -> None:
    for path in checkpoint_file_paths(prefix):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            _log.warning("Ignoring: could not delete %s: %s", path, exc)


class CheckpointManager:
    """Saves `checkpoint` as ``directory/checkpoint_name-N`` and deletes old saves.

    `max_to_keep`: how many recent checkpoints to keep (None: all); a checkpoint is also
    kept, though no longer listed, every `keep_checkpoint_every_n_hours`. In graph mode
    `save` uses the default session.
    """

    def __init__(self, checkpoint: Any, directory: Any, max_to_keep: Optional[int],
                 keep_checkpoint_every_n_hours: Optional[float] = None,
                 checkpoint_name: str = "ckpt") -> None:
        if not hasattr(checkpoint, "write") or not hasattr(checkpoint, "save_counter"):
            raise TypeError(f"CheckpointManager expects a fg.train.Checkpoint, got "
                            f"{type(checkpoint).__name__}")
        if max_to_keep is not None and (not isinstance(max_to_keep, (int, np.integer))
                                        or max_to_keep <= 0):
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got "
                             f"{max_to_keep!r}.")
        self._checkpoint = checkpoint
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._directory = management._as_path(directory)
        self._checkpoint_prefix = os.path.join(self._directory, checkpoint_name)
        recovered = management.get_checkpoint_state(self._directory)
        current_clock = time.time()
        self._maybe_delete: collections.OrderedDict = collections.OrderedDict()
        if recovered is None:
            self._latest_checkpoint = None
            # Slightly in the past, so that a manager re-created at once keeps new saves.
            self._last_preserved_timestamp = current_clock - 1.0
            return
        self._latest_checkpoint = recovered.model_checkpoint_path
        self._last_preserved_timestamp = recovered.last_preserved_timestamp
        if current_clock < self._last_preserved_timestamp:
            _log.warning("time.time() returned a value %f seconds behind the last preserved "
                         "checkpoint timestamp.", self._last_preserved_timestamp - current_clock)
            self._last_preserved_timestamp = current_clock
        paths = recovered.all_model_checkpoint_paths
        stamps = recovered.all_model_checkpoint_timestamps or (
            [self._last_preserved_timestamp] * len(paths))
        for path, stamp in zip(paths, stamps):
            stamp = min(stamp, current_clock)
            if stamp > self._last_preserved_timestamp:
                self._maybe_delete[path] = stamp

    @property
    def directory(self) -> str:
        """The folder checkpoints are written to."""
        return self._directory

    @property
    def latest_checkpoint(self) -> Optional[str]:
        """The prefix of the most recent checkpoint (None before any)."""
        return self._latest_checkpoint

    @property
    def checkpoints(self) -> list:
        """The prefixes of the kept checkpoints, oldest first."""
        return list(self._maybe_delete)

    def _sweep(self) -> None:
        if not self._max_to_keep:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            path, stamp = self._maybe_delete.popitem(last=False)
            hours = self._keep_checkpoint_every_n_hours
            if hours and stamp - hours * 3600.0 >= self._last_preserved_timestamp:
                self._last_preserved_timestamp = stamp
                continue
            _delete_checkpoint_files(path)

    def _record_state(self) -> None:
        management.update_checkpoint_state_internal(
            self._directory, model_checkpoint_path=self._latest_checkpoint,
            all_model_checkpoint_paths=list(self._maybe_delete),
            all_model_checkpoint_timestamps=list(self._maybe_delete.values()),
            last_preserved_timestamp=self._last_preserved_timestamp,
            save_relative_paths=True)

    def save(self, checkpoint_number: Any = None) -> str:
        """Increments the checkpoint's `save_counter` and writes ``prefix-N`` (N: the
        counter, or `checkpoint_number`: an int or a Variable / Tensor evaluated in the
        session); deletes checkpoints beyond `max_to_keep`; returns the new path."""
        session, state = session_state(None, "CheckpointManager.save")
        counter = self._checkpoint._maybe_create_save_counter(session.graph)
        with state.lock:
            current = state.variables.get(counter.op.name)
            number = (0 if current is None else int(current)) + 1
            NodeContext(counter.op, state).write_variable(
                counter.op.name, np.array(number, dtype=np.int64), owned=True)
        if checkpoint_number is None:
            checkpoint_number = number
        elif not isinstance(checkpoint_number, (int, np.integer)):
            checkpoint_number = training_util.global_step(session, checkpoint_number)
        prefix = f"{self._checkpoint_prefix}-{int(checkpoint_number)}"
        save_path = self._checkpoint.write(prefix, session=session)
        # An overwritten checkpoint moves to the end of the queue.
        self._maybe_delete.pop(save_path, None)
        self._maybe_delete[save_path] = time.time()
        self._latest_checkpoint = save_path
        # The state file names the new checkpoint before anything is deleted, and again
        # without the deleted ones after.
        self._record_state()
        self._sweep()
        self._record_state()
        return save_path
