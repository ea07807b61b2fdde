"""The example scripts run as a user runs them and reach what they promise."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.parametrize("script, expected", [
    ("perceptron_logic.py", "XOR is not linearly separable"),
    ("xor_mlp.py", "XOR learned"),
    ("linear_regression.py", "fitted y ="),
    ("logistic_regression.py", "training accuracy"),
])
def test_example_runs(script, expected):
    assert expected in _run(f"examples/{script}")


def test_perceptron_reports_each_function():
    out = _run("examples/perceptron_logic.py")
    accuracy = dict(re.findall(r"perceptron on (\w+): accuracy ([\d.]+)", out))
    assert float(accuracy["AND"]) == 1.0 and float(accuracy["OR"]) == 1.0
    assert float(accuracy["XOR"]) <= 0.75


def test_demo_trains_mnist_mlp_to_92_percent():
    out = _run("-m", "flowgraph", "demo")
    assert "epoch 10" in out and "examples/s" in out
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1))
    assert accuracy >= 92.0, out
