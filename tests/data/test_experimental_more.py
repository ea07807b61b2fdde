"""fg.data.experimental transformations and sources added for TF1 fidelity: take_while,
scan, unique, group_by_window, bucket_by_sequence_length, group_by_reducer,
choose_from_datasets, sample_from_datasets, Counter, RandomDataset, parallel_interleave.
Expected values are worked out by hand from TF1's documented semantics."""

import numpy as np
import pytest

import flowgraph as fg
from tests.data.util import elements, scalars

D = fg.data.Dataset
E = fg.data.experimental


def test_take_while_stops_at_first_false():
    ds = D.from_tensor_slices([1, 3, 5, 2, 7]).apply(E.take_while(lambda x: fg.equal(x % 2, 1)))
    assert scalars(ds) == [1, 3, 5]


def test_take_while_needs_scalar_bool():
    with pytest.raises(ValueError, match="scalar boolean"):
        D.range(3).apply(E.take_while(lambda x: x))


def test_scan_running_sum_and_restart():
    # outputs the state before adding: 0, 0, 1, 3, 6
    ds = D.range(5).apply(E.scan(np.int64(0), lambda s, x: (s + x, s)))
    assert scalars(ds) == [0, 0, 1, 3, 6]
    it = ds.make_initializable_iterator()
    nxt = it.get_next()
    with fg.Session() as sess:
        sess.run(it.initializer)
        first = [sess.run(nxt) for _ in range(3)]
        sess.run(it.initializer)  # a new pass starts from the initial state again
        again = [sess.run(nxt) for _ in range(3)]
    assert first == again == [0, 0, 1]


def test_scan_tuple_state_and_growing_state_shape():
    ds = D.range(4).apply(E.scan((np.int64(0), np.int64(1)),
                                 lambda s, x: ((s[0] + x, s[1] * 2), (s[0], s[1]))))
    got = [tuple(int(v) for v in e) for e in elements(ds)]
    assert got == [(0, 1), (0, 2), (1, 4), (3, 8)]
    grow = D.range(3).apply(E.scan(fg.constant([7], fg.int64),
                                   lambda s, x: (fg.concat([s, [x]], 0), s)))
    assert grow.output_shapes.as_list() == [None]
    assert [v.tolist() for v in elements(grow)] == [[7], [7, 0], [7, 0, 1]]


def test_scan_state_type_must_not_change():
    with pytest.raises(TypeError, match="new state"):
        D.range(3).apply(E.scan(np.int64(0), lambda s, x: (fg.cast(s, fg.float32), x)))


def test_unique_keeps_first_occurrence():
    words = D.from_tensor_slices(["a", "b", "a", "c", "b"]).apply(E.unique())
    assert [w for w in scalars(words)] == [b"a", b"b", b"c"]
    assert scalars(D.from_tensor_slices([3, 1, 3, 3, 2, 1]).apply(E.unique())) == [3, 1, 2]
    with pytest.raises(TypeError, match="single"):
        D.from_tensor_slices([1.0, 2.0]).apply(E.unique())


def test_group_by_window_full_windows_then_rest_by_key():
    ds = D.range(10).apply(E.group_by_window(lambda x: x % 3, lambda k, w: w.batch(3), 3))
    got = [v.tolist() for v in elements(ds)]
    # windows are passed on when full: key 0 gets 0,3,6 first, then 1,4,7 and 2,5,8; the
    # unfinished window of key 0 ([9]) comes at the end.
    assert got == [[0, 3, 6], [1, 4, 7], [2, 5, 8], [9]]


def test_group_by_window_size_func_and_tuples():
    ds = D.range(9).apply(E.group_by_window(
        lambda x: x % 2, lambda k, w: w.batch(9).map(lambda b: (k, b)),
        window_size_func=lambda k: k + 2))
    got = [(int(k), b.tolist()) for k, b in elements(ds)]
    assert got == [(0, [0, 2]), (1, [1, 3, 5]), (0, [4, 6]), (0, [8]), (1, [7])]
    pairs = D.from_tensor_slices((np.arange(4), np.arange(4) * 1.5)).apply(
        E.group_by_window(lambda a, b: a % 2, lambda k, w: w.batch(2), 2))
    got = [(a.tolist(), b.tolist()) for a, b in elements(pairs)]
    assert got == [([0, 2], [0.0, 3.0]), ([1, 3], [1.5, 4.5])]


def test_group_by_window_arguments():
    with pytest.raises(ValueError, match="window_size"):
        E.group_by_window(lambda x: x, lambda k, w: w)
    with pytest.raises(ValueError, match="int64"):
        D.range(3).apply(E.group_by_window(lambda x: fg.cast(x, fg.int32),
                                           lambda k, w: w, 2))


def _ragged(n):
    return D.range(1, n + 1).map(lambda x: fg.fill([x], x))


def test_bucket_by_sequence_length_pads_each_batch_to_its_longest():
    ds = _ragged(6).apply(E.bucket_by_sequence_length(
        lambda x: fg.shape(x)[0], [3, 5], [2, 2, 2]))
    got = [v.tolist() for v in elements(ds)]
    assert got == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]],
                   [[5, 5, 5, 5, 5, 0], [6, 6, 6, 6, 6, 6]]]


def test_bucket_by_sequence_length_to_boundary_and_padded_shapes():
    ds = _ragged(6).apply(E.bucket_by_sequence_length(
        lambda x: fg.shape(x)[0], [3, 5, 8], [2, 2, 2, 2], pad_to_bucket_boundary=True))
    assert [v.shape for v in elements(ds)] == [(2, 2), (2, 4), (2, 7)]
    fixed = _ragged(4).apply(E.bucket_by_sequence_length(
        lambda x: fg.shape(x)[0], [3], [2, 2], padded_shapes=[5],
        padding_values=np.int64(-1)))
    assert [v.tolist() for v in elements(fixed)] == [
        [[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]], [[3, 3, 3, -1, -1], [4, 4, 4, 4, -1]]]


def test_bucket_by_sequence_length_no_padding_drop_remainder():
    ds = D.range(1, 7).map(lambda x: (x, fg.fill([2], x))).apply(
        E.bucket_by_sequence_length(lambda a, b: fg.cast(a, fg.int32), [3], [2, 3],
                                    no_padding=True, drop_remainder=True))
    got = [(a.tolist(), b.tolist()) for a, b in elements(ds)]
    assert got == [([1, 2], [[1, 1], [2, 2]]), ([3, 4, 5], [[3, 3], [4, 4], [5, 5]])]
    with pytest.raises(ValueError, match="bucket_batch_sizes"):
        E.bucket_by_sequence_length(lambda x: x, [3], [2])


def test_group_by_reducer_sums_per_key():
    reducer = E.Reducer(lambda key: (key, np.int64(0)), lambda s, x: (s[0], s[1] + x),
                        lambda key, total: (key, total * 10))
    ds = D.range(7).apply(E.group_by_reducer(lambda x: x % 3, reducer))
    got = [(int(k), int(t)) for k, t in elements(ds)]
    # keys in the order first seen: 0 -> 0+3+6, 1 -> 1+4, 2 -> 2+5
    assert got == [(0, 90), (1, 50), (2, 70)]


def test_choose_from_datasets_skips_exhausted_inputs():
    choice = D.from_tensor_slices(np.int64([0, 0, 0, 1, 0, 1, 1, 1]))
    ds = E.choose_from_datasets([D.range(2), D.range(10, 13)], choice)
    assert scalars(ds) == [0, 1, 10, 11, 12]
    with pytest.raises(TypeError, match="int64"):
        E.choose_from_datasets([D.range(2)], D.range(3).map(lambda x: fg.cast(x, fg.int32)))


def test_sample_from_datasets():
    only_first = E.sample_from_datasets([D.from_tensors(0).repeat(),
                                         D.from_tensors(1).repeat()], weights=[1.0, 0.0],
                                        seed=1).take(5)
    assert scalars(only_first) == [0] * 5
    mixed = E.sample_from_datasets([D.range(3), D.range(10, 13)], seed=3)
    values = scalars(mixed)
    assert sorted(values) == [0, 1, 2, 10, 11, 12]
    assert [v for v in values if v < 10] == [0, 1, 2]  # each input keeps its order


def test_counter_and_random_dataset():
    assert scalars(E.Counter(5, -2, fg.int32).take(3)) == [5, 3, 1]
    assert E.Counter().output_types == fg.int64
    first = scalars(E.RandomDataset(seed=4).take(3))
    assert scalars(E.RandomDataset(seed=4).take(3)) == first and len(set(first)) == 3


def test_parallel_interleave_keeps_interleave_order():
    ds = D.range(1, 4).apply(E.parallel_interleave(
        lambda x: D.from_tensors(x).repeat(3), cycle_length=2, block_length=2))
    assert scalars(ds) == [1, 1, 2, 2, 1, 2, 3, 3, 3]


def test_small_transformations():
    assert scalars(D.range(3).apply(E.copy_to_device("/cpu:0"))
                   .apply(E.prefetch_to_device("/cpu:0"))) == [0, 1, 2]
    assert scalars(D.range(10).apply(E.filter_for_shard(3, 1))) == [1, 4, 7]
    got = elements(D.from_tensor_slices(["a", "b"]).enumerate(5))
    assert [(int(i), w) for i, w in got] == [(5, b"a"), (6, b"b")]
    doubled = D.range(3).map_with_legacy_function(lambda x: x * 2) \
        .filter_with_legacy_function(lambda x: x > 0)
    assert scalars(doubled) == [2, 4]
