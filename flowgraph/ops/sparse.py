"""Sparse ops: placeholders, densifying and reordering (arithmetic is in `sparse_math`).

The ops take the three component tensors of a SparseTensor (indices, values, dense_shape)
as inputs. The SparseTensor class itself is a graph-level helper
(`flowgraph.sparse_tensor`); the builders here import it when called.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor, get_default_graph
from flowgraph.ops.constant import convert_to_tensor, placeholder
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.sparse_util import (
    check_bounds,
    check_order,
    check_sparse_inputs,
    dense_dims,
    shape_value,
    small_static,
    sort_order,
    sparse_module,
)
from flowgraph.shapes import TensorShape

__all__ = ["sparse_placeholder", "sparse_to_dense", "sparse_tensor_to_dense", "sparse_reorder"]

# --------------------------------------------------------------------------- to dense
@register
class SparseToDense(Op):
    """A dense tensor of shape `output_shape` (input 1) filled with `default_value`
    (input 3), with `sparse_values` (input 2: [N] or a scalar for all) placed at
    `sparse_indices` (input 0: [N, rank], [N] or a scalar)."""

    validate_indices: bool = True

    broadcasting = True  # a scalar sparse_values stands for the same value at every index

    def infer(self, op):
        indices, shape, values, default = op.inputs
        check_dtype(op, indices, "i", "sparse_indices")
        if indices.shape.ndims not in (None, 0, 1, 2):
            raise ValueError(f"SparseToDense: sparse_indices must be 0-D, 1-D or 2-D, got "
                             f"shape {indices.shape}")
        if values.shape.ndims not in (None, 0, 1):
            raise ValueError(f"SparseToDense: sparse_values must be 0-D or 1-D, got shape "
                             f"{values.shape}")
        if default.dtype != values.dtype:
            raise TypeError(f"SparseToDense: default_value has dtype {default.dtype.name} but "
                            f"sparse_values has {values.dtype.name}")
        if default.shape.ndims not in (None, 0):
            raise ValueError(f"SparseToDense: default_value must be a scalar, got shape "
                             f"{default.shape}")
        return [(values.dtype, shape_value(op, shape, "output_shape"))]

    def kernel(self, indices, output_shape, values, default):
        dims = dense_dims(output_shape)
        idx = indices.reshape(-1, 1) if indices.ndim < 2 else indices
        n = idx.shape[0]
        if idx.shape[1] != len(dims):
            raise errors.InvalidArgumentError(
                None, None, f"sparse_indices has {idx.shape[1]} columns but output_shape has "
                f"{len(dims)} dimensions [{', '.join(map(str, dims))}]")
        if values.ndim == 1 and values.shape[0] != n:
            raise errors.InvalidArgumentError(
                None, None, f"sparse_values has incorrect shape [{values.shape[0]}], should "
                f"be [] or [{n}]")
        if default.ndim != 0:
            raise errors.InvalidArgumentError(None, None, "default_value should be a scalar, "
                                              f"got shape {list(default.shape)}")
        check_bounds(idx, dims)
        if self.validate_indices:
            check_order(idx)
        out = np.full(dims, default, dtype=values.dtype)
        if n:
            out[tuple(idx.T)] = values
        return out

    def static_value(self, op):
        return small_static(op, 1)

    def grad(self, op, dy):
        # TF1's rule: the values get dy at their indices, the default value the rest of dy
        # (the sum of dy minus the sum of the values' part).
        from flowgraph.ops.gather import gather_nd
        from flowgraph.ops.math import subtract
        from flowgraph.ops.reduce import reduce_sum
        indices, output_shape, _, _ = op.inputs
        dy = convert_to_tensor(dy)
        if indices.shape.ndims != 2:  # 0-D or 1-D indices: one index per row
            indices = _index_rows(indices, output_shape)
        values_grad = gather_nd(dy, indices)
        default_grad = subtract(reduce_sum(dy), reduce_sum(values_grad))
        return [None, None, values_grad, default_grad]


def _index_rows(indices: Tensor, output_shape: Tensor) -> Tensor:
    """0-D or 1-D `indices` as the matrix [N, rank] of index rows they stand for."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.shape_ops import reshape, size
    dims = output_shape.shape.as_tuple()
    rank = dims[0] if dims else 1 if dims == () else None  # a scalar shape stands for [n]
    if rank is not None:
        return reshape(indices, [-1, rank])
    return reshape(indices, concat([[-1], reshape(size(output_shape), [1])], 0))


def sparse_to_dense(sparse_indices: Any, output_shape: Any, sparse_values: Any,
                    default_value: Any = 0, validate_indices: bool = True,
                    name: Optional[str] = None) -> Tensor:
    """A dense tensor of `output_shape` holding `default_value` except at `sparse_indices`,
    which hold `sparse_values` (as TF1's `tf.sparse_to_dense`).

    With `validate_indices`, indices must be in row-major order without repeats
    (InvalidArgumentError when run otherwise); out-of-bounds indices are always an error.
    """
    graph = _graph(sparse_indices, output_shape, sparse_values, default_value)
    with graph.as_default():
        indices = convert_to_tensor(sparse_indices, preferred_dtype=dtypes.int64)
        shape = convert_to_tensor(output_shape, dtype=indices.dtype)
        values = convert_to_tensor(sparse_values)
        default = convert_to_tensor(default_value, dtype=values.dtype)
    return apply_op(SparseToDense(validate_indices=validate_indices),
                    [indices, shape, values, default], name=name)


def sparse_tensor_to_dense(sp_input: Any, default_value: Any = None,
                           validate_indices: bool = True, name: Optional[str] = None
                           ) -> Tensor:
    """The dense tensor a SparseTensor stands for; missing entries are `default_value`
    (zero, b"" for strings, False for bools, when None). Also `fg.sparse.to_dense`."""
    sp = sparse_module().convert_to_sparse_tensor(sp_input)
    with sp.graph.as_default():
        if default_value is None:
            default_value = _zero(sp.dtype)
        default = convert_to_tensor(default_value, dtype=sp.dtype)
    return apply_op(SparseToDense(validate_indices=validate_indices),
                    [sp.indices, sp.dense_shape, sp.values, default], name=name)


def _zero(dtype: dtypes.DType) -> Any:
    if dtype.is_string:
        return b""
    return np.zeros((), dtype=dtype.np)


def _graph(*values: Any) -> Any:
    for v in values:
        if isinstance(v, Tensor):
            return v.graph
    return get_default_graph()


# --------------------------------------------------------------------------- reorder
@register
class SparseReorder(Op):
    """The indices and values of a SparseTensor (inputs 0-2) sorted into row-major order
    (a stable sort: repeated indices keep their order)."""

    def infer(self, op):
        indices, values, shape = op.inputs
        check_sparse_inputs(op, indices, values, shape)
        return [(dtypes.int64, indices.shape), (values.dtype, values.shape)]

    def kernel(self, indices, values, shape):
        order = sort_order(indices)
        return indices[order], values[order]

    def grad(self, op, d_indices, d_values):
        # TF1's rule: reorder the entry numbers 0..N-1 the same way, and send each output
        # value's gradient back to the entry it came from.
        from flowgraph.ops.fill import range as range_
        from flowgraph.ops.scatter import scatter_nd
        from flowgraph.ops.shape_ops import expand_dims, shape, size
        indices, values, dense_shape = op.inputs
        entries = range_(size(values, out_type=dtypes.int64), dtype=dtypes.int64)
        _, order = apply_op(SparseReorder(), [indices, entries, dense_shape])
        values_grad = scatter_nd(expand_dims(order, 1), d_values,
                                 shape(values, out_type=dtypes.int64))
        return [None, values_grad, None]


def sparse_reorder(sp_input: Any, name: Optional[str] = None) -> Any:
    """The SparseTensor with its entries sorted into the canonical row-major order that
    most sparse ops (e.g. `sparse_tensor_to_dense`) require. Also `fg.sparse.reorder`."""
    module = sparse_module()
    sp = module.convert_to_sparse_tensor(sp_input)
    indices, values = apply_op(SparseReorder(), [sp.indices, sp.values, sp.dense_shape],
                               name=name)
    return module.SparseTensor(indices, values, sp.dense_shape)


# --------------------------------------------------------------------------- placeholder
def sparse_placeholder(dtype: Any, shape: Any = None, name: Optional[str] = None) -> Any:
    """A SparseTensor whose value must be fed (a SparseTensorValue or an (indices, values,
    dense_shape) tuple), as TF1's: placeholders `name/indices`, `name/values` and, unless
    `shape` is fully known, `name/shape`. Also `fg.sparse.placeholder`."""
    module = sparse_module()
    graph = get_default_graph()
    shape_name = f"{name}/shape" if name is not None else None
    rank = None
    dense_shape = None
    if isinstance(shape, Tensor):
        dims = shape.shape.as_tuple()
        rank = dims[0] if dims else None
        dense_shape = shape
    elif shape is not None and TensorShape(shape).ndims is not None:
        dims = TensorShape(shape).as_list()
        rank = len(dims)
        if None not in dims:
            dense_shape = convert_to_tensor(np.asarray(dims, dtype=np.int64), name=shape_name)
    if dense_shape is None:
        dense_shape = placeholder(dtypes.int64, [rank], name=shape_name)
    with graph.as_default():
        values = placeholder(dtype, [None], name=f"{name}/values" if name else None)
        indices = placeholder(dtypes.int64, [None, rank],
                              name=f"{name}/indices" if name else None)
    return module.SparseTensor(indices, values, dense_shape)


# --------------------------------------------------------------------------- from dense
def from_dense(tensor: Any, name: Optional[str] = None) -> Any:
    """`fg.sparse.from_dense`: a SparseTensor holding the non-zero (non-empty for strings)
    entries of a dense tensor, in row-major order, as TF1's composite of Where and
    GatherNd."""
    from flowgraph import ops  # the array ops live in sibling modules of this package

    graph = _graph(tensor)
    with graph.as_default(), graph.name_scope(name or "dense_to_sparse"):
        tensor = convert_to_tensor(tensor)
        indices = ops.where(ops.not_equal(tensor, ops.zeros_like(tensor)))
        values = ops.gather_nd(tensor, indices)
        shape = ops.shape(tensor, out_type=dtypes.int64)
        return sparse_module().SparseTensor(indices, values, shape)
