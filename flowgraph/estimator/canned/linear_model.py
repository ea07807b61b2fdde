"""The linear model of `LinearClassifier`, `LinearRegressor` and the wide part of the
wide-and-deep estimators: `fg.feature_column.linear_model` under variable scope
``linear`` (``linear/linear_model/<column>/weights``, ``linear/linear_model/bias_weights``)."""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from flowgraph import dtypes, nn, summary
from flowgraph.estimator.canned import optimizers
from flowgraph.estimator.canned.dnn_model import validate_features
from flowgraph.estimator.checkpoint_names import partitioned_variables
from flowgraph.graph import Tensor
from flowgraph.ops import add_n, cast, size
from flowgraph.train import FtrlOptimizer
from flowgraph.variable_scope import variable_scope

# TF1's historical default learning rate of the linear estimators.
_LEARNING_RATE = 0.2


def _get_default_optimizer(feature_columns: Sequence[Any]) -> FtrlOptimizer:
    """Ftrl with ``min(0.2, 1 / sqrt(number of columns))``: TF1's choice for
    ``optimizer=None``."""
    learning_rate = min(_LEARNING_RATE, 1.0 / math.sqrt(len(feature_columns)))
    return FtrlOptimizer(learning_rate=learning_rate)


def _compute_fraction_of_zero(variables: Sequence[Any]) -> Tensor:
    """The fraction of zero entries over all `variables`, weighted by their sizes."""
    sizes = [cast(size(v.value()), dtypes.float32) for v in variables]
    zeros = [nn.zero_fraction(v.value()) * s for v, s in zip(variables, sizes)]
    return add_n(zeros) / add_n(sizes)


def linear_logit_fn_builder(units: int, feature_columns: Any,
                            sparse_combiner: str = "sum") -> Callable:
    """A function ``logit_fn(features)`` building the linear model's logits
    [batch, units] in the current variable scope, with the ``bias`` and
    ``fraction_of_zero_weights`` summaries of TF1."""

    def linear_logit_fn(features: dict) -> Tensor:
        from flowgraph.feature_column import linear_model

        cols_to_vars: dict = {}
        logits = linear_model(features=features, feature_columns=feature_columns,
                              units=units, sparse_combiner=sparse_combiner,
                              cols_to_vars=cols_to_vars)
        bias = cols_to_vars.pop("bias")[0]
        if units > 1:
            summary.histogram("bias", bias.value())
        else:
            summary.scalar("bias", bias.value()[0])
        weights = [v for column_vars in cols_to_vars.values() for v in column_vars]
        if weights:
            summary.scalar("fraction_of_zero_weights", _compute_fraction_of_zero(weights))
        return logits

    return linear_logit_fn


def _linear_model_fn(features: Any, labels: Any, mode: str, head: Any,
                     feature_columns: Sequence[Any], optimizer: Any, partitioner: Any,
                     config: Any, sparse_combiner: str = "sum") -> Any:
    """The model_fn of the linear estimators: logits of `linear_logit_fn_builder` under
    variable scope ``linear``, then the head's EstimatorSpec."""
    validate_features(features)
    if not feature_columns:
        raise ValueError("feature_columns must not be empty: give the columns the linear "
                         "model reads, e.g. [fg.feature_column.numeric_column('x')].")
    optimizer = optimizers.get_optimizer_instance(
        optimizer or _get_default_optimizer(feature_columns), learning_rate=_LEARNING_RATE)
    del config  # no parameter servers to partition variables over
    with variable_scope("linear", values=tuple(features.values()),
                        partitioner=partitioner):
        logit_fn = linear_logit_fn_builder(units=head.logits_dimension,
                                           feature_columns=feature_columns,
                                           sparse_combiner=sparse_combiner)
        # TF1 builds them under a variable partitioner: its checkpoint names (slots).
        with partitioned_variables():
            logits = logit_fn(features=features)
        return head.create_estimator_spec(features=features, mode=mode, labels=labels,
                                          optimizer=optimizer, logits=logits)
