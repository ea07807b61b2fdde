"""fg.metrics against numbers and names taken from a real TensorFlow 1.x (tf.compat.v1) run
of the same code (hard-coded here)."""

import numpy as np
import pytest

import flowgraph as fg

SCORES = np.array([[-1.0858006, 0.639736, -0.38586333], [-0.7757624, 0.9957113, -1.9332048],
                   [0.24853063, -0.03124534, -0.13947396], [-0.19065598, 0.44863752, -0.9924298]],
                  np.float32)


def _updates(pairs):
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        return sess.run({k: u for k, (_, u) in pairs.items()})


def test_top_k_metrics_take_sparse_tensor_labels():
    with fg.Graph().as_default():
        pr = fg.constant(SCORES)
        full = fg.SparseTensor([[0, 0], [1, 0], [1, 1], [2, 0], [3, 0]],
                               fg.constant([0, 2, 1, 1, 2], fg.int64), [4, 3])
        # Row 2 has no label at all: the missing entries are not labels.
        gap = fg.SparseTensor([[0, 0], [1, 0], [1, 1], [3, 0]],
                              fg.constant([0, 2, 1, 2], fg.int64), [4, 2])
        got = _updates({
            "rec2": fg.metrics.recall_at_k(full, pr, 2),
            "prec1": fg.metrics.precision_at_k(full, pr, 1),
            "ap2": fg.metrics.average_precision_at_k(full, pr, 2),
            "rec2_c1": fg.metrics.recall_at_k(full, pr, 2, class_id=1),
            "rec2_gap": fg.metrics.recall_at_k(gap, pr, 2),
            "prec2_gap": fg.metrics.precision_at_k(gap, pr, 2),
        })
    expected = {"rec2": 0.4, "prec1": 0.25, "ap2": 0.25, "rec2_c1": 1.0, "rec2_gap": 0.25,
                "prec2_gap": 0.125}
    assert got == pytest.approx(expected)


def test_dense_minus_one_labels_still_count_as_labels():
    # TF1 treats a dense -1 as a label that is never predicted (a false negative).
    with fg.Graph().as_default():
        labels = fg.constant([[0, -1], [2, 1], [-1, -1], [2, -1]], fg.int64)
        value, update = fg.metrics.recall_at_k(labels, fg.constant(SCORES), 2)
        with fg.Session() as sess:
            sess.run(fg.local_variables_initializer())
            assert sess.run(update) == pytest.approx(1 / 7)


def test_average_precision_variable_names():
    with fg.Graph().as_default():
        fg.metrics.average_precision_at_k(fg.constant([[0], [2]], fg.int64),
                                          fg.constant(SCORES[:2]), 2)
        names = [v.name for v in fg.get_collection(fg.GraphKeys.METRIC_VARIABLES)]
    assert names == ["average_precision_at_2/max_1:0", "average_precision_at_2/total:0"]


def test_mean_iou_value_is_a_v1_select():
    with fg.Graph().as_default():
        value, update = fg.metrics.mean_iou(fg.constant([0, 1, 2]), fg.constant([0, 1, 1]), 3)
        assert value.name == "mean_iou/Select_1:0"
        assert update.name == "mean_iou/AssignAdd:0"


def test_thresholds_that_are_not_a_list_raise_type_error():
    with fg.Graph().as_default():
        with pytest.raises(TypeError):
            fg.metrics.precision_at_thresholds(fg.constant([1, 0]), fg.constant([0.1, 0.2]),
                                               thresholds=0.5)
