"""The TF1 side of the benchmark: the anchor scripts (tools/anchors, TF1 graph mode through
``tf.compat.v1``) run in a subprocess with a Python that can import TensorFlow; the JSON
records they print fill the rows' `tf1` values."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

from benchlib.report import Row

ANCHORS = Path(__file__).resolve().parents[1] / "anchors"


class TfUnavailableError(RuntimeError):
    """The given Python cannot run the anchors."""


def check_python(python: str) -> str:
    """TensorFlow's version under `python`; TfUnavailableError (with a hint) if it has none."""
    if not Path(python).exists():
        raise TfUnavailableError(f"--tf-python {python}: no such file. Give the python of a "
                            "virtual environment with tensorflow-cpu installed.")
    proc = subprocess.run(
        [python, "-c", "import tensorflow as tf, threadpoolctl; print(tf.__version__)"],
        capture_output=True, text=True, env=_env(), timeout=300)
    if proc.returncode != 0:
        raise TfUnavailableError(f"--tf-python {python} cannot import tensorflow and threadpoolctl "
                            f"({proc.stderr.strip().splitlines()[-1:]}); install them with "
                            f"`{python} -m pip install tensorflow-cpu threadpoolctl` "
                            "(and `--no-deps tf_keras` for W6).")
    return proc.stdout.strip().splitlines()[-1]


def _env() -> dict:
    env = dict(os.environ, BENCH_NO_SAVE="1", TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("PYTHONPATH", None)  # the venv's own packages only
    return env


def run_script(python: str, script: str, args: tuple, timeout: float = 900) -> List[dict]:
    """The JSON records printed by one anchor script (run in tools/anchors)."""
    proc = subprocess.run([python, script, *args], cwd=ANCHORS, capture_output=True,
                          text=True, env=_env(), timeout=timeout)
    records = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    if proc.returncode != 0 and not records:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"anchor {script} {' '.join(args)} failed "
                           f"(exit {proc.returncode}):\n{tail}")
    return records


def attach(rows: List[Row], python: str, cache: Optional[Dict[tuple, List[dict]]] = None
           ) -> None:
    """Runs the anchor scripts the rows name (each once) and sets their `tf1` values."""
    cache = {} if cache is None else cache
    for row in rows:
        spec = row.tf
        if spec is None:
            continue
        key = (spec.script, spec.args)
        if key not in cache:
            cache[key] = run_script(python, spec.script, spec.args)
        for record in cache[key]:
            if record.get("workload") == spec.workload and \
                    str(record.get("variant", "")).startswith(spec.variant) and \
                    spec.field in record:
                row.tf1 = float(record[spec.field]) * spec.scale
                row.notes["tf1_record"] = {k: v for k, v in record.items()
                                           if not k.startswith("env_")}
                break
