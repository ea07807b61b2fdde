"""The memory planner's runtime half: a buffer pool and ownership checks.

Large intermediates are written into buffers taken from a per-Session pool keyed by shape
and dtype, and go back to the pool when their last reader is done, so steady-state runs
allocate (and page-fault on) no new large arrays. An op may also write its result over an
input that dies at that op.

Whether an array may be reused is decided by who can still see it: an array is recycled or
overwritten only when the run's own slot is the sole reference to it (Python's reference
count), it owns its memory and it is writable. Fed arrays (the caller holds them), Variable
values (the Session holds them, read-only), constants (the plan holds them), fetched results
(kept to the end of the run and handed to the caller), views of any of these, and anything a
kernel kept (a TensorArray, a queue) all fail that test, so they are never overwritten.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Optional

import numpy as np

# Below this size numpy's and malloc's own caches serve allocations without page faults.
MIN_POOL_BYTES = 1 << 16
_ndarray = np.ndarray
_getrefcount = getattr(sys, "getrefcount", None)


class BufferPool:
    """Free arrays by (shape, dtype), reused across runs (thread-safe).

    Holds at most `per_key` arrays of one shape and dtype and about `max_bytes` in all;
    arrays beyond that are left to the garbage collector.
    """

    def __init__(self, max_bytes: int = 1 << 30, per_key: int = 32) -> None:
        self.max_bytes = max_bytes
        self.per_key = per_key
        self._free: dict = {}
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """The bytes held in free buffers now."""
        return self._bytes

    def take(self, shape: tuple, dtype: Any) -> np.ndarray:
        """A C-contiguous array of `shape` and `dtype` (uninitialized)."""
        stack = self._free.get((shape, dtype))
        if stack:
            with self._lock:
                if stack:
                    array = stack.pop()
                    self._bytes -= array.nbytes
                    return array
        return np.empty(shape, dtype)

    def give(self, array: np.ndarray) -> None:
        """Takes back an array nobody else references (see `release`)."""
        key = (array.shape, array.dtype)
        with self._lock:
            stack = self._free.get(key)
            if stack is None:
                stack = self._free[key] = []
            if len(stack) < self.per_key and self._bytes + array.nbytes <= self.max_bytes:
                stack.append(array)
                self._bytes += array.nbytes

    def clear(self) -> None:
        with self._lock:
            self._free.clear()
            self._bytes = 0


def exclusive_slot(values: list, slot: int) -> bool:
    """True when the array in `values[slot]` is referenced by that slot alone, owns its
    memory, is writable and C-contiguous: the run may overwrite it."""
    a = values[slot]
    return (type(a) is _ndarray and _getrefcount(a) == _SLOT_REFS and a.base is None
            and a.flags.writeable and a.flags.c_contiguous)


def release(values: list, slot: int, give: Any) -> None:
    """Clears `values[slot]`; a large array nobody else references goes back to the pool."""
    a = values[slot]
    values[slot] = None
    if (type(a) is _ndarray and a.nbytes >= MIN_POOL_BYTES and _getrefcount(a) == _LOCAL_REFS
            and a.base is None and a.flags.writeable and a.flags.c_contiguous):
        give(a)


def _calibrate() -> Optional[tuple]:
    """The reference counts `exclusive_slot` and `release` see for an unshared array (the
    interpreter's own references differ between Python versions), or None if reference
    counts cannot tell (then nothing is ever overwritten or recycled)."""
    global _SLOT_REFS, _LOCAL_REFS
    if _getrefcount is None:
        return None

    def slot_refs(values: list, slot: int) -> int:
        a = values[slot]
        return _getrefcount(a)

    def local_refs(values: list, slot: int) -> int:
        a = values[slot]
        values[slot] = None
        return _getrefcount(a)

    _SLOT_REFS = slot_refs([np.empty(1)], 0)
    _LOCAL_REFS = local_refs([np.empty(1)], 0)
    # Check both ways: unshared arrays pass, shared ones do not.
    keep = np.ones(1)
    if not exclusive_slot([np.ones(1)], 0) or exclusive_slot([keep], 0):
        return None
    taken: list = []
    release([np.ones(MIN_POOL_BYTES)], 0, taken.append)
    shared = np.ones(MIN_POOL_BYTES)
    release([shared], 0, taken.append)
    if len(taken) != 1:
        return None
    return _SLOT_REFS, _LOCAL_REFS


_SLOT_REFS = _LOCAL_REFS = -1
if _calibrate() is None:  # pragma: no cover - interpreters without reliable refcounts
    _SLOT_REFS = _LOCAL_REFS = -1
ENABLED = _SLOT_REFS > 0
