"""Baseline estimators learn the label distribution (or mean) and ignore the features."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.estimator import BaselineClassifier, BaselineEstimator, BaselineRegressor, RunConfig
from flowgraph.estimator.canned.contrib_heads import regression_head
from flowgraph.estimator.inputs import numpy_input_fn

QUIET = dict(log_step_count_steps=None, save_summary_steps=None, tf_random_seed=1)


def test_baseline_classifier_predicts_the_class_frequencies(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.choice(3, 600, p=[0.5, 0.3, 0.2]).astype(np.int64)
    x = rng.normal(size=600).astype(np.float32)
    est = BaselineClassifier(n_classes=3, optimizer="SGD", model_dir=str(tmp_path),
                             loss_reduction=fg.losses.Reduction.MEAN,
                             config=RunConfig(**QUIET))
    est.train(numpy_input_fn({"x": x}, y, batch_size=600, shuffle=False, num_epochs=None),
              steps=300)
    assert est.get_variable_value("baseline/bias").shape == (3,)
    (first, _) = list(est.predict(numpy_input_fn({"x": x[:2]}, shuffle=False)))
    freq = np.bincount(y) / len(y)
    np.testing.assert_allclose(first["probabilities"], freq, atol=0.02)
    assert first["class_ids"][0] == 0


def test_baseline_regressor_and_estimator_predict_the_mean(tmp_path):
    y = np.float32([[1.0], [2.0], [6.0], [3.0]])
    features = {"x": np.zeros((4, 1), np.float32)}
    for name, est in [
            ("regressor", BaselineRegressor(optimizer="SGD", model_dir=str(tmp_path / "r"),
                                            loss_reduction=fg.losses.Reduction.MEAN,
                                            config=RunConfig(**QUIET))),
            ("estimator", BaselineEstimator(regression_head(), optimizer="SGD",
                                            model_dir=str(tmp_path / "e"),
                                            config=RunConfig(**QUIET)))]:
        est.train(numpy_input_fn(features, y, batch_size=4, shuffle=False, num_epochs=None),
                  steps=200)
        metrics = est.evaluate(numpy_input_fn(features, y, batch_size=4, shuffle=False))
        assert metrics["prediction/mean"] == pytest.approx(3.0, abs=1e-3), name
        assert metrics["label/mean"] == pytest.approx(3.0)
