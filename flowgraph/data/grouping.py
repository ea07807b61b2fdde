"""TF1's grouping transformations of `tf.data.experimental`: group_by_window,
bucket_by_sequence_length and group_by_reducer (with `Reducer`)."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.data import structure
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Arg
from flowgraph.data.sources import int_arg
from flowgraph.data.structure import ElementSpec, Spec
from flowgraph.data.tracing import trace
from flowgraph.data.transformations import _no_windows, _unary
from flowgraph.shapes import TensorShape

__all__ = ["Reducer", "bucket_by_sequence_length", "group_by_reducer", "group_by_window"]

_KEY = ElementSpec(Spec(dtypes.int64, TensorShape([])))


def _check_key(fn: Any, what: str) -> None:
    flat = fn.output_spec.flat
    if len(flat) != 1 or flat[0].dtype != dtypes.int64 or \
            not flat[0].shape.is_compatible_with([]):
        raise ValueError(f"`{what}` must return a single tf.int64 scalar tensor, got "
                         f"{fn.output_spec!r}")


def group_by_window(key_func: Callable, reduce_func: Callable, window_size: Any = None,
                    window_size_func: Optional[Callable] = None
                    ) -> Callable[[Dataset], Dataset]:
    """Groups the elements by the int64 `key_func(element)` into windows of up to
    `window_size` elements (or `window_size_func(key)`), and gives each window to
    ``reduce_func(key, window_dataset)``; the result is the concatenation of the datasets
    it returns. A window is passed on once full; the unfinished ones at the end, by
    increasing key (as TF1)."""
    if (window_size is None) == (window_size_func is None):
        raise ValueError("Either the `window_size` argument or the `window_size_func` "
                         "argument must be specified.")

    def apply(dataset: Dataset) -> Dataset:
        _no_windows(dataset, "group_by_window")
        spec = dataset._spec
        key_fn = trace(key_func, spec, "key_func")
        _check_key(key_fn, "key_func")
        attrs: dict = {"fn": key_fn}
        if window_size_func is not None:
            size_fn = trace(window_size_func, _KEY, "window_size_func")
            _check_key(size_fn, "window_size_func")
            attrs["size_fn"] = size_fn
            attrs["size_captured"] = tuple(Arg(t) for t in size_fn.captured)
        else:
            attrs["window_size"] = int_arg(window_size, "window_size")
        windows = [Spec(None, None, "dataset", ElementSpec(s)) for s in spec.flat]
        grouped_spec = ElementSpec.like((0, spec.structure),
                                        [_KEY.flat[0]] + windows)
        grouped = _unary("GroupByWindow", dataset, grouped_spec, **attrs)

        def reduce_window(key: Any, window: Any) -> Dataset:
            parts = structure.flatten(window)
            if len(parts) == 1 and not structure.is_nested(spec.structure):
                return reduce_func(key, parts[0])
            return reduce_func(key, Dataset.zip(window))

        return grouped.flat_map(reduce_window)
    return apply


def bucket_by_sequence_length(element_length_func: Callable, bucket_boundaries: list,
                              bucket_batch_sizes: list, padded_shapes: Any = None,
                              padding_values: Any = None, pad_to_bucket_boundary: bool = False,
                              no_padding: bool = False, drop_remainder: bool = False
                              ) -> Callable[[Dataset], Dataset]:
    """Batches elements of similar length together, as TF1's: element e goes to the bucket
    i with ``boundaries[i-1] <= length(e) < boundaries[i]``, and bucket i makes (padded)
    batches of `bucket_batch_sizes[i]` elements."""
    if len(bucket_batch_sizes) != len(bucket_boundaries) + 1:
        raise ValueError(f"len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1, "
                         f"got {len(bucket_batch_sizes)} and {len(bucket_boundaries)}")
    if list(bucket_boundaries) != sorted(bucket_boundaries):
        raise ValueError(f"bucket_boundaries must be sorted in increasing order, got "
                         f"{list(bucket_boundaries)}")
    from flowgraph.ops.cast import cast
    from flowgraph.ops.constant import constant

    def element_to_bucket_id(*args: Any) -> Any:
        from flowgraph.ops.compare import less, less_equal
        from flowgraph.ops.logic import logical_and, where
        from flowgraph.ops.reduce import reduce_min
        length = cast(element_length_func(*args), dtypes.int64)
        low = constant([np.iinfo(np.int32).min] + list(bucket_boundaries), dtypes.int64)
        high = constant(list(bucket_boundaries) + [np.iinfo(np.int32).max], dtypes.int64)
        inside = logical_and(less_equal(low, length), less(length, high))
        return reduce_min(where(inside))

    def window_size_fn(bucket_id: Any) -> Any:
        return constant(list(bucket_batch_sizes), dtypes.int64)[bucket_id]

    def batching_fn(bucket_id: Any, grouped: Dataset) -> Dataset:
        batch_size = window_size_fn(bucket_id)
        if no_padding:
            return grouped.batch(batch_size, drop_remainder=drop_remainder)
        filler = None
        if pad_to_bucket_boundary:
            # as TF1: an element in the last (unbounded) bucket has no boundary to pad to
            from flowgraph.graph import control_dependencies
            from flowgraph.ops.check_ops import assert_less
            check = assert_less(bucket_id, constant(len(bucket_batch_sizes) - 1, dtypes.int64),
                                message="When pad_to_bucket_boundary=True, elements must have "
                                        "length < max(bucket_boundaries).")
            with control_dependencies([check]):
                boundaries = constant(list(bucket_boundaries), dtypes.int64)
                filler = boundaries[bucket_id] - 1
        shapes = padded_shapes if padded_shapes is not None else grouped.output_shapes
        if filler is not None:
            types = grouped._spec.types
            leaves = structure.flatten(structure._shape_structure(shapes, types))
            shapes = structure.pack_as(types, [_fill_unknown(s, filler) for s in leaves])
        return grouped.padded_batch(batch_size, shapes, padding_values,
                                    drop_remainder=drop_remainder)

    return group_by_window(element_to_bucket_id, batching_fn, window_size_func=window_size_fn)


def _fill_unknown(shape: Any, filler: Any) -> Any:
    """A padded shape with its unknown dimensions set to `filler` (a scalar tensor) when
    given, else left unknown."""
    shape = TensorShape(shape) if not isinstance(shape, TensorShape) else shape
    if filler is None or shape.ndims is None:
        return shape
    from flowgraph.ops.array import stack
    from flowgraph.ops.constant import constant
    return stack([filler if d is None else constant(d, dtypes.int64)
                  for d in shape.as_tuple()])


class Reducer:
    """How `group_by_reducer` reduces a group: ``init_func(key)`` gives the initial state,
    ``reduce_func(state, element)`` the next state, ``finalize_func(state)`` the output."""

    def __init__(self, init_func: Callable, reduce_func: Callable,
                 finalize_func: Callable) -> None:
        self._init_func = init_func
        self._reduce_func = reduce_func
        self._finalize_func = finalize_func

    @property
    def init_func(self) -> Callable:
        return self._init_func

    @property
    def reduce_func(self) -> Callable:
        return self._reduce_func

    @property
    def finalize_func(self) -> Callable:
        return self._finalize_func


def group_by_reducer(key_func: Callable, reducer: Reducer) -> Callable[[Dataset], Dataset]:
    """One output per key (in the order keys are first seen): the finalized state of
    `reducer` over that key's elements."""
    def apply(dataset: Dataset) -> Dataset:
        _no_windows(dataset, "group_by_reducer")
        spec = dataset._spec
        key_fn = trace(key_func, spec, "key_func")
        _check_key(key_fn, "key_func")
        init_fn = trace(reducer.init_func, _KEY, "init_func")
        state_spec = init_fn.output_spec
        for _ in range(3):  # shapes may change per step: relax them until they settle
            reduce_fn = trace(reducer.reduce_func, spec, "reduce_func", extra=state_spec)
            got = reduce_fn.output_spec
            if not structure.same_structure(state_spec.structure, got.structure) or \
                    [s.dtype for s in got.flat] != [s.dtype for s in state_spec.flat]:
                raise TypeError(f"The element types for the new state must match the "
                                f"initial state. Expected {state_spec.types!r}; got "
                                f"{got.types!r}.")
            relaxed = [s.with_shape(structure.most_specific_compatible_shape(s.shape, g.shape))
                       for s, g in zip(state_spec.flat, got.flat)]
            if relaxed == state_spec.flat:
                break
            state_spec = state_spec.with_flat(relaxed)
        finalize_fn = trace(reducer.finalize_func, state_spec, "finalize_func")
        for fn in (init_fn, reduce_fn, finalize_fn):
            if fn.captured:
                raise ValueError("group_by_reducer functions may not use tensors from outside "
                                 "them (put those values into the dataset, e.g. with zip).")
        return _unary("GroupByReducer", dataset, finalize_fn.output_spec, fn=key_fn,
                      init_fn=init_fn, reduce_fn=reduce_fn, finalize_fn=finalize_fn)
    return apply
