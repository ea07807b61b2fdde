"""Weighting and reduction of per-element losses (TF1's `tf.losses.compute_weighted_loss`
and `tf.losses.Reduction`)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, Tensor, name_scope
from flowgraph.losses.util import add_loss
from flowgraph.ops import (
    cast,
    convert_to_tensor,
    div_no_nan,
    multiply,
    not_equal,
    ones_like,
    rank,
    reduce_sum,
    size,
)
from flowgraph.ops import range as range_op

__all__ = ["Reduction", "compute_weighted_loss"]


class Reduction:
    """How `fg.losses` reduce weighted per-element losses to the returned loss.

    - ``NONE``: no reduction; the weighted losses, shaped as the inputs.
    - ``SUM``: the sum of the weighted losses.
    - ``MEAN``: the sum of the weighted losses divided by the sum of the weights.
    - ``SUM_OVER_BATCH_SIZE``: the sum divided by the number of loss elements.
    - ``SUM_BY_NONZERO_WEIGHTS`` (the default; also ``SUM_OVER_NONZERO_WEIGHTS``): the sum
      divided by the number of elements whose weight is not 0.
    Divisions by zero give 0.
    """

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key: Any) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}. Expected one of "
                             f"{sorted(set(cls.all()))}.")


_BROADCAST_ERROR = "weights can not be broadcast to values."


def assert_broadcastable(weights: Tensor, values: Tensor) -> None:
    """Raises ValueError unless `weights` is a scalar or has the rank of `values` with each
    dimension 1 or equal to that of `values` (checked where shapes are known)."""
    w_rank, v_rank = weights.shape.ndims, values.shape.ndims
    if w_rank is None or v_rank is None or w_rank == 0:
        return
    if w_rank != v_rank:
        raise ValueError(f"{_BROADCAST_ERROR} values.rank={v_rank}. weights.rank={w_rank}. "
                         f"values.shape={values.shape}. weights.shape={weights.shape}.")
    for i, (w, v) in enumerate(zip(weights.shape.as_list(), values.shape.as_list())):
        if w is not None and v is not None and w not in (1, v):
            raise ValueError(f"{_BROADCAST_ERROR} Mismatch at dim {i}. "
                             f"values.shape={values.shape.as_list()} "
                             f"weights.shape={weights.shape.as_list()}.")


def compute_dtype(dtype: dtypes.DType) -> dtypes.DType:
    """float64 losses are reduced in float64, others in float32 (TF1 uses float32)."""
    return dtypes.float64 if dtype == dtypes.float64 else dtypes.float32


def num_elements(losses: Tensor) -> Tensor:
    """The number of elements of `losses`, in its dtype."""
    with name_scope(None, "num_elements", [losses]) as scope:
        return cast(size(losses, name=scope), losses.dtype)


def num_present(losses: Tensor, weights: Any, per_batch: bool = False) -> Tensor:
    """The number of elements of `losses` whose (broadcast) weight is not 0; with
    `per_batch`, per example (keeping the reduced axes)."""
    if isinstance(weights, float) and weights != 0.0 and not per_batch:
        return num_elements(losses)
    with name_scope(None, "num_present", [losses, weights]) as scope:
        weights = cast(convert_to_tensor(weights), losses.dtype)
        # TF1 broadcasts the weights with broadcast_weights, which rejects e.g. a [1] or
        # [batch] weight for rank-2 losses (mean_pairwise_squared_error relies on this).
        assert_broadcastable(weights, losses)
        present = cast(not_equal(weights, 0.0), losses.dtype) * ones_like(losses)
        if per_batch:
            known = present.shape.ndims
            axis = list(range(1, known)) if known is not None else range_op(1, rank(present))
            return reduce_sum(present, axis=axis, keepdims=True, name=scope)
        return reduce_sum(present, name=scope)


def safe_mean(losses: Tensor, count: Tensor) -> Tensor:
    """``sum(losses) / count``, 0 when count is 0."""
    return div_no_nan(reduce_sum(losses), count, name="value")


def compute_weighted_loss(losses: Any, weights: Any = 1.0, scope: Optional[str] = None,
                          loss_collection: Optional[str] = GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Multiplies `losses` by `weights` and reduces them as `reduction` says.

    Parameters
    ----------
    losses : Tensor
        Per-element losses, any shape.
    weights : float or Tensor
        A scalar, or a tensor of the rank of `losses` whose dimensions are 1 or those of
        `losses` (e.g. [batch, 1] per example); ValueError otherwise.
    loss_collection : str or None
        The collection the result is added to (``GraphKeys.LOSSES``); None for none.
    reduction : str
        A `Reduction` key; default: sum divided by the number of non-zero weights.

    Returns
    -------
    Tensor
        A scalar (or, with ``Reduction.NONE``, the weighted losses), of the dtype of
        `losses`.
    """
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype
        work = compute_dtype(input_dtype)
        losses = cast(losses, work)
        weights_tensor = cast(convert_to_tensor(weights), work)
        assert_broadcastable(weights_tensor, losses)
        weighted = multiply(losses, weights_tensor)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                loss = safe_mean(loss, reduce_sum(ones_like(losses) * weights_tensor))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = safe_mean(loss, num_present(losses, weights if isinstance(
                    weights, float) else weights_tensor))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = safe_mean(loss, num_elements(losses))
        loss = cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss

