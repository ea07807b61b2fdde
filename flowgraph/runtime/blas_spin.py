"""Shortening how long OpenBLAS's idle threads spin after a matrix product.

After each product, OpenBLAS keeps its worker threads busy-waiting for the next one for
2**28 clock cycles (about a tenth of a second) before they sleep. In a training step the
next product comes a few milliseconds later, after pooling, ReLU and update passes, so the
workers spin through all of them and hold every core but the calling thread's: those
passes cannot be split over the cores (flowgraph.runtime.intra_op) while they spin.

When the first Session is created, flowgraph therefore restarts OpenBLAS's thread server
with a spin of 2**SPIN_EXPONENT cycles (about 0.4 ms at 2.6 GHz): long enough for the gaps
between the products of an LSTM's time steps, short enough to hand the cores back to the
passes between ops, which only then are split (flowgraph.runtime.intra_op). Measured in
one process against OpenBLAS's own spin, with the passes split: the CNN training step 29.6
against 42.6 ms, the MLP inference step 11.0 against 20.8 ms, the LSTM and small MLP steps
unchanged; 2**18 cycles made the LSTM steps 5-15% slower (its BLAS threads slept between
time steps). The OpenBLAS libraries loaded at that moment (numpy's, found through
threadpoolctl) are restarted; none is loaded or started otherwise. A restart must not
overlap a matrix product running on another thread, so it happens once per process, when
the first Session is created (before any run).

Set FLOWGRAPH_BLAS_SPIN to an exponent between 4 and 30 (OpenBLAS's own range) to choose
another spin, or to 0 to leave OpenBLAS as it is (and no pass is split then). Without
threadpoolctl (the ``perf`` extra) or with another BLAS than OpenBLAS, nothing changes and
no pass is split either.
"""

from __future__ import annotations

import ctypes
import os
import threading

from flowgraph.runtime import intra_op

__all__: list = []

SPIN_EXPONENT = 20
# Spins up to 2**22 cycles (1.6 ms) end soon enough for passes to be split.
QUIET_EXPONENT = 22
_SYMBOLS = ("openblas_read_env", "blas_thread_shutdown_", "blas_thread_init")

_lock = threading.Lock()
_done = False


def spin_exponent() -> int:
    """The exponent asked for by FLOWGRAPH_BLAS_SPIN (0: leave OpenBLAS alone)."""
    text = os.environ.get("FLOWGRAPH_BLAS_SPIN", "").strip()
    if not text:
        return SPIN_EXPONENT
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"FLOWGRAPH_BLAS_SPIN={text!r}: expected an integer, 0 to leave "
                         "OpenBLAS's spin as it is or 4..30 for a spin of 2**N cycles") from None
    return 0 if value <= 0 else min(max(value, 4), 30)


def tune_blas_spin() -> int:
    """Applies the spin once per process; returns how many OpenBLAS libraries took it."""
    global _done
    with _lock:
        if _done:
            return 0
        _done = True
        exponent = spin_exponent()
        if not exponent:
            return 0
        restarted = sum(_restart(lib, exponent) for lib in _openblas_libraries())
        if restarted and exponent <= QUIET_EXPONENT:
            intra_op.quiet_blas = True
        return restarted


def _openblas_libraries() -> list:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # without threadpoolctl, OpenBLAS keeps its own spin
        return []
    return [info["filepath"] for info in threadpool_info()
            if info.get("internal_api") == "openblas" and info.get("filepath")]


def _restart(path: str, exponent: int) -> bool:
    """Restarts one OpenBLAS thread server with the new spin. OpenBLAS reads the spin
    from its environment when the server starts, so the variable is set for the restart
    only (child processes keep OpenBLAS's default)."""
    try:
        lib = ctypes.CDLL(path)
        functions = [getattr(lib, name) for name in _SYMBOLS]
    except (OSError, AttributeError):  # another build: leave it alone
        return False
    read_env, shutdown, init = functions
    for fn in functions:
        fn.argtypes = ()
    saved = os.environ.get("OPENBLAS_THREAD_TIMEOUT")
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = str(exponent)
    try:
        read_env()
        shutdown()
        init()
    finally:
        if saved is None:
            del os.environ["OPENBLAS_THREAD_TIMEOUT"]
        else:
            os.environ["OPENBLAS_THREAD_TIMEOUT"] = saved
        read_env()  # OpenBLAS's copy of its settings as the environment has them again
    return True
