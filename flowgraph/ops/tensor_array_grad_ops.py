"""Ops on gradients of TensorArrays: a TensorArray's gradient is a TensorList of gradients,
where None stands for zeros (no gradient reached that element).

These ops only appear in gradient graphs (the rules of `tensor_array_ops`); second-order
gradients do not flow through them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph.dtypes import DType, float32, variant
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.tensor_array_ops import TensorList, check_handle
from flowgraph.shapes import TensorShape

__all__: list = []


def _indices(value: Any) -> tuple:
    if type(value) is np.ndarray and value.ndim == 0:  # the usual case: one loop index
        return (int(value),), True
    array = np.asarray(value)
    return tuple(int(i) for i in array.reshape(-1)), array.ndim == 0


def _grad_list(items: list, like: TensorList) -> TensorList:
    return TensorList(tuple(items), like.dtype if like is not None else None, None, True, False)


def _item(tl: TensorList, index: int) -> Any:
    return tl.items[index] if 0 <= index < len(tl.items) else None


@register
class TensorListClear(Op):
    """A gradient TensorList with the elements at `indices` (scalar or vector) set to zero:
    what flows back past a write, whose old element was overwritten."""

    differentiable = False

    def infer(self, op):
        check_handle(op)
        return [(variant, TensorShape([]))]

    def kernel(self, handle, indices):
        idx, _ = _indices(indices)
        if all(_item(handle, i) is None for i in idx):
            return handle  # nothing to clear (TensorLists are immutable: sharing is safe)
        items = list(handle.items)
        for i in idx:
            if 0 <= i < len(items):
                items[i] = None
        return handle.replace(tuple(items))


@register
class TensorListGatherOrZeros(Op):
    """The gradient elements at `indices` (a scalar index gives one element, a vector
    their stack), zeros where none arrived; `like` gives their shape and dtype."""

    differentiable = False

    def infer(self, op):
        check_handle(op)
        like = op.inputs[2]
        return [(like.dtype, like.shape)]

    def kernel(self, handle, indices, like):
        idx, scalar = _indices(indices)
        like = np.asarray(like)
        if scalar:
            item = _item(handle, idx[0])
            return np.zeros_like(like) if item is None else item.astype(like.dtype, copy=False)
        rows = [_item(handle, i) for i in idx]
        out = np.zeros_like(like)
        for k, row in enumerate(rows):
            if row is not None:
                out[k] = row
        return out


@register
class TensorListScatterItems(Op):
    """A gradient TensorList as long as `handle`, holding `value` at `indices` (a scalar
    index: `value` is one element; a vector: row k goes to indices[k], repeats summed)."""

    differentiable = False

    def infer(self, op):
        check_handle(op)
        return [(variant, TensorShape([]))]

    def kernel(self, handle, indices, value):
        idx, scalar = _indices(indices)
        value = np.asarray(value)
        items: list = [None] * len(handle.items)
        rows = [value] if scalar else list(value)
        for i, row in zip(idx, rows):
            if i >= len(items):
                items.extend([None] * (i + 1 - len(items)))
            items[i] = row.copy() if items[i] is None else items[i] + row
        return _grad_list(items, handle)


@register
class TensorListSplitItems(Op):
    """A gradient TensorList of `value` cut along its first axis into pieces of `lengths`:
    the gradient of a TensorArray concat."""

    differentiable = False

    def infer(self, op):
        check_handle(op)
        return [(variant, TensorShape([]))]

    def kernel(self, handle, value, lengths):
        bounds = np.cumsum([0] + [int(n) for n in np.asarray(lengths).reshape(-1)])
        items = [value[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]
        return _grad_list(items, handle)


@register
class TensorListConcatOrZeros(Op):
    """The gradient elements 0, 1, ... concatenated along their first axis (zeros of the
    pieces of `lengths` where none arrived); `like` is the split value: the gradient of a
    TensorArray split."""

    differentiable = False

    def infer(self, op):
        check_handle(op)
        like = op.inputs[1]
        return [(like.dtype, like.shape)]

    def kernel(self, handle, like, lengths):
        like = np.asarray(like)
        out = np.zeros_like(like)
        start = 0
        for i, n in enumerate(int(n) for n in np.asarray(lengths).reshape(-1)):
            item = _item(handle, i)
            if item is not None:
                out[start:start + n] = item
            start += n
        return out


@register
class TensorListAddN(Op):
    """The elementwise sum of gradient TensorLists (None: zero): how the gradients of one
    TensorArray from several uses are added."""

    differentiable = False

    def infer(self, op):
        for i in range(len(op.inputs)):
            check_handle(op, i)
        if not op.inputs:
            raise ValueError("TensorListAddN needs at least one input")
        return [(variant, TensorShape([]))]

    def kernel(self, *lists):
        length = max(len(tl.items) for tl in lists)
        items = []
        for i in range(length):
            parts = [item for tl in lists if (item := _item(tl, i)) is not None]
            if not parts:
                items.append(None)
            elif len(parts) == 1:
                items.append(parts[0])
            else:
                items.append(np.sum(parts, axis=0).astype(parts[0].dtype, copy=False))
        return _grad_list(items, lists[0])


@register
class TensorListZeros(Op):
    """An all-zero gradient TensorList (no element holds a gradient)."""

    dtype: DType = float32
    differentiable = False

    def infer(self, op):
        return [(variant, TensorShape([]))]

    def kernel(self):
        return TensorList((), self.dtype.np, None, True, False)


# --------------------------------------------------------------------------- builders
def clear_items(handle: Tensor, indices: Any) -> Tensor:
    return apply_op(TensorListClear(), [handle, convert_to_tensor(indices)])


def gather_or_zeros(handle: Tensor, indices: Any, like: Tensor) -> Tensor:
    return apply_op(TensorListGatherOrZeros(), [handle, convert_to_tensor(indices), like])


def scatter_items(handle: Tensor, indices: Any, value: Tensor) -> Tensor:
    return apply_op(TensorListScatterItems(),
                    [handle, convert_to_tensor(indices), convert_to_tensor(value)])


def split_items(handle: Tensor, value: Tensor, lengths: Tensor) -> Tensor:
    return apply_op(TensorListSplitItems(), [handle, convert_to_tensor(value), lengths])


def concat_or_zeros(handle: Tensor, like: Tensor, lengths: Tensor) -> Tensor:
    return apply_op(TensorListConcatOrZeros(), [handle, like, lengths])


def add_tensor_lists(lists: list) -> Tensor:
    """The sum of gradient TensorLists (used by fg.gradients to add TensorArray grads)."""
    return apply_op(TensorListAddN(), list(lists))


def zero_tensor_list(dtype: Any = float32) -> Tensor:
    return apply_op(TensorListZeros(dtype=dtype), [])
