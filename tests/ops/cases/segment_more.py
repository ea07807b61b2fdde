"""Cases for segment_more.py; values (and gradients) match a real TF1 run: empty segments
hold the identity (lowest / highest value, 1), ties share the gradient of max / min, and a
product with one zero passes the product of the others to it."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F32 = np.float32
DATA = np.array([[1.0, 2.0], [3.0, 0.0], [3.0, 4.0], [0.0, 0.0], [5.0, -1.0]], F32)
IDS = np.array([0, 1, 0, 1, -1], np.int32)  # -1: dropped
LOW, HIGH = np.finfo(F32).min, np.finfo(F32).max
# Gradient checks need smooth points: no ties, no zeros in products.
SMOOTH = np.array([[1.0, 2.5], [3.0, 0.5], [2.0, 4.0], [0.25, 1.5], [5.0, -1.0]])

CASES = [
    # (the empty segment's +-FLT_MAX would overflow the finite differences: grad=False)
    OpCase("UnsortedSegmentMax", lambda d, i: fg.unsorted_segment_max(d, i, 3), [DATA, IDS],
           expected=np.array([[3.0, 4.0], [3.0, 0.0], [LOW, LOW]], F32), grad=False),
    OpCase("UnsortedSegmentMax", lambda d, i: fg.unsorted_segment_max(d, i, 2), [SMOOTH, IDS],
           expected=np.array([[2.0, 4.0], [3.0, 1.5]]), name="no_empty"),
    OpCase("UnsortedSegmentMin", lambda d, i: fg.unsorted_segment_min(d, i, 3), [DATA, IDS],
           expected=np.array([[1.0, 2.0], [0.0, 0.0], [HIGH, HIGH]], F32), grad=False),
    OpCase("UnsortedSegmentMin", lambda d, i: fg.unsorted_segment_min(d, i, 2), [SMOOTH, IDS],
           expected=np.array([[1.0, 2.5], [0.25, 0.5]]), name="no_empty"),
    OpCase("UnsortedSegmentProd", lambda d, i: fg.unsorted_segment_prod(d, i, 3), [DATA, IDS],
           expected=np.array([[3.0, 8.0], [0.0, 0.0], [1.0, 1.0]], F32),
           grad_inputs=[SMOOTH, IDS]),
    OpCase("UnsortedSegmentProd", lambda d, i: fg.segment_prod(d, i),
           [DATA[:4], np.array([0, 0, 1, 3], np.int32)],
           expected=np.array([[3.0, 0.0], [3.0, 4.0], [1.0, 1.0], [0.0, 0.0]], F32),
           grad_inputs=[SMOOTH[:4], np.array([0, 0, 1, 3], np.int32)], name="segment_prod"),
]
