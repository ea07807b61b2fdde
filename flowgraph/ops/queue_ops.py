"""TF1's queue ops: a queue is a per-Session resource (FIFO, random-shuffle or padding
FIFO) of tuples of tensors, made by its handle op and used through enqueue / dequeue /
close / size ops. Dequeues block until enough elements arrive (other threads, e.g. queue
runners, enqueue meanwhile); on a closed queue without enough elements they raise
OutOfRangeError, enqueues raise CancelledError, as TF1.
"""

from __future__ import annotations

import collections
import threading
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # used through flowgraph.input.queues (tf.FIFOQueue, ...)


class QueueResource:
    """The elements of one queue in one Session, with the locks its ops wait on."""

    def __init__(self, op_def: Any, name: str, rng: Optional[np.random.Generator]) -> None:
        self.kind = op_def.kind
        self.capacity = op_def.capacity
        self.min_after_dequeue = op_def.min_after_dequeue
        self.dtypes = [dtypes.as_dtype(d) for d in op_def.component_types]
        self.shapes = op_def.shapes
        self.name = name
        self.items: collections.deque = collections.deque()
        self.closed = False
        self.cancelled = False
        self.cond = threading.Condition()
        self.rng = rng

    # -- helpers
    def _full(self) -> bool:
        return self.capacity >= 0 and len(self.items) >= self.capacity

    def _closed_error(self, what: str) -> errors.OpError:
        return errors.CancelledError(None, None, f"Queue '{self.name}' is closed: {what}")

    def _check_element(self, element: tuple) -> tuple:
        if len(element) != len(self.dtypes):
            raise errors.InvalidArgumentError(None, None, f"Queue '{self.name}' takes "
                                              f"{len(self.dtypes)} components, got "
                                              f"{len(element)}")
        out = []
        shapes = self.shapes or [None] * len(self.dtypes)
        for value, dtype, shape in zip(element, self.dtypes, shapes):
            array = np.asarray(value, dtype=object if dtype.is_string else dtype.np)
            if shape is not None and self.kind != "padding" and tuple(shape) != array.shape:
                raise errors.InvalidArgumentError(
                    None, None, f"Shape mismatch in tuple component: expected {list(shape)}, "
                                f"got {list(array.shape)} (queue '{self.name}')")
            out.append(array)
        return tuple(out)

    # -- operations
    def enqueue(self, elements: list) -> None:
        with self.cond:
            for element in elements:
                element = self._check_element(element)
                while self._full() and not self.closed:
                    self.cond.wait()
                if self.closed:
                    raise self._closed_error("cannot enqueue")
                self.items.append(element)
                self.cond.notify_all()

    def _available(self) -> int:
        if self.kind == "random_shuffle" and not self.closed:
            return max(len(self.items) - self.min_after_dequeue, 0)
        return len(self.items)

    def dequeue(self, count: int, up_to: bool = False) -> list:
        with self.cond:
            while self._available() < count and not self.closed and not self.cancelled:
                self.cond.wait()
            if self.cancelled:
                raise errors.CancelledError(None, None, f"Queue '{self.name}' was cancelled "
                                                        "(its Session closed)")
            available = self._available()
            if available < count and (not up_to or available == 0):
                raise errors.OutOfRangeError(
                    None, None, f"FIFOQueue '{self.name}' is closed and has insufficient "
                                f"elements (requested {count}, current size "
                                f"{len(self.items)})")
            taken = []
            for _ in range(min(count, available)):
                if self.kind == "random_shuffle":
                    index = int(self.rng.integers(len(self.items)))
                    self.items.rotate(-index)
                    taken.append(self.items.popleft())
                    self.items.rotate(index)
                else:
                    taken.append(self.items.popleft())
            self.cond.notify_all()
            return taken

    def close_queue(self, cancel_pending_enqueues: bool = False) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def size(self) -> int:
        with self.cond:
            return len(self.items)

    def is_closed(self) -> bool:
        with self.cond:
            return self.closed

    def close(self) -> None:
        """The Session is closing (SessionState.close_resources): wakes every waiter, whose
        op then fails with CancelledError."""
        with self.cond:
            self.cancelled = True
            self.closed = True
            self.cond.notify_all()


def _resource(ctx: Any, handle: Any) -> QueueResource:
    key = "queue:" + (handle.item().decode() if isinstance(handle.item(), bytes)
                      else str(handle.item()))
    resource = ctx.state.resources.get(key)
    if resource is None:
        raise errors.FailedPreconditionError(None, ctx.op, f"Queue {key[6:]!r} does not exist "
                                                           "in this Session")
    return resource


@register
class QueueHandle(Op):
    """Creates (once per Session) the queue its attributes describe; outputs its handle."""

    kind: str = "fifo"
    capacity: int = -1
    min_after_dequeue: int = 0
    component_types: tuple = ()
    shapes: Optional[tuple] = None
    shared_name: str = ""
    seed: Optional[int] = None
    seed2: Optional[int] = None

    stateful = True
    needs_state = True
    differentiable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, ctx):
        name = self.shared_name or ctx.op.name
        key = "queue:" + name
        state = ctx.state
        if key not in state.resources:
            with state.lock:
                if key not in state.resources:
                    rng = None
                    if self.kind == "random_shuffle":
                        seeds = None if self.seed is None and self.seed2 is None else \
                            (self.seed or 0, self.seed2 or 0)
                        rng = ctx.rng(seeds)
                    state.resources[key] = QueueResource(self, name, rng)
        return np.array(name.encode(), dtype=object)


class _QueueOp(Op):
    stateful = True
    needs_state = True
    differentiable = False


@register
class QueueEnqueue(_QueueOp):
    """Adds one element (inputs 1..n) to the queue (input 0), waiting while it is full."""

    many: bool = False

    def infer(self, op):
        return []

    def kernel(self, ctx, handle, *components):
        queue = _resource(ctx, handle)
        if self.many:
            counts = {np.shape(c)[0] if np.ndim(c) else None for c in components}
            if len(counts) != 1 or None in counts:
                raise errors.InvalidArgumentError(None, ctx.op, "enqueue_many needs "
                                                  "components with one leading dimension")
            n = counts.pop()
            queue.enqueue([tuple(c[i] for c in components) for i in range(n)])
        else:
            queue.enqueue([tuple(components)])
        return ()


@register
class QueueDequeue(_QueueOp):
    """Removes elements from the queue (input 0): one (no count), or `n` (input 1) stacked
    along a new first dimension, or at most n with up_to (after the queue is closed)."""

    component_types: tuple = ()
    shapes: Optional[tuple] = None
    many: bool = False
    up_to: bool = False
    padding: bool = False

    def infer(self, op):
        outputs = []
        for i, dtype in enumerate(self.component_types):
            shape = TensorShape(None if self.shapes is None else list(self.shapes[i]))
            if self.many:
                from flowgraph.ops.registry import constant_value
                n = constant_value(op.inputs[1]) if not self.up_to else None
                shape = TensorShape([None if n is None else int(n)]).concatenate(shape)
            outputs.append((dtypes.as_dtype(dtype), shape))
        return outputs

    def kernel(self, ctx, handle, *count):
        queue = _resource(ctx, handle)
        n = int(count[0]) if count else 1
        taken = queue.dequeue(n, up_to=self.up_to)
        if not self.many:
            element = tuple(taken[0])
            return element[0] if len(element) == 1 else element
        outputs = []
        for i, dtype in enumerate(self.component_types):
            parts = [element[i] for element in taken]
            if self.padding:
                rank = np.ndim(parts[0])
                target = [max(np.shape(p)[d] for p in parts) for d in range(rank)]
                parts = [np.pad(p, [(0, t - s) for s, t in zip(np.shape(p), target)])
                         for p in parts]
            outputs.append(np.stack(parts).astype(dtypes.as_dtype(dtype).np, copy=False)
                           if parts else np.zeros((0,), dtypes.as_dtype(dtype).np))
        return outputs[0] if len(outputs) == 1 else tuple(outputs)


@register
class QueueClose(_QueueOp):
    """Closes the queue: later enqueues fail; dequeues take what is left, then fail with
    OutOfRangeError."""

    cancel_pending_enqueues: bool = False

    def infer(self, op):
        return []

    def kernel(self, ctx, handle):
        _resource(ctx, handle).close_queue(self.cancel_pending_enqueues)
        return ()


@register
class QueueSize(_QueueOp):
    """The number of elements in the queue (int32)."""

    def infer(self, op):
        return [(dtypes.int32, TensorShape([]))]

    def kernel(self, ctx, handle):
        return np.array(_resource(ctx, handle).size(), np.int32)


@register
class QueueIsClosed(_QueueOp):
    """Whether the queue is closed."""

    def infer(self, op):
        return [(dtypes.bool_, TensorShape([]))]

    def kernel(self, ctx, handle):
        return np.array(_resource(ctx, handle).is_closed())
