"""`fg.sets`: TF1's `tf.sets` (set_size, set_intersection, set_union, set_difference and
their short aliases), over the last dimension of dense tensors or SparseTensors.

>>> a = fg.constant([[1, 2, 2], [3, 0, 4]])
>>> b = fg.constant([[2, 1, 9], [4, 4, 8]])
>>> fg.Session().run(fg.sets.intersection(a, b)).values.tolist()
[1, 2, 4]
"""

from __future__ import annotations

from typing import Any

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import apply_op
from flowgraph.ops import sets as _ops
from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue

__all__ = ["set_size", "set_intersection", "set_union", "set_difference", "size",
           "intersection", "union", "difference"]


def _tensor_or_sparse(value: Any, name: str) -> Any:
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        return value
    return convert_to_tensor(value, name=name)


def _valid_names() -> str:
    return ", ".join(d.name for d in _ops.VALID_DTYPES)


def set_size(a: Any, validate_indices: bool = True) -> Tensor:
    """The number of distinct values in each set of SparseTensor `a` (the last dimension):
    an int32 tensor of `a`'s dense shape without its last dimension.

    `a`'s indices must be sorted in row-major order (checked when `validate_indices`).
    """
    a = _tensor_or_sparse(a, "a")
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a}. Use fg.sparse.from_dense(a) for a "
                        "dense tensor.")
    if a.dtype not in _ops.VALID_DTYPES:
        raise TypeError(f"Invalid dtype `{a.dtype.name}` not in supported dtypes: "
                        f"{_valid_names()}.")
    return apply_op(_ops.SetSize(validate_indices=bool(validate_indices)),
                    [a.indices, a.values, a.dense_shape])


def _convert(a: Any, b: Any) -> tuple:
    """(a, b, flipped): a dense, sparse pair is flipped to sparse, dense (the ops take only
    dense-dense, dense-sparse and sparse-sparse)."""
    a = _tensor_or_sparse(a, "a")
    if a.dtype not in _ops.VALID_DTYPES:
        raise TypeError(f"'a' has invalid dtype `{a.dtype.name}` not in supported dtypes: "
                        f"{_valid_names()}.")
    b = _tensor_or_sparse(b, "b")
    if a.dtype != b.dtype:
        raise TypeError(f"Types don't match, {a.dtype.name} vs {b.dtype.name}.")
    if isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        return b, a, True
    return a, b, False


def _set_operation(a: Any, b: Any, set_operation: str, validate_indices: bool) -> SparseTensor:
    validate = bool(validate_indices)
    if isinstance(a, SparseTensor):
        if not isinstance(b, SparseTensor):
            raise ValueError("Sparse,Dense is not supported, but Dense,Sparse is. Please flip "
                             "the order of your inputs.")
        op_def = _ops.SparseToSparseSetOperation(set_operation=set_operation,
                                            validate_indices=validate)
        inputs = [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape]
    elif isinstance(b, SparseTensor):
        op_def = _ops.DenseToSparseSetOperation(set_operation=set_operation,
                                           validate_indices=validate)
        inputs = [a, b.indices, b.values, b.dense_shape]
    else:
        op_def = _ops.DenseToDenseSetOperation(set_operation=set_operation,
                                          validate_indices=validate)
        inputs = [a, b]
    indices, values, shape = apply_op(op_def, inputs)
    return SparseTensor(indices, values, shape)


def set_intersection(a: Any, b: Any, validate_indices: bool = True) -> SparseTensor:
    """The intersection of the sets in the last dimension of `a` and `b` (Tensors or
    SparseTensors of the same dtype; all but the last dimension equal), as a SparseTensor
    whose sets are sorted; dense shape: the group shape + [largest set]."""
    a, b, _ = _convert(a, b)
    return _set_operation(a, b, "intersection", validate_indices)


def set_difference(a: Any, b: Any, aminusb: bool = True,
                   validate_indices: bool = True) -> SparseTensor:
    """The difference `a - b` (or `b - a` with aminusb=False) of the sets in the last
    dimension of `a` and `b`, as a SparseTensor (see `set_intersection`)."""
    a, b, flipped = _convert(a, b)
    if flipped:
        aminusb = not aminusb
    return _set_operation(a, b, "a-b" if aminusb else "b-a", validate_indices)


def set_union(a: Any, b: Any, validate_indices: bool = True) -> SparseTensor:
    """The union of the sets in the last dimension of `a` and `b`, as a SparseTensor (see
    `set_intersection`)."""
    a, b, _ = _convert(a, b)
    return _set_operation(a, b, "union", validate_indices)


size = set_size
intersection = set_intersection
union = set_union
difference = set_difference
