"""More segment reductions, as TF1's: unsorted_segment_max / min / prod (ops with TF1's
gradients), unsorted_segment_mean / sqrt_n and segment_prod (composites). Empty segments
hold the reduction's identity: the dtype's lowest value for max, its highest for min, 1
for prod and 0 for mean and sqrt_n."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import apply_op, register
from flowgraph.ops.segment import UnsortedSegmentSum, unsorted_segment_sum

__all__ = ["unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod",
           "unsorted_segment_mean", "unsorted_segment_sqrt_n", "segment_prod"]


def _limit(dtype: np.dtype, highest: bool) -> Any:
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    return info.max if highest else info.min


class _UnsortedSegmentReduce(UnsortedSegmentSum):
    """Shared shape rules and checks (UnsortedSegmentSum's); `ufunc.at` does the work."""

    ufunc = None

    def identity(self, dtype: np.dtype) -> Any:
        raise NotImplementedError

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
        if flat_ids.size and flat_ids.max() >= rows:
            bad = int(flat_ids[flat_ids >= rows][0])
            raise errors.InvalidArgumentError(
                None, None, f"segment_ids contains {bad}, which is not in [0, {rows})")
        flat = data.reshape((flat_ids.size,) + data.shape[ids.ndim:])
        keep = flat_ids >= 0
        out = np.full((rows,) + data.shape[ids.ndim:], self.identity(data.dtype),
                      dtype=data.dtype)
        self.ufunc.at(out, flat_ids[keep], flat[keep])
        return out


def _min_max_grad(op: Any, dy: Any) -> list:
    """TF1's _UnsortedSegmentMinOrMaxGrad: the gradient goes to the elements equal to their
    segment's result, split evenly between ties."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import equal, greater_equal
    from flowgraph.ops.division import realdiv
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.gather import gather
    from flowgraph.ops.logic import logical_and, where_v2
    from flowgraph.ops.math import maximum
    from flowgraph.ops.shape_ops import expand_dims
    data, ids, num = op.inputs
    zero = convert_to_tensor(0, dtype=ids.dtype)
    clipped = maximum(ids, zero)
    valid = greater_equal(ids, zero)
    for _ in range(max((data.shape.ndims or 0) - (ids.shape.ndims or 0), 0)):
        valid = expand_dims(valid, -1)
    selected = logical_and(equal(data, gather(op.outputs[0], clipped)), valid)
    counts = unsorted_segment_sum(cast(selected, data.dtype), ids, num)
    share = realdiv(gather(dy, clipped), gather(counts, clipped))
    return [where_v2(selected, share, zeros_like(share)), None, None]


@register
class UnsortedSegmentMax(_UnsortedSegmentReduce):
    """The maximum of the data rows of each segment (the dtype's lowest value if empty)."""

    ufunc = np.maximum

    def identity(self, dtype):
        return _limit(dtype, highest=False)

    def grad(self, op, dy):
        return _min_max_grad(op, dy)


@register
class UnsortedSegmentMin(_UnsortedSegmentReduce):
    """The minimum of the data rows of each segment (the dtype's highest value if empty)."""

    ufunc = np.minimum

    def identity(self, dtype):
        return _limit(dtype, highest=True)

    def grad(self, op, dy):
        return _min_max_grad(op, dy)


@register
class UnsortedSegmentProd(_UnsortedSegmentReduce):
    """The product of the data rows of each segment (1 if empty)."""

    ufunc = np.multiply

    def identity(self, dtype):
        return 1

    def grad(self, op, dy):
        # TF1's _UnsortedSegmentProdGrad: product of the others, also where data is zero.
        from flowgraph.ops.cast import cast
        from flowgraph.ops.compare import equal, greater, greater_equal
        from flowgraph.ops.division import div_no_nan
        from flowgraph.ops.fill import ones_like, zeros_like
        from flowgraph.ops.gather import gather
        from flowgraph.ops.logic import where_v2
        from flowgraph.ops.math import maximum, multiply
        from flowgraph.ops.shape_ops import expand_dims
        data, ids, num = op.inputs
        zero_id = convert_to_tensor(0, dtype=ids.dtype)
        clipped = maximum(ids, zero_id)
        is_zero = equal(data, convert_to_tensor(0, dtype=data.dtype))
        num_zeros = unsorted_segment_sum(cast(is_zero, dtypes.int32), ids, num)
        dy = where_v2(greater(num_zeros, 1), zeros_like(dy), dy)
        non_zero_data = where_v2(is_zero, ones_like(data), data)
        non_zero_prod = unsorted_segment_prod(non_zero_data, ids, num)
        partial = where_v2(is_zero, gather(non_zero_prod, clipped),
                           div_no_nan(gather(op.outputs[0], clipped), data))
        valid = greater_equal(ids, zero_id)
        for _ in range(max((data.shape.ndims or 0) - (ids.shape.ndims or 0), 0)):
            valid = expand_dims(valid, -1)
        gathered = where_v2(valid, gather(dy, clipped), zeros_like(data))
        return [multiply(gathered, partial), None, None]


def _segment_op(op_class: type, data: Any, segment_ids: Any, num_segments: Any,
                name: Optional[str]) -> Tensor:
    data = convert_to_tensor(data)
    ids = convert_to_tensor(segment_ids)
    num = convert_to_tensor(num_segments, dtype=ids.dtype if ids.dtype.is_integer
                            else dtypes.int32)
    return apply_op(op_class(), [data, ids, num], name=name)


def unsorted_segment_max(data: Any, segment_ids: Any, num_segments: Any,
                         name: Optional[str] = None) -> Tensor:
    """The maximum of the rows of `data` in each of `num_segments` segments."""
    return _segment_op(UnsortedSegmentMax, data, segment_ids, num_segments, name)


def unsorted_segment_min(data: Any, segment_ids: Any, num_segments: Any,
                         name: Optional[str] = None) -> Tensor:
    """The minimum of the rows of `data` in each of `num_segments` segments."""
    return _segment_op(UnsortedSegmentMin, data, segment_ids, num_segments, name)


def unsorted_segment_prod(data: Any, segment_ids: Any, num_segments: Any,
                          name: Optional[str] = None) -> Tensor:
    """The product of the rows of `data` in each of `num_segments` segments."""
    return _segment_op(UnsortedSegmentProd, data, segment_ids, num_segments, name)


def _segment_counts(data: Tensor, ids: Tensor, num: Any) -> Tensor:
    """max(count, 1) of each segment, shaped to broadcast against the segment sums."""
    from flowgraph.ops.fill import ones_like
    from flowgraph.ops.math import maximum
    from flowgraph.ops.shape_ops import reshape
    counts = unsorted_segment_sum(ones_like(ids, dtype=data.dtype), ids, num)
    counts = maximum(counts, convert_to_tensor(1, dtype=data.dtype))
    extra = (data.shape.ndims or 0) - (ids.shape.ndims or 0)
    return reshape(counts, [-1] + [1] * max(extra, 0))


def unsorted_segment_mean(data: Any, segment_ids: Any, num_segments: Any,
                          name: Optional[str] = None) -> Tensor:
    """The mean of the rows of `data` in each segment (0 for an empty one)."""
    from flowgraph.ops.division import realdiv
    with op_scope(name, "UnsortedSegmentMean", [data, segment_ids]):
        data = convert_to_tensor(data)
        ids = convert_to_tensor(segment_ids)
        return realdiv(unsorted_segment_sum(data, ids, num_segments),
                       _segment_counts(data, ids, num_segments))


def unsorted_segment_sqrt_n(data: Any, segment_ids: Any, num_segments: Any,
                            name: Optional[str] = None) -> Tensor:
    """The sum of the rows of `data` in each segment over sqrt(its size) (0 if empty)."""
    from flowgraph.ops.division import realdiv
    from flowgraph.ops.unary import sqrt
    with op_scope(name, "UnsortedSegmentSqrtN", [data, segment_ids]):
        data = convert_to_tensor(data)
        ids = convert_to_tensor(segment_ids)
        return realdiv(unsorted_segment_sum(data, ids, num_segments),
                       sqrt(_segment_counts(data, ids, num_segments)))


def segment_prod(data: Any, segment_ids: Any, name: Optional[str] = None) -> Tensor:
    """The product of the rows of `data` in each segment of the sorted `segment_ids` (max id
    + 1 rows; 1 for ids that do not occur)."""
    from flowgraph.ops.math import add
    from flowgraph.ops.reduce import reduce_max
    with op_scope(name, "SegmentProd", [data, segment_ids]):
        ids = convert_to_tensor(segment_ids)
        num = add(reduce_max(ids), convert_to_tensor(1, dtype=ids.dtype))
        return unsorted_segment_prod(data, ids, num)
