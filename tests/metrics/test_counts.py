"""fg.metrics counts, precision and recall, against hand counts over several batches."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import metrics

BATCHES = [
    (np.array([1, 0, 1, 1, 0]), np.array([1, 1, 0, 1, 0]), np.float32([1, 2, 3, 4, 5])),
    (np.array([0, 0, 1]), np.array([0, 1, 1]), np.float32([0.5, 1.5, 2.0])),
]


def _counts(weighted):
    tp = fp = tn = fn = 0.0
    for y, p, w in BATCHES:
        for yi, pi, wi in zip(y, p, w if weighted else np.ones_like(w)):
            tp += wi * (yi and pi)
            fp += wi * (not yi and pi)
            tn += wi * (not yi and not pi)
            fn += wi * (yi and not pi)
    return tp, fp, tn, fn


@pytest.mark.parametrize("weighted", [False, True])
def test_counts_precision_recall(weighted):
    labels = fg.placeholder(fg.int64, [None])
    preds = fg.placeholder(fg.int64, [None])
    weights = fg.placeholder(fg.float32, [None]) if weighted else None
    fns = [metrics.true_positives, metrics.false_positives, metrics.true_negatives,
           metrics.false_negatives, metrics.precision, metrics.recall]
    pairs = [fn(labels, preds, weights=weights) for fn in fns]
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        for y, p, w in BATCHES:
            feed = {labels: y, preds: p}
            if weighted:
                feed[weights] = w
            sess.run([u for _, u in pairs], feed)
        got = sess.run([v for v, _ in pairs])
    tp, fp, tn, fn = _counts(weighted)
    np.testing.assert_allclose(got, [tp, fp, tn, fn, tp / (tp + fp), tp / (tp + fn)],
                               rtol=1e-6)


def test_variable_names_as_tf1():
    labels, preds = fg.constant([True, False]), fg.constant([True, True])
    metrics.precision(labels, preds)
    metrics.recall(labels, preds)
    metrics.true_negatives(labels, preds)
    assert [v.op.name for v in fg.local_variables()] == [
        "precision/true_positives/count", "precision/false_positives/count",
        "recall/true_positives/count", "recall/false_negatives/count",
        "true_negatives/count"]


def test_precision_is_zero_without_positive_predictions():
    value, update = metrics.precision(fg.constant([1, 0]), fg.constant([0, 0]))
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        assert sess.run(update) == 0.0 and sess.run(value) == 0.0


def test_update_op_value_matches_value_after_update():
    value, update = metrics.recall(fg.constant([1, 1, 1, 0]), fg.constant([1, 0, 1, 1]))
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        assert sess.run(update) == pytest.approx(2 / 3)
        assert sess.run(update) == pytest.approx(2 / 3)  # same batch again: same ratio
        assert sess.run(value) == pytest.approx(2 / 3)
