"""Estimator.train: resuming from model_dir, steps / max_steps, checkpoints, summaries,
model_fn argument subsets, hooks, listeners and input_fn kinds."""

import os

import numpy as np
import pytest

import flowgraph as tf
from tests.estimator.estimator_helpers import (  # noqa: F401 - fixture
    LR,
    W0,
    X,
    Y,
    checkpoint_steps,
    close_cached_writers,
    full_batch_input_fn,
    linear_model_fn,
    numpy_gd,
    scalar_events,
)


def _estimator(model_dir, **config):
    return tf.estimator.Estimator(linear_model_fn, model_dir=str(model_dir), params={"lr": LR},
                                  config=tf.estimator.RunConfig(**config))


def test_training_resumes_across_estimator_objects(tmp_path):
    est = _estimator(tmp_path)
    assert est.train(full_batch_input_fn(), steps=4) is est
    assert est.get_variable_value("global_step") == 4
    # A new Estimator on the same folder continues from step 4, not from the initial values.
    est2 = _estimator(tmp_path)
    est2.train(full_batch_input_fn(), steps=3)
    assert est2.get_variable_value("global_step") == 7
    assert est2.latest_checkpoint() == os.path.join(str(tmp_path), "model.ckpt-7")
    w, b = numpy_gd(7)
    np.testing.assert_allclose(est2.get_variable_value("w"), w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(est2.get_variable_value("b"), b, rtol=1e-5, atol=1e-6)
    assert sorted(est2.get_variable_names()) == ["b", "global_step", "w"]


def test_max_steps_is_a_global_step_target(tmp_path):
    est = _estimator(tmp_path)
    est.train(full_batch_input_fn(), max_steps=3)
    assert est.get_variable_value("global_step") == 3
    est.train(full_batch_input_fn(), max_steps=3)  # already there: nothing runs
    assert est.get_variable_value("global_step") == 3
    est.train(full_batch_input_fn(), max_steps=5)
    assert est.get_variable_value("global_step") == 5
    np.testing.assert_allclose(est.get_variable_value("w"), numpy_gd(5)[0], rtol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": 2, "max_steps": 3}, "Can not provide both steps and max_steps."),
    ({"steps": 0}, "Must specify steps > 0, given: 0"),
    ({"max_steps": -1}, "Must specify max_steps > 0, given: -1"),
])
def test_train_argument_errors(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        _estimator(tmp_path).train(full_batch_input_fn(), **kwargs)


def test_end_of_input_ends_training(tmp_path):
    # 10 examples, 2 epochs, batches of 4: 20 rows -> 5 steps, then OutOfRangeError ends it.
    fn = tf.estimator.inputs.numpy_input_fn({"x": X[:10]}, Y[:10], batch_size=4, num_epochs=2,
                                            shuffle=False)
    est = _estimator(tmp_path)
    est.train(fn)
    assert est.get_variable_value("global_step") == 5
    assert checkpoint_steps(tmp_path)[-1] == 5  # the final checkpoint is saved at the end


def test_checkpoint_frequency_and_keep_max(tmp_path):
    est = _estimator(tmp_path, save_checkpoints_steps=2, keep_checkpoint_max=2)
    est.train(full_batch_input_fn(), steps=5)
    # Saved at 0, 2, 4 and 5; only the two most recent are kept.
    assert checkpoint_steps(tmp_path) == [4, 5]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == \
        ["model.ckpt-4", "model.ckpt-5"]


def test_loss_and_steps_per_second_summaries(tmp_path):
    est = _estimator(tmp_path, save_summary_steps=2, log_step_count_steps=2)
    est.train(full_batch_input_fn(), steps=5)
    tf.summary.FileWriterCache.clear()
    events = scalar_events(tmp_path)
    assert "loss" in events and "global_step/sec" in events
    # The loss summary of step s holds the loss computed before that step's update.
    w, b = numpy_gd(2)
    expected = float(np.mean((X @ w + b - Y) ** 2))
    logged = dict(events["loss"])
    assert sorted(logged)[:2] == [1, 3]
    np.testing.assert_allclose(logged[3], expected, rtol=1e-5)
    assert all(v > 0 for _, v in events["global_step/sec"])
    assert os.path.exists(os.path.join(str(tmp_path), "graph.pbtxt"))


def test_model_fn_may_take_any_subset_of_arguments(tmp_path):
    seen = {}

    def model_fn(features, labels, config):
        seen["config"] = config
        w = tf.get_variable("w", initializer=tf.constant(W0))
        loss = tf.reduce_mean(tf.square(tf.matmul(features["x"], w) - labels))
        train_op = tf.train.GradientDescentOptimizer(LR).minimize(
            loss, global_step=tf.train.get_or_create_global_step())
        return tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.TRAIN, loss=loss,
                                          train_op=train_op)

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    est.train(full_batch_input_fn(), steps=1)
    assert isinstance(seen["config"], tf.estimator.RunConfig)
    assert seen["config"].model_dir == str(tmp_path)
    assert est.get_variable_value("global_step") == 1


def test_params_are_passed_and_copied(tmp_path):
    params = {"lr": 0.5}
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params=params)
    params["lr"] = 99.0
    assert est.params == {"lr": 0.5}
    est.train(full_batch_input_fn(), steps=2)
    np.testing.assert_allclose(est.get_variable_value("w"), numpy_gd(2, lr=0.5)[0], rtol=1e-5)


def test_model_fn_argument_checks(tmp_path):
    with pytest.raises(ValueError, match="must include features argument"):
        tf.estimator.Estimator(lambda x, labels: None, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match="does not include params argument"):
        tf.estimator.Estimator(lambda features: None, params={"a": 1})
    with pytest.raises(ValueError, match="has following not expected args: \\['other'\\]"):
        tf.estimator.Estimator(lambda features, other: None)

    def no_labels(features, mode):
        raise AssertionError("not reached")

    est = tf.estimator.Estimator(no_labels, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match="model_fn does not take labels, but input_fn returns"):
        est.train(full_batch_input_fn(), steps=1)


def test_model_fn_must_return_an_estimator_spec(tmp_path):
    est = tf.estimator.Estimator(lambda features, labels: {"loss": 1.0}, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match="model_fn should return an EstimatorSpec."):
        est.train(full_batch_input_fn(), steps=1)


def test_model_dir_defaults_to_a_temporary_folder():
    est = tf.estimator.Estimator(linear_model_fn, params={})
    assert os.path.isdir(est.model_dir) and est.config.model_dir == est.model_dir
    est.train(full_batch_input_fn(), steps=1)
    assert os.path.exists(os.path.join(est.model_dir, "model.ckpt-1.index"))


def test_model_dir_in_constructor_and_config_must_agree(tmp_path):
    config = tf.estimator.RunConfig(model_dir=str(tmp_path / "a"))
    with pytest.raises(ValueError, match="`model_dir` are set both in constructor and"):
        tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path / "b"), config=config,
                               params={})
    est = tf.estimator.Estimator(linear_model_fn, config=config, params={})
    assert est.model_dir == str(tmp_path / "a")


def test_input_fn_may_return_a_dataset_and_take_params(tmp_path):
    seen = {}

    def input_fn(params, mode):
        seen["params"], seen["mode"] = params, mode
        return tf.data.Dataset.from_tensor_slices(({"x": X}, Y)).batch(6)

    est = _estimator(tmp_path)
    est.train(input_fn)  # 12 examples in batches of 6: two steps, then the end of data
    assert seen == {"params": {"lr": LR}, "mode": "train"}
    assert est.get_variable_value("global_step") == 2


def test_hooks_and_saving_listeners_are_called(tmp_path):
    calls = []

    class Hook(tf.train.SessionRunHook):
        def begin(self):
            calls.append("begin")

        def after_run(self, run_context, run_values):
            calls.append("step")

        def end(self, session):
            calls.append("end")

    class Listener(tf.train.CheckpointSaverListener):
        def after_save(self, session, global_step_value):
            calls.append(("saved", global_step_value))

    est = _estimator(tmp_path, save_checkpoints_steps=2)
    est.train(full_batch_input_fn(), steps=3, hooks=[Hook()], saving_listeners=[Listener()])
    assert calls[0] == "begin" and calls[-1] == "end"
    assert calls.count("step") == 3
    assert [c[1] for c in calls if isinstance(c, tuple)] == [0, 2, 3]
    with pytest.raises(TypeError, match="All hooks must be SessionRunHook instances"):
        est.train(full_batch_input_fn(), steps=1, hooks=[object()])


def test_saving_listeners_need_a_checkpoint_saver(tmp_path):
    est = _estimator(tmp_path, save_checkpoints_steps=None, save_checkpoints_secs=None)
    with pytest.raises(ValueError, match="There should be a CheckpointSaverHook"):
        est.train(full_batch_input_fn(), steps=1,
                  saving_listeners=[tf.train.CheckpointSaverListener()])


def test_nan_loss_stops_training_with_an_error(tmp_path):
    def model_fn(features, labels, mode):
        w = tf.get_variable("w", initializer=tf.constant(W0))
        loss = tf.reduce_mean(tf.matmul(features["x"], w)) * np.float32(np.nan)
        train_op = tf.train.GradientDescentOptimizer(LR).minimize(
            loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    with pytest.raises(tf.train.NanLossDuringTrainingError, match="NaN loss during training"):
        est.train(full_batch_input_fn(), steps=3)


def test_tf_random_seed_makes_training_repeatable(tmp_path):
    def model_fn(features, labels, mode):
        w = tf.get_variable("w", [3, 1])  # glorot-uniform from the graph seed
        loss = tf.reduce_mean(tf.square(tf.matmul(features["x"], w) - labels))
        train_op = tf.train.GradientDescentOptimizer(LR).minimize(
            loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    values = []
    for name in ("a", "b"):
        config = tf.estimator.RunConfig(tf_random_seed=7)
        est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / name), config=config)
        est.train(full_batch_input_fn(), steps=1)
        values.append(est.get_variable_value("w"))
    np.testing.assert_array_equal(values[0], values[1])


def test_warm_start_from_another_model_dir(tmp_path):
    source = _estimator(tmp_path / "source")
    source.train(full_batch_input_fn(), steps=3)
    target = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path / "target"),
                                    params={"lr": LR}, warm_start_from=str(tmp_path / "source"))
    target.train(full_batch_input_fn(), steps=2)
    # w and b start from step 3 of the source; the global step (not trainable) starts at 0.
    assert target.get_variable_value("global_step") == 2
    np.testing.assert_allclose(target.get_variable_value("w"), numpy_gd(5)[0], rtol=1e-5)


def test_warm_start_settings_select_variables(tmp_path):
    source = _estimator(tmp_path / "source")
    source.train(full_batch_input_fn(), steps=3)
    settings = tf.estimator.WarmStartSettings(str(tmp_path / "source"), vars_to_warm_start="w")
    target = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path / "target"),
                                    params={"lr": LR}, warm_start_from=settings)
    predictions = next(target.predict(
        tf.estimator.inputs.numpy_input_fn({"x": X[:1]}, shuffle=False)))
    w3, _ = numpy_gd(3)
    # w from the source, b still its initial value 0.05.
    np.testing.assert_allclose(predictions["y"], X[0] @ w3 + 0.05, rtol=1e-5)
    with pytest.raises(ValueError, match="warm_start_from must be a string or a"):
        tf.estimator.Estimator(linear_model_fn, params={}, warm_start_from=3)
