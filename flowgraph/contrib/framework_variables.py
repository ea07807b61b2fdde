"""The variable helpers of TF1's `tf.contrib.framework` (`contrib/framework/python/ops/
variables.py`): collection look-ups by scope and suffix, `model_variable` / `local_variable`,
`get_variables_to_restore`, and the assign-from-values / assign-from-checkpoint helpers."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.contrib.framework_arg_scope import add_arg_scope
from flowgraph.graph import GraphKeys, device, get_collection
from flowgraph.ops.constant import placeholder
from flowgraph.ops.control import group
from flowgraph.train.reader import NewCheckpointReader
from flowgraph.train.saver import Saver
from flowgraph.variable_scope import VariableScope, get_variable, get_variable_scope
from flowgraph.variables import Variable

__all__ = ["get_variables", "get_model_variables", "get_local_variables",
           "get_trainable_variables", "get_variables_to_restore", "get_variables_by_name",
           "get_variables_by_suffix", "get_unique_variable", "get_variable_full_name",
           "variable", "model_variable", "local_variable", "global_variable",
           "filter_variables", "assign_from_values", "assign_from_values_fn",
           "assign_from_checkpoint", "assign_from_checkpoint_fn"]

_log = logging.getLogger("flowgraph")


def get_variables(scope: Any = None, suffix: Optional[str] = None,
                  collection: str = GraphKeys.GLOBAL_VARIABLES) -> list:
    """The variables in `collection` whose names match the regex `scope` (from the start)
    and end with `suffix`."""
    if isinstance(scope, VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return get_collection(collection, scope)


def get_model_variables(scope: Any = None, suffix: Optional[str] = None) -> list:
    """`get_variables` over the MODEL_VARIABLES collection."""
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope: Any = None, suffix: Optional[str] = None) -> list:
    """`get_variables` over the LOCAL_VARIABLES collection."""
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope: Any = None, suffix: Optional[str] = None) -> list:
    """`get_variables` over the TRAINABLE_VARIABLES collection."""
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_to_restore(include: Any = None, exclude: Any = None) -> list:
    """The global variables under any scope in `include` (all if None) and under none of the
    scopes in `exclude`."""
    if include is None:
        vars_to_include = get_variables()
    else:
        if not isinstance(include, (list, tuple)):
            raise TypeError("include is provided but is not a list or a tuple.")
        vars_to_include = []
        for scope in include:
            vars_to_include += get_variables(scope)
    vars_to_exclude: set = set()
    if exclude is not None:
        if not isinstance(exclude, (list, tuple)):
            raise TypeError("exclude is provided but is not a list or a tuple.")
        for scope in exclude:
            vars_to_exclude |= set(get_variables(scope))
    return [v for v in vars_to_include if v not in vars_to_exclude]


def get_variables_by_suffix(suffix: str, scope: Any = None) -> list:
    """The global variables whose names end with `suffix`."""
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name: str, scope: Any = None) -> list:
    """The global variables whose last name component is `given_name`."""
    suffix = "/" + given_name + ":|^" + given_name + ":"
    return get_variables(scope=scope, suffix=suffix)


def get_unique_variable(var_op_name: str) -> Any:
    """The one global variable whose op name is exactly `var_op_name`."""
    candidates = get_variables(scope=var_op_name)
    if not candidates:
        raise ValueError(f"Couldn't find variable {var_op_name}")
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise ValueError(f"Variable {var_op_name} does not uniquely identify a variable")


def get_variable_full_name(var: Any) -> str:
    """The name `var` is saved under: the full variable's name for a partition slice."""
    info = getattr(var, "_save_slice_info", None)
    if info:
        return info.full_name
    return var.op.name


@add_arg_scope
def variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None,
             regularizer: Any = None, trainable: bool = True, collections: Any = None,
             caching_device: Any = None, device: Any = None, partitioner: Any = None,
             custom_getter: Any = None, use_resource: Any = None, synchronization: Any = None,
             aggregation: Any = None) -> Any:
    """Gets or creates a variable with `get_variable` (in GLOBAL_VARIABLES unless
    `collections` says otherwise), on `device`."""
    collections = list(collections if collections is not None
                       else [GraphKeys.GLOBAL_VARIABLES])
    collections = list(dict.fromkeys(collections))
    getter: Callable = get_variable
    if custom_getter is not None:
        getter = functools.partial(custom_getter, reuse=get_variable_scope().reuse)
    with _device(device or ""):
        return getter(name, shape=shape, dtype=dtype, initializer=initializer,
                      regularizer=regularizer, trainable=trainable, collections=collections,
                      caching_device=caching_device, partitioner=partitioner,
                      use_resource=use_resource, synchronization=synchronization,
                      aggregation=aggregation)


_device = device


@add_arg_scope
def model_variable(name: str, shape: Any = None, dtype: Any = dtypes.float32,
                   initializer: Any = None, regularizer: Any = None, trainable: bool = True,
                   collections: Any = None, caching_device: Any = None, device: Any = None,
                   partitioner: Any = None, custom_getter: Any = None, use_resource: Any = None,
                   synchronization: Any = None, aggregation: Any = None) -> Any:
    """`variable`, also added to the MODEL_VARIABLES collection."""
    collections = list(collections or [])
    collections += [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer,
                    regularizer=regularizer, trainable=trainable, collections=collections,
                    caching_device=caching_device, device=device, partitioner=partitioner,
                    custom_getter=custom_getter, use_resource=use_resource,
                    synchronization=synchronization, aggregation=aggregation)


@add_arg_scope
def local_variable(initial_value: Any, validate_shape: bool = True, name: Optional[str] = None,
                   use_resource: Any = None) -> Any:
    """A non-trainable variable in the LOCAL_VARIABLES collection."""
    return Variable(initial_value, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                    validate_shape=validate_shape, use_resource=use_resource, name=name)


@add_arg_scope
def global_variable(initial_value: Any, validate_shape: bool = True, name: Optional[str] = None,
                    use_resource: Any = None) -> Any:
    """A non-trainable variable in the GLOBAL_VARIABLES collection."""
    return Variable(initial_value, trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES],
                    validate_shape=validate_shape, use_resource=use_resource, name=name)


def filter_variables(var_list: Any, include_patterns: Any = None, exclude_patterns: Any = None,
                     reg_search: bool = True) -> list:
    """The variables of `var_list` whose names match some include pattern (all if None) and
    no exclude pattern (`re.search`, or `re.match` if not `reg_search`)."""
    find = re.search if reg_search else re.match
    if include_patterns is None:
        included = list(var_list)
    else:
        included = [v for v in var_list if any(find(p, v.name) for p in include_patterns)]
    if exclude_patterns is None:
        return included
    return [v for v in included if not any(find(p, v.name) for p in exclude_patterns)]


def _assign_placeholder(var: Any, assign_ops: list) -> Any:
    ph = placeholder(dtype=var.dtype.base_dtype, shape=var.get_shape(),
                     name="placeholder/" + var.op.name)
    assign_ops.append(var.assign(ph))
    return ph


def assign_from_values(var_names_to_values: dict) -> tuple:
    """Returns ``(assign_op, feed_dict)`` that assigns each named global variable its value."""
    feed_dict = {}
    assign_ops: list = []
    for var_name, var_value in var_names_to_values.items():
        found = get_collection(GraphKeys.GLOBAL_VARIABLES, var_name)
        if not found:
            raise ValueError(f"Variable {var_name} wasn't found")
        if len(found) > 1:
            exact = [v for v in found if v.op.name == var_name]
            if not exact:
                raise ValueError(f"Variable {var_name} doesn't uniquely identify a variable")
            var = exact[0]
        else:
            var = found[0]
        ph = _assign_placeholder(var, assign_ops)
        feed_dict[ph] = np.asarray(var_value).reshape(var.get_shape().as_list())
    return group(*assign_ops), feed_dict


def assign_from_values_fn(var_names_to_values: dict) -> Callable:
    """A function ``fn(session)`` that runs `assign_from_values`' op with its feed."""
    assign_op, feed_dict = assign_from_values(var_names_to_values)

    def callback(session: Any) -> Any:
        return session.run(assign_op, feed_dict)

    return callback


def _group_by_checkpoint_name(var_list: Any) -> dict:
    grouped: dict = {}
    if isinstance(var_list, (tuple, list)):
        for var in var_list:
            grouped.setdefault(get_variable_full_name(var), []).append(var)
    elif isinstance(var_list, dict):
        for ckpt_name, value in var_list.items():
            grouped[ckpt_name] = list(value) if isinstance(value, (tuple, list)) else [value]
    else:
        raise TypeError("var_list must be a list/tuple of variables or a dict mapping "
                        f"checkpoint names to variables, got {type(var_list).__name__}")
    return grouped


def assign_from_checkpoint(model_path: str, var_list: Any,
                           ignore_missing_vars: bool = False) -> tuple:
    """Returns ``(assign_op, feed_dict)`` that assigns the variables of `var_list` (a list, or
    a dict from checkpoint names to variables) their values in the checkpoint `model_path`."""
    grouped = _group_by_checkpoint_name(var_list)
    reader = NewCheckpointReader(model_path)
    feed_dict = {}
    assign_ops: list = []
    for ckpt_name, variables in grouped.items():
        if not reader.has_tensor(ckpt_name):
            message = f"Checkpoint is missing variable [{ckpt_name}]"
            if ignore_missing_vars:
                _log.warning(message)
                continue
            raise ValueError(message)
        ckpt_value = reader.get_tensor(ckpt_name)
        for var in variables:
            ph = _assign_placeholder(var, assign_ops)
            info = getattr(var, "_save_slice_info", None)
            if not info:
                if tuple(var.get_shape().as_list()) != tuple(ckpt_value.shape):
                    raise ValueError(
                        f"Total size of new array must be unchanged for {ckpt_name} "
                        f"lh_shape: [{ckpt_value.shape}], rh_shape: [{var.get_shape()}]")
                feed_dict[ph] = ckpt_value
            else:
                index = tuple(slice(start, start + size)
                              for start, size in zip(info.var_offset, info.var_shape))
                feed_dict[ph] = ckpt_value[index].reshape(info.var_shape)
    return group(*assign_ops), feed_dict


def assign_from_checkpoint_fn(model_path: str, var_list: Any, ignore_missing_vars: bool = False,
                              reshape_variables: bool = False) -> Optional[Callable]:
    """A function ``fn(session)`` restoring `var_list` from `model_path` with a Saver (None,
    with a warning, if `ignore_missing_vars` leaves nothing to restore)."""
    if not var_list:
        raise ValueError("var_list cannot be empty")
    if ignore_missing_vars:
        reader = NewCheckpointReader(model_path)
        if isinstance(var_list, dict):
            var_dict = var_list
        else:
            var_dict = {var.op.name: var for var in var_list}
        available = {}
        for name, var in var_dict.items():
            if reader.has_tensor(name):
                available[name] = var
            else:
                _log.warning("Variable %s missing in checkpoint %s", name, model_path)
        var_list = available
    if not var_list:
        _log.warning("No Variables to restore")
        return None
    saver = Saver(var_list, reshape=reshape_variables)

    def callback(session: Any) -> None:
        saver.restore(session, model_path)

    return callback
