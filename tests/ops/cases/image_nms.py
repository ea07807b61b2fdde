"""Cases for image_nms.py: NMS variants on boxes whose overlaps are worked out by hand."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

# Box 0 overlaps boxes 1 and 2 (IoU 0.9 / 1.1 = 0.818 each); box 3 overlaps box 4 the same
# way; box 5 stands alone. By score: 3, 0, 1, 2, 4, 5 -> kept 3, 0, 5.
BOXES = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11],
                  [0, 10.1, 1, 11.1], [0, 100, 1, 101]], np.float32)
SCORES = np.array([0.9, 0.75, 0.6, 0.95, 0.5, 0.3], np.float32)
# Soft NMS: IoU of these two is 0.5 / 1.5 = 1/3; sigma 0.5 -> weight exp(-0.5 * (1/9) / 0.5).
SOFT_BOXES = np.array([[0, 0, 1, 1], [0, 0.5, 1, 1.5]], np.float32)
OVERLAPS = np.array([[1, 0.8, 0.1], [0.8, 1, 0.2], [0.1, 0.2, 1]], np.float32)
# Combined: class 0 keeps box 0 (box 1 overlaps it, IoU 0.9); class 1 keeps boxes 1 and 2
# (IoU 0.2 / 1.7); box 2 is clipped to [0.5, 0.5, 1, 1].
C_BOXES = np.array([[[[0, 0, 1, 1]], [[0, 0, 1, 0.9]], [[0.5, 0.5, 1.5, 1.5]]]], np.float32)
C_SCORES = np.array([[[0.9, 0.2], [0.8, 0.7], [0.1, 0.6]]], np.float32)

GRID = np.arange(8 * 10, dtype=np.float32).reshape(1, 8, 10, 1)

CASES = [
    # centred, normalized (0.3, -0.25): top = trunc(0.3 * 8 / 2 + 4 - 1.5) = 3,
    # left = trunc(-0.25 * 10 / 2 + 5 - 2) = 1.
    OpCase("ExtractGlimpse", lambda g: fg.image.extract_glimpse(g, [3, 4], [[0.3, -0.25]]),
           [GRID], expected=GRID[:, 3:6, 1:5], partial_shapes=False),
    # neither: top = trunc(2.7 - 1.5) = 1, left = trunc(3.6 - 2) = 1
    OpCase("ExtractGlimpse",
           lambda g: fg.image.extract_glimpse(g, [3, 4], [[2.7, 3.6]], centered=False,
                                              normalized=False),
           [GRID], expected=GRID[:, 1:4, 1:5], partial_shapes=False, name="pixels"),
    OpCase("NonMaxSuppressionV5",
           lambda b, s: list(fg.image.non_max_suppression_with_scores(b, s, 4)),
           [BOXES, SCORES], expected=[np.int32([3, 0, 5]), np.float32([0.95, 0.9, 0.3])]),
    OpCase("NonMaxSuppressionV5",
           lambda b, s: list(fg.image.non_max_suppression_padded(
               b, s, 5, pad_to_max_output_size=True)),
           [BOXES, SCORES], expected=[np.int32([3, 0, 5, 0, 0]), np.int32(3)], name="padded"),
    OpCase("NonMaxSuppressionV5",
           lambda b, s: list(fg.image.non_max_suppression_with_scores(
               b, s, 2, iou_threshold=1.0, soft_nms_sigma=0.5)),
           [SOFT_BOXES, np.float32([0.9, 0.8])],
           expected=[np.int32([0, 1]), np.float32([0.9, 0.8 * np.exp(-1.0 / 9.0)])],
           name="soft"),
    OpCase("NonMaxSuppressionWithOverlaps",
           lambda o, s: fg.image.non_max_suppression_overlaps(o, s, 3),
           [OVERLAPS, np.float32([0.5, 0.9, 0.3])], expected=np.int32([1, 2])),
    OpCase("CombinedNonMaxSuppression",
           lambda b, s: list(fg.image.combined_non_max_suppression(
               b, s, 2, 3, iou_threshold=0.5, score_threshold=0.15)),
           [C_BOXES, C_SCORES],
           expected=[np.float32([[[0, 0, 1, 1], [0, 0, 1, 0.9], [0.5, 0.5, 1, 1]]]),
                     np.float32([[0.9, 0.7, 0.6]]), np.float32([[0, 1, 1]]), np.int32([3])]),
]
