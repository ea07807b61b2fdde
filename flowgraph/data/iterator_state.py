"""Saving and restoring an iterator's position (TF1's
`tf.data.experimental.make_saveable_from_iterator`).

An iterator's state is where its pass stands: how many elements it has produced, and the
entropy its unseeded shuffles drew. Restoring rebuilds the pipeline from the same dataset
description with the same entropy and skips the elements already produced, so the next
element is the one that followed when the state was saved. This is exact for the dataset
kinds in `CHECKPOINTABLE_KINDS` (deterministic given their seeds); saving an iterator over
any other kind (e.g. `from_generator`) raises FailedPreconditionError, as TF's "... does not
support checkpointing".

The state is stored in the checkpoint as one scalar string (JSON), under the name
``<iterator tensor name>_STATE`` as TF1 does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Graph, GraphKeys, Operation, Tensor

__all__ = ["make_saveable_from_iterator", "IteratorSaveable"]

_FORMAT = "flowgraph-iterator-state"
_VERSION = 1

# Dataset kinds whose elements are the same when their pipeline is rebuilt with the same
# captured values and entropy.
CHECKPOINTABLE_KINDS = frozenset({
    "TensorSlices", "Tensors", "Range", "Zip", "Concatenate", "Map", "Filter", "Batch",
    "PaddedBatch", "Unbatch", "Shuffle", "Repeat", "Take", "Skip", "Shard", "Prefetch",
    "TextLine", "FixedLengthRecord", "Csv", "Npy", "TFRecord", "Options", "Window",
    "TakeWhile", "Scan", "Unique", "DenseToSparseBatch", "AssertCardinality",
})


# --------------------------------------------------------------------------- fingerprints
def fingerprint(description: Any) -> str:
    """A hex digest of a dataset description (values, kinds and traced functions): equal
    descriptions give equal digests, in every process."""
    digest = hashlib.sha256()
    _feed(digest, description)
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    from flowgraph.data.describe import PythonCode
    if isinstance(value, tuple):
        digest.update(b"(%d" % len(value))
        for item in value:
            _feed(digest, item)
        digest.update(b")")
    elif isinstance(value, np.ndarray):
        digest.update(f"a{value.dtype.str}{value.shape}".encode())
        if value.dtype.kind == "O":
            digest.update(repr(value.tolist()).encode("utf-8", "backslashreplace"))
        else:
            digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, Graph):
        digest.update(b"g" + value.as_graph_def(strip_creation_sites=True).to_json().encode())
    elif isinstance(value, PythonCode):
        # Python code has no stable content to hash: its description and object identity.
        digest.update(f"p{value.what}{id(value.obj)}".encode())
    else:
        digest.update(f"{type(value).__name__}:{value!r}".encode("utf-8", "backslashreplace"))


# --------------------------------------------------------------------------- state
def _kinds(description: Any) -> list:
    from flowgraph.data.describe import nodes_of
    return [kind for kind, _, _ in nodes_of(description)]


def _check_checkpointable(description: Any, name: str) -> None:
    for kind in _kinds(description):
        if kind not in CHECKPOINTABLE_KINDS:
            raise errors.FailedPreconditionError(
                None, None, f"Cannot save the state of iterator {name}: its {kind}Dataset "
                f"does not support checkpointing. Checkpointable datasets are built from "
                f"{', '.join(sorted(CHECKPOINTABLE_KINDS))}; leave this iterator out of the "
                "Saver (do not add its saveable to SAVEABLE_OBJECTS), or build the dataset "
                "from those.")


def _resource(state: Any, handle_op: Operation) -> Any:
    from flowgraph.data import engine
    name = getattr(handle_op.op_def, "shared_name", "") or handle_op.name
    return state.resources.get(engine.iterator_key(name))


def save_state(handle_op: Operation, state: Any) -> np.ndarray:
    """The state of the iterator of `handle_op` in a Session's `state`, as a scalar string
    array; FailedPreconditionError if it is not initialized or not checkpointable."""
    resource = _resource(state, handle_op)
    if resource is None and handle_op.type == "OneShotIterator":
        resource = _start_one_shot(handle_op, state)
    if resource is None or resource.origin is None:
        raise errors.FailedPreconditionError(
            None, handle_op, f"Cannot save the state of iterator {handle_op.name}: it has not "
            "been initialized in this Session. Run its initializer first.")
    description, _, env = resource.origin
    _check_checkpointable(description, handle_op.name)
    with resource.lock:
        record = {"format": _FORMAT, "version": _VERSION,
                  "fingerprint": fingerprint(description),
                  "consumed": int(resource.consumed),
                  "ended": resource._iterator is None,
                  "entropy": [str(e) for e in env.entropy]}
    out = np.empty((), dtype=object)
    out[()] = json.dumps(record, sort_keys=True).encode("utf-8")
    return out


def _start_one_shot(handle_op: Operation, state: Any) -> Any:
    # As TF1, restoring (or saving) a one-shot iterator creates it first.
    from flowgraph.data import engine
    name = handle_op.op_def.shared_name or handle_op.name
    key = engine.iterator_key(name)
    with state.lock:
        if key not in state.resources:
            env = engine.Env((), state)
            resource = engine.IteratorResource(engine.build(handle_op.op_def.dataset, env),
                                               name)
            resource.origin = (handle_op.op_def.dataset, (), env)
            state.resources[key] = resource
        return state.resources[key]


def _parse(value: Any, where: str) -> dict:
    try:
        item = np.asarray(value, dtype=object).item()
        text = item.decode("utf-8") if isinstance(item, bytes) else str(item)
        record = json.loads(text)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise errors.DataLossError(None, None, f"The iterator state {where} is not valid: "
                                   f"{exc}") from None
    ok = (isinstance(record, dict) and record.get("format") == _FORMAT and
          isinstance(record.get("consumed"), int) and record["consumed"] >= 0 and
          isinstance(record.get("ended"), bool) and isinstance(record.get("fingerprint"), str)
          and isinstance(record.get("entropy"), list) and
          all(isinstance(e, str) and e.isdigit() for e in record["entropy"]))
    if not ok:
        raise errors.DataLossError(None, None, f"The iterator state {where} is not a "
                                   "flowgraph iterator state.")
    if record.get("version") != _VERSION:
        raise errors.UnimplementedError(None, None, f"The iterator state {where} has version "
                                        f"{record.get('version')!r}; this flowgraph reads "
                                        f"version {_VERSION}.")
    return record


def restore_state(handle_op: Operation, state: Any, value: Any, where: str = "") -> None:
    """Sets the iterator of `handle_op` in `state` to the position saved in `value` (what
    `save_state` returned)."""
    from flowgraph.data import engine
    record = _parse(value, where)
    resource = _resource(state, handle_op)
    if resource is None and handle_op.type == "OneShotIterator":
        resource = _start_one_shot(handle_op, state)
    if resource is None or resource.origin is None:
        raise errors.FailedPreconditionError(
            None, handle_op, f"Cannot restore iterator {handle_op.name}: it has not been "
            "initialized in this Session. Run its initializer (with the same feeds as when "
            "it was saved) before restoring.")
    description, captured, _ = resource.origin
    if fingerprint(description) != record["fingerprint"]:
        raise errors.InvalidArgumentError(
            None, handle_op, f"Cannot restore iterator {handle_op.name}: the checkpoint {where}"
            " holds the state of an iterator over another dataset. Build the same dataset "
            "(same transformations, values and functions) as when it was saved.")
    env = engine.Env(captured, state)
    env.replay_entropy = [int(e) for e in record["entropy"]]
    source = engine.build(description, env)
    it: Optional[Any] = None
    if not record["ended"]:
        it = source.open()
        for _ in range(record["consumed"]):
            try:
                next(it)
            except StopIteration:
                raise errors.InvalidArgumentError(
                    None, handle_op, f"Cannot restore iterator {handle_op.name}: the "
                    f"checkpoint says it produced {record['consumed']} elements, but its "
                    "dataset has fewer now (its files or fed values changed?).") from None
    with resource.lock:
        resource._close()
        resource._iterator = it
        resource.consumed = record["consumed"]
        resource.origin = (description, captured, env)


# --------------------------------------------------------------------------- saveable
class IteratorSaveable:
    """What `make_saveable_from_iterator` returns: a saveable object for `fg.train.Saver`
    (TF1's `_IteratorSaveable`). `name` is the iterator tensor's name; the checkpoint holds
    its state as ``name + "_STATE"``."""

    def __init__(self, iterator_resource: Tensor, name: str,
                 external_state_policy: Any = None) -> None:
        self.op = iterator_resource
        self.name = name
        self.external_state_policy = external_state_policy

    @property
    def checkpoint_name(self) -> str:
        return self.name + "_STATE"

    @property
    def device(self) -> str:
        return self.op.device

    def save(self, state: Any) -> np.ndarray:
        """The iterator's state in a Session's state (a scalar string array)."""
        return save_state(self.op.op, state)

    def restore(self, state: Any, value: Any, where: str = "") -> None:
        """Puts the iterator back where `value` (from `save`) says."""
        restore_state(self.op.op, state, value, where)

    def __repr__(self) -> str:
        return f"<IteratorSaveable {self.name}>"


_POLICIES = ("warn", "ignore", "fail")


def make_saveable_from_iterator(iterator: Any, external_state_policy: Any = None
                                ) -> IteratorSaveable:
    """A saveable object for `iterator` (TF1's
    ``tf.data.experimental.make_saveable_from_iterator``): give it to a Saver's `var_list`
    or add it to the SAVEABLE_OBJECTS collection, and checkpoints hold the iterator's
    position; after restoring, `get_next()` continues from there.

    >>> it = fg.data.make_one_shot_iterator(fg.data.Dataset.range(10))
    >>> fg.add_to_collection(fg.GraphKeys.SAVEABLE_OBJECTS,
    ...                      fg.data.experimental.make_saveable_from_iterator(it))
    >>> saver = fg.train.Saver()

    `external_state_policy` ("warn", "ignore", "fail" or an ExternalStatePolicy) is
    accepted for TF compatibility: flowgraph replays stateful functions from their seeds.
    """
    from flowgraph.data.iterator import Iterator
    if not isinstance(iterator, Iterator):
        raise TypeError(f"make_saveable_from_iterator takes a fg.data.Iterator (from "
                        f"make_one_shot_iterator / make_initializable_iterator), got "
                        f"{type(iterator).__name__}")
    policy = external_state_policy
    if policy is not None:
        text = str(getattr(policy, "value", policy)).lower()
        if text not in _POLICIES and text not in ("0", "1", "2"):
            raise ValueError(f"external_state_policy must be one of {_POLICIES} (or an "
                             f"ExternalStatePolicy), got {policy!r}")
    handle = iterator._handle
    if handle.op.type not in ("IteratorV2", "OneShotIterator"):
        raise ValueError("make_saveable_from_iterator needs an iterator made by "
                         "make_one_shot_iterator, make_initializable_iterator or "
                         "Iterator.from_structure, not one from a string handle")
    return IteratorSaveable(handle, handle.name, policy)


def is_saveable_object(value: Any) -> bool:
    """True for objects the Saver saves through `save` / `restore` (not Variables)."""
    # (also the parts of mutable lookup tables: flowgraph.lookup.table_saveable)
    return isinstance(value, IteratorSaveable) or getattr(value, "is_saver_saveable", False)


def saveables_in(graph: Graph) -> list:
    return [s for s in graph.get_collection(GraphKeys.SAVEABLE_OBJECTS)
            if is_saveable_object(s)]
