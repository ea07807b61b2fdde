"""The parallel map's self-feeding workers: input order kept, errors raised in order, the
number of elements taken ahead bounded, prefetch on top adding to that bound instead of a
thread, and the workers ending when the iterator is dropped."""

import threading
import time

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.data import Dataset
from flowgraph.data.parallel_map import parallel_map
from tests.data.util import elements


def counting_source(count, pulled, fail_at=None):
    def open_():
        for i in range(count):
            if i == fail_at:
                raise ValueError(f"bad input {i}")
            pulled.append(i)
            yield (i,)
    return open_


def slow_square(element):
    time.sleep(0.002 * ((element[0] * 7) % 5))  # finish out of order
    return element[0] ** 2


def test_results_in_input_order_with_skips():
    skipped = object()

    def call(element):
        return skipped if element[0] % 4 == 3 else slow_square(element)

    got = list(parallel_map(counting_source(40, []), call, 3, 5, skipped))
    assert got == [i * i for i in range(40) if i % 4 != 3]


def test_map_error_raised_after_the_earlier_results():
    def call(element):
        if element[0] == 6:
            raise fg.errors.InvalidArgumentError(None, None, "element 6 is bad")
        return slow_square(element)

    it = parallel_map(counting_source(20, []), call, 3, 4, object())
    assert [next(it) for _ in range(6)] == [0, 1, 4, 9, 16, 25]
    with pytest.raises(fg.errors.InvalidArgumentError, match="element 6"):
        next(it)


def test_source_error_raised_in_order():
    it = parallel_map(counting_source(20, [], fail_at=5), slow_square, 2, 3, object())
    assert [next(it) for _ in range(5)] == [0, 1, 4, 9, 16]
    with pytest.raises(ValueError, match="bad input 5"):
        next(it)


@pytest.mark.parametrize("capacity", [2, 5])
def test_elements_taken_ahead_are_bounded(capacity):
    pulled = []
    it = parallel_map(counting_source(100, pulled), lambda e: e[0], 2, capacity, object())
    assert next(it) == 0
    time.sleep(0.05)  # the workers run ahead as far as they may
    assert len(pulled) == 1 + capacity
    assert next(it) == 1
    time.sleep(0.05)
    assert len(pulled) == 2 + capacity
    it.close()


def test_workers_end_when_the_pass_is_dropped():
    before = {t for t in threading.enumerate() if t.name.startswith("fg-data-map")}
    it = parallel_map(counting_source(10**6, []), lambda e: e[0], 3, 4, object())
    assert next(it) == 0
    it.close()
    after = {t for t in threading.enumerate() if t.name.startswith("fg-data-map")}
    assert after <= before


def test_prefetch_on_a_parallel_map_runs_no_thread_of_its_own():
    pulled = []

    def gen():
        for i in range(1000):
            pulled.append(i)
            yield np.float32(i)

    ds = Dataset.from_generator(gen, fg.float32, []).map(lambda x: x * 2, num_parallel_calls=2)
    nxt = ds.prefetch(3).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        assert sess.run(nxt) == 0.0
        time.sleep(0.1)
        names = [t.name for t in threading.enumerate()]
        assert not [n for n in names if n.startswith("fg-data-prefetch")]
        # the map's capacity (2 calls + 1) and the 3 prefetched, past the one consumed
        assert len(pulled) == 1 + 3 + 3
        assert [sess.run(nxt) for _ in range(5)] == [2.0, 4.0, 6.0, 8.0, 10.0]


def test_parallel_map_with_prefetch_matches_the_sequential_map():
    def fn(x):
        return fg.tanh(fg.cast(x, fg.float64) * 0.1) + 1.0

    got = elements(Dataset.range(64).map(fn, num_parallel_calls=3).prefetch(2))
    np.testing.assert_allclose(got, np.tanh(np.arange(64) * 0.1) + 1.0, rtol=1e-12)
