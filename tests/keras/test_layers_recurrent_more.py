"""StackedRNNCells / RNN with a list of cells, AbstractRNNCell, Attention,
AdditiveAttention and ConvLSTM2D: values against numpy references written here, weight
names and shapes as TF 1.15, configs, and a model fit step."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import layers

X = (np.sin(np.arange(2 * 4 * 3).reshape(2, 4, 3)) * 0.9).astype(np.float32)


def _weights(shapes, seed=0):
    return [(np.cos(np.arange(int(np.prod(s))).reshape(s) * 0.7 + i + seed) * 0.5)
            .astype(np.float32) for i, s in enumerate(shapes)]


def _hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def _lstm_step(x, h, c, kernel, recurrent, bias):
    units = recurrent.shape[0]
    z = x @ kernel + h @ recurrent + bias
    i = _hard_sigmoid(z[:, :units])
    f = _hard_sigmoid(z[:, units:2 * units])
    c = f * c + i * np.tanh(z[:, 2 * units:3 * units])
    o = _hard_sigmoid(z[:, 3 * units:])
    return o * np.tanh(c), c


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# -- StackedRNNCells and RNN([cells])

def test_rnn_list_of_cells_stacks_them_as_tf_1_15():
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    rnn = layers.RNN([layers.SimpleRNNCell(2), layers.LSTMCell(3)], return_sequences=True,
                     return_state=True)
    assert isinstance(rnn.cell, layers.StackedRNNCells)
    assert rnn.cell.state_size == (2, [3, 3])
    assert rnn.cell.output_size == 3
    seq, h1, h2, c2 = rnn(inputs)
    assert [w.name for w in rnn.weights] == [
        "rnn/simple_rnn_cell/kernel:0", "rnn/simple_rnn_cell/recurrent_kernel:0",
        "rnn/simple_rnn_cell/bias:0", "rnn/lstm_cell/kernel:0",
        "rnn/lstm_cell/recurrent_kernel:0", "rnn/lstm_cell/bias:0"]
    shapes = [(3, 2), (2, 2), (2,), (2, 12), (3, 12), (12,)]
    assert [tuple(w.shape.as_list()) for w in rnn.weights] == shapes
    assert seq.shape.as_list() == [None, 4, 3]
    assert [t.shape.as_list() for t in (h1, h2, c2)] == [[None, 2], [None, 3], [None, 3]]
    rnn.set_weights(_weights(shapes))
    k1, r1, b1, k2, r2, b2 = [w.astype(np.float64) for w in _weights(shapes)]
    got = K.get_session().run([seq, h1, h2, c2], {inputs: X})
    s1 = np.zeros((2, 2))
    s2, c = np.zeros((2, 3)), np.zeros((2, 3))
    outs = []
    for t in range(4):
        s1 = np.tanh(X[:, t] @ k1 + b1 + s1 @ r1)
        s2, c = _lstm_step(s1, s2, c, k2, r2, b2)
        outs.append(s2)
    for value, want in zip(got, [np.stack(outs, 1), s1, s2, c]):
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-6)


def test_stacked_cells_one_step_and_config_round_trip():
    cells = layers.StackedRNNCells([layers.GRUCell(2), layers.SimpleRNNCell(3)])
    cells.build((None, 3))
    assert cells.built and all(cell.built for cell in cells.cells)
    assert [tuple(w.shape.as_list()) for w in cells.weights] == [
        (3, 6), (2, 6), (6,), (2, 3), (3, 3), (3,)]
    x = fg.constant(X[:, 0])
    h_gru = fg.constant(np.full((2, 2), 0.25, np.float32))
    h_rnn = fg.constant(np.full((2, 3), -0.5, np.float32))
    out, states = cells.call(x, [h_gru, h_rnn])
    assert len(states) == 2
    sess = K.get_session()
    gk, gr, gb, sk, sr, sb = [w.astype(np.float64) for w in sess.run(cells.weights)]
    got_out, got_gru, got_rnn = sess.run([out, states[0], states[1]])
    h = np.full((2, 2), 0.25)
    xz = X[:, 0] @ gk + gb
    z = _hard_sigmoid(xz[:, :2] + h @ gr[:, :2])
    r = _hard_sigmoid(xz[:, 2:4] + h @ gr[:, 2:4])
    hh = np.tanh(xz[:, 4:] + (r * h) @ gr[:, 4:])
    h_new = z * h + (1 - z) * hh
    s_new = np.tanh(h_new @ sk + sb + np.full((2, 3), -0.5) @ sr)
    np.testing.assert_allclose(got_gru, h_new, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_rnn, s_new, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_out, s_new, rtol=1e-5, atol=1e-6)

    config = cells.get_config()
    assert [c["class_name"] for c in config["cells"]] == ["GRUCell", "SimpleRNNCell"]
    again = layers.StackedRNNCells.from_config(config)
    assert [type(c).__name__ for c in again.cells] == ["GRUCell", "SimpleRNNCell"]
    assert [c.units for c in again.cells] == [2, 3]


def test_rnn_with_list_of_cells_round_trips_through_config():
    rnn = layers.RNN([layers.LSTMCell(2), layers.GRUCell(3)])
    out = rnn(fg.placeholder(fg.float32, [None, 5, 4]))
    assert out.shape.as_list() == [None, 3]
    config = rnn.get_config()
    assert config["cell"]["class_name"] == "StackedRNNCells"
    again = layers.RNN.from_config(config)
    assert isinstance(again.cell, layers.StackedRNNCells)
    assert [(type(c).__name__, c.units) for c in again.cell.cells] == [
        ("LSTMCell", 2), ("GRUCell", 3)]
    assert again.compute_output_shape((None, 5, 4)).as_list() == [None, 3]


def test_stacked_cells_bad_input():
    with pytest.raises(ValueError, match="`call` method"):
        layers.StackedRNNCells([layers.LSTMCell(2), object()])
    with pytest.raises(ValueError, match="`state_size` attribute"):
        layers.StackedRNNCells([layers.Dense(2)])
    with pytest.raises(ValueError, match="non-empty list"):
        layers.StackedRNNCells([])


def test_stacked_cells_dropout_trains_and_is_off_at_inference():
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    rnn = layers.RNN([layers.SimpleRNNCell(2, dropout=0.5), layers.SimpleRNNCell(2)])
    out = rnn(inputs, training=False)
    rnn.set_weights(_weights([(3, 2), (2, 2), (2,), (2, 2), (2, 2), (2,)]))
    k1, r1, b1, k2, r2, b2 = [w.astype(np.float64) for w in
                              _weights([(3, 2), (2, 2), (2,), (2, 2), (2, 2), (2,)])]
    s1, s2 = np.zeros((2, 2)), np.zeros((2, 2))
    for t in range(4):
        s1 = np.tanh(X[:, t] @ k1 + b1 + s1 @ r1)
        s2 = np.tanh(s1 @ k2 + b2 + s2 @ r2)
    np.testing.assert_allclose(K.get_session().run(out, {inputs: X}), s2, rtol=1e-5,
                               atol=1e-6)
    dropped = rnn(inputs, training=True)
    assert not np.allclose(K.get_session().run(dropped, {inputs: X}), s2)


# -- AbstractRNNCell

class MinimalRNNCell(layers.AbstractRNNCell):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
        self.built = True

    def call(self, inputs, states):
        output = fg.matmul(inputs, self.kernel) + states[0]
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_abstract_rnn_cell_subclass_runs_in_rnn():
    inputs = fg.placeholder(fg.float32, [None, 4, 3])
    rnn = layers.RNN(MinimalRNNCell(2))
    out = rnn(inputs)
    assert [w.name for w in rnn.weights] == ["rnn/kernel:0"]
    (kernel,) = _weights([(3, 2)])
    rnn.set_weights([kernel])
    h = np.zeros((2, 2))
    for t in range(4):
        h = X[:, t] @ kernel.astype(np.float64) + h
    np.testing.assert_allclose(K.get_session().run(out, {inputs: X}), h, rtol=1e-5)
    zero = MinimalRNNCell(3).get_initial_state(batch_size=2, dtype=fg.float32)
    np.testing.assert_array_equal(K.get_session().run(zero), np.zeros((2, 3)))


def test_abstract_rnn_cell_requires_its_methods():
    cell = layers.AbstractRNNCell()
    with pytest.raises(NotImplementedError, match="state_size"):
        cell.state_size  # noqa: B018
    with pytest.raises(NotImplementedError, match="call"):
        cell.call(None, None)


# -- Attention

Q = (np.cos(np.arange(2 * 3 * 4).reshape(2, 3, 4)) * 0.8).astype(np.float32)
V = (np.sin(np.arange(2 * 5 * 4).reshape(2, 5, 4) * 1.3) * 0.7).astype(np.float32)
KEY = (np.cos(np.arange(2 * 5 * 4).reshape(2, 5, 4) * 0.4) * 0.6).astype(np.float32)


def test_attention_is_softmax_qk_v():
    q = fg.placeholder(fg.float32, [None, 3, 4])
    v = fg.placeholder(fg.float32, [None, 5, 4])
    layer = layers.Attention()
    out = layer([q, v])
    assert out.shape.as_list() == [None, 3, 4]
    assert layer.weights == []
    want = _softmax(Q @ V.transpose(0, 2, 1)) @ V
    np.testing.assert_allclose(K.get_session().run(out, {q: Q, v: V}), want, rtol=1e-5,
                               atol=1e-6)


# TF 2.21 tf_keras (graph mode) Attention(use_scale=True) on [Q, V, KEY] with the masks and
# scale 1.7 of the test below: batch 0.
TF_ATTENTION_0 = np.array([[-0.286496, 0.29378, 0.443668, -0.056419],
                           [0.0, 0.0, 0.0, 0.0],
                           [-0.463041, 0.088044, 0.510145, 0.184882]])


def test_attention_scale_key_and_masks():
    q = fg.placeholder(fg.float32, [None, 3, 4])
    v = fg.placeholder(fg.float32, [None, 5, 4])
    k = fg.placeholder(fg.float32, [None, 5, 4])
    q_mask = fg.placeholder(fg.bool, [None, 3])
    v_mask = fg.placeholder(fg.bool, [None, 5])
    layer = layers.Attention(use_scale=True)
    out = layer([q, v, k], mask=[q_mask, v_mask])
    assert [w.name for w in layer.weights] == ["attention/scale:0"]
    assert layer.weights[0].shape.as_list() == []
    sess = K.get_session()
    assert sess.run(layer.weights[0]) == 1.0
    layer.set_weights([np.float32(1.7)])
    qm = np.array([[True, False, True], [True, True, True]])
    vm = np.array([[True, True, False, True, False], [False, True, True, True, True]])
    scores = 1.7 * (Q @ KEY.transpose(0, 2, 1))
    scores = np.where(vm[:, None, :], scores, -np.inf)
    want = (_softmax(scores) @ V) * qm[:, :, None]
    got = sess.run(out, {q: Q, v: V, k: KEY, q_mask: qm, v_mask: vm})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[0], TF_ATTENTION_0, atol=2e-6)
    assert layer.compute_mask([q, v, k], [q_mask, v_mask]) is not None


def test_attention_causal():
    q = fg.placeholder(fg.float32, [None, 5, 4])
    layer = layers.Attention(causal=True)
    out = layer([q, q])
    scores = V @ V.transpose(0, 2, 1)
    allowed = np.tril(np.ones((5, 5), bool))
    want = _softmax(np.where(allowed, scores, -np.inf)) @ V
    np.testing.assert_allclose(K.get_session().run(out, {q: V}), want, rtol=1e-5, atol=1e-6)
    assert layer.get_config()["causal"] is True


def test_additive_attention_values_and_weights():
    q = fg.placeholder(fg.float32, [None, 3, 4])
    v = fg.placeholder(fg.float32, [None, 5, 4])
    layer = layers.AdditiveAttention()
    out = layer([q, v])
    assert [w.name for w in layer.weights] == ["additive_attention/scale:0"]
    assert layer.weights[0].shape.as_list() == [4]
    scale = np.array([0.5, -1.0, 2.0, 0.25], np.float32)
    layer.set_weights([scale])
    scores = (scale * np.tanh(Q[:, :, None, :] + V[:, None, :, :])).sum(-1)
    want = _softmax(scores) @ V
    np.testing.assert_allclose(K.get_session().run(out, {q: Q, v: V}), want, rtol=1e-5,
                               atol=1e-6)
    unscaled = layers.AdditiveAttention(use_scale=False)
    out2 = unscaled([q, v])
    assert unscaled.weights == []
    want2 = _softmax(np.tanh(Q[:, :, None, :] + V[:, None, :, :]).sum(-1)) @ V
    np.testing.assert_allclose(K.get_session().run(out2, {q: Q, v: V}), want2, rtol=1e-5,
                               atol=1e-6)


def test_attention_config_defaults_and_errors():
    assert layers.Attention().use_scale is False
    assert layers.AdditiveAttention().use_scale is True
    config = layers.Attention(use_scale=True, causal=True, name="att").get_config()
    assert config == {"name": "att", "trainable": True, "dtype": None, "use_scale": True,
                      "causal": True}
    again = layers.Attention.from_config(config)
    assert again.use_scale and again.causal and again.name == "att"
    q = fg.placeholder(fg.float32, [None, 3, 4])
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Attention()(q)
    with pytest.raises(ValueError, match="length 2 or 3"):
        layers.Attention()([q])
    with pytest.raises(ValueError, match="length 2"):
        layers.Attention()([q, q], mask=[None, None, None])


def test_attention_takes_embedding_masks():
    tokens_q = fg.keras.Input((3,), dtype="int32")
    tokens_v = fg.keras.Input((4,), dtype="int32")
    embed = layers.Embedding(10, 2, mask_zero=True)
    out = layers.Attention()([embed(tokens_q), embed(tokens_v)])
    model = fg.keras.Model([tokens_q, tokens_v], out)
    table = K.get_session().run(embed.weights[0]).astype(np.float64)
    tq = np.array([[1, 2, 0]])
    tv = np.array([[3, 0, 4, 5]])
    qe, ve = table[tq], table[tv]
    scores = np.where((tv != 0)[:, None, :], qe @ ve.transpose(0, 2, 1), -np.inf)
    want = (_softmax(scores) @ ve) * (tq != 0)[:, :, None]
    np.testing.assert_allclose(model.predict([tq, tv]), want, rtol=1e-5, atol=1e-6)


# -- ConvLSTM2D

def _np_conv(x, w, padding):
    """NHWC cross-correlation, stride 1, 'same' or 'valid' padding."""
    kh, kw = w.shape[:2]
    if padding == "same":
        ph, pw = kh - 1, kw - 1
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    rows, cols = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((x.shape[0], rows, cols, w.shape[3]))
    for i in range(rows):
        for j in range(cols):
            out[:, i, j] = np.einsum("bhwc,hwco->bo", x[:, i:i + kh, j:j + kw], w)
    return out


def _np_conv_lstm(x, kernel, recurrent, bias, filters, padding):
    rows = x.shape[2] if padding == "same" else x.shape[2] - kernel.shape[0] + 1
    cols = x.shape[3] if padding == "same" else x.shape[3] - kernel.shape[1] + 1
    h = np.zeros((x.shape[0], rows, cols, filters))
    c = np.zeros_like(h)
    outs = []
    for t in range(x.shape[1]):
        z = _np_conv(x[:, t], kernel, padding) + bias + _np_conv(h, recurrent, "same")
        i = _hard_sigmoid(z[..., :filters])
        f = _hard_sigmoid(z[..., filters:2 * filters])
        c = f * c + i * np.tanh(z[..., 2 * filters:3 * filters])
        o = _hard_sigmoid(z[..., 3 * filters:])
        h = o * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1), h, c


XC = (np.sin(np.arange(2 * 3 * 5 * 4 * 2).reshape(2, 3, 5, 4, 2) * 0.37) * 0.8) \
    .astype(np.float32)


# TF 2.21 tf_keras ConvLSTM2D(3, (3, 2), return_sequences=True) with the weights of the
# test below: valid padding seq[0, -1, :, :, 0]; same padding seq[1, -1, :, :, 2].
TF_CONV_LSTM = {
    "valid": np.array([[0.139272, 0.148312, 0.144845], [0.123062, 0.144045, 0.149374],
                       [0.143156, 0.144793, 0.149858]]),
    "same": np.array([[0.040273, 0.046728, 0.037656, 0.015103],
                      [0.038118, 0.041011, 0.031424, 0.065829],
                      [0.068928, 0.061095, 0.037396, -0.013509],
                      [0.037082, 0.037354, 0.031124, 0.047597],
                      [0.077474, 0.069358, 0.052, 0.012046]]),
}


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_lstm2d_matches_numpy(padding):
    inputs = fg.placeholder(fg.float32, [None, 3, 5, 4, 2])
    layer = layers.ConvLSTM2D(3, (3, 2), padding=padding, return_sequences=True,
                              return_state=True)
    seq, h, c = layer(inputs)
    assert layer.name == "conv_lst_m2d"
    assert [w.name for w in layer.weights] == ["conv_lst_m2d/kernel:0",
                                               "conv_lst_m2d/recurrent_kernel:0",
                                               "conv_lst_m2d/bias:0"]
    shapes = [(3, 2, 2, 12), (3, 2, 3, 12), (12,)]
    assert [tuple(w.shape.as_list()) for w in layer.weights] == shapes
    rows, cols = (5, 4) if padding == "same" else (3, 3)
    assert seq.shape.as_list() == [None, 3, rows, cols, 3]
    assert h.shape.as_list() == [None, rows, cols, 3]
    bias = K.get_session().run(layer.bias)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(3), np.ones(3), np.zeros(6)])
    layer.set_weights(_weights(shapes))
    kernel, recurrent, bias = [w.astype(np.float64) for w in _weights(shapes)]
    got = K.get_session().run([seq, h, c], {inputs: XC})
    want = _np_conv_lstm(XC.astype(np.float64), kernel, recurrent, bias, 3, padding)
    for value, ref in zip(got, want):
        np.testing.assert_allclose(value, ref, rtol=1e-5, atol=1e-5)
    tf_slice = got[0][0, -1, :, :, 0] if padding == "valid" else got[0][1, -1, :, :, 2]
    np.testing.assert_allclose(tf_slice, TF_CONV_LSTM[padding], atol=2e-6)


def test_conv_lstm2d_channels_first_and_go_backwards():
    inputs = fg.placeholder(fg.float32, [None, 3, 2, 5, 4])
    layer = layers.ConvLSTM2D(2, 3, padding="same", data_format="channels_first",
                              go_backwards=True)
    out = layer(inputs)
    assert out.shape.as_list() == [None, 2, 5, 4]
    shapes = [(3, 3, 2, 8), (3, 3, 2, 8), (8,)]
    layer.set_weights(_weights(shapes, seed=3))
    kernel, recurrent, bias = [w.astype(np.float64) for w in _weights(shapes, seed=3)]
    reversed_last = XC[:, ::-1].astype(np.float64)
    _, h, _ = _np_conv_lstm(reversed_last, kernel, recurrent, bias, 2, "same")
    got = K.get_session().run(out, {inputs: XC.transpose(0, 1, 4, 2, 3)})
    np.testing.assert_allclose(got, h.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-5)


def test_conv_lstm2d_config_and_errors():
    layer = layers.ConvLSTM2D(4, (3, 3), strides=2, name="clstm")
    config = layer.get_config()
    assert config["kernel_size"] == (3, 3) and config["strides"] == (2, 2)
    assert config["recurrent_activation"] == "hard_sigmoid"
    assert config["padding"] == "valid" and config["data_format"] == "channels_last"
    again = layers.ConvLSTM2D.from_config(config)
    assert again.get_config() == config
    with pytest.raises(ValueError, match="stateful"):
        layers.ConvLSTM2D(2, 3, stateful=True)
    with pytest.raises(ValueError, match="ndim=5"):
        layers.ConvLSTM2D(2, 3)(fg.placeholder(fg.float32, [None, 3, 4, 4]))


# -- fit steps

def test_models_with_new_layers_fit():
    rng = np.random.RandomState(0)
    seq_in = fg.keras.Input((4, 3))
    stacked = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)], return_sequences=True)(
        seq_in)
    attended = layers.Attention(use_scale=True)([stacked, stacked])
    pooled = layers.GlobalAveragePooling1D()(attended)
    model = fg.keras.Model(seq_in, layers.Dense(1)(pooled))
    model.compile("sgd", "mse")
    before = model.get_weights()
    history = model.fit(rng.randn(8, 4, 3).astype(np.float32),
                        rng.randn(8, 1).astype(np.float32), epochs=2, batch_size=4,
                        verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    after = model.get_weights()
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))

    conv = fg.keras.Sequential([
        layers.ConvLSTM2D(2, 3, padding="same", input_shape=(3, 5, 5, 1)),
        layers.Flatten(), layers.Dense(1)])
    conv.compile("sgd", "mse")
    kernel_before = K.get_session().run(conv.layers[0].kernel)
    history = conv.fit(rng.randn(4, 3, 5, 5, 1).astype(np.float32),
                       rng.randn(4, 1).astype(np.float32), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert not np.allclose(K.get_session().run(conv.layers[0].kernel), kernel_before)


def test_conv_lstm2d_mask_skips_steps():
    inputs = fg.placeholder(fg.float32, [None, 3, 5, 4, 2])
    mask = fg.placeholder(fg.bool, [None, 3])
    layer = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)
    out = layer(inputs, mask=mask)
    shapes = [(3, 3, 2, 8), (3, 3, 2, 8), (8,)]
    layer.set_weights(_weights(shapes, seed=1))
    kernel, recurrent, bias = [w.astype(np.float64) for w in _weights(shapes, seed=1)]
    got = K.get_session().run(out, {inputs: XC, mask: [[True, False, True],
                                                        [False, True, True]]})
    x = XC.astype(np.float64)
    # sample 0 skips step 1 (repeats step 0's output); sample 1 skips step 0 (zeros)
    seq0, _, _ = _np_conv_lstm(x[:1, [0, 2]], kernel, recurrent, bias, 2, "same")
    seq1, _, _ = _np_conv_lstm(x[1:, [1, 2]], kernel, recurrent, bias, 2, "same")
    want0 = np.stack([seq0[0, 0], seq0[0, 0], seq0[0, 1]])
    want1 = np.stack([np.zeros_like(seq1[0, 0]), seq1[0, 0], seq1[0, 1]])
    np.testing.assert_allclose(got[0], want0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want1, rtol=1e-5, atol=1e-6)


def test_model_json_round_trip_keeps_new_layers():
    seq_in = fg.keras.Input((4, 3))
    stacked = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)], return_sequences=True)(
        seq_in)
    model = fg.keras.Model(seq_in, layers.AdditiveAttention(causal=True)([stacked, stacked]))
    again = fg.keras.models.model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in again.layers] == [
        "InputLayer", "RNN", "AdditiveAttention"]
    assert again.layers[2].causal is True
    assert [type(c).__name__ for c in again.layers[1].cell.cells] == ["LSTMCell", "GRUCell"]
    again.set_weights(model.get_weights())
    x = np.random.RandomState(0).randn(2, 4, 3).astype(np.float32)
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-6)
