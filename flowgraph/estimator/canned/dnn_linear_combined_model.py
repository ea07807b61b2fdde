"""The wide-and-deep model: the sum of a linear model's logits (scope ``linear``) and a
DNN's logits (scope ``dnn``), each part trained by its own optimizer (TF1's
`_dnn_linear_combined_model_fn`)."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

from flowgraph import nn
from flowgraph.estimator.canned import optimizers
from flowgraph.estimator.canned.dnn_model import (
    add_hidden_layer_summary,
    dnn_logit_fn_builder,
    validate_features,
)
from flowgraph.estimator.canned.linear_model import linear_logit_fn_builder
from flowgraph.graph import GraphKeys, control_dependencies, get_collection
from flowgraph.ops import assign_add, group
from flowgraph.train import get_global_step
from flowgraph.variable_scope import variable_scope

# TF1's historical defaults for the two parts of the combined model.
_DNN_LEARNING_RATE = 0.001
_LINEAR_LEARNING_RATE = 0.005


def _linear_learning_rate(num_linear_feature_columns: int) -> float:
    """``min(0.005, 1 / sqrt(number of linear columns))``."""
    return min(_LINEAR_LEARNING_RATE, 1.0 / math.sqrt(num_linear_feature_columns))


def validate_feature_columns(linear_feature_columns: Any, dnn_feature_columns: Any) -> list:
    feature_columns = list(linear_feature_columns or []) + list(dnn_feature_columns or [])
    if not feature_columns:
        raise ValueError("Either linear_feature_columns or dnn_feature_columns must be "
                         "defined.")
    return feature_columns


def _dnn_linear_combined_model_fn(
        features: Any, labels: Any, mode: str, head: Any,
        linear_feature_columns: Optional[Sequence[Any]] = None,
        linear_optimizer: Any = "Ftrl",
        dnn_feature_columns: Optional[Sequence[Any]] = None, dnn_optimizer: Any = "Adagrad",
        dnn_hidden_units: Optional[Sequence[int]] = None,
        dnn_activation_fn: Callable = nn.relu, dnn_dropout: Optional[float] = None,
        input_layer_partitioner: Any = None, config: Any = None, batch_norm: bool = False,
        linear_sparse_combiner: str = "sum") -> Any:
    """The model_fn of the wide-and-deep estimators."""
    validate_features(features)
    if not linear_feature_columns and not dnn_feature_columns:
        raise ValueError("Either linear_feature_columns or dnn_feature_columns must be "
                         "defined.")
    del config  # no parameter servers to partition variables over
    dnn_logits = linear_logits = None
    if dnn_feature_columns:
        dnn_optimizer = optimizers.get_optimizer_instance(dnn_optimizer,
                                                          learning_rate=_DNN_LEARNING_RATE)
        if not dnn_hidden_units:
            raise ValueError("dnn_hidden_units must be defined when dnn_feature_columns is "
                             "specified.")
        with variable_scope("dnn", values=tuple(features.values())) as scope:
            dnn_absolute_scope = scope.name
            dnn_logit_fn = dnn_logit_fn_builder(
                units=head.logits_dimension, hidden_units=dnn_hidden_units,
                feature_columns=dnn_feature_columns, activation_fn=dnn_activation_fn,
                dropout=dnn_dropout, input_layer_partitioner=input_layer_partitioner,
                batch_norm=batch_norm)
            dnn_logits = dnn_logit_fn(features=features, mode=mode)
    if linear_feature_columns:
        linear_optimizer = optimizers.get_optimizer_instance(
            linear_optimizer,
            learning_rate=_linear_learning_rate(len(linear_feature_columns)))
        with variable_scope("linear", values=tuple(features.values()),
                            partitioner=input_layer_partitioner) as scope:
            linear_absolute_scope = scope.name
            logit_fn = linear_logit_fn_builder(units=head.logits_dimension,
                                               feature_columns=linear_feature_columns,
                                               sparse_combiner=linear_sparse_combiner)
            linear_logits = logit_fn(features=features)
            add_hidden_layer_summary(linear_logits, scope.name)
    if dnn_logits is not None and linear_logits is not None:
        logits = dnn_logits + linear_logits
    else:
        logits = dnn_logits if dnn_logits is not None else linear_logits

    def _train_op_fn(loss: Any) -> Any:
        """Each part's optimizer updates that part's variables; then the step counts."""
        train_ops = []
        global_step = get_global_step()
        if dnn_logits is not None:
            train_ops.append(dnn_optimizer.minimize(
                loss, var_list=get_collection(GraphKeys.TRAINABLE_VARIABLES,
                                              scope=dnn_absolute_scope)))
        if linear_logits is not None:
            train_ops.append(linear_optimizer.minimize(
                loss, var_list=get_collection(GraphKeys.TRAINABLE_VARIABLES,
                                              scope=linear_absolute_scope)))
        train_op = group(*train_ops)
        with control_dependencies([train_op]):
            return assign_add(global_step, 1).op

    return head.create_estimator_spec(features=features, mode=mode, labels=labels,
                                      train_op_fn=_train_op_fn, logits=logits)
