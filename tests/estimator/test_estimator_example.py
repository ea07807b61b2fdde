"""examples/estimators/custom_model_fn.py runs as a user runs it and learns."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_custom_model_fn_example_trains_evaluates_and_exports(tmp_path):
    script = ROOT / "examples" / "estimators" / "custom_model_fn.py"
    args = [sys.executable, str(script), "--steps", "50", "--model-dir", str(tmp_path / "m")]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "trained to global step 50" in out
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1))
    assert accuracy >= 75.0, out
    predicted = re.search(r"predicted (\[[\d, ]+\]), true (\[[\d, ]+\])", out)
    served = re.search(r"predicts (\[[\d, ]+\])", out)
    assert served.group(1) == predicted.group(1)
    assert "train: step 50 (50/50 this run)" in result.stderr  # the progress lines
