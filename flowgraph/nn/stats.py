"""Statistics of `fg.nn`: moments and zero_fraction (composites of reduction ops)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor, identity
from flowgraph.ops.division import truediv
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.gradient_ops import stop_gradient
from flowgraph.ops.math import squared_difference, subtract
from flowgraph.ops.reduce import reduce_mean
from flowgraph.ops.reduce_axes import lookup_pair
from flowgraph.ops.reduce_stats import count_nonzero
from flowgraph.ops.shape_ops import size, squeeze

__all__ = ["moments", "zero_fraction"]


def moments(x: Any, axes: Any, shift: Any = None, name: Optional[str] = None,
            keep_dims: Optional[bool] = None, keepdims: Optional[bool] = None) -> tuple:
    """The mean and variance of `x` over `axes`, as TF1's `tf.nn.moments`.

    Parameters
    ----------
    x : Tensor
        A floating tensor (float16 is computed in float32 and cast back).
    axes : list of int
        The axes to reduce, e.g. ``[0]`` for a batch of vectors, ``[0, 1, 2]`` for NHWC
        images.
    shift : unused
        Accepted for TF1 compatibility (TF1 ignores it as well).
    keepdims : bool
        Keep the reduced axes with size 1 (default False); `keep_dims` is the deprecated
        spelling.

    Returns
    -------
    (mean, variance)
        The variance is ``mean((x - stop_gradient(mean))**2)``, as TF1 computes it.
    """
    del shift  # TF1 ignores it too
    keep = lookup_pair(keepdims, keep_dims, "keepdims", "keep_dims")
    with op_scope(name, "moments", [x]):
        x = convert_to_tensor(x)
        y = cast(x, dtypes.float32) if x.dtype == dtypes.float16 else x
        mean = reduce_mean(y, axes, keepdims=True, name="mean")
        variance = reduce_mean(squared_difference(y, stop_gradient(mean)), axes,
                               keepdims=True, name="variance")
        if not keep:
            mean = squeeze(mean, axes)
            variance = squeeze(variance, axes)
        if x.dtype == dtypes.float16:
            return cast(mean, dtypes.float16), cast(variance, dtypes.float16)
        return mean, variance


def zero_fraction(value: Any, name: Optional[str] = None) -> Tensor:
    """The fraction of zeros in `value`, a float32 scalar (node "zero_fraction/fraction");
    often used to watch the sparsity of relu activations."""
    with op_scope(name, "zero_fraction", [value]):
        value = convert_to_tensor(value)
        total = size(value, out_type=dtypes.int64)
        nonzero = count_nonzero(value, dtype=dtypes.int64)
        with op_scope(None, "counts_to_fraction", [value]):
            zeros = subtract(total, nonzero)
            fraction = truediv(cast(zeros, dtypes.float32), cast(total, dtypes.float32))
        return identity(fraction, name="fraction")
