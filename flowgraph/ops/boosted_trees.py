"""Boosted-trees ops that read an ensemble: prediction and gradient histograms.

The ensemble is held in Variables (layout in `boosted_trees_kernels`); these ops take their
values as ordinary inputs, so they are pure functions and never change the ensemble (the
updates are in `boosted_trees_training`). Bucketized features are an int32 matrix
[batch, num_features] of bucket ids. None of them is differentiable: a tree's output is
piecewise constant in its inputs. TF1 exposes its equivalents only through
`tf.estimator.BoostedTrees*` (and `tf.raw_ops`), so the builders are not public names.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops import boosted_trees_kernels as kernels
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []


def check_ensemble(op: Any, tree_nodes: Tensor, node_values: Tensor) -> None:
    """TypeError / ValueError unless the node arrays have the ensemble layout."""
    if tree_nodes.dtype != dtypes.int32 or node_values.dtype != dtypes.float32:
        raise TypeError(f"{op.type} takes tree_nodes int32 and node_values float32, got "
                        f"{tree_nodes.dtype.name} and {node_values.dtype.name}")
    if tree_nodes.shape.ndims not in (None, 3) or node_values.shape.ndims not in (None, 3):
        raise ValueError(f"{op.type}: tree_nodes must be [trees, nodes, 4] and node_values "
                         f"[trees, nodes, logits_dimension], got {tree_nodes.shape} and "
                         f"{node_values.shape}")
    if tree_nodes.shape.ndims == 3 and not tree_nodes.shape[2:].is_compatible_with([4]):
        raise ValueError(f"{op.type}: tree_nodes must be [trees, nodes, 4], got "
                         f"{tree_nodes.shape}")
    both_known = tree_nodes.shape.ndims == 3 and node_values.shape.ndims == 3
    if both_known and not tree_nodes.shape[:2].is_compatible_with(node_values.shape[:2]):
        raise ValueError(f"{op.type}: tree_nodes {tree_nodes.shape} and node_values "
                         f"{node_values.shape} must have the same [trees, nodes]")


def check_features(op: Any, features: Tensor) -> None:
    if features.dtype != dtypes.int32:
        raise TypeError(f"{op.type} takes bucketized features as int32, got "
                        f"{features.dtype.name}")
    if features.shape.ndims not in (None, 2):
        raise ValueError(f"{op.type}: bucketized features must be [batch, num_features], "
                         f"got {features.shape}")


def _dim(t: Tensor, rank: int, axis: int) -> Optional[int]:
    """Dimension `axis` of `t` as an int, or None (unknown, or a rank other than `rank`)."""
    if t.shape.ndims != rank:
        return None
    return getattr(t.shape[axis], "value", t.shape[axis])


def _batch(features: Tensor) -> Any:
    return _dim(features, 2, 0)


def _logits_dimension(node_values: Tensor) -> Any:
    return _dim(node_values, 3, 2)


@register
class BoostedTreesPredict(Op):
    """Logits [batch, logits_dimension] of an ensemble: for each example, the sum over
    trees of the value of the leaf it reaches (left when its bucket id <= the threshold).
    Inputs: tree_nodes int32 [T, N, 4], node_values float32 [T, N, L], bucketized
    features int32 [batch, F]."""

    differentiable = False

    def infer(self, op):
        tree_nodes, node_values, features = op.inputs
        check_ensemble(op, tree_nodes, node_values)
        check_features(op, features)
        return [(dtypes.float32, TensorShape([_batch(features), _logits_dimension(node_values)]))]

    def kernel(self, tree_nodes, node_values, features):
        return kernels.predict(tree_nodes, node_values, features)[0]


@register
class BoostedTreesTrainingPredict(Op):
    """As BoostedTreesPredict, and the id of the node each example reaches in the tree
    being grown (int32 [batch]). Inputs: tree_nodes, node_values, growing_state int32 [8],
    bucketized features."""

    differentiable = False

    def infer(self, op):
        tree_nodes, node_values, state, features = op.inputs
        check_ensemble(op, tree_nodes, node_values)
        check_features(op, features)
        if state.dtype != dtypes.int32 or not state.shape.is_compatible_with(
                [kernels.STATE_SIZE]):
            raise ValueError(f"{op.type}: growing_state must be int32 "
                             f"[{kernels.STATE_SIZE}], got {state.dtype.name} {state.shape}")
        batch = _batch(features)
        return [(dtypes.float32, TensorShape([batch, _logits_dimension(node_values)])),
                (dtypes.int32, TensorShape([batch]))]

    def kernel(self, tree_nodes, node_values, state, features):
        logits, leaves = kernels.predict(tree_nodes, node_values, features)
        tree = min(kernels.growing_tree(state), tree_nodes.shape[0] - 1)
        return logits, leaves[:, tree].astype("int32")


@register
class BoostedTreesMakeStatsSummary(Op):
    """Per (feature, node, bucket) sums of gradients and hessians: float32
    [F, max_splits, num_buckets, 2 L] (gradients in the first L channels). Inputs: node_ids
    int32 [batch], gradients and hessians float32 [batch, L], bucketized features int32
    [batch, F]. Examples at nodes outside [0, max_splits) are not counted."""

    max_splits: int
    num_buckets: int
    differentiable = False

    def check(self):
        if self.max_splits < 1 or self.num_buckets < 1:
            raise ValueError(f"BoostedTreesMakeStatsSummary needs max_splits >= 1 and "
                             f"num_buckets >= 1, got {self.max_splits} and {self.num_buckets}")

    def infer(self, op):
        node_ids, gradients, hessians, features = op.inputs
        check_features(op, features)
        if node_ids.dtype != dtypes.int32:
            raise TypeError(f"{op.type}: node_ids must be int32, got {node_ids.dtype.name}")
        for name, t in (("gradients", gradients), ("hessians", hessians)):
            if t.dtype != dtypes.float32 or t.shape.ndims not in (None, 2):
                raise ValueError(f"{op.type}: {name} must be float32 [batch, "
                                 f"logits_dimension], got {t.dtype.name} {t.shape}")
        if not gradients.shape.is_compatible_with(hessians.shape):
            raise ValueError(f"{op.type}: gradients {gradients.shape} and hessians "
                             f"{hessians.shape} must have the same shape")
        dims = _dim(gradients, 2, 1)
        dims = dims if dims is not None else _dim(hessians, 2, 1)
        num_features = _dim(features, 2, 1)
        return [(dtypes.float32, TensorShape([num_features, self.max_splits, self.num_buckets,
                                              None if dims is None else 2 * dims]))]

    def kernel(self, node_ids, gradients, hessians, features):
        return kernels.stats_summary(node_ids, gradients, hessians, features,
                                     self.max_splits, self.num_buckets)


@register
class BoostedTreesFeatureContributions(Op):
    """Directional feature contributions of an ensemble with one logit: (bias float32
    [batch], contributions float32 [batch, F]), so that bias + the sum of an example's
    contributions is its prediction act(logit), act = `activation` ("identity" or
    "sigmoid"). Each split on an example's path credits its feature with the change it
    makes. Inputs: tree_nodes, node_values [T, N, 1], bucketized features [batch, F]."""

    activation: str = "identity"
    differentiable = False

    def check(self):
        if self.activation not in ("identity", "sigmoid"):
            raise ValueError(f"activation must be 'identity' or 'sigmoid', got "
                             f"{self.activation!r}")

    def infer(self, op):
        tree_nodes, node_values, features = op.inputs
        check_ensemble(op, tree_nodes, node_values)
        check_features(op, features)
        if _logits_dimension(node_values) not in (None, 1):
            raise ValueError(f"{op.type} explains one-logit ensembles, got node_values "
                             f"{node_values.shape}")
        batch = _batch(features)
        num_features = _dim(features, 2, 1)
        return [(dtypes.float32, TensorShape([batch])),
                (dtypes.float32, TensorShape([batch, num_features]))]

    def kernel(self, tree_nodes, node_values, features):
        bias, contributions = kernels.feature_contributions(tree_nodes, node_values, features,
                                                            self.activation)
        return bias.astype("float32"), contributions.astype("float32")


# --------------------------------------------------------------------------- builders
def predict(tree_nodes: Any, node_values: Any, features: Any,
            name: Optional[str] = None) -> Tensor:
    """The ensemble's logits [batch, L] for bucketized `features` int32 [batch, F]."""
    inputs = [convert_to_tensor(tree_nodes), convert_to_tensor(node_values),
              convert_to_tensor(features, dtype=dtypes.int32)]
    return apply_op(BoostedTreesPredict(), inputs, name=name)


def training_predict(tree_nodes: Any, node_values: Any, growing_state: Any, features: Any,
                     name: Optional[str] = None) -> tuple:
    """(logits [batch, L], node ids [batch] in the tree being grown)."""
    inputs = [convert_to_tensor(tree_nodes), convert_to_tensor(node_values),
              convert_to_tensor(growing_state), convert_to_tensor(features,
                                                                  dtype=dtypes.int32)]
    logits, node_ids = apply_op(BoostedTreesTrainingPredict(), inputs, name=name)
    return logits, node_ids


def make_stats_summary(node_ids: Any, gradients: Any, hessians: Any, features: Any,
                       max_splits: int, num_buckets: int,
                       name: Optional[str] = None) -> Tensor:
    """Gradient and hessian histograms float32 [F, max_splits, num_buckets, 2 L]."""
    inputs = [convert_to_tensor(node_ids, dtype=dtypes.int32),
              convert_to_tensor(gradients, dtype=dtypes.float32),
              convert_to_tensor(hessians, dtype=dtypes.float32),
              convert_to_tensor(features, dtype=dtypes.int32)]
    return apply_op(BoostedTreesMakeStatsSummary(max_splits=max_splits,
                                                 num_buckets=num_buckets), inputs, name=name)


def feature_contributions(tree_nodes: Any, node_values: Any, features: Any,
                          activation: str = "identity", name: Optional[str] = None) -> tuple:
    """(bias [batch], directional feature contributions [batch, F])."""
    inputs = [convert_to_tensor(tree_nodes), convert_to_tensor(node_values),
              convert_to_tensor(features, dtype=dtypes.int32)]
    bias, contributions = apply_op(BoostedTreesFeatureContributions(activation=activation),
                                   inputs, name=name)
    return bias, contributions
