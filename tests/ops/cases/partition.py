"""Cases for partition.py (DynamicPartition, DynamicStitch, Unique), segment_sorted.py
(SegmentSum/Mean/Max/Min) and band_part.py (MatrixBandPart).

References: literal values worked out by hand, and numpy loops written here.
"""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

D = np.array([[1.0, -2.0], [3.5, 4.0], [0.5, 6.0], [-7.0, 8.25]])
IDS = np.array([0, 0, 2, 2], np.int32)
M = np.arange(1.0, 13.0).reshape(3, 4)


def _band(x, lower, upper):
    out = np.zeros_like(x)
    for m in range(x.shape[-2]):
        for n in range(x.shape[-1]):
            if (lower < 0 or m - n <= lower) and (upper < 0 or n - m <= upper):
                out[..., m, n] = x[..., m, n]
    return out


def _partition(data, parts):
    return fg.dynamic_partition(data, parts, 3)


def _stitch(i0, i1, d0, d1):
    return fg.dynamic_stitch([i0, i1], [d0, d1])


CASES = [
    OpCase("DynamicPartition", _partition, [D, np.array([2, 0, 2, 1], np.int32)],
           expected=[D[[1]], D[[3]], D[[0, 2]]]),
    OpCase("DynamicPartition", _partition, [M, np.array([[0, 1, 1, 0], [2, 2, 0, 0],
                                                          [1, 0, 0, 0]], np.int32)],
           expected=[np.array([1.0, 4.0, 7.0, 8.0, 10.0, 11.0, 12.0]),
                     np.array([2.0, 3.0, 9.0]), np.array([5.0, 6.0])], name="2d-partitions"),
    OpCase("DynamicStitch", _stitch,
           [np.array([0, 3], np.int32), np.array([[2], [1]], np.int32),
            np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[[5.0, 6.0]], [[7.0, 8.0]]])],
           expected=np.array([[1.0, 2.0], [7.0, 8.0], [5.0, 6.0], [3.0, 4.0]])),
    OpCase("Unique", lambda x: list(fg.unique(x)),
           [np.array([4, 1, 4, 4, 9, 1, 0], np.int64)],
           expected=[np.array([4, 1, 9, 0], np.int64), np.array([0, 1, 0, 0, 2, 1, 3],
                                                                np.int32)]),
    OpCase("Unique", lambda x: list(fg.unique(x, out_idx=fg.int64)),
           [np.array([2.5, -1.0, 2.5])],
           expected=[np.array([2.5, -1.0]), np.array([0, 1, 0], np.int64)], name="float"),
    OpCase("SegmentSum", lambda d, i: fg.segment_sum(d, i), [D, IDS],
           expected=np.array([[4.5, 2.0], [0.0, 0.0], [-6.5, 14.25]])),
    OpCase("SegmentSum", lambda d, i: fg.segment_sum(d, i),
           [np.array([1, 2, 3], np.int32), np.array([1, 1, 3], np.int64)],
           expected=np.array([0, 3, 0, 3], np.int32), name="int"),
    OpCase("SegmentMean", lambda d, i: fg.segment_mean(d, i), [D, IDS],
           expected=np.array([[2.25, 1.0], [0.0, 0.0], [-3.25, 7.125]])),
    OpCase("SegmentMax", lambda d, i: fg.segment_max(d, i), [D, IDS],
           expected=np.array([[3.5, 4.0], [0.0, 0.0], [0.5, 8.25]])),
    OpCase("SegmentMin", lambda d, i: fg.segment_min(d, i), [D, np.array([0, 1, 1, 1],
                                                                          np.int32)],
           expected=np.array([[1.0, -2.0], [-7.0, 4.0]])),
    OpCase("MatrixBandPart", lambda x: fg.matrix_band_part(x, 1, 0), [M],
           expected=_band(M, 1, 0)),
    OpCase("MatrixBandPart", lambda x: fg.linalg.band_part(x, -1, 1),
           [np.stack([M, -M])], expected=_band(np.stack([M, -M]), -1, 1), name="batch"),
]
