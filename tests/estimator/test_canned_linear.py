"""LinearRegressor / LinearClassifier end to end: fitted weights against the generating
model, TF1 variable names, categorical columns, vocabularies, weights and argument order."""

import inspect

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.estimator import LinearClassifier, LinearRegressor, RunConfig
from flowgraph.estimator.canned import linear_model
from flowgraph.estimator.inputs import numpy_input_fn

fc = fg.feature_column
QUIET = dict(log_step_count_steps=None, save_summary_steps=None, tf_random_seed=3)


def test_linear_regressor_recovers_the_generating_weights(tmp_path):
    rng = np.random.default_rng(0)
    x1, x2 = (rng.uniform(-1, 1, 256).astype(np.float32) for _ in range(2))
    y = (3.0 * x1 - 2.0 * x2 + 1.0).astype(np.float32)
    est = LinearRegressor([fc.numeric_column("x1"), fc.numeric_column("x2")],
                          model_dir=str(tmp_path), config=RunConfig(**QUIET))
    est.train(numpy_input_fn({"x1": x1, "x2": x2}, y, batch_size=32, shuffle=True,
                             num_epochs=None), steps=300)
    assert set(est.get_variable_names()) >= {
        "linear/linear_model/x1/weights", "linear/linear_model/x2/weights",
        "linear/linear_model/bias_weights", "global_step"}
    w1 = est.get_variable_value("linear/linear_model/x1/weights")
    assert w1.shape == (1, 1)
    np.testing.assert_allclose(
        [w1[0, 0], est.get_variable_value("linear/linear_model/x2/weights")[0, 0],
         est.get_variable_value("linear/linear_model/bias_weights")[0]],
        [3.0, -2.0, 1.0], atol=0.05)
    assert any(name.endswith("/Ftrl") for name in est.get_variable_names())
    metrics = est.evaluate(numpy_input_fn({"x1": x1, "x2": x2}, y, batch_size=256,
                                          shuffle=False))
    assert set(metrics) == {"average_loss", "label/mean", "prediction/mean", "loss",
                            "global_step"}
    assert metrics["average_loss"] < 1e-3


def test_linear_classifier_on_categorical_and_crossed_columns(tmp_path):
    rng = np.random.default_rng(1)
    colour = rng.choice([b"red", b"green", b"blue"], 300)
    size = rng.choice([b"S", b"L"], 300)
    # Positive: red, or blue and large; the cross lets a linear model express it.
    y = np.where((colour == b"red") | ((colour == b"blue") & (size == b"L")), b"yes", b"no")
    colour_col = fc.categorical_column_with_vocabulary_list("colour", ["red", "green", "blue"])
    size_col = fc.categorical_column_with_vocabulary_list("size", ["S", "L"])
    est = LinearClassifier([colour_col, size_col,
                            fc.crossed_column([colour_col, size_col], 12)],
                           label_vocabulary=["no", "yes"], model_dir=str(tmp_path),
                           config=RunConfig(**QUIET))
    features = {"colour": colour[:, None], "size": size[:, None]}
    est.train(numpy_input_fn(features, y, batch_size=50, shuffle=True, num_epochs=None),
              steps=200)
    metrics = est.evaluate(numpy_input_fn(features, y, batch_size=300, shuffle=False))
    assert metrics["accuracy"] == 1.0
    assert "auc" in metrics and "precision" in metrics
    assert est.get_variable_value("linear/linear_model/colour/weights").shape == (3, 1)
    preds = list(est.predict(numpy_input_fn({"colour": np.array([[b"red"], [b"green"]]),
                                             "size": np.array([[b"S"], [b"S"]])},
                                            shuffle=False)))
    assert [p["classes"][0] for p in preds] == [b"yes", b"no"]


def test_linear_multiclass_weight_column_zero_weights_ignore_examples(tmp_path):
    x = np.float32([[0.0], [1.0], [2.0], [0.0], [1.0], [2.0]])
    y = np.int64([0, 1, 2, 2, 2, 0])
    w = np.float32([1, 1, 1, 0, 0, 0])  # the second half (wrong labels) has no weight
    est = LinearClassifier([fc.bucketized_column(fc.numeric_column("x"), [0.5, 1.5])],
                           n_classes=3, weight_column="w", model_dir=str(tmp_path),
                           config=RunConfig(**QUIET))
    est.train(numpy_input_fn({"x": x, "w": w}, y, batch_size=6, shuffle=False,
                             num_epochs=None), steps=100)
    metrics = est.evaluate(numpy_input_fn({"x": x, "w": w}, y, batch_size=6, shuffle=False))
    assert metrics["accuracy"] == 1.0  # weighted: only the first half counts
    assert set(metrics) == {"accuracy", "average_loss", "loss", "global_step"}
    preds = list(est.predict(numpy_input_fn({"x": x[:3]}, shuffle=False)))
    assert [p["class_ids"][0] for p in preds] == [0, 1, 2]
    assert preds[0]["probabilities"].shape == (3,)


def test_default_learning_rates_as_tf1():
    ftrl = linear_model._get_default_optimizer([None] * 100)
    assert isinstance(ftrl, fg.train.FtrlOptimizer) and ftrl._learning_rate == 0.1
    assert linear_model._get_default_optimizer([None] * 4)._learning_rate == 0.2
    assert linear_model._LEARNING_RATE == 0.2  # what optimizer='Ftrl' gets


def test_signatures_follow_tf1_argument_order():
    def params(cls):
        return list(inspect.signature(cls.__init__).parameters)[1:]

    assert params(LinearClassifier) == [
        "feature_columns", "model_dir", "n_classes", "weight_column", "label_vocabulary",
        "optimizer", "config", "partitioner", "warm_start_from", "loss_reduction",
        "sparse_combiner"]
    assert params(LinearRegressor) == [
        "feature_columns", "model_dir", "label_dimension", "weight_column", "optimizer",
        "config", "partitioner", "warm_start_from", "loss_reduction", "sparse_combiner"]
    assert inspect.signature(LinearClassifier.__init__).parameters["optimizer"].default \
        == "Ftrl"
    with pytest.raises(ValueError, match="sparse_combiner"):
        LinearClassifier([fc.numeric_column("x")], sparse_combiner="max")
