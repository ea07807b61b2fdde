"""tf.estimator.experimental early stopping, as TF1: the hooks read the metrics in the eval
event files and stop training (setting 'signal_early_stopping/STOP') when told to."""

import collections

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.estimator import experimental
from tests.estimator.estimator_helpers import (  # noqa: F401
    close_cached_writers,
    full_batch_input_fn,
    linear_model_fn,
)

pytest.importorskip("tensorboardX")


def _estimator(tmp_path):
    return fg.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params={},
                                  config=fg.estimator.RunConfig(log_step_count_steps=None))


def _write_eval_history(eval_dir, history):
    writer = fg.summary.FileWriter(eval_dir)
    for step, loss in history:
        writer.add_summary(fg.Summary(value=[fg.Summary.Value(tag="loss", simple_value=loss)]),
                           step)
    writer.close()


def test_read_eval_metrics_orders_by_step(tmp_path):
    eval_dir = str(tmp_path / "eval")
    _write_eval_history(eval_dir, [(5, 0.25), (1, 1.0), (2, 0.5)])
    assert experimental.read_eval_metrics(eval_dir) == collections.OrderedDict(
        [(1, {"loss": 1.0}), (2, {"loss": 0.5}), (5, {"loss": 0.25})])
    assert experimental.read_eval_metrics(str(tmp_path / "none")) == {}


@pytest.mark.parametrize("max_steps_without_decrease, expected_step", [(3, 1), (4, 3)])
def test_stop_if_no_decrease(tmp_path, max_steps_without_decrease, expected_step):
    est = _estimator(tmp_path)
    # Best loss at step 2; step 5 is 3 steps later without a decrease.
    _write_eval_history(est.eval_dir(), [(1, 1.0), (2, 0.5), (5, 0.625)])
    hook = experimental.stop_if_no_decrease_hook(est, "loss", max_steps_without_decrease,
                                                 run_every_secs=None, run_every_steps=1)
    est.train(full_batch_input_fn(), hooks=[hook], steps=3)
    assert est.get_variable_value("global_step") == expected_step
    assert bool(est.get_variable_value("signal_early_stopping/STOP")) == (expected_step == 1)


@pytest.mark.parametrize("make, threshold, stops", [
    (experimental.stop_if_higher_hook, 0.75, True),
    (experimental.stop_if_higher_hook, 1.0, False),
    (experimental.stop_if_lower_hook, 0.5, False),
    (experimental.stop_if_lower_hook, 0.6, True),
])
def test_threshold_hooks(tmp_path, make, threshold, stops):
    est = _estimator(tmp_path)
    _write_eval_history(est.eval_dir(), [(1, 1.0), (2, 0.5)])
    hook = make(est, "loss", threshold, run_every_secs=None, run_every_steps=1)
    est.train(full_batch_input_fn(), hooks=[hook], steps=2)
    assert est.get_variable_value("global_step") == (1 if stops else 2)


def test_min_steps_skips_early_evaluations(tmp_path):
    est = _estimator(tmp_path)
    _write_eval_history(est.eval_dir(), [(1, 0.1), (2, 0.9)])
    hook = experimental.stop_if_lower_hook(est, "loss", 0.5, min_steps=2,
                                           run_every_secs=None, run_every_steps=1)
    est.train(full_batch_input_fn(), hooks=[hook], steps=2)
    assert est.get_variable_value("global_step") == 2


def test_make_early_stopping_hook_checks_arguments(tmp_path):
    est = _estimator(tmp_path)
    with pytest.raises(TypeError, match="tf.estimator.Estimator"):
        experimental.make_early_stopping_hook(object(), lambda: True)
    with pytest.raises(ValueError, match="Only one of"):
        experimental.make_early_stopping_hook(est, lambda: True, run_every_secs=1,
                                              run_every_steps=1)
    with pytest.raises(TypeError, match="callable"):
        experimental.make_early_stopping_hook(est, "not callable")


def test_call_logit_fn_passes_what_it_takes():
    with fg.Graph().as_default():
        x = fg.constant([[1.0]])

        def logit_fn(features, mode):
            return features["x"] * (2.0 if mode == "train" else 3.0)

        out = experimental.call_logit_fn(logit_fn, {"x": x}, "train", None, None)
        with fg.Session() as sess:
            assert sess.run(out)[0, 0] == 2.0
        with pytest.raises(ValueError, match="should return a Tensor"):
            experimental.call_logit_fn(lambda features: 1.0, {"x": x}, "train", None, None)


def test_stop_at_checkpoint_step_hook_is_a_no_op_for_the_chief(tmp_path):
    hook = experimental.make_stop_at_checkpoint_step_hook(_estimator(tmp_path), 10)
    assert type(hook) is fg.estimator.SessionRunHook


def test_in_memory_evaluator_evaluates_the_training_values(tmp_path):
    from tests.estimator.estimator_helpers import X, Y, numpy_gd

    est = _estimator(tmp_path)
    eval_input = fg.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=len(X),
                                                    shuffle=False)
    hook = experimental.InMemoryEvaluatorHook(est, eval_input, every_n_iter=2)
    est.train(full_batch_input_fn(), hooks=[hook], steps=4)
    history = experimental.read_eval_metrics(est.eval_dir())
    # After the session is created (step 0), every 2 iterations, and at the end (step 4).
    assert list(history) == [0, 2, 4]
    for step, metrics in history.items():
        w, b = numpy_gd(step)
        expected = np.mean((X @ w + b - Y) ** 2)
        assert metrics["loss"] == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="invalid every_n_iter"):
        experimental.InMemoryEvaluatorHook(est, eval_input, every_n_iter=0)
