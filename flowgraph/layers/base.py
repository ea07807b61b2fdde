"""The base `Layer` of `fg.layers` (TF1's `tf.layers.Layer`) and `InputSpec`.

A layer creates its Variables with `get_variable` in a variable scope chosen the first time it
is called (``dense``, ``dense_1``, ... as TF1's unique scope names, or its `name`), and builds
its ops in that scope's name scope (``dense/MatMul``). Calling it again reuses its Variables.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, Tensor, building_graph, get_default_graph
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.division import truediv
from flowgraph.ops.shape_ops import shape as shape_op
from flowgraph.shapes import TensorShape, as_shape
from flowgraph.variable_enums import trainable_for_get_variable
from flowgraph.variable_scope import VariableScope, get_variable, variable_scope

__all__ = ["Layer", "InputSpec"]

_KNOWN_KWARGS = frozenset({"activity_regularizer", "input_shape", "batch_input_shape",
                           "batch_size", "weights", "autocast", "_scope", "_reuse"})


def to_snake_case(name: str) -> str:
    """``Conv2DTranspose`` -> ``conv2d_transpose``, as Keras names its layers."""
    name = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name if name[0] != "_" else "private" + name


def unique_layer_name(base_name: str) -> str:
    """``dense_1``, ``dense_2``, ...: one-based per graph, as TF1's layer object names."""
    counts = get_default_graph().get_state("layer_names", dict)
    counts[base_name] = counts.get(base_name, 0) + 1
    return f"{base_name}_{counts[base_name]}"


def flatten(structure: Any) -> list:
    """The leaves of nested lists and tuples, in order."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def _map(fn: Callable, structure: Any) -> Any:
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map(fn, item) for item in structure)
    return fn(structure)


class InputSpec:
    """What a layer accepts: rank (`ndim`, `min_ndim`, `max_ndim`), `dtype`, `shape`, and
    the sizes of given `axes` (``{-1: 784}``), as TF1's `tf.layers.InputSpec`."""

    def __init__(self, dtype: Any = None, shape: Any = None, ndim: Optional[int] = None,
                 max_ndim: Optional[int] = None, min_ndim: Optional[int] = None,
                 axes: Optional[dict] = None) -> None:
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})

    def __repr__(self) -> str:
        fields = {k: v for k, v in vars(self).items() if v not in (None, {})}
        return "InputSpec(" + ", ".join(f"{k}={v}" for k, v in fields.items()) + ")"


def assert_input_compatibility(input_spec: Any, inputs: Any, layer_name: str) -> None:
    """Raises ValueError naming the layer when `inputs` do not satisfy `input_spec`."""
    if not input_spec:
        return
    specs = flatten(input_spec)
    tensors = flatten(inputs)
    if len(specs) != len(tensors):
        raise ValueError(f"Layer {layer_name} expects {len(specs)} inputs, but it received "
                         f"{len(tensors)} input tensors: {tensors}")
    for index, (x, spec) in enumerate(zip(tensors, specs)):
        if spec is None:
            continue
        where = f"Input {index} of layer {layer_name} is incompatible with the layer"
        ndims = x.shape.ndims
        dims = x.shape.as_list() if ndims is not None else None
        if ndims is None and any(v is not None for v in (spec.ndim, spec.min_ndim,
                                                          spec.max_ndim)):
            raise ValueError(f"{where}: its rank is undefined, but the layer requires a "
                             "defined rank.")
        if spec.ndim is not None and ndims != spec.ndim:
            raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={ndims}. Full "
                             f"shape received: {dims}")
        if spec.max_ndim is not None and ndims is not None and ndims > spec.max_ndim:
            raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found "
                             f"ndim={ndims}. Full shape received: {dims}")
        if spec.min_ndim is not None and ndims is not None and ndims < spec.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found "
                             f"ndim={ndims}. Full shape received: {dims}")
        if spec.dtype is not None and x.dtype != spec.dtype:
            raise ValueError(f"{where}: expected dtype={spec.dtype}, found "
                             f"dtype={x.dtype.name}")
        if dims is not None:
            for axis, value in spec.axes.items():
                if value is not None and dims[int(axis)] not in (value, None):
                    raise ValueError(f"{where}: expected axis {axis} of input shape to have "
                                     f"value {value} but received input with shape {dims}")
            for expected, dim in zip(spec.shape or (), dims):
                if expected is not None and dim is not None and expected != dim:
                    raise ValueError(f"{where}: expected shape={spec.shape}, found "
                                     f"shape={dims}")


def _add_to_collection(items: list, key: str) -> None:
    collection = get_default_graph().get_collection_ref(key)
    present = {id(item) for item in collection}
    for item in items:
        if id(item) not in present:
            collection.append(item)
            present.add(id(item))


class Layer:
    """Base layer: subclasses define `build(input_shape)` (create weights with
    `add_weight`) and `call(inputs, ...)`; calling the layer runs both in its scope.

    Parameters
    ----------
    trainable : bool
        Whether the layer's Variables go into ``TRAINABLE_VARIABLES``.
    name : str or VariableScope, optional
        The variable scope of the layer's Variables (default: a unique ``<layer_type>``).
    dtype : DType, optional
        The dtype of the weights (default: that of the first input).
    """

    def __init__(self, trainable: bool = True, name: Any = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        for key in kwargs:
            if key not in _KNOWN_KWARGS:
                raise TypeError(f"Keyword argument not understood: {key!r}")
        scope = kwargs.pop("_scope", None)
        self._reuse = kwargs.pop("_reuse", None)
        self._activity_regularizer = kwargs.pop("activity_regularizer", None)
        self.trainable = trainable
        self.built = False
        self.input_spec: Any = None
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._losses: list = []
        self._updates: list = []
        self._graph = None
        self._init_set_name(name)
        self._scope: Optional[VariableScope] = None
        if scope:
            with variable_scope(scope) as captured:
                self._scope = captured
        self._current_scope: Optional[VariableScope] = None

    def _init_set_name(self, name: Any) -> None:
        if isinstance(name, VariableScope):
            self._name = name.name
            self._base_name = name.name
        elif name:
            self._name = self._base_name = str(name)
        else:
            self._base_name = to_snake_case(type(self).__name__)
            self._name = unique_layer_name(self._base_name)

    # -- read-only properties
    name = property(lambda self: self._name, doc="The layer's name.")
    activity_regularizer = property(lambda self: self._activity_regularizer)
    graph = property(lambda self: self._graph)
    losses = property(lambda self: list(self._losses),
                      doc="Regularization losses added by this layer.")
    updates = property(lambda self: list(self._updates),
                       doc="Update ops added by this layer (also in UPDATE_OPS).")

    @property
    def dtype(self) -> Optional[str]:
        """The weights' dtype name (``'float32'``), or None before the first call."""
        return None if self._dtype is None else self._dtype.name

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError(f'No name available for layer scope because the layer '
                             f'"{self._name}" has not been used yet. The scope name is '
                             "determined the first time the layer instance is called.")
        return self._scope.name

    @property
    def trainable_weights(self) -> list:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    @property
    def weights(self) -> list:
        """Trainable then non-trainable weights."""
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    def count_params(self) -> int:
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self._name}, but the "
                             "layer isn't built.")
        return int(sum(np.prod(w.shape.as_list()) for w in self.weights))

    # -- for subclasses
    def build(self, input_shape: Any) -> None:
        """Creates the layer's weights; called once, with the first inputs' shapes."""
        self.built = True

    def call(self, inputs: Any, **kwargs: Any) -> Any:
        """The layer's computation (identity by default)."""
        return inputs

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        raise NotImplementedError(f"{type(self).__name__}.compute_output_shape")

    def _set_scope(self, scope: Any = None) -> None:
        if self._scope is not None:
            return
        if self._reuse:
            with variable_scope(scope if scope is not None else self._base_name) as captured:
                self._scope = captured
        else:
            with variable_scope(scope, default_name=self._base_name) as captured:
                self._scope = captured

    def add_weight(self, name: str, shape: Any, dtype: Any = None, initializer: Any = None,
                   regularizer: Optional[Callable] = None, trainable: Optional[bool] = None,
                   constraint: Optional[Callable] = None, use_resource: Any = None,
                   synchronization: Any = None, aggregation: Any = None,
                   partitioner: Any = None) -> Any:
        """Creates (or, when reusing, gets) the Variable ``<scope>/<name>`` and tracks it.

        A `regularizer` is applied only when the Variable is created; its loss goes into
        the layer's `losses` and ``REGULARIZATION_LOSSES``.
        """
        trainable = bool(trainable_for_get_variable(synchronization, trainable))
        dtype = dtypes.as_dtype(dtype) if dtype is not None else (
            self._dtype or dtypes.float32)
        self._set_scope(None)
        graph = get_default_graph()
        existing = {id(v) for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES)}
        with variable_scope(self._scope, reuse=self.built or self._reuse,
                            auxiliary_name_scope=False) as scope:
            self._current_scope = scope
            with graph.name_scope(scope.original_name_scope):
                variable = get_variable(name, shape, dtype=dtype, initializer=initializer,
                                        trainable=trainable and self.trainable,
                                        constraint=constraint, partitioner=partitioner,
                                        synchronization=synchronization,
                                        aggregation=aggregation)
                if regularizer is not None and id(variable) not in existing:
                    with graph.name_scope(f"{name}/Regularizer"):
                        loss = regularizer(variable)
                    if loss is not None:
                        self.add_loss(loss)
        if trainable and variable.trainable:
            self._trainable_weights.append(variable)
        else:
            self._non_trainable_weights.append(variable)
        return variable

    add_variable = add_weight

    def add_loss(self, losses: Any, inputs: Any = None) -> None:
        """Adds loss tensors (or callables returning them) to the layer's `losses` and to
        ``REGULARIZATION_LOSSES``."""
        new = []
        for loss in flatten(losses):
            if callable(loss) and not isinstance(loss, Tensor):
                loss = loss()
            if loss is not None:
                new.append(convert_to_tensor(loss))
        self._losses.extend(new)
        _add_to_collection(new, GraphKeys.REGULARIZATION_LOSSES)

    def add_update(self, updates: Any, inputs: Any = None) -> None:
        """Adds update ops (or callables returning them); ``__call__`` puts them in
        ``UPDATE_OPS``."""
        for update in flatten(updates):
            if callable(update) and not hasattr(update, "__fg_tensor__") \
                    and not hasattr(update, "__fg_control__"):
                update = update()
            if update is not None:
                self._updates.append(update)

    # -- calling
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Builds the layer on first use, then applies `call` in the layer's scope."""
        self._set_scope(kwargs.pop("scope", None))
        if isinstance(inputs, (list, tuple)) and not any(
                isinstance(leaf, Tensor) or hasattr(leaf, "__fg_tensor__")
                for leaf in flatten(inputs)):
            inputs = convert_to_tensor(inputs)  # a nested list of numbers is one input
        inputs = _map(convert_to_tensor, inputs)
        # Inside a loop body or cond branch being built, ops go into its FuncGraph, and the
        # layer belongs to the outermost graph (where its Variables live).
        graph = building_graph(flatten(inputs)[0].graph)
        root = graph.outer_graphs[-1] if graph.outer_graphs else graph
        if self._graph is None:
            self._graph = root
        elif self._graph is not root:
            raise ValueError(f"Input graph and Layer graph are not the same: layer "
                             f"{self._name} was first called in another graph")
        if self._dtype is None:
            self._dtype = flatten(inputs)[0].dtype
        with graph.as_default(), variable_scope(
                self._scope, reuse=True if self.built else self._reuse,
                auxiliary_name_scope=False) as scope:
            self._current_scope = scope
            with graph.name_scope(scope.original_name_scope):
                assert_input_compatibility(self.input_spec, inputs, self._name)
                if not self.built:
                    shapes = _map(lambda t: t.shape, inputs)
                    self.build(shapes)
                    self.built = True
                    assert_input_compatibility(self.input_spec, inputs, self._name)
                outputs = self.call(inputs, *args, **kwargs)
                if outputs is None:
                    raise ValueError(f"A layer's `call` method should return a Tensor or a "
                                     f"list of Tensors, not None (layer: {self._name}).")
                self._activity_regularization(outputs)
            _add_to_collection(self._updates, GraphKeys.UPDATE_OPS)
        return outputs

    def apply(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The same as calling the layer."""
        return self.__call__(inputs, *args, **kwargs)

    def _activity_regularization(self, outputs: Any) -> None:
        if self._activity_regularizer is None:
            return
        graph = get_default_graph()
        with graph.name_scope("ActivityRegularizer"):
            for output in flatten(outputs):
                loss = self._activity_regularizer(output)
                if loss is None:
                    continue
                loss = convert_to_tensor(loss)
                batch = cast(shape_op(output)[0], loss.dtype)
                self.add_loss(truediv(loss, batch))  # batch-size independent, as TF1.15


def as_shape_list(input_shape: Any) -> list:
    """A TensorShape-like value as a list of ints and None (rank must be known)."""
    shape = as_shape(input_shape)
    if shape.ndims is None:
        raise ValueError(f"The input shape must have a known rank, got {shape}")
    return shape.as_list()
