"""`tf.keras.models`: `Model`, `Sequential` and `clone_model` (TF 1.15, graph mode)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.keras import backend
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.engine_training import Model
from flowgraph.layers.base import flatten

__all__ = ["Model", "Sequential", "clone_model", "save_model", "load_model",
           "model_from_config", "model_from_json"]


class Sequential(Model):
    """A linear stack of layers. The first layer's ``input_shape`` (or an `InputLayer`)
    makes the model's Input at once; otherwise the model is built on its first call,
    `build(input_shape)` or `fit`."""

    def __init__(self, layers: Any = None, name: Optional[str] = None) -> None:
        super().__init__(name=name)
        self._stack: list = []
        self._input_layer: Any = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list:
        """The layers added (without the automatic InputLayer, as TF 1.15)."""
        return list(self._stack)

    def add(self, layer: Any) -> None:
        """Appends `layer` (a Keras Layer, possibly a Model) to the stack."""
        from flowgraph.keras.input_layer import Input, InputLayer
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Found: "
                            f"{layer}")
        if any(layer is other for other in self._stack):
            raise ValueError(f"Layer {layer.name} is already in the model.")
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("An InputLayer can only be the first layer of a Sequential "
                                 "model.")
            self._input_layer = layer
            self._graph_from(layer.output)
            return
        if not self._stack and self._input_layer is None:
            shape = getattr(layer, "_batch_input_shape", None)
            self._stack.append(layer)
            if shape is not None:
                dtype = layer.dtype or backend.floatx()
                x = Input(batch_shape=shape, dtype=dtype, name=f"{layer.name}_input")
                self._input_layer = _input_layer_of(x)
                self._graph_from(x)
            return
        self._stack.append(layer)
        if self._is_graph_network:
            y = self._apply(layer, self._stack_outputs[-1])
            self._stack_outputs.append(y)
            self._set_graph(self.inputs[0], y)

    def pop(self) -> None:
        """Removes the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        self._stack.pop()
        if self._is_graph_network:
            self._stack_outputs.pop()
        if not self._stack:
            self._is_graph_network = False
            self.built = False
            self.outputs = []
        elif self._is_graph_network:
            self._set_graph(self.inputs[0], self._stack_outputs[-1])

    @staticmethod
    def _apply(layer: Any, x: Any) -> Any:
        y = layer(x)
        if len(flatten(y)) != 1:
            raise TypeError("All layers in a Sequential model should have a single output "
                            "tensor. For multi-output layers, use the functional API.")
        return y

    def _graph_from(self, x: Any) -> None:
        """Builds the functional graph from the input tensor `x` through the stack."""
        self._stack_outputs = [x]
        for layer in self._stack:
            self._stack_outputs.append(self._apply(layer, self._stack_outputs[-1]))
        self._set_graph(x, self._stack_outputs[-1])

    def _set_graph(self, x: Any, y: Any) -> None:
        self._init_graph_network(x, y)
        if self._compiled:
            self._build_compiled()

    def build(self, input_shape: Any = None) -> None:
        """Builds the model for inputs of `input_shape` (batch axis included)."""
        from flowgraph.keras.input_layer import Input
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = tuple(input_shape.as_list()) if hasattr(input_shape, "as_list") \
            else tuple(input_shape)
        x = Input(batch_shape=shape, dtype=backend.floatx())
        self._build_input_shape = shape
        self._input_layer = _input_layer_of(x)
        self._graph_from(x)

    def _build_on_shapes(self, shapes: list, np_dtypes: Optional[list] = None) -> None:
        if not self._stack:
            raise TypeError("There are no layers in the model: add layers before fit.")
        if len(shapes) != 1:
            raise ValueError("A Sequential model takes one input array.")
        self.build(shapes[0])

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        if self._is_graph_network:
            return super().call(inputs, training=training, mask=mask)
        y = inputs
        for layer in self._stack:
            y = layer(y)
        return y

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._is_graph_network and not self.built and self._stack:
            # Build on these inputs' shape first (later calls replay the graph). As in
            # TF 1.15, where the layers are built inside the model's call, the weights are
            # named <model>/<layer>/kernel and the ops <model>/<layer>/...
            first = flatten(inputs)[0]
            if hasattr(first, "shape") and first.shape.ndims is not None:
                from flowgraph.variable_scope import variable_scope
                with first.graph.as_default(), variable_scope(
                        self.name, auxiliary_name_scope=False):
                    self.build([None] + first.shape.as_list()[1:])
        return super().__call__(inputs, *args, **kwargs)

    def get_config(self) -> dict:
        """``{'name': ..., 'layers': [{'class_name', 'config'}...]}`` as TF 1.15 (plus
        ``build_input_shape`` for a model built by `build`); a model started by an
        `InputLayer` gives its shape to the first layer's config as ``batch_input_shape``."""
        import copy
        configs = [{"class_name": type(layer).__name__, "config": layer.get_config()}
                   for layer in self._stack]
        if self._is_graph_network and configs and self._input_layer is not None and \
                "batch_input_shape" not in configs[0]["config"]:
            configs[0]["config"]["batch_input_shape"] = self._input_layer._batch_input_shape
        config = {"name": self.name, "layers": copy.deepcopy(configs)}
        if getattr(self, "_build_input_shape", None) is not None:
            config["build_input_shape"] = self._build_input_shape
        return config

    @classmethod
    def from_config(cls, config: Any, custom_objects: Optional[dict] = None) -> "Sequential":
        """A new Sequential model (new weights) from `get_config`'s output (or a bare list
        of layer configs, as TF 1.15 accepts)."""
        if isinstance(config, dict) and "layers" in config:
            name, layers = config.get("name"), config["layers"]
            build_input_shape = config.get("build_input_shape")
        else:
            name, layers, build_input_shape = None, config, None
        model = cls(name=name)
        for entry in layers:
            model.add(_layer_from_config(entry, custom_objects))
        if not model._is_graph_network and build_input_shape:
            model.build(build_input_shape)
        return model


def _input_layer_of(tensor: Any) -> Any:
    from flowgraph.keras import history
    made = history.producer(tensor)
    if not isinstance(made, history.InputMark):
        raise ValueError("Cannot clone a `Sequential` model on top of a tensor that comes from "
                         "a Keras layer other than an `InputLayer`. Use the functional API "
                         "instead.")
    return made.input_layer


def _keras_input(tensor: Any) -> Any:
    """`tensor` itself if a Keras layer made it, else the output of a new InputLayer
    wrapping it (``input_wrapper_for_<tensor name>``), as TF 1.15's clone_model."""
    from flowgraph.keras import history
    if history.producer(tensor) is not None:
        return tensor
    from flowgraph.keras.input_layer import Input
    return Input(tensor=tensor, name="input_wrapper_for_" + str(tensor.name))


def _layer_from_config(entry: dict, custom_objects: Optional[dict]) -> Layer:
    from flowgraph.keras.saving import deserialize
    return deserialize(entry, custom_objects=custom_objects)


def clone_model(model: Model, input_tensors: Any = None, clone_function: Any = None) -> Model:
    """A new model with the same architecture as `model` and new (freshly initialized)
    weights: each layer is rebuilt from its config (or by `clone_function(layer)`)."""
    clone = clone_function or (lambda layer: type(layer).from_config(layer.get_config()))
    if isinstance(model, Sequential):
        from flowgraph.keras.input_layer import Input
        new = Sequential(name=model.name)
        if input_tensors is not None:
            if len(flatten(input_tensors)) != 1:
                raise ValueError("To clone a `Sequential` model, we expect at most one tensor "
                                 "as part of `input_tensors`.")
            new.add(_input_layer_of(_keras_input(flatten(input_tensors)[0])))
        elif model._is_graph_network:
            x = model.inputs[0]
            new.add(_input_layer_of(Input(batch_shape=tuple(x.shape.as_list()),
                                          dtype=x.dtype.base_dtype.name)))
        for layer in model.layers:
            new.add(clone(layer))
        return new
    if not model._is_graph_network:
        raise ValueError("Expected `model` argument to be a functional `Model` instance, "
                         "but got a subclass model instead.")
    from flowgraph.keras.input_layer import Input
    if input_tensors is None:
        new_inputs = [Input(batch_shape=tuple(t.shape.as_list()),
                            dtype=t.dtype.base_dtype.name) for t in model.inputs]
    else:
        new_inputs = [_keras_input(t) for t in flatten(input_tensors)]
        if len(new_inputs) != len(model.inputs):
            raise ValueError(f"input_tensors should have {len(model.inputs)} tensors")
    from flowgraph.keras.engine_network import _substitute
    mapping = dict(zip(model.inputs, new_inputs))
    clones: dict = {}
    for call in model._calls:
        layer = call.layer
        if id(layer) not in clones:
            clones[id(layer)] = clone(layer)
        outputs = clones[id(layer)](_substitute(call.inputs, mapping),
                                    *_substitute(call.args, mapping),
                                    **_substitute(call.kwargs, mapping))
        for old, new_t in zip(flatten(call.outputs), flatten(outputs)):
            mapping[old] = new_t
    inputs = new_inputs if len(new_inputs) > 1 else new_inputs[0]
    return Model(inputs, _substitute(model._nested_outputs, mapping), name=model.name)


from flowgraph.keras.saving import (  # noqa: E402 - saving imports this module lazily
    load_model,
    model_from_config,
    model_from_json,
    save_model,
)
from flowgraph.keras.sequential_predict import predict_classes, predict_proba  # noqa: E402,I001

Sequential.predict_classes = predict_classes  # type: ignore[attr-defined]
Sequential.predict_proba = predict_proba  # type: ignore[attr-defined]
