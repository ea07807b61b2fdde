"""More Variable updates, as TF1's state_ops: scatter_mul / div / max / min,
scatter_nd_update / add / sub (rows addressed by index tuples), batch_scatter_update and
strided_slice_assign (`v[1:, 0].assign(x)`).

Like `scatter_update`, each takes the Variable by reference, writes its new value in the
Session's state and returns it. Duplicate indices apply one after another (so two
`scatter_mul` updates of one row multiply it by both).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor, name_scope
from flowgraph.ops.array import as_int_tensor, stack
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.fill import range as _range
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_ops import broadcast_to, reshape, shape
from flowgraph.ops.slicing import StridedSlice
from flowgraph.ops.state import _scatter, _ScatterOp, _variable_tensor, scatter_update

__all__ = ["scatter_mul", "scatter_div", "scatter_max", "scatter_min", "scatter_nd_update",
           "scatter_nd_add", "scatter_nd_sub", "batch_scatter_update", "strided_slice_assign"]


@register
class ScatterMul(_ScatterOp):
    """Multiplies rows `indices` of a Variable by `updates` (duplicates multiply in turn)."""

    def update(self, target, indices, updates):
        np.multiply.at(target, indices, updates)


@register
class ScatterDiv(_ScatterOp):
    """Divides rows `indices` of a Variable by `updates`; integers divide as C does
    (truncating toward zero), as TF1's kernel."""

    def update(self, target, indices, updates):
        if target.dtype.kind in "iu":
            rows = np.broadcast_to(updates, indices.shape + target.shape[1:])
            for index, row in zip(indices.reshape(-1), rows.reshape((-1,) + target.shape[1:])):
                if np.any(row == 0):
                    raise ZeroDivisionError("ScatterDiv: integer division by zero")
                quotient = np.abs(target[index]) // np.abs(row)
                target[index] = np.sign(target[index]) * np.sign(row) * quotient
        else:
            np.divide.at(target, indices, updates)

    def kernel(self, ctx, ref, indices, updates):
        try:
            return super().kernel(ctx, ref, indices, updates)
        except ZeroDivisionError as exc:
            raise errors.InvalidArgumentError(None, ctx.op, str(exc)) from None


@register
class ScatterMax(_ScatterOp):
    """Rows `indices` of a Variable become the maximum of themselves and `updates`."""

    def update(self, target, indices, updates):
        np.maximum.at(target, indices, updates)


@register
class ScatterMin(_ScatterOp):
    """Rows `indices` of a Variable become the minimum of themselves and `updates`."""

    def update(self, target, indices, updates):
        np.minimum.at(target, indices, updates)


def scatter_mul(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: Optional[str] = None) -> Tensor:
    """Multiplies rows `indices` of Variable `ref` by `updates`; returns the new value."""
    return _scatter(ScatterMul, ref, indices, updates, use_locking, name)


def scatter_div(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: Optional[str] = None) -> Tensor:
    """Divides rows `indices` of Variable `ref` by `updates`; returns the new value."""
    return _scatter(ScatterDiv, ref, indices, updates, use_locking, name)


def scatter_max(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: Optional[str] = None) -> Tensor:
    """Rows `indices` of Variable `ref` become max(row, update); returns the new value."""
    return _scatter(ScatterMax, ref, indices, updates, use_locking, name)


def scatter_min(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: Optional[str] = None) -> Tensor:
    """Rows `indices` of Variable `ref` become min(row, update); returns the new value."""
    return _scatter(ScatterMin, ref, indices, updates, use_locking, name)


# --------------------------------------------------------------------------- scatter_nd
@dataclasses.dataclass(frozen=True, kw_only=True)
class _ScatterNdOp(Op):
    """Base of updates addressed by index tuples: `indices` [..., K] picks elements (K =
    rank) or slices (K < rank) of the Variable; `updates` has shape
    indices.shape[:-1] + ref.shape[K:]."""

    use_locking: bool = False
    stateful = True
    needs_state = True
    differentiable = False
    stops_gradient = True  # as TF1's NotDifferentiable("Assign"...): gradients are None
    ref_inputs = (0,)

    def infer(self, op):
        ref, indices, updates = op.inputs
        if not indices.dtype.is_integer:
            raise TypeError(f"{op.type} indices must be int32 or int64, got "
                            f"{indices.dtype.name}")
        if ref.dtype != updates.dtype:
            raise TypeError(f"{op.type} updates have dtype {updates.dtype.name} but variable "
                            f"{ref.op.name} has dtype {ref.dtype.name}")
        depth = indices.shape[-1].value if indices.shape.ndims else None
        if depth is not None and ref.shape.ndims is not None:
            if depth > ref.shape.ndims:
                raise ValueError(f"{op.type}: the last dimension of indices ({depth}) must "
                                 f"be at most the rank of variable {ref.op.name} "
                                 f"({ref.shape.ndims})")
            expected = indices.shape[:-1].concatenate(ref.shape[depth:])
            if not updates.shape.is_compatible_with(expected):
                raise ValueError(f"{op.type} updates must have shape indices.shape[:-1] + "
                                 f"ref.shape[{depth}:] = {expected}, got {updates.shape}")
        return [(ref.dtype, ref.shape)]

    def kernel(self, ctx, ref, indices, updates):
        old = ctx.read_variable(ref.key)
        indices = np.asarray(indices)
        depth = indices.shape[-1]
        flat = indices.reshape(-1, depth)
        limits = np.asarray(old.shape[:depth])
        bad = (flat < 0) | (flat >= limits)
        if bad.any():
            row = flat[np.nonzero(bad.any(axis=1))[0][0]]
            raise errors.InvalidArgumentError(
                None, ctx.op, f"{ctx.op.type}: indices {row.tolist()} do not index variable "
                f"{ref.key} of shape {list(old.shape)}")
        rows = np.asarray(updates, dtype=old.dtype)
        rows_shape = (flat.shape[0],) + old.shape[depth:]
        if rows.size != int(np.prod(rows_shape)):
            raise errors.InvalidArgumentError(
                None, ctx.op, f"{ctx.op.type}: updates of shape {list(rows.shape)} do not fit "
                f"indices of shape {list(indices.shape)} into variable {ref.key} of shape "
                f"{list(old.shape)}")
        rows = rows.reshape(rows_shape)
        new = old.copy()
        self.update(new, tuple(flat.T), rows)
        return ctx.write_variable(ref.key, new, owned=True)


@register
class ScatterNdUpdate(_ScatterNdOp):
    """Sets the elements or slices at `indices` of a Variable to `updates`."""

    def update(self, target, index, rows):
        target[index] = rows


@register
class ScatterNdAdd(_ScatterNdOp):
    """Adds `updates` to the elements or slices at `indices` (duplicates add up)."""

    def update(self, target, index, rows):
        np.add.at(target, index, rows)


@register
class ScatterNdSub(_ScatterNdOp):
    """Subtracts `updates` from the elements or slices at `indices`."""

    def update(self, target, index, rows):
        np.subtract.at(target, index, rows)


def scatter_nd_update(ref: Any, indices: Any, updates: Any, use_locking: bool = True,
                      name: Optional[str] = None) -> Tensor:
    """Sets `ref[indices[i]] = updates[i]` for index tuples `indices` [..., K]; returns the
    Variable's new value.

    >>> v = fg.Variable([1, 2, 3, 4])
    >>> fg.scatter_nd_update(v, [[1], [3]], [9, 10])  # -> [1, 9, 3, 10]
    """
    return _scatter(ScatterNdUpdate, ref, indices, updates, use_locking, name)


def scatter_nd_add(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                   name: Optional[str] = None) -> Tensor:
    """Adds `updates[i]` to `ref[indices[i]]`; returns the Variable's new value."""
    return _scatter(ScatterNdAdd, ref, indices, updates, use_locking, name)


def scatter_nd_sub(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                   name: Optional[str] = None) -> Tensor:
    """Subtracts `updates[i]` from `ref[indices[i]]`; returns the Variable's new value."""
    return _scatter(ScatterNdSub, ref, indices, updates, use_locking, name)


def batch_scatter_update(ref: Any, indices: Any, updates: Any, use_locking: bool = True,
                         name: Optional[str] = None) -> Tensor:
    """Per batch row: `ref[b..., indices[b..., i]] = updates[b..., i]`, as TF1's
    `batch_scatter_update` (indices [B..., N] index the axis after the batch axes).

    Needs the rank of `indices` at graph-building time."""
    with name_scope(name, "BatchScatterUpdate"):
        indices = convert_to_tensor(indices, name="indices")
        rank = indices.shape.ndims
        if rank is None:
            raise ValueError("batch_scatter_update needs indices of known rank")
        if rank == 1:
            return scatter_update(ref, indices, updates, use_locking=use_locking)
        dims = shape(indices, out_type=indices.dtype)
        columns = []
        for axis in range(rank - 1):
            # The batch coordinate of every index along `axis`, broadcast to indices' shape.
            view = [1] * rank
            view[axis] = -1
            grid = reshape(_range(dims[axis], dtype=indices.dtype), view)
            columns.append(broadcast_to(grid, dims))
        columns.append(indices)
        return scatter_nd_update(ref, stack(columns, axis=-1), updates, use_locking=use_locking)


# --------------------------------------------------------------------------- slices
@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class StridedSliceAssign(Op):
    """Writes `value` into the slice ``ref[begin:end:strides]`` (StridedSlice's masks) of a
    Variable; returns the Variable's new value."""

    begin_mask: int = 0
    end_mask: int = 0
    ellipsis_mask: int = 0
    new_axis_mask: int = 0
    shrink_axis_mask: int = 0
    use_locking: bool = False
    stateful = True
    needs_state = True
    differentiable = False
    stops_gradient = True  # as TF1's NotDifferentiable("Assign"...): gradients are None
    ref_inputs = (0,)

    def _slice(self) -> StridedSlice:
        return StridedSlice(begin_mask=self.begin_mask, end_mask=self.end_mask,
                            ellipsis_mask=self.ellipsis_mask, new_axis_mask=self.new_axis_mask,
                            shrink_axis_mask=self.shrink_axis_mask)

    def infer(self, op):
        ref, value = op.inputs[0], op.inputs[4]
        if ref.dtype != value.dtype:
            raise TypeError(f"StridedSliceAssign value has dtype {value.dtype.name} but "
                            f"variable {ref.op.name} has dtype {ref.dtype.name}")
        return [(ref.dtype, ref.shape)]

    def kernel(self, ctx, ref, begin, end, strides, value):
        old = ctx.read_variable(ref.key)
        index = self._slice().numpy_index(old, np.asarray(begin), np.asarray(end),
                                          np.asarray(strides))
        target_shape = old[index].shape
        value = np.asarray(value, dtype=old.dtype)
        if value.shape != target_shape:
            raise errors.InvalidArgumentError(
                None, ctx.op, f"sliced l-value shape {list(target_shape)} does not match "
                f"r-value shape {list(value.shape)} (variable {ref.key})")
        new = old.copy()
        new[index] = value
        return ctx.write_variable(ref.key, new, owned=True)


def strided_slice_assign(ref: Any, begin: Any, end: Any, strides: Any, value: Any,
                         name: Optional[str] = None, begin_mask: int = 0, end_mask: int = 0,
                         ellipsis_mask: int = 0, new_axis_mask: int = 0,
                         shrink_axis_mask: int = 0) -> Tensor:
    """Assigns `value` to ``ref[begin:end:strides]`` (masks as `strided_slice`); returns the
    Variable's new value. TF1 code usually writes ``v[1:, 0].assign(value)``."""
    target = _variable_tensor(ref)
    inputs = [target, as_int_tensor(begin, "begin"), as_int_tensor(end, "end"),
              as_int_tensor(strides, "strides"), convert_to_tensor(value, dtype=target.dtype)]
    op_def = StridedSliceAssign(begin_mask=begin_mask, end_mask=end_mask,
                                ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
                                shrink_axis_mask=shrink_axis_mask)
    return apply_op(op_def, inputs, name=name)
