"""Keeping the C allocator from handing memory back to the kernel between runs.

numpy gets its arrays from malloc. With glibc's defaults, blocks above a threshold that
starts at 128 KiB are mapped fresh from the kernel and unmapped when freed, and freed memory
at the top of the heap is returned once it exceeds twice that threshold. A training step
allocates and frees many temporaries of a few MB inside its kernels (im2col blocks, padded
copies, masks): each step then pays a page fault for every 4 KiB of them, and the kernel
time can exceed the arithmetic (W5 in tools/bench.py ran at 34-50 ms per step that way, 28-31
ms with the settings below). TF1 avoids this with an allocator of its own that keeps its
memory; flowgraph asks glibc to do the same, once, when the first Session is created:

- blocks up to 32 MiB (glibc's largest setting) come from the heap, not fresh mappings;
- up to 256 MiB of freed memory stays with the process for the next run.

Set the environment variable FLOWGRAPH_MALLOC_TUNING=0 to leave malloc as it is. Other C
libraries than glibc are left alone.
"""

from __future__ import annotations

import ctypes
import os
import threading

__all__: list = []

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20

_lock = threading.Lock()
_done = False


def tune_allocator() -> bool:
    """Applies the settings above once per process; True when glibc took them."""
    global _done
    with _lock:
        if _done:
            return False
        _done = True
    if os.environ.get("FLOWGRAPH_MALLOC_TUNING", "1").strip().lower() in ("0", "false", "no"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # glibc only; absent elsewhere
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
