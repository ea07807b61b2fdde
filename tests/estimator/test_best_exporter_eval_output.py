"""TF1's BestExporter (export only when compare_fn says the result is better; the best so
far comes from the eval event files) and export.EvalOutput's signature keys."""

import os

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.estimator import BestExporter
from tests.estimator.estimator_helpers import (  # noqa: F401
    close_cached_writers,
    full_batch_input_fn,
    linear_model_fn,
)


def _receiver():
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    return fg.estimator.export.ServingInputReceiver({"x": x}, {"x": x})


@pytest.fixture
def trained(tmp_path):
    pytest.importorskip("tensorboardX")  # the eval results are read back from event files
    est = fg.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path / "m"), params={},
                                 config=fg.estimator.RunConfig(log_step_count_steps=None))
    est.train(full_batch_input_fn(), steps=1)
    x = np.ones((2, 3), np.float32)
    # w0 = [.1, .2, .3] and b0 = .05 moved one step: a loss well above zero against y = 0.
    loss = est.evaluate(fg.estimator.inputs.numpy_input_fn(
        {"x": x}, np.zeros((2, 1), np.float32), batch_size=2, shuffle=False))["loss"]
    assert loss > 0.01
    return est, float(loss)


def test_exports_only_better_results(trained, tmp_path):
    est, loss = trained
    exporter = BestExporter(serving_input_receiver_fn=_receiver, exports_to_keep=None)
    assert exporter.name == "best_exporter"
    path = str(tmp_path / "export")
    ckpt = est.latest_checkpoint()
    # The event files hold `loss`: a worse result is not exported.
    assert exporter.export(est, path, ckpt, {"loss": loss + 1.0}, False) is None
    assert not os.path.exists(path)
    first = exporter.export(est, path, ckpt, {"loss": loss - 0.01}, False)
    assert os.path.isdir(first)
    assert exporter.export(est, path, ckpt, {"loss": loss - 0.005}, False) is None
    assert len(os.listdir(path)) == 1


def test_custom_compare_fn_and_garbage_collection(trained, tmp_path):
    est, _ = trained
    calls = []

    def always_better(best_eval_result, current_eval_result):
        calls.append((best_eval_result, current_eval_result))
        return True

    exporter = BestExporter(name="b", serving_input_receiver_fn=_receiver,
                            event_file_pattern=None, compare_fn=always_better,
                            exports_to_keep=1)
    path = str(tmp_path / "export")
    exporter.export(est, path, est.latest_checkpoint(), {"loss": 1.0}, False)
    last = exporter.export(est, path, est.latest_checkpoint(), {"loss": 2.0}, True)
    assert os.listdir(path) == [os.path.basename(os.fsdecode(last))]
    # Without event files the first result is exported without comparing.
    assert calls == [({"loss": 1.0}, {"loss": 2.0})]


@pytest.mark.parametrize("compare_fn, message", [
    (None, "must not be None"),
    (lambda best_eval_result: True, "must include current_eval_result"),
    (lambda best_eval_result, current_eval_result, x: True, "not expected args"),
])
def test_compare_fn_is_checked(compare_fn, message):
    with pytest.raises(ValueError, match=message):
        BestExporter(serving_input_receiver_fn=_receiver, compare_fn=compare_fn)


def test_eval_output_keys_and_signature():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [None], name="x")
        value, update = fg.metrics.mean(x)
        out = fg.estimator.export.EvalOutput(
            loss=fg.reduce_sum(x), predictions={"p": 2.0 * x, "predictions/q": x},
            metrics={"mean": (value, update), "op": (value, update.op)})
        assert sorted(out.loss) == ["loss"]
        assert sorted(out.predictions) == ["predictions/p", "predictions/q"]
        assert sorted(out.metrics) == ["metrics/mean/update_op", "metrics/mean/value",
                                       "metrics/op/update_op", "metrics/op/value"]
        sig = out.as_signature_def({"x": x})
        assert sig.method_name == "tensorflow/supervised/eval"
        assert sig.inputs["x"].name == "x:0"
        assert len(sig.outputs) == 7
        with pytest.raises(ValueError, match="must be a dict"):
            fg.estimator.export.EvalOutput(metrics=[value])
