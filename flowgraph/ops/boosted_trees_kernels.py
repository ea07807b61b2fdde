"""numpy computations behind the boosted-trees ops: prediction, histograms, split finding.

The ensemble is a set of fixed-capacity arrays (they live in Variables, so a checkpoint
holds the whole model):

- ``tree_nodes`` int32 [T, N, 4]: per node (feature id, bucket threshold, left id, right id);
  a leaf has left id -1. An example goes left when its bucket id <= threshold.
- ``node_values`` float32 [T, N, L]: the value of each node (a leaf's logits; a split node
  keeps the value it had as a leaf, which post-pruning restores).
- ``node_gains`` float32 [T, N]: the gain of each split node (0 for leaves).
- ``tree_meta`` int32 [T, 3]: per tree (number of nodes, layers grown, is finalized).
- ``growing_state`` int32 [8]: see the ``STATE_*`` indices below.

Unused tree slots are single zero-valued leaves, so predicting over every slot is exact.
Gradient statistics are ``stats`` float32 [F, S, B, 2L]: per feature, node (S = the most
nodes that can be split, 2^max_depth - 1) and bucket, the sums of the gradients (first L
channels) and hessians (last L channels). The formulas are TF1's
(tensorflow/core/kernels/boosted_trees): a leaf's weight minimizes
``0.5 (h + l2) w^2 + g w + l1 |w|``, its gain is ``-(g -+ l1) w``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from flowgraph import errors

__all__: list = []  # helpers of the boosted-trees ops, not public names

# Columns of tree_nodes.
FEATURE, THRESHOLD, LEFT, RIGHT = 0, 1, 2, 3
# Columns of tree_meta.
META_NUM_NODES, META_LAYERS_GROWN, META_IS_FINALIZED = 0, 1, 2
# Entries of growing_state.
STATE_NUM_TREES = 0
STATE_NUM_FINALIZED_TREES = 1
STATE_NUM_LAYERS_ATTEMPTED = 2
STATE_NUM_TREES_ATTEMPTED = 3
STATE_LAYER_START = 4
STATE_LAYER_END = 5
STATE_CENTER_BIAS_NEEDED = 6
STATE_QUANTILES_NEEDED = 7  # numeric features wait for their bucket boundaries
STATE_SIZE = 8

PRUNING_MODES = ("none", "pre", "post")
_EPS = np.float32(1e-15)  # TF1's kEps: no weight for a (regularized) hessian this small
_MIN_DELTA_FOR_CENTER_BIAS = 0.01  # TF1's kMinDeltaForCenterBias


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def capacity(n_trees: int, max_depth: int) -> tuple:
    """(tree slots, node slots per tree, splittable nodes per tree) for an ensemble of
    `n_trees` trees of depth `max_depth`: one extra tree slot holds the empty tree TF1 adds
    after finalizing the last one."""
    return n_trees + 1, (1 << (max_depth + 1)) - 1, (1 << max_depth) - 1


# --------------------------------------------------------------------------- leaf weights
# The split arithmetic is float32 in TF1's order of operations, and a gain beats another
# only when larger by _TOLERANCE (TF1's GainIsLarger): near-equal splits (common on small
# or duplicated data) are then chosen exactly as TF1 chooses them.
_F32 = np.float32
_TOLERANCE = _F32(1e-15)


def weights_and_gains(g: np.ndarray, h: np.ndarray, l1: float, l2: float) -> tuple:
    """Leaf weights [..., L] and gains [...] (float32) for gradient sums `g` and hessian sums
    `h` ([..., L] each), with a diagonal hessian for L > 1 (each logit is its own problem).

    TF1's CalculateWeightsAndGains: ``g' = g -+ l1`` (0 when |g| <= l1), ``w = -g' / (h +
    l2)`` and ``gain = -g' * w``, both 0 when h + l2 is (nearly) 0."""
    g = np.asarray(g, dtype=_F32)
    h = np.asarray(h, dtype=_F32)
    if l1 > 0:
        l1 = _F32(l1)
        g = np.where(g > l1, g - l1, np.where(g < -l1, g + l1, _F32(0)))
    denom = h + _F32(l2)
    ok = denom > _EPS if g.shape[-1:] == (1,) else denom != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if g.shape[-1:] == (1,):
            weight = np.where(ok, -g / denom, _F32(0))
        else:  # TF1's diagonal form: w = -(1 / (h + l2)) * g
            weight = np.where(ok, -(_F32(1) / denom) * g, _F32(0))
    gain = -g * weight
    return weight, (gain[..., 0] if gain.shape[-1:] == (1,) else gain.sum(axis=-1))


# --------------------------------------------------------------------------- prediction
def check_features(tree_nodes: np.ndarray, features: np.ndarray) -> None:
    if features.ndim != 2:
        raise _invalid(f"bucketized features must be a matrix [batch, num_features], got "
                       f"shape {list(features.shape)}")
    used = tree_nodes[..., FEATURE]
    if used.size and used.max() >= features.shape[1]:
        raise _invalid(f"the ensemble splits on feature id {int(used.max())}, but the "
                       f"bucketized features have only {features.shape[1]} columns; the "
                       "feature columns differ from those the model was trained with")


def traverse(tree_nodes: np.ndarray, features: np.ndarray) -> np.ndarray:
    """The leaf each example reaches in each tree: int [batch, T]."""
    check_features(tree_nodes, features)
    batch, num_features = features.shape
    num_trees, num_nodes = tree_nodes.shape[:2]
    node = np.zeros((batch, num_trees), dtype=np.int64)
    # Only trees whose root is split are walked (the empty slots stay at their root).
    grown = np.flatnonzero(tree_nodes[:, 0, LEFT] >= 0)
    if grown.size == 0:
        return node
    # Flat gathers (np.take on 1-D arrays) are much faster than broadcast fancy indexing.
    columns = [np.ascontiguousarray(tree_nodes[grown, :, c]).reshape(-1) for c in range(4)]
    feature_of, threshold_of, left_of, right_of = columns
    flat_features = np.ascontiguousarray(features).reshape(-1)
    row_start = (np.arange(batch) * num_features)[:, None]
    flat = np.broadcast_to(np.arange(grown.size) * num_nodes, (batch, grown.size)).copy()
    tree_start = flat.copy()
    for _ in range(num_nodes):  # a path is never longer than the number of nodes
        left = left_of.take(flat)
        is_split = left >= 0
        if not is_split.any():
            break
        bucket = flat_features.take(row_start + np.maximum(feature_of.take(flat), 0))
        child = np.where(bucket <= threshold_of.take(flat), left, right_of.take(flat))
        flat = np.where(is_split, tree_start + child, flat)
    node[:, grown] = flat - tree_start
    return node


def predict(tree_nodes: np.ndarray, node_values: np.ndarray, features: np.ndarray) -> tuple:
    """(logits float32 [batch, L], leaf ids [batch, T]): the sum over trees of the leaf
    values each example reaches."""
    node = traverse(tree_nodes, features)
    batch = features.shape[0]
    logits = np.zeros((batch, node_values.shape[2]), dtype=np.float32)
    # Tree by tree in float32, as TF1 adds them (the sums feed the next gradients, whose
    # last bits can decide near-tied splits); empty slots (a zero root) add nothing.
    used = (tree_nodes[:, 0, LEFT] >= 0) | np.any(node_values[:, 0] != 0, axis=-1)
    for tree in np.flatnonzero(used):
        logits += node_values[tree][node[:, tree]]
    return logits, node


def growing_tree(growing_state: np.ndarray) -> int:
    """The tree being grown (tree 0 before any tree exists)."""
    return max(int(growing_state[STATE_NUM_TREES]) - 1, 0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def feature_contributions(tree_nodes: np.ndarray, node_values: np.ndarray,
                          features: np.ndarray, activation: str) -> tuple:
    """Directional feature contributions (TF1's DFCs) of one-logit ensembles: (bias
    [batch], contributions float64 [batch, F]).

    Walking each example's path through the trees, every split moves the prediction
    act(running logit) from its parent's value to its child's; that change is credited to
    the split's feature. The bias is act(the first tree's root value), so bias + the sum
    of the contributions is the example's prediction."""
    check_features(tree_nodes, features)
    act = _sigmoid if activation == "sigmoid" else (lambda x: x)
    batch, num_features = features.shape
    rows = np.arange(batch)
    values = node_values[..., 0].astype(np.float64)
    running = np.full(batch, values[0, 0])
    bias = act(running)
    contributions = np.zeros((batch, num_features))
    for tree in range(tree_nodes.shape[0]):
        node = np.zeros(batch, dtype=np.int64)
        if tree:
            running = running + values[tree, 0]
        for _ in range(tree_nodes.shape[1]):
            info = tree_nodes[tree, node]
            is_split = info[:, LEFT] >= 0
            if not is_split.any():
                break
            feature = np.maximum(info[:, FEATURE], 0)
            bucket = features[rows, feature]
            child = np.where(bucket <= info[:, THRESHOLD], info[:, LEFT], info[:, RIGHT])
            child = np.where(is_split, child, node)
            after = running + values[tree, child] - values[tree, node]
            change = np.where(is_split, act(after) - act(running), 0.0)
            np.add.at(contributions, (rows, feature), change)
            running, node = after, child
    return bias, contributions


# --------------------------------------------------------------------------- histograms
def stats_summary(node_ids: np.ndarray, gradients: np.ndarray, hessians: np.ndarray,
                  features: np.ndarray, max_splits: int, num_buckets: int) -> np.ndarray:
    """Sums of gradients and hessians per (feature, node, bucket): float32 [F, S, B, 2L].

    Examples whose node id is outside [0, max_splits) are left out."""
    node_ids = np.asarray(node_ids).reshape(-1)
    gh = np.concatenate([np.asarray(gradients, np.float32), np.asarray(hessians, np.float32)],
                        axis=1)
    batch, num_features = features.shape
    if gh.shape[0] != batch or node_ids.shape[0] != batch:
        raise _invalid(f"node_ids ({node_ids.shape[0]}), gradients and hessians "
                       f"({gh.shape[0]}) and features ({batch}) must have the same batch size")
    if features.size and (features.min() < 0 or features.max() >= num_buckets):
        column = int(np.argmax(((features < 0) | (features >= num_buckets)).any(axis=0)))
        bad = features[:, column][(features[:, column] < 0) |
                                  (features[:, column] >= num_buckets)][0]
        raise _invalid(f"bucket id {int(bad)} of feature {column} is not in [0, "
                       f"{num_buckets})")
    keep = (node_ids >= 0) & (node_ids < max_splits)
    node_ids, gh, features = node_ids[keep], gh[keep], features[keep]
    channels = gh.shape[1]
    # Cell (feature, node, bucket, channel), summed in float32 in example order (TF1's loop).
    cell = ((np.arange(num_features)[None, :] * max_splits + node_ids[:, None]) * num_buckets
            + features)[:, :, None] * channels + np.arange(channels)
    out = np.zeros(num_features * max_splits * num_buckets * channels, dtype=np.float32)
    np.add.at(out, cell.reshape(-1), np.broadcast_to(gh[:, None, :], cell.shape).reshape(-1))
    return out.reshape(num_features, max_splits, num_buckets, channels)


# --------------------------------------------------------------------------- split finding
class Splits(NamedTuple):
    """The best split of each node of a layer (arrays over the layer's nodes)."""

    valid: np.ndarray       # bool [n]: the node has a split candidate
    feature: np.ndarray     # int32 [n]
    threshold: np.ndarray   # int32 [n]: examples with bucket <= threshold go left
    gain: np.ndarray        # float32 [n]: children's gain - parent's gain - tree_complexity
    left: np.ndarray        # float32 [n, L]: left child's weight (before the learning rate)
    right: np.ndarray       # float32 [n, L]


def best_splits(stats: np.ndarray, l1: float, l2: float, tree_complexity: float,
                min_node_weight: float) -> Splits:
    """The best split of every node in `stats` [F, n, B, 2L] (as TF1's
    BoostedTreesCalculateBestGainsPerFeature followed by the per-node reduction of
    BoostedTreesUpdateEnsemble): per feature the first bucket with the largest gain, then
    the feature with the largest gain (the lower feature id on ties). A node whose hessian
    sum is below `min_node_weight` (its norm, for L > 1) gets no split."""
    stats = np.asarray(stats, dtype=_F32)
    num_features, n, num_buckets, channels = stats.shape
    dims = channels // 2
    cum = np.cumsum(stats, axis=2, dtype=_F32)  # sequential float32 sums, as TF1's loop
    total = cum[:, :, -1:, :]
    left_w, left_gain = weights_and_gains(cum[..., :dims], cum[..., dims:], l1, l2)
    rest = total - cum
    right_w, right_gain = weights_and_gains(rest[..., :dims], rest[..., dims:], l1, l2)
    _, parent_gain = weights_and_gains(total[:, :, 0, :dims], total[:, :, 0, dims:], l1, l2)
    children = left_gain + right_gain                        # [F, n, B]
    best = np.full((num_features, n), np.finfo(_F32).min, dtype=_F32)
    bucket = np.zeros((num_features, n), dtype=np.int64)
    for b in range(num_buckets):  # a later bucket must be larger by the tolerance
        larger = (children[:, :, b] - best) >= _TOLERANCE
        best = np.where(larger, children[:, :, b], best)
        bucket = np.where(larger, b, bucket)
    gain = (best - parent_gain) - _F32(tree_complexity)      # [F, n]
    hess = total[:, :, 0, dims:]
    weight = hess[..., 0] if dims == 1 else np.linalg.norm(hess, axis=-1)
    eligible = ~(weight < min_node_weight)
    valid = np.zeros(n, dtype=bool)
    feature = np.zeros(n, dtype=np.int64)
    best_gain = np.zeros(n, dtype=_F32)
    for f in range(num_features):  # a later feature must be larger by the tolerance
        take = eligible[f] & (~valid | ((gain[f] - best_gain) >= _TOLERANCE))
        feature = np.where(take, f, feature)
        best_gain = np.where(take, gain[f], best_gain)
        valid |= eligible[f]
    nodes = np.arange(n)
    chosen = bucket[feature, nodes]
    return Splits(valid=valid, feature=feature.astype(np.int32),
                  threshold=chosen.astype(np.int32), gain=best_gain,
                  left=left_w[feature, nodes, chosen].astype(_F32),
                  right=right_w[feature, nodes, chosen].astype(_F32))
