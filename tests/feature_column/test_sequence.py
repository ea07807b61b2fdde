"""Sequence feature columns and sequence_input_layer, against values taken from a real
TensorFlow run of the same columns (hard-coded here)."""

import inspect

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import feature_column as fc
from flowgraph.feature_column.sequence import sequence_input_layer


def _table(shape, dtype=None, partition_info=None):
    n = int(np.prod(shape))
    return fg.constant(np.arange(n, dtype=np.float32).reshape(shape) / 10.0 + 1.0)


def _run(*tensors):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(fg.tables_initializer())
        return sess.run(list(tensors))


def test_constructors_signatures_and_names():
    assert str(inspect.signature(fc.sequence_numeric_column)).startswith(
        "(key: 'str', shape: 'Any' = (1,), default_value: 'float' = 0.0")
    col = fc.sequence_numeric_column("x", shape=(2,))
    assert (col.name, col.shape, col.default_value) == ("x", (2,), 0.0)
    assert col._parse_example_spec == {"x": fc.parse_spec.VarLenFeature(fg.float32)}
    ids = fc.sequence_categorical_column_with_identity("ids", 5)
    assert (ids.name, ids._num_buckets) == ("ids", 5)
    assert fc.embedding_column(ids, 3).name == "ids_embedding"
    words = fc.sequence_categorical_column_with_vocabulary_list("w", ["a", "b"],
                                                                num_oov_buckets=1)
    assert words._num_buckets == 3
    assert fc.sequence_categorical_column_with_hash_bucket("h", 7)._num_buckets == 7
    with pytest.raises(ValueError, match="dtype must be convertible to float"):
        fc.sequence_numeric_column("x", dtype=fg.string)


def test_sequence_numeric_values_and_lengths():
    with fg.Graph().as_default():
        sp = fg.SparseTensor([[0, 0], [0, 1], [0, 2], [1, 0], [2, 1]],
                             [1.0, 2.0, 3.0, 4.0, 5.0], [4, 3])
        net, length = sequence_input_layer({"x": sp}, [fc.sequence_numeric_column("x")])
        pairs = fg.SparseTensor([[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1], [1, 2]],
                                [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [2, 4])
        net2, length2 = sequence_input_layer(
            {"y": pairs}, [fc.sequence_numeric_column("y", shape=(2,), default_value=-1.0)])
        got = _run(net, length, net2, length2)
    np.testing.assert_array_equal(got[0][..., 0], [[1, 2, 3], [4, 0, 0], [0, 5, 0], [0, 0, 0]])
    np.testing.assert_array_equal(got[1], [3, 1, 2, 0])
    np.testing.assert_array_equal(got[2], [[[1, 2], [3, 4]], [[5, 6], [7, -1]]])
    np.testing.assert_array_equal(got[3], [2, 2])


def test_sequence_embedding_keeps_time_steps():
    ids = fc.sequence_categorical_column_with_identity("ids", 4)
    with fg.Graph().as_default():
        sp = fg.SparseTensor([[0, 0], [0, 1], [1, 0], [3, 2]],
                             fg.constant([1, 2, 3, 0], fg.int64), [4, 3])
        net, length = sequence_input_layer(
            {"ids": sp}, [fc.embedding_column(ids, 2, initializer=_table)])
        sp3 = fg.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]],
                              fg.constant([1, 2, 3, 0], fg.int64), [2, 2, 2])
        net3, length3 = sequence_input_layer(
            {"ids": sp3}, [fc.embedding_column(ids, 2, initializer=_table, combiner="sum")])
        names = [v.name for v in fg.global_variables()]
        got = _run(net, length, net3, length3)
    assert names == ["sequence_input_layer/ids_embedding/embedding_weights:0",
                     "sequence_input_layer_1/ids_embedding/embedding_weights:0"]
    np.testing.assert_allclose(got[0], [[[1.2, 1.3], [1.4, 1.5], [0, 0]],
                                        [[1.6, 1.7], [0, 0], [0, 0]],
                                        [[0, 0], [0, 0], [0, 0]],
                                        [[0, 0], [0, 0], [1.0, 1.1]]], rtol=1e-6)
    np.testing.assert_array_equal(got[1], [2, 1, 0, 3])
    np.testing.assert_allclose(got[2], [[[2.6, 2.8], [1.6, 1.7]], [[1.0, 1.1], [0, 0]]],
                               rtol=1e-6)
    np.testing.assert_array_equal(got[3], [2, 1])


def test_sequence_indicator_and_concatenation():
    words = fc.sequence_categorical_column_with_vocabulary_list("w", ["a", "b", "c"])
    with fg.Graph().as_default():
        sp = fg.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 1]], ["a", "c", "b", "zz"], [3, 2])
        steps = fg.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 1]], [5.0, 6.0, 7.0, 8.0], [3, 2])
        net, length = sequence_input_layer({"w": sp, "n": steps},
                                           [fc.sequence_numeric_column("n"),
                                            fc.indicator_column(words)])
        got = _run(net, length)
    # Columns in name order: n, w_indicator.
    np.testing.assert_array_equal(got[0], [[[5, 1, 0, 0], [6, 0, 0, 1]],
                                           [[7, 0, 1, 0], [8, 0, 0, 0]],
                                           [[0, 0, 0, 0], [0, 0, 0, 0]]])
    np.testing.assert_array_equal(got[1], [2, 2, 0])


def test_sequence_columns_and_layers_refuse_each_other():
    ids = fc.sequence_categorical_column_with_identity("ids", 4)
    with fg.Graph().as_default():
        sp = fg.SparseTensor([[0, 0]], fg.constant([1], fg.int64), [1, 1])
        with pytest.raises(ValueError, match="must not be of type _SequenceCategoricalColumn"):
            fc.input_layer({"ids": sp}, [fc.embedding_column(ids, 2)])
        with pytest.raises(ValueError, match="must not be of type _SequenceCategoricalColumn"):
            fc.input_layer({"ids": sp}, [fc.indicator_column(ids)])
        with pytest.raises(ValueError, match="must be of type _SequenceDenseColumn"):
            sequence_input_layer({"x": sp}, [fc.numeric_column("x")])
        plain = fc.categorical_column_with_identity("ids", 4)
        with pytest.raises(ValueError, match="must be of type _SequenceCategoricalColumn"):
            sequence_input_layer({"ids": sp}, [fc.embedding_column(plain, 2)])


def test_unequal_sequence_lengths_fail_when_run():
    with fg.Graph().as_default():
        a = fg.SparseTensor([[0, 0], [0, 1]], [1.0, 2.0], [1, 2])
        b = fg.SparseTensor([[0, 0]], [1.0], [1, 2])
        net, length = sequence_input_layer({"a": a, "b": b},
                                           [fc.sequence_numeric_column("a"),
                                            fc.sequence_numeric_column("b")])
        with fg.Session() as sess:
            with pytest.raises(fg.errors.InvalidArgumentError):
                sess.run(length)
