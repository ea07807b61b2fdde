"""Softmax and log-softmax along one axis (default: the last), stable for any finite logits.

The builders are public as ``fg.nn.softmax`` / ``fg.nn.log_softmax`` (and ``fg.math.*``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.reduce_axes import lookup_pair
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_util import static_int

__all__: list = []


def precise(x: np.ndarray) -> np.ndarray:
    """float16 values widened to float32 for the computation (as TF1's kernels do)."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def to_rows(x: np.ndarray, axis: int) -> tuple:
    """(x as a 2-D [rows, classes] array with `axis` last, the shape before flattening)."""
    moved = x if axis in (-1, x.ndim - 1) else np.moveaxis(x, axis, -1)
    return moved.reshape(-1, moved.shape[-1]), moved.shape


def from_rows(m: np.ndarray, moved_shape: tuple, axis: int) -> np.ndarray:
    """Undoes `to_rows` (a view when `axis` is not last)."""
    out = m.reshape(moved_shape)
    return out if axis in (-1, out.ndim - 1) else np.moveaxis(out, -1, axis)


def row_max(m: np.ndarray) -> np.ndarray:
    """The maximum of each row of a 2-D array, as a column. numpy reduces a short last axis
    slowly: for few classes (10 digits), a loop over the columns is several times faster."""
    rows, classes = m.shape
    if 1 < classes <= 16 and rows >= 4 * classes:
        out = m[:, 0].copy()
        for j in range(1, classes):
            np.maximum(out, m[:, j], out=out)
        return out[:, None]
    return np.max(m, axis=1, keepdims=True)


def row_sum(m: np.ndarray) -> np.ndarray:
    """The sum of each row of a 2-D array, as a column (a BLAS matrix-vector product for
    float32 / float64, much faster than numpy's reduction over a short last axis)."""
    if m.dtype in (np.float32, np.float64):
        return np.dot(m, np.ones(m.shape[1], m.dtype))[:, None]
    return np.sum(m, axis=1, keepdims=True)


def shifted_rows(m: np.ndarray) -> np.ndarray:
    """Rows minus their maximum (a new array): every exp() taken of it is <= 1."""
    return m - row_max(m)


def log_softmax_rows(m: np.ndarray) -> np.ndarray:
    """log(softmax) of each row, as shifted - log(sum(exp(shifted)))."""
    shifted = shifted_rows(m)
    shifted -= np.log(row_sum(np.exp(shifted)))
    return shifted


@dataclasses.dataclass(frozen=True, kw_only=True)
class _SoftmaxBase(Op):
    """A normalization along `axis` of a floating tensor of rank >= 1."""

    axis: int = -1

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, "f", "logits")
        rank = x.shape.ndims
        if rank is not None:
            if rank < 1:
                raise ValueError(f"{op.type}: logits must have >= 1 dimension, got shape "
                                 f"{x.shape}")
            if not -rank <= self.axis < rank:
                raise ValueError(f"{op.type}: axis {self.axis} is out of range for logits "
                                 f"of rank {rank}")
        return [(x.dtype, x.shape)]


@register
class Softmax(_SoftmaxBase):
    """exp(x) / sum(exp(x)) along `axis`, computed on x minus its maximum (no overflow)."""

    def kernel(self, x):
        if x.size == 0:
            return np.empty_like(x)
        m, moved_shape = to_rows(precise(x), self.axis)
        e = shifted_rows(m)
        np.exp(e, out=e)
        e /= row_sum(e)
        return from_rows(e, moved_shape, self.axis).astype(x.dtype, copy=False)

    def grad(self, op, dy):
        # (dy - sum(dy * y)) * y, from the output y (TF1's _SoftmaxGrad).
        from flowgraph.ops.math import multiply, subtract
        from flowgraph.ops.reduce import reduce_sum
        y = op.outputs[0]
        total = reduce_sum(multiply(dy, y), axis=self.axis, keepdims=True)
        return [multiply(subtract(dy, total), y)]


@register
class LogSoftmax(_SoftmaxBase):
    """x - log(sum(exp(x))) along `axis`, stable for any finite x."""

    def kernel(self, x):
        if x.size == 0:
            return np.empty_like(x)
        m, moved_shape = to_rows(precise(x), self.axis)
        out = from_rows(log_softmax_rows(m), moved_shape, self.axis)
        return out.astype(x.dtype, copy=False)

    def grad(self, op, dy):
        # dy - sum(dy) * softmax, with softmax = exp(output) (TF1's _LogSoftmaxGrad).
        from flowgraph.ops.math import multiply, subtract
        from flowgraph.ops.reduce import reduce_sum
        from flowgraph.ops.unary import exp
        total = reduce_sum(dy, axis=self.axis, keepdims=True)
        return [subtract(dy, multiply(total, exp(op.outputs[0])))]


def resolve_axis(logits: Tensor, axis: Any, dim: Any, what: str) -> int:
    """TF1's `axis` / deprecated `dim` argument: an int, -1 by default; out of range for a
    known rank raises InvalidArgumentError, as TF1 does."""
    axis = lookup_pair(axis, dim, "axis", "dim")
    axis = -1 if axis is None else static_int(axis, f"{what} axis")
    rank = logits.shape.ndims
    if rank == 0:
        raise ValueError(f"{what}: logits must have >= 1 dimension, got a scalar "
                         f"{logits.name}")
    if rank is not None and not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, f"Dimension ({axis}) must be in the range [{-rank}, {rank}) where "
            f"{rank} is the number of dimensions in the input.")
    if rank is not None and axis == rank - 1:
        axis = -1  # one spelling for the common case
    return axis


def softmax(logits: Any, axis: Any = None, name: Optional[str] = None,
            dim: Any = None) -> Tensor:
    """Softmax activations along `axis` (default: the last) (node "Softmax").

    ``softmax(x)[i] = exp(x[i]) / sum_j exp(x[j])``, computed on x minus its maximum, so
    logits of +-1000 are fine. `dim` is TF1's deprecated alias of `axis`.

    Parameters
    ----------
    logits : Tensor
        A floating tensor of rank >= 1.
    axis : int
        The dimension softmax is computed along; -1 (the last) by default.
    """
    logits = convert_to_tensor(logits)
    axis = resolve_axis(logits, axis, dim, "softmax")
    return apply_op(Softmax(axis=axis), [logits], name=name)


def log_softmax(logits: Any, axis: Any = None, name: Optional[str] = None,
                dim: Any = None) -> Tensor:
    """Log-softmax activations along `axis` (default: the last) (node "LogSoftmax"):
    ``logits - log(reduce_sum(exp(logits), axis))``, stable for any finite logits."""
    logits = convert_to_tensor(logits)
    axis = resolve_axis(logits, axis, dim, "log_softmax")
    return apply_op(LogSoftmax(axis=axis), [logits], name=name)
