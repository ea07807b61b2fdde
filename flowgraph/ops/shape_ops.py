"""Shape ops: shape, size, rank, reshape, expand_dims, squeeze, broadcast_to, meshgrid."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor
from flowgraph.ops.array import as_int_tensor, stack
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_util import (
    check_index_dtype,
    check_vector,
    known_vector,
    normalize_axis,
    static_ints,
    vector_elements,
)
from flowgraph.shapes import TensorShape

__all__ = ["shape", "shape_n", "size", "rank", "reshape", "expand_dims", "squeeze",
           "broadcast_to", "meshgrid"]


def _check_out_type(out_type: DType) -> None:
    if out_type not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"out_type must be int32 or int64, got {out_type.name}")


# --------------------------------------------------------------------------- shape, size, rank
@register
class Shape(Op):
    """The shape of a tensor as a 1-D integer tensor."""

    out_type: DType = dtypes.int32
    differentiable = False

    def check(self):
        _check_out_type(self.out_type)

    def infer(self, op):
        return [(self.out_type, [op.inputs[0].shape.ndims])]

    def kernel(self, x):
        return np.array(np.shape(x), dtype=self.out_type.np)

    def static_value(self, op):
        shape = op.inputs[0].shape
        if not shape.is_fully_defined():
            return None
        return (np.array(shape.as_list(), dtype=self.out_type.np),)


def shape(input: Any, name: Optional[str] = None, out_type: Any = dtypes.int32) -> Tensor:
    """The shape of `input` as a 1-D int32 (or `out_type`) tensor; known when the graph is
    built (to `constant_value`) if the static shape is fully defined."""
    return apply_op(Shape(out_type=dtypes.as_dtype(out_type)), [convert_to_tensor(input)],
                    name=name)


@register
class ShapeN(Op):
    """The shapes of N tensors, one 1-D integer output each."""

    out_type: DType = dtypes.int32
    differentiable = False

    def check(self):
        _check_out_type(self.out_type)

    def infer(self, op):
        return [(self.out_type, [t.shape.ndims]) for t in op.inputs]

    def kernel(self, *values):
        shapes = [np.array(np.shape(v), dtype=self.out_type.np) for v in values]
        return shapes[0] if len(shapes) == 1 else tuple(shapes)

    def static_value(self, op):
        return tuple(np.array(t.shape.as_list(), dtype=self.out_type.np)
                     if t.shape.is_fully_defined() else None for t in op.inputs)


def shape_n(input: Any, out_type: Any = dtypes.int32, name: Optional[str] = None) -> list:
    """The shapes of a list of tensors (a list of 1-D int32 tensors)."""
    tensors = [convert_to_tensor(t) for t in input]
    if not tensors:
        raise ValueError("shape_n() needs at least one tensor")
    result = apply_op(ShapeN(out_type=dtypes.as_dtype(out_type)), tensors, name=name)
    return [result] if len(tensors) == 1 else result


@register
class Size(Op):
    """The number of elements of a tensor, as a scalar."""

    out_type: DType = dtypes.int32
    differentiable = False

    def check(self):
        _check_out_type(self.out_type)

    def infer(self, op):
        return [(self.out_type, [])]

    def kernel(self, x):
        return np.array(np.size(x), dtype=self.out_type.np)

    def static_value(self, op):
        count = op.inputs[0].shape.num_elements()
        return None if count is None else (np.array(count, dtype=self.out_type.np),)


def size(input: Any, name: Optional[str] = None, out_type: Any = dtypes.int32) -> Tensor:
    """The number of elements of `input` (a scalar int32 or `out_type` tensor)."""
    return apply_op(Size(out_type=dtypes.as_dtype(out_type)), [convert_to_tensor(input)],
                    name=name)


@register
class Rank(Op):
    """The number of dimensions of a tensor, as a scalar int32."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.int32, [])]

    def kernel(self, x):
        return np.array(np.ndim(x), dtype=np.int32)

    def static_value(self, op):
        rank_ = op.inputs[0].shape.ndims
        return None if rank_ is None else (np.array(rank_, dtype=np.int32),)


def rank(input: Any, name: Optional[str] = None) -> Tensor:
    """The rank (number of dimensions) of `input` as a scalar int32 tensor."""
    return apply_op(Rank(), [convert_to_tensor(input)], name=name)


# --------------------------------------------------------------------------- reshape
@register
class Reshape(Op):
    """The input's values in a new shape (the `shape` input; one entry may be -1)."""

    def infer(self, op):
        x, shape_t = op.inputs
        check_index_dtype(op, shape_t, "shape")
        check_vector(op, shape_t, "shape")
        wanted = known_vector(shape_t)
        if wanted is None:
            return [(x.dtype, TensorShape(None))]
        if any(v is not None and v < -1 for v in wanted):
            raise ValueError(f"Reshape shape {wanted} has a negative size other than -1")
        free = [i for i, v in enumerate(wanted) if v == -1]
        if len(free) > 1:
            raise ValueError(f"Cannot infer multiple unknown dimensions in shape {wanted}")
        out = [None if v == -1 else v for v in wanted]
        count = x.shape.num_elements()
        others = [v for i, v in enumerate(out) if not free or i != free[0]]
        rest = None if None in others else math.prod(others)
        if count is None or rest is None:
            if free and x.shape.ndims is not None:
                out[free[0]] = _matched_free_dim(x, vector_elements(shape_t), free[0])
            return [(x.dtype, out)]
        if free:
            if rest == 0 or count % rest:
                raise ValueError(f"Cannot reshape a tensor with {count} elements to shape "
                                 f"{wanted}: the known dimensions multiply to {rest}, which "
                                 f"does not divide {count}")
            out[free[0]] = count // rest
        elif rest != count:
            raise ValueError(f"Cannot reshape a tensor with {count} elements to shape "
                             f"{wanted} ({rest} elements)")
        return [(x.dtype, out)]

    def kernel(self, x, shape_):
        dims = [int(v) for v in shape_]
        if -1 in dims:
            rest = math.prod(v for v in dims if v != -1)
            if rest == 0 or x.size % rest:
                raise errors.InvalidArgumentError(
                    None, None, f"Input to reshape is a tensor with {x.size} values, but the "
                    f"requested shape requires a multiple of {rest}")
        elif math.prod(dims) != x.size:
            raise errors.InvalidArgumentError(
                None, None, f"Input to reshape is a tensor with {x.size} values, but the "
                f"requested shape has {math.prod(dims)}")
        return np.reshape(x, dims)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import reshape_to_input
        return [reshape_to_input(op, dy), None]


def _matched_free_dim(x: Tensor, elements: list, free: int) -> Optional[int]:
    """The -1 entry of a reshape of `x` with unknown dimensions, when every other unknown
    output entry is an unknown dimension of `x` itself (``reshape(x, [fg.shape(x)[0], -1])``
    of x (?, 28, 28) is (?, 784)); None otherwise."""
    dims = x.shape.as_list()
    matched: set = set()
    known_out = 1
    for j, (value, source) in enumerate(elements):
        if j == free:
            continue
        if value is not None:
            known_out *= value
            continue
        if source is None or source[0] is not x or dims[source[1]] is not None or \
                source[1] in matched:
            return None
        matched.add(source[1])
    rest = [d for i, d in enumerate(dims) if i not in matched]
    if None in rest or known_out == 0 or math.prod(rest) % known_out:
        return None
    return math.prod(rest) // known_out


def reshape(tensor: Any, shape: Any, name: Optional[str] = None) -> Tensor:
    """`tensor`'s values in a new `shape` (a list, TensorShape or 1-D int tensor; one entry
    may be -1, inferred from the number of elements).

    >>> fg.reshape(x, [-1, 784]).shape    # x of shape (?, 28, 28) -> (?, 784)
    """
    return apply_op(Reshape(), [convert_to_tensor(tensor), as_int_tensor(shape)], name=name)


# --------------------------------------------------------------------------- expand / squeeze
@register
class ExpandDims(Op):
    """Inserts a dimension of size 1 at `axis` (in [-rank-1, rank])."""

    axis: int

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        dims = x.shape.as_list()
        rank_ = len(dims)
        if not -rank_ - 1 <= self.axis <= rank_:
            raise ValueError(f"Tried to expand dim index {self.axis} for tensor with {rank_} "
                             f"dimensions; expected an axis in [{-rank_ - 1}, {rank_}]")
        axis = self.axis + rank_ + 1 if self.axis < 0 else self.axis
        return [(x.dtype, dims[:axis] + [1] + dims[axis:])]

    def kernel(self, x):
        return np.expand_dims(x, self.axis)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import reshape_to_input
        return [reshape_to_input(op, dy)]


def expand_dims(input: Any, axis: Any = None, name: Optional[str] = None,
                dim: Any = None) -> Tensor:
    """Inserts a dimension of size 1 at index `axis` (negative counts from the end)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("Must specify an axis argument to fg.expand_dims()")
    axes = static_ints(axis, "expand_dims axis")
    if len(axes) != 1:
        raise ValueError(f"expand_dims axis must be a single int, got {axis!r}")
    return apply_op(ExpandDims(axis=axes[0]), [convert_to_tensor(input)], name=name)


@register
class Squeeze(Op):
    """Removes dimensions of size 1: those in `axis`, or all of them when `axis` is empty."""

    axis: tuple = ()

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        dims = x.shape.as_list()
        if not self.axis:
            if None in dims:
                return [(x.dtype, TensorShape(None))]
            return [(x.dtype, [d for d in dims if d != 1])]
        axes = {normalize_axis(a, len(dims), "squeeze axis") for a in self.axis}
        for a in sorted(axes):
            if dims[a] not in (None, 1):
                raise ValueError(f"Can not squeeze dim[{a}], expected a dimension of 1, got "
                                 f"{dims[a]} (shape {x.shape})")
        return [(x.dtype, [d for i, d in enumerate(dims) if i not in axes])]

    def kernel(self, x):
        if not self.axis:
            return np.squeeze(x)
        axes = tuple(sorted({a + x.ndim if a < 0 else a for a in self.axis}))
        for a in axes:
            if x.shape[a] != 1:
                raise errors.InvalidArgumentError(
                    None, None, f"Can not squeeze dim[{a}], expected a dimension of 1, got "
                    f"{x.shape[a]}")
        return np.squeeze(x, axis=axes)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import reshape_to_input
        return [reshape_to_input(op, dy)]


def squeeze(input: Any, axis: Any = None, name: Optional[str] = None,
            squeeze_dims: Any = None) -> Tensor:
    """Removes dimensions of size 1 (all of them, or only those listed in `axis`)."""
    if axis is not None and squeeze_dims is not None:
        raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
    axis = squeeze_dims if axis is None else axis
    axes = () if axis is None else static_ints(axis, "squeeze axis")
    return apply_op(Squeeze(axis=axes), [convert_to_tensor(input)], name=name)


# --------------------------------------------------------------------------- broadcast_to
@register
class BroadcastTo(Op):
    """The input broadcast (numpy rules) to the shape given by the `shape` input."""

    broadcasting = True  # the gradient (dy itself) is summed back to the input's shape

    def infer(self, op):
        x, shape_t = op.inputs
        check_index_dtype(op, shape_t, "shape")
        check_vector(op, shape_t, "shape")
        wanted = known_vector(shape_t)
        if wanted is None:
            return [(x.dtype, TensorShape(None))]
        out = [None if v is None or v < 0 else v for v in wanted]
        if x.shape.ndims is None:
            return [(x.dtype, out)]
        dims = x.shape.as_list()
        if len(dims) > len(out):
            raise ValueError(f"Unable to broadcast tensor of shape {x.shape} to tensor of "
                             f"shape {wanted}: the target has fewer dimensions")
        offset = len(out) - len(dims)
        for i, d in enumerate(dims):
            target = out[offset + i]
            if d is None or d == 1:
                continue
            if target is None:
                out[offset + i] = d
            elif target != d:
                raise ValueError(f"Unable to broadcast tensor of shape {x.shape} to tensor of "
                                 f"shape {wanted}")
        return [(x.dtype, out)]

    def kernel(self, x, shape_):
        dims = tuple(int(v) for v in shape_)
        try:
            return np.broadcast_to(x, dims)
        except ValueError:
            raise errors.InvalidArgumentError(
                None, None, f"Unable to broadcast tensor of shape {list(x.shape)} to tensor "
                f"of shape {list(dims)}") from None

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        return [dense(dy), None]


def broadcast_to(input: Any, shape: Any, name: Optional[str] = None) -> Tensor:
    """`input` broadcast to `shape` with numpy's rules (a read-only view: no copy)."""
    return apply_op(BroadcastTo(), [convert_to_tensor(input), as_int_tensor(shape)],
                    name=name)


# --------------------------------------------------------------------------- meshgrid
def meshgrid(*args: Any, **kwargs: Any) -> list:
    """N-D coordinate grids from N 1-D tensors, as numpy's meshgrid.

    Keyword arguments: ``indexing="xy"`` (Cartesian: the first two output dimensions are
    swapped) or ``"ij"`` (matrix), and ``name="meshgrid"``.
    """
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"Invalid keyword arguments: {sorted(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    if not args:
        return []
    tensors = [convert_to_tensor(a) for a in args]
    graph = tensors[0].graph
    count = len(tensors)
    order = list(range(count))
    if indexing == "xy" and count > 1:
        order[0], order[1] = 1, 0
    with graph.name_scope(name):
        sizes: list = []
        for t in tensors:
            t_size = t.shape.num_elements()
            sizes.append(t_size if t_size is not None else size(t))
        out_sizes = [sizes[order[i]] for i in range(count)]
        out_shape = stack(out_sizes) if any(isinstance(s, Tensor) for s in out_sizes) \
            else out_sizes
        outputs = []
        for i, t in enumerate(tensors):
            position = order.index(i)
            grid_shape = [1] * count
            grid_shape[position] = -1
            outputs.append(broadcast_to(reshape(t, grid_shape), out_shape))
    return outputs

