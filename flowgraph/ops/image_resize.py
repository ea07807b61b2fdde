"""Image resizing ops: ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic, ResizeArea
and the gradients TF1 has (ResizeBilinearGrad, ResizeNearestNeighborGrad, ResizeBicubicGrad).

Images are NHWC, 4-D; `size` is an int32 vector [new_height, new_width]. The user-facing
functions (`fg.image.resize_images`, ...) are in `flowgraph.image`. Bilinear, bicubic and
area resizing return float32, as TF1 does, except that float64 images stay float64 (TF1
returns float32 there too). Nearest neighbour keeps the input's dtype.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.array import as_int_tensor
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.image_kernels import (
    TAPS,
    adjoint_taps,
    apply_taps,
    area_taps,
)
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_util import check_index_dtype, check_vector, known_vector
from flowgraph.shapes import TensorShape

__all__: list = []


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def float_result(dtype: dtypes.DType) -> dtypes.DType:
    """The dtype of an interpolating resize: float64 stays float64, all else is float32."""
    return dtypes.float64 if dtype == dtypes.float64 else dtypes.float32


def check_images(op: Any, images: Tensor, what: str = "images") -> list:
    """[batch, height, width, channels] of a 4-D image input (None where unknown)."""
    shape = images.shape
    if shape.ndims is not None and shape.ndims != 4:
        raise ValueError(f"{op.type} expects {what} of rank 4 [batch, height, width, "
                         f"channels], got shape {shape} ({images.name})")
    return shape.as_list() if shape.ndims is not None else [None] * 4


def check_size(op: Any, size: Tensor, what: str = "size") -> list:
    """The known elements [height, width] of a size input (None where unknown)."""
    check_index_dtype(op, size, what)
    check_vector(op, size, what, 2)
    known = known_vector(size) or [None, None]
    if len(known) != 2:
        raise ValueError(f"{op.type} expects {what} to have 2 elements [height, width], got "
                         f"{len(known)}")
    if any(k is not None and k <= 0 for k in known):
        raise ValueError(f"{op.type}: output dimensions must be positive, got {what} {known}")
    return known


def run_size(images: np.ndarray, size: np.ndarray, what: str = "size",
             allow_zero: bool = False) -> tuple:
    """(height, width) of a size input, checked when running (0 allowed with
    `allow_zero`, for the size of an empty original image)."""
    if images.ndim != 4:
        raise _invalid(f"input must be 4-dimensional [batch, height, width, channels], got "
                       f"shape {list(images.shape)}")
    if size.shape != (2,):
        raise _invalid(f"{what} must be a 1-D tensor of 2 elements, got shape "
                       f"{list(size.shape)}")
    height, width = (int(v) for v in size)
    if min(height, width) < (0 if allow_zero else 1):
        raise _invalid(f"output dimensions must be positive, got {what} [{height}, {width}]")
    return height, width


def spatial_size(t: Tensor) -> Tensor:
    """[height, width] of a 4-D tensor as an int32 vector (a constant when known)."""
    dims = t.shape.as_list()[1:3] if t.shape.ndims == 4 else [None, None]
    if all(d is not None for d in dims):
        return constant(np.array(dims, np.int32))
    from flowgraph.ops.shape_ops import shape
    from flowgraph.ops.slicing import strided_slice
    return strided_slice(shape(t), [1], [3])


class _Resize(Op):
    """Shared parts of the resize ops: `method` names the taps of image_kernels."""

    method: ClassVar[str] = ""

    def check(self) -> None:
        if getattr(self, "half_pixel_centers", False) and self.align_corners:
            raise ValueError(f"{self.type_name}: if half_pixel_centers is True, "
                             "align_corners must be False.")

    def out_dtype(self, dtype: dtypes.DType) -> dtypes.DType:
        return float_result(dtype)

    def infer(self, op):
        images, size = op.inputs
        check_dtype(op, images, "fiu", "images")
        batch, _, _, channels = check_images(op, images)
        height, width = check_size(op, size)
        return [(self.out_dtype(images.dtype), [batch, height, width, channels])]

    def taps(self, in_size: int, out_size: int) -> tuple:
        half = getattr(self, "half_pixel_centers", False)
        return TAPS[self.method](in_size, out_size, self.align_corners, half)

    def kernel(self, images, size):
        height, width = run_size(images, size)
        if images.shape[1] == 0 or images.shape[2] == 0:
            raise _invalid(f"input image must be of non-zero size, got shape "
                           f"{list(images.shape)}")
        dtype = self.out_dtype(dtypes.as_dtype(images.dtype)).np
        out = apply_taps(images, 1, *self.taps(images.shape[1], height), dtype)
        return apply_taps(out, 2, *self.taps(images.shape[2], width), dtype)


@register
class ResizeBilinear(_Resize):
    """Resizes NHWC images to `size` by bilinear interpolation."""

    align_corners: bool = False
    half_pixel_centers: bool = False
    method = "bilinear"

    def grad(self, op, dy):
        images = op.inputs[0]
        if not images.dtype.is_floating:
            return [None, None]
        grad = apply_op(ResizeBilinearGrad(align_corners=self.align_corners,
                                           half_pixel_centers=self.half_pixel_centers),
                        [dy, images])
        return [grad, None]


@register
class ResizeBicubic(_Resize):
    """Resizes NHWC images to `size` by bicubic (Keys) interpolation, as TF1's kernel."""

    align_corners: bool = False
    half_pixel_centers: bool = False
    method = "bicubic"

    def grad(self, op, dy):
        images = op.inputs[0]
        if not images.dtype.is_floating:
            return [None, None]
        grad = apply_op(ResizeBicubicGrad(align_corners=self.align_corners,
                                          half_pixel_centers=self.half_pixel_centers),
                        [dy, images])
        return [grad, None]


@register
class ResizeNearestNeighbor(_Resize):
    """Resizes NHWC images to `size` by picking the nearest pixel; keeps the dtype."""

    align_corners: bool = False
    half_pixel_centers: bool = False
    method = "nearest"

    def out_dtype(self, dtype: dtypes.DType) -> dtypes.DType:
        return dtype

    def kernel(self, images, size):
        height, width = run_size(images, size)
        if images.shape[1] == 0 or images.shape[2] == 0:
            raise _invalid(f"input image must be of non-zero size, got shape "
                           f"{list(images.shape)}")
        rows = self.taps(images.shape[1], height)[0][:, 0]
        cols = self.taps(images.shape[2], width)[0][:, 0]
        return images[:, rows][:, :, cols]

    def grad(self, op, dy):
        images = op.inputs[0]
        if not images.dtype.is_floating:
            return [None, None]
        grad = apply_op(ResizeNearestNeighborGrad(align_corners=self.align_corners,
                                                  half_pixel_centers=self.half_pixel_centers),
                        [dy, spatial_size(images)])
        return [grad, None]


@register
class ResizeArea(_Resize):
    """Resizes NHWC images to `size` by area (box) averaging, as TF1's ResizeArea. Like
    TF1's, it has no gradient."""

    align_corners: bool = False
    differentiable = False

    def taps(self, in_size: int, out_size: int) -> tuple:
        return area_taps(in_size, out_size, self.align_corners)


# --------------------------------------------------------------------------- gradients
class _ResizeGrad(Op):
    """The adjoint of a resize: scatters `grads` back to the original image's size."""

    forward: ClassVar[Any] = None

    def check(self) -> None:
        if self.half_pixel_centers and self.align_corners:
            raise ValueError(f"{self.type_name}: if half_pixel_centers is True, "
                             "align_corners must be False.")

    def infer(self, op):
        grads, original = op.inputs
        check_dtype(op, grads, "f", "grads")
        check_dtype(op, original, "f", "original_image")
        batch, _, _, channels = check_images(op, grads, "grads")
        dims = check_images(op, original, "original_image")
        return [(original.dtype, TensorShape([batch, None, None, channels]).merge_with(
            [dims[0], dims[1], dims[2], dims[3]]))]

    def kernel(self, grads, original):
        if grads.ndim != 4 or original.ndim != 4:
            raise _invalid(f"grads and original_image must be 4-D, got shapes "
                           f"{list(grads.shape)} and {list(original.shape)}")
        return _scatter(self.forward(align_corners=self.align_corners,
                                     half_pixel_centers=self.half_pixel_centers),
                        grads, original.shape[1:3]).astype(original.dtype, copy=False)

    def grad(self, op, dz):
        grads = op.inputs[0]
        forward = self.forward(align_corners=self.align_corners,
                               half_pixel_centers=self.half_pixel_centers)
        return [apply_op(forward, [dz, spatial_size(grads)]), None]


def _scatter(forward: _Resize, grads: np.ndarray, size: Any) -> np.ndarray:
    height, width = (int(s) for s in size)
    if grads.shape[1] == 0 or grads.shape[2] == 0:
        return np.zeros((grads.shape[0], height, width, grads.shape[3]), grads.dtype)
    idx, weights = forward.taps(width, grads.shape[2])
    out = adjoint_taps(grads, 2, idx, weights, width)
    idx, weights = forward.taps(height, grads.shape[1])
    return np.ascontiguousarray(adjoint_taps(out, 1, idx, weights, height))


@register
class ResizeBilinearGrad(_ResizeGrad):
    """The gradient of ResizeBilinear for its images: inputs (grads, original_image)."""

    align_corners: bool = False
    half_pixel_centers: bool = False
    forward = ResizeBilinear


@register
class ResizeBicubicGrad(_ResizeGrad):
    """The gradient of ResizeBicubic for its images: inputs (grads, original_image)."""

    align_corners: bool = False
    half_pixel_centers: bool = False
    forward = ResizeBicubic


@register
class ResizeNearestNeighborGrad(_ResizeGrad):
    """The gradient of ResizeNearestNeighbor: inputs (grads, size of the original image)."""

    align_corners: bool = False
    half_pixel_centers: bool = False
    forward = ResizeNearestNeighbor

    def infer(self, op):
        grads, size = op.inputs
        check_dtype(op, grads, "f", "grads")
        batch, _, _, channels = check_images(op, grads, "grads")
        height, width = check_size(op, size)
        return [(grads.dtype, [batch, height, width, channels])]

    def kernel(self, grads, size):
        height, width = run_size(grads, size)
        return _scatter(self.forward(align_corners=self.align_corners,
                                     half_pixel_centers=self.half_pixel_centers),
                        grads, (height, width))


# --------------------------------------------------------------------------- builders
def resize_op(op_class: type, images: Any, size: Any, name: Optional[str] = None,
              **attrs: Any) -> Tensor:
    """Adds a resize node of `op_class` on 4-D `images` and a [height, width] `size`."""
    images = convert_to_tensor(images, name="images")
    size = as_int_tensor(size, "size")
    return apply_op(op_class(**attrs), [images, size], name=name)
