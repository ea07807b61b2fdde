"""Update ops of TF1's Adadelta, proximal and AdagradDA optimizers, dense and sparse
(ApplyAdadelta, ApplyProximalGradientDescent, ApplyProximalAdagrad, ApplyAdagradDA and
their SparseApply* forms). The rules are TF1's (tensorflow/core/kernels/training_ops.cc),
written out in each op's docstring; the sparse forms update only the touched rows, repeated
indices summed first."""

from __future__ import annotations

import numpy as np

from flowgraph.ops.registry import register
from flowgraph.ops.training import ApplyOp, same_shape
from flowgraph.ops.training_sparse import _check_slots, _RowsUpdate, unique_rows

__all__: list = []


def adadelta_rule(var, accum, accum_update, lr, rho, epsilon, grad) -> None:
    accum *= rho
    accum += (1 - rho) * grad * grad
    update = np.sqrt(accum_update + epsilon) / np.sqrt(accum + epsilon) * grad
    accum_update *= rho
    accum_update += (1 - rho) * update * update
    var -= lr * update


def _shrink(prox, step, l1, l2):
    """The proximal step of the l1 / l2 penalties, with per-element step sizes."""
    if l1 > 0:
        return np.sign(prox) * np.maximum(np.abs(prox) - step * l1, 0) / (1 + step * l2)
    return prox / (1 + step * l2)


def proximal_gd_rule(var, alpha, l1, l2, grad) -> None:
    var[...] = _shrink(var - alpha * grad, alpha, l1, l2)


def proximal_adagrad_rule(var, accum, lr, l1, l2, grad) -> None:
    accum += grad * grad
    step = lr / np.sqrt(accum)
    var[...] = _shrink(var - grad * step, step, l1, l2)


def adagrad_da_rule(var, g_acc, gg_acc, grad, lr, l1, l2, global_step) -> None:
    g_acc += grad
    gg_acc += grad * grad
    denominator = l2 * global_step * lr + np.sqrt(gg_acc)
    if l1 > 0:
        shrunk = np.maximum(np.abs(g_acc) - l1 * global_step, 0)
        var[...] = -lr * np.sign(g_acc) * shrunk / denominator
    else:
        var[...] = -g_acc * lr / denominator


@register
class ApplyAdadelta(ApplyOp):
    """accum = rho accum + (1 - rho) grad^2; update = sqrt(accum_update + eps) /
    sqrt(accum + eps) * grad; accum_update = rho accum_update + (1 - rho) update^2;
    var -= lr * update."""

    signature = (("var", "ref"), ("accum", "ref"), ("accum_update", "ref"), ("lr", "scalar"),
                 ("rho", "scalar"), ("epsilon", "scalar"), ("grad", "grad"))

    def kernel(self, ctx, var, accum, accum_update, lr, rho, epsilon, grad):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a, \
                ctx.variable_for_update(accum_update.key) as u:
            for name, array in (("accum", a), ("accum_update", u), ("grad", grad)):
                same_shape(ctx, v, array, name)
            adadelta_rule(v, a, u, lr, rho, epsilon, grad)
        return v


@register
class SparseApplyAdadelta(ApplyOp):
    """ApplyAdadelta on rows `indices` of var and its slots."""

    signature = (("var", "ref"), ("accum", "ref"), ("accum_update", "ref"), ("lr", "scalar"),
                 ("rho", "scalar"), ("epsilon", "scalar"), ("grad", "grad"),
                 ("indices", "indices"))

    def kernel(self, ctx, var, accum, accum_update, lr, rho, epsilon, grad, indices):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a, \
                ctx.variable_for_update(accum_update.key) as u:
            _check_slots(ctx, v, accum=a, accum_update=u)
            idx, g = unique_rows(ctx, v, grad, indices)
            with _RowsUpdate(idx, v, a, u) as (rv, ra, ru):
                adadelta_rule(rv, ra, ru, lr, rho, epsilon, g)
        return v


@register
class ApplyProximalGradientDescent(ApplyOp):
    """prox = var - alpha grad; var = sign(prox) max(|prox| - alpha l1, 0) / (1 + alpha l2)
    (without the l1 shrinkage when l1 is 0)."""

    signature = (("var", "ref"), ("alpha", "scalar"), ("l1", "scalar"), ("l2", "scalar"),
                 ("grad", "grad"))

    def kernel(self, ctx, var, alpha, l1, l2, grad):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v:
            same_shape(ctx, v, grad, "grad")
            proximal_gd_rule(v, alpha, l1, l2, grad)
        return v


@register
class SparseApplyProximalGradientDescent(ApplyOp):
    """ApplyProximalGradientDescent on rows `indices` of var."""

    signature = (("var", "ref"), ("alpha", "scalar"), ("l1", "scalar"), ("l2", "scalar"),
                 ("grad", "grad"), ("indices", "indices"))

    def kernel(self, ctx, var, alpha, l1, l2, grad, indices):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v:
            idx, g = unique_rows(ctx, v, grad, indices)
            with _RowsUpdate(idx, v) as (rv,):
                proximal_gd_rule(rv, alpha, l1, l2, g)
        return v


@register
class ApplyProximalAdagrad(ApplyOp):
    """accum += grad^2; step = lr / sqrt(accum); prox = var - step grad; var = sign(prox)
    max(|prox| - step l1, 0) / (1 + step l2)."""

    signature = (("var", "ref"), ("accum", "ref"), ("lr", "scalar"), ("l1", "scalar"),
                 ("l2", "scalar"), ("grad", "grad"))

    def kernel(self, ctx, var, accum, lr, l1, l2, grad):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a:
            same_shape(ctx, v, a, "accum")
            same_shape(ctx, v, grad, "grad")
            proximal_adagrad_rule(v, a, lr, l1, l2, grad)
        return v


@register
class SparseApplyProximalAdagrad(ApplyOp):
    """ApplyProximalAdagrad on rows `indices` of var and accum."""

    signature = (("var", "ref"), ("accum", "ref"), ("lr", "scalar"), ("l1", "scalar"),
                 ("l2", "scalar"), ("grad", "grad"), ("indices", "indices"))

    def kernel(self, ctx, var, accum, lr, l1, l2, grad, indices):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(accum.key) as a:
            _check_slots(ctx, v, accum=a)
            idx, g = unique_rows(ctx, v, grad, indices)
            with _RowsUpdate(idx, v, a) as (rv, ra):
                proximal_adagrad_rule(rv, ra, lr, l1, l2, g)
        return v


@register
class ApplyAdagradDA(ApplyOp):
    """g_acc += grad; gg_acc += grad^2; var = -lr sign(g_acc) max(|g_acc| - l1 step, 0) /
    (l2 step lr + sqrt(gg_acc)) (step: the global step, an input of the var's dtype)."""

    signature = (("var", "ref"), ("gradient_accumulator", "ref"),
                 ("gradient_squared_accumulator", "ref"), ("grad", "grad"), ("lr", "scalar"),
                 ("l1", "scalar"), ("l2", "scalar"), ("global_step", "scalar"))

    def kernel(self, ctx, var, g_acc, gg_acc, grad, lr, l1, l2, global_step):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(g_acc.key) as a, \
                ctx.variable_for_update(gg_acc.key) as s:
            for name, array in (("gradient_accumulator", a),
                                ("gradient_squared_accumulator", s), ("grad", grad)):
                same_shape(ctx, v, array, name)
            adagrad_da_rule(v, a, s, grad, lr, l1, l2, global_step)
        return v


@register
class SparseApplyAdagradDA(ApplyOp):
    """ApplyAdagradDA on rows `indices` of var and its accumulators."""

    signature = (("var", "ref"), ("gradient_accumulator", "ref"),
                 ("gradient_squared_accumulator", "ref"), ("grad", "grad"),
                 ("indices", "indices"), ("lr", "scalar"), ("l1", "scalar"), ("l2", "scalar"),
                 ("global_step", "scalar"))

    def kernel(self, ctx, var, g_acc, gg_acc, grad, indices, lr, l1, l2, global_step):
        with self.lock(ctx), ctx.variable_for_update(var.key) as v, \
                ctx.variable_for_update(g_acc.key) as a, \
                ctx.variable_for_update(gg_acc.key) as s:
            _check_slots(ctx, v, gradient_accumulator=a, gradient_squared_accumulator=s)
            idx, g = unique_rows(ctx, v, grad, indices)
            with _RowsUpdate(idx, v, a, s) as (rv, ra, rs):
                adagrad_da_rule(rv, ra, rs, g, lr, l1, l2, global_step)
        return v
