"""The `reader_func` of `fg.data.experimental.snapshot`: how a finished snapshot is read.

`reader_func(datasets)` receives a Dataset whose elements are Datasets, one per shard (in
increasing shard order, each shard's elements in the order they were written), and returns
the Dataset to read, e.g. ``lambda datasets: datasets.interleave(lambda x: x,
cycle_length=2)``. It is traced once, as the functions of `interleave`: at run time its
argument is a `WindowValue` holding one `DatasetValue` per shard.

As in TF, what `reader_func` returns is only checked against the input's elements when a
snapshot is read: a pass that writes the snapshot does not use it, and the first pass that
reads one raises TF's errors (InvalidArgumentError when it is not a Dataset or its dtypes or
shapes differ, InternalError when its number of components differs).
"""

from __future__ import annotations

from typing import Callable, Iterator, Optional

from flowgraph import errors
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Arg
from flowgraph.data.engine import Env, build
from flowgraph.data.engine_sources import closing_all
from flowgraph.data.structure import DatasetValue, ElementSpec, Spec, WindowValue
from flowgraph.data.tracing import trace
from flowgraph.sparse_tensor import SparseTensor


def trace_reader(reader_func: Callable, spec: ElementSpec) -> dict:
    """The Snapshot node attributes of `reader_func` for an input of element spec `spec`:
    the traced function, the tensors it captures and, when what it returns cannot be read as
    the input's elements, the error to raise when a snapshot is read (as TF)."""
    if not callable(reader_func):
        raise TypeError(f"snapshot's reader_func must be callable (a function of the "
                        f"dataset of shard datasets), got {type(reader_func).__name__} "
                        f"{reader_func!r:.60}")
    problem: list = []

    def call(datasets: Dataset) -> Dataset:
        result = reader_func(datasets)
        if isinstance(result, Dataset):
            return result
        problem.append(("InvalidArgumentError",
                        f"Dataset tensor must be a scalar of dtype DT_VARIANT: snapshot's "
                        f"reader_func returned {type(result).__name__} {result!r:.60}, not a "
                        "Dataset. It must return the dataset to read, e.g. "
                        "`lambda datasets: datasets.interleave(lambda x: x, cycle_length=2)`."))
        return datasets.flat_map(lambda x: x)  # stands in; the error is raised instead

    shards = ElementSpec(Spec(None, None, "dataset",
                              ElementSpec(Spec(None, None, "dataset", spec))))
    fn = trace(call, shards, "reader_func", allow_dataset=True)
    attrs: dict = {"reader_fn": fn}
    if fn.captured:
        attrs["reader_captured"] = tuple(Arg(t) for t in fn.captured)
    found = problem[0] if problem else _mismatch(spec, fn.dataset._spec)
    if found is not None:
        attrs["reader_error"] = found
    return attrs


def _mismatch(expected: ElementSpec, given: ElementSpec) -> Optional[tuple]:
    """(error class name, message) when elements of `given` cannot stand for those of
    `expected` (TF compares the flat components: count, dtypes, shapes)."""
    hint = ("snapshot's reader_func must return a dataset of the input's elements "
            f"({expected!r}), got one of {given!r}; flatten the shard datasets (e.g. with "
            "interleave or flat_map) without changing their elements.")
    if len(given.flat) != len(expected.flat):
        return ("InternalError", f"Expected {len(expected.flat)} components but got "
                f"{len(given.flat)}. {hint}")
    for i, (want, got) in enumerate(zip(expected.flat, given.flat)):
        if got.is_dataset or want.cls != got.cls or want.dtype != got.dtype:
            return ("InvalidArgumentError", f"Data type mismatch at component {i}: expected "
                    f"{_kind(want)} but got {_kind(got)}. {hint}")
        if not want.shape.is_compatible_with(got.shape):
            return ("InvalidArgumentError", f"Incompatible shapes at component {i}: expected "
                    f"{want.shape} but got {got.shape}. {hint}")
    return None


def _kind(spec: Spec) -> str:
    if spec.is_dataset:
        return "variant (a Dataset)"
    name = spec.dtype.name if spec.dtype is not None else "unknown"
    return f"sparse {name}" if spec.cls is SparseTensor else name


def read_with_reader(attrs: dict, shards: list, env: Env) -> Iterator[tuple]:
    """One pass over a finished snapshot through `reader_func`; `shards` holds a callable
    per shard (in increasing order) that starts a pass over its elements."""
    error = attrs.get("reader_error")
    if error is not None:
        cls = getattr(errors, error[0], errors.InvalidArgumentError)
        raise cls(None, None, error[1])
    fn = env.function(attrs["reader_fn"])
    extra = tuple(env.value(slot) for slot in attrs.get("reader_captured", ()))
    window = WindowValue([DatasetValue(open_shard) for open_shard in shards])
    it = build(fn.inner, env.with_inputs(fn((window,) + extra))).open()
    try:
        yield from it
    finally:
        closing_all([it])
