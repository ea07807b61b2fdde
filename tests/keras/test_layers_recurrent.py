"""Keras recurrent layers and wrappers: numbers against numpy steps written here (and TF
2.x tf_keras outputs hard-coded), weight names as TF 1.15, shapes, gradients."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import layers

X = (np.sin(np.arange(2 * 4 * 3).reshape(2, 4, 3)) * 0.9).astype(np.float32)


def _weights(shapes):
    return [(np.cos(np.arange(int(np.prod(s))).reshape(s) * 0.7 + i) * 0.5).astype(np.float32)
            for i, s in enumerate(shapes)]


def _hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_lstm(x, kernel, recurrent, bias, rec_act=_hard_sigmoid, h=None, c=None):
    units = recurrent.shape[0]
    h = np.zeros((x.shape[0], units)) if h is None else h
    c = np.zeros((x.shape[0], units)) if c is None else c
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i = rec_act(z[:, :units])
        f = rec_act(z[:, units:2 * units])
        c = f * c + i * np.tanh(z[:, 2 * units:3 * units])
        o = rec_act(z[:, 3 * units:])
        h = o * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, 1), h, c


def _np_gru(x, kernel, recurrent, bias, reset_after=False):
    units = recurrent.shape[0]
    h = np.zeros((x.shape[0], units))
    outputs = []
    for t in range(x.shape[1]):
        in_bias, rec_bias = (bias[0], bias[1]) if reset_after else (bias, np.zeros_like(bias))
        xz = x[:, t] @ kernel + in_bias
        rz = h @ recurrent[:, :2 * units] + rec_bias[:2 * units]
        z = _hard_sigmoid(xz[:, :units] + rz[:, :units])
        r = _hard_sigmoid(xz[:, units:2 * units] + rz[:, units:])
        if reset_after:
            hh = np.tanh(xz[:, 2 * units:] + r * (h @ recurrent[:, 2 * units:]
                                                   + rec_bias[2 * units:]))
        else:
            hh = np.tanh(xz[:, 2 * units:] + (r * h) @ recurrent[:, 2 * units:])
        h = z * h + (1 - z) * hh
        outputs.append(h)
    return np.stack(outputs, 1), h


# Outputs of TF 2.21's tf_keras (legacy graph mode) LSTM(2, recurrent_activation=
# 'hard_sigmoid', return_sequences=True, return_state=True) with the _weights above.
TF_LSTM_SEQ = np.array([[[-0.02325065, -0.05635788], [0.0299415, 0.10483311],
                         [0.01138468, 0.0153942], [-0.01951021, 0.1325838]],
                        [[0.05272016, 0.03667711], [-0.06300069, 0.1150498],
                         [0.05247938, 0.11406697], [-0.1172934, 0.09720785]]])
TF_LSTM_C = np.array([[-0.02736944, 0.19263844], [-0.18646875, 0.14463788]])
# ... and GRU(2, recurrent_activation='hard_sigmoid', reset_after=False,
# return_sequences=True).
TF_GRU_SEQ = np.array([[[0.24254164, 0.409005], [-0.02364905, 0.13353276],
                        [0.27277943, 0.5052411], [-0.0097153, 0.15138134]],
                       [[0.30477482, 0.5245094], [0.01176223, 0.14882196],
                        [0.2996838, 0.5735328], [0.01648794, 0.17804033]]])


def test_defaults_follow_tf_1_15():
    lstm = layers.LSTM(3)
    x = fg.constant([-3.0, 0.0, 1.0, 4.0])
    sess = K.get_session()
    assert np.allclose(sess.run(lstm.cell.recurrent_activation(x)),
                       _hard_sigmoid(np.array([-3.0, 0.0, 1.0, 4.0])))
    gru = layers.GRU(3)
    assert gru.cell.reset_after is False
    assert np.allclose(sess.run(gru.cell.recurrent_activation(x)),
                       _hard_sigmoid(np.array([-3.0, 0.0, 1.0, 4.0])))
    assert lstm.cell.unit_forget_bias is True and lstm.cell.implementation == 1
    assert lstm.units == 3 and lstm.dropout == 0.0


def test_lstm_matches_numpy_and_tf():
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    lstm = layers.LSTM(2, return_sequences=True, return_state=True)
    seq, h, c = lstm(inputs)
    assert [w.name for w in lstm.weights] == ["lstm/kernel:0", "lstm/recurrent_kernel:0",
                                              "lstm/bias:0"]
    lstm.set_weights(_weights([(3, 8), (2, 8), (8,)]))
    kernel, recurrent, bias = K.get_session().run(lstm.weights)
    got_seq, got_h, got_c = K.get_session().run([seq, h, c], {inputs: X})
    want_seq, want_h, want_c = _np_lstm(X.astype(np.float64), kernel, recurrent, bias)
    np.testing.assert_allclose(got_seq, want_seq, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_h, want_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_c, want_c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_seq, TF_LSTM_SEQ, atol=1e-6)
    np.testing.assert_allclose(got_c, TF_LSTM_C, atol=1e-6)


def test_lstm_one_step_by_hand_with_initialized_weights():
    """One LSTM step written out gate by gate with the initialized weights read back."""
    inputs = fg.placeholder(fg.float32, [None, 1, 3])
    lstm = layers.LSTM(4, unroll=True)
    out = lstm(inputs)
    sess = K.get_session()
    kernel, recurrent, bias = sess.run(lstm.weights)
    assert kernel.shape == (3, 16) and recurrent.shape == (4, 16) and bias.shape == (16,)
    # unit_forget_bias: the forget gate's bias starts at 1, the others at 0.
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    x = X[:, :1]
    i = _hard_sigmoid(x[:, 0] @ kernel[:, :4] + bias[:4])
    g = np.tanh(x[:, 0] @ kernel[:, 8:12])
    o = _hard_sigmoid(x[:, 0] @ kernel[:, 12:])
    np.testing.assert_allclose(sess.run(out, {inputs: x}), o * np.tanh(i * g), rtol=1e-5,
                               atol=1e-6)


def test_lstm_implementations_agree_and_initial_state():
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    h0 = fg.constant(np.full((2, 2), 0.3, np.float32))
    c0 = fg.constant(np.full((2, 2), -0.2, np.float32))
    one = layers.LSTM(2, implementation=1, recurrent_activation="sigmoid")
    two = layers.LSTM(2, implementation=2, recurrent_activation="sigmoid")
    out1 = one(inputs, initial_state=[h0, c0])
    out2 = two(inputs, initial_state=[h0, c0])
    weights = _weights([(3, 8), (2, 8), (8,)])
    one.set_weights(weights)
    two.set_weights(weights)
    got1, got2 = K.get_session().run([out1, out2], {inputs: X})
    _, want, _ = _np_lstm(X.astype(np.float64), *weights, rec_act=_sigmoid,
                          h=np.full((2, 2), 0.3), c=np.full((2, 2), -0.2))
    np.testing.assert_allclose(got1, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got2, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_matches_numpy(reset_after):
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    gru = layers.GRU(2, return_sequences=True, reset_after=reset_after)
    seq = gru(inputs)
    bias_shape = (2, 6) if reset_after else (6,)
    assert [tuple(w.shape.as_list()) for w in gru.weights] == [(3, 6), (2, 6), bias_shape]
    weights = _weights([(3, 6), (2, 6), bias_shape])
    gru.set_weights(weights)
    got = K.get_session().run(seq, {inputs: X})
    want, _ = _np_gru(X.astype(np.float64), *weights, reset_after=reset_after)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    if not reset_after:
        np.testing.assert_allclose(got, TF_GRU_SEQ, atol=1e-6)


def test_simple_rnn_and_go_backwards():
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    forward = layers.SimpleRNN(2, return_sequences=True)
    backward = layers.SimpleRNN(2, go_backwards=True)
    seq, last = forward(inputs), backward(inputs)
    weights = _weights([(3, 2), (2, 2), (2,)])
    forward.set_weights(weights)
    backward.set_weights(weights)
    got_seq, got_last = K.get_session().run([seq, last], {inputs: X})
    kernel, recurrent, bias = weights

    def run(x):
        h, outs = np.zeros((2, 2)), []
        for t in range(x.shape[1]):
            h = np.tanh(x[:, t] @ kernel + bias + h @ recurrent)
            outs.append(h)
        return np.stack(outs, 1)

    np.testing.assert_allclose(got_seq, run(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_last, run(X[:, ::-1])[:, -1], rtol=1e-5, atol=1e-6)


def test_generic_rnn_with_cell_and_unknown_time():
    inputs = fg.placeholder(fg.float32, [None, None, 3])
    rnn = layers.RNN(layers.LSTMCell(2), return_sequences=True)
    seq = rnn(inputs)
    assert [w.name for w in rnn.weights] == ["rnn/kernel:0", "rnn/recurrent_kernel:0",
                                             "rnn/bias:0"]
    assert seq.shape.as_list() == [None, None, 2]
    weights = _weights([(3, 8), (2, 8), (8,)])
    rnn.set_weights(weights)
    want, _, _ = _np_lstm(X.astype(np.float64), *weights)
    np.testing.assert_allclose(K.get_session().run(seq, {inputs: X}), want, rtol=1e-5,
                               atol=1e-6)
    # the same layer on a shorter sequence
    np.testing.assert_allclose(K.get_session().run(seq, {inputs: X[:, :2]}), want[:, :2],
                               rtol=1e-5, atol=1e-6)


def test_output_shapes():
    inputs = fg.placeholder(fg.float32, [None, 5, 3])
    assert layers.LSTM(4)(inputs).shape.as_list() == [None, 4]
    outs = layers.LSTM(4, return_sequences=True, return_state=True)(inputs)
    assert [o.shape.as_list() for o in outs] == [[None, 5, 4], [None, 4], [None, 4]]
    outs = layers.GRU(3, return_state=True)(inputs)
    assert [o.shape.as_list() for o in outs] == [[None, 3], [None, 3]]
    assert layers.SimpleRNN(2, unroll=True, return_sequences=True)(
        inputs).shape.as_list() == [None, 5, 2]


def test_weight_names_as_tf_1_15():
    inputs = fg.placeholder(fg.float32, [None, 5, 3])
    layers.LSTM(4)(inputs)
    gru = layers.GRU(4)
    gru(inputs)
    simple = layers.SimpleRNN(4)
    simple(inputs)
    assert [w.name for w in gru.weights] == ["gru/kernel:0", "gru/recurrent_kernel:0",
                                             "gru/bias:0"]
    assert [w.name for w in simple.weights] == ["simple_rnn/kernel:0",
                                                "simple_rnn/recurrent_kernel:0",
                                                "simple_rnn/bias:0"]
    lstm = layers.LSTM(4)
    lstm(inputs)
    assert lstm.weights[0].name == "lstm_1/kernel:0"


def test_gradients_flow():
    inputs = fg.placeholder(fg.float32, [None, None, 3])
    lstm = layers.LSTM(2)
    loss = fg.reduce_sum(lstm(inputs))
    grads = fg.gradients(loss, lstm.weights + [inputs])
    assert all(g is not None for g in grads)
    values = K.get_session().run(grads, {inputs: X})
    assert all(np.abs(v).sum() > 0 for v in values)


def test_gradient_matches_finite_differences():
    inputs = fg.placeholder(fg.float64, [2, 4, 3])
    gru = layers.GRU(2, dtype="float64")
    loss = fg.reduce_sum(gru(inputs))
    grad = fg.gradients(loss, inputs)[0]
    sess = K.get_session()
    x = X.astype(np.float64)
    got = sess.run(grad, {inputs: x})
    eps = 1e-6
    for index in [(0, 0, 0), (1, 3, 2), (0, 2, 1)]:
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric = (sess.run(loss, {inputs: plus}) - sess.run(loss, {inputs: minus})) / (2 * eps)
        assert abs(got[index] - numeric) < 1e-6


def test_dropout_only_in_training():
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    lstm = layers.LSTM(3, dropout=0.5, recurrent_dropout=0.5)
    reference = layers.LSTM(3)
    out, ref = lstm(inputs), reference(inputs)
    reference.set_weights(lstm.get_weights())
    sess = K.get_session()
    phase = K.learning_phase()
    test_out, want = sess.run([out, ref], {inputs: X})
    np.testing.assert_allclose(test_out, want, rtol=1e-6)
    train_out = sess.run(out, {inputs: X, phase: True})
    assert not np.allclose(train_out, want)


def test_bad_arguments():
    with pytest.raises(ValueError, match="stateful"):
        layers.LSTM(2, stateful=True)
    with pytest.raises(ValueError, match="ndim=3"):
        layers.LSTM(2)(fg.placeholder(fg.float32, [None, 3]))
    with pytest.raises(ValueError, match="unroll"):
        layers.LSTM(2, unroll=True)(fg.placeholder(fg.float32, [None, None, 3]))
    with pytest.raises(ValueError, match="states"):
        layers.LSTM(2)(fg.placeholder(fg.float32, [None, 4, 3]),
                       initial_state=[fg.zeros([2, 2])])
    with pytest.raises(ValueError, match="units"):
        layers.LSTMCell(0)


def test_bidirectional_names_values_and_states():
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    bi = layers.Bidirectional(layers.LSTM(2, return_sequences=True, return_state=True))
    outs = bi(inputs)
    names = [w.name for w in bi.weights]
    assert names == ["bidirectional/forward_lstm/kernel:0",
                     "bidirectional/forward_lstm/recurrent_kernel:0",
                     "bidirectional/forward_lstm/bias:0",
                     "bidirectional/backward_lstm/kernel:0",
                     "bidirectional/backward_lstm/recurrent_kernel:0",
                     "bidirectional/backward_lstm/bias:0"]
    assert [o.shape.as_list() for o in outs] == [[None, 4, 4]] + [[None, 2]] * 4
    fw = _weights([(3, 8), (2, 8), (8,)])
    bw = [w[::-1].copy() * 0.7 for w in fw]
    bi.set_weights(fw + bw)
    got = K.get_session().run(outs, {inputs: X})
    x = X.astype(np.float64)
    f_seq, f_h, f_c = _np_lstm(x, *fw)
    b_seq, b_h, b_c = _np_lstm(x[:, ::-1], *bw)
    np.testing.assert_allclose(got[0], np.concatenate([f_seq, b_seq[:, ::-1]], -1),
                               rtol=1e-5, atol=1e-6)
    for g, w in zip(got[1:], [f_h, f_c, b_h, b_c]):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["sum", "mul", "ave", None])
def test_bidirectional_merge_modes(mode):
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    bi = layers.Bidirectional(layers.SimpleRNN(2), merge_mode=mode)
    out = bi(inputs)
    fw = _weights([(3, 2), (2, 2), (2,)])
    bw = [w * -0.5 for w in fw]
    bi.set_weights(fw + bw)

    def last(x, kernel, recurrent, bias):
        h = np.zeros((2, 2))
        for t in range(x.shape[1]):
            h = np.tanh(x[:, t] @ kernel + bias + h @ recurrent)
        return h

    y, y_rev = last(X, *fw), last(X[:, ::-1], *bw)
    want = {"sum": y + y_rev, "mul": y * y_rev, "ave": (y + y_rev) / 2, None: [y, y_rev]}[mode]
    np.testing.assert_allclose(K.get_session().run(out, {inputs: X}), want, rtol=1e-5,
                               atol=1e-6)


def test_bidirectional_bad_merge_mode():
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")


def test_time_distributed_dense():
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    td = layers.TimeDistributed(layers.Dense(2))
    out = td(inputs)
    assert [w.name for w in td.weights] == ["time_distributed/kernel:0",
                                            "time_distributed/bias:0"]
    assert out.shape.as_list() == [None, 4, 2]
    kernel, bias = K.get_session().run(td.weights)
    np.testing.assert_allclose(K.get_session().run(out, {inputs: X}), X @ kernel + bias,
                               rtol=1e-5, atol=1e-6)
    grads = fg.gradients(fg.reduce_sum(out), td.weights)
    assert all(g is not None for g in grads)
    unknown = fg.placeholder(fg.float32, [None, None, 3])
    out2 = td(unknown)
    assert out2.shape.as_list() == [None, None, 2]
    np.testing.assert_allclose(K.get_session().run(out2, {unknown: X[:, :3]}),
                               X[:, :3] @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_time_distributed_rejects_rank_2():
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2))(fg.placeholder(fg.float32, [None, 3]))


def test_config_round_trip():
    lstm = layers.LSTM(3, recurrent_activation="sigmoid", dropout=0.25, return_sequences=True,
                       go_backwards=True, unit_forget_bias=False, implementation=2)
    config = lstm.get_config()
    assert config["units"] == 3 and config["return_sequences"] is True
    assert config["recurrent_activation"] == "sigmoid" and config["dropout"] == 0.25
    again = layers.LSTM.from_config(config)
    assert again.units == 3 and again.go_backwards is True and again.implementation == 2
    assert again.unit_forget_bias is False and again.return_sequences is True
    rnn = layers.RNN(layers.GRUCell(2, reset_after=True), return_state=True)
    rebuilt = layers.RNN.from_config(rnn.get_config())
    assert isinstance(rebuilt.cell, layers.GRUCell) and rebuilt.cell.reset_after is True
    assert rebuilt.return_state is True


def test_cell_called_alone():
    cell = layers.SimpleRNNCell(2)
    x = fg.constant(X[:, 0])
    h0 = fg.constant(np.full((2, 2), 0.5, np.float32))
    out, states = cell(x, [h0])
    kernel, recurrent, bias = K.get_session().run(cell.weights)
    want = np.tanh(X[:, 0] @ kernel + bias + 0.5 * recurrent.sum(0))
    got_out, got_state = K.get_session().run([out, states[0]])
    np.testing.assert_allclose(got_out, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state, want, rtol=1e-5, atol=1e-6)


def test_kernel_regularizer_loss():
    lstm = layers.LSTM(2, kernel_regularizer="l2")
    lstm(fg.placeholder(fg.float32, [None, 4, 3]))
    assert len(lstm.losses) == 1
    loss, kernel = K.get_session().run([lstm.losses[0], lstm.cell.kernel])
    np.testing.assert_allclose(loss, 0.01 * (kernel ** 2).sum(), rtol=1e-5)
