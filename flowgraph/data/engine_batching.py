"""Run-time builders of batch, padded_batch and unbatch."""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from flowgraph import errors
from flowgraph.data.engine import Env, Source, build
from flowgraph.data.engine_sources import closing_all, leading_dim, row
from flowgraph.data.structure import WindowValue
from flowgraph.sparse_tensor import SparseTensorValue


def stack_component(values: list, index: int) -> Any:
    """One component of a batch: the values stacked on a new first axis."""
    first = values[0]
    if isinstance(first, SparseTensorValue):
        return _stack_sparse(values, index)
    if isinstance(first, WindowValue):
        raise errors.InvalidArgumentError(None, None, "Cannot batch windows (datasets); use "
                                          "flat_map on the window dataset first.")
    try:
        return np.stack(values)
    except ValueError:
        shape = np.shape(first)
        for i, value in enumerate(values):
            if np.shape(value) != shape:
                raise errors.InvalidArgumentError(
                    None, None, f"Cannot batch tensors with different shapes in component "
                    f"{index}. First element had shape {list(shape)} and element {i} had "
                    f"shape {list(np.shape(value))}.") from None
        raise


def _stack_sparse(values: list, index: int) -> SparseTensorValue:
    ranks = {len(v.dense_shape) for v in values}
    if len(ranks) != 1:
        raise errors.InvalidArgumentError(None, None, f"Cannot batch sparse tensors of "
                                          f"different ranks in component {index}")
    dense = np.max(np.stack([np.asarray(v.dense_shape, np.int64) for v in values]), axis=0)
    indices = [np.concatenate([np.full((len(v.indices), 1), i, np.int64),
                               np.asarray(v.indices, np.int64).reshape(len(v.indices),
                                                                         len(v.dense_shape))],
                              axis=1) for i, v in enumerate(values)]
    return SparseTensorValue(np.concatenate(indices, axis=0),
                             np.concatenate([np.asarray(v.values) for v in values]),
                             np.concatenate([[len(values)], dense]).astype(np.int64))


def _batch(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    size = env.integer(attrs["batch_size"], "batch_size")
    drop = env.boolean(attrs["drop_remainder"], "drop_remainder")
    if size <= 0:
        raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")

    def open_() -> Iterator[tuple]:
        if source.batches is not None:
            yield from source.batches(size, drop)
            return
        it = source.open()
        try:
            while True:
                chunk = [element for _, element in zip(range(size), it)]
                if not chunk or drop and len(chunk) < size:
                    return
                yield tuple(stack_component([e[k] for e in chunk], k)
                            for k in range(len(chunk[0])))
        finally:
            closing_all([it])

    return Source(open_)


def _padded_batch(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    size = env.integer(attrs["batch_size"], "batch_size")
    drop = env.boolean(attrs["drop_remainder"], "drop_remainder")
    shapes = [np.asarray(env.value(s), np.int64).reshape(-1) for s in attrs["padded_shapes"]]
    pads = [env.value(s) for s in attrs["padding_values"]]
    if size <= 0:
        raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")

    def pad(values: list, k: int) -> np.ndarray:
        target = shapes[k]
        ranks = {np.ndim(v) for v in values}
        if ranks != {len(target)}:
            raise errors.InvalidArgumentError(
                None, None, f"padded_batch: component {k} has rank {sorted(ranks)}, but its "
                f"padded shape {target.tolist()} has rank {len(target)}")
        dims = []
        for axis, want in enumerate(target):
            longest = max(np.shape(v)[axis] for v in values)
            if want >= 0 and longest > want:
                raise errors.InvalidArgumentError(
                    None, None, "Attempted to pad to a smaller size than the input element.")
            dims.append(int(want) if want >= 0 else longest)
        fill = np.asarray(pads[k])
        out = np.full([len(values)] + dims, fill, dtype=fill.dtype)
        for i, value in enumerate(values):
            out[(i,) + tuple(slice(0, d) for d in np.shape(value))] = value
        return out

    def open_() -> Iterator[tuple]:
        it = source.open()
        try:
            while True:
                chunk = [element for _, element in zip(range(size), it)]
                if not chunk or drop and len(chunk) < size:
                    return
                yield tuple(pad([e[k] for e in chunk], k) for k in range(len(chunk[0])))
        finally:
            closing_all([it])

    return Source(open_)


def _unbatch(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)

    def open_() -> Iterator[tuple]:
        it = source.open()
        try:
            for element in it:
                sizes = [leading_dim(v) for v in element]
                if len(set(sizes)) > 1:
                    raise errors.InvalidArgumentError(
                        None, None, f"unbatch: all components must have the same size in "
                        f"dimension 0, got sizes {sizes}")
                for i in range(sizes[0] if sizes else 0):
                    yield tuple(row(v, i) for v in element)
        finally:
            closing_all([it])

    return Source(open_)


KINDS = {
    "Batch": _batch,
    "PaddedBatch": _padded_batch,
    "Unbatch": _unbatch,
}
