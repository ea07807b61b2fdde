"""Dataset transformations as TF1 defines them: each takes a Dataset and returns a new one
(a new description node over the input's) with its element structure worked out when the
pipeline is built."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.data import structure
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Arg, Node
from flowgraph.data.sources import bool_arg, int_arg, static_value, string_arg
from flowgraph.data.structure import ElementSpec, Spec
from flowgraph.data.tracing import trace
from flowgraph.graph import Tensor, get_default_graph
from flowgraph.shapes import TensorShape
from flowgraph.sparse_tensor import SparseTensor

AUTOTUNE = -1


def _unary(kind: str, dataset: Dataset, spec: ElementSpec, **attrs: Any) -> Dataset:
    fn = attrs.get("fn")
    if fn is not None and fn.captured:  # a nested function's values of its enclosing one
        attrs["captured"] = tuple(Arg(t) for t in fn.captured)
    return Dataset(Node(kind, attrs, (dataset._node,)), spec)


def _no_windows(dataset: Dataset, what: str) -> None:
    if dataset._spec.has_datasets():
        raise TypeError(f"{what}: the elements are datasets (from window()); turn them into "
                        "tensors with flat_map first, e.g. .flat_map(lambda w: w.batch(n))")


def _parallel_calls(value: Optional[int]) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or \
            (value < 1 and value != AUTOTUNE):
        raise ValueError(f"num_parallel_calls must be a positive int or AUTOTUNE, got "
                         f"{value!r}")
    return int(value)


def dataset_seeds(seed: Optional[int]) -> tuple:
    """TF1's (seed, seed2) for a dataset op; with only a graph seed, distinct for every
    seeded dataset built in the graph, and the same when a graph is built the same way."""
    from flowgraph.ops.random import get_seed
    graph = get_default_graph()
    op_seed = seed
    if seed is None and graph.seed is not None:
        counter = graph.get_state("flowgraph.data.seed_counter", lambda: [0])
        counter[0] += 1
        op_seed = len(graph) + counter[0]
    return get_seed(op_seed, graph)


# --------------------------------------------------------------------------- map, filter
def map_dataset(dataset: Dataset, map_func: Callable, num_parallel_calls: Any = None
                ) -> Dataset:
    fn = trace(map_func, dataset._spec, "map_func")
    return _unary("Map", dataset, fn.output_spec, fn=fn,
                  num_parallel_calls=_parallel_calls(num_parallel_calls))


def filter_dataset(dataset: Dataset, predicate: Callable) -> Dataset:
    fn = trace(predicate, dataset._spec, "predicate")
    flat = fn.output_spec.flat
    if len(flat) != 1 or flat[0].dtype != dtypes.bool_ or \
            not flat[0].shape.is_compatible_with([]):
        raise ValueError(f"`predicate` must return a scalar boolean tensor, got "
                         f"{fn.output_spec!r}")
    return _unary("Filter", dataset, dataset._spec, fn=fn)


def flat_map(dataset: Dataset, map_func: Callable) -> Dataset:
    return interleave(dataset, map_func, 1, 1)


def interleave(dataset: Dataset, map_func: Callable, cycle_length: Any = AUTOTUNE,
               block_length: Any = 1, num_parallel_calls: Any = None) -> Dataset:
    fn = trace(map_func, dataset._spec, "map_func", allow_dataset=True)
    _parallel_calls(num_parallel_calls)
    return _unary("Interleave", dataset, fn.dataset._spec, fn=fn,
                  cycle_length=int_arg(cycle_length, "cycle_length"),
                  block_length=int_arg(block_length, "block_length"))


# --------------------------------------------------------------------------- batching
def _batch_dim(size: Arg, drop_remainder: Any) -> Optional[int]:
    if not isinstance(drop_remainder, (bool, np.bool_)) or not drop_remainder:
        return None
    value = static_value(size)
    return None if value is None else int(value)


def batch(dataset: Dataset, batch_size: Any, drop_remainder: Any = False) -> Dataset:
    _no_windows(dataset, "batch")
    size = int_arg(batch_size, "batch_size")
    dim = _batch_dim(size, drop_remainder)
    specs = [s.with_shape(TensorShape([dim]).concatenate(s.shape)) for s in dataset._spec.flat]
    return _unary("Batch", dataset, dataset._spec.with_flat(specs), batch_size=size,
                  drop_remainder=bool_arg(drop_remainder, "drop_remainder"))


def _padded_shape(value: Any, spec: Spec, index: int) -> tuple:
    """(Arg of the int64 padded shape with -1 for unknown, static TensorShape)."""
    if isinstance(value, Tensor):
        if value.shape.ndims is not None and value.shape.ndims != 1:
            raise ValueError(f"Padded shape {value.name} must be a 1-D tensor of tf.int64 "
                             f"values, but its shape was {value.shape}.")
        # as TF1's constant_value_as_shape: a constant gives a static shape (-1 unknown)
        known = static_value(Arg(value))
        if known is not None:
            return Arg(value), TensorShape([None if d < 0 else int(d)
                                            for d in np.asarray(known).reshape(-1)])
        length = value.shape.as_tuple()[0] if value.shape.ndims == 1 else None
        return Arg(value), TensorShape(None if length is None else [None] * length)
    shape = value if isinstance(value, TensorShape) else TensorShape(value)
    if shape.ndims is None:
        raise ValueError(f"padded_shapes[{index}] must have a known rank, got {shape}")
    dims = [-1 if d is None or d < 0 else int(d) for d in shape.as_tuple()]
    static = TensorShape([d if d >= 0 else None for d in dims])
    if not static.is_compatible_with(TensorShape([None] * len(dims))) or \
            (spec.shape.ndims is not None and spec.shape.ndims != len(dims)) or \
            any(d >= 0 and s is not None and s > d for d, s in
                zip(dims, spec.shape.as_tuple() or [None] * len(dims))):
        raise ValueError(f"The padded shape {static} is not compatible with the "
                         f"corresponding input component shape {spec.shape}.")
    return Arg(np.array(dims, dtype=np.int64)), static


def padded_batch(dataset: Dataset, batch_size: Any, padded_shapes: Any,
                 padding_values: Any = None, drop_remainder: Any = False) -> Dataset:
    _no_windows(dataset, "padded_batch")
    spec = dataset._spec
    if any(s.cls is SparseTensor for s in spec.flat):
        raise TypeError("padded_batch does not pad sparse components; use batch")
    shapes = structure.flatten(structure._shape_structure(padded_shapes, spec.structure))
    if len(shapes) != len(spec.flat):
        raise ValueError(f"padded_shapes {padded_shapes!r} does not match the structure of "
                         f"the elements {spec.types!r}")
    if padding_values is None:
        values = [b"" if s.dtype.is_string else 0 for s in spec.flat]
    else:
        structure.check_same_structure(spec.structure, padding_values, "padding_values",
                                       shallow=True)
        values = structure.flatten_up_to(spec.structure, padding_values)
    size = int_arg(batch_size, "batch_size")
    dim = _batch_dim(size, drop_remainder)
    shape_args, pad_args, specs = [], [], []
    for i, (shape, value, leaf) in enumerate(zip(shapes, values, spec.flat)):
        arg, static = _padded_shape(shape, leaf, i)
        shape_args.append(arg)
        pad = structure.to_leaf(value, leaf.dtype) if not isinstance(value, Tensor) else value
        if isinstance(pad, Tensor) and pad.dtype != leaf.dtype:
            raise TypeError(f"padding_values[{i}] has dtype {pad.dtype.name}, the component "
                            f"has {leaf.dtype.name}")
        rank = pad.shape.ndims if isinstance(pad, Tensor) else np.ndim(pad)
        if rank not in (0, None):
            raise ValueError(f"Padding value should be a scalar, but is not: padding_values[{i}]"
                             f" = {value!r:.100}")
        pad_args.append(Arg(pad))
        specs.append(leaf.with_shape(TensorShape([dim]).concatenate(static)))
    return _unary("PaddedBatch", dataset, spec.with_flat(specs), batch_size=size,
                  padded_shapes=tuple(shape_args), padding_values=tuple(pad_args),
                  drop_remainder=bool_arg(drop_remainder, "drop_remainder"))


def unbatch(dataset: Dataset) -> Dataset:
    _no_windows(dataset, "unbatch")
    specs = []
    for s in dataset._spec.flat:
        if s.shape.ndims == 0:
            raise ValueError("Cannot unbatch an input with scalar components.")
        specs.append(s.with_shape(s.shape[1:]))
    return _unary("Unbatch", dataset, dataset._spec.with_flat(specs))


def window(dataset: Dataset, size: Any, shift: Any = None, stride: Any = 1,
           drop_remainder: Any = False) -> Dataset:
    _no_windows(dataset, "window")
    spec = dataset._spec
    if any(s.cls is SparseTensor for s in spec.flat):
        raise TypeError("window does not support sparse components")
    leaves = [Spec(None, None, "dataset", ElementSpec(s)) for s in spec.flat]
    return _unary("Window", dataset, spec.with_flat(leaves), size=int_arg(size, "size"),
                  shift=int_arg(size if shift is None else shift, "shift"),
                  stride=int_arg(stride, "stride"),
                  drop_remainder=bool_arg(drop_remainder, "drop_remainder"))


# --------------------------------------------------------------------------- order, counts
def shuffle(dataset: Dataset, buffer_size: Any, seed: Optional[int] = None,
            reshuffle_each_iteration: Optional[bool] = None) -> Dataset:
    seed1, seed2 = dataset_seeds(seed)
    return _unary("Shuffle", dataset, dataset._spec,
                  buffer_size=int_arg(buffer_size, "buffer_size"), seed=seed1, seed2=seed2,
                  reshuffle_each_iteration=True if reshuffle_each_iteration is None else
                  bool(reshuffle_each_iteration))


def repeat(dataset: Dataset, count: Any = None) -> Dataset:
    return _unary("Repeat", dataset, dataset._spec,
                  count=int_arg(-1 if count is None else count, "count"))


def take(dataset: Dataset, count: Any) -> Dataset:
    return _unary("Take", dataset, dataset._spec, count=int_arg(count, "count"))


def skip(dataset: Dataset, count: Any) -> Dataset:
    return _unary("Skip", dataset, dataset._spec, count=int_arg(count, "count"))


def shard(dataset: Dataset, num_shards: Any, index: Any) -> Dataset:
    # TF1 checks num_shards/index in the ShardDataset kernel: a bad value is an
    # InvalidArgumentError when the iterator runs, not a build-time error.
    shards, position = int_arg(num_shards, "num_shards"), int_arg(index, "index")
    return _unary("Shard", dataset, dataset._spec, num_shards=shards, index=position)


def prefetch(dataset: Dataset, buffer_size: Any) -> Dataset:
    return _unary("Prefetch", dataset, dataset._spec,
                  buffer_size=int_arg(buffer_size, "buffer_size"))


def cache(dataset: Dataset, filename: Any = "") -> Dataset:
    _no_windows(dataset, "cache")
    return _unary("Cache", dataset, dataset._spec,
                  filename=string_arg(filename, "filename"))


def apply(dataset: Dataset, transformation_func: Callable) -> Dataset:
    result = transformation_func(dataset)
    if not isinstance(result, Dataset):
        raise TypeError("`transformation_func` must return a Dataset.")
    return result


# --------------------------------------------------------------------------- reduce
def reduce(dataset: Dataset, initial_state: Any, reduce_func: Callable) -> Any:
    """Runs the whole dataset through `reduce_func(state, element)` (a ReduceDataset op)."""
    from flowgraph.data.describe import Capture, encode
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.iterator_ops import ReduceDataset
    from flowgraph.ops.registry import apply_op
    _no_windows(dataset, "reduce")
    if isinstance(initial_state, list):
        initial_state = tuple(initial_state)
    state = structure.map_structure(convert_to_tensor, initial_state)
    flat_state = structure.flatten(state)
    state_spec = ElementSpec.like(state, [Spec(t.dtype, t.shape) for t in flat_state])
    for _ in range(3):  # shapes may change per step: relax them until they settle
        fn = trace(reduce_func, dataset._spec, "reduce_func", extra=state_spec)
        got = fn.output_spec
        if not structure.same_structure(state_spec.structure, got.structure) or \
                [s.dtype for s in got.flat] != [s.dtype for s in state_spec.flat]:
            raise TypeError(f"The element types for the new state must match the initial "
                            f"state. Expected {state_spec.types!r}; got {got.types!r}.")
        relaxed = [s.with_shape(structure.most_specific_compatible_shape(s.shape, g.shape))
                   for s, g in zip(state_spec.flat, got.flat)]
        if relaxed == state_spec.flat:
            break
        state_spec = state_spec.with_flat(relaxed)
    capture = Capture()
    description = encode(dataset._node, capture)
    graph = flat_state[0].graph if flat_state else get_default_graph()
    op_def = ReduceDataset(dataset=description, fn=fn.encode_function(),
                           num_captured=len(capture.tensors),
                           num_fn_captured=len(fn.captured),
                           output_types=tuple(s.dtype for s in state_spec.flat),
                           output_shapes=tuple(s.shape for s in state_spec.flat))
    with graph.as_default():
        outputs = apply_op(op_def, capture.tensors + list(fn.captured) + flat_state,
                           name="ReduceDataset",
                           graph=graph)
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    return structure.pack_as(state_spec.structure, outputs)
