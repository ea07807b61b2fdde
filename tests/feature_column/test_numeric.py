"""numeric_column and bucketized_column: TF1 properties, validation, dense values."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import feature_column as fc
from tests.feature_column.helpers import run


def test_numeric_column_properties():
    col = fc.numeric_column("price")
    assert col.name == "price" and col.key == "price"
    assert col.shape == (1,) and col.default_value is None and col.dtype == fg.float32
    assert fc.numeric_column("v", shape=3).shape == (3,)
    assert fc.numeric_column("v", shape=(2, 2), default_value=0).default_value == \
        ((0, 0), (0, 0))
    assert fc.numeric_column("v", default_value=1.5).default_value == (1.5,)
    # Columns are namedtuples: equal arguments give equal, hashable columns.
    assert fc.numeric_column("a") == fc.numeric_column("a")
    assert len({fc.numeric_column("a"), fc.numeric_column("a")}) == 1


@pytest.mark.parametrize("kwargs, error, text", [
    (dict(key=3), ValueError, "key must be a string"),
    (dict(key="a", shape=(0,)), ValueError, "greater than 0"),
    (dict(key="a", shape=(1.5,)), TypeError, "must be integer"),
    (dict(key="a", dtype=fg.string), ValueError, "convertible to float"),
    (dict(key="a", normalizer_fn=3), TypeError, "callable"),
    (dict(key="a", shape=(2,), default_value=[1.0]), ValueError, "shape of default_value"),
    (dict(key="a", dtype=fg.int32, default_value=0.5), TypeError, "compatible with dtype"),
])
def test_numeric_column_rejects_bad_arguments(kwargs, error, text):
    with pytest.raises(error, match=text):
        fc.numeric_column(**kwargs)


def test_numeric_values_1d_2d_lists_and_normalizer():
    with fg.Graph().as_default():
        a = fc.numeric_column("a")
        b = fc.numeric_column("b", shape=(2,), dtype=fg.int64, normalizer_fn=lambda x: x * 2)
        out = fc.input_layer({"a": [1.0, -2.0], "b": np.array([[1, 2], [3, 4]], np.int64)},
                             [b, a])
        value = run(out)
    # Sorted by name: a (1 column) then b (2 columns, doubled, as float32).
    np.testing.assert_array_equal(value, [[1.0, 2.0, 4.0], [-2.0, 6.0, 8.0]])
    assert value.dtype == np.float32


def test_numeric_multidimensional_shape_is_flattened():
    x = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    with fg.Graph().as_default():
        out = fc.input_layer({"x": x}, [fc.numeric_column("x", shape=(2, 3))])
        assert out.shape.as_list() == [2, 6]
        np.testing.assert_array_equal(run(out), x.reshape(2, 6))


def test_numeric_with_placeholder_of_unknown_batch():
    with fg.Graph().as_default():
        holder = fg.placeholder(fg.float32, [None])
        out = fc.input_layer({"p": holder}, [fc.numeric_column("p")])
        assert out.shape.as_list() == [None, 1]
        np.testing.assert_array_equal(run(out, {holder: [3.0, 4.0, 5.0]}),
                                      [[3.0], [4.0], [5.0]])


def test_bad_numeric_features_name_the_column_and_key():
    col = fc.numeric_column("price", shape=(2,))
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="Feature price is not in features dictionary.*"
                                             "'price'.*'size'"):
            fc.input_layer({"size": [[1.0, 2.0]]}, [col])
        with pytest.raises(ValueError, match="'price'.*expects 2 value.*shape \\[1, 3\\]"):
            fc.input_layer({"price": [[1.0, 2.0, 3.0]]}, [col])
        with pytest.raises(ValueError, match="numeric_column 'price' needs numbers"):
            fc.input_layer({"price": [["a", "b"]]}, [col])
        with pytest.raises(ValueError, match="key: price.*cannot have rank 0"):
            fc.input_layer({"price": 3.0}, [col])
        sparse = fg.SparseTensor([[0, 0]], [1.0], [1, 2])
        with pytest.raises(ValueError, match="SparseTensor is not supported. key: price"):
            fc.input_layer({"price": sparse}, [col])


# --------------------------------------------------------------------------- bucketized
def test_bucketized_column_properties():
    price = fc.numeric_column("price", shape=(2,))
    col = fc.bucketized_column(price, [0.0, 10.0, 100.0])
    assert col.name == "price_bucketized"
    assert col.boundaries == (0.0, 10.0, 100.0)
    assert col._num_buckets == 8  # 4 buckets for each of the 2 dimensions
    assert col._variable_shape.as_list() == [2, 4]


@pytest.mark.parametrize("source, boundaries, text", [
    ("price", [1.0], "numeric_column"),
    (fc.numeric_column("p", shape=(2, 2)), [1.0], "one-dimensional"),
    (fc.numeric_column("p"), [2.0, 1.0], "sorted list"),
    (fc.numeric_column("p"), [1.0, 1.0], "sorted list"),
    (fc.numeric_column("p"), [], "sorted list"),
])
def test_bucketized_column_rejects_bad_arguments(source, boundaries, text):
    with pytest.raises(ValueError, match=text):
        fc.bucketized_column(source, boundaries)


def test_bucketized_dense_is_one_hot_of_numpy_buckets():
    edges = [-1.0, 0.5, 2.0]
    x = np.array([[-5.0, -1.0], [0.0, 0.5], [1.9, 2.0], [7.0, 0.49]], np.float32)
    # Independent reference: bucket = number of boundaries <= value; one-hot of 4.
    buckets = np.array([[sum(b <= v for b in edges) for v in row] for row in x])
    expected = np.eye(4, dtype=np.float32)[buckets].reshape(4, 8)
    with fg.Graph().as_default():
        col = fc.bucketized_column(fc.numeric_column("x", shape=(2,)), edges)
        np.testing.assert_array_equal(run(fc.input_layer({"x": x}, [col])), expected)


def test_bucketized_in_linear_model_weights_per_dimension_bucket():
    x = np.array([[-5.0, 3.0], [1.0, -1.0]], np.float32)
    with fg.Graph().as_default():
        col = fc.bucketized_column(fc.numeric_column("x", shape=(2,)), [0.0, 2.0])
        cols_to_vars = {}
        logits = fc.linear_model({"x": x}, [col], cols_to_vars=cols_to_vars)
        weights = cols_to_vars[col][0]
        assert weights.name == "linear_model/x_bucketized/weights:0"
        assert weights.shape.as_list() == [6, 1]
        assign = weights.assign(np.arange(1, 7, dtype=np.float32).reshape(6, 1))
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(assign)
            value = sess.run(logits)
    # Row 0: dim 0 bucket 0 -> id 0 (w=1), dim 1 bucket 2 -> id 3 + 2 = 5 (w=6).
    # Row 1: dim 0 bucket 1 -> id 1 (w=2), dim 1 bucket 0 -> id 3 (w=4).
    np.testing.assert_allclose(value, [[7.0], [6.0]])
