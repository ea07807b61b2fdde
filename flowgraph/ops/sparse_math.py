"""Sparse arithmetic: sparse x dense matmul, sum-reduction, and sparse + sparse/dense."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.sparse_util import (
    check_bounds,
    check_sparse_inputs,
    dense_dims,
    merge_sorted,
    normalize_axes,
    shape_value,
    small_static,
    sparse_module,
)
from flowgraph.shapes import TensorShape

__all__ = ["sparse_tensor_dense_matmul", "sparse_reduce_sum", "sparse_add"]


# --------------------------------------------------------------------------- matmul
@register
class SparseTensorDenseMatMul(Op):
    """The product of the rank-2 sparse A (inputs 0-2: indices, values, shape) and the dense
    matrix B (input 3); ``adjoint_a`` / ``adjoint_b`` transpose them first."""

    adjoint_a: bool = False
    adjoint_b: bool = False

    def infer(self, op):
        indices, values, shape, b = op.inputs
        check_sparse_inputs(op, indices, values, shape)
        check_dtype(op, b, "fiu", "b")
        if values.dtype != b.dtype:
            raise TypeError(f"SparseTensorDenseMatMul: a_values has dtype {values.dtype.name} "
                            f"but b has {b.dtype.name}")
        if b.shape.ndims not in (None, 2):
            raise ValueError(f"SparseTensorDenseMatMul: b must be a matrix, got shape "
                             f"{b.shape}")
        a_dims = shape_value(op, shape, "a_shape")
        if a_dims.ndims not in (None, 2):
            raise ValueError(f"SparseTensorDenseMatMul: A must be a matrix (rank 2), got "
                             f"dense shape {a_dims}")
        a_rows, a_inner = a_dims.as_tuple() if a_dims.ndims == 2 else (None, None)
        if self.adjoint_a:
            a_rows, a_inner = a_inner, a_rows
        b_inner, b_cols = b.shape.as_tuple() if b.shape.ndims == 2 else (None, None)
        if self.adjoint_b:
            b_inner, b_cols = b_cols, b_inner
        if None not in (a_inner, b_inner) and a_inner != b_inner:
            raise ValueError(f"SparseTensorDenseMatMul: inner dimensions do not match: A "
                             f"{'(adjoint) ' if self.adjoint_a else ''}is "
                             f"[{a_rows}, {a_inner}] and B "
                             f"{'(adjoint) ' if self.adjoint_b else ''}is "
                             f"[{b_inner}, {b_cols}]")
        return [(b.dtype, TensorShape([a_rows, b_cols]))]

    def kernel(self, indices, values, shape, b):
        dims = dense_dims(shape)
        if len(dims) != 2 or indices.ndim != 2 or indices.shape[1] != 2:
            raise errors.InvalidArgumentError(
                None, None, f"Tensor 'a' is not a matrix: dense shape {list(dims)}, indices "
                f"of shape {list(indices.shape)}")
        check_bounds(indices, dims)
        rows, inner = dims
        i, k = indices[:, 0], indices[:, 1]
        if self.adjoint_a:
            rows, inner, i, k = inner, rows, k, i
        b = b.T if self.adjoint_b else b
        if b.shape[0] != inner:
            raise errors.InvalidArgumentError(
                None, None, f"Cannot multiply A and B because inner dimension does not match: "
                f"{inner} vs. {b.shape[0]}. Did you forget a transpose? Dimensions of A: "
                f"[{dims[0]}, {dims[1]}]. Dimensions of B: {list(b.shape)}")
        out = np.zeros((rows, b.shape[1]), dtype=b.dtype)
        if len(values):
            np.add.at(out, i, values[:, None] * b[k])
        return out

    def grad(self, op, dy):
        # TF1's rule. out[i] += v * B'[k] for each entry (i, k) of A' (A' = A or A^T, B' = B
        # or B^T): dv = <dy[i], B'[k]>, and dB' = A'^T dy, itself a sparse-dense product.
        from flowgraph.ops.gather import gather
        from flowgraph.ops.linalg import matrix_transpose
        from flowgraph.ops.math import multiply
        from flowgraph.ops.reduce import reduce_sum
        indices, values, a_shape, b = op.inputs
        dy = convert_to_tensor(dy)
        rows, cols = indices[:, 0], indices[:, 1]
        if self.adjoint_a:
            rows, cols = cols, rows
        b_rows = gather(matrix_transpose(b) if self.adjoint_b else b, cols)
        values_grad = reduce_sum(multiply(gather(dy, rows), b_rows), axis=1)
        b_grad = apply_op(SparseTensorDenseMatMul(adjoint_a=not self.adjoint_a),
                          [indices, values, a_shape, dy])
        if self.adjoint_b:
            b_grad = matrix_transpose(b_grad)
        return [None, values_grad, None, b_grad]


def sparse_tensor_dense_matmul(sp_a: Any, b: Any, adjoint_a: bool = False,
                               adjoint_b: bool = False, name: Optional[str] = None) -> Tensor:
    """The matrix product of a rank-2 SparseTensor `sp_a` and a dense matrix `b`
    (``adjoint_a`` / ``adjoint_b`` transpose them first). Repeated indices are summed.
    Also `fg.sparse.sparse_dense_matmul` and `fg.sparse.matmul`."""
    sp = sparse_module().convert_to_sparse_tensor(sp_a)
    graph = sp.graph
    with graph.as_default(), graph.name_scope(name or "SparseTensorDenseMatMul"):
        b = convert_to_tensor(b, name="b")
        return apply_op(SparseTensorDenseMatMul(adjoint_a=adjoint_a, adjoint_b=adjoint_b),
                        [sp.indices, sp.values, sp.dense_shape, b])


# --------------------------------------------------------------------------- reduce_sum
@register
class SparseReduceSum(Op):
    """The dense sum of a SparseTensor (inputs 0-2) over `axis` (None: all axes)."""

    axis: Optional[tuple] = None
    keepdims: bool = False

    def check(self) -> None:
        if self.axis is not None:
            if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                       for a in self.axis):
                raise TypeError(f"SparseReduceSum axis must be ints, got {self.axis!r}")
            object.__setattr__(self, "axis", tuple(int(a) for a in self.axis))

    def infer(self, op):
        indices, values, shape = op.inputs
        check_sparse_inputs(op, indices, values, shape)
        check_dtype(op, values, "fiu", "values")
        dims = shape_value(op, shape)
        if dims.ndims is None:
            return [(values.dtype, TensorShape(None))]
        axes = normalize_axes(self.axis, dims.ndims, ValueError)
        if self.keepdims:
            out = [1 if i in axes else d for i, d in enumerate(dims.as_list())]
        else:
            out = [d for i, d in enumerate(dims.as_list()) if i not in axes]
        return [(values.dtype, TensorShape(out))]

    def static_value(self, op):
        return small_static(op, 2)

    def kernel(self, indices, values, shape):
        dims = dense_dims(shape)
        axes = normalize_axes(self.axis, len(dims), errors.InvalidArgumentError)
        check_bounds(indices, dims)
        kept = [i for i in range(len(dims)) if i not in axes]
        out = np.zeros([dims[i] for i in kept], dtype=values.dtype)
        if kept:
            np.add.at(out, tuple(indices[:, i] for i in kept), values)
        else:
            out = np.asarray(values.sum(dtype=values.dtype), dtype=values.dtype)
        if self.keepdims:
            out = out.reshape([1 if i in axes else d for i, d in enumerate(dims)])
        return out

    def grad(self, op, dy):
        # Each value gets dy at its index with the reduced coordinates dropped: gather from
        # dy (reshaped to keep the reduced axes as size 1) at the index with those set to 0.
        from flowgraph.ops.gather import gather_nd
        from flowgraph.ops.math import add, multiply
        from flowgraph.ops.shape_ops import broadcast_to, reshape, shape
        indices, values, dense_shape = op.inputs
        dy = convert_to_tensor(dy)
        if self.axis is None:
            if dy.shape.ndims != 0:
                dy = reshape(dy, [])
            return [None, broadcast_to(dy, shape(values)), None]
        kept, reduced = self._kept_mask(indices, dense_shape)
        if not self.keepdims:
            dy = reshape(dy, add(multiply(dense_shape, kept), reduced))
        return [None, gather_nd(dy, multiply(indices, cast(kept, indices.dtype))), None]

    def _kept_mask(self, indices: Tensor, dense_shape: Tensor) -> tuple:
        """(mask, 1 - mask) of the dense_shape's dtype: 1 on the axes the sum keeps."""
        dims = dense_shape.shape.as_tuple()
        rank = dims[0] if dims else None
        if rank is None and indices.shape.ndims == 2:
            rank = indices.shape.as_tuple()[1]
        if rank is not None:
            axes = normalize_axes(self.axis, rank, ValueError)
            kept = np.array([i not in axes for i in range(rank)], dtype=dense_shape.dtype.np)
            return convert_to_tensor(kept), convert_to_tensor(1 - kept)
        from flowgraph.ops.compare import equal
        from flowgraph.ops.division import floormod
        from flowgraph.ops.fill import range as range_
        from flowgraph.ops.math import subtract
        from flowgraph.ops.reduce import reduce_any
        from flowgraph.ops.shape_ops import expand_dims, size
        count = size(dense_shape, out_type=dense_shape.dtype)
        axes = floormod(convert_to_tensor(np.array(self.axis, dense_shape.dtype.np)), count)
        reduced = reduce_any(equal(expand_dims(range_(count, dtype=dense_shape.dtype), 1),
                                   expand_dims(axes, 0)), axis=1)
        reduced = cast(reduced, dense_shape.dtype)
        return subtract(1, reduced), reduced


def sparse_reduce_sum(sp_input: Any, axis: Any = None, keepdims: Optional[bool] = None,
                      reduction_axes: Any = None, keep_dims: Optional[bool] = None) -> Tensor:
    """The sum of a SparseTensor's values over `axis` (None: all), as a dense tensor.
    `reduction_axes` and `keep_dims` are TF1's deprecated names. Also
    `fg.sparse.reduce_sum`."""
    if reduction_axes is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'reduction_axes'")
        axis = reduction_axes
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
        keepdims = keep_dims
    sp = sparse_module().convert_to_sparse_tensor(sp_input)
    if axis is not None:
        value = constant_value(axis) if isinstance(axis, Tensor) else np.asarray(axis)
        if value is None:
            raise ValueError("sparse_reduce_sum needs axis values known when building the "
                             f"graph, got the tensor {axis.name}")
        axis = tuple(int(a) for a in np.asarray(value).reshape(-1))
    return apply_op(SparseReduceSum(axis=axis, keepdims=bool(keepdims)),
                    [sp.indices, sp.values, sp.dense_shape])


# --------------------------------------------------------------------------- add
@register
class SparseAdd(Op):
    """The sum of two SparseTensors of one dense shape (inputs 0-2 and 3-5): outputs the
    indices, values and dense shape of the result in row-major order, with entries at one
    index summed and sums (of entries in both) of magnitude below `thresh` (input 6)
    dropped."""

    def infer(self, op):
        a_ind, a_val, a_shape, b_ind, b_val, b_shape, thresh = op.inputs
        check_sparse_inputs(op, a_ind, a_val, a_shape)
        check_sparse_inputs(op, b_ind, b_val, b_shape)
        check_dtype(op, a_val, "fiu", "a_values")
        if a_val.dtype != b_val.dtype:
            raise TypeError(f"SparseAdd: a has values of dtype {a_val.dtype.name} but b has "
                            f"{b_val.dtype.name}")
        if thresh.dtype != a_val.dtype or thresh.shape.ndims not in (None, 0):
            raise TypeError(f"SparseAdd: thresh must be a {a_val.dtype.name} scalar, got "
                            f"{thresh.dtype.name} of shape {thresh.shape}")
        rank = None
        for t, i in ((a_ind, 1), (b_ind, 1), (a_shape, 0), (b_shape, 0)):
            dims = t.shape.as_tuple()
            if dims is not None and len(dims) > i and dims[i] is not None:
                if rank is not None and rank != dims[i]:
                    raise ValueError(f"SparseAdd: the operands have different ranks "
                                     f"({rank} and {dims[i]})")
                rank = dims[i]
        return [(dtypes.int64, TensorShape([None, rank])), (a_val.dtype, TensorShape([None])),
                (dtypes.int64, TensorShape([rank]))]

    def kernel(self, a_ind, a_val, a_shape, b_ind, b_val, b_shape, thresh):
        if a_shape.shape != b_shape.shape or not np.array_equal(a_shape, b_shape):
            raise errors.InvalidArgumentError(
                None, None, f"Operands do not have the same dense shape: "
                f"{a_shape.tolist()} and {b_shape.tolist()}")
        indices = np.concatenate([a_ind, b_ind]).astype(np.int64, copy=False)
        values = np.concatenate([a_val, b_val])
        counts = np.ones(indices.shape[0], dtype=np.int64)
        _, counts = merge_sorted(indices, counts)
        indices, values = merge_sorted(indices, values)
        # As TF1's SparseAdd kernel: `thresh` only drops sums of entries present in both
        # operands; an entry of one operand alone is copied whatever its magnitude.
        keep = (counts < 2) | (np.abs(values) >= thresh)
        if not keep.all():
            indices, values = indices[keep], values[keep]
        return indices, values, a_shape.astype(np.int64, copy=True)

    def grad(self, op, d_indices, d_values, d_shape):
        # As TF1's SparseAddGrad: each operand entry gets the gradient of the sum entry at
        # its index, or zero where the sum was dropped (below the threshold).
        from flowgraph.ops.array import concat
        from flowgraph.ops.fill import zeros
        from flowgraph.ops.gather import gather
        a_ind, _, _, b_ind = op.inputs[:4]
        sums = op.outputs[0]
        padded = concat([convert_to_tensor(d_values), zeros([1], dtype=d_values.dtype)], 0)
        grads = [gather(padded, apply_op(SparseIndexPositions(), [ind, sums]))
                 for ind in (a_ind, b_ind)]
        return [None, grads[0], None, None, grads[1], None, None]


@register
class SparseIndexPositions(Op):
    """For each row of `indices` (input 0, [N, rank]), its position among the rows of
    `sorted_indices` (input 1, [M, rank], row-major order without repeats), or M where it
    is absent. SparseAdd's gradient routes the sum's gradient to its operands with it."""

    differentiable = False

    def infer(self, op):
        indices, sorted_indices = op.inputs
        check_dtype(op, indices, "i", "indices")
        check_dtype(op, sorted_indices, "i", "sorted_indices")
        dims = indices.shape.as_tuple()
        return [(dtypes.int64, TensorShape([dims[0] if dims else None]))]

    def kernel(self, indices, sorted_indices):
        n, m = indices.shape[0], sorted_indices.shape[0]
        positions = np.full(n, m, dtype=np.int64)
        if n == 0 or m == 0:
            return positions
        rows = np.concatenate([sorted_indices, indices]).astype(np.int64, copy=False)
        is_query = np.arange(n + m) >= m
        # Row-major order, each sorted row just before the query rows equal to it.
        order = np.lexsort((is_query,) + tuple(rows.T[::-1]))
        seen = np.where(order < m, np.arange(n + m), -1)
        last = np.maximum.accumulate(seen)  # the latest sorted row at or before each place
        queries = np.flatnonzero(order >= m)
        candidate = np.where(last[queries] >= 0, order[np.maximum(last[queries], 0)], 0)
        found = (last[queries] >= 0) & (rows[candidate] == rows[order[queries]]).all(axis=1)
        positions[order[queries][found] - m] = candidate[found]
        return positions


@register
class SparseTensorDenseAdd(Op):
    """A dense tensor B (input 3) plus a SparseTensor of its shape (inputs 0-2)."""

    def infer(self, op):
        indices, values, shape, b = op.inputs
        check_sparse_inputs(op, indices, values, shape)
        check_dtype(op, b, "fiu", "b")
        if values.dtype != b.dtype:
            raise TypeError(f"SparseTensorDenseAdd: the sparse values have dtype "
                            f"{values.dtype.name} but the dense operand has {b.dtype.name}")
        dims = shape_value(op, shape)
        if not dims.is_compatible_with(b.shape):
            raise ValueError(f"SparseTensorDenseAdd: the sparse operand's shape {dims} does "
                             f"not match the dense operand's shape {b.shape}")
        return [(b.dtype, b.shape.merge_with(dims))]

    def kernel(self, indices, values, shape, b):
        dims = dense_dims(shape)
        if dims != b.shape:
            raise errors.InvalidArgumentError(
                None, None, f"The sparse operand has dense shape {list(dims)} but the dense "
                f"operand has shape {list(b.shape)}; they must be equal")
        check_bounds(indices, dims)
        out = b.copy()
        if len(values):
            np.add.at(out, tuple(indices.T), values)
        return out

    def grad(self, op, dy):
        from flowgraph.ops.gather import gather_nd
        return [None, gather_nd(dy, op.inputs[0]), None, dy]


def sparse_add(a: Any, b: Any, threshold: Any = None, thresh: Any = None) -> Any:
    """Adds two operands of one dense shape, at least one sparse (no broadcasting).

    Sparse + sparse gives a SparseTensor in row-major order, entries at one index summed;
    sums whose magnitude is below `threshold` (default 0: keep all) are dropped. Sparse +
    dense gives a dense Tensor. `thresh` is TF1's deprecated name of `threshold`.
    """
    module = sparse_module()
    if threshold is not None and thresh is not None:
        raise ValueError("Cannot specify both 'threshold' and 'thresh'")
    threshold = thresh if threshold is None else threshold
    if not module.is_sparse(a) and not module.is_sparse(b):
        raise TypeError("At least one input should be SparseTensor; do you mean to use "
                        "fg.add()?")
    if module.is_sparse(a) and module.is_sparse(b):
        a = module.convert_to_sparse_tensor(a)
        b = module.convert_to_sparse_tensor(b)
        with a.graph.as_default():
            limit = convert_to_tensor(0 if threshold is None else threshold, dtype=a.dtype,
                                      name="threshold")
        indices, values, shape = apply_op(SparseAdd(), [a.indices, a.values, a.dense_shape,
                                                        b.indices, b.values, b.dense_shape,
                                                        limit])
        a_shape, b_shape = a.get_shape(), b.get_shape()
        if not a_shape.is_compatible_with(b_shape):
            raise ValueError(f"sparse_add: the operands' shapes {a_shape} and {b_shape} "
                             "differ")
        static = a_shape.merge_with(b_shape)
        if static.is_fully_defined():
            with a.graph.as_default():
                shape = static.as_list()
        return module.SparseTensor(indices, values, shape)
    if module.is_sparse(b):
        a, b = b, a
    sp = module.convert_to_sparse_tensor(a)
    with sp.graph.as_default():
        dense = convert_to_tensor(b, dtype=sp.dtype)
    return apply_op(SparseTensorDenseAdd(), [sp.indices, sp.values, sp.dense_shape, dense])
