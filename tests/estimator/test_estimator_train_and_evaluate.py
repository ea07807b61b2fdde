"""train_and_evaluate with TrainSpec / EvalSpec (local mode)."""

import os

import numpy as np
import pytest

import flowgraph as tf
from tests.estimator.estimator_helpers import (  # noqa: F401 - fixture
    X,
    Y,
    close_cached_writers,
    full_batch_input_fn,
    linear_model_fn,
    numpy_gd,
    scalar_events,
)


def _eval_input_fn():
    return tf.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=len(X), shuffle=False)()


def test_train_and_evaluate_evaluates_after_checkpoints(tmp_path):
    config = tf.estimator.RunConfig(save_checkpoints_steps=2)
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params={},
                                 config=config)
    train_spec = tf.estimator.TrainSpec(lambda: full_batch_input_fn()(), max_steps=5)
    eval_spec = tf.estimator.EvalSpec(_eval_input_fn, steps=None, throttle_secs=0)
    metrics, exports = tf.estimator.train_and_evaluate(est, train_spec, eval_spec)
    assert metrics["global_step"] == 5 and exports == []
    w, b = numpy_gd(5)
    np.testing.assert_allclose(metrics["loss"], np.mean((X @ w + b - Y) ** 2), rtol=1e-5)
    tf.summary.FileWriterCache.clear()
    # Evaluated after the checkpoints of steps 2 and 4, and at the end (5).
    assert [s for s, _ in scalar_events(est.eval_dir())["loss"]] == [2, 4, 5]


def test_spec_checks():
    with pytest.raises(TypeError, match="`input_fn` must be callable"):
        tf.estimator.TrainSpec(3)
    with pytest.raises(ValueError, match="Must specify max_steps > 0, given: 0"):
        tf.estimator.TrainSpec(_eval_input_fn, max_steps=0)
    with pytest.raises(ValueError, match="Must specify steps > 0, given: 0"):
        tf.estimator.EvalSpec(_eval_input_fn, steps=0)
    with pytest.raises(ValueError, match="Must specify throttle_secs >= 0"):
        tf.estimator.EvalSpec(_eval_input_fn, throttle_secs=-1)
    spec = tf.estimator.EvalSpec(_eval_input_fn)
    assert (spec.steps, spec.start_delay_secs, spec.throttle_secs) == (100, 120, 600)
    with pytest.raises(TypeError, match="`estimator` must have type"):
        tf.estimator.train_and_evaluate(object(), tf.estimator.TrainSpec(_eval_input_fn), spec)


def test_exporters_run_after_evaluations(tmp_path):
    receiver = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3])})
    config = tf.estimator.RunConfig(save_checkpoints_steps=2)
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params={},
                                 config=config)
    final = tf.estimator.FinalExporter("final", receiver)
    eval_spec = tf.estimator.EvalSpec(_eval_input_fn, steps=1, throttle_secs=0,
                                      exporters=[final])
    _, exports = tf.estimator.train_and_evaluate(
        est, tf.estimator.TrainSpec(lambda: full_batch_input_fn()(), max_steps=3), eval_spec)
    (export_dir,) = exports
    assert os.path.dirname(os.fsdecode(export_dir)) == os.path.join(str(tmp_path), "export",
                                                                     "final")
    assert tf.saved_model.contains_saved_model(export_dir)
    with pytest.raises(ValueError, match="`exports_to_keep`, if provided, must be a positive"):
        tf.estimator.LatestExporter("latest", receiver, exports_to_keep=0)
