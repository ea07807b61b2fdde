"""build_parsing_serving_input_receiver_fn: an exported Estimator fed serialized
tf.train.Examples through the saved-model loader, as TF1 serving does."""

import numpy as np

import flowgraph as tf
from tests.estimator.estimator_helpers import (  # noqa: F401 - fixture
    LR,
    X,
    close_cached_writers,
    full_batch_input_fn,
    linear_model_fn,
    numpy_gd,
)


def serialized_examples(rows, extra=None):
    """One serialized Example per row of `rows` (feature "x"), plus `extra` features."""
    out = []
    for i, row in enumerate(rows):
        feature = {"x": tf.train.Feature(float_list=tf.train.FloatList(value=row))}
        for key, values in (extra or {}).items():
            feature[key] = values[i]
        example = tf.train.Example(features=tf.train.Features(feature=feature))
        out.append(example.SerializeToString())
    return out


def test_receiver_fn_builds_tf1s_placeholder_and_features():
    spec = {"x": tf.io.FixedLenFeature([3], tf.float32),
            "tags": tf.io.VarLenFeature(tf.string)}
    fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(spec, default_batch_size=4)
    with tf.Graph().as_default():
        receiver = fn()
        examples = receiver.receiver_tensors["examples"]
        assert list(receiver.receiver_tensors) == ["examples"]
        assert examples.op.name == "input_example_tensor" and examples.dtype == tf.string
        assert examples.shape.as_list() == [4]
        assert receiver.features["x"].shape.as_list() == [4, 3]
        assert isinstance(receiver.features["tags"], tf.SparseTensor)


def test_exported_custom_estimator_serves_serialized_examples(tmp_path):
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path / "model"),
                                 params={"lr": LR})
    est.train(full_batch_input_fn(), steps=3)
    fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        {"x": tf.io.FixedLenFeature([3], tf.float32)})
    export_dir = est.export_saved_model(str(tmp_path / "export"), fn)
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING],
                                          export_dir)
        signature = meta.signature_def["serving_default"]
        assert set(signature.inputs) == {"examples"}
        assert signature.inputs["examples"].name == "input_example_tensor:0"
        got = sess.run(signature.outputs["y"].name,
                       {signature.inputs["examples"].name: serialized_examples(X[:5])})
    w, b = numpy_gd(3)
    np.testing.assert_allclose(got, X[:5] @ w + b, rtol=1e-5)


def test_exported_canned_regressor_with_feature_columns(tmp_path):
    fc = tf.feature_column
    columns = [fc.numeric_column("x", shape=[3]),
               fc.categorical_column_with_vocabulary_list("color", ["red", "blue"])]
    colors = np.array([b"red", b"blue"] * 6)
    labels = (X @ np.float32([[1.0], [-1.0], [0.5]]) + (colors == b"blue")[:, None]) \
        .astype(np.float32)
    est = tf.estimator.LinearRegressor(columns, model_dir=str(tmp_path / "model"))
    est.train(tf.estimator.inputs.numpy_input_fn({"x": X, "color": colors}, labels,
                                                 batch_size=12, num_epochs=None,
                                                 shuffle=False), steps=5)
    spec = fc.make_parse_example_spec(columns)
    export_dir = est.export_saved_model(
        str(tmp_path / "export"),
        tf.estimator.export.build_parsing_serving_input_receiver_fn(spec))
    color_features = [tf.train.Feature(bytes_list=tf.train.BytesList(value=[c]))
                      for c in colors[:4]]
    records = serialized_examples(X[:4], {"color": color_features})
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export_dir)
        predict = meta.signature_def["predict"]
        got = sess.run(predict.outputs["predictions"].name,
                       {predict.inputs["examples"].name: records})
        # As TF1's canned regressors: serving_default is a regress signature fed 'inputs'.
        regress = meta.signature_def["serving_default"]
        assert regress.method_name == "tensorflow/serving/regress"
        regressed = sess.run(regress.outputs["outputs"].name,
                             {regress.inputs["inputs"].name: records})
    # Independent reference: the trained weights applied in numpy.
    names = est.get_variable_names()
    weight = [n for n in names if n.endswith("x/weights")][0]
    color = [n for n in names if n.endswith("color/weights")][0]
    bias = [n for n in names if n.endswith("bias_weights")][0]
    color_index = (colors[:4] == b"blue").astype(int)
    expected = (X[:4] @ est.get_variable_value(weight)
                + est.get_variable_value(color)[color_index]
                + est.get_variable_value(bias))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(regressed, expected, rtol=1e-5, atol=1e-6)
