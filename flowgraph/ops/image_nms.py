"""More box ops of tf.image, as TF1: NonMaxSuppressionV5 (scores, soft NMS, padding; behind
non_max_suppression_with_scores and non_max_suppression_padded),
NonMaxSuppressionWithOverlaps, CombinedNonMaxSuppression and ExtractGlimpse. Boxes are
[y_min, x_min, y_max, x_max] (either corner order)."""

from __future__ import annotations

import heapq
from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.image_boxes import _iou
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # exported as fg.image.* (flowgraph.image)


def greedy_nms(similarity: Callable[[int, int], float], scores: np.ndarray, max_output: int,
               threshold: float, score_threshold: float, soft_sigma: float = 0.0) -> tuple:
    """(selected indices, their scores) by TF1's DoNonMaxSuppressionOp: candidates by
    decreasing score (ties: lower index first); hard NMS drops a candidate whose similarity
    to a selected box exceeds `threshold`; soft NMS (sigma > 0) decays its score by
    exp(-0.5 * sim^2 / sigma) and re-queues it."""
    soft = soft_sigma > 0
    scale = -0.5 / soft_sigma if soft else 0.0
    heap = [(-float(s), i, 0) for i, s in enumerate(scores) if s > score_threshold]
    heapq.heapify(heap)
    selected: list = []
    selected_scores: list = []
    while len(selected) < max_output and heap:
        neg, index, begin = heapq.heappop(heap)
        score = original = -neg
        hard = False
        for j in range(len(selected) - 1, begin - 1, -1):
            sim = similarity(index, selected[j])
            if soft or sim <= threshold:
                score *= float(np.exp(scale * sim * sim))
            else:
                score = 0.0
            if not soft and sim > threshold:
                hard = True
                break
            if score <= score_threshold:
                break
        if hard:
            continue
        if score == original:
            selected.append(index)
            selected_scores.append(score)
        elif score > score_threshold:
            heapq.heappush(heap, (-score, index, len(selected)))
    return selected, selected_scores


def _box_similarity(boxes: np.ndarray) -> Callable[[int, int], float]:
    return lambda i, j: float(_iou(boxes[i], boxes[j:j + 1])[0])


def _check_max(value: Any) -> int:
    size = int(value)
    if size < 0:
        raise errors.InvalidArgumentError(None, None, f"max_output_size must be non-negative, "
                                          f"got {size}")
    return size


@register
class NonMaxSuppressionV5(Op):
    """Greedy (or soft, with soft_nms_sigma > 0) NMS: the selected indices (int32), their
    (decayed) scores and how many are valid; with pad_to_max_output_size both are padded
    with zeros to max_output_size."""

    pad_to_max_output_size: bool = False

    differentiable = False

    def infer(self, op):
        boxes, scores = op.inputs[:2]
        boxes.shape.with_rank(2)
        scores.shape.with_rank(1)
        from flowgraph.ops.registry import constant_value
        size = constant_value(op.inputs[2]) if self.pad_to_max_output_size else None
        count = None if size is None else int(size)
        return [(dtypes.int32, TensorShape([count])), (scores.dtype, TensorShape([count])),
                (dtypes.int32, TensorShape([]))]

    def kernel(self, boxes, scores, max_output_size, iou_threshold, score_threshold,
               soft_nms_sigma):
        size = _check_max(max_output_size)
        if not 0 <= float(iou_threshold) <= 1:
            raise errors.InvalidArgumentError(None, None, "iou_threshold must be in [0, 1]")
        if float(soft_nms_sigma) < 0:
            raise errors.InvalidArgumentError(None, None, "soft_nms_sigma must be >= 0")
        picked, picked_scores = greedy_nms(_box_similarity(boxes), scores, size,
                                           float(iou_threshold), float(score_threshold),
                                           float(soft_nms_sigma))
        valid = len(picked)
        if self.pad_to_max_output_size:
            picked = picked + [0] * (size - valid)
            picked_scores = picked_scores + [0.0] * (size - valid)
        return (np.array(picked, dtype=np.int32), np.array(picked_scores, dtype=scores.dtype),
                np.array(valid, dtype=np.int32))


@register
class NonMaxSuppressionWithOverlaps(Op):
    """Greedy NMS given the pairwise overlaps [n, n] instead of boxes: drops each candidate
    whose overlap with a selected one exceeds overlap_threshold."""

    differentiable = False

    def infer(self, op):
        op.inputs[0].shape.with_rank(2)
        op.inputs[1].shape.with_rank(1)
        return [(dtypes.int32, TensorShape([None]))]

    def kernel(self, overlaps, scores, max_output_size, overlap_threshold, score_threshold):
        picked, _ = greedy_nms(lambda i, j: float(overlaps[i, j]), scores,
                               _check_max(max_output_size), float(overlap_threshold),
                               float(score_threshold))
        return np.array(picked, dtype=np.int32)


@register
class CombinedNonMaxSuppression(Op):
    """Per image, NMS for every class separately, then the best max_total_size detections
    over all classes: boxes [batch, n, q, 4] (q 1 or the number of classes), scores
    [batch, n, classes]; outputs nmsed boxes, scores, classes (float) and the number of
    valid detections per image."""

    pad_per_class: bool = False
    clip_boxes: bool = True

    differentiable = False

    def _detections(self, per_class: int, total: int, classes: Optional[int]) -> Optional[int]:
        if not self.pad_per_class:
            return total
        if classes is None:
            return None
        return min(total, per_class * classes)

    def infer(self, op):
        from flowgraph.ops.registry import constant_value
        boxes, scores = op.inputs[:2]
        boxes.shape.with_rank(4)
        dims = scores.shape.with_rank(3).as_tuple()
        per_class, total = (constant_value(t) for t in op.inputs[2:4])
        count = None
        if per_class is not None and total is not None:
            count = self._detections(int(per_class), int(total), dims[2])
        batch = dims[0]
        return [(dtypes.float32, TensorShape([batch, count, 4])),
                (dtypes.float32, TensorShape([batch, count])),
                (dtypes.float32, TensorShape([batch, count])),
                (dtypes.int32, TensorShape([batch]))]

    def kernel(self, boxes, scores, max_output_size_per_class, max_total_size, iou_threshold,
               score_threshold):
        per_class, total = int(max_output_size_per_class), int(max_total_size)
        if per_class <= 0 or total <= 0:
            raise errors.InvalidArgumentError(None, None, "max_output_size_per_class and "
                                              "max_total_size must be > 0")
        batch, count, q, _ = boxes.shape
        classes = scores.shape[2]
        if q not in (1, classes):
            raise errors.InvalidArgumentError(None, None, f"third dimension of boxes must be "
                                              f"either 1 or num classes ({classes}), got {q}")
        detections = self._detections(per_class, total, classes)
        out_boxes = np.zeros((batch, detections, 4), np.float32)
        out_scores = np.zeros((batch, detections), np.float32)
        out_classes = np.zeros((batch, detections), np.float32)
        valid = np.zeros((batch,), np.int32)
        for b in range(batch):
            found = []
            for c in range(classes):
                class_boxes = boxes[b, :, c if q > 1 else 0, :]
                picked, picked_scores = greedy_nms(
                    _box_similarity(class_boxes), scores[b, :, c], per_class,
                    float(iou_threshold), float(score_threshold))
                found += [(s, c, class_boxes[i]) for i, s in zip(picked, picked_scores)]
            found.sort(key=lambda item: -item[0])  # stable: ties keep class order
            found = found[:detections]
            valid[b] = len(found)
            for k, (s, c, box) in enumerate(found):
                out_boxes[b, k] = np.clip(box, 0.0, 1.0) if self.clip_boxes else box
                out_scores[b, k] = s
                out_classes[b, k] = c
        return out_boxes, out_scores, out_classes, valid


def _nms_inputs(boxes: Any, scores: Any, max_output_size: Any, iou_threshold: Any,
                score_threshold: Any) -> list:
    return [convert_to_tensor(boxes, dtype=dtypes.float32),
            convert_to_tensor(scores, dtype=dtypes.float32),
            convert_to_tensor(max_output_size, dtype=dtypes.int32),
            convert_to_tensor(iou_threshold, dtype=dtypes.float32),
            convert_to_tensor(score_threshold, dtype=dtypes.float32)]


def non_max_suppression_with_scores(boxes: Any, scores: Any, max_output_size: Any,
                                    iou_threshold: float = 0.5,
                                    score_threshold: float = float("-inf"),
                                    soft_nms_sigma: float = 0.0,
                                    name: Optional[str] = None) -> tuple:
    """(selected indices, their scores) of greedy NMS; with `soft_nms_sigma` > 0, soft NMS
    (overlapping boxes' scores decay instead of being dropped)."""
    from flowgraph.ops.elementwise import op_scope
    with op_scope(name, "non_max_suppression_with_scores", [boxes, scores]):
        inputs = _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold)
        inputs.append(convert_to_tensor(soft_nms_sigma, dtype=dtypes.float32))
        indices, selected_scores, _ = apply_op(NonMaxSuppressionV5(), inputs)
        return indices, selected_scores


def non_max_suppression_padded(boxes: Any, scores: Any, max_output_size: Any,
                               iou_threshold: float = 0.5,
                               score_threshold: float = float("-inf"),
                               pad_to_max_output_size: bool = False,
                               name: Optional[str] = None) -> tuple:
    """(selected indices, number valid) of greedy NMS; with `pad_to_max_output_size` the
    indices are padded with zeros to `max_output_size`."""
    from flowgraph.ops.elementwise import op_scope
    with op_scope(name, "non_max_suppression_padded", [boxes, scores]):
        inputs = _nms_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold)
        inputs.append(convert_to_tensor(0.0, dtype=dtypes.float32))
        op_def = NonMaxSuppressionV5(pad_to_max_output_size=bool(pad_to_max_output_size))
        indices, _, valid = apply_op(op_def, inputs)
        return indices, valid


def non_max_suppression_overlaps(overlaps: Any, scores: Any, max_output_size: Any,
                                 overlap_threshold: float = 0.5,
                                 score_threshold: float = float("-inf"),
                                 name: Optional[str] = None) -> Tensor:
    """The indices (int32) kept by greedy NMS on precomputed pairwise overlaps [n, n]."""
    from flowgraph.ops.elementwise import op_scope
    with op_scope(name, "non_max_suppression_overlaps", [overlaps, scores]):
        inputs = _nms_inputs(overlaps, scores, max_output_size, overlap_threshold,
                             score_threshold)
        return apply_op(NonMaxSuppressionWithOverlaps(), inputs)


def combined_non_max_suppression(boxes: Any, scores: Any, max_output_size_per_class: Any,
                                 max_total_size: Any, iou_threshold: float = 0.5,
                                 score_threshold: float = float("-inf"),
                                 pad_per_class: bool = False, clip_boxes: bool = True,
                                 name: Optional[str] = None) -> tuple:
    """Per-class greedy NMS over a batch: (nmsed_boxes, nmsed_scores, nmsed_classes,
    valid_detections), padded with zeros to the number of detections."""
    from flowgraph.ops.elementwise import op_scope
    with op_scope(name, "combined_non_max_suppression", [boxes, scores]):
        inputs = [convert_to_tensor(boxes, dtype=dtypes.float32),
                  convert_to_tensor(scores, dtype=dtypes.float32),
                  convert_to_tensor(max_output_size_per_class, dtype=dtypes.int32),
                  convert_to_tensor(max_total_size, dtype=dtypes.int32),
                  convert_to_tensor(iou_threshold, dtype=dtypes.float32),
                  convert_to_tensor(score_threshold, dtype=dtypes.float32)]
        op_def = CombinedNonMaxSuppression(pad_per_class=bool(pad_per_class),
                                           clip_boxes=bool(clip_boxes))
        return tuple(apply_op(op_def, inputs))


@register
class ExtractGlimpse(Op):
    """Windows of `size` [height, width] from each image [batch, H, W, C] at `offsets`
    [batch, 2] (y, x), as TF1's: with `normalized` the offsets are fractions of the image
    size; with `centered` they are measured from the image centre, halved (so [-1, 1]
    spans the image); the window's top-left is ``trunc(offset - size / 2)``. Cells outside
    the image are noise: uniform between the channel's min and max (`uniform_noise`), else
    Gaussian with its mean and deviation."""

    centered: bool = True
    normalized: bool = True
    uniform_noise: bool = True

    stateful = True  # the noise is random
    differentiable = False

    def infer(self, op):
        from flowgraph.ops.registry import constant_value
        images = op.inputs[0]
        dims = images.shape.with_rank(4).as_tuple()
        size = constant_value(op.inputs[1])
        height, width = (None, None) if size is None else (int(size[0]), int(size[1]))
        return [(images.dtype, TensorShape([dims[0], height, width, dims[3]]))]

    def kernel(self, images, size, offsets):
        height, width = (int(v) for v in np.asarray(size).reshape(-1))
        batch, rows, cols, channels = images.shape
        if offsets.shape != (batch, 2):
            raise errors.InvalidArgumentError(None, None, f"offsets must be [batch, 2] = "
                                              f"[{batch}, 2], got {list(offsets.shape)}")
        rng = np.random.default_rng()
        out = np.empty((batch, height, width, channels), dtype=images.dtype)
        for b in range(batch):
            image = images[b].astype(np.float64)
            low, high = image.min(axis=(0, 1)), image.max(axis=(0, 1))
            if self.uniform_noise:
                noise = rng.uniform(low, high, size=(height, width, channels))
            else:
                noise = rng.normal(image.mean(axis=(0, 1)), image.std(axis=(0, 1)),
                                   size=(height, width, channels))
            # float32 arithmetic, as TF1's kernel (0.7 * 10 is 7 there, not 6.99...)
            f32 = np.float32
            y, x = f32(offsets[b, 0]), f32(offsets[b, 1])
            if self.normalized:
                y, x = y * f32(rows), x * f32(cols)
            if self.centered:
                y = y / f32(2) + f32(rows / 2.0)
                x = x / f32(2) + f32(cols / 2.0)
            top = int(y - f32(height / 2.0))  # truncation toward zero, as TF1
            left = int(x - f32(width / 2.0))
            window = noise.astype(images.dtype)
            r0, r1 = max(top, 0), min(top + height, rows)
            c0, c1 = max(left, 0), min(left + width, cols)
            if r0 < r1 and c0 < c1:
                window[r0 - top:r1 - top, c0 - left:c1 - left] = images[b, r0:r1, c0:c1]
            out[b] = window
        return out


def extract_glimpse(input: Any, size: Any, offsets: Any, centered: bool = True,  # noqa: A002
                    normalized: bool = True, uniform_noise: bool = True,
                    name: Optional[str] = None) -> Tensor:
    """Glimpses of `size` [height, width] at `offsets` [batch, 2] (y, x) from a batch of
    images, as TF1's `tf.image.extract_glimpse` (see ExtractGlimpse for the offsets)."""
    op_def = ExtractGlimpse(centered=bool(centered), normalized=bool(normalized),
                            uniform_noise=bool(uniform_noise))
    return apply_op(op_def, [convert_to_tensor(input, dtype=dtypes.float32),
                             convert_to_tensor(size, dtype=dtypes.int32),
                             convert_to_tensor(offsets, dtype=dtypes.float32)],
                    name=name or "ExtractGlimpse")
