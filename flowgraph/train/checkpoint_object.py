"""`fg.train.Checkpoint`: object-based checkpoints (TF 1.15's ``tf.train.Checkpoint`` in
graph mode).

>>> ckpt = fg.train.Checkpoint(model=model, optimizer=opt, step=global_step)
>>> path = ckpt.save("/tmp/run/ckpt", session=sess)           # "/tmp/run/ckpt-1"
>>> ckpt.restore(fg.train.latest_checkpoint("/tmp/run")).run_restore_ops(sess)

Values are keyed by the attribute path from the Checkpoint to each Variable (see
`flowgraph.train.object_graph`) and written in flowgraph's checkpoint format (atomic, no
pickles), together with a JSON description of the object graph under TF's key
``_CHECKPOINTABLE_OBJECT_GRAPH``. Like the Saver, saving and restoring read and write the
Session's variable values directly.
"""

from __future__ import annotations

import json
import os
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.context import get_default_session
from flowgraph.graph import get_default_graph
from flowgraph.io.checkpoint import CheckpointReader, write_checkpoint
from flowgraph.runtime.state import NodeContext, SessionState, uninitialized_error
from flowgraph.train import checkpoint_management as management
from flowgraph.train.checkpoint_status import (
    CheckpointLoadStatus,
    InitializationOnlyStatus,
    NameBasedSaverStatus,
)
from flowgraph.train.object_graph import OBJECT_GRAPH_KEY, is_trackable, walk
from flowgraph.variables import Variable

__all__ = ["Checkpoint", "session_state"]

_INTERNAL = frozenset(("_save_counter", "_fg_trackable"))


def session_state(session: Any, what: str) -> tuple:
    """(session, its SessionState): `session`, or the default session when None."""
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(f"{what} needs a Session in graph mode: pass session=sess or "
                             "call it inside a `with sess.as_default():` block")
    state = getattr(session, "state", None)
    if not isinstance(state, SessionState):
        raise TypeError(f"'session' must be a Session, got {type(session).__name__}")
    if getattr(session, "_closed", False):
        raise RuntimeError("Attempted to use a closed Session.")
    return session, state


class Checkpoint:
    """Groups trackable objects (Variables, `fg.Module`s, optimizers, layers, other
    Checkpoints) under names and saves or restores all the Variables they reach.

    Keyword arguments are the tracked objects; a value that is not trackable raises
    ValueError. Attributes set later are tracked too.
    """

    _fg_trackable = True

    def __init__(self, **kwargs: Any) -> None:
        self._save_counter: Optional[Variable] = None
        for key, value in sorted(kwargs.items(), key=lambda item: item[0]):
            if not is_trackable(value):
                raise ValueError(
                    f"`Checkpoint` was expecting a trackable object (an object derived from "
                    f"`Trackable`), got {value!r:.200}. If you believe this object should be "
                    "trackable (i.e. it is part of the TensorFlow Python API and manages "
                    "state), please open an issue.")
            setattr(self, key, value)

    def _fg_checkpoint_children(self) -> list:
        children = [(k, v) for k, v in vars(self).items() if k not in _INTERNAL]
        if self._save_counter is not None:
            children.append(("save_counter", self._save_counter))
        return children

    # -- the save counter
    def _maybe_create_save_counter(self, graph: Any = None) -> Variable:
        graph = get_default_graph() if graph is None else graph
        if self._save_counter is None or self._save_counter.graph is not graph:
            with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
                self._save_counter = Variable(np.int64(0), name="save_counter",
                                              trainable=False, dtype=dtypes.int64)
        return self._save_counter

    @property
    def save_counter(self) -> Variable:
        """The int64 Variable counting `save` calls (created on first use); `save` names
        checkpoints ``prefix-<save_counter>``."""
        return self._maybe_create_save_counter()

    # -- saving
    def write(self, file_prefix: Any, session: Any = None) -> str:
        """Writes checkpoint `file_prefix` (no counter, no state file); returns the path."""
        session, state = session_state(session, "Checkpoint.write")
        prefix = management._as_path(file_prefix)
        found = walk(self, session.graph)
        values = {}
        for key, variable in found.variables.items():
            value = state.variables.get(variable.op.name)
            if value is None:
                raise uninitialized_error(session.graph, variable.op.name)
            values[key] = value
        document = {"format": "flowgraph-object-graph", "version": 1, "nodes": found.nodes,
                    "slots": sorted(found.slot_keys)}
        values[OBJECT_GRAPH_KEY] = np.array(json.dumps(document).encode(), dtype=object)
        parent = os.path.dirname(prefix)
        if parent and not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)
        write_checkpoint(prefix, values)
        return prefix

    def save(self, file_prefix: Any, session: Any = None) -> str:
        """Increments `save_counter`, writes checkpoint ``file_prefix-<counter>``, records it
        in the folder's "checkpoint" state file, and returns its path."""
        session, state = session_state(session, "Checkpoint.save")
        prefix = management._as_path(file_prefix)
        counter = self._maybe_create_save_counter(session.graph)
        with state.lock:
            current = state.variables.get(counter.op.name)
            number = (0 if current is None else int(current)) + 1
            NodeContext(counter.op, state).write_variable(
                counter.op.name, np.array(number, dtype=np.int64), owned=True)
        path = self.write(f"{prefix}-{number}", session=session)
        management.update_checkpoint_state_internal(
            save_dir=os.path.dirname(prefix), model_checkpoint_path=path,
            all_model_checkpoint_paths=[path], save_relative_paths=True)
        return path

    # -- restoring
    def restore(self, save_path: Any) -> Any:
        """Prepares restoring checkpoint `save_path` (None: nothing to restore); returns a
        status whose `run_restore_ops(session)` / `initialize_or_restore(session)` set the
        values, and whose `assert_*` methods check how well the checkpoint matched.

        NotFoundError if `save_path` names no checkpoint.
        """
        graph = get_default_graph()
        if save_path is None:
            self._maybe_create_save_counter(graph)
            return InitializationOnlyStatus(self, graph)
        path = management._as_path(save_path)
        if not management.checkpoint_exists(path):
            hint = ""
            if os.path.isdir(path):
                hint = (" (that is a folder: pass a checkpoint prefix such as "
                        "fg.train.latest_checkpoint(folder))")
            raise errors.NotFoundError(None, None, "Unsuccessful TensorSliceReader "
                                       f"constructor: Failed to find any matching files for "
                                       f"{path}{hint}")
        reader = CheckpointReader(path)
        self._maybe_create_save_counter(graph)
        if not reader.has_tensor(OBJECT_GRAPH_KEY):
            return NameBasedSaverStatus(self, graph, reader, self._save_counter)
        return CheckpointLoadStatus(self, graph, reader)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "save_counter":
            raise AttributeError("save_counter is managed by the Checkpoint")
        super().__setattr__(name, value)
