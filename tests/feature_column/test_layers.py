"""input_layer and linear_model: ordering, variable names, collections, values, errors."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import feature_column as fc
from tests.feature_column.helpers import run


def test_input_layer_orders_columns_by_name():
    features = {"b": [[1.0], [2.0]], "a": [[10.0, 20.0], [30.0, 40.0]],
                "color": [["red"], ["blue"]]}
    cols = [fc.numeric_column("b"), fc.numeric_column("a", shape=(2,)),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list(
                "color", ["blue", "red"]))]
    with fg.Graph().as_default():
        out = fc.input_layer(features, cols)
        assert out.name.startswith("input_layer/")
        value = run(out)
    # a (2), b (1), color_indicator (2)
    np.testing.assert_array_equal(value, [[10.0, 20.0, 1.0, 0.0, 1.0],
                                          [30.0, 40.0, 2.0, 1.0, 0.0]])


def test_indicator_is_multi_hot_counts():
    col = fc.indicator_column(fc.categorical_column_with_identity("tag", 4))
    assert col.name == "tag_indicator" and col._variable_shape.as_list() == [1, 4]
    sparse = fg.SparseTensorValue(indices=[[0, 0], [0, 1], [0, 2], [2, 0]],
                                  values=np.array([3, 1, 3, 0], np.int64), dense_shape=[3, 3])
    with fg.Graph().as_default():
        value = run(fc.input_layer({"tag": sparse}, [col]))
    np.testing.assert_array_equal(value, [[0, 1, 0, 2], [0, 0, 0, 0], [1, 0, 0, 0]])


def test_input_layer_errors():
    cat = fc.categorical_column_with_identity("id", 3)
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="must be a _DenseColumn. You can wrap a "
                                             "categorical column"):
            fc.input_layer({"id": [[1]]}, [cat])
        with pytest.raises(ValueError, match="feature_columns must not be empty"):
            fc.input_layer({"id": [[1]]}, [])
        with pytest.raises(ValueError, match="Duplicate feature column name"):
            fc.input_layer({"x": [[1.0]]}, [fc.numeric_column("x"), fc.numeric_column("x")])
        with pytest.raises(ValueError, match="found dict"):
            fc.input_layer({"x": [[1.0]]}, {"x": fc.numeric_column("x")})
        with pytest.raises(ValueError, match="Batch size \\(first dimension\\) of each "
                                             "feature must be same"):
            fc.input_layer({"x": [[1.0]], "y": [[1.0], [2.0]]},
                           [fc.numeric_column("x"), fc.numeric_column("y")])
        with pytest.raises(ValueError, match="Feature color is not in features dictionary "
                                             "\\(feature column 'color', used by "
                                             "'color_indicator'\\)"):
            fc.input_layer({"x": [[1.0]]}, [fc.indicator_column(
                fc.categorical_column_with_vocabulary_list("color", ["r"]))])


def test_input_layer_cols_to_vars_and_collections():
    emb = fc.embedding_column(fc.categorical_column_with_identity("id", 3), 2)
    num = fc.numeric_column("x")
    cols_to_vars = {}
    with fg.Graph().as_default():
        fc.input_layer({"id": [[1]], "x": [[1.0]]}, [num, emb], cols_to_vars=cols_to_vars,
                       weight_collections=["mine"])
        (table,) = cols_to_vars[emb]
        assert cols_to_vars[num] == []
        assert table.name == "input_layer/id_embedding/embedding_weights:0"
        assert table in fg.get_collection("mine")
        assert table in fg.get_collection(fg.GraphKeys.MODEL_VARIABLES)
        assert table in fg.trainable_variables()


def test_linear_model_variables_start_at_zero_with_tf_names():
    cols = [fc.numeric_column("price", shape=(2,)),
            fc.categorical_column_with_vocabulary_list("color", ["r", "g", "b"]),
            fc.embedding_column(fc.categorical_column_with_identity("id", 5), 3)]
    features = {"price": [[1.0, 2.0]], "color": [["g"]], "id": [[4]]}
    cols_to_vars = {}
    with fg.Graph().as_default():
        logits = fc.linear_model(features, cols, units=2, cols_to_vars=cols_to_vars)
        assert logits.shape.as_list() == [1, 2]
        names = sorted(v.name for v in fg.global_variables())
        model_vars = fg.get_collection(fg.GraphKeys.MODEL_VARIABLES)
        values = run([logits] + [cols_to_vars[c][0] for c in cols] + cols_to_vars["bias"])
    assert names == ["linear_model/bias_weights:0", "linear_model/color/weights:0",
                     "linear_model/id_embedding/embedding_weights:0",
                     "linear_model/id_embedding/weights:0", "linear_model/price/weights:0"]
    assert len(model_vars) == 5
    np.testing.assert_array_equal(values[0], [[0.0, 0.0]])
    assert [v.shape for v in values[1:]] == [(2, 2), (3, 2), (3, 2), (2,)]
    for v in values[1:]:
        np.testing.assert_array_equal(v, np.zeros_like(v))


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
def test_linear_model_is_weights_times_inputs_plus_bias(combiner):
    price = fc.numeric_column("price", shape=(2,))
    tags = fc.categorical_column_with_identity("tags", 4)
    features = {"price": np.array([[1.0, 2.0], [3.0, -1.0]], np.float32),
                "tags": [[0, 3, 3], [2, -1, -1]]}
    w_price = np.array([[0.5], [-2.0]], np.float32)
    w_tags = np.array([[1.0], [10.0], [100.0], [1000.0]], np.float32)
    bias = np.array([0.25], np.float32)
    with fg.Graph().as_default():
        cols_to_vars = {}
        logits = fc.linear_model(features, [tags, price], sparse_combiner=combiner,
                                 cols_to_vars=cols_to_vars)
        assigns = [cols_to_vars[price][0].assign(w_price), cols_to_vars[tags][0].assign(w_tags),
                   cols_to_vars["bias"][0].assign(bias)]
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(assigns)
            value = sess.run(logits)
    dense = features["price"] @ w_price
    rows = [[0, 3, 3], [2]]  # -1 is a missing id
    scale = {"sum": lambda n: 1.0, "mean": lambda n: 1.0 / n,
             "sqrtn": lambda n: 1.0 / np.sqrt(n)}[combiner]
    sparse = np.array([[w_tags[r].sum() * scale(len(r))] for r in rows])
    np.testing.assert_allclose(value, dense + sparse + bias, rtol=1e-6)


def test_linear_model_errors_and_bias_scope():
    with fg.Graph().as_default():
        # As TF1, the combiner is checked where a categorical column is combined.
        with pytest.raises(ValueError, match="combiner must be one of"):
            fc.linear_model({"c": [[1]]}, [fc.categorical_column_with_identity("c", 2)],
                            sparse_combiner="max")
    with fg.Graph().as_default():
        fc.linear_model({"x": [[1.0]]}, [fc.numeric_column("x")], sparse_combiner="max")
    with fg.Graph().as_default():
        first = fc.linear_model({"x": [[1.0]]}, [fc.numeric_column("x")])
        second = fc.linear_model({"x": [[1.0]]}, [fc.numeric_column("x")])
        names = sorted(v.name for v in fg.global_variables())
    # From a TF 1.x run: the column scope is made unique in the caller's scope (x, x_1),
    # and the ops go under a new name scope of the model.
    assert names == ["linear_model/bias_weights:0", "linear_model/x/weights:0",
                     "linear_model_1/bias_weights:0", "linear_model_1/x_1/weights:0"]
    assert first.name == "linear_model_1/linear_model/weighted_sum:0"
    assert second.name == "linear_model_1_1/linear_model_1/weighted_sum:0"


def test_linear_model_cols_to_vars_has_every_variable_of_the_column():
    # From a TF 1.x run: an embedding column's table is listed with its weights.
    col = fc.embedding_column(fc.categorical_column_with_identity("cc", 4), 3)
    cols_to_vars = {}
    with fg.Graph().as_default():
        fc.linear_model({"cc": np.array([[3], [0]])}, [col], cols_to_vars=cols_to_vars)
    assert [v.name for v in cols_to_vars[col]] == ["linear_model/cc_embedding/weights:0",
                                                   "linear_model/cc_embedding/embedding_weights:0"]
    assert [v.name for v in cols_to_vars["bias"]] == ["linear_model/bias_weights:0"]


def test_linear_model_trains_and_round_trips_through_a_checkpoint(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 1)).astype(np.float32)
    colors = np.array(["r", "g"])[rng.integers(0, 2, 64)]
    y = 3.0 * x + np.where(colors == "r", 1.0, -1.0)[:, None]
    cols = [fc.numeric_column("x"), fc.categorical_column_with_vocabulary_list("c", ["r", "g"])]
    with fg.Graph().as_default():
        logits = fc.linear_model({"x": x, "c": colors}, cols)
        loss = fg.reduce_mean((logits - y) ** 2)
        train = fg.train.GradientDescentOptimizer(0.3).minimize(loss)
        saver = fg.train.Saver()
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            for _ in range(200):
                sess.run(train)
            final = sess.run(loss)
            path = saver.save(sess, str(tmp_path / "linear"))
    assert final < 1e-3
    saved = dict(fg.train.list_variables(path))
    assert saved["linear_model/x/weights"] == [1, 1] and saved["linear_model/c/weights"] == \
        [2, 1]
    np.testing.assert_allclose(fg.train.load_variable(path, "linear_model/x/weights"),
                               [[3.0]], atol=0.02)
    with fg.Graph().as_default():
        logits = fc.linear_model({"x": x, "c": colors}, cols)
        with fg.Session() as sess:
            fg.train.Saver().restore(sess, path)
            np.testing.assert_allclose(sess.run(logits), y, atol=0.05)


def test_make_parse_example_spec():
    cols = [fc.numeric_column("x", shape=(2,), default_value=0.0),
            fc.bucketized_column(fc.numeric_column("x", shape=(2,), default_value=0.0), [1.0]),
            fc.embedding_column(fc.categorical_column_with_identity("id", 3), 2),
            fc.crossed_column(["a", "b"], 5)]
    spec = fc.make_parse_example_spec(cols)
    assert set(spec) == {"x", "id", "a", "b"}
    assert spec["x"].shape == (2,) and spec["x"].dtype == fg.float32
    assert spec["x"].default_value == (0.0, 0.0)
    assert spec["id"].dtype == fg.int64 and spec["a"].dtype == fg.string
    with pytest.raises(ValueError, match="different parse_spec for key x"):
        fc.make_parse_example_spec([fc.numeric_column("x"), fc.numeric_column("x", shape=2)])
