"""tf.keras layers' and models' call records as TF 1.15 shows them: ``input`` / ``output`` /
``input_shape`` / ``output_shape`` / ``get_*_at``, a functional model's own first node, and
the name scopes of repeated calls. Expected values were printed by TF's graph-mode Keras
(tf.compat.v1 with tf_keras) and checked against TF 1.15's base_layer.py / network.py."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import keras


def _branchy_model():
    inp = keras.Input(shape=(8,), name="x")
    a = keras.layers.Dense(4, activation="relu", name="shared")(inp)
    b = keras.layers.Dense(4)(inp)
    c = keras.layers.concatenate([a, b])
    d = keras.layers.Dense(2, activation="softmax")(c)
    return keras.Model(inp, d)


def test_functional_model_input_output_and_shapes():
    m = _branchy_model()
    assert m.input_shape == (None, 8)
    assert m.output_shape == (None, 2)
    assert m.input.name == "x:0"
    assert m.output.name == "dense_1/Softmax:0"
    assert m.get_layer("shared").input_shape == (None, 8)
    assert m.get_layer("shared").output_shape == (None, 4)
    assert m.layers[3].input_shape == [(None, 4), (None, 4)]
    assert m.layers[3].output_shape == (None, 8)
    assert m.count_params() == 90


def test_input_layer_shapes_are_lists_as_tf():
    inp = keras.Input(shape=(28, 28, 1))
    m = keras.Model(inp, keras.layers.Flatten()(inp))
    layer = m.layers[0]
    assert layer.input_shape == [(None, 28, 28, 1)]
    assert layer.output_shape == [(None, 28, 28, 1)]
    assert layer.input is inp and layer.output is inp


def test_sequential_with_input_shape_has_input_and_shapes():
    m = keras.Sequential([keras.layers.Dense(16, input_shape=(10,), activation="relu"),
                          keras.layers.Dropout(0.5), keras.layers.Dense(3)])
    assert m.input_shape == (None, 10) and m.output_shape == (None, 3)
    assert m.input.name == "dense_input:0"
    assert [t.name for t in m.inputs] == ["dense_input:0"]
    assert m.output.name == "dense_1/BiasAdd:0"
    assert m.layers[0].input_shape == (None, 10)
    assert m.layers[0].output_shape == (None, 16)


def test_shared_layer_nodes_and_name_scopes():
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    shared = keras.layers.Dense(2, name="sh")
    oa, ob = shared(a), shared(b)
    m = keras.Model([a, b], [oa, ob])
    assert oa.name == "sh/BiasAdd:0" and ob.name == "sh_1/BiasAdd:0"
    assert [w.name for w in shared.weights] == ["sh/kernel:0", "sh/bias:0"]
    assert m.input_shape == [(None, 4), (None, 4)]
    assert m.output_shape == [(None, 2), (None, 2)]
    assert shared.get_input_shape_at(0) == (None, 4)
    assert shared.get_output_shape_at(1) == (None, 2)
    assert shared.input_shape == (None, 4)  # the same for both calls
    assert shared.get_input_at(1).name == "b:0"
    assert shared.get_output_at(0).name == "sh/BiasAdd:0"
    assert shared.input.name == "a:0"  # node 0
    assert shared.output.name == "sh/BiasAdd:0"


def test_layer_called_on_different_shapes():
    d = keras.layers.Conv1D(2, 2, name="c")
    d(keras.Input((5, 3)))
    d(keras.Input((7, 3)))
    assert d.get_input_shape_at(0) == (None, 5, 3)
    assert d.get_input_shape_at(1) == (None, 7, 3)
    assert d.get_output_shape_at(1) == (None, 6, 2)
    with pytest.raises(AttributeError, match="get_input_shape_at"):
        _ = d.input_shape
    with pytest.raises(AttributeError, match="get_output_shape_at"):
        _ = d.output_shape
    with pytest.raises(ValueError, match="Asked to get input at node 2, but the layer has "
                                         "only 2 inbound nodes."):
        d.get_input_at(2)


def test_unconnected_layer_errors():
    d = keras.layers.Dense(2)
    with pytest.raises(AttributeError, match="has never been called and thus has no defined "
                                             "input shape"):
        _ = d.input_shape
    with pytest.raises(AttributeError, match="has never been called and thus has no defined "
                                             "output shape"):
        _ = d.output_shape
    with pytest.raises(AttributeError, match="Layer dense is not connected, no input"):
        _ = d.input
    with pytest.raises(AttributeError, match="Layer dense has no inbound nodes."):
        _ = d.output
    with pytest.raises(RuntimeError, match="never been called"):
        d.get_input_at(0)
    with pytest.raises(ValueError, match=r"You can build it manually via: "
                                         r"`dense.build\(batch_input_shape\)`."):
        d.count_params()


def test_nested_model_node_zero_and_call_on_placeholder():
    inner_in = keras.Input((5,))
    inner = keras.Model(inner_in, keras.layers.Dense(3, name="d_in")(inner_in), name="inner")
    outer_in = keras.Input((5,))
    o = keras.layers.Dense(1)(inner(outer_in))
    outer = keras.Model(outer_in, o)
    assert [layer.name for layer in outer.layers] == ["input_2", "inner", "dense"]
    assert inner.input_shape == (None, 5) and inner.output_shape == (None, 3)
    # node 0 of a functional model is the graph it was built from
    assert inner.output.name == "d_in/BiasAdd:0"
    assert inner.get_input_at(1) is outer_in
    x = fg.placeholder(fg.float32, [None, 5], name="ph")
    y = outer(x)
    assert y.name == "model/dense/BiasAdd:0"
    assert y.shape.as_list() == [None, 1]
    assert outer.count_params() == 22
    lines = []
    keras.Model(outer_in, o, name="again").summary(print_fn=lines.append)
    assert any(line.startswith("inner (Model)") for line in lines)


def test_model_called_twice_gets_fresh_name_scopes():
    inp = keras.Input((3,))
    m = keras.Model(inp, keras.layers.Dense(2, name="d")(inp), name="net")
    p1 = fg.placeholder(fg.float32, [None, 3])
    p2 = fg.placeholder(fg.float32, [None, 3])
    y1, y2 = m(p1), m(p2)
    assert y1.name == "net/d/BiasAdd:0"
    assert y2.name == "net_1/d/BiasAdd:0"
    assert [w.name for w in m.weights] == ["d/kernel:0", "d/bias:0"]
    sess = keras.backend.get_session()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    kernel, bias = m.get_weights()
    np.testing.assert_allclose(sess.run(y2, {p2: x}), x @ kernel + bias, rtol=1e-6)


def test_summary_names_a_nested_model_call_node_one():
    inner_in = keras.Input((4,))
    inner = keras.Model(inner_in, keras.layers.Dense(4)(inner_in), name="inner")
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    out = keras.layers.add([inner(a), b])
    lines = []
    keras.Model([a, b], out).summary(print_fn=lines.append)
    # TF 1.15: the nested model's node 0 is its own graph, the call here is node 1
    assert any("inner[1][0]" in line for line in lines)
    assert not any("inner[0][0]" in line for line in lines)


def test_input_and_output_masks_of_calls():
    inp = keras.Input((5,))
    emb = keras.layers.Embedding(10, 3, mask_zero=True)
    lstm = keras.layers.LSTM(2)
    lstm(emb(inp))
    assert emb.input_mask is None
    assert emb.output_mask.name == "embedding/NotEqual:0"
    assert emb.output_mask.shape.as_list() == [None, 5]
    assert lstm.input_mask is emb.output_mask
    assert lstm.output_mask is None
    assert emb.get_output_mask_at(0) is emb.output_mask
    concat = keras.layers.Concatenate()
    concat([keras.layers.Dense(2)(inp), keras.layers.Dense(2)(inp)])
    assert concat.input_mask == [None, None] and concat.output_mask is None
    assert concat.get_input_mask_at(0) == [None, None]
