"""fg.feature_column against names, signatures and numbers taken from a real TensorFlow
(tf.compat.v1.feature_column) run of the same code (hard-coded here)."""

import inspect

import numpy as np

import flowgraph as fg
from flowgraph import feature_column as fc


def test_embedding_signatures_take_use_safe_embedding_lookup():
    for fn in (fc.embedding_column, fc.shared_embedding_columns):
        param = inspect.signature(fn).parameters["use_safe_embedding_lookup"]
        assert param.default is True
        assert list(inspect.signature(fn).parameters)[-1] == "use_safe_embedding_lookup"
    col = fc.embedding_column(fc.categorical_column_with_identity("i", 3), 2)
    assert col.use_safe_embedding_lookup is True


def test_input_layer_outputs_are_reshapes_named_per_column():
    outputs = {}
    cols = [fc.numeric_column("n", dtype=fg.int32),
            fc.bucketized_column(fc.numeric_column("b", dtype=fg.int64), [2, 5]),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list(
                "v", [10, 20], dtype=fg.int64)),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list("s", ["a", "b"]))]
    with fg.Graph().as_default():
        n = fg.placeholder(fg.int32, [None, 1])
        features = {"n": n, "b": np.array([[1], [7]]), "v": np.array([[20], [10]], np.int32),
                    "s": ["b", "a"]}
        net = fc.input_layer(features, cols, cols_to_output_tensors=outputs)
        got = sorted((c.name, t.name, t.shape.as_list()) for c, t in outputs.items())
        with fg.Session() as sess:
            sess.run(fg.tables_initializer())
            value = sess.run(net, {n: [[3], [4]]})
    assert got == [("b_bucketized", "input_layer/b_bucketized/Reshape:0", [2, 3]),
                   ("n", "input_layer/n/Reshape:0", [None, 1]),
                   ("s_indicator", "input_layer/s_indicator/Reshape:0", [2, 2]),
                   ("v_indicator", "input_layer/v_indicator/Reshape:0", [2, 2])]
    # Columns in name order: b_bucketized, n, s_indicator, v_indicator.
    np.testing.assert_array_equal(value, [[1, 0, 0, 3, 0, 1, 0, 1],
                                          [0, 0, 1, 4, 1, 0, 1, 0]])
