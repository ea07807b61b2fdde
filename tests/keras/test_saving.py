"""Whole-model saving: configs (TF 1.15's layout), JSON, save_model / load_model round
trips in a fresh graph, restored optimizer state, and the errors."""

import json
import os

import numpy as np
import pytest

import flowgraph as fg

k = fg.keras


@pytest.fixture(autouse=True)
def fresh_session():
    k.backend.clear_session()
    yield
    k.backend.clear_session()


def _data(shape, seed=0):
    return np.random.RandomState(seed).randn(*shape).astype("float32")


def _functional():
    x = k.Input(shape=(4,))
    h = k.layers.Dense(5, activation="relu")(x)
    y = k.layers.Dense(2)(h)
    return k.Model(x, y)


def test_functional_config_layout_matches_tf():
    x = k.Input(shape=(3,))
    y = k.layers.Dense(2, activation="relu")(x)
    config = k.Model(x, y).get_config()
    # keys and structure from tf_keras (TF 1.15 has no 'trainable' at the model level)
    assert sorted(config) == ["input_layers", "layers", "name", "output_layers"]
    assert config["name"] == "model"
    assert config["input_layers"] == [["input_1", 0, 0]]
    assert config["output_layers"] == [["dense", 0, 0]]
    inp, dense = config["layers"]
    assert inp["class_name"] == "InputLayer" and inp["name"] == "input_1"
    assert inp["inbound_nodes"] == []
    assert inp["config"] == {"batch_input_shape": (None, 3), "dtype": "float32",
                             "sparse": False, "ragged": False, "name": "input_1"}
    assert dense["class_name"] == "Dense" and dense["name"] == "dense"
    assert dense["inbound_nodes"] == [[["input_1", 0, 0, {}]]]
    assert dense["config"]["units"] == 2 and dense["config"]["activation"] == "relu"


def test_sequential_config_layout_matches_tf():
    model = k.Sequential([k.layers.Dense(2, input_shape=(3,))])
    config = model.get_config()
    assert sorted(config) == ["layers", "name"]
    assert [e["class_name"] for e in config["layers"]] == ["Dense"]
    assert tuple(config["layers"][0]["config"]["batch_input_shape"]) == (None, 3)
    deferred = k.Sequential([k.layers.Dense(2)])
    deferred.build((None, 3))
    assert tuple(deferred.get_config()["build_input_shape"]) == (None, 3)
    rebuilt = k.Sequential.from_config(deferred.get_config())
    assert rebuilt.built and rebuilt.layers[0].kernel.shape.as_list() == [3, 2]


def test_sequential_from_input_layer_keeps_its_shape():
    model = k.Sequential([k.layers.InputLayer(input_shape=(6,)), k.layers.Dense(2)])
    config = model.get_config()
    assert tuple(config["layers"][0]["config"]["batch_input_shape"]) == (None, 6)
    rebuilt = k.Sequential.from_config(config)
    assert rebuilt.inputs[0].shape.as_list() == [None, 6]


def test_layer_serialize_deserialize():
    layer = k.layers.Dense(3, activation="tanh", name="d")
    config = k.layers.serialize(layer)
    assert config["class_name"] == "Dense" and config["config"]["units"] == 3
    again = k.layers.deserialize(config)
    assert type(again) is k.layers.Dense and again.units == 3 and again.name == "d"
    with pytest.raises(ValueError, match="Unknown layer: Foo.*custom_objects"):
        k.layers.deserialize({"class_name": "Foo", "config": {}})
    with pytest.raises(ValueError, match="Improper config format"):
        k.layers.deserialize({"config": {}})


def test_to_json_and_model_from_json_predict_alike_with_same_weights():
    model = _functional()
    text = model.to_json()
    parsed = json.loads(text)
    assert sorted(parsed) == ["backend", "class_name", "config", "keras_version"]
    assert parsed["class_name"] == "Model" and parsed["backend"] == "tensorflow"
    x = _data((3, 4))
    weights = model.get_weights()
    expected = np.maximum(x @ weights[0] + weights[1], 0) @ weights[2] + weights[3]
    k.backend.clear_session()
    again = k.models.model_from_json(text)
    again.set_weights(weights)
    np.testing.assert_allclose(again.predict(x), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="expects a dictionary, not a list"):
        k.models.model_from_config([parsed])


class Scale(k.layers.Layer):
    """A custom layer: multiplies by a trainable vector."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight("w", shape=(int(input_shape[-1]),),
                                 initializer=k.initializers.Constant(self.factor))
        super().build(input_shape)

    def call(self, inputs):
        return inputs * self.w

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


@pytest.mark.parametrize("suffix", ["model.fgk", "model_dir_like"])
def test_functional_round_trip_with_custom_layer(tmp_path, suffix):
    x = k.Input(shape=(4,))
    y = k.layers.Dense(3)(Scale(3.0)(x))
    model = k.Model(x, y)
    model.compile(optimizer="adam", loss="mse")
    data = _data((5, 4))
    model.train_on_batch(data, _data((5, 3), 1))
    before = model.predict(data)
    w_scale, kernel, bias = model.get_weights()
    np.testing.assert_allclose(before, (data * w_scale) @ kernel + bias, rtol=1e-5,
                               atol=1e-6)
    path = str(tmp_path / suffix)
    model.save(path)
    k.backend.clear_session()
    with pytest.raises(ValueError, match="Unknown layer: Scale.*custom_objects"):
        k.models.load_model(path)
    k.backend.clear_session()
    loaded = k.models.load_model(path, custom_objects={"Scale": Scale})
    assert isinstance(loaded.layers[1], Scale) and loaded.layers[1].factor == 3.0
    np.testing.assert_allclose(loaded.predict(data), before, rtol=1e-6, atol=1e-7)
    k.backend.clear_session()
    with k.utils.custom_object_scope({"Scale": Scale}):
        scoped = k.models.load_model(path)
    np.testing.assert_allclose(scoped.predict(data), before, rtol=1e-6, atol=1e-7)


def test_sequential_round_trip_conv_lstm_batchnorm_dropout(tmp_path):
    image = k.Sequential([
        k.layers.Conv2D(3, 3, activation="relu", input_shape=(6, 6, 2)),
        k.layers.BatchNormalization(),
        k.layers.Dropout(0.5),
        k.layers.Flatten(),
        k.layers.Dense(2)])
    image.compile(optimizer="sgd", loss="mse")
    x = _data((4, 6, 6, 2))
    image.train_on_batch(x, _data((4, 2), 1))  # moves the BatchNorm statistics
    seq = k.Sequential([k.layers.LSTM(5, input_shape=(3, 2)), k.layers.Dense(1)])
    seq.compile(optimizer="rmsprop", loss="mae")
    s = _data((4, 3, 2), 2)
    before_image, before_seq = image.predict(x), seq.predict(s)
    image.save(str(tmp_path / "image"))
    seq.save(str(tmp_path / "seq"))
    moving_mean = image.layers[1].get_weights()[2]
    assert np.abs(moving_mean).max() > 0  # training moved it, so it is a real check
    k.backend.clear_session()
    image2 = k.models.load_model(str(tmp_path / "image"))
    seq2 = k.models.load_model(str(tmp_path / "seq"))
    assert [type(layer).__name__ for layer in image2.layers] == [
        "Conv2D", "BatchNormalization", "Dropout", "Flatten", "Dense"]
    np.testing.assert_array_equal(image2.layers[1].get_weights()[2], moving_mean)
    np.testing.assert_allclose(image2.predict(x), before_image, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(seq2.predict(s), before_seq, rtol=1e-5, atol=1e-6)
    assert seq2.loss_functions[0].__name__ in ("mean_absolute_error", "mae")


def test_training_continues_with_restored_sgd_momentum(tmp_path):
    model = k.Sequential([k.layers.Dense(1, input_shape=(2,), use_bias=False)])
    model.compile(optimizer=k.optimizers.SGD(0.1, momentum=0.9), loss="mse")
    x = np.array([[1.0, 2.0], [3.0, -1.0]], "float32")
    y = np.array([[1.0], [0.5]], "float32")
    w0 = model.get_weights()[0].astype("float64")
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    model.save(str(tmp_path / "m"))
    k.backend.clear_session()
    loaded = k.models.load_model(str(tmp_path / "m"))
    loaded.train_on_batch(x, y)
    # numpy reference: mse gradient, velocity = 0.9 v - 0.1 g; w += v (3 steps)
    w, v = w0.copy(), np.zeros_like(w0)
    for _ in range(3):
        grad = 2.0 / len(x) * x.T.astype("float64") @ (x @ w - y)
        v = 0.9 * v - 0.1 * grad
        w = w + v
    np.testing.assert_allclose(loaded.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    assert k.backend.get_session().run(loaded.optimizer.iterations) == 3


def test_adam_state_restored_equals_never_saved_model(tmp_path):
    model = _functional()
    model.compile(optimizer=k.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    x, y = _data((6, 4)), _data((6, 2), 1)
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    model.save(str(tmp_path / "adam.fg"))
    model.train_on_batch(x, y)
    reference = model.get_weights()
    k.backend.clear_session()
    loaded = k.models.load_model(str(tmp_path / "adam.fg"))
    assert loaded.metrics_names == ["loss", "mean_absolute_error"]
    loaded.train_on_batch(x, y)
    for got, want in zip(loaded.get_weights(), reference):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    k.backend.clear_session()
    fresh = k.models.load_model(str(tmp_path / "adam.fg"), compile=False)
    assert fresh.optimizer is None


def test_include_optimizer_false_and_uncompiled_load(tmp_path):
    model = _functional()
    model.compile(optimizer="adam", loss="mse")
    model.save(str(tmp_path / "m"), include_optimizer=False)
    k.backend.clear_session()
    with pytest.warns(UserWarning, match="No training configuration"):
        loaded = k.models.load_model(str(tmp_path / "m"))
    assert loaded.optimizer is None


def test_failed_save_leaves_previous_file(tmp_path):
    model = _functional()
    path = str(tmp_path / "m")
    model.save(path)
    original = open(path, "rb").read()

    class Broken(k.layers.Layer):
        def get_config(self):
            return {"name": self.name, "bad": object()}

    x = k.Input(shape=(4,))
    bad = k.Model(x, Broken()(x))
    with pytest.raises(TypeError):
        bad.save(path)
    assert open(path, "rb").read() == original
    assert os.listdir(tmp_path) == ["m"]


def test_load_errors(tmp_path):
    with pytest.raises(OSError, match="no file"):
        k.models.load_model(str(tmp_path / "missing"))
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(OSError, match="neither an HDF5 file nor a flowgraph model"):
        k.models.load_model(str(junk))
    model = _functional()
    model.save_weights(str(tmp_path / "ckpt"))
    index = [p for p in os.listdir(tmp_path) if p.startswith("ckpt") and "index" in p][0]
    with pytest.raises(ValueError, match="No model found"):
        k.models.load_model(str(tmp_path / index))


def test_hdf5_needs_h5py(tmp_path):
    model = _functional()
    with pytest.raises(ImportError, match="pip install h5py"):
        model.save(str(tmp_path / "m.h5"))
    assert not os.path.exists(tmp_path / "m.h5")
    (tmp_path / "x.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    with pytest.raises(ImportError, match="pip install h5py"):
        k.models.load_model(str(tmp_path / "x.h5"))
    with pytest.raises(ValueError, match="save_format"):
        model.save(str(tmp_path / "m"), save_format="tf")


def test_overwrite_false_asks(tmp_path, monkeypatch):
    model = _functional()
    path = str(tmp_path / "m")
    model.save(path)
    before = open(path, "rb").read()
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    model.layers[1].set_weights([np.ones((4, 5), "float32"), np.ones(5, "float32")])
    k.models.save_model(model, path, overwrite=False)
    assert open(path, "rb").read() == before


def test_subclassed_model_cannot_be_saved(tmp_path):
    class M(k.Model):
        def __init__(self):
            super().__init__()
            self.d = k.layers.Dense(1)

        def call(self, inputs):
            return self.d(inputs)

    model = M()
    model(k.Input(shape=(2,)))
    with pytest.raises(NotImplementedError, match="save_weights"):
        model.save(str(tmp_path / "m"))
