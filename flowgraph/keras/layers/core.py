"""`tf.keras.layers` core layers (TF 1.15): Dense, Activation, Dropout, SpatialDropout1D/2D,
Flatten, Reshape, Permute, RepeatVector, Lambda, ActivityRegularization, Masking."""

from __future__ import annotations

import codecs
import marshal
import types
from typing import Any, Callable, Optional

import numpy as np

import flowgraph as fg
from flowgraph.keras import backend
from flowgraph.keras.base_layer import Layer
from flowgraph.layers import core as fg_core
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["Dense", "Activation", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
           "Flatten", "Reshape", "Permute", "RepeatVector", "Lambda", "ActivityRegularization",
           "Masking"]


# -- helpers shared by the Keras layer modules
def serialize(obj: Any) -> Any:
    """An activation / initializer / regularizer / constraint as Keras' get_config shows it:
    a function by its name, an object as ``{'class_name': ..., 'config': ...}``."""
    if obj is None or isinstance(obj, (str, dict)):
        return obj
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return getattr(obj, "__name__", obj)


def resolve(kind: str, identifier: Any) -> Any:
    """``kind.get(identifier)`` for kind in activations, initializers, regularizers,
    constraints (flowgraph.keras)."""
    import importlib
    return importlib.import_module(f"flowgraph.keras.{kind}").get(identifier)


def learning_phase_of(training: Any) -> Any:
    """A layer's `training` argument, None meaning Keras' learning phase."""
    return backend.learning_phase() if training is None else training


class _KernelBiasConfig:
    """get_config entries common to Dense and the convolutions."""

    def _kernel_bias_config(self) -> dict:
        return {"activation": serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": serialize(self.kernel_initializer),
                "bias_initializer": serialize(self.bias_initializer),
                "kernel_regularizer": serialize(self.kernel_regularizer),
                "bias_regularizer": serialize(self.bias_regularizer),
                "activity_regularizer": serialize(self.activity_regularizer),
                "kernel_constraint": serialize(self.kernel_constraint),
                "bias_constraint": serialize(self.bias_constraint)}


def kernel_bias_arguments(activation: Any, kernel_initializer: Any, bias_initializer: Any,
                          kernel_regularizer: Any, bias_regularizer: Any,
                          activity_regularizer: Any, kernel_constraint: Any,
                          bias_constraint: Any) -> dict:
    """The kernel/bias settings resolved from Keras identifiers (names, configs)."""
    return {"activation": resolve("activations", activation),
            "kernel_initializer": resolve("initializers", kernel_initializer),
            "bias_initializer": resolve("initializers", bias_initializer),
            "kernel_regularizer": resolve("regularizers", kernel_regularizer),
            "bias_regularizer": resolve("regularizers", bias_regularizer),
            "activity_regularizer": resolve("regularizers", activity_regularizer),
            "kernel_constraint": resolve("constraints", kernel_constraint),
            "bias_constraint": resolve("constraints", bias_constraint)}


# -- layers
class Dense(_KernelBiasConfig, Layer, fg_core.Dense):
    """``activation(inputs @ kernel + bias)``, weights ``dense/kernel`` [input_dim, units] and
    ``dense/bias`` [units]; inputs of rank > 2 are multiplied along their last axis."""

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        if "input_shape" not in kwargs and "input_dim" in kwargs:
            kwargs["input_shape"] = (kwargs.pop("input_dim"),)
        super().__init__(units=units, use_bias=use_bias, **kernel_bias_arguments(
            activation, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint),
            **kwargs)
        self.supports_masking = True

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, **self._kernel_bias_config()}


class Activation(Layer):
    """Applies an activation function (a name such as ``'relu'``, or a callable)."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = resolve("activations", activation)
        self.supports_masking = True

    def call(self, inputs: Any) -> Any:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return as_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": serialize(self.activation)}


class Dropout(Layer, fg_core.Dropout):
    """Zeroes a fraction `rate` of the inputs (scaling the rest by ``1 / (1 - rate)``) in
    the training phase; the identity otherwise. ``training=None`` follows
    `backend.learning_phase()`."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: Optional[int] = None,
                 **kwargs: Any) -> None:
        super().__init__(rate=rate, noise_shape=noise_shape, seed=seed, **kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, training: Any = None) -> Any:
        return fg_core.Dropout.call(self, inputs, training=learning_phase_of(training))

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}


class SpatialDropout1D(Dropout):
    """Dropout of whole channels of [batch, steps, channels] inputs."""

    def __init__(self, rate: float, **kwargs: Any) -> None:
        super().__init__(rate, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _get_noise_shape(self, inputs: Any) -> Any:
        shape = fg.shape(inputs)
        return fg.stack([shape[0], 1, shape[2]])

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("noise_shape")
        config.pop("seed")
        return config


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps of 4-D inputs."""

    def __init__(self, rate: float, data_format: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(rate, **kwargs)
        self.data_format = data_format or backend.image_data_format()
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError("data_format must be in {'channels_last', 'channels_first'}, "
                             f"got {data_format!r}")
        self.input_spec = InputSpec(ndim=4)

    def _get_noise_shape(self, inputs: Any) -> Any:
        shape = fg.shape(inputs)
        if self.data_format == "channels_first":
            return fg.stack([shape[0], shape[1], 1, 1])
        return fg.stack([shape[0], 1, 1, shape[3]])

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("noise_shape")
        config.pop("seed")
        config["data_format"] = self.data_format
        return config


class Flatten(Layer, fg_core.Flatten):
    """[batch, d1, d2, ...] -> [batch, d1 * d2 * ...]."""

    def __init__(self, data_format: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format or backend.image_data_format(), **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes each example to `target_shape` (without the batch axis; one entry may be
    -1)."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError("Can only specify one unknown dimension in `target_shape`, got "
                             f"{self.target_shape}")

    def _fix_unknown_dimension(self, input_shape: list, output_shape: list) -> list:
        output_shape = list(output_shape)
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                unknown = index
            else:
                known *= dim
        original = int(np.prod(input_shape))
        message = ("total size of new array must be unchanged: cannot reshape input of shape "
                   f"{tuple(input_shape)} to {tuple(self.target_shape)}")
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(message)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(message)
        return output_shape

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        if None in dims[1:]:
            rest = [None if d == -1 else d for d in self.target_shape]
        else:
            rest = self._fix_unknown_dimension(dims[1:], list(self.target_shape))
        return TensorShape([dims[0]] + rest)

    def call(self, inputs: Any) -> Any:
        outputs = fg.reshape(inputs, fg.concat(
            [fg.shape(inputs)[:1], fg.constant(list(self.target_shape), dtype=fg.int32)], 0))
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch axes: `dims` are 1-based (``(2, 1)`` swaps axes 1 and 2)."""

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation `dims` for Permute Layer: "
                             f"{self.dims}. The set of indices in `dims` must be consecutive "
                             "and start from 1.")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        return TensorShape([dims[0]] + [dims[d] for d in self.dims])

    def call(self, inputs: Any) -> Any:
        return fg.transpose(inputs, perm=(0,) + self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """[batch, features] -> [batch, n, features]."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        return TensorShape([dims[0], self.n, dims[1]])

    def call(self, inputs: Any) -> Any:
        return fg.tile(fg.expand_dims(inputs, 1), [1, self.n, 1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


def _func_dump(func: Callable) -> tuple:
    code = codecs.encode(marshal.dumps(func.__code__), "base64").decode("ascii")
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


class Lambda(Layer):
    """Wraps ``function(inputs, **arguments)`` as a layer.

    Parameters
    ----------
    function : callable
        The computation.
    output_shape : tuple or callable, optional
        The output shape without the batch axis (or a function of the input shape); by
        default the shape the function's result has.
    mask : callable or tensor, optional
        The output mask: ``mask(inputs, input_mask)`` or a fixed mask. Without it the layer
        does not support masking (a masked input's mask is dropped).
    arguments : dict, optional
        Extra keyword arguments for `function`.
    """

    def __init__(self, function: Callable, output_shape: Any = None, mask: Any = None,
                 arguments: Optional[dict] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda's `function` must be callable, got {function!r}")
        self.function = function
        self.arguments = arguments if arguments else {}
        self.mask = mask
        if mask is not None:
            self.supports_masking = True
        if output_shape is not None and not callable(output_shape):
            output_shape = tuple(output_shape)
        self._output_shape = output_shape

    def call(self, inputs: Any, mask: Any = None, training: Any = None) -> Any:
        import inspect
        arguments = dict(self.arguments)
        try:
            parameters = inspect.signature(self.function).parameters
        except (TypeError, ValueError):
            parameters = {}
        if "mask" in parameters:
            arguments["mask"] = mask
        if "training" in parameters:
            arguments["training"] = learning_phase_of(training)
        return self.function(inputs, **arguments)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """``self.mask(inputs, mask)`` for a callable `mask`, else the fixed `mask`."""
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            with fg.Graph().as_default():
                placeholders = _map_shapes(
                    lambda s: fg.placeholder(self._dtype or backend.floatx(), s), input_shape)
                outputs = self.call(placeholders)
            return _map_tensors(lambda t: t.shape, outputs)
        if callable(self._output_shape):
            return _map_shapes(as_shape, self._output_shape(input_shape), leaf_only=True)
        batch = _first_batch(input_shape)
        return TensorShape([batch] + list(self._output_shape))

    def get_config(self) -> dict:
        config = {**super().get_config()}
        if isinstance(self.function, types.LambdaType) and self.function.__name__ == "<lambda>":
            config.update(function=_func_dump(self.function), function_type="lambda")
        else:
            config.update(function=self.function.__name__, function_type="function")
        config["module"] = getattr(self.function, "__module__", None)
        if callable(self._output_shape):
            config.update(output_shape=_func_dump(self._output_shape),
                          output_shape_type="lambda")
        else:
            config.update(output_shape=self._output_shape, output_shape_type="raw")
        config["output_shape_module"] = None
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: Optional[dict] = None) -> "Lambda":
        """Rebuilds the layer. A function saved by name is looked up in `custom_objects`,
        then in its module if that is already imported. A lambda was saved as Python
        bytecode, which flowgraph never runs from a file (it could do anything): pass the
        function in `custom_objects` under the layer's name instead. A lambda output
        shape is dropped (the shape is then inferred by calling the function)."""
        import sys
        config = dict(config)
        module = sys.modules.get(config.pop("module", None) or "")
        custom = dict(custom_objects or {})
        function_type = config.pop("function_type")
        name = config.get("name")
        if name in custom:
            config["function"] = custom[name]
        elif function_type == "lambda":
            raise ValueError(
                f"Lambda layer {name!r} holds a Python lambda saved as bytecode; flowgraph does "
                "not run code stored in a file. Pass the function in custom_objects under "
                f"the layer's name (custom_objects={{{name!r}: fn}}), or define it with "
                "`def` and pass it under its own name.")
        elif config["function"] in custom:
            config["function"] = custom[config["function"]]
        elif module is not None and hasattr(module, config["function"]):
            config["function"] = getattr(module, config["function"])
        else:
            raise ValueError(f"Unknown function {config['function']!r}: pass it in "
                             "`custom_objects`.")
        config.pop("output_shape_module", None)
        if config.pop("output_shape_type", "raw") == "lambda":
            config["output_shape"] = None
        return cls(**config)


def _map_shapes(fn: Callable, shape: Any, leaf_only: bool = False) -> Any:
    """`fn` on each shape of a shape or a list of shapes."""
    if isinstance(shape, list) and shape and not isinstance(shape[0], (int, type(None))):
        return [_map_shapes(fn, s) for s in shape]
    if isinstance(shape, tuple) and shape and isinstance(shape[0], (list, tuple,
                                                                     TensorShape)):
        return [_map_shapes(fn, s) for s in shape]
    return fn(shape)


def _map_tensors(fn: Callable, structure: Any) -> Any:
    if isinstance(structure, (list, tuple)):
        return [_map_tensors(fn, s) for s in structure]
    return fn(structure)


def _first_batch(input_shape: Any) -> Any:
    if isinstance(input_shape, list) and input_shape and not isinstance(
            input_shape[0], (int, type(None))):
        return _first_batch(input_shape[0])
    dims = as_shape(input_shape)
    return dims.as_list()[0] if dims.ndims else None


class ActivityRegularization(Layer):
    """The identity, adding ``l1 * sum(|x|) + l2 * sum(x**2)`` (per batch example) to the
    layer's losses."""

    def __init__(self, l1: float = 0., l2: float = 0., **kwargs: Any) -> None:
        regularizer = resolve("regularizers", {"class_name": "L1L2",
                                               "config": {"l1": l1, "l2": l2}})
        super().__init__(activity_regularizer=regularizer, **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2

    def call(self, inputs: Any) -> Any:
        return fg.identity(inputs)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return as_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}


class Masking(Layer):
    """Masks the time steps whose features all equal `mask_value`: ``[batch, time, ...]``
    inputs pass with those steps zeroed, and the output's Keras mask is
    ``any(inputs != mask_value, axis=-1)`` (True = a real step), which RNN layers and
    GlobalAveragePooling1D after it honour."""

    def __init__(self, mask_value: float = 0., **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return fg.reduce_any(fg.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs: Any) -> Any:
        from flowgraph.keras import masks
        keep = fg.reduce_any(fg.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        outputs = inputs * fg.cast(keep, inputs.dtype)
        # The output and its mask come from the same comparison, as TF 1.15.
        masks.set_mask(outputs, fg.squeeze(keep, axis=-1))
        return outputs

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return as_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
