"""tf.keras.Model / Sequential as functional graphs of layers (flowgraph.keras.models)."""

import contextlib
import io

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import layers
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.models import Model, Sequential, clone_model


def _mlp():
    x = layers.Input(shape=(4,))
    h = layers.Dense(3, activation="relu")(x)
    y = layers.Dense(2)(h)
    return x, h, Model(x, y)


def test_functional_layers_names_and_weights():
    x, _, model = _mlp()
    assert [layer.name for layer in model.layers] == ["input_1", "dense", "dense_1"]
    assert type(model.layers[0]).__name__ == "InputLayer"
    assert model.name == "model"
    assert model.input_names == ["input_1"] and model.output_names == ["dense_1"]
    assert [w.name for w in model.weights] == [
        "dense/kernel:0", "dense/bias:0", "dense_1/kernel:0", "dense_1/bias:0"]
    assert model.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    assert model.get_layer("dense_1") is model.layers[2]
    assert model.get_layer(index=1) is model.layers[1]
    with pytest.raises(ValueError, match="No such layer"):
        model.get_layer("nope")


def test_predict_matches_numpy():
    _, _, model = _mlp()
    k1, b1, k2, b2 = model.get_weights()
    data = np.random.RandomState(0).randn(7, 4).astype(np.float32)
    expected = np.maximum(data @ k1 + b1, 0) @ k2 + b2
    np.testing.assert_allclose(model.predict(data, batch_size=3), expected, rtol=1e-5,
                               atol=1e-6)


def test_set_weights_and_call_on_new_tensor_shares_weights():
    _, _, model = _mlp()
    values = [np.full(w.shape.as_list(), 0.5, np.float32) for w in model.weights]
    model.set_weights(values)
    x2 = layers.Input(shape=(4,))
    y2 = model(x2)
    assert len(model.weights) == 4  # no new weights
    out = K.get_session().run(y2, {x2: np.ones((1, 4), np.float32)})
    hidden = 4 * 0.5 + 0.5
    np.testing.assert_allclose(out, [[3 * hidden * 0.5 + 0.5] * 2], rtol=1e-6)
    with pytest.raises(ValueError, match="expecting 4 weights"):
        model.set_weights(values[:2])


def test_multi_input_output_and_disconnected():
    a = layers.Input(shape=(2,), name="a")
    b = layers.Input(shape=(3,), name="b")
    merged = layers.Concatenate()([a, b])
    o1 = layers.Dense(1, name="o1")(merged)
    o2 = layers.Dense(2, name="o2")(b)
    model = Model([a, b], [o1, o2])
    assert model.input_names == ["a", "b"]
    assert model.output_names == ["o1", "o2"]
    out1, out2 = model.predict([np.ones((5, 2)), np.ones((5, 3))])
    assert out1.shape == (5, 1) and out2.shape == (5, 2)
    c = layers.Input(shape=(2,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(a, layers.Dense(1)(c))
    with pytest.raises(ValueError, match="tf.keras.Input"):
        Model(fg.placeholder(fg.float32, [None, 2]), o1)


def test_summary_table():
    _, _, model = _mlp()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model.summary()
    text = buf.getvalue()
    assert 'Model: "model"' in text
    assert "input_1 (InputLayer)" in text and "[(None, 4)]" in text
    assert "dense (Dense)" in text and "(None, 3)" in text
    assert "Total params: 23" in text and "Trainable params: 23" in text
    assert "Non-trainable params: 0" in text


def test_sequential_with_input_shape():
    model = Sequential([layers.Dense(3, input_shape=(4,)), layers.Dense(2)])
    assert model.name == "sequential"
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    assert model.inputs[0].shape.as_list() == [None, 4]
    assert model.outputs[0].shape.as_list() == [None, 2]
    model.add(layers.Dense(5))
    assert model.outputs[0].shape.as_list() == [None, 5]
    model.pop()
    assert model.outputs[0].shape.as_list() == [None, 2]
    assert len(model.layers) == 2
    k1, b1, k2, b2 = model.get_weights()
    data = np.arange(8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_allclose(model.predict(data), (data @ k1 + b1) @ k2 + b2, rtol=1e-5)


def test_sequential_deferred_build():
    model = Sequential()
    model.add(layers.Dense(3))
    assert not model.built
    out = model.predict(np.ones((2, 6), np.float32))
    assert out.shape == (2, 3)
    assert model.weights[0].shape.as_list() == [6, 3]
    with pytest.raises(TypeError, match="instance of class Layer"):
        model.add("dense")


def test_sequential_build_method():
    model = Sequential([layers.Dense(2)])
    model.build((None, 5))
    assert model.count_params() == 12


def test_subclassed_model_tracks_layers():
    class Two(Model):
        def __init__(self):
            super().__init__()
            self.first = layers.Dense(3, activation="relu")
            self.second = layers.Dense(1)

        def call(self, x):
            return self.second(self.first(x))

    model = Two()
    assert model.name == "two"
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    data = np.random.RandomState(1).randn(4, 5).astype(np.float32)
    out = model.predict(data)
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(out, np.maximum(data @ k1 + b1, 0) @ k2 + b2, rtol=1e-5,
                               atol=1e-6)
    assert [w.name for w in model.weights][0] == "two/dense/kernel:0"


def test_trainable_flags_and_losses():
    x = layers.Input(shape=(3,))
    d1 = layers.Dense(2, kernel_regularizer="l2")
    d2 = layers.Dense(1)
    model = Model(x, d2(d1(x)))
    assert len(model.losses) == 1
    d1.trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4


def test_save_and_load_weights_checkpoint(tmp_path):
    _, _, model = _mlp()
    saved = model.get_weights()
    path = str(tmp_path / "weights")
    model.save_weights(path)
    model.set_weights([np.zeros_like(w) for w in saved])
    model.load_weights(path)
    for got, want in zip(model.get_weights(), saved):
        np.testing.assert_array_equal(got, want)


def test_nested_model_and_clone():
    _, _, inner = _mlp()
    x = layers.Input(shape=(4,))
    outer = Model(x, layers.Dense(1)(inner(x)))
    assert [layer.name for layer in outer.layers][1] == "model"
    assert len(outer.weights) == 6
    data = np.ones((2, 4), np.float32)
    k1, b1, k2, b2, k3, b3 = outer.get_weights()
    want = (np.maximum(data @ k1 + b1, 0) @ k2 + b2) @ k3 + b3
    np.testing.assert_allclose(outer.predict(data), want, rtol=1e-5)
    twin = clone_model(inner)
    assert all(a is not b for a, b in zip(twin.weights, inner.weights))
    assert [w.shape.as_list() for w in twin.weights] == [w.shape.as_list()
                                                         for w in inner.weights]


def test_layer_subclass_in_functional_model():
    class Scale(Layer):
        def build(self, input_shape):
            self.s = self.add_weight("s", shape=(), initializer="ones")

        def call(self, inputs):
            return inputs * self.s

    x = layers.Input(shape=(2,))
    model = Model(x, Scale()(x))
    K.set_value(model.weights[0], 3.0)
    np.testing.assert_allclose(model.predict(np.array([[1., 2.]])), [[3., 6.]])


def test_h5_weights_need_h5py(monkeypatch, tmp_path):
    import sys
    _, _, model = _mlp()
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match="pip install h5py"):
        model.save_weights(str(tmp_path / "w.h5"))


def test_summary_connected_to_column_for_branching_model():
    a = layers.Input(shape=(2,), name="a")
    b = layers.Input(shape=(3,), name="b")
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    model = Model([a, b], out)
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#",
                                "Connected", "to"]
    row = next(i for i, line in enumerate(lines) if line.startswith("concatenate"))
    assert lines[row].split()[-1] == "a[0][0]"
    assert lines[row + 1].strip() == "b[0][0]"
    assert any(line.split()[-1] == "concatenate[0][0]" for line in lines
               if line.startswith("dense"))
    assert len(lines[1]) == 98


def test_subclassed_summary_says_multiple():
    class One(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(3)

        def call(self, x):
            return self.dense(x)

    model = One()
    model.predict(np.ones((2, 5), np.float32))
    lines = []
    model.summary(print_fn=lines.append)
    row = next(line for line in lines if line.startswith("dense"))
    assert row.split()[2:] == ["multiple", "18"]


def test_functional_config_round_trip():
    a = layers.Input(shape=(2,), name="a")
    b = layers.Input(shape=(3,), name="b")
    out = layers.Dense(1, name="out")(layers.Concatenate(name="cat")([a, b]))
    model = Model([a, b], out, name="two_in")
    config = model.get_config()
    assert config["name"] == "two_in"
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["out", 0, 0]]
    assert config["layers"][2]["inbound_nodes"] == [[["a", 0, 0, {}], ["b", 0, 0, {}]]]
    K.clear_session()
    again = Model.from_config(config)
    assert [layer.name for layer in again.layers] == ["a", "b", "cat", "out"]
    assert [w.shape.as_list() for w in again.weights] == [[5, 1], [1]]
    k, bias = again.get_weights()
    data = [np.ones((2, 2), np.float32), np.full((2, 3), 2.0, np.float32)]
    want = np.concatenate(data, axis=1) @ k + bias
    np.testing.assert_allclose(again.predict(data), want, rtol=1e-5)


def test_sequential_config_and_clone():
    model = Sequential([layers.Dense(3, input_shape=(4,), activation="relu"),
                        layers.Dense(2)], name="stack")
    config = model.get_config()
    assert config["name"] == "stack"
    assert [entry["class_name"] for entry in config["layers"]] == ["Dense", "Dense"]
    again = Sequential.from_config(config)
    assert [w.shape.as_list() for w in again.weights] == [[4, 3], [3], [3, 2], [2]]
    twin = clone_model(model)
    assert isinstance(twin, Sequential)
    assert twin.inputs[0].shape.as_list() == [None, 4]
    assert all(a is not b for a, b in zip(twin.weights, model.weights))
    twin.set_weights(model.get_weights())
    data = np.random.RandomState(2).randn(3, 4).astype(np.float32)
    np.testing.assert_allclose(twin.predict(data), model.predict(data), rtol=1e-6)


def test_weights_order_layer_by_layer_as_tf():
    # order from tf_keras (Keras 2) in TF1 graph mode
    model = Sequential([layers.Dense(2, input_shape=(3,)), layers.BatchNormalization(),
                        layers.Dense(1)])
    assert [w.name for w in model.weights] == [
        "dense/kernel:0", "dense/bias:0", "batch_normalization/gamma:0",
        "batch_normalization/beta:0", "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0", "dense_1/kernel:0", "dense_1/bias:0"]
    assert [w.name for w in model.non_trainable_weights] == [
        "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
