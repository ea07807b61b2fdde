"""numpy updates of a boosted-trees ensemble: grow one layer, post-prune, center the bias.

These change the ensemble arrays (see `boosted_trees_kernels`) in place and follow TF1's
BoostedTreesUpdateEnsemble / BoostedTreesCenterBias kernels and its ensemble resource
(tensorflow/core/kernels/boosted_trees/resources.cc): layer-by-layer boosting where a new
child's value is its parent's value plus learning_rate times the child's weight.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from flowgraph.ops.boosted_trees_kernels import (
    _MIN_DELTA_FOR_CENTER_BIAS,
    FEATURE,
    LEFT,
    META_IS_FINALIZED,
    META_LAYERS_GROWN,
    META_NUM_NODES,
    RIGHT,
    STATE_CENTER_BIAS_NEEDED,
    STATE_LAYER_END,
    STATE_LAYER_START,
    STATE_NUM_FINALIZED_TREES,
    STATE_NUM_LAYERS_ATTEMPTED,
    STATE_NUM_TREES,
    STATE_NUM_TREES_ATTEMPTED,
    Splits,
    weights_and_gains,
)

__all__: list = []  # helpers of the boosted-trees ops, not public names


class Ensemble(NamedTuple):
    """The writable ensemble arrays (see `boosted_trees_kernels` for their layout)."""

    tree_nodes: np.ndarray
    node_values: np.ndarray
    node_gains: np.ndarray
    tree_meta: np.ndarray
    state: np.ndarray


def _clear_nodes(ens: Ensemble, tree: int, start: int) -> None:
    ens.tree_nodes[tree, start:] = -1
    ens.node_values[tree, start:] = 0
    ens.node_gains[tree, start:] = 0


def add_tree(ens: Ensemble, root_value: np.ndarray = None) -> int:
    """Starts a new tree with a single leaf (value `root_value`, default 0); returns its id."""
    tree = int(ens.state[STATE_NUM_TREES])
    if tree >= ens.tree_nodes.shape[0]:
        raise ValueError(f"the ensemble holds at most {ens.tree_nodes.shape[0]} trees")
    _clear_nodes(ens, tree, 0)
    if root_value is not None:
        ens.node_values[tree, 0] = root_value
    ens.tree_meta[tree] = (1, 0, 0)
    ens.state[STATE_NUM_TREES] = tree + 1
    return tree


def _count_attempt(ens: Ensemble) -> None:
    """TF1's UpdateGrowingMetadata: one more layer attempted, and one more tree attempted
    when the growing tree is still a lone root."""
    state, meta = ens.state, ens.tree_meta
    state[STATE_NUM_LAYERS_ATTEMPTED] += 1
    n = int(state[STATE_NUM_TREES])
    if n <= 0 or ((n == 1 or meta[n - 2, META_IS_FINALIZED]) and
                  meta[n - 1, META_NUM_NODES] == 1):
        state[STATE_NUM_TREES_ATTEMPTED] += 1


def grow_layer(ens: Ensemble, splits: Splits, learning_rate: float, max_depth: int,
               pruning_mode: str) -> bool:
    """Splits the nodes of the last layer (`splits` covers node ids state[LAYER_START:
    LAYER_END]); returns whether any node was split.

    With pruning_mode "pre", splits of negative gain are skipped. When no node splits, the
    layer stays as it is and the next statistics try again (as TF1). A tree that reaches
    `max_depth` layers is finalized (post-pruned with "post") and a new empty tree begins.
    """
    _count_attempt(ens)
    if ens.state[STATE_NUM_TREES] <= 0:
        add_tree(ens)
    tree = int(ens.state[STATE_NUM_TREES]) - 1
    start = int(ens.state[STATE_LAYER_START])
    first_new = int(ens.tree_meta[tree, META_NUM_NODES])
    num_nodes = first_new
    for i in np.flatnonzero(splits.valid):
        gain = float(splits.gain[i])
        if pruning_mode == "pre" and gain < 0:
            continue  # zero-gain splits are kept, as in TF1
        node, left, right = start + int(i), num_nodes, num_nodes + 1
        num_nodes += 2
        ens.tree_nodes[tree, node] = (splits.feature[i], splits.threshold[i], left, right)
        parent = ens.node_values[tree, node]
        ens.node_values[tree, left] = parent + learning_rate * splits.left[i]
        ens.node_values[tree, right] = parent + learning_rate * splits.right[i]
        ens.node_gains[tree, node] = gain
    if num_nodes == first_new:
        return False
    ens.tree_meta[tree, META_NUM_NODES] = num_nodes
    ens.tree_meta[tree, META_LAYERS_GROWN] += 1
    layer = (first_new, num_nodes)
    if ens.tree_meta[tree, META_LAYERS_GROWN] >= max_depth:
        ens.tree_meta[tree, META_IS_FINALIZED] = 1
        ens.state[STATE_NUM_FINALIZED_TREES] += 1
        if pruning_mode == "post":
            post_prune(ens, tree)
        if tree + 1 < ens.tree_nodes.shape[0]:
            add_tree(ens)
        layer = (0, 1)
    ens.state[STATE_LAYER_START], ens.state[STATE_LAYER_END] = layer
    return True


def post_prune(ens: Ensemble, tree: int) -> None:
    """Turns back into leaves, bottom-up, the split nodes of negative gain whose children
    are both leaves, then renumbers the remaining nodes in order (as TF1's PostPruneTree)."""
    nodes, values, gains = ens.tree_nodes[tree], ens.node_values[tree], ens.node_gains[tree]
    num_nodes = int(ens.tree_meta[tree, META_NUM_NODES])
    deleted = np.zeros(num_nodes, dtype=bool)
    # Children always have larger ids than their parent: descending ids visit them first.
    for node in range(num_nodes - 1, -1, -1):
        left, right = int(nodes[node, LEFT]), int(nodes[node, RIGHT])
        if left < 0 or gains[node] >= 0:
            continue
        if nodes[left, LEFT] < 0 and nodes[right, LEFT] < 0:
            deleted[[left, right]] = True
            nodes[node] = -1  # its value is still the one it had as a leaf
            gains[node] = 0
    if not deleted.any():
        return
    kept = np.flatnonzero(~deleted)
    new_id = np.full(num_nodes, -1, dtype=np.int64)
    new_id[kept] = np.arange(kept.size)
    moved_nodes, moved_values, moved_gains = nodes[kept].copy(), values[kept].copy(), \
        gains[kept].copy()
    split = moved_nodes[:, LEFT] >= 0
    for column in (LEFT, RIGHT):
        moved_nodes[split, column] = new_id[moved_nodes[split, column]]
    _clear_nodes(ens, tree, 0)
    nodes[:kept.size], values[:kept.size], gains[:kept.size] = \
        moved_nodes, moved_values, moved_gains
    ens.tree_meta[tree, META_NUM_NODES] = kept.size


def center_bias(ens: Ensemble, mean_gradients: np.ndarray, mean_hessians: np.ndarray,
                l1: float, l2: float, step_scale: float = 1.0) -> bool:
    """One Newton step of the bias (the root of tree 0) from mean gradients and hessians
    [L], times `step_scale`; returns (and records in the state) whether centering should
    go on: while a step changes the bias by more than 1% of its norm.

    For a K-class softmax, diagonal-hessian steps overshoot (the logits are coupled) and
    oscillate; a scale of (K - 1) / K (Friedman's multi-class factor) makes them converge
    in a few steps."""
    step, _ = weights_and_gains(mean_gradients, mean_hessians, l1, l2)
    step = step * step_scale
    if ens.state[STATE_NUM_TREES] == 0:
        add_tree(ens, step)
        go_on = True
    else:
        current = ens.node_values[0, 0].astype(np.float64)
        # TF1's test |step / bias| > 1%, for several logits with their norms.
        go_on = bool(np.linalg.norm(step) > _MIN_DELTA_FOR_CENTER_BIAS *
                     np.linalg.norm(current))
        ens.node_values[0, 0] = current + step
    ens.state[STATE_CENTER_BIAS_NEEDED] = int(go_on)
    return go_on


def feature_importances(tree_nodes: np.ndarray, node_gains: np.ndarray,
                        num_features: int) -> np.ndarray:
    """Gain-based importance of each feature id: the sum of the gains of the split nodes
    that use it, over all trees (TF1's tree weights are all 1 in layer-by-layer boosting)."""
    split = tree_nodes[..., LEFT] >= 0
    features = tree_nodes[..., FEATURE][split]
    if features.size and features.max() >= num_features:
        raise ValueError(f"the ensemble splits on feature id {int(features.max())}, but the "
                         f"model has only {num_features} features")
    return np.bincount(features, weights=node_gains[split].astype(np.float64),
                       minlength=num_features)

