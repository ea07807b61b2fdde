"""examples/onnx_export.py runs as a user runs it and checks its model with ONNX Runtime."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[2]


def test_onnx_export_example(tmp_path):
    out = tmp_path / "mlp.onnx"
    result = subprocess.run([sys.executable, "examples/onnx_export.py", "--steps", "30",
                             "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ONNX Runtime agrees with flowgraph" in result.stdout
    assert re.search(r"same predictions as flowgraph: 100\.0%", result.stdout)
    accuracy = float(re.search(r"ONNX Runtime test accuracy ([\d.]+)%", result.stdout)[1])
    assert accuracy > 50.0, result.stdout  # 30 steps are enough to learn a lot
    assert out.read_bytes()[:2] == b"\x08\x08"  # a ModelProto: ir_version 8 (opset 17)
