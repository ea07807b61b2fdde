"""Ops that gradient construction uses: stop_gradient, summing broadcast gradients back to an
input's shape, and densifying IndexedSlices."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.shapes import TensorShape

__all__ = ["stop_gradient"]


@register
class StopGradient(Op):
    """Passes its input through; gradients do not flow back through it."""

    differentiable = False
    stops_gradient = True  # gradients stop here silently (no error)

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, x):
        return x


def stop_gradient(input: Any, name: Optional[str] = None) -> Tensor:
    """Returns `input`, blocking gradients from flowing back through it."""
    return apply_op(StopGradient(), [convert_to_tensor(input)], name=name)


def _sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sums `grad` over the axes numpy broadcasting added or stretched to reach it from
    `shape`."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and grad.shape[lead + i] != 1)
    summed = np.sum(grad, axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape)


@register
class SumToShape(Op):
    """Sums a broadcast gradient back to the shape of the input it flows to (`shape`)."""

    # What is statically known of the target shape (the input's partial shape).
    static_shape: TensorShape = TensorShape(None)

    def infer(self, op):
        grad, shape = op.inputs
        known = constant_value(shape)
        if known is not None:
            return [(grad.dtype, TensorShape([int(d) for d in known]))]
        rank = shape.shape[0].value if shape.shape.ndims == 1 else None
        inferred = TensorShape(None if rank is None else [None] * rank)
        return [(grad.dtype, inferred.merge_with(self.static_shape))]

    def kernel(self, grad, shape):
        return _sum_to(np.asarray(grad), tuple(int(d) for d in shape))

    def grad(self, op, dy):
        from flowgraph.ops.shape_ops import broadcast_to, shape
        return [broadcast_to(dy, shape(op.inputs[0])), None]


def sum_to_shape_of(grad: Tensor, x: Tensor) -> Tensor:
    """`grad` summed back to x's shape (a no-op when the shapes are statically equal)."""
    if grad.shape.is_fully_defined() and grad.shape == x.shape:
        return grad
    from flowgraph.ops.shape_ops import shape
    target = shape(x) if not x.shape.is_fully_defined() else \
        convert_to_tensor(np.array(x.shape.as_list(), dtype=np.int32))
    return apply_op(SumToShape(static_shape=x.shape), [grad, target], name="SumToShape")


@register
class DenseFromSlices(Op):
    """The dense tensor of an IndexedSlices: zeros with `values` added at rows `indices`."""

    def infer(self, op):
        values, indices, shape = op.inputs
        known = constant_value(shape)
        if known is not None:
            return [(values.dtype, TensorShape([int(d) for d in known]))]
        if values.shape.ndims is not None:
            return [(values.dtype, TensorShape([None]).concatenate(values.shape[1:]))]
        return [(values.dtype, TensorShape(None))]

    def kernel(self, values, indices, shape):
        out = np.zeros(tuple(int(d) for d in shape), dtype=values.dtype)
        np.add.at(out, np.asarray(indices).reshape(-1),
                  np.asarray(values).reshape((-1,) + out.shape[1:]))
        return out

    def grad(self, op, dy):
        from flowgraph.ops.gather import gather
        return [gather(dy, op.inputs[1]), None, None]


def dense_from_slices(slices: Any) -> Tensor:
    """Densifies an IndexedSlices."""
    dense_shape = slices.dense_shape
    if dense_shape is None:
        raise ValueError("Cannot densify an IndexedSlices without a dense_shape")
    if dense_shape.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"dense_shape must be int32 or int64, got {dense_shape.dtype.name}")
    return apply_op(DenseFromSlices(), [slices.values, slices.indices, dense_shape],
                    name="DenseFromSlices")
