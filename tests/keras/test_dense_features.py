"""tf.keras.layers.DenseFeatures; expected values from TF 1.15-style tf_keras (hard-coded)."""

import numpy as np
import pytest

import flowgraph as fg

fc = fg.feature_column


def _columns():
    price = fc.numeric_column("price", shape=(2,))
    color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
    table = np.arange(6.0).reshape(3, 2)
    emb = fc.embedding_column(color, 2, initializer=fg.constant_initializer(table))
    return price, fc.indicator_column(color), emb


def _features():
    return {"price": fg.constant([[1.0, 2.0], [3.0, 4.0]]),
            "color": fg.constant([["red"], ["blue"]])}


def test_output_values_names_and_weights():
    with fg.Graph().as_default():
        layer = fg.keras.layers.DenseFeatures(list(_columns()))
        cols = {}
        out = layer(_features(), cols_to_output_tensors=cols)
        assert out.name == "dense_features/concat:0"
        assert out.shape.as_list() == [2, 7]
        assert [v.name for v in layer.weights] == [
            "dense_features/color_embedding/embedding_weights:0"]
        assert [v.name for v in layer.trainable_weights] == [
            "dense_features/color_embedding/embedding_weights:0"]
        assert sorted(c.name for c in cols) == ["color_embedding", "color_indicator", "price"]
        out2 = layer(_features())
        assert out2.name == "dense_features_1/concat:0"
        assert [v.name for v in fg.global_variables()] == [
            "dense_features/color_embedding/embedding_weights:0"]
        with fg.Session() as sess:
            sess.run([fg.global_variables_initializer(), fg.tables_initializer()])
            got, got2, price = sess.run([out, out2, cols[_columns()[0]]])
        # columns in name order: color_embedding (table rows 0 and 2), indicator, price
        want = np.array([[0, 1, 1, 0, 0, 1, 2], [4, 5, 0, 0, 1, 3, 4]], np.float32)
        np.testing.assert_allclose(got, want)
        np.testing.assert_allclose(got2, want)
        np.testing.assert_allclose(price, [[1, 2], [3, 4]])


def test_not_trainable_puts_table_in_non_trainable_weights():
    with fg.Graph().as_default():
        layer = fg.keras.layers.DenseFeatures(list(_columns()), trainable=False)
        layer(_features())
        assert layer.trainable_weights == []
        assert len(layer.non_trainable_weights) == 1
        assert fg.trainable_variables() == []


def test_gradient_flows_to_embedding_table():
    with fg.Graph().as_default():
        _, _, emb = _columns()
        layer = fg.keras.layers.DenseFeatures([emb])
        out = layer({"color": fg.constant([["red"], ["blue"], ["red"]])})
        (grad,) = fg.gradients(fg.reduce_sum(out), layer.trainable_weights)
        with fg.Session() as sess:
            sess.run([fg.global_variables_initializer(), fg.tables_initializer()])
            g = sess.run(fg.convert_to_tensor(grad))
        np.testing.assert_allclose(g, [[2, 2], [0, 0], [1, 1]])


def test_errors():
    with fg.Graph().as_default():
        price, ind, _ = _columns()
        with pytest.raises(ValueError, match="must be a _DenseColumn"):
            fg.keras.layers.DenseFeatures([ind.categorical_column])
        layer = fg.keras.layers.DenseFeatures([price])
        with pytest.raises(ValueError, match="expected a dictionary"):
            layer([fg.constant(1.0)])
        with pytest.raises(ValueError, match="must not be empty"):
            fg.keras.layers.DenseFeatures([])


def test_compute_output_shape():
    with fg.Graph().as_default():
        layer = fg.keras.layers.DenseFeatures(list(_columns()))
        assert layer.compute_output_shape({"price": (5, 2), "color": (5, 1)}) == (5, 7)
