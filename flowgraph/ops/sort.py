"""Sorting: top_k, sort, argsort and nn.in_top_k.

Equal values keep their original order in every direction (the lower index comes first),
as TF1's top_k-based sorts do.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.reduce_axes import normalize_axes, static_axis
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.shapes import TensorShape

__all__ = ["top_k", "sort", "argsort", "in_top_k"]

_DIRECTIONS = ("ASCENDING", "DESCENDING")


def stable_argsort(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Indices sorting `x` along `axis`; ties keep the lower index first in both directions."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    # A stable ascending sort of the reversed axis, read backwards, is descending with ties
    # in original order (negating would overflow the smallest integer).
    n = x.shape[axis]
    order = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(order, axis)


def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "__fg_tensor__")


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


# --------------------------------------------------------------------------- top_k
@register
class TopKV2(Op):
    """The `k` largest entries of the last axis and their indices (int32), largest first;
    equal values are listed by lower index first. Inputs: `input`, scalar int32 `k`."""

    sorted: bool = True

    def infer(self, op):
        x, k = op.inputs
        check_dtype(op, x, "fiu")
        if not k.dtype.is_integer or k.shape.ndims not in (None, 0):
            raise TypeError(f"top_k: k must be an integer scalar, got {k.dtype.name} of shape "
                            f"{k.shape}")
        k_value = constant_value(k)
        k_value = None if k_value is None else int(k_value)
        if k_value is not None and k_value < 0:
            raise ValueError(f"top_k: need k >= 0, got {k_value}")
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None)), (dtypes.int32, TensorShape(None))]
        if x.shape.ndims < 1:
            raise ValueError(f"top_k: input must be at least rank 1, got shape {x.shape}")
        last = x.shape.as_list()[-1]
        if k_value is not None and last is not None and last < k_value:
            raise ValueError(f"top_k: input must have at least k columns. Had {last}, needed "
                             f"{k_value} (input shape {x.shape}).")
        shape = x.shape[:-1].concatenate([k_value])
        return [(x.dtype, shape), (dtypes.int32, shape)]

    def kernel(self, x, k):
        k = int(k)
        if k < 0:
            raise _invalid(f"Need k >= 0, got {k}")
        if x.ndim < 1:
            raise _invalid(f"input must be at least 1-D, got shape {list(x.shape)}")
        if x.shape[-1] < k:
            raise _invalid(f"input must have at least k columns. Had {x.shape[-1]}, needed {k}")
        indices = stable_argsort(x, -1, descending=True)[..., :k]
        return np.take_along_axis(x, indices, axis=-1), indices.astype(np.int32)

    def grad(self, op, dvalues, dindices):
        # TF1's _TopKGrad: each value's gradient goes back to the position it came from.
        from flowgraph.ops.reduce_grad import shape_tensor
        from flowgraph.ops.sort_grad import scatter_along_axis
        x = op.inputs[0]
        return [scatter_along_axis(convert_to_tensor(dvalues), op.outputs[1], shape_tensor(x),
                                   -1), None]


class TopKResult(NamedTuple):
    """What top_k returns (TF1's TopKV2 namedtuple): fetching it gives the same structure."""

    values: Any
    indices: Any


def top_k(input: Any, k: Any = 1, sorted: bool = True,
          name: Optional[str] = None) -> tuple:
    """The `k` largest entries along the last axis and their indices, as TF1's `tf.nn.top_k`.

    Parameters
    ----------
    input : Tensor
        Rank >= 1, a real numeric dtype.
    k : int or scalar int32 Tensor
        How many entries to keep (at most the size of the last axis).
    sorted : bool
        Results are always sorted, largest first (TF1 leaves the order open when False).

    Returns
    -------
    (values, indices)
        `values` of the input's dtype and `indices` int32, both `input.shape[:-1] + [k]`.
        Equal values are listed by lower index first.
    """
    x = convert_to_tensor(input)
    k_tensor = convert_to_tensor(k, dtype=None if _is_tensor_like(k) else dtypes.int32)
    values, indices = apply_op(TopKV2(sorted=bool(sorted)), [x, k_tensor], name=name)
    return TopKResult(values, indices)


# --------------------------------------------------------------------------- sort / argsort
class _SortBase(Op):
    def check(self) -> None:
        if self.direction not in _DIRECTIONS:
            raise ValueError(f"{self.direction!r} should be one of "
                             f"{', '.join(_DIRECTIONS)}")

    def _infer_shape(self, op) -> TensorShape:
        x = op.inputs[0]
        check_dtype(op, x, "fiu")
        if x.shape.ndims is not None:
            if x.shape.ndims == 0:
                raise ValueError(f"sort needs an input of rank >= 1, got a scalar ({x.name})")
            normalize_axes((self.axis,), x.shape.ndims, "sort")
        return x.shape

    def _order(self, x: np.ndarray) -> tuple:
        if x.ndim == 0:
            raise _invalid("sort needs an input of rank >= 1, got a scalar")
        (axis,) = normalize_axes((self.axis,), x.ndim, "sort", error=errors.InvalidArgumentError)
        return axis, stable_argsort(x, axis, self.direction == "DESCENDING")


@register
class Sort(_SortBase):
    """The values sorted along `axis` in `direction` ('ASCENDING' or 'DESCENDING')."""

    axis: int = -1
    direction: str = "ASCENDING"

    @classmethod
    def default_name(cls) -> str:
        return "sort"

    def infer(self, op):
        return [(op.inputs[0].dtype, self._infer_shape(op))]

    def kernel(self, x):
        if x.ndim == 0:
            raise _invalid("sort needs an input of rank >= 1, got a scalar")
        (axis,) = normalize_axes((self.axis,), x.ndim, "sort", error=errors.InvalidArgumentError)
        ascending = np.sort(x, axis=axis)
        return ascending if self.direction == "ASCENDING" else np.flip(ascending, axis)

    def grad(self, op, dy):
        # Through the permutation: the sorting order puts each gradient back in place.
        from flowgraph.ops.reduce_grad import shape_tensor
        from flowgraph.ops.sort_grad import scatter_along_axis
        x = op.inputs[0]
        order = apply_op(ArgSort(axis=self.axis, direction=self.direction), [x],
                         name="argsort")
        return [scatter_along_axis(convert_to_tensor(dy), order, shape_tensor(x), self.axis)]


@register
class ArgSort(_SortBase):
    """The indices that sort `values` along `axis` (equal values keep their order)."""

    axis: int = -1
    direction: str = "ASCENDING"
    output_type: DType = dtypes.int32

    differentiable = False

    @classmethod
    def default_name(cls) -> str:
        return "argsort"

    def check(self) -> None:
        super().check()
        if self.output_type not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"argsort output_type must be int32 or int64, got "
                            f"{self.output_type.name}")

    def infer(self, op):
        return [(self.output_type, self._infer_shape(op))]

    def kernel(self, x):
        _, order = self._order(x)
        return order.astype(self.output_type.np)


def _sort_args(values: Any, axis: Any, direction: str) -> tuple:
    if direction not in _DIRECTIONS:
        raise ValueError(f"{direction!r} should be one of {', '.join(_DIRECTIONS)}")
    try:
        axis = static_axis(axis, "sort axis")
    except TypeError as exc:
        raise ValueError(f"sort axis must be a constant scalar: {exc}") from None
    if not isinstance(axis, int):
        raise ValueError(f"sort axis must be a constant scalar, got {axis!r}")
    return convert_to_tensor(values), axis


def sort(values: Any, axis: Any = -1, direction: str = "ASCENDING",
         name: Optional[str] = None) -> Tensor:
    """`values` sorted along `axis`, as `tf.sort`.

    `direction` is 'ASCENDING' or 'DESCENDING'; `axis` must be known when the graph is
    built. The result has the shape and dtype of `values`.
    """
    x, axis = _sort_args(values, axis, direction)
    return apply_op(Sort(axis=axis, direction=direction), [x], name=name)


def argsort(values: Any, axis: Any = -1, direction: str = "ASCENDING", stable: bool = False,
            name: Optional[str] = None, output_type: Any = dtypes.int32) -> Tensor:
    """The indices that sort `values` along `axis`, as `tf.argsort`.

    The sort is always stable (equal values keep their order, as TF1's `stable=True`
    guarantees). The result has `values`' shape and dtype `output_type` (int32).
    """
    x, axis = _sort_args(values, axis, direction)
    return apply_op(ArgSort(axis=axis, direction=direction,
                            output_type=dtypes.as_dtype(output_type)), [x], name=name)


# --------------------------------------------------------------------------- in_top_k
@register
class InTopKV2(Op):
    """Whether each row's target class is among its `k` largest predictions.

    Inputs: predictions `[batch, classes]` (floating), targets `[batch]` (int32 or int64),
    scalar `k` of the targets' dtype. Ties at the boundary all count as in the top k; a
    target out of range, or a row with a non-finite prediction, gives False.
    """

    differentiable = False

    def infer(self, op):
        predictions, targets, k = op.inputs
        check_dtype(op, predictions, "f", "predictions")
        for t, what in ((targets, "targets"), (k, "k")):
            if t.dtype not in (dtypes.int32, dtypes.int64):
                raise TypeError(f"in_top_k: {what} must be int32 or int64, got "
                                f"{t.dtype.name}")
        if predictions.shape.ndims not in (None, 2):
            raise ValueError(f"in_top_k: predictions must be rank 2, got {predictions.shape}")
        if targets.shape.ndims not in (None, 1):
            raise ValueError(f"in_top_k: targets must be rank 1, got {targets.shape}")
        if k.shape.ndims not in (None, 0):
            raise ValueError(f"in_top_k: k must be a scalar, got shape {k.shape}")
        if not predictions.shape[0].is_compatible_with(targets.shape[0]):
            raise ValueError(f"in_top_k: predictions {predictions.shape} and targets "
                             f"{targets.shape} have different batch sizes")
        batch = predictions.shape[0].merge_with(targets.shape[0])
        return [(dtypes.bool_, TensorShape([batch]))]

    def kernel(self, predictions, targets, k):
        if predictions.ndim != 2 or targets.ndim != 1 or len(targets) != len(predictions):
            raise _invalid(f"in_top_k: predictions [batch, classes] and targets [batch] do not "
                           f"fit: shapes {list(predictions.shape)} and {list(targets.shape)}")
        batch, classes = predictions.shape
        valid = (targets >= 0) & (targets < classes)
        safe = np.where(valid, targets, 0)
        target_pred = predictions[np.arange(batch), safe]
        greater = np.sum(predictions > target_pred[:, None], axis=1)
        finite = np.all(np.isfinite(predictions), axis=1)
        return valid & finite & (greater < int(k))


def in_top_k(predictions: Any, targets: Any, k: Any, name: Optional[str] = None) -> Tensor:
    """Whether `targets[i]` is among the `k` largest `predictions[i]`, as TF1's
    `tf.nn.in_top_k` (bool `[batch]`; classes tied at the k-th value all count as in)."""
    p = convert_to_tensor(predictions)
    t = convert_to_tensor(targets)
    k_tensor = convert_to_tensor(k, dtype=None if _is_tensor_like(k) else t.dtype)
    return apply_op(InTopKV2(), [p, t, k_tensor], name=name)
