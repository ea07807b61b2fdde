"""Cases for the boosted-trees ops; expected values are worked out by hand (comments) or by
plain loops over the examples written here.

The hand-built ensemble (feature 0 and 1 bucket ids; left when bucket <= threshold):
  tree 0: node 0 splits on feature 1 at 2 -> leaves 1 (-1.0) and 2 (2.0)
  tree 1: node 0 splits on feature 0 at 0 -> leaf 1 (0.25) and node 2, which splits on
          feature 1 at 4 -> leaves 3 (0.5) and 4 (-0.75)
  tree 2: unused (a zero leaf)
"""

import numpy as np

import flowgraph as fg
from flowgraph.ops import boosted_trees as bt
from flowgraph.ops import boosted_trees_training as btt
from tests.ops.harness import OpCase

LEAF = [-1, -1, -1, -1]
NODES = np.array([
    [[1, 2, 1, 2], LEAF, LEAF, LEAF, LEAF],
    [[0, 0, 1, 2], LEAF, [1, 4, 3, 4], LEAF, LEAF],
    [LEAF] * 5,
], dtype=np.int32)
VALUES = np.zeros((3, 5, 1), dtype=np.float32)
VALUES[0, 1:3, 0] = [-1.0, 2.0]
VALUES[1, [1, 3, 4], 0] = [0.25, 0.5, -0.75]
VALUES2 = np.zeros((3, 5, 2), dtype=np.float32)
VALUES2[0, 1:3] = [[-1, 1], [2, 0]]
VALUES2[1, [1, 3, 4]] = [[0.25, 0], [0.5, 1], [-0.75, 2]]
FEATURES = np.array([[0, 1], [3, 2], [1, 5], [2, 3]], dtype=np.int32)
# Paths: example 0 -> t0 leaf 1, t1 leaf 1; 1 -> t0 leaf 1, t1 leaf 3; 2 -> t0 leaf 2,
# t1 leaf 4; 3 -> t0 leaf 2, t1 leaf 3.
LOGITS = np.float32([[-1.0 + 0.25], [-1.0 + 0.5], [2.0 - 0.75], [2.0 + 0.5]])
LOGITS2 = np.float32([[-0.75, 1], [-0.5, 2], [1.25, 2], [2.5, 1]])


def _state(num_trees=0, center=0):
    return np.array([num_trees, 0, 0, 0, 0, 1, center, 0], dtype=np.int32)


def _loop_stats(node_ids, grads, hess, features, max_splits, num_buckets):
    out = np.zeros((features.shape[1], max_splits, num_buckets, 2 * grads.shape[1]))
    for i, node in enumerate(node_ids):
        if not 0 <= node < max_splits:
            continue
        for f, bucket in enumerate(features[i]):
            out[f, node, bucket] += np.concatenate([grads[i], hess[i]])
    return out.astype(np.float32)


NODE_IDS = np.array([0, 2, 1, 0, 7], dtype=np.int32)   # node 7 is outside max_splits=3
GRADS = np.float32([[0.5], [-1.0], [0.25], [2.0], [9.0]])
HESS = np.float32([[1.0], [0.5], [0.25], [1.5], [9.0]])
BUCKETS = np.array([[0, 2], [1, 1], [2, 0], [0, 0], [1, 1]], dtype=np.int32)


def _accumulate(center):
    def build(node_ids, grads, hess, features):
        stats = fg.Variable(np.zeros((2, 3, 3, 2), np.float32), name="stats")
        bias = fg.Variable(np.zeros((2, 1), np.float32), name="bias")
        count = fg.Variable(np.int32(0), name="count")
        with fg.control_dependencies([v.initializer for v in (stats, bias, count)]):
            out = btt.accumulate_stats(stats, bias, count, _state(center=center), node_ids,
                                       grads, hess, features, n_trees=2)
        with fg.control_dependencies([out.op]):
            return [out, stats.read_value(), bias.read_value()]
    return build


def _expected_accumulate(center):
    stats = np.zeros((2, 3, 3, 2), np.float32)
    bias = np.zeros((2, 1), np.float32)
    if center:
        bias = np.float32([[GRADS.mean()], [HESS.mean()]])
    else:
        stats = _loop_stats(NODE_IDS, GRADS, HESS, BUCKETS, 3, 3)
    return [np.int32(1), stats, bias]


# One feature with 3 buckets, node 0, two accumulated batches whose average is
# g = [-2, 1, 3], h = [2, 1, 1]; l2 = 1, learning_rate = 0.5, max_depth = 1.
# Parent: G = 2, H = 4, gain = G^2 / (H + l2) = 4/5.
# Threshold 0: left (-2, 2): gain 4/3, weight 2/3; right (4, 2): gain 16/3, weight -4/3.
# Threshold 1: left (-1, 3): 1/4; right (3, 1): 9/2 -> 4.75 < 20/3. Threshold 2: 4/5.
# Best: threshold 0, gain 20/3 - 4/5 = 88/15; leaves 0.5 * 2/3 = 1/3 and 0.5 * -4/3.
ACC_STATS = np.float32([[[[-4, 4], [2, 2], [6, 2]]]])


def _update(center=False, pruning_mode="none", tree_complexity=0.0, bias=(0.0, 0.0)):
    def build():
        ens = [fg.Variable(np.full((3, 3, 4), -1, np.int32), name="tree_nodes"),
               fg.Variable(np.zeros((3, 3, 1), np.float32), name="node_values"),
               fg.Variable(np.zeros((3, 3), np.float32), name="node_gains"),
               fg.Variable(np.zeros((3, 3), np.int32), name="tree_meta"),
               fg.Variable(_state(center=int(center)), name="growing_state")]
        acc = [fg.Variable(ACC_STATS, name="stats"),
               fg.Variable(np.float32([[bias[0]], [bias[1]]]), name="bias"),
               fg.Variable(np.int32(2), name="count")]
        inits = [v.initializer for v in ens + acc]
        with fg.control_dependencies(inits):
            counted = fg.identity(acc[2].read_value())
            out = btt.update_ensemble(
                ens, acc, counted, n_batches_per_layer=2, n_trees=2, max_depth=1,
                learning_rate=0.5, l2=1.0, tree_complexity=tree_complexity,
                pruning_mode=pruning_mode)
        with fg.control_dependencies([out.op]):
            return [out] + [v.read_value() for v in ens + acc]
    return build


def _grown():
    nodes = np.full((3, 3, 4), -1, np.int32)
    nodes[0, 0] = [0, 0, 1, 2]
    values = np.zeros((3, 3, 1), np.float32)
    values[0, 1:, 0] = [1 / 3, -2 / 3]
    gains = np.zeros((3, 3), np.float32)
    gains[0, 0] = 88 / 15
    meta = np.int32([[3, 1, 1], [1, 0, 0], [0, 0, 0]])
    # 2 trees (the second a new empty one), 1 finalized, 1 layer and 1 tree attempted.
    state = np.int32([2, 1, 1, 1, 0, 1, 0, 0])
    return [np.bool_(True), nodes, values, gains, meta, state,
            np.zeros((1, 1, 3, 2), np.float32), np.zeros((2, 1), np.float32), np.int32(0)]


def _not_grown():
    # tree_complexity 6 makes the best gain 88/15 - 6 < 0: pre-pruning adds no node, but
    # tree 0 exists now and the attempt is counted.
    meta = np.int32([[1, 0, 0], [0, 0, 0], [0, 0, 0]])
    return [np.bool_(True), np.full((3, 3, 4), -1, np.int32), np.zeros((3, 3, 1), np.float32),
            np.zeros((3, 3), np.float32), meta, np.int32([1, 0, 1, 1, 0, 1, 0, 0]),
            np.zeros((1, 1, 3, 2), np.float32), np.zeros((2, 1), np.float32), np.int32(0)]


def _centered():
    # Accumulated means over 2 batches: g = -0.5, h = 0.25 -> bias -g / (h + l2) = 0.4.
    values = np.zeros((3, 3, 1), np.float32)
    values[0, 0, 0] = 0.4
    meta = np.int32([[1, 0, 0], [0, 0, 0], [0, 0, 0]])
    return [np.bool_(True), np.full((3, 3, 4), -1, np.int32), values,
            np.zeros((3, 3), np.float32), meta, np.int32([1, 0, 0, 0, 0, 1, 1, 0]),
            np.zeros((1, 1, 3, 2), np.float32), np.zeros((2, 1), np.float32), np.int32(0)]


# The ensemble with a bias of 0.5 in tree 0's root. Walking each example's path by hand,
# each split's change of the running logit goes to its feature:
#   example 0: t0 0.5 -> -1.0 (feature 1: -1.5); t1 root 0 -> 0.25 (feature 0: +0.25)
#   example 1: t0 -1.5 on feature 1; t1 +0 on feature 0 (node 2 has value 0), +0.5 on 1
#   example 2: t0 +1.5 on feature 1; t1 -0.75 on feature 1
#   example 3: t0 +1.5 on feature 1; t1 +0.5 on feature 1
VALUES_BIAS = VALUES.copy()
VALUES_BIAS[0, 0, 0] = 0.5
DFC = np.float32([[0.25, -1.5], [0.0, -1.0], [0.0, 0.75], [0.0, 2.0]])


def _sigmoid_dfc():
    """The same walk with sigmoid(running logit) before and after each split."""
    def s(x):
        return 1 / (1 + np.exp(-x))
    paths = [[(1, 0.5, -1.0), (0, -1.0, -0.75)],
             [(1, 0.5, -1.0), (0, -1.0, -1.0), (1, -1.0, -0.5)],
             [(1, 0.5, 2.0), (0, 2.0, 2.0), (1, 2.0, 1.25)],
             [(1, 0.5, 2.0), (0, 2.0, 2.0), (1, 2.0, 2.5)]]
    out = np.zeros((4, 2), np.float32)
    for i, path in enumerate(paths):
        for feature, before, after in path:
            out[i, feature] += s(after) - s(before)
    return [np.full(4, s(0.5), np.float32), out]


CASES = [
    OpCase("BoostedTreesPredict", bt.predict, [NODES, VALUES, FEATURES], expected=LOGITS),
    OpCase("BoostedTreesPredict", bt.predict, [NODES, VALUES2, FEATURES], expected=LOGITS2,
           name="two_logits"),
    OpCase("BoostedTreesTrainingPredict", bt.training_predict,
           [NODES, VALUES, _state(num_trees=2), FEATURES],
           expected=[LOGITS, np.int32([1, 3, 4, 3])]),
    OpCase("BoostedTreesTrainingPredict", bt.training_predict,
           [NODES, VALUES, _state(num_trees=0), FEATURES],
           expected=[LOGITS, np.int32([1, 1, 2, 2])], name="first_tree"),
    OpCase("BoostedTreesFeatureContributions", bt.feature_contributions,
           [NODES, VALUES_BIAS, FEATURES], expected=[np.full(4, 0.5, np.float32), DFC]),
    OpCase("BoostedTreesFeatureContributions",
           lambda n, v, f: bt.feature_contributions(n, v, f, activation="sigmoid"),
           [NODES, VALUES_BIAS, FEATURES], expected=_sigmoid_dfc(), rtol=1e-5,
           name="sigmoid"),
    OpCase("BoostedTreesMakeStatsSummary",
           lambda n, g, h, f: bt.make_stats_summary(n, g, h, f, max_splits=3, num_buckets=3),
           [NODE_IDS, GRADS, HESS, BUCKETS],
           expected=_loop_stats(NODE_IDS, GRADS, HESS, BUCKETS, 3, 3)),
    OpCase("BoostedTreesAccumulateStats", _accumulate(0), [NODE_IDS, GRADS, HESS, BUCKETS],
           expected=_expected_accumulate(0)),
    OpCase("BoostedTreesAccumulateStats", _accumulate(1), [NODE_IDS, GRADS, HESS, BUCKETS],
           expected=_expected_accumulate(1), name="center_bias"),
    OpCase("BoostedTreesUpdateEnsemble", _update(), expected=_grown(), rtol=1e-5),
    OpCase("BoostedTreesUpdateEnsemble", _update(pruning_mode="pre", tree_complexity=6.0),
           expected=_not_grown(), name="pre_pruned"),
    OpCase("BoostedTreesUpdateEnsemble", _update(center=True, bias=(-1.0, 0.5)),
           expected=_centered(), name="center_bias"),
]
