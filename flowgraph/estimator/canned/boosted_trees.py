"""Gradient boosted trees: `BoostedTreesClassifier`, `BoostedTreesRegressor` and
`BoostedTreesEstimator` (TF1's `tf.estimator.BoostedTrees*`, r1.15 arguments and
behaviour).

Trees grow layer by layer from histograms: each training step predicts with the current
ensemble, takes the gradients and hessians of the head's loss with respect to the logits,
and adds their per (node, feature, bucket) sums to an accumulator; after
`n_batches_per_layer` batches, every node of the last layer gets its best split (gain with
l1 / l2 regularization, minus tree_complexity) and the tree one more layer; a tree of
`max_depth` layers is finished and the next one begins. Training stops by itself after
`n_trees` trees. Features are bucketized, indicator and numeric columns (feature ids in
the order of the columns' names; numeric ones are bucketized by quantiles of the first
batches); multi-class classifiers and multi-output regressors have one value per logit in
each leaf (diagonal hessian). The split arithmetic follows TF1's float32 operations, so
trees (and near-tied choices) come out as TF1's.

>>> x = fg.feature_column.bucketized_column(fg.feature_column.numeric_column("x"),
...                                         [-1.0, 0.0, 1.0])
>>> est = fg.estimator.BoostedTreesClassifier([x], n_batches_per_layer=1, n_trees=10)
>>> est.train(input_fn)
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.estimator.canned.binary_head import (
    _BinaryLogisticHeadWithSigmoidCrossEntropyLoss,
)
from flowgraph.estimator.canned.boosted_trees_ensemble import (
    FeatureLayout,
    TreeEnsemble,
    TreeHParams,
    batches_per_layer,
    check_tree_hparams,
)
from flowgraph.estimator.canned.boosted_trees_explain import (
    FeatureImportances,
    dfc_by_column,
    importances_from_checkpoint,
)
from flowgraph.estimator.canned.head import (
    _binary_logistic_or_multi_class_head,
    _regression_head,
)
from flowgraph.estimator.canned.multi_class_head import (
    _MultiClassHeadWithSoftmaxCrossEntropyLoss,
)
from flowgraph.estimator.estimator import Estimator
from flowgraph.estimator.model_fn import ModeKeys
from flowgraph.feature_column.layers import transform_features
from flowgraph.feature_column.numeric import numeric_column
from flowgraph.graph import name_scope
from flowgraph.losses import Reduction
from flowgraph.ops import cast, no_op, reshape
from flowgraph.ops.boosted_trees import feature_contributions
from flowgraph.train import get_or_create_global_step, load_checkpoint

__all__ = ["BoostedTreesClassifier", "BoostedTreesRegressor", "BoostedTreesEstimator"]

_NAME = "boosted_trees"
# Prediction keys of the explanations (removed before the predictions are yielded).
_BIAS_KEY = "_boosted_trees_bias"
_DFC_KEY = "_boosted_trees_dfc"


def _bt_model_fn(features: Any, labels: Any, mode: str, head: Any, feature_columns: Any,
                 tree_hparams: TreeHParams, n_batches_per_layer: Any, config: Any,
                 weight_column: Any = None, train_in_memory: bool = False,
                 name: str = _NAME, center_bias_step_scale: float = 1.0) -> Any:
    """The model_fn of the boosted-trees estimators (TF1's `_bt_model_fn`).
    `center_bias_step_scale` damps the bias-centering Newton steps (see
    `flowgraph.ops.boosted_trees_growth.center_bias`)."""
    layout = FeatureLayout(feature_columns, tree_hparams.quantile_sketch_epsilon)
    if mode == ModeKeys.TRAIN:
        check_tree_hparams(tree_hparams)
        n_batches = batches_per_layer(n_batches_per_layer)
        if train_in_memory:
            _check_in_memory(n_batches, config)
    with name_scope(name):
        global_step = get_or_create_global_step()
        ensemble = TreeEnsemble(tree_hparams, layout, head.logits_dimension,
                                center_bias_step_scale)
        bucketized, numeric_values = layout.transform(features, ensemble.boundaries)
        if mode != ModeKeys.TRAIN:
            logits = ensemble.predict(bucketized)
            return head.create_estimator_spec(features=features, mode=mode, labels=labels,
                                              train_op_fn=no_op, logits=logits)
        logits, node_ids = ensemble.training_predict(bucketized)
        ensemble.add_summaries()

    def _train_op_fn(loss: Any) -> Any:
        with name_scope(name):
            weights = None
            if weight_column is not None and numeric_values is not None:
                weights = _example_weights(features, weight_column)
            return ensemble.train_op(loss, logits, node_ids, bucketized, numeric_values,
                                     n_batches, global_step, example_weights=weights)

    spec = head.create_estimator_spec(features=features, mode=mode, labels=labels,
                                      train_op_fn=_train_op_fn, logits=logits)
    return spec._replace(training_hooks=tuple(spec.training_hooks) + (ensemble.stop_hook(),))


def _example_weights(features: Any, weight_column: Any) -> Any:
    """float32 [batch] example weights of the weight column (a key or a numeric column);
    the head weighs the loss itself, these weigh the numeric features' quantiles."""
    column = numeric_column(weight_column) if isinstance(weight_column, str) \
        else weight_column
    weights = transform_features(features, [column])[column]
    return reshape(cast(weights, dtypes.float32), [-1])


def _check_in_memory(n_batches: int, config: Any) -> None:
    if n_batches != 1:
        raise ValueError("When train_in_memory is enabled, input_fn should return the entire "
                         "dataset as a single batch, and n_batches_per_layer should be set as "
                         f"1 (got {n_batches}).")
    if config is not None and (not getattr(config, "is_chief", True) or
                               getattr(config, "num_worker_replicas", 1) > 1 or
                               getattr(config, "num_ps_replicas", 0) > 0):
        raise ValueError("train_in_memory is supported only for non-distributed training.")


class _BoostedTreesBase(Estimator):
    """What the boosted-trees estimators share: the model_fn's inputs and the feature
    importances read from the latest checkpoint."""

    def __init__(self, model_fn: Any, model_dir: Optional[str], config: Any,
                 feature_columns: Any, head: Any, center_bias: bool, is_classification: bool,
                 quantile_sketch_epsilon: float,
                 tree_hparams: Optional[TreeHParams] = None) -> None:
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config)
        self._tree_hparams = tree_hparams
        self._layout = FeatureLayout(feature_columns, quantile_sketch_epsilon)
        self._sorted_feature_columns = self._layout.columns
        self._head = head
        self._n_features = self._layout.num_features
        self._feature_col_names = list(self._layout.names)
        self._center_bias = center_bias
        self._is_classification = is_classification
        self._quantile_sketch_epsilon = quantile_sketch_epsilon

    def experimental_feature_importances(self, normalize: bool = False) -> FeatureImportances:
        """Gain-based feature importances of the trained ensemble (latest checkpoint).

        A feature's importance is the sum of the gains of the splits on it over all trees;
        features of one column (an indicator column's categories) add up under the column's
        name.

        Parameters
        ----------
        normalize : bool
            Divide by the sum of all importances (so that they sum to 1).

        Returns
        -------
        FeatureImportances
            An OrderedDict {feature column name: importance} of every column, the most
            important first (equal importances in reverse column order, as TF1); it also
            unpacks as ``sorted_feature_names, feature_importances`` (two arrays).

        Raises
        ------
        ValueError
            Before training (no ensemble in the checkpoint), or with normalize=True when
            the trees have no split or an importance is negative.
        """
        return importances_from_checkpoint(load_checkpoint(self.model_dir), _NAME,
                                           self._feature_col_names, normalize)

    def experimental_predict_with_explanations(self, input_fn: Any, predict_keys: Any = None,
                                               hooks: Any = None,
                                               checkpoint_path: Optional[str] = None) -> Any:
        """Predictions with directional feature contributions (DFCs), one dict per example.

        Besides the usual predictions, each dict has 'bias' (the prediction of the first
        tree's root: the prior probability for a classifier, the labels' mean for a
        regressor) and 'dfc', an OrderedDict {feature column name: contribution}, largest
        magnitude first: each split on the example's path credits its feature with the
        change it makes to the prediction, so bias + sum(dfc.values()) is the example's
        probability of class 1 (classifier) or prediction (regressor).

        Raises
        ------
        ValueError
            Unless the estimator was made with center_bias=True; for multi-class
            classifiers and multi-output regressors.
        """
        if not self._center_bias:
            raise ValueError("center_bias must be enabled during estimator instantiation when "
                             "using experimental_predict_with_explanations.")
        if self._head.logits_dimension != 1:
            raise ValueError("experimental_predict_with_explanations supports binary "
                             "classifiers and one-output regressors only (logits_dimension "
                             f"{self._head.logits_dimension}).")
        estimator = Estimator(model_fn=self._explanations_model_fn, model_dir=self.model_dir,
                              config=self.config)
        if predict_keys is not None:
            predict_keys = set(predict_keys) | {_BIAS_KEY, _DFC_KEY}
        for pred in estimator.predict(input_fn, predict_keys=predict_keys, hooks=hooks,
                                      checkpoint_path=checkpoint_path):
            pred["bias"] = float(pred.pop(_BIAS_KEY))
            pred["dfc"] = dfc_by_column(self._feature_col_names, pred.pop(_DFC_KEY))
            yield pred

    def _explanations_model_fn(self, features: Any, labels: Any, mode: str) -> Any:
        del labels, mode  # explanations are predictions
        layout, head = self._layout, self._head
        with name_scope(_NAME):
            ensemble = TreeEnsemble(self._tree_hparams, layout, head.logits_dimension)
            bucketized, _ = layout.transform(features, ensemble.boundaries)
            logits = ensemble.predict(bucketized)
            activation = "sigmoid" if self._is_classification else "identity"
            bias, contributions = feature_contributions(
                ensemble.tree_nodes, ensemble.node_values, bucketized, activation=activation)
        spec = head.create_estimator_spec(features=features, mode=ModeKeys.PREDICT,
                                          labels=None, train_op_fn=no_op, logits=logits)
        spec.predictions[_BIAS_KEY] = bias
        spec.predictions[_DFC_KEY] = contributions
        return spec


def _tree_hparams(n_trees: int, max_depth: int, learning_rate: float, l1: float, l2: float,
                  tree_complexity: float, min_node_weight: float, center_bias: bool,
                  pruning_mode: str, quantile_sketch_epsilon: float) -> TreeHParams:
    """The hyper-parameters, checked: ValueError naming the first one out of range."""
    for what, value in (("n_trees", n_trees), ("max_depth", max_depth)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f"{what} must be an integer > 0, got {value!r}")
    for what, value in (("learning_rate", learning_rate),
                        ("quantile_sketch_epsilon", quantile_sketch_epsilon)):
        if not float(value) > 0:
            raise ValueError(f"{what} must be > 0, got {value!r}")
    for what, value in (("l1_regularization", l1), ("l2_regularization", l2),
                        ("tree_complexity", tree_complexity),
                        ("min_node_weight", min_node_weight)):
        if not float(value) >= 0:
            raise ValueError(f"{what} must be >= 0, got {value!r}")
    return TreeHParams(int(n_trees), int(max_depth), float(learning_rate), float(l1),
                       float(l2), float(tree_complexity), float(min_node_weight),
                       bool(center_bias), pruning_mode, float(quantile_sketch_epsilon))


class BoostedTreesClassifier(_BoostedTreesBase):
    """A classifier of gradient boosted trees (TF1's `tf.estimator.BoostedTreesClassifier`).

    Parameters
    ----------
    feature_columns : iterable of bucketized, indicator and numeric columns
    n_batches_per_layer : int
        Batches whose statistics are collected before each layer is grown.
    model_dir : str, optional
    n_classes : int
        2 (a sigmoid head, one logit) or more (softmax, one logit per class).
    weight_column : str or numeric column, optional
    label_vocabulary : list of str, optional
    n_trees, max_depth : int
    learning_rate : float
        Shrinks each new leaf's weight.
    l1_regularization, l2_regularization : float
        On the leaf weights.
    tree_complexity : float
        Subtracted from every split's gain (needs pruning_mode 'pre' or 'post').
    min_node_weight : float
        The hessian (averaged over batches) a node needs to be split.
    config : RunConfig, optional
    center_bias : bool
        First set the bias (the first tree's root) to the labels' prior by Newton steps.
    pruning_mode : {'none', 'pre', 'post'}
    quantile_sketch_epsilon : float
        Numeric columns get int(1 / epsilon) buckets, from the quantiles of the first
        n_batches_per_layer batches (steps that do not count as global steps, as TF1).
    train_in_memory : bool
        The input_fn gives the whole data set as one batch (n_batches_per_layer must be 1).
    """

    def __init__(self, feature_columns: Any, n_batches_per_layer: Any,
                 model_dir: Optional[str] = None, n_classes: int = 2, weight_column: Any = None,
                 label_vocabulary: Any = None, n_trees: int = 100, max_depth: int = 6,
                 learning_rate: float = 0.1, l1_regularization: float = 0.,
                 l2_regularization: float = 0., tree_complexity: float = 0.,
                 min_node_weight: float = 0., config: Any = None, center_bias: bool = False,
                 pruning_mode: str = "none", quantile_sketch_epsilon: float = 0.01,
                 train_in_memory: bool = False) -> None:
        head = _binary_logistic_or_multi_class_head(
            n_classes, weight_column=weight_column, label_vocabulary=label_vocabulary,
            loss_reduction=Reduction.SUM_OVER_BATCH_SIZE)
        tree_hparams = _tree_hparams(n_trees, max_depth, learning_rate, l1_regularization,
                                     l2_regularization, tree_complexity, min_node_weight,
                                     center_bias, pruning_mode, quantile_sketch_epsilon)

        # Diagonal-hessian Newton steps overshoot on a softmax's coupled logits.
        step_scale = (n_classes - 1) / n_classes if head.logits_dimension > 1 else 1.0

        def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
            return _bt_model_fn(features, labels, mode, head, feature_columns, tree_hparams,
                                n_batches_per_layer, config, weight_column=weight_column,
                                train_in_memory=train_in_memory,
                                center_bias_step_scale=step_scale)

        super().__init__(model_fn=_model_fn, model_dir=model_dir, config=config,
                         feature_columns=feature_columns, head=head, center_bias=center_bias,
                         is_classification=True,
                         quantile_sketch_epsilon=quantile_sketch_epsilon,
                         tree_hparams=tree_hparams)


class BoostedTreesRegressor(_BoostedTreesBase):
    """A regressor of gradient boosted trees (TF1's `tf.estimator.BoostedTreesRegressor`),
    with the mean squared error loss; `label_dimension` outputs per example. The other
    parameters are those of `BoostedTreesClassifier`."""

    def __init__(self, feature_columns: Any, n_batches_per_layer: Any,
                 model_dir: Optional[str] = None, label_dimension: int = 1,
                 weight_column: Any = None, n_trees: int = 100, max_depth: int = 6,
                 learning_rate: float = 0.1, l1_regularization: float = 0.,
                 l2_regularization: float = 0., tree_complexity: float = 0.,
                 min_node_weight: float = 0., config: Any = None, center_bias: bool = False,
                 pruning_mode: str = "none", quantile_sketch_epsilon: float = 0.01,
                 train_in_memory: bool = False) -> None:
        head = _regression_head(label_dimension=label_dimension, weight_column=weight_column,
                                loss_reduction=Reduction.SUM_OVER_BATCH_SIZE)
        tree_hparams = _tree_hparams(n_trees, max_depth, learning_rate, l1_regularization,
                                     l2_regularization, tree_complexity, min_node_weight,
                                     center_bias, pruning_mode, quantile_sketch_epsilon)

        def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
            return _bt_model_fn(features, labels, mode, head, feature_columns, tree_hparams,
                                n_batches_per_layer, config, weight_column=weight_column,
                                train_in_memory=train_in_memory)

        super().__init__(model_fn=_model_fn, model_dir=model_dir, config=config,
                         feature_columns=feature_columns, head=head, center_bias=center_bias,
                         is_classification=False,
                         quantile_sketch_epsilon=quantile_sketch_epsilon,
                         tree_hparams=tree_hparams)


class BoostedTreesEstimator(_BoostedTreesBase):
    """Gradient boosted trees with any head (TF1's `tf.estimator.BoostedTreesEstimator`):
    the trees grow from the gradients and hessians of the head's loss. The other parameters
    are those of `BoostedTreesClassifier`."""

    def __init__(self, feature_columns: Any, n_batches_per_layer: Any, head: Any,
                 model_dir: Optional[str] = None, weight_column: Any = None,
                 n_trees: int = 100, max_depth: int = 6, learning_rate: float = 0.1,
                 l1_regularization: float = 0., l2_regularization: float = 0.,
                 tree_complexity: float = 0., min_node_weight: float = 0., config: Any = None,
                 center_bias: bool = False, pruning_mode: str = "none",
                 quantile_sketch_epsilon: float = 0.01) -> None:
        tree_hparams = _tree_hparams(n_trees, max_depth, learning_rate, l1_regularization,
                                     l2_regularization, tree_complexity, min_node_weight,
                                     center_bias, pruning_mode, quantile_sketch_epsilon)
        is_classification = isinstance(head, (_BinaryLogisticHeadWithSigmoidCrossEntropyLoss,
                                              _MultiClassHeadWithSoftmaxCrossEntropyLoss))
        step_scale = 1.0
        if isinstance(head, _MultiClassHeadWithSoftmaxCrossEntropyLoss):
            step_scale = (head.logits_dimension - 1) / head.logits_dimension

        def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
            return _bt_model_fn(features, labels, mode, head, feature_columns, tree_hparams,
                                n_batches_per_layer, config, weight_column=weight_column,
                                center_bias_step_scale=step_scale)

        super().__init__(model_fn=_model_fn, model_dir=model_dir, config=config,
                         feature_columns=feature_columns, head=head, center_bias=center_bias,
                         is_classification=is_classification,
                         quantile_sketch_epsilon=quantile_sketch_epsilon,
                         tree_hparams=tree_hparams)
