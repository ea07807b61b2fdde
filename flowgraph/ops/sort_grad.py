"""Gradient ops of top_k and sort: values picked along an axis (GatherAlongAxis) and their
gradients put back where they came from (ScatterAlongAxis); each is the other's gradient.

Both take indices that are distinct along the axis within each slice, as top_k and sort
produce (numpy's take_along_axis / put_along_axis).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.reduce_axes import normalize_axes
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_util import check_index_dtype, known_vector
from flowgraph.shapes import TensorShape

__all__: list = []


def _axis(axis: int, rank: int, error: type = ValueError) -> int:
    return normalize_axes((axis,), rank, "gather/scatter", error=error)[0]


@register
class GatherAlongAxis(Op):
    """``out[..., i, ...] = params[..., indices[..., i, ...], ...]`` along `axis`
    (numpy's take_along_axis); `indices` has the rank of `params`."""

    axis: int = -1

    def infer(self, op):
        params, indices = op.inputs
        check_index_dtype(op, indices, "indices")
        if params.shape.ndims is None or indices.shape.ndims is None:
            return [(params.dtype, indices.shape)]
        if params.shape.ndims != indices.shape.ndims:
            raise ValueError(f"{op.type} needs indices of the rank of params, got "
                             f"{indices.shape} for {params.shape}")
        axis = _axis(self.axis, params.shape.ndims)
        dims = [i if k == axis or i is not None else p for k, (p, i) in
                enumerate(zip(params.shape.as_list(), indices.shape.as_list()))]
        return [(params.dtype, TensorShape(dims))]

    def kernel(self, params, indices):
        axis = _axis(self.axis, params.ndim, errors.InvalidArgumentError)
        return np.take_along_axis(params, indices.astype(np.intp, copy=False), axis=axis)

    def grad(self, op, dy):
        from flowgraph.ops.reduce_grad import shape_tensor
        params, indices = op.inputs
        return [scatter_along_axis(convert_to_tensor(dy), indices, shape_tensor(params),
                                   self.axis), None]


@register
class ScatterAlongAxis(Op):
    """Zeros of shape `shape` with ``out[..., indices[..., i, ...], ...] = updates[..., i,
    ...]`` along `axis` (numpy's put_along_axis; indices distinct within each slice)."""

    axis: int = -1

    def infer(self, op):
        updates, indices, shape = op.inputs
        check_dtype(op, updates, "f", "updates")
        check_index_dtype(op, indices, "indices")
        dims = known_vector(shape)
        if dims is None:
            return [(updates.dtype, TensorShape(None))]
        dims = [None if d is None or d < 0 else d for d in dims]
        if updates.shape.ndims == len(dims):
            axis = _axis(self.axis, len(dims))
            dims = [u if k != axis and d is None else d
                    for k, (d, u) in enumerate(zip(dims, updates.shape.as_list()))]
        return [(updates.dtype, TensorShape(dims))]

    def kernel(self, updates, indices, shape):
        out = np.zeros(tuple(int(d) for d in shape), dtype=updates.dtype)
        axis = _axis(self.axis, out.ndim, errors.InvalidArgumentError)
        np.put_along_axis(out, indices.astype(np.intp, copy=False), updates, axis=axis)
        return out

    def grad(self, op, dy):
        updates, indices, _ = op.inputs
        return [gather_along_axis(convert_to_tensor(dy), indices, self.axis), None, None]


def gather_along_axis(params: Tensor, indices: Tensor, axis: int) -> Tensor:
    """`params` picked at `indices` along `axis` (a GatherAlongAxis node)."""
    return apply_op(GatherAlongAxis(axis=axis), [params, indices], name="GatherAlongAxis")


def scatter_along_axis(updates: Tensor, indices: Tensor, shape: Tensor, axis: int) -> Any:
    """Zeros of `shape` holding `updates` at `indices` along `axis` (a ScatterAlongAxis
    node)."""
    return apply_op(ScatterAlongAxis(axis=axis), [updates, indices, shape],
                    name="ScatterAlongAxis")
