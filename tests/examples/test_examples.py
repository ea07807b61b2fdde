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


def test_demo_trains_mnist_mlp_to_92_percent(tmp_path):
    out = _run("-m", "flowgraph", "demo", "--out-dir", str(tmp_path))
    assert "epoch 10" in out and "examples/s" in out
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1))
    assert accuracy >= 92.0, out
    # It says where its picture and TensorBoard logs are, and writes them there.
    assert f"drew the graph: {tmp_path / 'mnist_mlp.png'}" in out
    assert (tmp_path / "mnist_mlp.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"TensorBoard logs to {tmp_path / 'logs'}" in out
    assert list((tmp_path / "logs").glob("events.out.tfevents.*"))


def test_mnist_cnn_short_run_learns():
    # The full run (3 epochs, >= 95%) takes about a minute of CPU; CI runs 60 steps.
    out = _run("examples/mnist_cnn.py", "--max-steps", "60", "--min-accuracy", "0.75")
    assert "trained 60 steps" in out and "epoch 1" in out
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1))
    assert accuracy >= 75.0, out


def test_denoising_autoencoder_writes_png_and_error_falls(tmp_path):
    path = tmp_path / "grid.png"
    out = _run("examples/denoising_autoencoder.py", str(path), "--epochs", "2")
    errors = [float(e) for e in re.findall(r"reconstruction error \(MSE\) ([\d.]+)", out)]
    assert len(errors) == 3 and errors[2] < errors[1] < errors[0] / 2, out
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (2 * (10 * 30 + 2), 2 * (3 * 30 + 2))
    assert f"wrote {path}" in out


def test_rbf_network_beats_a_linear_model():
    out = _run("examples/rbf_network.py")
    found = dict((name, (float(lin), float(rbf))) for name, lin, rbf in re.findall(
        r"(\w+): linear model test accuracy ([\d.]+), RBF network \(\d+ centres\) test "
        r"accuracy ([\d.]+)", out))
    assert set(found) == {"circles", "moons"}, out
    assert found["circles"][0] <= 0.75 and found["circles"][1] >= 0.95
    assert found["moons"][1] >= 0.95
