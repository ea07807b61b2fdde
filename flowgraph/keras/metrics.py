"""`tf.keras.metrics` as TF 1.15 had it: the metric functions (per-sample values: accuracies
and the loss functions of `flowgraph.keras.losses`) and stateful metric classes built on
local Variables (`update_state` returns the update op, `result` the value tensor,
`reset_states` zeroes the state in the Keras Session).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

import flowgraph as fg
from flowgraph.graph import GraphKeys
from flowgraph.keras import backend
from flowgraph.keras.generic_utils import (
    deserialize_object,
    lookup_object,
    serialize_object_or_name,
)
from flowgraph.keras.losses import (  # noqa: F401 - re-exported as metrics, as Keras
    KLD,
    MAE,
    MAPE,
    MSE,
    MSLE,
    _match_weight_rank,
    _squeeze_to_match,
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine,
    cosine_proximity,
    hinge,
    kld,
    kullback_leibler_divergence,
    logcosh,
    mae,
    mape,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    mse,
    msle,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)

__all__ = [
    "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "get", "serialize",
    "deserialize", "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy",
    "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "MeanSquaredError",
    "MeanAbsoluteError", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "TruePositives", "FalsePositives", "TrueNegatives",
    "FalseNegatives", "Precision", "Recall", "AUC", "accuracy", "acc", "ACC",
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "kullback_leibler_divergence", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "hinge", "squared_hinge",
    "categorical_hinge", "logcosh", "poisson", "cosine_proximity", "cosine",
]


# -- the metric functions
def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Any:
    """``mean(y_true == (y_pred > threshold), axis=-1)``."""
    y_pred = fg.convert_to_tensor(y_pred)
    threshold = fg.cast(threshold, y_pred.dtype)
    y_pred = fg.cast(y_pred > threshold, y_pred.dtype)
    y_true = fg.cast(y_true, y_pred.dtype)
    return fg.reduce_mean(fg.cast(fg.equal(y_true, y_pred), backend.floatx()), axis=-1)


def categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` (last axis), else 0.0."""
    return fg.cast(fg.equal(fg.argmax(y_true, axis=-1), fg.argmax(y_pred, axis=-1)),
                   backend.floatx())


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where the integer label equals ``argmax(y_pred)``; labels of shape (batch, 1) are
    squeezed, float labels compared as their values."""
    y_true = fg.convert_to_tensor(y_true)
    y_pred = fg.convert_to_tensor(y_pred)
    true_rank, pred_rank = y_true.shape.ndims, y_pred.shape.ndims
    if true_rank is not None and pred_rank is not None and true_rank == pred_rank:
        y_true = fg.squeeze(y_true, [-1])
    predicted = fg.argmax(y_pred, axis=-1)
    if predicted.dtype != y_true.dtype:
        predicted = fg.cast(predicted, y_true.dtype)
    return fg.cast(fg.equal(y_true, predicted), backend.floatx())


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Any:
    """1.0 where the one-hot label's class is among the `k` largest predictions."""
    y_pred = fg.convert_to_tensor(y_pred)
    targets = fg.cast(fg.argmax(y_true, axis=-1), fg.int32)
    return fg.cast(fg.nn.in_top_k(y_pred, targets, k), backend.floatx())


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Any:
    """1.0 where the integer label is among the `k` largest predictions."""
    y_true = fg.convert_to_tensor(y_true)
    y_pred = fg.convert_to_tensor(y_pred)
    true_rank, pred_rank = y_true.shape.ndims, y_pred.shape.ndims
    if true_rank is not None and pred_rank is not None:
        if pred_rank > 2:
            y_pred = fg.reshape(y_pred, [-1, y_pred.shape.as_list()[-1]])
        if true_rank > 1:
            y_true = fg.reshape(y_true, [-1])
    return fg.cast(fg.nn.in_top_k(y_pred, fg.cast(y_true, fg.int32), k), backend.floatx())


def accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where `y_pred` equals `y_true` (cast to `y_true`'s dtype when they differ),
    else 0.0, in floatx (TF 1.15's ``tf.keras.metrics.accuracy``; ``acc``/``ACC``)."""
    if not y_pred.shape.is_compatible_with(y_true.shape):
        raise ValueError(f"Shapes {y_pred.shape} and {y_true.shape} are incompatible: "
                         "accuracy compares y_true and y_pred elementwise.")
    if y_true.dtype != y_pred.dtype:
        y_pred = fg.cast(y_pred, y_true.dtype)
    return fg.cast(fg.equal(y_true, y_pred), backend.floatx())


acc = ACC = accuracy


_FUNCTIONS = {
    "accuracy": accuracy, "acc": accuracy, "ACC": accuracy,
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": mse, "mse": mse, "MSE": mse,
    "mean_absolute_error": mae, "mae": mae, "MAE": mae,
    "mean_absolute_percentage_error": mape, "mape": mape, "MAPE": mape,
    "mean_squared_logarithmic_error": msle, "msle": msle, "MSLE": msle,
    "kullback_leibler_divergence": kld, "kld": kld, "KLD": kld,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "hinge": hinge, "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
    "logcosh": logcosh, "poisson": poisson, "cosine_proximity": cosine_proximity,
    "cosine": cosine,
}


# -- the stateful metrics
class Metric:
    """Base of the stateful metrics: `update_state(...)` returns an op accumulating into
    local Variables, `result()` the current value, ``metric(...)`` both (the value after
    the update), `reset_states()` zeroes the Variables in the Keras Session."""

    def __init__(self, name: Optional[str] = None, dtype: Any = None) -> None:
        self.name = name or _snake(type(self).__name__)
        self._dtype = fg.as_dtype(dtype or backend.floatx())
        self._weights: list = []
        self._scope: Optional[str] = None

    @property
    def dtype(self) -> Any:
        return self._dtype

    @property
    def weights(self) -> list:
        return list(self._weights)

    @property
    def variables(self) -> list:
        return list(self._weights)

    def add_weight(self, name: str, shape: Any = (), dtype: Any = None,
                   initializer: Any = "zeros") -> Any:
        """A zero-initialized local Variable ``<metric name>/<name>``."""
        dtype = fg.as_dtype(dtype or self._dtype)
        if initializer not in ("zeros", None):
            raise ValueError(f"Metric weights start at zero; got initializer {initializer!r}.")
        if self._scope is None:
            with fg.name_scope(self.name) as scope:
                self._scope = scope
        with fg.name_scope(self._scope):
            variable = fg.Variable(np.zeros(shape, dtype=dtype.name), trainable=False,
                                   name=name, dtype=dtype,
                                   collections=[GraphKeys.LOCAL_VARIABLES,
                                                GraphKeys.METRIC_VARIABLES])
        self._weights.append(variable)
        return variable

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        update_op = self.update_state(*args, **kwargs)
        with fg.control_dependencies([update_op]):
            return fg.identity(self.result())

    def reset_states(self) -> None:
        """Sets every state Variable back to zero (in the Keras Session)."""
        if self._weights:
            backend.get_session().run(
                [fg.assign(v, np.zeros(v.shape.as_list(), v.dtype.base_dtype.name))
                 for v in self._weights])

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self._dtype.name}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)


def _snake(name: str) -> str:
    out = []
    for i, char in enumerate(name):
        if char.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(char.lower())
    return "".join(out)


class _Reduce(Metric):
    """Sum (``mean=False``) or weighted mean of the values given to `update_state`."""

    _mean = True

    def __init__(self, name: Optional[str] = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight("total")
        if self._mean:
            self.count = self.add_weight("count")

    def update_state(self, values: Any, sample_weight: Any = None) -> Any:
        values = fg.cast(values, self._dtype)
        if sample_weight is None:
            weights = None
            num_values = fg.cast(fg.size(values), self._dtype)
        else:
            weights = _match_weight_rank(fg.cast(sample_weight, self._dtype), values)
            weights = weights * fg.ones_like(values)
            values = values * weights
            num_values = fg.reduce_sum(weights)
        update_total = fg.assign_add(self.total, fg.reduce_sum(values))
        if not self._mean:
            return update_total.op
        with fg.control_dependencies([update_total]):
            return fg.assign_add(self.count, num_values).op

    def result(self) -> Any:
        if not self._mean:
            return fg.identity(self.total)
        return fg.math.divide_no_nan(self.total, self.count)


class Sum(_Reduce):
    """The (weighted) sum of the values given."""

    _mean = False

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class Mean(_Reduce):
    """The (weighted) mean of the values given."""

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen."""

    def __init__(self, fn: Callable, name: Optional[str] = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        y_true = fg.cast(y_true, self._dtype)
        y_pred = fg.cast(y_pred, self._dtype)
        y_pred, y_true = _squeeze_to_match(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = dict(self._fn_kwargs)
        config.update(super().get_config())
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        if cls is MeanMetricWrapper:
            raise ValueError("MeanMetricWrapper.from_config needs its function: use a "
                             "subclass such as BinaryAccuracy.")
        return cls(**config)


def _accuracy(y_true: Any, y_pred: Any) -> Any:
    return fg.cast(fg.equal(y_true, y_pred), backend.floatx())


def _wrapper(class_name: str, fn: Callable, default_name: str, doc: str,
             **defaults: Any) -> type:
    keys = list(defaults)

    def __init__(self: Any, name: str = default_name, dtype: Any = None,
                 **kwargs: Any) -> None:
        unknown = set(kwargs) - set(keys)
        if unknown:
            raise TypeError(f"{class_name}() got unexpected keyword arguments "
                            f"{sorted(unknown)}; it accepts name, dtype and {keys}")
        values = dict(defaults, **kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **values)

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})


Accuracy = _wrapper("Accuracy", _accuracy, "accuracy",
                    "How often predictions equal labels.")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                          "How often thresholded predictions equal binary labels.",
                          threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy,
                               "categorical_accuracy",
                               "How often argmax(predictions) equals argmax(one-hot labels).")
SparseCategoricalAccuracy = _wrapper(
    "SparseCategoricalAccuracy", sparse_categorical_accuracy, "sparse_categorical_accuracy",
    "How often argmax(predictions) equals integer labels.")
TopKCategoricalAccuracy = _wrapper(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy, "top_k_categorical_accuracy",
    "How often one-hot labels are in the top `k` predictions.", k=5)
SparseTopKCategoricalAccuracy = _wrapper(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy",
    "How often integer labels are in the top `k` predictions.", k=5)
MeanSquaredError = _wrapper("MeanSquaredError", mse, "mean_squared_error",
                            "Mean of the per-sample mean squared errors.")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", mae, "mean_absolute_error",
                             "Mean of the per-sample mean absolute errors.")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", binary_crossentropy,
                              "binary_crossentropy", "Mean binary crossentropy.",
                              from_logits=False, label_smoothing=0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", categorical_crossentropy,
                                   "categorical_crossentropy",
                                   "Mean categorical crossentropy.",
                                   from_logits=False, label_smoothing=0)
SparseCategoricalCrossentropy = _wrapper(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "Mean sparse categorical crossentropy.",
    from_logits=False, axis=-1)

class _ConfusionCounts(Metric):
    """Weighted counts of true / false positives / negatives at each of `thresholds`
    (a prediction is positive when it is greater than the threshold), as TF 1.15's
    ``metrics_utils.update_confusion_matrix_variables``: with `top_k`, only the `k`
    largest predictions of each row count as positive; with `class_id`, only that class
    (last axis) is looked at."""

    _counts: tuple = ()

    def __init__(self, thresholds: Any = None, top_k: Optional[int] = None,
                 class_id: Optional[int] = None, name: Optional[str] = None,
                 dtype: Any = None) -> None:
        if name is None:  # a unique name, as TF 1.15's Layer naming: precision_1, ...
            name = backend.unique_object_name(_snake(type(self).__name__))
        super().__init__(name=name, dtype=dtype)
        default = 0.5 if top_k is None else -1e10  # TF 1.15: every top-k value counts
        given = default if thresholds is None else thresholds
        scalar = not isinstance(given, (list, tuple))
        self.thresholds = [float(given)] if scalar else [float(t) for t in given]
        for t in self.thresholds:
            if thresholds is not None and not 0.0 <= t <= 1.0:
                raise ValueError(f"Threshold values must be in [0, 1]. Invalid values: {t}")
        self._init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        for key in self._counts:
            setattr(self, key, self.add_weight(key, shape=(len(self.thresholds),)))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """Adds this batch's weighted counts; returns the update op."""
        y_true = fg.cast(y_true, fg.bool)
        y_pred = fg.cast(y_pred, self._dtype)
        if self.top_k is not None:
            depth = y_pred.shape.as_list()[-1]
            kept = fg.reduce_sum(fg.one_hot(fg.nn.top_k(y_pred, self.top_k).indices, depth,
                                            dtype=self._dtype), axis=-2)
            y_pred = y_pred * kept + (-1e10) * (1.0 - kept)
        if self.class_id is not None:
            y_true = y_true[..., self.class_id]
            y_pred = y_pred[..., self.class_id]
        preds = fg.reshape(y_pred, [1, -1])
        labels = fg.reshape(y_true, [1, -1])
        thresholds = fg.constant(np.asarray(self.thresholds, dtype=self._dtype.name)[:, None])
        pred_pos = fg.greater(preds, thresholds)
        label_pos = fg.tile(labels, [len(self.thresholds), 1])
        weights = fg.ones_like(fg.cast(pred_pos, self._dtype))
        if sample_weight is not None:
            sw = fg.reshape(fg.cast(sample_weight, self._dtype) * fg.ones_like(
                fg.cast(y_true, self._dtype)), [1, -1])
            weights = weights * sw
        conditions = {
            "true_positives": fg.logical_and(label_pos, pred_pos),
            "false_positives": fg.logical_and(fg.logical_not(label_pos), pred_pos),
            "true_negatives": fg.logical_and(fg.logical_not(label_pos),
                                             fg.logical_not(pred_pos)),
            "false_negatives": fg.logical_and(label_pos, fg.logical_not(pred_pos)),
        }
        updates = [fg.assign_add(getattr(self, key), fg.reduce_sum(
            fg.cast(conditions[key], self._dtype) * weights, axis=1)) for key in self._counts]
        return fg.group(*updates)

    def _shape(self, value: Any) -> Any:
        return value[0] if len(self.thresholds) == 1 else value  # as TF 1.15


class _Count(_ConfusionCounts):
    def __init__(self, thresholds: Any = None, name: Optional[str] = None,
                 dtype: Any = None) -> None:
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)

    def result(self) -> Any:
        return self._shape(fg.identity(getattr(self, self._counts[0])))

    def get_config(self) -> dict:
        config = {"thresholds": self._init_thresholds}
        config.update(Metric.get_config(self))
        return config


class TruePositives(_Count):
    """The weighted number of true positives (at each threshold)."""
    _counts = ("true_positives",)


class FalsePositives(_Count):
    """The weighted number of false positives (at each threshold)."""
    _counts = ("false_positives",)


class TrueNegatives(_Count):
    """The weighted number of true negatives (at each threshold)."""
    _counts = ("true_negatives",)


class FalseNegatives(_Count):
    """The weighted number of false negatives (at each threshold)."""
    _counts = ("false_negatives",)


class Precision(_ConfusionCounts):
    """``true_positives / (true_positives + false_positives)`` (0 when both are 0)."""
    _counts = ("true_positives", "false_positives")

    def result(self) -> Any:
        return self._shape(fg.math.divide_no_nan(
            self.true_positives, self.true_positives + self.false_positives))

    def get_config(self) -> dict:
        config = {"thresholds": self._init_thresholds, "top_k": self.top_k,
                  "class_id": self.class_id}
        config.update(Metric.get_config(self))
        return config


class Recall(Precision):
    """``true_positives / (true_positives + false_negatives)`` (0 when both are 0)."""
    _counts = ("true_positives", "false_negatives")

    def result(self) -> Any:
        return self._shape(fg.math.divide_no_nan(
            self.true_positives, self.true_positives + self.false_negatives))


class AUC(_ConfusionCounts):
    """The area under the ROC or PR curve, approximated as TF 1.15 does by a Riemann sum
    over the confusion counts at `num_thresholds` thresholds: ``0 - epsilon``, the
    ``num_thresholds - 2`` evenly spaced inner thresholds ``i / (num_thresholds - 1)``
    (or the sorted `thresholds` given), and ``1 + epsilon``.

    `curve` is ``'ROC'`` (x = false positive rate, y = recall) or ``'PR'`` (x = recall,
    y = precision); `summation_method` is ``'interpolation'`` (trapezoids; for PR the
    interpolation of Davis & Goadrich 2006), ``'minoring'`` or ``'majoring'`` (left / right
    Riemann sums taking the smaller / larger height).

    Example: ``m = AUC(); update = m.update_state(y_true, y_pred); value = m.result()``.
    """

    _counts = ("true_positives", "true_negatives", "false_positives", "false_negatives")

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: Optional[str] = None,
                 dtype: Any = None, thresholds: Any = None) -> None:
        curves = {"roc": "ROC", "pr": "PR"}
        methods = ("interpolation", "minoring", "majoring")
        if not isinstance(curve, str) or curve.lower() not in curves:
            raise ValueError(f'Invalid AUC curve value "{curve}": use "ROC" or "PR".')
        if not isinstance(summation_method, str) or summation_method.lower() not in methods:
            raise ValueError(f'Invalid AUC summation method value "{summation_method}": use '
                             f'one of {list(methods)}.')
        self.curve = curves[curve.lower()]
        self.summation_method = summation_method.lower()
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            for t in inner:
                if not 0.0 <= t <= 1.0:
                    raise ValueError(f"Threshold values must be in [0, 1]. Invalid values: "
                                     f"{t}")
            self.num_thresholds = len(inner) + 2
        else:
            if int(num_thresholds) <= 1:
                raise ValueError(f"`num_thresholds` must be > 1, got {num_thresholds}.")
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (self.num_thresholds - 1)
                     for i in range(self.num_thresholds - 2)]
        if name is None:
            name = backend.unique_object_name("auc")
        Metric.__init__(self, name=name, dtype=dtype)
        eps = backend.epsilon()
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self._init_thresholds = thresholds
        self.top_k = None
        self.class_id = None
        for key in self._counts:
            setattr(self, key, self.add_weight(key, shape=(self.num_thresholds,)))

    def _interpolate_pr_auc(self) -> Any:
        """TF 1.15's ``interpolate_pr_auc``: precision interpolated between thresholds
        (Davis & Goadrich 2006)."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        divide = fg.math.divide_no_nan
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        prec_slope = divide(dtp, fg.maximum(dp, 0.0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = fg.where(
            fg.logical_and(p[:n - 1] > 0.0, p[1:] > 0.0),
            divide(p[:n - 1], fg.maximum(p[1:], 0.0)), fg.ones_like(p[1:]))
        return fg.reduce_sum(divide(prec_slope * (dtp + intercept * fg.log(safe_p_ratio)),
                                    fg.maximum(tp[1:] + fn[1:], 0.0)))

    def result(self) -> Any:
        """The area (a scalar) from the counts accumulated so far."""
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        n = self.num_thresholds
        divide = fg.math.divide_no_nan
        recall = divide(self.true_positives, self.true_positives + self.false_negatives)
        if self.curve == "ROC":
            x = divide(self.false_positives, self.false_positives + self.true_negatives)
            y = recall
        else:
            x = recall
            y = divide(self.true_positives, self.true_positives + self.false_positives)
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = fg.minimum(y[:n - 1], y[1:])
        else:
            heights = fg.maximum(y[:n - 1], y[1:])
        return fg.reduce_sum((x[:n - 1] - x[1:]) * heights)

    def get_config(self) -> dict:
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method,
                  "thresholds": self.thresholds[1:-1]}
        config.update(Metric.get_config(self))
        return config


_CLASSES = {cls.__name__: cls for cls in (
    AUC, TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall,
    Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
    MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy)}


# -- lookup
def serialize(metric: Any) -> Any:
    """A metric function's name, or ``{'class_name', 'config'}`` of a Metric object."""
    return serialize_object_or_name(metric, Metric, "metric")


def deserialize(config: Any, custom_objects: Optional[dict] = None) -> Any:
    """The metric function named `config`, or the Metric a serialized dict describes."""
    if isinstance(config, dict):
        return deserialize_object(config, _CLASSES, custom_objects, "metric class")
    if isinstance(config, str):
        return lookup_object(config, _FUNCTIONS, custom_objects, "metric function",
                             hint="(in Model.compile 'accuracy'/'acc' pick the binary, "
                                  "categorical or sparse accuracy from the loss).")
    raise ValueError(f"Could not interpret metric function identifier: {config!r}")


def get(identifier: Any) -> Any:
    """A metric function from a name or serialized dict; a callable is returned as is."""
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric function identifier: {identifier!r}")

from flowgraph.keras.metrics_more import (  # noqa: E402,F401,I001 - tf.keras.metrics.X
    CLASSES as _MORE_CLASSES, CategoricalHinge, CosineSimilarity, Hinge, KLDivergence,
    LogCoshError, MeanAbsolutePercentageError, MeanIoU, MeanRelativeError,
    MeanSquaredLogarithmicError, MeanTensor, Poisson, RootMeanSquaredError,
    SensitivityAtSpecificity, SpecificityAtSensitivity, SquaredHinge)
_CLASSES.update(_MORE_CLASSES)  # deserialize() knows them
__all__ += sorted(_MORE_CLASSES)
