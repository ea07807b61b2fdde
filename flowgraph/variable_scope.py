"""`variable_scope` and `get_variable`: named, shareable Variables, as TF1's."""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Callable, Iterator, Optional

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, _graph_of, get_default_graph, init_scope
from flowgraph.initializers import glorot_uniform_initializer, zeros_initializer
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.partitioned_variables import (
    PartitionedVariable,
    fixed_size_partitioner,
    get_partitioned_variable,
    min_max_variable_partitioner,
    variable_axis_size_partitioner,
)
from flowgraph.shapes import as_shape
from flowgraph.variable_enums import trainable_for_get_variable
from flowgraph.variables import Variable

__all__ = ["variable_scope", "get_variable", "get_variable_scope", "VariableScope",
           "AUTO_REUSE", "get_local_variable", "fixed_size_partitioner",
           "variable_axis_size_partitioner", "min_max_variable_partitioner",
           "PartitionedVariable"]


class _AutoReuse:
    def __repr__(self) -> str:
        return "fg.AUTO_REUSE"


AUTO_REUSE = _AutoReuse()


class VariableScope:
    """Defaults for `get_variable` under one scope name (reuse, initializer, regularizer...)."""

    def __init__(self, reuse: Any, name: str = "", initializer: Any = None,
                 regularizer: Any = None, caching_device: Any = None, partitioner: Any = None,
                 custom_getter: Any = None, name_scope: str = "", dtype: Any = dtypes.float32,
                 use_resource: Any = None, constraint: Any = None) -> None:
        self._reuse = reuse
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtypes.as_dtype(dtype)
        self._use_resource = use_resource
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    dtype = property(lambda self: self._dtype)
    caching_device = property(lambda self: self._caching_device)
    partitioner = property(lambda self: self._partitioner)
    custom_getter = property(lambda self: self._custom_getter)
    constraint = property(lambda self: self._constraint)
    use_resource = property(lambda self: self._use_resource)

    def reuse_variables(self) -> None:
        """Makes `get_variable` in this scope return existing Variables from now on."""
        self._reuse = True

    def set_initializer(self, initializer: Any) -> None:
        self._initializer = initializer

    def set_regularizer(self, regularizer: Any) -> None:
        self._regularizer = regularizer

    def set_dtype(self, dtype: Any) -> None:
        self._dtype = dtypes.as_dtype(dtype)

    def get_variable(self, name: str, *args: Any, **kwargs: Any) -> Variable:
        with variable_scope(self):
            return get_variable(name, *args, **kwargs)

    def global_variables(self) -> list:
        return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, self._name)

    def trainable_variables(self) -> list:
        return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, self._name)

    def __repr__(self) -> str:
        return f"<fg.VariableScope '{self._name}' reuse={self._reuse}>"


class _ScopeStore:
    """Per-graph: the current VariableScope, Variables made by get_variable, and how often
    each default scope name was used."""

    def __init__(self) -> None:
        self.current = VariableScope(False)
        self.variables: dict = {}
        self.sites: dict = {}
        self.counts: dict = {}


def _store() -> _ScopeStore:
    return get_default_graph().get_state("variable_scope", _ScopeStore)


def get_variable_scope() -> VariableScope:
    """The current VariableScope of the default graph."""
    return _store().current


@contextlib.contextmanager
def variable_scope(name_or_scope: Any, default_name: Optional[str] = None,
                   values: Any = None, initializer: Any = None, regularizer: Any = None,
                   caching_device: Any = None, partitioner: Any = None,
                   custom_getter: Any = None, reuse: Any = None, dtype: Any = None,
                   use_resource: Any = None, constraint: Any = None,
                   auxiliary_name_scope: bool = True) -> Iterator[VariableScope]:
    """Opens a variable scope (and a name scope) for `get_variable`, as TF1's.

    ``reuse=True`` makes `get_variable` return existing Variables (ValueError if missing);
    ``reuse=fg.AUTO_REUSE`` creates them when missing. Reuse is inherited by inner scopes.
    """
    if name_or_scope is None and default_name is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if values is not None:
        # As TF1: the scope opens in the graph of `values` (made the default inside).
        graph = _graph_of(list(values))
        if graph is not get_default_graph():
            with graph.as_default(), variable_scope(
                    name_or_scope, default_name, None, initializer, regularizer,
                    caching_device, partitioner, custom_getter, reuse, dtype, use_resource,
                    constraint, auxiliary_name_scope) as scope:
                yield scope
            return
    if reuse is False:
        reuse = None  # as TF1: False does not turn off an outer reuse
    graph = get_default_graph()
    store = _store()
    parent = store.current
    prefix = f"{parent.name}/" if parent.name else ""
    if isinstance(name_or_scope, VariableScope):
        full_name = name_or_scope.name
        name_scope_name = name_or_scope.original_name_scope
        base = name_or_scope
    else:
        if name_or_scope is None:
            # As TF1's _get_unique_variable_scope: the first unused `name`, `name_1`, ...
            local = default_name
            index = 0
            while store.counts.get(prefix + local, 0) > 0:
                index += 1
                local = f"{default_name}_{index}"
        else:
            local = str(name_or_scope)
        full_name = prefix + local
        name_scope_name = None
        base = parent
    store.counts[full_name] = store.counts.get(full_name, 0) + 1
    # As TF1: leaving a named scope forgets the default names used under it (so that
    # `variable_scope("model", reuse=True)` finds `model/dense` again); leaving a re-entered
    # VariableScope restores the counts it started with.
    saved_counts = dict(store.counts) if isinstance(name_or_scope, VariableScope) else None
    new_reuse = True if (reuse is True or parent.reuse is True) and reuse is not AUTO_REUSE \
        else (AUTO_REUSE if reuse is AUTO_REUSE or parent.reuse is AUTO_REUSE
              else base.reuse if isinstance(name_or_scope, VariableScope) else False)
    if isinstance(name_or_scope, VariableScope) and reuse is None:
        new_reuse = name_or_scope.reuse or parent.reuse

    def pick(value: Any, inherited: Any) -> Any:
        return inherited if value is None else value

    with contextlib.ExitStack() as stack:
        if auxiliary_name_scope:
            if name_scope_name:
                # As TF1: re-entering a VariableScope object opens a new name scope named
                # after its last component ("foo" -> "foo_1/"), while the scope keeps its
                # original_name_scope.
                local_name = full_name.split("/")[-1]
                if local_name:
                    stack.enter_context(graph.name_scope(local_name))
                opened = name_scope_name
            else:
                # A string name opens a name scope of that whole name ("a/b" as TF1); with
                # only a default name, TF1 opens name_scope(default_name), uniquified by
                # the graph on its own (the variable scope's unique name may differ).
                if isinstance(name_or_scope, VariableScope):
                    local_name = full_name.split("/")[-1]
                else:
                    local_name = default_name if name_or_scope is None else local
                opened = stack.enter_context(graph.name_scope(local_name))
        else:
            current = graph.get_name_scope()
            opened = name_scope_name or (current + "/" if current else "")
        scope = VariableScope(
            new_reuse, full_name, pick(initializer, base.initializer),
            pick(regularizer, base.regularizer), pick(caching_device, base.caching_device),
            pick(partitioner, base.partitioner), pick(custom_getter, base.custom_getter),
            opened, pick(dtype, base.dtype), pick(use_resource, base.use_resource),
            pick(constraint, base.constraint))
        store.current = scope
        try:
            yield scope
        finally:
            store.current = parent
            if saved_counts is not None:
                store.counts = saved_counts
            else:
                for key in store.counts:
                    if key.startswith(full_name + "/"):
                        store.counts[key] = 0


def get_variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None,
                 regularizer: Optional[Callable] = None, trainable: Optional[bool] = None,
                 collections: Any = None, caching_device: Any = None, partitioner: Any = None,
                 validate_shape: bool = True, use_resource: Any = None,
                 custom_getter: Any = None, constraint: Any = None, synchronization: Any = None,
                 aggregation: Any = None) -> Variable:
    """Gets an existing Variable `scope/name` or creates a new one, as TF1's.

    Without reuse, an existing name raises ValueError; with reuse=True a missing one does.
    The default initializer is glorot_uniform for floats and zeros otherwise.
    """
    scope = get_variable_scope()
    getter = custom_getter or scope.custom_getter
    trainable = trainable_for_get_variable(synchronization, trainable)
    kwargs = dict(shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                  trainable=trainable, collections=collections, validate_shape=validate_shape,
                  constraint=constraint, synchronization=synchronization,
                  aggregation=aggregation,
                  partitioner=partitioner if partitioner is not None else scope.partitioner)
    full_name = f"{scope.name}/{name}" if scope.name else name
    if getter is not None:
        return getter(_true_getter, full_name, **kwargs)
    return _true_getter(full_name, **kwargs)


def _true_getter(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None,
                 regularizer: Any = None, trainable: Optional[bool] = None,
                 collections: Any = None, validate_shape: bool = True, constraint: Any = None,
                 partitioner: Any = None, partition_info: Any = None,
                 synchronization: Any = None, aggregation: Any = None,
                 **unused: Any) -> Variable:
    store = _store()
    scope = store.current
    reuse = scope.reuse
    is_scalar = isinstance(shape, (list, tuple)) and not shape
    reuse_partitioned = reuse is True and name in store.__dict__.get("partitioned", {})
    if (partitioner is not None and not is_scalar) or reuse_partitioned:
        # As TF1: a scalar is never partitioned; reuse finds a partitioned variable without
        # its partitioner.
        if partitioner is not None and not callable(partitioner):
            raise ValueError(f"Partitioner must be callable, but received: {partitioner!r}")
        return get_partitioned_variable(
            _true_getter, store, name, shape=shape, dtype=dtype, initializer=initializer,
            regularizer=regularizer, trainable=trainable, collections=collections,
            validate_shape=validate_shape, constraint=constraint, partitioner=partitioner)
    if f"{name}/part_0" in store.variables:
        raise ValueError(f"No partitioner was provided, but a partitioned version of the "
                         f"variable was found: {name}/part_0. Perhaps a variable of the same "
                         "name was already created with partitioning?")
    if shape is not None and _is_value(initializer):
        raise ValueError(f"If initializer is a constant, do not specify shape (variable "
                         f"{name}: the shape comes from the value).")
    existing = store.variables.get(name)
    if existing is not None:
        if reuse is False:
            site = store.sites.get(name)
            where = f" Originally defined at:\n  {site}" if site else ""
            raise ValueError(f"Variable {name} already exists, disallowed. Did you mean to set "
                             f"reuse=True or reuse=fg.AUTO_REUSE in VarScope?{where}")
        if shape is not None and not existing.shape.is_compatible_with(as_shape(shape)):
            raise ValueError(f"Trying to share variable {name}, but specified shape "
                             f"{as_shape(shape)} and found shape {existing.shape}.")
        if dtype is not None and dtypes.as_dtype(dtype) != existing.dtype:
            raise ValueError(f"Trying to share variable {name}, but specified dtype "
                             f"{dtypes.as_dtype(dtype).name} and found dtype "
                             f"{existing.dtype.name}.")
        return existing
    if reuse is True:
        raise ValueError(f"Variable {name} does not exist, or was not created with "
                         "fg.get_variable(). Did you mean to set reuse=fg.AUTO_REUSE in "
                         "VarScope?")
    initializer = initializer if initializer is not None else scope.initializer
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    elif _is_value(initializer):
        # As TF1: a Tensor or value as initializer gives the variable its own dtype.
        dtype = convert_to_tensor(initializer).dtype if _is_tensor_like(initializer) \
            else dtypes.dtype_of_value(initializer)
    else:
        dtype = scope.dtype
    init_value = _initial_value(name, shape, dtype, initializer, partition_info)
    graph = get_default_graph()
    with graph.name_scope(None):
        variable = Variable(init_value, trainable=trainable, collections=collections,
                            validate_shape=validate_shape, name=name, dtype=dtype,
                            constraint=constraint, synchronization=synchronization,
                            aggregation=aggregation)
    store.variables[name] = variable
    store.sites[name] = variable.op.creation_site
    regularizer = regularizer if regularizer is not None else scope.regularizer
    if regularizer is not None:
        # In the outermost graph, as the Variable itself: a get_variable inside a loop body
        # or cond branch must not put its regularization loss into that sub-graph.
        with init_scope() as outer, outer.name_scope(f"{name}/Regularizer/"):
            loss = regularizer(variable)
            if loss is not None:
                outer.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return variable


def _is_tensor_like(value: Any) -> bool:
    return hasattr(value, "__fg_tensor__")  # Tensors and Variables


def _is_value(initializer: Any) -> bool:
    """Whether `initializer` is a Tensor or value (not an initializer object or function)."""
    if initializer is None or isinstance(initializer, type):
        return False
    return _is_tensor_like(initializer) or not callable(initializer)


def _initial_value(name: str, shape: Any, dtype: dtypes.DType, initializer: Any,
                   partition_info: Any = None) -> Any:
    """A callable building the initial value (so its nodes go under `name/Initializer`)."""
    if initializer is None:
        if dtype.is_floating:
            initializer = glorot_uniform_initializer()
        elif dtype.is_integer or dtype.is_bool or dtype.is_string:
            initializer = zeros_initializer()
        else:
            raise ValueError(f"An initializer for variable {name} of type {dtype.name} is "
                             "required")
    if isinstance(initializer, type):
        initializer = initializer()
    if callable(initializer) and not hasattr(initializer, "__fg_tensor__"):
        if shape is None:
            raise ValueError(f"The shape of variable {name} must be specified when its "
                             "initializer is a function or an initializer object.")
        dims = as_shape(shape)
        if not dims.is_fully_defined():
            raise ValueError(f"Shape of a new variable ({name}) must be fully defined, but "
                             f"instead was {dims}.")
        if _takes_partition_info(initializer):
            return lambda: initializer(dims.as_list(), dtype=dtype,
                                       partition_info=partition_info)
        return lambda: initializer(dims.as_list(), dtype=dtype)
    return convert_to_tensor(initializer, dtype=dtype)


def _takes_partition_info(initializer: Any) -> bool:
    """As TF1: only initializers with a `partition_info` argument are given it."""
    try:
        return "partition_info" in inspect.signature(initializer).parameters
    except (TypeError, ValueError):
        return False


def get_local_variable(name: str, *args: Any, **kwargs: Any) -> Variable:
    """Like get_variable, in the LOCAL_VARIABLES collection and not trainable."""
    kwargs["collections"] = [GraphKeys.LOCAL_VARIABLES] + list(kwargs.get("collections") or [])
    kwargs["trainable"] = False
    return get_variable(name, *args, **kwargs)
