"""Cases for image_boxes.py (literals checked against a real TF1 run)."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

BOXES = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11],
                  [0, 10.1, 1, 11.1], [0, 100, 1, 101]], np.float32)
SCORES = np.array([0.9, 0.75, 0.6, 0.95, 0.5, 0.3], np.float32)
YELLOW = np.array([1.0, 1.0, 0.0], np.float32)


def _drawn():
    out = np.zeros((1, 4, 4, 3), np.float32)
    for r, c in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        out[0, r, c] = YELLOW  # box (0, 0)-(1, 1): all four of its pixels are edges
    return out


CASES = [
    OpCase("NonMaxSuppressionV3",
           lambda b, s: fg.image.non_max_suppression(b, s, 3, iou_threshold=0.5),
           [BOXES, SCORES], expected=np.array([3, 0, 5], np.int32)),
    OpCase("DrawBoundingBoxesV2",
           lambda i, b: fg.image.draw_bounding_boxes(i, b),
           [np.zeros((1, 4, 4, 3), np.float32), np.array([[[0.0, 0.0, 0.4, 0.4]]], np.float32)],
           expected=_drawn()),
]


def _check_sample(outputs, inputs):
    begin, size, box = outputs
    height, width = 20, 30
    y, x, _ = begin
    h, w, depth = size
    assert depth == -1 and begin[2] == 0
    assert 0 <= y and y + h <= height and 0 <= x and x + w <= width
    assert 0.05 * 600 <= h * w <= 600 and 0.75 <= w / h <= 1.34 + 1 / h
    np.testing.assert_allclose(box[0, 0], [y / height, x / width, (y + h) / height,
                                           (x + w) / width], rtol=1e-6)
    # the crop covers at least half of the box [2, 6, 12, 27] (pixels)
    inter = max(min(12, y + h) - max(2, y), 0) * max(min(27, x + w) - max(6, x), 0)
    assert inter / (10 * 21) >= 0.5


CASES.append(OpCase(
    "SampleDistortedBoundingBoxV2",
    lambda boxes: list(fg.image.sample_distorted_bounding_box(
        fg.constant([20, 30, 3]), boxes, min_object_covered=0.5, seed=1)),
    [np.array([[[0.1, 0.2, 0.6, 0.9]]], np.float32)], check=_check_sample))
