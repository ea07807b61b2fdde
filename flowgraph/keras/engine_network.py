"""The graph of Keras layers behind `tf.keras.Model` (TF 1.15's ``Network``).

A functional model is built from its input and output tensors: the layer calls recorded by
`flowgraph.keras.history` are walked back from the outputs to the `Input` placeholders, and
calling the model on new tensors replays those calls in order (the layers, hence the weights,
are shared). A subclassed model (``class M(tf.keras.Model)`` with its own ``call``) tracks
the layers assigned to its attributes instead.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.keras import backend, history
from flowgraph.keras.base_layer import Layer
from flowgraph.layers.base import flatten


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "graph") and hasattr(value, "op") and hasattr(value, "dtype")


def _substitute(structure: Any, mapping: dict) -> Any:
    """`structure` with every tensor found in `mapping` replaced by its value."""
    if isinstance(structure, (list, tuple)):
        items = [_substitute(s, mapping) for s in structure]
        return type(structure)(items) if isinstance(structure, tuple) else items
    if isinstance(structure, dict):
        return {k: _substitute(v, mapping) for k, v in structure.items()}
    if _is_tensor(structure) and structure in mapping:
        return mapping[structure]
    return structure


def _accepts(fn: Any, name: str) -> bool:
    import inspect
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


def _node_layer(node: Any) -> Any:
    return node.input_layer if isinstance(node, history.InputMark) else node.layer


def _layers_by_depth(outputs: list, input_layers: list) -> list:
    """The layers of the graph of layer calls ending in `outputs`, in TF 1.15's order
    (``_map_graph_network``): by decreasing depth (distance from the outputs, so inputs
    first), layers of equal depth in the order a depth-first walk back from the outputs
    first meets them. Weight files read by position (``load_weights(by_name=False)``)
    pair layers up in this order."""
    index: dict = {}  # id(layer) -> when the walk first met it
    finished: set = set()
    decreasing: list = []  # nodes (calls, input marks) in decreasing depth
    inbound: dict = {}  # id(node) -> the nodes making its input tensors

    def inputs_of(node: Any) -> list:
        if id(node) not in inbound:
            found = [] if isinstance(node, history.InputMark) else \
                [history.producer(t) for t in node.input_tensors()]
            inbound[id(node)] = [n for n in found if n is not None]
        return inbound[id(node)]

    for t in outputs:
        # (iterative, with the order of a recursive walk: deep models would exceed Python's
        # recursion limit)
        stack = [(history.producer(t), False)]
        while stack:
            node, done = stack.pop()
            if done:
                finished.add(id(node))
                decreasing.append(node)
                continue
            if id(node) in finished:
                continue
            index.setdefault(id(_node_layer(node)), len(index))
            stack.append((node, True))
            stack.extend((n, False) for n in reversed(inputs_of(node)))
    node_depth: dict = {}
    layer_depth: dict = {}
    layers: dict = {}
    for node in reversed(decreasing):
        layer = _node_layer(node)
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(layer), 0))
        layer_depth[id(layer)] = node_depth[id(node)] = depth
        layers[id(layer)] = layer
        for n in inputs_of(node):
            node_depth[id(n)] = max(depth + 1, node_depth.get(id(n), 0))
    for layer in input_layers:  # inputs the outputs do not depend on
        if id(layer) not in layers:
            layers[id(layer)] = layer
            layer_depth[id(layer)], index[id(layer)] = 0, -1
    return sorted(layers.values(), key=lambda layer: (-layer_depth[id(layer)],
                                                        index[id(layer)]))


class Network(Layer):
    """A Layer made of layers: functional (``Network(inputs, outputs)``) or subclassed
    (layers assigned to attributes, computation in ``call``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        if args:
            inputs, args = args[0], args[1:]
        if args:
            outputs, args = args[0], args[1:]
        if args:
            raise TypeError(f"Model takes (inputs, outputs) positionally, got {len(args) + 2} "
                            "positional arguments")
        object.__setattr__(self, "_tracked_layers", [])
        object.__setattr__(self, "_is_graph_network", False)
        if (inputs is None) != (outputs is None):
            raise ValueError("A functional Model needs both `inputs` and `outputs` "
                             "(e.g. Model(inputs=x, outputs=y)); a subclassed Model neither.")
        super().__init__(**kwargs)
        self._calls: list = []
        self._input_layers: list = []
        if inputs is not None:
            self._init_graph_network(inputs, outputs)
        else:
            self.inputs, self.outputs = [], []  # (set by the first call, as TF 1.15)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        outputs = super().__call__(inputs, *args, **kwargs)
        if not self._is_graph_network and not self.inputs:
            # a subclassed model keeps the tensors of its first call, as TF 1.15's
            # Layer.__call__ (`_set_inputs`)
            self.inputs = [t for t in flatten(inputs) if _is_tensor(t)]
            self.outputs = [t for t in flatten(outputs) if _is_tensor(t)]
            self.input_names = [f"input_{i + 1}" for i in range(len(self.inputs))]
            self.output_names = [f"output_{i + 1}" for i in range(len(self.outputs))]
        return outputs

    # -- attribute tracking (subclassed models)
    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            for item in flatten(value) if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, Layer) and item is not self and all(
                        item is not t for t in self._tracked_layers):
                    self._tracked_layers.append(item)
        object.__setattr__(self, name, value)

    # -- the functional graph
    def _init_graph_network(self, inputs: Any, outputs: Any) -> None:
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = list(flatten(inputs))
        self.outputs = list(flatten(outputs))
        for t in self.inputs + self.outputs:
            if not _is_tensor(t):
                raise TypeError(f"Model inputs and outputs must be tensors (from "
                                f"tf.keras.Input and Keras layers), got {t!r}")
        input_layers = []
        for t in self.inputs:
            mark = history.producer(t)
            if not isinstance(mark, history.InputMark):
                raise ValueError(f"Input tensors to a Model must come from `tf.keras.Input`. "
                                 f"Received: {t} (missing previous layer metadata).")
            input_layers.append(mark.input_layer)
        self._input_layers = input_layers
        known = set(self.inputs)
        calls: list = []
        seen: set = set()

        def visit(tensor: Any) -> None:
            if tensor in known:
                return
            call = history.producer(tensor)
            if call is None:
                # a raw TF op on Keras tensors becomes a layer, as TF 1.15
                from flowgraph.keras.layers.tf_op_layer import wrap_raw_tensor
                call = wrap_raw_tensor(tensor)
            if call is None or isinstance(call, history.InputMark):
                raise ValueError(
                    f"Graph disconnected: cannot obtain value for tensor {tensor} (op "
                    f"{tensor.op.name}): it is not computed from the model inputs "
                    f"{[t.name for t in self.inputs]} by Keras layers. Pass it as an input "
                    "or compute it with Keras layers (wrap TF ops in a Lambda layer).")
            if id(call) in seen:
                return
            seen.add(id(call))
            for t in call.input_tensors():
                visit(t)
            calls.append(call)

        for t in self.outputs:
            visit(t)
        self._calls = calls
        layers = _layers_by_depth(self.outputs, input_layers)
        names = [layer.name for layer in layers]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f'The name "{name}" is used {names.count(name)} times in the '
                                 "model. All layer names should be unique.")
        object.__setattr__(self, "_tracked_layers", layers)
        self.input_names = [layer.name for layer in input_layers]
        self.output_names = []
        for t in self.outputs:
            call = history.producer(t)
            name = call.input_layer.name if isinstance(call, history.InputMark) \
                else call.layer.name
            self.output_names.append(name)
        self._is_graph_network = True
        self.built = True

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        """Replays the model's layer calls on `inputs` (the functional model)."""
        if not self._is_graph_network:
            raise NotImplementedError(
                "A subclassed Model must define `call(self, inputs, ...)`.")
        flat = flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model {self.name} expects {len(self.inputs)} input(s), but it "
                             f"received {len(flat)} input tensors.")
        mapping = dict(zip(self.inputs, flat))
        for call in self._calls:
            new_inputs = _substitute(call.inputs, mapping)
            new_args = _substitute(call.args, mapping)
            new_kwargs = _substitute(call.kwargs, mapping)
            if training is not None and "training" not in new_kwargs and _accepts(
                    call.layer.call, "training"):
                new_kwargs["training"] = training
            new_outputs = call.layer(new_inputs, *new_args, **new_kwargs)
            for old, new in zip(flatten(call.outputs), flatten(new_outputs)):
                if _is_tensor(old):
                    mapping[old] = new
        return _substitute(self._nested_outputs, mapping)

    def _nodes(self) -> list:
        """A functional model's first node is its own graph, (inputs, outputs), as TF 1.15:
        ``model.input``, ``model.output_shape`` describe the model as built."""
        own = [(self._nested_inputs, self._nested_outputs)] if self._is_graph_network else []
        return own + super()._nodes()

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Sets `trainable` on the model and on all its layers, as TF 1.15."""
        object.__setattr__(self, "_trainable", bool(value))
        try:
            layers = self.layers
        except AttributeError:  # (still in __init__)
            layers = []
        for layer in layers:
            layer.trainable = value

    # -- layers and weights
    @property
    def layers(self) -> list:
        """The model's layers: for a functional model in TF's order (by depth from the
        outputs, inputs first; see `_layers_by_depth`), for a subclassed one in the order
        they were assigned."""
        return list(self._tracked_layers)

    def get_layer(self, name: Optional[str] = None, index: Optional[int] = None) -> Layer:
        """The layer called `name`, or the one at `index` (in `layers`)."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"only has {len(self.layers)} layers.")
            return self.layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index.")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}")

    def _unique(self, items: list) -> list:
        out, seen = [], set()
        for item in items:
            if id(item) not in seen:
                seen.add(id(item))
                out.append(item)
        return out

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        weights = []
        for layer in self.layers:
            weights += layer.trainable_weights
        return self._unique(weights + list(self._trainable_weights))

    @property
    def non_trainable_weights(self) -> list:
        weights = []
        for layer in self.layers:
            weights += layer.non_trainable_weights
        weights += list(self._non_trainable_weights)
        if not self.trainable:
            trainable = []
            for layer in self.layers:
                trainable += layer.trainable_weights
            weights = trainable + list(self._trainable_weights) + weights
        return self._unique(weights)

    @property
    def weights(self) -> list:
        """All weights, layer by layer (as TF 1.15's Network)."""
        weights = []
        for layer in self.layers:
            weights += layer.weights
        return self._unique(weights + list(self._trainable_weights) +
                            list(self._non_trainable_weights))

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def updates(self) -> list:
        """The update ops of the layers (e.g. BatchNormalization's moving averages)."""
        updates = []
        for layer in self.layers:
            updates += list(layer.updates)
        return self._unique(updates + list(self._updates))

    @property
    def losses(self) -> list:
        """The regularization losses of the layers and of the model."""
        losses = []
        for layer in self.layers:
            losses += list(layer.losses)
        return self._unique(losses + list(self._losses))

    def count_params(self) -> int:
        """The number of scalars in the model's weights."""
        if not self.built:
            raise ValueError("You tried to call `count_params` on " + self.name + ", but the "
                             "layer isn't built. You can build it manually via: `" +
                             self.name + ".build(batch_input_shape)`.")
        return int(sum(int(np.prod(w.shape.as_list())) for w in self.weights))

    # -- summary
    def _layer_shapes(self, layer: Any) -> str:
        if not self._is_graph_network:
            return "multiple"  # a subclassed model's layers, as TF 1.15
        calls = [c for c in self._calls if c.layer is layer]
        if len(calls) == 1:
            return str(_shapes(calls[0].outputs))
        if calls:
            return "multiple"
        for t, layer_of in zip(self.inputs if self._is_graph_network else [],
                               self._input_layers):
            if layer_of is layer:
                return str([tuple(t.shape.as_list())])
        return "multiple"

    def summary(self, line_length: Optional[int] = None, positions: Any = None,
                print_fn: Any = None) -> None:
        """Prints the table of layers: Layer (type), Output Shape, Param #, and totals."""
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by "
                             "calling `build()` or calling `fit()` with some data, or "
                             "specify an `input_shape` argument in the first layer(s) for "
                             "automatic build.")
        print_fn = print_fn or print
        sequential_like = self._sequential_like()
        line_length = line_length or (65 if sequential_like else 98)
        positions = positions or ([0.45, 0.85, 1.0] if sequential_like
                                  else [0.33, 0.55, 0.67, 1.0])
        if positions[-1] <= 1:
            positions = [int(line_length * p) for p in positions]

        def row(fields: list) -> None:
            line = ""
            for field, stop in zip(fields, positions):
                line = (line + str(field))[:stop]
                line += " " * (stop - len(line))
            print_fn(line.rstrip())

        print_fn(f'Model: "{self.name}"')
        print_fn("_" * line_length)
        header = ["Layer (type)", "Output Shape", "Param #"]
        row(header if sequential_like else header + ["Connected to"])
        print_fn("=" * line_length)
        layers = self.layers
        for i, layer in enumerate(layers):
            params = layer.count_params() if layer.built else 0
            fields = [f"{layer.name} ({type(layer).__name__})", self._layer_shapes(layer),
                      params]
            if sequential_like:
                row(fields)
            else:
                sources = [f"{name}[{node}][{index}]"
                           for call in self._calls if call.layer is layer
                           for name, node, index in map(_tensor_origin,
                                                        call.input_tensors())]
                row(fields + [sources[0] if sources else ""])
                for source in sources[1:]:
                    row(["", "", "", source])
            print_fn("=" * line_length if i == len(layers) - 1 else "_" * line_length)
        trainable = int(sum(np.prod(w.shape.as_list()) for w in self.trainable_weights))
        non_trainable = int(sum(np.prod(w.shape.as_list())
                                for w in self.non_trainable_weights))
        print_fn(f"Total params: {trainable + non_trainable:,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {non_trainable:,}")
        print_fn("_" * line_length)

    def _sequential_like(self) -> bool:
        """Whether the summary needs no "Connected to" column: a chain of single-input
        layer calls, each layer called once (as TF 1.15's print_summary)."""
        if not self._is_graph_network or type(self).__name__ == "Sequential":
            return True
        if len(self.inputs) != 1:
            return False
        consumed: set = set()
        for call in self._calls:
            tensors = call.input_tensors()
            if len(tensors) != 1 or tensors[0] in consumed:
                return False
            consumed.add(tensors[0])
        called = [id(c.layer) for c in self._calls]
        return len(called) == len(set(called))

    # -- weights in and out
    def get_weights(self) -> list:
        """The values of `weights` (numpy arrays)."""
        weights = self.weights
        return list(backend.get_session().run(weights)) if weights else []

    def set_weights(self, weights: Any) -> None:
        """Assigns numpy arrays to `weights`, in order."""
        from flowgraph.keras.base_layer import batch_set_value
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on model {self.name} with a "
                             f"weight list of length {len(weights)}, but the model was "
                             f"expecting {len(params)} weights.")
        pairs = []
        for param, value in zip(params, weights):
            value = np.asarray(value)
            if tuple(param.shape.as_list()) != value.shape:
                raise ValueError(f"Weight {param.name} has shape {param.shape.as_list()}, "
                                 f"the value given has shape {value.shape}")
            pairs.append((param, value))
        batch_set_value(pairs)

    def _saver(self) -> Any:
        cache = self.__dict__.setdefault("_savers", {})
        key = tuple(id(w) for w in self.weights)
        if key not in cache:
            from flowgraph.train.saver import Saver
            graph = self.weights[0].graph
            with graph.as_default():
                cache[key] = Saver(var_list=self.weights)
        return cache[key]

    def save_weights(self, filepath: str, overwrite: bool = True,
                     save_format: Optional[str] = None) -> None:
        """Saves the weights: a checkpoint (flowgraph's Saver format) at `filepath`, or an
        HDF5 file when it ends in ``.h5`` / ``.keras`` (needs h5py)."""
        if not self.weights:
            raise ValueError(f"Model {self.name} has no weights to save; build it first.")
        if _is_h5(filepath, save_format):
            _save_h5(self, filepath)
            return
        # as TF 1.15's Keras: the checkpoint files without a MetaGraph (.meta)
        self._saver().save(backend.get_session(), str(filepath), write_meta_graph=False)

    def load_weights(self, filepath: str, by_name: bool = False) -> None:
        """Loads weights saved by `save_weights` (checkpoint or ``.h5``)."""
        if not self.weights:
            raise ValueError(f"Model {self.name} has no weights yet: build it (call it on "
                             "data, or give the first layer an input_shape) before "
                             "load_weights.")
        if _is_h5(filepath, None):
            _load_h5(self, filepath, by_name)
            return
        if by_name:
            raise NotImplementedError("by_name=True is only supported for HDF5 files "
                                      "(as in TF 1.15)")
        self._saver().restore(backend.get_session(), str(filepath))

    # -- whole-model saving (flowgraph.keras.saving)
    def save(self, filepath: str, overwrite: bool = True, include_optimizer: bool = True,
             save_format: Optional[str] = None) -> None:
        """Saves architecture, weights, training config and optimizer state
        (`tf.keras.models.save_model`); `tf.keras.models.load_model` reads it back."""
        from flowgraph.keras.saving import save_model
        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer,
                   save_format=save_format)

    def to_json(self, **kwargs: Any) -> str:
        """The model's config as JSON (`tf.keras.models.model_from_json` rebuilds it);
        `kwargs` go to `json.dumps`."""
        from flowgraph.keras.saving import model_to_json
        return model_to_json(self, **kwargs)

    # -- configuration
    def get_config(self) -> dict:
        """The functional model's layers and connections (TF 1.15's Network config:
        ``inbound_nodes`` lists ``[layer name, node index, tensor index, kwargs]``)."""
        if not self._is_graph_network:
            raise NotImplementedError("get_config is only available for functional and "
                                      "Sequential models, not subclassed ones (as TF 1.15).")
        local: dict = {}
        counts: dict = {}
        for call in self._calls:
            local[id(call)] = counts.get(id(call.layer), 0)
            counts[id(call.layer)] = local[id(call)] + 1

        def origin(tensor: Any) -> list:
            made = history.producer(tensor)
            if isinstance(made, history.InputMark):
                return [made.input_layer.name, 0, 0]
            position = next(i for i, t in enumerate(flatten(made.outputs)) if t is tensor)
            return [made.layer.name, local[id(made)], position]

        layer_configs = []
        for layer in self.layers:
            inbound = []
            for call in self._calls:
                if call.layer is layer:
                    kwargs = {k: v for k, v in call.kwargs.items() if not _is_tensor(v)}
                    inbound.append([origin(t) + [kwargs] for t in call.input_tensors()])
            layer_configs.append({"name": layer.name, "class_name": type(layer).__name__,
                                  "config": layer.get_config(), "inbound_nodes": inbound})
        return {"name": self.name, "layers": layer_configs,
                "input_layers": [origin(t) for t in self.inputs],
                "output_layers": [origin(t) for t in self.outputs]}

    @classmethod
    def from_config(cls, config: dict, custom_objects: Optional[dict] = None) -> "Network":
        """A new functional model (new weights) from `get_config`'s output."""
        from flowgraph.keras.input_layer import InputLayer
        from flowgraph.keras.saving import deserialize
        tensors: dict = {}
        made: dict = {}
        for entry in config["layers"]:
            layer = deserialize(entry, custom_objects=custom_objects)
            made[entry["name"]] = layer
            if isinstance(layer, InputLayer):
                tensors[(entry["name"], 0, 0)] = layer.output
        pending = [(entry, i) for entry in config["layers"]
                   for i in range(len(entry["inbound_nodes"]))]
        while pending:
            progress = False
            for entry, node in list(pending):
                inbound = entry["inbound_nodes"][node]
                keys = [tuple(source[:3]) for source in inbound]
                if not all(k in tensors for k in keys):
                    continue
                kwargs = inbound[0][3] if inbound and len(inbound[0]) > 3 else {}
                args = [tensors[k] for k in keys]
                outputs = made[entry["name"]](args[0] if len(args) == 1 else args, **kwargs)
                for position, t in enumerate(flatten(outputs)):
                    tensors[(entry["name"], node, position)] = t
                pending.remove((entry, node))
                progress = True
            if not progress:
                raise ValueError("The model config's layers cannot be connected: missing "
                                 f"inputs for {[e['name'] for e, _ in pending]}")
        inputs = [tensors[tuple(k)] for k in config["input_layers"]]
        outputs = [tensors[tuple(k)] for k in config["output_layers"]]
        return cls(inputs if len(inputs) > 1 else inputs[0],
                   outputs if len(outputs) > 1 else outputs[0], name=config.get("name"))


def _tensor_origin(tensor: Any) -> tuple:
    """(layer name, call index, tensor index) of a tensor made by a Keras layer."""
    made = history.producer(tensor)
    if isinstance(made, history.InputMark):
        return (made.input_layer.name, 0, 0)
    index = next(i for i, c in enumerate(made.layer._keras_calls) if c is made)
    if getattr(made.layer, "_is_graph_network", False):
        index += 1  # a functional model's node 0 is its own graph
    position = next(i for i, t in enumerate(flatten(made.outputs)) if t is tensor)
    return (made.layer.name, index, position)


def _shapes(structure: Any) -> Any:
    if isinstance(structure, (list, tuple)):
        return [_shapes(s) for s in structure]
    if structure.shape.ndims is None:
        return None
    return tuple(structure.shape.as_list())


def _is_h5(filepath: Any, save_format: Optional[str]) -> bool:
    if save_format is not None:
        fmt = save_format.lower()
        if fmt not in ("tf", "h5", "hdf5", "tensorflow"):
            raise ValueError(f"Unknown format {save_format!r}: use 'tf' or 'h5'.")
        return fmt in ("h5", "hdf5")
    return str(filepath).endswith((".h5", ".keras", ".hdf5"))


def _h5py() -> Any:
    try:
        import h5py
    except ImportError as e:
        raise ImportError("Saving or loading weights in HDF5 format (.h5) needs h5py: "
                          "pip install h5py (or use a path without .h5 for flowgraph's "
                          "checkpoint format)") from e
    return h5py


def _save_h5(model: Network, filepath: str) -> None:
    """Keras' layout: attrs ``layer_names``; per layer a group with ``weight_names``."""
    h5py = _h5py()
    with h5py.File(filepath, "w") as f:
        layers = model.layers
        f.attrs["layer_names"] = [layer.name.encode("utf8") for layer in layers]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.2.4-tf"
        for layer in layers:
            group = f.create_group(layer.name)
            weights = layer.weights
            names = [w.name for w in weights]
            group.attrs["weight_names"] = [n.encode("utf8") for n in names]
            for name, value in zip(names, layer.get_weights() if weights else []):
                group.create_dataset(name, data=value)


def _load_h5(model: Network, filepath: str, by_name: bool) -> None:
    h5py = _h5py()
    from flowgraph.keras.base_layer import batch_set_value
    with h5py.File(filepath, "r") as f:
        names = [n.decode("utf8") if isinstance(n, bytes) else str(n)
                 for n in f.attrs["layer_names"]]
        saved = {}
        for name in names:
            group = f[name]
            wnames = [n.decode("utf8") if isinstance(n, bytes) else str(n)
                      for n in group.attrs["weight_names"]]
            saved[name] = [np.asarray(group[w]) for w in wnames]
    pairs = []
    if by_name:
        for layer in model.layers:
            if layer.name in saved:
                pairs += _pair(layer, saved[layer.name])
    else:
        with_weights = [layer for layer in model.layers if layer.weights]
        saved_lists = [saved[n] for n in names if saved[n]]
        if len(with_weights) != len(saved_lists):
            raise ValueError(f"You are trying to load a weight file containing "
                             f"{len(saved_lists)} layers into a model with "
                             f"{len(with_weights)} layers.")
        for layer, values in zip(with_weights, saved_lists):
            pairs += _pair(layer, values)
    batch_set_value(pairs)


def _pair(layer: Any, values: list) -> list:
    weights = layer.weights
    if len(weights) != len(values):
        raise ValueError(f"Layer {layer.name} expects {len(weights)} weights, but the saved "
                         f"weights have {len(values)} elements.")
    for w, v in zip(weights, values):
        if tuple(w.shape.as_list()) != v.shape:
            raise ValueError(f"Layer {layer.name}: weight {w.name} has shape "
                             f"{w.shape.as_list()}, the saved one {v.shape}")
    return list(zip(weights, values))
