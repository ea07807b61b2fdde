"""Set operations over the last dimension of dense or sparse tensors (TF1's `tf.sets`).

Every position of the leading dimensions holds a set: the distinct values found along the
last dimension (of a dense tensor, or of a SparseTensor's stored values). The ops SetSize,
DenseToDenseSetOperation, DenseToSparseSetOperation and SparseToSparseSetOperation work as
TF1's: results are SparseTensors whose sets are sorted, with dense shape = the group shape
+ [largest result set]. The public functions are in `flowgraph.api.sets`.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.registry import Op, register
from flowgraph.ops.sparse_util import (
    check_bounds,
    check_order,
    check_sparse_inputs,
    dense_dims,
    shape_value,
)
from flowgraph.shapes import TensorShape

__all__: list = []

VALID_DTYPES = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8,
                dtypes.uint16, dtypes.string)
SET_OPERATIONS = ("a-b", "b-a", "intersection", "union")


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _shape_text(dims: Any) -> str:
    return "[" + ",".join(str(int(d)) for d in dims) + "]"


def check_set_dtype(op: Any, tensor: Any, what: str) -> None:
    if tensor.dtype not in VALID_DTYPES:
        raise TypeError(f"{op.type}: {what} has dtype {tensor.dtype.name}; set operations "
                        f"take {', '.join(d.name for d in VALID_DTYPES)}")


# --------------------------------------------------------------------------- running
def dense_groups(values: np.ndarray) -> tuple:
    """(group shape, {group index: set of values}) of a dense input of rank >= 2."""
    if values.ndim < 2:
        raise _invalid(f"Expected a dense input of rank >= 2 (the last dimension holds the "
                       f"sets), got shape {_shape_text(values.shape)}")
    group_shape = values.shape[:-1]
    rows = values.reshape(-1, values.shape[-1]).tolist()
    keys = itertools.product(*(range(d) for d in group_shape))
    return tuple(group_shape), {key: set(row) for key, row in zip(keys, rows)}


def sparse_groups(indices: np.ndarray, values: np.ndarray, shape: np.ndarray,
                  validate: bool) -> tuple:
    """(group shape, {group index: set of values}) of a SparseTensor of rank >= 2."""
    dims = dense_dims(shape)
    if len(dims) < 2:
        raise _invalid(f"Invalid rank {len(dims)}: a SparseTensor of sets needs rank >= 2 "
                       "(the last dimension holds the sets)")
    if indices.ndim != 2 or indices.shape[1] != len(dims) or len(values) != len(indices):
        raise _invalid(f"SparseTensor indices of shape {_shape_text(indices.shape)} and "
                       f"values of shape {_shape_text(values.shape)} do not fit the dense "
                       f"shape {_shape_text(dims)}")
    if validate:
        check_bounds(indices, dims)
        check_order(indices)
    groups: dict = {}
    for key, value in zip(map(tuple, indices[:, :-1].tolist()), values.tolist()):
        groups.setdefault(key, set()).add(value)
    return dims[:-1], groups


def _apply(operation: str, a: set, b: set) -> set:
    if operation == "a-b":
        return a - b
    if operation == "b-a":
        return b - a
    if operation == "intersection":
        return a & b
    return a | b


def set_result(operation: str, a_groups: tuple, b_groups: tuple, dtype: np.dtype) -> tuple:
    """The SparseTensor (indices, values, dense_shape) of the set operation per group."""
    (a_shape, a_sets), (b_shape, b_sets) = a_groups, b_groups
    if tuple(a_shape) != tuple(b_shape):
        raise _invalid(f"Mismatched shapes {_shape_text(a_shape)} vs {_shape_text(b_shape)}: "
                       "all but the last dimension of the two inputs must be equal")
    empty: set = set()
    indices: list = []
    values: list = []
    width = 0
    for key in sorted(set(a_sets) | set(b_sets)):
        result = sorted(_apply(operation, a_sets.get(key, empty), b_sets.get(key, empty)))
        width = max(width, len(result))
        indices.extend(key + (i,) for i in range(len(result)))
        values.extend(result)
    rank = len(a_shape) + 1
    out_indices = np.array(indices, dtype=np.int64).reshape(len(values), rank)
    out_values = np.array(values, dtype=dtype) if values else np.zeros(0, dtype)
    return out_indices, out_values, np.array(list(a_shape) + [width], dtype=np.int64)


# --------------------------------------------------------------------------- ops
@register
class SetSize(Op):
    """The number of distinct values of each set of a SparseTensor (inputs indices, values,
    dense_shape): an int32 tensor of the dense shape without its last dimension."""

    validate_indices: bool = True
    differentiable = False

    def infer(self, op):
        indices, values, shape = op.inputs
        check_sparse_inputs(op, indices, values, shape)
        check_set_dtype(op, values, "set_values")
        dense = shape_value(op, shape, "set_shape")
        if dense.ndims is None:
            return [(dtypes.int32, TensorShape(None))]
        if dense.ndims < 2:
            raise ValueError(f"{op.type}: a SparseTensor of sets needs rank >= 2, got dense "
                             f"shape {dense}")
        return [(dtypes.int32, TensorShape(dense.as_list()[:-1]))]

    def kernel(self, indices, values, shape):
        group_shape, groups = sparse_groups(indices, values, shape, self.validate_indices)
        sizes = np.zeros(group_shape, dtype=np.int32)
        for key, found in groups.items():
            sizes[key] = len(found)
        return sizes


@dataclasses.dataclass(frozen=True, kw_only=True)
class _SetOperation(Op):
    set_operation: str = "union"
    validate_indices: bool = True
    differentiable = False

    def check(self) -> None:
        if self.set_operation not in SET_OPERATIONS:
            raise ValueError(f"{self.type_name}: set_operation must be one of "
                             f"{list(SET_OPERATIONS)}, got {self.set_operation!r}")

    def outputs(self, op: Any, a_dtype: Any, b_dtype: Any, a_rank: Any, b_rank: Any) -> list:
        if a_dtype != b_dtype:
            raise TypeError(f"{op.type}: the inputs' dtypes differ: {a_dtype.name} vs "
                            f"{b_dtype.name}")
        for what, rank in (("a", a_rank), ("b", b_rank)):
            if rank is not None and rank < 2:
                raise ValueError(f"{op.type}: input {what} must have rank >= 2 (the last "
                                 f"dimension holds the sets), got rank {rank}")
        if None not in (a_rank, b_rank) and a_rank != b_rank:
            raise ValueError(f"{op.type}: the inputs' ranks differ: {a_rank} vs {b_rank}; "
                             "all but the last dimension must be equal")
        rank = a_rank if a_rank is not None else b_rank
        return [(dtypes.int64, TensorShape([None, rank])), (a_dtype, TensorShape([None])),
                (dtypes.int64, TensorShape([rank]))]


def _dense_rank(tensor: Any) -> Any:
    return tensor.shape.ndims


def _sparse_rank(op: Any, indices: Any, values: Any, shape: Any) -> Any:
    check_sparse_inputs(op, indices, values, shape)
    dims = shape.shape.as_tuple()
    return None if dims is None else dims[0]


@register
class DenseToDenseSetOperation(_SetOperation):
    """`set_operation` of the sets along the last dimension of dense inputs a and b."""

    def infer(self, op):
        a, b = op.inputs
        check_set_dtype(op, a, "set1")
        specs = self.outputs(op, a.dtype, b.dtype, _dense_rank(a), _dense_rank(b))
        if a.shape.ndims is not None and b.shape.ndims is not None:
            for i, (da, db) in enumerate(zip(a.shape.as_tuple()[:-1], b.shape.as_tuple()[:-1])):
                if None not in (da, db) and da != db:
                    raise ValueError(f"{op.type}: dimension {i} of the inputs must be equal "
                                     f"(all but the last one), got shapes {a.shape} and "
                                     f"{b.shape}")
        return specs

    def kernel(self, a, b):
        return set_result(self.set_operation, dense_groups(a), dense_groups(b), a.dtype)


@register
class DenseToSparseSetOperation(_SetOperation):
    """`set_operation` of the sets of a dense input a (input 0) and a SparseTensor b
    (inputs 1-3: indices, values, dense_shape)."""

    def infer(self, op):
        a, indices, values, shape = op.inputs
        check_set_dtype(op, a, "set1")
        return self.outputs(op, a.dtype, values.dtype, _dense_rank(a),
                            _sparse_rank(op, indices, values, shape))

    def kernel(self, a, indices, values, shape):
        return set_result(self.set_operation, dense_groups(a),
                          sparse_groups(indices, values, shape, self.validate_indices),
                          a.dtype)


@register
class SparseToSparseSetOperation(_SetOperation):
    """`set_operation` of the sets of SparseTensors a (inputs 0-2) and b (inputs 3-5)."""

    def infer(self, op):
        a_parts, b_parts = op.inputs[:3], op.inputs[3:]
        check_set_dtype(op, a_parts[1], "set1_values")
        return self.outputs(op, a_parts[1].dtype, b_parts[1].dtype,
                            _sparse_rank(op, *a_parts), _sparse_rank(op, *b_parts))

    def kernel(self, a_indices, a_values, a_shape, b_indices, b_values, b_shape):
        return set_result(self.set_operation,
                          sparse_groups(a_indices, a_values, a_shape, self.validate_indices),
                          sparse_groups(b_indices, b_values, b_shape, self.validate_indices),
                          a_values.dtype)

