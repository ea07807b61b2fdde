"""Weight regularizers for `fg.layers` and `get_variable` (TF1's `tf.contrib.layers`
l1_regularizer, l2_regularizer, l1_l2_regularizer, sum_regularizer, apply_regularization).

A regularizer is a callable taking a weight Tensor and returning a scalar loss Tensor (or
None). Layers and `get_variable` put the losses of the Variables they create into
``GraphKeys.REGULARIZATION_LOSSES``; `fg.losses.get_regularization_loss()` sums them.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Optional

from flowgraph.graph import GraphKeys, Tensor, add_to_collection, get_collection, name_scope
from flowgraph.ops import abs as abs_op
from flowgraph.ops import add_n, convert_to_tensor, multiply, reduce_sum
from flowgraph.ops.nn_basic import l2_loss

__all__ = ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
           "apply_regularization"]


def _check_scale(scale: Any, what: str = "scale") -> bool:
    """Validates a scale; returns False when it is 0 (the regularizer is then disabled)."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"{what} cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}.")
        return scale != 0.0
    return True


def l1_regularizer(scale: float, scope: Optional[str] = None) -> Callable:
    """``scale * sum(|w|)``; a scale of 0.0 gives a regularizer returning None.

    >>> h = fg.layers.dense(x, 64, kernel_regularizer=l1_regularizer(1e-4))
    """
    if not _check_scale(scale):
        return lambda _: None

    def l1(weights: Any) -> Tensor:
        with name_scope(scope, "l1_regularizer", [weights]) as name:
            weights = convert_to_tensor(weights)
            my_scale = convert_to_tensor(scale, dtype=weights.dtype, name="scale")
            return multiply(my_scale, reduce_sum(abs_op(weights)), name=name)

    return l1


def l2_regularizer(scale: float, scope: Optional[str] = None) -> Callable:
    """``scale * sum(w ** 2) / 2`` (``scale * fg.nn.l2_loss(w)``); 0.0 disables it."""
    if not _check_scale(scale):
        return lambda _: None

    def l2(weights: Any) -> Tensor:
        with name_scope(scope, "l2_regularizer", [weights]) as name:
            weights = convert_to_tensor(weights)
            my_scale = convert_to_tensor(scale, dtype=weights.dtype, name="scale")
            return multiply(my_scale, l2_loss(weights), name=name)

    return l2


def sum_regularizer(regularizer_list: list, scope: Optional[str] = None) -> Optional[Callable]:
    """A regularizer adding up those of `regularizer_list` (None when the list is empty)."""
    regularizers = [r for r in regularizer_list if r is not None]
    if not regularizers:
        return None

    def sum_reg(weights: Any) -> Optional[Tensor]:
        with name_scope(scope, "sum_regularizer", [weights]) as name:
            parts = [t for t in (r(weights) for r in regularizers) if t is not None]
            return add_n(parts, name=name) if parts else None

    return sum_reg


def l1_l2_regularizer(scale_l1: float = 1.0, scale_l2: float = 1.0,
                      scope: Optional[str] = None) -> Callable:
    """``scale_l1 * sum(|w|) + scale_l2 * sum(w ** 2) / 2``."""
    l1_on = _check_scale(scale_l1, "scale_l1")
    l2_on = _check_scale(scale_l2, "scale_l2")
    scope = scope or "l1_l2_regularizer"
    if not l1_on:
        return l2_regularizer(scale_l2, scope)
    if not l2_on:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer: Callable, weights_list: Optional[list] = None
                         ) -> Tensor:
    """Applies `regularizer` to each of `weights_list` (default: the ``WEIGHTS``
    collection), adds the summed penalty to ``REGULARIZATION_LOSSES`` and returns it."""
    if not weights_list:
        weights_list = get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p for p in penalties if p is not None]
        if not penalties:
            raise ValueError("No regularization penalties: every regularizer returned None.")
        summed = add_n(penalties, name=scope)
        add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
        return summed
