"""Colour ops on images whose last dimension holds the channels: RGBToHSV, HSVToRGB,
AdjustContrastv2, AdjustHue and AdjustSaturation (TF1's kernels).

HSV values are all in [0, 1] (hue 0 is red, 1/3 green, 2/3 blue). The user-facing
functions (`fg.image.rgb_to_hsv`, `fg.image.adjust_hue`, ...) are in `flowgraph.image`.
Like TF1's, the HSV conversions, AdjustHue and AdjustSaturation have no gradient;
AdjustContrastv2 has one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph import errors
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, register

__all__: list = []


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _work_dtype(dtype: np.dtype) -> Any:
    return np.float64 if dtype == np.float64 else np.float32


def _check_rgb(op: Any, images: Any, min_rank: int = 1) -> None:
    check_dtype(op, images, "f", "images")
    shape = images.shape
    if shape.ndims is None:
        return
    if shape.ndims < min_rank:
        raise ValueError(f"{op.type}: input must be at least {min_rank}-D, got shape {shape}")
    channels = shape[-1].value if shape.ndims else None
    if channels is not None and channels != 3:
        raise ValueError(f"{op.type}: input must have 3 channels (RGB or HSV) in its last "
                         f"dimension, got shape {shape}")


def _run_check_rgb(x: np.ndarray, min_rank: int = 1) -> None:
    if x.ndim < min_rank:
        raise _invalid(f"input must be at least {min_rank}-D, got shape {list(x.shape)}")
    if x.shape[-1] != 3:
        raise _invalid(f"input must have 3 channels but input only has {x.shape[-1]} "
                       f"channels (shape {list(x.shape)})")


def rgb_to_hsv_array(rgb: np.ndarray) -> tuple:
    """(h, s, v) arrays of RGB values in [0, 1], as TF1's RGBToHSV kernel."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    value = np.maximum(np.maximum(r, g), b)
    spread = value - np.minimum(np.minimum(r, g), b)
    with np.errstate(divide="ignore", invalid="ignore"):
        saturation = np.where(value > 0, spread / value, 0)
        norm = 1 / (6 * spread)
        hue = np.where(r == value, norm * (g - b),
                       np.where(g == value, norm * (b - r) + 2 / 6, norm * (r - g) + 4 / 6))
    hue = np.where(spread > 0, hue, 0)
    hue = np.where(hue < 0, hue + 1, hue)
    dtype = rgb.dtype
    return hue.astype(dtype), saturation.astype(dtype), value.astype(dtype)


def hsv_to_rgb_array(hue: np.ndarray, saturation: np.ndarray, value: np.ndarray) -> np.ndarray:
    """RGB values of (h, s, v), as TF1's HSVToRGB kernel: piecewise-linear channel curves
    of 6 * h scaled between v * (1 - s) and v."""
    dh = hue * 6
    red = np.clip(np.abs(dh - 3) - 1, 0, 1)
    green = np.clip(2 - np.abs(dh - 2), 0, 1)
    blue = np.clip(2 - np.abs(dh - 4), 0, 1)
    low = 1 - saturation
    return np.stack([(low + saturation * c) * value for c in (red, green, blue)], axis=-1)


@register
class RGBToHSV(Op):
    """Converts RGB images (floats in [0, 1], channels last) to HSV."""

    differentiable = False

    def infer(self, op):
        _check_rgb(op, op.inputs[0])
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, images):
        _run_check_rgb(images)
        dtype = _work_dtype(images.dtype)
        return np.stack(rgb_to_hsv_array(images.astype(dtype, copy=False)),
                        axis=-1).astype(images.dtype, copy=False)


@register
class HSVToRGB(Op):
    """Converts HSV images (floats in [0, 1], channels last) to RGB."""

    differentiable = False

    def infer(self, op):
        _check_rgb(op, op.inputs[0])
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, images):
        _run_check_rgb(images)
        x = images.astype(_work_dtype(images.dtype), copy=False)
        return hsv_to_rgb_array(x[..., 0], x[..., 1], x[..., 2]).astype(images.dtype,
                                                                         copy=False)


def _check_scalar(op: Any, t: Any, what: str) -> None:
    check_dtype(op, t, "f", what)
    if t.shape.ndims not in (None, 0):
        raise ValueError(f"{op.type}: {what} must be a scalar, got shape {t.shape}")


def _run_scalar(value: np.ndarray, what: str) -> float:
    if np.ndim(value) != 0:
        raise _invalid(f"{what} must be scalar: {list(np.shape(value))}")
    return value


class _ScalarAdjust(Op):
    """An adjustment of RGB images by a float scalar (inputs: images, scalar)."""

    scalar_name = "delta"
    min_rank = 3

    def infer(self, op):
        images, scalar = op.inputs
        _check_rgb(op, images, self.min_rank)
        _check_scalar(op, scalar, self.scalar_name)
        return [(images.dtype, images.shape)]

    def kernel(self, images, scalar):
        _run_check_rgb(images, self.min_rank)
        dtype = _work_dtype(images.dtype)
        factor = dtype(_run_scalar(scalar, self.scalar_name))
        hue, saturation, value = rgb_to_hsv_array(images.astype(dtype, copy=False))
        hue, saturation = self.adjust(hue, saturation, factor)
        return hsv_to_rgb_array(hue, saturation, value).astype(images.dtype, copy=False)


@register
class AdjustHue(_ScalarAdjust):
    """Rotates the hue of RGB images by `delta` (a fraction of the colour circle)."""

    differentiable = False

    def adjust(self, hue, saturation, delta):
        hue = np.mod(hue + delta, hue.dtype.type(1))
        return np.where(hue >= 1, hue - 1, hue), saturation


@register
class AdjustSaturation(_ScalarAdjust):
    """Multiplies the saturation of RGB images by `scale`, clipped to [0, 1]."""

    differentiable = False
    scalar_name = "scale"

    def adjust(self, hue, saturation, scale):
        return hue, np.clip(saturation * scale, 0, 1)


@register
class AdjustContrastv2(Op):
    """``(x - mean) * contrast_factor + mean`` per channel of each image, the mean taken
    over height and width (the last three dimensions are [height, width, channels])."""

    def infer(self, op):
        images, factor = op.inputs
        check_dtype(op, images, "f", "images")
        if images.shape.ndims is not None and images.shape.ndims < 3:
            raise ValueError(f"AdjustContrastv2: input must be at least 3-D, got shape "
                             f"{images.shape}")
        _check_scalar(op, factor, "contrast_factor")
        return [(images.dtype, images.shape)]

    def kernel(self, images, factor):
        if images.ndim < 3:
            raise _invalid(f"input must be at least 3-D, got shape {list(images.shape)}")
        dtype = _work_dtype(images.dtype)
        factor = dtype(_run_scalar(factor, "contrast_factor"))
        x = images.astype(dtype, copy=False)
        mean = x.mean(axis=(-3, -2), keepdims=True, dtype=dtype) if x.size else x
        return ((x - mean) * factor + mean).astype(images.dtype, copy=False)

    def grad(self, op, dy):
        """dx = f * dy + (1 - f) * mean(dy) over height and width; df = sum(dy * (x - mean))."""
        from flowgraph.ops.cast import cast
        from flowgraph.ops.math import multiply, subtract
        from flowgraph.ops.reduce import reduce_mean, reduce_sum
        images, factor = op.inputs
        f = factor if factor.dtype == images.dtype else cast(factor, images.dtype)
        mean_dy = reduce_mean(dy, axis=[-3, -2], keepdims=True)
        dx = multiply(dy, f) + multiply(mean_dy, subtract(1.0, f))
        centred = subtract(images, reduce_mean(images, axis=[-3, -2], keepdims=True))
        df = reduce_sum(multiply(dy, centred))
        return [dx, df if df.dtype == factor.dtype else cast(df, factor.dtype)]
