"""Estimator.export_saved_model: a timestamped saved model that flowgraph's loader and
`flowgraph run` serve with the Estimator's own predictions."""

import os

import numpy as np
import pytest

import flowgraph as tf
from flowgraph.cli import main as cli_main
from tests.estimator.estimator_helpers import (  # noqa: F401 - fixture
    LR,
    X,
    close_cached_writers,
    full_batch_input_fn,
    linear_model_fn,
    numpy_gd,
)


@pytest.fixture
def trained(tmp_path):
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path / "model"),
                                 params={"lr": LR})
    est.train(full_batch_input_fn(), steps=3)
    return est


def _raw_receiver_fn():
    return tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3], name="x")})


def test_export_then_load_gives_the_same_predictions(trained, tmp_path):
    export_dir = trained.export_saved_model(str(tmp_path / "export"), _raw_receiver_fn())
    # As TF1: bytes, a folder named by the export time, inside export_dir_base.
    assert isinstance(export_dir, bytes)
    assert os.path.dirname(export_dir) == os.fsencode(tmp_path / "export")
    assert os.path.basename(export_dir).isdigit()
    assert not [n for n in os.listdir(tmp_path / "export") if n.startswith("temp-")]
    expected = np.stack([p["y"] for p in trained.predict(
        tf.estimator.inputs.numpy_input_fn({"x": X}, shuffle=False))])
    w, b = numpy_gd(3)
    np.testing.assert_allclose(expected, X @ w + b, rtol=1e-5)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING],
                                          export_dir)
        signature = meta.signature_def["serving_default"]
        assert set(signature.inputs) == {"x"} and set(signature.outputs) == {"y", "double"}
        assert signature.method_name == tf.saved_model.signature_constants.PREDICT_METHOD_NAME
        got = sess.run(signature.outputs["y"].name, {signature.inputs["x"].name: X})
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_flowgraph_run_serves_the_export(trained, tmp_path, capsys):
    export_dir = os.fsdecode(trained.export_saved_model(str(tmp_path / "export"),
                                                        _raw_receiver_fn()))
    np.save(tmp_path / "x.npy", X)
    code = cli_main(["run", export_dir, "--input", f"x={tmp_path / 'x.npy'}", "--output",
                     "double", "--out-dir", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr()
    w, b = numpy_gd(3)
    np.testing.assert_allclose(np.load(tmp_path / "out" / "double.npy"), 2 * (X @ w + b),
                               rtol=1e-5)


def test_export_outputs_choose_the_signatures(tmp_path):
    def model_fn(features, mode):
        w = tf.get_variable("w", initializer=tf.constant([[1.0], [2.0], [3.0]]))
        y = tf.matmul(features["x"], w)
        scores = tf.nn.softmax(tf.concat([y, -y], axis=1))
        outputs = {
            "serving_default": tf.estimator.export.PredictOutput({"scores": scores}),
            "regress": tf.estimator.export.RegressionOutput(y),
        }
        return tf.estimator.EstimatorSpec(mode, predictions={"y": y, "scores": scores},
                                          export_outputs=outputs, loss=tf.reduce_sum(y),
                                          train_op=tf.assign_add(
                                              tf.train.get_global_step(), 1))

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "m"))
    est.train(lambda: ({"x": tf.constant(X)}, None), steps=1)
    export_dir = est.export_savedmodel(str(tmp_path / "e"), _raw_receiver_fn())
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export_dir)
        # The regress signature needs serialized examples (a string input): left out.
        assert set(meta.signature_def) == {"serving_default"}
        sig = meta.signature_def["serving_default"]
        scores = sess.run(sig.outputs["scores"].name, {sig.inputs["x"].name: X[:2]})
    y = X[:2] @ np.array([[1.0], [2.0], [3.0]])
    expected = np.exp(np.concatenate([y, -y], 1))
    np.testing.assert_allclose(scores, expected / expected.sum(1, keepdims=True), rtol=1e-5)


def test_export_needs_a_checkpoint_and_a_receiver(tmp_path):
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path / "empty"), params={})
    with pytest.raises(ValueError, match="Couldn't find trained model at"):
        est.export_saved_model(str(tmp_path / "e"), _raw_receiver_fn())
    with pytest.raises(ValueError, match="An input_receiver_fn must be defined."):
        est.export_saved_model(str(tmp_path / "e"), None)


def test_export_writes_assets_extra(trained, tmp_path):
    source = tmp_path / "vocab.txt"
    source.write_text("a\nb\n")
    export_dir = trained.export_saved_model(str(tmp_path / "export"), _raw_receiver_fn(),
                                            assets_extra={"data/vocab.txt": str(source)})
    copied = os.path.join(os.fsdecode(export_dir), "assets.extra", "data", "vocab.txt")
    assert open(copied).read() == "a\nb\n"


def test_serving_input_receivers_check_their_inputs():
    x = tf.placeholder(tf.float32, [None, 3])
    receiver = tf.estimator.export.ServingInputReceiver(x, x)
    assert set(receiver.features) == {"feature"} and set(receiver.receiver_tensors) == {"input"}
    tensor_receiver = tf.estimator.export.TensorServingInputReceiver(x, {"x": x})
    assert tensor_receiver.features is x
    with pytest.raises(ValueError, match="features must be defined."):
        tf.estimator.export.ServingInputReceiver(None, x)
    with pytest.raises(ValueError, match="receiver_tensors must be defined."):
        tf.estimator.export.ServingInputReceiver(x, None)
    with pytest.raises(ValueError, match="feature keys must be strings: 1."):
        tf.estimator.export.ServingInputReceiver({1: x}, x)
    with pytest.raises(ValueError, match="feature a must be a Tensor, SparseTensor"):
        tf.estimator.export.ServingInputReceiver({"a": 3.0}, x)
    fn = tf.estimator.export.build_raw_serving_input_receiver_fn({"x": x}, default_batch_size=5)
    with tf.Graph().as_default():
        built = fn()
        assert built.receiver_tensors["x"].get_shape().as_list() == [5, 3]
        assert built.features["x"] is built.receiver_tensors["x"]


def test_export_output_checks():
    y = tf.constant([[1.0]])
    assert set(tf.estimator.export.PredictOutput(y).outputs) == {"output"}
    with pytest.raises(ValueError, match="Regression output value must be a float32 Tensor"):
        tf.estimator.export.RegressionOutput(tf.constant([1]))
    with pytest.raises(ValueError, match="At least one of scores and classes must be set."):
        tf.estimator.export.ClassificationOutput()
    with pytest.raises(ValueError, match="Classification classes must be a string Tensor"):
        tf.estimator.export.ClassificationOutput(classes=y)
    with pytest.raises(ValueError, match="Prediction output value must be a Tensor"):
        tf.estimator.export.PredictOutput({"a": 1.0})


def test_contrib_predictor_calls_the_export(trained, tmp_path):
    from flowgraph.contrib import predictor

    export_dir = trained.export_saved_model(str(tmp_path / "export"), _raw_receiver_fn())
    predict_fn = predictor.from_saved_model(export_dir)
    outputs = predict_fn({"x": X[:4]})
    assert set(outputs) == {"y", "double"}
    w, b = numpy_gd(3)
    np.testing.assert_allclose(outputs["double"], 2 * (X[:4] @ w + b), rtol=1e-5)
    with pytest.raises(ValueError, match="Got unexpected keys in input_dict"):
        predict_fn({"z": X})
    predict_fn.session.close()
