"""Wide-and-deep estimators: on a rule no linear model can express, the combined model
clearly beats the linear one; TF1 variable names, per-part optimizers, argument order."""

import inspect

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.estimator import (
    DNNLinearCombinedClassifier,
    DNNLinearCombinedRegressor,
    LinearClassifier,
    RunConfig,
)
from flowgraph.estimator.canned import dnn_linear_combined_model
from flowgraph.estimator.inputs import numpy_input_fn

fc = fg.feature_column
QUIET = dict(log_step_count_steps=None, save_summary_steps=None, tf_random_seed=5)


def _quadrants(n, seed):
    """Label 1 where x1 and x2 have the same sign: no line separates the classes."""
    rng = np.random.default_rng(seed)
    x1, x2 = (rng.uniform(-1, 1, n).astype(np.float32) for _ in range(2))
    return {"x1": x1, "x2": x2}, (x1 * x2 > 0).astype(np.int64)


def test_wide_and_deep_beats_linear_on_a_nonlinear_rule(tmp_path):
    train, y_train = _quadrants(512, 0)
    test, y_test = _quadrants(400, 1)
    columns = [fc.numeric_column("x1"), fc.numeric_column("x2")]

    def fit(est):
        est.train(numpy_input_fn(train, y_train, batch_size=64, shuffle=True,
                                 num_epochs=None), steps=300)
        return est.evaluate(numpy_input_fn(test, y_test, batch_size=400, shuffle=False))

    linear = fit(LinearClassifier(columns, model_dir=str(tmp_path / "linear"),
                                  config=RunConfig(**QUIET)))
    combined_est = DNNLinearCombinedClassifier(
        model_dir=str(tmp_path / "wnd"), linear_feature_columns=columns,
        dnn_feature_columns=columns, dnn_hidden_units=[16, 8],
        dnn_optimizer=fg.train.AdamOptimizer(0.02), config=RunConfig(**QUIET))
    combined = fit(combined_est)
    assert linear["accuracy"] < 0.7
    assert combined["accuracy"] > 0.9
    assert combined["accuracy"] - linear["accuracy"] > 0.25
    names = set(combined_est.get_variable_names())
    assert {"dnn/hiddenlayer_0/kernel", "dnn/hiddenlayer_1/bias", "dnn/logits/kernel",
            "linear/linear_model/x1/weights", "linear/linear_model/bias_weights"} <= names
    # Each part has its own optimizer's slots: Adam for the DNN, Ftrl for the linear part.
    assert any("hiddenlayer_0/kernel/Adam" in n for n in names)
    assert any("linear_model/x1/weights/Ftrl" in n for n in names)
    assert not any("linear_model" in n and "Adam" in n for n in names)
    assert combined["global_step"] == 300  # one increment per step, not one per optimizer


def test_combined_regressor_linear_only_and_dnn_only(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (128, 1)).astype(np.float32)
    y = (2 * x + 0.5).astype(np.float32)
    for name, kwargs in [("wide", dict(linear_feature_columns=[fc.numeric_column("x")],
                                       linear_optimizer="SGD")),
                         ("deep", dict(dnn_feature_columns=[fc.numeric_column("x")],
                                       dnn_hidden_units=[8], dnn_optimizer="Adam"))]:
        est = DNNLinearCombinedRegressor(model_dir=str(tmp_path / name),
                                         config=RunConfig(**QUIET), **kwargs)
        est.train(numpy_input_fn({"x": x}, y, batch_size=32, shuffle=True, num_epochs=None),
                  steps=20)
        metrics = est.evaluate(numpy_input_fn({"x": x}, y, batch_size=128, shuffle=False))
        assert set(metrics) == {"average_loss", "label/mean", "prediction/mean", "loss",
                                "global_step"}
        names = est.get_variable_names()
        assert any(n.startswith("linear/") for n in names) == (name == "wide")
        assert any(n.startswith("dnn/") for n in names) == (name == "deep")


def test_argument_checks_order_and_default_learning_rates():
    with pytest.raises(ValueError, match="Either linear_feature_columns or"):
        DNNLinearCombinedClassifier()
    est = DNNLinearCombinedClassifier(dnn_feature_columns=[fc.numeric_column("x")])

    def input_fn():
        return {"x": fg.constant([[1.0]])}, fg.constant([[1]])

    with pytest.raises(ValueError, match="dnn_hidden_units must be defined"):
        est.train(input_fn, steps=1)
    params = list(inspect.signature(DNNLinearCombinedClassifier.__init__).parameters)[1:]
    assert params == [
        "model_dir", "linear_feature_columns", "linear_optimizer", "dnn_feature_columns",
        "dnn_optimizer", "dnn_hidden_units", "dnn_activation_fn", "dnn_dropout",
        "n_classes", "weight_column", "label_vocabulary", "input_layer_partitioner",
        "config", "warm_start_from", "loss_reduction", "batch_norm",
        "linear_sparse_combiner"]
    params = list(inspect.signature(DNNLinearCombinedRegressor.__init__).parameters)[1:]
    assert params[8:10] == ["label_dimension", "weight_column"]
    assert dnn_linear_combined_model._DNN_LEARNING_RATE == 0.001
    assert dnn_linear_combined_model._linear_learning_rate(4) == 0.005
    assert dnn_linear_combined_model._linear_learning_rate(10 ** 6) == pytest.approx(0.001)
