"""Scattering slices to index tuples: scatter_nd and tensor_scatter_nd_update / add / sub."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.array import as_int_tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.gather import check_index_tuples
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_util import check_index_dtype, check_vector, known_vector
from flowgraph.shapes import TensorShape

__all__ = ["scatter_nd", "tensor_scatter_nd_update", "tensor_scatter_nd_add",
           "tensor_scatter_nd_sub", "tensor_scatter_update", "tensor_scatter_add",
           "tensor_scatter_sub"]


def _check_updates(indices: Tensor, updates: Tensor, out: list, wanted: Any) -> None:
    """ValueError unless updates.shape == indices.shape[:-1] + out[indices.shape[-1]:]."""
    i_shape, u_shape = indices.shape, updates.shape
    if i_shape.ndims is None or i_shape[-1].value is None or u_shape.ndims is None:
        return
    depth = i_shape[-1].value
    if depth > len(out):
        raise ValueError(f"indices.shape[-1] = {depth} must be <= the rank of shape {wanted}")
    expected = TensorShape(i_shape.as_list()[:-1] + out[depth:])
    if not expected.is_compatible_with(u_shape):
        raise ValueError(f"updates.shape {u_shape} must be indices.shape[:-1] + "
                         f"shape[indices.shape[-1]:] = {expected} (indices shape {i_shape}, "
                         f"shape {wanted})")


def _targets(indices: np.ndarray, updates: np.ndarray, shape: tuple) -> tuple:
    """(numpy index of the target slices, updates as one slice per index tuple), after
    checking shapes and bounds (InvalidArgumentError)."""
    depth = indices.shape[-1]
    lead = indices.shape[:-1]
    expected = lead + shape[depth:]
    if depth > len(shape) or updates.shape != expected:
        raise errors.InvalidArgumentError(
            None, None, f"updates.shape {list(updates.shape)} must be indices.shape[:-1] + "
            f"shape[indices.shape[-1]:] = {list(expected)}")
    flat = indices.reshape(-1, depth)
    check_index_tuples(flat, shape[:depth], lead, "shape", shape)
    return tuple(flat.T), updates.reshape((flat.shape[0],) + shape[depth:])


# --------------------------------------------------------------------------- scatter_nd
@register
class ScatterNd(Op):
    """Zeros of `shape` with `updates` added at the index tuples of `indices` (duplicate
    indices sum)."""

    def infer(self, op):
        indices, updates, shape_t = op.inputs
        check_index_dtype(op, indices, "indices")
        check_index_dtype(op, shape_t, "shape")
        check_vector(op, shape_t, "shape")
        check_dtype(op, updates, "fiu", "updates")
        wanted = known_vector(shape_t)
        if wanted is None:
            return [(updates.dtype, TensorShape(None))]
        out = [None if v is None or v < 0 else v for v in wanted]
        _check_updates(indices, updates, out, wanted)
        return [(updates.dtype, out)]

    def kernel(self, indices, updates, shape_):
        shape_ = tuple(int(v) for v in shape_)
        where, values = _targets(indices, updates, shape_)
        out = np.zeros(shape_, dtype=updates.dtype)
        np.add.at(out, where, values)
        return out

    def grad(self, op, dy):
        return [None, _gathered(op, dy), None]


def _gathered(op: Any, dy: Any) -> Tensor:
    """The slices of the gradient `dy` at op's index tuples (the gradient of the updates)."""
    from flowgraph.ops.array_grad import dense
    from flowgraph.ops.gather import gather_nd
    indices = op.inputs[0] if op.type == "ScatterNd" else op.inputs[1]
    return gather_nd(dense(dy), indices)


def scatter_nd(indices: Any, updates: Any, shape: Any, name: Optional[str] = None) -> Tensor:
    """A tensor of `shape`: zeros, plus each slice of `updates` added at its index tuple
    (repeated indices are summed).

    >>> fg.scatter_nd([[1], [3], [1]], [9, 10, 11], [4])     # [0, 20, 0, 10]
    """
    return apply_op(ScatterNd(), [convert_to_tensor(indices), convert_to_tensor(updates),
                                  as_int_tensor(shape, "shape")], name=name)


# --------------------------------------------------------------------------- tensor_scatter
class _TensorScatter(Op):
    """A copy of `tensor` with the slices at `indices` combined with `updates`."""

    allowed = "fiu"

    def infer(self, op):
        tensor, indices, updates = op.inputs
        check_index_dtype(op, indices, "indices")
        check_dtype(op, tensor, self.allowed, "tensor")
        if updates.dtype != tensor.dtype:
            raise TypeError(f"{op.type} needs updates of the tensor's dtype "
                            f"{tensor.dtype.name}, got {updates.dtype.name}")
        if tensor.shape.ndims is not None:
            _check_updates(indices, updates, tensor.shape.as_list(), tensor.shape)
        return [(tensor.dtype, tensor.shape)]

    def kernel(self, tensor, indices, updates):
        where, values = _targets(indices, updates, tensor.shape)
        out = tensor.copy()
        self.combine(out, where, values)
        return out

    def combine(self, out: np.ndarray, where: tuple, values: np.ndarray) -> None:
        raise NotImplementedError


@register
class TensorScatterUpdate(_TensorScatter):
    """A copy of `tensor` with the slices at `indices` replaced by `updates`."""

    allowed = "fiubS"

    def combine(self, out, where, values):
        out[where] = values

    def grad(self, op, dy):
        """The replaced slices get no gradient; the updates get theirs."""
        from flowgraph.ops.array_grad import dense
        from flowgraph.ops.fill import zeros_like
        _, indices, updates = op.inputs
        dy = dense(dy)
        kept = apply_op(TensorScatterUpdate(), [dy, indices, zeros_like(updates)],
                        name="TensorScatterUpdate")
        return [kept, None, _gathered(op, dy)]


@register
class TensorScatterAdd(_TensorScatter):
    """A copy of `tensor` with `updates` added at `indices` (duplicates add up)."""

    def combine(self, out, where, values):
        np.add.at(out, where, values)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        dy = dense(dy)
        return [dy, None, _gathered(op, dy)]


@register
class TensorScatterSub(_TensorScatter):
    """A copy of `tensor` with `updates` subtracted at `indices` (duplicates add up)."""

    def combine(self, out, where, values):
        np.subtract.at(out, where, values)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        from flowgraph.ops.unary import negative
        dy = dense(dy)
        return [dy, None, negative(_gathered(op, dy))]


def _tensor_scatter(op_def: Op, tensor: Any, indices: Any, updates: Any,
                    name: Optional[str]) -> Tensor:
    tensor = convert_to_tensor(tensor)
    updates = convert_to_tensor(updates, dtype=None if isinstance(updates, Tensor)
                                else tensor.dtype)
    return apply_op(op_def, [tensor, convert_to_tensor(indices), updates], name=name)


def tensor_scatter_nd_update(tensor: Any, indices: Any, updates: Any,
                             name: Optional[str] = None) -> Tensor:
    """A copy of `tensor` with the slices at the index tuples `indices` set to `updates`."""
    return _tensor_scatter(TensorScatterUpdate(), tensor, indices, updates, name)


def tensor_scatter_nd_add(tensor: Any, indices: Any, updates: Any,
                          name: Optional[str] = None) -> Tensor:
    """A copy of `tensor` with `updates` added at the index tuples `indices`."""
    return _tensor_scatter(TensorScatterAdd(), tensor, indices, updates, name)


def tensor_scatter_nd_sub(tensor: Any, indices: Any, updates: Any,
                          name: Optional[str] = None) -> Tensor:
    """A copy of `tensor` with `updates` subtracted at the index tuples `indices`."""
    return _tensor_scatter(TensorScatterSub(), tensor, indices, updates, name)


tensor_scatter_update = tensor_scatter_nd_update
tensor_scatter_add = tensor_scatter_nd_add
tensor_scatter_sub = tensor_scatter_nd_sub
