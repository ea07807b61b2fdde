"""Run-time builders of the `fg.data.experimental` transformations and sources: take_while,
scan, unique, group_by_window, group_by_reducer, choose_from_datasets, RandomDataset,
dense_to_sparse_batch and SqlDataset."""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from flowgraph import errors
from flowgraph.data.engine import Env, Source, build
from flowgraph.data.engine_sources import closing_all
from flowgraph.data.structure import WindowValue


def _take_while(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    predicate = env.function(attrs["fn"])
    extra = env.captured(attrs)

    def open_() -> Iterator[tuple]:
        it = source.open()
        try:
            for element in it:
                if not bool(predicate(element + extra)[0]):
                    return
                yield element
        finally:
            closing_all([it])

    return Source(open_)


def _scan(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    fn = env.function(attrs["fn"])
    extra = env.captured(attrs)
    initial = tuple(env.value(slot) for slot in attrs["initial_state"])
    count = len(initial)

    def open_() -> Iterator[tuple]:
        # Every pass starts again from the initial state, as TF1's ScanDataset.
        state = initial
        it = source.open()
        try:
            for element in it:
                result = fn(state + element + extra)
                state = tuple(result[:count])
                yield tuple(result[count:])
        finally:
            closing_all([it])

    return Source(open_)


def _unique_key(value: Any) -> tuple:
    array = np.asarray(value)
    if array.dtype == object:
        return (array.shape, tuple(array.reshape(-1).tolist()))
    return (array.shape, array.tobytes())


def _unique(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)

    def open_() -> Iterator[tuple]:
        seen: set = set()
        it = source.open()
        try:
            for element in it:
                key = _unique_key(element[0])
                if key not in seen:
                    seen.add(key)
                    yield element
        finally:
            closing_all([it])

    return Source(open_)


def _scalar_key(value: Any, what: str) -> int:
    array = np.asarray(value)
    if array.ndim != 0 or array.dtype != np.int64:
        raise errors.InvalidArgumentError(None, None, f"{what} must return a scalar int64, "
                                          f"got {array.dtype.name} of shape "
                                          f"{list(array.shape)}")
    return int(array)


def _group_by_window(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    key_fn = env.function(attrs["fn"])
    extra = env.captured(attrs)
    size_fn = env.function(attrs["size_fn"]) if attrs.get("size_fn") else None
    size_extra = tuple(env.value(slot) for slot in attrs.get("size_captured", ()))
    fixed = None if size_fn is not None else env.integer(attrs["window_size"], "window_size")

    def window_size(key: int) -> int:
        size = fixed if size_fn is None else \
            _scalar_key(size_fn((np.int64(key),) + size_extra)[0], "window_size_func")
        if size <= 0:
            raise errors.InvalidArgumentError(None, None, f"Window size must be greater than "
                                              f"zero, but got {size}.")
        return size

    def emit(key: int, rows: list) -> tuple:
        return (np.int64(key),) + tuple(WindowValue([row[k] for row in rows])
                                        for k in range(len(rows[0])))

    def open_() -> Iterator[tuple]:
        groups: dict = {}
        it = source.open()
        try:
            for element in it:
                key = _scalar_key(key_fn(element + extra)[0], "key_func")
                rows = groups.setdefault(key, [])
                rows.append(element)
                if len(rows) >= window_size(key):
                    del groups[key]
                    yield emit(key, rows)
            # As TF1 (groups kept in a std::map): the unfinished groups by increasing key.
            for key in sorted(groups):
                yield emit(key, groups[key])
        finally:
            closing_all([it])

    return Source(open_)


def _group_by_reducer(attrs: dict, children: tuple, env: Env) -> Source:
    source = build(children[0], env)
    key_fn = env.function(attrs["fn"])
    extra = env.captured(attrs)
    init_fn = env.function(attrs["init_fn"])
    reduce_fn = env.function(attrs["reduce_fn"])
    finalize_fn = env.function(attrs["finalize_fn"])

    def open_() -> Iterator[tuple]:
        states: dict = {}
        it = source.open()
        try:
            for element in it:
                key = _scalar_key(key_fn(element + extra)[0], "key_func")
                state = states.get(key)
                if state is None:
                    state = tuple(init_fn((np.int64(key),)))
                states[key] = tuple(reduce_fn(state + element))
            for state in states.values():  # in the order the keys were first seen
                yield tuple(finalize_fn(state))
        finally:
            closing_all([it])

    return Source(open_)


def _choose(attrs: dict, children: tuple, env: Env) -> Source:
    choices = build(children[0], env)
    sources = [build(child, env) for child in children[1:]]

    def open_() -> Iterator[tuple]:
        selector = choices.open()
        iterators = [s.open() for s in sources]
        done = [False] * len(iterators)
        try:
            for choice in selector:
                index = int(np.asarray(choice[0]))
                if not 0 <= index < len(iterators):
                    raise errors.InvalidArgumentError(
                        None, None, f"Selector index out of range: {index} >= "
                        f"{len(iterators)} (choose_from_datasets has {len(iterators)} "
                        "datasets)")
                if done[index]:
                    continue  # as TF1: an exhausted input is skipped
                try:
                    yield next(iterators[index])
                except StopIteration:
                    done[index] = True
                    if all(done):
                        return
        finally:
            closing_all([selector] + iterators)

    return Source(open_)


def _random(attrs: dict, children: tuple, env: Env) -> Source:
    seed, seed2 = attrs["seed"], attrs["seed2"]
    seeded = not (seed is None and seed2 is None or seed == 0 and seed2 == 0)

    def open_() -> Iterator[tuple]:
        base = np.random.SeedSequence([int(seed or 0) & 0xFFFFFFFF,
                                       int(seed2 or 0) & 0xFFFFFFFF]) if seeded else None
        rng = np.random.Generator(np.random.PCG64(base))
        while True:
            yield (np.asarray(rng.integers(-(1 << 63), (1 << 63) - 1, dtype=np.int64)),)

    return Source(open_)


def _dense_to_sparse_batch(attrs: dict, children: tuple, env: Env) -> Source:
    from flowgraph.sparse_tensor import SparseTensorValue
    source = build(children[0], env)
    size = env.integer(attrs["batch_size"], "batch_size")
    row_shape = [int(d) for d in attrs["row_shape"]]
    if size <= 0:
        raise errors.InvalidArgumentError(None, None, "Batch size must be greater than zero.")

    def sparse(rows: list) -> SparseTensorValue:
        dims = list(row_shape)
        for value in rows:
            if value.ndim != len(dims):
                raise errors.DataLossError(
                    None, None, f"Input element had shape {list(value.shape)} that is "
                    f"incompatible with the row shape {row_shape}.")
            for k, (d, n) in enumerate(zip(row_shape, value.shape)):
                if d >= 0 and n > d:
                    raise errors.DataLossError(
                        None, None, f"Input element had shape {list(value.shape)} that "
                        f"exceeds the row shape {row_shape}.")
                if d < 0:
                    dims[k] = max(dims[k], n, 0)
        indices = [np.concatenate([np.full((value.size, 1), i, np.int64),
                                   np.argwhere(np.ones(value.shape, bool)).astype(np.int64)],
                                  axis=1) for i, value in enumerate(rows)]
        values = [value.reshape(-1) for value in rows]
        return SparseTensorValue(np.concatenate(indices).reshape(-1, len(dims) + 1),
                                 np.concatenate(values),
                                 np.array([len(rows)] + [max(d, 0) for d in dims], np.int64))

    def open_() -> Iterator[tuple]:
        it = source.open()
        rows: list = []
        try:
            for element in it:
                rows.append(np.asarray(element[0]))
                if len(rows) == size:
                    yield (sparse(rows),)
                    rows = []
            if rows:
                yield (sparse(rows),)
        finally:
            closing_all([it])

    return Source(open_)


def _sql(attrs: dict, children: tuple, env: Env) -> Source:
    import sqlite3

    from flowgraph import dtypes
    driver = env.text(attrs["driver"], "driver_name")
    if driver != "sqlite":
        raise errors.InvalidArgumentError(None, None, f"The database type, {driver}, is not "
                                          "supported: only 'sqlite' is.")
    path = env.text(attrs["source"], "data_source_name")
    query = env.text(attrs["query"], "query")
    types = [dtypes.as_dtype(t) for t in attrs["types"]]

    def convert(value: Any, dtype: Any, column: int) -> Any:
        if dtype.is_string:
            out = np.empty((), dtype=object)
            out[()] = value if isinstance(value, bytes) else str(value).encode("utf-8")
            return out
        if value is None:
            raise errors.InvalidArgumentError(None, None, f"Column {column} is NULL")
        return np.asarray(value, dtype=dtype.np)

    def open_() -> Iterator[tuple]:
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise errors.NotFoundError(None, None, f"Cannot open the database {path!r}: "
                                       f"{exc}") from None
        try:
            cursor = connection.execute(query)
            for row in cursor:
                if len(row) != len(types):
                    raise errors.InvalidArgumentError(
                        None, None, f"The query returned {len(row)} columns, but "
                        f"output_types has {len(types)}")
                yield tuple(convert(v, t, k) for k, (v, t) in enumerate(zip(row, types)))
        except sqlite3.Error as exc:
            raise errors.InvalidArgumentError(None, None, f"SQLite error: {exc}") from None
        finally:
            connection.close()

    return Source(open_)


def _options(attrs: dict, children: tuple, env: Env) -> Source:
    return build(children[0], env)  # options do not change the elements


KINDS = {
    "Options": _options,
    "DenseToSparseBatch": _dense_to_sparse_batch,
    "Sql": _sql,
    "TakeWhile": _take_while,
    "Scan": _scan,
    "Unique": _unique,
    "GroupByWindow": _group_by_window,
    "GroupByReducer": _group_by_reducer,
    "ChooseFromDatasets": _choose,
    "Random": _random,
}

from flowgraph.data.engine_more import KINDS as _MORE_KINDS  # noqa: E402 - assert_cardinality, snapshot

KINDS.update(_MORE_KINDS)
