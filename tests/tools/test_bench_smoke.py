"""Smoke test of tools/bench.py: its quick form runs every workload and reports finite
numbers (no timing assertions: CI machines are noisy), and the table logic is right."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

from benchlib import report, tf1  # noqa: E402
from benchlib.report import Row, Target, TfSpec  # noqa: E402

KEYS = ("W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9", "D1", "DASK")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "rows.json"
    proc = subprocess.run([sys.executable, str(TOOLS / "bench.py"), "--quick", "--json",
                           str(out)], capture_output=True, text=True, timeout=600)
    return proc, json.loads(out.read_text()) if out.exists() else None


def test_quick_run_succeeds(quick_run):
    proc, data = quick_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert data is not None
    assert data["command"].startswith("python tools/bench.py --quick --json ")
    assert data["settings"]["quick"] is True


def test_quick_run_has_every_workload_with_finite_numbers(quick_run):
    proc, data = quick_run
    rows = data["rows"]
    assert {r["key"] for r in rows} == set(KEYS)
    for r in rows:
        assert math.isfinite(r["flowgraph"]) and r["flowgraph"] > 0, r
        if r["numpy"] is not None:
            assert math.isfinite(r["numpy"]) and r["numpy"] > 0, r
    table = proc.stdout
    for key in KEYS:
        assert any(line.startswith(key + " ") for line in table.splitlines()), key
    # two W2 rows (fusion off / on), two W6 rows (dynamic_rnn / static_rnn), two W8 rows
    for key in ("W2", "W6", "W8", "DASK"):
        assert sum(r["key"] == key for r in rows) == 2


def test_ratios_and_status_follow_the_targets():
    row = Row("W5", "cnn", "ms/step", 30.0, numpy=25.0, tf1=20.0,
              targets=[Target("tf1", 1.25), Target("numpy", 1.2)])
    assert row.ratio("numpy") == pytest.approx(1.2)
    assert row.ratio("tf1") == pytest.approx(1.5)
    assert row.status() == "MISSED"  # 1.5x TF1 > 1.25x
    row.flowgraph = 24.0
    assert row.status() == "ok"  # 0.96x numpy, 1.2x TF1
    row.tf1 = None
    assert row.status() == "ok*"  # the TF1 target is not measured
    speedup = Row("W7", "interop", "x faster", 1.7, ratios=False,
                  targets=[Target("value", 1.9, higher=True)])
    assert speedup.ratio("numpy") is None and speedup.status() == "MISSED"
    speedup.flowgraph = 1.95
    assert speedup.status() == "ok"


def test_tf1_values_come_from_the_matching_anchor_record():
    spec = TfSpec("w6_lstm_train.py", "W6", "LSTMCell + static_rnn", "median", 1e3)
    row = Row("W6", "lstm", "ms/step", 10.0, tf=spec)
    records = [{"workload": "W6", "variant": "LSTMCell + dynamic_rnn, x", "median": 0.009},
               {"workload": "W6", "variant": "LSTMCell + static_rnn, y", "median": 0.006}]
    tf1.attach([row], "unused-python", cache={(spec.script, spec.args): records})
    assert row.tf1 == pytest.approx(6.0)
    assert row.ratio("tf1") == pytest.approx(10.0 / 6.0)


def test_markdown_table_has_a_line_per_row():
    rows = [Row("W1", "a", "us/run", 3.0, numpy=1.0), Row("W8", "b", "ms", 2.5)]
    lines = report.format_markdown(rows).splitlines()
    assert len(lines) == 4 and lines[2].startswith("| W1 a | us/run | 3.00 | 1.00 |")


def test_unknown_workload_is_rejected():
    proc = subprocess.run([sys.executable, str(TOOLS / "bench.py"), "--only", "W42"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "W42" in proc.stderr


def test_rounds_report_medians_of_each_value():
    def row(fg, np_, tf):
        return Row("W5", "cnn", "ms/step", fg, numpy=np_, tf1=tf,
                   targets=[Target("tf1", 1.25)], notes={"first": 1})
    rounds = [[row(20.0, 30.0, 16.0)], [row(26.0, 28.0, 21.0)], [row(21.0, math.nan, 17.0)]]
    (merged,) = report.median_rows(rounds)
    assert merged.flowgraph == 21.0 and merged.tf1 == 17.0
    assert merged.numpy == pytest.approx(29.0)  # the NaN round is left out
    assert merged.notes["first"] == 1 and len(merged.notes["rounds"]) == 3
    assert merged.status() == "ok"  # 21 / 17 = 1.24x
    (missing,) = report.median_rows([[row(1.0, None, None)], [row(3.0, None, None)]])
    assert missing.flowgraph == 2.0 and missing.numpy is None and missing.tf1 is None


def test_rounds_option_runs_each_workload_that_many_times(tmp_path):
    out = tmp_path / "rows.json"
    proc = subprocess.run([sys.executable, str(TOOLS / "bench.py"), "--quick", "--only", "W1",
                           "--rounds", "2", "--json", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (r,) = json.loads(out.read_text())["rows"]
    assert len(r["notes"]["rounds"]) == 2
    values = sorted(x["flowgraph"] for x in r["notes"]["rounds"])
    assert r["flowgraph"] == pytest.approx((values[0] + values[1]) / 2)
