"""crossed_column and weighted_categorical_column."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import feature_column as fc
from flowgraph.feature_column.builder import _LazyBuilder
from tests.feature_column.helpers import run


def test_crossed_column_name_and_validation():
    price = fc.bucketized_column(fc.numeric_column("price"), [1.0])
    col = fc.crossed_column(["b", price, "a"], 10)
    assert col.name == "a_X_b_X_price_bucketized" and col._num_buckets == 10
    nested = fc.crossed_column([col, "c"], 5)
    assert nested.name == "a_X_b_X_c_X_price_bucketized"
    with pytest.raises(ValueError, match="keys must be a list with length > 1"):
        fc.crossed_column(["a"], 10)
    with pytest.raises(ValueError, match="hash_bucket_size must be > 1"):
        fc.crossed_column(["a", "b"], 0)
    with pytest.raises(ValueError, match="hash_bucket is not supported for crossing"):
        fc.crossed_column(["a", fc.categorical_column_with_hash_bucket("b", 3)], 10)
    with pytest.raises(ValueError, match="Unsupported key type"):
        fc.crossed_column(["a", fc.numeric_column("b")], 10)


def test_crossed_ids_match_tensorflow():
    # TF's feature_column_test (test_get_sparse_tensors of _CrossedColumn), exact ids.
    a = fc.numeric_column("a", dtype=fg.int32, shape=(2,))
    b = fc.bucketized_column(a, boundaries=(0, 1))
    crossed1 = fc.crossed_column(["d1", "d2"], 10)
    crossed2 = fc.crossed_column([b, "c", crossed1], 15, hash_key=5)

    def sparse(values):
        return fg.SparseTensor(indices=((0, 0), (1, 0), (1, 1)), values=values,
                               dense_shape=(2, 2))

    with fg.Graph().as_default():
        builder = _LazyBuilder({"a": fg.constant(((-1.0, 0.5), (0.5, 1.0))),
                                "c": sparse(["cA", "cB", "cC"]),
                                "d1": sparse(["d1A", "d1B", "d1C"]),
                                "d2": sparse(["d2A", "d2B", "d2C"])})
        value = run(crossed2._get_sparse_tensors(builder).id_tensor)
    assert value.indices.tolist() == [[0, 0], [0, 1]] + [[1, k] for k in range(16)]
    assert value.values.tolist() == [6, 14, 0, 13, 8, 8, 10, 12, 2, 0, 1, 9, 8, 12, 2, 0,
                                     10, 11]
    assert value.dense_shape.tolist() == [2, 16]


def test_crossed_column_in_linear_model_sums_one_weight_per_cross():
    with fg.Graph().as_default():
        col = fc.crossed_column(["x", "y"], 1000)
        features = {"x": [["a"], ["b"]], "y": [["c"], ["d"]]}
        ids = run(col._get_sparse_tensors(_LazyBuilder(features)).id_tensor).values
        cols_to_vars = {}
        logits = fc.linear_model(features, [col], cols_to_vars=cols_to_vars)
        weights = cols_to_vars[col][0]
        assert weights.name == "linear_model/x_X_y/weights:0"
        table = np.arange(1000, dtype=np.float32).reshape(1000, 1)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(weights.assign(table))
            value = sess.run(logits)
    np.testing.assert_allclose(value, table[ids])


def test_weighted_categorical_column():
    ids = fc.categorical_column_with_identity("ids", 3)
    col = fc.weighted_categorical_column(ids, "values")
    assert col.name == "ids_weighted_by_values" and col._num_buckets == 3
    with pytest.raises(ValueError, match="not convertible to float"):
        fc.weighted_categorical_column(ids, "values", dtype=fg.string)
    with fg.Graph().as_default():
        features = {"ids": [[0, 2], [1, -1]], "values": [[0.5, 2.0], [3.0, 0.0]]}
        pair = col._get_sparse_tensors(_LazyBuilder(features))
        id_value, weight_value = run([pair.id_tensor, pair.weight_tensor])
    assert id_value.values.tolist() == [0, 2, 1]
    np.testing.assert_allclose(weight_value.values, [0.5, 2.0, 3.0])
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="Bad dtype, expected fg.float32.*'values'"):
            col._get_sparse_tensors(_LazyBuilder({"ids": [[0]], "values": [[1]]}))
        with pytest.raises(ValueError, match="Feature values is not in features dictionary"):
            col._get_sparse_tensors(_LazyBuilder({"ids": [[0]]}))


def test_weighted_column_in_linear_model_and_indicator():
    ids = fc.categorical_column_with_identity("ids", 3)
    col = fc.weighted_categorical_column(ids, "w")
    features = {"ids": [[0, 2], [1, 1]], "w": [[0.5, 2.0], [3.0, 1.0]]}
    with fg.Graph().as_default():
        cols_to_vars = {}
        logits = fc.linear_model(features, [col], cols_to_vars=cols_to_vars)
        assign = cols_to_vars[col][0].assign([[10.0], [20.0], [30.0]])
        multi_hot = fc.input_layer(features, [fc.indicator_column(col)])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(assign)
            value, hot = sess.run([logits, multi_hot])
    # Weighted sum: row 0 = 0.5 * 10 + 2 * 30; row 1 = 3 * 20 + 1 * 20.
    np.testing.assert_allclose(value, [[65.0], [80.0]])
    np.testing.assert_allclose(hot, [[0.5, 0.0, 2.0], [0.0, 4.0, 0.0]])
