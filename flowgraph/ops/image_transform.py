"""Geometric image ops: projective transforms (rotate, translate, zoom) and Rot90.

ImageProjectiveTransformV2 is TF1's contrib.image kernel: each output pixel (x, y) samples
the input at ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with
``k = c0 x + c1 y + 1``, for a transform ``[a0, a1, a2, b0, b1, b2, c0, c1]`` per image
(or one for all); points outside the input read 0. Its gradient is the exact adjoint (TF1's
contrib approximates it by the inverse transform).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph import errors
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.image_kernels import round_half_away, scatter_taps
from flowgraph.ops.image_resize import check_images, check_size, run_size, spatial_size
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.shape_util import check_index_dtype

__all__: list = []

INTERPOLATIONS = ("NEAREST", "BILINEAR")


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _check_transforms(op: Any, transforms: Any, batch: Any) -> None:
    check_dtype(op, transforms, "f", "transforms")
    shape = transforms.shape
    if shape.ndims is None:
        return
    dims = shape.as_list()
    if len(dims) != 2 or dims[1] not in (None, 8):
        raise ValueError(f"{op.type} expects transforms of shape [num_images, 8] or [1, 8], "
                         f"got {shape}")
    if dims[0] not in (None, 1) and batch is not None and dims[0] != batch:
        raise ValueError(f"{op.type}: transforms has {dims[0]} rows for {batch} images; "
                         "give one row per image or a single row")


def _taps(transforms: np.ndarray, batch: int, height: int, width: int, out_h: int,
          out_w: int, interpolation: str) -> list:
    """[(flat input index, weight, valid), ...] per sampled neighbour, each [N, oh, ow]."""
    t = np.asarray(transforms, np.float32)
    if t.ndim != 2 or t.shape[1] != 8 or t.shape[0] not in (1, batch):
        raise _invalid(f"Input transform should be num_images x 8 or 1 x 8, got shape "
                       f"{list(t.shape)} for {batch} images")
    t = np.broadcast_to(t, (batch, 8))[:, :, None, None]
    ys, xs = np.meshgrid(np.arange(out_h, dtype=np.float32),
                         np.arange(out_w, dtype=np.float32), indexing="ij")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        proj = t[:, 6] * xs + t[:, 7] * ys + np.float32(1)
        in_x = (t[:, 0] * xs + t[:, 1] * ys + t[:, 2]) / proj
        in_y = (t[:, 3] * xs + t[:, 4] * ys + t[:, 5]) / proj
    finite = np.isfinite(in_x) & np.isfinite(in_y)
    if not finite.all():   # k == 0 or overflow: those points read nothing
        in_x, in_y = np.where(finite, in_x, -2), np.where(finite, in_y, -2)
    # Positions beyond one pixel outside the image read 0 whatever their exact value.
    in_x = np.clip(in_x, -2, width + 1, dtype=np.float32)
    in_y = np.clip(in_y, -2, height + 1, dtype=np.float32)
    base = (np.arange(batch, dtype=np.int64) * (height * width))[:, None, None]
    if interpolation == "NEAREST":
        corners = [(round_half_away(in_y).astype(np.int64),
                    round_half_away(in_x).astype(np.int64), None)]
    else:
        y0, x0 = np.floor(in_y), np.floor(in_x)
        wy, wx = in_y - y0, in_x - x0
        y0, x0 = y0.astype(np.int64), x0.astype(np.int64)
        one = np.float32(1)
        corners = [(y0, x0, (one - wy) * (one - wx)), (y0, x0 + 1, (one - wy) * wx),
                   (y0 + 1, x0, wy * (one - wx)), (y0 + 1, x0 + 1, wy * wx)]
    taps = []
    for y, x, w in corners:
        valid = (y >= 0) & (y < height) & (x >= 0) & (x < width)
        index = base + np.clip(y, 0, height - 1) * width + np.clip(x, 0, width - 1)
        taps.append((index, w, valid))
    return taps


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    return np.float64 if dtype == np.float64 else np.float32


@register
class ImageProjectiveTransformV2(Op):
    """Applies projective transforms to NHWC images (inputs: images, transforms [N or 1, 8],
    output_shape [height, width]); NEAREST or BILINEAR interpolation, zeros outside."""

    interpolation: str = "NEAREST"

    def check(self) -> None:
        if self.interpolation not in INTERPOLATIONS:
            raise ValueError(f"interpolation must be one of {list(INTERPOLATIONS)}, got "
                             f"{self.interpolation!r}")

    def infer(self, op):
        images, transforms, output_shape = op.inputs
        check_dtype(op, images, "fiu", "images")
        batch, _, _, channels = check_images(op, images)
        _check_transforms(op, transforms, batch)
        height, width = check_size(op, output_shape, "output_shape")
        return [(images.dtype, [batch, height, width, channels])]

    def kernel(self, images, transforms, output_shape):
        out_h, out_w = run_size(images, output_shape, "output_shape")
        batch, height, width, channels = images.shape
        dtype = _compute_dtype(images.dtype)
        flat = images.reshape(-1, channels)
        out = np.zeros((batch, out_h, out_w, channels), dtype)
        if flat.shape[0] == 0:
            return out.astype(images.dtype)
        for index, weight, valid in _taps(transforms, batch, height, width, out_h, out_w,
                                          self.interpolation):
            # Invalid taps read pixel 0 with weight 0 (np.where keeps NaN/inf out of them).
            scale = valid.astype(dtype) if weight is None else \
                np.where(valid, weight, 0).astype(dtype, copy=False)
            values = flat[index].astype(dtype, copy=False)
            out += np.where(valid[..., None], values * scale[..., None], dtype(0))
        return out.astype(images.dtype, copy=False)

    def grad(self, op, dy):
        images, transforms, _ = op.inputs
        if not images.dtype.is_floating:
            return [None, None, None]
        grad = apply_op(ImageProjectiveTransformV2Grad(interpolation=self.interpolation),
                        [dy, transforms, spatial_size(images)])
        return [grad, None, None]


@register
class ImageProjectiveTransformV2Grad(Op):
    """The adjoint of ImageProjectiveTransformV2 for its images (a flowgraph op): inputs
    (grads, transforms, image_size [height, width] of the original images)."""

    interpolation: str = "NEAREST"

    def check(self) -> None:
        ImageProjectiveTransformV2.check(self)

    def infer(self, op):
        grads, transforms, size = op.inputs
        check_dtype(op, grads, "f", "grads")
        batch, _, _, channels = check_images(op, grads, "grads")
        _check_transforms(op, transforms, batch)
        height, width = check_size(op, size, "image_size")
        return [(grads.dtype, [batch, height, width, channels])]

    def kernel(self, grads, transforms, size):
        height, width = run_size(grads, size, "image_size", allow_zero=True)
        batch, out_h, out_w, channels = grads.shape
        if batch * height * width == 0:
            return np.zeros((batch, height, width, channels), grads.dtype)
        rows = grads.reshape(-1, channels)
        targets, weights = [], []
        for index, weight, valid in _taps(transforms, batch, height, width, out_h, out_w,
                                          self.interpolation):
            targets.append(index.reshape(-1))
            scale = valid if weight is None else np.where(valid, weight, 0)
            weights.append(scale.reshape(-1).astype(grads.dtype))
        summed = scatter_taps(np.stack(targets), np.stack(weights), rows,
                              batch * height * width)
        return summed.reshape(batch, height, width, channels).astype(grads.dtype, copy=False)

    def grad(self, op, dz):
        grads, transforms, _ = op.inputs
        forward = ImageProjectiveTransformV2(interpolation=self.interpolation)
        return [apply_op(forward, [dz, transforms, spatial_size(grads)]), None, None]


@register
class Rot90(Op):
    """Rotates images (3-D HWC or 4-D NHWC) counter-clockwise by k * 90 degrees (input k:
    an int32 scalar). TF1 builds this from reverse/transpose inside a case; one op keeps
    a dynamic k simple."""

    def infer(self, op):
        image, k = op.inputs
        check_index_dtype(op, k, "k")
        if k.shape.ndims not in (None, 0):
            raise ValueError(f"Rot90 expects a scalar k, got shape {k.shape}")
        shape = image.shape
        if shape.ndims is None:
            return [(image.dtype, shape)]
        if shape.ndims not in (3, 4):
            raise ValueError(f"'image' must have either 3 or 4 dimensions, got shape {shape}")
        dims = shape.as_list()
        h, w = len(dims) - 3, len(dims) - 2
        turns = constant_value(k)
        if turns is None:
            same = dims[h] if dims[h] is not None and dims[h] == dims[w] else None
            dims[h] = dims[w] = same
        elif int(turns) % 2:
            dims[h], dims[w] = dims[w], dims[h]
        return [(image.dtype, dims)]

    def kernel(self, image, k):
        if image.ndim not in (3, 4):
            raise _invalid(f"'image' must have either 3 or 4 dimensions, got shape "
                           f"{list(image.shape)}")
        axes = (image.ndim - 3, image.ndim - 2)
        return np.ascontiguousarray(np.rot90(image, int(k) % 4, axes=axes))

    def grad(self, op, dy):
        from flowgraph.ops.unary import negative
        return [apply_op(Rot90(), [dy, negative(op.inputs[1])]), None]
