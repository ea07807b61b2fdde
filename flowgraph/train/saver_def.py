"""SaverDef (what `Saver.as_saver_def()` returns) and the checks of a Saver's var_list."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import GraphKeys, Operation, Tensor
from flowgraph.io import container
from flowgraph.variables import Variable

__all__ = ["SaverDef"]


_NAME_FIELDS = ("filename_tensor_name", "save_tensor_name", "restore_op_name")


class SaverDef(dict):
    """What `Saver.as_saver_def()` returns: TF1's SaverDef fields as keys (also readable as
    attributes: ``saver_def.max_to_keep``), plus ``variables`` ([name in the checkpoint,
    Variable op name] pairs) and ``reshape``. JSON-able; `Saver(saver_def=...)` rebuilds
    the Saver from it. TF1's tensor and op names are kept for reference only: saving runs
    no ops."""

    LEGACY = 0
    V1 = 1
    V2 = 2

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def variable_op(var: Any) -> Operation:
    if isinstance(var, Variable):
        return var.op
    if isinstance(var, Tensor) and getattr(var.op.op_def, "is_variable", False):
        return var.op
    raise TypeError(f"Saver's var_list must hold Variables (or variable tensors). Not a "
                    f"variable: {var!r}")


def _slice_of(var: Any) -> Optional[tuple]:
    """(full_shape, offset, shape) of a partitioned variable's part, else None."""
    info = getattr(var, "_save_slice_info", None)
    if info is None:
        return None
    return (list(info.full_shape), list(info.var_offset), list(info.var_shape))


def _expand(var: Any) -> list:
    # A PartitionedVariable is saved as its parts (one checkpoint entry, as TF1).
    return list(var) if hasattr(var, "_get_variable_list") else [var]


def entries_from_var_list(var_list: Any) -> list:
    """[(name in the checkpoint, variable Operation, slice or None)] sorted by name,
    checked as TF1 does. The parts of a partitioned variable share their checkpoint name
    (the whole variable's), each with its (full_shape, offset, shape) slice."""
    entries: list = []
    by_op: dict = {}

    def add(name: str, var: Any, slice_: Optional[tuple]) -> None:
        op = variable_op(var)
        if op in by_op:
            raise ValueError(f"The same saveable will be restored with two names: {name} "
                             f"and {by_op[op]} both name {op.name}")
        by_op[op] = name
        entries.append((name, op, slice_))

    if isinstance(var_list, dict):
        for name, value in var_list.items():
            if not isinstance(name, str) or not name:
                raise TypeError(f"Saver's var_list keys must be non-empty strings (names in "
                                f"the checkpoint), got {name!r}")
            # A list or PartitionedVariable is one variable in slices; a single Variable is
            # saved whole under `name` (even a part, as TF1).
            grouped = isinstance(value, (list, tuple)) or hasattr(value, "_get_variable_list")
            parts = _flatten(value) if isinstance(value, (list, tuple)) else _expand(value)
            for var in parts:
                add(name, var, _slice_of(var) if grouped else None)
    elif isinstance(var_list, (list, tuple, set)):
        for item in _flatten(var_list):
            for var in _expand(item):
                slice_ = _slice_of(var)
                name = var._save_slice_info.full_name if slice_ else variable_op(var).name
                if slice_ is None and any(e[0] == name for e in entries):
                    raise ValueError(f"At least two variables have the same name: {name}")
                add(name, var, slice_)
    else:
        raise TypeError(f"Variables to save should be passed in a dict or a list: {var_list!r}")
    check_entries(entries)
    return sorted(entries, key=lambda e: (e[0], e[1].name))


def check_entries(entries: list) -> None:
    """One graph; names within the container's limit; a shared checkpoint name only for
    slices of one full shape that do not overlap."""
    graphs = {op.graph for _, op, _ in entries}
    if len(graphs) > 1:
        raise ValueError("All variables of a Saver must belong to the same graph")
    groups: dict = {}
    for name, op, slice_ in entries:
        if len(name) > container.MAX_NAME_CHARS:
            raise ValueError(f"Checkpoint names are at most {container.MAX_NAME_CHARS} "
                             f"characters: {name[:80]}...")
        groups.setdefault(name, []).append((op, slice_))
    for name, members in groups.items():
        if len(members) == 1 and members[0][1] is None:
            continue
        if any(slice_ is None for _, slice_ in members):
            raise ValueError(f"At least two variables have the same name: {name}")
        if len({str(slice_[0]) for _, slice_ in members}) != 1:
            raise ValueError(f"The slices saved as {name} disagree on the full shape: "
                             f"{[slice_[0] for _, slice_ in members]}")
        full = members[0][1][0]
        covered = np.zeros(full, dtype=np.int64)
        for _, (_, offset, shape) in members:
            index = tuple(slice(o, o + n) for o, n in zip(offset, shape))
            covered[index] += 1
        # (Parts left out are saved as zeros: TF1 does so for the slots of partitioned
        # variables made under a variable scope, whose names shift per part.)
        if (covered > 1).any():
            raise ValueError(f"The slices saved as {name} overlap: each element of its full "
                             f"shape {full} may come from one part only")


def is_empty(var_list: Any) -> bool:
    return isinstance(var_list, (list, tuple, set, dict)) and not var_list


def _flatten(items: Any) -> list:
    flat = []
    for item in items:
        flat.extend(_flatten(item) if isinstance(item, (list, tuple)) else [item])
    return flat


def all_saveable_objects(graph: Any) -> list:
    return graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + \
        graph.get_collection(GraphKeys.SAVEABLE_OBJECTS)


def checked_saver_def(saver_def: Any) -> SaverDef:
    """A validated copy of a saver_def dict (which may come from a file)."""
    if not isinstance(saver_def, dict):
        raise ValueError(f"saver_def must be a SaverDef (the dict of Saver.as_saver_def()), "
                         f"got {type(saver_def).__name__}")
    result = SaverDef(saver_def)
    for key, kind in (("max_to_keep", int), ("version", int), ("sharded", bool),
                      ("keep_checkpoint_every_n_hours", (int, float)), ("reshape", bool)):
        if key in result and not isinstance(result[key], kind):
            raise ValueError(f"saver_def[{key!r}] must be a {kind}, got {result[key]!r:.80}")
    variables = result.get("variables")
    if variables is not None:
        if not isinstance(variables, list) or len(variables) > container.MAX_TENSORS:
            raise ValueError("saver_def['variables'] must be a list of [name in checkpoint, "
                             "variable op name] pairs")
        for pair in variables:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(
                    isinstance(s, str) and 0 < len(s) <= container.MAX_NAME_CHARS
                    for s in pair):
                raise ValueError(f"saver_def['variables'] holds an invalid entry "
                                 f"{pair!r:.80}")
        # (A checkpoint name may repeat: the parts of a partitioned variable share it.)
        names = [pair[1] for pair in variables]
        if len(set(names)) != len(names):
            raise ValueError("saver_def['variables'] lists a variable twice")
        result["variables"] = [list(pair) for pair in variables]
    slices = result.get("slices")
    if slices is not None:
        if not isinstance(slices, dict) or not all(
                isinstance(op_name, str) and _is_slice(spec) for op_name, spec in
                slices.items()):
            raise ValueError("saver_def['slices'] must map variable op names to [full_shape, "
                             "offset, shape] lists of equal-length int lists")
        result["slices"] = {k: [list(part) for part in v] for k, v in slices.items()}
    return result


def _is_slice(spec: Any) -> bool:
    return isinstance(spec, (list, tuple)) and len(spec) == 3 and all(
        isinstance(part, (list, tuple)) and len(part) == len(spec[0]) and all(
            isinstance(d, int) and d >= 0 for d in part) for part in spec)


def prepend_scope(name: str, scope: Optional[str]) -> str:
    if not scope:
        return name
    return f"{scope.rstrip('/')}/{name}"


def saver_def_in_scope(saver_def: SaverDef, scope: str) -> SaverDef:
    """A copy of `saver_def` with its op and variable names under name scope `scope`."""
    saver_def = SaverDef(saver_def)
    for key in _NAME_FIELDS:
        if isinstance(saver_def.get(key), str):
            saver_def[key] = prepend_scope(saver_def[key], scope)
    if saver_def.get("variables") is not None:
        saver_def["variables"] = [[name, prepend_scope(op_name, scope)]
                                  for name, op_name in saver_def["variables"]]
    if saver_def.get("slices"):
        saver_def["slices"] = {prepend_scope(op_name, scope): spec
                               for op_name, spec in saver_def["slices"].items()}
    return saver_def


def saver_def_without_scope(saver_def: SaverDef, scope: str) -> Optional[SaverDef]:
    """A copy of `saver_def` with name scope `scope` removed from its names; None if some
    name lies outside it."""
    scope = scope.rstrip("/") + "/"
    saver_def = SaverDef(saver_def)
    names = [saver_def[key] for key in _NAME_FIELDS if isinstance(saver_def.get(key), str)]
    names += [op_name for _, op_name in saver_def.get("variables") or []]
    if not all(name.startswith(scope) for name in names):
        return None
    for key in _NAME_FIELDS:
        if isinstance(saver_def.get(key), str):
            saver_def[key] = saver_def[key][len(scope):]
    if saver_def.get("variables") is not None:
        saver_def["variables"] = [[name, op_name[len(scope):]]
                                  for name, op_name in saver_def["variables"]]
    if saver_def.get("slices"):
        saver_def["slices"] = {op_name[len(scope):]: spec
                               for op_name, spec in saver_def["slices"].items()}
    return saver_def
