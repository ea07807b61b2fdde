"""IndexedSlices: a sparse gradient (rows `indices` of a dense tensor hold `values`)."""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from flowgraph.graph import Tensor
from flowgraph.shapes import TensorShape


class IndexedSlicesValue(NamedTuple):
    """The fetched value of an IndexedSlices."""

    values: Any
    indices: Any
    dense_shape: Any


class IndexedSlices:
    """Rows `indices` of a tensor of shape `dense_shape` hold `values` (others are zero).

    Gradients of gather and embedding lookups are IndexedSlices, so that optimizers update
    only the touched rows. `fg.convert_to_tensor` turns one into a dense Tensor.
    """

    def __init__(self, values: Tensor, indices: Tensor,
                 dense_shape: Optional[Tensor] = None) -> None:
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    values = property(lambda self: self._values)
    indices = property(lambda self: self._indices)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)
    graph = property(lambda self: self._values.graph)
    op = property(lambda self: self._values.op)
    name = property(lambda self: self._values.name)
    device = property(lambda self: self._values.device)

    @property
    def shape(self) -> TensorShape:
        from flowgraph.ops.registry import constant_value
        if self._dense_shape is not None:
            known = constant_value(self._dense_shape)
            if known is not None:
                return TensorShape([int(d) for d in known])
        return TensorShape(None).merge_with(
            TensorShape([None]).concatenate(self._values.shape[1:])
            if self._values.shape.ndims is not None else TensorShape(None))

    def get_shape(self) -> TensorShape:
        return self.shape

    def __fg_tensor__(self) -> Tensor:
        """The dense tensor (zeros except the given rows; repeated rows add up)."""
        from flowgraph.ops.gradient_ops import dense_from_slices
        return dense_from_slices(self)

    def __fg_fetch__(self) -> tuple:
        parts = [self._values, self._indices]
        if self._dense_shape is not None:
            parts.append(self._dense_shape)
        return parts, lambda v: IndexedSlicesValue(v[0], v[1], v[2] if len(v) > 2 else None)

    def __repr__(self) -> str:
        return (f"IndexedSlices(indices={self._indices.name}, values={self._values.name}, "
                f"dense_shape={getattr(self._dense_shape, 'name', None)})")
