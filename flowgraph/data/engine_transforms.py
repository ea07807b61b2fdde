"""Run-time builders of the transformations that run functions or nest datasets: map,
filter, interleave (and flat_map), window; and cache."""

from __future__ import annotations

import os
from typing import Any, Iterator

from flowgraph import errors
from flowgraph.data.engine import Env, Source, build
from flowgraph.data.engine_sources import closing_all
from flowgraph.data.parallel_map import parallel_map
from flowgraph.data.structure import WindowValue

AUTOTUNE = -1


def _threads(count: int) -> int:
    return (os.cpu_count() or 2) if count == AUTOTUNE else count


# --------------------------------------------------------------------------- map, filter
def _map(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    fn = env.function(attrs["fn"])
    extra = env.captured(attrs)
    parallel = _threads(attrs["num_parallel_calls"] or 1)
    skip_errors = bool(attrs.get("ignore_errors", False))
    skipped = object()

    def call(element: tuple) -> Any:
        if not skip_errors:
            return fn(element + extra)
        try:
            return fn(element + extra)
        except errors.OpError:
            return skipped

    def sequential() -> Iterator[tuple]:
        it = source.open()
        try:
            for element in it:
                result = call(element)
                if result is not skipped:
                    yield result
        finally:
            closing_all([it])

    def in_threads(ahead: int = 1) -> Iterator[tuple]:
        return parallel_map(source.open, call, parallel, parallel + ahead, skipped)

    if parallel <= 1:
        return Source(sequential)
    return Source(in_threads, ahead=in_threads)


def _filter(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    predicate = env.function(attrs["fn"])
    extra = env.captured(attrs)

    def open_() -> Iterator[tuple]:
        it = source.open()
        try:
            for element in it:
                if bool(predicate(element + extra)[0]):
                    yield element
        finally:
            closing_all([it])

    return Source(open_)


# --------------------------------------------------------------------------- nesting
def _interleave(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    fn = env.function(attrs["fn"])
    extra = env.captured(attrs)
    cycle = _threads(env.integer(attrs["cycle_length"], "cycle_length"))
    block = env.integer(attrs["block_length"], "block_length")
    if cycle <= 0:
        raise errors.InvalidArgumentError(None, None, "cycle_length must be greater than zero.")
    if block <= 0:
        raise errors.InvalidArgumentError(None, None, "block_length must be greater than zero.")

    def inner(element: tuple) -> Iterator[tuple]:
        return build(fn.inner, env.with_inputs(fn(element + extra))).open()

    def open_() -> Iterator[tuple]:
        # TF1's order: `cycle` open inner iterators, `block` elements from each in turn; an
        # exhausted one is replaced by the next input element's, in the same place.
        it = source.open()
        current: list = [None] * cycle
        index = produced = 0
        open_count = 0
        end_of_input = False
        try:
            while not end_of_input or open_count > 0:
                if current[index] is not None:
                    try:
                        element = next(current[index])
                    except StopIteration:
                        current[index] = None
                        open_count -= 1
                        index, produced = (index + 1) % cycle, 0
                        continue
                    produced += 1
                    if produced == block:
                        index, produced = (index + 1) % cycle, 0
                    yield element
                elif not end_of_input:
                    try:
                        element = next(it)
                    except StopIteration:
                        end_of_input = True
                        continue
                    current[index] = inner(element)
                    open_count += 1
                else:
                    index, produced = (index + 1) % cycle, 0
        finally:
            closing_all([c for c in current if c is not None] + [it])

    return Source(open_)


def _window(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    size = env.integer(attrs["size"], "size")
    shift = env.integer(attrs["shift"], "shift")
    stride = env.integer(attrs["stride"], "stride")
    drop = env.boolean(attrs["drop_remainder"], "drop_remainder")
    for name, value in (("size", size), ("shift", shift), ("stride", stride)):
        if value <= 0:
            raise errors.InvalidArgumentError(None, None, f"Window {name} must be greater "
                                              "than zero.")
    span = (size - 1) * stride + 1

    def open_() -> Iterator[tuple]:
        # Window k holds the inputs k * shift + j * stride (j < size) that exist.
        it = source.open()
        buffer: list = []
        ended = False
        try:
            while True:
                while not ended and len(buffer) < span:
                    try:
                        buffer.append(next(it))
                    except StopIteration:
                        ended = True
                if not buffer:
                    return
                window = buffer[:span:stride]
                if drop and len(window) < size:
                    return
                yield tuple(WindowValue([e[k] for e in window])
                            for k in range(len(window[0])))
                if shift <= len(buffer):
                    del buffer[:shift]
                    continue
                missing = shift - len(buffer)
                buffer.clear()
                for _ in range(missing):
                    try:
                        next(it)
                    except StopIteration:
                        ended = True
                        break
        finally:
            closing_all([it])

    return Source(open_)


def _cache(attrs: dict, children: tuple, env: Env) -> Source:
    from flowgraph.data.cache import cached_source
    return cached_source(build(children[0], env), env.text(attrs["filename"], "filename"))


KINDS = {
    "Map": _map,
    "Filter": _filter,
    "Interleave": _interleave,
    "Window": _window,
    "Cache": _cache,
}
