"""Box-based image functions: crop_and_resize and extract_image_patches (composites of
gathers and a convolution, so they differentiate with respect to the image, and
crop_and_resize also with respect to the boxes, as TF1's), plus the box ops of
flowgraph.ops.image_boxes (non_max_suppression, draw_bounding_boxes)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.image._util import as_image
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.image_boxes import draw_bounding_boxes, non_max_suppression

__all__ = ["crop_and_resize", "extract_image_patches", "extract_patches",
           "non_max_suppression", "draw_bounding_boxes"]


def _sample_coords(low: Tensor, high: Tensor, size: int, extent: Tensor) -> Tensor:
    """[boxes, size] sampling positions along one axis (TF1's crop_and_resize: the corners
    map to pixel centres 0 and extent - 1; one sample takes the middle)."""
    from flowgraph.ops.math import add, multiply, subtract
    from flowgraph.ops.shape_ops import expand_dims
    scale = subtract(extent, 1.0)
    if size > 1:
        steps = np.arange(size, dtype=np.float32) / (size - 1)
        span = multiply(subtract(high, low), scale)
        return add(expand_dims(multiply(low, scale), 1),
                   multiply(expand_dims(span, 1), steps))
    middle = multiply(multiply(add(low, high), 0.5), scale)
    return expand_dims(middle, 1)


def crop_and_resize(image: Any, boxes: Any, box_ind: Any = None, crop_size: Any = None,
                    method: str = "bilinear", extrapolation_value: float = 0.0,
                    name: Optional[str] = None, box_indices: Any = None) -> Tensor:
    """Crops boxes ([num_boxes, 4] of normalized y1, x1, y2, x2) out of the images
    `box_ind` selects, each resized to `crop_size` (bilinear or nearest): [num_boxes,
    crop_h, crop_w, depth] float32; samples outside the image take extrapolation_value."""
    from flowgraph.ops.array import stack, unstack
    from flowgraph.ops.cast import cast
    from flowgraph.ops.compare import greater, less
    from flowgraph.ops.fill import ones_like
    from flowgraph.ops.gather import gather_nd
    from flowgraph.ops.gradient_ops import stop_gradient
    from flowgraph.ops.logic import logical_or, where
    from flowgraph.ops.math import add, maximum, minimum, multiply, subtract
    from flowgraph.ops.rounding import ceil, floor
    from flowgraph.ops.shape_ops import expand_dims, shape
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"method must be 'bilinear' or 'nearest', got {method!r}")
    box_ind = box_indices if box_ind is None else box_ind
    with op_scope(name, "CropAndResize", [image, boxes, box_ind]):
        image = cast(as_image(image), dtypes.float32)
        boxes = cast(as_image(boxes, "boxes"), dtypes.float32)
        box_ind = cast(as_image(box_ind, "box_ind"), dtypes.int32)
        crop_h, crop_w = [int(v) for v in np.asarray(crop_size).reshape(-1)]
        dims = unstack(cast(shape(image), dtypes.float32), num=4)
        height, width = dims[1], dims[2]
        y1, x1, y2, x2 = unstack(boxes, num=4, axis=1)
        rows = expand_dims(_sample_coords(y1, y2, crop_h, height), 2)   # [n, crop_h, 1]
        cols = expand_dims(_sample_coords(x1, x2, crop_w, width), 1)    # [n, 1, crop_w]
        ys = add(rows, multiply(cols, 0.0))                             # [n, crop_h, crop_w]
        xs = add(cols, multiply(rows, 0.0))
        outside = logical_or(logical_or(less(ys, 0.0), greater(ys, subtract(height, 1.0))),
                             logical_or(less(xs, 0.0), greater(xs, subtract(width, 1.0))))
        batch = expand_dims(expand_dims(box_ind, 1), 2) * cast(ones_like(ys), dtypes.int32)

        def pixel(y_idx, x_idx):
            y_idx = cast(minimum(maximum(y_idx, 0.0), subtract(height, 1.0)), dtypes.int32)
            x_idx = cast(minimum(maximum(x_idx, 0.0), subtract(width, 1.0)), dtypes.int32)
            return gather_nd(image, stack([batch, y_idx, x_idx], axis=-1))

        if method == "nearest":
            # TF1 rounds halves away from zero (roundf); positions inside are >= 0.
            values = pixel(stop_gradient(floor(ys + 0.5)), stop_gradient(floor(xs + 0.5)))
        else:
            # As TF1's kernel: floor and ceil neighbours, so a sample on a pixel centre has
            # a zero derivative with respect to the box.
            top, left = stop_gradient(floor(ys)), stop_gradient(floor(xs))
            bottom, right = stop_gradient(ceil(ys)), stop_gradient(ceil(xs))
            dy = expand_dims(subtract(ys, top), -1)
            dx = expand_dims(subtract(xs, left), -1)
            upper = add(pixel(top, left), multiply(dx, subtract(pixel(top, right),
                                                                pixel(top, left))))
            lower = add(pixel(bottom, left), multiply(dx, subtract(pixel(bottom, right),
                                                                   pixel(bottom, left))))
            values = add(upper, multiply(dy, subtract(lower, upper)))
        fill = extrapolation_value * ones_like(values)
        mask = expand_dims(outside, -1) & cast(ones_like(values), dtypes.bool_)
        return where(mask, fill, values)


def extract_image_patches(images: Any, ksizes: Any = None, strides: Any = None,
                          rates: Any = None, padding: Any = None,
                          name: Optional[str] = None, sizes: Any = None) -> Tensor:
    """The ksize_rows x ksize_cols patches of a 4-D batch, each flattened (rows, then
    columns, then channels) into the depth of the output, as TF1's
    `tf.extract_image_patches` (a convolution with one-hot filters, so differentiable)."""
    from flowgraph.ops.conv import conv2d
    ksizes = sizes if ksizes is None else ksizes
    with op_scope(name, "ExtractImagePatches", [images]):
        images = as_image(images, "images")
        if images.shape.ndims != 4 or images.shape[-1].value is None:
            raise ValueError("extract_image_patches needs a 4-D batch with a known number "
                             f"of channels, got shape {images.shape}")
        _, kh, kw, _ = [int(v) for v in ksizes]
        channels = images.shape[-1].value
        eye = np.zeros((kh, kw, channels, kh * kw * channels), images.dtype.np)
        for i in range(kh):
            for j in range(kw):
                for c in range(channels):
                    eye[i, j, c, (i * kw + j) * channels + c] = 1
        return conv2d(images, eye, strides=list(strides), padding=padding,
                      dilations=list(rates))


def extract_patches(images: Any, sizes: Any, strides: Any, rates: Any, padding: Any,
                    name: Optional[str] = None) -> Tensor:
    """tf.image.extract_patches: extract_image_patches with the argument `sizes`."""
    return extract_image_patches(images, sizes, strides, rates, padding, name=name)
