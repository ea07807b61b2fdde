"""Bounding-box ops of tf.image: non_max_suppression (NonMaxSuppressionV3) and
draw_bounding_boxes (DrawBoundingBoxesV2). Boxes are [y_min, x_min, y_max, x_max],
normalized to [0, 1] for drawing; either corner order is accepted, as TF1."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.random import RandomOp
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # exported as fg.image.* (flowgraph.image.boxes)

# TF1's default colours for draw_bounding_boxes (RGBA), cycled through.
_COLORS = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1],
                    [0.5, 0, 0.5, 1], [0.5, 0.5, 0, 1], [0.5, 0, 0, 1], [0, 0, 0.5, 1],
                    [0, 1, 1, 1], [1, 0, 1, 1]], np.float32)


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    y1, x1 = np.minimum(box[0], box[2]), np.minimum(box[1], box[3])
    y2, x2 = np.maximum(box[0], box[2]), np.maximum(box[1], box[3])
    oy1, ox1 = np.minimum(others[:, 0], others[:, 2]), np.minimum(others[:, 1], others[:, 3])
    oy2, ox2 = np.maximum(others[:, 0], others[:, 2]), np.maximum(others[:, 1], others[:, 3])
    area = (y2 - y1) * (x2 - x1)
    areas = (oy2 - oy1) * (ox2 - ox1)
    inter = np.maximum(np.minimum(y2, oy2) - np.maximum(y1, oy1), 0) * \
        np.maximum(np.minimum(x2, ox2) - np.maximum(x1, ox1), 0)
    union = area + areas - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


@register
class NonMaxSuppressionV3(Op):
    """Indices of at most max_output_size boxes, by decreasing score, dropping each box that
    overlaps (IoU > iou_threshold) an already selected one, and boxes scoring at or below
    score_threshold."""

    differentiable = False

    def infer(self, op):
        boxes, scores = op.inputs[:2]
        boxes.shape.with_rank(2)
        scores.shape.with_rank(1)
        return [(dtypes.int32, TensorShape([None]))]

    def kernel(self, boxes, scores, max_output_size, iou_threshold, score_threshold):
        order = np.argsort(-scores, kind="stable")
        order = order[scores[order] > score_threshold]
        selected: list = []
        for index in order:
            if len(selected) >= int(max_output_size):
                break
            if selected and np.any(_iou(boxes[index], boxes[selected]) > iou_threshold):
                continue
            selected.append(int(index))
        return np.array(selected, dtype=np.int32)


@register
class DrawBoundingBoxesV2(Op):
    """The images with the outlines of their boxes ([batch, num_boxes, 4], normalized) drawn
    one pixel wide in `colors` (cycled; TF1's palette by default)."""

    differentiable = False

    def infer(self, op):
        images = op.inputs[0]
        images.shape.with_rank(4)
        return [(images.dtype, images.shape)]

    def kernel(self, images, boxes, colors):
        # As TF1's kernel: corners truncated to pixels, boxes with inverted corners skipped,
        # each edge drawn only when it lies inside the image.
        out = np.array(images, copy=True)
        _, height, width, depth = out.shape
        palette = np.array(colors if colors.size else _COLORS, dtype=np.float32)
        if not colors.size and depth == 1:
            palette[:, 0] = 1.0
        for b in range(out.shape[0]):
            for i, box in enumerate(boxes[b]):
                top, left = int(box[0] * (height - 1)), int(box[1] * (width - 1))
                bottom, right = int(box[2] * (height - 1)), int(box[3] * (width - 1))
                if top > bottom or left > right:
                    continue
                if top >= height or bottom < 0 or left >= width or right < 0:
                    continue
                value = palette[i % len(palette)][:depth].astype(out.dtype)
                rows = slice(max(top, 0), min(bottom, height - 1) + 1)
                cols = slice(max(left, 0), min(right, width - 1) + 1)
                if top >= 0:
                    out[b, top, cols] = value
                if bottom < height:
                    out[b, bottom, cols] = value
                if left >= 0:
                    out[b, rows, left] = value
                if right < width:
                    out[b, rows, right] = value
        return out


def non_max_suppression(boxes: Any, scores: Any, max_output_size: Any,
                        iou_threshold: float = 0.5, score_threshold: float = float("-inf"),
                        name: Optional[str] = None) -> Tensor:
    """The indices (int32) of the boxes kept by greedy non-maximum suppression."""
    from flowgraph.ops.elementwise import op_scope
    with op_scope(name, "non_max_suppression", [boxes, scores]):
        boxes = convert_to_tensor(boxes, dtype=dtypes.float32)
        scores = convert_to_tensor(scores, dtype=dtypes.float32)
        inputs = [boxes, scores, convert_to_tensor(max_output_size, dtype=dtypes.int32),
                  convert_to_tensor(iou_threshold, dtype=dtypes.float32),
                  convert_to_tensor(score_threshold, dtype=dtypes.float32)]
        return apply_op(NonMaxSuppressionV3(), inputs)


def draw_bounding_boxes(images: Any, boxes: Any, name: Optional[str] = None,
                        colors: Any = None) -> Tensor:
    """The images with their boxes drawn (TF1's palette unless `colors` [n, 4] is given)."""
    images = convert_to_tensor(images)
    boxes = convert_to_tensor(boxes, dtype=dtypes.float32)
    colors = convert_to_tensor(np.zeros((0, 4), np.float32) if colors is None else colors,
                               dtype=dtypes.float32)
    return apply_op(DrawBoundingBoxesV2(), [images, boxes, colors],
                    name=name or "DrawBoundingBoxes")


@dataclasses.dataclass(frozen=True, kw_only=True)
class _SampleBoxBase(RandomOp):
    aspect_ratio_range: tuple = (0.75, 1.33)
    area_range: tuple = (0.05, 1.0)
    max_attempts: int = 100
    use_image_if_no_bounding_boxes: bool = False
    differentiable = False


@register
class SampleDistortedBoundingBoxV2(_SampleBoxBase):
    """A random crop of an image (for data augmentation), as TF1's kernel: up to
    max_attempts crops of a random aspect ratio and area are drawn until one covers at
    least min_object_covered of one of the bounding boxes (the whole image if none does).
    Outputs begin [y, x, 0], size [h, w, -1] (for tf.slice) and the crop as a box
    [1, 1, 4]."""

    def infer(self, op):
        size = op.inputs[0]
        return [(size.dtype, TensorShape([3])), (size.dtype, TensorShape([3])),
                (dtypes.float32, TensorShape([1, 1, 4]))]

    def kernel(self, ctx, image_size, boxes, min_object_covered):
        height, width = int(image_size[0]), int(image_size[1])
        rng = self.generator(ctx)
        pixel_boxes = [(b[0] * height, b[1] * width, b[2] * height, b[3] * width)
                       for b in np.asarray(boxes, np.float64).reshape(-1, 4)]
        if not pixel_boxes:
            if not self.use_image_if_no_bounding_boxes:
                raise errors.InvalidArgumentError(
                    None, None, "No bounding boxes provided as input. One must enable "
                    "use_image_if_no_bounding_boxes if you wish to not provide any bounding "
                    "boxes.")
            pixel_boxes = [(0.0, 0.0, float(height), float(width))]
        low_area = self.area_range[0] * height * width
        high_area = self.area_range[1] * height * width
        crop = None
        for _ in range(self.max_attempts):
            ratio = rng.random() * (self.aspect_ratio_range[1] - self.aspect_ratio_range[0]) \
                + self.aspect_ratio_range[0]
            candidate = _random_crop(rng, width, height, low_area, high_area, ratio)
            if candidate is not None and _covers(candidate, pixel_boxes,
                                                 float(min_object_covered)):
                crop = candidate
                break
        y, x, h, w = crop if crop is not None else (0, 0, height, width)
        dtype = image_size.dtype
        begin = np.array([y, x, 0], dtype)
        size = np.array([h, w, -1], dtype)
        box = np.array([[[y / height, x / width, (y + h) / height, (x + w) / width]]],
                       np.float32)
        return begin, size, box


def _random_crop(rng, width: int, height: int, low_area: float, high_area: float,
                 ratio: float) -> Optional[tuple]:
    """TF1's GenerateRandomCrop: (y, x, h, w) or None."""
    h = int(round(float(np.sqrt(low_area / ratio))))
    max_h = int(round(float(np.sqrt(high_area / ratio))))
    if round(max_h * ratio) > width:
        max_h = int((width + 0.5 - 1e-7) / ratio)
    max_h = min(max_h, height)
    h = min(h, max_h)
    if h < max_h:
        h += int(rng.integers(max_h - h + 1))
    w = int(round(h * ratio))
    area = w * h
    if area < low_area:
        h += 1
        w = int(round(h * ratio))
        area = w * h
    if area > high_area:
        h -= 1
        w = int(round(h * ratio))
        area = w * h
    if area < low_area or area > high_area or w > width or h > height or w <= 0 or h <= 0:
        return None
    y = int(rng.integers(height - h)) if h < height else 0
    x = int(rng.integers(width - w)) if w < width else 0
    return y, x, h, w


def _covers(crop: tuple, boxes: list, minimum: float) -> bool:
    y, x, h, w = crop
    for top, left, bottom, right in boxes:
        area = (bottom - top) * (right - left)
        if area <= 0:
            continue
        inter = max(min(bottom, y + h) - max(top, y), 0) * max(min(right, x + w) - max(left, x),
                                                              0)
        if inter / area >= minimum:
            return True
    return False


def sample_distorted_bounding_box(image_size: Any, bounding_boxes: Any, seed: Optional[int] = None,
                                  seed2: Optional[int] = None, min_object_covered: Any = 0.1,
                                  aspect_ratio_range: Any = None, area_range: Any = None,
                                  max_attempts: Optional[int] = None,
                                  use_image_if_no_bounding_boxes: Optional[bool] = None,
                                  name: Optional[str] = None) -> tuple:
    """(begin, size, bboxes): a random crop for data augmentation (see
    SampleDistortedBoundingBoxV2); slice the image with tf.slice(image, begin, size)."""
    from flowgraph.ops.random import get_seed
    from flowgraph.ops.registry import apply_op as _apply
    image_size = convert_to_tensor(image_size)
    seed1, seed_b = get_seed(seed) if seed2 is None else (seed, seed2)
    op = SampleDistortedBoundingBoxV2(
        seed=seed1, seed2=seed_b,
        aspect_ratio_range=tuple(float(v) for v in (aspect_ratio_range or (0.75, 1.33))),
        area_range=tuple(float(v) for v in (area_range or (0.05, 1.0))),
        max_attempts=int(max_attempts or 100),
        use_image_if_no_bounding_boxes=bool(use_image_if_no_bounding_boxes))
    begin, size, boxes = _apply(op, [image_size,
                                     convert_to_tensor(bounding_boxes, dtype=dtypes.float32),
                                     convert_to_tensor(min_object_covered,
                                                       dtype=dtypes.float32)],
                                name=name or "sample_distorted_bounding_box")
    return begin, size, boxes
