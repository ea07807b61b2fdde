"""`fg.train.Saver`: saves Variables to checkpoints and restores them (TF1's Saver).

The Saver reads and writes Variable values directly in the Session's state instead of
running save/restore ops, so saving adds nothing to the graph. Files are written by
`flowgraph.io.checkpoint` (atomically, data then index), then the meta graph, and the
folder's `checkpoint` state file last: a process killed at any moment leaves the
checkpoint that the state file names complete.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Operation, get_default_graph
from flowgraph.io.checkpoint import CheckpointReader, close_matches, write_checkpoint
from flowgraph.runtime.state import NodeContext, SessionState, uninitialized_error
from flowgraph.train import checkpoint_management as management
from flowgraph.train import training_util
from flowgraph.train.saver_def import (
    SaverDef,
    all_saveable_objects,
    check_entries,
    checked_saver_def,
    entries_from_var_list,
    is_empty,
    saver_def_in_scope,
    saver_def_without_scope,
)

__all__ = ["Saver", "SaverDef"]

_log = logging.getLogger(__name__)


class Saver:
    """Saves and restores Variables (TF1's ``tf.train.Saver``).

    >>> saver = fg.train.Saver()                  # all global variables
    >>> path = saver.save(sess, "/tmp/model/model.ckpt", global_step=step)
    >>> saver.restore(sess, fg.train.latest_checkpoint("/tmp/model"))

    `var_list`: None (all saveable variables), a list of Variables (stored under their op
    names) or a dict {name in the checkpoint: Variable}. `max_to_keep` recent checkpoints
    are kept (plus one every `keep_checkpoint_every_n_hours`); `reshape=True` restores a
    value of another shape with as many elements. `sharded`, `builder`,
    `restore_sequentially` and `filename` are accepted for TF1 compatibility; checkpoints
    are always one data file.
    """

    def __init__(self, var_list: Any = None, reshape: bool = False, sharded: bool = False,
                 max_to_keep: Optional[int] = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                 name: Optional[str] = None, restore_sequentially: bool = False,
                 saver_def: Any = None, builder: Any = None, defer_build: bool = False,
                 allow_empty: bool = False, write_version: int = SaverDef.V2,
                 pad_step_number: bool = False, save_relative_paths: bool = False,
                 filename: Optional[str] = None) -> None:
        if defer_build and var_list is not None and not is_empty(var_list):
            raise ValueError("If `var_list` is provided then build cannot be deferred. "
                             "Either set defer_build=False or var_list=None.")
        self._var_list = var_list
        self._reshape = bool(reshape)
        self._sharded = bool(sharded)
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._restore_sequentially = restore_sequentially
        self.saver_def = None if saver_def is None else checked_saver_def(saver_def)
        self._builder = builder
        self._is_built = False
        self._allow_empty = allow_empty
        self._is_empty: Optional[bool] = None
        self._write_version = write_version
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._save_relative_paths = save_relative_paths
        self._graph = get_default_graph()
        self._entries: list = []
        self._saveables: list = []  # saveable objects (iterators): see data.iterator_state
        self._last_checkpoints: list = []
        self._checkpoints_to_be_deleted: list = []
        self._next_checkpoint_time = time.time() + float(keep_checkpoint_every_n_hours) * 3600
        if not defer_build:
            self.build()
        if self.saver_def is not None:
            self._write_version = self.saver_def.get("version", write_version)

    # -- building
    def build(self) -> None:
        """Collects the variables to save (called by the constructor unless defer_build)."""
        if self._is_built:
            return
        self._is_built = True
        if self.saver_def is None or self.saver_def.get("variables") is None:
            var_list = self._var_list
            if var_list is None:
                var_list = all_saveable_objects(self._graph)
            var_list, self._saveables = _split_saveables(var_list)
            if is_empty(var_list) and self._saveables:
                self._graph = self._saveables[0].op.graph
                self.saver_def = self.saver_def or self._new_saver_def()
                self._is_empty = False
                return
            if is_empty(var_list):
                if self._allow_empty:
                    self._is_empty = True
                    return
                raise ValueError("No variables to save")
            self._entries = entries_from_var_list(var_list)
            self._graph = self._entries[0][1].graph
            if self.saver_def is None:
                self.saver_def = self._new_saver_def()
        else:
            if self._name:
                # As TF1, `name` doubles as the import scope of a given saver_def.
                self.saver_def = saver_def_in_scope(self.saver_def, self._name)
            self._entries = self._entries_from_saver_def()
            self._saveables = _saveables_from_saver_def(self.saver_def, self._graph)
        self._is_empty = not self._entries and not self._saveables
        self._next_checkpoint_time = (
            time.time() + float(self.saver_def.get("keep_checkpoint_every_n_hours",
                                                   self._keep_checkpoint_every_n_hours)) * 3600)

    def _new_saver_def(self) -> SaverDef:
        with self._graph.name_scope(self._name or "save") as scope:
            pass
        # Parts of partitioned variables: where each lies in its checkpoint entry.
        slices = {op.name: [list(part) for part in slice_]
                  for _, op, slice_ in self._entries if slice_ is not None}
        return SaverDef(
            filename_tensor_name=f"{scope}Const:0",
            save_tensor_name=f"{scope}control_dependency:0",
            restore_op_name=f"{scope}restore_all",
            max_to_keep=int(self._max_to_keep or 0), sharded=self._sharded,
            keep_checkpoint_every_n_hours=float(self._keep_checkpoint_every_n_hours),
            version=int(self._write_version), reshape=self._reshape,
            variables=[[name, op.name] for name, op, _ in self._entries],
            **({"slices": slices} if slices else {}),
            **({"saveables": [[s.checkpoint_name, s.op.op.name] for s in self._saveables]}
               if self._saveables else {}))

    def _entries_from_saver_def(self) -> list:
        entries = []
        slices = self.saver_def.get("slices") or {}
        for name, op_name in self.saver_def["variables"]:
            op = self._graph._ops_by_name.get(op_name)
            if op is None or not getattr(op.op_def, "is_variable", False):
                raise ValueError(f"saver_def names the variable {op_name!r} (saved as "
                                 f"{name!r}), which is not a Variable of the graph")
            spec = slices.get(op_name)
            entries.append((name, op, None if spec is None else tuple(spec)))
        check_entries(entries)
        self._reshape = bool(self.saver_def.get("reshape", False))
        return sorted(entries, key=lambda e: (e[0], e[1].name))

    def as_saver_def(self) -> Optional[SaverDef]:
        """This Saver's SaverDef (a dict; None for an empty Saver)."""
        return None if self.saver_def is None else SaverDef(self.saver_def)

    def to_proto(self, export_scope: Optional[str] = None) -> Optional[SaverDef]:
        """The SaverDef with `export_scope` stripped from names (None if outside it)."""
        if export_scope is None or self.saver_def is None:
            return self.as_saver_def()
        return saver_def_without_scope(self.saver_def, export_scope)

    @staticmethod
    def from_proto(saver_def: Any, import_scope: Optional[str] = None) -> "Saver":
        """A Saver rebuilt from `saver_def`, its variable names under `import_scope`."""
        return Saver(saver_def=saver_def, name=import_scope)

    # -- kept checkpoints
    @property
    def last_checkpoints(self) -> list:
        """Prefixes of the not-yet-deleted checkpoints, oldest first."""
        return [path for path, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints: list) -> None:
        """DEPRECATED (use set_last_checkpoints_with_time); these are never deleted."""
        if not isinstance(last_checkpoints, list):
            raise TypeError("last_checkpoints must be a list")
        self._last_checkpoints = [(path, np.inf) for path in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time: list) -> None:
        """Sets the kept checkpoints as [(prefix, timestamp)], oldest first."""
        if not isinstance(last_checkpoints_with_time, list):
            raise TypeError("last_checkpoints_with_time must be a list")
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths: list) -> None:
        """Takes over the existing checkpoints among `checkpoint_paths` after a restart (so
        that max_to_keep deletes them in turn), timestamped by their files' mtimes."""
        recovered = []
        for path in checkpoint_paths:
            mtime = management.get_checkpoint_mtimes([path])
            if mtime:
                recovered.append((path, mtime[0]))
        self.set_last_checkpoints_with_time(recovered)

    def _record_last_checkpoint(self, latest_save_path: str) -> None:
        if not self.saver_def.get("max_to_keep"):
            return
        self._last_checkpoints = [p for p in self._last_checkpoints
                                  if p[0] != latest_save_path]
        self._last_checkpoints.append((latest_save_path, time.time()))
        if len(self._last_checkpoints) > self.saver_def["max_to_keep"]:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix: str = "meta") -> None:
        if not self._checkpoints_to_be_deleted:
            return
        path, stamp = self._checkpoints_to_be_deleted.pop(0)
        if stamp > self._next_checkpoint_time:
            self._next_checkpoint_time += float(
                self.saver_def.get("keep_checkpoint_every_n_hours", 10000.0)) * 3600
            return
        try:
            management.remove_checkpoint(path, self._write_version, meta_graph_suffix)
        except OSError as exc:
            _log.warning("Ignoring: %s", exc)

    # -- saving and restoring
    def _check_session(self, sess: Any) -> SessionState:
        state = getattr(sess, "state", None)
        if not isinstance(state, SessionState):
            raise TypeError(f"'sess' must be a Session; {sess!r}")
        if getattr(sess, "_closed", False):
            raise RuntimeError("Attempted to use a closed Session.")
        if self._entries and sess.graph is not self._graph:
            raise ValueError("The Saver's variables belong to another graph than the "
                             "session's: create the Saver in the session's graph")
        return state

    def save(self, sess: Any, save_path: Any, global_step: Any = None,
             latest_filename: Optional[str] = None, meta_graph_suffix: str = "meta",
             write_meta_graph: bool = True, write_state: bool = True,
             strip_default_attrs: bool = False, save_debug_info: bool = False
             ) -> Optional[str]:
        """Saves the variables' values in `sess`; returns the checkpoint prefix
        (``save_path-STEP`` when `global_step` is given: an int, or a Tensor / Variable /
        tensor name evaluated in `sess`), or None for an empty Saver.

        Writes ``PREFIX.data-00000-of-00001`` and ``PREFIX.index``, then ``PREFIX.meta``
        (when `write_meta_graph`), then the folder's state file (`latest_filename`,
        default "checkpoint", when `write_state`), and deletes checkpoints beyond
        `max_to_keep`.
        """
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = management._as_path(save_path)
        state = self._check_session(sess)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = training_util.global_step(sess, global_step)
            step = f"{int(global_step):08d}" if self._pad_step_number else str(int(global_step))
            checkpoint_file = f"{save_path}-{step}"
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(f"'latest_filename' collides with 'save_path': "
                                 f"'{latest_filename}' and '{save_path}'")
        save_path_parent = os.path.dirname(save_path)
        if not self._is_empty:
            values = self._values(state)
            if save_path_parent and not os.path.isdir(save_path_parent):
                # As TF1's V2 checkpoint writer: a missing folder is created.
                os.makedirs(save_path_parent, exist_ok=True)
            write_checkpoint(checkpoint_file, values)
        if write_meta_graph:
            with sess.graph.as_default():
                self.export_meta_graph(
                    management.meta_graph_filename(checkpoint_file, meta_graph_suffix),
                    strip_default_attrs=strip_default_attrs, save_debug_info=save_debug_info)
        if self._is_empty:
            return None
        if write_state:
            self._record_last_checkpoint(checkpoint_file)
            management.update_checkpoint_state_internal(
                save_dir=save_path_parent, model_checkpoint_path=checkpoint_file,
                all_model_checkpoint_paths=self.last_checkpoints,
                latest_filename=latest_filename,
                save_relative_paths=self._save_relative_paths)
            self._maybe_delete_old_checkpoints(meta_graph_suffix=meta_graph_suffix)
        return checkpoint_file

    def _values(self, state: SessionState) -> dict:
        values = {}
        for name, op, slice_ in self._entries:
            value = state.variables.get(op.name)
            if value is None:
                raise uninitialized_error(op.graph, op.name)
            dtype = op.outputs[0].dtype
            if not dtype.is_string and value.dtype != dtype.np:
                value = np.asarray(value, dtype=dtype.np)
            if slice_ is not None:
                # A part of a partitioned variable: written into the whole value.
                full, offset, shape = slice_
                if name not in values:
                    values[name] = np.zeros(full, dtype=value.dtype)
                values[name][_slice_index(offset, shape)] = value
                continue
            values[name] = value
        for saveable in self._saveables:
            values[saveable.checkpoint_name] = saveable.save(state)
        return values

    def restore(self, sess: Any, save_path: Any) -> None:
        """Sets the variables in `sess` to their values in checkpoint `save_path` (they need
        no initializer run first).

        ValueError if `save_path` is None or names no checkpoint; NotFoundError naming a
        variable missing from the checkpoint; InvalidArgumentError on a dtype or shape
        mismatch; DataLossError if the files are damaged. Nothing is changed on error.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        prefix = management._as_path(save_path)
        if not management.checkpoint_exists(prefix):
            raise ValueError("The passed save_path is not a valid checkpoint: " + prefix)
        state = self._check_session(sess)
        reader = CheckpointReader(prefix)
        shapes = reader.get_variable_to_shape_map()
        dtype_names = {name: dtype.name for name, dtype in
                       reader.get_variable_to_dtype_map().items()}
        missing = [(name, op) for name, op, _ in self._entries if name not in shapes]
        missing += [(s.checkpoint_name, s.op.op) for s in self._saveables
                    if s.checkpoint_name not in shapes]
        if missing:
            lines = []
            for name, op in missing[:5]:
                close = close_matches(name, shapes)
                hint = f" (close matches in the checkpoint: {', '.join(close)})" if close else ""
                lines.append(f"Key {name} not found in checkpoint (variable {op.name}){hint}")
            more = f"\n... and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise errors.NotFoundError(None, missing[0][1], _restore_failed(
                "a Variable name or other graph key that is missing",
                "\n".join(lines) + more + f"\nCheckpoint: {prefix}"))
        targets = []
        for name, op, slice_ in self._entries:
            stored = shapes[name]
            if slice_ is not None:
                if list(stored) != list(slice_[0]):
                    raise errors.InvalidArgumentError(None, op, _restore_failed(
                        "a mismatch between the current graph and the graph",
                        f"partitioned variable {name} has shape {slice_[0]} in this graph "
                        f"(part {op.name}) but {list(stored)} in checkpoint {prefix}"))
                stored = slice_[2]
            targets.append((name, op, slice_, self._target_shape(name, op, stored,
                                                                 dtype_names[name], prefix)))
        arrays = []
        whole: dict = {}
        for name, op, slice_, shape in targets:
            if name not in whole:
                whole[name] = reader.get_tensor(name)
            array = whole[name]
            if slice_ is not None:
                array = np.array(array[_slice_index(slice_[1], slice_[2])], copy=True)
            arrays.append((op, array if shape is None else array.reshape(shape)))
        with state.lock:
            for op, array in arrays:
                NodeContext(op, state).write_variable(op.name, array, owned=True)
        for saveable in self._saveables:
            saveable.restore(state, reader.get_tensor(saveable.checkpoint_name),
                             f"{saveable.checkpoint_name} in checkpoint {prefix}")

    def _target_shape(self, name: str, op: Operation, shape: list, dtype_name: str,
                      prefix: str) -> Optional[tuple]:
        """None if the stored value fits Variable `op` as is, else the shape to reshape it to
        (reshape=True); InvalidArgumentError if it does not fit."""
        var = op.outputs[0]
        if var.dtype.name != dtype_name:
            raise errors.InvalidArgumentError(None, op, _restore_failed(
                "a mismatch between the current graph and the graph",
                f"tensor_name = {name}; expected dtype {var.dtype.name} (variable {op.name}) "
                f"does not equal original dtype {dtype_name} in checkpoint {prefix}"))
        if var.shape.is_compatible_with(shape):
            return None
        if self._reshape and var.shape.is_fully_defined() and \
                var.shape.num_elements() == int(np.prod(shape, dtype=np.int64)):
            return tuple(var.shape.as_list())
        raise errors.InvalidArgumentError(None, op, _restore_failed(
            "a mismatch between the current graph and the graph",
            f"Assign requires shapes of both tensors to match. lhs shape= {var.shape} "
            f"(variable {op.name}) rhs shape= {shape} (tensor {name!r} in checkpoint "
            f"{prefix})"))

    def export_meta_graph(self, filename: Optional[str] = None, collection_list: Any = None,
                          as_text: bool = False, export_scope: Optional[str] = None,
                          clear_devices: bool = False, clear_extraneous_savers: bool = False,
                          strip_default_attrs: bool = False, save_debug_info: bool = False
                          ) -> Any:
        """Writes the default graph with this Saver's SaverDef as a meta graph file (the
        SaverDef's names relative to `export_scope` when given)."""
        from flowgraph.io import meta_graph
        extra = {key: value for key, value in (
            ("clear_extraneous_savers", clear_extraneous_savers),
            ("strip_default_attrs", strip_default_attrs),
            ("save_debug_info", save_debug_info)) if value}
        return meta_graph.export_meta_graph(
            filename=filename, saver_def=self.to_proto(export_scope),
            collection_list=collection_list,
            as_text=as_text, graph=get_default_graph(), export_scope=export_scope,
            clear_devices=clear_devices, **extra)


def _slice_index(offset: list, shape: list) -> tuple:
    return tuple(slice(o, o + n) for o, n in zip(offset, shape))


def _restore_failed(cause: str, detail: str) -> str:
    return (f"Restoring from checkpoint failed. This is most likely due to {cause} from the "
            "checkpoint. Please ensure that you have not altered the graph expected based on "
            f"the checkpoint. Original error:\n\n{detail}")


def _split_saveables(var_list: Any) -> tuple:
    """(var_list without saveable objects, the saveable objects): iterators (see
    flowgraph.data.iterator_state) are saved by their own save / restore methods."""
    from flowgraph.data.iterator_state import is_saveable_object
    if isinstance(var_list, dict):
        found = [v for v in var_list.values() if is_saveable_object(v)]
        return {k: v for k, v in var_list.items() if not is_saveable_object(v)}, found
    if isinstance(var_list, (list, tuple, set)):
        found = [v for v in var_list if is_saveable_object(v)]
        return [v for v in var_list if not is_saveable_object(v)], found
    return var_list, []


def _saveables_from_saver_def(saver_def: Any, graph: Any) -> list:
    from flowgraph.data.iterator_state import IteratorSaveable
    found = []
    from flowgraph.lookup.table_saveable import table_part_from_saver_def_entry
    for pair in saver_def.get("saveables") or []:
        table_part = table_part_from_saver_def_entry(pair, graph)
        if table_part is not None:
            found.append(table_part)
            continue
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and
                all(isinstance(p, str) for p in pair) and pair[0].endswith("_STATE")):
            raise ValueError(f"saver_def['saveables'] holds an invalid entry {pair!r:.80}")
        op = graph._ops_by_name.get(pair[1])
        if op is None or op.type not in ("IteratorV2", "OneShotIterator"):
            raise ValueError(f"saver_def names the iterator {pair[1]!r} (saved as "
                             f"{pair[0]!r}), which is not an iterator of the graph")
        found.append(IteratorSaveable(op.outputs[0], pair[0][:-len("_STATE")]))
    return found
