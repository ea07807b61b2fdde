"""Tensors made from a shape or a range: fill, zeros, ones, zeros_like, ones_like, range,
linspace."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.array import as_int_tensor
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.shape_util import check_index_dtype, check_vector, known_scalar, known_vector
from flowgraph.shapes import Dimension, TensorShape, dimension_value

__all__ = ["fill", "zeros", "ones", "zeros_like", "ones_like", "range", "linspace", "lin_space"]

# Shapes with fewer elements become constants in zeros()/ones(), as TF1's _constant_if_small.
_SMALL = 1000


def _invalid_argument(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _check_scalar(op: Any, tensor: Tensor, what: str) -> None:
    if tensor.shape.ndims not in (None, 0):
        raise ValueError(f"{op.type} expects {what} to be a scalar, got shape {tensor.shape} "
                         f"({tensor.name})")


# --------------------------------------------------------------------------- fill
@register
class Fill(Op):
    """A tensor of shape `dims` (an input) whose every element is the scalar `value`."""

    def infer(self, op):
        dims_t, value = op.inputs
        check_index_dtype(op, dims_t, "dims")
        check_vector(op, dims_t, "dims")
        _check_scalar(op, value, "value")
        dims = known_vector(dims_t)
        if dims is None:
            return [(value.dtype, TensorShape(None))]
        if any(d is not None and d < 0 for d in dims):
            raise ValueError(f"Fill dims must be non-negative, got {dims}")
        return [(value.dtype, dims)]

    def kernel(self, dims, value):
        dims = [int(d) for d in dims]
        if any(d < 0 for d in dims):
            raise _invalid_argument(f"Fill dims must be non-negative, got {dims}")
        return np.full(dims, value, dtype=value.dtype)

    def grad(self, op, dy):
        """Every element is the value: its gradient is the sum of dy."""
        from flowgraph.ops.array_grad import dense
        from flowgraph.ops.reduce import reduce_sum
        return [None, reduce_sum(dense(dy))]


def fill(dims: Any, value: Any, name: Optional[str] = None) -> Tensor:
    """A tensor of shape `dims` filled with the scalar `value` (its dtype is value's)."""
    return apply_op(Fill(), [as_int_tensor(dims, "dims"), convert_to_tensor(value)], name=name)


def _zero_of(dtype: dtypes.DType, one: bool) -> Any:
    if dtype.is_string:
        if one:
            raise TypeError("ones() is not defined for string tensors")
        return b""
    if dtype.is_bool:
        return one
    return 1 if one else 0


def _filled(shape: Any, dtype: Any, name: Optional[str], base: str, one: bool) -> Tensor:
    dtype = dtypes.as_dtype(dtype)
    value = _zero_of(dtype, one)
    with op_scope(name, base, [shape]) as scope:
        items = [] if isinstance(shape, Tensor) else _as_list(shape)
        if not isinstance(shape, Tensor) and all(
                isinstance(d, (int, np.integer, Dimension)) and dimension_value(d) is not None
                for d in items):
            dims = [int(d) for d in items]
            if int(np.prod(dims)) < _SMALL:
                return constant(value, dtype=dtype, shape=dims, name=scope)
        shape_t = as_int_tensor(shape, "shape")
        if shape_t.shape.ndims == 0:
            from flowgraph.ops.shape_ops import reshape
            shape_t = reshape(shape_t, [-1])
        value_t = constant(value, dtype=dtype)
        return apply_op(Fill(), [shape_t, value_t], name=scope)


def _as_list(shape: Any) -> list:
    if isinstance(shape, TensorShape):
        return shape.as_list()
    if isinstance(shape, (list, tuple, np.ndarray)):
        return list(shape)
    return [shape]


def zeros(shape: Any, dtype: Any = dtypes.float32, name: Optional[str] = None) -> Tensor:
    """A tensor of `shape` with all elements zero (False, b"" for bool and string). Small
    static shapes give a constant, others a Fill node, as in TF1."""
    return _filled(shape, dtype, name, "zeros", one=False)


def ones(shape: Any, dtype: Any = dtypes.float32, name: Optional[str] = None) -> Tensor:
    """A tensor of `shape` with all elements one (True for bool)."""
    return _filled(shape, dtype, name, "ones", one=True)


@register
class ZerosLike(Op):
    """Zeros of the input's shape and dtype (no gradient flows back to the input, whose value
    does not matter)."""

    def infer(self, op):
        x = op.inputs[0]
        return [(x.dtype, x.shape)]

    def kernel(self, x):
        if x.dtype == object:
            return np.full(x.shape, b"", dtype=object)
        return np.zeros_like(x)

    def grad(self, op, dy):
        return [None]


@register
class OnesLike(Op):
    """Ones of the input's shape and dtype (no gradient flows back to the input)."""

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, "fiub")
        return [(x.dtype, x.shape)]

    def kernel(self, x):
        return np.ones_like(x)

    def grad(self, op, dy):
        return [None]


def _like(tensor: Any, dtype: Any, name: Optional[str], optimize: bool, one: bool) -> Tensor:
    base = "ones_like" if one else "zeros_like"
    with op_scope(name, base, [tensor]) as scope:
        tensor = convert_to_tensor(tensor)
        dtype = tensor.dtype if dtype is None else dtypes.as_dtype(dtype)
        static = tensor.shape
        if optimize and static.is_fully_defined():
            return _filled(static.as_list(), dtype, scope, base, one)
        if dtype == tensor.dtype:
            return apply_op(OnesLike() if one else ZerosLike(), [tensor], name=scope)
        from flowgraph.ops.shape_ops import shape as shape_of
        shape_t = shape_of(tensor)
        value_t = constant(_zero_of(dtype, one), dtype=dtype)
        result = apply_op(Fill(), [shape_t, value_t], name=scope)
        result.set_shape(static)
        return result


def zeros_like(tensor: Any, dtype: Any = None, name: Optional[str] = None,
               optimize: bool = True) -> Tensor:
    """Zeros of `tensor`'s shape (and dtype, unless `dtype` is given). With `optimize` and a
    fully known static shape, the result does not depend on `tensor`'s value."""
    return _like(tensor, dtype, name, optimize, one=False)


def ones_like(tensor: Any, dtype: Any = None, name: Optional[str] = None,
              optimize: bool = True) -> Tensor:
    """Ones of `tensor`'s shape (and dtype, unless `dtype` is given)."""
    return _like(tensor, dtype, name, optimize, one=True)


# --------------------------------------------------------------------------- range
def _range_size(start: Any, limit: Any, delta: Any, error: Any) -> int:
    """The number of elements of range(start, limit, delta), computed in their dtype as TF."""
    if delta == 0:
        raise error(f"Requires delta != 0: {delta}")
    if delta > 0 and start > limit:
        raise error(f"Requires start <= limit when delta > 0: {start}/{limit}")
    if delta < 0 and start < limit:
        raise error(f"Requires start >= limit when delta < 0: {start}/{limit}")
    if np.asarray(start).dtype.kind in "iu":
        return int((abs(int(limit) - int(start)) + abs(int(delta)) - 1) // abs(int(delta)))
    return int(np.ceil(np.abs((limit - start) / delta)))


@register
class Range(Op):
    """The sequence start, start + delta, ... up to but excluding limit (scalar inputs)."""

    differentiable = False

    def infer(self, op):
        dtype = op.inputs[0].dtype
        for t, what in zip(op.inputs, ("start", "limit", "delta")):
            _check_scalar(op, t, what)
            check_dtype(op, t, "fiu", what)
            if t.dtype != dtype:
                raise TypeError(f"Range needs start, limit and delta of one dtype, got "
                                f"{[t.dtype.name for t in op.inputs]}")
        values = [constant_value(t) for t in op.inputs]
        if any(v is None for v in values):
            return [(dtype, [None])]
        return [(dtype, [_range_size(*values, error=ValueError)])]

    def kernel(self, start, limit, delta):
        count = _range_size(start, limit, delta, _invalid_argument)
        return (start + np.arange(count, dtype=start.dtype) * delta).astype(start.dtype,
                                                                             copy=False)


_RANGE_DTYPES = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None,
          name: str = "range") -> Tensor:
    """The sequence ``start, start + delta, ...`` up to but excluding `limit`, as Python's
    range (``range(5)`` is ``[0, 1, 2, 3, 4]``). The dtype is int32 for ints, float32 for
    floats, or the widest of the arguments' dtypes, unless `dtype` is given."""
    if limit is None:
        start, limit = 0, start
    args = [start, limit, delta]
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    else:
        found = [convert_to_tensor(a).dtype if isinstance(a, Tensor) else
                 dtypes.dtype_of_value(a) for a in args]
        for d in found:
            if d not in _RANGE_DTYPES:
                raise TypeError(f"range() arguments must be int32, int64, float32 or float64, "
                                f"got {d.name}")
        dtype = max(found, key=_RANGE_DTYPES.index)
    with op_scope(name, "range", args) as scope:
        tensors = []
        for value, what in zip(args, ("start", "limit", "delta")):
            tensor = convert_to_tensor(value, dtype=dtype if not isinstance(value, Tensor)
                                       else None, name=what)
            if tensor.dtype != dtype:
                if tensor.dtype not in _RANGE_DTYPES:
                    raise TypeError(f"range() {what} {tensor.name} has dtype "
                                    f"{tensor.dtype.name}; expected int32, int64, float32 or "
                                    "float64")
                from flowgraph.ops.cast import cast
                tensor = cast(tensor, dtype)  # as TF1: all three take the widest dtype
            tensors.append(tensor)
        return apply_op(Range(), tensors, name=scope)


@register
class LinSpace(Op):
    """`num` evenly spaced values from `start` to `stop`, both included."""

    differentiable = False  # as TF1

    def infer(self, op):
        start, stop, num = op.inputs
        for t, what in zip(op.inputs, ("start", "stop", "num")):
            _check_scalar(op, t, what)
        check_dtype(op, start, "f", "start")
        if stop.dtype != start.dtype:
            raise TypeError(f"LinSpace needs start and stop of one dtype, got "
                            f"{start.dtype.name} and {stop.dtype.name}")
        check_index_dtype(op, num, "num")
        count = known_scalar(num)
        if count is not None and count <= 0:
            raise ValueError(f"Requires num > 0: {count}")
        return [(start.dtype, [count])]

    def kernel(self, start, stop, num):
        if num <= 0:
            raise _invalid_argument(f"Requires num > 0: {num}")
        return np.linspace(start, stop, int(num)).astype(start.dtype, copy=False)


def linspace(start: Any, stop: Any, num: Any, name: Optional[str] = None) -> Tensor:
    """`num` evenly spaced values from `start` to `stop` inclusive (float32 for Python
    numbers)."""
    start_t = convert_to_tensor(start, preferred_dtype=dtypes.float32)
    stop_t = convert_to_tensor(stop, dtype=start_t.dtype if not isinstance(stop, Tensor)
                               else None)
    num_t = convert_to_tensor(num, preferred_dtype=dtypes.int32)
    return apply_op(LinSpace(), [start_t, stop_t, num_t], name=name)


lin_space = linspace
