"""Cases for the image ops (flowgraph/ops/image_*.py): resizes and their gradients,
projective transforms, Rot90, HSV conversions and colour adjustments. References are the
per-pixel loops of tests/image/reference.py (written from TF1's kernels), colorsys, or
literal values."""

import numpy as np

import flowgraph as fg
import flowgraph.image  # noqa: F401 - until flowgraph/__init__ imports it
from flowgraph.ops.image_color import AdjustContrastv2, AdjustHue, AdjustSaturation
from flowgraph.ops.image_resize import (
    ResizeBicubicGrad,
    ResizeBilinearGrad,
    ResizeNearestNeighborGrad,
)
from flowgraph.ops.image_transform import (
    ImageProjectiveTransformV2,
    ImageProjectiveTransformV2Grad,
    Rot90,
)
from flowgraph.ops.registry import apply_op
from tests.image import reference as ref
from tests.ops.harness import OpCase

_rng = np.random.default_rng(11)
IMG = _rng.uniform(0, 1, (2, 3, 4, 2)).astype(np.float32)
U8 = _rng.integers(0, 256, (1, 3, 4, 1)).astype(np.uint8)
I32 = np.arange(12, dtype=np.int32).reshape(1, 3, 4, 1)
SQUARE = np.array([[1, 2], [3, 4]], np.float32).reshape(1, 2, 2, 1)
DY_5x7 = _rng.uniform(-1, 1, (2, 5, 7, 2)).astype(np.float32)
DY_2x3 = _rng.uniform(-1, 1, (2, 2, 3, 2)).astype(np.float32)
RGB = np.array([[[0.2, 0.4, 0.6], [0.9, 0.1, 0.3], [0.5, 0.5, 0.5]],
                [[0.0, 0.0, 0.0], [1.0, 0.8, 0.1], [0.25, 0.7, 0.2]]], np.float32)
HSV = np.array([[[0.0, 1.0, 1.0], [0.25, 0.5, 0.8], [0.6, 0.3, 0.4]],
                [[0.99, 0.7, 0.2], [0.5, 0.0, 0.6], [0.8, 1.0, 1.0]]], np.float32)
SIZE_5x7 = np.array([5, 7], np.int32)

# Rotation by 0.4 rad about the centre of a 3x4 image; a shift; a shear with perspective.
_c, _s = np.cos(0.4), np.sin(0.4)
ROTATE = np.array([[_c, -_s, (3 - (_c * 3 - _s * 2)) / 2, _s, _c, (2 - (_s * 3 + _c * 2)) / 2,
                    0, 0]], np.float32)
TWO = np.array([[1, 0, -0.6, 0, 1, 0.7, 0, 0], [0.9, 0.2, 0.3, -0.1, 1.1, -0.2, 0.02, -0.03]],
               np.float32)


def _resize(builder, size, **attrs):
    return lambda x: builder(x, size, **attrs)


def _transform(interpolation, transforms, out_hw=(3, 4)):
    def build(x):
        return apply_op(ImageProjectiveTransformV2(interpolation=interpolation),
                        [x, fg.constant(transforms), fg.constant(np.int32(out_hw))])
    return build


def _transform_grad(interpolation, transforms):
    def build(dy):
        return apply_op(ImageProjectiveTransformV2Grad(interpolation=interpolation),
                        [dy, fg.constant(transforms), fg.constant(np.int32([3, 4]))])
    return build


def _grad_op(op_class, **attrs):
    return lambda dy, orig: apply_op(op_class(**attrs), [dy, orig])


def _contrast(x, factor):
    mean = x.astype(np.float64).mean(axis=(-3, -2), keepdims=True)
    return (x - mean) * factor + mean


def _cases_resize():
    image = fg.image
    return [
        OpCase("ResizeBilinear", _resize(image.resize_bilinear, [3, 3]), [SQUARE],
               expected=np.array([[1, 5 / 3, 2], [7 / 3, 3, 10 / 3], [3, 11 / 3, 4]],
                                 np.float32).reshape(1, 3, 3, 1), rtol=1e-5, name="literal"),
        OpCase("ResizeBilinear", _resize(image.resize_bilinear, [5, 7]), [IMG],
               expected=ref.bilinear(IMG, 5, 7).astype(np.float32), rtol=1e-5, name="up"),
        OpCase("ResizeBilinear", _resize(image.resize_bilinear, [2, 3], align_corners=True),
               [IMG], expected=ref.bilinear(IMG, 2, 3, align=True).astype(np.float32),
               rtol=1e-5, name="align-down"),
        OpCase("ResizeBilinear", _resize(image.resize_bilinear, [5, 3], half_pixel_centers=True),
               [IMG], expected=ref.bilinear(IMG, 5, 3, half=True).astype(np.float32),
               rtol=1e-5, name="half-pixel"),
        OpCase("ResizeBilinear", lambda x, s: image.resize_bilinear(x, s), [IMG, SIZE_5x7],
               expected=ref.bilinear(IMG, 5, 7).astype(np.float32), rtol=1e-5,
               name="size-input"),
        OpCase("ResizeBilinear", _resize(image.resize_bilinear, [4, 6]), [U8],
               expected=ref.bilinear(U8, 4, 6).astype(np.float32), rtol=1e-5, name="uint8"),
        OpCase("ResizeNearestNeighbor", _resize(image.resize_nearest_neighbor, [5, 7]), [IMG],
               expected=ref.nearest(IMG, 5, 7), name="up"),
        OpCase("ResizeNearestNeighbor",
               _resize(image.resize_nearest_neighbor, [2, 3], align_corners=True), [IMG],
               expected=ref.nearest(IMG, 2, 3, align=True), name="align-down"),
        OpCase("ResizeNearestNeighbor",
               _resize(image.resize_nearest_neighbor, [5, 3], half_pixel_centers=True), [IMG],
               expected=ref.nearest(IMG, 5, 3, half=True), name="half-pixel"),
        OpCase("ResizeNearestNeighbor", _resize(image.resize_nearest_neighbor, [2, 2]), [I32],
               expected=np.array([0, 2, 4, 6], np.int32).reshape(1, 2, 2, 1), name="int32"),
        OpCase("ResizeBicubic", _resize(image.resize_bicubic, [5, 7]), [IMG],
               expected=ref.bicubic(IMG, 5, 7).astype(np.float32), rtol=1e-5, atol=1e-5,
               name="up"),
        OpCase("ResizeBicubic", _resize(image.resize_bicubic, [5, 3], half_pixel_centers=True),
               [IMG], expected=ref.bicubic(IMG, 5, 3, half=True).astype(np.float32),
               rtol=1e-5, atol=1e-5, name="half-pixel"),
        OpCase("ResizeBicubic", _resize(image.resize_bicubic, [2, 3], align_corners=True),
               [IMG], expected=ref.bicubic(IMG, 2, 3, align=True).astype(np.float32),
               rtol=1e-5, atol=1e-5, name="align-down"),
        OpCase("ResizeArea", _resize(image.resize_area, [2, 3]), [IMG],
               expected=ref.area(IMG, 2, 3).astype(np.float32), rtol=1e-5, name="down"),
        OpCase("ResizeArea", _resize(image.resize_area, [5, 7]), [IMG],
               expected=ref.area(IMG, 5, 7).astype(np.float32), rtol=1e-5, name="up"),
        OpCase("ResizeArea", _resize(image.resize_area, [2, 2]),
               [np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)],
               expected=np.float32([2.5, 4.5, 10.5, 12.5]).reshape(1, 2, 2, 1),
               name="literal"),
        OpCase("ResizeArea", _resize(image.resize_area, [2, 3], align_corners=True), [U8],
               expected=ref.area(U8, 2, 3, align=True).astype(np.float32), rtol=1e-5,
               name="align-uint8"),
    ]


def _cases_resize_grads():
    return [
        OpCase("ResizeBilinearGrad", _grad_op(ResizeBilinearGrad), [DY_5x7, IMG],
               expected=ref.adjoint(lambda u: ref.bilinear(u, 5, 7), IMG.shape, DY_5x7)
               .astype(np.float32), rtol=1e-5, atol=1e-6),
        OpCase("ResizeBilinearGrad", _grad_op(ResizeBilinearGrad, half_pixel_centers=True),
               [DY_2x3, IMG],
               expected=ref.adjoint(lambda u: ref.bilinear(u, 2, 3, half=True), IMG.shape,
                                    DY_2x3).astype(np.float32), rtol=1e-5, atol=1e-6,
               name="half-pixel-down"),
        OpCase("ResizeBicubicGrad", _grad_op(ResizeBicubicGrad, align_corners=True),
               [DY_5x7, IMG],
               expected=ref.adjoint(lambda u: ref.bicubic(u, 5, 7, align=True), IMG.shape,
                                    DY_5x7).astype(np.float32), rtol=1e-5, atol=1e-5),
        OpCase("ResizeBicubicGrad", _grad_op(ResizeBicubicGrad, half_pixel_centers=True),
               [DY_2x3, IMG],
               expected=ref.adjoint(lambda u: ref.bicubic(u, 2, 3, half=True), IMG.shape,
                                    DY_2x3).astype(np.float32), rtol=1e-5, atol=1e-5,
               name="half-pixel-down"),
        OpCase("ResizeNearestNeighborGrad",
               lambda dy: apply_op(ResizeNearestNeighborGrad(), [dy, fg.constant([3, 4])]),
               [DY_5x7],
               expected=ref.adjoint(lambda u: ref.nearest(u, 5, 7), IMG.shape, DY_5x7)
               .astype(np.float32), rtol=1e-5, atol=1e-6),
        OpCase("ResizeNearestNeighborGrad",
               lambda dy, s: apply_op(ResizeNearestNeighborGrad(align_corners=True), [dy, s]),
               [DY_2x3, np.int32([3, 4])],
               expected=ref.adjoint(lambda u: ref.nearest(u, 2, 3, align=True), IMG.shape,
                                    DY_2x3).astype(np.float32), rtol=1e-5, atol=1e-6,
               name="align-size-input"),
    ]


def _cases_transform():
    dy = _rng.uniform(-1, 1, (2, 3, 4, 2)).astype(np.float32)
    return [
        OpCase("ImageProjectiveTransformV2", _transform("NEAREST", ROTATE), [IMG],
               expected=ref.projective(IMG, ROTATE, "NEAREST").astype(np.float32),
               name="rotate-nearest"),
        OpCase("ImageProjectiveTransformV2", _transform("BILINEAR", TWO), [IMG],
               expected=ref.projective(IMG, TWO, "BILINEAR").astype(np.float32), rtol=1e-5,
               atol=1e-6, name="per-image-bilinear"),
        OpCase("ImageProjectiveTransformV2", _transform("BILINEAR", ROTATE, (2, 5)), [IMG],
               expected=ref.projective(IMG, ROTATE, "BILINEAR", (2, 5)).astype(np.float32),
               rtol=1e-5, atol=1e-6, name="output-shape"),
        OpCase("ImageProjectiveTransformV2", _transform("BILINEAR", TWO[:1]), [I32],
               expected=np.trunc(ref.projective(I32, TWO[:1], "BILINEAR")).astype(np.int32),
               name="int32-truncates"),
        OpCase("ImageProjectiveTransformV2Grad", _transform_grad("NEAREST", ROTATE), [dy],
               expected=ref.adjoint(lambda u: ref.projective(u, ROTATE, "NEAREST"),
                                    IMG.shape, dy).astype(np.float32), rtol=1e-5, atol=1e-6),
        OpCase("ImageProjectiveTransformV2Grad", _transform_grad("BILINEAR", TWO), [dy],
               expected=ref.adjoint(lambda u: ref.projective(u, TWO, "BILINEAR"),
                                    IMG.shape, dy).astype(np.float32), rtol=1e-5, atol=1e-6,
               name="bilinear"),
    ]


def _cases_rot90():
    quad = np.array([[[1], [2]], [[3], [4]]], np.int32)
    return [
        OpCase("Rot90", lambda x: apply_op(Rot90(), [x, fg.constant(1)]), [quad],
               expected=np.array([[[2], [4]], [[1], [3]]], np.int32), name="literal"),
        OpCase("Rot90", lambda x: apply_op(Rot90(), [x, fg.constant(3)]), [IMG],
               expected=np.rot90(IMG, 3, axes=(1, 2)), name="batch-k3"),
        OpCase("Rot90", lambda x, k: apply_op(Rot90(), [x, k]), [IMG[0], np.int32(-2)],
               expected=IMG[0, ::-1, ::-1], name="dynamic-k"),
        OpCase("Rot90", lambda x: apply_op(Rot90(), [x, fg.constant(5)]), [IMG[1]],
               expected=np.rot90(IMG[1], 1), name="k5"),
    ]


def _cases_color():
    image = fg.image
    return [
        OpCase("RGBToHSV", image.rgb_to_hsv, [RGB], expected=ref.rgb_to_hsv(RGB), rtol=1e-5,
               atol=1e-6),
        OpCase("RGBToHSV", image.rgb_to_hsv, [RGB.astype(np.float64)],
               expected=ref.rgb_to_hsv(RGB), rtol=1e-12, atol=1e-12, name="float64"),
        OpCase("HSVToRGB", image.hsv_to_rgb, [HSV], expected=ref.hsv_to_rgb(HSV), rtol=1e-5,
               atol=1e-6),
        OpCase("HSVToRGB", lambda x: image.hsv_to_rgb(image.rgb_to_hsv(x)), [RGB],
               expected=RGB, rtol=1e-5, atol=1e-6, name="round-trip"),
        OpCase("AdjustHue", lambda x: apply_op(AdjustHue(), [x, fg.constant(0.3)]),
               [RGB.reshape(1, 2, 3, 3)], expected=ref.adjust_hue(RGB, 0.3).reshape(1, 2, 3, 3),
               rtol=1e-5, atol=1e-6),
        OpCase("AdjustHue", lambda x, d: apply_op(AdjustHue(), [x, d]),
               [RGB, np.float32(-0.45)], expected=ref.adjust_hue(RGB, -0.45), rtol=1e-5,
               atol=1e-6, name="negative"),
        OpCase("AdjustSaturation", lambda x: apply_op(AdjustSaturation(),
                                                      [x, fg.constant(0.4)]),
               [RGB], expected=ref.adjust_saturation(RGB, 0.4), rtol=1e-5, atol=1e-6),
        OpCase("AdjustSaturation", lambda x, f: apply_op(AdjustSaturation(), [x, f]),
               [RGB, np.float32(3.0)], expected=ref.adjust_saturation(RGB, 3.0), rtol=1e-5,
               atol=1e-6, name="clipped"),
        OpCase("AdjustContrastv2", lambda x, f: apply_op(AdjustContrastv2(), [x, f]),
               [IMG, np.float32(1.7)], expected=_contrast(IMG, 1.7).astype(np.float32),
               rtol=1e-5, atol=1e-6),
        OpCase("AdjustContrastv2", lambda x, f: apply_op(AdjustContrastv2(), [x, f]),
               [RGB, np.float32(0.25)], expected=_contrast(RGB, 0.25).astype(np.float32),
               rtol=1e-5, atol=1e-6, name="single-image"),
    ]


CASES = _cases_resize() + _cases_resize_grads() + _cases_transform() + _cases_rot90() + \
    _cases_color()
