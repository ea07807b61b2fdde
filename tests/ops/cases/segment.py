"""Cases for the segment ops; the reference is a plain Python loop."""

import numpy as np

from flowgraph.ops import segment
from tests.ops.harness import OpCase


def _segment_sum(data, ids, num):
    out = np.zeros((num,) + data.shape[ids.ndim:], dtype=data.dtype)
    flat_ids = ids.reshape(-1)
    flat = data.reshape((flat_ids.size,) + data.shape[ids.ndim:])
    for i, s in enumerate(flat_ids):
        if s >= 0:
            out[s] += flat[i]
    return out


DATA = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]], dtype=np.float32)
IDS = np.array([2, 0, 2, -1], dtype=np.int64)
IDS2 = np.array([[1, 0], [0, 1]], dtype=np.int32)

CASES = [
    OpCase("UnsortedSegmentSum", lambda d, i: segment.unsorted_segment_sum(d, i, 4),
           [DATA, IDS], expected=_segment_sum(DATA, IDS, 4)),
    OpCase("UnsortedSegmentSum", lambda d, i: segment.unsorted_segment_sum(d, i, 2),
           [DATA.reshape(2, 2, 2), IDS2], expected=_segment_sum(DATA.reshape(2, 2, 2), IDS2, 2),
           name="2d_ids"),
    OpCase("UnsortedSegmentSum", lambda d, i, n: segment.unsorted_segment_sum(d, i, n),
           [np.array([1, 2, 3], np.int32), np.array([0, 0, 1], np.int32), np.int32(3)],
           expected=np.array([3, 3, 0], np.int32), name="int_fed_num"),
]
