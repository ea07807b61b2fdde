"""Fused batch normalization: TF1's FusedBatchNormV3 and FusedBatchNormGradV3.

``y = (x - mean) / sqrt(variance + epsilon) * scale + offset`` per channel of a 4-D input
(NHWC or NCHW). In training mode the mean and variance are the batch's own (over all
dimensions but the channel one); the op then also returns the batch variance with Bessel's
correction (``n / (n - 1)``, as TF1 does, for moving averages). In inference mode it uses
the given mean and variance.

Where TF1 takes float16 / float32 inputs with float32 statistics, flowgraph also accepts
float64 throughout (statistics of the input's dtype, float32 for float16 inputs). The
builder is public as ``fg.nn.fused_batch_norm``; the composites (batch_normalization,
l2_normalize, layer_normalization) are in `flowgraph.nn.normalization`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register

__all__: list = []

FORMATS = ("NHWC", "NCHW")
MIN_EPSILON = 1.001e-5  # TF1's (cuDNN's) smallest epsilon


def stat_dtype(dtype: dtypes.DType) -> dtypes.DType:
    """The dtype of the statistics (scale, offset, mean, variance) for inputs of `dtype`."""
    return dtypes.float32 if dtype == dtypes.float16 else dtype


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def to_rows(x: np.ndarray, data_format: str) -> np.ndarray:
    """x as a 2-D ``[elements per channel, channels]`` array (float16 widened)."""
    if x.dtype == np.float16:
        x = x.astype(np.float32)
    if data_format == "NCHW":
        x = np.moveaxis(x, 1, -1)
    return x.reshape(-1, x.shape[-1])


def from_rows(rows: np.ndarray, shape: tuple, data_format: str, dtype: np.dtype) -> np.ndarray:
    if data_format == "NCHW":
        moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
        out = np.moveaxis(rows.reshape(moved), -1, 1)
    else:
        out = rows.reshape(shape)
    return out.astype(dtype, copy=False)


def column_sums(rows: np.ndarray) -> np.ndarray:
    """The sum of each column (a BLAS product with ones: much faster than numpy's sum)."""
    if rows.dtype in (np.float32, np.float64) and rows.shape[0]:
        return np.dot(np.ones(rows.shape[0], rows.dtype), rows)
    return rows.sum(axis=0)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _BatchNormAttrs(Op):
    epsilon: float = 0.0001
    data_format: str = "NHWC"
    is_training: bool = True

    def check(self) -> None:
        if self.data_format not in FORMATS:
            raise ValueError(f"{self.type_name}: data_format must be 'NHWC' or 'NCHW', got "
                             f"{self.data_format!r}")

    def channels(self, shape: Any) -> Optional[int]:
        """The static channel count of a 4-D shape (None if unknown)."""
        if shape.ndims is None:
            return None
        if shape.ndims != 4:
            raise ValueError(f"{self.type_name}: x must be 4-dimensional, got shape {shape}")
        return shape[1 if self.data_format == "NCHW" else 3].value

    def check_vectors(self, op: Any, x: Tensor, vectors: list, optional: tuple = ()) -> int:
        """Checks the 1-D statistics inputs; returns the channel count (or None)."""
        channels = self.channels(x.shape)
        u = stat_dtype(x.dtype)
        for what, t in vectors:
            if t.dtype != u:
                raise TypeError(f"{op.type}: {what} must be {u.name} for x of dtype "
                                f"{x.dtype.name}, got {t.dtype.name}")
            if t.shape.ndims not in (None, 1):
                raise ValueError(f"{op.type}: {what} must be 1-D, got shape {t.shape}")
            size = t.shape[0].value if t.shape.ndims == 1 else None
            if what in optional and size == 0:
                continue
            if size is not None:
                if channels is not None and size != channels:
                    raise ValueError(f"{op.type}: {what} must have {channels} elements (the "
                                     f"channels of x {x.shape}), got shape {t.shape}")
                channels = size
        return channels

    def check_run(self, x: np.ndarray, vectors: list) -> int:
        if x.ndim != 4:
            raise _invalid(f"{self.type_name}: x must be 4-dimensional, got shape "
                           f"{list(x.shape)}")
        channels = x.shape[1 if self.data_format == "NCHW" else 3]
        for what, v in vectors:
            if v.shape != (channels,):
                raise _invalid(f"{self.type_name}: {what} must have shape [{channels}] (the "
                               f"channels of x), got {list(v.shape)}")
        return channels


@register
class FusedBatchNormV3(_BatchNormAttrs):
    """Batch normalization of x with scale and offset. Inputs: x, scale, offset, mean,
    variance (the last two used only when not training; empty otherwise). Outputs: y,
    batch_mean, batch_variance (Bessel-corrected in training), reserve_space_1 (the mean
    used), reserve_space_2 (the variance used, uncorrected) and reserve_space_3 (empty)."""

    def infer(self, op):
        x, scale, offset, mean, variance = op.inputs
        check_dtype(op, x, "f", "x")
        optional = ("mean", "variance") if self.is_training else ()
        channels = self.check_vectors(op, x, [("scale", scale), ("offset", offset),
                                              ("mean", mean), ("variance", variance)], optional)
        u = stat_dtype(x.dtype)
        shape = x.shape if x.shape.ndims is not None else [None] * 4
        return [(x.dtype, shape)] + [(u, [channels])] * 4 + [(u, [0])]

    def kernel(self, x, scale, offset, mean, variance):
        checked = [("scale", scale), ("offset", offset)]
        if not self.is_training:
            checked += [("mean", mean), ("variance", variance)]
        self.check_run(x, checked)
        rows = to_rows(x, self.data_format)
        u = scale.dtype
        empty = np.zeros(0, u)
        if self.is_training:
            count = rows.shape[0]
            with np.errstate(invalid="ignore", divide="ignore"):
                batch_mean = (column_sums(rows) / count).astype(u, copy=False)
                centered = rows - batch_mean
                batch_var = (np.einsum("ij,ij->j", centered, centered) / count).astype(u)
            inv = (1 / np.sqrt(batch_var + u.type(self.epsilon))).astype(u)
            centered *= inv * scale
            centered += offset
            corrected = (batch_var * (count / max(count - 1, 1))).astype(u, copy=False)
            y = from_rows(centered, x.shape, self.data_format, x.dtype)
            return y, batch_mean, corrected, batch_mean, batch_var, empty
        factor = (scale / np.sqrt(variance + u.type(self.epsilon))).astype(u, copy=False)
        y = rows * factor
        y += offset - mean * factor
        return (from_rows(y, x.shape, self.data_format, x.dtype), mean.copy(), variance.copy(),
                mean.copy(), variance.copy(), empty)

    def grad(self, op, dy, d_mean, d_var, d_saved_mean, d_saved_var, _):
        from flowgraph.ops.normalization_grad import fused_batch_norm_grad
        return fused_batch_norm_grad(self, op, dy, d_mean, d_var, d_saved_mean, d_saved_var)


@register
class FusedBatchNormGradV3(_BatchNormAttrs):
    """The gradients of FusedBatchNormV3's y. Inputs: y_backprop, x, scale, reserve_space_1
    and reserve_space_2 (the mean and uncorrected variance the forward op used) and
    reserve_space_3. Outputs: x_backprop, scale_backprop, offset_backprop and two empty
    reserve spaces."""

    def infer(self, op):
        dy, x, scale, saved_mean, saved_var, _ = op.inputs
        check_dtype(op, x, "f", "x")
        if dy.dtype != x.dtype:
            raise TypeError(f"{op.type} needs y_backprop of x's dtype {x.dtype.name}, got "
                            f"{dy.dtype.name}")
        if not dy.shape.is_compatible_with(x.shape):
            raise ValueError(f"{op.type} needs y_backprop of x's shape {x.shape}, got "
                             f"{dy.shape}")
        channels = self.check_vectors(op, x, [("scale", scale),
                                              ("reserve_space_1", saved_mean),
                                              ("reserve_space_2", saved_var)])
        u = stat_dtype(x.dtype)
        shape = x.shape.merge_with(dy.shape)
        shape = shape if shape.ndims is not None else [None] * 4
        return [(x.dtype, shape), (u, [channels]), (u, [channels]), (u, [0]), (u, [0])]

    def kernel(self, dy, x, scale, saved_mean, saved_var, _):
        self.check_run(x, [("scale", scale), ("reserve_space_1", saved_mean),
                           ("reserve_space_2", saved_var)])
        if dy.shape != x.shape:
            raise _invalid(f"{self.type_name}: y_backprop of shape {list(dy.shape)} must have "
                           f"x's shape {list(x.shape)}")
        u = scale.dtype
        rows = to_rows(x, self.data_format)
        dy_rows = to_rows(dy, self.data_format)
        inv = (1 / np.sqrt(saved_var + u.type(self.epsilon))).astype(u, copy=False)
        x_hat = rows - saved_mean
        x_hat *= inv
        d_offset = column_sums(dy_rows).astype(u, copy=False)
        d_scale = np.einsum("ij,ij->j", dy_rows, x_hat).astype(u, copy=False)
        if self.is_training:
            count = max(rows.shape[0], 1)
            dx = x_hat
            dx *= d_scale / count
            np.subtract(dy_rows, dx, out=dx)
            dx -= d_offset / count
            dx *= scale * inv
        else:
            dx = dy_rows * (scale * inv)
        empty = np.zeros(0, u)
        return (from_rows(dx, x.shape, self.data_format, x.dtype), d_scale, d_offset, empty,
                empty)

    def grad(self, op, ddx, dd_scale, dd_offset, _, __):
        from flowgraph.ops.normalization_grad import fused_batch_norm_grad_grad
        return fused_batch_norm_grad_grad(self, op, ddx, dd_scale, dd_offset)


def fused_batch_norm(x: Any, scale: Any, offset: Any, mean: Any = None, variance: Any = None,
                     epsilon: float = 0.001, data_format: str = "NHWC",
                     is_training: bool = True, name: Optional[str] = None) -> tuple:
    """Batch normalization of a 4-D tensor in one op (FusedBatchNormV3), as TF1's
    `tf.nn.fused_batch_norm`.

    Parameters
    ----------
    x : Tensor
        4-D, NHWC (default) or NCHW; float16, float32 (or float64).
    scale, offset : 1-D tensors of the channel count (float32 for float16 x)
    mean, variance : 1-D tensors
        The population statistics, required when `is_training` is False and not allowed
        when it is True (ValueError).
    epsilon : float
        Added to the variance; raised to at least 1.001e-5, as TF1 does.

    Returns
    -------
    (y, batch_mean, batch_var)
        In training, the batch's mean and its variance with Bessel's correction
        (``n / (n - 1)``; y itself is normalized with the uncorrected variance); in
        inference, `mean` and `variance` themselves.
    """
    from flowgraph.ops.elementwise import op_scope
    with op_scope(name, "FusedBatchNormV3", [x, scale, offset]) as scope:
        x = convert_to_tensor(x, name="input")
        u = stat_dtype(x.dtype) if x.dtype.is_floating else dtypes.float32
        scale = _stat_tensor(scale, u, "scale")
        offset = _stat_tensor(offset, u, "offset")
        if is_training:
            if mean is not None or variance is not None:
                raise ValueError("Both 'mean' and 'variance' must be None if is_training is "
                                 "True.")
        elif mean is None or variance is None:
            raise ValueError("Both 'mean' and 'variance' must be a 1-D tensor when "
                             "is_training is False.")
        mean = constant(np.zeros(0, u.np), name="Const") if mean is None else \
            _stat_tensor(mean, u, "mean")
        variance = constant(np.zeros(0, u.np), name="Const") if variance is None else \
            _stat_tensor(variance, u, "variance")
        epsilon = max(float(epsilon), MIN_EPSILON)
        op_def = FusedBatchNormV3(epsilon=epsilon, data_format=data_format,
                                  is_training=bool(is_training))
        outputs = apply_op(op_def, [x, scale, offset, mean, variance], name=scope)
        return outputs[0], outputs[1], outputs[2]


def _stat_tensor(value: Any, dtype: dtypes.DType, what: str) -> Tensor:
    if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__"):
        return convert_to_tensor(value)
    return convert_to_tensor(value, dtype=dtype, name=what)
