"""TF1 math helpers built from other ops: lbeta, polyval, reduce_euclidean_norm,
zero_fraction, is_non_decreasing, is_strictly_increasing, confusion_matrix,
reciprocal_no_nan."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

# Top-level TF1 names; polyval, reduce_euclidean_norm, zero_fraction and reciprocal_no_nan
# are TF1's tf.math.* only (flowgraph.api.math).
__all__ = ["lbeta", "is_non_decreasing", "is_strictly_increasing", "confusion_matrix"]


def lbeta(x: Any, name: Optional[str] = None) -> Tensor:
    """log|Beta(x)| over the last dimension: sum(lgamma(x)) - lgamma(sum(x))."""
    from flowgraph.ops.math import subtract
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.special_math import lgamma
    with op_scope(name, "lbeta", [x]):
        x = convert_to_tensor(x, name="x")
        log_prod_gamma_x = reduce_sum(lgamma(x), axis=[-1])
        log_gamma_sum_x = lgamma(reduce_sum(x, axis=[-1]))
        return subtract(log_prod_gamma_x, log_gamma_sum_x)


def polyval(coeffs: Sequence[Any], x: Any, name: Optional[str] = None) -> Tensor:
    """coeffs[0] * x^(n-1) + ... + coeffs[n-1], by Horner's rule (0 for no coefficients)."""
    from flowgraph.ops.fill import zeros_like
    with op_scope(name, "polyval", [x]):
        x = convert_to_tensor(x, name="x")
        if len(coeffs) < 1:
            return zeros_like(x, name=name)
        coeffs = [convert_to_tensor(c, dtype=x.dtype, name=f"coeff_{i}")
                  for i, c in enumerate(coeffs)]
        p = coeffs[0]
        for c in coeffs[1:]:
            p = c + p * x
        return p


def reduce_euclidean_norm(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                          name: Optional[str] = None) -> Tensor:
    """sqrt(sum(x^2)) over `axis` (all dimensions by default)."""
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.unary import sqrt, square
    with op_scope(name, "EuclideanNorm", [input_tensor]):
        x = convert_to_tensor(input_tensor)
        return sqrt(reduce_sum(square(x), axis=axis, keepdims=keepdims))


def zero_fraction(value: Any, name: Optional[str] = None) -> Tensor:
    """The fraction (float32) of the elements of `value` that are zero."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import equal
    from flowgraph.ops.constant import identity
    from flowgraph.ops.reduce import reduce_mean
    with op_scope(name, "zero_fraction", [value]):
        value = convert_to_tensor(value, name="value")
        zero = convert_to_tensor(0, dtype=value.dtype, name="zero")
        fraction = reduce_mean(cast(equal(value, zero), dtypes.float32))
        return identity(fraction, name="fraction")


def _monotone(x: Any, name: Optional[str], default: str, strict: bool) -> Tensor:
    from flowgraph.ops.compare import greater, greater_equal
    from flowgraph.ops.math import subtract
    from flowgraph.ops.reduce import reduce_all
    from flowgraph.ops.shape_ops import reshape
    with op_scope(name, default, [x]):
        flat = reshape(convert_to_tensor(x), [-1])
        diff = subtract(flat[1:], flat[:-1])
        zero = convert_to_tensor(0, dtype=diff.dtype)
        return reduce_all(greater(diff, zero) if strict else greater_equal(diff, zero))


def is_non_decreasing(x: Any, name: Optional[str] = None) -> Tensor:
    """True if x (flattened) never decreases (True for fewer than two elements)."""
    return _monotone(x, name, "is_non_decreasing", strict=False)


def is_strictly_increasing(x: Any, name: Optional[str] = None) -> Tensor:
    """True if x (flattened) always increases (True for fewer than two elements)."""
    return _monotone(x, name, "is_strictly_increasing", strict=True)


def confusion_matrix(labels: Any, predictions: Any, num_classes: Any = None,
                     dtype: Any = dtypes.int32, name: Optional[str] = None,
                     weights: Any = None) -> Tensor:
    """The [num_classes, num_classes] matrix counting (or summing `weights` of) each
    (label, prediction) pair; rows are labels. num_classes defaults to
    max(labels, predictions) + 1 (TF1's argument order: num_classes, dtype, name, weights)."""
    from flowgraph.ops.array import stack
    from flowgraph.ops.cast import cast
    from flowgraph.ops.fill import ones_like
    from flowgraph.ops.math import add, maximum
    from flowgraph.ops.reduce import reduce_max
    from flowgraph.ops.scatter import scatter_nd
    with op_scope(name, "confusion_matrix", [labels, predictions]):
        labels = cast(convert_to_tensor(labels), dtypes.int64)
        predictions = cast(convert_to_tensor(predictions), dtypes.int64)
        if num_classes is None:
            num_classes = add(maximum(reduce_max(predictions), reduce_max(labels)), 1)
        else:
            num_classes = cast(convert_to_tensor(num_classes), dtypes.int64)
        indices = stack([labels, predictions], axis=1)
        values = ones_like(predictions, dtype=dtype) if weights is None else \
            cast(convert_to_tensor(weights), dtype)
        shape = stack([num_classes, num_classes])
        return scatter_nd(indices, values, cast(shape, dtypes.int64))


def reciprocal_no_nan(x: Any, name: Optional[str] = None) -> Tensor:
    """1 / x elementwise, 0 where x is 0 (node "reciprocal_no_nan")."""
    from flowgraph.ops.division import DivNoNan
    from flowgraph.ops.elementwise import binary_op
    with op_scope(name, "reciprocal_no_nan", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        one = convert_to_tensor(1, dtype=x.dtype, name="one")
        return binary_op(DivNoNan(), one, x, name=scope)
