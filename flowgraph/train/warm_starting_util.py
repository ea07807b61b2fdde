"""`fg.train.warm_start`: initialize a model's Variables from another model's checkpoint
(TF1's `tf.compat.v1.train.warm_start`).

Variables without vocabulary go through `init_from_checkpoint` (read when their
initializers run). Vocabulary remapping (`VocabInfo`) reads both vocabulary files and the
checkpoint's tensor when `warm_start` is called, and makes the initializer pick, per row
(axis 0) or column (axis 1), the remapped checkpoint value or the backup initializer's;
partitioned variables are not supported (flowgraph has no partitioners).
"""

from __future__ import annotations

import logging
from typing import Any, Optional

import numpy as np

from flowgraph.graph import GraphKeys, get_collection, init_scope
from flowgraph.train.checkpoint_utils import init_from_checkpoint
from flowgraph.variables import Variable

__all__ = ["warm_start"]

_log = logging.getLogger("flowgraph.train")


def warm_start(ckpt_to_initialize_from: Any, vars_to_warm_start: Any = ".*",
               var_name_to_vocab_info: Optional[dict] = None,
               var_name_to_prev_var_name: Optional[dict] = None) -> None:
    """Makes the chosen Variables' initializers load values from a checkpoint.

    Parameters
    ----------
    ckpt_to_initialize_from : str
        A checkpoint prefix, or a folder (its latest checkpoint).
    vars_to_warm_start : str, list of str, list of Variable, or None
        A regex over the trainable variables (default '.*': all of them); a list of regexes
        over the global variables; the Variables themselves; or None (only the variables
        named in `var_name_to_vocab_info`).
    var_name_to_vocab_info : dict of str to VocabInfo, optional
        Variables whose rows (or columns) follow a vocabulary that changed.
    var_name_to_prev_var_name : dict of str to str, optional
        The name in the checkpoint of a variable that was renamed.

    Raises
    ------
    ValueError
        For an unknown `vars_to_warm_start` type, names in the two dicts that match no
        selected variable, and the errors of `init_from_checkpoint`.
    """
    _log.info("Warm-starting from: %s", ckpt_to_initialize_from)
    grouped = _get_grouped_variables(vars_to_warm_start)
    vocab_infos = var_name_to_vocab_info or {}
    prev_names = var_name_to_prev_var_name or {}
    count = 0
    prev_used: set = set()
    vocab_used: set = set()
    vocabless: dict = {}
    for var_name, variables in grouped.items():
        prev_var_name = prev_names.get(var_name)
        if prev_var_name:
            prev_used.add(var_name)
        vocab_info = vocab_infos.get(var_name)
        if vocab_info:
            vocab_used.add(var_name)
            count += 1
            _warm_start_var_with_vocab(variables[0], ckpt_to_initialize_from, vocab_info,
                                       prev_var_name or var_name)
        elif vars_to_warm_start:
            count += 1
            vocabless[prev_var_name or var_name] = variables[0]
    init_from_checkpoint(ckpt_to_initialize_from, vocabless)
    _log.info("Warm-started %d variables.", count)
    prev_unused = set(prev_names) - prev_used
    if prev_unused:
        raise ValueError(f"You provided the following variables in var_name_to_prev_var_name "
                         f"that were not used: {prev_unused}.  Perhaps you misspelled them?  "
                         f"Here is the list of viable variable names: {list(grouped)}")
    vocab_unused = set(vocab_infos) - vocab_used
    if vocab_unused:
        raise ValueError(f"You provided the following variables in var_name_to_vocab_info "
                         f"that were not used: {vocab_unused}.  Perhaps you misspelled "
                         f"them?  Here is the list of viable variable names: {list(grouped)}")


def _get_grouped_variables(vars_to_warm_start: Any) -> dict:
    """{variable name: [Variable]} of the variables `vars_to_warm_start` selects."""
    if isinstance(vars_to_warm_start, str) or vars_to_warm_start is None:
        # None selects every trainable variable too; only those with a VocabInfo are used.
        scope = vars_to_warm_start if isinstance(vars_to_warm_start, str) else None
        variables = get_collection(GraphKeys.TRAINABLE_VARIABLES, scope=scope)
    elif isinstance(vars_to_warm_start, list):
        if all(isinstance(v, str) for v in vars_to_warm_start):
            variables = []
            for scope in vars_to_warm_start:
                variables += get_collection(GraphKeys.GLOBAL_VARIABLES, scope=scope)
        elif all(isinstance(v, Variable) for v in vars_to_warm_start):
            variables = list(vars_to_warm_start)
        else:
            raise ValueError("If `vars_to_warm_start` is a list, it must be all `Variable` or "
                             "all `str`.  Given types are "
                             f"{[type(v) for v in vars_to_warm_start]}")
    else:
        raise ValueError("`vars_to_warm_start must be a `list` or `str`.  Given type is "
                         f"{type(vars_to_warm_start)}")
    grouped: dict = {}
    for v in variables:
        grouped.setdefault(v.op.name, []).append(v)
    return grouped


def _warm_start_var_with_vocab(var: Variable, ckpt_path: Any, vocab_info: Any,
                               prev_tensor_name: str) -> None:
    """Sets `var`'s initializer to the checkpoint's rows (columns) remapped by vocabulary,
    the backup initializer's values where a token is new."""
    from flowgraph.estimator.warm_starting import _read_vocab
    from flowgraph.ops import state
    from flowgraph.ops.constant import constant
    from flowgraph.ops.fill import zeros
    from flowgraph.ops.logic import where
    from flowgraph.train.reader import load_checkpoint

    if not vocab_info.new_vocab:
        raise ValueError(f"Invalid new_vocab or old_vocab for variable {var.op.name}")
    shape = var.shape.as_list()
    if len(shape) != 2:
        raise ValueError(f"Vocabulary remapping needs a 2-D variable; {var.op.name} has shape "
                         f"{var.shape}")
    old_value = load_checkpoint(ckpt_path).get_tensor(prev_tensor_name)
    axis = vocab_info.axis
    new_tokens = _read_vocab(vocab_info.new_vocab, vocab_info.new_vocab_size)
    old_tokens = _read_vocab(vocab_info.old_vocab, vocab_info.old_vocab_size)
    old_index = {token: i for i, token in enumerate(old_tokens)}
    if old_value.shape[1 - axis] != shape[1 - axis]:
        raise ValueError(f"Shape of variable {var.op.name} ({shape}) doesn't match with shape "
                         f"of tensor {prev_tensor_name} ({list(old_value.shape)}) along the "
                         f"axis that is not remapped (axis {1 - axis}).")
    remapped = np.zeros(shape, var.dtype.as_numpy_dtype)
    found = np.zeros(shape[axis], bool)
    for new_i, token in enumerate(new_tokens[:shape[axis]]):
        old_i = old_index.get(token)
        if old_i is None or old_i >= old_value.shape[axis]:
            continue
        found[new_i] = True
        if axis == 0:
            remapped[new_i] = old_value[old_i]
        else:
            remapped[:, new_i] = old_value[:, old_i]
    mask = np.broadcast_to(found[:, None] if axis == 0 else found[None, :], shape)
    with init_scope():
        backup = (zeros(shape, var.dtype) if vocab_info.backup_initializer is None
                  else vocab_info.backup_initializer(shape, dtype=var.dtype))
        value = where(constant(mask), constant(remapped, var.dtype), backup)
        var._initializer_op = state.assign(var._variable, value).op
    var._initial_value = value
