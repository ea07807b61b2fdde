"""``tf.tensor_scatter_nd_max`` / ``tf.tensor_scatter_nd_min``: the TensorScatterMax /
TensorScatterMin ops, on the code path of tensor_scatter_nd_update / add (scatter.py)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.registry import register
from flowgraph.ops.scatter import _tensor_scatter, _TensorScatter

__all__ = ["tensor_scatter_nd_max", "tensor_scatter_nd_min"]


def _extremum_grad(op: Any, dy: Any) -> list:
    """TF's gradient of TensorScatterMax / Min: the gradient goes to the entries equal to
    the result, split evenly between ties (of `tensor` and of the updates)."""
    from flowgraph.ops.array_grad import dense
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import equal
    from flowgraph.ops.division import divide
    from flowgraph.ops.gather import gather_nd
    from flowgraph.ops.math import add, multiply
    from flowgraph.ops.scatter import scatter_nd
    from flowgraph.ops.shape_ops import shape
    dy = dense(dy)
    x, indices, y = op.inputs
    output = op.outputs[0]
    x_indicators = cast(equal(x, output), dy.dtype)
    y_indicators = cast(equal(y, gather_nd(output, indices)), dy.dtype)
    ys_indicators = scatter_nd(indices, y_indicators, shape(x, out_type=indices.dtype))
    indicators = add(x_indicators, ys_indicators)  # >= 1 everywhere
    x_grad = divide(multiply(dy, x_indicators), indicators)
    y_grad = multiply(gather_nd(divide(dy, indicators), indices), y_indicators)
    return [x_grad, None, y_grad]


@register
class TensorScatterMax(_TensorScatter):
    """A copy of `tensor` where each slice at `indices` is the elementwise maximum of
    itself and its `updates` (duplicate indices all take part)."""

    def combine(self, out, where, values):
        np.maximum.at(out, where, values)

    def grad(self, op, dy):
        return _extremum_grad(op, dy)


@register
class TensorScatterMin(_TensorScatter):
    """A copy of `tensor` where each slice at `indices` is the elementwise minimum of
    itself and its `updates` (duplicate indices all take part)."""

    def combine(self, out, where, values):
        np.minimum.at(out, where, values)

    def grad(self, op, dy):
        return _extremum_grad(op, dy)


def tensor_scatter_nd_max(tensor: Any, indices: Any, updates: Any,
                          name: Optional[str] = None) -> Tensor:
    """A copy of `tensor` with each slice at the index tuples `indices` replaced by its
    elementwise maximum with `updates` (node "TensorScatterMax").

    >>> fg.tensor_scatter_nd_max([1., 5., 3.], [[0], [2]], [4., 1.])   # [4, 5, 3]
    """
    return _tensor_scatter(TensorScatterMax(), tensor, indices, updates, name)


def tensor_scatter_nd_min(tensor: Any, indices: Any, updates: Any,
                          name: Optional[str] = None) -> Tensor:
    """A copy of `tensor` with each slice at the index tuples `indices` replaced by its
    elementwise minimum with `updates` (node "TensorScatterMin")."""
    return _tensor_scatter(TensorScatterMin(), tensor, indices, updates, name)
