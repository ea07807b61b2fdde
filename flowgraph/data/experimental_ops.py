"""More of TF1's `tf.data.experimental`: transformations for `Dataset.apply` (take_while,
scan, unique, parallel_interleave, ...), sources (Counter, RandomDataset,
choose_from_datasets, sample_from_datasets) and cardinality."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.data import structure
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Arg, Node
from flowgraph.data.structure import ElementSpec, Spec
from flowgraph.data.tracing import trace
from flowgraph.data.transformations import _no_windows, _unary, dataset_seeds
from flowgraph.shapes import TensorShape

__all__ = ["INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Counter", "RandomDataset",
           "cardinality", "choose_from_datasets", "copy_to_device", "filter_for_shard",
           "get_single_element",
           "parallel_interleave", "prefetch_to_device", "sample_from_datasets", "scan",
           "take_while", "unique"]

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


# --------------------------------------------------------------------------- transformations
def take_while(predicate: Callable) -> Callable[[Dataset], Dataset]:
    """The elements up to (not including) the first for which `predicate` is false."""
    def apply(dataset: Dataset) -> Dataset:
        fn = trace(predicate, dataset._spec, "predicate")
        flat = fn.output_spec.flat
        if len(flat) != 1 or flat[0].dtype != dtypes.bool_ or \
                not flat[0].shape.is_compatible_with([]):
            raise ValueError(f"`predicate` must return a scalar boolean tensor, got "
                             f"{fn.output_spec!r}")
        return _unary("TakeWhile", dataset, dataset._spec, fn=fn)
    return apply


def scan(initial_state: Any, scan_func: Callable) -> Callable[[Dataset], Dataset]:
    """A transformation carrying a state through the elements: ``scan_func(state, element)``
    returns ``(new_state, output)`` and the outputs are the new elements."""
    def apply(dataset: Dataset) -> Dataset:
        from flowgraph.ops.constant import convert_to_tensor
        _no_windows(dataset, "scan")
        init = initial_state
        if isinstance(init, list):
            init = tuple(init)
        state = structure.map_structure(
            lambda v: v if hasattr(v, "graph") else convert_to_tensor(v), init)
        flat_state = structure.flatten(state)
        state_spec = ElementSpec.like(state, [Spec(t.dtype, t.shape) for t in flat_state])
        for _ in range(3):  # shapes may change per step: relax them until they settle
            fn = trace(scan_func, dataset._spec, "scan_func", extra=state_spec)
            got = fn.output_spec.structure
            if not (isinstance(got, tuple) and len(got) == 2):
                raise TypeError("The scan function must return a pair comprising the new "
                                "state and the output value.")
            count = len(structure.flatten(got[0]))
            new_flat = fn.output_spec.flat[:count]
            if not structure.same_structure(state_spec.structure, got[0]) or \
                    [s.dtype for s in new_flat] != [s.dtype for s in state_spec.flat]:
                raise TypeError(f"The element types for the new state must match the "
                                f"initial state. Expected {state_spec.types!r}; got "
                                f"{[s.dtype.name for s in new_flat]!r}.")
            relaxed = [s.with_shape(structure.most_specific_compatible_shape(s.shape, g.shape))
                       for s, g in zip(state_spec.flat, new_flat)]
            if relaxed == state_spec.flat:
                break
            state_spec = state_spec.with_flat(relaxed)
        out_spec = ElementSpec.like(got[1], fn.output_spec.flat[count:])
        return _unary("Scan", dataset, out_spec, fn=fn,
                      initial_state=tuple(Arg(t) for t in flat_state))
    return apply


def unique() -> Callable[[Dataset], Dataset]:
    """Drops the elements seen before (elements of one int32, int64 or string component)."""
    def apply(dataset: Dataset) -> Dataset:
        flat = dataset._spec.flat
        if len(flat) != 1 or flat[0].is_dataset or \
                flat[0].dtype not in (dtypes.int32, dtypes.int64, dtypes.string):
            raise TypeError("`tf.data.experimental.unique()` only supports elements with a "
                            "single `tf.int32`, `tf.int64`, or `tf.string` component.")
        return _unary("Unique", dataset, dataset._spec)
    return apply


def parallel_interleave(map_func: Callable, cycle_length: Any, block_length: Any = 1,
                        sloppy: bool = False, buffer_output_elements: Any = None,
                        prefetch_input_elements: Any = None) -> Callable[[Dataset], Dataset]:
    """`interleave` (the same order; `sloppy` allows any order, so it is the same here)."""
    return lambda dataset: dataset.interleave(map_func, cycle_length, block_length)


def filter_for_shard(num_shards: Any, shard_index: Any) -> Callable[[Dataset], Dataset]:
    """`ds.apply(filter_for_shard(n, i))` is `ds.shard(n, i)` (a deprecated TF1 name).

    Unlike `shard`, TF1 checks constant arguments here when building (ValueError).
    """
    from flowgraph.data.sources import int_arg, static_value
    shards = static_value(int_arg(num_shards, "num_shards"))
    index = static_value(int_arg(shard_index, "shard_index"))
    if shards is not None and int(shards) < 1:
        raise ValueError(f"num_shards must be >= 1; got: {int(shards)}")
    if shards is not None and index is not None and int(index) >= int(shards):
        raise ValueError(f"shard_index must be < num_shards; {int(index)} is not < "
                         f"{int(shards)}")
    return lambda dataset: dataset.shard(num_shards, shard_index)


def copy_to_device(target_device: str, source_device: str = "/cpu:0"
                   ) -> Callable[[Dataset], Dataset]:
    """The same elements (every value lives in host memory here)."""
    return lambda dataset: dataset


def prefetch_to_device(device: str, buffer_size: Any = None) -> Callable[[Dataset], Dataset]:
    """`prefetch(buffer_size)` (every value lives in host memory here)."""
    return lambda dataset: dataset.prefetch(1 if buffer_size is None else buffer_size)


# --------------------------------------------------------------------------- sources
def Counter(start: Any = 0, step: Any = 1, dtype: Any = dtypes.int64) -> Dataset:  # noqa: N802
    """start, start + step, start + 2 * step, ... without end (as TF1's `Counter`)."""
    dtype = dtypes.as_dtype(dtype)
    limit = np.iinfo(np.int64).max if np.sign(step) >= 0 else np.iinfo(np.int64).min
    counter = Dataset.range(start, limit, step)
    if dtype != dtypes.int64:
        from flowgraph.ops.cast import cast
        counter = counter.map(lambda x: cast(x, dtype))
    return counter


class RandomDataset(Dataset):
    """Pseudo-random int64 scalars without end (seeded by `seed` and the graph seed)."""

    def __init__(self, seed: Optional[int] = None) -> None:
        seed1, seed2 = dataset_seeds(seed)
        super().__init__(Node("Random", {"seed": seed1, "seed2": seed2}),
                         ElementSpec(Spec(dtypes.int64, TensorShape([]))))


def choose_from_datasets(datasets: list, choice_dataset: Dataset) -> Dataset:
    """Element k comes from ``datasets[choice_k]``, the choices an int64 dataset (an
    exhausted dataset's choices are skipped; it ends with the choices)."""
    if not datasets:
        raise ValueError("`datasets` must be a non-empty list of datasets.")
    spec = choice_dataset._spec.flat
    if len(spec) != 1 or spec[0].dtype != dtypes.int64 or \
            not spec[0].shape.is_compatible_with([]):
        raise TypeError(f"`choice_dataset` must be a dataset of scalar tf.int64 tensors, got "
                        f"{choice_dataset._spec!r}")
    first = datasets[0]._spec
    for other in datasets[1:]:
        if not structure.same_structure(first.structure, other._spec.structure) or \
                [s.dtype for s in first.flat] != [s.dtype for s in other._spec.flat]:
            raise TypeError(f"All datasets must have the same type and structure: "
                            f"{first!r} vs {other._spec!r}")
    flat = list(first.flat)
    for other in datasets[1:]:
        flat = [s.with_shape(structure.most_specific_compatible_shape(s.shape, o.shape))
                for s, o in zip(flat, other._spec.flat)]
    node = Node("ChooseFromDatasets", {},
                (choice_dataset._node,) + tuple(d._node for d in datasets))
    return Dataset(node, first.with_flat(flat))


def sample_from_datasets(datasets: list, weights: Any = None,
                         seed: Optional[int] = None) -> Dataset:
    """Elements drawn at random from `datasets`, dataset i with probability `weights[i]`
    (uniform without weights)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.random_sampling import multinomial
    from flowgraph.ops.unary import log
    count = len(datasets)
    if count == 0:
        raise ValueError("`datasets` must be a non-empty list of datasets.")
    if weights is None:
        weights = np.full([count], 1.0 / count, dtype=np.float32)
    def select(_: Any, row_logits: Any) -> Any:
        return multinomial(row_logits, 1, seed=seed, output_dtype=dtypes.int64)[0, 0]

    if isinstance(weights, Dataset):
        # as TF1: each element of the weights dataset weighs the next draw
        flat = weights._spec.flat
        if len(flat) != 1 or not flat[0].dtype.is_floating or \
                not flat[0].shape.is_compatible_with([count]):
            raise TypeError(f"`weights` must be a dataset of float vectors of {count} "
                            f"entries, got elements of {weights._spec!r}")
        logits_ds = weights.map(lambda w: log(cast(w, dtypes.float32))[None, :])
        return choose_from_datasets(datasets,
                                    Dataset.zip((RandomDataset(seed), logits_ds)).map(select))
    weights_t = cast(convert_to_tensor(weights), dtypes.float32)
    if weights_t.shape.is_fully_defined() and weights_t.shape.as_list() != [count]:
        raise ValueError(f"`weights` must have one entry per dataset ({count}), got shape "
                         f"{weights_t.shape}")
    logits = log(weights_t)[None, :]

    # The logits are an element (not captured by the function), so they may be any tensor.
    selector = Dataset.zip((RandomDataset(seed), Dataset.from_tensors(logits).repeat()))
    return choose_from_datasets(datasets, selector.map(select))


# --------------------------------------------------------------------------- cardinality
def _static_int(arg: Any) -> Optional[int]:
    from flowgraph.data.sources import static_value
    value = static_value(arg) if isinstance(arg, Arg) else arg
    return None if value is None else int(np.asarray(value))


def _count(node: Node) -> int:
    """The number of elements of `node` if known when building: a count,
    INFINITE_CARDINALITY or UNKNOWN_CARDINALITY."""
    kind, attrs = node.kind, node.attrs
    kids = [_count(child) for child in node.children]
    if kind == "Range":
        start, stop, step = (_static_int(attrs[k]) for k in ("start", "stop", "step"))
        if None in (start, stop, step) or step == 0:
            return UNKNOWN_CARDINALITY
        return len(range(start, stop, step))
    if kind == "TensorSlices":
        leaf = attrs["components"][0].value
        dims = getattr(leaf, "shape", None)
        first = np.shape(leaf)[0] if not hasattr(leaf, "graph") else \
            (dims.as_tuple()[0] if dims.ndims else None)
        return UNKNOWN_CARDINALITY if first is None else int(first)
    if kind == "Tensors":
        return 1
    if kind == "Random":
        return INFINITE_CARDINALITY
    if kind in ("Prefetch", "Cache", "Shuffle", "Options"):
        return kids[0]
    if kind == "Zip":  # as TF1: unknown if any is, else the shortest finite one
        if UNKNOWN_CARDINALITY in kids:
            return UNKNOWN_CARDINALITY
        finite = [k for k in kids if k >= 0]
        return min(finite) if finite else INFINITE_CARDINALITY
    if kind == "Concatenate":
        if UNKNOWN_CARDINALITY in kids:
            return UNKNOWN_CARDINALITY
        return INFINITE_CARDINALITY if INFINITE_CARDINALITY in kids else sum(kids)
    if kind == "AssertCardinality":
        expected = _static_int(attrs["expected_cardinality"])
        return UNKNOWN_CARDINALITY if expected is None else expected
    n = kids[0] if kids else UNKNOWN_CARDINALITY
    if kind in ("Batch", "PaddedBatch"):
        size, drop = _static_int(attrs["batch_size"]), attrs["drop_remainder"]
        drop = None if drop.tensor is not None else bool(drop.value)
        if n < 0:
            return n
        if size is None or size <= 0 or drop is None:
            return UNKNOWN_CARDINALITY
        return n // size if drop else -(-n // size)
    if kind == "Repeat":
        count = _static_int(attrs["count"])
        if count is None:
            return UNKNOWN_CARDINALITY
        if count < 0:
            return 0 if n == 0 else (UNKNOWN_CARDINALITY if n == UNKNOWN_CARDINALITY
                                     else INFINITE_CARDINALITY)
        return n * count if n >= 0 else (0 if count == 0 else n)
    if kind in ("Take", "Skip"):
        count = _static_int(attrs["count"])
        if count is None:
            return UNKNOWN_CARDINALITY
        if kind == "Take":
            if count < 0:
                return n
            return min(n, count) if n >= 0 else (count if n == INFINITE_CARDINALITY
                                                 else UNKNOWN_CARDINALITY)
        if count < 0:
            return 0 if n >= 0 else n
        return max(n - count, 0) if n >= 0 else n
    if kind == "Window":
        size, shift, stride = (_static_int(attrs[k]) for k in ("size", "shift", "stride"))
        drop = attrs["drop_remainder"]
        drop = None if drop.tensor is not None else bool(drop.value)
        if n < 0 or None in (size, shift, stride, drop) or min(size, shift, stride) <= 0:
            return n if n == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY
        if not drop:
            return -(-n // shift)
        span = (size - 1) * stride + 1
        return 0 if n < span else (n - span) // shift + 1
    if kind == "Shard":
        shards, index = _static_int(attrs["num_shards"]), _static_int(attrs["index"])
        if n < 0 or shards is None or index is None:
            return n if n == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY
        return n // shards + (1 if index < n % shards else 0)
    return UNKNOWN_CARDINALITY


def cardinality(dataset: Dataset) -> Any:
    """The number of elements of `dataset` as an int64 scalar tensor, as TF1's
    `tf.data.experimental.cardinality`: INFINITE_CARDINALITY (-1) for a dataset without
    end, UNKNOWN_CARDINALITY (-2) when it depends on the data (filter, flat_map, files) or
    on values fed when the graph runs. As TF1's (whose `map` does not preserve
    cardinality), a dataset after `map` has UNKNOWN_CARDINALITY."""
    from flowgraph.ops.constant import constant
    return constant(_count(dataset._node), dtype=dtypes.int64, name="DatasetCardinality")


def get_single_element(dataset: Dataset) -> Any:
    """The tensors of the only element of `dataset` (computed anew in every run);
    InvalidArgumentError when the dataset is empty or has more than one element."""
    from flowgraph.data.describe import Capture, encode
    from flowgraph.graph import Tensor, get_default_graph
    from flowgraph.ops.iterator_ops import DatasetToSingleElement
    from flowgraph.ops.registry import apply_op
    from flowgraph.sparse_tensor import SparseTensor
    if not isinstance(dataset, Dataset):
        raise TypeError(f"`dataset` must be a Dataset, got {type(dataset).__name__}")
    _no_windows(dataset, "get_single_element")
    spec = dataset._spec
    capture = Capture()
    description = encode(dataset._node, capture)
    components = spec.components()
    op_def = DatasetToSingleElement(dataset=description,
                                    output_types=tuple(c[0] for c in components),
                                    output_shapes=tuple(c[1] for c in components))
    outputs = apply_op(op_def, capture.tensors, name="DatasetToSingleElement",
                       graph=get_default_graph())
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    it = iter(outputs)
    leaves = [SparseTensor(next(it), next(it), next(it)) if s.cls is SparseTensor else next(it)
              for s in spec.flat]
    return structure.pack_as(spec.structure, leaves)
