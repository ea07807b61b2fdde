"""Timing helpers of the benchmark: medians of repeated batches of calls, with the functions
being compared timed in alternation so that load from other processes on a shared machine
falls on all of them alike. While the driver has a TF1 `Peer` running the workload's anchor
script (`paired_with`), `compare(..., tf1=variant)` times that script's function among them."""

from __future__ import annotations

import contextlib
import dataclasses
import random
import statistics
import time
from typing import Any, Callable, Dict, Iterator, Optional

import numpy as np


@dataclasses.dataclass(frozen=True)
class Settings:
    """How long and how big to measure.

    quick : bool
        The smoke-test form (seconds in all): few samples, smaller W7 / W8 / W9 / D1
        problems. Its numbers only show that everything runs.
    budget : float
        Seconds of timing per function compared (the full form's default is 2).
    """

    quick: bool = False
    budget: float = 2.0

    @property
    def batch_seconds(self) -> float:
        """The least duration of one timed batch of calls (timer noise stays small)."""
        return 0.002 if self.quick else 0.02

    @property
    def min_rounds(self) -> int:
        return 3 if self.quick else 7


def warm_allocator() -> None:
    """Allocates and frees one 30 MiB block.

    glibc serves large blocks with mmap (a page fault per page touched) until it has freed
    one such block, then raises its threshold to that block's size (up to 32 MiB) and serves
    later ones from its heap. A
    process meets this once early in its life; doing it here makes every workload measure
    the steady state, whatever ran before it (numpy and flowgraph alike).
    """
    block = np.ones(30 << 18, np.float32)  # 30 MiB: the threshold's cap is 32 MiB
    del block


def calls_per_batch(fn: Callable[[], object], seconds: float) -> int:
    """How many calls of `fn` take at least `seconds` (at least 1)."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds or calls >= 1 << 16:
            return calls
        calls *= 2 if elapsed * 4 > seconds else 8


class Local:
    """A function of this process, timed in batches (the interface of `tf1.Remote`)."""

    def __init__(self, fn: Callable[[], object]):
        self.fn = fn

    def calls_per_batch(self, seconds: float) -> int:
        return calls_per_batch(self.fn, seconds)

    def batch(self, calls: int) -> float:
        """Seconds per call of one batch of `calls` calls, after one untimed call: it pays
        for what the function timed before left behind (caches filled with its data, its
        worker threads still spinning), so the batch measures the steady state, as the TF1
        anchors' loops do (a 22 ms CNN step right after numpy's took ~2 ms longer than in a
        loop)."""
        fn = self.fn
        fn()
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        return (time.perf_counter() - start) / calls


_peer: Optional[Any] = None  # the running TF1 Peer of the workload being measured


@contextlib.contextmanager
def paired_with(peer: Optional[Any]) -> Iterator[None]:
    """`compare` calls given a `tf1` variant time that function of `peer` (a `tf1.Peer`)
    meanwhile; None: no TF1 side."""
    global _peer
    previous, _peer = _peer, peer
    try:
        yield
    finally:
        _peer = previous


def compare(fns: Dict[str, Callable[[], object]], settings: Settings,
            warmup: int = 3, tf1: Optional[str] = None) -> Dict[str, float]:
    """Median seconds per call of each function, timed in alternating batches.

    Each round runs one batch of every function (a batch lasts at least
    `settings.batch_seconds` and follows one untimed call); rounds continue for about
    `settings.budget` seconds per function and at least `settings.min_rounds` times.
    With `tf1` (the variant of the anchor's function) and a peer (`paired_with`), the TF1
    function is timed among them, under the name "tf1".
    """
    samples = _measure(fns, settings, warmup, tf1)
    return {name: statistics.median(values) for name, values in samples.items()}


def _measure(fns: Dict[str, Callable[[], object]], settings: Settings,
             warmup: int, tf1: Optional[str] = None) -> Dict[str, list]:
    timed: Dict[str, Any] = {}
    if tf1 is not None and _peer is not None:
        timed["tf1"] = _peer.remote(tf1)  # warmed up by the anchor, as it asks
    if settings.quick:
        warmup = min(warmup, 1)
    for name, fn in fns.items():
        for _ in range(warmup):
            fn()
        timed[name] = Local(fn)
    inner = {name: t.calls_per_batch(settings.batch_seconds) for name, t in timed.items()}
    samples: Dict[str, list] = {name: [] for name in timed}
    deadline = time.perf_counter() + settings.budget * len(timed)
    names = list(timed)
    order = random.Random(0)
    rounds = 0
    while time.perf_counter() < deadline or rounds < settings.min_rounds:
        # Each round in a new order (seeded): a function is not always timed right after
        # the same other one, whose after-effects (idle worker threads, evicted caches,
        # background work) it would otherwise always pay.
        rounds += 1
        order.shuffle(names)
        for name in names:
            samples[name].append(timed[name].batch(inner[name]))
    return samples


def compare_rounds(fns: Dict[str, Callable[[], object]], settings: Settings,
                   warmup: int = 3) -> Dict[str, list]:
    """As `compare`, but each function's seconds per call in every round (the rounds'
    order): for ratios of functions within one round. This machine switches speed for
    minutes at a time; the median of per-round ratios compares two functions measured
    seconds apart, where a ratio of overall medians may take its two medians from two
    speeds (W7: per-round ratios 1.84-1.95 gave a ratio of medians of 1.85)."""
    return _measure(fns, settings, warmup)


def once(fn: Callable[[], object]) -> float:
    """Seconds taken by one call of `fn`."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
