"""examples/estimators/boosted_trees.py runs as a user runs it and learns what it says."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_boosted_trees_example(tmp_path):
    result = subprocess.run([sys.executable, "examples/estimators/boosted_trees.py",
                             "--model-dir", str(tmp_path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    out = result.stdout
    assert "boosted trees learned both tasks" in out
    assert float(re.search(r"test accuracy: ([\d.]+)", out).group(1)) >= 0.95
    importances = re.findall(r"^  (\w+)\s+([\d.]+)$", out, flags=re.MULTILINE)
    names = [name for name, _ in importances]
    assert sorted(names) == ["noise_bucketized", "plan", "x_bucketized", "y_bucketized"]
    assert names[-1] == "noise_bucketized"
    assert abs(sum(float(v) for _, v in importances) - 1.0) < 0.01
    # Its checkpoints are where it was told to put them.
    assert list((tmp_path / "classifier").glob("model.ckpt-*"))
    assert list((tmp_path / "regressor").glob("model.ckpt-*"))
