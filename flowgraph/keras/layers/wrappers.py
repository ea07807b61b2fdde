"""Keras' layer wrappers, as TF 1.15's: `TimeDistributed` (a layer applied to every time
step) and `Bidirectional` (an RNN layer run forwards and backwards, outputs merged).

Both own their inner layers' weights: `TimeDistributed(Dense(2))` names them
``time_distributed/kernel:0``; `Bidirectional(LSTM(4))` makes ``forward_lstm`` and
``backward_lstm`` (``bidirectional/forward_lstm/kernel:0`` ...).
"""

from __future__ import annotations

import inspect
from typing import Any, Optional

from flowgraph.keras.base_layer import Layer
from flowgraph.keras.layers.normalization import resolve_training
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.ops import (
    add,
    concat,
    convert_to_tensor,
    multiply,
    reduce_any,
    reshape,
    reverse,
    shape,
)
from flowgraph.ops.constant import constant
from flowgraph.shapes import TensorShape

__all__ = ["Wrapper", "TimeDistributed", "Bidirectional"]


def _accepts(method: Any, argument: str) -> bool:
    try:
        return argument in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _layer_config(layer: Any) -> dict:
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


class Wrapper(Layer):
    """The base of layers that wrap another `layer`; their weights are the layer's."""

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Wrapper` layer with a "
                             f"`tf.keras.layers.Layer` instance. You passed: {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def _sublayers(self) -> list:
        return [self.layer]

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return [w for sub in self._sublayers() for w in sub.trainable_weights]

    @property
    def non_trainable_weights(self) -> list:
        if not self.trainable:
            return [w for sub in self._sublayers() for w in sub.weights]
        return [w for sub in self._sublayers() for w in sub.non_trainable_weights]

    @property
    def updates(self) -> list:
        return list(self._updates) + [u for sub in self._sublayers() for u in sub.updates]

    @property
    def losses(self) -> list:
        return list(self._losses) + [v for sub in self._sublayers() for v in sub.losses]

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": _layer_config(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: Optional[dict] = None) -> "Wrapper":
        """The wrapper of the layer its config describes (``{'class_name', 'config'}``)."""
        from flowgraph.keras.saving import deserialize
        config = dict(config)
        config["layer"] = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(**config)


class TimeDistributed(Wrapper):
    """Applies `layer` to every temporal slice of ``[batch, time, ...]`` inputs (the same
    weights at every step): the inputs are reshaped to ``[batch * time, ...]``, passed
    through the layer and reshaped back to ``[batch, time, ...]``. A Keras mask ``[batch,
    time]`` goes to the layer's ``call`` (merged the same way) when it takes one."""

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        dims = as_shape_list(input_shape)
        if len(dims) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` "
                             f"with at least 3 dimensions, received: {dims}")
        self.input_spec = InputSpec(shape=[None] + dims[1:])
        self._build_sublayer(self.layer, TensorShape([None] + dims[2:]))
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        inner = TensorShape(self.layer.compute_output_shape(
            TensorShape([None] + dims[2:]))).as_list()
        return TensorShape(dims[:2] + inner[1:])

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        inputs = convert_to_tensor(inputs)
        dims = inputs.shape.as_list()
        flat = _merge_batch_time(inputs)
        kwargs = {}
        if _accepts(self.layer.call, "training"):
            kwargs["training"] = training
        if mask is not None and _accepts(self.layer.call, "mask"):
            kwargs["mask"] = _merge_batch_time(convert_to_tensor(mask))
        outputs = self.layer.call(flat, **kwargs)
        out_dims = outputs.shape.as_list()[1:]
        if dims[1] is not None and all(d is not None for d in out_dims):
            result = reshape(outputs, [-1, dims[1]] + out_dims)
        else:
            input_shape = shape(inputs)
            result = reshape(outputs, concat([input_shape[:2], shape(outputs)[1:]], 0))
        result.set_shape(dims[:2] + out_dims)
        return result


    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """As TF 1.15: with a static batch size the input mask; else the inner layer's
        mask of the merged ``[batch * time, ...]`` inputs reshaped to ``[batch, time,
        ...]``, or, when the inner layer gives none, the input mask reduced (any) to
        ``[batch, time]``."""
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims is not None and inputs.shape.as_list()[0] is not None:
            return mask
        inner_mask = None if mask is None else _merge_batch_time(convert_to_tensor(mask))
        output_mask = self.layer.compute_mask(_merge_batch_time(inputs), inner_mask)
        if output_mask is None:
            if mask is None:
                return None
            output_mask = convert_to_tensor(mask)
            for _ in range(2, output_mask.shape.ndims):
                output_mask = reduce_any(output_mask, axis=-1)
            return output_mask
        batch_time = shape(inputs)[:2]
        result = reshape(output_mask, concat([batch_time, shape(output_mask)[1:]], 0))
        known = output_mask.shape.as_list()[1:] if output_mask.shape.ndims else None
        if known is not None:
            result.set_shape(inputs.shape.as_list()[:2] + known)
        return result


def _merge_batch_time(x: Any) -> Any:
    """``[batch, time, ...]`` -> ``[batch * time, ...]``."""
    inner = x.shape.as_list()[2:]
    if all(d is not None for d in inner):
        return reshape(x, [-1] + inner)
    return reshape(x, concat([[-1], shape(x)[2:]], 0))


_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Wrapper):
    """Runs an RNN `layer` forwards and a copy of it backwards over the inputs and merges
    their outputs.

    Parameters
    ----------
    layer : RNN
        The forward layer is remade from its config and named ``forward_<name>``.
    merge_mode : {'concat', 'sum', 'mul', 'ave', None}
        How the two outputs combine; None returns them as a list.
    weights : list of arrays, optional
        Initial weights (forward then backward).
    backward_layer : RNN, optional
        The backward layer (default: a copy of `layer` with ``go_backwards`` flipped),
        named ``backward_<name>``.

    With ``return_sequences`` the backward outputs are put back in time order before
    merging. With ``return_state`` the result is ``[merged] + forward states + backward
    states``. A Keras mask goes to both layers; ``return_sequences`` outputs keep it.
    """

    def __init__(self, layer: Any, merge_mode: Optional[str] = "concat", weights: Any = None,
                 backward_layer: Any = None, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             f"`Layer` instance. You passed: {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `tf.keras.layers.Layer` "
                             f"instance. You passed: {backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Merge mode should be one of "
                             f'{{"sum", "mul", "ave", "concat", None}}, got {merge_mode!r}')
        for attribute in ("return_sequences", "return_state", "go_backwards"):
            if not hasattr(layer, attribute):
                raise ValueError(f"Bidirectional wraps an RNN layer; {layer!r} has no "
                                 f"`{attribute}`")
        super().__init__(layer, **kwargs)
        self.forward_layer = _recreate(layer, name="forward_" + layer.name)
        if backward_layer is None:
            self.backward_layer = _recreate(layer, name="backward_" + layer.name,
                                            go_backwards=not layer.go_backwards)
        else:
            self.backward_layer = backward_layer
            # its config as given (before the renaming), for get_config (TF 1.15)
            self._backward_layer_config = backward_layer.get_config()
            self.backward_layer._name = "backward_" + backward_layer.name
            self.backward_layer._base_name = self.backward_layer._name
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError("Forward layer and backward layer should have different "
                                 "`go_backwards` value.")
            for attribute in ("return_sequences", "return_state"):
                if getattr(backward_layer, attribute) != getattr(layer, attribute):
                    raise ValueError(f"Forward layer and backward layer are expected to "
                                     f"have the same value for attribute {attribute}, got "
                                     f"{getattr(layer, attribute)} for forward layer and "
                                     f"{getattr(backward_layer, attribute)} for backward "
                                     "layer")
        self.merge_mode = merge_mode
        if weights is not None:
            self._initial_weights = list(weights)
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def _sublayers(self) -> list:
        return [self.forward_layer, self.backward_layer]

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            states = list(shapes[1:]) * 2
            shapes = shapes[0]
        dims = TensorShape(shapes).as_list()
        if self.merge_mode == "concat":
            output = TensorShape(dims[:-1] + [None if dims[-1] is None else 2 * dims[-1]])
        elif self.merge_mode is None:
            output = [TensorShape(dims), TensorShape(dims)]
        else:
            output = TensorShape(dims)
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def call(self, inputs: Any, training: Any = None, mask: Any = None,
             initial_state: Any = None) -> Any:
        forward_kwargs: dict = {}
        backward_kwargs: dict = {}
        if mask is not None:
            forward_kwargs["mask"] = backward_kwargs["mask"] = mask
        if training is not None:
            forward_kwargs["training"] = backward_kwargs["training"] = \
                resolve_training(training)
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            if len(states) % 2:
                raise ValueError("When passing `initial_state` to a Bidirectional RNN, the "
                                 "state should be a list containing the states of the "
                                 "underlying RNNs (forward states then backward states). "
                                 f"Found: {initial_state}")
            half = len(states) // 2
            forward_kwargs["initial_state"] = states[:half]
            backward_kwargs["initial_state"] = states[half:]
        y = self.forward_layer(inputs, **forward_kwargs)
        y_rev = self.backward_layer(inputs, **backward_kwargs)
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = concat([y, y_rev], -1)
        elif self.merge_mode == "sum":
            output = add(y, y_rev)
        elif self.merge_mode == "ave":
            output = multiply(add(y, y_rev), constant(0.5, dtype=y.dtype.base_dtype))
        elif self.merge_mode == "mul":
            output = multiply(y, y_rev)
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The input mask for ``return_sequences`` outputs (one per output when
        ``merge_mode`` is None), else None; states have no mask."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            output_mask = mask if self.merge_mode else [mask, mask]
        else:
            output_mask = None if self.merge_mode else [None, None]
        if self.return_state:
            states = [None] * len(self.forward_layer.states)
            return [output_mask] + states * 2
        return output_mask

    def get_config(self) -> dict:
        config = {**super().get_config(), "merge_mode": self.merge_mode}
        if hasattr(self, "_backward_layer_config"):  # only a given backward layer (TF 1.15)
            config["backward_layer"] = {"class_name": type(self.backward_layer).__name__,
                                        "config": self._backward_layer_config}
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: Optional[dict] = None) -> "Wrapper":
        """The Bidirectional layer its config describes (``backward_layer`` included)."""
        from flowgraph.keras.saving import deserialize
        config = dict(config)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize(config["backward_layer"],
                                                   custom_objects=custom_objects)
        return super().from_config(config, custom_objects=custom_objects)


def _recreate(layer: Any, **overrides: Any) -> Any:
    """A fresh layer with `layer`'s config (so it shares no weights), with `overrides`."""
    config = layer.get_config()
    config.update(overrides)
    return type(layer).from_config(config)
