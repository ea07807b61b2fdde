"""TF1's conditional batchers (`tf.train.maybe_batch`, `maybe_batch_join`,
`maybe_shuffle_batch`, `maybe_shuffle_batch_join`): as the batchers of
`flowgraph.input.producers`, but an element is enqueued only where `keep_input` is True.

`keep_input` is a bool scalar (keep or drop the whole enqueue) or, with
`enqueue_many=True`, a bool vector with one entry per row. Both are turned into a row mask
applied before an `enqueue_many`, so the queue and its runner are those of `batch`.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.input.producers import _batch, _flatten
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["maybe_batch", "maybe_batch_join", "maybe_shuffle_batch",
           "maybe_shuffle_batch_join"]


def _validate_keep_input(keep_input: Any, enqueue_many: bool) -> Any:
    keep_input = convert_to_tensor(keep_input, dtype=dtypes.bool, name="keep_input")
    ndims = keep_input.shape.ndims
    if ndims is None:
        raise ValueError("`keep_input` dimensions must be known at graph construction.")
    if not enqueue_many and ndims == 1:
        raise ValueError("`keep_input` cannot be a vector when `enqueue_many=False`.")
    if ndims > 1:
        raise ValueError(f"`keep_input` must be 0 or 1 dimensions, got shape "
                         f"{keep_input.shape}.")
    return keep_input


def _kept_rows(tensors: list, keep_input: Any, enqueue_many: bool) -> list:
    """The tensors as a batch of rows (one row when not enqueue_many) holding only the
    rows to keep."""
    from flowgraph.ops.masking import boolean_mask
    from flowgraph.ops.shape_ops import broadcast_to, expand_dims, reshape, shape

    if not enqueue_many:
        tensors = [expand_dims(t, 0) for t in tensors]
    if keep_input.shape.ndims == 0:
        if enqueue_many:
            rows = reshape(shape(tensors[0], out_type=dtypes.int32)[0], [1])
            mask = broadcast_to(keep_input, rows)
        else:
            mask = reshape(keep_input, [1])
    else:
        mask = keep_input
    return [boolean_mask(t, mask) for t in tensors]


def _maybe_batch(tensor_lists: list, rebuild: Any, keep_input: Any, batch_size: Any,
                 capacity: int, enqueue_many: bool, shapes: Any, dynamic_pad: bool,
                 allow_smaller_final_batch: bool, shared_name: Optional[str], name: str,
                 default_name: str, shuffle: bool, min_after_dequeue: int = 0,
                 seed: Optional[int] = None, num_threads: int = 1) -> Any:
    inputs = [t for tensors in tensor_lists for t in tensors]
    with op_scope(name, default_name, [*inputs, keep_input]) as scope:
        keep_input = _validate_keep_input(keep_input, enqueue_many)
        if shapes is None and not enqueue_many:
            # The element shapes are those of the inputs, not of the masked rows.
            shapes = [t.shape for t in tensor_lists[0]]
            if not dynamic_pad:
                for t in tensor_lists[0]:
                    if not t.shape.is_fully_defined():
                        raise ValueError(f"All shapes must be fully defined: {t.shape} of "
                                         f"{t.name} is not; pass shapes= or dynamic_pad=True")
        kept = [_kept_rows(tensors, keep_input, enqueue_many) for tensors in tensor_lists]
        return _batch(kept, rebuild, batch_size, capacity, True, shapes, dynamic_pad,
                      allow_smaller_final_batch, shared_name, scope, shuffle=shuffle,
                      min_after_dequeue=min_after_dequeue, seed=seed,
                      num_threads=num_threads)


def maybe_batch(tensors: Any, keep_input: Any, batch_size: Any, num_threads: int = 1,
                capacity: int = 32, enqueue_many: bool = False, shapes: Any = None,
                dynamic_pad: bool = False, allow_smaller_final_batch: bool = False,
                shared_name: Optional[str] = None, name: Optional[str] = None) -> Any:
    """As `fg.train.batch`, enqueuing `tensors` only where `keep_input` (a bool scalar,
    or with enqueue_many a bool vector over the rows) is True."""
    tensor_list, rebuild = _flatten(tensors)
    return _maybe_batch([tensor_list], rebuild, keep_input, batch_size, capacity,
                        enqueue_many, shapes, dynamic_pad, allow_smaller_final_batch,
                        shared_name, name, "batch", shuffle=False, num_threads=num_threads)


def maybe_batch_join(tensors_list: Sequence[Any], keep_input: Any, batch_size: Any,
                     capacity: int = 32, enqueue_many: bool = False, shapes: Any = None,
                     dynamic_pad: bool = False, allow_smaller_final_batch: bool = False,
                     shared_name: Optional[str] = None, name: Optional[str] = None) -> Any:
    """As `fg.train.batch_join`, enqueuing only where `keep_input` is True."""
    flat = [_flatten(t) for t in tensors_list]
    return _maybe_batch([f[0] for f in flat], flat[0][1], keep_input, batch_size, capacity,
                        enqueue_many, shapes, dynamic_pad, allow_smaller_final_batch,
                        shared_name, name, "batch_join", shuffle=False)


def maybe_shuffle_batch(tensors: Any, batch_size: Any, capacity: int, min_after_dequeue: int,
                        keep_input: Any, num_threads: int = 1, seed: Optional[int] = None,
                        enqueue_many: bool = False, shapes: Any = None,
                        allow_smaller_final_batch: bool = False,
                        shared_name: Optional[str] = None, name: Optional[str] = None) -> Any:
    """As `fg.train.shuffle_batch`, enqueuing only where `keep_input` is True."""
    tensor_list, rebuild = _flatten(tensors)
    return _maybe_batch([tensor_list], rebuild, keep_input, batch_size, capacity,
                        enqueue_many, shapes, False, allow_smaller_final_batch, shared_name,
                        name, "shuffle_batch", shuffle=True,
                        min_after_dequeue=min_after_dequeue, seed=seed,
                        num_threads=num_threads)


def maybe_shuffle_batch_join(tensors_list: Sequence[Any], batch_size: Any, capacity: int,
                             min_after_dequeue: int, keep_input: Any,
                             seed: Optional[int] = None, enqueue_many: bool = False,
                             shapes: Any = None, allow_smaller_final_batch: bool = False,
                             shared_name: Optional[str] = None,
                             name: Optional[str] = None) -> Any:
    """As `fg.train.shuffle_batch_join`, enqueuing only where `keep_input` is True."""
    flat = [_flatten(t) for t in tensors_list]
    return _maybe_batch([f[0] for f in flat], flat[0][1], keep_input, batch_size, capacity,
                        enqueue_many, shapes, False, allow_smaller_final_batch, shared_name,
                        name, "shuffle_batch_join", shuffle=True,
                        min_after_dequeue=min_after_dequeue, seed=seed)
