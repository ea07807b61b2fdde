"""Gradient rules of FusedBatchNormV3 and FusedBatchNormGradV3 (graph builders, no ops).

- FusedBatchNormV3: one FusedBatchNormGradV3 node for y's gradient. Gradients reaching the
  statistics outputs (batch_mean, batch_variance, the reserve spaces) are added only when
  they are not the zeros of an unused output (TF1 drops them; flowgraph keeps the math
  exact). In inference mode the mean and variance inputs get their gradients too (TF1
  gives None).
- FusedBatchNormGradV3: as TF1's ``_FusedBatchNormGradGrad``, the backprop is rebuilt from
  differentiable ops and differentiated with `flowgraph.gradients` (second order only).
"""

from __future__ import annotations

from typing import Any

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.registry import apply_op

__all__: list = []


def _is_zero(t: Any) -> bool:
    from flowgraph.ops.xent import _is_zero as is_zero
    return is_zero(t)


def _per_channel(v: Tensor, data_format: str) -> Tensor:
    """A [C] vector shaped to broadcast along x's channel dimension."""
    if data_format == "NCHW":
        from flowgraph.ops.shape_ops import reshape
        return reshape(v, [-1, 1, 1])
    return v


def _count(x: Tensor, data_format: str, dtype: dtypes.DType) -> Tensor:
    """The number of elements per channel of x, as a scalar of `dtype`."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.division import truediv
    from flowgraph.ops.shape_ops import shape, size
    channels = shape(x)[1 if data_format == "NCHW" else 3]
    return truediv(cast(size(x), dtype), cast(channels, dtype))


def fused_batch_norm_grad(op_def: Any, op: Any, dy: Tensor, d_mean: Tensor, d_var: Tensor,
                          d_saved_mean: Tensor, d_saved_var: Tensor) -> list:
    from flowgraph.ops.cast import cast
    from flowgraph.ops.math import add, add_n, multiply, subtract
    from flowgraph.ops.normalization import FusedBatchNormGradV3
    from flowgraph.ops.unary import negative, rsqrt
    x, scale, _, mean, variance = op.inputs
    attrs = dict(epsilon=op_def.epsilon, data_format=op_def.data_format,
                 is_training=op_def.is_training)
    fmt = op_def.data_format
    if op_def.is_training:
        saved = [op.outputs[3], op.outputs[4], op.outputs[5]]
    else:
        saved = [mean, variance, op.outputs[5]]
    dx, d_scale, d_offset, _, _ = apply_op(FusedBatchNormGradV3(**attrs), [dy, x, scale] + saved)
    u = scale.dtype
    if op_def.is_training:
        # batch_mean = sum(x) / n; batch_variance = sum((x - m)^2) / (n - 1); the reserve
        # spaces hold the mean and sum((x - m)^2) / n.
        n = _count(x, fmt, u)
        mean_terms = [g for g in (d_mean, d_saved_mean) if not _is_zero(g)]
        var_terms = []
        if not _is_zero(d_var):
            var_terms.append(multiply(d_var, 2.0 / _maximum_one(subtract(n, 1.0))))
        if not _is_zero(d_saved_var):
            var_terms.append(multiply(d_saved_var, 2.0 / n))
        extra = []
        if mean_terms:
            extra.append(_per_channel(add_n(mean_terms) / n, fmt))
        if var_terms:
            x_u = cast(x, u) if x.dtype != u else x
            centered = subtract(x_u, _per_channel(op.outputs[1], fmt))
            extra.append(multiply(centered, _per_channel(add_n(var_terms), fmt)))
        if extra:
            total = extra[0] if len(extra) == 1 else add(extra[0], extra[1])
            dx = add(dx, cast(total, x.dtype) if x.dtype != u else total)
        return [dx, d_scale, d_offset, None, None]
    # Inference: y = (x - mean) * scale / sqrt(variance + eps) + offset.
    inv = rsqrt(add(variance, op_def.epsilon))
    grad_mean = negative(multiply(multiply(d_offset, scale), inv))
    grad_var = multiply(multiply(d_scale, scale), multiply(multiply(inv, inv), -0.5))
    mean_terms = [grad_mean] + [g for g in (d_mean, d_saved_mean) if not _is_zero(g)]
    var_terms = [grad_var] + [g for g in (d_var, d_saved_var) if not _is_zero(g)]
    grad_mean = mean_terms[0] if len(mean_terms) == 1 else add_n(mean_terms)
    grad_var = var_terms[0] if len(var_terms) == 1 else add_n(var_terms)
    return [dx, d_scale, d_offset, grad_mean, grad_var]


def _maximum_one(t: Tensor) -> Tensor:
    from flowgraph.ops.math import maximum
    return maximum(t, 1.0)


def batch_norm_backprop(dy: Tensor, x: Tensor, scale: Tensor, mean: Tensor, variance: Tensor,
                        epsilon: float, data_format: str, is_training: bool) -> tuple:
    """FusedBatchNormGradV3's outputs (dx, dscale, doffset) as differentiable composites (as
    TF1's ``_BatchNormGrad``); in training, mean and variance are recomputed from x."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.math import add, multiply, subtract
    from flowgraph.ops.reduce import reduce_mean, reduce_sum
    from flowgraph.ops.unary import reciprocal, rsqrt, square
    x_dtype = x.dtype
    if x_dtype == dtypes.float16:
        x, dy = cast(x, dtypes.float32), cast(dy, dtypes.float32)
    axes = [0, 2, 3] if data_format == "NCHW" else [0, 1, 2]
    scale_b = _per_channel(scale, data_format)
    if is_training:
        mean_x = reduce_mean(x, axes, keepdims=True)
        x_c = subtract(x, mean_x)
        var_x = reduce_mean(square(x_c), axes, keepdims=True)
        inv = rsqrt(add(var_x, epsilon))
        dy_c = subtract(dy, reduce_mean(dy, axes, keepdims=True))
        mean_dy_xc = reduce_mean(multiply(dy, x_c), axes, keepdims=True)
        inner = subtract(dy_c, multiply(multiply(reciprocal(add(var_x, epsilon)), mean_dy_xc),
                                        x_c))
        dx = multiply(multiply(scale_b, inv), inner)
        d_scale = multiply(reduce_sum(multiply(dy, x_c), axes),
                           _flat(inv))
    else:
        inv = rsqrt(add(_per_channel(variance, data_format), epsilon))
        x_c = subtract(x, _per_channel(mean, data_format))
        dx = multiply(dy, multiply(scale_b, inv))
        d_scale = reduce_sum(multiply(multiply(dy, x_c), inv), axes)
    d_offset = reduce_sum(dy, axes)
    if x_dtype == dtypes.float16:
        dx = cast(dx, x_dtype)
    return dx, d_scale, d_offset


def _flat(t: Tensor) -> Tensor:
    from flowgraph.ops.shape_ops import reshape
    return reshape(t, [-1])


def fused_batch_norm_grad_grad(op_def: Any, op: Any, ddx: Tensor, dd_scale: Tensor,
                               dd_offset: Tensor) -> list:
    from flowgraph.gradients import gradients
    dy, x, scale, saved_mean, saved_var, _ = op.inputs
    outputs = batch_norm_backprop(dy, x, scale, saved_mean, saved_var, op_def.epsilon,
                                  op_def.data_format, op_def.is_training)
    pairs = [(o, g) for o, g in zip(outputs, (ddx, dd_scale, dd_offset)) if not _is_zero(g)]
    if not pairs:
        return [None] * 6
    sources = [dy, x, scale] if op_def.is_training else [dy, x, scale, saved_mean, saved_var]
    grads = gradients([o for o, _ in pairs], sources, grad_ys=[g for _, g in pairs])
    grads += [None] * (5 - len(grads))
    return grads + [None]
