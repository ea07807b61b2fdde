"""Metrics read from the confusion counts at many thresholds: `auc`,
`sensitivity_at_specificity`, `specificity_at_sensitivity` (TF1's `tf.metrics`)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.metrics.metric_utils import add_to, check_collections
from flowgraph.metrics.thresholds import confusion_matrix_at_thresholds
from flowgraph.ops import abs as abs_op
from flowgraph.ops import (
    argmax,
    argmin,
    cast,
    cumsum,
    div_no_nan,
    divide,
    equal,
    log,
    logical_and,
    maximum,
    minimum,
    multiply,
    ones_like,
    reduce_min,
    reduce_sum,
    where_v2,
)
from flowgraph.variable_scope import variable_scope

__all__ = ["auc", "sensitivity_at_specificity", "specificity_at_sensitivity"]

_KEPSILON = 1e-7  # keeps predictions of exactly 0 or 1 inside the end buckets
_SUMMATIONS = ("trapezoidal", "careful_interpolation", "minoring", "majoring")


def _even_thresholds(num_thresholds: int, upper: float) -> list:
    """TF1's bucketing: ``num_thresholds - 2`` evenly spaced thresholds inside (0, 1) plus
    the end points ``-1e-7`` and `upper`."""
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0 - _KEPSILON] + inner + [upper]


def _interpolate_pr_auc(tp: Tensor, fp: Tensor, fn: Tensor, n: int) -> Tensor:
    """PR-AUC with precision interpolated between thresholds as Davis & Goadrich (2006):
    TP and P = TP + FP vary linearly within each bucket."""
    dtp = tp[:n - 1] - tp[1:]
    p = tp + fp
    prec_slope = div_no_nan(dtp, maximum(p[:n - 1] - p[1:], 0), name="prec_slope")
    intercept = tp[1:] - multiply(prec_slope, p[1:])
    safe_p_ratio = where_v2(logical_and(p[:n - 1] > 0, p[1:] > 0),
                            div_no_nan(p[:n - 1], maximum(p[1:], 0),
                                       name="recall_relative_ratio"),
                            ones_like(p[1:]))
    return reduce_sum(div_no_nan(prec_slope * (dtp + intercept * log(safe_p_ratio)),
                                 maximum(tp[1:] + fn[1:], 0), name="pr_auc_increment"),
                      name="interpolate_pr_auc")


def _area(counts: dict, curve: str, summation_method: str, n: int, name: str) -> Tensor:
    tp, fn, tn, fp = counts["tp"], counts["fn"], counts["tn"], counts["fp"]
    if curve == "PR" and summation_method == "careful_interpolation":
        return _interpolate_pr_auc(tp, fp, fn, n)
    epsilon = 1.0e-6
    rec = divide(tp + epsilon, tp + fn + epsilon)
    if curve == "ROC":
        x, y = divide(fp, fp + tn + epsilon), rec
    else:
        x, y = rec, divide(tp + epsilon, tp + fp + epsilon)
    widths = x[:n - 1] - x[1:]
    if summation_method in ("trapezoidal", "careful_interpolation"):
        heights = (y[:n - 1] + y[1:]) / 2.0
    elif summation_method == "minoring":
        heights = minimum(y[:n - 1], y[1:])
    else:
        heights = maximum(y[:n - 1], y[1:])
    return reduce_sum(multiply(widths, heights), name=name)


def auc(labels: Any, predictions: Any, weights: Any = None, num_thresholds: int = 200,
        metrics_collections: Any = None, updates_collections: Any = None,
        curve: str = "ROC", name: Optional[str] = None,
        summation_method: str = "trapezoidal",
        thresholds: Optional[Sequence[float]] = None) -> tuple:
    """The area under the ROC or precision-recall curve, approximated with a Riemann sum
    over `num_thresholds` evenly spaced thresholds (TF1's bucketing).

    Parameters
    ----------
    labels : Tensor
        Cast to bool; shape of `predictions`.
    predictions : Tensor
        Floats in [0, 1] (InvalidArgumentError at run time otherwise).
    curve : {'ROC', 'PR'}
        Recall against false-positive rate, or precision against recall.
    summation_method : {'trapezoidal', 'careful_interpolation', 'minoring', 'majoring'}
        How each bucket's area is estimated.
    thresholds : list of float, optional
        Explicit thresholds in [0, 1] (then `num_thresholds` is ignored); the end points
        ``-1e-7`` and ``1 + 1e-7`` are added.

    Returns
    -------
    (Tensor, Tensor)
        The AUC and the op that adds a batch to the local ``true_positives``,
        ``false_negatives``, ``true_negatives`` and ``false_positives`` counts.
    """
    check_collections(metrics_collections, updates_collections)
    with variable_scope(name, "auc", (labels, predictions, weights)):
        if curve not in ("ROC", "PR"):
            raise ValueError(f"curve must be either ROC or PR, Curve {curve} is unknown.")
        if summation_method not in _SUMMATIONS:
            raise ValueError(f"Invalid summation_method: {summation_method!r}; expected one "
                             f"of {list(_SUMMATIONS)}.")
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            num_thresholds = len(inner) + 2
            edges = [0.0 - _KEPSILON] + inner + [1.0 + _KEPSILON]
        else:
            if num_thresholds < 2:
                raise ValueError(f"num_thresholds must be > 1, got {num_thresholds}.")
            edges = _even_thresholds(num_thresholds, 1.0 + _KEPSILON)
        values, update_ops = confusion_matrix_at_thresholds(labels, predictions, edges,
                                                            weights)
        reads = {key: variable.value() for key, variable in values.items()}
        value = _area(reads, curve, summation_method, num_thresholds, "value")
        add_to(metrics_collections, value)
        update_op = _area(update_ops, curve, summation_method, num_thresholds, "update_op")
        add_to(updates_collections, update_op)
        return value, update_op


def _check_rate(what: str, value: float) -> None:
    if value < 0 or value > 1:
        raise ValueError(f"`{what}` must be in the range [0, 1]. Currently, `{what}` got "
                         f"{value}.")


def sensitivity_at_specificity(labels: Any, predictions: Any, specificity: float,
                               weights: Any = None, num_thresholds: int = 200,
                               metrics_collections: Any = None,
                               updates_collections: Any = None,
                               name: Optional[str] = None) -> tuple:
    """The sensitivity (recall) at the threshold whose specificity is closest to
    `specificity`."""
    check_collections(metrics_collections, updates_collections)
    _check_rate("specificity", specificity)
    with variable_scope(name, "sensitivity_at_specificity", (predictions, labels, weights)):
        edges = _even_thresholds(num_thresholds, 1.0 + _KEPSILON)
        values, update_ops = confusion_matrix_at_thresholds(labels, predictions, edges,
                                                            weights)

        def compute(c: dict, name: str) -> Tensor:
            specificities = divide(c["tn"], c["tn"] + c["fp"] + _KEPSILON)
            index = cast(argmin(abs_op(specificities - specificity), 0), dtypes.int32)
            return divide(c["tp"][index], c["tp"][index] + c["fn"][index] + _KEPSILON,
                          name=name)

        value = compute({k: v.value() for k, v in values.items()}, "value")
        add_to(metrics_collections, value)
        update_op = compute(update_ops, "update_op")
        add_to(updates_collections, update_op)
        return value, update_op


def specificity_at_sensitivity(labels: Any, predictions: Any, sensitivity: float,
                               weights: Any = None, num_thresholds: int = 200,
                               metrics_collections: Any = None,
                               updates_collections: Any = None,
                               name: Optional[str] = None) -> tuple:
    """The specificity at the (last) threshold whose sensitivity is closest to
    `sensitivity`."""
    check_collections(metrics_collections, updates_collections)
    _check_rate("sensitivity", sensitivity)
    with variable_scope(name, "specificity_at_sensitivity", (predictions, labels, weights)):
        # TF1 puts this metric's top threshold at 1 - 1e-7.
        edges = _even_thresholds(num_thresholds, 1.0 - _KEPSILON)
        values, update_ops = confusion_matrix_at_thresholds(labels, predictions, edges,
                                                            weights)

        def compute(c: dict, name: str) -> Tensor:
            sensitivities = divide(c["tp"], c["tp"] + c["fn"] + _KEPSILON)
            gaps = abs_op(sensitivities - sensitivity)
            at_min = cast(equal(gaps, reduce_min(gaps)), dtypes.int64)
            # The running count of minima peaks first at the last minimum: argmax picks
            # the last threshold among ties, as TF1.
            index = cast(argmax(cumsum(at_min), 0), dtypes.int32)
            return divide(c["tn"][index], c["tn"][index] + c["fp"][index] + _KEPSILON,
                          name=name)

        value = compute({k: v.value() for k, v in values.items()}, "value")
        add_to(metrics_collections, value)
        update_op = compute(update_ops, "update_op")
        add_to(updates_collections, update_op)
        return value, update_op
