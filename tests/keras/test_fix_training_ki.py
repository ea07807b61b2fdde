"""TF 1.15 fidelity of the Keras training pieces: the ``<output>_sample_weights``
placeholder_with_default, the compiled loss's names, TFOptimizer's ``iterations``, the input
checks' wording, the recurrent layers' configs, `metrics.AUC`, `metrics.accuracy` and the
weighting of the loss by an output's Keras mask. Reference values come from tf_keras in TF1
graph mode (TF 2.21) and are hard-coded; where TF 2.x differs from 1.15 (mask
renormalization) the 1.15 rule is computed here with numpy."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend, initializers, layers, metrics, optimizers
from flowgraph.keras.input_layer import Input
from flowgraph.keras.models import Model, Sequential


def _dense_model(optimizer="sgd"):
    model = Sequential([layers.Dense(1, input_shape=(5,),
                                     kernel_initializer=initializers.Constant(0.5),
                                     bias_initializer=initializers.Constant(0.1))])
    model.compile(optimizer, "mse")
    return model


# -- 1. sample weights, targets, total_loss
def test_sample_weights_are_placeholder_with_default_of_ones():
    with fg.Graph().as_default():
        model = _dense_model()
        (sw,) = model.sample_weights
        assert sw.name == "dense_sample_weights:0"
        assert sw.op.type == "PlaceholderWithDefault"
        assert sw.shape.as_list() == [None]
        assert sw.dtype == fg.float32
        assert [t.name for t in model._targets] == ["dense_target:0"]
        assert model.total_loss.name == "loss/mul:0"
        x = np.arange(15, dtype=np.float32).reshape(3, 5) / 10.0
        y = np.array([[1.0], [-1.0], [2.0]], np.float32)
        session = backend.get_session()
        # runs without feeding the sample weights (TF 1.15)
        loss = session.run(model.total_loss, {model.inputs[0]: x, model._targets[0]: y})
        pred = x.sum(axis=1, keepdims=True) * 0.5 + 0.1
        np.testing.assert_allclose(loss, np.mean((pred - y) ** 2), rtol=1e-6)
        w = np.array([1.0, 0.0, 3.0], np.float32)
        weighted = session.run(model.total_loss, {model.inputs[0]: x, model._targets[0]: y,
                                                  sw: w})
        np.testing.assert_allclose(weighted, np.mean((pred - y)[:, 0] ** 2 * w), rtol=1e-6)
        np.testing.assert_allclose(model.evaluate(x, y, sample_weight=w, verbose=0),
                                   np.mean((pred - y)[:, 0] ** 2 * w), rtol=1e-6)


def test_temporal_sample_weights_default():
    with fg.Graph().as_default():
        model = Sequential([layers.Dense(1, input_shape=(3, 2))])
        model.compile("sgd", "mse", sample_weight_mode="temporal")
        (sw,) = model.sample_weights
        assert sw.op.type == "PlaceholderWithDefault"
        assert sw.shape.as_list() == [None, None]
        x = np.ones((2, 3, 2), np.float32)
        y = np.zeros((2, 3, 1), np.float32)
        session = backend.get_session()
        out = session.run(model.outputs[0], {model.inputs[0]: x})
        loss = session.run(model.total_loss, {model.inputs[0]: x, model._targets[0]: y})
        np.testing.assert_allclose(loss, np.mean(out ** 2), rtol=1e-6)


# -- 2. TFOptimizer
def test_tf_optimizer_iterations_name_and_count():
    with fg.Graph().as_default():
        model = _dense_model(fg.train.GradientDescentOptimizer(0.1))
        assert type(model.optimizer).__name__ == "TFOptimizer"
        assert model.optimizer.iterations.name == "TFOptimizer/iterations:0"
        x = np.ones((4, 5), np.float32)
        model.fit(x, np.ones((4, 1), np.float32), batch_size=2, epochs=1, verbose=0)
        assert backend.get_session().run(model.optimizer.iterations) == 2


# -- 3. input checks (TF 1.15's wording)
def test_input_check_messages():
    with fg.Graph().as_default():
        model = _dense_model()
        expected = {
            (3, 2): "Error when checking input: expected dense_input to have shape (5,) but "
                    "got array with shape (2,)",
            (3,): "Error when checking input: expected dense_input to have shape (5,) but "
                  "got array with shape (1,)",
            (3, 5, 1): "Error when checking input: expected dense_input to have 2 "
                       "dimensions, but got array with shape (3, 5, 1)",
        }
        for shape, message in expected.items():
            with pytest.raises(ValueError) as info:
                model.predict(np.ones(shape))
            assert str(info.value) == message
        with pytest.raises(ValueError) as info:
            model.predict([np.ones((3, 5)), np.ones((3, 5))])
        assert str(info.value).startswith(
            "Error when checking model input: the list of Numpy arrays that you are passing "
            "to your model is not the size the model expected. Expected to see 1 array(s), "
            "but instead got the following list of 2 arrays: [array(")
        assert str(info.value).endswith("...")


# -- 4. recurrent configs
_RNN_COMMON = ['activation', 'activity_regularizer', 'bias_constraint', 'bias_initializer',
               'bias_regularizer', 'dropout', 'dtype', 'go_backwards', 'kernel_constraint',
               'kernel_initializer', 'kernel_regularizer', 'name', 'recurrent_constraint',
               'recurrent_dropout', 'recurrent_initializer', 'recurrent_regularizer',
               'return_sequences', 'return_state', 'stateful', 'time_major', 'trainable',
               'units', 'unroll', 'use_bias']


def test_recurrent_config_keys_as_tf():
    with fg.Graph().as_default():
        expected = {
            "LSTM": sorted(_RNN_COMMON + ["implementation", "recurrent_activation",
                                         "unit_forget_bias"]),
            "GRU": sorted(_RNN_COMMON + ["implementation", "recurrent_activation",
                                        "reset_after"]),
            "SimpleRNN": sorted(_RNN_COMMON),
        }
        for name, keys in expected.items():
            layer = getattr(layers, name)(3)
            config = layer.get_config()
            assert sorted(config) == keys, name
            assert config["time_major"] is False
            assert type(layer).from_config(config).get_config() == config
        rnn = layers.RNN(layers.LSTMCell(3))
        assert sorted(rnn.get_config()) == ['cell', 'dtype', 'go_backwards', 'name',
                                            'return_sequences', 'return_state', 'stateful',
                                            'time_major', 'trainable', 'unroll']


# -- 5. AUC and accuracy
_YT = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0], np.float32)
_YP = np.array([0.1, 0.4, 0.35, 0.8, 0.65, 0.9, 0.05, 0.5, 0.7, 0.3], np.float32)
_SW = np.array([1, 2, 1, 0.5, 1, 1], np.float32)

# (kwargs, after the first update, after a second weighted update): tf_keras graph mode
_AUC_CASES = [
    ({}, 0.8799999952316284, 0.8222222328186035),
    ({"curve": "PR"}, 0.8937110304832458, 0.8456042408943176),
    ({"summation_method": "minoring"}, 0.8799999952316284, 0.8222222328186035),
    ({"curve": "PR", "summation_method": "majoring"}, 0.9028571248054504,
     0.8577778339385986),
    ({"num_thresholds": 7}, 0.8800000548362732, 0.8444444537162781),
    ({"thresholds": [0.3, 0.6, 0.5]}, 0.8200000524520874, 0.7777777910232544),
]


@pytest.mark.parametrize("kwargs,first,second", _AUC_CASES)
def test_auc_values_as_tf(kwargs, first, second):
    with fg.Graph().as_default():
        metric = metrics.AUC(**kwargs)
        update = metric.update_state(_YT, _YP)
        update2 = metric.update_state(_YT[:6], _YP[:6], sample_weight=_SW)
        result = metric.result()
        session = backend.get_session()
        session.run(fg.variables_initializer(metric.variables))
        session.run(update)
        np.testing.assert_allclose(session.run(result), first, rtol=1e-5)
        session.run(update2)
        np.testing.assert_allclose(session.run(result), second, rtol=1e-5)
        metric.reset_states()
        assert session.run(result) == 0.0


def test_auc_defaults_config_and_errors():
    with fg.Graph().as_default():
        first, second = metrics.AUC(), metrics.AUC()
        assert (first.name, second.name) == ("auc", "auc_1")
        assert first.num_thresholds == 200 and len(first.thresholds) == 200
        assert first.thresholds[0] == pytest.approx(-1e-7)
        assert first.thresholds[-1] == pytest.approx(1 + 1e-7)
        assert first.thresholds[1] == pytest.approx(1 / 199)
        config = metrics.AUC(num_thresholds=5, curve="PR", name="pr").get_config()
        assert config["curve"] == "PR" and config["summation_method"] == "interpolation"
        assert config["thresholds"] == pytest.approx([0.25, 0.5, 0.75])
        again = metrics.deserialize({"class_name": "AUC", "config": config})
        assert again.thresholds == pytest.approx(metrics.AUC(num_thresholds=5).thresholds)
        with pytest.raises(ValueError, match="num_thresholds"):
            metrics.AUC(num_thresholds=1)
        with pytest.raises(ValueError, match="curve"):
            metrics.AUC(curve="XY")
        with pytest.raises(ValueError, match="summation method"):
            metrics.AUC(summation_method="mean")


def test_auc_in_compile():
    with fg.Graph().as_default():
        inp = Input(shape=(1,))
        model = Model(inp, layers.Lambda(lambda t: t)(inp))
        model.compile("sgd", "binary_crossentropy", metrics=[metrics.AUC()])
        values = model.evaluate(_YP[:, None], _YT[:, None], batch_size=4, verbose=0)
        assert model.metrics_names == ["loss", "auc"]
        np.testing.assert_allclose(values[1], 0.8799999952316284, rtol=1e-5)


def test_metrics_get_accuracy():
    assert metrics.get("accuracy") is metrics.accuracy
    assert metrics.get("acc") is metrics.accuracy
    assert metrics.ACC is metrics.accuracy
    with fg.Graph().as_default():
        value = metrics.accuracy(fg.constant([1.0, 2.0, 3.0]), fg.constant([1, 0, 3]))
        assert value.dtype == fg.float32
        np.testing.assert_array_equal(fg.Session().run(value), [1.0, 0.0, 1.0])


# -- 6. masked outputs
_X = np.array([[1, 2, 0, 0], [3, 1, 4, 0], [2, 2, 2, 2]], np.float32)
_Y = np.array([[0.5, 1.0, 0, 0], [0.2, 0.3, 0.4, 0], [1, 0, 1, 0]], np.float32)[..., None]
# tf_keras graph-mode predictions of the model below
_PRED = np.array([[0.14689701795578003, 0.21831119060516357, 0.21831119060516357,
                   0.21831119060516357],
                  [0.23333770036697388, 0.22092947363853455, 0.3649710714817047,
                   0.3649710714817047],
                  [0.1880044788122177, 0.24158135056495667, 0.27450454235076904,
                   0.2949990928173065]])


def _masked_model(metric_list=()):
    inp = Input(shape=(4,))
    emb = layers.Embedding(5, 3, mask_zero=True, embeddings_initializer=initializers.Constant(
        np.arange(15).reshape(5, 3) * 0.1))(inp)
    seq = layers.LSTM(2, return_sequences=True, recurrent_activation="sigmoid",
                      kernel_initializer=initializers.Constant(0.1),
                      recurrent_initializer=initializers.Constant(-0.2))(emb)
    out = layers.TimeDistributed(layers.Dense(
        1, kernel_initializer=initializers.Constant(0.7),
        bias_initializer=initializers.Constant(0.1)))(seq)
    model = Model(inp, out)
    model.compile(optimizers.SGD(lr=0.0), "mse", metrics=list(metric_list))
    return model


def test_output_mask_weights_the_loss():
    with fg.Graph().as_default():
        model = _masked_model(["mae"])
        np.testing.assert_allclose(model.predict(_X)[..., 0], _PRED, rtol=1e-5)
        mask = (_X != 0).astype(np.float64)
        sq = (_PRED - _Y[..., 0]) ** 2
        # TF 1.15: mask times the weights, then the mean over every timestep
        expected = np.sum(sq * mask) / sq.size
        assert expected == pytest.approx(0.17294800717517686)
        loss, mae = model.evaluate(_X, _Y, verbose=0)
        np.testing.assert_allclose(loss, expected, rtol=1e-5)
        # metrics are weighted by the mask too (TF 1.15's call_metric_function)
        abs_err = np.abs(_PRED - _Y[..., 0])
        np.testing.assert_allclose(mae, np.sum(abs_err * mask) / mask.sum(), rtol=1e-5)
        sw = np.array([1.0, 0.5, 2.0])
        loss = model.evaluate(_X, _Y, sample_weight=sw, verbose=0)[0]
        np.testing.assert_allclose(loss, np.sum(sq * mask * sw[:, None]) / sq.size,
                                   rtol=1e-5)


def test_mask_of_wrong_rank_is_a_clear_error():
    with fg.Graph().as_default():
        inp = Input(shape=(4,))
        emb = layers.Embedding(5, 3, mask_zero=True)(inp)
        # a Lambda keeping the [batch, time] mask on a [batch] output
        out = layers.Lambda(lambda t: fg.reduce_sum(t, axis=[1, 2]),
                            mask=lambda inputs, mask: mask)(emb)
        model = Model(inp, out)
        with pytest.raises(ValueError, match="mask must have one entry per loss value"):
            model.compile("sgd", "mse")


# -- wrappers' configs (TF 1.15's Bidirectional.get_config / Wrapper.from_config)
def test_bidirectional_config_and_round_trip():
    with fg.Graph().as_default():
        plain = layers.Bidirectional(layers.LSTM(3))
        config = plain.get_config()
        assert sorted(config) == ["dtype", "layer", "merge_mode", "name", "trainable"]
        again = layers.Bidirectional.from_config(config)
        assert again.get_config() == config
        assert again.backward_layer.go_backwards is True
        custom = layers.Bidirectional(layers.LSTM(3, name="f"), backward_layer=layers.GRU(
            3, go_backwards=True, name="g"))
        config = custom.get_config()
        assert custom.backward_layer.name == "backward_g"
        assert config["backward_layer"]["class_name"] == "GRU"
        assert config["backward_layer"]["config"]["name"] == "g"  # as given
        rebuilt = layers.Bidirectional.from_config(config)
        assert type(rebuilt.backward_layer).__name__ == "GRU"
        assert rebuilt.get_config() == config


def test_wrapped_models_round_trip_through_config():
    with fg.Graph().as_default():
        model = Sequential([layers.Bidirectional(layers.LSTM(3), input_shape=(4, 2)),
                            layers.RepeatVector(2),
                            layers.TimeDistributed(layers.Dense(1))])
        clone = Sequential.from_config(model.get_config())
        assert clone.get_config() == model.get_config()
        clone.set_weights(model.get_weights())
        x = np.linspace(-1, 1, 16, dtype=np.float32).reshape(2, 4, 2)
        np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)
