"""`Dataset.cache`: elements kept in memory, or in files, after the first complete pass.

In memory (filename ""): the first pass that reaches the end records its elements; later
passes of the same initialized iterator (e.g. under `repeat`) replay them.

In files (filename "prefix"): the first complete pass writes its elements to chunk files
``prefix.data-00000``, ``prefix.data-00001``, ... (flowgraph containers: checksummed, written
atomically) and finally the index ``prefix.index``; any later pass -- in another iterator,
Session or process -- reads the files instead of running the input. A pass abandoned
before the end leaves no index, so it is never mistaken for a complete cache. Delete the
files to rebuild the cache when the input changes.
"""

from __future__ import annotations

import os
import threading
from typing import Iterator

import numpy as np

from flowgraph import errors
from flowgraph.data.engine import Source
from flowgraph.data.engine_sources import closing_all
from flowgraph.io import container

INDEX_KIND = "dataset_cache"
CHUNK_KIND = "dataset_cache_chunk"
CHUNK_BYTES = 16 << 20
CHUNK_ELEMENTS = 4096


def cached_source(source: Source, filename: str) -> Source:
    if filename:
        return _file_cache(source, filename)
    return _memory_cache(source)


def _memory_cache(source: Source) -> Source:
    done: list = []  # [elements] once a pass completed
    lock = threading.Lock()

    def open_() -> Iterator[tuple]:
        with lock:
            cached = done[0] if done else None
        if cached is not None:
            yield from cached
            return
        recorded = []
        it = source.open()
        try:
            for element in it:
                recorded.append(element)
                yield element
        finally:
            closing_all([it])
        with lock:  # reached only when the pass ended normally
            if not done:
                done.append(recorded)

    return Source(open_)


def _file_cache(source: Source, prefix: str) -> Source:
    index_path = prefix + ".index"

    def open_() -> Iterator[tuple]:
        if os.path.exists(index_path):
            yield from _read(index_path, prefix)
            return
        yield from _write_through(source, prefix, index_path)

    return Source(open_)


def _chunk_path(prefix: str, number: int) -> str:
    return f"{prefix}.data-{number:05d}"


def _read(index_path: str, prefix: str) -> Iterator[tuple]:
    index = container.read(index_path, INDEX_KIND).document
    chunks = index.get("chunks") if isinstance(index, dict) else None
    width = index.get("components") if isinstance(index, dict) else None
    if not isinstance(chunks, list) or not isinstance(width, int) or width < 0:
        raise errors.DataLossError(None, None, f"{index_path}: not a valid dataset cache index")
    for number, count in enumerate(chunks):
        if not isinstance(count, int) or count < 0:
            raise errors.DataLossError(None, None, f"{index_path}: invalid chunk size")
        box = container.read(_chunk_path(prefix, number), CHUNK_KIND)
        for i in range(count):
            yield tuple(_readonly(box.read_tensor(f"{i}/{k}")) for k in range(width))


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _write_through(source: Source, prefix: str, index_path: str) -> Iterator[tuple]:
    chunks: list = []
    pending: dict = {}
    count = size = 0
    width = None
    it = source.open()
    try:
        for element in it:
            if width is None:
                width = len(element)
            for k, value in enumerate(element):
                if not isinstance(value, np.ndarray):
                    raise errors.InvalidArgumentError(
                        None, None, f"cache({prefix!r}) stores dense tensors only; component "
                        f"{k} is a {type(value).__name__}")
                pending[f"{count}/{k}"] = value
                size += value.nbytes
            count += 1
            yield element
            if size >= CHUNK_BYTES or count >= CHUNK_ELEMENTS:
                container.write(_chunk_path(prefix, len(chunks)), CHUNK_KIND, {}, pending)
                chunks.append(count)
                pending, count, size = {}, 0, 0
    finally:
        closing_all([it])
    if count or not chunks:
        container.write(_chunk_path(prefix, len(chunks)), CHUNK_KIND, {}, pending)
        chunks.append(count)
    container.write(index_path, INDEX_KIND, {"chunks": chunks, "components": width or 0})
