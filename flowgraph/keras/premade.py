"""TF 1.15's premade Keras models: `LinearModel` and `WideDeepModel`
(``tf.keras.experimental``)."""

from __future__ import annotations

from typing import Any

from flowgraph.keras import activations, initializers, optimizers, regularizers
from flowgraph.keras.engine_training import Model
from flowgraph.keras.layers.core import Dense

__all__ = ["LinearModel", "WideDeepModel"]


class LinearModel(Model):
    """``activation(sum_i inputs_i @ kernel_i + bias)`` (as TF 1.15's
    ``tf.keras.experimental.LinearModel``): one bias-free `Dense` per input, plus one bias.

    Called on a tensor, on a list of tensors (one kernel each), or on a dict of tensors (one
    kernel per key, the Dense layers named after the keys, taken in sorted key order).
    """

    def __init__(self, units: int = 1, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(f"LinearModel: units must be a positive integer, got {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._input_keys: Any = None

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(inputs, dict):
            keys = sorted(inputs)
            if self._input_keys is None:
                if self.built:
                    raise ValueError("This LinearModel was built on a tensor or a list of "
                                     "tensors; call it the same way, not on a dict.")
                self._input_keys = keys
            elif set(keys) != set(self._input_keys):
                expected, received = set(self._input_keys), set(keys)
                raise ValueError(f"The input dictionary does not match the structure "
                                 f"expected by the model.\n\tExpected keys: {expected}"
                                 f"\n\tReceived keys: {received}\n\tMissing keys: "
                                 f"{expected - received}")
            inputs = [inputs[key] for key in self._input_keys]
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape: Any) -> None:
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        names = self._input_keys or [None] * len(shapes)
        self.dense_layers = [
            Dense(units=self.units, use_bias=False, kernel_initializer=self.kernel_initializer,
                  kernel_regularizer=self.kernel_regularizer, name=name)
            for name in names]
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, trainable=True)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs: Any) -> Any:
        from flowgraph.ops.nn_basic import bias_add
        if not isinstance(inputs, (tuple, list)):
            inputs = [inputs]
        if len(inputs) != len(self.dense_layers):
            raise ValueError(f"Expected {len(self.dense_layers)} inputs, but got "
                             f"{len(inputs)} inputs")
        result = None
        for inp, layer in zip(inputs, self.dense_layers):
            output = layer(inp)
            result = output if result is None else result + output
        if self.use_bias:
            result = bias_add(result, self.bias)
        if self.activation is not None:
            return self.activation(result)
        return result

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _serialize_or_none(self.kernel_regularizer),
                "bias_regularizer": _serialize_or_none(self.bias_regularizer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: Any = None) -> "LinearModel":
        return cls(**config)


def _serialize_or_none(regularizer: Any) -> Any:
    return None if regularizer is None else regularizers.serialize(regularizer)


class WideDeepModel(Model):
    """``activation(0.5 * (linear_model(x_linear) + dnn_model(x_dnn)))`` (as TF 1.15's
    ``tf.keras.experimental.WideDeepModel``); called on ``[linear_inputs, dnn_inputs]`` or
    on one input that both models share.

    ``compile(optimizer=[linear_optimizer, dnn_optimizer], ...)`` trains each part with its
    own optimizer (one optimizer is shared by both).
    """

    def __init__(self, linear_model: Any, dnn_model: Any, activation: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.linear_model = linear_model
        self.dnn_model = dnn_model
        self.activation = activation

    def call(self, inputs: Any) -> Any:
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            linear_inputs = dnn_inputs = inputs
        else:
            linear_inputs, dnn_inputs = inputs
        linear_output = self.linear_model(linear_inputs)
        dnn_output = self.dnn_model(dnn_inputs)
        output = 0.5 * (linear_output + dnn_output)
        if self.activation:
            return activations.get(self.activation)(output)
        return output

    def compile(self, optimizer: Any, loss: Any = None, metrics: Any = None,
                loss_weights: Any = None, sample_weight_mode: Any = None,
                weighted_metrics: Any = None, target_tensors: Any = None,
                **kwargs: Any) -> None:
        """As `Model.compile`; `optimizer` is one optimizer or ``[linear, dnn]``."""
        if isinstance(optimizer, (tuple, list)):
            if len(optimizer) != 2:
                raise ValueError(f"WideDeepModel.compile: optimizer must be one optimizer or "
                                 f"a list of two (linear, dnn), got {len(optimizer)}.")
            self.linear_optimizer = optimizers.get(optimizer[0])
            self.dnn_optimizer = optimizers.get(optimizer[1])
        else:
            self.linear_optimizer = self.dnn_optimizer = optimizers.get(optimizer)
        super().compile(optimizer=self.linear_optimizer, loss=loss, metrics=metrics,
                        loss_weights=loss_weights, sample_weight_mode=sample_weight_mode,
                        weighted_metrics=weighted_metrics, target_tensors=target_tensors,
                        **kwargs)
        self.optimizer = [self.linear_optimizer, self.dnn_optimizer]

    def _training_ops(self) -> list:
        if self._train_fetches is None:
            graph = self.total_loss.graph
            with graph.as_default(), graph.name_scope("training"):
                updates = list(self.dnn_optimizer.get_updates(
                    loss=self.total_loss, params=self.dnn_model.trainable_weights))
                updates += self.linear_optimizer.get_updates(
                    loss=self.total_loss, params=self.linear_model.trainable_weights)
            self._train_fetches = updates + list(self.updates)
        return self._train_fetches
