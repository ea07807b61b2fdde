"""Joining and splitting tensors: stack, unstack, concat, split (TF1's Pack, Unpack, ConcatV2,
Split, SplitV)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import constant, convert_to_tensor, identity
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_util import (
    check_index_dtype,
    check_vector,
    known_vector,
    normalize_axis,
    static_int,
)
from flowgraph.shapes import Dimension, TensorShape

__all__ = ["stack", "unstack", "concat", "split"]


def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "__fg_tensor__")


def as_int_tensor(value: Any, what: str = "shape") -> Tensor:
    """An int32/int64 tensor from a Tensor, TensorShape, int, or list mixing ints and scalar
    tensors (packed with Pack, as TF1's autopacking does)."""
    if _is_tensor_like(value):
        return convert_to_tensor(value)
    if isinstance(value, TensorShape):
        if not value.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {value} to a "
                             f"Tensor for {what}")
        value = value.as_list()
    if isinstance(value, (list, tuple)):
        items = [v.value if isinstance(v, Dimension) else v for v in value]
        if any(v is None for v in items):
            raise ValueError(f"{what} {list(items)} has an unknown (None) element; pass a "
                             "tensor such as fg.shape(x) for dimensions known only at run time")
        if any(_is_tensor_like(v) for v in items):
            return stack(items, name="stack")
        value = items
    if np.size(value) == 0:
        return convert_to_tensor(value, dtype=dtypes.int32)
    kind = dtypes.dtype_of_value(value)
    if kind not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"{what} must hold int32 or int64 values, got {kind.name} "
                        f"{value!r}")
    return convert_to_tensor(value, dtype=kind)


def _as_tensors(values: Any) -> list:
    """Tensors as they are; Python values converted to the first tensor's dtype (so that a
    dtype mismatch between tensors is reported by the op, as a TypeError)."""
    dtype = next((convert_to_tensor(v).dtype for v in values if _is_tensor_like(v)), None)
    return [convert_to_tensor(v) if _is_tensor_like(v) else convert_to_tensor(v, dtype=dtype)
            for v in values]


def _common_dtype(op: Any) -> dtypes.DType:
    first = op.inputs[0].dtype
    for t in op.inputs[1:]:
        if t.dtype != first:
            raise TypeError(f"{op.type} needs all inputs of one dtype, got {first.name} "
                            f"({op.inputs[0].name}) and {t.dtype.name} ({t.name})")
    return first


def _merged_shape(op: Any) -> TensorShape:
    merged = TensorShape(None)
    for t in op.inputs:
        if not merged.is_compatible_with(t.shape):
            raise ValueError(f"{op.type} needs inputs of one shape: shapes {merged} and "
                             f"{t.shape} ({t.name}) are incompatible")
        merged = merged.merge_with(t.shape)
    return merged


# --------------------------------------------------------------------------- stack / unstack
@register
class Pack(Op):
    """Stacks N tensors of one shape into one tensor of rank + 1, along `axis`."""

    axis: int = 0

    def infer(self, op):
        dtype = _common_dtype(op)
        shape = _merged_shape(op)
        if shape.ndims is None:
            return [(dtype, TensorShape(None))]
        axis = normalize_axis(self.axis, shape.ndims + 1)
        dims = shape.as_list()
        return [(dtype, dims[:axis] + [len(op.inputs)] + dims[axis:])]

    def kernel(self, *values):
        first = values[0].shape
        for i, v in enumerate(values[1:], 1):
            if v.shape != first:
                raise errors.InvalidArgumentError(
                    None, None, f"Shapes of all inputs must match: values[0].shape = "
                    f"{list(first)} != values[{i}].shape = {list(v.shape)}")
        return np.stack(values, axis=self.axis)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        return unstack(dense(dy), num=len(op.inputs), axis=self.axis)


def stack(values: Any, axis: int = 0, name: str = "stack") -> Tensor:
    """Stacks a list of rank-R tensors into one rank-(R+1) tensor along `axis`.

    >>> fg.stack([[1, 4], [2, 5], [3, 6]], axis=1)   # [[1, 2, 3], [4, 5, 6]]
    """
    axis = static_int(axis, "stack axis")
    if not isinstance(values, (list, tuple)):
        values = [values]
    if axis == 0 and not any(_is_tensor_like(v) for v in values):
        try:
            return constant(values, name=name)
        except (TypeError, ValueError):
            pass
    if not values:
        raise ValueError("stack() needs at least one value")
    tensors = _as_tensors(values)
    rank = tensors[0].shape.ndims
    if rank is not None and not -(rank + 1) <= axis < rank + 1:
        raise ValueError(f"axis = {axis} not in [{-(rank + 1)}, {rank + 1})")
    return apply_op(Pack(axis=axis), tensors, name=name)


@register
class Unpack(Op):
    """Splits a tensor into `num` tensors along `axis`, removing that dimension."""

    num: int
    axis: int = 0

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))] * self.num
        dims = x.shape.as_list()
        axis = normalize_axis(self.axis, len(dims), "unstack axis")
        if dims[axis] is not None and dims[axis] != self.num:
            raise ValueError(f"Cannot unstack {self.num} tensors from dimension {axis} of "
                             f"size {dims[axis]} (shape {x.shape})")
        return [(x.dtype, dims[:axis] + dims[axis + 1:])] * self.num

    def kernel(self, x):
        axis = self.axis + x.ndim if self.axis < 0 else self.axis
        if x.shape[axis] != self.num:
            raise errors.InvalidArgumentError(
                None, None, f"Input shape axis {axis} must equal {self.num}, got shape "
                f"{list(x.shape)}")
        lead = (slice(None),) * axis
        return _outputs([x[lead + (i,)] for i in range(self.num)])

    def grad(self, op, *grads):
        from flowgraph.ops.array_grad import dense
        return [stack([dense(g) for g in grads], axis=self.axis)]


def unstack(value: Any, num: Optional[int] = None, axis: int = 0,
            name: str = "unstack") -> list:
    """Unpacks dimension `axis` of a rank-R tensor into a list of `num` rank-(R-1) tensors
    (`num` is inferred from the static shape when None)."""
    value = convert_to_tensor(value)
    axis = static_int(axis, "unstack axis")
    if num is None:
        shape = value.shape
        if shape.ndims is None:
            raise ValueError(f"Cannot infer num from shape {shape}")
        dim = shape[normalize_axis(axis, shape.ndims, "unstack axis")].value
        if dim is None:
            raise ValueError(f"Cannot infer num from shape {shape}")
        num = dim
    num = static_int(num, "unstack num")
    result = apply_op(Unpack(num=num, axis=axis), [value], name=name)
    if num == 1:
        return [result]
    return [] if num == 0 else result


# --------------------------------------------------------------------------- concat
@register
class ConcatV2(Op):
    """Joins tensors of one rank along an existing dimension `axis`."""

    axis: int

    def infer(self, op):
        dtype = _common_dtype(op)
        known = [t.shape for t in op.inputs if t.shape.ndims is not None]
        if not known:
            return [(dtype, TensorShape(None))]
        rank = known[0].ndims
        if rank == 0:
            raise ValueError("Can't concatenate scalars (use fg.stack instead)")
        axis = normalize_axis(self.axis, rank, "concat axis")
        out: list = [None] * rank
        total: Optional[int] = 0
        for shape in known:
            if shape.ndims != rank:
                raise ValueError(f"Shape {shape} must have rank {rank} to be concatenated "
                                 f"with shape {known[0]}")
        for t in op.inputs:
            if t.shape.ndims is None:
                total = None
                continue
            dims = t.shape.as_list()
            for i, d in enumerate(dims):
                if i == axis or d is None:
                    continue
                if out[i] is not None and out[i] != d:
                    raise ValueError(f"Dimension {i} in both shapes must be equal to "
                                     f"concatenate along axis {axis}: got {out[i]} and {d} "
                                     f"(shape {t.shape})")
                out[i] = d
            total = None if total is None or dims[axis] is None else total + dims[axis]
        out[axis] = total
        return [(dtype, out)]

    def kernel(self, *values):
        first = values[0]
        axis = self.axis + first.ndim if self.axis < 0 else self.axis
        for i, v in enumerate(values[1:], 1):
            if v.ndim != first.ndim or any(a != b for j, (a, b) in
                                           enumerate(zip(v.shape, first.shape)) if j != axis):
                raise errors.InvalidArgumentError(
                    None, None, f"ConcatOp : Dimensions of inputs should match: shape[0] = "
                    f"{list(first.shape)} vs. shape[{i}] = {list(v.shape)}")
        return np.concatenate(values, axis=axis)

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense, shape_tensor
        dy = dense(dy)
        if len(op.inputs) == 1:
            return [dy]
        rank = next((t.shape.ndims for t in list(op.inputs) + [dy] if t.shape.ndims is not None),
                    None)
        sizes: Any = None
        if rank is not None:
            axis = normalize_axis(self.axis, rank, "concat axis")
            sizes = [t.shape[axis].value if t.shape.ndims is not None else None
                     for t in op.inputs]
        if sizes is None or None in sizes:  # sizes known only at run time
            sizes = stack([shape_tensor(t)[self.axis] for t in op.inputs])
        return split(dy, sizes, axis=self.axis, num=len(op.inputs))


def concat(values: Any, axis: int, name: str = "concat") -> Tensor:
    """Concatenates a list of tensors along dimension `axis` (a single tensor is returned
    through an Identity named ``<name>/<name>``, next to a ``concat_dim`` constant, as in
    TF1)."""
    axis = static_int(axis, "concat axis")
    if not isinstance(values, (list, tuple)):
        values = [values]
    if not values:
        raise ValueError("concat() needs at least one value")
    if len(values) == 1:
        from flowgraph.graph import name_scope
        with name_scope(name, "concat", values):
            constant(axis, dtype=dtypes.int32, name="concat_dim")
            return identity(values[0], name=name or "concat")
    return apply_op(ConcatV2(axis=axis), _as_tensors(values), name=name)


# --------------------------------------------------------------------------- split
@register
class Split(Op):
    """Splits a tensor into `num_split` equal pieces along `axis`."""

    num_split: int
    axis: int = 0

    def check(self):
        if self.num_split < 1:
            raise ValueError(f"Split needs num_split >= 1, got {self.num_split}")

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))] * self.num_split
        dims = x.shape.as_list()
        axis = normalize_axis(self.axis, len(dims), "split axis")
        size = dims[axis]
        if size is not None:
            if size % self.num_split:
                raise ValueError(f"Number of ways to split should evenly divide the split "
                                 f"dimension, but got split_dim {axis} (size = {size}) and "
                                 f"num_split {self.num_split}")
            size //= self.num_split
        return [(x.dtype, dims[:axis] + [size] + dims[axis + 1:])] * self.num_split

    def kernel(self, x):
        axis = self.axis + x.ndim if self.axis < 0 else self.axis
        if x.shape[axis] % self.num_split:
            raise errors.InvalidArgumentError(
                None, None, f"Number of ways to split should evenly divide the split "
                f"dimension, but got split_dim {axis} (size = {x.shape[axis]}) and num_split "
                f"{self.num_split}")
        return _outputs(np.split(x, self.num_split, axis=axis))

    def grad(self, op, *grads):
        from flowgraph.ops.array_grad import dense
        return [concat([dense(g) for g in grads], self.axis)]


@register
class SplitV(Op):
    """Splits a tensor along `axis` into pieces of the sizes in the `size_splits` input (one
    size may be -1: the rest)."""

    num_split: int
    axis: int = 0

    def infer(self, op):
        x, sizes_t = op.inputs
        check_index_dtype(op, sizes_t, "size_splits")
        check_vector(op, sizes_t, "size_splits", self.num_split)
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))] * self.num_split
        dims = x.shape.as_list()
        axis = normalize_axis(self.axis, len(dims), "split axis")
        sizes = known_vector(sizes_t) or [None] * self.num_split
        sizes = _resolve_sizes(sizes, dims[axis], errors_as=ValueError)
        return [(x.dtype, dims[:axis] + [s] + dims[axis + 1:]) for s in sizes]

    def kernel(self, x, size_splits):
        axis = self.axis + x.ndim if self.axis < 0 else self.axis
        sizes = _resolve_sizes([int(s) for s in size_splits], x.shape[axis],
                               errors_as=_invalid_argument)
        return _outputs(np.split(x, np.cumsum(sizes[:-1]), axis=axis))

    def grad(self, op, *grads):
        from flowgraph.ops.array_grad import dense
        return [concat([dense(g) for g in grads], self.axis), None]


def _outputs(parts: list) -> Any:
    """A kernel's result: one array for a single output, else a tuple."""
    return parts[0] if len(parts) == 1 else tuple(parts)


def _invalid_argument(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _resolve_sizes(sizes: list, total: Optional[int], errors_as: Any) -> list:
    """Split sizes with the one -1 replaced by what is left of `total` (None if unknown)."""
    free = [i for i, s in enumerate(sizes) if s == -1]
    if len(free) > 1:
        raise errors_as(f"size_splits {sizes} has more than one -1; at most one size can be "
                        "inferred")
    if any(s is not None and s < -1 for s in sizes):
        raise errors_as(f"size_splits {sizes} has a negative size other than -1")
    known_sum = sum(s for s in sizes if s is not None and s >= 0)
    if total is None or any(s is None for s in sizes):
        if free and all(s is not None for s in sizes):
            return [None if s == -1 else s for s in sizes]
        return [None if s is None or s == -1 else s for s in sizes]
    if free:
        if known_sum > total:
            raise errors_as(f"Determined shape must either match input shape along split_dim "
                            f"exactly if fully specified, or be less than the size of the input "
                            f"along split_dim if not fully specified.  Got: {known_sum}")
        sizes = list(sizes)
        sizes[free[0]] = total - known_sum
    elif known_sum != total:
        raise errors_as(f"Determined shape must either match input shape along split_dim "
                        f"exactly if fully specified, or be less than the size of the input "
                        f"along split_dim if not fully specified.  Got: {known_sum} (the "
                        f"dimension has size {total})")
    return sizes


def split(value: Any, num_or_size_splits: Any, axis: int = 0, num: Optional[int] = None,
          name: str = "split") -> list:
    """Splits `value` along `axis`: into `num_or_size_splits` equal pieces (an int), or into
    pieces of the given sizes (a list or 1-D tensor; one size may be -1)."""
    value = convert_to_tensor(value)
    axis = static_int(axis, "split axis")
    if isinstance(num_or_size_splits, (int, np.integer, Dimension)) and \
            not isinstance(num_or_size_splits, bool):
        count = int(num_or_size_splits)
        result = apply_op(Split(num_split=count, axis=axis), [value], name=name)
        return [result] if count == 1 else result
    sizes = as_int_tensor(num_or_size_splits, "size_splits")
    if sizes.shape.ndims == 0:
        raise ValueError(f"Rank-0 tensors are not supported as the num_or_size_splits argument "
                         f"to split. Argument provided: {num_or_size_splits!r}")
    if num is None:
        if sizes.shape.ndims is not None:
            num = sizes.shape[0].value
        if num is None:
            raise ValueError(f"Cannot infer num from shape {sizes.shape}")
    num = static_int(num, "split num")
    result = apply_op(SplitV(num_split=num, axis=axis), [value, sizes], name=name)
    return [result] if num == 1 else result
