"""Plumbing shared by the kernel-and-bias layers (Dense and the convolutions): their
settings, their ``kernel`` and ``bias`` Variables, the bias-and-activation tail of `call`,
and the forwarding of TF1's long keyword signatures to a constructor.

TF1's signatures are spelled out in full on every class and functional form (users read
them, and `inspect.signature` must show TF1's names, order and defaults); what repeats
behind them lives here.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import nn
from flowgraph.graph import Tensor
from flowgraph.layers.base import Layer

__all__: list = []

_NOT_ARGUMENTS = ("self", "__class__", "kwargs")


def arguments_of(frame_locals: dict) -> dict:
    """The arguments a function received, as keywords, from its ``locals()`` taken first
    thing in its body: without ``self`` (and the ``__class__`` cell of a method calling
    ``super()``), with the contents of its ``**kwargs`` merged in."""
    arguments = {k: v for k, v in frame_locals.items() if k not in _NOT_ARGUMENTS}
    arguments.update(frame_locals.get("kwargs") or {})
    return arguments


def apply_functional(layer_class: type, frame_locals: dict, **call_kwargs: Any) -> Any:
    """The body of a functional form (``fg.layers.dense(inputs, ...)``): builds
    `layer_class` from the form's arguments (``locals()`` taken first thing), naming its
    variable scope after `name` and reusing it with `reuse` as TF1 does, and applies it to
    `inputs` with `call_kwargs` (``training=``)."""
    arguments = arguments_of(frame_locals)
    inputs = arguments.pop("inputs")
    reuse = arguments.pop("reuse", None)
    layer = layer_class(**arguments, _scope=arguments.get("name"), _reuse=reuse)
    return layer.apply(inputs, **call_kwargs)


class KernelBiasLayer(Layer):
    """A layer computing ``activation(f(inputs, kernel) + bias)``; subclasses build the
    kernel with `_add_kernel` and compute f."""

    def _set_kernel_bias_config(self, activation: Optional[Callable], use_bias: bool,
                                kernel_initializer: Any, bias_initializer: Any,
                                kernel_regularizer: Optional[Callable],
                                bias_regularizer: Optional[Callable],
                                kernel_constraint: Optional[Callable],
                                bias_constraint: Optional[Callable]) -> None:
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel = None
        self.bias = None

    def _add_kernel(self, shape: Any) -> Any:
        """Creates (or reuses) the trainable ``kernel`` with the layer's kernel settings."""
        self.kernel = self.add_weight("kernel", shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, trainable=True)
        return self.kernel

    def _build_bias(self, size: int) -> None:
        """Creates the trainable ``bias`` [size] when `use_bias`."""
        if self.use_bias:
            self.bias = self.add_weight("bias", (size,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, trainable=True)

    def _add_bias(self, outputs: Tensor) -> Tensor:
        """`outputs` plus the bias along the last axis (convolutions override this for
        channels-first outputs)."""
        return nn.bias_add(outputs, self.bias)

    def _finish(self, outputs: Tensor) -> Tensor:
        """The bias (when `use_bias`), then the activation (when given)."""
        if self.use_bias:
            outputs = self._add_bias(outputs)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs
