"""tf.contrib.metrics: the streaming_* forms (predictions first) against numpy."""

import numpy as np
import pytest

import flowgraph as tf
from flowgraph.contrib import metrics as cm

PRED = np.array([0.1, 0.8, 0.4, 0.9, 0.3, 0.65])
LAB = np.array([0.0, 1.0, 1.0, 1.0, 0.0, 0.0])


def _stream(build, batches):
    """Runs update_op per batch; returns the value after the last batch."""
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(tf.float64, shape=[None]) for _ in batches[0]]
        value, update = build(*phs)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            for batch in batches:
                sess.run(update, dict(zip(phs, batch)))
            return sess.run(value)


def _halves(*arrays):
    return [tuple(a[:3] for a in arrays), tuple(a[3:] for a in arrays)]


def test_accuracy_takes_predictions_first():
    pred = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    lab = np.array([1.0, 0.0, 3.0, 4.0, 0.0, 0.0])
    w = np.array([1.0, 1.0, 2.0, 0.0, 1.0, 3.0])
    got = _stream(lambda p, lbl, wt: cm.streaming_accuracy(p, lbl, wt), _halves(pred, lab, w))
    np.testing.assert_allclose(got, np.sum(w * (pred == lab)) / np.sum(w))
    sig = list(__import__("inspect").signature(cm.streaming_accuracy).parameters)
    assert sig == ["predictions", "labels", "weights", "metrics_collections",
                   "updates_collections", "name"]


def test_mean_and_errors():
    got = _stream(lambda v: cm.streaming_mean(v), [(PRED[:2],), (PRED[2:],)])
    np.testing.assert_allclose(got, PRED.mean(), rtol=1e-6)
    d = PRED - LAB
    for fn, ref in [(cm.streaming_mean_squared_error, np.mean(d ** 2)),
                    (cm.streaming_mean_absolute_error, np.mean(np.abs(d))),
                    (cm.streaming_root_mean_squared_error, np.sqrt(np.mean(d ** 2)))]:
        got = _stream(lambda p, lbl, f=fn: f(p, lbl), _halves(PRED, LAB))
        np.testing.assert_allclose(got, ref, rtol=1e-6)


def test_precision_recall_counts():
    pred = (PRED > 0.5).astype(np.float64)
    tp = np.sum((pred == 1) & (LAB == 1))
    fp = np.sum((pred == 1) & (LAB == 0))
    fn = np.sum((pred == 0) & (LAB == 1))
    tn = np.sum((pred == 0) & (LAB == 0))
    cases = [(cm.streaming_precision, tp / (tp + fp)), (cm.streaming_recall, tp / (tp + fn)),
             (cm.streaming_true_positives, tp), (cm.streaming_false_positives, fp),
             (cm.streaming_false_negatives, fn), (cm.streaming_true_negatives, tn)]
    for fn_, ref in cases:
        got = _stream(lambda p, lbl, f=fn_: f(p, lbl), _halves(pred, LAB))
        np.testing.assert_allclose(got, ref, rtol=1e-6)


def _counts_np(pred, lab, thresholds):
    above = pred[None, :] > np.array(thresholds)[:, None]
    pos = lab[None, :] == 1
    return (np.sum(above & pos, 1), np.sum(above & ~pos, 1), np.sum(~above & pos, 1),
            np.sum(~above & ~pos, 1))


def test_auc_roc_trapezoidal():
    n = 200
    eps = 1e-7
    thresholds = [0.0 - eps] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1.0 + eps]
    tp, fp, fn, tn = _counts_np(PRED, LAB, thresholds)
    tpr = (tp + eps) / (tp + fn + eps)
    fpr = fp / (fp + tn + eps)
    ref = np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)
    got = _stream(lambda p, lbl: cm.streaming_auc(p, lbl), _halves(PRED, LAB))
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    # exact pairwise AUC of this data is 8/9; the bucketed estimate is close to it
    assert abs(got - 8 / 9) < 0.01


def test_f1_score_best_over_thresholds():
    n = 11
    eps = 1e-7
    thresholds = [0.0 - eps] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1.0 + eps]
    tp, fp, fn, _ = _counts_np(PRED, LAB, thresholds)
    p = tp / (eps + tp + fp)
    r = tp / (eps + tp + fn)
    ref = np.max(2 * p * r / (p + r + eps))
    got = _stream(lambda lbl, pr: cm.f1_score(lbl, pr, num_thresholds=n),
                  _halves(LAB, PRED))
    np.testing.assert_allclose(got, ref, rtol=1e-6)
    # threshold 0.3 (< 0.4) gives tp=3, fp=1, fn=0: f1 = 6/7
    np.testing.assert_allclose(got, 6 / 7, rtol=1e-5)
    with pytest.raises(ValueError, match="num_thresholds"):
        cm.f1_score(tf.constant([1.0]), tf.constant([0.5]), num_thresholds=1)


def test_percentage_less_and_thresholds():
    got = _stream(lambda v: cm.streaming_percentage_less(v, 0.5), [(PRED,)])
    np.testing.assert_allclose(got, np.mean(PRED < 0.5))
    got = _stream(lambda p, lbl: cm.streaming_precision_at_thresholds(p, lbl, [0.35, 0.7]),
                  _halves(PRED, LAB))
    tp, fp, _, _ = _counts_np(PRED, LAB, [0.35, 0.7])
    np.testing.assert_allclose(got, tp / (tp + fp), rtol=1e-6)
    got = _stream(lambda p, lbl: cm.streaming_recall_at_thresholds(p, lbl, [0.35, 0.7]),
                  _halves(PRED, LAB))
    tp, _, fn, _ = _counts_np(PRED, LAB, [0.35, 0.7])
    np.testing.assert_allclose(got, tp / (tp + fn), rtol=1e-6)


def test_mean_iou_predictions_first():
    pred = np.array([0.0, 1.0, 1.0, 2.0])
    lab = np.array([0.0, 1.0, 2.0, 2.0])
    g = tf.Graph()
    with g.as_default():
        value, update = cm.streaming_mean_iou(tf.constant(pred, tf.int64),
                                              tf.constant(lab, tf.int64), 3)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            sess.run(update)
            got = sess.run(value)
    # class 0: 1/1, class 1: 1/2, class 2: 1/2
    np.testing.assert_allclose(got, np.mean([1.0, 0.5, 0.5]), rtol=1e-6)


def test_aggregate_metrics_and_map():
    g = tf.Graph()
    with g.as_default():
        p = tf.constant(PRED)
        lbl = tf.constant(LAB)
        acc = cm.streaming_mean(p)
        mse = cm.streaming_mean_squared_error(p, lbl)
        values, updates = cm.aggregate_metrics(acc, mse)
        assert values == [acc[0], mse[0]] and updates == [acc[1], mse[1]]
        vmap, umap = cm.aggregate_metric_map({"mean": acc, "mse": mse})
        assert vmap == {"mean": acc[0], "mse": mse[0]}
        assert umap == {"mean": acc[1], "mse": mse[1]}
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            sess.run(list(umap.values()))
            np.testing.assert_allclose(sess.run(vmap["mse"]), np.mean((PRED - LAB) ** 2))
    with pytest.raises(ValueError, match="at least one"):
        cm.aggregate_metrics()
    with pytest.raises(ValueError, match="pairs"):
        cm.aggregate_metrics((1, 2, 3))


def test_streaming_concat_axis_and_max_size():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(6.0, 10.0).reshape(2, 2)
    for max_size, ref in [(None, np.concatenate([a, b], 1)),
                          (4, np.concatenate([a, b], 1)[:, :4])]:
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, [2, None])
            value, update = cm.streaming_concat(x, axis=-1, max_size=max_size)
            assert value.shape.as_list() == [2, None]
            with tf.Session() as sess:
                sess.run(tf.local_variables_initializer())
                assert sess.run(value).shape == (2, 0)
                assert sess.run(update, {x: a}) == 3
                sess.run(update, {x: b})
                np.testing.assert_array_equal(sess.run(value), ref)
    with pytest.raises(ValueError, match="statically known size"):
        cm.streaming_concat(tf.placeholder(tf.float32, [None, None]))
    with pytest.raises(ValueError, match=r"axis = 2 not in \[0, 2\)"):
        cm.streaming_concat(tf.zeros([2, 2]), axis=2)
