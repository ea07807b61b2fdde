"""`tf.keras.activations` as TF 1.15: element-wise functions of a tensor, by name through
`get` (None -> `linear`)."""

from __future__ import annotations

from typing import Any, Callable, Optional

import flowgraph as fg
from flowgraph.keras.generic_utils import lookup_object

__all__ = ["softmax", "elu", "selu", "softplus", "softsign", "relu", "tanh", "sigmoid",
           "hard_sigmoid", "exponential", "linear", "get", "serialize", "deserialize"]


def softmax(x: Any, axis: int = -1) -> Any:
    """``exp(x) / sum(exp(x), axis)``; x needs rank 2 or more."""
    ndim = x.shape.ndims
    if ndim == 2:
        return fg.nn.softmax(x, axis=axis)
    if ndim is not None and ndim > 2:
        e = fg.exp(x - fg.reduce_max(x, axis=axis, keepdims=True))
        return e / fg.reduce_sum(e, axis=axis, keepdims=True)
    raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``x`` for x > 0, else ``alpha * (exp(x) - 1)``."""
    res = fg.nn.elu(x)
    if alpha == 1:
        return res
    return fg.where(x > 0, res, alpha * res)


def selu(x: Any) -> Any:
    """``scale * elu(x, alpha)`` with alpha ~ 1.6733 and scale ~ 1.0507."""
    return fg.nn.selu(x)


def softplus(x: Any) -> Any:
    """``log(exp(x) + 1)``."""
    return fg.nn.softplus(x)


def softsign(x: Any) -> Any:
    """``x / (abs(x) + 1)``."""
    return fg.nn.softsign(x)


def relu(x: Any, alpha: float = 0.0, max_value: Optional[float] = None,
         threshold: float = 0) -> Any:
    """``max(x, 0)``; with `alpha`, ``alpha * (x - threshold)`` below `threshold`; values
    at or below `threshold` are 0 otherwise; capped at `max_value`."""
    negative_part = None
    if alpha != 0.0:
        if max_value is None and threshold == 0:
            return fg.nn.leaky_relu(x, alpha=alpha)
        negative_part = fg.nn.relu(-x + threshold) if threshold != 0 else fg.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * fg.cast(fg.greater(x, threshold), x.dtype.base_dtype)
    elif max_value == 6:
        x = fg.nn.relu6(x)
        clip_max = False
    else:
        x = fg.nn.relu(x)
    if clip_max:
        dtype = x.dtype.base_dtype
        x = fg.clip_by_value(x, fg.constant(0.0, dtype=dtype), fg.constant(max_value,
                                                                              dtype=dtype))
    if negative_part is not None:
        x = x - fg.constant(alpha, dtype=x.dtype.base_dtype) * negative_part
    return x


def tanh(x: Any) -> Any:
    """The hyperbolic tangent."""
    return fg.tanh(x)


def sigmoid(x: Any) -> Any:
    """``1 / (1 + exp(-x))``."""
    return fg.sigmoid(x)


def hard_sigmoid(x: Any) -> Any:
    """Keras' piecewise-linear sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``."""
    x = 0.2 * x + 0.5
    dtype = x.dtype.base_dtype
    return fg.clip_by_value(x, fg.constant(0.0, dtype=dtype), fg.constant(1.0, dtype=dtype))


def exponential(x: Any) -> Any:
    """``exp(x)``."""
    return fg.exp(x)


def linear(x: Any) -> Any:
    """The identity."""
    return x


_NAMES = {f.__name__: f for f in (softmax, elu, selu, softplus, softsign, relu, tanh,
                                  sigmoid, hard_sigmoid, exponential, linear)}


def serialize(activation: Callable) -> str:
    """The activation's name."""
    return activation.__name__


def deserialize(name: Any, custom_objects: Optional[dict] = None) -> Callable:
    """The activation called `name` (here, in `custom_objects` or the custom objects)."""
    if isinstance(name, dict):
        name = name.get("class_name")
    return lookup_object(name, _NAMES, custom_objects, "activation function")


def get(identifier: Any) -> Callable:
    """None -> `linear`; a name ('relu', 'softmax'...) -> the function; a callable ->
    itself."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return deserialize(str(identifier))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")

