"""More of TF1's tf.nn composites: xw_plus_b, relu_layer, sufficient_statistics,
normalize_moments, weighted_moments (each as TF1's nn_impl / nn_ops builds it)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["xw_plus_b", "relu_layer", "sufficient_statistics", "normalize_moments",
           "weighted_moments"]


def xw_plus_b(x: Any, weights: Any, biases: Any, name: Optional[str] = None) -> Tensor:
    """matmul(x, weights) + biases (node "xw_plus_b", a BiasAdd)."""
    from flowgraph.ops.linalg import matmul
    from flowgraph.ops.nn_basic import bias_add
    with op_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases", dtype=x.dtype)
        return bias_add(matmul(x, weights), biases, name=scope)


def relu_layer(x: Any, weights: Any, biases: Any, name: Optional[str] = None) -> Tensor:
    """relu(matmul(x, weights) + biases) (node "relu_layer")."""
    from flowgraph.ops.activations import relu
    from flowgraph.ops.linalg import matmul
    from flowgraph.ops.nn_basic import bias_add
    with op_scope(name, "relu_layer", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases", dtype=x.dtype)
        return relu(bias_add(matmul(x, weights), biases), name=scope)


def _keep(keep_dims: Any, keepdims: Any) -> bool:
    if keep_dims is not None and keepdims is not None and bool(keep_dims) != bool(keepdims):
        raise ValueError("keep_dims and keepdims are aliases; pass only one of them")
    return bool(keepdims if keepdims is not None else keep_dims)


def sufficient_statistics(x: Any, axes: Any, shift: Any = None, keep_dims: Any = None,
                          name: Optional[str] = None, keepdims: Any = None) -> tuple:
    """(count, sum of x - shift, sum of (x - shift)^2, shift) over `axes`, as TF1."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.math import squared_difference, subtract
    from flowgraph.ops.reduce import reduce_prod, reduce_sum
    from flowgraph.ops.shape_ops import shape
    from flowgraph.ops.unary import square
    keep = _keep(keep_dims, keepdims)
    with op_scope(name, "sufficient_statistics", [x, shift]):
        x = convert_to_tensor(x, name="x")
        axes = [int(a) for a in axes]
        dims = x.shape.as_list() if x.shape.ndims is not None else None
        if dims is not None and all(dims[d] is not None for d in axes):
            total = 1
            for d in axes:
                total *= dims[d]
            counts = convert_to_tensor(total, dtype=x.dtype)
        else:
            from flowgraph.ops.gather import gather
            counts = cast(reduce_prod(gather(shape(x), axes)), x.dtype, name="count")
        if shift is not None:
            shift = convert_to_tensor(shift, name="shift", dtype=x.dtype)
            m_ss = subtract(x, shift)
            v_ss = squared_difference(x, shift)
        else:
            m_ss, v_ss = x, square(x)
        m_ss = reduce_sum(m_ss, axes, keepdims=keep, name="mean_ss")
        v_ss = reduce_sum(v_ss, axes, keepdims=keep, name="var_ss")
    return counts, m_ss, v_ss, shift


def normalize_moments(counts: Any, mean_ss: Any, variance_ss: Any, shift: Any,
                      name: Optional[str] = None) -> tuple:
    """(mean, variance) from sufficient statistics, as TF1 (scope "normalize")."""
    from flowgraph.ops.math import add, multiply, subtract
    from flowgraph.ops.unary import reciprocal, square
    with op_scope(name, "normalize", [counts, mean_ss, variance_ss, shift]):
        divisor = reciprocal(counts, name="divisor")
        if shift is not None:
            shifted_mean = multiply(mean_ss, divisor, name="shifted_mean")
            mean = add(shifted_mean, shift, name="mean")
        else:
            shifted_mean = multiply(mean_ss, divisor, name="mean")
            mean = shifted_mean
        variance = subtract(multiply(variance_ss, divisor), square(shifted_mean),
                            name="variance")
    return mean, variance


def weighted_moments(x: Any, axes: Any, frequency_weights: Any, name: Optional[str] = None,
                     keep_dims: Any = None, keepdims: Any = None) -> tuple:
    """(mean, variance) of x over `axes`, each element counted `frequency_weights` times
    (weights broadcast against x)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.math import add, multiply, squared_difference
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.shape_ops import squeeze
    from flowgraph.ops.unary import reciprocal
    keep = _keep(keep_dims, keepdims)
    with op_scope(name, "weighted_moments", [x, frequency_weights]):
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(frequency_weights, name="frequency_weights")
        if weights.dtype != x.dtype:
            weights = cast(weights, x.dtype)
        weighted_input_sum = reduce_sum(multiply(weights, x), axes, keepdims=True,
                                        name="weighted_input_sum")
        sum_of_weights = reduce_sum(add(weights, zeros_like(x)), axes, keepdims=True,
                                    name="sum_of_weights")
        divisor = reciprocal(sum_of_weights, name="inv_weight_sum")
        mean = multiply(weighted_input_sum, divisor)
        distsq = reduce_sum(multiply(weights, squared_difference(x, mean)), axes,
                            keepdims=True, name="weighted_distsq")
        variance = multiply(distsq, divisor)
        if not keep:
            mean = squeeze(mean, axis=axes)
            variance = squeeze(variance, axis=axes)
        return mean, variance
