"""Canned heads: predictions, losses, metrics and export outputs as TF1's v1 heads,
checked against numpy written here."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.estimator.canned.binary_head import (
    _binary_logistic_head_with_sigmoid_cross_entropy_loss as binary_head,
)
from flowgraph.estimator.canned.head import _binary_logistic_or_multi_class_head
from flowgraph.estimator.canned.multi_class_head import (
    _multi_class_head_with_softmax_cross_entropy_loss as multi_class_head,
)
from flowgraph.estimator.canned.regression_head import _regression_head
from flowgraph.estimator.model_fn import ModeKeys
from tests.metrics.auc_reference import reference_auc

SUM = fg.losses.Reduction.SUM
LOGITS = np.float32([[1.5], [-0.5], [0.2], [-2.0]])
LABELS = np.int64([[1], [1], [0], [0]])
WEIGHTS = np.float32([1.0, 2.0, 0.5, 1.5])


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _sigmoid_xent(labels, logits):
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


def _run_metrics(spec):
    with fg.Session() as sess:
        sess.run([fg.global_variables_initializer(), fg.local_variables_initializer()])
        sess.run({k: v[1] for k, v in spec.eval_metric_ops.items()})
        return sess.run({k: v[0] for k, v in spec.eval_metric_ops.items()}), sess.run(spec.loss)


def test_binary_head_predictions_as_tf1():
    head = binary_head()
    spec = head.create_estimator_spec(features={}, mode=ModeKeys.PREDICT,
                                      logits=fg.constant(LOGITS))
    assert set(spec.predictions) == {"logits", "logistic", "probabilities", "class_ids",
                                     "classes", "all_class_ids", "all_classes"}
    assert set(spec.export_outputs) == {"serving_default", "classification", "regression",
                                        "predict"}
    assert spec.predictions["logistic"].op.name == "head/predictions/logistic"
    with fg.Session() as sess:
        got = sess.run(spec.predictions)
    p = _sigmoid(LOGITS)
    np.testing.assert_allclose(got["logistic"], p, rtol=1e-6)
    np.testing.assert_allclose(got["probabilities"], np.hstack([1 - p, p]), rtol=1e-6)
    assert got["class_ids"].tolist() == [[1], [0], [1], [0]]
    assert got["class_ids"].dtype == np.int64
    assert got["classes"].tolist() == [[b"1"], [b"0"], [b"1"], [b"0"]]
    assert got["all_class_ids"].tolist() == [[0, 1]] * 4
    assert got["all_classes"].tolist() == [[b"0", b"1"]] * 4


def test_binary_head_eval_metrics_and_sum_loss():
    head = binary_head(weight_column="w")
    spec = head.create_estimator_spec(
        features={"w": fg.constant(WEIGHTS)}, mode=ModeKeys.EVAL,
        logits=fg.constant(LOGITS), labels=fg.constant(LABELS))
    assert set(spec.eval_metric_ops) == {
        "accuracy", "average_loss", "precision", "recall", "prediction/mean", "label/mean",
        "accuracy_baseline", "auc", "auc_precision_recall"}
    got, loss = _run_metrics(spec)
    y, w = LABELS[:, 0].astype(float), WEIGHTS
    x = LOGITS[:, 0]
    losses = _sigmoid_xent(y, x)
    assert loss == pytest.approx(np.sum(losses * w), rel=1e-5)
    assert got["average_loss"] == pytest.approx(np.sum(losses * w) / w.sum(), rel=1e-5)
    pred = (x > 0).astype(float)
    assert got["accuracy"] == pytest.approx(np.sum(w * (pred == y)) / w.sum())
    tp = np.sum(w * (pred == 1) * (y == 1))
    assert got["precision"] == pytest.approx(tp / np.sum(w * (pred == 1)))
    assert got["recall"] == pytest.approx(tp / np.sum(w * (y == 1)))
    assert got["label/mean"] == pytest.approx(np.sum(w * y) / w.sum())
    assert got["prediction/mean"] == pytest.approx(np.sum(w * _sigmoid(x)) / w.sum(),
                                                   rel=1e-5)
    label_mean = np.sum(w * y) / w.sum()
    assert got["accuracy_baseline"] == pytest.approx(max(label_mean, 1 - label_mean))
    p = _sigmoid(x)
    assert got["auc"] == pytest.approx(reference_auc(y, p, w, 200, "ROC", "trapezoidal"),
                                       rel=1e-4)
    assert got["auc_precision_recall"] == pytest.approx(
        reference_auc(y, p, w, 200, "PR", "trapezoidal"), rel=1e-4)
    # Weighted pairs ranked right: (1*.5 + 1*1.5 + 2*1.5) / (3 * 2) = 5/6.
    assert got["auc"] == pytest.approx(5 / 6, abs=2e-3)
    names = {v.op.name for v in fg.local_variables()}
    assert {"metrics/accuracy/total", "metrics/label/mean/total",
            "metrics/auc/true_positives"} <= names


def test_binary_head_thresholds_add_metrics():
    head = binary_head(thresholds=[0.3, 0.6])
    spec = head.create_estimator_spec(features={}, mode=ModeKeys.EVAL,
                                      logits=fg.constant(LOGITS), labels=fg.constant(LABELS))
    keys = set(spec.eval_metric_ops)
    assert {"accuracy/positive_threshold_0.3", "precision/positive_threshold_0.6",
            "recall/positive_threshold_0.3"} <= keys
    got, _ = _run_metrics(spec)
    p, y = _sigmoid(LOGITS[:, 0]), LABELS[:, 0]
    assert got["accuracy/positive_threshold_0.6"] == pytest.approx(np.mean((p >= 0.6) == y))
    tp = np.sum((p > 0.6) & (y == 1))
    assert got["precision/positive_threshold_0.6"] == pytest.approx(
        tp / (np.sum(p > 0.6) + 1e-7), rel=1e-5)
    with pytest.raises(ValueError, match=r"thresholds not in \(0, 1\)"):
        binary_head(thresholds=[1.0])


def test_binary_head_train_one_sgd_step_and_summaries():
    x = np.float32([[1.0, 2.0], [0.5, -1.0], [-1.0, 0.0]])
    y = np.float32([[1], [0], [1]])
    graph = fg.get_default_graph()
    fg.train.get_or_create_global_step()
    w = fg.Variable(np.float32([[0.1], [-0.2]]), name="w")
    spec = binary_head().create_estimator_spec(
        features={}, mode=ModeKeys.TRAIN, logits=fg.matmul(fg.constant(x), w),
        labels=fg.constant(y), optimizer=fg.train.GradientDescentOptimizer(0.5))
    tags = {op.name for op in graph.get_operations() if op.type == "ScalarSummary"}
    assert {"loss", "average_loss"} <= tags
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        loss, _ = sess.run([spec.loss, spec.train_op])
        new_w, step = sess.run([w, fg.train.get_global_step()])
    w0 = np.float32([[0.1], [-0.2]])
    logits = x @ w0
    assert loss == pytest.approx(np.sum(_sigmoid_xent(y, logits)), rel=1e-5)
    grad = x.T @ (_sigmoid(logits) - y)  # d(sum of losses)/dw
    np.testing.assert_allclose(new_w, w0 - 0.5 * grad, rtol=1e-5)
    assert step == 1


def test_binary_head_label_vocabulary_and_errors():
    head = binary_head(label_vocabulary=["neg", "pos"])
    labels = fg.placeholder(fg.string, [None, 1])
    spec = head.create_estimator_spec(features={}, mode=ModeKeys.EVAL,
                                      logits=fg.constant(LOGITS[:2]), labels=labels)
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        sess.run(spec.eval_metric_ops["accuracy"][1], {labels: [[b"pos"], [b"neg"]]})
        assert sess.run(spec.eval_metric_ops["accuracy"][0]) == 1.0
        assert sess.run(spec.predictions["classes"]).tolist() == [[b"pos"], [b"neg"]]
        with pytest.raises(fg.errors.InvalidArgumentError, match="Labels must >= 0"):
            sess.run(spec.loss, {labels: [[b"pos"], [b"maybe"]]})
    with pytest.raises(ValueError, match="label_vocabulary"):
        binary_head().create_loss(features={}, mode=ModeKeys.EVAL,
                                  logits=fg.constant(LOGITS[:1]), labels=fg.constant([["a"]]))
    with pytest.raises(TypeError, match="label_vocabulary should be a list"):
        binary_head(label_vocabulary="ab")


def test_binary_head_rejects_out_of_range_labels_and_bad_shapes():
    spec = binary_head().create_estimator_spec(
        features={}, mode=ModeKeys.EVAL, logits=fg.constant(LOGITS[:2]),
        labels=fg.constant([[1], [2]]))
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="n_classes - 1"):
            sess.run(spec.loss)
    with pytest.raises(ValueError, match="Mismatched label shape"):
        binary_head().create_loss(features={}, mode=ModeKeys.EVAL,
                                  logits=fg.constant(LOGITS), labels=fg.constant(
                                      np.zeros((4, 2), np.int64)))
    with pytest.raises(ValueError, match="You must provide a labels Tensor"):
        binary_head().create_estimator_spec(features={}, mode=ModeKeys.EVAL,
                                            logits=fg.constant(LOGITS))
    with pytest.raises(ValueError, match="logits_dimension=1"):
        binary_head().create_estimator_spec(features={}, mode=ModeKeys.PREDICT,
                                            logits=fg.zeros([3, 2]))
    with pytest.raises(ValueError, match="Invalid loss_reduction"):
        binary_head(loss_reduction=fg.losses.Reduction.NONE)


MC_LOGITS = np.float32([[2.0, 0.5, -1.0], [0.0, 0.1, 3.0], [1.0, 1.2, 0.9]])
MC_LABELS = np.int64([0, 1, 1])


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_multi_class_head_predictions_metrics_loss():
    head = _binary_logistic_or_multi_class_head(3, None, None, SUM)
    pred_spec = head.create_estimator_spec(features={}, mode=ModeKeys.PREDICT,
                                           logits=fg.constant(MC_LOGITS))
    assert set(pred_spec.predictions) == {"logits", "probabilities", "class_ids", "classes",
                                          "all_class_ids", "all_classes"}
    assert set(pred_spec.export_outputs) == {"serving_default", "classification", "predict"}
    spec = head.create_estimator_spec(features={}, mode=ModeKeys.EVAL,
                                      logits=fg.constant(MC_LOGITS),
                                      labels=fg.constant(MC_LABELS))
    assert set(spec.eval_metric_ops) == {"accuracy", "average_loss"}
    got, loss = _run_metrics(spec)
    with fg.Session() as sess:
        preds = sess.run(pred_spec.predictions)
    probs = _softmax(MC_LOGITS)
    np.testing.assert_allclose(preds["probabilities"], probs, rtol=1e-5)
    assert preds["class_ids"].tolist() == [[0], [2], [1]]
    assert preds["classes"].tolist() == [[b"0"], [b"2"], [b"1"]]
    assert preds["all_classes"][0].tolist() == [b"0", b"1", b"2"]
    xent = -np.log(probs[np.arange(3), MC_LABELS])
    assert loss == pytest.approx(xent.sum(), rel=1e-5)
    assert got["average_loss"] == pytest.approx(xent.mean(), rel=1e-5)
    assert got["accuracy"] == pytest.approx(2 / 3)


def test_multi_class_head_vocabulary_range_and_validation():
    head = multi_class_head(3, label_vocabulary=["a", "b", "c"])
    labels = fg.placeholder(fg.string, [None])
    spec = head.create_estimator_spec(features={}, mode=ModeKeys.EVAL,
                                      logits=fg.constant(MC_LOGITS), labels=labels)
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        sess.run(spec.eval_metric_ops["accuracy"][1], {labels: [b"a", b"c", b"c"]})
        assert sess.run(spec.eval_metric_ops["accuracy"][0]) == pytest.approx(2 / 3)
        assert sess.run(spec.predictions["classes"]).tolist() == [[b"a"], [b"c"], [b"b"]]
    int_spec = multi_class_head(3).create_estimator_spec(
        features={}, mode=ModeKeys.EVAL, logits=fg.constant(MC_LOGITS),
        labels=fg.constant([0, 3, 1]))
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="n_classes - 1"):
            sess.run(int_spec.loss)
    with pytest.raises(ValueError, match="n_classes must be > 2"):
        multi_class_head(2)
    with pytest.raises(ValueError, match="Labels dtype should be integer"):
        multi_class_head(3).create_loss(features={}, mode=ModeKeys.EVAL,
                                        logits=fg.constant(MC_LOGITS),
                                        labels=fg.constant([0.0, 1.0, 2.0]))


def test_regression_head_predictions_metrics_and_per_output_weights():
    head = _regression_head(weight_column="w", label_dimension=2)
    logits = np.float32([[1.0, 2.0], [0.0, -1.0]])
    labels = np.float32([[1.5, 2.0], [1.0, 1.0]])
    weights = np.float32([[1.0, 3.0], [2.0, 0.5]])
    pred_spec = head.create_estimator_spec(features={}, mode=ModeKeys.PREDICT,
                                           logits=fg.constant(logits))
    assert set(pred_spec.predictions) == {"predictions"}
    assert set(pred_spec.export_outputs) == {"serving_default", "regression", "predict"}
    spec = head.create_estimator_spec(features={"w": fg.constant(weights)},
                                      mode=ModeKeys.EVAL, logits=fg.constant(logits),
                                      labels=fg.constant(labels))
    assert set(spec.eval_metric_ops) == {"average_loss", "prediction/mean", "label/mean"}
    got, loss = _run_metrics(spec)
    sq = (logits - labels) ** 2
    assert loss == pytest.approx(np.sum(sq * weights), rel=1e-6)
    assert got["average_loss"] == pytest.approx(np.sum(sq * weights) / weights.sum())
    assert got["prediction/mean"] == pytest.approx(np.sum(logits * weights) / weights.sum())
    assert got["label/mean"] == pytest.approx(np.sum(labels * weights) / weights.sum())


def test_regression_head_inverse_link_and_weight_shape_error():
    head = _regression_head(inverse_link_fn=fg.exp)
    spec = head.create_estimator_spec(features={}, mode=ModeKeys.PREDICT,
                                      logits=fg.constant([[0.0], [1.0]]))
    with fg.Session() as sess:
        got = sess.run(spec.predictions)
    np.testing.assert_allclose(got["predictions"], np.exp([[0.0], [1.0]]), rtol=1e-6)
    np.testing.assert_allclose(got["logits"], [[0.0], [1.0]])
    with pytest.raises(ValueError, match="weights shape must be"):
        _regression_head(weight_column="w").create_loss(
            features={"w": fg.zeros([2, 3])}, mode=ModeKeys.EVAL,
            logits=fg.zeros([2, 1]), labels=fg.zeros([2, 1]))
