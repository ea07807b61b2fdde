"""Cumulative sums and products along an axis (cumsum, cumprod)."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.registry import Op, apply_op, constant_value, register

__all__ = ["cumsum", "cumprod"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Cumulative(Op):
    """A running reduction along `axis`; `exclusive` leaves out each element itself, and
    `reverse` runs from the end."""

    axis: int = 0
    exclusive: bool = False
    reverse: bool = False

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, "fiu")
        rank = x.shape.ndims
        if rank == 0:
            raise ValueError(f"{op.type} needs a tensor of rank at least 1, got a scalar.")
        if rank is not None and not -rank <= self.axis < rank:
            raise ValueError(f"{op.type}: axis {self.axis} is out of range for a tensor of "
                             f"rank {rank}; expected it in [{-rank}, {rank}).")
        return [(x.dtype, x.shape)]

    def _run(self, x: np.ndarray, accumulate: Any, identity: int) -> np.ndarray:
        x = np.asarray(x)
        axis = self.axis + x.ndim if self.axis < 0 else self.axis
        if self.reverse:
            x = np.flip(x, axis)
        out = accumulate(x, axis=axis, dtype=x.dtype)
        if self.exclusive and x.shape[axis]:
            shifted = np.empty_like(out)
            first = [slice(None)] * x.ndim
            first[axis] = slice(0, 1)
            rest = [slice(None)] * x.ndim
            rest[axis] = slice(1, None)
            most = [slice(None)] * x.ndim
            most[axis] = slice(0, -1)
            shifted[tuple(first)] = identity
            shifted[tuple(rest)] = out[tuple(most)]
            out = shifted
        if self.reverse:
            out = np.flip(out, axis)
        return out


@register
class Cumsum(_Cumulative):
    """The running sum of x along `axis`: [a, b, c] -> [a, a + b, a + b + c]; exclusive
    gives [0, a, a + b]; reverse gives [a + b + c, b + c, c]."""

    def kernel(self, x):
        return self._run(x, np.cumsum, 0)

    def grad(self, op, dy):
        # Each input adds to the outputs after it (before it, when reversed): sum dy that way.
        return [cumsum(dy, self.axis, exclusive=self.exclusive, reverse=not self.reverse)]


@register
class Cumprod(_Cumulative):
    """The running product of x along `axis`: [a, b, c] -> [a, a * b, a * b * c]; exclusive
    gives [1, a, a * b]; reverse gives [a * b * c, b * c, c]."""

    def kernel(self, x):
        return self._run(x, np.cumprod, 1)

    def grad(self, op, dy):
        # TF1's rule: d out_j / d x_i = out_j / x_i for the outputs x_i enters, so the
        # gradient is a reversed cumsum of out * dy divided by x (x must be nonzero).
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.math import multiply
        summed = cumsum(multiply(op.outputs[0], dy), self.axis, exclusive=self.exclusive,
                        reverse=not self.reverse)
        return [realdiv(summed, op.inputs[0])]


def _axis_value(axis: Any) -> int:
    if isinstance(axis, Tensor) or hasattr(axis, "__fg_tensor__"):
        value = constant_value(convert_to_tensor(axis))
        if value is None:
            raise ValueError("cumsum/cumprod need an axis known when the graph is built; got "
                             f"the computed tensor {convert_to_tensor(axis).name}.")
        axis = value
    array = np.asarray(axis)
    if array.ndim != 0 or array.dtype.kind not in "iu":
        raise TypeError(f"axis must be a scalar integer, got {axis!r}")
    return int(array)


def cumsum(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
           name: Optional[str] = None) -> Tensor:
    """The cumulative sum of x along `axis` (node "Cumsum").

    ``fg.cumsum([1, 2, 3], exclusive=True)`` evaluates to ``[0, 1, 3]``.
    ``fg.cumsum([1, 2, 3], reverse=True)`` evaluates to ``[6, 5, 3]``.
    """
    with op_scope(name, "Cumsum", [x]) as scope:
        op_def = Cumsum(axis=_axis_value(axis), exclusive=exclusive, reverse=reverse)
        return apply_op(op_def, [convert_to_tensor(x)], name=scope)


def cumprod(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
            name: Optional[str] = None) -> Tensor:
    """The cumulative product of x along `axis` (node "Cumprod").

    ``fg.cumprod([1, 2, 3], exclusive=True)`` evaluates to ``[1, 1, 2]``.
    """
    with op_scope(name, "Cumprod", [x]) as scope:
        op_def = Cumprod(axis=_axis_value(axis), exclusive=exclusive, reverse=reverse)
        return apply_op(op_def, [convert_to_tensor(x)], name=scope)
