"""Elementwise losses of `fg.nn` built from primitive ops: weighted_cross_entropy_with_logits
and log_poisson_loss (the softmax / sigmoid cross entropies are ops, in `ops.xent`)."""

from __future__ import annotations

import math
from typing import Any, Optional

from flowgraph.graph import Tensor
from flowgraph.ops.activations import relu
from flowgraph.ops.compare import greater_equal, less_equal
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.fill import ones_like, zeros_like
from flowgraph.ops.logic import logical_and, where
from flowgraph.ops.math import add, multiply, subtract
from flowgraph.ops.unary import abs as abs_
from flowgraph.ops.unary import exp, log, log1p, negative

__all__ = ["weighted_cross_entropy_with_logits", "log_poisson_loss"]


def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "__fg_tensor__")


def _like(value: Any, other: Tensor, name: str) -> Tensor:
    """value as a tensor; a Python value takes `other`'s dtype."""
    if _is_tensor_like(value):
        return convert_to_tensor(value)
    return convert_to_tensor(value, dtype=other.dtype, name=name)


def weighted_cross_entropy_with_logits(labels: Any = None, logits: Any = None,
                                       pos_weight: Any = None, name: Optional[str] = None,
                                       targets: Any = None) -> Tensor:
    """The logistic loss with the positive term weighted by `pos_weight` (name scope
    "logistic_loss"), elementwise:

        labels * -log(sigmoid(logits)) * pos_weight + (1 - labels) * -log(1 - sigmoid(logits))

    computed as TF1 does, ``(1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) + relu(-x))``,
    finite for any finite logits (logits of +-1000 included), with TF1's gradients.
    `targets` is TF1's deprecated alias of `labels`; labels and logits must have one shape.
    """
    if targets is not None:
        if labels is not None:
            raise ValueError("Cannot specify both 'targets' and 'labels'")
        labels = targets
    if labels is None or logits is None:
        raise ValueError("weighted_cross_entropy_with_logits needs labels (or targets) and "
                         "logits")
    if pos_weight is None:
        raise ValueError("weighted_cross_entropy_with_logits needs pos_weight (a number or "
                         "a tensor broadcasting against logits)")
    with op_scope(name, "logistic_loss", [logits, labels]) as scope:
        if _is_tensor_like(logits) or not _is_tensor_like(labels):
            logits = convert_to_tensor(logits, name="logits")
        else:
            logits = _like(logits, convert_to_tensor(labels), "logits")
        if not logits.dtype.is_floating:
            raise TypeError(f"logits must be a floating tensor, got {logits.dtype.name}")
        labels = _like(labels, logits, "labels")
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs "
                             f"{labels.shape})")
        pos_weight = _like(pos_weight, logits, "pos_weight")
        log_weight = add(multiply(subtract(pos_weight, 1.0), labels), 1.0)
        # TF's composition softplus(-x) = log1p(exp(-|x|)) + relu(-x), so gradients match
        # TF's too (at x == 0 the abs and relu rules give 0, not softplus's -1/2).
        softplus_neg = add(log1p(exp(negative(abs_(logits)))), relu(negative(logits)))
        return add(multiply(subtract(1.0, labels), logits),
                   multiply(log_weight, softplus_neg), name=scope)


def log_poisson_loss(targets: Any, log_input: Any, compute_full_loss: bool = False,
                     name: Optional[str] = None) -> Tensor:
    """The negative log-likelihood of `targets` under a Poisson distribution of log-rate
    `log_input` (name scope "log_poisson_loss"): ``exp(log_input) - log_input * targets``.

    With `compute_full_loss`, adds the Stirling approximation of ``log(targets!)``,
    ``targets * log(targets) - targets + 0.5 * log(2 * pi * targets)``, for targets > 1
    (0 for targets in [0, 1], as TF1). Unlike TF1, the gradient with respect to targets in
    [0, 1] is finite (the approximation is evaluated at 1 there, then discarded).
    """
    with op_scope(name, "log_poisson_loss", [log_input, targets]):
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = _like(targets, log_input, "targets")
        if not targets.shape.is_compatible_with(log_input.shape):
            raise ValueError(f"log_input and targets must have the same shape "
                             f"({log_input.shape} vs {targets.shape})")
        result = subtract(exp(log_input), multiply(log_input, targets))
        if not compute_full_loss:
            return result
        zeros = zeros_like(targets)
        ones = ones_like(targets)
        small = logical_and(greater_equal(targets, zeros), less_equal(targets, ones))
        safe = where(small, ones, targets)
        stirling = add(subtract(multiply(safe, log(safe)), safe),
                       multiply(log(multiply(safe, 2 * math.pi)), 0.5))
        return add(result, where(small, zeros, stirling))
