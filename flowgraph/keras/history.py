"""Which Keras layer call made each symbolic tensor: the functional API's graph of layers.

Every call of a Keras layer on tensors is recorded as a `LayerCall` (layer, inputs, extra
arguments, outputs) keyed by each output tensor, per Graph; `Input` marks its placeholder.
A functional `Model` walks these records back from its outputs to its inputs to find its
layers, and replays them in order when it is called on new tensors.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.layers.base import flatten


class LayerCall:
    """One call of `layer`: ``outputs = layer(inputs, *args, **kwargs)``."""

    __slots__ = ("layer", "inputs", "args", "kwargs", "outputs")

    def __init__(self, layer: Any, inputs: Any, args: tuple, kwargs: dict,
                 outputs: Any) -> None:
        self.layer = layer
        self.inputs = inputs
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs

    def input_tensors(self) -> list:
        """The tensors among the inputs and the extra arguments, in order."""
        leaves = flatten(self.inputs) + flatten(list(self.args)) + flatten(
            list(self.kwargs.values()))
        return [t for t in leaves if _is_tensor(t)]

    def __repr__(self) -> str:
        return f"LayerCall({self.layer.name})"


class InputMark:
    """The placeholder `tensor` made by `Input` (through `input_layer`)."""

    __slots__ = ("input_layer", "tensor")

    def __init__(self, input_layer: Any, tensor: Any) -> None:
        self.input_layer = input_layer
        self.tensor = tensor


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "graph") and hasattr(value, "op") and hasattr(value, "dtype")


def _records(graph: Any) -> dict:
    return graph.get_state("keras_history", dict)


def record(layer: Any, inputs: Any, args: tuple, kwargs: dict, outputs: Any) -> LayerCall:
    """Notes that `layer` made `outputs` (each output tensor maps to this call)."""
    call = LayerCall(layer, inputs, args, kwargs, outputs)
    for t in flatten(outputs):
        if _is_tensor(t):
            _records(t.graph)[t] = call
    return call


def mark_input(input_layer: Any, tensor: Any) -> None:
    """Notes that `tensor` is the placeholder of `input_layer` (an InputLayer)."""
    _records(tensor.graph)[tensor] = InputMark(input_layer, tensor)


def producer(tensor: Any) -> Optional[Any]:
    """The LayerCall that made `tensor`, its InputMark for an Input, or None for a tensor
    no Keras layer made."""
    if not _is_tensor(tensor):
        return None
    return _records(tensor.graph).get(tensor)
