"""Cropping and padding images: central_crop, crop_to_bounding_box, pad_to_bounding_box,
resize_image_with_crop_or_pad and random_crop (TF1's arithmetic, Slice and Pad nodes, so
gradients come with them)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.image._util import (
    as_image,
    batched,
    check,
    check_at_least_3d,
    image_dims,
    int_vector,
    is_tensor,
    max_,
    min_,
    unbatched,
)
from flowgraph.ops.elementwise import op_scope

__all__ = ["central_crop", "crop_to_bounding_box", "pad_to_bounding_box",
           "resize_image_with_crop_or_pad", "resize_with_crop_or_pad", "random_crop"]


def _static(values: list) -> list:
    return [None if is_tensor(v) else v for v in values]


def central_crop(image: Any, central_fraction: float) -> Tensor:
    """Keeps the central `central_fraction` (in (0, 1]) of an image's height and width.

    As TF1: ``start = int((h - h * fraction) / 2)`` and the size is ``h - 2 * start``
    (a width of 6 at 0.5 keeps 4 columns).
    """
    from flowgraph.ops.cast import cast
    from flowgraph.ops.slicing import slice as slice_
    with op_scope(None, "central_crop", [image]):
        image = as_image(image)
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError(f"central_fraction must be within (0, 1], got "
                             f"{central_fraction}")
        if central_fraction == 1.0:
            return image
        check_at_least_3d(image)
        rank = image.shape.ndims
        if rank not in (3, 4):
            raise ValueError(f"`image` should either be a Tensor with rank = 3 or rank = 4. "
                             f"Had rank = {rank}.")
        dims = image_dims(image, rank)
        height, width = dims[rank - 3], dims[rank - 2]

        def start_of(dim: Any) -> Any:
            if not is_tensor(dim):
                return int((float(dim) - float(dim) * central_fraction) / 2)
            size = cast(dim, dtypes.float64)
            return cast((size - size * central_fraction) / 2, dtypes.int32)

        top, left = start_of(height), start_of(width)
        rows, cols = height - top * 2, width - left * 2
        begin = [top, left, 0] if rank == 3 else [0, top, left, 0]
        size = [rows, cols, -1] if rank == 3 else [-1, rows, cols, -1]
        result = slice_(image, int_vector(begin), int_vector(size))
        static = image.shape.as_list()
        static[rank - 3:rank - 1] = _static([rows, cols])
        result.set_shape(static)
        return result


def pad_to_bounding_box(image: Any, offset_height: Any, offset_width: Any,
                        target_height: Any, target_width: Any) -> Tensor:
    """Pads an image with zeros: `offset_height` rows on top, `offset_width` columns on
    the left, then zeros at the bottom and right up to `target_height` x `target_width`."""
    from flowgraph.ops.pad import pad
    from flowgraph.ops.shape_ops import reshape
    with op_scope(None, "pad_to_bounding_box", [image]):
        image, was_batch = batched(as_image(image))
        check_at_least_3d(image)
        batch, height, width, depth = image_dims(image, 4)
        after_width = target_width - offset_width - width
        after_height = target_height - offset_height - height
        check(offset_height >= 0, "offset_height must be >= 0")
        check(offset_width >= 0, "offset_width must be >= 0")
        check(after_width >= 0, "width must be <= target - offset")
        check(after_height >= 0, "height must be <= target - offset")
        amounts = int_vector([0, 0, offset_height, after_height, offset_width, after_width,
                              0, 0])
        paddings = amounts.reshape(4, 2) if isinstance(amounts, np.ndarray) else \
            reshape(amounts, [4, 2])
        padded = pad(image, paddings)
        padded.set_shape(_static([batch, target_height, target_width, depth]))
        return unbatched(padded, was_batch)


def crop_to_bounding_box(image: Any, offset_height: Any, offset_width: Any,
                         target_height: Any, target_width: Any) -> Tensor:
    """Cuts out the `target_height` x `target_width` box whose top-left corner is at
    (`offset_height`, `offset_width`)."""
    from flowgraph.ops.slicing import slice as slice_
    with op_scope(None, "crop_to_bounding_box", [image]):
        image, was_batch = batched(as_image(image))
        check_at_least_3d(image)
        batch, height, width, depth = image_dims(image, 4)
        check(offset_width >= 0, "offset_width must be >= 0.")
        check(offset_height >= 0, "offset_height must be >= 0.")
        check(target_width > 0, "target_width must be > 0.")
        check(target_height > 0, "target_height must be > 0.")
        check(width >= target_width + offset_width, "width must be >= target + offset.")
        check(height >= target_height + offset_height, "height must be >= target + offset.")
        cropped = slice_(image, int_vector([0, offset_height, offset_width, 0]),
                         int_vector([-1, target_height, target_width, -1]))
        cropped.set_shape(_static([batch, target_height, target_width, depth]))
        return unbatched(cropped, was_batch)


def resize_image_with_crop_or_pad(image: Any, target_height: Any, target_width: Any) -> Tensor:
    """Crops (centrally) or pads (evenly, with zeros) an image to `target_height` x
    `target_width`, as TF1."""
    with op_scope(None, "resize_image_with_crop_or_pad", [image]):
        image, was_batch = batched(as_image(image))
        check_at_least_3d(image)
        check(target_width > 0, "target_width must be > 0.")
        check(target_height > 0, "target_height must be > 0.")
        _, height, width, _ = image_dims(image, 4)
        width_diff = target_width - width
        height_diff = target_height - height
        crop_left = max_(-width_diff // 2, 0)
        pad_left = max_(width_diff // 2, 0)
        crop_top = max_(-height_diff // 2, 0)
        pad_top = max_(height_diff // 2, 0)
        cropped = crop_to_bounding_box(image, crop_top, crop_left,
                                       min_(target_height, height), min_(target_width, width))
        resized = pad_to_bounding_box(cropped, pad_top, pad_left, target_height, target_width)
        return unbatched(resized, was_batch)


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def random_crop(value: Any, size: Any, seed: Optional[int] = None,
                name: Optional[str] = None) -> Tensor:
    """A random block of shape `size` out of `value` (any rank), as TF1's `random_crop`:
    every offset with ``offset + size <= shape`` is equally likely. Seeded by `seed` and
    the graph seed (TF1's rules)."""
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.division import floormod
    from flowgraph.ops.random import random_uniform
    from flowgraph.ops.shape_ops import shape
    from flowgraph.ops.slicing import slice as slice_
    with op_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        wanted = _known_ints(size)
        have = value.shape.as_list() if value.shape.ndims is not None else None
        if wanted is not None and have is not None:
            if len(wanted) != len(have):
                raise ValueError(f"random_crop: size {wanted} must have one element per "
                                 f"dimension of value (shape {value.shape})")
            if any(h is not None and w > h for h, w in zip(have, wanted)):
                raise ValueError(f"Need value.shape >= size, got {value.shape} and {wanted}")
        limit = shape(value) - size + 1
        offset = floormod(random_uniform(shape(limit), dtype=dtypes.int32,
                                         maxval=dtypes.int32.max, seed=seed), limit)
        return slice_(value, offset, size, name=scope)


def _known_ints(t: Tensor) -> Optional[list]:
    from flowgraph.ops.registry import constant_value
    known = constant_value(t)
    return None if known is None else [int(v) for v in np.ravel(known)]
