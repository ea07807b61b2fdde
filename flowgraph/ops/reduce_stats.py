"""Counting and spread across axes: count_nonzero, reduce_variance, reduce_std."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor, name_scope
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.reduce import Reduction, _reduce, reduce_mean
from flowgraph.ops.reduce_axes import lookup_pair
from flowgraph.ops.registry import register

__all__ = ["count_nonzero", "reduce_variance", "reduce_std"]


@register
class CountNonzero(Reduction):
    """The number of non-zero (non-empty, for strings; True, for bools) elements over
    `axis`, as `dtype`."""

    dtype: DType = dtypes.int64

    allowed = "fiubS"
    differentiable = False

    @classmethod
    def default_name(cls) -> str:
        return "count_nonzero"

    def output_dtype(self, dtype):
        return self.dtype

    def reduce(self, x, axes):
        count = np.count_nonzero(x, axis=axes, keepdims=self.keepdims)
        return np.asarray(count).astype(self.dtype.np)


def count_nonzero(input_tensor: Any = None, axis: Any = None, keepdims: Optional[bool] = None,
                  dtype: Any = dtypes.int64, name: Optional[str] = None,
                  reduction_indices: Any = None, keep_dims: Optional[bool] = None,
                  input: Any = None) -> Tensor:
    """The number of non-zero elements across axes, as TF1's `tf.count_nonzero`.

    Strings count when non-empty. `input` is TF1's alias of `input_tensor`; the other
    arguments are as in `reduce_sum`. The result has dtype `dtype` (int64 by default).
    """
    input_tensor = lookup_pair(input_tensor, input, "input_tensor", "input")
    if input_tensor is None:
        raise ValueError("count_nonzero needs input_tensor")
    return _reduce(CountNonzero, input_tensor, axis, keepdims, name, reduction_indices,
                   keep_dims, dtype=dtypes.as_dtype(dtype))


def reduce_variance(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                    name: Optional[str] = None) -> Tensor:
    """The variance across axes, as `tf.math.reduce_variance`: the mean of the squared
    deviations from the mean (a composite of Mean, Sub, Square and Mean).

    Parameters are as in `reduce_sum`; the result has the input's dtype.
    """
    from flowgraph import ops  # the elementwise builders live in other op modules

    x = convert_to_tensor(input_tensor)
    with name_scope(name, "reduce_variance", [x]) as scope:
        means = reduce_mean(x, axis, keepdims=True)
        squared = ops.square(ops.subtract(x, means))
        return reduce_mean(squared, axis, keepdims=keepdims, name=scope)


def reduce_std(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: Optional[str] = None) -> Tensor:
    """The standard deviation across axes, as `tf.math.reduce_std`: the square root of
    `reduce_variance` (floating inputs).

    Parameters are as in `reduce_sum`; the result has the input's dtype.
    """
    from flowgraph import ops

    x = convert_to_tensor(input_tensor)
    if not x.dtype.is_floating:
        raise TypeError(f"reduce_std needs a floating input, got {x.dtype.name} ({x.name})")
    with name_scope(name, "reduce_std", [x]) as scope:
        return ops.sqrt(reduce_variance(x, axis, keepdims=keepdims), name=scope)
