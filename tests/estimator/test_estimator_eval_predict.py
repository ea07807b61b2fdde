"""Estimator.evaluate and Estimator.predict on a custom model_fn, checked with numpy."""

import os

import numpy as np
import pytest

import flowgraph as tf
from tests.estimator.estimator_helpers import (  # noqa: F401 - fixture
    B0,
    LR,
    W0,
    X,
    Y,
    close_cached_writers,
    full_batch_input_fn,
    linear_model_fn,
    numpy_gd,
    scalar_events,
)


def _abs_error_metric(y, labels):
    """A hand-built streaming metric: the sum of |y - label| over every batch seen."""
    total = tf.Variable(0.0, trainable=False, name="abs_total",
                        collections=[tf.GraphKeys.LOCAL_VARIABLES])
    update = tf.assign_add(total, tf.reduce_sum(tf.abs(y - labels)))
    return total.read_value(), update


def metric_model_fn(features, labels, mode):
    spec = linear_model_fn(features, labels, mode, {})
    if mode != tf.estimator.ModeKeys.EVAL:
        return spec
    count = tf.Variable(0, trainable=False, name="batches",
                        collections=[tf.GraphKeys.LOCAL_VARIABLES])
    metrics = {"abs_error_sum": _abs_error_metric(spec.predictions["y"], labels),
               "batches": (count.read_value(), tf.assign_add(count, 1))}
    return spec._replace(eval_metric_ops=metrics)


def _eval_input(n=10, batch_size=4):
    return tf.estimator.inputs.numpy_input_fn({"x": X[:n]}, Y[:n], batch_size=batch_size,
                                              shuffle=False)


def test_evaluate_without_checkpoint_uses_initial_values(tmp_path):
    est = tf.estimator.Estimator(metric_model_fn, model_dir=str(tmp_path))
    results = est.evaluate(_eval_input())
    pred = X[:10] @ W0 + B0
    y = Y[:10]
    batch_losses = [np.mean((pred[i:i + 4] - y[i:i + 4]) ** 2) for i in (0, 4, 8)]
    # 'loss' is the mean of the per-batch losses (batches of 4, 4 and 2 examples).
    np.testing.assert_allclose(results["loss"], np.mean(batch_losses), rtol=1e-5)
    np.testing.assert_allclose(results["abs_error_sum"], np.abs(pred - Y[:10]).sum(), rtol=1e-5)
    assert results["batches"] == 3
    assert results["global_step"] == 0
    assert set(results) == {"loss", "abs_error_sum", "batches", "global_step"}


def test_evaluate_restores_the_latest_checkpoint_and_writes_summaries(tmp_path):
    est = tf.estimator.Estimator(metric_model_fn, model_dir=str(tmp_path))
    est.train(full_batch_input_fn(), steps=3)
    results = est.evaluate(_eval_input(12, 12))
    w, b = numpy_gd(3)
    np.testing.assert_allclose(results["loss"], np.mean((X @ w + b - Y) ** 2), rtol=1e-5)
    assert results["global_step"] == 3
    named = est.evaluate(_eval_input(12, 12), name="holdout", steps=1)
    np.testing.assert_allclose(named["loss"], results["loss"], rtol=1e-6)
    tf.summary.FileWriterCache.clear()
    events = scalar_events(os.path.join(str(tmp_path), "eval"))
    assert events["loss"][0][0] == 3
    np.testing.assert_allclose(events["loss"][0][1], results["loss"], rtol=1e-6)
    assert "abs_error_sum" in events and "global_step" not in events
    holdout = scalar_events(est.eval_dir("holdout"))
    assert est.eval_dir("holdout") == os.path.join(str(tmp_path), "eval_holdout")
    assert holdout["loss"][0][0] == 3


def test_evaluate_steps_limits_the_batches(tmp_path):
    est = tf.estimator.Estimator(metric_model_fn, model_dir=str(tmp_path))
    results = est.evaluate(_eval_input(), steps=2)
    assert results["batches"] == 2
    pred = X[:8] @ W0 + B0
    np.testing.assert_allclose(results["abs_error_sum"], np.abs(pred - Y[:8]).sum(), rtol=1e-5)
    with pytest.raises(ValueError, match="Must specify steps > 0, given: 0"):
        est.evaluate(_eval_input(), steps=0)


def test_evaluate_checkpoint_path_picks_an_older_checkpoint(tmp_path):
    config = tf.estimator.RunConfig(save_checkpoints_steps=1, keep_checkpoint_max=10)
    est = tf.estimator.Estimator(metric_model_fn, model_dir=str(tmp_path), config=config)
    est.train(full_batch_input_fn(), steps=3)
    results = est.evaluate(_eval_input(12, 12),
                           checkpoint_path=os.path.join(str(tmp_path), "model.ckpt-1"))
    w, b = numpy_gd(1)
    assert results["global_step"] == 1
    np.testing.assert_allclose(results["loss"], np.mean((X @ w + b - Y) ** 2), rtol=1e-5)


@pytest.mark.parametrize("name", ["loss", "global_step"])
def test_reserved_metric_names(tmp_path, name):
    def model_fn(features, labels, mode):
        spec = linear_model_fn(features, labels, mode, {})
        return spec._replace(eval_metric_ops={name: (spec.loss, tf.no_op())})

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match=f"Metric with name .{name}. is not allowed"):
        est.evaluate(_eval_input())


def test_predict_yields_one_dict_per_example(tmp_path):
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params={"lr": LR})
    est.train(full_batch_input_fn(), steps=2)
    w, b = numpy_gd(2)
    fn = tf.estimator.inputs.numpy_input_fn({"x": X[:5]}, batch_size=2, shuffle=False)
    predictions = list(est.predict(fn))
    assert len(predictions) == 5
    assert all(set(p) == {"y", "double"} for p in predictions)
    np.testing.assert_allclose(np.stack([p["y"] for p in predictions]), X[:5] @ w + b,
                               rtol=1e-5)
    np.testing.assert_allclose(predictions[3]["double"], 2 * (X[3] @ w + b), rtol=1e-5)


def test_predict_batches_keys_and_plain_tensor_predictions(tmp_path):
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params={})
    fn = tf.estimator.inputs.numpy_input_fn({"x": X[:5]}, batch_size=2, shuffle=False)
    batches = list(est.predict(fn, predict_keys=["y"], yield_single_examples=False))
    assert [b["y"].shape for b in batches] == [(2, 1), (2, 1), (1, 1)]
    assert all(set(b) == {"y"} for b in batches)
    with pytest.raises(ValueError, match="Expected to run at least one output from"):
        next(est.predict(fn, predict_keys=["missing"]))

    def tensor_model_fn(features, mode):
        w = tf.get_variable("w", initializer=tf.constant(W0))
        return tf.estimator.EstimatorSpec(mode, predictions=tf.matmul(features["x"], w))

    est2 = tf.estimator.Estimator(tensor_model_fn, model_dir=str(tmp_path / "t"))
    values = list(est2.predict(lambda: tf.data.Dataset.from_tensor_slices({"x": X[:3]}).batch(2)))
    np.testing.assert_allclose(np.stack(values), X[:3] @ W0, rtol=1e-6)
    with pytest.raises(ValueError, match="predict_keys argument is not valid"):
        next(est2.predict(fn, predict_keys=["y"]))


def test_predict_ignores_labels_and_keeps_the_default_graph(tmp_path):
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params={})
    before = tf.get_default_graph()
    gen = est.predict(_eval_input(4, 2))  # (features, labels): labels are dropped
    first = next(gen)
    assert tf.get_default_graph() is before
    np.testing.assert_allclose(first["y"], X[0] @ W0 + B0, rtol=1e-6)
    assert len(list(gen)) == 3
    gen.close()


def test_add_metrics_extends_evaluation(tmp_path):
    est = tf.estimator.Estimator(metric_model_fn, model_dir=str(tmp_path))

    def metric_fn(labels, predictions):
        return {"max_abs_error": tf.metrics.mean(
            tf.reduce_max(tf.abs(predictions["y"] - labels)))}

    extended = tf.estimator.add_metrics(est, metric_fn)
    assert extended.model_dir == est.model_dir
    results = extended.evaluate(_eval_input(12, 12))
    pred = X @ W0 + B0
    np.testing.assert_allclose(results["max_abs_error"], np.abs(pred - Y).max(), rtol=1e-5)
    assert results["batches"] == 1  # the original metrics are kept
    with pytest.raises(ValueError, match="has following not expected args: \\['mode'\\]"):
        tf.estimator.add_metrics(est, lambda mode: {})
