"""Raw TensorFlow ops between Keras layers in a functional model become TF 1.15's
``TensorFlowOpLayer``s (layer names and summary as printed by TF's graph-mode Keras)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import keras


def _model():
    inp = keras.Input((3,))
    h = keras.layers.Dense(2, name="d", kernel_initializer="ones", bias_initializer="ones")(inp)
    h2 = fg.nn.relu(h) * 2.0 - 1.0
    out = fg.reduce_sum(h2, axis=1, keepdims=True)
    return keras.Model(inp, out)


def test_raw_ops_become_op_layers():
    m = _model()
    assert [layer.name for layer in m.layers] == [
        "input_1", "d", "tf_op_layer_Relu", "tf_op_layer_mul", "tf_op_layer_sub",
        "tf_op_layer_Sum"]
    assert [type(layer).__name__ for layer in m.layers[2:]] == ["TensorFlowOpLayer"] * 4
    assert m.layers[2].output_shape == [(None, 2)]
    assert m.output_shape == (None, 1)
    assert m.count_params() == 8


def test_op_layers_predict_replay_and_train():
    m = _model()
    x = np.array([[1., 2., 3.], [-1., -2., -3.]], np.float32)
    # by hand: h = x @ ones(3, 2) + 1; sum(2 * relu(h) - 1) over 2 units
    h = x @ np.ones((3, 2), np.float32) + 1.0
    want = (2.0 * np.maximum(h, 0.0) - 1.0).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(want, [[26.0], [-2.0]])
    np.testing.assert_allclose(m.predict(x), want, rtol=1e-6)
    ph = fg.placeholder(fg.float32, [None, 3])
    y = m(ph)
    assert y.shape.as_list() == [None, 1]
    np.testing.assert_allclose(keras.backend.get_session().run(y, {ph: x}), want, rtol=1e-6)
    m.compile("sgd", "mse")
    before = m.get_layer("d").get_weights()[0].copy()
    m.train_on_batch(x, np.zeros((2, 1), np.float32))
    assert not np.allclose(m.get_layer("d").get_weights()[0], before)


def test_summary_shows_op_layers():
    lines = []
    _model().summary(print_fn=lines.append)
    assert any(line.startswith("tf_op_layer_Relu (TensorFlowO[(None, 2)]") for line in lines)


def test_op_layer_config_explains_it_cannot_be_serialized():
    with pytest.raises(ValueError, match="Lambda"):
        _model().get_config()


def test_tensor_not_from_inputs_still_disconnected():
    inp = keras.Input((3,))
    other = fg.placeholder(fg.float32, [None, 3])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(inp, fg.nn.relu(other))
