"""The status objects `fg.train.Checkpoint.restore` returns (TF's CheckpointLoadStatus,
InitializationOnlyStatus and NameBasedSaverStatus).

In graph mode nothing is restored until `run_restore_ops(session)` or
`initialize_or_restore(session)`. Both walk the object graph when called, so Variables
created after `restore()` (optimizer slots, lazily built layers) are restored too.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from flowgraph import errors
from flowgraph.runtime.state import NodeContext
from flowgraph.train.object_graph import OBJECT_GRAPH_KEY, walk

__all__ = ["CheckpointLoadStatus", "InitializationOnlyStatus", "NameBasedSaverStatus"]


def _session_state(session: Any, what: str) -> tuple:
    from flowgraph.train.checkpoint_object import session_state
    return session_state(session, what)


def _show(objects: list, limit: int = 10) -> str:
    return (f"Showing {min(limit, len(objects))} of {len(objects)} unmatched objects: "
            f"{objects[:limit]}")


def _restore_values(session: Any, state: Any, pairs: list, prefix: str) -> None:
    """Checks then writes each (checkpoint value, Variable) of `pairs`; nothing is written
    when one does not fit."""
    arrays = []
    for key, value, variable in pairs:
        expected = variable.shape
        if not expected.is_compatible_with(list(value.shape)):
            raise errors.InvalidArgumentError(
                None, variable.op, f"Restoring from checkpoint failed: variable "
                f"{variable.op.name} has shape {expected} in this graph but "
                f"{list(value.shape)} in checkpoint {prefix} (key {key}). Change the "
                "variable's shape or restore from a checkpoint of this model.")
        dtype = variable.dtype
        if not dtype.is_string and np.dtype(value.dtype) != dtype.np:
            raise errors.InvalidArgumentError(
                None, variable.op, f"Restoring from checkpoint failed: variable "
                f"{variable.op.name} is {dtype.name} in this graph but the checkpoint "
                f"{prefix} holds {value.dtype} under {key}.")
        arrays.append((variable.op, np.array(value, copy=True)))
    with state.lock:
        for op, array in arrays:
            NodeContext(op, state).write_variable(op.name, array, owned=True)


def _initialize(session: Any, variables: list) -> None:
    if variables:
        session.run([v.initializer for v in variables])


class CheckpointLoadStatus:
    """How an object-based checkpoint matches the objects reachable from the Checkpoint."""

    def __init__(self, root: Any, graph: Any, reader: Any) -> None:
        self._root = root
        self._graph = graph
        self._reader = reader
        document = json.loads(bytes(reader.get_tensor(OBJECT_GRAPH_KEY).item()).decode())
        self._checkpoint_nodes = list(document.get("nodes", []))
        self._checkpoint_keys = sorted(k for k in reader.get_variable_to_shape_map()
                                       if k != OBJECT_GRAPH_KEY)

    def _matches(self, graph: Any = None) -> tuple:
        found = walk(self._root, self._graph if graph is None else graph)
        keys = set(self._checkpoint_keys)
        matched = {k: v for k, v in found.variables.items() if k in keys}
        unmatched = [v for k, v in found.variables.items() if k not in keys]
        return found, matched, unmatched

    def assert_consumed(self) -> "CheckpointLoadStatus":
        """AssertionError unless every Variable reachable now has a checkpoint value and
        every object and value of the checkpoint has a Python object."""
        self.assert_existing_objects_matched()
        found, _, _ = self._matches()
        current = set(found.variables) | set(found.nodes)
        for item in self._checkpoint_nodes + self._checkpoint_keys:
            if item not in current:
                raise AssertionError(f"Unresolved object in checkpoint {item}: the program "
                                     "has no object at this path (a renamed or removed "
                                     "attribute, or a slot not created yet). Use "
                                     "assert_existing_objects_matched() or expect_partial() "
                                     "to allow a partial restore.")
        return self

    def assert_existing_objects_matched(self) -> "CheckpointLoadStatus":
        """AssertionError if a Variable reachable now has no value in the checkpoint."""
        _, _, unmatched = self._matches()
        if unmatched:
            raise AssertionError(
                f"Found {len(unmatched)} Python objects that were not bound to checkpointed "
                f"values, likely due to changes in the Python program. {_show(unmatched)}")
        return self

    def assert_nontrivial_match(self) -> "CheckpointLoadStatus":
        """AssertionError if nothing but the root matched the checkpoint."""
        found, matched, unmatched = self._matches()
        if not matched and not set(found.nodes) & set(self._checkpoint_nodes):
            if unmatched:
                raise AssertionError(
                    "Nothing except the root object matched a checkpointed value. Typically "
                    "this means that the checkpoint does not match the Python program. The "
                    f"following objects have no matching checkpointed value: {unmatched}")
            raise AssertionError(f"Nothing to load. No dependencies have been added to "
                                 f"{self._root!r} yet.")
        return self

    def expect_partial(self) -> "CheckpointLoadStatus":
        """Silences warnings about unused checkpoint values; returns self."""
        return self

    def run_restore_ops(self, session: Any = None) -> None:
        """Sets the matched Variables in `session` (default: the default session)."""
        session, state = _session_state(session, "run_restore_ops")
        _, matched, _ = self._matches(session.graph)
        pairs = [(k, self._reader.get_tensor(k), v) for k, v in matched.items()]
        _restore_values(session, state, pairs, self._reader.prefix)

    def initialize_or_restore(self, session: Any = None) -> None:
        """Restores the matched Variables and runs the initializers of the others."""
        session, _ = _session_state(session, "initialize_or_restore")
        self.run_restore_ops(session)
        _, _, unmatched = self._matches(session.graph)
        _initialize(session, unmatched)


class InitializationOnlyStatus:
    """The status of ``restore(None)``: nothing to restore; `initialize_or_restore` runs
    the initializers of every reachable Variable."""

    def __init__(self, root: Any, graph: Any) -> None:
        self._root = root
        self._graph = graph

    def _fail(self) -> None:
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    def assert_consumed(self) -> None:
        """Always AssertionError: nothing is being restored."""
        self._fail()

    def assert_existing_objects_matched(self) -> None:
        """Always AssertionError: nothing is being restored."""
        self._fail()

    def assert_nontrivial_match(self) -> None:
        """Always AssertionError: nothing is being restored."""
        self._fail()

    def expect_partial(self) -> "InitializationOnlyStatus":
        """Returns self."""
        return self

    def run_restore_ops(self, session: Any = None) -> None:
        """Nothing to restore (use `initialize_or_restore` to initialize)."""

    def initialize_or_restore(self, session: Any = None) -> None:
        """Runs the initializers of every Variable reachable from the Checkpoint."""
        session, _ = _session_state(session, "initialize_or_restore")
        _initialize(session, list(walk(self._root, session.graph).variables.values()))


class NameBasedSaverStatus:
    """Restoring a name-based (`fg.train.Saver`) checkpoint: Variables are matched by their
    graph names, as TF's fallback does."""

    def __init__(self, root: Any, graph: Any, reader: Any, save_counter: Any) -> None:
        self._root = root
        self._graph = graph
        self._reader = reader
        self._optional = save_counter

    def _split(self, graph: Any = None) -> tuple:
        found = walk(self._root, self._graph if graph is None else graph)
        names = self._reader.get_variable_to_shape_map()
        matched = [v for v in found.variables.values() if v.op.name in names]
        unmatched = [v for v in found.variables.values()
                     if v.op.name not in names and v is not self._optional]
        return matched, unmatched

    def assert_consumed(self) -> "NameBasedSaverStatus":
        """AssertionError if a reachable Variable has no value under its name."""
        _, unmatched = self._split()
        if unmatched:
            raise AssertionError(f"Some objects had attributes which were not restored: "
                                 f"{unmatched}")
        return self

    def assert_existing_objects_matched(self) -> "NameBasedSaverStatus":
        """As `assert_consumed` for a name-based checkpoint."""
        return self.assert_consumed()

    def assert_nontrivial_match(self) -> "NameBasedSaverStatus":
        """As `assert_consumed` for a name-based checkpoint."""
        return self.assert_consumed()

    def expect_partial(self) -> "NameBasedSaverStatus":
        """Returns self."""
        return self

    def run_restore_ops(self, session: Any = None) -> None:
        """Sets each reachable Variable found by name in the checkpoint."""
        session, state = _session_state(session, "run_restore_ops")
        matched, _ = self._split(session.graph)
        pairs = [(v.op.name, self._reader.get_tensor(v.op.name), v) for v in matched]
        _restore_values(session, state, pairs, self._reader.prefix)

    def initialize_or_restore(self, session: Any = None) -> None:
        """Restores by name, and initializes the Variables the checkpoint lacks."""
        session, _ = _session_state(session, "initialize_or_restore")
        self.run_restore_ops(session)
        matched, _ = self._split(session.graph)
        found = walk(self._root, session.graph).variables.values()
        _initialize(session, [v for v in found if all(v is not m for m in matched)])
