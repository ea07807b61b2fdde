"""Reductions over axes: reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod,
reduce_any, reduce_all, reduce_logsumexp.

The reduced axes are a typed attribute (``op.axis``: a tuple of ints, or None for all axes);
TF1 users may pass them as Python ints, lists, or constant tensors.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.reduce_axes import as_axis_tuple, lookup_pair, normalize_axes, reduced_shape
from flowgraph.ops.registry import Op, apply_op, register

__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
           "reduce_any", "reduce_all", "reduce_logsumexp"]


# --------------------------------------------------------------------------- reductions
@dataclasses.dataclass(frozen=True, kw_only=True)
class Reduction(Op):
    """Base of the reductions: reduce `input` over `axis` (None: all axes)."""

    axis: Optional[tuple] = None
    keepdims: bool = False

    allowed = "fiu"

    def check(self) -> None:
        if self.axis is not None:
            if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                       for a in self.axis):
                raise TypeError(f"{self.type_name} axis must be ints, got {self.axis!r}")
            object.__setattr__(self, "axis", tuple(int(a) for a in self.axis))

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, self.allowed)
        return [(self.output_dtype(x.dtype), reduced_shape(x.shape, self.axis, self.keepdims))]

    def output_dtype(self, dtype: DType) -> DType:
        return dtype

    def kernel(self, x):
        axes = normalize_axes(self.axis, x.ndim, error=errors.InvalidArgumentError)
        return np.asarray(self.reduce(x, axes))

    def fast_kernel(self, op):
        # With a known input rank (fed values are checked against it), the axes are
        # normalized once instead of on every run.
        rank = op.inputs[0].shape.ndims
        if rank is None:
            return None
        axes = normalize_axes(self.axis, rank)
        reduce = self.reduce
        return lambda x: np.asarray(reduce(x, axes))

    def reduce(self, x: np.ndarray, axes: tuple) -> np.ndarray:
        raise NotImplementedError


@register
class Sum(Reduction):
    """The sum of elements over `axis` (integers wrap around on overflow, as in TF1)."""

    allowed = "fiuc"

    def reduce(self, x, axes):
        return np.sum(x, axis=axes, keepdims=self.keepdims, dtype=x.dtype)

    def grad(self, op, dy):
        from flowgraph.ops.reduce_grad import expand_reduced
        return [expand_reduced(dy, op.inputs[0], self)]


@register
class Mean(Reduction):
    """The mean over `axis`; for integer inputs the quotient is truncated toward zero."""

    allowed = "fiuc"

    def reduce(self, x, axes):
        count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
        if x.dtype.kind in "fc":
            total = np.sum(x, axis=axes, keepdims=self.keepdims,
                           dtype=np.float32 if x.dtype == np.float16 else x.dtype)
            with np.errstate(invalid="ignore", divide="ignore"):
                return (total / total.dtype.type(count)).astype(x.dtype, copy=False)
        # As TF1's MeanReducer, integers narrower than 64 bits are summed in (u)int64, so the
        # sum does not wrap (int64 sums wrap); the quotient truncates toward zero as C++ does
        # (numpy's // floors).
        wide_type = np.uint64 if x.dtype.kind == "u" else np.int64
        total = np.asarray(np.sum(x, axis=axes, keepdims=self.keepdims, dtype=wide_type))
        if count == 0:
            return np.zeros_like(total, dtype=x.dtype)
        wide = total
        quotient = wide // count
        if x.dtype.kind == "i":
            quotient += (wide % count != 0) & (wide < 0)
        return quotient.astype(x.dtype)

    def grad(self, op, dy):
        from flowgraph.ops.reduce_grad import expand_reduced
        return [expand_reduced(dy, op.inputs[0], self, mean=True)]


@register
class Max(Reduction):
    """The maximum over `axis` (an empty reduction gives the dtype's lowest value, -inf)."""

    def reduce(self, x, axes):
        initial = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        return np.max(x, axis=axes, keepdims=self.keepdims, initial=initial)

    def grad(self, op, dy):
        from flowgraph.ops.reduce_grad import min_or_max_grad
        return min_or_max_grad(op, dy)


@register
class Min(Reduction):
    """The minimum over `axis` (an empty reduction gives the dtype's highest value, inf)."""

    def reduce(self, x, axes):
        initial = np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).max
        return np.min(x, axis=axes, keepdims=self.keepdims, initial=initial)

    def grad(self, op, dy):
        from flowgraph.ops.reduce_grad import min_or_max_grad
        return min_or_max_grad(op, dy)


@register
class Prod(Reduction):
    """The product of elements over `axis`."""

    def reduce(self, x, axes):
        return np.prod(x, axis=axes, keepdims=self.keepdims, dtype=x.dtype)

    def grad(self, op, dy):
        from flowgraph.ops.reduce_grad import prod_grad
        return prod_grad(op, dy)


@register
class ReduceAny(Reduction):
    """Logical or over `axis` of a bool tensor."""

    type_name = "Any"

    allowed = "b"
    differentiable = False

    def reduce(self, x, axes):
        return np.any(x, axis=axes, keepdims=self.keepdims)


@register
class ReduceAll(Reduction):
    """Logical and over `axis` of a bool tensor."""

    type_name = "All"

    allowed = "b"
    differentiable = False

    def reduce(self, x, axes):
        return np.all(x, axis=axes, keepdims=self.keepdims)


@register
class ReduceLogSumExp(Reduction):
    """log(sum(exp(x))) over `axis`, computed stably: the maximum is taken out first (a row
    of -inf gives -inf, a row holding +inf gives +inf)."""

    allowed = "f"

    def reduce(self, x, axes):
        work = x.astype(np.float32) if x.dtype == np.float16 else x
        peak = np.max(work, axis=axes, keepdims=True, initial=-np.inf)
        peak = np.where(np.isfinite(peak), peak, 0).astype(work.dtype)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            total = np.sum(np.exp(work - peak), axis=axes, keepdims=True)
            result = np.log(total) + peak
        if not self.keepdims:
            result = np.squeeze(result, axis=axes)
        return result.astype(x.dtype, copy=False)

    def grad(self, op, dy):
        from flowgraph.ops.reduce_grad import logsumexp_grad
        return logsumexp_grad(op, dy)


def _reduce(op_class: type, input_tensor: Any, axis: Any, keepdims: Any, name: Optional[str],
            reduction_indices: Any, keep_dims: Any, **attrs: Any) -> Tensor:
    axis = lookup_pair(axis, reduction_indices, "axis", "reduction_indices")
    keepdims = lookup_pair(keepdims, keep_dims, "keepdims", "keep_dims")
    x = convert_to_tensor(input_tensor)
    return apply_op(op_class(axis=as_axis_tuple(axis), keepdims=bool(keepdims), **attrs),
                    [x], name=name)


_REDUCE_DOC = """{summary}

    Parameters
    ----------
    input_tensor : Tensor or array-like
        The tensor to reduce{dtypes}.
    axis : int, list of ints, or None
        The axes to reduce (negative counts from the end); None reduces every axis and an
        empty list reduces none.
    keepdims : bool
        Keep the reduced axes with length 1.
    name : str, optional
        The node name (default ``"{op}"``).
    reduction_indices, keep_dims
        Deprecated TF1 spellings of `axis` and `keepdims`.

    Returns
    -------
    Tensor
        The reduced tensor{out}.
    """


def _doc(summary: str, op: str, dtypes_note: str = "", out: str = ", of the input's dtype"):
    def decorate(fn):
        fn.__doc__ = _REDUCE_DOC.format(summary=summary, op=op, dtypes=dtypes_note, out=out)
        return fn
    return decorate


@_doc("The sum of elements across axes, as TF1's `tf.reduce_sum`.", "Sum", " (numeric)")
def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
               name: Optional[str] = None, reduction_indices: Any = None,
               keep_dims: Optional[bool] = None) -> Tensor:
    return _reduce(Sum, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@_doc("The mean across axes, as TF1's `tf.reduce_mean`: the mean of integers is an integer "
      "(the quotient truncated toward zero).", "Mean", " (numeric)")
def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
                name: Optional[str] = None, reduction_indices: Any = None,
                keep_dims: Optional[bool] = None) -> Tensor:
    return _reduce(Mean, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@_doc("The maximum across axes, as TF1's `tf.reduce_max`.", "Max", " (numeric)")
def reduce_max(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
               name: Optional[str] = None, reduction_indices: Any = None,
               keep_dims: Optional[bool] = None) -> Tensor:
    return _reduce(Max, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@_doc("The minimum across axes, as TF1's `tf.reduce_min`.", "Min", " (numeric)")
def reduce_min(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
               name: Optional[str] = None, reduction_indices: Any = None,
               keep_dims: Optional[bool] = None) -> Tensor:
    return _reduce(Min, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@_doc("The product of elements across axes, as TF1's `tf.reduce_prod`.", "Prod", " (numeric)")
def reduce_prod(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
                name: Optional[str] = None, reduction_indices: Any = None,
                keep_dims: Optional[bool] = None) -> Tensor:
    return _reduce(Prod, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@_doc("Logical or across axes, as TF1's `tf.reduce_any`.", "Any", " (bool)", ", bool")
def reduce_any(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
               name: Optional[str] = None, reduction_indices: Any = None,
               keep_dims: Optional[bool] = None) -> Tensor:
    return _reduce(ReduceAny, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@_doc("Logical and across axes, as TF1's `tf.reduce_all`.", "All", " (bool)", ", bool")
def reduce_all(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
               name: Optional[str] = None, reduction_indices: Any = None,
               keep_dims: Optional[bool] = None) -> Tensor:
    return _reduce(ReduceAll, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@_doc("log(sum(exp(x))) across axes, computed without overflow, as TF1's "
      "`tf.reduce_logsumexp`.", "ReduceLogSumExp", " (floating)")
def reduce_logsumexp(input_tensor: Any, axis: Any = None, keepdims: Optional[bool] = None,
                     name: Optional[str] = None, reduction_indices: Any = None,
                     keep_dims: Optional[bool] = None) -> Tensor:
    return _reduce(ReduceLogSumExp, input_tensor, axis, keepdims, name, reduction_indices,
                   keep_dims)
