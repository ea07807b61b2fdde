"""Reordering and repeating elements: transpose, reverse, tile."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.array import as_int_tensor
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_util import (
    check_index_dtype,
    check_vector,
    known_vector,
    normalize_axis,
    static_ints,
)
from flowgraph.shapes import TensorShape

__all__ = ["transpose", "reverse", "reverse_v2", "tile"]


# --------------------------------------------------------------------------- transpose
@register
class Transpose(Op):
    """Permutes the dimensions: output dimension i is input dimension ``perm[i]``."""

    def infer(self, op):
        x, perm_t = op.inputs
        check_index_dtype(op, perm_t, "perm")
        check_vector(op, perm_t, "perm", x.shape.ndims)
        perm = known_vector(perm_t)
        if perm is None:
            rank = x.shape.ndims
            return [(x.dtype, TensorShape(None if rank is None else [None] * rank))]
        rank = len(perm)
        if None not in perm:
            _check_perm(perm, rank, ValueError)
        if x.shape.ndims is None:
            return [(x.dtype, [None] * rank)]
        dims = x.shape.as_list()
        return [(x.dtype, [None if p is None else dims[p] for p in perm])]

    def kernel(self, x, perm):
        perm = [int(p) for p in perm]
        if len(perm) != x.ndim:
            raise errors.InvalidArgumentError(
                None, None, f"transpose expects a vector of size {x.ndim}. But input(1) is a "
                f"vector of size {len(perm)}")
        _check_perm(perm, x.ndim, _invalid_argument)
        return np.transpose(x, perm)


def _invalid_argument(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _check_perm(perm: list, rank: int, error: Any) -> None:
    for p in perm:
        if not 0 <= p < rank:
            raise error(f"perm {perm} has the entry {p}, which is not a dimension of a tensor "
                        f"of rank {rank}")
    missing = sorted(set(range(rank)) - set(perm))
    if missing:
        raise error(f"perm {perm} is not a permutation: {missing[0]} is missing")


def transpose(a: Any, perm: Any = None, name: str = "transpose",
              conjugate: bool = False) -> Tensor:
    """Permutes the dimensions of `a` by `perm` (default: reversed, so a matrix is
    transposed)."""
    with op_scope(name, "transpose", [a]) as scope:
        a = convert_to_tensor(a)
        rank = a.shape.ndims
        if perm is not None:
            perm_t = as_int_tensor(perm, "perm")
        elif rank is not None:
            perm_t = constant(np.arange(rank - 1, -1, -1, dtype=np.int32), name="perm")
        else:
            from flowgraph.ops.fill import range as range_
            from flowgraph.ops.shape_ops import rank as rank_
            perm_t = reverse(range_(0, rank_(a), 1), [0])
        return apply_op(Transpose(), [a, perm_t], name=scope)


# --------------------------------------------------------------------------- reverse
@register
class ReverseV2(Op):
    """Reverses the order of elements along each dimension in `axis`."""

    axis: tuple = ()

    def infer(self, op):
        x = op.inputs[0]
        rank = x.shape.ndims
        seen: set = set()
        for a in self.axis:
            axis = normalize_axis(a, rank, "reverse axis")
            if axis is not None and axis in seen:
                raise ValueError(f"axis {axis} specified more than once (axis={list(self.axis)})")
            seen.add(axis)
        return [(x.dtype, x.shape)]

    def kernel(self, x):
        axes = tuple(a + x.ndim if a < 0 else a for a in self.axis)
        return np.flip(x, axis=axes) if axes else x


def reverse(tensor: Any, axis: Any, name: Optional[str] = None) -> Tensor:
    """Reverses `tensor` along the dimensions listed in `axis` (negative counts from the end);
    a view, no copy."""
    axes = static_ints(axis, "reverse axis")
    return apply_op(ReverseV2(axis=axes), [convert_to_tensor(tensor)], name=name)


reverse_v2 = reverse


# --------------------------------------------------------------------------- tile
@register
class Tile(Op):
    """Repeats the input ``multiples[i]`` times along dimension i."""

    def infer(self, op):
        x, mult_t = op.inputs
        check_index_dtype(op, mult_t, "multiples")
        check_vector(op, mult_t, "multiples", x.shape.ndims)
        mult = known_vector(mult_t)
        rank = x.shape.ndims if mult is None else len(mult)
        if rank is None:
            return [(x.dtype, TensorShape(None))]
        mult = mult or [None] * rank
        if any(m is not None and m < 0 for m in mult):
            raise ValueError(f"Tile multiples must be non-negative, got {mult}")
        dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
        return [(x.dtype, [0 if m == 0 or d == 0 else None if d is None or m is None else d * m
                           for d, m in zip(dims, mult)])]

    def kernel(self, x, multiples):
        mult = [int(m) for m in multiples]
        if len(mult) != x.ndim:
            raise errors.InvalidArgumentError(
                None, None, f"Expected multiples argument to be a vector of length {x.ndim} "
                f"but got length {len(mult)}")
        for i, m in enumerate(mult):
            if m < 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected multiples[{i}] >= 0, but got {m}")
        return np.tile(x, mult) if mult else x


def tile(input: Any, multiples: Any, name: Optional[str] = None) -> Tensor:
    """Repeats `input` ``multiples[i]`` times along each dimension i."""
    return apply_op(Tile(), [convert_to_tensor(input), as_int_tensor(multiples, "multiples")],
                    name=name)
