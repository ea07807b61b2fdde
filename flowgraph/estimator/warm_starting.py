"""Warm-starting an Estimator from another model's checkpoint: `WarmStartSettings` and
`VocabInfo`, as TF1's `tf.estimator.WarmStartSettings`.

TF1 rewrites the variables' initializers to read the checkpoint; here the values are read
when the graph is built and loaded into the new session right after its init op (only
when model_dir has no checkpoint of its own, as TF1), without adding ops to the graph.
"""

import collections
import logging
import os
from typing import Any, Callable, Optional

import numpy as np

from flowgraph.graph import GraphKeys, get_default_graph
from flowgraph.variables import Variable

__all__ = ["WarmStartSettings", "VocabInfo", "default_warm_start_settings",
           "plan_warm_start"]

_log = logging.getLogger("flowgraph.estimator")


class VocabInfo(collections.namedtuple("VocabInfo", [
        "new_vocab", "new_vocab_size", "num_oov_buckets", "old_vocab", "old_vocab_size",
        "backup_initializer", "axis"])):
    """How to remap the rows (axis 0) or columns (axis 1) of a variable whose vocabulary
    changed: rows of tokens found in `old_vocab` are copied, others get
    `backup_initializer` (default zeros)."""

    def __new__(cls, new_vocab: str, new_vocab_size: int, num_oov_buckets: int,
                old_vocab: str, old_vocab_size: int = -1, backup_initializer: Any = None,
                axis: int = 0) -> "VocabInfo":
        if axis not in (0, 1):
            raise ValueError("The only supported values for the axis argument are 0 and 1.  "
                             f"Provided axis: {axis}")
        return super().__new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab,
                               old_vocab_size, backup_initializer, axis)


class WarmStartSettings(collections.namedtuple("WarmStartSettings", [
        "ckpt_to_initialize_from", "vars_to_warm_start", "var_name_to_vocab_info",
        "var_name_to_prev_var_name"])):
    """Which variables to initialize from which checkpoint.

    Parameters
    ----------
    ckpt_to_initialize_from : str
        A checkpoint prefix, or a folder (its latest checkpoint).
    vars_to_warm_start : str, list of str, list of Variable, or None
        A regex over the trainable variables (default '.*': all of them); a list of
        regexes over all global variables; the Variables themselves; or None (only those in
        `var_name_to_vocab_info`).
    var_name_to_vocab_info : dict of str to VocabInfo, optional
    var_name_to_prev_var_name : dict of str to str, optional
        The name in the checkpoint of a renamed variable.
    """

    def __new__(cls, ckpt_to_initialize_from: str, vars_to_warm_start: Any = ".*",
                var_name_to_vocab_info: Optional[dict] = None,
                var_name_to_prev_var_name: Optional[dict] = None) -> "WarmStartSettings":
        if not ckpt_to_initialize_from:
            raise ValueError("`ckpt_to_initialize_from` MUST be set in WarmStartSettings")
        return super().__new__(cls, ckpt_to_initialize_from, vars_to_warm_start,
                               var_name_to_vocab_info or {}, var_name_to_prev_var_name or {})


def default_warm_start_settings(warm_start_from: Any) -> Optional[WarmStartSettings]:
    """WarmStartSettings from Estimator's `warm_start_from` (None, a path or settings)."""
    if warm_start_from is None:
        return None
    if isinstance(warm_start_from, (str, bytes, os.PathLike)):
        path = os.fsdecode(warm_start_from)
        variables_index = os.path.join(path, "variables", "variables.index")
        if os.path.exists(variables_index):
            _log.info("Warm-starting from a SavedModel")
            return WarmStartSettings(
                ckpt_to_initialize_from=os.path.join(path, "variables", "variables"))
        return WarmStartSettings(ckpt_to_initialize_from=path)
    if isinstance(warm_start_from, WarmStartSettings):
        return warm_start_from
    raise ValueError("warm_start_from must be a string or a WarmStartSettings, instead got "
                     f"{type(warm_start_from)}")


def _selected_variables(vars_to_warm_start: Any, vocab_names: list) -> list:
    graph = get_default_graph()
    if isinstance(vars_to_warm_start, str):
        variables = graph.get_collection(GraphKeys.TRAINABLE_VARIABLES, vars_to_warm_start)
    elif isinstance(vars_to_warm_start, list):
        if all(isinstance(v, str) for v in vars_to_warm_start):
            variables = []
            for scope in vars_to_warm_start:
                variables += graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope)
        elif all(isinstance(v, Variable) for v in vars_to_warm_start):
            variables = list(vars_to_warm_start)
        else:
            raise ValueError("If `vars_to_warm_start` is a list, it must be all `Variable` or "
                             "all `str`.  Given types are "
                             f"{[type(v) for v in vars_to_warm_start]}")
    elif vars_to_warm_start is None:
        variables = []
    else:
        raise ValueError("`vars_to_warm_start must be a `list` or `str`.  Given type is "
                         f"{type(vars_to_warm_start)}")
    names = {v.op.name for v in variables}
    for v in graph.get_collection(GraphKeys.TRAINABLE_VARIABLES):
        if v.op.name in vocab_names and v.op.name not in names:
            variables.append(v)
            names.add(v.op.name)
    # Deduplicate, keeping order.
    seen: set = set()
    unique = []
    for v in variables:
        if v.op.name not in seen:
            seen.add(v.op.name)
            unique.append(v)
    return unique


def plan_warm_start(settings: WarmStartSettings) -> Callable[[Any], None]:
    """Read the warm-start values for the default graph's variables now; returns
    `load(session)` that puts them into a session after its init op."""
    from flowgraph.train.reader import load_checkpoint

    reader = load_checkpoint(settings.ckpt_to_initialize_from)
    vocab_infos = dict(settings.var_name_to_vocab_info)
    prev_names = dict(settings.var_name_to_prev_var_name)
    variables = _selected_variables(settings.vars_to_warm_start, list(vocab_infos))
    # A variable is known by its checkpoint name (TF1's full name of a partitioned one).
    from flowgraph.estimator.checkpoint_names import checkpoint_var_list

    tf1_names = {id(v): name for name, v in (checkpoint_var_list() or {}).items()}
    loads = []
    used_prev = set()
    for var in variables:
        name = tf1_names.get(id(var), var.op.name)
        prev = prev_names.get(name, name)
        if name in prev_names:
            used_prev.add(name)
        if not reader.has_tensor(prev):
            raise ValueError(f"Tensor {prev} is not found in {reader.prefix} checkpoint (asked "
                             f"for by warm-starting the variable {name}).")
        old_value = reader.get_tensor(prev)
        info = vocab_infos.get(name)
        if info is None:
            if list(old_value.shape) != var.shape.as_list():
                raise ValueError(f"Shape of variable {name} ({var.shape.as_list()}) doesn't "
                                 f"match with shape of tensor {prev} ({list(old_value.shape)})"
                                 " from checkpoint reader.")
            loads.append((var, old_value, None))
        else:
            backup = None
            if info.backup_initializer is not None:
                backup = info.backup_initializer(var.shape.as_list(), dtype=var.dtype)
            loads.append((var, old_value, (info, backup)))
    unused = sorted(set(prev_names) - used_prev)
    if unused:
        raise ValueError(f"You provided the following variables in var_name_to_prev_var_name "
                         f"that were not used: {unused}.  Perhaps you misspelled them?  Here "
                         f"is the list of viable variable names: "
                         f"{[tf1_names.get(id(v), v.op.name) for v in variables]}")
    _log.info("Warm-starting %d variables from %s", len(loads), reader.prefix)

    def load(session: Any) -> None:
        for var, old_value, vocab in loads:
            if vocab is None:
                var.load(old_value, session)
            else:
                info, backup = vocab
                shape = var.shape.as_list()
                base = (np.zeros(shape, var.dtype.as_numpy_dtype) if backup is None
                        else np.asarray(session.run(backup)))
                var.load(_remap(old_value, base, info), session)

    return load


def _read_vocab(path: str, size: int) -> list:
    with open(path, encoding="utf-8") as handle:
        tokens = [line.rstrip("\n") for line in handle]
    return tokens if size in (-1, None) else tokens[:size]


def _remap(old_value: np.ndarray, base: np.ndarray, info: VocabInfo) -> np.ndarray:
    """`base` with the rows (or columns) of tokens present in the old vocab copied from
    `old_value`."""
    new_tokens = _read_vocab(info.new_vocab, info.new_vocab_size)
    old_index = {t: i for i, t in enumerate(_read_vocab(info.old_vocab,
                                                        info.old_vocab_size))}
    result = np.array(base, copy=True)
    for new_i, token in enumerate(new_tokens):
        old_i = old_index.get(token)
        if old_i is None or old_i >= old_value.shape[info.axis]:
            continue
        if info.axis == 0:
            result[new_i] = old_value[old_i]
        else:
            result[:, new_i] = old_value[:, old_i]
    return result
