"""Core layers: Dense, Dropout, Flatten and their functional forms (TF1's tf.layers)."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from flowgraph import nn
from flowgraph.graph import Tensor
from flowgraph.initializers import zeros_initializer
from flowgraph.layers.base import InputSpec, Layer, as_shape_list
from flowgraph.layers.plumbing import KernelBiasLayer, apply_functional
from flowgraph.layers.utils import normalize_data_format, static_bool
from flowgraph.ops import (
    expand_dims,
    identity,
    matmul,
    reshape,
    stack,
    tensordot,
    transpose,
    where_v2,
)
from flowgraph.ops import shape as shape_op
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["Dense", "Dropout", "Flatten", "dense", "dropout", "flatten"]


class Dense(KernelBiasLayer):
    """A densely connected layer: ``activation(inputs @ kernel + bias)``.

    Inputs of rank > 2 are multiplied along their last axis. Variables: ``kernel``
    [input_dim, units] (glorot uniform unless `kernel_initializer`) and ``bias`` [units]
    (zeros).
    """

    def __init__(self, units: int, activation: Optional[Callable] = None, use_bias: bool = True,
                 kernel_initializer: Any = None, bias_initializer: Any = zeros_initializer(),
                 kernel_regularizer: Optional[Callable] = None,
                 bias_regularizer: Optional[Callable] = None,
                 activity_regularizer: Optional[Callable] = None,
                 kernel_constraint: Optional[Callable] = None,
                 bias_constraint: Optional[Callable] = None, trainable: bool = True,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self._set_kernel_bias_config(activation, use_bias, kernel_initializer, bias_initializer,
                                     kernel_regularizer, bias_regularizer, kernel_constraint,
                                     bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape: Any) -> None:
        dtype = self._dtype
        if dtype is not None and not dtype.is_floating:
            # As TF1: int inputs would give an int kernel, which cannot be trained.
            raise TypeError(f"Unable to build `Dense` layer with non-floating point dtype "
                            f"{dtype.name}; cast the inputs with fg.cast(x, fg.float32).")
        dims = as_shape_list(input_shape)
        if not dims or dims[-1] is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             "Found `None`.")
        last = dims[-1]
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        self._add_kernel([last, self.units])
        self._build_bias(self.units)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        rank = inputs.shape.ndims
        if rank > 2:
            outputs = tensordot(inputs, self.kernel, [[rank - 1], [0]])
            outputs.set_shape(inputs.shape.as_list()[:-1] + [self.units])
        else:
            outputs = matmul(inputs, self.kernel)
        return self._finish(outputs)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        shape = as_shape(input_shape)
        if shape.ndims is None or shape.ndims < 2 or shape.as_list()[-1] is None:
            raise ValueError("The innermost dimension of input_shape must be defined, but saw: "
                             f"{shape}")
        return TensorShape(shape.as_list()[:-1] + [self.units])


class Dropout(Layer):
    """Randomly zeroes a fraction `rate` of the inputs while training and scales the rest
    by ``1 / (1 - rate)``; the identity when not training.

    `training` (a call argument) may be a Python bool or a bool Tensor; `rate` may be a
    Tensor. `noise_shape` entries of None take the input's size (e.g. ``[None, 1, None]``
    drops whole rows of the middle axis).
    """

    def __init__(self, rate: Any = 0.5, noise_shape: Any = None, seed: Optional[int] = None,
                 name: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def _get_noise_shape(self, inputs: Tensor) -> Any:
        if self.noise_shape is None:
            return None
        dims = list(self.noise_shape)
        if all(d is not None for d in dims):
            return dims
        static = inputs.shape.as_list() if inputs.shape.ndims is not None else [None] * len(dims)
        if all(d is not None or s is not None for d, s in zip(dims, static)):
            return [d if d is not None else s for d, s in zip(dims, static)]
        dynamic = shape_op(inputs)
        return stack([d if d is not None else dynamic[i] for i, d in enumerate(dims)])

    def call(self, inputs: Tensor, training: Any = False) -> Tensor:
        flag = static_bool(training)
        if flag is False:
            return identity(inputs)
        dropped = nn.dropout(inputs, noise_shape=self._get_noise_shape(inputs), seed=self.seed,
                             rate=self.rate)
        if flag:
            return dropped
        return where_v2(training, dropped, inputs)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return as_shape(input_shape)


class Flatten(Layer):
    """Flattens each example: [batch, d1, d2, ...] -> [batch, d1 * d2 * ...] ([batch] ->
    [batch, 1]). With ``data_format='channels_first'`` the channels move last first, so both
    formats give the same order."""

    def __init__(self, data_format: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: Tensor) -> Tensor:
        rank = inputs.shape.ndims
        if self.data_format == "channels_first" and rank > 2:
            inputs = transpose(inputs, [0] + list(range(2, rank)) + [1])
        if rank == 1:
            outputs = expand_dims(inputs, 1)
        else:
            batch = inputs.shape.as_list()[0]
            outputs = reshape(inputs, [batch if batch is not None else shape_op(inputs)[0], -1])
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        if not dims:
            raise ValueError("Flatten needs inputs of rank 1 or more")
        rest = dims[1:]
        if not rest:
            return TensorShape([dims[0], 1])
        size = int(np.prod(rest)) if all(d is not None for d in rest) else None
        return TensorShape([dims[0], size])


def dense(inputs: Any, units: int, activation: Optional[Callable] = None, use_bias: bool = True,
          kernel_initializer: Any = None, bias_initializer: Any = zeros_initializer(),
          kernel_regularizer: Optional[Callable] = None,
          bias_regularizer: Optional[Callable] = None,
          activity_regularizer: Optional[Callable] = None,
          kernel_constraint: Optional[Callable] = None,
          bias_constraint: Optional[Callable] = None, trainable: bool = True,
          name: Any = None, reuse: Any = None) -> Tensor:
    """Functional `Dense`: ``activation(inputs @ kernel + bias)``; see `Dense`.

    >>> logits = fg.layers.dense(hidden, 10)            # variables dense/kernel, dense/bias
    >>> again = fg.layers.dense(other, 10, name="dense", reuse=True)   # shares them
    """
    return apply_functional(Dense, locals())


def dropout(inputs: Any, rate: Any = 0.5, noise_shape: Any = None, seed: Optional[int] = None,
            training: Any = False, name: Optional[str] = None) -> Tensor:
    """Functional `Dropout`: the identity unless `training` (a bool or a bool Tensor)."""
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer.apply(inputs, training=training)


def flatten(inputs: Any, name: Optional[str] = None,
            data_format: str = "channels_last") -> Tensor:
    """Functional `Flatten`: [batch, ...] -> [batch, prod(...)]."""
    layer = Flatten(name=name, data_format=data_format)
    return layer.apply(inputs)
