"""Estimator.evaluate writes, as TF1's, the metrics and then a 'checkpoint_path' string
summary to model_dir/eval[_name]."""

import glob
import os

import numpy as np
import pytest

import flowgraph as fg
from tests.estimator.estimator_helpers import (  # noqa: F401
    close_cached_writers,
    full_batch_input_fn,
    linear_model_fn,
)


def _events(folder):
    found = {}
    for path in sorted(glob.glob(os.path.join(folder, "events.*"))):
        for event in fg.train.summary_iterator(path):
            if event.HasField("summary"):
                for value in event.summary.value:
                    found[value.tag] = (event.step, value)
    return found


def test_eval_dir_holds_metrics_and_checkpoint_path(tmp_path):
    pytest.importorskip("tensorboardX")
    est = fg.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params={},
                                 config=fg.estimator.RunConfig(log_step_count_steps=None))
    est.train(full_batch_input_fn(), steps=2)
    x = np.ones((4, 3), np.float32)
    y = np.zeros((4, 1), np.float32)
    est.evaluate(fg.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=4, shuffle=False),
                 name="holdout")
    events = _events(os.path.join(str(tmp_path), "eval_holdout"))
    assert set(events) == {"loss", "checkpoint_path"}
    step, value = events["checkpoint_path"]
    assert step == 2
    assert value.tensor.dtype == 7  # DT_STRING
    assert value.tensor.string_val == [os.fsencode(os.path.join(str(tmp_path), "model.ckpt-2"))]
