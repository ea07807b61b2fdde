"""Run-time builders of the source datasets: tensor slices, tensors, ranges, generators,
zip, concatenate, list_files, and the window arguments of flat_map functions."""

from __future__ import annotations

import glob
import os
from typing import Any, Iterator

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.data import structure
from flowgraph.data.engine import Env, Source, build
from flowgraph.shapes import TensorShape
from flowgraph.sparse_tensor import SparseTensorValue


def closing_all(iterators: list) -> None:
    for it in iterators:
        close = getattr(it, "close", None)
        if close is not None:
            close()


def row(value: Any, i: int) -> Any:
    """Row i of a leaf value (a 0-d array view for 1-D arrays, so strings stay arrays)."""
    if isinstance(value, SparseTensorValue):
        return _sparse_row(value, i)
    return value[i, ...]


def _sparse_row(value: SparseTensorValue, i: int) -> SparseTensorValue:
    indices = np.asarray(value.indices)
    mask = indices[:, 0] == i
    return SparseTensorValue(indices[mask, 1:], np.asarray(value.values)[mask],
                             np.asarray(value.dense_shape)[1:])


def leading_dim(value: Any) -> int:
    if isinstance(value, SparseTensorValue):
        return int(np.asarray(value.dense_shape)[0])
    return int(np.shape(value)[0])


def _tensor_slices(attrs: dict, children: tuple, env: Env) -> Source:
    components = [env.value(slot) for slot in attrs["components"]]
    sizes = []
    for i, value in enumerate(components):
        if not isinstance(value, SparseTensorValue) and np.ndim(value) == 0:
            raise errors.InvalidArgumentError(None, None, f"from_tensor_slices: component {i} "
                                              "is a scalar; slicing needs rank >= 1")
        sizes.append(leading_dim(value))
    if len(set(sizes)) > 1:
        raise errors.InvalidArgumentError(
            None, None, f"from_tensor_slices: all components must have the same size in "
            f"dimension 0, got sizes {sizes}")
    count = sizes[0] if sizes else 0

    def open_() -> Iterator[tuple]:
        for i in range(count):
            yield tuple(row(c, i) for c in components)

    def batches(size: int, drop_remainder: bool) -> Iterator[tuple]:
        for start in range(0, count, size):
            end = min(start + size, count)
            if drop_remainder and end - start < size:
                return
            yield tuple(c[start:end] for c in components)

    dense = not any(isinstance(c, SparseTensorValue) for c in components)
    return Source(open_, batches if dense else None)


def _tensors(attrs: dict, children: tuple, env: Env) -> Source:
    components = tuple(env.value(slot) for slot in attrs["components"])

    def open_() -> Iterator[tuple]:
        yield components

    return Source(open_)


def _range(attrs: dict, children: tuple, env: Env) -> Source:
    start = env.integer(attrs["start"], "range start")
    stop = env.integer(attrs["stop"], "range stop")
    step = env.integer(attrs["step"], "range step")
    if step == 0:
        raise errors.InvalidArgumentError(None, None, "step must be a non-zero integer.")
    np_dtype = dtypes.as_dtype(attrs["dtype"]).np

    def open_() -> Iterator[tuple]:
        for value in range(start, stop, step):
            yield (np.array(value, dtype=np_dtype),)

    def batches(size: int, drop_remainder: bool) -> Iterator[tuple]:
        values = range(start, stop, step)
        for first in range(0, len(values), size):
            chunk = values[first:first + size]
            if drop_remainder and len(chunk) < size:
                return
            yield (np.arange(chunk.start, chunk.stop, chunk.step, dtype=np_dtype),)

    return Source(open_, batches)


def _generator(attrs: dict, children: tuple, env: Env) -> Source:
    generator, types = env.python(attrs["generator"], "the generator of from_generator")
    args = []
    for slot in attrs["args"]:
        value = env.value(slot)
        args.append(value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value)
    flat_types = [dtypes.as_dtype(t) for t in attrs["dtypes"]]
    flat_shapes = [TensorShape(s) if not isinstance(s, TensorShape) else s
                   for s in attrs["shapes"]]

    def open_() -> Iterator[tuple]:
        iterable = generator(*args)
        try:
            it = iter(iterable)
        except TypeError:
            raise TypeError(f"from_generator: `generator` must return an iterable, got "
                            f"{type(iterable).__name__}") from None
        try:
            for value in it:
                yield _convert_yielded(value, types, flat_types, flat_shapes)
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    return Source(open_)


def _convert_yielded(value: Any, types: Any, flat_types: list, flat_shapes: list) -> tuple:
    if not structure.is_nested(types):
        # TF1's flatten_up_to: a leaf type takes the whole yielded value (a tuple too)
        leaves = [value]
    else:
        if isinstance(value, list):
            value = tuple(value)
        if structure.structure_mismatch(types, value, shallow=True) is not None:
            raise errors.InvalidArgumentError(
                None, None, f"`generator` yielded an element that did not match the expected "
                f"structure. The expected structure was {types!r}, but the yielded element "
                f"was {value!r:.200}.")
        leaves = structure.flatten_up_to(types, value)
    out = []
    for leaf, dtype, shape in zip(leaves, flat_types, flat_shapes):
        try:
            if dtype.is_string:
                from flowgraph.ops.constant import _to_bytes_array
                array = _to_bytes_array(leaf)
            else:
                array = np.array(leaf, dtype=dtype.np, copy=True)
        except (TypeError, ValueError) as exc:
            raise errors.InvalidArgumentError(
                None, None, f"`generator` yielded an element of type "
                f"{type(leaf).__name__} where an element of type {dtype.name} was expected: "
                f"{exc}") from None
        if not shape.is_compatible_with(array.shape):
            raise errors.InvalidArgumentError(
                None, None, f"`generator` yielded an element of shape {list(array.shape)} "
                f"where an element of shape {shape} was expected.")
        out.append(array)
    return tuple(out)


def _zip(attrs: dict, children: tuple, env: Env) -> Source:
    sources = [build(child, env) for child in children]

    def open_() -> Iterator[tuple]:
        iterators = [s.open() for s in sources]
        try:
            while True:
                element: tuple = ()
                for it in iterators:
                    try:
                        element += next(it)
                    except StopIteration:
                        return
                yield element
        finally:
            closing_all(iterators)

    return Source(open_)


def _concatenate(attrs: dict, children: tuple, env: Env) -> Source:
    sources = [build(child, env) for child in children]

    def open_() -> Iterator[tuple]:
        for source in sources:
            it = source.open()
            try:
                yield from it
            finally:
                closing_all([it])

    return Source(open_)


def _list_files(attrs: dict, children: tuple, env: Env) -> Source:
    patterns = np.asarray(env.value(attrs["pattern"]), dtype=object).reshape(-1)
    found: list = []
    for pattern in patterns:
        text = pattern.decode("utf-8") if isinstance(pattern, bytes) else str(pattern)
        found.extend(sorted(glob.glob(os.path.expanduser(text))))
    if not found:
        shown = [p.decode("utf-8") if isinstance(p, bytes) else p for p in patterns]
        raise errors.InvalidArgumentError(None, None, f"No files matched pattern: "
                                          f"{', '.join(shown)}")
    names = [np.array(name.encode("utf-8"), dtype=object) for name in found]

    def open_() -> Iterator[tuple]:
        for name in names:
            yield (name,)

    return Source(open_)


def _window_argument(attrs: dict, children: tuple, env: Env) -> Source:
    window = env.value(attrs["window"])

    def open_() -> Iterator[tuple]:
        if isinstance(window, structure.DatasetValue):  # whole elements (a snapshot's shard)
            it = window.open()
            try:
                yield from it
            finally:
                closing_all([it])
            return
        for value in window.values:
            yield (value,)

    return Source(open_)


KINDS = {
    "TensorSlices": _tensor_slices,
    "Tensors": _tensors,
    "Range": _range,
    "Generator": _generator,
    "Zip": _zip,
    "Concatenate": _concatenate,
    "ListFiles": _list_files,
    "WindowArgument": _window_argument,
}
