"""Further TF1 SparseTensor functions: the sparse-result reductions
(sparse_reduce_sum_sparse, sparse_reduce_max_sparse, as registered ops) and the composites
sparse eye, sparse expand_dims, sparse_mask (IndexedSlices), sparse_reset_shape and
sparse_merge."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.sparse_util import (
    check_bounds,
    check_sparse_inputs,
    dense_dims,
    normalize_axes,
    sparse_module,
)
from flowgraph.shapes import TensorShape

__all__ = ["sparse_reduce_sum_sparse", "sparse_reduce_max_sparse", "sparse_mask",
           "sparse_reset_shape", "sparse_merge"]


# --------------------------------------------------------------------------- reductions
class _SparseReduceSparse(Op):
    """Shared kernel: the groups of entries that share their kept coordinates, reduced,
    as a row-major SparseTensor (groups without entries are absent)."""

    differentiable = False
    _ufunc = np.add

    def infer(self, op):
        indices, values, shape = op.inputs
        check_sparse_inputs(op, indices, values, shape)
        check_dtype(op, values, "fiu", "values")
        # As TF1: the output's static shapes are unknown.
        return [(dtypes.int64, TensorShape(None)), (values.dtype, TensorShape(None)),
                (dtypes.int64, TensorShape(None))]

    def kernel(self, indices, values, shape):
        dims = dense_dims(shape)
        axes = normalize_axes(self.axis, len(dims), errors.InvalidArgumentError)
        check_bounds(indices, dims)
        kept = [i for i in range(len(dims)) if i not in axes]
        if self.keepdims:
            out_shape = [1 if i in axes else d for i, d in enumerate(dims)]
            coords = indices * np.array([0 if i in axes else 1 for i in range(len(dims))],
                                        np.int64)
        else:
            out_shape = [dims[i] for i in kept]
            coords = indices[:, kept]
        coords = coords.reshape(len(values), len(out_shape)).astype(np.int64)
        if len(values) == 0:
            return coords, values, np.asarray(out_shape, np.int64)
        groups, inverse = np.unique(coords, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        if self._ufunc is np.add:
            out = np.zeros(len(groups), values.dtype)
        else:
            out = np.full(len(groups), _lowest(values.dtype), values.dtype)
        self._ufunc.at(out, inverse, values)
        return groups.astype(np.int64), out, np.asarray(out_shape, np.int64)


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


@register
class SparseReduceSumSparse(_SparseReduceSparse):
    """The sums of a SparseTensor's (inputs 0-2) entries over `axis`, as a SparseTensor
    (outputs: indices, values, dense_shape)."""

    axis: Optional[tuple] = None
    keepdims: bool = False
    _ufunc = np.add


@register
class SparseReduceMaxSparse(_SparseReduceSparse):
    """The maxima of a SparseTensor's (inputs 0-2) entries over `axis` (implicit zeros
    ignored), as a SparseTensor (outputs: indices, values, dense_shape)."""

    axis: Optional[tuple] = None
    keepdims: bool = False
    _ufunc = np.maximum


def _reduce_sparse(op_class: type, sp_input: Any, axis: Any, keepdims: Any,
                   reduction_axes: Any, keep_dims: Any) -> Any:
    if reduction_axes is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'reduction_axes'")
        axis = reduction_axes
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
        keepdims = keep_dims
    module = sparse_module()
    sp = module.convert_to_sparse_tensor(sp_input)
    if axis is not None:
        value = constant_value(axis) if isinstance(axis, Tensor) else np.asarray(axis)
        if value is None:
            raise ValueError(f"{op_class.__name__} needs axis values known when building the "
                             f"graph, got the tensor {axis.name}")
        axis = tuple(int(a) for a in np.asarray(value).reshape(-1))
    indices, values, shape = apply_op(op_class(axis=axis, keepdims=bool(keepdims)),
                                      [sp.indices, sp.values, sp.dense_shape])
    return module.SparseTensor(indices, values, shape)


def sparse_reduce_sum_sparse(sp_input: Any, axis: Any = None, keepdims: Any = None,
                             reduction_axes: Any = None, keep_dims: Any = None) -> Any:
    """The sum of a SparseTensor's values over `axis` (None: all), as a SparseTensor with
    an entry for each group that has one (node "SparseReduceSumSparse"). `reduction_axes`
    and `keep_dims` are TF1's deprecated names. Also `fg.sparse.reduce_sum_sparse`.

    Parameters
    ----------
    sp_input : SparseTensor
    axis : int or list of int, optional
        Known when building the graph.
    keepdims : bool, optional
        Keep reduced dimensions with size 1.

    Returns
    -------
    SparseTensor
        Of unknown static shape, entries in row-major order.
    """
    return _reduce_sparse(SparseReduceSumSparse, sp_input, axis, keepdims, reduction_axes,
                          keep_dims)


def sparse_reduce_max_sparse(sp_input: Any, axis: Any = None, keepdims: Any = None,
                             reduction_axes: Any = None, keep_dims: Any = None) -> Any:
    """The maximum of a SparseTensor's entries (implicit zeros ignored) over `axis` (None:
    all), as a SparseTensor (node "SparseReduceMaxSparse"). Also
    `fg.sparse.reduce_max_sparse`; arguments as `sparse_reduce_sum_sparse`."""
    return _reduce_sparse(SparseReduceMaxSparse, sp_input, axis, keepdims, reduction_axes,
                          keep_dims)


# --------------------------------------------------------------------------- composites
def sparse_eye(num_rows: Any, num_columns: Any = None, dtype: Any = dtypes.float32,
               name: Optional[str] = None) -> Any:
    """`fg.sparse.eye`: a [num_rows, num_columns] SparseTensor with ones on the diagonal.

    Parameters
    ----------
    num_rows, num_columns : int or scalar int Tensor
        num_columns defaults to num_rows.
    dtype : DType
        The values' dtype.

    Returns
    -------
    SparseTensor
        min(num_rows, num_columns) entries [i, i] = 1.
    """
    from flowgraph.ops.array import stack
    from flowgraph.ops.cast import cast
    from flowgraph.ops.fill import ones
    from flowgraph.ops.fill import range as range_
    from flowgraph.ops.math import minimum
    from flowgraph.ops.shape_ops import expand_dims
    with op_scope(name, "eye", [num_rows, num_columns]):
        rows = cast(convert_to_tensor(num_rows), dtypes.int64)
        cols = rows if num_columns is None else cast(convert_to_tensor(num_columns),
                                                     dtypes.int64)
        diag = range_(minimum(rows, cols), dtype=dtypes.int64)
        n = constant_value(minimum(rows, cols))
        diag_len = None if n is None else int(n)
        indices = stack([diag, diag], axis=1)
        values = ones(expand_dims(minimum(rows, cols), 0), dtype=dtypes.as_dtype(dtype))
        if diag_len is not None:
            from flowgraph.ops.shape_ops import reshape
            indices = reshape(indices, [diag_len, 2])
            values = reshape(values, [diag_len])
        return sparse_module().SparseTensor(indices, values, stack([rows, cols]))


def sparse_expand_dims(sp_input: Any, axis: Any = None, name: Optional[str] = None) -> Any:
    """`fg.sparse.expand_dims`: the SparseTensor with a size-1 dimension inserted at `axis`
    (negative counts from the end, -1 appends).

    Parameters
    ----------
    sp_input : SparseTensor
    axis : int or scalar int Tensor
        In [-(rank + 1), rank].

    Returns
    -------
    SparseTensor
        Of rank + 1, the same values.
    """
    from flowgraph.ops.array import concat
    from flowgraph.ops.fill import ones, zeros
    from flowgraph.ops.logic import where_v2
    from flowgraph.ops.math import add
    from flowgraph.ops.shape_ops import shape
    sp = sparse_module().convert_to_sparse_tensor(sp_input)
    with op_scope(name, "expand_dims", [sp.indices, sp.values, sp.dense_shape]):
        rank = sp.indices.shape[1].value
        known = constant_value(axis) if isinstance(axis, Tensor) else axis
        if known is not None and rank is not None:
            if not -(rank + 1) <= int(known) <= rank:
                raise ValueError(f"sparse expand_dims: axis {int(known)} is outside "
                                 f"[{-(rank + 1)}, {rank}] for a SparseTensor of rank {rank}")
        axis = convert_to_tensor(axis, dtype=dtypes.int64)
        rank_t = shape(sp.dense_shape, out_type=dtypes.int64)[0]
        axis = where_v2(axis < 0, add(axis, add(rank_t, 1)), axis)
        column = zeros([shape(sp.indices, out_type=dtypes.int64)[0], 1], dtypes.int64)
        indices = concat([sp.indices[:, :axis], column, sp.indices[:, axis:]], axis=1)
        dense = concat([sp.dense_shape[:axis], ones([1], dtypes.int64),
                        sp.dense_shape[axis:]], axis=0)
        if rank is not None:
            from flowgraph.ops.shape_ops import reshape
            indices = reshape(indices, [-1, rank + 1])
            dense = reshape(dense, [rank + 1])
        values = sp.values
        return sparse_module().SparseTensor(indices, values, dense)


def sparse_mask(a: Any, mask_indices: Any, name: Optional[str] = None) -> Any:
    """The IndexedSlices `a` without the slices whose index is in `mask_indices`.

    Parameters
    ----------
    a : IndexedSlices
    mask_indices : 1-D int Tensor
        Indices to drop.

    Returns
    -------
    IndexedSlices
        The remaining slices in their order, with a's dense_shape.
    """
    from flowgraph.indexed_slices import IndexedSlices
    from flowgraph.ops.array_extra import setdiff1d
    from flowgraph.ops.gather import gather
    with op_scope(name, "sparse_mask", [a.values, a.indices]) as scope:
        mask_indices = convert_to_tensor(mask_indices, name="mask_indices")
        out_indices, to_gather = setdiff1d(a.indices, mask_indices)
        out_values = gather(a.values, to_gather, name=scope)
        return IndexedSlices(out_values, out_indices, a.dense_shape)


def sparse_reset_shape(sp_input: Any, new_shape: Any = None) -> Any:
    """The SparseTensor with dense shape `new_shape` (each dimension no smaller than the
    old one), or (None) the tightest shape holding its indices (max index + 1).

    Parameters
    ----------
    sp_input : SparseTensor
    new_shape : 1-D int Tensor, optional
        Of the same rank as sp_input.

    Returns
    -------
    SparseTensor
        The same indices and values.
    """
    from flowgraph.ops.array import identity
    from flowgraph.ops.assertions import Assert
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import less_equal
    from flowgraph.ops.math import add
    from flowgraph.ops.reduce import reduce_all, reduce_max
    sp = sparse_module().convert_to_sparse_tensor(sp_input)
    indices, values = identity(sp.indices), identity(sp.values)
    if new_shape is None:
        shape = add(reduce_max(indices, axis=0), 1)
        return sparse_module().SparseTensor(indices, values, shape)
    new_shape = cast(convert_to_tensor(new_shape), dtypes.int64)
    old_rank = sp.dense_shape.shape.as_tuple()
    if new_shape.shape.ndims not in (None, 1):
        raise ValueError(f"sparse_reset_shape: new_shape must be a vector, got shape "
                         f"{new_shape.shape}")
    new_rank = new_shape.shape.as_tuple()
    if old_rank and new_rank and None not in (old_rank[0], new_rank[0]) and \
            old_rank[0] != new_rank[0]:
        raise ValueError(f"sparse_reset_shape: new_shape has rank {new_rank[0]} but "
                         f"sp_input has rank {old_rank[0]}")
    old, new = constant_value(sp.dense_shape), constant_value(new_shape)
    if old is not None and new is not None:
        if np.any(np.asarray(new) < np.asarray(old)):
            raise ValueError(f"sparse_reset_shape: new_shape {list(new)} is smaller than "
                             f"the current dense_shape {list(old)} in some dimension")
    else:
        check = Assert(reduce_all(less_equal(sp.dense_shape, new_shape)),
                       ["sparse_reset_shape: new_shape must be >= the current dense_shape "
                        "in every dimension; dense_shape, new_shape:", sp.dense_shape,
                        new_shape])
        with new_shape.graph.control_dependencies([check]):
            new_shape = identity(new_shape)
    return sparse_module().SparseTensor(indices, values, new_shape)


def sparse_merge(sp_ids: Any, sp_values: Any, vocab_size: Any, name: Optional[str] = None,
                 already_sorted: bool = False) -> Any:
    """Deprecated in TF1 (as there): a SparseTensor [batch, vocab_size] with
    sp_values' value at [row, id] for each id of sp_ids (same indices as sp_values).

    Parameters
    ----------
    sp_ids : SparseTensor of int32/int64 ids
    sp_values : SparseTensor
        The weights, with sp_ids' indices.
    vocab_size : int or scalar int Tensor
        The output's last dimension.
    already_sorted : bool
        Skip the row-major reorder when the ids are sorted within each row.

    Returns
    -------
    SparseTensor
    """
    from flowgraph.ops.array import concat, stack
    from flowgraph.ops.cast import cast
    from flowgraph.ops.shape_ops import expand_dims
    from flowgraph.ops.sparse import sparse_reorder
    ids = sparse_module().convert_to_sparse_tensor(sp_ids)
    vals = sparse_module().convert_to_sparse_tensor(sp_values)
    if not (ids.values.dtype.is_integer):
        raise TypeError(f"sp_ids.values must be int32 or int64, got {ids.values.dtype.name}")
    with op_scope(name, "SparseMerge", [ids.indices, ids.values, vals.values]):
        rows = ids.indices[:, :-1]
        columns = expand_dims(cast(ids.values, dtypes.int64), 1)
        indices = concat([rows, columns], axis=1)
        size = cast(convert_to_tensor(vocab_size), dtypes.int64)
        shape = concat([ids.dense_shape[:-1], stack([size])], 0)
        result = sparse_module().SparseTensor(indices, vals.values, shape)
        return result if already_sorted else sparse_reorder(result)
