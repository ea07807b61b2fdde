"""Helpers of the sparse ops: static shapes and input checks when building; dense shapes,
index checks, sorting and merging (numpy) when running."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import constant_value
from flowgraph.shapes import TensorShape, unknown_shape

__all__: list = []

# --------------------------------------------------------------------------- building
_MAX_STATIC_ELEMENTS = 1 << 16


def sparse_module() -> Any:
    # The SparseTensor class lives a layer up (graph features); builders import it lazily.
    from flowgraph import sparse_tensor
    return sparse_tensor


def shape_value(op: Any, tensor: Tensor, what: str = "dense_shape") -> TensorShape:
    """The static dense shape given by a 1-D shape input."""
    check_dtype(op, tensor, "iu", what)
    if tensor.shape.ndims not in (None, 0, 1):
        raise ValueError(f"{op.type}: {what} must be a vector, got shape {tensor.shape}")
    value = constant_value(tensor)
    if value is not None:
        return TensorShape([None if d < 0 else int(d) for d in value.reshape(-1)])
    if tensor.shape.ndims == 0:
        return unknown_shape(1)
    return unknown_shape(None if tensor.shape.ndims is None else tensor.shape.as_tuple()[0])


def check_sparse_inputs(op: Any, indices: Tensor, values: Tensor, shape: Tensor) -> None:
    check_dtype(op, indices, "i", "indices")
    check_dtype(op, shape, "i", "dense_shape")
    for what, t, rank in (("indices", indices, 2), ("values", values, 1),
                          ("dense_shape", shape, 1)):
        if t.shape.ndims not in (None, rank):
            raise ValueError(f"{op.type}: {what} must have rank {rank}, got shape {t.shape}")


def small_static(op: Any, shape_input: int) -> Optional[tuple]:
    """Build-time value of a stateless op over constants whose output is small."""
    if op.control_inputs:
        return None
    values = [constant_value(t) for t in op.inputs]
    if any(v is None for v in values):
        return None
    if np.prod(values[shape_input], dtype=np.float64) > _MAX_STATIC_ELEMENTS:
        return None
    try:
        result = op.op_def.kernel(*values)
    except Exception:  # fails again, with context, when run
        return None
    return result if isinstance(result, tuple) else (result,)


# --------------------------------------------------------------------------- running


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def dense_dims(shape: np.ndarray) -> tuple:
    """A dense shape input's value as a tuple of ints (checked: a vector of sizes >= 0)."""
    if shape.ndim > 1:
        raise _invalid(f"The dense shape must be a vector, got shape {list(shape.shape)}")
    dims = tuple(int(d) for d in shape.reshape(-1))
    if any(d < 0 for d in dims):
        raise _invalid(f"Dense shape dimensions must be >= 0, got {list(dims)}")
    return dims


def _row(idx: np.ndarray, i: int) -> str:
    return "[" + ",".join(str(int(v)) for v in idx[i]) + "]"


def check_bounds(idx: np.ndarray, dims: tuple) -> None:
    """InvalidArgumentError naming the first index [N, rank] outside `dims`."""
    if idx.ndim != 2 or idx.shape[1] != len(dims):
        raise _invalid(f"indices must be a matrix [N, {len(dims)}] for a dense shape of rank "
                       f"{len(dims)}, got shape {list(idx.shape)}")
    if not idx.size:
        return
    bad = np.flatnonzero(((idx < 0) | (idx >= np.asarray(dims, dtype=np.int64))).any(axis=1))
    if bad.size:
        i = int(bad[0])
        shape = "[" + ",".join(map(str, dims)) + "]"
        raise _invalid(f"indices[{i}] = {_row(idx, i)} is out of bounds: need 0 <= index < "
                       f"{shape}")


def _first_difference(idx: np.ndarray) -> tuple:
    """For consecutive rows: whether they differ, and the sign of the first difference."""
    diff = idx[1:].astype(np.int64) - idx[:-1].astype(np.int64)
    nonzero = diff != 0
    differs = nonzero.any(axis=1)
    first = nonzero.argmax(axis=1)
    sign = np.sign(diff[np.arange(len(diff)), first]) if len(diff) else np.zeros(0)
    return differs, sign


def check_order(idx: np.ndarray) -> None:
    """InvalidArgumentError unless the rows of `idx` are strictly increasing in row-major
    (lexicographic) order: no index out of order, none repeated."""
    if idx.shape[0] < 2 or idx.shape[1] == 0:
        if idx.shape[0] >= 2:
            raise _invalid(f"indices[1] = {_row(idx, 1)} is repeated")
        return
    differs, sign = _first_difference(idx)
    repeated = np.flatnonzero(~differs)
    unordered = np.flatnonzero(differs & (sign < 0))
    first_bad = min([int(a[0]) for a in (repeated, unordered) if a.size], default=None)
    if first_bad is None:
        return
    i = first_bad + 1
    if repeated.size and int(repeated[0]) == first_bad:
        raise _invalid(f"indices[{i}] = {_row(idx, i)} is repeated")
    raise _invalid(f"indices[{i}] = {_row(idx, i)} is out of order. Many sparse ops require "
                   "sorted indices: use fg.sparse.reorder to create a correctly ordered copy.")


def sort_order(idx: np.ndarray) -> np.ndarray:
    """The stable permutation sorting the rows of `idx` [N, rank] into row-major order."""
    if idx.shape[0] < 2 or idx.shape[1] == 0:
        return np.arange(idx.shape[0])
    return np.lexsort(idx.T[::-1])


def merge_sorted(indices: np.ndarray, values: np.ndarray) -> tuple:
    """Sorts entries into row-major order and sums the values of repeated indices."""
    if indices.shape[0] == 0:
        return indices.reshape(0, indices.shape[1] if indices.ndim == 2 else 0), values
    order = sort_order(indices)
    indices, values = indices[order], values[order]
    starts = np.ones(indices.shape[0], dtype=bool)
    starts[1:] = (indices[1:] != indices[:-1]).any(axis=1)
    first = np.flatnonzero(starts)
    if first.size == indices.shape[0]:
        return indices, values
    return indices[first], np.add.reduceat(values, first).astype(values.dtype, copy=False)


def normalize_axes(axis: Optional[tuple], rank: int, error: Any) -> tuple:
    """`axis` (None: all) as sorted non-negative axes; `error` (ValueError when building,
    InvalidArgumentError when running) for an axis outside [-rank, rank)."""
    if axis is None:
        return tuple(range(rank))
    result = set()
    for a in axis:
        if not -rank <= a < rank:
            message = f"Invalid reduction axis {a} for a sparse tensor of rank {rank}"
            raise _invalid(message) if error is errors.InvalidArgumentError else \
                error(message)
        result.add(a % rank)
    return tuple(sorted(result))
