"""The progress display of Estimator.train: plain lines off a terminal, a tqdm bar on
one, nothing with TQDM_DISABLE."""

import io
import re
import sys

import numpy as np
import pytest

import flowgraph as tf
from tests.estimator.estimator_helpers import (  # noqa: F401 - fixture
    X,
    Y,
    close_cached_writers,
    full_batch_input_fn,
    linear_model_fn,
    numpy_gd,
)


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def _train(tmp_path, steps=4):
    config = tf.estimator.RunConfig(log_step_count_steps=2)
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params={},
                                 config=config)
    est.train(full_batch_input_fn(), steps=steps)


def test_plain_lines_when_not_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    _train(tmp_path)
    err = capsys.readouterr().err
    lines = re.findall(r"train: step (\d+) \((\d+)/4 this run\), loss = ([\d.e+-]+), "
                       r"[\d.e+]+ steps/s", err)
    assert [(int(a), int(b)) for a, b, _ in lines] == [(2, 2), (4, 4)]
    w, b = numpy_gd(3)  # the loss of step 4 is computed from the values after 3 steps
    np.testing.assert_allclose(float(lines[1][2]), np.mean((X @ w + b - Y) ** 2), rtol=1e-4)


def test_tqdm_disable_silences_progress(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    _train(tmp_path)
    assert "train:" not in capsys.readouterr().err


def test_progress_bar_on_a_terminal(tmp_path, monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    _train(tmp_path, steps=3)
    out = terminal.getvalue()
    assert "3/3" in out and "loss=" in out and "step" in out
    assert "train: step" not in out  # the bar replaces the plain lines


def test_plain_mode_reports_the_last_step(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    _train(tmp_path, steps=5)
    steps = re.findall(r"train: step (\d+) ", capsys.readouterr().err)
    assert steps == ["2", "4", "5"]
