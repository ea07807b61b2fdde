"""Image dtype and colour-space conversions: convert_image_dtype, rgb_to_grayscale,
grayscale_to_rgb, rgb_to_hsv and hsv_to_rgb.

Float images hold values in [0, 1]; integer images in [0, MAX] of their dtype (255 for
uint8).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.image._util import as_image
from flowgraph.ops.elementwise import op_scope

__all__ = ["convert_image_dtype", "rgb_to_grayscale", "grayscale_to_rgb", "rgb_to_hsv",
           "hsv_to_rgb"]

# TF1's luma weights (ITU-R BT.601).
RGB_WEIGHTS = (0.2989, 0.5870, 0.1140)


def convert_image_dtype(image: Any, dtype: Any, saturate: bool = False,
                        name: Optional[str] = None) -> Tensor:
    """Converts `image` to `dtype`, scaling its values: integers span [0, MAX] of their
    dtype and floats [0, 1] (uint8 255 <-> float 1.0).

    As TF1: integer to integer scales by a power of two (floor division going down);
    float to integer multiplies by ``MAX + 0.5`` and casts; with `saturate`, values are
    clipped to the target's range before a cast that could overflow.
    """
    from flowgraph.ops.cast import cast, saturate_cast
    from flowgraph.ops.constant import identity
    from flowgraph.ops.division import div
    from flowgraph.ops.math import multiply
    image = as_image(image)
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError(f"dtype must be either floating point or integer, got "
                             f"{dtype.name}")
    if not image.dtype.is_floating and not image.dtype.is_integer:
        raise TypeError(f"convert_image_dtype: image must have a floating point or integer "
                        f"dtype, got {image.dtype.name}")
    if dtype == image.dtype:
        return identity(image, name=name)
    caster = saturate_cast if saturate else cast
    with op_scope(name, "convert_image", [image]) as scope:
        if image.dtype.is_integer and dtype.is_integer:
            scale_in, scale_out = int(image.dtype.max), int(dtype.max)
            if scale_in > scale_out:
                scaled = div(image, (scale_in + 1) // (scale_out + 1))
                return caster(scaled, dtype, name=scope)
            widened = caster(image, dtype)
            return multiply(widened, (scale_out + 1) // (scale_in + 1), name=scope)
        if image.dtype.is_floating and dtype.is_floating:
            return cast(image, dtype, name=scope)
        if image.dtype.is_integer:
            return multiply(cast(image, dtype), 1.0 / int(image.dtype.max), name=scope)
        scaled = multiply(image, float(dtype.max) + 0.5)
        return caster(scaled, dtype, name=scope)


def rgb_to_grayscale(images: Any, name: Optional[str] = None) -> Tensor:
    """Converts RGB images (last dimension 3) to grayscale (last dimension 1), weighting
    the channels by 0.2989, 0.5870 and 0.1140 (computed in float32, as TF1)."""
    from flowgraph.ops.constant import constant
    from flowgraph.ops.contraction import tensordot
    from flowgraph.ops.shape_ops import expand_dims
    with op_scope(name, "rgb_to_grayscale", [images]) as scope:
        images = as_image(images, "images")
        shape = images.shape
        if shape.ndims is not None and (shape.ndims == 0 or shape[-1].value not in (None, 3)):
            raise ValueError(f"rgb_to_grayscale: the last dimension of images must be 3 (RGB), "
                             f"got shape {shape}")
        orig_dtype = images.dtype
        flt = convert_image_dtype(images, dtypes.float32)
        weights = constant(np.array(RGB_WEIGHTS, np.float32))
        gray = expand_dims(tensordot(flt, weights, [[-1], [-1]]), -1)
        return convert_image_dtype(gray, orig_dtype, name=scope)


def grayscale_to_rgb(images: Any, name: Optional[str] = None) -> Tensor:
    """Repeats the single channel of grayscale images (last dimension 1) three times."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.fill import ones
    from flowgraph.ops.reorder import tile
    from flowgraph.ops.shape_ops import rank
    with op_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = as_image(images, "images")
        shape = images.shape
        if shape.ndims is not None and shape.ndims < 2:
            raise ValueError("A grayscale image must be at least two-dimensional.")
        if shape.ndims is not None and shape[-1].value not in (None, 1):
            raise ValueError(f"Last dimension of a grayscale image should be size 1, got "
                             f"shape {shape}.")
        if shape.ndims is not None:
            multiples: Any = [1] * (shape.ndims - 1) + [3]
        else:
            multiples = concat([ones([rank(images) - 1], dtype=dtypes.int32), [3]], 0)
        rgb = tile(images, multiples, name=scope)
        if shape.ndims is not None:
            rgb.set_shape(shape.as_list()[:-1] + [3])
        return rgb


def rgb_to_hsv(images: Any, name: Optional[str] = None) -> Tensor:
    """Converts float RGB images (values in [0, 1], last dimension 3) to HSV, every
    component in [0, 1] (op RGBToHSV)."""
    from flowgraph.ops.image_color import RGBToHSV
    from flowgraph.ops.registry import apply_op
    return apply_op(RGBToHSV(), [as_image(images, "images")], name=name)


def hsv_to_rgb(images: Any, name: Optional[str] = None) -> Tensor:
    """Converts float HSV images (last dimension 3, components in [0, 1]) to RGB
    (op HSVToRGB)."""
    from flowgraph.ops.image_color import HSVToRGB
    from flowgraph.ops.registry import apply_op
    return apply_op(HSVToRGB(), [as_image(images, "images")], name=name)
