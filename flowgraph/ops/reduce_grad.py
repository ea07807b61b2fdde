"""Gradient ops of the reductions: SumGrad and MeanGrad expand a reduced tensor back to the
shape of the reduction's input in one kernel (a reshape and a broadcast view, no copy).

They are the whole gradient of Sum and Mean (the training hot path), and the building block
of the Max, Min, Prod and ReduceLogSumExp gradients.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.reduce_axes import normalize_axes
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.shape_util import known_vector
from flowgraph.shapes import TensorShape

__all__: list = []


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Expand(Op):
    """Base of SumGrad / MeanGrad: inputs `dy` (the reduced tensor) and `shape` (the shape of
    the reduction's input); `axis` and `keepdims` are those of the reduction."""

    axis: Optional[tuple] = None
    keepdims: bool = False

    def infer(self, op):
        dy, shape = op.inputs
        if not (dy.dtype.is_floating or dy.dtype.is_complex):
            raise TypeError(f"{op.type} needs a floating dy, got {dy.dtype.name}")
        dims = known_vector(shape)
        if dims is None:
            return [(dy.dtype, TensorShape(None))]
        dims = [None if d is None or d < 0 else d for d in dims]
        axes = normalize_axes(self.axis, len(dims))
        # The dimensions kept by the reduction are also known from dy.
        kept = [i for i in range(len(dims)) if self.keepdims or i not in axes]
        if dy.shape.ndims == len(kept):
            for i, d in zip(kept, dy.shape.as_list()):
                if dims[i] is None and (i not in axes):
                    dims[i] = d
        return [(dy.dtype, TensorShape(dims))]

    def _kept(self, dims: tuple) -> Optional[tuple]:
        """dy's shape with the reduced axes kept as 1 (None when dy has it already)."""
        if self.keepdims:
            return None
        axes = normalize_axes(self.axis, len(dims), error=errors.InvalidArgumentError)
        return tuple(1 if i in axes else d for i, d in enumerate(dims))

    def _count(self, dims: tuple) -> int:
        axes = normalize_axes(self.axis, len(dims), error=errors.InvalidArgumentError)
        return int(np.prod([dims[a] for a in axes], dtype=np.int64))

    def kernel(self, dy, shape):
        dims = tuple(int(d) for d in shape)
        return self._expand(np.asarray(dy), dims, self._kept(dims), self._count(dims))

    def fast_kernel(self, op):
        known = constant_value(op.inputs[1])
        if known is None:
            return None
        dims = tuple(int(d) for d in known)
        kept, count, expand = self._kept(dims), self._count(dims), self._expand
        return lambda dy, shape: expand(dy, dims, kept, count)

    def _expand(self, dy: np.ndarray, dims: tuple, kept: Optional[tuple],
                count: int) -> np.ndarray:
        raise NotImplementedError


@register
class SumGrad(_Expand):
    """The gradient of Sum: `dy` broadcast back to the summed input's `shape` (each input
    element receives the gradient of the sum it went into)."""

    def _expand(self, dy, dims, kept, count):
        return np.broadcast_to(dy if kept is None else np.reshape(dy, kept), dims)

    def grad(self, op, dz):
        from flowgraph.ops.reduce import reduce_sum
        return [reduce_sum(dz, list(self.axis) if self.axis is not None else None,
                           keepdims=self.keepdims), None]


@register
class MeanGrad(_Expand):
    """The gradient of Mean: `dy` divided by the number of averaged elements, broadcast back
    to the averaged input's `shape`."""

    def _expand(self, dy, dims, kept, count):
        if dy.dtype == np.float16:  # the count may not fit float16
            scaled = (dy.astype(np.float32) / np.float32(count)).astype(np.float16)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                scaled = np.divide(dy, dy.dtype.type(count))
        return np.broadcast_to(scaled if kept is None else np.reshape(scaled, kept), dims)

    def grad(self, op, dz):
        from flowgraph.ops.reduce import reduce_mean
        return [reduce_mean(dz, list(self.axis) if self.axis is not None else None,
                            keepdims=self.keepdims), None]


# --------------------------------------------------------------------------- helpers
def shape_tensor(x: Tensor) -> Tensor:
    """x's shape as an int32 tensor: a constant when it is fully known, else a Shape node."""
    if x.shape.is_fully_defined():
        return convert_to_tensor(np.array(x.shape.as_list(), dtype=np.int32))
    from flowgraph.ops.shape_ops import shape
    return shape(x)


def expand_reduced(value: Any, x: Tensor, reduction: Any, mean: bool = False,
                   shape: Optional[Tensor] = None) -> Tensor:
    """`value` (shaped like the output of `reduction`, a Reduction op over x) broadcast back
    to x's shape, divided by the number of reduced elements when `mean`.

    Returns `value` itself when nothing needs expanding (shapes statically equal).
    """
    value = convert_to_tensor(value)
    if value.shape.is_fully_defined() and value.shape == x.shape:
        return value  # nothing was reduced away (and a mean divides by 1)
    op_class = MeanGrad if mean else SumGrad
    target = shape_tensor(x) if shape is None else shape
    return apply_op(op_class(axis=reduction.axis, keepdims=reduction.keepdims),
                    [value, target], name=op_class.type_name)


def min_or_max_grad(op: Any, dy: Tensor) -> list:
    """TF1's _MinOrMaxGrad: dy goes to the elements equal to the extreme value, split
    equally among ties."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import equal
    from flowgraph.ops.division import divide
    from flowgraph.ops.math import multiply
    from flowgraph.ops.reduce import reduce_sum
    x, reduction = op.inputs[0], op.op_def
    shape = shape_tensor(x)
    extreme = expand_reduced(op.outputs[0], x, reduction, shape=shape)
    indicators = cast(equal(x, extreme), x.dtype)
    count = reduce_sum(indicators, _axis_list(reduction), keepdims=reduction.keepdims)
    return [multiply(indicators, expand_reduced(divide(dy, count), x, reduction, shape=shape))]


def prod_grad(op: Any, dy: Tensor) -> list:
    """The gradient of Prod: dy times the product of the other elements of each group, from
    exclusive cumulative products (as TF1's _ProdGrad, so zeros need no division)."""
    from flowgraph.ops.cumulative import cumprod
    from flowgraph.ops.math import multiply
    from flowgraph.ops.reduce import reduce_prod
    from flowgraph.ops.shape_ops import reshape
    x, reduction = op.inputs[0], op.op_def
    shape = shape_tensor(x)
    rank = x.shape.ndims
    axes = reduction.axis
    if axes is not None and rank is not None:
        axes = normalize_axes(axes, rank)
        if len(axes) == rank:
            axes = None
    if axes is not None and not axes:
        return [dy]

    def others(t: Tensor, axis: int) -> Tensor:
        """The product along `axis` of all the other elements."""
        return multiply(cumprod(t, axis, exclusive=True),
                        cumprod(t, axis, exclusive=True, reverse=True))

    if axes is None:  # every axis: one group, flattened
        product = reshape(others(reshape(x, [-1]), 0), shape)
    else:
        # Over axes a1..ak the product of the others is, for each element,
        # others_a1(x) * others_a2(prod_a1(x)) * ... * others_ak(prod_a1..ak-1(x)).
        product = others(x, axes[0])
        partial = x
        for previous, axis in zip(axes, axes[1:]):
            partial = reduce_prod(partial, previous, keepdims=True)
            product = multiply(product, others(partial, axis))
    return [multiply(expand_reduced(dy, x, reduction, shape=shape), product)]


def logsumexp_grad(op: Any, dy: Tensor) -> list:
    """The gradient of ReduceLogSumExp: dy times softmax(x) over the reduced axes, that is
    exp(x - logsumexp(x))."""
    from flowgraph.ops.math import multiply, subtract
    from flowgraph.ops.unary import exp
    x, reduction = op.inputs[0], op.op_def
    shape = shape_tensor(x)
    total = expand_reduced(op.outputs[0], x, reduction, shape=shape)
    return [multiply(expand_reduced(dy, x, reduction, shape=shape), exp(subtract(x, total)))]


def _axis_list(reduction: Any) -> Optional[list]:
    return None if reduction.axis is None else list(reduction.axis)
