"""Checkpointing of mutable lookup tables by `fg.train.Saver`, as TF1's
``MutableHashTable._Saveable``: a table's entries are written as "<table name>-keys" and
"<table name>-values" and restoring replaces the table's contents with them.

A table with ``checkpoint=True`` adds its two parts (keys, values) to the
SAVEABLE_OBJECTS collection; each part is a saveable object of the Saver (the protocol of
`flowgraph.data.iterator_state.IteratorSaveable`: `op`, `checkpoint_name`, `save(state)`,
`restore(state, value, where)`). The parts of one table meet in its per-Session resource
when restored: the second to arrive puts the entries in.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import GraphKeys, Tensor
from flowgraph.ops.lookup_ops import TableResource, _key

__all__ = ["TableSaveablePart", "add_table_saveables", "table_part_from_saver_def_entry"]

_SUFFIXES = ("-keys", "-values")


def _resource(state: Any, handle_op: Any, create: bool) -> Optional[TableResource]:
    """The table of `handle_op` in a Session's state; made empty (as the handle op makes
    it) when `create` and it does not exist yet."""
    op_def = handle_op.op_def
    name = op_def.shared_name or handle_op.name
    key = "table:" + name
    resource = state.resources.get(key)
    if resource is None and create:
        with state.lock:
            resource = state.resources.get(key)
            if resource is None:
                key_dtype = dtypes.as_dtype(op_def.key_dtype)
                empty = None if op_def.empty_key is None else \
                    _key(op_def.empty_key, key_dtype.is_string)
                resource = TableResource(name, key_dtype, dtypes.as_dtype(op_def.value_dtype),
                                         op_def.kind, empty)
                state.resources[key] = resource
    return resource


class TableSaveablePart:
    """The keys (`part` "keys") or values ("values") of one mutable table, saved as
    ``name + "-keys"`` / ``name + "-values"``."""

    is_saver_saveable = True

    def __init__(self, handle: Tensor, name: str, part: str,
                 value_shape: Optional[tuple] = None) -> None:
        if part not in ("keys", "values"):
            raise ValueError(f"part must be 'keys' or 'values', got {part!r}")
        if getattr(handle.op, "type", None) != "LookupTableHandle":
            raise TypeError(f"a table saveable needs a lookup table's handle, got "
                            f"{getattr(handle, 'name', handle)!r}")
        self.op = handle
        self.name = name
        self.part = part
        self.value_shape = value_shape

    @property
    def checkpoint_name(self) -> str:
        return f"{self.name}-{self.part}"

    @property
    def device(self) -> str:
        return self.op.device

    def save(self, state: Any) -> np.ndarray:
        """This part of the table's entries in a Session's state (none if the table was
        never used there)."""
        op_def = self.op.op.op_def
        is_keys = self.part == "keys"
        dtype = dtypes.as_dtype(op_def.key_dtype if is_keys else op_def.value_dtype)
        np_dtype = object if dtype.is_string else dtype.np
        resource = _resource(state, self.op.op, create=False)
        if resource is None:
            entries: list = []
        else:
            with resource.lock:
                entries = list(resource.entries.keys() if is_keys else
                               resource.entries.values())
        if is_keys:
            out = np.empty(len(entries), dtype=np_dtype)
            out[:] = entries
            return out
        shape = tuple(self.value_shape or ()) if not entries else np.shape(entries[0])
        out = np.empty((len(entries),) + tuple(shape), dtype=np_dtype)
        for i, value in enumerate(entries):
            out[i] = value
        return out

    def restore(self, state: Any, value: Any, where: str = "") -> None:
        """Keeps this part; once both parts of the table arrived, the table holds exactly
        the checkpoint's entries."""
        resource = _resource(state, self.op.op, create=True)
        array = np.asarray(value)
        with resource.lock:
            pending = getattr(resource, "restoring", None) or {}
            pending[self.part] = array
            resource.restoring = pending
            if len(pending) < 2:
                return
            resource.restoring = None
        keys, values = pending["keys"], pending["values"]
        if keys.ndim != 1 or values.shape[:1] != keys.shape:
            raise errors.InvalidArgumentError(
                None, self.op.op, f"Cannot restore table {self.name!r} from {where}: "
                f"expected one value per key, got keys of shape {list(keys.shape)} and "
                f"values of shape {list(values.shape)}")
        is_string = resource.key_dtype.is_string
        entries = {}
        for k, v in zip(keys, values):
            k = _key(k, is_string)
            if resource.kind == "dense" and k == resource.empty_key:
                continue
            entries[k] = np.array(v, copy=True)
        with resource.lock:
            resource.entries = entries
            resource.initialized = True

    def __repr__(self) -> str:
        return f"<TableSaveablePart {self.checkpoint_name}>"


def add_table_saveables(table: Any, name: str) -> list:
    """Adds the keys and values parts of mutable `table` to its graph's SAVEABLE_OBJECTS
    (as TF1 adds a table's saveable); returns them."""
    handle = table.resource_handle
    dims = table._value_shape.as_list() if table._value_shape.ndims is not None else None
    value_shape = None if dims is None or None in dims else tuple(dims)
    parts = [TableSaveablePart(handle, name, part, value_shape) for part in ("keys", "values")]
    for part in parts:
        handle.graph.add_to_collection(GraphKeys.SAVEABLE_OBJECTS, part)
    return parts


def table_part_from_saver_def_entry(pair: Any, graph: Any) -> Optional[TableSaveablePart]:
    """The table part a saver_def's ``[checkpoint name, handle op name]`` entry names, or
    None if it names no lookup table."""
    if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and
            all(isinstance(p, str) for p in pair)):
        return None
    op = graph._ops_by_name.get(pair[1])
    if op is None or op.type != "LookupTableHandle":
        return None
    for suffix in _SUFFIXES:
        if pair[0].endswith(suffix):
            return TableSaveablePart(op.outputs[0], pair[0][:-len(suffix)], suffix[1:])
    raise ValueError(f"saver_def names the table {pair[1]!r} as {pair[0]!r}, which ends "
                     f"in neither {' nor '.join(_SUFFIXES)}")
