"""`tf.keras.layers.BatchNormalization` and `LayerNormalization`, as TF 1.15's Keras.

BatchNormalization is flowgraph's `tf.layers` one with Keras' conventions: initializers,
regularizers and constraints by name, and ``training=None`` meaning the Keras learning
phase. While training (learning phase true) it normalizes with the batch's statistics and
adds two update ops to its `updates` (the training code runs them) that move
``moving_mean`` / ``moving_variance`` towards the batch's: ``moving -= (moving - batch) *
(1 - momentum)``. When the learning phase is the placeholder, the outputs and the updates
select on it, so the moving statistics only move in steps that feed it True.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import nn
from flowgraph.keras import backend
from flowgraph.keras.base_layer import Layer
from flowgraph.layers import normalization as fg_normalization
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.ops import cast, convert_to_tensor, reshape
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["BatchNormalization", "LayerNormalization"]


def _serialize(value: Any) -> Any:
    """An initializer, regularizer or constraint as get_config shows it (its module's
    ``{'class_name': ..., 'config': ...}``)."""
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "get_config"):
        return {"class_name": type(value).__name__, "config": value.get_config()}
    return value


def resolve_training(training: Any) -> Any:
    """``training`` as a layer's call sees it: None means the Keras learning phase (a bool
    placeholder or the fixed 0/1, given as a Python bool)."""
    if training is None:
        training = backend.learning_phase()
    if isinstance(training, int):
        return bool(training)
    return training


class BatchNormalization(Layer, fg_normalization.BatchNormalization):
    """Batch normalization layer (Ioffe and Szegedy, 2014), TF 1.15's Keras v1 layer.

    Weights, in this order: ``gamma`` (if `scale`), ``beta`` (if `center`), then the
    non-trainable ``moving_mean`` and ``moving_variance``; all have the size of the
    normalized `axis` (``batch_normalization/gamma:0`` ...). Call with ``training`` True or
    False, a bool tensor, or None (default: the Keras learning phase).
    """

    def __init__(self, axis: Any = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, renorm: bool = False,
                 renorm_clipping: Any = None, renorm_momentum: float = 0.99,
                 fused: Optional[bool] = None, trainable: bool = True,
                 virtual_batch_size: Optional[int] = None, adjustment: Any = None,
                 name: Optional[str] = None, **kwargs: Any) -> None:
        from flowgraph.keras import constraints, initializers, regularizers
        super().__init__(
            axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
            beta_initializer=initializers.get(beta_initializer),
            gamma_initializer=initializers.get(gamma_initializer),
            moving_mean_initializer=initializers.get(moving_mean_initializer),
            moving_variance_initializer=initializers.get(moving_variance_initializer),
            beta_regularizer=regularizers.get(beta_regularizer),
            gamma_regularizer=regularizers.get(gamma_regularizer),
            beta_constraint=constraints.get(beta_constraint),
            gamma_constraint=constraints.get(gamma_constraint), renorm=renorm,
            renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
            trainable=trainable, virtual_batch_size=virtual_batch_size,
            adjustment=adjustment, name=name, **kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, training: Any = None) -> Any:
        return super().call(inputs, training=resolve_training(training))

    def get_config(self) -> dict:
        config = {
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": _serialize(self.beta_initializer),
            "gamma_initializer": _serialize(self.gamma_initializer),
            "moving_mean_initializer": _serialize(self.moving_mean_initializer),
            "moving_variance_initializer": _serialize(self.moving_variance_initializer),
            "beta_regularizer": _serialize(self.beta_regularizer),
            "gamma_regularizer": _serialize(self.gamma_regularizer),
            "beta_constraint": _serialize(self.beta_constraint),
            "gamma_constraint": _serialize(self.gamma_constraint),
        }
        if self.renorm:
            config.update(renorm=True, renorm_clipping=self.renorm_clipping,
                          renorm_momentum=self.renorm_momentum)
        if self.virtual_batch_size is not None:
            config["virtual_batch_size"] = self.virtual_batch_size
        return {**super().get_config(), **config}


class LayerNormalization(Layer):
    """Layer normalization (Ba et al., 2016): each example normalized over `axis` with its
    own mean and (biased) variance, then ``* gamma + beta`` (weights of the `axis` sizes,
    ``layer_normalization/gamma:0`` and ``beta:0``).

    Parameters
    ----------
    axis : int or list of int
        The axes normalized (default the last).
    epsilon : float
        Added to the variance (default 1e-3).
    center, scale : bool
        Whether to add ``beta`` / multiply by ``gamma``.
    """

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, trainable: bool = True,
                 name: Optional[str] = None, **kwargs: Any) -> None:
        from flowgraph.keras import constraints, initializers, regularizers
        super().__init__(trainable=trainable, name=name, **kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise ValueError(f"Expected an int or a list/tuple of ints for the argument "
                             f"'axis', but received instead: {axis!r}")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = None
        self.beta = None

    def build(self, input_shape: Any) -> None:
        dims = as_shape_list(input_shape)
        ndims = len(dims)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not isinstance(a, int) or not -ndims <= a < ndims:
                raise ValueError(f"Invalid axis: {a} (the inputs have rank {ndims})")
        axes = sorted(a + ndims if a < 0 else a for a in axes)
        if len(set(axes)) != len(axes):
            raise ValueError(f"Duplicate axis: {self.axis}")
        if any(dims[a] is None for a in axes):
            raise ValueError(f"Input has undefined `axis` dimension. Input shape: {dims}")
        self.axis = axes
        self.input_spec = InputSpec(ndim=ndims, axes={a: dims[a] for a in axes})
        param_shape = [dims[a] for a in axes]
        if self.scale:
            self.gamma = self.add_weight("gamma", param_shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True)
        if self.center:
            self.beta = self.add_weight("beta", param_shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True)
        self.built = True

    def call(self, inputs: Any) -> Any:
        inputs = convert_to_tensor(inputs)
        dims = inputs.shape.as_list()
        ndims = len(dims)
        broadcast_shape = [1] * ndims
        for a in self.axis:
            broadcast_shape[a] = dims[a]

        def broadcast(v: Any) -> Any:
            if v is None:
                return None
            v = cast(v, inputs.dtype) if v.dtype.base_dtype != inputs.dtype else v
            return reshape(v, broadcast_shape) if self.axis != [ndims - 1] else v

        mean, variance = nn.moments(inputs, self.axis, keepdims=True)
        outputs = nn.batch_normalization(inputs, mean, variance, broadcast(self.beta),
                                         broadcast(self.gamma), self.epsilon)
        outputs.set_shape(inputs.shape)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return as_shape(input_shape)

    def get_config(self) -> dict:
        config = {
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale,
            "beta_initializer": _serialize(self.beta_initializer),
            "gamma_initializer": _serialize(self.gamma_initializer),
            "beta_regularizer": _serialize(self.beta_regularizer),
            "gamma_regularizer": _serialize(self.gamma_regularizer),
            "beta_constraint": _serialize(self.beta_constraint),
            "gamma_constraint": _serialize(self.gamma_constraint),
        }
        return {**super().get_config(), **config}
