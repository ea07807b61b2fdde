"""Cases for the boosted-trees quantile ops; expected values worked out by hand below."""

import numpy as np

import flowgraph as fg
from flowgraph.ops import boosted_trees_quantiles as btq
from tests.ops.harness import OpCase

# The bucket of the first boundary >= the value, the last bucket past the largest:
# column 0 boundaries 0, 1, 2: -1 -> 0, 0 -> 0, 2 -> 2.
# column 1 boundaries 1, 5, 9: 5 -> 1, 0.5 -> 0, 10 -> 2 (past 9).
# column 2 boundaries 0, 1 padded with a repeated 1: 0.5 -> 1, 1 -> 1, 3 -> 1 (past 1).
VALUES = np.float32([[-1, 5, 0.5], [0, 0.5, 1], [2, 10, 3]])
BOUNDARIES = np.float32([[0, 1, 2], [1, 5, 9], [0, 1, 1]])

# One feature, a summary of capacity 4, values 1..8 of weight 1 in one batch:
# cumulative weights 1..8; points kept at cumulative weights 0, 8/3, 16/3, 8 -> the values
# 1, 3, 6, 8, each of weight 8 / 4 = 2 (cumulative 2, 4, 6, 8). 3 boundaries at 0, 1/2 and
# 1 of the weight (0, 4, 8): 1, 3, 8. The "quantiles needed" flag is cleared.
STREAM = np.arange(1, 9, dtype=np.float32)[:, None]


def _accumulate(values, weights):
    summary = [fg.Variable(np.zeros((1, 4), np.float32), name="summary_values"),
               fg.Variable(np.zeros((1, 4), np.float32), name="summary_weights"),
               fg.Variable(np.zeros(1, np.int32), name="summary_size"),
               fg.Variable(np.int32(0), name="num_batches"),
               fg.Variable(np.zeros((1, 3), np.float32), name="boundaries"),
               fg.Variable(np.int32([0, 0, 0, 0, 0, 1, 0, 1]), name="growing_state")]
    with fg.control_dependencies([v.initializer for v in summary]):
        ready = btq.quantile_accumulate(summary, values, weights, n_batches_per_layer=1)
    with fg.control_dependencies([ready.op]):
        return [ready] + [v.read_value() for v in summary]


CASES = [
    OpCase("BoostedTreesBucketize", btq.bucketize_features, [VALUES, BOUNDARIES],
           expected=np.int32([[0, 1, 1], [0, 0, 1], [2, 2, 1]])),
    OpCase("BoostedTreesQuantileAccumulate", _accumulate, [STREAM, np.ones(8, np.float32)],
           expected=[np.bool_(True), np.float32([[1, 3, 6, 8]]), np.float32([[2, 2, 2, 2]]),
                     np.int32([4]), np.int32(1), np.float32([[1, 3, 8]]),
                     np.int32([0, 0, 0, 0, 0, 1, 0, 0])]),
]
