"""More of TF1's SparseTensor functions, built from dense ops on the (indices, values,
dense_shape) triple: sparse_retain, sparse_reshape, sparse_transpose, sparse_concat,
sparse_slice, sparse_split, sparse_fill_empty_rows, sparse_reduce_max, sparse_softmax,
sparse_to_indicator, the sparse segment reductions and embedding_lookup_sparse."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["sparse_retain", "sparse_reshape", "sparse_transpose", "sparse_concat",
           "sparse_slice", "sparse_split", "sparse_fill_empty_rows", "sparse_reduce_max",
           "sparse_softmax", "sparse_to_indicator", "sparse_segment_sum",
           "sparse_segment_mean", "sparse_segment_sqrt_n"]


def _sp(value: Any) -> Any:
    from flowgraph.ops.sparse_util import sparse_module
    return sparse_module().convert_to_sparse_tensor(value)


def _make(indices: Any, values: Any, shape: Any) -> Any:
    from flowgraph.sparse_tensor import SparseTensor
    return SparseTensor(indices, values, shape)


def _reorder(sp: Any) -> Any:
    from flowgraph.ops.sparse import sparse_reorder
    return sparse_reorder(sp)


def _i64(value: Any) -> Tensor:
    from flowgraph.ops.cast import cast
    tensor = convert_to_tensor(value)
    return tensor if tensor.dtype == dtypes.int64 else cast(tensor, dtypes.int64)


def sparse_retain(sp_input: Any, to_retain: Any) -> Any:
    """The entries of sp_input where the bool vector to_retain is True."""
    from flowgraph.ops.masking import boolean_mask
    sp = _sp(sp_input)
    with op_scope(None, "sparse_retain", [sp.indices, sp.values]):
        keep = convert_to_tensor(to_retain, dtype=dtypes.bool_)
        return _make(boolean_mask(sp.indices, keep), boolean_mask(sp.values, keep),
                     sp.dense_shape)


def _row_major_strides(shape: Tensor) -> Tensor:
    from flowgraph.ops.cumulative import cumprod
    return cumprod(shape, exclusive=True, reverse=True)


def sparse_reshape(sp_input: Any, shape: Any, name: Optional[str] = None) -> Any:
    """The same entries in a dense shape of the same size (one dimension may be -1)."""
    from flowgraph.ops.division import floordiv, floormod
    from flowgraph.ops.logic import where_v2
    from flowgraph.ops.math import multiply
    from flowgraph.ops.reduce import reduce_prod, reduce_sum
    from flowgraph.ops.shape_ops import expand_dims
    sp = _sp(sp_input)
    with op_scope(name, "SparseReshape", [sp.indices, shape]):
        old_shape = sp.dense_shape
        new_shape = _i64(shape)
        total = reduce_prod(old_shape)
        known = reduce_prod(where_v2(new_shape < 0, convert_to_tensor(1, dtypes.int64),
                                     new_shape))
        new_shape = where_v2(new_shape < 0, floordiv(total, known), new_shape)
        linear = reduce_sum(multiply(sp.indices, _row_major_strides(old_shape)), axis=1)
        strides = _row_major_strides(new_shape)
        indices = floormod(floordiv(expand_dims(linear, 1), strides), new_shape)
        return _make(indices, sp.values, new_shape)


def sparse_transpose(sp_input: Any, perm: Any = None, name: Optional[str] = None) -> Any:
    """The transposed SparseTensor (dimensions reversed by default), reordered."""
    from flowgraph.ops.gather import gather
    sp = _sp(sp_input)
    with op_scope(name, "SparseTranspose", [sp.indices]):
        if perm is None:
            n = sp.indices.shape[1].value
            if n is None:
                raise ValueError("sparse_transpose without perm needs a known rank")
            perm = list(range(n - 1, -1, -1))
        perm = convert_to_tensor(perm, dtype=dtypes.int32)
        indices = gather(sp.indices, perm, axis=1)
        shape = gather(sp.dense_shape, perm)
        return _reorder(_make(indices, sp.values, shape))


def sparse_concat(axis: Any, sp_inputs: Sequence[Any], name: Optional[str] = None,
                  expand_nonconcat_dim: bool = False, concat_dim: Any = None,
                  expand_nonconcat_dims: Any = None) -> Any:
    """The SparseTensors joined along `axis` (their other dimensions must be equal, or take
    the largest with expand_nonconcat_dim), in row-major order."""
    from flowgraph.ops.array import concat, stack
    from flowgraph.ops.math import add, multiply
    from flowgraph.ops.reduce import reduce_max
    axis = concat_dim if concat_dim is not None else axis
    if expand_nonconcat_dims is not None:
        expand_nonconcat_dim = expand_nonconcat_dims
    inputs = [_sp(s) for s in sp_inputs]
    with op_scope(name, "SparseConcat", [s.indices for s in inputs]):
        rank = inputs[0].indices.shape[1].value
        if rank is None:
            raise ValueError("sparse_concat needs SparseTensors of known rank")
        axis = int(axis) % rank
        mask = convert_to_tensor([1 if d == axis else 0 for d in range(rank)], dtypes.int64)
        offset = convert_to_tensor(0, dtypes.int64)
        indices, values = [], []
        for s in inputs:
            indices.append(add(s.indices, multiply(offset, mask)))
            values.append(s.values)
            offset = add(offset, s.dense_shape[axis])
        others = stack([s.dense_shape for s in inputs])
        if expand_nonconcat_dim:
            base = reduce_max(others, axis=0)
        else:
            base = _checked_nonconcat_dims(others, inputs[0].dense_shape, mask, axis)
        shape = add(multiply(base, 1 - mask), multiply(offset, mask))
        return _reorder(_make(concat(indices, 0), concat(values, 0), shape))


def _checked_nonconcat_dims(others: Tensor, first: Tensor, mask: Tensor, axis: int) -> Tensor:
    """`first` (the first operand's dense shape), made to wait for a check that every
    operand has its dimensions other than `axis` (TF1's SparseConcat fails at run time)."""
    from flowgraph.ops.array import identity
    from flowgraph.ops.assertions import Assert
    from flowgraph.ops.compare import equal
    from flowgraph.ops.math import multiply
    from flowgraph.ops.reduce import reduce_all
    keep = 1 - mask
    same = reduce_all(equal(multiply(others, keep), multiply(first, keep)))
    check = Assert(same, [f"sparse_concat: the operands' dense shapes differ outside the "
                          f"concat axis {axis}; pass expand_nonconcat_dim=True to take the "
                          "largest of each other dimension. Dense shapes:", others],
                   summarize=64)
    with first.graph.control_dependencies([check]):
        return identity(first)


def sparse_slice(sp_input: Any, start: Any, size: Any, name: Optional[str] = None) -> Any:
    """The entries inside the box [start, start + size), re-indexed from start."""
    from flowgraph.ops.compare import greater_equal, less
    from flowgraph.ops.logic import logical_and
    from flowgraph.ops.masking import boolean_mask
    from flowgraph.ops.math import add, maximum, minimum, subtract
    from flowgraph.ops.reduce import reduce_all
    sp = _sp(sp_input)
    with op_scope(name, "SparseSlice", [sp.indices]):
        start = _i64(start)
        size = _i64(size)
        inside = reduce_all(logical_and(greater_equal(sp.indices, start),
                                        less(sp.indices, add(start, size))), axis=1)
        indices = subtract(boolean_mask(sp.indices, inside), start)
        shape = maximum(minimum(size, subtract(sp.dense_shape, start)),
                        convert_to_tensor(0, dtypes.int64))
        return _make(indices, boolean_mask(sp.values, inside), shape)


def sparse_split(keyword_required: Any = None, sp_input: Any = None, num_split: Any = None,
                 axis: Any = None, name: Optional[str] = None, split_dim: Any = None) -> list:
    """`num_split` SparseTensors along `axis` (the first dim % num_split pieces one larger,
    as TF1); call with keywords: sparse_split(sp_input=..., num_split=..., axis=...)."""
    from flowgraph.ops.math import add
    if keyword_required is not None:
        raise ValueError("Keyword arguments are required for this function.")
    axis = split_dim if axis is None else axis
    sp = _sp(sp_input)
    with op_scope(name, "SparseSplit", [sp.indices]):
        rank = sp.indices.shape[1].value
        num_split = int(num_split)
        dim = sp.dense_shape[int(axis)]
        from flowgraph.ops.division import floordiv, floormod
        base = floordiv(dim, num_split)
        extra = floormod(dim, num_split)
        pieces = []
        begin = convert_to_tensor(0, dtypes.int64)
        for i in range(num_split):
            from flowgraph.ops.cast import cast
            from flowgraph.ops.compare import less
            size = add(base, cast(less(convert_to_tensor(i, dtypes.int64), extra),
                                  dtypes.int64))
            start = [begin if d == int(axis) % rank else 0 for d in range(rank)]
            length = [size if d == int(axis) % rank else sp.dense_shape[d]
                      for d in range(rank)]
            pieces.append(sparse_slice(sp, start, length))
            begin = add(begin, size)
        return pieces


def sparse_fill_empty_rows(sp_input: Any, default_value: Any,
                           name: Optional[str] = None) -> tuple:
    """(SparseTensor with `default_value` at column 0 of every empty row, the bool vector
    of the rows that were empty)."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.compare import equal
    from flowgraph.ops.fill import fill, ones_like, zeros
    from flowgraph.ops.logic import where
    from flowgraph.ops.segment import unsorted_segment_sum
    from flowgraph.ops.shape_ops import shape
    sp = _sp(sp_input)
    with op_scope(name, "SparseFillEmptyRows", [sp.indices]):
        rows = sp.dense_shape[0]
        counts = unsorted_segment_sum(ones_like(sp.indices[:, 0]), sp.indices[:, 0], rows)
        empty = equal(counts, 0)
        empty_rows = where(empty)                             # [k, 1]
        rank = sp.indices.shape[1].value
        pad = zeros([shape(empty_rows)[0], rank - 1], dtypes.int64)
        new_indices = concat([empty_rows, pad], 1)
        default = convert_to_tensor(default_value, dtype=sp.dtype)
        new_values = fill(shape(empty_rows)[:1], default)
        filled = _reorder(_make(concat([sp.indices, new_indices], 0),
                                concat([sp.values, new_values], 0), sp.dense_shape))
        return filled, empty


def _group_ids(sp: Any, axes: Sequence[int], rank: int) -> tuple:
    """Segment ids of the entries after reducing `axes` (row-major over the kept
    dimensions), the number of segments and the kept dimensions' sizes."""
    from flowgraph.ops.array import stack
    from flowgraph.ops.math import multiply
    from flowgraph.ops.reduce import reduce_prod, reduce_sum
    kept = [d for d in range(rank) if d not in axes]
    if not kept:
        return None, None, []
    kept_shape = stack([sp.dense_shape[d] for d in kept])
    kept_indices = stack([sp.indices[:, d] for d in kept], axis=1)
    ids = reduce_sum(multiply(kept_indices, _row_major_strides(kept_shape)), axis=1)
    return ids, reduce_prod(kept_shape), kept_shape


def sparse_reduce_max(sp_input: Any, axis: Any = None, keepdims: Any = None,
                      reduction_axes: Any = None, keep_dims: Any = None) -> Tensor:
    """The maximum of the entries present (implicit zeros are ignored) over `axis`, as a
    dense tensor (the dtype's lowest value where a group has no entry)."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.reduce import reduce_max
    from flowgraph.ops.reduce_axes import as_axis_tuple
    from flowgraph.ops.segment_more import unsorted_segment_max
    from flowgraph.ops.shape_ops import reshape
    axis = reduction_axes if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    sp = _sp(sp_input)
    with op_scope(None, "SparseReduceMax", [sp.indices, sp.values]):
        rank = sp.indices.shape[1].value
        axes = as_axis_tuple(axis)
        axes = tuple(range(rank)) if axes is None else tuple(a % rank for a in axes)
        ids, count, kept_shape = _group_ids(sp, axes, rank)
        if ids is None:
            result = reduce_max(sp.values)
            return reshape(result, [1] * rank) if keep else result
        result = reshape(unsorted_segment_max(sp.values, ids, count), kept_shape)
        if keep:
            dims = [sp.dense_shape[d:d + 1] if d not in axes else
                    convert_to_tensor([1], dtypes.int64) for d in range(rank)]
            result = reshape(result, concat(dims, 0))
        return result


def sparse_softmax(sp_input: Any, name: Optional[str] = None) -> Any:
    """Softmax over the entries present in each innermost row (implicit zeros are not part
    of it), as a SparseTensor with sp_input's indices."""
    from flowgraph.ops.division import realdiv
    from flowgraph.ops.gather import gather
    from flowgraph.ops.math import subtract
    from flowgraph.ops.segment import unsorted_segment_sum
    from flowgraph.ops.segment_more import unsorted_segment_max
    from flowgraph.ops.unary import exp
    sp = _sp(sp_input)
    with op_scope(name, "SparseSoftmax", [sp.indices, sp.values]):
        rank = sp.indices.shape[1].value
        ids, count, _ = _group_ids(sp, (rank - 1,), rank)
        shifted = subtract(sp.values, gather(unsorted_segment_max(sp.values, ids, count), ids))
        e = exp(shifted)
        values = realdiv(e, gather(unsorted_segment_sum(e, ids, count), ids))
        return _make(sp.indices, values, sp.dense_shape)


def sparse_to_indicator(sp_input: Any, vocab_size: Any, name: Optional[str] = None) -> Tensor:
    """A dense bool tensor [..., vocab_size]: True at [..., id] for each id in the last
    dimension's values of sp_input (an int SparseTensor)."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.shape_ops import expand_dims
    from flowgraph.ops.sparse import sparse_to_dense
    sp = _sp(sp_input)
    with op_scope(name, "SparseToIndicator", [sp.indices, sp.values]):
        ids = expand_dims(_i64(sp.values), 1)
        indices = concat([sp.indices[:, :-1], ids], 1)
        shape = concat([sp.dense_shape[:-1], _i64([vocab_size])], 0)
        true = convert_to_tensor(True)
        return sparse_to_dense(indices, shape, true, default_value=False,
                               validate_indices=False)


def _sparse_segment(kind: str, data: Any, indices: Any, segment_ids: Any,
                    num_segments: Any, name: Optional[str]) -> Tensor:
    from flowgraph.ops.gather import gather
    from flowgraph.ops.math import add
    from flowgraph.ops.reduce import reduce_max
    from flowgraph.ops.segment import unsorted_segment_sum
    from flowgraph.ops.segment_more import unsorted_segment_mean, unsorted_segment_sqrt_n
    default = {"sum": "SparseSegmentSum", "mean": "SparseSegmentMean",
               "sqrt_n": "SparseSegmentSqrtN"}[kind]
    from flowgraph.ops.array_extra import identity_n
    with op_scope(name, default, [data, indices, segment_ids]):
        # The IdentityN (which does not take IndexedSlices) makes the gather's gradient
        # dense, so the gradient with respect to data is a dense tensor, the sum of the
        # gathered gradient rows, as TF1's _SparseSegment*Grad give.
        dense_data, indices = identity_n([convert_to_tensor(data), convert_to_tensor(indices)])
        rows = gather(dense_data, indices)
        ids = convert_to_tensor(segment_ids)
        if num_segments is None:
            num_segments = add(reduce_max(ids), convert_to_tensor(1, dtype=ids.dtype))
        reduce = {"sum": unsorted_segment_sum, "mean": unsorted_segment_mean,
                  "sqrt_n": unsorted_segment_sqrt_n}[kind]
        return reduce(rows, ids, num_segments)


def sparse_segment_sum(data: Any, indices: Any, segment_ids: Any, name: Optional[str] = None,
                       num_segments: Any = None) -> Tensor:
    """Sums of the rows data[indices] by (sorted) segment_ids."""
    return _sparse_segment("sum", data, indices, segment_ids, num_segments, name)


def sparse_segment_mean(data: Any, indices: Any, segment_ids: Any,
                        name: Optional[str] = None, num_segments: Any = None) -> Tensor:
    """Means of the rows data[indices] by (sorted) segment_ids."""
    return _sparse_segment("mean", data, indices, segment_ids, num_segments, name)


def sparse_segment_sqrt_n(data: Any, indices: Any, segment_ids: Any,
                          name: Optional[str] = None, num_segments: Any = None) -> Tensor:
    """Sums of the rows data[indices] by (sorted) segment_ids over sqrt(segment size)."""
    return _sparse_segment("sqrt_n", data, indices, segment_ids, num_segments, name)
