"""fg.metrics per-class and top-k metrics, against hand computations."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import metrics


def _stream(pairs, feeds):
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        updates = [sess.run([u for _, u in pairs], feed) for feed in feeds]
        return updates, sess.run([v for v, _ in pairs])


def test_mean_per_class_accuracy():
    y = fg.placeholder(fg.int64, [None])
    p = fg.placeholder(fg.int64, [None])
    pair = metrics.mean_per_class_accuracy(y, p, num_classes=3)
    assert [v.op.name for v in fg.local_variables()] == ["mean_accuracy/total",
                                                         "mean_accuracy/count"]
    feeds = [{y: [0, 0, 1, 2], p: [0, 1, 1, 0]}, {y: [2, 2, 1], p: [2, 2, 0]}]
    updates, (final,) = _stream([pair], feeds)
    # class 0: 1/2 right, class 1: 1/2, class 2: 2/3
    assert final == pytest.approx(np.mean([0.5, 0.5, 2 / 3]))
    np.testing.assert_allclose(updates[1][0], [0.5, 0.5, 2 / 3], rtol=1e-6)


def test_mean_iou_and_confusion_matrix_update():
    y = fg.placeholder(fg.int64, [None])
    p = fg.placeholder(fg.int64, [None])
    w = fg.placeholder(fg.float32, [None])
    pair = metrics.mean_iou(y, p, num_classes=3, weights=w)
    assert fg.local_variables()[0].op.name == "mean_iou/total_confusion_matrix"
    feeds = [{y: [0, 0, 1, 1], p: [0, 1, 1, 1], w: [1, 1, 1, 2]}, {y: [0], p: [0], w: [3]}]
    updates, (final,) = _stream([pair], feeds)
    cm = np.zeros((3, 3))
    for feed in feeds:
        for a, b, c in zip(feed[y], feed[p], feed[w]):
            cm[a, b] += c
    np.testing.assert_allclose(updates[1][0], cm)
    ious = [cm[i, i] / (cm[i].sum() + cm[:, i].sum() - cm[i, i]) for i in (0, 1)]
    assert final == pytest.approx(np.mean(ious))  # class 2 never occurs: left out


def test_mean_iou_rejects_out_of_range_ids():
    value, update = metrics.mean_iou(fg.constant([0, 3]), fg.constant([0, 1]), num_classes=3)
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        with pytest.raises(fg.errors.InvalidArgumentError, match="out of bound"):
            sess.run(update)


SCORES = np.float32([[0.1, 0.5, 0.3, 0.1], [0.6, 0.1, 0.2, 0.1], [0.2, 0.2, 0.5, 0.1]])


def test_recall_and_precision_at_k_single_label():
    y = fg.placeholder(fg.int64, [None])
    scores = fg.placeholder(fg.float32, [None, 4])
    rec = metrics.recall_at_k(y, scores, k=2)
    prec = metrics.precision_at_k(y, scores, k=2)
    assert [v.op.name for v in fg.local_variables()] == [
        "recall_at_2/true_positive_at_2", "recall_at_2/false_negative_at_2",
        "precision_at_2/true_positive_at_2", "precision_at_2/false_positive_at_2"]
    # top-2 per row: {1, 2}, {0, 2}, {2, 0 or 1}; labels 2, 1, 2
    _, (r, p) = _stream([rec, prec], [{y: [2, 1, 2], scores: SCORES}])
    assert r == pytest.approx(2 / 3) and p == pytest.approx(2 / 6)


def test_recall_at_k_multilabel_class_id_and_weights():
    labels = np.int64([[1, 3], [0, 0], [2, -1]])  # duplicates count once; -1 is a miss
    y = fg.placeholder(fg.int64, [None, 2])
    scores = fg.placeholder(fg.float32, [None, 4])
    w = fg.placeholder(fg.float32, [None])
    rec = metrics.recall_at_k(y, scores, k=1, weights=w)
    rec2 = metrics.recall_at_k(y, scores, k=1, class_id=0)
    prec = metrics.precision_at_top_k(y, fg.constant([[1], [0], [0]]), k=1)
    _, (r, r2, p) = _stream([rec, rec2, prec], [{y: labels, scores: SCORES,
                                                 w: [1.0, 2.0, 3.0]}])
    # top-1: 1, 0, 2. rows: tp 1 fn 1 (w1); tp 1 fn 0 (w2); tp 1 fn 1 (w3)
    assert r == pytest.approx((1 + 2 + 3) / (1 + 2 + 3 + 1 + 3))
    assert r2 == pytest.approx(1.0)  # class 0 is only in row 1, and predicted there
    assert p == pytest.approx(2 / 3)
    assert "recall_at_1_class0/true_positive_at_1_class0" in [
        v.op.name for v in fg.local_variables()]


def test_average_precision_at_k():
    y = fg.placeholder(fg.int64, [None, 2])
    scores = fg.placeholder(fg.float32, [None, 4])
    pair = metrics.average_precision_at_k(y, scores, k=3)
    # TF1 names the max accumulator max_1 (its labels "Max" node comes first).
    assert {v.op.name for v in fg.local_variables()} == {"average_precision_at_3/max_1",
                                                         "average_precision_at_3/total"}
    labels = np.int64([[2, 0], [3, 7]])
    rows = np.float32([[0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4]])
    # row 0: ranking 0,1,2 -> hits at 1 and 3: (1/1 + 2/3) / 2
    # row 1: ranking 3,2,1 -> hit at 1; label 7 is out of range and ignored: 1 / 1
    _, (value,) = _stream([pair], [{y: labels, scores: rows}])
    assert value == pytest.approx(((1 + 2 / 3) / 2 + 1.0) / 2)
