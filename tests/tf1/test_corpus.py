"""Every script of tests/tf1_scripts/ runs through `python -m flowgraph.tf1` (unchanged TF1
code, `import tensorflow as tf`, no TensorFlow installed) and reaches its bar."""

import os
import subprocess
import sys

import pytest

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "tf1_scripts")

# script -> {metric: (low, high)}: each METRIC line the script prints must fall in range.
BARS = {
    "basic_operations.py": {"const_sum": (5, 5), "placeholder_sum": (5, 5),
                            "placeholder_product": (6, 6), "matmul": (12, 12)},
    "linear_regression.py": {"final_cost": (0, 0.2)},
    "logistic_regression.py": {"accuracy": (0.85, 1)},
    "mlp_adam.py": {"accuracy": (0.88, 1)},
    "cnn.py": {"accuracy": (0.8, 1)},
    "lstm_static.py": {"accuracy": (0.6, 1)},
    "dynamic_rnn_lengths.py": {"accuracy": (0.8, 1), "padding_outputs_zero": (1, 1)},
    "bidirectional_rnn.py": {},
    "autoencoder.py": {"variables": (3, 3)},
    "tensorboard_summaries.py": {"final_loss": (0, 0.05)},
    "dataset_iterator.py": {"batches_ok": (1, 1), "accuracy": (0.85, 1)},
    "batch_norm_cond.py": {"update_ops": (4, 4), "moving_mean_moved": (1, 1),
                           "accuracy": (0.8, 1)},
    "while_loop.py": {"sqrt2": (1.41421, 1.41422), "dsqrt": (0.35355, 0.35356),
                      "squares_sum": (30, 30)},
    "tf1_behaviours.py": {"failures": (0, 0)},
    "premade_estimator.py": {"accuracy": (0.88, 1), "global_step": (400, 400),
                             "classes_are_bytes": (1, 1), "predictions": (5, 5)},
    "custom_estimator.py": {"accuracy": (0.88, 1), "first_step": (300, 300),
                            "second_step": (400, 400)},
    "keras_sequential_mlp.py": {"accuracy": (0.88, 1), "has_val_loss": (1, 1),
                                "predict_rows": (5, 5), "probabilities_sum": (0.999, 1.001),
                                "names_ok": (1, 1)},
    "keras_functional_cnn.py": {"epochs_seen": (2, 2), "val_acc": (0.85, 1),
                                "reused_accuracy": (0.85, 1), "params": (79498, 79498)},
}
FALLING = ["linear_regression.py", "dynamic_rnn_lengths.py", "bidirectional_rnn.py",
           "autoencoder.py", "keras_sequential_mlp.py"]  # first_* > final_*


def run_script(name: str, *args: str) -> dict:
    """Runs a corpus script through the runner; returns its METRIC values."""
    proc = subprocess.run([sys.executable, "-m", "flowgraph.tf1",
                           os.path.join(SCRIPTS, name), *args],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": ""})
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    metrics = {}
    for line in proc.stdout.splitlines():
        if line.startswith("METRIC "):
            _, key, value = line.split()
            metrics[key] = float(value)
    return metrics


def test_every_script_has_bars():
    scripts = sorted(f for f in os.listdir(SCRIPTS) if f.endswith(".py"))
    assert len(scripts) >= 15
    missing = [s for s in scripts if s not in BARS and s not in SPECIAL]
    assert not missing, f"corpus scripts without bars: {missing}"


SPECIAL = {"save_restore.py"}


@pytest.mark.parametrize("name", sorted(BARS))
def test_script_reaches_its_bar(name, mnist_dir, tmp_path):
    extra = [f"--model_dir={tmp_path}"] if "estimator" in name else [f"--log_dir={tmp_path}"]
    metrics = run_script(name, f"--data_dir={mnist_dir}", *extra)
    for key, (low, high) in BARS[name].items():
        assert key in metrics, f"{name} printed no METRIC {key}: {metrics}"
        assert low - 1e-9 <= metrics[key] <= high + 1e-9, (name, key, metrics[key])
    if name in FALLING:
        assert metrics["final_cost" if "final_cost" in metrics else "final_loss"] < \
            metrics["first_cost" if "first_cost" in metrics else "first_loss"]
    if name == "tensorboard_summaries.py":
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        events = EventAccumulator(str(tmp_path))
        events.Reload()
        tags = events.Tags()["scalars"]
        # As TF1: the name scope "loss" takes the name, so the summary's tag is "loss_1";
        # the ':' of "train:loss" becomes '_'.
        assert sorted(tags) == ["loss_1", "train_loss"], tags
        assert [e.step for e in events.Scalars("loss_1")] == list(range(20))


def test_save_restore_continues_the_global_step_across_runs(tmp_path):
    first = run_script("save_restore.py", f"--model_dir={tmp_path}")
    assert first["restored_step"] == -1 and first["step"] == 30
    second = run_script("save_restore.py", f"--model_dir={tmp_path}")
    assert second["restored_step"] == 30 and second["step"] == 60
    assert abs(second["restored_loss"] - first["loss"]) < 1e-6
    assert second["loss"] < first["loss"]
