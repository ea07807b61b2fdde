"""`tf.keras.layers.Layer`: flowgraph's layer base with Keras' conventions on top.

Keras layers differ from `tf.layers` ones in the ways user code sees: zero-based names per
graph (``dense``, ``dense_1``...), the ``input_shape`` / ``batch_input_shape`` /
``batch_size`` arguments that let a layer open a `Sequential` model, initializers and
regularizers given by name (``'glorot_uniform'``, ``'l2'``), ``get_weights`` /
``set_weights`` through the Keras Session, ``get_config`` / ``from_config``, and every call on
tensors recorded (flowgraph.keras.history) for the functional API.

Concrete layers combine this class with a flowgraph layer, this class first:
``class Dense(Layer, fg.layers.Dense)``; their ``__init__`` passes everything on with
keywords, and this ``__init__`` takes the Keras arguments out before the flowgraph one runs.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from typing import Any, Iterator, Optional

import numpy as np

from flowgraph.keras import backend, history, masks
from flowgraph.layers import base as fg_base

_KERAS_KWARGS = ("input_shape", "batch_input_shape", "batch_size", "input_dim", "weights",
                 "dynamic", "autocast")


class Layer(fg_base.Layer):
    """The base of Keras layers (and models). Subclasses define ``build(input_shape)``
    (weights through `add_weight`) and ``call(inputs, ...)``, as in TF1's Keras."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        keras = {key: kwargs.pop(key) for key in _KERAS_KWARGS if key in kwargs}
        if not kwargs.get("name"):
            kwargs["name"] = backend.unique_object_name(
                fg_base.to_snake_case(type(self).__name__))
        elif not isinstance(kwargs["name"], str):
            raise TypeError(f"A layer's name must be a string, got {kwargs['name']!r}")
        if kwargs.get("dtype") is None:
            kwargs.pop("dtype", None)
        super().__init__(*args, **kwargs)
        self._batch_input_shape = _batch_input_shape(keras)
        self._initial_weights = keras.get("weights")
        self.supports_masking = getattr(self, "supports_masking", False)
        self._keras_calls: list = []

    # -- calling
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        was_built = self.built
        input_masks = self._collect_input_masks(inputs, args, kwargs)
        call_kwargs = kwargs
        if input_masks is not None and self._expects_mask_arg() and \
                not self._mask_was_passed(args, kwargs):
            call_kwargs = dict(kwargs, mask=input_masks)
        from flowgraph.graph import GraphKeys, building_graph, get_default_graph
        first = next((t for t in fg_base.flatten(inputs) if history._is_tensor(t)), None)
        graph = building_graph(first.graph) if first is not None else get_default_graph()
        collected = graph.get_collection_ref(GraphKeys.UPDATE_OPS)
        before = {id(u) for u in collected}
        self._call_inputs = inputs
        try:
            with self._call_name_scope(inputs, kwargs):
                outputs = super().__call__(inputs, *args, **call_kwargs)
        finally:
            self._call_inputs = None
        # TF 1.15's Keras layers keep their updates to themselves (layer.updates,
        # model.updates); fg.layers' base put them in UPDATE_OPS
        own = {id(u) for u in self._updates}
        collected[:] = [u for u in collected if id(u) in before or id(u) not in own]
        outputs = _copy_passed_through(inputs, outputs)
        self._set_mask_metadata(inputs, outputs, input_masks)
        if not was_built and self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)
        self._keras_calls.append(history.record(self, inputs, args, kwargs, outputs))
        return outputs

    @contextlib.contextmanager
    def _call_name_scope(self, inputs: Any, kwargs: dict) -> Iterator[None]:
        """As TF 1.15's Keras, a call of a built layer opens a new name scope named after the
        layer in the current one (``dense_1/``, ``model/dense/``), not the scope of its
        first call again: its ops get fresh names, its weights stay where they are."""
        first = next((t for t in fg_base.flatten(inputs) if history._is_tensor(t)), None)
        if not self.built or "scope" in kwargs or first is None:
            yield
            return
        from flowgraph.graph import building_graph
        from flowgraph.variable_scope import variable_scope
        graph = building_graph(first.graph)
        with graph.as_default():
            if self._scope is None:
                with variable_scope(None, default_name=self._base_name,
                                    auxiliary_name_scope=False) as captured:
                    self._scope = captured
            with graph.name_scope(self.name) as name_scope:
                kept = self._scope
                fresh = copy.copy(kept)
                fresh._name_scope = name_scope
                self._scope = fresh
                try:
                    yield
                finally:
                    self._scope = kept

    def _set_scope(self, scope: Any = None) -> None:
        """As TF 1.15's Keras, the weights of a layer first called inside a name scope get
        that name scope's path (``net/head/dense/kernel`` under ``variable_scope("net")``
        and ``name_scope("head")``), not only the variable scope's."""
        if self._scope is not None or scope is not None or self._reuse:
            super()._set_scope(scope)
            return
        from flowgraph.graph import get_default_graph
        from flowgraph.variable_scope import get_variable_scope
        graph = get_default_graph()
        outer = get_variable_scope()
        current = graph.get_name_scope()
        # (a model building its layers opens their variable scope without a name scope:
        # there the variable scope decides, as before)
        if not current or current == outer.name or (
                outer.name and not current.startswith(outer.name + "/")):
            super()._set_scope(scope)
            return
        with graph.name_scope(self._base_name) as name_scope:
            pass
        fresh = copy.copy(outer)
        fresh._name = name_scope.rstrip("/")
        fresh._name_scope = name_scope
        self._scope = fresh

    # -- masks
    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the layer's outputs given its inputs and their `mask`: None for a
        layer that does not support masking (a TypeError if it was given a mask), else the
        input mask passed through."""
        if not self.supports_masking:
            if any(m is not None for m in fg_base.flatten(mask)):
                raise TypeError(f"Layer {self.name} does not support masking, but was passed "
                                f"an input_mask: {mask}")
            return None
        return mask

    def _expects_mask_arg(self) -> bool:
        return "mask" in _call_parameters(self.call)

    def _mask_was_passed(self, args: tuple, kwargs: dict) -> bool:
        if "mask" in kwargs:
            return True
        names = _call_parameters(self.call)
        # args follow `inputs` (the first parameter of call)
        return "mask" in names and names.index("mask") - 1 < len(args)

    def _computes_masks(self) -> bool:
        return self.supports_masking or type(self).compute_mask is not Layer.compute_mask

    def _collect_input_masks(self, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """The mask argument given to the call, else the inputs' masks (None if none)."""
        if self._mask_was_passed(args, kwargs):
            if "mask" in kwargs:
                return kwargs["mask"]
            return args[_call_parameters(self.call).index("mask") - 1]
        if not (self._expects_mask_arg() or self._computes_masks()):
            return None
        return masks.collect_masks(inputs)

    def _set_mask_metadata(self, inputs: Any, outputs: Any, previous_mask: Any) -> None:
        """Records the outputs' masks, as TF 1.15: a functional model's outputs keep the
        masks their layers gave them; a layer that neither supports masking nor overrides
        `compute_mask` drops the mask."""
        flat_outputs = fg_base.flatten(outputs)
        if getattr(self, "_is_graph_network", False) or all(
                masks.get_mask(t) is not None for t in flat_outputs):
            return
        if not self._computes_masks():
            flat_masks: list = [None] * len(flat_outputs)
        else:
            graph = flat_outputs[0].graph if history._is_tensor(flat_outputs[0]) else None
            scope = getattr(self, "_current_scope", None)
            if graph is not None and scope is not None:
                with graph.as_default(), graph.name_scope(scope.original_name_scope):
                    output_masks = self.compute_mask(inputs, previous_mask)
            else:
                output_masks = self.compute_mask(inputs, previous_mask)
            flat_masks = [None] * len(flat_outputs) if output_masks is None \
                else fg_base.flatten(output_masks)
        for output, mask in zip(flat_outputs, flat_masks):
            masks.set_mask(output, mask)

    def _build_sublayer(self, layer: "Layer", input_shape: Any) -> None:
        """Builds `layer`, which this layer owns and calls through its ``call``, with its
        weights in this layer's scope (``lstm/kernel``, ``time_distributed/kernel``), as
        TF 1.15's RNN and TimeDistributed do. Call from ``build``."""
        if layer.built:
            return
        layer._scope = self._current_scope
        layer._graph = self._graph
        if layer._dtype is None:
            layer._dtype = self._dtype
        layer.build(input_shape)
        layer.built = True

    # -- losses and updates (TF 1.15: not in the graph collections; tagged conditional on
    # the inputs or not, for get_updates_for / get_losses_for)
    def add_loss(self, losses: Any, inputs: Any = None) -> None:
        """Adds loss tensors (or callables returning them) to the layer's `losses` (not to
        ``REGULARIZATION_LOSSES``, as TF 1.15's Keras); with `inputs` given, the losses
        are conditional on them (`get_losses_for`)."""
        before = len(self._losses)
        from flowgraph.graph import GraphKeys, get_default_graph
        collected = get_default_graph().get_collection_ref(GraphKeys.REGULARIZATION_LOSSES)
        kept = {id(t) for t in collected}
        super().add_loss(losses, inputs)
        new = self._losses[before:]
        new_ids = {id(t) for t in new}
        collected[:] = [t for t in collected if id(t) in kept or id(t) not in new_ids]
        if inputs is None:
            for loss in new:
                _unconditional(loss).add(id(loss))

    def add_update(self, updates: Any, inputs: Any = None) -> None:
        """Adds update ops (or tensors, or callables returning them: kept as their ops) to
        the layer's `updates`; an update not computed from the inputs of the current call
        (or of the layer's calls, outside a call) is unconditional (`get_updates_for(None)`),
        as TF 1.15."""
        before = len(self._updates)
        super().add_update(updates, inputs)
        # as TF 1.15, a tensor given as an update is kept as the op that makes it
        self._updates[before:] = [u.op if history._is_tensor(u) else u
                                  for u in self._updates[before:]]
        relevant = getattr(self, "_call_inputs", None)
        if relevant is None:
            relevant = [call.inputs for call in getattr(self, "_keras_calls", [])]
        sources = [t for t in fg_base.flatten(relevant) if history._is_tensor(t)]
        for update in self._updates[before:]:
            if not _reachable_from(sources, update):
                _unconditional(update).add(id(update))

    def _activity_regularization(self, outputs: Any) -> None:
        # activity losses depend on the inputs (TF 1.15 adds them with `inputs=inputs`)
        before = len(self._losses)
        super()._activity_regularization(outputs)
        for loss in self._losses[before:]:
            _unconditional(loss).discard(id(loss))

    def get_updates_for(self, inputs: Any) -> list:
        """The updates that depend on `inputs` (a tensor or list of tensors), or with
        ``inputs=None`` those that depend on no input (unconditional), as TF 1.15."""
        return _filter_for(self.updates, inputs)

    def get_losses_for(self, inputs: Any) -> list:
        """The losses that depend on `inputs` (a tensor or list of tensors), or with
        ``inputs=None`` those that depend on no input (unconditional), as TF 1.15."""
        return _filter_for(self.losses, inputs)

    # -- weights
    def add_weight(self, name: Optional[str] = None, shape: Any = None, dtype: Any = None,
                   initializer: Any = None, regularizer: Any = None,
                   trainable: Optional[bool] = None, constraint: Any = None,
                   **kwargs: Any) -> Any:
        """Creates the Variable ``<layer>/<name>``: Keras' signature, with initializer,
        regularizer and constraint also given by name (``'zeros'``, ``'l2'``)."""
        from flowgraph.keras import constraints, initializers, regularizers
        if shape is None:
            shape = ()
        if initializer is None:
            floating = dtype is None or backend.is_keras_float(dtype)
            initializer = "glorot_uniform" if floating else "zeros"
        dtype = dtype if dtype is not None else (self._dtype or backend.floatx())
        before = len(self._losses)
        # A layer built by hand (``layer.build(shape)``, not by a call) names its weights
        # after the current name scope alone (``kernel``, ``kernel_1``, ``block/kernel``), as
        # TF 1.15's Keras; a call has chosen the layer's scope already.
        by_hand = self._scope is None and not self._reuse and isinstance(name, str)
        if by_hand:
            from flowgraph.graph import get_default_graph
            from flowgraph.variable_scope import get_variable_scope
            full = get_default_graph().unique_name(name, mark_as_used=False)
            prefix, _, name = full.rpartition("/")
            scope = copy.copy(get_variable_scope())
            scope._name = prefix
            scope._name_scope = prefix + "/" if prefix else ""
            self._scope = scope
        try:
            variable = super().add_weight(name, shape, dtype=dtype,
                                          initializer=initializers.get(initializer),
                                          regularizer=regularizers.get(regularizer),
                                          trainable=trainable,
                                          constraint=constraints.get(constraint), **kwargs)
        finally:
            if by_hand:
                self._scope = None
        if not hasattr(self, "_weight_losses"):
            self._weight_losses: list = []
        self._weight_losses += self._losses[before:]
        return variable

    @property
    def losses(self) -> list:
        """The layer's losses as TF 1.15 lists them: those added by `add_loss` and activity
        regularization first, then the weights' regularization losses."""
        weight_losses = getattr(self, "_weight_losses", [])
        kept = {id(t) for t in weight_losses}
        return [t for t in self._losses if id(t) not in kept] + [
            t for t in weight_losses if any(t is u for u in self._losses)]

    def get_weights(self) -> list:
        """The weights' current values (numpy arrays), from the Keras Session."""
        weights = self.weights
        return list(backend.get_session().run(weights)) if weights else []

    def set_weights(self, weights: Any) -> None:
        """Assigns numpy arrays to the weights, in the order of `weights`."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a '
                             f"weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(params)} weights. Provided weights: "
                             f"{str(weights)[:50]}...")
        pairs = []
        for param, value in zip(params, weights):
            value = np.asarray(value)
            want = tuple(param.shape.as_list())
            if want != value.shape:
                raise ValueError(f"Layer weight shape {want} not compatible with provided "
                                 f"weight shape {value.shape}")
            pairs.append((param, value))
        batch_set_value(pairs)

    # -- configuration
    def get_config(self) -> dict:
        """The arguments that rebuild the layer (`from_config`)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if type(self).get_config is Layer.get_config:
            # as TF 1.15: a subclass with its own __init__ arguments must say how to
            # rebuild itself
            extra = [name for name in _init_arguments(type(self)) if name not in config]
            if extra:
                raise NotImplementedError(
                    f"Layers with arguments in `__init__` must override `get_config` (layer "
                    f"{self.name} of class {type(self).__name__}, arguments {extra}).")
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        return cls(**config)

    def count_params(self) -> int:
        """The number of scalars in the layer's weights (a ValueError before it is built)."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self.name}, but the layer "
                             f"isn't built. You can build it manually via: "
                             f"`{self.name}.build(batch_input_shape)`.")
        return int(sum(int(np.prod(w.shape.as_list())) for w in self.weights))

    # -- what the layer was called on (TF 1.15's inbound nodes)
    def _nodes(self) -> list:
        """(inputs, outputs) of each call of the layer, in order (TF 1.15's inbound nodes)."""
        return [(call.inputs, call.outputs) for call in self._keras_calls]

    def _node_attribute(self, node_index: int, what: str, name: str) -> Any:
        nodes = self._nodes()
        if not nodes:
            raise RuntimeError(f"The layer has never been called and thus has no defined "
                               f"{name}.")
        if not len(nodes) > node_index:
            raise ValueError(f"Asked to get {name} at node {node_index}, but the layer has "
                             f"only {len(nodes)} inbound nodes.")
        inputs, outputs = nodes[node_index]
        values = inputs if what == "input" else outputs
        if what == "input_shape":
            values = _shapes(inputs)
        elif what == "output_shape":
            values = _shapes(outputs)
        if isinstance(values, list) and len(values) == 1:
            return values[0]
        return values

    @property
    def input(self) -> Any:
        """The input tensor(s) of the layer's first call."""
        if not self._nodes():
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        return self._node_attribute(0, "input", "input")

    @property
    def output(self) -> Any:
        """The output tensor(s) of the layer's first call."""
        if not self._nodes():
            raise AttributeError(f"Layer {self.name} has no inbound nodes.")
        return self._node_attribute(0, "output", "output")

    def get_input_at(self, node_index: int) -> Any:
        """The input tensor(s) of call `node_index` (0: the first call)."""
        return self._node_attribute(node_index, "input", "input")

    def get_output_at(self, node_index: int) -> Any:
        """The output tensor(s) of call `node_index` (0: the first call)."""
        return self._node_attribute(node_index, "output", "output")

    def get_input_shape_at(self, node_index: int) -> Any:
        """The input shape(s) of call `node_index` (0: the first call)."""
        return self._node_attribute(node_index, "input_shape", "input shape")

    def get_output_shape_at(self, node_index: int) -> Any:
        """The output shape(s) of call `node_index` (0: the first call)."""
        return self._node_attribute(node_index, "output_shape", "output shape")

    def get_input_mask_at(self, node_index: int) -> Any:
        """The mask(s) of the input tensor(s) of call `node_index`."""
        return _masks_of(self.get_input_at(node_index))

    def get_output_mask_at(self, node_index: int) -> Any:
        """The mask(s) of the output tensor(s) of call `node_index`."""
        return _masks_of(self.get_output_at(node_index))

    @property
    def input_mask(self) -> Any:
        """The mask(s) of the input tensor(s) of the layer's first call."""
        return _masks_of(self.input)

    @property
    def output_mask(self) -> Any:
        """The mask(s) of the output tensor(s) of the layer's first call."""
        return _masks_of(self.output)

    @property
    def input_shape(self) -> Any:
        """The input shape(s) of the layer's calls: an AttributeError if it was never
        called or its calls had different input shapes."""
        nodes = self._nodes()
        if not nodes:
            raise AttributeError("The layer has never been called and thus has no defined "
                                 "input shape.")
        shapes = [_shapes(inputs) for inputs, _ in nodes]
        if len({str(shape) for shape in shapes}) != 1:
            raise AttributeError(f'The layer "{self.name} has multiple inbound nodes, with '
                                 'different input shapes. Hence the notion of "input shape" '
                                 "is ill-defined for the layer. Use "
                                 "`get_input_shape_at(node_index)` instead.")
        return shapes[0]

    @property
    def output_shape(self) -> Any:
        """The output shape(s) of the layer's calls: an AttributeError if it was never
        called or its calls had different output shapes."""
        nodes = self._nodes()
        if not nodes:
            raise AttributeError("The layer has never been called and thus has no defined "
                                 "output shape.")
        shapes = [_shapes(outputs) for _, outputs in nodes]
        if len({str(shape) for shape in shapes}) != 1:
            raise AttributeError(f'The layer "{self.name}" has multiple inbound nodes, with '
                                 'different output shapes. Hence the notion of "output '
                                 'shape" is ill-defined for the layer. Use '
                                 "`get_output_shape_at(node_index)` instead.")
        return shapes[0]


def batch_set_value(pairs: list) -> None:
    """Assigns each (Variable, numpy value) pair in the Keras Session, with one placeholder
    and assign op per Variable kept for later calls (the graph does not grow)."""
    if not pairs:
        return
    session = backend.get_session()
    feeds, ops = {}, []
    for variable, value in pairs:
        cached = variable.graph.get_state("keras_assigns", dict)
        entry = cached.get(id(variable))
        if entry is None:
            from flowgraph.ops.constant import placeholder
            with variable.graph.as_default(), variable.graph.name_scope(None):
                holder = placeholder(variable.dtype.base_dtype, variable.shape)
                entry = cached[id(variable)] = (holder, variable.assign(holder))
        feeds[entry[0]] = value
        ops.append(entry[1])
    session.run(ops, feeds)


def _unconditional(item: Any) -> set:
    """The ids of the graph's unconditional Keras losses and updates (the graph holds the
    objects, so their ids stay theirs)."""
    return item.graph.get_state("keras_unconditional", set)


def _reachable_from(sources: list, target: Any) -> bool:
    """Whether `target` (a tensor or op) is computed from any of `sources` (data or
    control edges)."""
    wanted = {id(t) for t in sources} | {id(t.op) for t in sources}
    stack = [target.op if hasattr(target, "op") else target]
    seen: set = set()
    while stack:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        if id(op) in wanted:
            return True
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return False


def _filter_for(items: list, inputs: Any) -> list:
    if inputs is None:
        return [t for t in items if id(t) in _unconditional(t)]
    sources = [t for t in fg_base.flatten(inputs) if history._is_tensor(t)]
    return [t for t in items
            if id(t) not in _unconditional(t) and _reachable_from(sources, t)]


def _copy_passed_through(inputs: Any, outputs: Any) -> Any:
    """`outputs` with each tensor that is also an input replaced by an identity of it, as
    TF1's Keras: the input's own record (who made it) must stay for the functional API."""
    passed = {id(t) for t in fg_base.flatten(inputs)}
    if not any(id(t) in passed for t in fg_base.flatten(outputs)):
        return outputs
    from flowgraph.ops.constant import identity

    def copy(structure: Any) -> Any:
        if isinstance(structure, (list, tuple)):
            return type(structure)(copy(item) for item in structure)
        if id(structure) in passed:
            with structure.graph.as_default():
                return identity(structure)
        return structure
    return copy(outputs)


def _call_parameters(method: Any) -> list:
    """The parameter names of a bound `call` method."""
    try:
        return list(inspect.signature(method).parameters)
    except (TypeError, ValueError):
        return []


def _init_arguments(cls: type) -> list:
    """The named parameters of ``cls.__init__`` (not self, *args or **kwargs)."""
    try:
        params = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.name != "self" and p.kind in (
        p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _batch_input_shape(keras: dict) -> Optional[tuple]:
    if keras.get("batch_input_shape") is not None:
        return tuple(keras["batch_input_shape"])
    shape = keras.get("input_shape")
    if shape is None and keras.get("input_dim") is not None:
        shape = (keras["input_dim"],)
    if shape is None:
        return None
    return (keras.get("batch_size"),) + tuple(shape)


def _masks_of(tensors: Any) -> Any:
    if isinstance(tensors, list):
        return [masks.get_mask(t) for t in tensors]
    return masks.get_mask(tensors)


def _shapes(structure: Any) -> Any:
    if isinstance(structure, (list, tuple)):
        return [_shapes(s) for s in structure]
    dims = structure.shape.as_list() if structure.shape.ndims is not None else None
    return tuple(dims) if dims is not None else None
