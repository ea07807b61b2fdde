"""Timing helpers of the benchmark: medians of repeated batches of calls, with the functions
being compared timed in alternation so that load from other processes on a shared machine
falls on all of them alike."""

from __future__ import annotations

import dataclasses
import random
import statistics
import time
from typing import Callable, Dict

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


def compare(fns: Dict[str, Callable[[], object]], settings: Settings,
            warmup: int = 3) -> Dict[str, float]:
    """Median seconds per call of each function, timed in alternating batches.

    Each round runs one batch of every function (a batch lasts at least
    `settings.batch_seconds` and follows one untimed call); rounds continue for about
    `settings.budget` seconds per function and at least `settings.min_rounds` times.
    """
    samples = _measure(fns, settings, warmup)
    return {name: statistics.median(values) for name, values in samples.items()}


def _measure(fns: Dict[str, Callable[[], object]], settings: Settings,
             warmup: int) -> Dict[str, list]:
    if settings.quick:
        warmup = min(warmup, 1)
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    inner = {name: calls_per_batch(fn, settings.batch_seconds) for name, fn in fns.items()}
    samples: Dict[str, list] = {name: [] for name in fns}
    deadline = time.perf_counter() + settings.budget * len(fns)
    names = list(fns)
    order = random.Random(0)
    rounds = 0
    while time.perf_counter() < deadline or rounds < settings.min_rounds:
        # Each round in a new order (seeded): a function is not always timed right after
        # the same other one, whose after-effects (idle worker threads, evicted caches,
        # background work) it would otherwise always pay.
        rounds += 1
        order.shuffle(names)
        for name in names:
            fn = fns[name]
            n = inner[name]
            # One untimed call first: it pays for what the function timed before left
            # behind (caches filled with its data, its worker threads still spinning), so
            # the batch measures the steady state, as the TF1 anchors' loops do (a 22 ms
            # CNN step right after numpy's took ~2 ms longer than in a loop).
            fn()
            start = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - start) / n)
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
