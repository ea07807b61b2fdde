"""Ops and helpers for the gradients of the array ops (the rules live in each op's class).

The ops here are the adjoints of StridedSlice, MirrorPad and GatherV2 (along an axis other than
0, or with batch dimensions). Each is itself differentiable: its gradient is the forward op
again, so second derivatives and `fg.hessians` work through them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.gather import _gather_axes
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.shape_util import check_index_dtype, known_vector
from flowgraph.ops.slicing import StridedSlice
from flowgraph.shapes import TensorShape

__all__: list = []


def _invalid_argument(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def dense(grad: Any) -> Tensor:
    """A gradient as a dense Tensor (an IndexedSlices is densified)."""
    return grad if isinstance(grad, Tensor) else convert_to_tensor(grad)


def shape_tensor(x: Tensor, dtype: dtypes.DType = dtypes.int32) -> Tensor:
    """x's shape as a 1-D tensor: a constant when it is fully known at build time (no node
    that waits for x), else a Shape node."""
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.as_list(), dtype=dtype.np))
    from flowgraph.ops.shape_ops import shape
    return shape(x, out_type=dtype)


def reshape_to_input(op: Any, dy: Any) -> Tensor:
    """The gradient `dy` reshaped to the shape of op's first input: one Reshape node (with a
    constant shape when the input's shape is fully known)."""
    from flowgraph.ops.shape_ops import Reshape
    return apply_op(Reshape(), [dense(dy), shape_tensor(op.inputs[0])], name="Reshape")


def _shape_from(op: Any, shape_t: Tensor, dtype: dtypes.DType) -> list:
    check_index_dtype(op, shape_t, "shape")
    known = known_vector(shape_t)
    return [(dtype, TensorShape(None) if known is None else known)]


# --------------------------------------------------------------------------- StridedSliceGrad
@register
class StridedSliceGrad(Op):
    """The gradient of StridedSlice: zeros of `shape` with `dy` written at the positions the
    slice (same begin / end / strides inputs and masks) reads."""

    begin_mask: int = 0
    end_mask: int = 0
    ellipsis_mask: int = 0
    new_axis_mask: int = 0
    shrink_axis_mask: int = 0

    def infer(self, op):
        return _shape_from(op, op.inputs[0], op.inputs[4].dtype)

    def forward(self) -> StridedSlice:
        return StridedSlice(**self.attributes())

    def kernel(self, shape_, begin, end, strides, dy):
        out = np.zeros(tuple(int(d) for d in shape_), dtype=dy.dtype)
        index = self.forward().numpy_index(out, begin, end, strides)
        if out[index].shape != np.shape(dy):
            raise _invalid_argument(f"StridedSliceGrad: dy of shape {list(np.shape(dy))} does "
                                    f"not match the slice shape {list(out[index].shape)}")
        out[index] = dy
        return out

    def grad(self, op, ddx):
        _, begin, end, strides, _ = op.inputs
        sliced = apply_op(self.forward(), [dense(ddx), begin, end, strides],
                          name="StridedSlice")
        return [None, None, None, None, sliced]


def strided_slice_grad(op: Any, dy: Any) -> Tensor:
    """The gradient of the StridedSlice node `op` for the output gradient `dy`."""
    x, begin, end, strides = op.inputs
    grad_def = StridedSliceGrad(**op.op_def.attributes())
    return apply_op(grad_def, [shape_tensor(x, begin.dtype), begin, end, strides, dense(dy)],
                    name="StridedSliceGrad")


# --------------------------------------------------------------------------- MirrorPadGrad
@register
class MirrorPadGrad(Op):
    """The gradient of MirrorPad: the padded margins of `dy` folded back (mirrored) onto the
    elements they copy, leaving a tensor of the unpadded shape."""

    mode: str = "REFLECT"

    def check(self):
        if self.mode not in ("REFLECT", "SYMMETRIC"):
            raise ValueError(f"MirrorPadGrad mode must be REFLECT or SYMMETRIC, got "
                             f"{self.mode!r}")

    def infer(self, op):
        dy, paddings = op.inputs
        check_index_dtype(op, paddings, "paddings")
        rank = dy.shape.ndims
        if rank is None and paddings.shape.ndims == 2:
            rank = paddings.shape[0].value
        if rank is None:
            return [(dy.dtype, TensorShape(None))]
        amounts = constant_value(paddings)
        dims = dy.shape.as_list() if dy.shape.ndims is not None else [None] * rank
        if amounts is None or amounts.shape != (rank, 2):
            return [(dy.dtype, [None] * rank)]
        return [(dy.dtype, [None if d is None else d - int(a) - int(b)
                            for d, (a, b) in zip(dims, amounts.tolist())])]

    def kernel(self, dy, paddings):
        if paddings.shape != (dy.ndim, 2):
            raise _invalid_argument(f"MirrorPadGrad paddings must have shape [{dy.ndim}, 2], "
                                    f"got {list(paddings.shape)}")
        edge = 0 if self.mode == "SYMMETRIC" else 1
        out = np.asarray(dy)
        for axis, (before, after) in enumerate(paddings.tolist()):
            if not before and not after:
                continue
            moved = np.moveaxis(out, axis, 0)
            size = moved.shape[0] - before - after
            if before < 0 or after < 0 or max(before, after) > size - edge:
                raise _invalid_argument(f"MirrorPadGrad paddings {before}, {after} do not fit "
                                        f"dimension {axis} of size {moved.shape[0]} "
                                        f"(mode {self.mode})")
            core = moved[before:before + size].copy()
            core[edge:edge + before] += moved[:before][::-1]
            core[size - edge - after:size - edge] += moved[before + size:][::-1]
            out = np.moveaxis(core, 0, axis)
        return np.ascontiguousarray(out)

    def grad(self, op, ddx):
        from flowgraph.ops.pad import MirrorPad
        padded = apply_op(MirrorPad(mode=self.mode), [dense(ddx), op.inputs[1]],
                          name="MirrorPad")
        return [padded, None]


# --------------------------------------------------------------------------- GatherV2Grad
@register
class GatherV2Grad(Op):
    """The dense gradient of GatherV2 with respect to params: zeros of params' `shape` with
    the slices of `dy` added at the gathered positions (repeated indices add up)."""

    axis: int = 0
    batch_dims: int = 0

    def infer(self, op):
        dy, indices, shape_t = op.inputs
        check_index_dtype(op, indices, "indices")
        return _shape_from(op, shape_t, dy.dtype)

    def kernel(self, dy, indices, shape_):
        shape_ = tuple(int(d) for d in shape_)
        out = np.zeros(shape_, dtype=dy.dtype)
        axis, batch = _gather_axes(self.axis, self.batch_dims, len(shape_), indices.ndim,
                                   _invalid_argument)
        limit = shape_[axis]
        if indices.size and (indices.min() < 0 or indices.max() >= limit):
            raise _invalid_argument(f"GatherV2Grad indices must be in [0, {limit})")
        expected = shape_[:axis] + indices.shape[batch:] + shape_[axis + 1:]
        if np.shape(dy) != expected:
            raise _invalid_argument(f"GatherV2Grad: dy of shape {list(np.shape(dy))} does not "
                                    f"match the gather output shape {list(expected)}")
        if batch == 0:
            np.add.at(out, (slice(None),) * axis + (indices,), dy)
            return out
        count = math.prod(shape_[:batch])
        flat_out = out.reshape((count,) + shape_[batch:])  # a view of out
        flat_indices = indices.reshape(count, -1)
        local = axis - batch
        # numpy's indexing below puts the (batch, index) dimensions first.
        picked = dy.reshape((count,) + shape_[batch:axis] + (flat_indices.shape[1],)
                            + shape_[axis + 1:])
        if local:
            picked = np.moveaxis(picked, local + 1, 1)
        rows = np.arange(count).reshape(count, 1)
        np.add.at(flat_out, (rows,) + (slice(None),) * local + (flat_indices,), picked)
        return out

    def grad(self, op, ddx):
        from flowgraph.ops.gather import GatherV2
        gathered = apply_op(GatherV2(axis=self.axis, batch_dims=self.batch_dims),
                            [dense(ddx), op.inputs[1]], name="GatherV2")
        return [gathered, None, None]
