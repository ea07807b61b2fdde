"""The distributed examples train on a Dask cluster (here the tests' own, for speed)."""

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("distributed")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "distributed"


def _example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mnist_mlp_trains_on_the_cluster(client, capsys):
    accuracy = _example("mnist_mlp").main(
        ["--scheduler", client.scheduler.address, "--max-steps", "40", "--min-accuracy", "0"])
    out = capsys.readouterr().out
    assert "trained 40 steps on the cluster" in out
    assert accuracy > 0.6  # chance is 0.1


def test_data_parallel_replicas_average_to_the_whole_batch_gradient(client, capsys):
    accuracy = _example("data_parallel").main(
        ["--scheduler", client.scheduler.address, "--max-steps", "30", "--min-accuracy", "0"])
    out = capsys.readouterr().out
    gap = float(out.split("max |difference| ")[1].split()[0])
    assert gap < 1e-5
    assert "trained 30 synchronous data-parallel steps" in out
    assert accuracy > 0.5
