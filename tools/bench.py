"""flowgraph's performance benchmark: the nine workloads of the performance goals (W1-W9),
the input-pipeline workload D1 and the Dask target's cost (DASK), each measured for
flowgraph and (except DASK) for a hand-written numpy
version in the same process and, with ``--tf-python``, for TensorFlow 1.x graph mode (the
anchor scripts in tools/anchors, run in a subprocess: timed in turn with flowgraph's batches
for W3-W6, right after flowgraph's turn for the others).

Not a test: it prints a table of medians, ratios and targets (docs/performance.md explains
each workload). Examples::

    python tools/bench.py                                   # flowgraph and numpy, ~2 min
    python tools/bench.py --only W3,W5 --tf-python /path/to/tf-venv/bin/python
    python tools/bench.py --quick                           # smoke test, a few seconds
    python tools/bench.py --json results.json --markdown

The machine should be quiet: only ratios measured in one run compare.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import platform
import sys
import time
import traceback
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path[:0] = [str(TOOLS.parent), str(TOOLS)]

import numpy as np  # noqa: E402
from benchlib import report, tf1, timing  # noqa: E402
from benchlib.timing import Settings, warm_allocator  # noqa: E402

import flowgraph as fg  # noqa: E402

WORKLOADS = {
    "W1": "w1_overhead", "W2": "w2_chain", "W3": "w3_mlp_train", "W4": "w4_mlp_infer",
    "W5": "w5_cnn", "W6": "w6_lstm", "W7": "w7_interop", "W8": "w8_build", "W9": "w9_memory",
    "D1": "d1_pipeline", "DASK": "dask_cluster",
}


def environment() -> dict:
    """What the numbers depend on: versions, CPU, BLAS and the load at the start."""
    info = {"flowgraph": fg.__version__, "numpy": np.__version__,
            "python": platform.python_version(), "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE")}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((line.split(":", 1)[1].strip() for line in f
                                if line.startswith("model name")), None)
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [{k: d.get(k) for k in ("internal_api", "num_threads", "architecture")}
                        for d in threadpool_info()]
    except ImportError:
        pass
    return info


def parse_args(argv: list) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="the smoke-test form: seconds in all, numbers not meaningful")
    parser.add_argument("--only", default="",
                        help=f"comma-separated workloads to run (of {','.join(WORKLOADS)})")
    parser.add_argument("--tf-python", default=None, metavar="PATH",
                        help="a python that imports tensorflow: also run the TF1 anchors")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds of timing per compared function (default 2; 0.1 quick)")
    parser.add_argument("--blas-threads", type=int, default=None, metavar="N",
                        help="limit numpy's BLAS to N threads (flowgraph and numpy alike; "
                        "TF1 is not limited): 1 gives steadier flowgraph / numpy ratios on a "
                        "loaded machine, but then do not compare with TF1")
    parser.add_argument("--rounds", type=int, default=1, metavar="N",
                        help="measure each workload N times, flowgraph / numpy and TF1 in "
                        "turn, and report the medians (this machine switches speed for "
                        "minutes at a time: rounds interleave the two sides in time)")
    parser.add_argument("--json", default=None, metavar="PATH",
                        help="also write the rows and environment as JSON to PATH")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the table as Markdown")
    args = parser.parse_args(argv)
    chosen = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    unknown = [w for w in chosen if w not in WORKLOADS]
    if unknown:
        parser.error(f"--only: unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    args.workloads = chosen or list(WORKLOADS)
    return args


def run_workload(key: str, settings: Settings, tf_python: str | None,
                 rounds: int = 1) -> list:
    """The rows of one workload (medians over `rounds` rounds, each measuring flowgraph /
    numpy and TF1); on failure a single row with a NaN value and the error."""
    module = importlib.import_module(f"benchlib.{WORKLOADS[key]}")
    start = time.perf_counter()
    measured = []
    for _ in range(max(rounds, 1)):
        try:
            rows = measure_round(module, settings, tf_python)
        except Exception as exc:  # one broken workload must not hide the others' numbers
            traceback.print_exc()
            return [report.Row(key, f"FAILED: {type(exc).__name__}: {exc}"[:120], "-",
                               math.nan)]
        measured.append(rows)
    rows = measured[0] if len(measured) == 1 else report.median_rows(measured)
    print(f"  {key} done in {time.perf_counter() - start:.1f}s", file=sys.stderr, flush=True)
    return rows


def measure_round(module, settings: Settings, tf_python: str | None) -> list:
    """One round of a workload's rows. A workload that names its anchor (`TF1_ANCHOR`) is
    timed together with TF1's (`tf1.Peer`: TF1's batches alternate with flowgraph's and
    numpy's); the other anchors run on their own right after flowgraph's turn."""
    anchor = getattr(module, "TF1_ANCHOR", None)
    peer = tf1.Peer(tf_python, anchor) if tf_python and anchor else None
    try:
        with timing.paired_with(peer):
            rows = module.run(settings)
    except BaseException:
        if peer is not None:
            peer.close()
        raise
    if tf_python:
        try:
            cache = {} if peer is None else {(anchor, peer.args): peer.finish()}
            tf1.attach(rows, tf_python, cache)
        except Exception as exc:
            print(f"{rows[0].key}: the TF1 anchor failed: {exc}", file=sys.stderr)
            for row in rows:
                row.notes["tf1_error"] = str(exc)[-500:]
    return rows


@contextlib.contextmanager
def blas_threads(count: int | None):
    """BLAS limited to `count` threads meanwhile (None: as it is). The quick form uses 1: on
    a loaded machine spinning BLAS threads can make it many times slower."""
    if count is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("--blas-threads needs threadpoolctl (pip install threadpoolctl); ignored",
              file=sys.stderr)
        yield
        return
    with threadpool_limits(count, user_api="blas"):
        yield


def main(argv: list | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    budget = args.budget if args.budget is not None else (0.1 if args.quick else 2.0)
    settings = Settings(quick=args.quick, budget=budget)
    env = environment()
    if args.tf_python:
        try:
            env["tensorflow"] = tf1.check_python(args.tf_python)
        except tf1.TfUnavailableError as exc:
            print(exc, file=sys.stderr)
            return 2
    print(f"flowgraph {env['flowgraph']}, numpy {env['numpy']}, {env.get('cpu')}, "
          f"{env['cpus']} cpus, BLAS {env.get('blas')}, OPENBLAS_CORETYPE="
          f"{env['OPENBLAS_CORETYPE']}, load {env['load_average']}"
          + (f", TF {env['tensorflow']}" if "tensorflow" in env else ""))
    warm_allocator()
    rows = []
    threads = args.blas_threads if args.blas_threads is not None else (1 if args.quick
                                                                        else None)
    env["blas_threads_limit"] = threads
    with blas_threads(threads):
        for key in args.workloads:
            rows += run_workload(key, settings, args.tf_python, args.rounds)
    env["load_average_end"] = os.getloadavg()
    print(report.format_table(rows))
    print(f"load average at the start {env['load_average'][0]:.2f}, at the end "
          f"{env['load_average_end'][0]:.2f} (on {env['cpus']} cpus: above that, other "
          "processes share the cores and 2-thread BLAS slows down many times over)")
    if args.markdown:
        print()
        print(report.format_markdown(rows))
    if args.json:
        command = " ".join(["python", "tools/bench.py"] + (sys.argv[1:] if argv is None
                                                            else argv))
        Path(args.json).write_text(json.dumps(
            {"command": command, "environment": env, "settings": vars(settings),
             "rows": [r.as_dict() for r in rows]}, indent=1, default=str))
    failed = any(not math.isfinite(r.flowgraph) for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
