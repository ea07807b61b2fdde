"""TF1's `tf.PriorityQueue`: a queue whose elements are tuples (priority, *components) with
an int64 scalar priority first; dequeues return the lowest priority first (ties in the
order they were enqueued)."""

from __future__ import annotations

import heapq
import itertools
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import get_default_graph
from flowgraph.input.queues import QueueBase, _as_list
from flowgraph.ops.queue_ops import QueueHandle, QueueResource
from flowgraph.ops.registry import apply_op, register
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["PriorityQueue"]


class _Heap:
    """The deque-like container a QueueResource keeps, ordered by priority."""

    def __init__(self) -> None:
        self._heap: list = []
        self._order = itertools.count()

    def append(self, element: tuple) -> None:
        heapq.heappush(self._heap, (int(element[0]), next(self._order), element))

    def popleft(self) -> tuple:
        return heapq.heappop(self._heap)[2]

    def __len__(self) -> int:
        return len(self._heap)


@register
class PriorityQueueHandle(QueueHandle):
    """Creates (once per Session) a priority queue; outputs its handle."""

    def kernel(self, ctx):
        name = self.shared_name or ctx.op.name
        key = "queue:" + name
        state = ctx.state
        if key not in state.resources:
            with state.lock:
                if key not in state.resources:
                    resource = QueueResource(self, name, None)
                    resource.items = _Heap()
                    state.resources[key] = resource
        return np.array(name.encode(), dtype=object)


class PriorityQueue(QueueBase):
    """A queue dequeuing the element with the lowest int64 priority first.

    `types` and `shapes` describe the components after the priority; every element is
    enqueued as (priority, *components) and dequeued the same way.

    >>> q = fg.PriorityQueue(10, [fg.string], shapes=[[]])
    >>> s = fg.Session(); s.run(q.enqueue_many([[5, 1], [b"a", b"b"]]))
    >>> s.run(q.dequeue())[0]
    1
    """

    def __init__(self, capacity: int, types: Any, shapes: Any = None, names: Any = None,
                 shared_name: Optional[str] = None, name: str = "priority_queue") -> None:
        types = [dtypes.int64] + _as_list(types)
        if shapes is not None:
            shapes = [[]] + _as_list(shapes)
        if names is not None:
            raise ValueError("PriorityQueue does not support component names (as TF1): pass "
                             "names=None and enqueue tuples (priority, *components)")
        self._dtypes = [dtypes.as_dtype(d) for d in types]
        if shapes is not None:
            shapes = [as_shape(s) for s in shapes]
            if len(shapes) != len(self._dtypes):
                raise ValueError("PriorityQueue shapes must have the same length as types")
        self._shapes = shapes or [TensorShape(None)] * len(self._dtypes)
        self._names = None
        static = None
        if shapes is not None and all(s.is_fully_defined() for s in shapes):
            static = tuple(tuple(s.as_list()) for s in shapes)
        self._attrs = dict(component_types=tuple(d.name for d in self._dtypes), shapes=static)
        self._queue_ref = apply_op(PriorityQueueHandle(
            kind="priority", capacity=int(capacity), shared_name=shared_name or "",
            **self._attrs), [], name=name, graph=get_default_graph())
        self._name = self._queue_ref.op.name
