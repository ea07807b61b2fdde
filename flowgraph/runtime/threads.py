"""Thread counts under the Session's control: BLAS threads (intra-op) through threadpoolctl,
so that ops running side by side on the inter-op thread pool do not each start a BLAS
thread per core and oversubscribe the machine."""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from typing import Any

from flowgraph.runtime import intra_op

_lock = threading.Lock()
_controller: Any = None
_UNAVAILABLE = object()


def _get_controller() -> Any:
    global _controller
    if _controller is None:
        with _lock:
            if _controller is None:
                try:
                    from threadpoolctl import ThreadpoolController
                    _controller = ThreadpoolController()
                except ImportError:
                    _controller = _UNAVAILABLE
    return None if _controller is _UNAVAILABLE else _controller


def cores() -> int:
    return os.cpu_count() or 1


def set_intra_op_threads(count: int) -> None:
    """Limits BLAS (and OpenMP) threads, and the threads a numpy pass is split over
    (flowgraph.runtime.intra_op), process-wide, as TF1 applies its thread settings
    once per process; 0 leaves the libraries' defaults."""
    if count <= 0:
        return
    intra_op.max_parts = count  # numpy passes split over at most as many threads
    controller = _get_controller()
    if controller is None:
        warnings.warn("intra_op_parallelism_threads needs threadpoolctl: pip install "
                      "'flowgraph[perf]' (or threadpoolctl); the setting is ignored.",
                      stacklevel=3)
        return
    controller.limit(limits=count)


def blas_limited(count: int):
    """A context manager running BLAS with at most `count` threads (a no-op without
    threadpoolctl). Costs a few microseconds."""
    controller = _get_controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=count, user_api="blas")
