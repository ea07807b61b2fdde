"""SaverDef (what `Saver.as_saver_def()` returns) and the checks of a Saver's var_list."""

from __future__ import annotations

from typing import Any, Optional

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


def entries_from_var_list(var_list: Any) -> list:
    """[(name in the checkpoint, variable Operation)] sorted by name, checked as TF1 does."""
    named: dict = {}
    if isinstance(var_list, dict):
        seen: dict = {}
        for name, var in var_list.items():
            if not isinstance(name, str) or not name:
                raise TypeError(f"Saver's var_list keys must be non-empty strings (names in "
                                f"the checkpoint), got {name!r}")
            op = variable_op(var)
            if op in seen:
                raise ValueError(f"The same saveable will be restored with two names: {name} "
                                 f"and {seen[op]} both name {op.name}")
            seen[op] = name
            named[name] = op
    elif isinstance(var_list, (list, tuple, set)):
        for var in _flatten(var_list):
            op = variable_op(var)
            if op.name in named:
                raise ValueError(f"At least two variables have the same name: {op.name}")
            named[op.name] = op
    else:
        raise TypeError(f"Variables to save should be passed in a dict or a list: {var_list!r}")
    graphs = {op.graph for op in named.values()}
    if len(graphs) > 1:
        raise ValueError("All variables of a Saver must belong to the same graph")
    for name in named:
        if len(name) > container.MAX_NAME_CHARS:
            raise ValueError(f"Checkpoint names are at most {container.MAX_NAME_CHARS} "
                             f"characters: {name[:80]}...")
    return sorted(named.items())


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
        for column, what in ((0, "checkpoint name"), (1, "variable")):
            names = [pair[column] for pair in variables]
            if len(set(names)) != len(names):
                raise ValueError(f"saver_def['variables'] lists a {what} twice")
        result["variables"] = [list(pair) for pair in variables]
    return result


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
    return saver_def
