"""tf.train.Saver saves and restores mutable lookup tables as TF1 does: the entries of a
table named N are written as "N-keys" and "N-values" (names and contents checked against
a TF 1.15-style checkpoint made with tf.compat.v1), and restoring replaces the contents."""

import os
import tempfile
import warnings

import numpy as np
import pytest

import flowgraph as tf
from flowgraph.ops.lookup_ops import LookupTableSize
from flowgraph.ops.registry import apply_op


def _build():
    strings = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
    dense = tf.lookup.experimental.DenseHashTable(tf.int64, tf.float32, default_value=0.0,
                                                  empty_key=-1, deleted_key=-2, name="dense")
    vectors = tf.contrib.lookup.MutableHashTable(tf.int64, tf.float32, [0.0, 0.0], name="vec")
    v = tf.Variable(1.0, name="v")
    return strings, dense, vectors, v


def _save(path):
    with tf.Graph().as_default():
        strings, dense, vectors, v = _build()
        inserts = [strings.insert(["a", "b"], [1, 2]), dense.insert([5, 7], [0.5, 0.7]),
                   vectors.insert([3], [[1.0, 2.0]])]
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(inserts)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SAVEABLE_OBJECTS is not in the meta graph
                return saver.save(sess, path)


def test_checkpoint_holds_keys_and_values_under_tf1_names():
    prefix = _save(os.path.join(tempfile.mkdtemp(), "model"))
    reader = tf.train.NewCheckpointReader(prefix)
    shapes = reader.get_variable_to_shape_map()
    # The names and shapes TF 1.15 writes for these tables (dense tables aside: TF writes
    # their whole bucket array, flowgraph only the entries).
    assert sorted(shapes) == ["MutableHashTable-keys", "MutableHashTable-values",
                              "dense-keys", "dense-values", "v", "vec-keys", "vec-values"]
    assert shapes["vec-values"] == [1, 2]
    keys = list(reader.get_tensor("MutableHashTable-keys"))
    values = list(reader.get_tensor("MutableHashTable-values"))
    assert dict(zip(keys, values)) == {b"a": 1, b"b": 2}
    assert reader.get_variable_to_dtype_map()["MutableHashTable-values"] == tf.int64
    np.testing.assert_array_equal(reader.get_tensor("vec-keys"), [3])
    np.testing.assert_array_equal(reader.get_tensor("vec-values"), [[1.0, 2.0]])


def test_restore_in_a_new_graph_and_session():
    prefix = _save(os.path.join(tempfile.mkdtemp(), "model"))
    with tf.Graph().as_default():
        strings, dense, vectors, v = _build()
        found = [strings.lookup(tf.constant(["b", "a", "zz"])),
                 dense.lookup(tf.constant([7, 5, 6], tf.int64)),
                 vectors.lookup(tf.constant([3, 4], tf.int64)),
                 strings.size()]
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            got = sess.run(found + [v])
    np.testing.assert_array_equal(got[0], [2, 1, -1])
    np.testing.assert_allclose(got[1], [0.7, 0.5, 0.0])
    np.testing.assert_allclose(got[2], [[1.0, 2.0], [0.0, 0.0]])
    assert got[3] == 2
    assert got[4] == 1.0


def test_restore_replaces_entries_inserted_before():
    prefix = _save(os.path.join(tempfile.mkdtemp(), "model"))
    with tf.Graph().as_default():
        strings, _, _, _ = _build()
        insert = strings.insert(["c"], [30])
        found = strings.lookup(tf.constant(["a", "c"]))
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(insert)
            saver.restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(found), [1, -1])


def test_restore_through_the_meta_graph_saver_def():
    directory = tempfile.mkdtemp()
    prefix = _save(os.path.join(directory, "model"))
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        graph = tf.get_default_graph()
        handle = graph.get_tensor_by_name("MutableHashTable:0")
        size = apply_op(LookupTableSize(), [handle])
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            assert sess.run(size) == 2


def test_checkpoint_false_tables_are_not_saved():
    with tf.Graph().as_default():
        tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1, checkpoint=False)
        assert tf.get_collection(tf.GraphKeys.SAVEABLE_OBJECTS) == []
        with pytest.raises(ValueError, match="No variables to save"):
            tf.train.Saver()


def test_missing_table_in_checkpoint_is_an_error():
    directory = tempfile.mkdtemp()
    with tf.Graph().as_default():
        tf.Variable(1.0, name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = saver.save(sess, os.path.join(directory, "only_v"))
    with tf.Graph().as_default():
        tf.Variable(1.0, name="v")
        tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1, name="t")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            with pytest.raises(tf.errors.NotFoundError, match="t-keys"):
                saver.restore(sess, prefix)
