"""Reordering and repeating elements: transpose, reverse, tile, reverse_sequence, roll."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.array import as_int_tensor
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.shape_util import (
    check_index_dtype,
    check_vector,
    known_vector,
    normalize_axis,
    static_ints,
)
from flowgraph.shapes import TensorShape

__all__ = ["transpose", "invert_permutation", "reverse", "reverse_v2", "tile", "reverse_sequence",
           "roll"]


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

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        perm = op.inputs[1]
        known = constant_value(perm)
        if known is not None:
            inverse = constant(np.argsort(known).astype(perm.dtype.np), name="inverse_perm")
        else:
            inverse = invert_permutation(perm)
        return [apply_op(Transpose(), [dense(dy), inverse], name="transpose"), None]


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


@register
class InvertPermutation(Op):
    """The inverse of a permutation vector: ``y[x[i]] = i``."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        check_index_dtype(op, x, "x")
        check_vector(op, x, "x")
        return [(x.dtype, x.shape)]

    def kernel(self, x):
        perm = [int(p) for p in x]
        _check_perm(perm, len(perm), _invalid_argument)
        out = np.empty_like(x)
        out[x] = np.arange(len(perm), dtype=x.dtype)
        return out


def invert_permutation(x: Any, name: Optional[str] = None) -> Tensor:
    """The inverse permutation of the int32/int64 vector `x` (``y[x[i]] = i``).

    >>> fg.invert_permutation([3, 4, 0, 2, 1])    # [2, 4, 3, 0, 1]
    """
    return apply_op(InvertPermutation(), [as_int_tensor(x, "x")], name=name)


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

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        return [apply_op(ReverseV2(axis=self.axis), [dense(dy)], name="ReverseV2")]


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

    def grad(self, op, dy):
        """Sums the tiles: dy reshaped to [m0, d0, m1, d1, ...] and summed over the m axes."""
        from flowgraph.ops.array import stack
        from flowgraph.ops.array_grad import dense, shape_tensor
        from flowgraph.ops.reduce import reduce_sum
        from flowgraph.ops.shape_ops import reshape
        x, mult_t = op.inputs
        dy = dense(dy)
        mult = known_vector(mult_t)
        rank = len(mult) if mult is not None else x.shape.ndims
        if rank is None:
            raise ValueError(f"The gradient of Tile {op.name} needs the rank of its input "
                             "known when the graph is built")
        if rank == 0 or (mult is not None and all(m == 1 for m in mult)):
            return [dy, None]
        dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
        if mult is not None and None not in mult and None not in dims:
            split_shape: Any = [v for pair in zip(mult, dims) for v in pair]
        else:
            pairs = transpose(stack([mult_t, shape_tensor(x, mult_t.dtype)]))
            split_shape = reshape(pairs, [-1])
        summed = reduce_sum(reshape(dy, split_shape), axis=list(range(0, 2 * rank, 2)))
        summed.set_shape(x.shape)
        return [summed, None]


def tile(input: Any, multiples: Any, name: Optional[str] = None) -> Tensor:
    """Repeats `input` ``multiples[i]`` times along each dimension i."""
    return apply_op(Tile(), [convert_to_tensor(input), as_int_tensor(multiples, "multiples")],
                    name=name)


# --------------------------------------------------------------------------- reverse_sequence
@register
class ReverseSequence(Op):
    """Reverses the first ``seq_lengths[b]`` elements along `seq_dim` of each slice b along
    `batch_dim`; the elements past that length stay in place."""

    seq_dim: int
    batch_dim: int = 0

    def infer(self, op):
        x, lengths = op.inputs
        check_index_dtype(op, lengths, "seq_lengths")
        check_vector(op, lengths, "seq_lengths")
        rank = x.shape.ndims
        seq = normalize_axis(self.seq_dim, rank, "seq_axis")
        batch = normalize_axis(self.batch_dim, rank, "batch_axis")
        if seq is not None and seq == batch:
            raise ValueError(f"seq_axis and batch_axis must differ, both are {seq}")
        if rank is not None and lengths.shape.ndims == 1:
            dim, count = x.shape[batch].value, lengths.shape[0].value
            if dim is not None and count is not None and dim != count:
                raise ValueError(f"Length of seq_lengths != input.dims({batch}), "
                                 f"({count} vs. {dim})")
        return [(x.dtype, x.shape)]

    def kernel(self, x, seq_lengths):
        seq = self.seq_dim + x.ndim if self.seq_dim < 0 else self.seq_dim
        batch = self.batch_dim + x.ndim if self.batch_dim < 0 else self.batch_dim
        lengths = seq_lengths.astype(np.int64)
        steps = x.shape[seq]
        if lengths.shape != (x.shape[batch],):
            raise _invalid_argument(f"Length of seq_lengths != input.dims({batch}), "
                                    f"({lengths.size} vs. {x.shape[batch]})")
        if lengths.size and (lengths.min() < 0 or lengths.max() > steps):
            bad = int(np.flatnonzero((lengths < 0) | (lengths > steps))[0])
            raise _invalid_argument(f"seq_lens({bad}) = {lengths[bad]} is not in [0, "
                                    f"input.dims({seq}) = {steps}]")
        moved = np.moveaxis(x, (batch, seq), (0, 1))
        t = np.arange(steps)
        lengths = lengths[:, None]
        source = np.where(t < lengths, lengths - 1 - t, t)
        picked = moved[np.arange(moved.shape[0])[:, None], source]
        return np.moveaxis(picked, (0, 1), (batch, seq))

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        reversed_ = apply_op(self, [dense(dy), op.inputs[1]], name="ReverseSequence")
        return [reversed_, None]


def reverse_sequence(input: Any, seq_lengths: Any, seq_axis: Optional[int] = None,
                     batch_axis: Optional[int] = None, name: Optional[str] = None,
                     seq_dim: Optional[int] = None, batch_dim: Optional[int] = None) -> Tensor:
    """Reverses variable-length slices: along `seq_axis`, the first ``seq_lengths[b]``
    elements of each batch entry b (along `batch_axis`, default 0) are reversed."""
    for new, old, what in ((seq_axis, seq_dim, "seq"), (batch_axis, batch_dim, "batch")):
        if new is not None and old is not None:
            raise ValueError(f"Cannot specify both '{what}_axis' and '{what}_dim'")
    seq_axis = seq_dim if seq_axis is None else seq_axis
    batch_axis = batch_dim if batch_axis is None else batch_axis
    if seq_axis is None:
        raise ValueError("reverse_sequence needs seq_axis")
    op_def = ReverseSequence(seq_dim=int(seq_axis), batch_dim=int(batch_axis or 0))
    return apply_op(op_def, [convert_to_tensor(input), convert_to_tensor(seq_lengths)],
                    name=name)


# --------------------------------------------------------------------------- roll
@register
class Roll(Op):
    """Shifts elements along `axis` by `shift` (elements pushed past the end come back at
    the start); the `shift` and `axis` inputs are scalars or equally long vectors."""

    def infer(self, op):
        x, shift, axis = op.inputs
        check_index_dtype(op, shift, "shift")
        check_index_dtype(op, axis, "axis")
        if shift.shape.ndims is not None and axis.shape.ndims is not None and \
                not shift.shape.is_compatible_with(axis.shape):
            raise ValueError(f"shift and axis must have the same size, got shapes "
                             f"{shift.shape} and {axis.shape}")
        return [(x.dtype, x.shape)]

    def kernel(self, x, shift, axis):
        if shift.shape != axis.shape or shift.ndim > 1:
            raise _invalid_argument(f"shift and axis must have the same size, got shapes "
                                    f"{list(shift.shape)} and {list(axis.shape)}")
        axes = [int(a) for a in axis.reshape(-1)]
        for a in axes:
            if not -x.ndim <= a < x.ndim:
                raise _invalid_argument(f"axis {a} is out of range for a tensor of rank "
                                        f"{x.ndim}")
        if x.ndim == 0 or not axes:
            return x
        return np.roll(x, [int(s) for s in shift.reshape(-1)], axis=axes)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        from flowgraph.ops.unary import negative
        _, shift, axis = op.inputs
        known = constant_value(shift)
        back = constant(-known) if known is not None else negative(shift)
        return [apply_op(Roll(), [dense(dy), back, axis], name="Roll"), None, None]


def roll(input: Any, shift: Any, axis: Any, name: Optional[str] = None) -> Tensor:
    """Rolls `input` by `shift` places along `axis` (each may be a list: several axes)."""
    return apply_op(Roll(), [convert_to_tensor(input), as_int_tensor(shift, "shift"),
                             as_int_tensor(axis, "axis")], name=name)
