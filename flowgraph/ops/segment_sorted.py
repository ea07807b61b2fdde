"""Sorted segment reductions, as TF1's `tf.segment_sum`, `segment_mean`, `segment_max` and
`segment_min`: rows of `data` with the same id in `segment_ids` (a sorted 1-D tensor as long
as data's first dimension) reduce into row `id` of the output, which has ``max(id) + 1``
rows; rows no id names are 0."""

from __future__ import annotations

from typing import Any, ClassVar, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["segment_sum", "segment_mean", "segment_max", "segment_min"]


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


class _SortedSegment(Op):
    """Shared inference, checks and kernel; subclasses name the numpy reduction."""

    reducer: ClassVar[Any] = None
    allowed: ClassVar[str] = "fiu"

    def infer(self, op):
        data, ids = op.inputs
        check_dtype(op, data, self.allowed, "data")
        check_dtype(op, ids, "iu", "segment_ids")
        ids_shape = ids.shape.with_rank(1)
        if data.shape.ndims is None:
            return [(data.dtype, TensorShape(None))]
        dims = data.shape.with_rank_at_least(1).as_list()
        if dims[0] is not None and ids_shape[0].value is not None and \
                dims[0] != ids_shape[0].value:
            raise ValueError(f"{op.type}: segment_ids should be the same size as dimension 0 "
                             f"of data: {ids.shape} vs {data.shape}")
        return [(data.dtype, TensorShape([None] + dims[1:]))]

    def kernel(self, data, ids):
        if data.ndim == 0 or ids.shape != (data.shape[0],):
            raise _invalid(f"segment_ids should be the same size as dimension 0 of data: "
                           f"{list(ids.shape)} vs {list(data.shape)}")
        ids = ids.astype(np.int64)
        if ids.size and (ids[0] < 0 or np.any(np.diff(ids) < 0)):
            raise _invalid("segment ids are not increasing (and non-negative): sort them, or "
                           "use fg.unsorted_segment_sum")
        rows = int(ids[-1]) + 1 if ids.size else 0
        out = np.zeros((rows,) + data.shape[1:], data.dtype)
        if ids.size:
            starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
            out[ids[starts]] = self.reduce(data, starts)
        return out

    def reduce(self, data, starts):
        return type(self).reducer.reduceat(data, starts, axis=0)


@register
class SegmentSum(_SortedSegment):
    """Sum of each segment's rows."""

    reducer = np.add

    def grad(self, op, dy):
        from flowgraph.ops.gather import gather
        return [gather(dy, op.inputs[1]), None]


@register
class SegmentMean(_SortedSegment):
    """Mean of each segment's rows."""

    allowed = "f"

    def reduce(self, data, starts):
        sums = np.add.reduceat(data, starts, axis=0)
        counts = np.diff(np.r_[starts, len(data)]).reshape((-1,) + (1,) * (data.ndim - 1))
        return (sums / counts).astype(data.dtype)

    def grad(self, op, dy):
        from flowgraph.ops.cast import cast
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.fill import ones_like
        from flowgraph.ops.gather import gather
        from flowgraph.ops.shape_ops import reshape
        data, ids = op.inputs
        counts = segment_sum(cast(ones_like(ids), dy.dtype), ids)
        rank = data.shape.ndims
        if rank is None:
            raise ValueError("SegmentMean's gradient needs data of known rank")
        counts = reshape(counts, [-1] + [1] * (rank - 1))
        return [gather(realdiv(dy, counts), ids), None]


class _SegmentExtreme(_SortedSegment):
    def grad(self, op, dy):
        """TF1's rule: each segment's gradient is shared equally by the rows that reached
        its extreme value."""
        from flowgraph.ops.cast import cast
        from flowgraph.ops.compare import equal
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.gather import gather
        from flowgraph.ops.math import multiply
        data, ids = op.inputs
        chosen = cast(equal(data, gather(op.outputs[0], ids)), dy.dtype)
        shares = segment_sum(chosen, ids)
        return [multiply(gather(realdiv(dy, shares), ids), chosen), None]


@register
class SegmentMax(_SegmentExtreme):
    """Largest value of each segment."""

    reducer = np.maximum


@register
class SegmentMin(_SegmentExtreme):
    """Smallest value of each segment."""

    reducer = np.minimum


def _segment(op_class: type, data: Any, segment_ids: Any, name: Optional[str]) -> Tensor:
    return apply_op(op_class(), [convert_to_tensor(data), convert_to_tensor(segment_ids)],
                    name=name)


def segment_sum(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """Sums rows of `data` per sorted segment id (TF1's `tf.segment_sum`).

    >>> fg.segment_sum([[1., 2.], [3., 4.], [5., 6.]], [0, 0, 2])  # [[4, 6], [0, 0], [5, 6]]
    """
    return _segment(SegmentSum, data, segment_ids, name)


def segment_mean(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """Averages rows of `data` per sorted segment id (TF1's `tf.segment_mean`)."""
    return _segment(SegmentMean, data, segment_ids, name)


def segment_max(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """Row-wise maximum per sorted segment id (TF1's `tf.segment_max`)."""
    return _segment(SegmentMax, data, segment_ids, name)


def segment_min(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """Row-wise minimum per sorted segment id (TF1's `tf.segment_min`)."""
    return _segment(SegmentMin, data, segment_ids, name)
