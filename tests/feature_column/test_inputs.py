"""The forms a feature may take: placeholders of unknown rank, rank-1 SparseTensors,
Dataset batches, and columns built on columns."""

import numpy as np

import flowgraph as fg
from flowgraph import feature_column as fc
from tests.feature_column.helpers import run


def test_placeholders_of_unknown_rank_take_rank_1_and_rank_2_values():
    with fg.Graph().as_default():
        p = fg.placeholder(fg.float32, None)
        s = fg.placeholder(fg.string, None)
        cols = [fc.numeric_column("p"),
                fc.indicator_column(fc.categorical_column_with_vocabulary_list("s", ["a", "b"]))]
        out = fc.input_layer({"p": p, "s": s}, cols)
        flat = run(out, {p: [0.5, 2.0], s: ["b", "a"]})
        column = run(out, {p: [[0.5], [2.0]], s: [["b"], ["a"]]})
    expected = [[0.5, 0.0, 1.0], [2.0, 1.0, 0.0]]
    np.testing.assert_array_equal(flat, expected)
    np.testing.assert_array_equal(column, expected)


def test_rank_1_sparse_tensor_is_one_value_per_example():
    sparse = fg.SparseTensorValue(indices=[[0], [2]], values=np.array([b"b", b"a"], object),
                                  dense_shape=[3])
    col = fc.indicator_column(fc.categorical_column_with_vocabulary_list("s", ["a", "b"]))
    with fg.Graph().as_default():
        value = run(fc.input_layer({"s": sparse}, [col]))
    np.testing.assert_array_equal(value, [[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]])


def test_features_from_a_dataset_batch():
    data = {"x": np.array([1.0, 2.0, 3.0], np.float32), "c": np.array(["u", "v", "u"])}
    cols = [fc.numeric_column("x"),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list("c", ["u", "v"]))]
    with fg.Graph().as_default():
        features = fg.data.Dataset.from_tensor_slices(data).batch(2) \
            .make_one_shot_iterator().get_next()
        out = fc.input_layer(features, cols)
        with fg.Session() as sess:
            first, second = sess.run(out), sess.run(out)
    # Sorted by name: c_indicator (u, v) before x.
    np.testing.assert_array_equal(first, [[1.0, 0.0, 1.0], [0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(second, [[1.0, 0.0, 3.0]])


def test_embedding_of_a_bucketized_column():
    b = fc.bucketized_column(fc.numeric_column("x"), [0.0, 10.0])
    table = np.array([[1.0], [2.0], [3.0]], np.float32)
    col = fc.embedding_column(b, 1, initializer=fg.constant_initializer(table))
    with fg.Graph().as_default():
        value = run(fc.input_layer({"x": [-5.0, 5.0, 50.0]}, [col]))
    np.testing.assert_array_equal(value, [[1.0], [2.0], [3.0]])


def test_one_transformation_is_shared_by_the_columns_that_use_it():
    color = fc.categorical_column_with_vocabulary_list("color", ["r", "g"])
    with fg.Graph().as_default():
        fc.linear_model({"color": [["r"]], "z": [["q"]]},
                        [color, fc.crossed_column([color, "z"], 3)])
        lookups = [op for op in fg.get_default_graph().get_operations()
                   if op.type == "VocabularyLookup"]
    assert len(lookups) == 1
