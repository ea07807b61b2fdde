"""The deep model of `DNNClassifier`, `DNNRegressor` and the wide-and-deep estimators:
an input layer from feature columns, fully connected hidden layers and a logits layer,
with TF1's variable names (``dnn/hiddenlayer_0/kernel``, ``dnn/logits/bias``, ...)."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from flowgraph import layers, nn, summary
from flowgraph.estimator.canned import optimizers
from flowgraph.estimator.checkpoint_names import partitioned_variables
from flowgraph.estimator.model_fn import ModeKeys
from flowgraph.graph import Tensor
from flowgraph.initializers import glorot_uniform_initializer
from flowgraph.variable_scope import variable_scope

# TF1's historical default learning rate of the DNN estimators.
_LEARNING_RATE = 0.05


def add_hidden_layer_summary(value: Tensor, tag: str) -> None:
    """The sparsity and histogram of a layer's activations, as TF1 logs them."""
    summary.scalar(f"{tag}/fraction_of_zero_values", nn.zero_fraction(value))
    summary.histogram(f"{tag}/activation", value)


def validate_features(features: Any) -> None:
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: "
                         f"{type(features)}")


def dnn_logit_fn_builder(units: int, hidden_units: Sequence[int], feature_columns: Any,
                         activation_fn: Callable, dropout: Optional[float],
                         input_layer_partitioner: Any, batch_norm: bool) -> Callable:
    """A function ``logit_fn(features, mode)`` building the DNN's logits [batch, units]
    in the current variable scope (TF1's `dnn_logit_fn_builder`)."""
    if not isinstance(units, int) or isinstance(units, bool):
        raise ValueError(f"units must be an int.  Given type: {type(units)}")
    hidden_units = list(hidden_units or [])
    for n in hidden_units:
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"hidden_units must be positive integers, got {hidden_units}")
    if dropout is not None and not 0 <= dropout < 1:
        raise ValueError(f"dropout is the probability of dropping a unit, in [0, 1); got "
                         f"{dropout}")

    def dnn_logit_fn(features: dict, mode: str) -> Tensor:
        from flowgraph.feature_column import input_layer

        is_training = mode == ModeKeys.TRAIN
        with variable_scope("input_from_feature_columns",
                            values=tuple(features.values()),
                            partitioner=input_layer_partitioner):
            net = input_layer(features=features, feature_columns=feature_columns)
        for layer_id, num_hidden_units in enumerate(hidden_units):
            with variable_scope(f"hiddenlayer_{layer_id}", values=(net,)) as scope:
                net = layers.dense(net, units=num_hidden_units, activation=activation_fn,
                                   kernel_initializer=glorot_uniform_initializer(),
                                   name=scope)
                if dropout is not None and is_training:
                    net = layers.dropout(net, rate=dropout, training=True)
                if batch_norm:
                    # TF1 uses momentum 0.999 here: 0.99 was found to diverge.
                    net = layers.batch_normalization(net, momentum=0.999,
                                                     training=is_training,
                                                     name=f"batchnorm_{layer_id}")
            add_hidden_layer_summary(net, scope.name)
        with variable_scope("logits", values=(net,)) as logits_scope:
            logits = layers.dense(net, units=units, activation=None,
                                  kernel_initializer=glorot_uniform_initializer(),
                                  name=logits_scope)
        add_hidden_layer_summary(logits, logits_scope.name)
        return logits

    return dnn_logit_fn


def _dnn_model_fn(features: Any, labels: Any, mode: str, head: Any,
                  hidden_units: Sequence[int], feature_columns: Any,
                  optimizer: Any = "Adagrad", activation_fn: Callable = nn.relu,
                  dropout: Optional[float] = None, input_layer_partitioner: Any = None,
                  config: Any = None, batch_norm: bool = False) -> Any:
    """The model_fn of the DNN estimators: logits from `dnn_logit_fn_builder` under
    variable scope ``dnn``, then the head's EstimatorSpec."""
    optimizer = optimizers.get_optimizer_instance(optimizer, learning_rate=_LEARNING_RATE)
    validate_features(features)
    del config  # no parameter servers to partition variables over
    with variable_scope("dnn", values=tuple(features.values())):
        logit_fn = dnn_logit_fn_builder(
            units=head.logits_dimension, hidden_units=hidden_units,
            feature_columns=feature_columns, activation_fn=activation_fn, dropout=dropout,
            input_layer_partitioner=input_layer_partitioner, batch_norm=batch_norm)
        # TF1 builds them under a variable partitioner: its checkpoint names (slots).
        with partitioned_variables():
            logits = logit_fn(features=features, mode=mode)
        return head.create_estimator_spec(features=features, mode=mode, labels=labels,
                                          optimizer=optimizer, logits=logits)
