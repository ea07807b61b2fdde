"""The example scripts run as a user runs them and reach what they promise."""

import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
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


def _read_rgb_png(data: bytes) -> np.ndarray:
    """Decodes the example's PNG (8-bit RGB, filter 0 on every row) into [h, w, 3]."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 2)
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8:start - 4])[0]
    raw = np.frombuffer(zlib.decompress(data[start:start + length]), np.uint8)
    rows = raw.reshape(height, 1 + 3 * width)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(height, width, 3)


def test_image_augmentation_writes_png_grid(tmp_path):
    path = tmp_path / "aug.png"
    out = _run("examples/image_augmentation.py", str(path), "--digits", "6", "--zoom", "1")
    assert f"wrote {path}" in out and "row 9: all at random" in out
    pixels = _read_rgb_png(path.read_bytes())
    assert pixels.shape == (9 * 30 + 2, 6 * 30 + 2, 3)

    def cell(row, col):
        return pixels[2 + row * 30:30 + row * 30, 2 + col * 30:30 + col * 30].astype(int)

    for col in range(6):
        original = cell(0, col)
        # Row 3 is the left-right flip of row 1; gray rows have equal channels.
        assert (cell(2, col) == original[:, ::-1]).all()
        assert (original[..., 0] == original[..., 2]).all() and original.max() > 200
        # Rotations and shifts move the strokes but keep them (nothing is blank).
        assert cell(1, col).max() > 100 and not (cell(3, col) == original).all()
    # The colour rows are coloured: their channels differ.
    colours = [cell(6, col) for col in range(6)]
    assert all((c.max(axis=-1) - c.min(axis=-1)).max() > 100 for c in colours)
    # The default output path is ./augmentation.png (documented in --help).
    assert "augmentation.png" in _run("examples/image_augmentation.py", "--help")


def test_mnist_lstm_short_run_learns():
    # The full run (4 epochs of dynamic_rnn, >= 90%) takes well under a minute of CPU on an
    # idle machine; CI trains 100 steps.
    out = _run("examples/mnist_lstm.py", "--max-steps", "100", "--min-accuracy", "0.5")
    assert "dynamic_rnn" in out and "trained 100 steps" in out and "epoch 1" in out
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1))
    assert accuracy >= 50.0, out


def test_bidirectional_rnn_sees_both_sides():
    out = _run("examples/bidirectional_rnn.py", "--steps", "150")
    found = dict(re.findall(r"(forward|bidirectional) LSTM: per-step test accuracy ([\d.]+)",
                            out))
    assert float(found["bidirectional"]) >= 0.97, out
    assert float(found["forward"]) <= 0.85, out
    assert "bidirectional/bidirectional_rnn/bw/basic_lstm_cell/kernel" in out


def test_sequence_lengths_example_ignores_the_padding():
    out = _run("examples/sequence_lengths.py", "--steps", "200")
    assert "outputs past each sequence's end are all zero: True" in out
    assert "final state h equals the output at each sequence's last step: True" in out
    masked = float(re.search(r"with sequence_length: test accuracy ([\d.]+)", out).group(1))
    unmasked = float(re.search(r"without sequence_length: test accuracy ([\d.]+)",
                               out).group(1))
    assert masked >= 0.95 and unmasked < masked - 0.05, out


def test_keras_mnist_trains_saves_and_loads_back():
    out = _run("examples/keras_mnist.py", "2")
    assert "Train on 3600 samples, validate on 400 samples" in out
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1))
    assert accuracy >= 90.0, out
    assert "saved and loaded back: predictions equal" in out
