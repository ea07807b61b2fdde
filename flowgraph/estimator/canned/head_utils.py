"""Checks and small pieces the canned heads share: labels, weights and logits shapes,
label ranges, export outputs and the derived evaluation metrics (TF1's v1 `head.py`
helpers)."""

from __future__ import annotations

import collections
from typing import Any, Optional

from flowgraph import dtypes, metrics
from flowgraph.estimator.export import export_output
from flowgraph.graph import Tensor, control_dependencies, name_scope
from flowgraph.metrics.metric_utils import broadcast_weights
from flowgraph.ops import (
    Assert,
    argmax,
    as_string,
    cast,
    constant,
    convert_to_tensor,
    equal,
    expand_dims,
    gather,
    greater_equal,
    identity,
    less_equal,
    maximum,
    ones_like,
    reduce_all,
    reduce_any,
    shape,
    squeeze,
    tile,
    where_v2,
)
from flowgraph.ops import range as range_op
from flowgraph.sparse_tensor import SparseTensor

# LossSpec: the reduced training loss, the unreduced per-example loss, the example weights
# and the processed labels (after vocabulary lookup and reshaping).
LossSpec = collections.namedtuple(
    "LossSpec", ["training_loss", "unreduced_loss", "weights", "processed_labels"])

DEFAULT_SERVING_KEY = "serving_default"
CLASSIFY_SERVING_KEY = "classification"
REGRESS_SERVING_KEY = "regression"
PREDICT_SERVING_KEY = "predict"


def summary_key(head_name: Optional[str], key: str) -> str:
    """``key`` or ``key/head_name``: metric and summary names of a named head."""
    return f"{key}/{head_name}" if head_name else key


def check_dense_labels_match_logits_and_reshape(labels: Any, logits: Tensor,
                                                expected_labels_dimension: int) -> Tensor:
    """Labels of shape [D0, ... DN, expected_labels_dimension] (a missing last dimension of
    1 is added); ValueError when the static shape cannot match the logits."""
    if labels is None:
        raise ValueError("You must provide a labels Tensor. Given: None. Suggested "
                         "troubleshooting steps: Check that your data contain your label "
                         "feature. Check that your input_fn properly parses and returns "
                         "labels.")
    with name_scope(None, "labels", (labels, logits)) as scope:
        if isinstance(labels, SparseTensor):
            raise ValueError(
                f"SparseTensor labels are not supported. labels must be a Tensor of shape "
                f"[D0, D1, ..., DN, {expected_labels_dimension}], e.g. [batch_size, "
                f"{expected_labels_dimension}]. Suggested Fix: in your input_fn, use "
                f"tf.sparse_tensor_to_dense() to turn labels into a Tensor.")
        labels = convert_to_tensor(labels)
        l_rank, g_rank = labels.shape.ndims, logits.shape.ndims
        if l_rank is not None and g_rank is not None and l_rank == g_rank - 1:
            labels = expand_dims(labels, -1)
        err_msg = (f"labels shape must be [D0, D1, ... DN, {expected_labels_dimension}]. "
                   "Suggested Fix: check your n_classes argument to the estimator and/or "
                   "the shape of your label.")
        if labels.shape.ndims is not None:
            if labels.shape.ndims < 2:
                raise ValueError(f"{err_msg} Given labels of shape {labels.shape}.")
            dim1 = labels.shape.as_list()[-1]
            if dim1 is not None and dim1 != expected_labels_dimension:
                raise ValueError(
                    f"Mismatched label shape. Expected labels dimension="
                    f"{expected_labels_dimension}.  Received {dim1}. Suggested Fix: If your "
                    "classifier expects one-hot encoding label, check your n_classes "
                    "argument to the estimator and/or the shape of your label. Otherwise, "
                    "check the shape of your label.")
        if logits.shape.ndims is not None and labels.shape.ndims is not None:
            expected = logits.shape.as_list()[:-1] + [expected_labels_dimension]
            given = labels.shape.as_list()
            if len(expected) != len(given) or any(
                    a is not None and b is not None and a != b
                    for a, b in zip(expected, given)):
                raise ValueError(f"{err_msg} Expected labels shape {expected}, got {given}.")
        # The batch sizes are checked when the graph runs (they may be unknown here).
        expected_shape = shape(logits)[:-1]
        same = reduce_all(equal(shape(labels)[:-1], expected_shape))
        check = Assert(same, [err_msg, "expected_labels_shape: ", expected_shape,
                              "labels_shape: ", shape(labels)])
        with control_dependencies([check]):
            return identity(labels, name=scope)


def get_weights_and_check_match_logits(features: Any, weight_column: Any, logits: Tensor,
                                       allow_per_logit_weights: bool = False) -> Any:
    """The example weights from `features` as float32 [D0, ... DN, 1] (or per logit), or
    1.0 without a weight column."""
    if weight_column is None:
        return 1.0
    err_msg = ("weights shape must be [D0, D1, ... DN], [D0, D1, ... DN, 1] or "
               "[D0, D1, ... DN, logits_dimension]" if allow_per_logit_weights else
               "weights shape must be [D0, D1, ... DN] or [D0, D1, ... DN, 1]")
    with name_scope(None, "weights", tuple(features.values()) + (logits,)) as scope:
        key, normalizer_fn = _weight_key(weight_column)
        if key not in features:
            raise ValueError(f"The weight column {key!r} is not among the features "
                             f"{sorted(features)}: return it from your input_fn.")
        weights = features[key]
        if isinstance(weights, SparseTensor):
            raise ValueError(f"The weight feature {key!r} must be a dense Tensor, got a "
                             "SparseTensor.")
        weights = convert_to_tensor(weights)
        if normalizer_fn is not None:
            weights = normalizer_fn(weights)
        if not (weights.dtype.is_floating or weights.dtype.is_integer):
            raise ValueError(f"Weight column should be castable to float. Given dtype: "
                             f"{weights.dtype}")
        weights = cast(weights, dtypes.float32, name="weights")
        w_dims, g_dims = weights.shape.as_list(), logits.shape.as_list()
        if weights.shape.ndims is not None and logits.shape.ndims is not None:
            if any(a is not None and b is not None and a != b
                   for a, b in zip(w_dims, g_dims[:-1])):
                raise ValueError(f"{err_msg}. logits_shape: {logits.shape}, weights_shape: "
                                 f"{weights.shape}.")
            if len(w_dims) == len(g_dims) - 1:
                return expand_dims(weights, -1, name=scope)
            last = w_dims[-1] if w_dims else None
            allowed = (1, g_dims[-1]) if allow_per_logit_weights else (1,)
            if len(w_dims) != len(g_dims) or (last is not None and last not in allowed):
                raise ValueError(f"{err_msg}. logits_shape: {logits.shape}, weights_shape: "
                                 f"{weights.shape}.")
        return identity(weights, name=scope)


def _weight_key(weight_column: Any) -> tuple:
    """(feature key, normalizer_fn) of a weight column: a key, or a numeric column (TF1
    reads the raw feature and applies the column's normalizer)."""
    from flowgraph.feature_column import numeric_column

    if isinstance(weight_column, str):
        return weight_column, None
    if not isinstance(weight_column, type(numeric_column("weight"))):
        raise TypeError(f"Weight column must be either a string or _NumericColumn. "
                        f"Given type: {type(weight_column)}.")
    return weight_column.key, weight_column.normalizer_fn


def check_logits_final_dim(logits: Any, expected_logits_dimension: int) -> Tensor:
    """float32 logits of shape [D0, ... DN, expected_logits_dimension]; ValueError
    otherwise (where the static shape tells)."""
    with name_scope(None, "logits", (logits,)):
        logits = cast(convert_to_tensor(logits), dtypes.float32)
        rank = logits.shape.ndims
        if rank is not None and rank < 2:
            raise ValueError(f"logits shape must be [D0, D1, ... DN, logits_dimension], got "
                             f"{logits.shape}.")
        if rank is not None:
            last = logits.shape.as_list()[-1]
            if last is not None and last != expected_logits_dimension:
                raise ValueError(f"logits shape must be [D0, D1, ... DN, logits_dimension="
                                 f"{expected_logits_dimension}], got {logits.shape}.")
        return logits


def assert_range(labels: Tensor, n_classes: int, message: Optional[str] = None) -> Tensor:
    """`labels`, checked at run time to lie in [0, n_classes - 1]."""
    with name_scope(None, "assert_range", (labels,)):
        upper = less_equal(labels, cast(n_classes - 1, labels.dtype))
        lower = greater_equal(labels, cast(0, labels.dtype))
        check_less = Assert(reduce_all(upper),
                            [message or "Labels must <= n_classes - 1", labels])
        check_greater = Assert(reduce_all(lower), [message or "Labels must >= 0", labels])
        with control_dependencies([check_less, check_greater]):
            return identity(labels)


def label_ids_from_vocabulary(labels: Tensor, label_vocabulary: Any) -> Tensor:
    """int64 ids of string labels in `label_vocabulary` (-1 for unknown ones, which the
    range check then reports), as TF1's ``index_table_from_tensor`` lookup."""
    if labels.dtype != dtypes.string:
        raise ValueError(f"Labels dtype should be string if there is a vocabulary. Instead "
                         f"got {labels.dtype}")
    with name_scope(None, "class_id_lookup", (labels,)):
        matches = equal(expand_dims(labels, -1), _vocabulary_tensor(label_vocabulary))
        found = argmax(cast(matches, dtypes.int32), axis=-1)
        return where_v2(reduce_any(matches, axis=-1), found, -1 * ones_like(found))


def _vocabulary_tensor(label_vocabulary: Any) -> Tensor:
    return constant([v.encode("utf-8") if isinstance(v, str) else v
                     for v in label_vocabulary], dtype=dtypes.string)


def class_names(class_ids: Tensor, label_vocabulary: Any) -> Tensor:
    """The string name of each class id: the vocabulary entry, or the id as text."""
    if label_vocabulary:
        return gather(_vocabulary_tensor(label_vocabulary), class_ids,
                      name="class_string_lookup")
    return as_string(class_ids, name="str_classes")


def all_class_ids(logits: Tensor, n_classes: int) -> Tensor:
    """[batch, n_classes] int32: every class id, for each example."""
    batch_size = shape(logits)[0]
    return tile(expand_dims(range_op(n_classes), 0), [batch_size, 1])


def _class_list(n_classes: int, label_vocabulary: Any) -> Tensor:
    if label_vocabulary:
        return _vocabulary_tensor(label_vocabulary)
    return as_string(range_op(n_classes))


def all_classes(logits: Tensor, n_classes: int, label_vocabulary: Any = None) -> Tensor:
    """[batch, n_classes] strings: every class name, for each example."""
    batch_size = shape(logits)[0]
    return tile(expand_dims(_class_list(n_classes, label_vocabulary), 0), [batch_size, 1])


def classification_output(scores: Tensor, n_classes: int,
                          label_vocabulary: Any = None) -> Any:
    """The classify signature's output: the scores and every class name per example."""
    classes = all_classes(scores, n_classes, label_vocabulary)
    return export_output.ClassificationOutput(scores=scores, classes=classes)


# --------------------------------------------------------------------------- metrics
def indicator_labels_mean(labels: Tensor, weights: Any = None,
                          name: Optional[str] = None) -> tuple:
    with name_scope(name, "labels_mean", (labels, weights)) as scope:
        labels = cast(labels, dtypes.float32, name="labels")
        if weights is not None:
            weights = broadcast_weights(weights, labels)
        return metrics.mean(labels, weights=weights, name=scope)


def accuracy_baseline(labels_mean: tuple) -> tuple:
    """The accuracy of always predicting the more frequent class: ``max(m, 1 - m)``."""
    with name_scope(None, "accuracy_baseline", labels_mean):
        value, update_op = labels_mean
        return (maximum(value, 1.0 - value, name="value"),
                maximum(update_op, 1 - update_op, name="update_op"))


def predictions_mean(predictions: Tensor, weights: Any = None,
                     name: Optional[str] = None) -> tuple:
    with name_scope(name, "predictions_mean", (predictions, weights)) as scope:
        predictions = cast(predictions, dtypes.float32, name="predictions")
        if weights is not None:
            weights = broadcast_weights(weights, predictions)
        return metrics.mean(predictions, weights=weights, name=scope)


def auc(labels: Tensor, predictions: Tensor, weights: Any = None, curve: str = "ROC",
        name: Optional[str] = None) -> tuple:
    with name_scope(name, "auc", (predictions, labels, weights)) as scope:
        predictions = cast(predictions, dtypes.float32, name="predictions")
        if weights is not None:
            weights = broadcast_weights(weights, predictions)
        return metrics.auc(labels=labels, predictions=predictions, weights=weights,
                           curve=curve, name=scope)


def accuracy_at_threshold(labels: Tensor, predictions: Tensor, weights: Any,
                          threshold: float, name: Optional[str] = None) -> tuple:
    with name_scope(name, f"accuracy_at_{threshold}", (predictions, labels, weights)) as scope:
        threshold_predictions = cast(greater_equal(predictions, threshold), dtypes.float32)
        return metrics.accuracy(labels=labels, predictions=threshold_predictions,
                                weights=weights, name=scope)


def precision_at_threshold(labels: Tensor, predictions: Tensor, weights: Any,
                           threshold: float, name: Optional[str] = None) -> tuple:
    with name_scope(name, f"precision_at_{threshold}",
                    (predictions, labels, weights)) as scope:
        value, update_op = metrics.precision_at_thresholds(
            labels=labels, predictions=predictions, thresholds=(threshold,), weights=weights,
            name=scope)
        return squeeze(value), squeeze(update_op)


def recall_at_threshold(labels: Tensor, predictions: Tensor, weights: Any,
                        threshold: float, name: Optional[str] = None) -> tuple:
    with name_scope(name, f"recall_at_{threshold}", (predictions, labels, weights)) as scope:
        value, update_op = metrics.recall_at_thresholds(
            labels=labels, predictions=predictions, thresholds=(threshold,), weights=weights,
            name=scope)
        return squeeze(value), squeeze(update_op)

