"""Canned estimators name their checkpoint entries as TF1's do (TF1 partitions the DNN and
linear variables, which shifts the slot names: ``.../t_0/Adagrad``, ``.../part_0/Ftrl``);
string labels fed by numpy_input_fn are bytes, so a label_vocabulary finds them."""

import os

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.estimator import (
    DNNClassifier,
    DNNLinearCombinedClassifier,
    DNNRegressor,
    LinearRegressor,
    RunConfig,
)
from flowgraph.estimator.checkpoint_names import _slot_checkpoint_name
from flowgraph.estimator.inputs import numpy_input_fn
from tests.estimator.estimator_helpers import close_cached_writers  # noqa: F401

fc = fg.feature_column
QUIET = dict(log_step_count_steps=None, save_summary_steps=None, tf_random_seed=3)
X = np.array([0.1, 0.9, 0.3, 0.7], np.float32)
Y = np.array([0, 1, 0, 1], np.int64)


def _train(est, labels=Y, steps=2):
    est.train(numpy_input_fn({"x": X}, labels, batch_size=4, num_epochs=None,
                             shuffle=False), steps=steps)
    return est


def test_dnn_classifier_slot_names_are_tf1s(tmp_path):
    est = _train(DNNClassifier([2], [fc.numeric_column("x")], model_dir=str(tmp_path),
                               config=RunConfig(**QUIET)), labels=np.ones(4, np.int64))
    # The listing TF1 1.x prints for this model (get_variable_names).
    assert est.get_variable_names() == [
        "dnn/hiddenlayer_0/bias", "dnn/hiddenlayer_0/bias/t_0/Adagrad",
        "dnn/hiddenlayer_0/kernel", "dnn/hiddenlayer_0/kernel/t_0/Adagrad",
        "dnn/logits/bias", "dnn/logits/bias/t_0/Adagrad",
        "dnn/logits/kernel", "dnn/logits/kernel/t_0/Adagrad", "global_step"]
    # Adagrad's accumulator starts at 0.1 and adds g^2 per step, where the bias gradient
    # g = sum(sigmoid(logit) - 1) over 4 examples is in (-4, 0): two steps stay in (0.1, 32.1].
    accumulator = est.get_variable_value("dnn/logits/bias/t_0/Adagrad")
    assert 0.1 < accumulator[0] <= 32.1
    # Training again restores every entry (the slots too) and carries on.
    est.train(numpy_input_fn({"x": X}, Y, batch_size=4, num_epochs=None, shuffle=False),
              steps=1)
    assert est.get_variable_value("global_step") == 3
    metrics = est.evaluate(numpy_input_fn({"x": X}, Y, batch_size=4, shuffle=False))
    assert metrics["global_step"] == 3
    assert len(list(est.predict(numpy_input_fn({"x": X}, shuffle=False)))) == 4


def test_dnn_regressor_batch_norm_and_embedding_names(tmp_path):
    cols = [fc.numeric_column("x"),
            fc.embedding_column(fc.categorical_column_with_identity("c", 3), dimension=2)]
    est = DNNRegressor([2], cols, batch_norm=True, model_dir=str(tmp_path),
                       config=RunConfig(**QUIET))
    est.train(numpy_input_fn({"x": X, "c": np.array([0, 1, 2, 1])}, X, batch_size=4,
                             num_epochs=None, shuffle=False), steps=1)
    names = set(est.get_variable_names())
    emb = "dnn/input_from_feature_columns/input_layer/c_embedding/embedding_weights"
    assert {emb, emb + "/t_0/Adagrad",
            "dnn/hiddenlayer_0/batchnorm_0/gamma/t_0/Adagrad",
            "dnn/hiddenlayer_0/batchnorm_0/moving_mean",
            "dnn/hiddenlayer_0/batchnorm_0/moving_variance"} <= names
    assert not any(name.startswith("dnn/dnn/") for name in names)


def test_linear_regressor_ftrl_slot_names_are_tf1s(tmp_path):
    est = LinearRegressor([fc.numeric_column("x")], model_dir=str(tmp_path),
                          config=RunConfig(**QUIET))
    _train(est, labels=X)
    assert est.get_variable_names() == [
        "global_step", "linear/linear_model/bias_weights",
        "linear/linear_model/bias_weights/part_0/Ftrl",
        "linear/linear_model/bias_weights/part_0/Ftrl_1",
        "linear/linear_model/x/weights", "linear/linear_model/x/weights/part_0/Ftrl",
        "linear/linear_model/x/weights/part_0/Ftrl_1"]


def test_combined_estimator_trains_outside_the_scopes(tmp_path):
    # TF1 minimizes outside the 'dnn' / 'linear' scopes: no shift, plain slot names.
    est = _train(DNNLinearCombinedClassifier(
        linear_feature_columns=[fc.numeric_column("x")],
        dnn_feature_columns=[fc.numeric_column("x")], dnn_hidden_units=[2],
        model_dir=str(tmp_path), config=RunConfig(**QUIET)), steps=1)
    names = set(est.get_variable_names())
    assert {"dnn/hiddenlayer_0/kernel/Adagrad", "linear/linear_model/x/weights/Ftrl",
            "linear/linear_model/x/weights/Ftrl_1"} <= names


def test_export_restores_the_renamed_slots(tmp_path):
    est = _train(DNNClassifier([2], [fc.numeric_column("x")], model_dir=str(tmp_path / "m"),
                               config=RunConfig(**QUIET)))
    receiver = fg.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": fg.placeholder(fg.float32, [None], name="x")}, default_batch_size=None)
    path = est.export_saved_model(str(tmp_path / "export"), receiver)
    assert os.path.isdir(path)
    kernel = est.get_variable_value("dnn/logits/kernel")
    with fg.Graph().as_default(), fg.Session() as sess:
        fg.saved_model.loader.load(sess, ["serve"], path)
        restored = sess.run("dnn/logits/kernel:0")
    np.testing.assert_allclose(restored, kernel)


@pytest.mark.parametrize("slot, expected", [
    ("dnn/dnn/hiddenlayer_0/kernel/Adagrad", "dnn/hiddenlayer_0/kernel/t_0/Adagrad"),
    ("linear/linear/linear_model/x/weights/Ftrl_1",
     "linear/linear_model/x/weights/part_0/Ftrl_1"),
    ("dnn/hiddenlayer_0/kernel/Adagrad", "dnn/hiddenlayer_0/kernel/Adagrad"),
    ("other/w/Adam", None),
])
def test_slot_name_arithmetic(slot, expected):
    # TF1: full_name + "/" + tf1_slot_op_name[len(primary + "/part_0/"):], worked by hand.
    primaries = ["dnn/hiddenlayer_0/kernel", "linear/linear_model/x/weights"]
    assert _slot_checkpoint_name(slot, primaries) == expected


def test_string_labels_from_numpy_are_bytes(tmp_path):
    labels = np.array(["no", "yes", "no", "yes"])  # numpy unicode, as users write them
    fn = numpy_input_fn({"x": X}, labels, batch_size=4, num_epochs=1, shuffle=False)
    with fg.Graph().as_default():
        _, label_tensor = fn()
        with fg.train.MonitoredSession() as sess:
            values = sess.run(label_tensor)
    assert list(values) == [b"no", b"yes", b"no", b"yes"]
    est = _train(DNNClassifier([2], [fc.numeric_column("x")], label_vocabulary=["no", "yes"],
                               model_dir=str(tmp_path), config=RunConfig(**QUIET)),
                 labels=labels)
    metrics = est.evaluate(numpy_input_fn({"x": X}, labels, batch_size=4, shuffle=False))
    assert metrics["label/mean"] == pytest.approx(0.5)


def test_warm_start_reads_slots_by_their_tf1_names(tmp_path):
    source = _train(DNNClassifier([2], [fc.numeric_column("x")], model_dir=str(tmp_path / "a"),
                                  config=RunConfig(**QUIET)), labels=np.ones(4, np.int64))
    settings = fg.estimator.WarmStartSettings(str(tmp_path / "a"), vars_to_warm_start=[".*"])
    target = DNNClassifier([2], [fc.numeric_column("x")], model_dir=str(tmp_path / "b"),
                           config=RunConfig(**QUIET), warm_start_from=settings)
    # predict() without a checkpoint of its own starts from the warm-started values.
    pred_input = numpy_input_fn({"x": X}, shuffle=False)
    expected = [p["logits"] for p in source.predict(pred_input)]
    np.testing.assert_allclose([p["logits"] for p in target.predict(pred_input)], expected)
    _train(target, steps=1)
    name = "dnn/logits/bias/t_0/Adagrad"
    # The warm-started accumulator grew by one more squared gradient.
    assert target.get_variable_value(name)[0] > source.get_variable_value(name)[0]


def test_a_really_partitioned_linear_model_saves_each_variable_whole(tmp_path):
    # An explicit partitioner splits the weights into parts; the checkpoint keeps one entry
    # per variable under its full name with the whole shape, as TF1's Saver does.
    x = fg.feature_column.numeric_column("x", shape=[4])
    est = fg.estimator.LinearRegressor([x], model_dir=str(tmp_path),
                                       partitioner=fg.fixed_size_partitioner(2))
    features = {"x": np.arange(32, dtype=np.float32).reshape(8, 4) / 32}
    labels = np.linspace(0, 1, 8, dtype=np.float32)
    est.train(fg.estimator.inputs.numpy_input_fn(features, labels, batch_size=4,
                                                 num_epochs=None, shuffle=False), steps=2)
    shapes = dict(fg.train.list_variables(str(tmp_path)))
    assert shapes["linear/linear_model/x/weights"] == [4, 1]
    assert not any(name.endswith(("weights/part_0", "weights/part_1")) for name in shapes)
