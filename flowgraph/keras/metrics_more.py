"""More of TF 1.15's `tf.keras.metrics` classes: the loss-like mean metrics (hinges,
KL divergence, log-cosh, MAPE, MSLE, Poisson, cosine similarity), `RootMeanSquaredError`,
`MeanRelativeError`, `MeanTensor`, `MeanIoU` and the sensitivity / specificity metrics.

They build on `flowgraph.keras.metrics` (`Metric`, `Mean`, `MeanMetricWrapper` and the
confusion-count base) and, like those, keep their state in local Variables.
"""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as fg
from flowgraph.keras import backend
from flowgraph.keras.losses import (
    _match_weight_rank,
    _squeeze_to_match,
    categorical_hinge,
    hinge,
    kullback_leibler_divergence,
    logcosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    poisson,
    squared_hinge,
)
from flowgraph.keras.metrics import Mean, Metric, _ConfusionCounts, _wrapper

__all__ = ["Hinge", "SquaredHinge", "CategoricalHinge", "CosineSimilarity", "KLDivergence",
           "LogCoshError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
           "Poisson", "RootMeanSquaredError", "MeanRelativeError", "MeanTensor", "MeanIoU",
           "SensitivityAtSpecificity", "SpecificityAtSensitivity"]


def _cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (TF 1.15's metric
    ``cosine_proximity``: +1 for equal directions, unlike the loss)."""
    y_true = fg.nn.l2_normalize(y_true, axis=axis)
    y_pred = fg.nn.l2_normalize(y_pred, axis=axis)
    return fg.reduce_sum(y_true * y_pred, axis=axis)


Hinge = _wrapper("Hinge", hinge, "hinge",
                 "Mean of ``mean(maximum(1 - y_true * y_pred, 0), axis=-1)`` (labels in "
                 "{-1, 1}; {0, 1} labels are mapped to {-1, 1}).")
SquaredHinge = _wrapper("SquaredHinge", squared_hinge, "squared_hinge",
                        "Mean of ``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``.")
CategoricalHinge = _wrapper("CategoricalHinge", categorical_hinge, "categorical_hinge",
                            "Mean of ``maximum(0, neg - pos + 1)`` with ``pos = sum(y_true * "
                            "y_pred)``, ``neg = max((1 - y_true) * y_pred)``.")
CosineSimilarity = _wrapper("CosineSimilarity", _cosine_similarity, "cosine_similarity",
                            "Mean cosine similarity of labels and predictions along `axis`.",
                            axis=-1)
KLDivergence = _wrapper("KLDivergence", kullback_leibler_divergence,
                        "kullback_leibler_divergence",
                        "Mean of ``sum(y_true * log(y_true / y_pred), axis=-1)`` (clipped).")
LogCoshError = _wrapper("LogCoshError", logcosh, "logcosh",
                        "Mean of ``mean(log(cosh(y_pred - y_true)), axis=-1)``.")
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    "Mean of ``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon), axis=-1)``.")
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    "Mean of ``mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1)`` (clipped).")
Poisson = _wrapper("Poisson", poisson, "poisson",
                   "Mean of ``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``.")


class RootMeanSquaredError(Mean):
    """``sqrt`` of the (weighted) mean of ``(y_pred - y_true)^2`` over every element seen.

    Example: ``m = RootMeanSquaredError(); update = m.update_state(y_true, y_pred)``.
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """Adds the squared errors of this batch; returns the update op."""
        y_true = fg.cast(y_true, self._dtype)
        y_pred = fg.cast(y_pred, self._dtype)
        y_pred, y_true = _squeeze_to_match(y_pred, y_true)
        error_sq = fg.squared_difference(y_pred, y_true)
        return super().update_state(error_sq, sample_weight=sample_weight)

    def result(self) -> Any:
        return fg.sqrt(fg.math.divide_no_nan(self.total, self.count))


class MeanRelativeError(Mean):
    """The (weighted) mean of ``|y_true - y_pred| / normalizer`` (0 where the normalizer
    is 0); `normalizer` broadcasts against the predictions."""

    def __init__(self, normalizer: Any, name: Optional[str] = None, dtype: Any = None) -> None:
        super().__init__(name=name or "mean_relative_error", dtype=dtype)
        self.normalizer = fg.cast(normalizer, self._dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """Adds this batch's relative errors; returns the update op."""
        y_true = fg.cast(y_true, self._dtype)
        y_pred = fg.cast(y_pred, self._dtype)
        y_pred, y_true = _squeeze_to_match(y_pred, y_true)
        y_pred, normalizer = _squeeze_to_match(y_pred, self.normalizer)
        relative = fg.math.divide_no_nan(fg.abs(y_true - y_pred), normalizer)
        return super().update_state(relative, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {"normalizer": backend.get_session().run(self.normalizer)}
        config.update(super().get_config())
        return config


class MeanTensor(Metric):
    """The elementwise (weighted) mean of tensors of one fixed shape, set by the first
    `update_state` (``total`` and ``count`` Variables of that shape)."""

    def __init__(self, name: str = "mean_tensor", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self._shape: Any = None
        self._built = False

    def _build(self, shape: Any) -> None:
        if not shape.is_fully_defined():
            raise ValueError(f"MeanTensor needs values of a fully defined shape, got {shape}.")
        self._shape = shape
        self.total = self.add_weight("total", shape=tuple(shape.as_list()))
        self.count = self.add_weight("count", shape=tuple(shape.as_list()))
        self._built = True

    @property
    def total(self) -> Any:
        return self._total

    @total.setter
    def total(self, value: Any) -> None:
        self._total = value

    @property
    def count(self) -> Any:
        return self._count

    @count.setter
    def count(self, value: Any) -> None:
        self._count = value

    def update_state(self, values: Any, sample_weight: Any = None) -> Any:
        """Adds `values` (times `sample_weight`) elementwise; returns the update op."""
        values = fg.cast(values, self._dtype)
        if not self._built:
            with fg.control_dependencies(None):
                self._build(values.shape)
        elif values.shape != self._shape:
            raise ValueError("MeanTensor input values must always have the same shape. "
                             f"Expected shape (set during the first call): {self._shape}. "
                             f"Got: {values.shape}")
        num_values = fg.ones_like(values)
        if sample_weight is not None:
            weights = _match_weight_rank(fg.cast(sample_weight, self._dtype), values)
            weights = weights * fg.ones_like(values)
            num_values = num_values * weights
            values = values * weights
        update_total = fg.assign_add(self._total, values)
        with fg.control_dependencies([update_total]):
            return fg.assign_add(self._count, num_values).op

    def result(self) -> Any:
        if not self._built:
            raise ValueError("MeanTensor does not have any result yet. Please call the "
                             "MeanTensor instance or use `.update_state(value)` before "
                             "retrieving the result.")
        return fg.math.divide_no_nan(self._total, self._count)


class MeanIoU(Metric):
    """Mean Intersection-over-Union over `num_classes` classes: a float64 confusion matrix
    ``total_confusion_matrix`` (rows: labels, columns: predictions) is accumulated, and the
    result is the mean over classes present (non-zero union) of
    ``tp / (tp + fp + fn)``."""

    def __init__(self, num_classes: int, name: Optional[str] = None, dtype: Any = None) -> None:
        if int(num_classes) < 1:
            raise ValueError(f"MeanIoU needs num_classes >= 1, got {num_classes}.")
        super().__init__(name=name or "mean_io_u", dtype=dtype)
        self.num_classes = int(num_classes)
        self.total_cm = self.add_weight("total_confusion_matrix",
                                        shape=(self.num_classes, self.num_classes),
                                        dtype=fg.float64)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """Adds this batch's (weighted) confusion matrix; returns the update op."""
        labels = fg.reshape(fg.cast(fg.cast(y_true, self._dtype), fg.int64), [-1])
        preds = fg.reshape(fg.cast(fg.cast(y_pred, self._dtype), fg.int64), [-1])
        truth = fg.one_hot(labels, self.num_classes, dtype=fg.float64)
        predicted = fg.one_hot(preds, self.num_classes, dtype=fg.float64)
        if sample_weight is not None:
            weights = fg.reshape(fg.cast(sample_weight, fg.float64)
                                 * fg.ones_like(fg.cast(y_true, fg.float64)), [-1, 1])
            truth = truth * weights
        current = fg.matmul(truth, predicted, transpose_a=True)
        return fg.assign_add(self.total_cm, current).op

    def result(self) -> Any:
        sum_over_row = fg.cast(fg.reduce_sum(self.total_cm, axis=0), self._dtype)
        sum_over_col = fg.cast(fg.reduce_sum(self.total_cm, axis=1), self._dtype)
        true_positives = fg.cast(fg.linalg.diag_part(self.total_cm), self._dtype)
        denominator = sum_over_row + sum_over_col - true_positives
        num_valid = fg.reduce_sum(fg.cast(fg.not_equal(denominator, 0), self._dtype))
        iou = fg.math.divide_no_nan(true_positives, denominator)
        return fg.math.divide_no_nan(fg.reduce_sum(iou), num_valid)

    def get_config(self) -> dict:
        config = {"num_classes": self.num_classes}
        config.update(super().get_config())
        return config


class _SensitivitySpecificity(_ConfusionCounts):
    """Confusion counts at `num_thresholds` thresholds ``0, 1/(n-1), ..., 1`` (just 0.5
    when ``num_thresholds == 1``), as TF 1.15's SensitivitySpecificityBase."""

    _counts = ("true_positives", "true_negatives", "false_positives", "false_negatives")
    _value_name = ""

    def __init__(self, value: float, num_thresholds: int = 200, name: Optional[str] = None,
                 dtype: Any = None) -> None:
        if int(num_thresholds) <= 0:
            raise ValueError("`num_thresholds` must be > 0.")
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"`{self._value_name}` must be in the range [0, 1].")
        if name is None:
            name = backend.unique_object_name(type(self)._default_name)
        Metric.__init__(self, name=name, dtype=dtype)
        self.value = float(value)
        self.num_thresholds = int(num_thresholds)
        if self.num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            inner = [(i + 1) * 1.0 / (self.num_thresholds - 1)
                     for i in range(self.num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
        self._init_thresholds = None
        self.top_k = None
        self.class_id = None
        for key in self._counts:
            setattr(self, key, self.add_weight(key, shape=(len(self.thresholds),)))

    def _at_closest(self, rate: Any, numerator: Any, other: Any) -> Any:
        """``numerator / (numerator + other)`` at the threshold where `rate` is closest to
        the target value."""
        index = fg.cast(fg.argmin(fg.abs(rate - self.value), axis=0), fg.int32)
        num = fg.gather(numerator, index)
        return fg.math.divide_no_nan(num, num + fg.gather(other, index))

    def get_config(self) -> dict:
        config = {"num_thresholds": self.num_thresholds, self._value_name: self.value}
        config.update(Metric.get_config(self))
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        config = dict(config)
        value = config.pop(cls._value_name)
        return cls(value, **config)


class SensitivityAtSpecificity(_SensitivitySpecificity):
    """The sensitivity ``tp / (tp + fn)`` at the threshold whose specificity
    ``tn / (tn + fp)`` is closest to `specificity`."""

    _value_name = "specificity"
    _default_name = "sensitivity_at_specificity"

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 name: Optional[str] = None, dtype: Any = None) -> None:
        super().__init__(specificity, num_thresholds=num_thresholds, name=name, dtype=dtype)
        self.specificity = self.value

    def result(self) -> Any:
        specificities = fg.math.divide_no_nan(
            self.true_negatives, self.true_negatives + self.false_positives)
        return self._at_closest(specificities, self.true_positives, self.false_negatives)


class SpecificityAtSensitivity(_SensitivitySpecificity):
    """The specificity ``tn / (tn + fp)`` at the threshold whose sensitivity
    ``tp / (tp + fn)`` is closest to `sensitivity`."""

    _value_name = "sensitivity"
    _default_name = "specificity_at_sensitivity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 name: Optional[str] = None, dtype: Any = None) -> None:
        super().__init__(sensitivity, num_thresholds=num_thresholds, name=name, dtype=dtype)
        self.sensitivity = self.value

    def result(self) -> Any:
        sensitivities = fg.math.divide_no_nan(
            self.true_positives, self.true_positives + self.false_negatives)
        return self._at_closest(sensitivities, self.true_negatives, self.false_positives)


CLASSES = {cls.__name__: cls for cls in (
    Hinge, SquaredHinge, CategoricalHinge, CosineSimilarity, KLDivergence, LogCoshError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Poisson, RootMeanSquaredError,
    MeanRelativeError, MeanTensor, MeanIoU, SensitivityAtSpecificity,
    SpecificityAtSensitivity)}
