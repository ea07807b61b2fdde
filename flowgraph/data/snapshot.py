"""`fg.data.experimental.snapshot`: a dataset written to files on its first complete pass
and read back from them afterwards (TF's `tf.data.experimental.snapshot`).

Files live under ``path/<fingerprint>/``, where the fingerprint is a hash of the input
dataset (its transformations, their values and traced functions, captured values
included), so a changed dataset writes a snapshot of its own:

- ``snapshot.metadata``: JSON (format, run id, compression, element count, shard chunk
  counts, element kinds), written last, when a pass ended; its presence makes later passes
  read instead of write.
- ``<run id>/<shard>.shard/<chunk>.snapshot``: flowgraph container files (no pickles) of up
  to `CHUNK_ELEMENTS` elements each; components of equal shapes are stored stacked.
  Gzip-compressed with ``compression="GZIP"``.

A pass that stops before the end leaves no snapshot (its run folder is removed). Elements
go to shard ``shard_func(element)`` (default: shard 0). Without `reader_func` shards are read
back in increasing order, each in its elements' order, so without `shard_func` the order is
preserved; a `reader_func` (see `snapshot_reader`) chooses how the shards are read instead.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import uuid
from typing import Any, Callable, Iterator, Optional

import numpy as np

from flowgraph import errors
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Node
from flowgraph.data.engine import Env, NodeRef, Source, build
from flowgraph.data.engine_sources import closing_all
from flowgraph.data.snapshot_reader import read_with_reader, trace_reader
from flowgraph.data.sources import string_arg
from flowgraph.data.tracing import trace
from flowgraph.io import container
from flowgraph.io.atomic import atomic_write
from flowgraph.sparse_tensor import SparseTensorValue

__all__ = ["snapshot"]

CHUNK_ELEMENTS = 1024
_FORMAT = "flowgraph-snapshot"
_VERSION = 1
_CHUNK_KIND = "snapshot-chunk"
_METADATA = "snapshot.metadata"
_COMPRESSIONS = {"AUTO": "", "NONE": "", "": "", "GZIP": "GZIP", "SNAPPY": "SNAPPY"}


def snapshot(path: Any, compression: Optional[str] = "AUTO",
             reader_func: Optional[Callable[[Dataset], Dataset]] = None,
             shard_func: Optional[Callable] = None) -> Callable[[Dataset], Dataset]:
    """A transformation persisting its input dataset under `path`: the first pass that
    reaches the end writes the elements, later passes (in any Session or process) read
    them from the files instead of computing them.

    compression: "AUTO" (= none), None, "GZIP" or "SNAPPY" (needs python-snappy).
    shard_func: element -> int64 scalar, the shard the element is written to.
    reader_func: datasets -> Dataset, how a finished snapshot is read. `datasets` is a
        Dataset whose elements are Datasets, one per shard (in increasing shard order, each
        holding its elements in the order they were written); the result must have the
        input's elements (checked, as TF, when a snapshot is read: InvalidArgumentError or
        InternalError otherwise). Passes that write ignore it. Default (None): the shards
        one after another, in increasing order (the input's order without `shard_func`).
        (TF's default interleaves the shards, ``cycle_length`` = the number of cores; pass
        ``lambda datasets: datasets.interleave(lambda x: x, cycle_length=n)`` for that.)

    >>> ds = ds.apply(fg.data.experimental.snapshot(
    ...     "/tmp/snap", shard_func=lambda x: x % 2,
    ...     reader_func=lambda datasets: datasets.shuffle(2).flat_map(lambda x: x)))
    """
    path_arg = string_arg(path, "path")
    key = "NONE" if compression is None else str(compression).upper()
    if key not in _COMPRESSIONS:
        raise ValueError(f"snapshot compression must be 'AUTO', 'GZIP', 'SNAPPY' or None, got "
                         f"{compression!r}")

    def apply(dataset: Dataset) -> Dataset:
        if dataset._spec.has_datasets():
            raise TypeError("snapshot: the elements are datasets (from window()); turn them "
                            "into tensors with flat_map first")
        attrs: dict = {"path": path_arg, "compression": _COMPRESSIONS[key], "fn": None}
        if shard_func is not None:
            fn = trace(shard_func, dataset._spec, "shard_func")
            flat = fn.output_spec.flat
            if len(flat) != 1 or not flat[0].dtype.is_integer or \
                    not flat[0].shape.is_compatible_with([]):
                raise ValueError(f"`shard_func` must return a scalar int64 tensor, got "
                                 f"{fn.output_spec!r}")
            attrs["fn"] = fn
            if fn.captured:
                from flowgraph.data.describe import Arg
                attrs["captured"] = tuple(Arg(t) for t in fn.captured)
        if reader_func is not None:
            attrs.update(trace_reader(reader_func, dataset._spec))
        return Dataset(Node("Snapshot", attrs, (dataset._node,)), dataset._spec)
    return apply


# --------------------------------------------------------------------------- fingerprint
def _input_fingerprint(ref: NodeRef, env: Env) -> str:
    """A hash of the subtree of `ref` (a Merkle hash of kinds, attributes and children),
    its captured values bound to their values in `env`."""
    from flowgraph.data.describe import bind_constants
    from flowgraph.data.iterator_state import fingerprint
    memo: dict = {}

    def node_hash(index: int) -> str:
        if index not in memo:
            kind, attrs, children = ref.nodes[index]
            parts = (kind, tuple((k, bind_constants(attrs[k], env.inputs))
                                 for k in sorted(attrs)),
                     tuple(node_hash(c) for c in children))
            memo[index] = fingerprint(parts)
        return memo[index]

    return node_hash(ref.index)[:32]


# --------------------------------------------------------------------------- chunk files
def _pack(elements: list, compression: str) -> bytes:
    tensors: dict = {}
    count = len(elements[0])
    for c in range(count):
        column = [element[c] for element in elements]
        if isinstance(column[0], SparseTensorValue):
            for j, value in enumerate(column):
                tensors[f"{c}/{j}/indices"] = np.asarray(value.indices, np.int64)
                tensors[f"{c}/{j}/values"] = np.asarray(value.values)
                tensors[f"{c}/{j}/dense_shape"] = np.asarray(value.dense_shape, np.int64)
            continue
        arrays = [np.asarray(v) for v in column]
        if all(a.shape == arrays[0].shape and a.dtype == arrays[0].dtype for a in arrays):
            tensors[f"{c}"] = np.stack(arrays)
        else:
            for j, a in enumerate(arrays):
                tensors[f"{c}/{j}"] = a
    data = container.pack(_CHUNK_KIND, {"elements": len(elements), "components": count},
                          tensors)
    return _compress(data, compression)


def _compress(data: bytes, compression: str) -> bytes:
    if compression == "GZIP":
        return gzip.compress(data, compresslevel=6)
    if compression == "SNAPPY":
        return _snappy().compress(data)
    return data


def _decompress(data: bytes, compression: str, where: str) -> bytes:
    try:
        if compression == "GZIP":
            return gzip.decompress(data)
        if compression == "SNAPPY":
            return _snappy().decompress(data)
    except (OSError, EOFError, ValueError) as exc:
        raise errors.DataLossError(None, None, f"Snapshot file {where} is damaged: {exc}") \
            from None
    return data


def _snappy() -> Any:
    try:
        import snappy
    except ImportError:
        raise ImportError("snapshot(compression='SNAPPY') needs python-snappy (pip install "
                          "python-snappy); or use compression='GZIP' or None.") from None
    return snappy


def _unpack(data: bytes, where: str, kinds: list) -> Iterator[tuple]:
    parsed = container.parse(data, where, _CHUNK_KIND)
    document = parsed.document
    n = document.get("elements") if isinstance(document, dict) else None
    if not isinstance(n, int) or document.get("components") != len(kinds):
        raise errors.DataLossError(None, None, f"Snapshot file {where} does not match its "
                                   "metadata")
    columns = []
    for c, kind in enumerate(kinds):
        if kind == "sparse":
            columns.append([SparseTensorValue(parsed.read_tensor(f"{c}/{j}/indices"),
                                              parsed.read_tensor(f"{c}/{j}/values"),
                                              parsed.read_tensor(f"{c}/{j}/dense_shape"))
                            for j in range(n)])
        elif f"{c}" in parsed:
            stacked = parsed.read_tensor(f"{c}")
            columns.append([stacked[j, ...] for j in range(n)])
        else:
            columns.append([parsed.read_tensor(f"{c}/{j}") for j in range(n)])
    for j in range(n):
        yield tuple(column[j] for column in columns)


# --------------------------------------------------------------------------- run time
def _read_metadata(folder: str) -> Optional[dict]:
    where = os.path.join(folder, _METADATA)
    try:
        with open(where, "rb") as f:
            record = json.loads(f.read().decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise errors.DataLossError(None, None, f"Snapshot metadata {where} is damaged: {exc}. "
                                   "Delete that folder to write the snapshot again.") from None
    ok = (isinstance(record, dict) and record.get("format") == _FORMAT and
          isinstance(record.get("run_id"), str) and record["run_id"].isalnum() and
          record.get("compression") in ("", "GZIP", "SNAPPY") and
          isinstance(record.get("shards"), dict) and isinstance(record.get("kinds"), list))
    if not ok:
        raise errors.DataLossError(None, None, f"{where} is not a flowgraph snapshot "
                                   "metadata file. Delete that folder to write the snapshot "
                                   "again.")
    if record.get("version") != _VERSION:
        raise errors.UnimplementedError(None, None, f"{where} has snapshot format version "
                                        f"{record.get('version')!r}; this flowgraph reads "
                                        f"version {_VERSION}.")
    return record


def snapshot_source(attrs: dict, children: tuple, env: Env) -> Source:
    """The run-time Source of a Snapshot node."""
    source = build(children[0], env)
    root = env.text(attrs["path"], "path")
    compression = attrs["compression"]
    shard_fn = env.function(attrs["fn"]) if attrs.get("fn") is not None else None
    extra = env.captured(attrs)
    folder = os.path.join(root, _input_fingerprint(children[0], env))

    def read_shard(record: dict, shard: str) -> Iterator[tuple]:
        run = os.path.join(folder, record["run_id"])
        for chunk in range(int(record["shards"][shard])):
            where = os.path.join(run, f"{int(shard):08d}.shard", f"{chunk:08d}.snapshot")
            try:
                with open(where, "rb") as f:
                    data = f.read()
            except OSError as exc:
                raise errors.NotFoundError(None, None, f"Snapshot file {where} cannot be "
                                           f"read ({exc}). Delete {folder} to write the "
                                           "snapshot again.") from None
            yield from _unpack(_decompress(data, record["compression"], where), where,
                               record["kinds"])

    def read(record: dict) -> Iterator[tuple]:
        shards = sorted(record["shards"], key=int)
        if attrs.get("reader_fn") is not None:
            yield from read_with_reader(attrs, [lambda s=s: read_shard(record, s)
                                                for s in shards], env)
            return
        for shard in shards:
            yield from read_shard(record, shard)

    def write() -> Iterator[tuple]:
        run_id = uuid.uuid4().hex
        run = os.path.join(folder, run_id)
        buffers: dict = {}
        chunks: dict = {}
        kinds: Optional[list] = None
        count = 0
        done = False

        def flush(shard: int) -> None:
            shard_dir = os.path.join(run, f"{shard:08d}.shard")
            os.makedirs(shard_dir, exist_ok=True)
            index = chunks.get(shard, 0)
            atomic_write(os.path.join(shard_dir, f"{index:08d}.snapshot"),
                         _pack(buffers.pop(shard), compression))
            chunks[shard] = index + 1

        it = source.open()
        try:
            for element in it:
                if kinds is None:
                    kinds = ["sparse" if isinstance(v, SparseTensorValue) else "dense"
                             for v in element]
                shard = 0
                if shard_fn is not None:
                    shard = int(np.asarray(shard_fn(element + extra)[0]))
                    if shard < 0:
                        raise errors.InvalidArgumentError(
                            None, None, f"snapshot's shard_func returned {shard}: shard "
                            "indices must be non-negative")
                buffers.setdefault(shard, []).append(element)
                if len(buffers[shard]) >= CHUNK_ELEMENTS:
                    flush(shard)
                count += 1
                yield element
            for shard in list(buffers):
                flush(shard)
            record = {"format": _FORMAT, "version": _VERSION, "run_id": run_id,
                      "compression": compression, "num_elements": count,
                      "shards": {str(s): n for s, n in sorted(chunks.items())},
                      "kinds": kinds or []}
            os.makedirs(folder, exist_ok=True)
            if _read_metadata(folder) is None:  # another pass may have finished first
                atomic_write(os.path.join(folder, _METADATA),
                             json.dumps(record, sort_keys=True).encode("utf-8"))
                done = True
        finally:
            closing_all([it])
            if not done:
                shutil.rmtree(run, ignore_errors=True)

    def open_() -> Iterator[tuple]:
        record = _read_metadata(folder)
        return read(record) if record is not None else write()

    return Source(open_)
