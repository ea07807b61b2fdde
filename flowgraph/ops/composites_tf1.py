"""TF1 names that are short compositions of other ops (no op class of their own, so no
gradient code): `norm`, `log_sigmoid`, `accumulate_n`, and the deprecated `arg_max` /
`arg_min` spellings."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor, name_scope
from flowgraph.ops.activations import softplus
from flowgraph.ops.argminmax import argmax, argmin
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.math import add_n, pow
from flowgraph.ops.reduce import reduce_max, reduce_sum
from flowgraph.ops.unary import abs, negative, sqrt

__all__ = ["norm", "log_sigmoid", "accumulate_n", "arg_max", "arg_min"]


def _norm_axes(axis: Any, rank: Optional[int]) -> Optional[tuple]:
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if len(axes) not in (1, 2) or not all(isinstance(a, int) for a in axes):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                         f"got {axis}")
    if len(axes) == 2 and rank is not None and axes[0] % rank == axes[1] % rank:
        raise ValueError(f"'axis' must be a tuple of 2 unique integers, got {axis}")
    return axes


def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None,  # noqa: A002 - TF1's name
         keepdims: Optional[bool] = None, name: Optional[str] = None,
         keep_dims: Optional[bool] = None) -> Tensor:
    """TF1's `tf.norm`: a vector norm over `axis` (None: all elements as one vector; an int)
    of any order p > 0 (``'euclidean'`` = 2, ``np.inf``), or a matrix norm over a pair of
    axes (``'fro'`` / ``'euclidean'``, 1: the largest column sum, ``np.inf``: the largest
    row sum)."""
    keep = bool(keepdims if keepdims is not None else keep_dims)
    with name_scope(name, "norm", [tensor]):
        x = convert_to_tensor(tensor)
        axes = _norm_axes(axis, x.shape.ndims)
        is_matrix = axes is not None and len(axes) == 2
        valid = ("euclidean", "fro", 1, np.inf) if is_matrix else ("euclidean",)
        if not (ord in valid or (not is_matrix and isinstance(ord, (int, float))
                                 and not isinstance(ord, bool) and ord > 0)):
            supported = "fro, euclidean, 1, inf" if is_matrix else "euclidean, p > 0, inf"
            kind = "matrix" if is_matrix else "vector"
            raise ValueError(f"'ord' must be a supported {kind} norm ({supported}), got "
                             f"{ord!r}")
        magnitude = abs(x)
        if ord in ("euclidean", "fro") or ord == 2:
            return sqrt(reduce_sum(x * x, axis=axes, keepdims=keep))
        if is_matrix:  # 1: max over columns of column sums; inf: max over rows of row sums
            inner, outer = (axes[0], axes[1]) if ord == 1 else (axes[1], axes[0])
            sums = reduce_sum(magnitude, axis=inner, keepdims=True)
            result = reduce_max(sums, axis=outer, keepdims=True)
            if keep:
                return result
            return reduce_sum(result, axis=list(axes))  # drops the two size-1 axes
        if ord == np.inf:
            return reduce_max(magnitude, axis=axes, keepdims=keep)
        if ord == 1:
            return reduce_sum(magnitude, axis=axes, keepdims=keep)
        p = np.asarray(ord, x.dtype.as_numpy_dtype)
        return pow(reduce_sum(pow(magnitude, p), axis=axes, keepdims=keep), 1 / p)


def log_sigmoid(x: Any, name: Optional[str] = None) -> Tensor:
    """``log(1 / (1 + exp(-x))) = -softplus(-x)``, stable for large |x| (TF1's
    `tf.log_sigmoid`)."""
    with name_scope(name, "LogSigmoid", [x]):
        return negative(softplus(negative(convert_to_tensor(x))))


def accumulate_n(inputs: Sequence[Any], shape: Any = None, tensor_dtype: Any = None,
                 name: Optional[str] = None) -> Tensor:
    """The elementwise sum of `inputs` (TF1's `tf.accumulate_n`; the same as `add_n`)."""
    if tensor_dtype is not None:
        inputs = [convert_to_tensor(v, dtype=dtypes.as_dtype(tensor_dtype)) for v in inputs]
    result = add_n(list(inputs), name=name)
    if shape is not None:
        result.set_shape(shape)
    return result


def arg_max(input: Any, dimension: Any, output_type: Any = dtypes.int64,  # noqa: A002
            name: Optional[str] = None) -> Tensor:
    """TF1's deprecated `tf.arg_max(input, dimension)`: `argmax` along `dimension`."""
    return argmax(input, axis=dimension, output_type=output_type, name=name)


def arg_min(input: Any, dimension: Any, output_type: Any = dtypes.int64,  # noqa: A002
            name: Optional[str] = None) -> Tensor:
    """TF1's deprecated `tf.arg_min(input, dimension)`: `argmin` along `dimension`."""
    return argmin(input, axis=dimension, output_type=output_type, name=name)
