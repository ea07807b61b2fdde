"""W9: peak memory of a 20-op elementwise chain (add, multiply, tanh in turn) on a
50M-element float32 input fed through a placeholder and fetched once, in extra tensors of
the input's size: (peak RSS - RSS once the input exists) / input bytes. The fetched result
is one tensor, so 1.0 is the floor. Target: at most 1.1.

Every side runs in a fresh process (`python w9_memory.py --side flowgraph`), as the
anchor does: the graph (or function) first, then the input, then one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

TOOLS = Path(__file__).resolve().parents[1]
OPS = 20
SIDES = ("flowgraph", "numpy", "numpy_inplace")


def _status_bytes(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("W9 needs /proc/self/status (Linux)")


def rss_now() -> int:
    return _status_bytes("VmRSS")


def peak_rss() -> int:
    # VmHWM, not getrusage's ru_maxrss: the latter keeps the parent's peak across the
    # fork + exec that started this process, so a parent that had grown large (the bench
    # driver after W5) hid the chain's own peak.
    return _status_bytes("VmHWM")


def numpy_ops() -> tuple:
    return (lambda v: v + np.float32(0.5), lambda v: v * np.float32(0.9), np.tanh)


def chain(y, n: int, add, mul, tanh):
    """As benchlib.common.chain (not imported: it would load flowgraph into numpy's run)."""
    for i in range(n):
        kind = i % 3
        y = add(y) if kind == 0 else (mul(y) if kind == 1 else tanh(y))
    return y


def make_runner(side: str, elements: int):
    """A function of the input array running the chain (built before the input exists)."""
    if side == "numpy":
        return lambda a: chain(a, OPS, *numpy_ops())
    if side == "numpy_inplace":
        def inplace(a: np.ndarray) -> np.ndarray:
            out = a + np.float32(0.5)
            for i in range(1, OPS):
                kind = i % 3
                if kind == 0:
                    np.add(out, np.float32(0.5), out=out)
                elif kind == 1:
                    np.multiply(out, np.float32(0.9), out=out)
                else:
                    np.tanh(out, out=out)
            return out
        return inplace
    import flowgraph as fg
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (elements,))
        half, scale = fg.constant(0.5), fg.constant(0.9)
        y = chain(x, OPS, lambda v: fg.add(v, half), lambda v: fg.multiply(v, scale),
                  fg.tanh)
    sess = fg.Session(graph=graph)
    return lambda a: sess.run(y, {x: a})


def measure(side: str, elements: int) -> dict:
    """The memory record of one side (run in this process, which should be fresh)."""
    run = make_runner(side, elements)
    peak_before = peak_rss()
    a = np.random.default_rng(7).standard_normal(elements, dtype=np.float32)
    rss_input = rss_now()
    out = run(a)
    peak = peak_rss()
    expect = chain(a[:1000], OPS, *numpy_ops())
    np.testing.assert_allclose(np.asarray(out)[:1000], expect, atol=1e-5)
    return {"side": side, "elements": elements, "input_bytes": a.nbytes,
            "extra_tensors": (peak - rss_input) / a.nbytes, "valid": peak > peak_before}


def run(settings) -> list:
    """Runs every side in a fresh subprocess and returns the W9 row."""
    from benchlib.report import Row, Target, TfSpec
    elements = 10_000_000 if settings.quick else 50_000_000
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TOOLS), str(TOOLS.parent)]))
    results = {}
    for side in SIDES:
        proc = subprocess.run([sys.executable, __file__, "--side", side, "--elements",
                               str(elements)], capture_output=True, text=True, env=env,
                              timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"W9 {side} failed:\n{proc.stderr[-2000:]}")
        results[side] = json.loads(proc.stdout.strip().splitlines()[-1])
    anchor_tensor_mib = 50_000_000 * 4 / 2**20  # the anchor's input, whatever ours is
    return [Row("W9", f"peak RSS, 20-op chain on {elements:,} float32 (fresh process)",
                "tensors", results["flowgraph"]["extra_tensors"],
                numpy=results["numpy"]["extra_tensors"], ratios=False,
                targets=[Target("value", 1.1)],
                tf=TfSpec("w9_peak_mem.py", "W9", "", "peak_minus_input_MB",
                            1 / anchor_tensor_mib),
                notes={"numpy_inplace": results["numpy_inplace"]["extra_tensors"],
                       "valid": all(r["valid"] for r in results.values())})]


def main() -> None:
    parser = argparse.ArgumentParser(description="One side of W9, in this (fresh) process.")
    parser.add_argument("--side", choices=SIDES, required=True)
    parser.add_argument("--elements", type=int, default=50_000_000)
    args = parser.parse_args()
    print(json.dumps(measure(args.side, args.elements)))


if __name__ == "__main__":
    main()
