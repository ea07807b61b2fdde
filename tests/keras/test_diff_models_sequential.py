"""A Sequential model without an input shape, built by its first call on a tensor: weights
and ops in the model's scope, as TF 1.15's Keras (names printed by TF's graph-mode Keras)."""

import numpy as np

import flowgraph as fg
from flowgraph import keras


def test_deferred_sequential_called_on_placeholder():
    keras.Sequential([keras.layers.Dense(16, input_shape=(10,))])  # takes sequential, dense
    m = keras.Sequential()
    m.add(keras.layers.Dense(5))
    m.add(keras.layers.Dense(2))
    assert not m.built
    x = fg.placeholder(fg.float32, [None, 7])
    y = m(x)
    assert m.built
    assert y.name == "sequential_1/dense_2/BiasAdd:0"
    assert y.shape.as_list() == [None, 2]
    assert [w.name for w in m.weights] == [
        "sequential_1/dense_1/kernel:0", "sequential_1/dense_1/bias:0",
        "sequential_1/dense_2/kernel:0", "sequential_1/dense_2/bias:0"]
    assert m.count_params() == 52
    k1, b1, k2, b2 = m.get_weights()
    data = np.arange(14, dtype=np.float32).reshape(2, 7)
    got = keras.backend.get_session().run(y, {x: data})
    np.testing.assert_allclose(got, (data @ k1 + b1) @ k2 + b2, rtol=1e-5)


def test_deferred_sequential_nested_in_functional_model():
    inp = keras.Input((4,))
    inner = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(2)])
    out = inner(inp)
    assert out.name == "sequential/dense_1/BiasAdd:0"
    m = keras.Model(inp, out)
    assert [layer.name for layer in m.layers] == ["input_1", "sequential"]
    assert [w.name for w in m.weights] == [
        "sequential/dense/kernel:0", "sequential/dense/bias:0",
        "sequential/dense_1/kernel:0", "sequential/dense_1/bias:0"]
    k1, b1, k2, b2 = m.get_weights()
    data = np.ones((1, 4), np.float32)
    np.testing.assert_allclose(m.predict(data), (data @ k1 + b1) @ k2 + b2, rtol=1e-5)


def test_subclassed_model_keeps_first_call_tensors():
    class Sub(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.d1 = keras.layers.Dense(4, activation="relu")
            self.d2 = keras.layers.Dense(2)

        def call(self, x):
            return self.d2(self.d1(x))

    s = Sub()
    assert s.inputs == [] and s.outputs == []
    x = fg.placeholder(fg.float32, [None, 3])
    y = s(x)
    assert y.name == "sub/dense_1/BiasAdd:0"
    assert [w.name for w in s.weights] == [
        "sub/dense/kernel:0", "sub/dense/bias:0", "sub/dense_1/kernel:0", "sub/dense_1/bias:0"]
    assert s.inputs == [x] and s.outputs == [y]
    assert s.count_params() == 26
    assert s.get_layer("dense") is s.d1
    y2 = s(x)
    assert y2.name == "sub_1/dense_1/BiasAdd:0"
    assert s.outputs == [y]  # the first call's
