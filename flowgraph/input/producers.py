"""TF1's queue-based input pipeline builders (`tf.train.*`): input producers that feed
a queue with the elements of a tensor, epoch after epoch (string_input_producer,
range_input_producer, slice_input_producer, input_producer, limit_epochs), and batchers
that collect elements from a queue runner into batches (batch, shuffle_batch, and their
_join forms). Each adds a QueueRunner to the graph and a "fraction full" summary, as
TF1; start them with `tf.train.start_queue_runners`."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, Tensor
from flowgraph.input.queue_runner import QueueRunner, add_queue_runner
from flowgraph.input.queues import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.shapes import as_shape

__all__ = ["limit_epochs", "input_producer", "string_input_producer",
           "range_input_producer", "slice_input_producer", "batch", "shuffle_batch",
           "batch_join", "shuffle_batch_join"]


def limit_epochs(tensor: Any, num_epochs: Optional[int] = None,
                 name: Optional[str] = None) -> Tensor:
    """`tensor`, which raises OutOfRangeError after it has been evaluated num_epochs times
    (a local Variable "epochs" counts them; None: no limit)."""
    if num_epochs is None:
        return convert_to_tensor(tensor)
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    from flowgraph.ops.control import with_dependencies
    from flowgraph.ops.reader_ops import CountUpTo
    from flowgraph.ops.registry import apply_op
    from flowgraph.variables import Variable
    with op_scope(name, "limit_epochs", [tensor]) as scope:
        tensor = convert_to_tensor(tensor)
        zero64 = convert_to_tensor(0, dtype=dtypes.int64)
        epochs = Variable(zero64, name="epochs", trainable=False,
                          collections=[GraphKeys.LOCAL_VARIABLES])
        counter = apply_op(CountUpTo(limit=int(num_epochs)), [epochs._variable])
        return with_dependencies([counter], tensor, name=scope)


def _fraction_summary(queue: Any, capacity: int, name: str) -> None:
    from flowgraph.ops.cast import cast
    from flowgraph.summary import scalar
    scalar(name, cast(queue.size(), dtypes.float32) * (1.0 / capacity))


def input_producer(input_tensor: Any, element_shape: Any = None,
                   num_epochs: Optional[int] = None, shuffle: bool = True,
                   seed: Optional[int] = None, capacity: int = 32,
                   shared_name: Optional[str] = None, summary_name: Optional[str] = None,
                   name: Optional[str] = None, cancel_op: Any = None) -> Any:
    """A queue that a QueueRunner fills with the rows of `input_tensor` (shuffled each
    epoch by default), num_epochs times (None: forever)."""
    from flowgraph.ops.random_sampling import random_shuffle
    with op_scope(name, "input_producer", [input_tensor]) as scope:
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        shape = input_tensor.shape[1:]
        if element_shape is not None:
            shape = shape.merge_with(as_shape(element_shape))
        if not shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or "
                             "`element_shape` must be specified")
        if shuffle:
            input_tensor = random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        queue = FIFOQueue(capacity=capacity, dtypes=[input_tensor.dtype.base_dtype],
                          shapes=[shape], shared_name=shared_name, name=scope)
        enqueue = queue.enqueue_many([input_tensor])
        add_queue_runner(QueueRunner(queue, [enqueue], cancel_op=cancel_op))
        if summary_name is not None:
            _fraction_summary(queue, capacity, summary_name)
        return queue


def string_input_producer(string_tensor: Any, num_epochs: Optional[int] = None,
                          shuffle: bool = True, seed: Optional[int] = None,
                          capacity: int = 32, shared_name: Optional[str] = None,
                          name: Optional[str] = None, cancel_op: Any = None) -> Any:
    """A queue of the strings (e.g. file names) of `string_tensor`, for a reader."""
    with op_scope(name, "input_producer", [string_tensor]) as scope:
        string_tensor = convert_to_tensor(string_tensor, dtype=dtypes.string)
        return input_producer(string_tensor, [], num_epochs, shuffle, seed, capacity,
                              shared_name, f"fraction_of_{capacity}_full", scope, cancel_op)


def range_input_producer(limit: Any, num_epochs: Optional[int] = None, shuffle: bool = True,
                          seed: Optional[int] = None, capacity: int = 32,
                          shared_name: Optional[str] = None,
                          name: Optional[str] = None) -> Any:
    """A queue of the int32 numbers 0 .. limit - 1."""
    from flowgraph.ops.fill import range as range_op
    with op_scope(name, "input_producer", [limit]) as scope:
        numbers = range_op(limit)
        return input_producer(numbers, [], num_epochs, shuffle, seed, capacity, shared_name,
                              f"fraction_of_{capacity}_full", scope)


def slice_input_producer(tensor_list: Sequence[Any], num_epochs: Optional[int] = None,
                         shuffle: bool = True, seed: Optional[int] = None,
                         capacity: int = 32, shared_name: Optional[str] = None,
                         name: Optional[str] = None) -> list:
    """The row slices of the tensors (which share their first dimension), one dequeued per
    call: a list with one tensor per input."""
    from flowgraph.ops.gather import gather
    from flowgraph.ops.shape_ops import shape
    with op_scope(name, "input_producer", list(tensor_list)):
        tensors = [convert_to_tensor(t) for t in tensor_list]
        if not tensors:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        rows = shape(tensors[0], out_type=dtypes.int32)[0]
        queue = range_input_producer(rows, num_epochs=num_epochs, shuffle=shuffle,
                                      seed=seed, capacity=capacity, shared_name=shared_name)
        index = queue.dequeue()
        return [gather(t, index) for t in tensors]


# --------------------------------------------------------------------------- batching
def _flatten(tensors: Any) -> tuple:
    """(list of tensors, a function rebuilding the user's structure: list, dict or one)."""
    if isinstance(tensors, dict):
        keys = list(tensors)
        return [convert_to_tensor(tensors[k]) for k in keys], \
            (lambda out: dict(zip(keys, out)))
    if isinstance(tensors, (list, tuple)):
        # As TF1: a list of one tensor gives a tensor, not a list of one.
        return [convert_to_tensor(t) for t in tensors], \
            (lambda out: out[0] if len(out) == 1 else list(out))
    return [convert_to_tensor(tensors)], (lambda out: out[0])


def _element_shapes(tensors: list, shapes: Any, enqueue_many: bool, dynamic_pad: bool) -> list:
    if shapes is not None:
        return [as_shape(s) for s in shapes]
    result = []
    for t in tensors:
        shape = t.shape[1:] if enqueue_many else t.shape
        if not dynamic_pad and not shape.is_fully_defined():
            raise ValueError(f"All shapes must be fully defined: {shape} of {t.name} is not; "
                             "pass shapes= or dynamic_pad=True")
        result.append(shape)
    return result


def _batch(tensor_lists: list, rebuild: Any, batch_size: Any, capacity: int,
           enqueue_many: bool, shapes: Any, dynamic_pad: bool,
           allow_smaller_final_batch: bool, shared_name: Optional[str], name: str,
           shuffle: bool, min_after_dequeue: int = 0, seed: Optional[int] = None,
           num_threads: int = 1) -> Any:
    first = tensor_lists[0]
    types = [t.dtype.base_dtype for t in first]
    element_shapes = _element_shapes(first, shapes, enqueue_many, dynamic_pad)
    if shuffle:
        queue = RandomShuffleQueue(capacity, min_after_dequeue, types, element_shapes,
                                   seed=seed, shared_name=shared_name)
    elif dynamic_pad:
        queue = PaddingFIFOQueue(capacity, types, element_shapes, shared_name=shared_name)
    else:
        queue = FIFOQueue(capacity, types, element_shapes, shared_name=shared_name)
    enqueue = queue.enqueue_many if enqueue_many else queue.enqueue
    ops = [enqueue(tensors) for tensors in tensor_lists for _ in range(num_threads)] \
        if len(tensor_lists) == 1 else [enqueue(tensors) for tensors in tensor_lists]
    add_queue_runner(QueueRunner(queue, ops))
    from flowgraph.ops.cast import cast
    from flowgraph.ops.math import maximum
    from flowgraph.summary import scalar
    if shuffle:
        full = maximum(0, queue.size() - min_after_dequeue)
        scalar(f"fraction_over_{min_after_dequeue}_of_{capacity - min_after_dequeue}_full",
               cast(full, dtypes.float32) * (1.0 / (capacity - min_after_dequeue)))
    else:
        scalar(f"fraction_of_{capacity}_full",
               cast(queue.size(), dtypes.float32) * (1.0 / capacity))
    if allow_smaller_final_batch:
        out = queue.dequeue_up_to(batch_size, name=name)
    else:
        out = queue.dequeue_many(batch_size, name=name)
    return rebuild(out if isinstance(out, list) else [out])


def batch(tensors: Any, batch_size: Any, num_threads: int = 1, capacity: int = 32,
          enqueue_many: bool = False, shapes: Any = None, dynamic_pad: bool = False,
          allow_smaller_final_batch: bool = False, shared_name: Optional[str] = None,
          name: Optional[str] = None) -> Any:
    """Batches of `tensors` (a list, dict or tensor) collected by num_threads queue-runner
    threads: each component gets a leading batch_size dimension."""
    tensor_list, rebuild = _flatten(tensors)
    with op_scope(name, "batch", tensor_list) as scope:
        return _batch([tensor_list], rebuild, batch_size, capacity, enqueue_many, shapes,
                      dynamic_pad, allow_smaller_final_batch, shared_name, scope,
                      shuffle=False, num_threads=num_threads)


def shuffle_batch(tensors: Any, batch_size: Any, capacity: int, min_after_dequeue: int,
                  num_threads: int = 1, seed: Optional[int] = None,
                  enqueue_many: bool = False, shapes: Any = None,
                  allow_smaller_final_batch: bool = False, shared_name: Optional[str] = None,
                  name: Optional[str] = None) -> Any:
    """Batches of randomly shuffled elements (from a RandomShuffleQueue holding at least
    min_after_dequeue of them)."""
    tensor_list, rebuild = _flatten(tensors)
    with op_scope(name, "shuffle_batch", tensor_list) as scope:
        return _batch([tensor_list], rebuild, batch_size, capacity, enqueue_many, shapes,
                      False, allow_smaller_final_batch, shared_name, scope, shuffle=True,
                      min_after_dequeue=min_after_dequeue, seed=seed,
                      num_threads=num_threads)


def batch_join(tensors_list: Sequence[Any], batch_size: Any, capacity: int = 32,
               enqueue_many: bool = False, shapes: Any = None, dynamic_pad: bool = False,
               allow_smaller_final_batch: bool = False, shared_name: Optional[str] = None,
               name: Optional[str] = None) -> Any:
    """As batch, from several lists of tensors (one enqueuing thread each)."""
    flat = [_flatten(t) for t in tensors_list]
    with op_scope(name, "batch_join", [t for f in flat for t in f[0]]) as scope:
        return _batch([f[0] for f in flat], flat[0][1], batch_size, capacity, enqueue_many,
                      shapes, dynamic_pad, allow_smaller_final_batch, shared_name, scope,
                      shuffle=False)


def shuffle_batch_join(tensors_list: Sequence[Any], batch_size: Any, capacity: int,
                       min_after_dequeue: int, seed: Optional[int] = None,
                       enqueue_many: bool = False, shapes: Any = None,
                       allow_smaller_final_batch: bool = False,
                       shared_name: Optional[str] = None, name: Optional[str] = None) -> Any:
    """As shuffle_batch, from several lists of tensors (one enqueuing thread each)."""
    flat = [_flatten(t) for t in tensors_list]
    with op_scope(name, "shuffle_batch_join", [t for f in flat for t in f[0]]) as scope:
        return _batch([f[0] for f in flat], flat[0][1], batch_size, capacity, enqueue_many,
                      shapes, False, allow_smaller_final_batch, shared_name, scope,
                      shuffle=True, min_after_dequeue=min_after_dequeue, seed=seed)
