"""Running dataset descriptions: pipelines of Python iterators over numpy elements.

`build(description, env)` turns a description (see `describe`) into a `Source`, whose
`open()` starts one pass ("epoch") over its elements; an element is the flat tuple of its
leaf values. Each kind of dataset has a builder in `engine_sources`, `engine_transforms`,
`engine_batching`, `engine_order` or `engine_readers`. An iterator op keeps an
`IteratorResource` (the pass in progress) in its Session's `SessionState.resources`, so
every Session iterates on its own.

Traced functions run through `FunctionRunner`: one Plan compiled for the function's graph,
run for each element (from several threads at once for parallel maps).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np

from flowgraph import errors
from flowgraph.data.describe import nodes_of, python_object
from flowgraph.runtime.executor import run_sequential
from flowgraph.runtime.plan import Plan
from flowgraph.runtime.state import SessionState
from flowgraph.sparse_tensor import SparseTensorValue


class Source:
    """A dataset at run time. `open()` returns an iterator over one pass of its elements;
    `batches(n, drop_remainder)`, when not None, gives batches of n directly (fast path);
    `ahead(n)`, when not None, opens a pass that computes n more elements ahead of the
    consumer in background threads of its own (a parallel map: prefetch uses it)."""

    __slots__ = ("open", "batches", "ahead")

    def __init__(self, open_fn: Callable[[], Iterator[tuple]],
                 batches: Optional[Callable[[int, bool], Iterator[tuple]]] = None,
                 ahead: Optional[Callable[[int], Iterator[tuple]]] = None) -> None:
        self.open = open_fn
        self.batches = batches
        self.ahead = ahead


class Env:
    """What building a pipeline needs: the values of the captured tensors (`inputs`), the
    Session's state, and the functions compiled so far (shared by inner datasets)."""

    def __init__(self, inputs: Sequence[Any], state: Optional[SessionState]) -> None:
        self.inputs = list(inputs)
        self.state = state if state is not None else SessionState()
        # The state of stateful ops inside traced functions (e.g. random ones): a new one
        # for every initialization, so a seeded function replays in every new Session.
        self.sub_state = SessionState()
        self._functions: dict = {}
        self._lock = threading.Lock()
        # Entropy drawn by unseeded shuffles (saved with an iterator's state) and, when
        # restoring one, the entropy to draw again (see iterator_state).
        self.entropy: list = []
        self.replay_entropy: list = []

    def with_inputs(self, inputs: Sequence[Any]) -> "Env":
        """An Env for an inner dataset (of flat_map) whose captured values are `inputs`."""
        env = Env.__new__(Env)
        env.inputs = list(inputs)
        env.state, env.sub_state = self.state, self.sub_state
        env._functions, env._lock = self._functions, self._lock
        env.entropy, env.replay_entropy = self.entropy, self.replay_entropy
        return env

    def unseeded_sequence(self) -> np.random.SeedSequence:
        """A fresh SeedSequence for an unseeded random dataset, its entropy recorded (a
        restored iterator replays the entropy it saved)."""
        with self._lock:
            entropy = self.replay_entropy.pop(0) if self.replay_entropy else None
            base = np.random.SeedSequence(entropy)
            self.entropy.append(int(base.entropy))
        return base

    # -- values
    def value(self, slot: Any) -> Any:
        """The value of an ("input", k) or ("const", array) slot."""
        kind, payload = slot[0], slot[1]
        if kind == "const":
            return payload
        if kind == "input":
            return self.inputs[payload]
        if kind == "sparse" and len(slot) == 4:
            return SparseTensorValue(*(self.value(part) for part in slot[1:]))
        raise errors.InvalidArgumentError(None, None, f"Invalid dataset value slot {slot!r:.60}")

    def integer(self, slot: Any, what: str) -> int:
        value = np.asarray(self.value(slot))
        if value.ndim != 0 or value.dtype.kind not in "iu":
            raise errors.InvalidArgumentError(None, None, f"{what} must be an integer scalar, "
                                              f"got {value.dtype.name} of shape "
                                              f"{list(value.shape)}")
        return int(value)

    def boolean(self, slot: Any, what: str) -> bool:
        value = np.asarray(self.value(slot))
        if value.ndim != 0:
            raise errors.InvalidArgumentError(None, None, f"{what} must be a scalar")
        return bool(value)

    def text(self, slot: Any, what: str) -> str:
        value = np.asarray(self.value(slot), dtype=object)
        if value.ndim != 0:
            raise errors.InvalidArgumentError(None, None, f"{what} must be a scalar string")
        item = value.item()
        return item.decode("utf-8") if isinstance(item, bytes) else str(item)

    def captured(self, attrs: dict) -> tuple:
        """The values of the tensors a function captured (see tracing), to append to the
        element when calling it."""
        return tuple(self.value(slot) for slot in attrs.get("captured", ()))

    def python(self, value: Any, what: str) -> Any:
        return python_object(value, what)

    # -- functions
    def function(self, description: tuple) -> "FunctionRunner":
        key = id(description)
        with self._lock:
            entry = self._functions.get(key)
            if entry is None or entry[0] is not description:
                entry = self._functions[key] = (description, FunctionRunner(description,
                                                                             self.sub_state))
        return entry[1]


class FunctionRunner:
    """Runs a traced function: flat element leaves in, flat result leaves out."""

    def __init__(self, description: tuple, state: SessionState) -> None:
        if not (isinstance(description, tuple) and len(description) == 7 and
                description[0] == "function"):
            raise errors.InvalidArgumentError(None, None, "Invalid dataset function "
                                              "description")
        _, graph, in_names, out_names, in_kinds, out_kinds, inner = description
        feeds = [graph.get_tensor_by_name(n) for n in in_names]
        fetches = [graph.get_tensor_by_name(n) for n in out_names]
        with graph.building_lock:
            self.plan = Plan(fetches, [], feeds, state)
        self.in_kinds = in_kinds
        self.out_kinds = out_kinds
        self.inner = inner
        self._expand = "sparse" in in_kinds

    def __call__(self, element: tuple) -> tuple:
        plan = self.plan
        values = plan.template.copy()
        feeds = _expand(element, self.in_kinds) if self._expand else element
        for slot, value in zip(plan.feed_slots, feeds):
            values[slot] = value
        with np.errstate(all="ignore"):
            run_sequential(plan, values)
        result = plan.read_fetches(values)
        if "sparse" not in self.out_kinds:
            return tuple(result)
        return _group(result, self.out_kinds)


def _expand(element: tuple, kinds: tuple) -> list:
    flat: list = []
    for value, kind in zip(element, kinds):
        if kind == "sparse":
            flat.extend((value.indices, value.values, value.dense_shape))
        else:
            flat.append(value)
    return flat


def _group(values: Sequence[Any], kinds: tuple) -> tuple:
    out = []
    it = iter(values)
    for kind in kinds:
        if kind == "sparse":
            out.append(SparseTensorValue(next(it), next(it), next(it)))
        else:
            out.append(next(it))
    return tuple(out)


# --------------------------------------------------------------------------- building
def _builder(kind: str) -> Any:
    """The builder of a dataset kind (the kind modules import this one, so they are
    imported here, when a pipeline is built)."""
    from flowgraph.data import (
        engine_batching,
        engine_experimental,
        engine_order,
        engine_readers,
        engine_sources,
        engine_transforms,
        tfrecord,
    )
    for module in (engine_sources, engine_transforms, engine_batching, engine_order,
                   engine_readers, tfrecord, engine_experimental):
        builder = module.KINDS.get(kind)
        if builder is not None:
            return builder
    return None


class NodeRef:
    """One node of a description: what builders receive for their input datasets."""

    __slots__ = ("nodes", "index")

    def __init__(self, nodes: tuple, index: int) -> None:
        self.nodes = nodes
        self.index = index


def build(description: Any, env: Env) -> Source:
    """The run-time Source of a dataset description (or of one node of it)."""
    if isinstance(description, NodeRef):
        nodes, index = description.nodes, description.index
    else:
        nodes = nodes_of(description)
        index = len(nodes) - 1
    kind, attrs, children = nodes[index]
    builder = _builder(kind)
    if builder is None:
        raise errors.UnimplementedError(None, None, f"Unknown dataset kind {kind!r:.60}: the "
                                        "graph may come from a newer flowgraph.")
    return builder(attrs, tuple(NodeRef(nodes, c) for c in children), env)


# --------------------------------------------------------------------------- iterators
class IteratorResource:
    """The pass in progress of one initialized iterator (kept in SessionState.resources)."""

    def __init__(self, source: Source, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()
        self._iterator: Optional[Iterator[tuple]] = source.open()
        self.consumed = 0  # elements taken so far (iterator_state saves it)
        self.origin: Optional[tuple] = None  # (description, captured values, Env) if known

    def next(self) -> tuple:
        """The next element; OutOfRangeError("End of sequence") after the last."""
        with self.lock:
            it = self._iterator
            if it is None:
                raise errors.OutOfRangeError(None, None, "End of sequence")
            try:
                element = next(it)
                self.consumed += 1
                return element
            except StopIteration:
                self._close()
                raise errors.OutOfRangeError(None, None, "End of sequence") from None
            except BaseException:
                self._close()  # a failed Python iterator cannot continue
                raise

    def _close(self) -> None:
        it, self._iterator = self._iterator, None
        if it is not None and hasattr(it, "close"):
            it.close()

    def close(self) -> None:
        """Stops the pass (background threads of prefetch and parallel map end)."""
        with self.lock:
            self._close()


def iterator_key(handle: Any) -> tuple:
    """The SessionState.resources key of the iterator that a handle value names."""
    value = np.asarray(handle, dtype=object)
    if value.ndim != 0:
        raise errors.InvalidArgumentError(None, None, "An iterator handle must be a scalar "
                                          f"string, got shape {list(value.shape)}")
    item = value.item()
    return ("iterator", item if isinstance(item, bytes) else str(item).encode("utf-8"))


def replace_resource(state: SessionState, key: tuple, resource: Any) -> None:
    """Stores `resource` under `key`, closing the one it replaces (re-initialization)."""
    with state.lock:
        old = state.resources.get(key)
        state.resources[key] = resource
    if old is not None and hasattr(old, "close"):
        old.close()
