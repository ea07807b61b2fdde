"""fg.data.experimental: assert_cardinality, get_structure, pad_to_cardinality,
DatasetInitializer, table_from_dataset, index_table_from_dataset and snapshot. Expected
values and messages come from TF 2.21's tf.compat.v1 (run once, hard-coded here) or are
worked out by hand."""

import gzip
import os

import numpy as np
import pytest

import flowgraph as fg
from tests.data.util import drain, elements, scalars

D = fg.data.Dataset
E = fg.data.experimental


def _run_all(ds):
    nxt = fg.data.make_one_shot_iterator(ds).get_next()
    with fg.Session() as sess:
        return drain(nxt, sess)


# --------------------------------------------------------------------------- cardinality
def test_assert_cardinality_sets_cardinality_and_passes_matching_dataset():
    ds = D.range(5).apply(E.assert_cardinality(5))
    with fg.Session() as sess:
        assert sess.run(E.cardinality(ds)) == 5
        assert sess.run(E.cardinality(D.range(3).apply(
            E.assert_cardinality(E.INFINITE_CARDINALITY)))) == -1
    assert scalars(ds) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("n,expected,produced,message", [
    (3, 5, [0, 1, 2], "Input dataset was expected to contain 5 elements but contained only "
                      "3 elements."),
    (7, 5, [0, 1, 2, 3, 4], "Input dataset was expected to contain 5 elements but contained "
                            "at least 6 elements."),
    (3, -1, [0, 1, 2], "Input dataset was expected to contain an infinite number of elements "
                       "but contained only 3 elements."),
])
def test_assert_cardinality_mismatch(n, expected, produced, message):
    ds = D.range(n).apply(E.assert_cardinality(expected))
    nxt = fg.data.make_one_shot_iterator(ds).get_next()
    got = []
    with fg.Session() as sess:
        with pytest.raises(fg.errors.FailedPreconditionError) as info:
            for _ in range(10):
                got.append(int(sess.run(nxt)))
    assert got == produced
    assert message in str(info.value)


def test_assert_cardinality_with_fed_count():
    n = fg.placeholder(fg.int64, [])
    it = D.range(4).apply(E.assert_cardinality(n)).make_initializable_iterator()
    nxt = it.get_next()
    with fg.Session() as sess:
        sess.run(it.initializer, {n: 4})
        assert drain(nxt, sess) == [0, 1, 2, 3]
        sess.run(it.initializer, {n: 2})
        with pytest.raises(fg.errors.FailedPreconditionError, match="at least 3 elements"):
            drain(nxt, sess)


def test_get_structure():
    ds = D.from_tensor_slices({"a": [1, 2], "b": [[1.0], [2.0]]})
    spec = E.get_structure(ds)
    assert sorted(spec) == ["a", "b"]
    assert spec["a"].dtype == fg.int32 and spec["b"].shape.as_list() == [1]
    it = fg.data.make_one_shot_iterator(ds)
    assert E.get_structure(it)["b"].dtype == fg.float32
    with pytest.raises(TypeError, match="must be a `tf.data.Dataset` or tf.data.Iterator"):
        E.get_structure(3)


def test_pad_to_cardinality_matches_tf():
    ds = D.from_tensor_slices({"a": [1, 2]}).apply(E.pad_to_cardinality(4))
    assert sorted(ds.element_spec) == ["a", "valid"]
    assert ds.element_spec["valid"].dtype == fg.bool
    got = [(int(e["a"]), bool(e["valid"])) for e in _run_all(ds)]
    assert got == [(1, True), (2, True), (0, False), (0, False)]


def test_pad_to_cardinality_custom_key_and_errors():
    ds = D.from_tensor_slices({"x": [[1.5, 2.5]]}).apply(E.pad_to_cardinality(2, "real"))
    got = [(e["x"].tolist(), bool(e["real"])) for e in _run_all(ds)]
    assert got == [([1.5, 2.5], True), ([0.0, 0.0], False)]
    with pytest.raises(TypeError, match="dict elements"):
        D.range(3).apply(E.pad_to_cardinality(5))
    with pytest.raises(ValueError, match="already have a 'valid' entry"):
        D.from_tensor_slices({"valid": [1]}).apply(E.pad_to_cardinality(5))
    with pytest.raises(ValueError, match="known cardinalty"):
        D.from_tensor_slices({"a": [1, 2]}).filter(
            lambda e: fg.greater(e["a"], 1)).apply(E.pad_to_cardinality(5))
    with pytest.raises(ValueError, match="more than the cardinality"):
        D.from_tensor_slices({"a": [1, 2, 3]}).apply(E.pad_to_cardinality(2))


# --------------------------------------------------------------------------- lookup tables
def test_table_from_dataset_matches_tf():
    keys = D.range(100)
    values = keys.map(lambda x: fg.as_string(x * 2))
    table = E.table_from_dataset(D.zip((keys, values)), default_value="n/a",
                                 key_dtype=fg.int64)
    out = table.lookup(fg.constant([0, 1, 2, 500], fg.int64))
    assert table.resource_handle.name == "string_to_index/hash_table/hash_table:0"
    with fg.Session() as sess:
        sess.run(fg.tables_initializer())
        assert sess.run(out).tolist() == [b"0", b"2", b"4", b"n/a"]


def test_index_table_from_dataset_matches_tf():
    # TF 2.21: [0, 1, 2, 100, 100, 99] (fasthash buckets) and [0, 1, -1]
    vocab = D.range(100).map(lambda x: fg.as_string(x * 2))
    table = E.index_table_from_dataset(vocab, num_oov_buckets=2)
    small = E.index_table_from_dataset(D.from_tensor_slices(["a", "b", "c", "d"]),
                                       vocab_size=2)
    out = table.lookup(fg.constant(["0", "2", "4", "x", "hello", "198"]))
    out_small = small.lookup(fg.constant(["a", "b", "c"]))
    with fg.Session() as sess:
        sess.run(fg.tables_initializer())
        assert sess.run(out).tolist() == [0, 1, 2, 100, 100, 99]
        assert sess.run(out_small).tolist() == [0, 1, -1]


def test_vocab_size_larger_than_dataset_fails_on_initialization():
    E.index_table_from_dataset(D.from_tensor_slices(["a", "b"]), vocab_size=3)
    with fg.Session() as sess:
        with pytest.raises(fg.errors.FailedPreconditionError,
                           match="expected to contain 3 elements but contained only 2"):
            sess.run(fg.tables_initializer())


def test_dataset_initializer_and_empty_dataset():
    pairs = D.from_tensor_slices((["a", "b"], np.array([3.5, 4.5], np.float32)))
    table = fg.lookup.StaticHashTable(E.DatasetInitializer(pairs), -1.0)
    empty = D.from_tensor_slices((np.zeros([0], np.int64), np.zeros([0], np.int64)))
    empty_table = fg.lookup.StaticHashTable(E.DatasetInitializer(empty), 9)
    out = table.lookup(fg.constant(["b", "z", "a"]))
    out_empty = empty_table.lookup(fg.constant([1, 2], fg.int64))
    with fg.Session() as sess:
        sess.run(fg.tables_initializer())
        assert sess.run(out).tolist() == [4.5, -1.0, 3.5]
        assert sess.run(out_empty).tolist() == [9, 9]


def test_table_argument_errors():
    pairs = D.zip((D.range(3), D.range(3).map(lambda x: fg.as_string(x))))
    with pytest.raises(ValueError, match="`default_value` must be specified"):
        E.table_from_dataset(pairs, key_dtype=fg.int64)
    with pytest.raises(ValueError, match="num_oov_buckets"):
        E.table_from_dataset(pairs, num_oov_buckets=-1, default_value="", key_dtype=fg.int64)
    with pytest.raises(ValueError, match="`vocab_size` must be greater than 0"):
        E.table_from_dataset(pairs, vocab_size=0, default_value="", key_dtype=fg.int64)
    with pytest.raises(TypeError, match="`key_dtype` must be either an integer or string"):
        E.table_from_dataset(pairs, default_value="", key_dtype=fg.float32)
    with pytest.raises(ValueError, match="instead of two"):
        E.DatasetInitializer(D.range(3))
    with pytest.raises(ValueError, match="non-scalar key"):
        E.DatasetInitializer(D.from_tensor_slices(([[1, 2]], [3])))


# --------------------------------------------------------------------------- snapshot
def _counting_dataset(calls, n=5):
    def gen():
        calls.append(1)
        for i in range(n):
            yield i, "s" * i
    return D.from_generator(gen, (fg.int64, fg.string))


def _pairs(values):
    return [(int(a), bytes(np.asarray(b, dtype=object).item())) for a, b in values]


def test_snapshot_writes_once_then_reads(tmp_path):
    calls = []
    ds = _counting_dataset(calls).apply(E.snapshot(str(tmp_path)))
    expected = [(i, b"s" * i) for i in range(5)]
    assert _pairs(elements(ds)) == expected
    assert _pairs(elements(ds)) == expected  # a new Session: read from the files
    assert len(calls) == 1
    (folder,) = os.listdir(tmp_path)
    assert os.path.isfile(tmp_path / folder / "snapshot.metadata")


def test_snapshot_partial_pass_writes_nothing(tmp_path):
    calls = []
    ds = _counting_dataset(calls).apply(E.snapshot(str(tmp_path)))
    nxt = fg.data.make_one_shot_iterator(ds).get_next()
    with fg.Session() as sess:
        sess.run(nxt)
    for _, _, files in os.walk(tmp_path):
        assert files == []
    assert len(_pairs(elements(ds))) == 5
    assert len(calls) == 2  # the first complete pass wrote it
    assert len(_pairs(elements(ds))) == 5 and len(calls) == 2


def test_snapshot_changed_dataset_gets_its_own_folder(tmp_path):
    def make(factor):
        return D.range(4).map(lambda x: x * factor).apply(E.snapshot(str(tmp_path)))
    assert scalars(make(3)) == [0, 3, 6, 9]
    assert scalars(make(5)) == [0, 5, 10, 15]
    assert len(os.listdir(tmp_path)) == 2
    with fg.Graph().as_default():  # the same dataset rebuilt elsewhere reuses its folder
        assert scalars(make(3)) == [0, 3, 6, 9]
    assert len(os.listdir(tmp_path)) == 2


def test_snapshot_gzip_files_and_sparse_elements(tmp_path):
    sp = fg.SparseTensorValue([[0, 0], [1, 2]], [7.0, 8.0], [2, 3])
    ds = D.from_tensor_slices(sp).apply(E.snapshot(str(tmp_path), compression="GZIP"))
    first = elements(ds)
    second = elements(ds)
    chunks = [os.path.join(root, f) for root, _, files in os.walk(tmp_path)
              for f in files if f.endswith(".snapshot")]
    assert chunks
    with open(chunks[0], "rb") as f:
        assert f.read(2) == b"\x1f\x8b"  # gzip magic
    with gzip.open(chunks[0]) as f:
        assert f.read(8) == b"FLOWGRPH"
    for a, b in zip(first, second):
        assert a.indices.tolist() == b.indices.tolist()
        assert a.values.tolist() == b.values.tolist()
    assert [e.values.tolist() for e in second] == [[7.0], [8.0]]
    assert [e.indices.tolist() for e in second] == [[[0]], [[2]]]


def test_snapshot_shard_func_groups_by_shard(tmp_path):
    ds = D.range(10).apply(E.snapshot(str(tmp_path), shard_func=lambda x: x % 3))
    assert scalars(ds) == list(range(10))  # the writing pass keeps the order
    assert scalars(ds) == [0, 3, 6, 9, 1, 4, 7, 2, 5, 8]  # read back shard by shard
    with pytest.raises(ValueError, match="scalar int64"):
        D.range(3).apply(E.snapshot(str(tmp_path), shard_func=lambda x: fg.cast(x, fg.float32)))


def test_snapshot_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="compression"):
        E.snapshot(str(tmp_path), compression="LZ4")
    with pytest.raises(TypeError, match="reader_func must be callable"):
        D.range(3).apply(E.snapshot(str(tmp_path), reader_func=3))


def test_snapshot_damaged_metadata_is_data_loss(tmp_path):
    ds = D.range(3).apply(E.snapshot(str(tmp_path)))
    assert scalars(ds) == [0, 1, 2]
    (folder,) = os.listdir(tmp_path)
    (tmp_path / folder / "snapshot.metadata").write_text("{not json")
    with pytest.raises(fg.errors.DataLossError, match="Delete that folder"):
        scalars(ds)


# --------------------------------------------------------------------------- snapshot reader_func
def test_snapshot_reader_func_interleaves_shards(tmp_path):
    # shard_func x % 2 writes shard 0 = [0, 2, 4, 6, 8] and shard 1 = [1, 3, 5, 7, 9]
    ds = D.range(10).apply(E.snapshot(
        str(tmp_path), shard_func=lambda x: x % 2,
        reader_func=lambda datasets: datasets.interleave(lambda x: x, cycle_length=2)))
    assert scalars(ds) == list(range(10))  # the writing pass: the input's order
    assert scalars(ds) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]  # one from each shard in turn
    assert scalars(ds) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_snapshot_reader_func_cycle_and_block_lengths(tmp_path):
    # shards of x % 3: [0, 3, 6, 9], [1, 4, 7], [2, 5, 8]
    def reader(datasets):
        return datasets.interleave(lambda x: x, cycle_length=2, block_length=2)
    ds = D.range(10).apply(E.snapshot(str(tmp_path), shard_func=lambda x: x % 3,
                                      reader_func=reader))
    assert scalars(ds) == list(range(10))
    # shards 0 and 1 two at a time; when shard 0 ends, shard 2 takes its place
    assert scalars(ds) == [0, 3, 1, 4, 6, 9, 7, 2, 5, 8]


def test_snapshot_reader_func_flat_map_and_shuffle(tmp_path):
    flat = E.snapshot(str(tmp_path / "flat"), shard_func=lambda x: x % 2,
                      reader_func=lambda datasets: datasets.flat_map(lambda x: x))
    ds = D.range(10).apply(flat)
    assert scalars(ds) == list(range(10))
    assert scalars(ds) == [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]  # shard after shard

    def shuffled(datasets):
        return datasets.flat_map(lambda x: x).shuffle(10, seed=7)
    ds = D.range(10).apply(E.snapshot(str(tmp_path / "shuffled"), shard_func=lambda x: x % 2,
                                      reader_func=shuffled))
    assert scalars(ds) == list(range(10))
    read = scalars(ds)
    assert sorted(read) == list(range(10))
    assert scalars(ds) == read  # seeded: the same order in every new Session

    def shards_shuffled(datasets):
        return datasets.shuffle(4).interleave(lambda x: x, cycle_length=1)
    ds = D.range(12).apply(E.snapshot(str(tmp_path / "shards"), shard_func=lambda x: x % 4,
                                      reader_func=shards_shuffled))
    assert scalars(ds) == list(range(12))
    read = scalars(ds)
    blocks = [read[i:i + 3] for i in range(0, 12, 3)]  # whole shards, in some order
    assert sorted(blocks) == [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]


def test_snapshot_reader_func_tuple_elements_read_from_files(tmp_path):
    calls = []
    source = _counting_dataset(calls, n=5)
    ds = source.apply(E.snapshot(
        str(tmp_path), shard_func=lambda i, s: i % 2,
        reader_func=lambda datasets: datasets.interleave(lambda x: x, cycle_length=2)))
    assert _pairs(elements(ds)) == [(i, b"s" * i) for i in range(5)]
    # shards [0, 2, 4] and [1, 3] taken in turn
    assert _pairs(elements(ds)) == [(i, b"s" * i) for i in (0, 1, 2, 3, 4)]
    assert len(calls) == 1  # the second pass read the files
    ds = source.apply(E.snapshot(
        str(tmp_path), shard_func=lambda i, s: i % 2,
        reader_func=lambda datasets: datasets.flat_map(lambda x: x)))
    assert _pairs(elements(ds)) == [(i, b"s" * i) for i in (0, 2, 4, 1, 3)]
    assert len(calls) == 1  # the reader_func is no part of the snapshot's fingerprint


def test_snapshot_reader_func_captures_fed_tensors(tmp_path):
    limit = fg.placeholder(fg.int64, [])
    ds = D.range(10).apply(E.snapshot(
        str(tmp_path), shard_func=lambda x: x % 2,
        reader_func=lambda datasets: datasets.flat_map(lambda x: x).filter(
            lambda y: y < limit)))
    assert [int(v) for v in elements(ds, {limit: 4})] == list(range(10))  # writing
    assert [int(v) for v in elements(ds, {limit: 4})] == [0, 2, 1, 3]
    assert [int(v) for v in elements(ds, {limit: 7})] == [0, 2, 4, 6, 1, 3, 5]


@pytest.mark.parametrize("reader, error, message", [
    (lambda datasets: 3, fg.errors.InvalidArgumentError, "must be a scalar of dtype DT_VARIANT"),
    (lambda datasets: datasets, fg.errors.InvalidArgumentError,
     "expected int64 but got variant"),
    (lambda datasets: datasets.flat_map(lambda x: x).map(lambda x: (x, x)),
     fg.errors.InternalError, "Expected 1 components but got 2"),
    (lambda datasets: datasets.flat_map(lambda x: x).map(lambda x: fg.cast(x, fg.int32)),
     fg.errors.InvalidArgumentError, "expected int64 but got int32"),
    (lambda datasets: datasets.flat_map(lambda x: x).batch(2),
     fg.errors.InvalidArgumentError, "Incompatible shapes at component 0"),
])
def test_snapshot_reader_func_result_errors_when_reading(tmp_path, reader, error, message):
    # as TF: writing ignores reader_func; the first pass that reads the snapshot fails
    ds = D.range(4).apply(E.snapshot(str(tmp_path), shard_func=lambda x: x % 2,
                                     reader_func=reader))
    assert scalars(ds) == [0, 1, 2, 3]
    with pytest.raises(error, match=message):
        scalars(ds)
