"""Initializing Variables from a checkpoint and watching a folder for new checkpoints
(TF1's `tf.train.init_from_checkpoint` and `tf.train.checkpoints_iterator`).

`init_from_checkpoint` replaces a Variable's initializer by ``Assign(var, RestoreV2(...))``:
the values are read from the checkpoint when the initializer runs (typically
``fg.global_variables_initializer()``, which must therefore be built afterwards), as TF1.
"""

from __future__ import annotations

import logging
import os
import time
from collections import abc
from typing import Any, Callable, Iterator, Optional

from flowgraph.graph import init_scope
from flowgraph.train import checkpoint_management as management
from flowgraph.train.reader import load_checkpoint
from flowgraph.variables import Variable

__all__ = ["checkpoints_iterator", "init_from_checkpoint", "wait_for_new_checkpoint"]

_log = logging.getLogger("flowgraph.train")


def wait_for_new_checkpoint(checkpoint_dir: Any, last_checkpoint: Optional[str] = None,
                            seconds_to_sleep: float = 1, timeout: Optional[float] = None
                            ) -> Optional[str]:
    """The path of the latest checkpoint of `checkpoint_dir` once it differs from
    `last_checkpoint`; None if `timeout` seconds pass first (None: wait forever)."""
    _log.info("Waiting for new checkpoint at %s", checkpoint_dir)
    stop_time = time.time() + timeout if timeout is not None else None
    while True:
        checkpoint_path = management.latest_checkpoint(checkpoint_dir)
        if checkpoint_path is None or checkpoint_path == last_checkpoint:
            if stop_time is not None and time.time() + seconds_to_sleep > stop_time:
                return None
            time.sleep(seconds_to_sleep)
        else:
            _log.info("Found new checkpoint at %s", checkpoint_path)
            return checkpoint_path


def checkpoints_iterator(checkpoint_dir: Any, min_interval_secs: float = 0,
                         timeout: Optional[float] = None,
                         timeout_fn: Optional[Callable[[], bool]] = None) -> Iterator[str]:
    """Yields the path of each new checkpoint of `checkpoint_dir` as it appears.

    Parameters
    ----------
    checkpoint_dir : str
        The folder the checkpoints are saved in (its ``checkpoint`` state file is read).
    min_interval_secs : float
        At least this many seconds between two yields.
    timeout : float, optional
        The most seconds to wait for a new checkpoint; None waits forever.
    timeout_fn : callable, optional
        Called (no arguments) after a timeout: True ends the iteration, False waits again.
        Without it a timeout ends the iteration.

    >>> for path in fg.train.checkpoints_iterator("/tmp/model", timeout=60):
    ...     evaluate(path)
    """
    checkpoint_path = None
    while True:
        new_checkpoint_path = wait_for_new_checkpoint(checkpoint_dir, checkpoint_path,
                                                      timeout=timeout)
        if new_checkpoint_path:
            start = time.time()
            checkpoint_path = new_checkpoint_path
            yield checkpoint_path
            time_to_next_eval = start + min_interval_secs - time.time()
            if time_to_next_eval > 0:
                time.sleep(time_to_next_eval)
        elif timeout_fn is None:
            _log.info("Timed-out waiting for a checkpoint.")
            return
        if timeout_fn is not None and timeout_fn():
            _log.info("Done. No new checkpoints will be generated.")
            return


def init_from_checkpoint(ckpt_dir_or_file: Any, assignment_map: Any) -> None:
    """Replaces the initializers of Variables so that they load values from a checkpoint.

    Parameters
    ----------
    ckpt_dir_or_file : str
        A checkpoint prefix, or a folder (its latest checkpoint).
    assignment_map : dict or iterable of pairs
        ``{name in checkpoint: current variable}``, with TF1's forms:
        ``'old_scope/': 'new_scope/'`` (every `get_variable` Variable under new_scope from the
        tensor of the same relative name under old_scope), ``'/': 'new_scope/'`` (from the
        checkpoint's root), ``'old/var': 'new/var'`` (one variable made by `get_variable`),
        ``'old/var': variable`` (a Variable object).

    Raises
    ------
    ValueError
        If a tensor is missing from the checkpoint, a shape does not match, or a name maps
        a variable to a scope. A partitioned variable (a PartitionedVariable, the list of
        its parts, or its name) is loaded part by part from the whole checkpoint tensor.

    >>> fg.train.init_from_checkpoint("/tmp/pretrained", {"encoder/": "encoder/"})
    >>> sess.run(fg.global_variables_initializer())  # loads encoder/* from the checkpoint
    """
    from flowgraph.variable_scope import _store

    path = management._as_path(ckpt_dir_or_file)
    ckpt_file = management.latest_checkpoint(path) if os.path.isdir(path) else path
    reader = load_checkpoint(path)
    variable_map = reader.get_variable_to_shape_map()
    if isinstance(assignment_map, abc.Mapping):
        assignment_map = assignment_map.items()
    store_vars = _store().variables
    for tensor_name_in_ckpt, current in sorted(assignment_map, key=lambda pair: pair[0]):
        parts = _partitioned(current, store_vars)
        if parts:
            _init_parts(parts, ckpt_file, variable_map, tensor_name_in_ckpt)
            continue
        if isinstance(current, (list, tuple)):
            raise ValueError(f"init_from_checkpoint: {tensor_name_in_ckpt!r} maps to a list "
                             "that is not the parts of one partitioned variable")
        var = current if isinstance(current, Variable) else store_vars.get(current)
        if var is not None:
            if tensor_name_in_ckpt not in variable_map:
                raise ValueError(f"Tensor {tensor_name_in_ckpt} is not found in "
                                 f"{ckpt_dir_or_file} checkpoint {variable_map}")
            if not var.get_shape().is_compatible_with(variable_map[tensor_name_in_ckpt]):
                raise ValueError(
                    f"Shape of variable {var.name} ({var.get_shape()}) doesn't match with "
                    f"shape of tensor {tensor_name_in_ckpt} "
                    f"({variable_map[tensor_name_in_ckpt]}) from checkpoint reader.")
            _set_checkpoint_initializer(var, ckpt_file, tensor_name_in_ckpt)
            _log.debug("Initialize variable %s from checkpoint %s with %s", var.name,
                       ckpt_dir_or_file, tensor_name_in_ckpt)
            continue
        _init_scope(ckpt_dir_or_file, ckpt_file, variable_map, store_vars,
                    tensor_name_in_ckpt, current)


def _init_scope(ckpt_dir_or_file: Any, ckpt_file: str, variable_map: dict, store_vars: dict,
                tensor_name_in_ckpt: str, current: str) -> None:
    """A scope-to-scope entry: every get_variable Variable under `current`'s scope."""
    if not isinstance(current, str):
        raise TypeError(f"init_from_checkpoint: the assignment map's values must be names or "
                        f"Variables, got {type(current).__name__} for "
                        f"{tensor_name_in_ckpt!r}")
    scopes = current[:current.rindex("/")] if "/" in current else ""
    if not tensor_name_in_ckpt.endswith("/"):
        raise ValueError(f"Assignment map with scope only name {scopes} should map to scope "
                         f"only {tensor_name_in_ckpt}. Should be 'scope/': 'other_scope/'.")
    # As TF1: the parts `x/part_i` of a partitioned variable load from the tensor `x`.
    scope_variables = sorted({_without_part(name) for name in store_vars
                              if not scopes or name.startswith(scopes + "/")})
    for var_name in scope_variables:
        full_tensor_name = var_name[len(scopes):]
        if current != "/":
            full_tensor_name = full_tensor_name[1:]
        if tensor_name_in_ckpt != "/":
            full_tensor_name = tensor_name_in_ckpt + full_tensor_name
        if full_tensor_name.endswith("/"):
            full_tensor_name = full_tensor_name[:-1]
        if full_tensor_name not in variable_map:
            raise ValueError(f"Tensor {full_tensor_name} ({var_name[len(scopes) + 1:]} in "
                             f"{tensor_name_in_ckpt}) is not found in {ckpt_dir_or_file} "
                             "checkpoint")
        parts = _partitioned(var_name, store_vars)
        if parts:
            _init_parts(parts, ckpt_file, variable_map, full_tensor_name)
            continue
        _set_checkpoint_initializer(store_vars[var_name], ckpt_file, full_tensor_name)
        _log.debug("Initialize variable %s from checkpoint %s with %s", var_name,
                   ckpt_dir_or_file, full_tensor_name)


def _without_part(name: str) -> str:
    index = name.find("/part_")
    return name[:index] if index >= 0 and name[index + 6:].isdigit() else name


def _partitioned(current: Any, store_vars: dict) -> list:
    """The parts of a partitioned variable named or given by `current`, else []."""
    if hasattr(current, "_get_variable_list"):
        return current._get_variable_list()
    if isinstance(current, (list, tuple)):
        return list(current) if current and all(
            getattr(v, "_save_slice_info", None) is not None for v in current) else []
    if isinstance(current, str) and current not in store_vars:
        return [store_vars[key] for key in sorted(store_vars, key=_part_number)
                if key.startswith(current + "/part_") and _without_part(key) == current]
    return []


def _part_number(name: str) -> tuple:
    head, _, tail = name.rpartition("/part_")
    return (head, int(tail)) if tail.isdigit() else (name, -1)


def _init_parts(parts: list, ckpt_file: str, variable_map: dict, tensor_name: str) -> None:
    if tensor_name not in variable_map:
        raise ValueError(f"Tensor {tensor_name} is not found in {ckpt_file} checkpoint")
    for part in parts:
        info = part._save_slice_info
        if list(variable_map[tensor_name]) != list(info.full_shape):
            raise ValueError(f"Shape of partitioned variable {info.full_name} "
                             f"({info.full_shape}) doesn't match with shape of tensor "
                             f"{tensor_name} ({variable_map[tensor_name]}) from checkpoint "
                             "reader.")
        _set_checkpoint_initializer(part, ckpt_file, tensor_name,
                                    part_slice=(info.full_shape, info.var_offset,
                                                info.var_shape))


def _set_checkpoint_initializer(variable: Variable, ckpt_file: str, tensor_name: str,
                                name: str = "checkpoint_initializer",
                                part_slice: Optional[tuple] = None) -> None:
    """Makes `variable`'s initializer assign it the checkpoint's `tensor_name` (or, for a
    part of a partitioned variable, its slice `part_slice` = (full, offset, shape))."""
    from flowgraph.ops import state
    from flowgraph.ops.io_ops import restore_v2
    from flowgraph.ops.slicing import slice as slice_op

    with init_scope():
        restore_op = restore_v2(ckpt_file, [tensor_name], [""], [variable.dtype.base_dtype],
                                name=name)[0]
        if part_slice is not None:
            full, offset, shape = part_slice
            restore_op.set_shape(full)
            restore_op = slice_op(restore_op, offset, shape)
        restore_op.set_shape(variable.shape)
        init_op = state.assign(variable._variable, restore_op,
                               validate_shape=variable.shape.is_fully_defined()).op
    variable._initializer_op = init_op
    variable._initial_value = restore_op
