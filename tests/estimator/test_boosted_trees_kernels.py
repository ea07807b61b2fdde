"""The numpy side of boosted trees: leaf weights and gains, histograms, split finding,
layer growth, post-pruning and bias centering, against references written here."""

import numpy as np
import pytest

from flowgraph.ops import boosted_trees_growth as growth
from flowgraph.ops import boosted_trees_kernels as kernels


def _objective_minimum(g, h, l1, l2):
    """min over w of 0.5 (h + l2) w^2 + g w + l1 |w|, by a fine grid search."""
    w = np.linspace(-10, 10, 200001)
    values = 0.5 * (h + l2) * w * w + g * w + l1 * np.abs(w)
    i = np.argmin(values)
    return w[i], values[i]


@pytest.mark.parametrize("g,h,l1,l2", [(3.0, 2.0, 0.0, 0.0), (-3.0, 2.0, 0.5, 1.0),
                                       (0.4, 1.0, 0.5, 0.0), (2.5, 0.5, 1.0, 2.0),
                                       (-1.0, 3.0, 0.0, 0.7)])
def test_leaf_weight_and_gain_minimize_the_regularized_objective(g, h, l1, l2):
    weight, gain = kernels.weights_and_gains(np.array([g]), np.array([h]), l1, l2)
    w_best, v_best = _objective_minimum(g, h, l1, l2)
    assert weight[0] == pytest.approx(w_best, abs=1e-4)
    # The gain is twice the objective's decrease: -2 * min (0 when w = 0 is best).
    assert gain == pytest.approx(-2 * v_best, abs=1e-6)


def test_diagonal_hessian_leaves_are_separate_problems():
    g, h = np.array([1.0, -4.0]), np.array([2.0, 1.0])
    weight, gain = kernels.weights_and_gains(g, h, 0.0, 1.0)
    np.testing.assert_allclose(weight, [-1 / 3, 2.0])
    assert gain == pytest.approx(1 / 3 + 8.0)


def test_no_weight_without_curvature():
    weight, gain = kernels.weights_and_gains(np.array([2.0]), np.array([0.0]), 0.0, 0.0)
    assert weight[0] == 0 and gain == 0


def _gain(g, h, l1, l2):
    """(|g| - l1)^2 / (h + l2) when |g| > l1, else 0: TF1's leaf gain, written out."""
    if abs(g) <= l1 or h + l2 <= 0:
        return 0.0
    return (abs(g) - l1) ** 2 / (h + l2)


def _split_gains_by_hand(g, h, l1, l2, tree_complexity):
    """Gain of each threshold of one node's histogram."""
    total_g, total_h = sum(g), sum(h)
    out = []
    for t in range(len(g)):
        lg, lh = sum(g[:t + 1]), sum(h[:t + 1])
        out.append(_gain(lg, lh, l1, l2) + _gain(total_g - lg, total_h - lh, l1, l2)
                   - _gain(total_g, total_h, l1, l2) - tree_complexity)
    return out


def test_best_split_picks_the_largest_gain_with_l1_and_l2():
    # Two features, two nodes, four buckets.
    g = np.array([[[1.0, -2.0, 0.5, 3.0], [0.2, 0.1, -0.3, 0.0]],
                  [[2.0, 0.0, 1.0, -0.5], [-1.0, 1.0, -1.0, 1.0]]])
    h = np.array([[[1.0, 2.0, 1.0, 1.0], [0.5, 0.5, 1.0, 0.5]],
                  [[2.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]])
    stats = np.stack([g, h], axis=-1)
    l1, l2, tc = 0.3, 0.5, 0.1
    splits = kernels.best_splits(stats, l1, l2, tc, min_node_weight=0.0)
    for node in range(2):
        per_feature = [_split_gains_by_hand(g[f, node], h[f, node], l1, l2, tc)
                       for f in range(2)]
        best = max((max(gains), -f, int(np.argmax(gains))) for f, gains in
                   enumerate(per_feature))
        assert splits.valid[node]
        assert splits.gain[node] == pytest.approx(best[0], rel=1e-5)
        assert splits.feature[node] == -best[1]
        assert splits.threshold[node] == best[2]
        f, t = -best[1], best[2]
        lg, lh = g[f, node, :t + 1].sum(), h[f, node, :t + 1].sum()
        shrunk = np.sign(lg) * max(abs(lg) - l1, 0)
        assert splits.left[node, 0] == pytest.approx(-shrunk / (lh + l2), rel=1e-5)


def test_hand_computed_split():
    # One node: g = [-2, 1, 3], h = [2, 1, 1], l2 = 1. Threshold 0 gives 4/3 + 16/3, the
    # parent 4/5, so the gain is 88/15; weights 2/3 (left) and -4/3 (right).
    stats = np.array([[[[-2.0, 2.0], [1.0, 1.0], [3.0, 1.0]]]])
    splits = kernels.best_splits(stats, 0.0, 1.0, 0.0, 0.0)
    assert splits.threshold[0] == 0 and splits.feature[0] == 0
    assert splits.gain[0] == pytest.approx(88 / 15, rel=1e-6)
    assert splits.left[0, 0] == pytest.approx(2 / 3, rel=1e-6)
    assert splits.right[0, 0] == pytest.approx(-4 / 3, rel=1e-6)


def test_min_node_weight_keeps_light_nodes_whole():
    stats = np.array([[[[-2.0, 0.2], [1.0, 0.2]], [[-2.0, 2.0], [1.0, 2.0]]]])
    splits = kernels.best_splits(stats, 0.0, 0.0, 0.0, min_node_weight=1.0)
    np.testing.assert_array_equal(splits.valid, [False, True])


def test_ties_go_to_the_lower_feature_and_bucket():
    node = [[1.0, 1.0], [-1.0, 1.0], [1.0, 1.0], [-1.0, 1.0]]
    stats = np.array([[node], [node]])
    splits = kernels.best_splits(stats, 0.0, 0.0, 0.0, 0.0)
    assert splits.feature[0] == 0 and splits.threshold[0] == 0


def test_histogram_of_two_logits():
    rng = np.random.default_rng(3)
    node_ids = rng.integers(0, 3, 50).astype(np.int32)
    grads = rng.normal(size=(50, 2)).astype(np.float32)
    hess = rng.uniform(size=(50, 2)).astype(np.float32)
    features = rng.integers(0, 4, (50, 3)).astype(np.int32)
    stats = kernels.stats_summary(node_ids, grads, hess, features, 3, 4)
    for f in range(3):
        for n in range(3):
            for b in range(4):
                rows = (node_ids == n) & (features[:, f] == b)
                np.testing.assert_allclose(stats[f, n, b, :2], grads[rows].sum(0), atol=1e-5)
                np.testing.assert_allclose(stats[f, n, b, 2:], hess[rows].sum(0), atol=1e-5)


def _empty(n_trees=2, max_depth=2, dims=1, center=0):
    t, n, _ = kernels.capacity(n_trees, max_depth)
    return growth.Ensemble(np.full((t, n, 4), -1, np.int32), np.zeros((t, n, dims), np.float32),
                           np.zeros((t, n), np.float32), np.zeros((t, 3), np.int32),
                           np.array([0, 0, 0, 0, 0, 1, center, 0], np.int32))


def _splits(gains, thresholds, left, right, feature=None):
    n = len(gains)
    return kernels.Splits(np.ones(n, bool), np.zeros(n, np.int32) if feature is None else
                          np.array(feature, np.int32), np.array(thresholds, np.int32),
                          np.array(gains, np.float32), np.array(left, np.float32)[:, None],
                          np.array(right, np.float32)[:, None])


def test_two_layers_then_a_new_tree():
    ens = _empty()
    assert growth.grow_layer(ens, _splits([1.0], [3], [2.0], [-2.0]), 0.5, 2, "none")
    np.testing.assert_array_equal(ens.tree_nodes[0, 0], [0, 3, 1, 2])
    np.testing.assert_allclose(ens.node_values[0, :3, 0], [0, 1, -1])
    np.testing.assert_array_equal(ens.state[4:6], [1, 3])      # next layer: nodes 1, 2
    # Node 1 splits (child = 1 + 0.5 * w), node 2 has a negative gain: kept with "none".
    splits = _splits([0.5, -0.25], [1, 2], [1.0, 0.2], [-1.0, -0.2], feature=[1, 0])
    assert growth.grow_layer(ens, splits, 0.5, 2, "none")
    np.testing.assert_array_equal(ens.tree_nodes[0, 1], [1, 1, 3, 4])
    np.testing.assert_array_equal(ens.tree_nodes[0, 2], [0, 2, 5, 6])
    np.testing.assert_allclose(ens.node_values[0, 3:7, 0], [1.5, 0.5, -0.9, -1.1])
    np.testing.assert_array_equal(ens.tree_meta[:2], [[7, 2, 1], [1, 0, 0]])
    # [num_trees, finalized, layers attempted, trees attempted, layer start, end, center]
    np.testing.assert_array_equal(ens.state, [2, 1, 2, 1, 0, 1, 0, 0])


def test_post_pruning_undoes_negative_splits_bottom_up():
    ens = _empty()
    growth.grow_layer(ens, _splits([-0.1], [3], [2.0], [-2.0]), 0.5, 2, "post")
    splits = _splits([0.5, -0.25], [1, 2], [1.0, 0.2], [-1.0, -0.2], feature=[1, 0])
    growth.grow_layer(ens, splits, 0.5, 2, "post")
    # Node 2 (gain -0.25) becomes a leaf again; the root (gain -0.1) keeps its split because
    # node 1 is not a leaf. Nodes 5, 6 are removed: 5 nodes remain.
    np.testing.assert_array_equal(ens.tree_nodes[0, :5], [[0, 3, 1, 2], [1, 1, 3, 4],
                                                          [-1] * 4, [-1] * 4, [-1] * 4])
    np.testing.assert_allclose(ens.node_values[0, :5, 0], [0, 1, -1, 1.5, 0.5])
    np.testing.assert_allclose(ens.node_gains[0, :3], [-0.1, 0.5, 0.0])
    assert ens.tree_meta[0, 0] == 5


def test_post_pruning_can_take_a_whole_tree_back_to_its_root():
    ens = _empty(max_depth=1)
    growth.grow_layer(ens, _splits([-0.1], [3], [2.0], [-2.0]), 0.5, 1, "post")
    np.testing.assert_array_equal(ens.tree_nodes[0, :3], [[-1] * 4] * 3)
    assert ens.tree_meta[0, 0] == 1 and ens.state[1] == 1


def test_pre_pruning_skips_negative_gains_and_retries_the_layer():
    ens = _empty()
    assert not growth.grow_layer(ens, _splits([-0.5], [1], [1.0], [-1.0]), 0.5, 2, "pre")
    np.testing.assert_array_equal(ens.state, [1, 0, 1, 1, 0, 1, 0, 0])
    assert ens.tree_meta[0, 0] == 1


def test_center_bias_converges_to_the_log_odds():
    labels = np.array([1.0] * 30 + [0.0] * 10)
    ens = _empty(center=1)
    for _ in range(20):
        bias = ens.node_values[0, 0, 0] if ens.state[0] else 0.0
        p = 1 / (1 + np.exp(-bias))
        g, h = np.mean(p - labels), np.mean(p * (1 - p) * np.ones_like(labels))
        if not growth.center_bias(ens, np.array([g]), np.array([h]), 0.0, 0.0):
            break
    assert ens.state[6] == 0
    assert ens.node_values[0, 0, 0] == pytest.approx(np.log(3.0), abs=0.02)


def test_feature_importances_sum_gains_per_feature():
    ens = _empty()
    growth.grow_layer(ens, _splits([1.5], [3], [2.0], [-2.0], feature=[2]), 0.5, 2, "none")
    growth.grow_layer(ens, _splits([0.5, 0.25], [1, 2], [1.0, 0.2], [-1.0, -0.2],
                                   feature=[0, 2]), 0.5, 2, "none")
    importances = growth.feature_importances(ens.tree_nodes, ens.node_gains, 4)
    np.testing.assert_allclose(importances, [0.5, 0.0, 1.75, 0.0])


def test_quantile_summary_keeps_ranks_close_after_many_compressions():
    from flowgraph.ops import boosted_trees_quantiles as quantiles
    rng = np.random.default_rng(6)
    batches = [(rng.normal(size=1000) * (1 + i % 3)).astype(np.float32) for i in range(20)]
    values, weights, size = np.zeros(500), np.zeros(500), 0
    for batch in batches:
        values, weights, size = quantiles.merge_summary(values, weights, size, batch,
                                                        np.ones_like(batch))
    assert size == 500 and weights.sum() == pytest.approx(20000)
    bounds = quantiles.boundaries_from_summary(values, weights, size, 11)
    everything = np.concatenate(batches)
    assert bounds[0] == everything.min() and bounds[-1] == everything.max()
    ranks = [np.mean(everything <= b) for b in bounds[1:-1]]
    np.testing.assert_allclose(ranks, np.arange(1, 10) / 10, atol=0.01)


def test_quantile_summary_drops_missing_values_and_weights_count():
    from flowgraph.ops import boosted_trees_quantiles as quantiles
    batch = np.array([1.0, np.nan, 2.0, 3.0, np.inf])
    values, weights, size = quantiles.merge_summary(np.zeros(8), np.zeros(8), 0, batch,
                                                    np.array([1.0, 1.0, 1.0, 6.0, 1.0]))
    assert size == 3
    # Weighted: 3.0 holds 6 of the 8 units, so the median is 3.0 (unweighted it is 2.0);
    # the boundaries are the smallest, the median and the largest, distinct and padded.
    np.testing.assert_array_equal(
        quantiles.boundaries_from_summary(values, weights, size, 3), [1.0, 3.0, 3.0])
    np.testing.assert_array_equal(
        quantiles.boundaries_from_summary(values, weights, size, 5), [1.0, 2.0, 3.0, 3.0, 3.0])
