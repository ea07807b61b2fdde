"""Projective transforms of images, as TF1's `tf.contrib.image`: transform, rotate,
translate, plus zoom (a flowgraph extension: scaling about the image centre).

Images may be 2-D (HW), 3-D (HWC) or 4-D (NHWC); the result has the input's rank and
dtype. Points that fall outside the input read 0. `interpolation` is "NEAREST" (the
default, as in TF1) or "BILINEAR".
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["transform", "rotate", "translate", "zoom", "angles_to_projective_transforms",
           "translations_to_projective_transforms"]

_IMAGE_DTYPES = (dtypes.uint8, dtypes.int32, dtypes.int64, dtypes.float16, dtypes.float32,
                 dtypes.float64)


def _as_4d(images: Any) -> tuple:
    """(NHWC images, rank of the input)."""
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.shape_ops import expand_dims
    images = convert_to_tensor(images, name="images")
    if images.dtype not in _IMAGE_DTYPES:
        raise TypeError(f"Invalid dtype {images.dtype.name} for images: expected one of "
                        f"{[d.name for d in _IMAGE_DTYPES]}")
    rank = images.shape.ndims
    if rank is None:
        raise TypeError("image_or_images rank must be statically known")
    if rank == 2:
        return expand_dims(expand_dims(images, 0), -1), rank
    if rank == 3:
        return expand_dims(images, 0), rank
    if rank == 4:
        return images, rank
    raise TypeError(f"Images should have rank between 2 and 4, got shape {images.shape}.")


def _restore_rank(output: Tensor, rank: int) -> Tensor:
    from flowgraph.ops.shape_ops import squeeze
    if rank == 2:
        return squeeze(output, axis=[0, 3])
    if rank == 3:
        return squeeze(output, axis=[0])
    return output


def _rows(values: Any, what: str, width: int) -> Tensor:
    """A float32 [N, width] tensor from one row ([width], or a scalar when width is 1) or
    N rows."""
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.shape_ops import reshape
    t = convert_to_tensor(values, dtype=dtypes.float32, name=what)
    rank = t.shape.ndims
    if rank is None:
        raise TypeError(f"{what} rank must be statically known")
    if width == 1:
        if rank > 1:
            raise TypeError(f"{what} should have rank 0 or 1, got shape {t.shape}.")
        return reshape(t, [-1, 1])
    if rank == 1:
        return reshape(t, [1, width])
    if rank != 2:
        raise TypeError(f"{what} should have rank 1 or 2, got shape {t.shape}.")
    return t


def _spatial(images: Tensor) -> tuple:
    """(height, width) of NHWC images as float32 scalars: Python floats when known."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.shape_ops import shape
    dims = images.shape.as_list()
    out = []
    for axis in (1, 2):
        if dims[axis] is not None:
            out.append(float(dims[axis]))
        else:
            out.append(cast(shape(images)[axis], dtypes.float32))
    return tuple(out)


def transform(images: Any, transforms: Any, interpolation: str = "NEAREST",
              output_shape: Any = None, name: Optional[str] = None) -> Tensor:
    """Applies projective transforms: `transforms` is [a0, a1, a2, b0, b1, b2, c0, c1] (one
    for all images) or [N, 8]; output point (x, y) reads the input at
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``
    (the transform maps output points to input points)."""
    from flowgraph.ops.array import as_int_tensor
    from flowgraph.ops.image_resize import spatial_size
    from flowgraph.ops.image_transform import ImageProjectiveTransformV2
    from flowgraph.ops.registry import apply_op
    with op_scope(name, "transform", [images, transforms]):
        batch, rank = _as_4d(images)
        matrix = _rows(transforms, "transforms", 8)
        if output_shape is None:
            size = spatial_size(batch)
        else:
            size = as_int_tensor(output_shape, "output_shape")
        op_def = ImageProjectiveTransformV2(interpolation=str(interpolation).upper())
        output = apply_op(op_def, [batch, matrix, size])
        return _restore_rank(output, rank)


def angles_to_projective_transforms(angles: Any, image_height: Any, image_width: Any,
                                    name: Optional[str] = None) -> Tensor:
    """[N, 8] transforms that rotate images counter-clockwise by `angles` (radians, a
    scalar or one per image) about their centres."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.trig import cos, sin
    with op_scope(name, "angles_to_projective_transforms", [angles]):
        angles = _rows(angles, "angles", 1)
        c, s = cos(angles), sin(angles)
        x_offset = ((image_width - 1) - (c * (image_width - 1) - s * (image_height - 1))) / 2.0
        y_offset = ((image_height - 1) - (s * (image_width - 1) + c * (image_height - 1))) / 2.0
        zero = zeros_like(c)
        return concat([c, -s, x_offset, s, c, y_offset, zero, zero], axis=1)


def translations_to_projective_transforms(translations: Any,
                                          name: Optional[str] = None) -> Tensor:
    """[N, 8] transforms that shift images by `translations` = [dx, dy] (or [N, 2]): a
    positive dx moves the content right, a positive dy moves it down."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.fill import ones_like, zeros_like
    with op_scope(name, "translations_to_projective_transforms", [translations]):
        shifts = _rows(translations, "translations", 2)
        dx, dy = shifts[:, 0:1], shifts[:, 1:2]
        one, zero = ones_like(dx), zeros_like(dx)
        return concat([one, zero, -dx, zero, one, -dy, zero, zero], axis=1)


def rotate(images: Any, angles: Any, interpolation: str = "NEAREST",
           name: Optional[str] = None) -> Tensor:
    """Rotates images counter-clockwise by `angles` (radians; a scalar, or one angle per
    image of a batch) about their centres, as TF1's `tf.contrib.image.rotate`.

    >>> fg.image.rotate(digits, 0.3, interpolation="BILINEAR")
    """
    with op_scope(name, "rotate", [images, angles]):
        batch, rank = _as_4d(images)
        height, width = _spatial(batch)
        matrix = angles_to_projective_transforms(angles, height, width)
        return _restore_rank(transform(batch, matrix, interpolation=interpolation), rank)


def translate(images: Any, translations: Any, interpolation: str = "NEAREST",
              name: Optional[str] = None) -> Tensor:
    """Shifts images by `translations` = [dx, dy] pixels (or one [dx, dy] per image), as
    TF1's `tf.contrib.image.translate`; uncovered pixels are 0."""
    with op_scope(name, "translate", [images, translations]):
        return transform(images, translations_to_projective_transforms(translations),
                         interpolation=interpolation)


def zoom(images: Any, scales: Any, interpolation: str = "NEAREST",
         name: Optional[str] = None) -> Tensor:
    """Scales images about their centres by `scales` (a scalar, or one per image of a
    batch): 2.0 magnifies the middle half to the full size, 0.5 shrinks the image to half
    size inside a zero border. The size of the images is unchanged.

    A flowgraph extension (TF1 has no zoom); it is a projective transform with
    ``[1/s, 0, cx (1 - 1/s), 0, 1/s, cy (1 - 1/s), 0, 0]``, cx and cy the centre
    coordinates ((width - 1) / 2, (height - 1) / 2).
    """
    from flowgraph.ops.array import concat
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.math import subtract
    from flowgraph.ops.unary import reciprocal
    with op_scope(name, "zoom", [images, scales]):
        batch, rank = _as_4d(images)
        height, width = _spatial(batch)
        inverse = reciprocal(_rows(scales, "scales", 1))
        keep = subtract(1.0, inverse)
        zero = zeros_like(inverse)
        matrix = concat([inverse, zero, keep * ((width - 1) / 2.0), zero, inverse,
                         keep * ((height - 1) / 2.0), zero, zero], axis=1)
        return _restore_rank(transform(batch, matrix, interpolation=interpolation), rank)
