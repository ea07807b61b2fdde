"""DNNClassifier / DNNRegressor end to end: MNIST accuracy, TF1 names (variables,
predictions, metrics), argument order and defaults."""

import inspect

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.datasets import mnist
from flowgraph.estimator import DNNClassifier, DNNRegressor, RunConfig
from flowgraph.estimator.canned import optimizers
from flowgraph.estimator.inputs import numpy_input_fn

fc = fg.feature_column
QUIET = dict(log_step_count_steps=None, save_summary_steps=None, tf_random_seed=7)


def test_dnn_classifier_reaches_90_percent_on_mnist(tmp_path):
    (x_train, y_train), (x_test, y_test) = mnist.load_embedded(flatten=True, normalize=True)
    est = DNNClassifier(hidden_units=[64, 32],
                        feature_columns=[fc.numeric_column("x", shape=[784])],
                        n_classes=10, model_dir=str(tmp_path), config=RunConfig(**QUIET))
    est.train(numpy_input_fn({"x": x_train}, y_train.astype(np.int32), batch_size=64,
                             shuffle=True, num_epochs=None), steps=800)
    metrics = est.evaluate(numpy_input_fn({"x": x_test}, y_test.astype(np.int32),
                                          batch_size=500, shuffle=False))
    assert metrics["accuracy"] >= 0.90
    assert set(metrics) == {"accuracy", "average_loss", "loss", "global_step"}
    assert metrics["global_step"] == 800
    # v1 canned estimators sum the losses of a batch: 'loss' is per batch of 500.
    assert metrics["loss"] == pytest.approx(500 * metrics["average_loss"], rel=1e-4)
    names = est.get_variable_names()
    assert {"dnn/hiddenlayer_0/kernel", "dnn/hiddenlayer_0/bias", "dnn/hiddenlayer_1/kernel",
            "dnn/logits/kernel", "dnn/logits/bias", "global_step"} <= set(names)
    assert est.get_variable_value("dnn/hiddenlayer_0/kernel").shape == (784, 64)
    assert any(name.endswith("/Adagrad") for name in names)  # TF1's default optimizer
    preds = list(est.predict(numpy_input_fn({"x": x_test[:20]}, shuffle=False)))
    assert set(preds[0]) == {"logits", "probabilities", "class_ids", "classes",
                             "all_class_ids", "all_classes"}
    assert preds[0]["classes"].dtype == object and isinstance(preds[0]["classes"][0], bytes)
    assert [int(p["classes"][0]) for p in preds] == [int(p["class_ids"][0]) for p in preds]
    assert np.mean([p["class_ids"][0] for p in preds] == y_test[:20]) >= 0.8


def _binary_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64)
    return x, y


def test_dnn_binary_classifier_with_vocabulary_and_weights(tmp_path):
    x, y = _binary_data()
    labels = np.where(y == 1, b"yes", b"no")
    est = DNNClassifier([8], [fc.numeric_column("x", shape=[2])], model_dir=str(tmp_path),
                        label_vocabulary=["no", "yes"], weight_column="w",
                        optimizer="Adam", config=RunConfig(**QUIET))
    features = {"x": x, "w": np.ones(len(y), np.float32)}
    est.train(numpy_input_fn(features, labels, batch_size=50, shuffle=True,
                             num_epochs=None), steps=150)
    metrics = est.evaluate(numpy_input_fn(features, labels, batch_size=200, shuffle=False))
    assert set(metrics) == {"accuracy", "accuracy_baseline", "auc", "auc_precision_recall",
                            "average_loss", "label/mean", "prediction/mean", "precision",
                            "recall", "loss", "global_step"}
    assert metrics["accuracy"] > 0.9
    assert metrics["label/mean"] == pytest.approx(y.mean())
    assert metrics["accuracy_baseline"] == pytest.approx(max(y.mean(), 1 - y.mean()))
    preds = list(est.predict(numpy_input_fn({"x": x[:4]}, shuffle=False)))
    assert set(preds[0]) == {"logits", "logistic", "probabilities", "class_ids", "classes",
                             "all_class_ids", "all_classes"}
    for p in preds:
        assert p["classes"][0] == (b"yes" if p["class_ids"][0] == 1 else b"no")
        assert p["all_classes"].tolist() == [b"no", b"yes"]
        assert p["probabilities"][1] == pytest.approx(p["logistic"][0], rel=1e-6)


def test_dnn_regressor_learns_a_smooth_function(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (256, 1)).astype(np.float32)
    y = (np.sin(2 * x) + 0.5).astype(np.float32)
    est = DNNRegressor([16, 16], [fc.numeric_column("x")], model_dir=str(tmp_path),
                       optimizer="Adam", config=RunConfig(**QUIET))
    est.train(numpy_input_fn({"x": x}, y, batch_size=64, shuffle=True, num_epochs=None), steps=300)
    metrics = est.evaluate(numpy_input_fn({"x": x}, y, batch_size=256, shuffle=False))
    assert set(metrics) == {"average_loss", "label/mean", "prediction/mean", "loss",
                            "global_step"}
    assert metrics["average_loss"] < 0.1 * np.var(y)
    assert metrics["label/mean"] == pytest.approx(y.mean(), rel=1e-5)
    preds = list(est.predict(numpy_input_fn({"x": x[:3]}, shuffle=False)))
    assert set(preds[0]) == {"predictions"} and preds[0]["predictions"].shape == (1,)


def test_dnn_batch_norm_and_dropout_variables(tmp_path):
    x, y = _binary_data(64)
    est = DNNClassifier([4, 3], [fc.numeric_column("x", shape=[2])], dropout=0.2,
                        batch_norm=True, model_dir=str(tmp_path), config=RunConfig(**QUIET))
    est.train(numpy_input_fn({"x": x}, y, batch_size=32, shuffle=True, num_epochs=None), steps=3)
    names = set(est.get_variable_names())
    assert {"dnn/hiddenlayer_0/batchnorm_0/gamma", "dnn/hiddenlayer_1/batchnorm_1/beta",
            "dnn/hiddenlayer_0/batchnorm_0/moving_mean",
            "dnn/hiddenlayer_1/batchnorm_1/moving_variance"} <= names
    # The moving statistics were updated by training (UPDATE_OPS ran with the train op).
    assert not np.allclose(est.get_variable_value("dnn/hiddenlayer_0/batchnorm_0/moving_mean"),
                           0.0)


def test_signatures_follow_tf1_argument_order():
    def params(cls):
        return list(inspect.signature(cls.__init__).parameters)[1:]

    assert params(DNNClassifier) == [
        "hidden_units", "feature_columns", "model_dir", "n_classes", "weight_column",
        "label_vocabulary", "optimizer", "activation_fn", "dropout",
        "input_layer_partitioner", "config", "warm_start_from", "loss_reduction",
        "batch_norm"]
    assert params(DNNRegressor) == [
        "hidden_units", "feature_columns", "model_dir", "label_dimension", "weight_column",
        "optimizer", "activation_fn", "dropout", "input_layer_partitioner", "config",
        "warm_start_from", "loss_reduction", "batch_norm"]
    defaults = inspect.signature(DNNClassifier.__init__).parameters
    assert defaults["optimizer"].default == "Adagrad"
    assert defaults["loss_reduction"].default == fg.losses.Reduction.SUM
    assert defaults["activation_fn"].default is fg.nn.relu


def test_optimizer_names_objects_and_callables():
    opt = optimizers.get_optimizer_instance("Adagrad", learning_rate=0.05)
    assert isinstance(opt, fg.train.AdagradOptimizer) and opt._learning_rate == 0.05
    for name, cls in [("Adam", fg.train.AdamOptimizer), ("Ftrl", fg.train.FtrlOptimizer),
                      ("RMSProp", fg.train.RMSPropOptimizer),
                      ("SGD", fg.train.GradientDescentOptimizer)]:
        assert isinstance(optimizers.get_optimizer_instance(name, 0.1), cls)
    sgd = fg.train.GradientDescentOptimizer(0.3)
    assert optimizers.get_optimizer_instance(sgd) is sgd
    assert optimizers.get_optimizer_instance(lambda: sgd) is sgd
    with pytest.raises(ValueError, match="Unsupported optimizer name: Nadam"):
        optimizers.get_optimizer_instance("Nadam", 0.1)
    with pytest.raises(ValueError, match="learning_rate must be specified"):
        optimizers.get_optimizer_instance("Adam")
    with pytest.raises(ValueError, match="not an Optimizer instance"):
        optimizers.get_optimizer_instance(lambda: 3)


def test_features_must_be_a_dict(tmp_path):
    est = DNNClassifier([2], [fc.numeric_column("x")], model_dir=str(tmp_path))

    def input_fn():
        return fg.constant([[1.0]]), fg.constant([[1]])

    with pytest.raises(ValueError, match="features should be a dictionary"):
        est.train(input_fn, steps=1)


def test_exported_predict_signature_serves_the_classifier(tmp_path):
    x, y = _binary_data(64)
    est = DNNClassifier([4], [fc.numeric_column("x", shape=[2])],
                        model_dir=str(tmp_path / "model"), config=RunConfig(**QUIET))
    est.train(numpy_input_fn({"x": x}, y, batch_size=32, shuffle=True, num_epochs=None),
              steps=5)
    receiver = fg.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": fg.placeholder(fg.float32, [None, 2])})
    path = est.export_saved_model(str(tmp_path / "export"), receiver)
    expected = list(est.predict(numpy_input_fn({"x": x[:3]}, shuffle=False)))
    with fg.Session(graph=fg.Graph()) as sess:
        meta = fg.saved_model.loader.load(sess, ["serve"], path)
        # The classify/regress signatures need serialized Examples; a raw receiver gets
        # the predict signature, with every prediction key.
        signature = meta.signature_def["predict"]
        assert set(signature.outputs) == {"logits", "logistic", "probabilities", "class_ids",
                                          "classes", "all_class_ids", "all_classes"}
        got = sess.run({k: v.name for k, v in signature.outputs.items()},
                       {signature.inputs["x"].name: x[:3]})
    np.testing.assert_allclose(got["probabilities"], [p["probabilities"] for p in expected],
                               rtol=1e-5)
    assert got["classes"].tolist() == [p["classes"].tolist() for p in expected]
