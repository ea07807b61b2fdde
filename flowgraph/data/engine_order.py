"""Run-time builders of shuffle, repeat, take, skip, shard and prefetch."""

from __future__ import annotations

import queue
import threading
from typing import Any, Iterator

import numpy as np

from flowgraph import errors
from flowgraph.data.engine import Env, Source, build
from flowgraph.data.engine_sources import closing_all

AUTOTUNE = -1


def _shuffle(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    size = env.integer(attrs["buffer_size"], "buffer_size")
    if size <= 0:
        raise errors.InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
    seed, seed2 = attrs["seed"], attrs["seed2"]
    if seed is None and seed2 is None or seed == 0 and seed2 == 0:
        base = env.unseeded_sequence()  # unseeded: different in every initialization
    else:
        base = np.random.SeedSequence([int(seed or 0) & 0xFFFFFFFF,
                                       int(seed2 or 0) & 0xFFFFFFFF])
    reshuffle = attrs["reshuffle_each_iteration"]
    epochs = np.random.Generator(np.random.PCG64(base))

    def open_() -> Iterator[tuple]:
        # Each pass (epoch) draws its own order when reshuffling, else replays the first.
        rng = np.random.Generator(np.random.PCG64(
            epochs.integers(1 << 62) if reshuffle else base))
        it = source.open()
        try:
            buffer = [element for _, element in zip(range(size), it)]
            picks: list = []
            for element in it:
                if not picks:  # while the buffer is full, draw positions in blocks
                    picks = rng.integers(len(buffer), size=256).tolist()[::-1]
                i = picks.pop()
                out, buffer[i] = buffer[i], element
                yield out
            while buffer:
                i = int(rng.integers(len(buffer)))
                buffer[i], buffer[-1] = buffer[-1], buffer[i]
                yield buffer.pop()
        finally:
            closing_all([it])

    return Source(open_)


def _repeat(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    count = env.integer(attrs["count"], "count")

    def open_() -> Iterator[tuple]:
        epoch = 0
        while count < 0 or epoch < count:
            it = source.open()
            produced = False
            try:
                for element in it:
                    produced = True
                    yield element
            finally:
                closing_all([it])
            if not produced:
                return  # an empty input repeated forever is still empty
            epoch += 1

    return Source(open_)


def _take(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    count = env.integer(attrs["count"], "count")

    def open_() -> Iterator[tuple]:
        if count == 0:
            return
        it = source.open()
        try:
            for i, element in enumerate(it):
                yield element
                if i + 1 == count:
                    return
        finally:
            closing_all([it])

    return Source(open_)


def _skip(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    count = env.integer(attrs["count"], "count")

    def open_() -> Iterator[tuple]:
        it = source.open()
        try:
            for i, element in enumerate(it):
                if count >= 0 and i >= count:
                    yield element
        finally:
            closing_all([it])

    return Source(open_)


def _shard(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    shards = env.integer(attrs["num_shards"], "num_shards")
    index = env.integer(attrs["index"], "index")
    if shards <= 0:
        raise errors.InvalidArgumentError(None, None, "Number of shards must be greater than "
                                          "zero.")
    if not 0 <= index < shards:
        raise errors.InvalidArgumentError(None, None, f"Index must be between 0 and "
                                          f"{shards - 1} (currently index = {index}).")

    def open_() -> Iterator[tuple]:
        it = source.open()
        try:
            for i, element in enumerate(it):
                if i % shards == index:
                    yield element
        finally:
            closing_all([it])

    return Source(open_)


# --------------------------------------------------------------------------- prefetch
_END = object()


class _Failure:
    """An exception raised in the prefetch thread, handed to the consumer."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _prefetch(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    size = env.integer(attrs["buffer_size"], "buffer_size")
    if size == AUTOTUNE:
        size = 2
    if size < 0:
        raise errors.InvalidArgumentError(None, None, "buffer_size must be >= 0 (or AUTOTUNE)")
    if size == 0:
        return source
    if source.ahead is not None:  # a parallel map: its workers run ahead by `size` more
        return Source(lambda: source.ahead(1 + size))

    def open_() -> Iterator[tuple]:
        # A background thread fills a queue of at most `size` elements (bounded memory).
        buffer: queue.Queue = queue.Queue(maxsize=size)
        stop = threading.Event()

        def put(item: Any) -> bool:
            while not stop.is_set():
                try:
                    buffer.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def work() -> None:
            try:
                it = source.open()
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                put(_Failure(exc))
                return
            try:
                for element in it:
                    if not put(element):
                        return
                put(_END)
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                put(_Failure(exc))
            finally:
                closing_all([it])

        worker = threading.Thread(target=work, name="fg-data-prefetch", daemon=True)
        worker.start()
        try:
            while True:
                item = buffer.get()
                if item is _END:
                    return
                if isinstance(item, _Failure):
                    raise item.error
                yield item
        finally:
            stop.set()
            while worker.is_alive():
                try:
                    buffer.get(timeout=0.05)
                except queue.Empty:
                    pass

    return Source(open_)


KINDS = {
    "Shuffle": _shuffle,
    "Repeat": _repeat,
    "Take": _take,
    "Skip": _skip,
    "Shard": _shard,
    "Prefetch": _prefetch,
}
