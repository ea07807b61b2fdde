"""The canned-estimator examples run as a user runs them and reach what they promise."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> str:
    result = subprocess.run([sys.executable, f"examples/estimators/{script}", *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in:\n{text}"
    return float(match.group(1))


def test_linear_classifier_example():
    out = _run("linear_classifier.py", "--steps", "200")
    assert _number(r"(?m)^accuracy: ([\d.]+)", out) > 0.9
    assert _number(r"auc: ([\d.]+)", out) > 0.95
    assert "education weights: school" in out
    assert "predicted b'>50K'" in out or "predicted b'<=50K'" in out


def test_linear_regressor_example():
    out = _run("linear_regressor.py", "--steps", "300")
    match = re.search(r"fitted y = ([-\d.]+) x1 \+ ([-\d.]+) x2 \+ ([-\d.]+)", out)
    assert match, out
    fitted = [float(v) for v in match.groups()]
    assert abs(fitted[0] - 3) < 0.1 and abs(fitted[1] + 2) < 0.1 and abs(fitted[2] - 1) < 0.1


def test_dnn_classifier_example_short_run():
    out = _run("dnn_classifier.py", "--steps", "200")
    assert _number(r"test accuracy: ([\d.]+)%", out) > 80.0
    assert _number(r"step (\d+)\)", out) == 200
    assert "predicted classes: ['" in out


def test_dnn_regressor_example():
    out = _run("dnn_regressor.py", "--steps", "300")
    assert _number(r"average_loss: ([\d.]+)", out) < 0.05
    assert out.count("predicted") == 5


def test_wide_and_deep_example():
    out = _run("wide_and_deep.py", "--steps", "200")
    linear = _number(r"linear accuracy: ([\d.]+)", out)
    combined = _number(r"wide and deep accuracy: ([\d.]+)", out)
    assert linear < 0.7 and combined > 0.9


def test_wide_and_deep_regressor_example():
    out = _run("wide_and_deep_regressor.py", "--steps", "400")
    linear = _number(r"linear mean squared error: ([\d.]+)", out)
    combined = _number(r"wide and deep mean squared error: ([\d.]+)", out)
    assert combined < 0.02 and combined < linear / 5
    assert abs(_number(r"prediction at \(0.5, 0.5\): ([-\d.]+)", out) - (1 + np.sin(1.5))) < 0.1
