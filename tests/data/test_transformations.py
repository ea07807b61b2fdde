"""fg.data transformations against plain-Python expectations."""

import threading

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.data import Dataset, experimental
from tests.data.util import drain, elements, scalars


def test_map_unpacks_tuples_and_traces_once():
    calls = []

    def fn(a, b):
        calls.append((a, b))
        return {"sum": a + b, "ten": 10}

    ds = Dataset.zip((Dataset.range(3), Dataset.range(10, 13))).map(fn)
    assert len(calls) == 1 and isinstance(calls[0][0], fg.Tensor)
    assert ds.output_types == {"sum": fg.int64, "ten": fg.int32}
    got = elements(ds)
    assert [int(e["sum"]) for e in got] == [10, 12, 14]
    assert [int(e["ten"]) for e in got] == [10, 10, 10]
    assert len(calls) == 1  # running does not call the Python function again


def test_map_dict_element_and_list_result():
    ds = Dataset.from_tensor_slices({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    ds = ds.map(lambda d: [d["x"] * 2.0, d["y"]])
    assert ds.output_types == (fg.float32, fg.float32)  # a returned list is a tuple
    assert [(float(a), float(b)) for a, b in elements(ds)] == [(2.0, 3.0), (4.0, 4.0)]


def test_map_captures_outer_tensors():
    # as TF1, a map function may use tensors of the graph it is traced from
    outer = fg.constant(2)
    assert scalars(Dataset.range(3).map(lambda x: x * fg.cast(outer, fg.int64))) == [0, 2, 4]


def test_map_in_threads_preserves_order():
    # Work that grows with the element, so that later elements could overtake earlier ones.
    def slow(x):
        n = fg.cast(20000 - x * 97, fg.int32)
        return x, fg.reduce_sum(fg.tanh(fg.ones(fg.reshape(n, [1]))))

    ds = Dataset.range(120).map(slow, num_parallel_calls=4)
    got = elements(ds)
    assert [int(a) for a, _ in got] == list(range(120))
    expect = [np.float32(np.tanh(np.float32(1.0))) * (20000 - i * 97) for i in range(120)]
    np.testing.assert_allclose([b for _, b in got], expect, rtol=1e-3)


def test_parallel_map_uses_several_threads():
    from flowgraph.data import engine
    names = set()
    lock = threading.Lock()

    def spy(self, element):
        with lock:
            names.add(threading.current_thread().name)
        return runner_call(self, element)

    runner_call = engine.FunctionRunner.__call__
    engine.FunctionRunner.__call__ = spy
    try:
        got = scalars(Dataset.range(50).map(lambda x: x + 1, num_parallel_calls=3))
    finally:
        engine.FunctionRunner.__call__ = runner_call
    assert got == list(range(1, 51))
    assert len([n for n in names if n.startswith("fg-data-map")]) >= 2


def test_filter():
    ds = Dataset.range(10).filter(lambda x: fg.equal(x % 3, 0))
    assert scalars(ds) == [0, 3, 6, 9]
    with pytest.raises(ValueError, match="scalar boolean"):
        Dataset.range(3).filter(lambda x: x)


def test_batch_remainder_and_static_shapes():
    ds = Dataset.from_tensor_slices(np.arange(10).reshape(5, 2))
    kept = ds.batch(2)
    assert kept.output_shapes.as_list() == [None, 2]
    assert [b.tolist() for b in elements(kept)] == [[[0, 1], [2, 3]], [[4, 5], [6, 7]],
                                                    [[8, 9]]]
    dropped = ds.batch(2, drop_remainder=True)
    assert dropped.output_shapes.as_list() == [2, 2]
    assert len(elements(dropped)) == 2
    # not the fast path (after a map): same results
    mapped = ds.map(lambda v: v * 1).batch(3)
    assert [b.shape for b in elements(mapped)] == [(3, 2), (2, 2)]


def test_batch_of_different_shapes_fails():
    ds = Dataset.range(1, 4).map(lambda n: fg.zeros(fg.reshape(fg.cast(n, fg.int32), [1])))
    nxt = ds.batch(2).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError,
                           match="Cannot batch tensors with different shapes in component 0"):
            sess.run(nxt)


def test_padded_batch():
    ds = Dataset.range(1, 5).map(lambda n: (fg.fill(fg.reshape(fg.cast(n, fg.int32), [1]), n),
                                            fg.as_string(n)))
    padded = ds.padded_batch(2, padded_shapes=([None], []), padding_values=(np.int64(-1), ""))
    assert padded.output_shapes[0].as_list() == [None, None]
    got = elements(padded)
    assert got[0][0].tolist() == [[1, -1], [2, 2]]
    assert got[1][0].tolist() == [[3, 3, 3, -1], [4, 4, 4, 4]]
    assert got[1][1].tolist() == [b"3", b"4"]
    fixed = ds.map(lambda v, s: v).padded_batch(3, padded_shapes=[5], drop_remainder=True)
    assert fixed.output_shapes.as_list() == [3, 5]
    assert [b.tolist() for b in elements(fixed)] == [[[1, 0, 0, 0, 0], [2, 2, 0, 0, 0],
                                                      [3, 3, 3, 0, 0]]]
    small = ds.map(lambda v, s: v).padded_batch(4, padded_shapes=[2])
    nxt = small.make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="smaller size"):
            sess.run(nxt)


def test_unbatch_and_flat_map():
    ds = Dataset.from_tensor_slices(np.arange(6).reshape(3, 2))
    assert scalars(ds.unbatch()) == [0, 1, 2, 3, 4, 5]
    assert scalars(ds.apply(experimental.unbatch())) == [0, 1, 2, 3, 4, 5]
    flat = Dataset.range(1, 4).flat_map(lambda n: Dataset.range(n).map(lambda i: n * 10 + i))
    assert scalars(flat) == [10, 20, 21, 30, 31, 32]
    with pytest.raises(ValueError, match="scalar components"):
        Dataset.range(3).unbatch()


def test_interleave_order_matches_tf1():
    # The example of TF1's documentation.
    ds = Dataset.range(1, 6).interleave(lambda x: Dataset.from_tensors(x).repeat(6),
                                        cycle_length=2, block_length=4)
    assert scalars(ds) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3,
                           4, 4, 5, 5, 5, 5, 5, 5]


def test_shuffle_is_a_permutation_seeded_and_reproducible():
    ds = Dataset.range(50).shuffle(20, seed=4)
    first = scalars(ds)
    assert sorted(first) == list(range(50)) and first != list(range(50))
    assert scalars(ds) == first  # a new Session replays the same seeded order
    assert scalars(Dataset.range(50).shuffle(20, seed=5)) != first
    assert scalars(Dataset.range(5).shuffle(1, seed=4)) == [0, 1, 2, 3, 4]


def test_shuffle_buffer_bounds_how_far_elements_move():
    got = scalars(Dataset.range(200).shuffle(10, seed=1))
    # with a buffer of 10, the element output at position i was read by position i + 9
    assert all(v <= i + 9 for i, v in enumerate(got))


def test_graph_seed_makes_shuffles_reproducible():
    def build():
        graph = fg.Graph()
        with graph.as_default():
            fg.set_random_seed(11)
            nxt = Dataset.range(30).shuffle(30).make_one_shot_iterator().get_next()
            with fg.Session() as sess:
                return [int(v) for v in drain(nxt, sess)]

    assert build() == build()


def test_reshuffle_each_iteration():
    per_epoch = Dataset.range(20).shuffle(20, seed=2).repeat(3)
    got = scalars(per_epoch)
    epochs = [got[0:20], got[20:40], got[40:60]]
    assert all(sorted(e) == list(range(20)) for e in epochs)
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]
    same = scalars(Dataset.range(20).shuffle(20, seed=2, reshuffle_each_iteration=False)
                   .repeat(3))
    assert same[0:20] == same[20:40] == same[40:60]
    assert scalars(per_epoch) == got  # reproducible across Sessions


def test_repeat_take_skip_shard():
    assert scalars(Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert scalars(Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert scalars(Dataset.range(3).repeat(0)) == []
    assert scalars(Dataset.range(0).repeat()) == []  # empty forever is empty
    assert scalars(Dataset.range(5).take(-1)) == [0, 1, 2, 3, 4]
    assert scalars(Dataset.range(5).take(0)) == []
    assert scalars(Dataset.range(5).skip(2)) == [2, 3, 4]
    assert scalars(Dataset.range(5).skip(-1)) == []
    assert scalars(Dataset.range(10).shard(3, 1)) == [1, 4, 7]
    # TF1 checks the shard index in the kernel: InvalidArgumentError when the iterator runs
    with pytest.raises(fg.errors.InvalidArgumentError, match="Index must be between 0 and 1"):
        scalars(Dataset.range(3).shard(2, 2))


def test_prefetch_values_and_errors():
    assert scalars(Dataset.range(25).prefetch(3)) == list(range(25))
    assert scalars(Dataset.range(5).prefetch(0)) == list(range(5))
    assert scalars(Dataset.range(5).prefetch(experimental.AUTOTUNE)) == list(range(5))

    def failing():
        yield 1
        raise RuntimeError("boom in the generator")

    nxt = Dataset.from_generator(failing, fg.int32).prefetch(2).make_one_shot_iterator()
    nxt = nxt.get_next()
    with fg.Session() as sess:
        assert sess.run(nxt) == 1
        with pytest.raises(fg.errors.OpError, match="boom in the generator"):
            sess.run(nxt)


def test_memory_cache_replays_without_rerunning_input():
    calls = []

    def gen():
        calls.append(1)
        yield from range(4)

    ds = Dataset.from_generator(gen, fg.int64).cache().repeat(3)
    assert scalars(ds) == [0, 1, 2, 3] * 3
    assert len(calls) == 1


def test_file_cache_is_reused_by_later_sessions(tmp_path):
    calls = []

    def gen():
        calls.append(1)
        for i in range(5):
            yield i, str(i) * i

    prefix = str(tmp_path / "cache" / "rows")
    ds = Dataset.from_generator(gen, (fg.int64, fg.string)).cache(prefix)
    first = elements(ds)
    assert [(int(a), b) for a, b in first] == [(i, (str(i) * i).encode()) for i in range(5)]
    assert (tmp_path / "cache" / "rows.index").exists()
    again = elements(ds)
    assert [(int(a), b) for a, b in again] == [(int(a), b) for a, b in first]
    assert len(calls) == 1  # the second Session read the files


def test_file_cache_of_an_abandoned_pass_is_not_used(tmp_path):
    prefix = str(tmp_path / "partial")
    nxt = Dataset.range(10).cache(prefix).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        assert [int(sess.run(nxt)) for _ in range(3)] == [0, 1, 2]
    assert not (tmp_path / "partial.index").exists()
    assert scalars(Dataset.range(10).cache(prefix)) == list(range(10))
    assert (tmp_path / "partial.index").exists()


def test_window_with_flat_map():
    ds = Dataset.range(7).window(3, shift=2)
    assert [b.tolist() for b in elements(ds.flat_map(lambda w: w.batch(3)))] == \
        [[0, 1, 2], [2, 3, 4], [4, 5, 6], [6]]
    dropped = Dataset.range(7).window(3, 2, drop_remainder=True)
    assert [b.tolist() for b in elements(dropped.flat_map(lambda w: w.batch(3)))] == \
        [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    strided = Dataset.range(10).window(2, shift=4, stride=3)
    assert [b.tolist() for b in elements(strided.flat_map(lambda w: w.batch(2)))] == \
        [[0, 3], [4, 7], [8]]
    pairs = Dataset.zip((Dataset.range(4), Dataset.range(10, 14))).window(2)
    zipped = pairs.flat_map(lambda a, b: Dataset.zip((a.batch(2), b.batch(2))))
    assert [(a.tolist(), b.tolist()) for a, b in elements(zipped)] == \
        [([0, 1], [10, 11]), ([2, 3], [12, 13])]
    with pytest.raises(TypeError, match="flat_map"):
        Dataset.range(4).window(2).batch(2)


def test_reduce():
    total = Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x)
    stats = Dataset.from_tensor_slices([2.0, 4.0]).reduce(
        (0.0, 1.0), lambda s, x: (s[0] + x, s[1] * x))
    # a state whose shape grows: relaxed to an unknown dimension
    grown = Dataset.range(3).reduce(np.zeros([0], np.int64),
                                    lambda s, x: fg.concat([s, fg.reshape(x, [1])], 0))
    assert grown.shape.as_list() == [None]
    with fg.Session() as sess:
        assert sess.run(total) == 10
        assert sess.run(stats) == (6.0, 8.0)
        assert sess.run(grown).tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="must match the initial state"):
        Dataset.range(3).reduce(np.int64(0), lambda s, x: fg.cast(s, fg.float32))


def test_apply_enumerate_and_helpers():
    ds = Dataset.from_tensor_slices(["a", "b"]).apply(experimental.enumerate_dataset(5))
    assert [(int(i), v) for i, v in elements(ds)] == [(5, b"a"), (6, b"b")]
    both = Dataset.range(4).apply(experimental.map_and_batch(lambda x: x * 2, 3))
    assert [b.tolist() for b in elements(both)] == [[0, 2, 4], [6]]
    with pytest.raises(TypeError, match="must return a Dataset"):
        Dataset.range(2).apply(lambda d: 3)


def test_ignore_errors_on_map():
    ds = Dataset.from_tensor_slices(["1", "x", "3"]).map(fg.string_to_number)
    skipped = ds.apply(experimental.ignore_errors())
    assert [float(v) for v in elements(skipped)] == [1.0, 3.0]
    nxt = ds.make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        assert sess.run(nxt) == 1.0
        with pytest.raises(fg.errors.InvalidArgumentError):
            sess.run(nxt)


def test_nested_functions_use_the_enclosing_functions_tensors():
    ds = Dataset.range(1, 4).flat_map(
        lambda n: Dataset.range(n).map(lambda i: n * 10 + i)
        .filter(lambda v: fg.less(v, n * 10 + 2)))
    assert scalars(ds) == [10, 20, 21, 30, 31]
    outer = Dataset.range(2).interleave(
        lambda a: Dataset.range(3).flat_map(lambda b: Dataset.from_tensors(a * 100 + b)),
        cycle_length=1)
    assert scalars(outer) == [0, 1, 2, 100, 101, 102]


def test_random_ops_in_map_functions_replay_with_seeds():
    seeded = Dataset.range(5).map(lambda x: fg.random_uniform([], seed=3))
    first = [float(v) for v in elements(seeded)]
    assert len(set(first)) == 5 and all(0.0 <= v < 1.0 for v in first)
    assert [float(v) for v in elements(seeded)] == first  # a new Session replays
    unseeded = Dataset.range(5).map(lambda x: fg.random_uniform([]))
    assert [float(v) for v in elements(unseeded)] != [float(v) for v in elements(unseeded)]
