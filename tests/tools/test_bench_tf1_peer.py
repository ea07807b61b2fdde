"""The TF1 peer of the benchmark (tools/benchlib/tf1.py, tf1_serve.py): an anchor script run
in another Python whose timed functions the driver times in turn with its own. A stand-in
anchor (sleeping functions, this Python) shows which function gets timed and what the
anchor's records then hold."""

from __future__ import annotations

import statistics
import sys
import textwrap
import time
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

from benchlib import tf1, timing  # noqa: E402

ANCHOR = """
    import time
    from common import *

    def report(variant, fn):
        r = timeit(fn, warmup=1, budget_s=0.05, min_samples=3, max_samples=3)
        emit("T", "tf", variant, **r)

    report("first, sleeps 1 ms", lambda: time.sleep(0.001))
    report("second, sleeps 4 ms", lambda: time.sleep(0.004))
    report("third, sleeps 2 ms", lambda: time.sleep(0.002))
"""


@pytest.fixture
def anchor(tmp_path):
    script = tmp_path / "fake_anchor.py"
    script.write_text(textwrap.dedent(ANCHOR))
    return str(script)


def test_the_asked_function_is_timed_by_the_driver_and_the_others_by_the_anchor(anchor):
    peer = tf1.Peer(sys.executable, anchor)
    try:
        remote = peer.remote("second")
        calls = remote.calls_per_batch(0.01)
        assert 2 <= calls <= 8  # 4 ms calls: at least 10 ms takes 3 (doubled from 1: 2 or 4)
        times = [remote.batch(2) for _ in range(3)]
        records = peer.finish()
    finally:
        peer.close()
    assert all(0.004 <= t < 0.1 for t in times)
    assert [r["variant"] for r in records] == ["first, sleeps 1 ms", "second, sleeps 4 ms",
                                               "third, sleeps 2 ms"]
    first, second, third = records
    assert second["paired"] is True and second["n"] == 3 and second["inner"] == calls
    assert second["median"] == pytest.approx(statistics.median(times))
    assert second["min"] == pytest.approx(min(times))
    for own in (first, third):  # the anchor's own timeit: no "paired" mark, its 3 samples
        assert "paired" not in own and own["n"] == 3
    assert 0.001 <= first["median"] < 0.05 and 0.002 <= third["median"] < 0.05


def test_compare_times_the_peer_function_among_the_local_ones(anchor):
    peer = tf1.Peer(sys.executable, anchor)
    settings = timing.Settings(quick=True, budget=0.05)
    try:
        with timing.paired_with(peer):
            t = timing.compare({"local": lambda: time.sleep(0.001)}, settings, tf1="third")
        records = peer.finish()
    finally:
        peer.close()
    assert set(t) == {"local", "tf1"}
    assert 0.002 <= t["tf1"] < 0.05 and 0.001 <= t["local"] < t["tf1"]
    third = records[-1]
    assert third["paired"] is True and third["n"] >= settings.min_rounds
    assert third["median"] == pytest.approx(t["tf1"])


def test_compare_without_a_peer_times_only_the_local_functions():
    t = timing.compare({"local": lambda: None}, timing.Settings(quick=True, budget=0.01),
                       tf1="Session.run")
    assert set(t) == {"local"}


def test_a_variant_the_anchor_never_reaches_is_a_clear_error(anchor):
    peer = tf1.Peer(sys.executable, anchor)
    try:
        with pytest.raises(RuntimeError, match="ended before a timed function of variant "
                                               "'fourth'"):
            peer.remote("fourth")
        assert len(peer.finish()) == 3  # every function was timed by the anchor itself
    finally:
        peer.close()


def test_a_failing_anchor_reports_its_error(tmp_path):
    script = tmp_path / "broken_anchor.py"
    script.write_text("from common import *\nraise ValueError('no tensorflow here')\n")
    peer = tf1.Peer(sys.executable, str(script))
    try:
        with pytest.raises(RuntimeError, match="no tensorflow here"):
            peer.remote("Session.run")
    finally:
        peer.close()
