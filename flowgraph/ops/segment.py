"""Segment reductions: `unsorted_segment_sum` (TF1's ``tf.unsorted_segment_sum``).

Embedding lookups with a combiner (feature columns' ``embedding_column``) sum the rows of
each example with it.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.shapes import TensorShape

__all__ = ["unsorted_segment_sum"]


@register
class UnsortedSegmentSum(Op):
    """output[i, ...] = sum of data[j, ...] over the j with segment_ids[j] == i (inputs:
    data, segment_ids, num_segments); ids of -1 (negative) are dropped, as TF1; an output
    row that no id names is zero. segment_ids may have several dimensions: they index the
    leading dimensions of data."""

    def infer(self, op):
        data, ids, num = op.inputs
        check_dtype(op, data, "fiu", "data")
        check_dtype(op, ids, "iu", "segment_ids")
        check_dtype(op, num, "iu", "num_segments")
        if num.shape.ndims not in (None, 0):
            raise ValueError(f"UnsortedSegmentSum: num_segments must be a scalar, got shape "
                             f"{num.shape}")
        value = constant_value(num)
        rows = int(value) if value is not None else None
        if data.shape.ndims is None or ids.shape.ndims is None:
            return [(data.dtype, TensorShape(None))]
        d, i = data.shape.as_list(), ids.shape.as_list()
        if len(i) > len(d):
            raise ValueError(f"UnsortedSegmentSum: segment_ids of shape {ids.shape} has more "
                             f"dimensions than data of shape {data.shape}")
        for a, b in zip(d, i):
            if a is not None and b is not None and a != b:
                raise ValueError(f"UnsortedSegmentSum: segment_ids shape {ids.shape} must be "
                                 f"a prefix of data shape {data.shape}")
        return [(data.dtype, TensorShape([rows] + d[len(i):]))]

    def kernel(self, data, ids, num):
        rows = int(num)
        if rows < 0:
            raise errors.InvalidArgumentError(None, None, f"num_segments must be >= 0, got "
                                              f"{rows}")
        if data.shape[:ids.ndim] != ids.shape:
            raise errors.InvalidArgumentError(
                None, None, f"segment_ids shape {list(ids.shape)} must be a prefix of data "
                f"shape {list(data.shape)}")
        flat_ids = ids.reshape(-1).astype(np.int64)
        flat = data.reshape((flat_ids.size,) + data.shape[ids.ndim:])
        if flat_ids.size and flat_ids.max() >= rows:
            bad = int(flat_ids[flat_ids >= rows][0])
            raise errors.InvalidArgumentError(
                None, None, f"segment_ids contains {bad}, which is not in [0, {rows})")
        keep = flat_ids >= 0
        out = np.zeros((rows,) + data.shape[ids.ndim:], dtype=data.dtype)
        np.add.at(out, flat_ids[keep], flat[keep])
        return out

    def grad(self, op, dy):
        """Each data row gets the gradient of its segment (zero for dropped ids)."""
        from flowgraph.ops.compare import greater_equal
        from flowgraph.ops.fill import zeros_like
        from flowgraph.ops.gather import gather
        from flowgraph.ops.logic import where_v2
        from flowgraph.ops.math import maximum
        from flowgraph.ops.shape_ops import expand_dims
        ids = op.inputs[1]
        picked = gather(dy, maximum(ids, convert_to_tensor(0, dtype=ids.dtype)))
        valid = greater_equal(ids, convert_to_tensor(0, dtype=ids.dtype))
        extra = (op.inputs[0].shape.ndims or 0) - (ids.shape.ndims or 0)
        for _ in range(max(extra, 0)):
            valid = expand_dims(valid, -1)
        return [where_v2(valid, picked, zeros_like(picked)), None, None]


def unsorted_segment_sum(data: Any, segment_ids: Any, num_segments: Any,
                         name: Optional[str] = None) -> Tensor:
    """Sums the rows of `data` that share a segment id into row `id` of a tensor of
    `num_segments` rows (negative ids are dropped; unnamed rows are zero), as TF1.

    >>> fg.unsorted_segment_sum([[1., 2.], [3., 4.], [5., 6.]], [1, 0, 1], 2)
    ... # -> [[3., 4.], [6., 8.]]
    """
    data = convert_to_tensor(data)
    ids = convert_to_tensor(segment_ids)
    num = convert_to_tensor(num_segments, dtype=ids.dtype if ids.dtype.is_integer
                            else dtypes.int32)
    return apply_op(UnsortedSegmentSum(), [data, ids, num], name=name)
