"""Colour adjustments of images and their random versions: brightness, contrast, gamma,
hue, saturation, and per_image_standardization.

Each converts integer images to float32 in [0, 1], adjusts, and converts back to the
input's dtype, as TF1 does. Float images are adjusted in their own dtype (TF1 converts
float64 images to float32 and back; flowgraph keeps their precision).
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.image._util import as_image, check, check_at_least_3d
from flowgraph.image.convert import convert_image_dtype
from flowgraph.ops.elementwise import op_scope

__all__ = ["adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue",
           "adjust_saturation", "random_brightness", "random_contrast", "random_hue",
           "random_saturation", "per_image_standardization"]

_NATIVE_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def _as_float(image: Tensor) -> Tensor:
    return image if image.dtype in _NATIVE_FLOATS else convert_image_dtype(image,
                                                                            dtypes.float32)


def _scalar(value: Any, dtype: dtypes.DType, name: str) -> Tensor:
    from flowgraph.image._util import is_tensor
    from flowgraph.ops.cast import cast
    from flowgraph.ops.constant import convert_to_tensor
    if is_tensor(value):
        t = convert_to_tensor(value)
        return t if t.dtype == dtype else cast(t, dtype)
    return convert_to_tensor(value, dtype=dtype, name=name)


def adjust_brightness(image: Any, delta: Any) -> Tensor:
    """Adds `delta` to every value of float images (integer images are converted to floats
    in [0, 1] first, and back afterwards, saturating)."""
    from flowgraph.ops.math import add
    with op_scope(None, "adjust_brightness", [image, delta]) as scope:
        image = as_image(image)
        orig_dtype = image.dtype
        flt = _as_float(image)
        adjusted = add(flt, _scalar(delta, flt.dtype, "delta"), name=scope)
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)


def adjust_contrast(images: Any, contrast_factor: Any) -> Tensor:
    """``(x - mean) * contrast_factor + mean`` for each channel of each image, the mean
    taken over the image's height and width (op AdjustContrastv2)."""
    from flowgraph.ops.image_color import AdjustContrastv2
    from flowgraph.ops.registry import apply_op
    with op_scope(None, "adjust_contrast", [images, contrast_factor]) as scope:
        images = as_image(images, "images")
        orig_dtype = images.dtype
        flt = _as_float(images)
        factor = _scalar(contrast_factor, dtypes.float32, "contrast_factor")
        adjusted = apply_op(AdjustContrastv2(), [flt, factor], name=scope)
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)


def adjust_gamma(image: Any, gamma: Any = 1, gain: Any = 1) -> Tensor:
    """Gamma correction ``gain * image ** gamma`` on float values in [0, 1]; gamma > 1
    darkens, gamma < 1 brightens."""
    from flowgraph.ops.math import multiply, pow
    with op_scope(None, "adjust_gamma", [image, gamma, gain]):
        image = as_image(image)
        orig_dtype = image.dtype
        flt = _as_float(image)
        check(gamma >= 0, "Gamma should be a non-negative real number.")
        adjusted = multiply(_scalar(gain, flt.dtype, "gain"),
                            pow(flt, _scalar(gamma, flt.dtype, "gamma")))
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)


def adjust_hue(image: Any, delta: Any, name: Optional[str] = None) -> Tensor:
    """Rotates the hue of RGB images by `delta` (in [-1, 1]; 1 is the full colour circle)
    (op AdjustHue)."""
    from flowgraph.ops.image_color import AdjustHue
    from flowgraph.ops.registry import apply_op
    with op_scope(name, "adjust_hue", [image]):
        image = as_image(image)
        orig_dtype = image.dtype
        flt = _as_float(image)
        adjusted = apply_op(AdjustHue(), [flt, _scalar(delta, dtypes.float32, "delta")])
        return convert_image_dtype(adjusted, orig_dtype)


def adjust_saturation(image: Any, saturation_factor: Any, name: Optional[str] = None) -> Tensor:
    """Multiplies the saturation of RGB images by `saturation_factor` (clipped to [0, 1]
    in HSV space) (op AdjustSaturation)."""
    from flowgraph.ops.image_color import AdjustSaturation
    from flowgraph.ops.registry import apply_op
    with op_scope(name, "adjust_saturation", [image]):
        image = as_image(image)
        orig_dtype = image.dtype
        flt = _as_float(image)
        factor = _scalar(saturation_factor, dtypes.float32, "scale")
        adjusted = apply_op(AdjustSaturation(), [flt, factor])
        return convert_image_dtype(adjusted, orig_dtype)


def _uniform(lower: float, upper: float, seed: Optional[int]) -> Tensor:
    from flowgraph.ops.random import random_uniform
    return random_uniform([], lower, upper, seed=seed)


def random_brightness(image: Any, max_delta: float, seed: Optional[int] = None) -> Tensor:
    """adjust_brightness by a delta drawn uniformly from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, _uniform(-max_delta, max_delta, seed))


def random_contrast(image: Any, lower: float, upper: float,
                    seed: Optional[int] = None) -> Tensor:
    """adjust_contrast by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_contrast(image, _uniform(lower, upper, seed))


def random_hue(image: Any, max_delta: float, seed: Optional[int] = None) -> Tensor:
    """adjust_hue by a delta drawn uniformly from [-max_delta, max_delta); max_delta must
    be in [0, 0.5]."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, _uniform(-max_delta, max_delta, seed))


def random_saturation(image: Any, lower: float, upper: float,
                      seed: Optional[int] = None) -> Tensor:
    """adjust_saturation by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_saturation(image, _uniform(lower, upper, seed))


def per_image_standardization(image: Any) -> Tensor:
    """Scales each image (the last three dimensions) to mean 0 and variance 1:
    ``(x - mean) / max(stddev, 1 / sqrt(N))``, N the number of values in one image."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.division import div
    from flowgraph.ops.math import maximum, subtract
    from flowgraph.ops.reduce import reduce_mean, reduce_prod
    from flowgraph.ops.reduce_stats import reduce_std
    from flowgraph.ops.shape_ops import shape
    from flowgraph.ops.unary import rsqrt
    with op_scope(None, "per_image_standardization", [image]) as scope:
        image = as_image(image)
        check_at_least_3d(image)
        orig_dtype = image.dtype
        flt = _as_float(image)
        dims = flt.shape.as_list()[-3:] if flt.shape.ndims is not None else [None]
        if None not in dims:
            count = float(dims[0] * dims[1] * dims[2])
            min_stddev: Any = _scalar(1.0 / count ** 0.5, flt.dtype, "min_stddev")
        else:
            count_t = reduce_prod(shape(flt)[-3:])
            min_stddev = rsqrt(cast(count_t, flt.dtype))
        mean = reduce_mean(flt, axis=[-1, -2, -3], keepdims=True)
        stddev = reduce_std(flt, axis=[-1, -2, -3], keepdims=True)
        adjusted = div(subtract(flt, mean), maximum(stddev, min_stddev), name=scope)
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)
