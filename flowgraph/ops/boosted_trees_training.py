"""Boosted-trees ops that change the ensemble: accumulate statistics, then grow a layer.

A training step of TF1's boosted trees runs, after predicting with the current ensemble
(`boosted_trees.BoostedTreesTrainingPredict`):

1. `BoostedTreesAccumulateStats`: adds this batch's gradient / hessian histograms to an
   accumulator Variable (or, while the bias is being centered, the batch's mean gradient
   and hessian to a bias accumulator), and counts the batch;
2. `BoostedTreesUpdateEnsemble`: once `n_batches_per_layer` batches are in, takes their
   average and either makes one bias-centering step, or finds each node's best split and
   grows the tree by one layer; then empties the accumulators.

Both take the Variables they change by reference (the ensemble arrays, the accumulators;
layout in `boosted_trees_kernels`). Both do nothing while numeric features wait for their
bucket boundaries (`boosted_trees_quantiles`) and once `n_trees` trees are finalized.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.ops import boosted_trees_kernels as kernels
from flowgraph.ops.boosted_trees import check_features
from flowgraph.ops.boosted_trees_growth import Ensemble, center_bias, grow_layer
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.state import _variable_tensor

__all__: list = []


def _check_var(op: Any, t: Any, name: str, dtype: Any, ndims: int) -> None:
    if t.dtype != dtype or t.shape.ndims not in (None, ndims):
        raise TypeError(f"{op.type}: {name} must be a {dtype.name} Variable of rank {ndims}, "
                        f"got {t.op.name} {t.dtype.name} {t.shape}")


def _idle(state: np.ndarray, n_trees: int) -> bool:
    """Whether growth waits (numeric features' boundaries are not ready) or is over."""
    return bool(state[kernels.STATE_QUANTILES_NEEDED]) or \
        int(state[kernels.STATE_NUM_FINALIZED_TREES]) >= n_trees


@register
class BoostedTreesAccumulateStats(Op):
    """Adds one batch's statistics to the accumulators; outputs the number of batches now
    accumulated (int32 scalar).

    Inputs: stats_accumulator (ref, float32 [F, S, B, 2L]), bias_accumulator (ref, float32
    [2, L]), num_accumulated (ref, int32 scalar), growing_state int32 [8], node_ids int32
    [batch], gradients and hessians float32 [batch, L], bucketized features int32 [batch, F].
    """

    n_trees: int
    stateful = True
    needs_state = True
    differentiable = False
    ref_inputs = (0, 1, 2)

    def infer(self, op):
        stats, bias, count, state, node_ids, gradients, hessians, features = op.inputs
        _check_var(op, stats, "stats_accumulator", dtypes.float32, 4)
        _check_var(op, bias, "bias_accumulator", dtypes.float32, 2)
        _check_var(op, count, "num_accumulated", dtypes.int32, 0)
        check_features(op, features)
        if gradients.dtype != dtypes.float32 or hessians.dtype != dtypes.float32:
            raise TypeError(f"{op.type}: gradients and hessians must be float32, got "
                            f"{gradients.dtype.name} and {hessians.dtype.name}")
        return [(dtypes.int32, [])]

    def kernel(self, ctx, stats_ref, bias_ref, count_ref, state, node_ids, gradients,
               hessians, features):
        gradients = np.asarray(gradients).reshape(len(node_ids), -1)
        hessians = np.asarray(hessians).reshape(len(node_ids), -1)
        with ctx.state.lock:
            count = ctx.read_variable(count_ref.key)
            if _idle(state, self.n_trees) or len(node_ids) == 0:
                return count
            if state[kernels.STATE_CENTER_BIAS_NEEDED]:
                with ctx.variable_for_update(bias_ref.key) as bias:
                    bias[0] += gradients.mean(axis=0)
                    bias[1] += hessians.mean(axis=0)
            else:
                with ctx.variable_for_update(stats_ref.key) as acc:
                    _, max_splits, num_buckets, _ = acc.shape
                    acc += kernels.stats_summary(node_ids, gradients, hessians, features,
                                                 max_splits, num_buckets)
            return ctx.write_variable(count_ref.key, np.int32(count + 1))


@register
class BoostedTreesUpdateEnsemble(Op):
    """When `n_batches_per_layer` batches are accumulated: one bias-centering step, or
    the best split of each node of the last layer (gains with l1 / l2 regularization,
    minus tree_complexity; nodes with less than min_node_weight hessian are not split)
    and one more layer (child value = parent value + learning_rate * child weight), with
    pruning_mode "none", "pre" (no negative-gain splits) or "post" (negative-gain splits
    undone once the tree is complete). Bias-centering steps are scaled by
    center_bias_step_scale ((K - 1) / K for a K-class softmax). Outputs whether the
    ensemble changed (bool).

    Inputs: tree_nodes, node_values, node_gains, tree_meta, growing_state (refs, the
    ensemble), stats_accumulator, bias_accumulator, num_accumulated (refs), and the output
    of BoostedTreesAccumulateStats (so that it runs after the batch was counted).
    """

    n_batches_per_layer: int
    n_trees: int
    max_depth: int
    learning_rate: float
    l1: float = 0.0
    l2: float = 0.0
    tree_complexity: float = 0.0
    min_node_weight: float = 0.0
    pruning_mode: str = "none"
    center_bias_step_scale: float = 1.0
    stateful = True
    needs_state = True
    differentiable = False
    ref_inputs = (0, 1, 2, 3, 4, 5, 6, 7)

    def check(self):
        if self.pruning_mode not in kernels.PRUNING_MODES:
            raise ValueError(f"pruning_mode must be one of {kernels.PRUNING_MODES}, got "
                             f"{self.pruning_mode!r}")
        if self.n_batches_per_layer < 1 or self.n_trees < 1 or self.max_depth < 1:
            raise ValueError("BoostedTreesUpdateEnsemble needs n_batches_per_layer, n_trees "
                             f"and max_depth >= 1, got {self.n_batches_per_layer}, "
                             f"{self.n_trees} and {self.max_depth}")

    def infer(self, op):
        names = (("tree_nodes", dtypes.int32, 3), ("node_values", dtypes.float32, 3),
                 ("node_gains", dtypes.float32, 2), ("tree_meta", dtypes.int32, 2),
                 ("growing_state", dtypes.int32, 1), ("stats_accumulator", dtypes.float32, 4),
                 ("bias_accumulator", dtypes.float32, 2), ("num_accumulated", dtypes.int32, 0))
        if len(op.inputs) != len(names) + 1:
            raise ValueError(f"{op.type} takes {len(names) + 1} inputs, got {len(op.inputs)}")
        for t, (name, dtype, ndims) in zip(op.inputs, names):
            _check_var(op, t, name, dtype, ndims)
        return [(dtypes.bool_, [])]

    def kernel(self, ctx, nodes_ref, values_ref, gains_ref, meta_ref, state_ref, stats_ref,
               bias_ref, count_ref, _accumulated):
        with ctx.state.lock:
            count = int(ctx.read_variable(count_ref.key))
            state = ctx.read_variable(state_ref.key)
            if count < self.n_batches_per_layer or _idle(state, self.n_trees):
                return np.bool_(False)
            with ctx.variable_for_update(nodes_ref.key) as tree_nodes, \
                    ctx.variable_for_update(values_ref.key) as node_values, \
                    ctx.variable_for_update(gains_ref.key) as node_gains, \
                    ctx.variable_for_update(meta_ref.key) as tree_meta, \
                    ctx.variable_for_update(state_ref.key) as state, \
                    ctx.variable_for_update(stats_ref.key) as stats, \
                    ctx.variable_for_update(bias_ref.key) as bias:
                ens = Ensemble(tree_nodes, node_values, node_gains, tree_meta, state)
                changed = self._update(ens, stats, bias, count)
                stats[...] = 0
                bias[...] = 0
            ctx.write_variable(count_ref.key, np.int32(0))
        return np.bool_(changed)

    def _update(self, ens: Ensemble, stats: np.ndarray, bias: np.ndarray, count: int) -> bool:
        if ens.state[kernels.STATE_CENTER_BIAS_NEEDED]:
            center_bias(ens, bias[0] / count, bias[1] / count, self.l1, self.l2,
                        self.center_bias_step_scale)
            return True
        start = int(ens.state[kernels.STATE_LAYER_START])
        end = int(ens.state[kernels.STATE_LAYER_END])
        layer = stats[:, start:end] / np.float32(count)  # the average, as TF1's accumulator
        splits = kernels.best_splits(layer, self.l1, self.l2, self.tree_complexity,
                                     self.min_node_weight)
        # The attempt is counted even when nothing splits (TF1's num_layers_attempted).
        grow_layer(ens, splits, self.learning_rate, self.max_depth, self.pruning_mode)
        return True


# --------------------------------------------------------------------------- builders
def accumulate_stats(stats_accumulator: Any, bias_accumulator: Any, num_accumulated: Any,
                     growing_state: Any, node_ids: Any, gradients: Any, hessians: Any,
                     features: Any, n_trees: int, name: Optional[str] = None) -> Any:
    """Adds one batch to the accumulators (see BoostedTreesAccumulateStats)."""
    refs = [_variable_tensor(v) for v in (stats_accumulator, bias_accumulator,
                                          num_accumulated)]
    values = [convert_to_tensor(growing_state), convert_to_tensor(node_ids, dtype=dtypes.int32),
              convert_to_tensor(gradients, dtype=dtypes.float32),
              convert_to_tensor(hessians, dtype=dtypes.float32),
              convert_to_tensor(features, dtype=dtypes.int32)]
    return apply_op(BoostedTreesAccumulateStats(n_trees=n_trees), refs + values, name=name)


def update_ensemble(ensemble_variables: Any, accumulators: Any, num_accumulated: Any,
                    name: Optional[str] = None, **attrs: Any) -> Any:
    """Grows the ensemble when enough batches are accumulated (see
    BoostedTreesUpdateEnsemble). `ensemble_variables`: (tree_nodes, node_values, node_gains,
    tree_meta, growing_state); `accumulators`: (stats, bias, count) Variables;
    `num_accumulated`: the output of `accumulate_stats`."""
    refs = [_variable_tensor(v) for v in (*ensemble_variables, *accumulators)]
    return apply_op(BoostedTreesUpdateEnsemble(**attrs), refs + [num_accumulated], name=name)
