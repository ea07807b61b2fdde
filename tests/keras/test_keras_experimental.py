"""tf.keras.experimental: premade models, PeepholeLSTMCell and the cosine schedules.
Schedule numbers from TF (tf.compat.v1.train.*_decay, hard-coded); the rest against numpy."""

import math

import numpy as np
import pytest

import flowgraph as fg

k = fg.keras
E = fg.keras.experimental


def _run(tensor):
    with fg.Session() as sess:
        return sess.run(tensor)


@pytest.mark.parametrize("make, steps, want", [
    (lambda: E.CosineDecay(0.5, 10, alpha=0.1), [0, 3, 7, 10, 15],
     [0.5, 0.4072517, 0.14274833, 0.05, 0.05]),
    (lambda: E.CosineDecayRestarts(0.5, 4, t_mul=2.0, m_mul=0.7, alpha=0.1),
     [0, 2, 4, 5, 11, 13], [0.5, 0.275, 0.365, 0.35301104, 0.06198896, 0.26838157]),
    (lambda: E.CosineDecayRestarts(0.5, 4, t_mul=1.0, m_mul=0.5), [0, 2, 4, 5, 9],
     [0.5, 0.25, 0.25, 0.21338835, 0.10669418]),
    (lambda: E.LinearCosineDecay(0.5, 10, num_periods=1.5, alpha=0.2, beta=0.01),
     [0, 3, 7, 10, 15], [0.605, 0.016012264, 0.24888207, 0.005, 0.005]),
])
def test_schedules_match_tf(make, steps, want):
    with fg.Graph().as_default():
        schedule = make()
        assert isinstance(schedule, k.optimizers.schedules.LearningRateSchedule)
        got = _run([schedule(fg.constant(float(s))) for s in steps])
        np.testing.assert_allclose(got, want, rtol=1e-5)
        again = type(schedule).from_config(schedule.get_config())
        np.testing.assert_allclose(_run(again(fg.constant(float(steps[1])))), want[1],
                                   rtol=1e-5)


def test_cosine_decay_restarts_tensor_t_mul():
    with fg.Graph().as_default():
        t_mul = fg.placeholder(fg.float32, [])
        lr = E.CosineDecayRestarts(0.5, 4, t_mul=t_mul, m_mul=0.7, alpha=0.1)(11.0)
        with fg.Session() as sess:
            np.testing.assert_allclose(sess.run(lr, {t_mul: 2.0}), 0.06198896, rtol=1e-5)
            # t_mul = 1: period 4, step 11 -> third restart, 3/4 through
            want = 0.5 * (0.9 * 0.7 ** 2 * 0.5 * (1 + math.cos(math.pi * 0.75)) + 0.1)
            np.testing.assert_allclose(sess.run(lr, {t_mul: 1.0}), want, rtol=1e-5)


def test_noisy_linear_cosine_decay_statistics():
    with fg.Graph().as_default():
        lr = E.NoisyLinearCosineDecay(1.0, 10, initial_variance=1.0, variance_decay=0.55)(3.0)
        with fg.Session() as sess:
            draws = np.array([sess.run(lr) for _ in range(3000)])
    cosine = 0.5 * (1 + math.cos(math.pi * 0.3))
    mean = 0.7 * cosine + 0.001
    std = cosine * math.sqrt(1.0 / 4.0 ** 0.55)
    assert abs(draws.mean() - mean) < 5 * std / math.sqrt(len(draws))
    assert abs(draws.std() - std) < 0.1 * std


def test_linear_model_list_inputs_values_and_names():
    with fg.Graph().as_default():
        model = E.LinearModel(units=2, kernel_initializer=k.initializers.Constant(0.5),
                              bias_initializer=k.initializers.Constant(0.1))
        x1 = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
        x2 = np.array([[1.0], [-1.0]], np.float32)
        y = model([fg.constant(x1), fg.constant(x2)])
        assert [w.name for w in model.weights] == [
            "linear_model/dense/kernel:0", "linear_model/dense_1/kernel:0",
            "linear_model/bias:0"]
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            got = sess.run(y)
        want = x1 @ np.full((2, 2), 0.5) + x2 @ np.full((1, 2), 0.5) + 0.1
        np.testing.assert_allclose(got, want, rtol=1e-6)
        with pytest.raises(ValueError, match="Expected 2 inputs, but got 1 inputs"):
            model(fg.constant(x1))


def test_linear_model_dict_inputs_and_activation():
    with fg.Graph().as_default():
        model = E.LinearModel(activation="sigmoid", use_bias=False,
                              kernel_initializer=k.initializers.Constant(-1.0))
        a = np.array([[1.0, 2.0]], np.float32)
        b = np.array([[0.5]], np.float32)
        y = model({"b": fg.constant(b), "a": fg.constant(a)})
        assert [w.name for w in model.weights] == ["linear_model/a/kernel:0",
                                                   "linear_model/b/kernel:0"]
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            got = sess.run(y)
        np.testing.assert_allclose(got, 1 / (1 + np.exp(3.5)), rtol=1e-6)
        with pytest.raises(ValueError, match="Missing keys"):
            model({"a": fg.constant(a), "c": fg.constant(b)})


def test_linear_model_fit_and_regularizer():
    k.backend.clear_session()
    rng = np.random.RandomState(0)
    x = rng.randn(32, 3).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype(np.float32)
    model = E.LinearModel(kernel_regularizer="l2")
    model.compile(k.optimizers.SGD(lr=0.1), "mse")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(model.losses) == 1
    config = model.get_config()
    assert config["units"] == 1 and config["kernel_regularizer"] is not None
    assert E.LinearModel.from_config(config).units == 1


def test_wide_deep_forward_and_two_optimizers():
    k.backend.clear_session()
    rng = np.random.RandomState(1)
    x = rng.randn(8, 3).astype(np.float32)
    y = rng.randn(8, 1).astype(np.float32)
    linear = E.LinearModel()
    dnn = k.Sequential([k.layers.Dense(1, input_shape=(3,))])
    model = E.WideDeepModel(linear, dnn)
    model.compile(optimizer=[k.optimizers.SGD(lr=0.1), k.optimizers.SGD(lr=0.5)], loss="mse")
    assert model.linear_optimizer is model.optimizer[0]
    assert model.dnn_optimizer is model.optimizer[1]
    pred = model.predict(x)
    wl, bl = linear.get_weights()
    wd, bd = dnn.get_weights()
    out = 0.5 * (x @ wl + bl + x @ wd + bd)
    np.testing.assert_allclose(pred, out, rtol=1e-5, atol=1e-6)
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    dout = 2 * (out - y) / len(x) * 0.5  # d mean-squared-error / d each part's output
    np.testing.assert_allclose(linear.get_weights()[0], wl - 0.1 * x.T @ dout, rtol=1e-4)
    np.testing.assert_allclose(linear.get_weights()[1], bl - 0.1 * dout.sum(0), rtol=1e-4)
    np.testing.assert_allclose(dnn.get_weights()[0], wd - 0.5 * x.T @ dout, rtol=1e-4)
    np.testing.assert_allclose(dnn.get_weights()[1], bd - 0.5 * dout.sum(0), rtol=1e-4)


def test_wide_deep_two_inputs_and_activation():
    with fg.Graph().as_default():
        linear = E.LinearModel(kernel_initializer=k.initializers.Constant(1.0))
        dnn = k.Sequential([k.layers.Dense(1, kernel_initializer="ones",
                                           bias_initializer=k.initializers.Constant(2.0))])
        model = E.WideDeepModel(linear, dnn, activation="relu")
        y = model([fg.constant([[1.0, 1.0], [-5.0, -5.0]]), fg.constant([[3.0], [-9.0]])])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            np.testing.assert_allclose(sess.run(y), [[3.5], [0.0]])


def test_wide_deep_compile_rejects_three_optimizers():
    model = E.WideDeepModel(E.LinearModel(), k.Sequential([k.layers.Dense(1)]))
    with pytest.raises(ValueError, match="list of two"):
        model.compile(["sgd", "sgd", "sgd"], "mse")


def _hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


@pytest.mark.parametrize("implementation", [1, 2])
def test_peephole_lstm_cell_against_numpy(implementation):
    k.backend.clear_session()
    x = np.array([[[1.0, 2.0], [0.5, -1.0], [0.3, 0.3]],
                  [[-1.0, 0.0], [2.0, 1.0], [0.0, 0.5]]], np.float32)
    rng = np.random.RandomState(3)
    kernel = rng.randn(2, 12).astype(np.float32) * 0.5
    recurrent = rng.randn(3, 12).astype(np.float32) * 0.5
    bias = rng.randn(12).astype(np.float32) * 0.1
    peep = {"input": np.array([0.3, -0.1, 0.2], np.float32),
            "forget": np.array([0.5, 0.4, -0.3], np.float32),
            "output": np.array([-0.2, 0.1, 0.6], np.float32)}
    cell = E.PeepholeLSTMCell(3, implementation=implementation)
    layer = k.layers.RNN(cell, return_sequences=True)
    out = layer(fg.constant(x))
    assert [w.name for w in layer.weights] == [
        "rnn/kernel:0", "rnn/recurrent_kernel:0", "rnn/bias:0",
        "rnn/input_gate_peephole_weights:0", "rnn/forget_gate_peephole_weights:0",
        "rnn/output_gate_peephole_weights:0"]
    layer.set_weights([kernel, recurrent, bias, peep["input"], peep["forget"],
                       peep["output"]])
    got = k.backend.get_session().run(out)
    h = np.zeros((2, 3), np.float32)
    c = np.zeros((2, 3), np.float32)
    want = []
    for t in range(3):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i = _hard_sigmoid(z[:, 0:3] + peep["input"] * c)
        f = _hard_sigmoid(z[:, 3:6] + peep["forget"] * c)
        c = f * c + i * np.tanh(z[:, 6:9])
        o = _hard_sigmoid(z[:, 9:12] + peep["output"] * c)
        h = o * np.tanh(c)
        want.append(h)
    np.testing.assert_allclose(got, np.stack(want, 1), rtol=1e-5, atol=1e-6)


def test_sequence_features_matches_tf():
    with fg.Graph().as_default():
        fcol = fg.feature_column
        w = fcol.sequence_categorical_column_with_identity("w", 3)
        table = np.arange(6.0).reshape(3, 2)
        emb = fcol.embedding_column(w, 2, initializer=fg.constant_initializer(table))
        ind = fcol.indicator_column(w)
        n = fcol.sequence_numeric_column("n")
        layer = E.SequenceFeatures([emb, ind, n])
        sp = fg.SparseTensor([[0, 0], [0, 1], [1, 0]], fg.constant([2, 1, 0], fg.int64), [2, 2])
        spn = fg.SparseTensor([[0, 0], [0, 1], [1, 0]], [5.0, 6.0, 7.0], [2, 2])
        out, length = layer({"w": sp, "n": spn})
        assert out.name == "sequence_features/concat:0"
        assert [v.name for v in layer.weights] == [
            "sequence_features/w_embedding/embedding_weights:0"]
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            got, got_length = sess.run([out, length])
        # from TF: columns n, w_embedding, w_indicator
        want = [[[5, 4, 5, 0, 0, 1], [6, 2, 3, 0, 1, 0]],
                [[7, 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0]]]
        np.testing.assert_allclose(got, want)
        np.testing.assert_array_equal(got_length, [2, 1])
        with pytest.raises(ValueError, match="_SequenceDenseColumn"):
            E.SequenceFeatures([fcol.numeric_column("x")])
