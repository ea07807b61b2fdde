"""tf.layers behaviours checked against a real TF1 run (tf.compat.v1)."""

import pytest

import flowgraph as fg


def test_dense_refuses_integer_inputs_as_tf1():
    with pytest.raises(TypeError, match="non-floating point dtype"):
        fg.layers.dense(fg.ones([2, 5], fg.int32), 3)
    assert fg.layers.dense(fg.ones([2, 5]), 3).shape.as_list() == [2, 3]
