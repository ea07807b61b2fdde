"""fg.lookup tables: initialization through tables_initializer, per-Session state, shapes,
names and errors as TF1. Expected ids are hand-computed; hash-bucket ids were recorded from
TensorFlow 2.21's tf.compat.v1.lookup."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.lookup as lookup
from flowgraph.contrib import lookup as contrib_lookup


def _kv(keys, values):
    return lookup.KeyValueTensorInitializer(keys, np.array(values, np.int64))


def test_static_hash_table_needs_initializer_then_looks_up_any_shape():
    with fg.Graph().as_default():
        table = lookup.StaticHashTable(_kv(["a", "b", "c"], [10, 20, 30]), -1)
        out = table.lookup(fg.constant([[["c"], ["x"]], [["a"], ["b"]]]))
        assert out.shape.as_list() == [2, 2, 1]
        assert table.key_dtype == fg.string and table.value_dtype == fg.int64
        assert table.name == "hash_table"
        with fg.Session() as sess:
            with pytest.raises(fg.errors.FailedPreconditionError, match="Table not initialized"):
                sess.run(out)
            sess.run(fg.tables_initializer())
            np.testing.assert_array_equal(sess.run(out), [[[30], [-1]], [[10], [20]]])
            assert sess.run(table.size()) == 3
        # A new Session has its own, uninitialized table.
        with fg.Session() as sess:
            with pytest.raises(fg.errors.FailedPreconditionError):
                sess.run(out)


def test_initializer_is_in_table_initializers_collection():
    with fg.Graph().as_default() as graph:
        table = lookup.StaticHashTable(_kv(["a"], [1]), 0)
        assert graph.get_collection(fg.GraphKeys.TABLE_INITIALIZERS) == [table.initializer]
        assert table.initializer.name == "key_value_init/InitializeTableV2"


def test_int64_keys_and_float_values():
    with fg.Graph().as_default():
        init = lookup.KeyValueTensorInitializer(np.array([3, 7], np.int64),
                                                np.array([0.5, 1.5], np.float32))
        table = lookup.StaticHashTable(init, -2.0)
        out = table.lookup(fg.constant([7, 8, 3], fg.int64))
        with fg.Session() as sess:
            sess.run(table.initializer)
            np.testing.assert_allclose(sess.run(out), [1.5, -2.0, 0.5])


def test_key_dtype_mismatch_is_type_error():
    with fg.Graph().as_default():
        table = lookup.StaticHashTable(_kv(["a"], [1]), -1)
        with pytest.raises(TypeError, match="Signature mismatch"):
            table.lookup(fg.constant([1], fg.int64))


def test_duplicate_keys_fail_at_initialization():
    with fg.Graph().as_default():
        table = lookup.StaticHashTable(_kv(["a", "b", "a"], [0, 1, 2]), -1)
        with fg.Session() as sess:
            with pytest.raises(fg.errors.FailedPreconditionError, match="same key"):
                sess.run(table.initializer)


def test_reinitializing_with_same_data_is_fine():
    with fg.Graph().as_default():
        table = lookup.StaticHashTable(_kv(["a", "b"], [0, 1]), -1)
        with fg.Session() as sess:
            sess.run(table.initializer)
            sess.run(table.initializer)
            assert sess.run(table.size()) == 2


def test_static_vocabulary_table_oov_ids_match_tf():
    with fg.Graph().as_default():
        table = lookup.StaticVocabularyTable(_kv(["x", "y"], [0, 1]), 10)
        out = table.lookup(fg.constant(["x", "hello", "world", "y", "flowgraph"]))
        with fg.Session() as sess:
            sess.run(fg.tables_initializer())
            # TF 2.21 tf.compat.v1: [0, 8, 10, 1, 2] and size 12.
            np.testing.assert_array_equal(sess.run(out), [0, 8, 10, 1, 2])
            assert sess.run(table.size()) == 12


def test_text_file_initializer_columns(tmp_path):
    path = tmp_path / "vocab.tsv"
    path.write_text("apple\t7\nbanana\t9\ncherry\t11\n")
    with fg.Graph().as_default():
        by_line = lookup.StaticHashTable(lookup.TextFileInitializer(
            str(path), fg.string, 0, fg.int64, lookup.TextFileIndex.LINE_NUMBER), -1)
        by_column = lookup.StaticHashTable(lookup.TextFileInitializer(
            str(path), fg.string, 0, fg.int64, 1), -1)
        lines = lookup.StaticHashTable(lookup.TextFileInitializer(
            str(path), fg.int64, lookup.TextFileIndex.LINE_NUMBER, fg.string,
            lookup.TextFileIndex.WHOLE_LINE, vocab_size=2), "?")
        keys = fg.constant(["cherry", "kiwi", "apple"])
        with fg.Session() as sess:
            sess.run(fg.tables_initializer())
            np.testing.assert_array_equal(sess.run(by_line.lookup(keys)), [2, -1, 0])
            np.testing.assert_array_equal(sess.run(by_column.lookup(keys)), [11, -1, 7])
            got = sess.run(lines.lookup(fg.constant([1, 2, 0], fg.int64)))
            assert list(got) == [b"banana\t9", b"?", b"apple\t7"]


def test_missing_vocabulary_file_is_not_found():
    with fg.Graph().as_default():
        table = lookup.StaticHashTable(lookup.TextFileInitializer(
            "/nonexistent/vocab.txt", fg.string, -2, fg.int64, -1), -1)
        with fg.Session() as sess:
            with pytest.raises(fg.errors.NotFoundError, match="vocab.txt"):
                sess.run(table.initializer)


def test_text_file_initializer_validates_indices():
    with pytest.raises(ValueError, match="Signature mismatch"):
        lookup.TextFileInitializer("v.txt", fg.string, -1, fg.int64, -2)


def test_mutable_hash_table_insert_lookup_export_size():
    with fg.Graph().as_default():
        table = contrib_lookup.MutableHashTable(fg.string, fg.int64, -1)
        assert table.name == "MutableHashTable"
        insert = table.insert(fg.constant(["a", "b"]), fg.constant([4, 5], fg.int64))
        out = table.lookup(fg.constant([["b", "q"]]))
        with fg.Session() as sess:
            np.testing.assert_array_equal(sess.run(out), [[-1, -1]])  # usable without init
            sess.run(insert)
            np.testing.assert_array_equal(sess.run(out), [[5, -1]])
            assert sess.run(table.size()) == 2
            keys, values = sess.run(table.export())
            assert dict(zip(keys, values)) == {b"a": 4, b"b": 5}


def test_mutable_hash_table_vector_values():
    with fg.Graph().as_default():
        table = contrib_lookup.MutableHashTable(fg.int64, fg.float32, [0.0, 0.0])
        insert = table.insert(fg.constant([1], fg.int64), fg.constant([[2.0, 3.0]]))
        out = table.lookup(fg.constant([[1, 9]], fg.int64))
        assert out.shape.as_list() == [1, 2, 2]
        with fg.Session() as sess:
            sess.run(insert)
            np.testing.assert_allclose(sess.run(out), [[[2.0, 3.0], [0.0, 0.0]]])


def test_dense_hash_table_rejects_empty_key():
    with fg.Graph().as_default():
        table = lookup.experimental.DenseHashTable(fg.int64, fg.int64, -1, empty_key=0,
                                                   deleted_key=-1)
        good = table.insert(fg.constant([5], fg.int64), fg.constant([50], fg.int64))
        bad = table.insert(fg.constant([0], fg.int64), fg.constant([1], fg.int64))
        with fg.Session() as sess:
            sess.run(good)
            assert sess.run(table.lookup(fg.constant([5, 6], fg.int64))).tolist() == [50, -1]
            with pytest.raises(fg.errors.InvalidArgumentError, match="empty_key"):
                sess.run(bad)


def test_sparse_keys_keep_indices():
    with fg.Graph().as_default():
        table = contrib_lookup.HashTable(_kv(["a", "b"], [1, 2]), 0)
        sparse = fg.SparseTensor([[0, 0], [1, 2]], ["b", "z"], [2, 3])
        out = table.lookup(sparse)
        with fg.Session() as sess:
            sess.run(table.init)
            value = sess.run(out)
            np.testing.assert_array_equal(value.values, [2, 0])
            np.testing.assert_array_equal(value.indices, [[0, 0], [1, 2]])
