"""Runs one anchor script (tools/anchors) with its timing handed over to the benchmark driver,
so that TF1's batches of calls alternate with flowgraph's and numpy's within seconds.

Run by `tf1.Peer` with the TensorFlow Python: ``python tf1_serve.py SCRIPT [ARGS...]``. It
imports nothing of the benchmark (the TF virtual environment has no flowgraph). The anchor's
``timeit`` is replaced before the script runs; each call of it warms the function up as the
anchor asks, announces itself on stdout and then answers the driver's commands on stdin, one
per line:

    calibrate S   -> {"calls": n}        calls of the function that take at least S seconds
    batch N       -> {"seconds": t}      one untimed call, then N timed calls: t per call
    done                                 return to the anchor with the batches' statistics
                                         (the anchor's own timing if no batch was asked for)

Protocol lines start with ``@@`` and hold JSON; the anchor's own output (its JSON records
included) passes through unchanged.
"""

from __future__ import annotations

import json
import runpy
import statistics
import sys
import time
from pathlib import Path

ANCHORS = Path(__file__).resolve().parents[1] / "anchors"


def send(message: dict) -> None:
    print("@@" + json.dumps(message), flush=True)


def calls_for(fn, seconds: float) -> int:
    """How many calls of `fn` take at least `seconds` (at least 1), as the driver counts."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds or calls >= 1 << 16:
            return calls
        calls *= 2 if elapsed * 4 > seconds else 8


def served_timeit(original):
    """A stand-in for the anchors' ``common.timeit`` that lets the driver time the batches."""

    def timeit(fn, warmup=3, **options):
        # The anchors call timeit from report(variant, ...): its variant names the function.
        variant = str(sys._getframe(1).f_locals.get("variant", ""))
        for _ in range(warmup):
            fn()
        send({"ready": variant})
        samples, calls = [], 1
        for line in sys.stdin:
            command = line.split()
            if command[0] == "calibrate":
                calls = calls_for(fn, float(command[1]))
                send({"calls": calls})
            elif command[0] == "batch":
                count = int(command[1])
                fn()  # as the driver's own batches: the steady state, after one call
                start = time.perf_counter()
                for _ in range(count):
                    fn()
                samples.append((time.perf_counter() - start) / count)
                send({"seconds": samples[-1]})
            elif command[0] == "done":
                break
            else:
                raise SystemExit(f"tf1_serve: unknown command {line!r}")
        else:
            raise SystemExit("tf1_serve: the driver closed the pipe")
        if not samples:
            return original(fn, warmup=0, **options)
        return {"median": statistics.median(samples), "min": min(samples),
                "n": len(samples), "inner": calls, "paired": True}

    return timeit


def main(argv: list) -> None:
    script, *args = argv
    path = Path(script) if Path(script).is_absolute() else ANCHORS / script
    sys.path.insert(0, str(ANCHORS))
    import common  # the anchors' helpers; its timeit is bound by `from common import *`

    common.timeit = served_timeit(common.timeit)
    sys.argv = [str(path), *args]
    runpy.run_path(str(path), run_name="__main__")
    send({"exit": 0})


if __name__ == "__main__":
    main(sys.argv[1:])
