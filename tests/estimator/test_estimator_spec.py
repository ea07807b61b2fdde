"""EstimatorSpec's checks and defaults, ModeKeys, and RunConfig."""

import pytest

import flowgraph as tf
import flowgraph.estimator  # noqa: F401


def test_mode_keys_have_tf1_values():
    keys = tf.estimator.ModeKeys
    assert (keys.TRAIN, keys.EVAL, keys.PREDICT) == ("train", "eval", "infer")


def test_estimator_spec_fields_and_defaults():
    loss = tf.constant(1.0)
    spec = tf.estimator.EstimatorSpec("eval", loss=loss)
    assert spec._fields == ("mode", "predictions", "loss", "train_op", "eval_metric_ops",
                            "export_outputs", "training_chief_hooks", "training_hooks",
                            "scaffold", "evaluation_hooks", "prediction_hooks")
    assert spec.predictions == {} and spec.eval_metric_ops == {}
    assert spec.training_hooks == () and spec.export_outputs is None
    assert isinstance(spec.scaffold, tf.train.Scaffold)


def test_predict_spec_gets_a_default_serving_signature():
    y = tf.constant([[1.0]])
    spec = tf.estimator.EstimatorSpec("infer", predictions={"y": y})
    (key,) = spec.export_outputs
    assert key == "serving_default"
    assert spec.export_outputs[key].outputs == {"y": y}
    # A single named output is also the default signature.
    reg = tf.estimator.export.RegressionOutput(y)
    spec = tf.estimator.EstimatorSpec("infer", predictions=y, export_outputs={"r": reg})
    assert spec.export_outputs == {"r": reg, "serving_default": reg}
    with pytest.raises(ValueError, match="Multiple export_outputs were provided, but none"):
        tf.estimator.EstimatorSpec("infer", predictions=y,
                                   export_outputs={"a": reg, "b": reg})


@pytest.mark.parametrize("mode, kwargs, error, message", [
    ("train", {"loss": 1}, ValueError, "Missing train_op."),
    ("eval", {}, ValueError, "Missing loss."),
    ("infer", {}, ValueError, "Missing predictions."),
    ("eval", {"loss": 1.0}, TypeError, "loss must be Tensor, given: 1.0"),
    ("eval", {"loss": "vec"}, ValueError, "Loss must be scalar, given:"),
    ("infer", {"predictions": {"y": 3}}, TypeError, "predictions\\[y\\] must be Tensor"),
    ("eval", {"loss": "scalar", "training_hooks": [1]}, TypeError,
     "All hooks must be SessionRunHook instances, given: 1"),
    ("eval", {"loss": "scalar", "eval_metric_ops": {"m": 1}}, TypeError,
     "Values of eval_metric_ops must be \\(metric_value, update_op\\) tuples"),
    ("eval", {"loss": "scalar", "eval_metric_ops": [1]}, TypeError,
     "eval_metric_ops must be a dict"),
    ("eval", {"loss": "scalar", "scaffold": 3}, TypeError, "scaffold must be tf.train.Scaffold"),
])
def test_estimator_spec_errors(mode, kwargs, error, message):
    values = {"vec": tf.constant([1.0, 2.0]), "scalar": tf.constant(1.0)}
    kwargs = {k: values.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    with pytest.raises(error, match=message):
        tf.estimator.EstimatorSpec(mode, **kwargs)


def test_loss_of_shape_one_becomes_a_scalar_and_other_graphs_are_refused():
    spec = tf.estimator.EstimatorSpec("eval", loss=tf.constant([2.5]))
    assert spec.loss.get_shape().as_list() == []
    with tf.Graph().as_default():
        other = tf.constant(1.0)
    with pytest.raises(ValueError, match="loss with .* must be from the default graph"):
        tf.estimator.EstimatorSpec("eval", loss=other)


def test_replace_checks_again_and_keeps_the_mode():
    spec = tf.estimator.EstimatorSpec("eval", loss=tf.constant(1.0))
    with pytest.raises(ValueError, match="mode of EstimatorSpec cannot be changed."):
        spec._replace(mode="train")
    with pytest.raises(ValueError, match="Missing loss."):
        spec._replace(loss=None)
    assert spec._replace(predictions={"p": spec.loss}).predictions == {"p": spec.loss}


def test_run_config_defaults():
    config = tf.estimator.RunConfig()
    assert config.model_dir is None and config.tf_random_seed is None
    assert config.save_summary_steps == 100 and config.save_checkpoints_secs == 600
    assert config.save_checkpoints_steps is None and config.keep_checkpoint_max == 5
    assert config.keep_checkpoint_every_n_hours == 10000
    assert config.log_step_count_steps == 100 and config.is_chief
    assert config.task_type == "worker" and config.task_id == 0 and config.master == ""
    assert config.num_worker_replicas == 1 and config.num_ps_replicas == 0


def test_run_config_checkpoint_settings_and_replace():
    config = tf.estimator.RunConfig(save_checkpoints_steps=10)
    assert config.save_checkpoints_secs is None
    with pytest.raises(ValueError, match="Can not provide both save_checkpoints_steps and"):
        tf.estimator.RunConfig(save_checkpoints_steps=10, save_checkpoints_secs=5)
    replaced = config.replace(save_checkpoints_secs=30, model_dir="m")
    assert replaced.save_checkpoints_secs == 30 and replaced.save_checkpoints_steps is None
    assert replaced.model_dir == "m" and config.model_dir is None
    with pytest.raises(ValueError, match="is_chief is not supported by RunConfig.replace"):
        config.replace(is_chief=False)


@pytest.mark.parametrize("kwargs, message", [
    ({"save_summary_steps": -1}, "save_summary_steps should be >= 0"),
    ({"keep_checkpoint_max": -1}, "keep_checkpoint_max should be >= 0"),
    ({"keep_checkpoint_every_n_hours": 0}, "keep_checkpoint_every_n_hours should be > 0"),
    ({"log_step_count_steps": -5}, "log_step_count_steps should be >= 0"),
    ({"tf_random_seed": 1.5}, "tf_random_seed must be integer."),
    ({"model_dir": ""}, "model_dir should be non-empty"),
    ({"session_config": {}}, "session_config must be instance of ConfigProto"),
])
def test_run_config_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tf.estimator.RunConfig(**kwargs)


def test_run_config_reads_tf_config(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"chief": ["h:1"], "worker": ["h:2", "h:3"]},'
                       ' "task": {"type": "worker", "index": 1}}')
    config = tf.estimator.RunConfig()
    assert config.task_type == "worker" and config.task_id == 1 and not config.is_chief
    assert config.num_worker_replicas == 3
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG environment variable is not valid JSON"):
        tf.estimator.RunConfig()
