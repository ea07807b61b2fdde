"""Sparse optimizer update ops: the gradient is rows `indices` of a dense gradient (an
IndexedSlices, e.g. the gradient of a gather or an embedding lookup).

Only the touched rows of the variable and its slots change (TF1's SparseApply* kernels);
repeated indices are summed first, as TF1's `Optimizer._apply_sparse_duplicate_indices`
does. `SparseApplyGradientDescent` and `SparseApplyAdam` are flowgraph's fused forms of
what TF1 builds from scatter ops: gradient descent's `scatter_sub(var, indices, lr * values)`
and Adam's `_apply_sparse_shared` (which decays m and v everywhere and updates every row of
var, as TF1 does).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph import errors
from flowgraph.ops.registry import register
from flowgraph.ops.training import (
    ApplyOp,
    adagrad_rule,
    adam_alpha,
    adam_step_rule,
    centered_rms_prop_rule,
    ftrl_rule,
    momentum_rule,
    rms_prop_rule,
)

__all__: list = []


def unique_rows(ctx: Any, var: np.ndarray, values: Any, indices: Any) -> tuple:
    """(indices, values) with repeated indices merged (their rows summed); checks that every
    index is a row of `var` (InvalidArgumentError otherwise, as TF1)."""
    indices = np.asarray(indices).reshape(-1)
    values = np.asarray(values)
    if var.ndim == 0:
        raise errors.InvalidArgumentError(None, ctx.op, "var must be at least 1 dimensional")
    if values.shape != indices.shape + var.shape[1:]:
        raise errors.InvalidArgumentError(
            None, ctx.op, f"grad must be the indices' shape {list(indices.shape)} followed by "
            f"var's row shape {list(var.shape[1:])}, got {list(values.shape)}")
    if indices.size == 0:
        return indices, values
    rows = var.shape[0]
    low, high = indices.min(), indices.max()
    if low < 0 or high >= rows:
        offset = int(np.flatnonzero((indices < 0) | (indices >= rows))[0])
        raise errors.InvalidArgumentError(
            None, ctx.op, f"Index {indices[offset]} at offset {offset} in indices is out of "
            f"range [0, {rows})")
    if indices.size == 1:
        return indices, values
    order = np.argsort(indices, kind="stable")
    ordered = indices[order]
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    if first.all():
        return indices, values
    starts = np.flatnonzero(first)
    return ordered[starts], np.add.reduceat(values[order], starts, axis=0)


class _RowsUpdate:
    """Gathers rows `indices` of several arrays, and writes the updated rows back."""

    def __init__(self, indices: np.ndarray, *arrays: np.ndarray) -> None:
        self.indices = indices
        self.arrays = arrays
        self.rows = [a[indices] for a in arrays]

    def __enter__(self) -> list:
        return self.rows

    def __exit__(self, *exc_info: Any) -> None:
        if exc_info[0] is None:
            for array, rows in zip(self.arrays, self.rows):
                array[self.indices] = rows


def _check_slots(ctx: Any, var: np.ndarray, **slots: np.ndarray) -> None:
    for name, array in slots.items():
        if array.shape != var.shape:
            raise errors.InvalidArgumentError(
                None, ctx.op, f"var and {name} do not have the same shape{list(var.shape)} "
                f"{list(array.shape)}")


@register
class SparseApplyGradientDescent(ApplyOp):
    """var[indices] -= alpha * grad (repeated indices add up)."""

    signature = (("var", "ref"), ("alpha", "scalar"), ("grad", "grad"),
                 ("indices", "indices"))

    def kernel(self, ctx, var, alpha, grad, indices):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v:
            idx, g = unique_rows(ctx, v, grad, indices)
            v[idx] -= np.multiply(g, alpha)
        return v


@register
class SparseApplyMomentum(ApplyOp):
    """ApplyMomentum on rows `indices` of var and accum."""

    use_nesterov: bool = False
    signature = (("var", "ref"), ("accum", "ref"), ("lr", "scalar"), ("grad", "grad"),
                 ("indices", "indices"), ("momentum", "scalar"))

    def kernel(self, ctx, var, accum, lr, grad, indices, momentum):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a:
            _check_slots(ctx, v, accum=a)
            idx, g = unique_rows(ctx, v, grad, indices)
            with _RowsUpdate(idx, v, a) as (rv, ra):
                momentum_rule(rv, ra, lr, g, momentum, self.use_nesterov)
        return v


@register
class SparseApplyAdagrad(ApplyOp):
    """ApplyAdagrad on rows `indices` of var and accum."""

    update_slots: bool = True
    signature = (("var", "ref"), ("accum", "ref"), ("lr", "scalar"), ("grad", "grad"),
                 ("indices", "indices"))

    def kernel(self, ctx, var, accum, lr, grad, indices):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a:
            _check_slots(ctx, v, accum=a)
            idx, g = unique_rows(ctx, v, grad, indices)
            with _RowsUpdate(idx, v, a) as (rv, ra):
                adagrad_rule(rv, ra, lr, g, self.update_slots)
        return v


@register
class SparseApplyRMSProp(ApplyOp):
    """ApplyRMSProp on rows `indices` of var, ms and mom."""

    signature = (("var", "ref"), ("ms", "ref"), ("mom", "ref"), ("lr", "scalar"),
                 ("rho", "scalar"), ("momentum", "scalar"), ("epsilon", "scalar"),
                 ("grad", "grad"), ("indices", "indices"))

    def kernel(self, ctx, var, ms, mom, lr, rho, momentum, epsilon, grad, indices):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(ms.key) as s, ctx.variable_for_update(mom.key) as m:
            _check_slots(ctx, v, ms=s, mom=m)
            idx, g = unique_rows(ctx, v, grad, indices)
            with _RowsUpdate(idx, v, s, m) as (rv, rs, rm):
                rms_prop_rule(rv, rs, rm, lr, rho, momentum, epsilon, g)
        return v


@register
class SparseApplyCenteredRMSProp(ApplyOp):
    """ApplyCenteredRMSProp on rows `indices` of var, mg, ms and mom."""

    signature = (("var", "ref"), ("mg", "ref"), ("ms", "ref"), ("mom", "ref"),
                 ("lr", "scalar"), ("rho", "scalar"), ("momentum", "scalar"),
                 ("epsilon", "scalar"), ("grad", "grad"), ("indices", "indices"))

    def kernel(self, ctx, var, mg, ms, mom, lr, rho, momentum, epsilon, grad, indices):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(mg.key) as g2, ctx.variable_for_update(ms.key) as s, \
                ctx.variable_for_update(mom.key) as m:
            _check_slots(ctx, v, mg=g2, ms=s, mom=m)
            idx, g = unique_rows(ctx, v, grad, indices)
            with _RowsUpdate(idx, v, g2, s, m) as (rv, rg, rs, rm):
                centered_rms_prop_rule(rv, rg, rs, rm, lr, rho, momentum, epsilon, g)
        return v


@register
class SparseApplyFtrl(ApplyOp):
    """ApplyFtrl on rows `indices` of var, accum and linear."""

    signature = (("var", "ref"), ("accum", "ref"), ("linear", "ref"), ("grad", "grad"),
                 ("indices", "indices"), ("lr", "scalar"), ("l1", "scalar"),
                 ("l2", "scalar"), ("lr_power", "scalar"))

    def kernel(self, ctx, var, accum, linear, grad, indices, lr, l1, l2, *rest):
        lr_power = rest[-1]
        shrinkage = rest[0] if len(rest) == 2 else None
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a, \
                ctx.variable_for_update(linear.key) as n:
            _check_slots(ctx, v, accum=a, linear=n)
            idx, g = unique_rows(ctx, v, grad, indices)
            with _RowsUpdate(idx, v, a, n) as (rv, ra, rn):
                ftrl_rule(rv, ra, rn, g, lr, l1, l2, lr_power, shrinkage)
        return v


@register
class SparseApplyFtrlV2(SparseApplyFtrl):
    """SparseApplyFtrl with shrinkage-type L2 (grad + 2 * l2_shrinkage * var)."""

    signature = (("var", "ref"), ("accum", "ref"), ("linear", "ref"), ("grad", "grad"),
                 ("indices", "indices"), ("lr", "scalar"), ("l1", "scalar"),
                 ("l2", "scalar"), ("l2_shrinkage", "scalar"), ("lr_power", "scalar"))


@register
class SparseApplyAdam(ApplyOp):
    """Adam with a sparse gradient, as TF1's `AdamOptimizer._apply_sparse_shared`:
    m = beta1 * m, then m[indices] += (1 - beta1) * grad; v = beta2 * v, then
    v[indices] += (1 - beta2) * grad^2; var -= lr_t * m / (sqrt(v) + epsilon) on every row."""

    signature = (("var", "ref"), ("m", "ref"), ("v", "ref"), ("beta1_power", "scalar"),
                 ("beta2_power", "scalar"), ("lr", "scalar"), ("beta1", "scalar"),
                 ("beta2", "scalar"), ("epsilon", "scalar"), ("grad", "grad"),
                 ("indices", "indices"))

    def kernel(self, ctx, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon,
               grad, indices):
        with self.lock(ctx), ctx.variable_for_update(var.key) as w, \
                ctx.variable_for_update(m.key) as m1, ctx.variable_for_update(v.key) as m2:
            _check_slots(ctx, w, m=m1, v=m2)
            idx, g = unique_rows(ctx, w, grad, indices)
            alpha = adam_alpha(lr, beta1_power, beta2_power)
            m1 *= beta1
            m1[idx] += np.multiply(g, 1 - beta1)
            m2 *= beta2
            m2[idx] += np.multiply(np.square(g), 1 - beta2)
            adam_step_rule(w, m1, m2, alpha, beta1, epsilon, None, use_nesterov=False)
        return w
