"""TF 1.15's ``TensorFlowOpLayer``: a plain TensorFlow op used between Keras layers.

TF 1.15 lets a functional model contain raw ops on Keras tensors (``tf.nn.relu(h) * 2.0``
between two Dense layers): each such op becomes a layer named ``tf_op_layer_<op name>``
(``tf_op_layer_Relu``, ``tf_op_layer_mul``) that applies the same op again when the model
is called on new inputs. Its inputs that do not come from Keras tensors (constants,
Variables, other placeholders) are kept as they are.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.keras import history
from flowgraph.keras.base_layer import Layer

__all__ = ["TensorFlowOpLayer", "wrap_raw_tensor"]

_PREFIX = "tf_op_layer_"


class TensorFlowOpLayer(Layer):
    """Re-applies one graph operation (its op definition, hence its attributes) to new
    Keras tensors; the op's other inputs are reused as they are.

    Parameters
    ----------
    op : Operation
        The operation to wrap; the layer is named ``tf_op_layer_<op name>``.
    keras_positions : list of int
        The positions of the op's inputs that come from Keras tensors (the layer's inputs,
        in this order); the other inputs are kept.
    """

    def __init__(self, op: Any, keras_positions: list, name: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name or _PREFIX + op.name, trainable=False,
                         dtype=op.outputs[0].dtype.base_dtype if op.outputs else None,
                         **kwargs)
        self.built = True
        self._op_def = op.op_def
        self._op_base_name = op.name.split("/")[-1]
        self._num_inputs = len(op.inputs)
        self._keras_positions = list(keras_positions)
        self._constants = {i: t for i, t in enumerate(op.inputs)
                           if i not in self._keras_positions}

    def call(self, inputs: Any) -> list:
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self._keras_positions):
            raise ValueError(f"Layer {self.name} applies op {self._op_base_name} to "
                             f"{len(self._keras_positions)} Keras tensor(s), got "
                             f"{len(flat)}.")
        by_position = dict(zip(self._keras_positions, flat))
        full = [by_position[i] if i in by_position else self._constants[i]
                for i in range(self._num_inputs)]
        graph = flat[0].graph
        op = graph.create_op(self._op_def, full, name=self._op_base_name)
        return list(op.outputs)

    def get_config(self) -> dict:
        raise ValueError(f"Layer {self.name} wraps the TensorFlow op {self._op_base_name} "
                         "used directly on Keras tensors; flowgraph cannot serialize it. To "
                         "save the model's architecture, compute it in a Lambda layer "
                         "(tf.keras.layers.Lambda(lambda x: ...)) instead.")


def wrap_raw_tensor(tensor: Any) -> Optional[Any]:
    """The LayerCall of a new `TensorFlowOpLayer` made for the op behind `tensor` (and, first,
    for the raw ops between it and Keras tensors), as TF 1.15 does when a model's graph
    reaches a tensor no Keras layer made; None when `tensor` does not depend on any Keras
    tensor."""
    return _wrap(tensor, {})


def _wrap(tensor: Any, seen: dict) -> Optional[Any]:
    made = history.producer(tensor)
    if made is not None:
        return made
    op = tensor.op
    if op in seen:
        return seen[op]
    seen[op] = None  # (no cycles in a graph, but guard the walk anyway)
    keras_inputs, positions = [], []
    for position, t in enumerate(op.inputs):
        if _wrap(t, seen) is not None:
            keras_inputs.append(t)
            positions.append(position)
    if not keras_inputs:
        return None
    layer = TensorFlowOpLayer(op, positions)
    call = history.record(layer, keras_inputs, (), {}, list(op.outputs))
    layer._keras_calls.append(call)
    seen[op] = call
    return call
