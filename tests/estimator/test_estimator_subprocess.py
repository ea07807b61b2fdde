"""Training continues across processes: each run restores model_dir's latest checkpoint."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from tests.estimator.estimator_helpers import numpy_gd

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import sys
    import flowgraph as tf
    import flowgraph.estimator
    from tests.estimator.estimator_helpers import full_batch_input_fn, linear_model_fn

    est = tf.estimator.Estimator(linear_model_fn, model_dir=sys.argv[1], params={"lr": 0.1})
    est.train(full_batch_input_fn(), steps=int(sys.argv[2]))
    print("global_step", est.get_variable_value("global_step"))
    print("w", " ".join(repr(float(v)) for v in est.get_variable_value("w").ravel()))
""")


def _run(script, model_dir, steps):
    result = subprocess.run([sys.executable, str(script), str(model_dir), str(steps)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    return int(lines["global_step"]), np.array([float(v) for v in lines["w"].split()])


def test_training_resumes_in_a_new_process(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    model_dir = tmp_path / "model"
    step, _ = _run(script, model_dir, 3)
    assert step == 3
    step, w = _run(script, model_dir, 2)
    assert step == 5
    np.testing.assert_allclose(w, numpy_gd(5)[0].ravel(), rtol=1e-5)
