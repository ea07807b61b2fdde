"""Bitwise ops on integers (TF's ``tf.bitwise``) and ``tf.bitcast``.

Shifts follow TF's kernels: the shift amount is clamped to [0, bits - 1] of the dtype
(so shifting by a negative amount shifts by 0, and by >= the width shifts by width - 1),
and left shifts wrap around like C's.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import BinaryOp, UfuncBinary, UfuncUnary, binary_op, unary_op
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["bitcast"]  # the others are tf.bitwise.* only (flowgraph/api/bitwise.py)


@register
class BitwiseAnd(UfuncBinary):
    """x & y elementwise, integers, broadcasting."""

    allowed = "iu"
    differentiable = False
    ufunc = np.bitwise_and


@register
class BitwiseOr(UfuncBinary):
    """x | y elementwise, integers, broadcasting."""

    allowed = "iu"
    differentiable = False
    ufunc = np.bitwise_or


@register
class BitwiseXor(UfuncBinary):
    """x ^ y elementwise, integers, broadcasting."""

    allowed = "iu"
    differentiable = False
    ufunc = np.bitwise_xor


@register
class Invert(UfuncUnary):
    """~x elementwise (every bit flipped), integers."""

    allowed = "iu"
    differentiable = False
    ufunc = np.invert


class _Shift(BinaryOp):
    allowed = "iu"
    differentiable = False
    shift: ClassVar[Any] = None

    def kernel(self, x, y):
        bits = np.dtype(x.dtype).itemsize * 8
        amount = np.clip(y, 0, bits - 1).astype(x.dtype)
        return self.shift(x, amount).astype(x.dtype, copy=False)


@register
class LeftShift(_Shift):
    """x << y elementwise (wrapping), y clamped to [0, bits - 1]; broadcasting."""

    shift = staticmethod(np.left_shift)


@register
class RightShift(_Shift):
    """x >> y elementwise (arithmetic for signed x), y clamped to [0, bits - 1];
    broadcasting."""

    shift = staticmethod(np.right_shift)


def bitwise_and(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise x & y of two integer tensors of one dtype (node "BitwiseAnd")."""
    return binary_op(BitwiseAnd(), x, y, name=name)


def bitwise_or(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise x | y of two integer tensors of one dtype (node "BitwiseOr")."""
    return binary_op(BitwiseOr(), x, y, name=name)


def bitwise_xor(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise x ^ y of two integer tensors of one dtype (node "BitwiseXor")."""
    return binary_op(BitwiseXor(), x, y, name=name)


def invert(x: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise ~x of an integer tensor (node "Invert")."""
    return unary_op(Invert(), x, name=name)


def left_shift(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise x << y (node "LeftShift"); y is clamped to [0, bits - 1] as in TF."""
    return binary_op(LeftShift(), x, y, name=name)


def right_shift(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Elementwise x >> y (node "RightShift"); y is clamped to [0, bits - 1] as in TF."""
    return binary_op(RightShift(), x, y, name=name)


# --------------------------------------------------------------------------- bitcast
@register
class Bitcast(Op):
    """Reinterprets the bytes of its input as dtype `type` (no copy of values, as numpy's
    ``view``). Same element size: same shape. Bigger input elements: a new last dimension
    of size (input size / output size). Smaller input elements: the last dimension must be
    (output size / input size), and is removed."""

    type: dtypes.DType = dtypes.int32  # noqa: A003 - TF's attribute name
    differentiable = False

    def check(self):
        if self.type.is_string or self.type.is_bool or self.type.np.kind not in "fiuc":
            raise TypeError(f"Bitcast cannot produce dtype {self.type.name}: use a numeric "
                            "dtype")

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype.is_string or x.dtype.is_bool or x.dtype.np.kind not in "fiuc":
            raise TypeError(f"Bitcast cannot reinterpret dtype {x.dtype.name}: use a numeric "
                            "dtype")
        size_in = x.dtype.np.itemsize
        size_out = self.type.np.itemsize
        if x.shape.ndims is None:
            return [(self.type, TensorShape(None))]
        dims = x.shape.as_list()
        if size_in == size_out:
            return [(self.type, dims)]
        if size_in > size_out:
            return [(self.type, dims + [size_in // size_out])]
        ratio = size_out // size_in
        if not dims or dims[-1] not in (None, ratio):
            raise ValueError(f"Cannot bitcast from {x.dtype.name} to {self.type.name} due to "
                             f"shape: the last dimension of input shape {x.shape} must be "
                             f"{ratio} (= {size_out} / {size_in} bytes), as it is merged "
                             "into one element; reshape the input first.")
        return [(self.type, dims[:-1])]

    def kernel(self, x):
        size_in = x.dtype.itemsize
        want = np.dtype(self.type.np)
        if size_in < want.itemsize:
            ratio = want.itemsize // size_in
            if x.ndim == 0 or x.shape[-1] != ratio:
                from flowgraph import errors
                raise errors.InvalidArgumentError(
                    None, None, f"Cannot bitcast from {x.dtype.name} to {want.name}: the last "
                    f"dimension of input shape {list(x.shape)} must be {ratio}")
            return np.ascontiguousarray(x).view(want).reshape(x.shape[:-1])
        out = np.ascontiguousarray(x).view(want)
        if size_in > want.itemsize:
            return out.reshape(x.shape + (size_in // want.itemsize,))
        return out.reshape(x.shape)


def bitcast(input: Any, type: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """`input`'s bytes reinterpreted as dtype `type` (TF's ``tf.bitcast``; see the Bitcast
    op for the shape rules).

    >>> fg.bitcast(fg.constant([1.0], fg.float32), fg.int32)        # [1065353216]
    """
    return apply_op(Bitcast(type=type), [convert_to_tensor(input)], name=name)
