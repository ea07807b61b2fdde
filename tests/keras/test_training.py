"""compile / fit / evaluate / predict of flowgraph.keras models (TF 1.15 graph mode)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import layers, optimizers
from flowgraph.keras.models import Model, Sequential


def _separable(n=64, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 2).astype(np.float32)
    y = (x[:, 0] + 2 * x[:, 1] > 0).astype(np.float32)[:, None]
    return x, y


def test_train_on_batch_one_sgd_step_matches_numpy():
    model = Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    rng = np.random.RandomState(3)
    x = rng.randn(5, 3).astype(np.float32)
    y = rng.randn(5, 1).astype(np.float32)
    w, b = model.get_weights()
    err = x @ w + b - y
    want_loss = np.mean(err ** 2)
    grad_w = 2.0 / 5 * x.T @ err
    grad_b = 2.0 / 5 * err.sum(axis=0)
    loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, want_loss, rtol=1e-5)
    w2, b2 = model.get_weights()
    np.testing.assert_allclose(w2, w - 0.1 * grad_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b2, b - 0.1 * grad_b, rtol=1e-5, atol=1e-6)


def test_evaluate_is_weighted_mean_over_batches():
    model = Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mae")
    x = np.random.RandomState(4).randn(10, 2).astype(np.float32)
    y = np.random.RandomState(5).randn(10, 1).astype(np.float32)
    w, b = model.get_weights()
    want = np.mean(np.abs(x @ w + b - y))
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=3, verbose=0), want,
                               rtol=1e-5)
    np.testing.assert_allclose(model.test_on_batch(x, y), want, rtol=1e-5)
    sw = np.arange(10, dtype=np.float32)
    want_w = np.mean(np.abs(x @ w + b - y)[:, 0] * sw)
    np.testing.assert_allclose(model.evaluate(x, y, sample_weight=sw, batch_size=10,
                                              verbose=0), want_w, rtol=1e-5)


def test_regularization_loss_is_added():
    model = Sequential([layers.Dense(1, input_shape=(2,), kernel_regularizer="l2")])
    model.compile("sgd", "mse")
    x = np.ones((4, 2), np.float32)
    y = np.zeros((4, 1), np.float32)
    w, b = model.get_weights()
    want = np.mean((x @ w + b - y) ** 2) + 0.01 * np.sum(w ** 2)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), want, rtol=1e-5)


def test_functional_fit_learns_separable_problem():
    fg.set_random_seed(1)
    np.random.seed(1)
    x, y = _separable()
    inp = layers.Input(shape=(2,))
    out = layers.Dense(1, activation="sigmoid")(layers.Dense(8, activation="tanh")(inp))
    model = Model(inp, out)
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy",
                  metrics=["accuracy"])
    # TF 1.15 graph mode names 'accuracy' "acc" too (training_utils.get_metric_name)
    assert model.metrics_names == ["loss", "acc"]
    before_loss, before_acc = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=16, epochs=40, verbose=0)
    assert sorted(history.history) == ["acc", "loss"]
    assert len(history.history["loss"]) == 40
    after_loss, after_acc = model.evaluate(x, y, verbose=0)
    assert after_loss < 0.5 * before_loss
    assert after_acc >= 0.95
    probs = model.predict(x)
    np.testing.assert_allclose(after_acc, np.mean((probs > 0.5) == (y > 0.5)), rtol=1e-6)


def test_sequential_fit_with_validation_split_and_acc_name():
    np.random.seed(2)
    x, y = _separable(80, seed=2)
    model = Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy",
                  metrics=["acc"])
    history = model.fit(x, y, epochs=15, batch_size=8, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_acc"][-1] >= 0.9
    # validation data is the last 25%: val_loss equals evaluate on it
    np.testing.assert_allclose(history.history["val_loss"][-1],
                               model.evaluate(x[60:], y[60:], verbose=0)[0], rtol=1e-5)


def test_sparse_categorical_fit_and_accuracy_resolution():
    np.random.seed(3)
    rng = np.random.RandomState(3)
    x = rng.randn(90, 2).astype(np.float32)
    labels = np.argmax(np.stack([x[:, 0], x[:, 1], -x[:, 0] - x[:, 1]], 1), 1)
    model = Sequential([layers.Dense(3, activation="softmax", input_shape=(2,))])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, labels, epochs=30, batch_size=15, verbose=0)
    loss, acc = model.evaluate(x, labels, verbose=0)
    probs = model.predict(x)
    np.testing.assert_allclose(acc, np.mean(np.argmax(probs, 1) == labels), rtol=1e-6)
    want_loss = -np.mean(np.log(probs[np.arange(90), labels]))
    np.testing.assert_allclose(loss, want_loss, rtol=1e-4)
    assert acc > 0.9


def test_multi_output_metrics_names_and_loss_weights():
    inp = layers.Input(shape=(3,))
    o1 = layers.Dense(2, name="o1")(inp)
    o2 = layers.Dense(1, name="o2")(inp)
    model = Model(inp, [o1, o2])
    model.compile("sgd", ["mse", "mae"], metrics=["mae"], loss_weights=[1.0, 0.5])
    assert model.metrics_names == ["loss", "o1_loss", "o2_loss", "o1_mean_absolute_error",
                                   "o2_mean_absolute_error"]
    x = np.random.RandomState(6).randn(6, 3).astype(np.float32)
    y1 = np.zeros((6, 2), np.float32)
    y2 = np.ones((6, 1), np.float32)
    p1, p2 = model.predict(x)
    values = model.evaluate(x, [y1, y2], verbose=0)
    l1 = np.mean((p1 - y1) ** 2)
    l2 = np.mean(np.abs(p2 - y2))
    np.testing.assert_allclose(values, [l1 + 0.5 * l2, l1, l2, np.mean(np.abs(p1 - y1)), l2],
                               rtol=1e-5)
    history = model.fit(x, {"o1": y1, "o2": y2}, epochs=1, verbose=0)
    assert sorted(history.history) == sorted(model.metrics_names)


def test_subclassed_model_fit_builds_on_data():
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    model = Net()
    model.compile(optimizers.SGD(learning_rate=0.1), "mse")
    rng = np.random.RandomState(7)
    x = rng.randn(32, 4).astype(np.float32)
    y = x @ np.array([[1.], [-2.], [0.5], [3.]], np.float32)
    history = model.fit(x, y, epochs=30, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.01 * history.history["loss"][0]
    assert model.inputs[0].shape.as_list() == [None, 4]


def test_dropout_uses_learning_phase():
    fg.set_random_seed(0)
    model = Sequential([layers.Dropout(0.5, input_shape=(100,)),
                        layers.Dense(1, kernel_initializer="ones", use_bias=False)])
    model.compile(optimizers.SGD(learning_rate=0.0), "mse")
    x = np.ones((4, 100), np.float32)
    y = np.full((4, 1), 100.0, np.float32)
    np.testing.assert_allclose(model.predict(x), y)  # inference: dropout is the identity
    assert model.test_on_batch(x, y) == 0.0
    # training: each row sums 2 * (number of units kept), almost never exactly 100
    assert model.train_on_batch(x, y) > 1.0


def test_batchnorm_moving_stats_update_in_fit():
    model = Sequential([layers.BatchNormalization(input_shape=(2,), momentum=0.5)])
    model.compile("sgd", "mse")
    x = np.array([[1., 3.], [3., 5.]], np.float32)
    model.fit(x, np.zeros_like(x), batch_size=2, epochs=1, verbose=0, shuffle=False)
    moving_mean = K.get_value(model.layers[0].moving_mean)
    np.testing.assert_allclose(moving_mean, 0.5 * np.array([2., 4.]), rtol=1e-5)


def test_bad_inputs_raise_clear_errors():
    model = Sequential([layers.Dense(1, input_shape=(3,))])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.ones((2, 3)), np.ones((2, 1)), verbose=0)
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="shape"):
        model.fit(np.ones((2, 4)), np.ones((2, 1)), verbose=0)
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(np.ones((2, 3)), np.ones((3, 1)), verbose=0)
    with pytest.raises(ValueError, match="no loss"):
        model.compile("sgd")


def test_fit_verbose_prints_progress(capsys):
    model = Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "loss:" in out


def test_stateful_metric_object_accumulates_over_batches():
    from flowgraph.keras import metrics

    def abs_err(y_true, y_pred):
        return fg.abs(y_true - y_pred)

    model = Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizers.SGD(learning_rate=0.0), "mse",
                  metrics=[metrics.MeanMetricWrapper(abs_err, name="abs_err")])
    assert model.metrics_names == ["loss", "abs_err"]
    rng = np.random.RandomState(8)
    x = rng.randn(7, 2).astype(np.float32)
    y = rng.randn(7, 1).astype(np.float32)
    w, b = model.get_weights()
    err = np.abs(x @ w + b - y)[:, 0]
    loss, value = model.evaluate(x, y, batch_size=3, verbose=0)
    np.testing.assert_allclose(value, err.mean(), rtol=1e-5)
    history = model.fit(x, y, batch_size=2, epochs=2, verbose=0)
    np.testing.assert_allclose(history.history["abs_err"], [err.mean()] * 2, rtol=1e-5)
    # without reset, train_on_batch accumulates: the second value covers both batches
    model.reset_metrics()  # fit leaves its last epoch's state, as TF 1.15
    first = model.train_on_batch(x[:3], y[:3], reset_metrics=False)[1]
    second = model.train_on_batch(x[3:], y[3:], reset_metrics=True)[1]
    np.testing.assert_allclose(first, err[:3].mean(), rtol=1e-5)
    np.testing.assert_allclose(second, err.mean(), rtol=1e-5)
    np.testing.assert_allclose(model.test_on_batch(x[3:], y[3:])[1], err[3:].mean(),
                               rtol=1e-5)


def test_fit_evaluate_predict_on_dataset():
    fg.set_random_seed(4)
    rng = np.random.RandomState(9)
    x = rng.randn(12, 3).astype(np.float32)
    y = (x @ np.array([[1.], [2.], [-1.]], np.float32)).astype(np.float32)
    model = Sequential([layers.Dense(1)])  # built from the Dataset's element shapes
    model.compile(optimizers.SGD(learning_rate=0.1), "mse")
    dataset = fg.data.Dataset.from_tensor_slices((x, y)).batch(4)
    history = model.fit(dataset, epochs=20, verbose=0)
    assert len(history.history["loss"]) == 20
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
    w, b = model.get_weights()
    want = np.mean((x @ w + b - y) ** 2)
    np.testing.assert_allclose(model.evaluate(dataset, verbose=0), want, rtol=1e-5)
    np.testing.assert_allclose(model.predict(dataset), x @ w + b, rtol=1e-5, atol=1e-6)
    repeated = fg.data.Dataset.from_tensor_slices((x, y)).batch(4).repeat()
    history = model.fit(repeated, epochs=2, steps_per_epoch=3, verbose=0)
    assert len(history.history["loss"]) == 2
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        model.fit(dataset, y, verbose=0)
    with pytest.raises(ValueError, match="steps"):
        model.evaluate(dataset.make_one_shot_iterator(), verbose=0)


def test_sample_and_class_weights_match_tf_keras():
    # reference numbers from tf_keras (Keras 2) in TF1 graph mode
    x = np.arange(10, dtype=np.float32).reshape(5, 2) / 10
    y = np.array([[1.], [0.], [2.], [1.], [0.]], np.float32)
    model = Sequential([layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
    model.compile("sgd", "mae")
    sw = np.array([1., 2., 0., 1., 3.], np.float32)
    np.testing.assert_allclose(model.evaluate(x, y, sample_weight=sw, batch_size=5,
                                              verbose=0), 1.46, rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(x, y, sample_weight=sw, batch_size=2,
                                              verbose=0), 1.46, rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=2, verbose=0), 0.9,
                               rtol=1e-6)
    history = model.fit(x, y, class_weight={0: 1.0, 1: 2.0, 2: 3.0}, verbose=0,
                        shuffle=False, batch_size=5)
    np.testing.assert_allclose(history.history["loss"], [1.58], rtol=1e-6)
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(x, y, class_weight={0: 1.0}, verbose=0)
    soft = Sequential([layers.Dense(2, input_shape=(2,), kernel_initializer="ones",
                                    activation="softmax")])
    soft.compile("sgd", "sparse_categorical_crossentropy", metrics=["acc"])
    np.testing.assert_allclose(soft.evaluate(x, np.array([0, 1, 1, 0, 1]), verbose=0),
                               [0.6931472, 0.4], rtol=1e-6)


def test_compile_argument_errors():
    inp = layers.Input(shape=(3,))
    model = Model(inp, [layers.Dense(1, name="a")(inp), layers.Dense(1, name="b")(inp)])
    with pytest.raises(ValueError, match="one entry per model output"):
        model.compile("sgd", ["mse"])
    with pytest.raises(ValueError, match="Unknown entry in loss dictionary: 'c'"):
        model.compile("sgd", {"a": "mse", "c": "mse"})
    model.compile("sgd", {"a": "mse", "b": "mae"})
    assert model.metrics_names == ["loss", "a_loss", "b_loss"]


def test_compile_without_loss_uses_added_losses():
    class SquarePenalty(layers.Layer):
        def call(self, inputs):
            self.add_loss(fg.reduce_mean(fg.square(inputs)))
            return fg.identity(inputs)

    inp = layers.Input(shape=(2,))
    dense = layers.Dense(2, kernel_initializer="ones", use_bias=False)
    model = Model(inp, SquarePenalty()(dense(inp)))
    model.compile(optimizers.SGD(learning_rate=0.1), loss=None)
    x = np.array([[1., 2.], [0., 1.]], np.float32)
    # outputs: rows summed into both units: [[3, 3], [1, 1]] -> mean square 5
    np.testing.assert_allclose(model.evaluate(x, verbose=0), 5.0, rtol=1e-6)
    model.fit(x, epochs=3, verbose=0)
    assert model.evaluate(x, verbose=0) < 5.0
