"""Normalization functions of `fg.nn` built from primitive ops: batch_normalization,
l2_normalize and flowgraph's layer_normalization.

The fused op (``fg.nn.fused_batch_norm``) is in `flowgraph.ops.normalization`, local
response normalization (``fg.nn.lrn``) in `flowgraph.ops.lrn`.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import Tensor
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.math import add, maximum, multiply, subtract
from flowgraph.ops.reduce import reduce_mean, reduce_sum
from flowgraph.ops.reduce_axes import lookup_pair
from flowgraph.ops.unary import negative, rsqrt, square

__all__ = ["batch_normalization", "batch_norm_with_global_normalization", "l2_normalize",
           "layer_normalization"]


def _as_dtype_of(t: Tensor, like: Tensor) -> Tensor:
    return t if t.dtype == like.dtype else cast(t, like.dtype)


def _tensor(value: Any, like: Tensor) -> Tensor:
    if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__"):
        return convert_to_tensor(value)
    return convert_to_tensor(value, dtype=like.dtype)


def batch_normalization(x: Any, mean: Any, variance: Any, offset: Any, scale: Any,
                        variance_epsilon: float, name: Optional[str] = None) -> Tensor:
    """``(x - mean) / sqrt(variance + variance_epsilon) * scale + offset``, as TF1's
    `tf.nn.batch_normalization` (name scope "batchnorm").

    mean, variance, offset and scale broadcast against x: 1-D of the channel count for
    channels-last x (the outputs of `fg.nn.moments(x, axes)`), or of x's rank with size 1
    on the normalized dimensions (``moments(..., keepdims=True)``). offset and scale may be
    None. Computed as ``x * inv + (offset - mean * inv)`` with
    ``inv = scale * rsqrt(variance + variance_epsilon)``, as TF1 does.
    """
    with op_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = convert_to_tensor(x)
        mean = _tensor(mean, x)
        variance = _tensor(variance, x)
        inv = rsqrt(add(variance, variance_epsilon))
        if scale is not None:
            inv = multiply(inv, _tensor(scale, x))
        if offset is not None:
            shift = subtract(_tensor(offset, x), multiply(mean, inv))
        else:
            shift = negative(multiply(mean, inv))
        return add(multiply(x, _as_dtype_of(inv, x)), _as_dtype_of(shift, x))


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: Optional[str] = None,
                 dim: Any = None) -> Tensor:
    """``x / sqrt(max(sum(x ** 2, axis), epsilon))``: each slice along `axis` (all of x
    when None; an int or a list) scaled to unit L2 norm (name scope "l2_normalize"). `dim`
    is TF1's deprecated alias of `axis`."""
    axis = lookup_pair(axis, dim, "axis", "dim")
    with op_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = reduce_sum(square(x), axis, keepdims=True)
        x_inv_norm = rsqrt(maximum(square_sum, epsilon))
        return multiply(x, x_inv_norm, name=scope)


def layer_normalization(x: Any, axis: Any = -1, epsilon: float = 1e-12,
                        name: Optional[str] = None) -> Tensor:
    """flowgraph's layer normalization without learned parameters:
    ``(x - mean) / sqrt(variance + epsilon)`` with the mean and (uncorrected) variance
    taken over `axis` (an int or a list; default the last dimension) of each example.

    Multiply by a scale and add an offset for the learned form (TF1's
    ``tf.contrib.layers.layer_norm``)::

        y = fg.nn.layer_normalization(h) * gamma + beta
    """
    with op_scope(name, "layer_normalization", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        mean = reduce_mean(x, axis, keepdims=True)
        centered = subtract(x, mean)
        variance = reduce_mean(square(centered), axis, keepdims=True)
        return multiply(centered, rsqrt(add(variance, epsilon)), name=scope)


def batch_norm_with_global_normalization(t: Any = None, m: Any = None, v: Any = None,
                                         beta: Any = None, gamma: Any = None,
                                         variance_epsilon: Any = None,
                                         scale_after_normalization: Any = None,
                                         name: Optional[str] = None, input: Any = None,
                                         mean: Any = None, variance: Any = None) -> Tensor:
    """TF1's older batch normalization with the arguments in its order: ``(t - m) /
    sqrt(v + variance_epsilon) * gamma + beta``, `gamma` used only when
    `scale_after_normalization`. `input`, `mean` and `variance` are TF1's aliases of `t`,
    `m` and `v`."""
    t = input if t is None else t
    m = mean if m is None else m
    v = variance if v is None else v
    missing = [n for n, val in (("t", t), ("m", m), ("v", v), ("beta", beta),
                                ("variance_epsilon", variance_epsilon),
                                ("scale_after_normalization", scale_after_normalization))
               if val is None]
    if missing:
        raise TypeError(f"batch_norm_with_global_normalization() missing arguments: "
                        f"{', '.join(missing)}")
    return batch_normalization(t, m, v, beta, gamma if scale_after_normalization else None,
                               variance_epsilon, name=name or "batchnorm")
