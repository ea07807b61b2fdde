"""TF1's readers as ops (ReaderReadV2, ReaderReadUpToV2): each reader is a per-Session
resource that takes file names from a queue (flowgraph.ops.queue_ops) and yields (key,
value) records: lines (TextLineReader), whole files (WholeFileReader), TFRecords
(TFRecordReader) or fixed-length records (FixedLengthRecordReader). A closed, empty
filename queue ends the reading with OutOfRangeError. Also CountUpTo (tf.count_up_to),
which limits the epochs of input producers."""

from __future__ import annotations

from typing import Any, Iterator, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.queue_ops import _resource
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape

__all__ = ["count_up_to"]  # the readers are used through flowgraph.input.readers


def _records(kind: str, path: str, options: dict) -> Iterator[tuple]:
    """(key, value) records of one file."""
    if kind == "text_line":
        with open(path, "rb") as f:
            for number, line in enumerate(f, start=1):
                if number <= options.get("skip_header_lines", 0):
                    continue
                yield f"{path}:{number}".encode(), line.rstrip(b"\r\n")
    elif kind == "whole_file":
        with open(path, "rb") as f:
            yield path.encode(), f.read()
    elif kind == "tf_record":
        from flowgraph.data.tfrecord import read_records
        for number, record in enumerate(read_records(path, options.get("compression", ""),
                                                     1 << 16)):
            yield f"{path}:{number}".encode(), record
    elif kind == "fixed_length":
        record, header = options["record_bytes"], options.get("header_bytes", 0)
        footer, hop = options.get("footer_bytes", 0), options.get("hop_bytes", 0) or record
        with open(path, "rb") as f:
            data = f.read()
        body = data[header:len(data) - footer if footer else len(data)]
        for number, start in enumerate(range(0, len(body) - record + 1, hop)):
            yield f"{path}:{number}".encode(), body[start:start + record]
    else:
        raise ValueError(f"unknown reader kind {kind!r}")


class ReaderResource:
    """The file being read by one reader in one Session."""

    def __init__(self, kind: str, options: dict) -> None:
        self.kind = kind
        self.options = options
        self.records: Optional[Iterator[tuple]] = None
        self.produced = 0

    def next(self, ctx: Any, queue_handle: Any) -> tuple:
        while True:
            if self.records is None:
                (name,) = _resource(ctx, queue_handle).dequeue(1)[0]
                path = name.item() if isinstance(name, np.ndarray) else name
                path = path.decode() if isinstance(path, bytes) else str(path)
                try:
                    self.records = _records(self.kind, path, self.options)
                except OSError as e:
                    raise errors.NotFoundError(None, ctx.op, f"{path}: {e}") from None
            try:
                key, value = next(self.records)
            except StopIteration:
                self.records = None
                continue
            except OSError as e:
                raise errors.NotFoundError(None, ctx.op, str(e)) from None
            self.produced += 1
            return key, value


@register
class ReaderReadV2(Op):
    """The next (key, value) record of the reader, taking files from the queue (input 0);
    ReaderReadUpToV2's form (num_records, input 1) returns up to that many."""

    kind: str = "text_line"
    options: tuple = ()
    up_to: bool = False

    stateful = True
    needs_state = True
    differentiable = False

    def infer(self, op):
        shape = TensorShape([None] if self.up_to else [])
        return [(dtypes.string, shape), (dtypes.string, shape)]

    def _reader(self, ctx: Any) -> ReaderResource:
        key = "reader:" + ctx.op.name
        resource = ctx.state.resources.get(key)
        if resource is None:
            with ctx.state.lock:
                resource = ctx.state.resources.get(key)
                if resource is None:
                    resource = ReaderResource(self.kind, dict(self.options))
                    ctx.state.resources[key] = resource
        return resource

    def kernel(self, ctx, queue_handle, *count):
        reader = self._reader(ctx)
        if not self.up_to:
            key, value = reader.next(ctx, queue_handle)
            return np.array(key, dtype=object), np.array(value, dtype=object)
        keys, values = [], []
        for _ in range(int(count[0])):
            try:
                key, value = reader.next(ctx, queue_handle)
            except errors.OutOfRangeError:
                if not keys:
                    raise
                break
            keys.append(key)
            values.append(value)
        out_keys = np.empty(len(keys), dtype=object)
        out_keys[:] = keys
        out_values = np.empty(len(values), dtype=object)
        out_values[:] = values
        return out_keys, out_values


@register
class CountUpTo(Op):
    """Increments an int Variable (input 0, by reference) and outputs its value before;
    OutOfRangeError once it has reached `limit`."""

    limit: int = 0

    stateful = True
    needs_state = True
    differentiable = False
    ref_inputs = (0,)

    def infer(self, op):
        ref = op.inputs[0]
        if not ref.dtype.is_integer:
            raise TypeError(f"count_up_to needs an int32 or int64 Variable, got "
                            f"{ref.dtype.name}")
        return [(ref.dtype, TensorShape([]))]

    def kernel(self, ctx, ref):
        with ctx.state.lock:  # read and increment atomically (queue runner threads)
            before = np.array(ctx.read_variable(ref.key), copy=True)
            if int(before) >= self.limit:
                raise errors.OutOfRangeError(None, ctx.op, f"Reached limit of {self.limit}")
            ctx.write_variable(ref.key, before + 1, owned=True)
        return before


def count_up_to(ref: Any, limit: int, name: Optional[str] = None) -> Any:
    """Increments the int Variable `ref` and returns its value before; running it once the
    Variable has reached `limit` raises OutOfRangeError (as TF1's `tf.count_up_to`)."""
    from flowgraph.ops.registry import apply_op
    from flowgraph.ops.state import _variable_tensor
    return apply_op(CountUpTo(limit=int(limit)), [_variable_tensor(ref)],
                    name=name or "CountUpTo")
