"""argmax and argmin: the index of the extreme value along an axis."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.reduce_axes import lookup_pair, normalize_axes, static_axis
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["argmax", "argmin"]


# --------------------------------------------------------------------------- argmax / argmin
@dataclasses.dataclass(frozen=True, kw_only=True)
class ArgReduction(Op):
    """Base of ArgMax / ArgMin: the index of the extreme element along `axis`."""

    axis: int = 0
    output_type: DType = dtypes.int64

    differentiable = False

    def check(self) -> None:
        if self.output_type not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"{self.type_name} output_type must be int32 or int64, got "
                            f"{self.output_type.name}")

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, "fiub")
        if x.shape.ndims is None:
            return [(self.output_type, TensorShape(None))]
        dims = x.shape.as_list()
        (axis,) = normalize_axes((self.axis,), len(dims), "argmax/argmin")
        if dims[axis] == 0:
            raise ValueError(f"{self.type_name} over axis {self.axis} of shape {x.shape}: "
                             "the axis is empty, so there is no extreme element.")
        return [(self.output_type, TensorShape(dims[:axis] + dims[axis + 1:]))]

    def kernel(self, x):
        (axis,) = normalize_axes((self.axis,), x.ndim, "argmax/argmin",
                                 error=errors.InvalidArgumentError)
        if x.shape[axis] == 0:
            raise errors.InvalidArgumentError(
                None, None, f"Reduction axis {self.axis} is empty in shape {list(x.shape)}")
        return np.asarray(self.find(x, axis)).astype(self.output_type.np, copy=False)


def _nan_skipping_arg(x: np.ndarray, axis: int, largest: bool) -> np.ndarray:
    """Index of the first extreme non-NaN element along `axis`; 0 where all are NaN.

    TF's CPU kernel compares with `>` / `<`, so NaN never wins a comparison and is skipped
    (numpy's argmax would return the first NaN instead).
    """
    if x.dtype.kind != "f":
        return np.argmax(x, axis=axis) if largest else np.argmin(x, axis=axis)
    nan = np.isnan(x)
    if not nan.any():
        return np.argmax(x, axis=axis) if largest else np.argmin(x, axis=axis)
    filled = np.where(nan, -np.inf if largest else np.inf, x)
    best = filled.max(axis=axis, keepdims=True) if largest else filled.min(axis=axis,
                                                                          keepdims=True)
    # First non-NaN position holding the extreme; all-False (all NaN) rows give index 0.
    return np.argmax((filled == best) & ~nan, axis=axis)


@register
class ArgMax(ArgReduction):
    """The index of the largest element along `axis` (the first one, on ties)."""

    def find(self, x, axis):
        return _nan_skipping_arg(x, axis, largest=True)


@register
class ArgMin(ArgReduction):
    """The index of the smallest element along `axis` (the first one, on ties)."""

    def find(self, x, axis):
        return _nan_skipping_arg(x, axis, largest=False)


def _arg_reduce(op_class: type, input: Any, axis: Any, name: Optional[str], dimension: Any,
                output_type: Any) -> Tensor:
    axis = lookup_pair(axis, dimension, "axis", "dimension")
    axis = static_axis(axis)
    if axis is None:
        axis = 0
    if not isinstance(axis, int):
        if len(axis) != 1:
            raise ValueError(f"{op_class.type_name} takes one axis, got {axis}")
        axis = axis[0]
    x = convert_to_tensor(input)
    return apply_op(op_class(axis=axis, output_type=dtypes.as_dtype(output_type)), [x],
                    name=name)


def argmax(input: Any, axis: Any = None, name: Optional[str] = None, dimension: Any = None,
           output_type: Any = dtypes.int64) -> Tensor:
    """The index of the largest value along `axis`, as TF1's `tf.argmax`.

    `axis` None means axis 0 (as TF1); `dimension` is its deprecated spelling. Ties give the
    smallest index. The result has dtype `output_type` (int64 or int32) and is not
    differentiable.
    """
    return _arg_reduce(ArgMax, input, axis, name, dimension, output_type)


def argmin(input: Any, axis: Any = None, name: Optional[str] = None, dimension: Any = None,
           output_type: Any = dtypes.int64) -> Tensor:
    """The index of the smallest value along `axis`, as TF1's `tf.argmin` (see `argmax`)."""
    return _arg_reduce(ArgMin, input, axis, name, dimension, output_type)
