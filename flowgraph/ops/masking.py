"""Masks and one-hot encodings: one_hot, boolean_mask, sequence_mask."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.shape_util import known_scalar, normalize_axis, static_int
from flowgraph.shapes import TensorShape

__all__ = ["one_hot", "boolean_mask", "sequence_mask"]


# --------------------------------------------------------------------------- one_hot
@register
class OneHot(Op):
    """One-hot encoding: a new dimension of size `depth` at `axis` (-1: last) holding
    `on_value` at each index and `off_value` elsewhere (an index outside [0, depth), such as
    -1, gives a row of `off_value`). The indices get no gradient; on_value and off_value get
    the sums of the output gradient where they were placed."""

    axis: int = -1

    def infer(self, op):
        indices, depth, on_value, off_value = op.inputs
        check_dtype(op, indices, "iu", "indices")
        if depth.dtype != dtypes.int32 or depth.shape.ndims not in (None, 0):
            raise TypeError(f"OneHot depth must be a scalar int32, got {depth.dtype.name} of "
                            f"shape {depth.shape}")
        for value, what in ((on_value, "on_value"), (off_value, "off_value")):
            if value.shape.ndims not in (None, 0):
                raise ValueError(f"OneHot {what} must be a scalar, got shape {value.shape}")
        if on_value.dtype != off_value.dtype:
            raise TypeError(f"dtype {on_value.dtype.name} of on_value does not match dtype "
                            f"{off_value.dtype.name} of off_value")
        count = known_scalar(depth)
        if count is not None and count < 0:
            raise ValueError(f"OneHot depth must be non-negative, got: {count}")
        if indices.shape.ndims is None:
            return [(on_value.dtype, TensorShape(None))]
        dims = indices.shape.as_list()
        if not -1 <= self.axis <= len(dims):
            raise ValueError(f"Expected axis to be -1 or between [0, {len(dims) + 1}).  But "
                             f"received: {self.axis}")
        axis = len(dims) if self.axis == -1 else self.axis
        return [(on_value.dtype, dims[:axis] + [count] + dims[axis:])]

    def kernel(self, indices, depth, on_value, off_value):
        count = int(depth)
        if count < 0:
            raise errors.InvalidArgumentError(
                None, None, f"OneHot depth must be non-negative, got: {count}")
        hot = indices[..., np.newaxis] == np.arange(count)
        out = np.where(hot, on_value, off_value)
        if self.axis != -1 and self.axis != indices.ndim:
            out = np.moveaxis(out, -1, self.axis)
        return out

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        from flowgraph.ops.reduce import reduce_sum
        indices, depth, on_value, off_value = op.inputs
        if constant_value(on_value) is not None and constant_value(off_value) is not None:
            return [None] * 4  # the usual case: nothing to differentiate
        dy = dense(dy)
        dtype = on_value.dtype
        hot = apply_op(self, [indices, depth, convert_to_tensor(1, dtype=dtype),
                              convert_to_tensor(0, dtype=dtype)], name="OneHot")
        on_grad = reduce_sum(dy * hot)
        return [None, None, on_grad, reduce_sum(dy) - on_grad]


def one_hot(indices: Any, depth: Any, on_value: Any = None, off_value: Any = None,
            axis: Optional[int] = None, dtype: Any = None, name: Optional[str] = None) -> Tensor:
    """One-hot encodes `indices` into a new dimension of size `depth` at `axis` (default
    last). The dtype is `dtype`, else that of on_value/off_value, else float32.

    >>> fg.one_hot([0, 2, -1], 3)    # [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
    """
    indices = convert_to_tensor(indices)
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    axis = -1 if axis is None else static_int(axis, "one_hot axis")
    with op_scope(name, "one_hot", [indices]) as scope:
        given = {}
        for value, what in ((on_value, "on_value"), (off_value, "off_value")):
            if value is None:
                continue
            tensor = convert_to_tensor(value, dtype=None if isinstance(value, Tensor)
                                       else dtype, name=what)
            if dtype is not None and tensor.dtype != dtype:
                raise TypeError(f"dtype {tensor.dtype.name} of {what} does not match dtype "
                                f"parameter {dtype.name}")
            given[what] = tensor
        if dtype is None:
            dtype = next(iter(given.values())).dtype if given else dtypes.float32
        on_t = given.get("on_value")
        off_t = given.get("off_value")
        if on_t is None:
            on_t = convert_to_tensor(1, dtype=dtype, name="on_value")
        if off_t is None:
            off_t = convert_to_tensor(0, dtype=dtype, name="off_value")
        if on_t.dtype != off_t.dtype:
            raise TypeError(f"dtype {on_t.dtype.name} of on_value does not match dtype "
                            f"{off_t.dtype.name} of off_value")
        depth_t = convert_to_tensor(depth, dtype=dtypes.int32, name="depth") \
            if not isinstance(depth, Tensor) else depth
        return apply_op(OneHot(axis=axis), [indices, depth_t, on_t, off_t], name=scope)


# --------------------------------------------------------------------------- boolean_mask
def boolean_mask(tensor: Any, mask: Any, name: str = "boolean_mask",
                 axis: Optional[int] = None) -> Tensor:
    """The elements (or slices) of `tensor` where the boolean `mask` is true.

    A mask of rank k covers dimensions ``axis .. axis + k - 1`` of `tensor`; the output has
    those dimensions replaced by one of size num_true: ``[N, rest...]`` for axis 0.

    >>> fg.boolean_mask([[1, 2], [3, 4], [5, 6]], [True, False, True])    # [[1, 2], [5, 6]]
    """
    from flowgraph.ops.array import concat
    from flowgraph.ops.gather import gather
    from flowgraph.ops.logic import where
    from flowgraph.ops.shape_ops import reshape, shape, size, squeeze
    from flowgraph.ops.slicing import getitem

    tensor = convert_to_tensor(tensor)
    mask = convert_to_tensor(mask)
    if mask.dtype != dtypes.bool_:
        raise TypeError(f"boolean_mask needs a bool mask, got {mask.dtype.name}")
    k = mask.shape.ndims
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    if k is None:
        raise ValueError("Number of mask dimensions must be specified, even if some "
                         "dimensions are None.  E.g. shape=[None] is ok, but shape=None is "
                         "not.")
    axis = 0 if axis is None else static_int(axis, "boolean_mask axis")
    static = tensor.shape
    if static.ndims is not None:
        axis = normalize_axis(axis, static.ndims, "boolean_mask axis")
        if axis + k > static.ndims:
            raise ValueError(f"mask of rank {k} does not fit dimensions {axis}.. of tensor "
                             f"shape {static}")
        covered = TensorShape(static.as_list()[axis:axis + k])
        if not covered.is_compatible_with(mask.shape):
            raise ValueError(f"Shapes {covered} and {mask.shape} are incompatible: the mask "
                             f"must match tensor.shape[{axis}:{axis + k}]")
    elif axis < 0:
        raise ValueError("boolean_mask needs a non-negative axis for a tensor of unknown rank")
    with op_scope(name, "boolean_mask", [tensor]):
        if k > 1:
            flat_size = mask.shape.num_elements()
            before = static.as_list()[:axis] if static.ndims is not None else None
            after = static.as_list()[axis + k:] if static.ndims is not None else None
            if flat_size is not None and before is not None and None not in before + after:
                new_shape: Any = before + [flat_size] + after
            else:
                full = shape(tensor)
                new_shape = concat([getitem(full, slice(None, axis)),
                                    reshape(size(mask), [1]),
                                    getitem(full, slice(axis + k, None))], 0)
            tensor = reshape(tensor, new_shape)
            if static.ndims is not None:
                tensor.set_shape(static.as_list()[:axis] + [mask.shape.num_elements()]
                                 + static.as_list()[axis + k:])
            mask = reshape(mask, [-1])
        indices = squeeze(where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)


# --------------------------------------------------------------------------- sequence_mask
def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = dtypes.bool_,
                  name: Optional[str] = None) -> Tensor:
    """A mask of shape ``lengths.shape + [maxlen]``: element [..., j] is ``j < lengths[...]``
    (`maxlen` defaults to the largest length).

    >>> fg.sequence_mask([1, 3, 2], 5)
    ... # [[True, False, False, False, False], [True, True, True, False, False], ...]
    """
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import less
    from flowgraph.ops.fill import range as range_
    from flowgraph.ops.math import maximum
    from flowgraph.ops.reduce import reduce_max
    from flowgraph.ops.shape_ops import expand_dims

    with op_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = maximum(convert_to_tensor(0, dtype=lengths.dtype), reduce_max(lengths))
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.ndims not in (None, 0):
            raise ValueError("maxlen must be scalar for sequence_mask")
        row = range_(0, maxlen, 1, dtype=maxlen.dtype)
        column = expand_dims(lengths, -1)
        if column.dtype != maxlen.dtype:
            column = cast(column, maxlen.dtype)
        result = less(row, column)
        dtype = dtypes.as_dtype(dtype)
        return result if dtype == dtypes.bool_ else cast(result, dtype)
