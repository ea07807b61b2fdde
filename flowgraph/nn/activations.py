"""Composite activations of `fg.nn`: silu / swish, gelu, crelu, maxout and rbf.

Each is built from differentiable primitive ops (so its gradients, of any order, come for
free); the elementwise ones are as fast as a fused op would be in numpy.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from flowgraph.graph import Tensor
from flowgraph.ops.activations import relu
from flowgraph.ops.array import concat
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.erf import erf
from flowgraph.ops.linalg import matmul
from flowgraph.ops.math import add, maximum, multiply, subtract
from flowgraph.ops.reduce import reduce_max, reduce_sum
from flowgraph.ops.shape_ops import reshape, shape
from flowgraph.ops.trig import sigmoid, tanh
from flowgraph.ops.unary import exp, negative, square

__all__ = ["silu", "swish", "gelu", "crelu", "maxout", "rbf"]


def _float_features(features: Any) -> Tensor:
    features = convert_to_tensor(features, name="features")
    if not features.dtype.is_floating:
        raise TypeError(f"features must be a floating tensor, got {features.dtype.name}")
    return features


def silu(features: Any, beta: float = 1.0, name: Optional[str] = None) -> Tensor:
    """The sigmoid-weighted linear unit ``features * sigmoid(beta * features)`` (swish;
    name scope "silu")."""
    with op_scope(name, "silu", [features]) as scope:
        features = _float_features(features)
        gate = features if beta == 1.0 else multiply(features, beta)
        return multiply(features, sigmoid(gate), name=scope)


def swish(features: Any, beta: float = 1.0, name: Optional[str] = None) -> Tensor:
    """TF1's `tf.nn.swish`: ``features * sigmoid(beta * features)`` (see `silu`)."""
    with op_scope(name, "swish", [features]) as scope:
        return silu(features, beta, name=scope)


def gelu(features: Any, approximate: bool = False, name: Optional[str] = None) -> Tensor:
    """The Gaussian error linear unit ``x * P(X <= x)`` for X ~ N(0, 1) (name scope "Gelu").

    Exact: ``0.5 * x * (1 + erf(x / sqrt(2)))``; with `approximate`, the tanh form
    ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x ** 3)))``.
    """
    with op_scope(name, "Gelu", [features]) as scope:
        x = _float_features(features)
        if approximate:
            cube = multiply(square(x), x)
            inner = multiply(add(x, multiply(cube, 0.044715)), math.sqrt(2.0 / math.pi))
            cdf = add(tanh(inner), 1.0)
        else:
            cdf = add(erf(multiply(x, 1.0 / math.sqrt(2.0))), 1.0)
        return multiply(multiply(x, 0.5), cdf, name=scope)


def crelu(features: Any, name: Optional[str] = None, axis: int = -1) -> Tensor:
    """Concatenated ReLU: ``relu(concat([features, -features], axis))``, doubling the size
    of `axis` (name scope "CRelu")."""
    with op_scope(name, "CRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        c = concat([features, negative(features)], axis, name="concat")
        return relu(c, name=scope)


def maxout(inputs: Any, num_units: int, axis: int = -1, name: Optional[str] = None) -> Tensor:
    """Maxout: the channels of `axis` split into `num_units` groups of consecutive channels,
    each reduced to its maximum (name scope "MaxOut").

    The size of `axis` must be known and a multiple of `num_units`. For the last axis this
    is TF1's ``tf.contrib.layers.maxout``; for other axes flowgraph groups consecutive
    channels of that axis (TF1's reshape mixes in the following dimensions).
    """
    with op_scope(name, "MaxOut", [inputs]):
        inputs = convert_to_tensor(inputs)
        dims = inputs.shape.as_list() if inputs.shape.ndims is not None else None
        if dims is None:
            raise ValueError("maxout needs inputs of known rank")
        rank = len(dims)
        if not -rank <= axis < rank:
            raise ValueError(f"maxout axis {axis} is out of range for inputs of rank {rank}")
        axis = axis % rank
        channels = dims[axis]
        if channels is None:
            raise ValueError(f"maxout needs the size of axis {axis} known, got shape "
                             f"{inputs.shape}")
        if num_units < 1 or channels % num_units:
            raise ValueError(f"number of features({channels}) is not a multiple of "
                             f"num_units({num_units})")
        dynamic = shape(inputs) if None in dims else None
        new_shape = [d if d is not None else dynamic[i] for i, d in enumerate(dims)]
        new_shape[axis:axis + 1] = [num_units, channels // num_units]
        if None in dims:
            from flowgraph.ops.array import stack
            new_shape = stack(new_shape)
        return reduce_max(reshape(inputs, new_shape), axis + 1, keepdims=False)


def rbf(x: Any, centers: Any, gamma: Any, name: Optional[str] = None) -> Tensor:
    """Gaussian radial basis functions: ``exp(-gamma * ||x_i - c_j||^2)`` for each row
    x_i of ``x`` ``[batch, dim]`` and each centre c_j of ``centers`` ``[n, dim]`` (e.g. a
    learned Variable); returns ``[batch, n]``. `gamma` is a number, a scalar or an ``[n]``
    tensor (one width per centre).

    The squared distances are ``|x|^2 - 2 x c^T + |c|^2`` (one matrix product), clipped at
    0 against rounding (name scope "rbf").
    """
    with op_scope(name, "rbf", [x, centers, gamma]) as scope:
        x = convert_to_tensor(x, name="x")
        centers = convert_to_tensor(centers, dtype=x.dtype, name="centers") \
            if not isinstance(centers, Tensor) else centers
        for what, t in (("x", x), ("centers", centers)):
            if t.shape.ndims not in (None, 2):
                raise ValueError(f"rbf needs a 2-D {what}, got shape {t.shape}")
        x_sq = reduce_sum(square(x), 1, keepdims=True)
        c_sq = reduce_sum(square(centers), 1)
        cross = matmul(x, centers, transpose_b=True)
        distance = maximum(add(subtract(x_sq, multiply(cross, 2.0)), c_sq), 0.0)
        return exp(multiply(distance, negative(gamma) if isinstance(gamma, Tensor)
                            else -gamma), name=scope)
