"""More of TF1's array ops: unique_with_counts, setdiff1d, broadcast_dynamic_shape /
broadcast_static_shape, space_to_depth / depth_to_space, identity_n, ensure_shape,
bincount, unravel_index, repeat."""

from __future__ import annotations

import collections
from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.shapes import TensorShape, as_shape, broadcast_shapes

__all__ = ["unique_with_counts", "setdiff1d", "broadcast_dynamic_shape",
           "broadcast_static_shape", "space_to_depth", "depth_to_space", "identity_n",
           "ensure_shape", "bincount", "unravel_index", "repeat", "batch_gather"]

UniqueWithCountsOutput = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])
ListDiffOutput = collections.namedtuple("ListDiff", ["out", "idx"])


def _invalid(op: Any, message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, op, message)


@register
class UniqueWithCounts(Op):
    """The distinct values of a 1-D tensor (in order of first appearance), the index of each
    element's value among them, and how often each value occurs."""

    out_idx: str = "int32"
    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        x.shape.with_rank(1)
        idx = dtypes.as_dtype(self.out_idx)
        return [(x.dtype, TensorShape([None])), (idx, x.shape), (idx, TensorShape([None]))]

    def kernel(self, x):
        if x.ndim != 1:
            raise _invalid(None, f"unique expects a 1D vector, got shape {list(x.shape)}")
        values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                                   return_counts=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        idx_type = dtypes.as_dtype(self.out_idx).np
        return (values[order].astype(x.dtype), rank[inverse.reshape(-1)].astype(idx_type),
                counts[order].astype(idx_type))


@register
class ListDiff(Op):
    """The elements of 1-D x that are not in 1-D y (in x's order), and their positions."""

    out_idx: str = "int32"
    differentiable = False

    def infer(self, op):
        x, y = op.inputs
        if x.dtype != y.dtype:
            raise TypeError(f"setdiff1d needs x and y of one dtype, got {x.dtype.name} and "
                            f"{y.dtype.name}")
        x.shape.with_rank(1)
        y.shape.with_rank(1)
        return [(x.dtype, TensorShape([None])),
                (dtypes.as_dtype(self.out_idx), TensorShape([None]))]

    def kernel(self, x, y):
        keep = ~np.isin(x, y)
        idx = np.nonzero(keep)[0].astype(dtypes.as_dtype(self.out_idx).np)
        return x[keep], idx


@register
class BroadcastArgs(Op):
    """The broadcast shape of two shape vectors (ValueError-like InvalidArgumentError when
    they do not broadcast)."""

    differentiable = False

    def infer(self, op):
        s0, s1 = op.inputs
        if s0.dtype != s1.dtype or s0.dtype.name not in ("int32", "int64"):
            raise TypeError(f"broadcast_dynamic_shape takes two int32 or int64 shape vectors "
                            f"of one dtype, got {s0.dtype.name} and {s1.dtype.name}")
        n0, n1 = s0.shape.with_rank(1)[0].value, s1.shape.with_rank(1)[0].value
        length = max(n0, n1) if n0 is not None and n1 is not None else None
        return [(s0.dtype, TensorShape([length]))]

    def kernel(self, s0, s1):
        try:
            shape = np.broadcast_shapes(tuple(s0.tolist()), tuple(s1.tolist()))
        except ValueError:
            raise _invalid(None, f"Incompatible shapes: {s0.tolist()} vs. "
                                 f"{s1.tolist()}") from None
        return np.array(shape, dtype=s0.dtype)


def _block_size(value: Any) -> int:
    size = int(value)
    if size < 2:
        raise ValueError(f"block_size must be at least 2, got {size}")
    return size


def _nhwc(op: Any, x: Tensor, data_format: str) -> TensorShape:
    if data_format != "NHWC":
        raise ValueError(f"{op.type}: only data_format='NHWC' is supported, got "
                         f"{data_format!r}")
    return x.shape.with_rank(4)


@register
class SpaceToDepth(Op):
    """Moves block_size x block_size spatial blocks of an NHWC tensor into its depth."""

    block_size: int = 2
    data_format: str = "NHWC"

    def infer(self, op):
        n, h, w, c = _nhwc(op, op.inputs[0], self.data_format).as_list()
        b = self.block_size
        for name, dim in (("height", h), ("width", w)):
            if dim is not None and dim % b:
                raise ValueError(f"SpaceToDepth: the {name} {dim} is not divisible by "
                                 f"block_size {b}")
        return [(op.inputs[0].dtype, TensorShape([
            n, None if h is None else h // b, None if w is None else w // b,
            None if c is None else c * b * b]))]

    def kernel(self, x):
        n, h, w, c = x.shape
        b = self.block_size
        if h % b or w % b:
            raise _invalid(None, f"Image height {h} and width {w} must be multiples of "
                                 f"block_size {b}")
        y = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
        return np.ascontiguousarray(y).reshape(n, h // b, w // b, b * b * c)

    def grad(self, op, dy):
        return [depth_to_space(dy, self.block_size)]


@register
class DepthToSpace(Op):
    """Moves depth of an NHWC tensor into block_size x block_size spatial blocks."""

    block_size: int = 2
    data_format: str = "NHWC"

    def infer(self, op):
        n, h, w, c = _nhwc(op, op.inputs[0], self.data_format).as_list()
        b = self.block_size
        if c is not None and c % (b * b):
            raise ValueError(f"DepthToSpace: the depth {c} is not divisible by block_size^2 "
                             f"= {b * b}")
        return [(op.inputs[0].dtype, TensorShape([
            n, None if h is None else h * b, None if w is None else w * b,
            None if c is None else c // (b * b)]))]

    def kernel(self, x):
        n, h, w, c = x.shape
        b = self.block_size
        if c % (b * b):
            raise _invalid(None, f"Input depth {c} must be divisible by block_size^2 {b * b}")
        y = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
        return np.ascontiguousarray(y).reshape(n, h * b, w * b, c // (b * b))

    def grad(self, op, dy):
        return [space_to_depth(dy, self.block_size)]


@register
class IdentityN(Op):
    """Passes each of its inputs through unchanged (one output per input)."""

    def infer(self, op):
        return [(t.dtype, t.shape) for t in op.inputs]

    def kernel(self, *values):
        # (a one-output op's kernel returns its value itself, not a 1-tuple)
        return values[0] if len(values) == 1 else tuple(values)

    def grad(self, op, *dys):
        return list(dys)


@register
class EnsureShape(Op):
    """Passes its input through, checking at run time that its shape fits `shape`."""

    shape: tuple = ()
    known_rank: bool = True

    def _expected(self) -> TensorShape:
        return TensorShape(list(self.shape)) if self.known_rank else TensorShape(None)

    def infer(self, op):
        x = op.inputs[0]
        expected = self._expected()
        if not x.shape.is_compatible_with(expected):
            raise ValueError(f"Shape of tensor {x.name} {x.shape} is not compatible with "
                             f"expected shape {expected}.")
        return [(x.dtype, x.shape.merge_with(expected))]

    def fast_kernel(self, op):
        expected = self._expected()

        def check(x):
            if not expected.is_compatible_with(np.shape(x)):
                raise _invalid(op, f"Shape of tensor {op.inputs[0].name} "
                                   f"{list(np.shape(x))} is not compatible with expected "
                                   f"shape {expected}.")
            return x
        return check

    def kernel(self, x):
        return self.fast_kernel(None)(x)

    def grad(self, op, dy):
        return [dy]


@register
class Bincount(Op):
    """Counts (or sums `weights` of) each non-negative int32 value: output[i] is the count
    of i, of length max(max(arr) + 1, minlength) capped at maxlength."""

    minlength: int = 0
    maxlength: int = -1
    dtype: str = "int32"
    differentiable = False

    def infer(self, op):
        arr = op.inputs[0]
        if arr.dtype != dtypes.int32:
            raise TypeError(f"bincount takes int32 values, got {arr.dtype.name}")
        out = op.inputs[1].dtype if len(op.inputs) > 1 else dtypes.as_dtype(self.dtype)
        # As TF1, the length is static when arr's value is known while building the graph.
        known = constant_value(arr)
        if known is None or (known.size and known.min() < 0):
            return [(out, TensorShape([None]))]
        return [(out, TensorShape([self.length(known.reshape(-1))]))]

    def length(self, flat: np.ndarray) -> int:
        """max(max(arr) + 1, minlength), capped at maxlength when that is given."""
        length = max(int(flat.max()) + 1 if flat.size else 0, self.minlength)
        return min(length, self.maxlength) if self.maxlength >= 0 else length

    def kernel(self, arr, weights=None):
        flat = arr.reshape(-1)
        if flat.size and flat.min() < 0:
            raise _invalid(None, f"bincount: input arr must be non-negative, got "
                                 f"{int(flat.min())}")
        length = self.length(flat)
        if self.maxlength >= 0:
            keep = flat < length
            flat = flat[keep]
            if weights is not None:
                weights = weights.reshape(-1)[keep]
        w = None if weights is None else weights.reshape(-1)
        out_type = dtypes.as_dtype(self.dtype).np if weights is None else weights.dtype
        return np.bincount(flat, weights=w, minlength=length)[:length].astype(out_type)


@register
class UnravelIndex(Op):
    """Converts flat indices into coordinate arrays of a tensor of shape `dims`."""

    differentiable = False

    def infer(self, op):
        indices, dims = op.inputs
        n = dims.shape.with_rank(1)[0].value
        if indices.shape.ndims == 0:
            return [(indices.dtype, TensorShape([n]))]
        if indices.shape.ndims == 1:
            return [(indices.dtype, TensorShape([n, indices.shape[0].value]))]
        return [(indices.dtype, TensorShape([n, None]))]

    def kernel(self, indices, dims):
        size = int(np.prod(dims))
        if np.any((indices < 0) | (indices >= size)):
            raise _invalid(None, f"index out of bounds for dims {dims.tolist()}")
        return np.array(np.unravel_index(indices, tuple(dims.tolist())), dtype=indices.dtype)


@register
class RepeatIndices(Op):
    """The positions 0..n-1 of a dimension, position i repeated repeats[i] times (repeats a
    scalar or a vector of length n); the index vector `repeat` gathers with."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.int32, TensorShape([None]))]

    def kernel(self, n, repeats):
        counts = np.broadcast_to(repeats.reshape(-1), (int(n),)) if repeats.size == 1 else \
            repeats.reshape(-1)
        if counts.size != int(n):
            raise _invalid(None, f"repeat: {counts.size} repeats for a dimension of "
                                 f"{int(n)}")
        if np.any(counts < 0):
            raise _invalid(None, "repeat: repeats must be non-negative")
        return np.repeat(np.arange(int(n), dtype=np.int32), counts)


def unique_with_counts(x: Any, out_idx: Any = dtypes.int32,
                       name: Optional[str] = None) -> UniqueWithCountsOutput:
    """``(y, idx, count)``: `unique`'s outputs plus how often each value occurs."""
    outputs = apply_op(UniqueWithCounts(out_idx=dtypes.as_dtype(out_idx).name),
                       [convert_to_tensor(x)], name=name)
    return UniqueWithCountsOutput(*outputs)


def setdiff1d(x: Any, y: Any, index_dtype: Any = dtypes.int32,
              name: Optional[str] = None) -> ListDiffOutput:
    """``(out, idx)``: the values of 1-D x not in y, in x's order, and their positions
    (node "ListDiff")."""
    x = convert_to_tensor(x)
    y = convert_to_tensor(y, dtype=x.dtype)
    outputs = apply_op(ListDiff(out_idx=dtypes.as_dtype(index_dtype).name), [x, y], name=name)
    return ListDiffOutput(*outputs)


def broadcast_dynamic_shape(shape_x: Any, shape_y: Any) -> Tensor:
    """The shape (a vector) that shape_x and shape_y broadcast to (node "BroadcastArgs")."""
    s0 = convert_to_tensor(shape_x)
    s1 = convert_to_tensor(shape_y, dtype=s0.dtype)
    return apply_op(BroadcastArgs(), [s0, s1])


def broadcast_static_shape(shape_x: Any, shape_y: Any) -> TensorShape:
    """The TensorShape two TensorShapes broadcast to; ValueError when they cannot."""
    shape = broadcast_shapes(as_shape(shape_x), as_shape(shape_y))
    if shape is None:
        raise ValueError(f"Incompatible shapes for broadcasting: {as_shape(shape_x)} and "
                         f"{as_shape(shape_y)}")
    return shape


def space_to_depth(input: Any, block_size: int, name: Optional[str] = None,  # noqa: A002
                   data_format: str = "NHWC") -> Tensor:
    """Rearranges block_size x block_size blocks of space into depth (NHWC)."""
    return apply_op(SpaceToDepth(block_size=_block_size(block_size), data_format=data_format),
                    [convert_to_tensor(input)], name=name)


def depth_to_space(input: Any, block_size: int, name: Optional[str] = None,  # noqa: A002
                   data_format: str = "NHWC") -> Tensor:
    """Rearranges depth into block_size x block_size blocks of space (NHWC)."""
    return apply_op(DepthToSpace(block_size=_block_size(block_size), data_format=data_format),
                    [convert_to_tensor(input)], name=name)


def identity_n(input: Sequence[Any], name: Optional[str] = None) -> list:  # noqa: A002
    """Each input passed through by one node (node "IdentityN")."""
    tensors = [convert_to_tensor(t) for t in input]
    outputs = apply_op(IdentityN(), tensors, name=name)
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def ensure_shape(x: Any, shape: Any, name: Optional[str] = None) -> Tensor:
    """x, with its static shape refined to `shape`; running it checks the actual shape
    (InvalidArgumentError when it does not fit)."""
    expected = as_shape(shape)
    dims = tuple(expected.as_list()) if expected.ndims is not None else ()
    return apply_op(EnsureShape(shape=dims, known_rank=expected.ndims is not None),
                    [convert_to_tensor(x)], name=name)


def bincount(arr: Any, weights: Any = None, minlength: Any = None, maxlength: Any = None,
             dtype: Any = dtypes.int32, name: Optional[str] = None) -> Tensor:
    """How often each value of the non-negative int32 `arr` occurs (or the sum of its
    `weights`): a vector of length max(max(arr) + 1, minlength), at most maxlength."""
    from flowgraph.ops.elementwise import op_scope
    with op_scope(name, "bincount", [arr]):
        inputs = [convert_to_tensor(arr, dtype=dtypes.int32)]
        if weights is not None:
            # TF1: the bins take the weights' dtype; `dtype` only applies without weights.
            inputs.append(convert_to_tensor(weights, name="weights"))
        return apply_op(Bincount(minlength=int(minlength or 0),
                                 maxlength=-1 if maxlength is None else int(maxlength),
                                 dtype=dtypes.as_dtype(dtype).name), inputs)


def unravel_index(indices: Any, dims: Any, name: Optional[str] = None) -> Tensor:
    """The coordinates, in a tensor of shape `dims`, of each flat index (node
    "UnravelIndex")."""
    indices = convert_to_tensor(indices)
    return apply_op(UnravelIndex(), [indices, convert_to_tensor(dims, dtype=indices.dtype)],
                    name=name)


def repeat(input: Any, repeats: Any, axis: Optional[int] = None,  # noqa: A002
           name: Optional[str] = None) -> Tensor:
    """Repeats each element (along `axis`; of the flattened input when axis is None)
    `repeats` times, as numpy.repeat; differentiable (a gather)."""
    from flowgraph.ops.elementwise import op_scope
    from flowgraph.ops.gather import gather
    from flowgraph.ops.shape_ops import reshape
    from flowgraph.ops.shape_ops import shape as shape_of
    with op_scope(name, "Repeat", [input, repeats]):
        x = convert_to_tensor(input)
        if axis is None:
            x = reshape(x, [-1])
            axis = 0
        dim = shape_of(x)[axis]
        indices = apply_op(RepeatIndices(), [dim, convert_to_tensor(repeats,
                                                                    dtype=dtypes.int32)])
        return gather(x, indices, axis=axis)


def batch_gather(params: Any, indices: Any, name: Optional[str] = None) -> Tensor:
    """Gathers along the first non-batch axis, each batch row from its own params row
    (TF1's deprecated `tf.batch_gather`: `gather` with batch_dims = rank(indices) - 1)."""
    from flowgraph.ops.elementwise import op_scope
    from flowgraph.ops.gather import gather
    with op_scope(name, "BatchGather", [params, indices]):
        params = convert_to_tensor(params, name="params")
        indices = convert_to_tensor(indices, name="indices")
        rank = indices.shape.ndims
        if rank is None:
            raise ValueError("batch_gather needs indices of known rank")
        return gather(params, indices, axis=rank - 1, batch_dims=rank - 1)
