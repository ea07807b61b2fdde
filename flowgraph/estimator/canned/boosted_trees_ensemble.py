"""The parts of a boosted-trees model_fn: the bucketized feature matrix, the tree ensemble
held in Variables, the training step that grows it, and the hook that stops training once
the trees are complete.

The ensemble lives in non-trainable Variables under the model's name scope (default
``boosted_trees/``): ``tree_nodes``, ``node_values``, ``node_gains``, ``tree_meta`` and
``growing_state`` (layout in `flowgraph.ops.boosted_trees_kernels`), plus the statistics
accumulated for the layer being grown (``stats_accumulator``, ``bias_accumulator``,
``num_accumulated``) and, with numeric columns, their bucket boundaries and quantile
summaries (``quantile_*``). A checkpoint therefore holds the whole model and the state of
its growth, and training resumes where it stopped in a new Estimator.
"""

from __future__ import annotations

import collections
import math
from typing import Any

from flowgraph import dtypes
from flowgraph.feature_column import bucket_ids
from flowgraph.feature_column.builder import _LazyBuilder
from flowgraph.feature_column.dense import _IndicatorColumn
from flowgraph.feature_column.layers import normalize_feature_columns
from flowgraph.feature_column.numeric import (
    _BucketizedColumn,
    _NumericColumn,
    check_elements,
)
from flowgraph.gradients import gradients
from flowgraph.graph import control_dependencies
from flowgraph.ops import (
    assign_add,
    cast,
    concat,
    constant,
    fill,
    group,
    minimum,
    ones_like,
    reshape,
    stack,
    zeros,
)
from flowgraph.ops import boosted_trees as bt_ops
from flowgraph.ops import boosted_trees_kernels as kernels
from flowgraph.ops import boosted_trees_training as bt_training
from flowgraph.ops.boosted_trees_quantiles import bucketize_features, quantile_accumulate
from flowgraph.summary import scalar as summary_scalar
from flowgraph.train.session_run_hook import SessionRunArgs, SessionRunHook
from flowgraph.variables import Variable

TreeHParams = collections.namedtuple("TreeHParams", [
    "n_trees", "max_depth", "learning_rate", "l1", "l2", "tree_complexity",
    "min_node_weight", "center_bias", "pruning_mode", "quantile_sketch_epsilon"])

_PRUNING_MODES = ("none", "pre", "post")


def check_tree_hparams(tree_hparams: TreeHParams) -> None:
    """ValueError for a pruning mode TF1 does not know, or tree_complexity and pruning_mode
    that do not go together (TF1's _EnsembleGrower checks, made when training starts)."""
    if tree_hparams.pruning_mode not in _PRUNING_MODES:
        raise ValueError(f"pruning_mode must be one of: none, pre, post; got "
                         f"{tree_hparams.pruning_mode!r}")
    if tree_hparams.tree_complexity > 0:
        if tree_hparams.pruning_mode == "none":
            raise ValueError("Tree complexity have no effect unless pruning mode is chosen. "
                             "Set pruning_mode='pre' or 'post', or tree_complexity=0.")
    elif tree_hparams.pruning_mode != "none":
        raise ValueError(f"For pruning, tree_complexity must be positive (pruning_mode "
                         f"{tree_hparams.pruning_mode!r} removes splits whose gain does not "
                         f"exceed it); got tree_complexity={tree_hparams.tree_complexity}.")


def batches_per_layer(n_batches_per_layer: Any) -> int:
    """n_batches_per_layer as a positive int (a fraction such as 0.5 * examples / batch
    rounds up)."""
    try:
        value = float(n_batches_per_layer)
    except (TypeError, ValueError):
        raise ValueError(f"n_batches_per_layer must be a positive number, got "
                         f"{n_batches_per_layer!r}") from None
    if not value > 0 or math.isinf(value):
        raise ValueError(f"n_batches_per_layer must be a positive number, got "
                         f"{n_batches_per_layer!r}")
    return max(int(math.ceil(value)), 1)


# --------------------------------------------------------------------------- features
_SUPPORTED_COLUMNS = "bucketized_column, indicator_column, numeric_column"


class FeatureLayout:
    """The model's features: bucketized, indicator and numeric columns sorted by name, each
    giving one or more integer features (feature ids follow that order, as in TF1).

    A numeric column's dimensions are bucketized by boundaries learned from the first
    batches (`int(1 / quantile_sketch_epsilon)` buckets each, see
    `flowgraph.ops.boosted_trees_quantiles`).
    """

    def __init__(self, feature_columns: Any, quantile_sketch_epsilon: float = 0.01) -> None:
        columns = normalize_feature_columns(feature_columns)
        for column in columns:
            if not isinstance(column, (_NumericColumn, _BucketizedColumn, _IndicatorColumn)):
                raise ValueError(f"For now, only {_SUPPORTED_COLUMNS} is supported but got: "
                                 f"{column.name!r} ({type(column).__name__}); wrap "
                                 "categorical columns in indicator_column.")
            if isinstance(column, _NumericColumn) and len(column.shape) > 1:
                raise ValueError(f"For now, only support Numeric column with shape less than "
                                 f"2, but column `{column.name}` got: {column.shape}")
        self.columns = sorted(columns, key=lambda c: c.name)
        if not 0 < quantile_sketch_epsilon <= 1:
            raise ValueError(f"quantile_sketch_epsilon must be > 0 and <= 1, got "
                             f"{quantile_sketch_epsilon!r}")
        self.num_quantiles = max(int(1.0 / quantile_sketch_epsilon), 1)
        self.names: list = []
        sizes = []
        self.num_numeric = 0
        for column in self.columns:
            if isinstance(column, _NumericColumn):
                dims, size = column.shape[0] if column.shape else 1, self.num_quantiles
                self.num_numeric += dims
            else:
                dims = bucket_ids.feature_dimensions([column])[0]
                size = bucket_ids.bucket_sizes([column])[0]
            # TF1 names an indicator's features after the categorical column.
            name = column.categorical_column.name if isinstance(column, _IndicatorColumn) \
                else column.name
            self.names.extend([name] * dims)
            sizes.append(size)
        self.num_features = len(self.names)
        self.num_buckets = max(sizes)

    def transform(self, features: Any, boundaries: Any = None) -> tuple:
        """(int32 [batch, num_features] bucket ids, float32 [batch, num_numeric] values of
        the numeric features or None) of `features` (a dict of raw features); numeric
        features are bucketized by `boundaries` [num_numeric, num_quantiles]."""
        builder = _LazyBuilder(features)
        ids, numeric, first = [], [], 0
        for column in self.columns:
            if isinstance(column, _NumericColumn):
                dims = column.shape[0] if column.shape else 1
                with builder.transforming(column):
                    raw = builder.get(column)
                    check_elements(column, raw, column.key)
                values = reshape(raw, (-1, dims))
                numeric.append(values)
                ids.append(bucketize_features(values, boundaries[first:first + dims]))
                first += dims
            else:
                t = bucket_ids.bucket_ids(builder, column)
                # A multivalent indicator may count an id twice: still "present" (bucket 1).
                ids.append(minimum(t, 1) if isinstance(column, _IndicatorColumn) else t)
        bucketized = ids[0] if len(ids) == 1 else concat(ids, axis=1, name="bucketized")
        if not numeric:
            return bucketized, None
        return bucketized, numeric[0] if len(numeric) == 1 else concat(numeric, axis=1)


# --------------------------------------------------------------------------- ensemble
# (value, weight) pairs kept per numeric feature to find its quantiles.
_QUANTILE_SUMMARY_SIZE = 10000


def _state_initial_value(center_bias: bool, quantiles_needed: bool) -> list:
    state = [0] * kernels.STATE_SIZE
    state[kernels.STATE_LAYER_END] = 1
    state[kernels.STATE_CENTER_BIAS_NEEDED] = int(bool(center_bias))
    state[kernels.STATE_QUANTILES_NEEDED] = int(bool(quantiles_needed))
    return state


class TreeEnsemble:
    """The ensemble's Variables (created in the current name scope) and the ops that read
    and grow it."""

    def __init__(self, tree_hparams: TreeHParams, layout: FeatureLayout,
                 logits_dimension: int, center_bias_step_scale: float = 1.0) -> None:
        self.hparams = tree_hparams
        self.center_bias_step_scale = center_bias_step_scale
        self.logits_dimension = logits_dimension
        trees, nodes, max_splits = kernels.capacity(tree_hparams.n_trees,
                                                    tree_hparams.max_depth)

        def variable(initial_value: Any, name: str) -> Variable:
            return Variable(initial_value, trainable=False, name=name)

        self.tree_nodes = variable(fill([trees, nodes, 4], -1), "tree_nodes")
        self.node_values = variable(zeros([trees, nodes, logits_dimension]), "node_values")
        self.node_gains = variable(zeros([trees, nodes]), "node_gains")
        self.tree_meta = variable(zeros([trees, 3], dtype=dtypes.int32), "tree_meta")
        self.growing_state = variable(
            constant(_state_initial_value(tree_hparams.center_bias, layout.num_numeric > 0),
                     dtype=dtypes.int32), "growing_state")
        self.stats_accumulator = variable(
            zeros([layout.num_features, max_splits, layout.num_buckets,
                   2 * logits_dimension]), "stats_accumulator")
        self.bias_accumulator = variable(zeros([2, logits_dimension]), "bias_accumulator")
        self.num_accumulated = variable(constant(0, dtype=dtypes.int32), "num_accumulated")
        self.quantile_variables: tuple = ()
        self.boundaries = None
        if layout.num_numeric:
            d, capacity = layout.num_numeric, _QUANTILE_SUMMARY_SIZE
            self.boundaries = variable(zeros([d, layout.num_quantiles]),
                                       "quantile_boundaries")
            self.quantile_variables = (
                variable(zeros([d, capacity]), "quantile_summary_values"),
                variable(zeros([d, capacity]), "quantile_summary_weights"),
                variable(zeros([d], dtype=dtypes.int32), "quantile_summary_size"),
                variable(constant(0, dtype=dtypes.int32), "quantile_num_batches"),
                self.boundaries, self.growing_state)

    @property
    def ensemble_variables(self) -> tuple:
        return (self.tree_nodes, self.node_values, self.node_gains, self.tree_meta,
                self.growing_state)

    @property
    def accumulators(self) -> tuple:
        return (self.stats_accumulator, self.bias_accumulator, self.num_accumulated)

    def state_entry(self, index: int) -> Any:
        return self.growing_state.value()[index]

    def predict(self, features: Any) -> Any:
        """Logits [batch, logits_dimension] of bucketized `features`."""
        return bt_ops.predict(self.tree_nodes, self.node_values, features)

    def training_predict(self, features: Any) -> tuple:
        """(logits, node ids in the tree being grown) of bucketized `features`."""
        return bt_ops.training_predict(self.tree_nodes, self.node_values,
                                       self.growing_state.value(), features)

    def add_summaries(self) -> None:
        """TensorBoard scalars of the growth, under TF1's tags."""
        summary_scalar("ensemble/num_trees", self.state_entry(kernels.STATE_NUM_TREES))
        summary_scalar("ensemble/num_finalized_trees",
                       self.state_entry(kernels.STATE_NUM_FINALIZED_TREES))
        summary_scalar("ensemble/num_attempted_layers",
                       self.state_entry(kernels.STATE_NUM_LAYERS_ATTEMPTED))

    def train_op(self, loss: Any, logits: Any, node_ids: Any, features: Any,
                 numeric_values: Any, n_batches_per_layer: int, global_step: Any,
                 example_weights: Any = None) -> Any:
        """One training step: gradients and hessians of `loss` with respect to `logits`,
        their statistics accumulated, the ensemble grown when enough batches are in, and
        the global step incremented. With numeric features, the first
        `n_batches_per_layer` steps instead gather their quantiles (weighted by
        `example_weights` [batch], if given) and leave the global step as it is (as TF1)."""
        grads, hessians = gradients_and_hessians(loss, logits, self.logits_dimension)
        h = self.hparams
        before = []
        if self.quantile_variables:
            weights = ones_like(numeric_values[:, 0]) if example_weights is None \
                else example_weights
            before.append(quantile_accumulate(self.quantile_variables, numeric_values, weights,
                                              n_batches_per_layer, name="quantiles").op)
        with control_dependencies(before):
            count = bt_training.accumulate_stats(
                self.stats_accumulator, self.bias_accumulator, self.num_accumulated,
                self.growing_state.value(), node_ids, grads, hessians, features,
                n_trees=h.n_trees, name="accumulate_stats")
        grown = bt_training.update_ensemble(
            self.ensemble_variables, self.accumulators, count, name="update_ensemble",
            n_batches_per_layer=n_batches_per_layer, n_trees=h.n_trees,
            max_depth=h.max_depth, learning_rate=h.learning_rate, l1=h.l1, l2=h.l2,
            tree_complexity=h.tree_complexity, min_node_weight=h.min_node_weight,
            pruning_mode=h.pruning_mode, center_bias_step_scale=self.center_bias_step_scale)
        step = 1
        if self.quantile_variables:
            # As TF1, the steps that gather quantiles do not count as training steps.
            needed = self.growing_state.value()[kernels.STATE_QUANTILES_NEEDED]
            step = cast(1 - needed, global_step.dtype.base_dtype)
        with control_dependencies([grown.op]):
            increment = assign_add(global_step, step).op
        return group(grown.op, increment, name="grow_op")

    def stop_hook(self) -> "StopAtAttemptsHook":
        return StopAtAttemptsHook(self.state_entry(kernels.STATE_NUM_FINALIZED_TREES),
                                  self.state_entry(kernels.STATE_NUM_LAYERS_ATTEMPTED),
                                  self.hparams.n_trees, self.hparams.max_depth)


def gradients_and_hessians(loss: Any, logits: Any, logits_dimension: int) -> tuple:
    """First derivatives of `loss` by `logits` [batch, L] and the diagonal of the second
    derivatives (one backward pass per logit for L > 1, as TF1 for multi-dimensional
    logits)."""
    grads = gradients(loss, logits, name="Gradients")[0]
    if logits_dimension == 1:
        return grads, gradients(grads, logits, name="Hessians")[0]
    columns = []
    for k in range(logits_dimension):
        second = gradients(grads[:, k], logits, name=f"Hessians_{k}")[0]
        columns.append(second[:, k])
    return grads, stack(columns, axis=1)


class StopAtAttemptsHook(SessionRunHook):
    """Requests a stop once `max_trees` trees are finalized, or after more than
    2 * max_trees * max_depth layer attempts (TF1's _StopAtAttemptsHook)."""

    def __init__(self, num_finalized_trees_tensor: Any, num_attempted_layers_tensor: Any,
                 max_trees: int, max_depth: int) -> None:
        self._tensors = [num_finalized_trees_tensor, num_attempted_layers_tensor]
        self._max_trees = max_trees
        self._max_depth = max_depth

    def before_run(self, run_context: Any) -> SessionRunArgs:
        return SessionRunArgs(self._tensors)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        finalized, attempted = run_values.results
        limit = 2 * self._max_trees * self._max_depth
        # The values fetched with the step may predate its growth: near the limits, read
        # them again.
        if finalized >= self._max_trees - 1 or attempted > limit - 1:
            finalized, attempted = run_context.session.run(self._tensors)
        if finalized >= self._max_trees or attempted > limit:
            run_context.request_stop()

