"""Axis arguments of reductions and sorts: validation, static values, reduced shapes."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import constant_value
from flowgraph.shapes import TensorShape

__all__: list = []


# --------------------------------------------------------------------------- axis helpers
def normalize_axes(axis: Optional[Sequence[int]], rank: int, what: str = "reduction",
                   error: type = ValueError) -> tuple:
    """Axes as sorted non-negative ints for an input of `rank` (None: every axis).

    Raises `error` for an axis out of [-rank, rank) or an axis given twice.
    """
    if axis is None:
        return tuple(range(rank))
    result = []
    for a in axis:
        if not -rank <= a < rank:
            raise make_error(error, f"Invalid {what} dimension {a} for input with {rank} "
                              f"dimensions: expected an axis in [{-rank}, {rank}).")
        a = a % rank
        if a in result:
            raise make_error(error, f"Invalid {what} arguments: axes {list(axis)} contain the "
                              f"dimension {a} twice.")
        result.append(a)
    return tuple(sorted(result))


def make_error(error: type, message: str) -> Exception:
    if issubclass(error, errors.OpError):
        return error(None, None, message)
    return error(message)


def static_axis(axis: Any, what: str = "axis") -> Any:
    """A Python int / list of ints from an int, list, numpy value or constant tensor.

    Raises TypeError when the value is a tensor not known at build time.
    """
    if axis is None:
        return None
    if isinstance(axis, Tensor) or hasattr(axis, "__fg_tensor__"):
        tensor = convert_to_tensor(axis)
        value = constant_value(tensor)
        if value is None:
            raise TypeError(f"{what} must be known when the graph is built (a Python int, a "
                            f"list of ints, or a constant tensor); {tensor.name} is only known "
                            "at run time.")
        axis = value
    array = np.asarray(axis)
    if array.ndim == 1 and array.size == 0:
        return []
    if array.dtype.kind not in "iu" or array.ndim > 1:
        raise TypeError(f"{what} must be an int or a list of ints, got {axis!r}")
    return int(array) if array.ndim == 0 else [int(a) for a in array]


def as_axis_tuple(axis: Any) -> Optional[tuple]:
    axis = static_axis(axis)
    if axis is None:
        return None
    return (axis,) if isinstance(axis, int) else tuple(axis)


def reduced_shape(shape: TensorShape, axis: Optional[tuple], keepdims: bool) -> TensorShape:
    """The static shape of reducing `shape` over `axis` (ValueError for bad axes)."""
    if shape.ndims is None:
        if axis is not None and len(axis) == 0:
            return shape
        if axis is None and not keepdims:
            return TensorShape([])  # all dimensions reduced: a scalar (TF1's set_shape(()))
        return TensorShape(None)
    dims = shape.as_list()
    axes = normalize_axes(axis, len(dims))
    if keepdims:
        return TensorShape([1 if i in axes else d for i, d in enumerate(dims)])
    return TensorShape([d for i, d in enumerate(dims) if i not in axes])


def lookup_pair(new: Any, old: Any, new_name: str, old_name: str) -> Any:
    """TF1's deprecated-argument lookup: one of two spellings of an argument."""
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
    return old if new is None else new
