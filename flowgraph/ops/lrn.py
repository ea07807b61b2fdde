"""Local response normalization: TF1's LRN and LRNGrad.

For a 4-D input (channels last), each value is divided by a power of the sum of squares of
its neighbours along the channels::

    sqr_sum[b, h, w, c] = sum(input[b, h, w, c - r : c + r + 1] ** 2)
    output = input / (bias + alpha * sqr_sum) ** beta

The window sums are one BLAS product with a banded 0/1 matrix of ``[C, C]``. The builders
are public as ``fg.nn.local_response_normalization`` and ``fg.nn.lrn``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register

__all__: list = []


def band(channels: int, radius: int, dtype: Any) -> np.ndarray:
    """The [C, C] matrix with ones where |i - j| <= radius."""
    idx = np.arange(channels)
    return (np.abs(idx[:, None] - idx[None, :]) <= radius).astype(dtype)


def _wide(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) if x.dtype == np.float16 else x


@dataclasses.dataclass(frozen=True, kw_only=True)
class _LRNAttrs(Op):
    """TF1's LRN attributes."""

    depth_radius: int = 5
    bias: float = 1.0
    alpha: float = 1.0
    beta: float = 0.5

    def check(self) -> None:
        if self.depth_radius < 0:
            raise ValueError(f"{self.type_name}: depth_radius must be >= 0, got "
                             f"{self.depth_radius}")

    def norm(self, x_rows: np.ndarray) -> np.ndarray:
        """bias + alpha * sqr_sum for x as [rows, C] (a new array)."""
        window = band(x_rows.shape[1], self.depth_radius, x_rows.dtype)
        out = np.dot(x_rows * x_rows, window)
        out *= x_rows.dtype.type(self.alpha)
        out += x_rows.dtype.type(self.bias)
        return out

    def power(self, norm: np.ndarray, exponent: float) -> np.ndarray:
        if exponent == -0.5:
            return 1 / np.sqrt(norm)
        if exponent == -1.0:
            return 1 / norm
        return np.power(norm, norm.dtype.type(exponent))

    def check_rank(self, op: Any, tensor: Tensor, what: str) -> None:
        if tensor.shape.ndims not in (None, 4):
            raise ValueError(f"{op.type}: {what} must be 4-dimensional, got shape "
                             f"{tensor.shape}")

    def check_run(self, *arrays: np.ndarray) -> None:
        for a in arrays:
            if a.ndim != 4 or a.shape != arrays[0].shape:
                raise errors.InvalidArgumentError(
                    None, None, f"{self.type_name} needs 4-D inputs of one shape, got "
                    f"{[list(v.shape) for v in arrays]}")


@register
class LRN(_LRNAttrs):
    """input / (bias + alpha * sqr_sum) ** beta, sqr_sum summing the squares of the
    2 * depth_radius + 1 nearest channels (fewer at the edges)."""

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, "f", "input")
        self.check_rank(op, x, "input")
        return [(x.dtype, x.shape if x.shape.ndims is not None else [None] * 4)]

    def kernel(self, x):
        self.check_run(x)
        rows = _wide(x).reshape(-1, x.shape[-1])
        out = rows * self.power(self.norm(rows), -self.beta)
        return out.reshape(x.shape).astype(x.dtype, copy=False)

    def grad(self, op, dy):
        return [apply_op(LRNGrad(**_attrs(self)), [dy, op.inputs[0], op.outputs[0]])]


@register
class LRNGrad(_LRNAttrs):
    """The gradient of LRN for its input. Inputs: input_grads, input_image, output_image
    (the LRN of input_image)."""

    def infer(self, op):
        dy, x, y = op.inputs
        check_dtype(op, x, "f", "input_image")
        for what, t in (("input_grads", dy), ("output_image", y)):
            if t.dtype != x.dtype:
                raise TypeError(f"{op.type} needs {what} of input_image's dtype "
                                f"{x.dtype.name}, got {t.dtype.name}")
        shape = x.shape
        for what, t in (("input_grads", dy), ("input_image", x), ("output_image", y)):
            self.check_rank(op, t, what)
            if not shape.is_compatible_with(t.shape):
                raise ValueError(f"{op.type}: {what} of shape {t.shape} must have "
                                 f"input_image's shape {x.shape}")
            shape = shape.merge_with(t.shape)
        return [(x.dtype, shape if shape.ndims is not None else [None] * 4)]

    def kernel(self, dy, x, y):
        self.check_run(dy, x, y)
        channels = x.shape[-1]
        x_rows = _wide(x).reshape(-1, channels)
        dy_rows = _wide(dy).reshape(-1, channels)
        norm = self.norm(x_rows)
        # d/dx_j: dy_j * N_j^-beta - 2 alpha beta x_j * sum_{i near j} dy_i y_i / N_i
        t = dy_rows * _wide(y).reshape(-1, channels)
        t /= norm
        spread = np.dot(t, band(channels, self.depth_radius, t.dtype))
        spread *= x_rows
        spread *= t.dtype.type(-2 * self.alpha * self.beta)
        spread += dy_rows * self.power(norm, -self.beta)
        return spread.reshape(x.shape).astype(x.dtype, copy=False)

    def grad(self, op, ddx):
        # Rebuild the backprop from differentiable ops and differentiate it (second order).
        from flowgraph.gradients import gradients
        dy, x, _ = op.inputs
        y = lrn_composite(x, self)
        (dx,) = gradients(y, [x], grad_ys=[dy])
        d_dy, d_x = gradients(dx, [dy, x], grad_ys=[ddx])
        return [d_dy, d_x, None]


def _attrs(op_def: _LRNAttrs) -> dict:
    return {name: getattr(op_def, name) for name in ("depth_radius", "bias", "alpha", "beta")}


def lrn_composite(x: Tensor, attrs: _LRNAttrs) -> Tensor:
    """LRN built from differentiable ops (for higher derivatives)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import less_equal
    from flowgraph.ops.fill import range as fg_range
    from flowgraph.ops.linalg import matmul
    from flowgraph.ops.math import add, multiply, pow
    from flowgraph.ops.shape_ops import expand_dims, reshape, shape
    from flowgraph.ops.unary import abs, square
    wide = cast(x, dtypes.float32) if x.dtype == dtypes.float16 else x
    dims = shape(wide)
    idx = fg_range(dims[3])
    window = cast(less_equal(abs(expand_dims(idx, 1) - expand_dims(idx, 0)),
                             attrs.depth_radius), wide.dtype)
    sums = reshape(matmul(reshape(square(wide), [-1, dims[3]]), window), dims)
    norm = add(multiply(sums, attrs.alpha), attrs.bias)
    out = multiply(wide, pow(norm, -attrs.beta))
    return cast(out, x.dtype) if x.dtype == dtypes.float16 else out


def local_response_normalization(input: Any, depth_radius: int = 5, bias: float = 1,
                                 alpha: float = 1, beta: float = 0.5,
                                 name: Optional[str] = None) -> Tensor:
    """Local response normalization of a 4-D float tensor along its last (channel)
    dimension (node "LRN"): ``input / (bias + alpha * sqr_sum) ** beta`` with `sqr_sum` the
    sum of squares over the channels within `depth_radius`."""
    op_def = LRN(depth_radius=int(depth_radius), bias=float(bias), alpha=float(alpha),
                 beta=float(beta))
    return apply_op(op_def, [convert_to_tensor(input)], name=name)


lrn = local_response_normalization
