"""Indexing with tensors of indices: gather, gather_nd."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_util import check_index_dtype, static_int
from flowgraph.shapes import TensorShape

__all__ = ["gather", "gather_nd"]


def _invalid_argument(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _position(flat: int, shape: tuple) -> str:
    """'[i,j]' for the flat position `flat` in an array of `shape` ('' for a scalar)."""
    if not shape:
        return ""
    return "[" + ",".join(str(int(i)) for i in np.unravel_index(flat, shape)) + "]"


def _merge_dims(a: list, b: list, what: str) -> list:
    out = []
    for x, y in zip(a, b):
        if x is not None and y is not None and x != y:
            raise ValueError(f"{what}: dimensions {a} and {b} must be equal")
        out.append(x if x is not None else y)
    return out


# --------------------------------------------------------------------------- gather
@register
class GatherV2(Op):
    """Slices of `params` along `axis` at `indices`: the output's shape is
    ``params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:]``."""

    axis: int = 0
    batch_dims: int = 0

    def infer(self, op):
        params, indices = op.inputs
        check_index_dtype(op, indices, "indices")
        p_shape, i_shape = params.shape, indices.shape
        if p_shape.ndims is None or i_shape.ndims is None:
            return [(params.dtype, TensorShape(None))]
        p_dims, i_dims = p_shape.as_list(), i_shape.as_list()
        axis, batch = _gather_axes(self.axis, self.batch_dims, len(p_dims), len(i_dims),
                                   ValueError)
        batch_part = _merge_dims(p_dims[:batch], i_dims[:batch],
                                 "gather batch dimensions of params and indices")
        out = batch_part + p_dims[batch:axis] + i_dims[batch:] + p_dims[axis + 1:]
        return [(params.dtype, out)]

    def kernel(self, params, indices):
        axis, batch = _gather_axes(self.axis, self.batch_dims, params.ndim, indices.ndim,
                                   _invalid_argument)
        limit = params.shape[axis]
        if indices.size and (indices.min() < 0 or indices.max() >= limit):
            bad = np.flatnonzero((indices < 0) | (indices >= limit))[0]
            raise _invalid_argument(f"indices{_position(bad, indices.shape)} = "
                                    f"{indices.reshape(-1)[bad]} is not in [0, {limit})")
        if batch == 0:
            return np.take(params, indices, axis=axis)
        if params.shape[:batch] != indices.shape[:batch]:
            raise _invalid_argument(f"params.shape[:{batch}] = {list(params.shape[:batch])} "
                                    f"must equal indices.shape[:{batch}] = "
                                    f"{list(indices.shape[:batch])}")
        count = int(np.prod(params.shape[:batch]))
        flat_params = params.reshape((count,) + params.shape[batch:])
        flat_indices = indices.reshape(count, -1)
        rows = np.arange(count).reshape(count, 1)
        local = axis - batch  # the gathered dimension of one batch element
        picked = flat_params[(rows,) + (slice(None),) * local + (flat_indices,)]
        if local:  # numpy put the indexed dimensions first: move them back after `mid`
            picked = np.moveaxis(picked, 1, local + 1)
        out_shape = (params.shape[:axis] + indices.shape[batch:] + params.shape[axis + 1:])
        return picked.reshape(out_shape)

    def grad(self, op, dy):
        """Along axis 0 (no batch dimensions): an IndexedSlices of params' shape whose rows
        `indices` hold dy, as TF1. Otherwise a dense GatherV2Grad."""
        from flowgraph.ops.array_grad import GatherV2Grad, dense, shape_tensor
        params, indices = op.inputs
        dy = dense(dy)
        p_rank, i_rank = params.shape.ndims, indices.shape.ndims
        axis = self.axis if self.axis >= 0 or p_rank is None else self.axis + p_rank
        batch = self.batch_dims if self.batch_dims >= 0 or i_rank is None else \
            self.batch_dims + i_rank
        params_shape = shape_tensor(params)
        if axis != 0 or batch != 0:
            dense_grad = apply_op(GatherV2Grad(axis=self.axis, batch_dims=self.batch_dims),
                                  [dy, indices, params_shape], name="GatherV2Grad")
            return [dense_grad, None]
        return [_sparse_rows_grad(params, indices, dy, params_shape), None]


def _sparse_rows_grad(params: Tensor, indices: Tensor, dy: Tensor,
                      params_shape: Tensor) -> Any:
    """IndexedSlices(values=dy as [n_indices, params.shape[1:]...], indices flattened)."""
    from flowgraph.indexed_slices import IndexedSlices
    from flowgraph.ops.array import concat
    from flowgraph.ops.shape_ops import reshape, size
    tail = params.shape[1:] if params.shape.ndims is not None else None
    count = indices.shape.num_elements()
    values_shape: Any
    if tail is not None and tail.is_fully_defined() and count is not None:
        values_shape = [count] + tail.as_list()
    elif tail is not None and tail.is_fully_defined() and tail.num_elements():
        values_shape = [-1] + tail.as_list()  # one Reshape, no Size node
    else:
        values_shape = concat([reshape(size(indices), [1]), params_shape[1:]], 0)
    values = reshape(dy, values_shape)
    flat_indices = indices if indices.shape.ndims == 1 else reshape(indices, [-1])
    return IndexedSlices(values, flat_indices, params_shape)


def _gather_axes(axis: int, batch: int, p_rank: int, i_rank: int, error: Any) -> tuple:
    if batch < 0:
        batch += i_rank
    if axis < 0:
        axis += p_rank
    if not 0 <= batch <= i_rank:
        raise error(f"batch_dims ({batch}) must be in [0, rank(indices) = {i_rank}]")
    if not 0 <= axis < p_rank:
        raise error(f"axis {axis} is out of range for params of rank {p_rank}")
    if batch > axis:
        raise error(f"batch_dims ({batch}) must be less than or equal to axis ({axis})")
    return axis, batch


def gather(params: Any, indices: Any, validate_indices: Any = None, name: Optional[str] = None,
           axis: Any = None, batch_dims: int = 0) -> Tensor:
    """Gathers slices of `params` along `axis` (default: `batch_dims`, i.e. 0) at `indices`.

    Out-of-range indices raise InvalidArgumentError when run (as TF1 on CPU).

    >>> fg.gather([[1, 2], [3, 4], [5, 6]], [2, 0])        # [[5, 6], [1, 2]]
    """
    del validate_indices  # deprecated in TF1; indices are always validated
    batch = static_int(batch_dims, "gather batch_dims")
    axis = batch if axis is None else static_int(axis, "gather axis")
    params_t = convert_to_tensor(params)
    indices_t = convert_to_tensor(indices)
    return apply_op(GatherV2(axis=axis, batch_dims=batch), [params_t, indices_t], name=name)


# --------------------------------------------------------------------------- gather_nd
@register
class GatherNd(Op):
    """Gathers slices of `params` at index tuples: ``indices[..., :]`` of length K indexes
    the first K dimensions (after `batch_dims` batch dimensions) of `params`."""

    batch_dims: int = 0

    def infer(self, op):
        params, indices = op.inputs
        check_index_dtype(op, indices, "indices")
        p_shape, i_shape = params.shape, indices.shape
        if i_shape.ndims == 0:
            raise ValueError("GatherNd indices must have rank at least 1")
        if p_shape.ndims is None or i_shape.ndims is None or i_shape[-1].value is None:
            return [(params.dtype, TensorShape(None))]
        p_dims, i_dims = p_shape.as_list(), i_shape.as_list()
        depth, batch = i_dims[-1], self.batch_dims
        if batch >= len(i_dims) or batch > len(p_dims):
            raise ValueError(f"batch_dims ({batch}) must be less than rank(indices) "
                             f"({len(i_dims)}) and at most rank(params) ({len(p_dims)})")
        if depth > len(p_dims) - batch:
            raise ValueError(f"indices.shape[-1] must be <= params.rank, but saw indices "
                             f"shape: {i_shape} and params shape: {p_shape}")
        batch_part = _merge_dims(p_dims[:batch], i_dims[:batch],
                                 "gather_nd batch dimensions of params and indices")
        return [(params.dtype, batch_part + i_dims[batch:-1] + p_dims[batch + depth:])]

    def kernel(self, params, indices):
        batch = self.batch_dims
        depth = indices.shape[-1]
        if params.shape[:batch] != indices.shape[:batch]:
            raise _invalid_argument(f"params.shape[:{batch}] = {list(params.shape[:batch])} "
                                    f"must equal indices.shape[:{batch}] = "
                                    f"{list(indices.shape[:batch])}")
        if depth > params.ndim - batch:
            raise _invalid_argument(f"indices.shape[-1] must be <= params.rank, but saw "
                                    f"indices shape: {list(indices.shape)} and params shape: "
                                    f"{list(params.shape)}")
        count = int(np.prod(params.shape[:batch]))
        inner = params.shape[batch:]
        flat_params = params.reshape((count,) + inner)
        flat = indices.reshape(count, -1, depth)
        check_index_tuples(flat.reshape(-1, depth), inner[:depth], indices.shape[:-1],
                            "param shape", params.shape[batch:])
        rows = np.broadcast_to(np.arange(count).reshape(count, 1), flat.shape[:2])
        picked = flat_params[(rows,) + tuple(flat[..., j] for j in range(depth))]
        return picked.reshape(indices.shape[:-1] + inner[depth:])

    def grad(self, op, dy):
        """dy scattered (added) into zeros of params' shape at the index tuples."""
        from flowgraph.ops.array_grad import dense, shape_tensor
        from flowgraph.ops.scatter import scatter_nd
        params, indices = op.inputs
        if self.batch_dims:
            indices = _with_batch_coordinates(op, indices, self.batch_dims)
        return [scatter_nd(indices, dense(dy), shape_tensor(params, indices.dtype)), None]


def _with_batch_coordinates(op: Any, indices: Tensor, batch: int) -> Tensor:
    """Index tuples of a gather_nd with `batch` batch dimensions, with the batch coordinates
    prepended, so that they index params directly (shape [..., batch + depth])."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.array_grad import shape_tensor
    from flowgraph.ops.fill import range as range_
    from flowgraph.ops.shape_ops import broadcast_to, expand_dims, reshape
    rank = indices.shape.ndims
    if rank is None:
        raise ValueError(f"The gradient of GatherNd {op.name} with batch_dims needs the rank "
                         "of its indices known when the graph is built")
    i_shape = shape_tensor(indices, indices.dtype)
    lead = i_shape[:-1]
    parts = []
    for j in range(batch):
        steps = range_(0, i_shape[j], 1, dtype=indices.dtype)
        grid = broadcast_to(reshape(steps, [1] * j + [-1] + [1] * (rank - 2 - j)), lead)
        parts.append(expand_dims(grid, -1))
    return concat(parts + [indices], -1)


def check_index_tuples(flat: np.ndarray, limits: tuple, lead: tuple, what: str,
                        shown: tuple) -> None:
    """InvalidArgumentError naming the first row of `flat` outside `limits`."""
    if not flat.size:
        return
    bad = np.flatnonzero(((flat < 0) | (flat >= np.array(limits, dtype=np.int64))).any(axis=1))
    if bad.size:
        row = bad[0]
        where = _position(row, lead)
        raise _invalid_argument(f"indices{where} = {flat[row].tolist()} does not index into "
                                f"{what} {list(shown)}")


def gather_nd(params: Any, indices: Any, name: Optional[str] = None,
              batch_dims: int = 0) -> Tensor:
    """Gathers slices of `params` at the index tuples in the last dimension of `indices`.

    >>> fg.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]])      # [3, 2]
    """
    batch = static_int(batch_dims, "gather_nd batch_dims")
    if batch < 0:
        raise ValueError(f"gather_nd batch_dims must be non-negative, got {batch}")
    return apply_op(GatherNd(batch_dims=batch), [convert_to_tensor(params),
                                                 convert_to_tensor(indices)], name=name)
