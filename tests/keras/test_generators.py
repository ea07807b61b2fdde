"""fit_generator / evaluate_generator / predict_generator and generator or
`keras.utils.Sequence` inputs to fit / evaluate / predict (TF 1.15 graph mode)."""

import random

import numpy as np
import pytest

from flowgraph.keras import backend as K
from flowgraph.keras import layers, optimizers
from flowgraph.keras.models import Sequential
from flowgraph.keras.utils import Sequence


def _model(seed=0):
    K.clear_session()
    model = Sequential([layers.Dense(3, activation="tanh", input_shape=(4,)),
                        layers.Dense(1)])
    rng = np.random.RandomState(seed)
    model.set_weights([rng.randn(*w.shape).astype(np.float32) * 0.5
                       for w in model.get_weights()])
    model.compile(optimizers.SGD(learning_rate=0.05), "mse", metrics=["mae"])
    return model


def _data(n=10, seed=1):
    rng = np.random.RandomState(seed)
    return rng.randn(n, 4).astype(np.float32), rng.randn(n, 1).astype(np.float32)


def _batches():
    x, y = _data()
    return [(x[0:4], y[0:4]), (x[4:8], y[4:8]), (x[8:10], y[8:10])]


def _weights_after_fit_on_batches(batches, epochs):
    model = _model()
    for _ in range(epochs):
        for bx, by in batches:
            model.train_on_batch(bx, by)
    return model.get_weights()


def test_fit_generator_equals_train_on_batch_in_order():
    batches = _batches()
    want = _weights_after_fit_on_batches(batches, epochs=2)

    def gen():
        while True:
            yield from batches

    model = _model()
    history = model.fit_generator(gen(), steps_per_epoch=3, epochs=2, verbose=0)
    for got, w in zip(model.get_weights(), want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)
    assert sorted(history.history) == ["loss", "mean_absolute_error"]
    assert len(history.history["loss"]) == 2


def test_fit_with_generator_x_equals_fit_with_arrays_unshuffled():
    x, y = _data()
    model_a = _model()
    model_a.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    want = model_a.get_weights()

    def gen():
        while True:
            for s in range(0, 10, 4):
                yield x[s:s + 4], y[s:s + 4]

    model_b = _model()
    model_b.fit(gen(), steps_per_epoch=3, epochs=3, verbose=0)
    for a, b in zip(want, model_b.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_fit_generator_sample_weights_third_element():
    x, y = _data()
    sw = np.linspace(0.5, 2.0, 10).astype(np.float32)
    model_a = _model()
    model_a.train_on_batch(x[:5], y[:5], sample_weight=sw[:5])
    model_a.train_on_batch(x[5:], y[5:], sample_weight=sw[5:])
    want = model_a.get_weights()
    model_b = _model()
    model_b.fit_generator(iter([(x[:5], y[:5], sw[:5]), (x[5:], y[5:], sw[5:])]),
                          steps_per_epoch=2, verbose=0)
    for a, b in zip(want, model_b.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


class _Batches(Sequence):
    def __init__(self, batches):
        self.batches = batches
        self.requested = []
        self.epoch_ends = 0

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        self.requested.append(index)
        return self.batches[index]

    def on_epoch_end(self):
        self.epoch_ends += 1


def test_sequence_shuffled_per_epoch_with_python_random_and_on_epoch_end():
    batches = _batches()
    seq = _Batches(batches)
    random.seed(11)
    model = _model()
    model.fit_generator(seq, epochs=3, verbose=0)  # steps_per_epoch = len(seq) = 3
    got_weights = model.get_weights()
    # the order TF 1.15's OrderedEnqueuer draws: random.shuffle of range(len) per epoch
    random.seed(11)
    orders = []
    for _ in range(3):
        order = list(range(3))
        random.shuffle(order)
        orders.append(order)
    assert seq.requested == [i for order in orders for i in order]
    assert seq.epoch_ends == 3
    assert len({tuple(o) for o in orders}) > 1  # the check above is about shuffling
    model_ref = _model()
    for order in orders:
        for i in order:
            model_ref.train_on_batch(*batches[i])
    want = model_ref.get_weights()
    for got, w in zip(got_weights, want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)


def test_sequence_unshuffled_keeps_order():
    seq = _Batches(_batches())
    model = _model()
    model.fit(seq, epochs=2, shuffle=False, verbose=0)
    assert seq.requested == [0, 1, 2, 0, 1, 2]
    assert seq.epoch_ends == 2


def test_evaluate_generator_loss_is_mean_over_steps_metrics_over_samples():
    # TF 1.15 (tf_keras graph mode) gives [179.0, 9.0] for this model and data
    K.clear_session()
    model = Sequential([layers.Dense(1, input_shape=(2,), kernel_initializer="ones",
                                     use_bias=False)])
    model.compile("sgd", "mse", metrics=["mae"])
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    y = np.zeros((5, 1), np.float32)

    def gen():
        while True:
            yield x[:4], y[:4]
            yield x[4:], y[4:]

    loss, mae = model.evaluate_generator(gen(), steps=2)
    pred = x.sum(axis=1)
    np.testing.assert_allclose(loss, ((pred[:4] ** 2).mean() + (pred[4:] ** 2).mean()) / 2)
    np.testing.assert_allclose(loss, 179.0)
    np.testing.assert_allclose(mae, np.abs(pred).mean())
    assert model.evaluate(gen(), steps=2, verbose=0) == [loss, mae]


def test_predict_generator_and_predict_on_sequence():
    x, _ = _data()
    model = _model()
    want = model.predict(x, batch_size=4)

    class Inputs(Sequence):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[4 * i:4 * i + 4]

    np.testing.assert_allclose(model.predict_generator(Inputs()), want, rtol=1e-6)
    pairs = ((x[s:s + 4], np.zeros((len(x[s:s + 4]), 1))) for s in range(0, 10, 4))
    np.testing.assert_allclose(model.predict(pairs, steps=3), want, rtol=1e-6)


def test_validation_generator_and_tuple():
    batches = _batches()
    x, y = _data()
    model = _model()
    seq = _Batches(batches)
    history = model.fit_generator(iter(batches * 2), steps_per_epoch=3, epochs=1, verbose=0,
                                  validation_data=seq, shuffle=False)
    loss = model.evaluate_generator(_Batches(batches))[0]
    np.testing.assert_allclose(history.history["val_loss"][0], loss, rtol=1e-6)
    assert seq.requested == [0, 1, 2]
    history = model.fit_generator(iter(batches), steps_per_epoch=3, verbose=0,
                                  validation_data=(x, y))
    np.testing.assert_allclose(history.history["val_loss"][0],
                               model.evaluate(x, y, verbose=0)[0], rtol=1e-6)


def test_generator_errors():
    model = _model()
    x, y = _data()

    def gen():
        while True:
            yield x, y

    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit_generator(gen())
    with pytest.raises(ValueError, match="validation_steps"):
        model.fit_generator(gen(), steps_per_epoch=1, validation_data=gen())
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        model.fit(gen(), y, steps_per_epoch=1)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(gen(), steps_per_epoch=1, validation_split=0.2)
    with pytest.raises(ValueError, match="should be a tuple"):
        model.fit_generator(iter([x]), steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match="steps"):
        model.evaluate_generator(gen())


def test_exhausted_generator_stops_training_with_warning():
    model = _model()
    batches = _batches()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit_generator(iter(batches), steps_per_epoch=3, epochs=5,
                                      verbose=0)
    # epoch 1 complete; epoch 2 got no batch, logged nothing, and training stopped
    assert len(history.history["loss"]) == 1
    assert history.epoch == [0, 1]
    got_weights = model.get_weights()
    want = _weights_after_fit_on_batches(batches, epochs=1)
    for got, w in zip(got_weights, want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)
