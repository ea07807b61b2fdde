"""Resizing images: resize_images (TF1's v1 semantics), the per-method functions and
resize_image_with_pad."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.image._util import as_image, batched, image_dims, is_tensor, unbatched
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.image_resize import (
    ResizeArea,
    ResizeBicubic,
    ResizeBilinear,
    ResizeNearestNeighbor,
    resize_op,
)

__all__ = ["ResizeMethod", "resize_images", "resize", "resize_bilinear",
           "resize_nearest_neighbor", "resize_bicubic", "resize_area", "resize_image_with_pad"]


class ResizeMethod:
    """TF1's `tf.image.ResizeMethod` (v1): the `method` values of `resize_images`. The
    strings "bilinear", "nearest", "bicubic" and "area" are accepted too."""

    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_METHODS = {ResizeMethod.BILINEAR: ResizeBilinear, "bilinear": ResizeBilinear,
            ResizeMethod.NEAREST_NEIGHBOR: ResizeNearestNeighbor,
            "nearest": ResizeNearestNeighbor, ResizeMethod.BICUBIC: ResizeBicubic,
            "bicubic": ResizeBicubic, ResizeMethod.AREA: ResizeArea, "area": ResizeArea}


def resize_bilinear(images: Any, size: Any, align_corners: bool = False,
                    name: Optional[str] = None, half_pixel_centers: bool = False) -> Tensor:
    """Resizes 4-D NHWC `images` to `size` = [new_height, new_width] by bilinear
    interpolation (op ResizeBilinear). Returns float32 (float64 for float64 images)."""
    return resize_op(ResizeBilinear, images, size, name, align_corners=align_corners,
                     half_pixel_centers=half_pixel_centers)


def resize_nearest_neighbor(images: Any, size: Any, align_corners: bool = False,
                            name: Optional[str] = None,
                            half_pixel_centers: bool = False) -> Tensor:
    """Resizes 4-D NHWC `images` to `size` by nearest-neighbour sampling; keeps the dtype."""
    return resize_op(ResizeNearestNeighbor, images, size, name, align_corners=align_corners,
                     half_pixel_centers=half_pixel_centers)


def resize_bicubic(images: Any, size: Any, align_corners: bool = False,
                   name: Optional[str] = None, half_pixel_centers: bool = False) -> Tensor:
    """Resizes 4-D NHWC `images` to `size` by bicubic interpolation (op ResizeBicubic)."""
    return resize_op(ResizeBicubic, images, size, name, align_corners=align_corners,
                     half_pixel_centers=half_pixel_centers)


def resize_area(images: Any, size: Any, align_corners: bool = False,
                name: Optional[str] = None) -> Tensor:
    """Resizes 4-D NHWC `images` to `size` by area averaging (op ResizeArea; no gradient)."""
    return resize_op(ResizeArea, images, size, name, align_corners=align_corners)


def _size_tensor(size: Any) -> Tensor:
    from flowgraph.ops.array import as_int_tensor
    from flowgraph.ops.cast import cast
    try:
        size = as_int_tensor(size, "size")
    except (TypeError, ValueError):
        raise ValueError("'size' must be a 1-D int32 Tensor") from None
    if size.dtype != dtypes.int32:
        size = cast(size, dtypes.int32)
    if not size.shape.is_compatible_with([2]):
        raise ValueError(f"'size' must be a 1-D Tensor of 2 elements: new_height, new_width; "
                         f"got shape {size.shape}")
    return size


def _known_size(size: Tensor) -> list:
    from flowgraph.ops.shape_util import known_vector
    return known_vector(size) or [None, None]


def _aspect_size(images: Tensor, size: Tensor) -> Tensor:
    """The size that fits in `size` keeping the images' aspect ratio (TF1's rounding)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.math import minimum
    from flowgraph.ops.rounding import round as round_
    _, height, width, _ = image_dims(images, 4)
    new_h, new_w = _known_size(size)
    if all(not is_tensor(v) and v is not None for v in (height, width, new_h, new_w)):
        factor = min(np.float32(new_h) / np.float32(height),
                     np.float32(new_w) / np.float32(width))
        return _size_tensor([int(np.round(factor * np.float32(height))),
                             int(np.round(factor * np.float32(width)))])
    target = cast(size, dtypes.float32)
    current = cast(_size_tensor([height, width]), dtypes.float32)
    ratios = target / current
    factor = minimum(ratios[0], ratios[1])
    return cast(round_(factor * current), dtypes.int32)


def resize_images(images: Any, size: Any, method: Any = ResizeMethod.BILINEAR,
                  align_corners: bool = False, preserve_aspect_ratio: bool = False,
                  name: Optional[str] = None) -> Tensor:
    """Resizes an image (3-D HWC) or images (4-D NHWC) to `size` = [new_height, new_width].

    As TF1's v1 `tf.image.resize_images`: `method` is a `ResizeMethod`; `align_corners`
    aligns the centres of the corner pixels; sampling positions are ``o * in / out`` (no
    half-pixel centres). Returns float32 (float64 for float64 images), except with
    NEAREST_NEIGHBOR, and when the size is statically unchanged (the images are returned
    as they are).
    """
    op_class = _METHODS.get(method)
    if op_class is None:
        raise ValueError(f"Resize method is not implemented: {method!r}; use one of "
                         "fg.image.ResizeMethod.BILINEAR, NEAREST_NEIGHBOR, BICUBIC, AREA")
    with op_scope(name, "resize", [images, size]):
        images = as_image(images, "images")
        if images.shape.ndims is None:
            raise ValueError("'images' contains no shape.")
        images, was_batch = batched(images)
        size = _size_tensor(size)
        if preserve_aspect_ratio:
            size = _aspect_size(images, size)
        _, height, width, _ = images.shape.as_list()
        new_h, new_w = _known_size(size)
        if None not in (height, width, new_h, new_w) and (height, width) == (new_h, new_w):
            return unbatched(images, was_batch)
        attrs = {"align_corners": align_corners}
        resized = resize_op(op_class, images, size, **attrs)
        return unbatched(resized, was_batch)


resize = resize_images


def resize_image_with_pad(image: Any, target_height: int, target_width: int,
                          method: Any = ResizeMethod.BILINEAR,
                          align_corners: bool = False) -> Tensor:
    """Resizes an image to fit in `target_height` x `target_width` keeping its aspect
    ratio, then pads it with zeros (evenly) to exactly that size, as TF1."""
    from flowgraph.image.crops import pad_to_bounding_box
    with op_scope(None, "resize_image_with_pad", [image]):
        image, was_batch = batched(as_image(image))
        _, height, width, _ = image_dims(image, 4)
        if any(is_tensor(v) for v in (height, width, target_height, target_width)):
            raise ValueError("resize_image_with_pad needs the image's height and width and "
                             "the targets known when the graph is built")
        if target_width <= 0 or target_height <= 0:
            raise ValueError("target_width and target_height must be > 0.")
        ratio = max(width / target_width, height / target_height)
        new_h, new_w = int(np.floor(height / ratio)), int(np.floor(width / ratio))
        pad_top = max(0, int(np.floor((target_height - height / ratio) / 2)))
        pad_left = max(0, int(np.floor((target_width - width / ratio) / 2)))
        resized = resize_images(image, [new_h, new_w], method, align_corners=align_corners)
        padded = pad_to_bounding_box(resized, pad_top, pad_left, target_height, target_width)
        return unbatched(padded, was_batch)
