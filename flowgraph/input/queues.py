"""TF1's queues: `tf.FIFOQueue`, `tf.RandomShuffleQueue`, `tf.PaddingFIFOQueue` (graph
objects whose ops enqueue, dequeue, close and measure a per-Session queue)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import Operation, Tensor, get_default_graph
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.queue_ops import (
    QueueClose,
    QueueDequeue,
    QueueEnqueue,
    QueueHandle,
    QueueIsClosed,
    QueueSize,
)
from flowgraph.ops.registry import apply_op
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["QueueBase", "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue"]


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


class QueueBase:
    """A queue of tuples of tensors (all of `dtypes`, optionally of `shapes`, optionally
    named by `names`), as TF1's `tf.QueueBase`."""

    def __init__(self, kind: str, capacity: int, dtypes_: Sequence[Any],
                 shapes: Any, names: Any, shared_name: Optional[str], name: str,
                 min_after_dequeue: int = 0, seed: Optional[int] = None) -> None:
        from flowgraph.ops.random import get_seed
        self._dtypes = [dtypes.as_dtype(d) for d in _as_list(dtypes_)]
        if shapes is not None:
            shapes = [as_shape(s) for s in _as_list(shapes)]
            if len(shapes) != len(self._dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes")
        self._shapes = shapes if shapes is not None else [TensorShape(None)] * len(
            self._dtypes)
        if names is not None:
            names = _as_list(names)
            if len(names) != len(self._dtypes):
                raise ValueError("Queue names must have the same length as dtypes")
        self._names = names
        static = None
        if shapes is not None and all(s.is_fully_defined() or kind == "padding"
                                      for s in shapes):
            static = tuple(tuple(s.as_list()) for s in shapes)
        graph = get_default_graph()
        seed1, seed2 = get_seed(seed) if kind == "random_shuffle" else (None, None)
        self._attrs = dict(component_types=tuple(d.name for d in self._dtypes), shapes=static)
        self._queue_ref = apply_op(QueueHandle(
            kind=kind, capacity=int(capacity), min_after_dequeue=int(min_after_dequeue),
            shared_name=shared_name or "", seed=seed1, seed2=seed2, **self._attrs), [],
            name=name, graph=graph)
        self._name = self._queue_ref.op.name

    # -- properties
    @property
    def queue_ref(self) -> Tensor:
        return self._queue_ref

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtypes(self) -> list:
        return list(self._dtypes)

    @property
    def shapes(self) -> list:
        return list(self._shapes)

    @property
    def names(self) -> Optional[list]:
        return self._names

    # -- enqueue
    def _components(self, vals: Any, many: bool) -> list:
        if self._names is not None:
            if not isinstance(vals, dict):
                raise ValueError("Queue with names must be given a dict of components")
            vals = [vals[n] for n in self._names]
        vals = _as_list(vals) if isinstance(vals, (list, tuple)) else [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Expected {len(self._dtypes)} components, got {len(vals)}")
        tensors = []
        for value, dtype, shape in zip(vals, self._dtypes, self._shapes):
            tensor = convert_to_tensor(value, dtype=dtype)
            element = tensor.shape[1:] if many and tensor.shape.ndims else tensor.shape
            if not element.is_compatible_with(shape):
                raise ValueError(f"Shape {element} of a queue component is incompatible with "
                                 f"the queue's shape {shape}")
            tensors.append(tensor)
        return tensors

    def enqueue(self, vals: Any, name: Optional[str] = None) -> Operation:
        """An op adding one element (waits while the queue is full)."""
        return apply_op(QueueEnqueue(many=False), [self._queue_ref] +
                        self._components(vals, False), name=name or f"{self._name}_enqueue")

    def enqueue_many(self, vals: Any, name: Optional[str] = None) -> Operation:
        """An op adding the elements along the first dimension of each component."""
        return apply_op(QueueEnqueue(many=True), [self._queue_ref] +
                        self._components(vals, True), name=name or f"{self._name}_EnqueueMany")

    # -- dequeue
    def _pack(self, outputs: Any) -> Any:
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        if self._names is not None:
            return dict(zip(self._names, outputs))
        return outputs[0] if len(outputs) == 1 else outputs

    def dequeue(self, name: Optional[str] = None) -> Any:
        """One element (waits until there is one; OutOfRangeError once closed and empty)."""
        outputs = apply_op(QueueDequeue(**self._attrs), [self._queue_ref],
                           name=name or f"{self._name}_Dequeue")
        for t, shape in zip(_as_list(outputs), self._shapes):
            t.set_shape(shape)
        return self._pack(outputs)

    def _dequeue_n(self, n: Any, name: str, up_to: bool) -> Any:
        count = convert_to_tensor(n, dtype=dtypes.int32)
        padding = type(self) is PaddingFIFOQueue
        outputs = apply_op(QueueDequeue(many=True, up_to=up_to, padding=padding,
                                        **self._attrs), [self._queue_ref, count], name=name)
        from flowgraph.ops.registry import constant_value
        known = constant_value(count)
        for t, shape in zip(_as_list(outputs), self._shapes):
            first = None if up_to or known is None else int(known)
            t.set_shape(TensorShape([first]).concatenate(shape))
        return self._pack(outputs)

    def dequeue_many(self, n: Any, name: Optional[str] = None) -> Any:
        """`n` elements stacked along a new first dimension."""
        return self._dequeue_n(n, name or f"{self._name}_DequeueMany", up_to=False)

    def dequeue_up_to(self, n: Any, name: Optional[str] = None) -> Any:
        """As dequeue_many; once the queue is closed, fewer (at least one) elements."""
        return self._dequeue_n(n, name or f"{self._name}_DequeueUpTo", up_to=True)

    # -- state
    def close(self, cancel_pending_enqueues: bool = False,
              name: Optional[str] = None) -> Operation:
        """An op closing the queue."""
        return apply_op(QueueClose(cancel_pending_enqueues=bool(cancel_pending_enqueues)),
                        [self._queue_ref], name=name or f"{self._name}_Close")

    def size(self, name: Optional[str] = None) -> Tensor:
        """The number of elements in the queue (int32)."""
        return apply_op(QueueSize(), [self._queue_ref], name=name or f"{self._name}_Size")

    def is_closed(self, name: Optional[str] = None) -> Tensor:
        """Whether the queue is closed (bool)."""
        return apply_op(QueueIsClosed(), [self._queue_ref], name=name or f"{self._name}_IsClosed")


class FIFOQueue(QueueBase):
    """A first-in, first-out queue."""

    def __init__(self, capacity: int, dtypes: Any, shapes: Any = None,  # noqa: A002
                 names: Any = None, shared_name: Optional[str] = None,
                 name: str = "fifo_queue") -> None:
        super().__init__("fifo", capacity, dtypes, shapes, names, shared_name, name)


class PaddingFIFOQueue(QueueBase):
    """A FIFO queue whose dequeue_many pads each component to the batch's largest shape
    (shapes may have None dimensions)."""

    def __init__(self, capacity: int, dtypes: Any, shapes: Any,  # noqa: A002
                 names: Any = None, shared_name: Optional[str] = None,
                 name: str = "padding_fifo_queue") -> None:
        super().__init__("padding", capacity, dtypes, shapes, names, shared_name, name)


class RandomShuffleQueue(QueueBase):
    """A queue dequeuing elements in random order, keeping at least min_after_dequeue in it
    until it is closed (so that they are well mixed)."""

    def __init__(self, capacity: int, min_after_dequeue: int, dtypes: Any,  # noqa: A002
                 shapes: Any = None, names: Any = None, seed: Optional[int] = None,
                 shared_name: Optional[str] = None,
                 name: str = "random_shuffle_queue") -> None:
        super().__init__("random_shuffle", capacity, dtypes, shapes, names, shared_name, name,
                         min_after_dequeue=min_after_dequeue, seed=seed)
