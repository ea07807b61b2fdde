"""TF1's elementwise binary ops on two SparseTensors: sparse_maximum and sparse_minimum.

Both operands are aligned on the union of their indices (an index absent from one
operand counts as an implicit zero there, as in TF1's SparseSparseMaximum/Minimum), then
the values are combined elementwise; gradients reach both operands' values."""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph.ops.elementwise import op_scope

__all__ = ["sparse_maximum", "sparse_minimum"]


def _aligned(sp_a: Any, sp_b: Any, combine: Callable, name: Optional[str],
             default_name: str) -> Any:
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.sparse_math import sparse_add
    from flowgraph.ops.sparse_util import sparse_module
    module = sparse_module()
    a = module.convert_to_sparse_tensor(sp_a)
    b = module.convert_to_sparse_tensor(sp_b)
    if a.dtype != b.dtype:
        raise TypeError(f"{default_name}: sp_a has values of dtype {a.dtype.name} but sp_b "
                        f"has {b.dtype.name}; cast one of them so both match")
    with op_scope(name, default_name, [a.indices, a.values, b.indices, b.values]):
        # a + 0*b and 0*a + b hold the same union of indices in one (row-major) order, with
        # each operand's value or an implicit zero; threshold 0 keeps every entry.
        zero_a = module.SparseTensor(a.indices, zeros_like(a.values), a.dense_shape)
        zero_b = module.SparseTensor(b.indices, zeros_like(b.values), b.dense_shape)
        left = sparse_add(a, zero_b)
        right = sparse_add(zero_a, b)
        return module.SparseTensor(left.indices, combine(left.values, right.values),
                                   left.dense_shape)


def sparse_maximum(sp_a: Any, sp_b: Any, name: Optional[str] = None) -> Any:
    """The elementwise maximum of two SparseTensors of one dense shape.

    Parameters
    ----------
    sp_a, sp_b : SparseTensor
        Operands of the same dense shape and dtype, indices in row-major order.
    name : str, optional
        Name scope of the ops.

    Returns
    -------
    SparseTensor
        Entries at the union of both operands' indices; an index missing from one
        operand compares against zero (so max(-2, absent) is 0).
    """
    from flowgraph.ops.math import maximum
    return _aligned(sp_a, sp_b, maximum, name, "SparseSparseMaximum")


def sparse_minimum(sp_a: Any, sp_b: Any, name: Optional[str] = None) -> Any:
    """The elementwise minimum of two SparseTensors of one dense shape.

    Parameters
    ----------
    sp_a, sp_b : SparseTensor
        Operands of the same dense shape and dtype, indices in row-major order.
    name : str, optional
        Name scope of the ops.

    Returns
    -------
    SparseTensor
        Entries at the union of both operands' indices; an index missing from one
        operand compares against zero (so min(3, absent) is 0).
    """
    from flowgraph.ops.math import minimum
    return _aligned(sp_a, sp_b, minimum, name, "SparseSparseMinimum")
