"""fg.contrib.lookup's index tables; ids hand-computed, hash-bucket ids recorded from
TensorFlow 2.21's tf.compat.v1 lookup_ops."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.contrib import lookup


def test_index_table_from_tensor_names_and_default():
    with fg.Graph().as_default():
        table = lookup.index_table_from_tensor(["emerson", "lake", "palmer"])
        assert table.name == "hash_table"
        assert table.resource_handle.op.name == "string_to_index/hash_table/hash_table"
        out = table.lookup(fg.constant(["palmer", "king", "emerson"]))
        with fg.Session() as sess:
            sess.run(fg.tables_initializer())
            np.testing.assert_array_equal(sess.run(out), [2, -1, 0])


def test_index_table_from_tensor_oov_buckets_match_tf():
    with fg.Graph().as_default():
        strings = lookup.index_table_from_tensor(["omar", "stringer", "marlo"],
                                                 num_oov_buckets=100)
        ints = lookup.index_table_from_tensor(fg.constant([10, 20, 30], fg.int64),
                                              num_oov_buckets=7, dtype=fg.int64)
        s_ids = strings.lookup(fg.constant(["marlo", "skywalker", "omar", "heisenberg"]))
        i_ids = ints.lookup(fg.constant([[10, 5], [30, 12345]], fg.int64))
        with fg.Session() as sess:
            sess.run(fg.tables_initializer())
            # TF's feature_column_test and TF 2.21's outputs.
            np.testing.assert_array_equal(sess.run(s_ids), [2, 33, 0, 62])
            np.testing.assert_array_equal(sess.run(i_ids), [[0, 4], [2, 9]])
            assert sess.run(ints.size()) == 10


def test_index_table_from_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("emerson\nlake\npalmer\n")
    with fg.Graph().as_default():
        table = lookup.index_table_from_file(str(path), default_value=-5)
        small = lookup.index_table_from_file(str(path), vocab_size=2)
        out = table.lookup(fg.constant(["lake", "nope"]))
        with fg.Session() as sess:
            sess.run(fg.tables_initializer())
            np.testing.assert_array_equal(sess.run(out), [1, -5])
            assert sess.run(small.lookup(fg.constant(["palmer"]))).tolist() == [-1]
            assert sess.run(small.size()) == 2


def test_index_table_from_file_int_keys(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("42\n7\n")
    with fg.Graph().as_default():
        table = lookup.index_table_from_file(str(path), key_dtype=fg.int64)
        out = table.lookup(fg.constant([7, 42, 3], fg.int64))
        with fg.Session() as sess:
            sess.run(fg.tables_initializer())
            np.testing.assert_array_equal(sess.run(out), [1, 0, -1])


def test_index_to_string_from_tensor_and_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("zero\none\n")
    with fg.Graph().as_default():
        from_tensor = lookup.index_to_string_table_from_tensor(["a", "b", "c"])
        from_file = lookup.index_to_string_table_from_file(str(path), default_value="?")
        ids = fg.constant([[2, 5]], fg.int64)
        with fg.Session() as sess:
            sess.run(fg.tables_initializer())
            assert sess.run(from_tensor.lookup(ids)).tolist() == [[b"c", b"UNK"]]
            assert sess.run(from_file.lookup(ids)).tolist() == [[b"?", b"?"]]
            assert sess.run(from_file.lookup(fg.constant([1], fg.int64))).tolist() == [b"one"]


def test_string_to_index_and_index_to_string():
    with fg.Graph().as_default():
        ids = lookup.string_to_index(fg.constant(["b", "x", "a"]), ["a", "b"])
        words = lookup.index_to_string(fg.constant([1, 0, 9], fg.int64), ["a", "b"])
        with fg.Session() as sess:
            with pytest.raises(fg.errors.FailedPreconditionError):
                sess.run(ids)
            sess.run(fg.tables_initializer())
            np.testing.assert_array_equal(sess.run(ids), [1, -1, 0])
            assert sess.run(words).tolist() == [b"b", b"a", b"UNK"]


def test_id_table_with_hash_buckets_without_table():
    with fg.Graph().as_default():
        table = lookup.IdTableWithHashBuckets(None, 100)
        out = table.lookup(fg.constant(["skywalker", "heisenberg"]))
        with fg.Session() as sess:
            # The vocabulary-of-3 ids above minus 3: Fingerprint64 % 100.
            np.testing.assert_array_equal(sess.run(out), [30, 59])
            assert sess.run(table.size()) == 100


def test_argument_errors():
    with pytest.raises(ValueError, match="num_oov_buckets"):
        lookup.index_table_from_tensor(["a"], num_oov_buckets=-1)
    with pytest.raises(ValueError, match="vocabulary_file"):
        lookup.index_table_from_file(None)
    with fg.Graph().as_default():
        with pytest.raises(ValueError):
            lookup.index_table_from_tensor([1, 2], dtype=fg.string)
