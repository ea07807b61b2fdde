"""Keras masks (TF 1.15): Embedding(mask_zero=True) and Masking make them, RNN layers skip
masked steps, masks flow through functional models, merge layers combine them,
GlobalAveragePooling1D averages unmasked steps; checked against numpy written here and
numbers from TF 2.21's tf_keras (legacy graph mode) hard-coded below."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import layers
from flowgraph.keras.masks import get_mask
from flowgraph.keras.models import Model


def _weights(shapes):
    return [(np.cos(np.arange(int(np.prod(s))).reshape(s) * 0.7 + i) * 0.5).astype(np.float32)
            for i, s in enumerate(shapes)]


def _hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def _np_lstm_step(x, h, c, kernel, recurrent, bias):
    units = recurrent.shape[0]
    z = x @ kernel + h @ recurrent + bias
    i = _hard_sigmoid(z[:, :units])
    f = _hard_sigmoid(z[:, units:2 * units])
    c = f * c + i * np.tanh(z[:, 2 * units:3 * units])
    o = _hard_sigmoid(z[:, 3 * units:])
    return o * np.tanh(c), c


def _np_masked_lstm(x, mask, kernel, recurrent, bias):
    """Keras' K.rnn with a mask: masked steps keep the states and repeat the last output
    (zeros before any unmasked step)."""
    units = recurrent.shape[0]
    h = c = np.zeros((x.shape[0], units))
    last = np.zeros((x.shape[0], units))
    outputs = []
    for t in range(x.shape[1]):
        new_h, new_c = _np_lstm_step(x[:, t], h, c, kernel, recurrent, bias)
        keep = mask[:, t:t + 1]
        h = np.where(keep, new_h, h)
        c = np.where(keep, new_c, c)
        last = np.where(keep, new_h, last)
        outputs.append(last)
    return np.stack(outputs, 1), h, c


IDS = np.array([[1, 2, 3, 0, 0], [0, 0, 4, 5, 1]])
EMB = (np.sin(np.arange(18).reshape(6, 3)) * 0.8).astype(np.float32)
LSTM_WEIGHTS = _weights([(3, 8), (2, 8), (8,)])

# tf_keras: Embedding(6, 3, mask_zero=True) -> LSTM(2, recurrent_activation='hard_sigmoid',
# return_sequences=True, return_state=True), the weights above, on IDS.
TF_SEQ = np.array([[[0.0279802, 0.13245668], [0.00705105, 0.0346272],
                    [-0.01980096, 0.13769093], [-0.01980096, 0.13769093],
                    [-0.01980096, 0.13769093]],
                   [[0., 0.], [0., 0.], [0.04917043, 0.04168766], [-0.05431909, 0.1149697],
                    [0.00103218, 0.1717333]]])
TF_C = np.array([[-0.0282996, 0.20388278], [0.00143602, 0.2566031]])
# ... and GlobalAveragePooling1D on the embeddings (mean of the unmasked steps).
TF_GAP = np.array([[0.07301947, -0.17168987, -0.25854832],
                   [0.06795598, -0.16654368, -0.24792385]])


def _run(fetches, feeds=None):
    return K.get_session().run(fetches, feeds)


def _embedded_lstm(unroll=False, **kwargs):
    x = layers.Input((5,), dtype="int32")
    emb = layers.Embedding(6, 3, mask_zero=True)
    lstm = layers.LSTM(2, return_sequences=True, return_state=True, unroll=unroll, **kwargs)
    outputs = lstm(emb(x))
    emb.set_weights([EMB])
    lstm.set_weights(LSTM_WEIGHTS)
    return x, emb, lstm, outputs


@pytest.mark.parametrize("unroll", [False, True])
def test_masked_lstm_matches_tf_and_numpy(unroll):
    x, _, _, (seq, h, c) = _embedded_lstm(unroll)
    got_seq, got_h, got_c = _run([seq, h, c], {x: IDS})
    np.testing.assert_allclose(got_seq, TF_SEQ, atol=1e-5)
    np.testing.assert_allclose(got_h, TF_SEQ[:, -1], atol=1e-5)
    np.testing.assert_allclose(got_c, TF_C, atol=1e-5)
    want_seq, want_h, want_c = _np_masked_lstm(EMB[IDS], IDS != 0, *LSTM_WEIGHTS)
    np.testing.assert_allclose(got_seq, want_seq, atol=1e-5)
    np.testing.assert_allclose(got_c, want_c, atol=1e-5)
    # masked steps repeat the last unmasked output; zeros before the first one
    np.testing.assert_array_equal(got_seq[0, 3], got_seq[0, 2])
    np.testing.assert_array_equal(got_seq[1, :2], np.zeros((2, 2)))


@pytest.mark.parametrize("unroll", [False, True])
def test_padded_final_state_equals_the_unpadded_run(unroll):
    x, _, lstm, (_, h, c) = _embedded_lstm(unroll)
    padded = np.array([[3, 1, 4, 0, 0]])
    got_h, got_c = _run([h, c], {x: padded})
    # the same layer on the trimmed sequence, no mask
    trimmed = fg.constant(EMB[padded[:, :3]])
    _, h3, c3 = lstm(trimmed)
    want_h, want_c = _run([h3, c3])
    np.testing.assert_allclose(got_h, want_h, atol=1e-6)
    np.testing.assert_allclose(got_c, want_c, atol=1e-6)
    # and numpy without any mask
    h_np = c_np = np.zeros((1, 2))
    for t in range(3):
        h_np, c_np = _np_lstm_step(EMB[padded[:, t]], h_np, c_np, *LSTM_WEIGHTS)
    np.testing.assert_allclose(got_h, h_np, atol=1e-5)
    np.testing.assert_allclose(got_c, c_np, atol=1e-5)


def test_go_backwards_skips_the_padding():
    x, _, _, (_, h, c) = _embedded_lstm(go_backwards=True)
    got_h, got_c = _run([h, c], {x: np.array([[3, 1, 4, 0, 0]])})
    h_np = c_np = np.zeros((1, 2))
    for token in (4, 1, 3):
        h_np, c_np = _np_lstm_step(EMB[[token]], h_np, c_np, *LSTM_WEIGHTS)
    np.testing.assert_allclose(got_h, h_np, atol=1e-5)
    np.testing.assert_allclose(got_c, c_np, atol=1e-5)


@pytest.mark.parametrize("make", [lambda: layers.GRU(2, return_state=True),
                                  lambda: layers.SimpleRNN(2, return_state=True),
                                  lambda: layers.RNN(layers.GRUCell(2), return_state=True)])
def test_gru_and_simple_rnn_padded_equal_trimmed(make):
    x = layers.Input((5,), dtype="int32")
    emb = layers.Embedding(6, 3, mask_zero=True)
    rnn = make()
    out, state = rnn(emb(x))
    emb.set_weights([EMB])
    got_out, got_state = _run([out, state], {x: np.array([[2, 5, 0, 0, 0], [1, 2, 3, 4, 5]])})
    trimmed_out, _ = rnn(fg.constant(EMB[[[2, 5]]]))
    full_out, _ = rnn(fg.constant(EMB[[[1, 2, 3, 4, 5]]]))
    want_short, want_full = _run([trimmed_out, full_out])
    np.testing.assert_allclose(got_out[0], want_short[0], atol=1e-6)
    np.testing.assert_allclose(got_state[0], want_short[0], atol=1e-6)
    np.testing.assert_allclose(got_out[1], want_full[0], atol=1e-6)


def test_rnn_output_masks_as_keras():
    x = layers.Input((5,), dtype="int32")
    e = layers.Embedding(6, 3, mask_zero=True)(x)
    assert get_mask(e) is not None and get_mask(e).dtype == fg.bool
    seq = layers.SimpleRNN(2, return_sequences=True)(e)
    last = layers.SimpleRNN(2)(e)
    assert get_mask(seq) is get_mask(e)
    assert get_mask(last) is None
    np.testing.assert_array_equal(_run(get_mask(e), {x: IDS}), IDS != 0)


def test_masking_layer_then_gru_matches_tf():
    x = layers.Input((4, 2))
    masked = layers.Masking()(x)
    gru = layers.GRU(2, return_sequences=True)
    out = gru(masked)
    gru.set_weights(_weights([(2, 6), (2, 6), (6,)]))
    xs = np.array([[[1, 2], [0, 0], [3, -1], [0, 0]],
                   [[0, 0], [0.5, 0.5], [1, 0], [0, 1]]], np.float32)
    got_out, got_masked, got_mask = _run([out, masked, get_mask(masked)], {x: xs})
    np.testing.assert_array_equal(got_mask, [[True, False, True, False],
                                             [False, True, True, True]])
    np.testing.assert_array_equal(got_masked, xs)
    tf_out = np.array([[[0.17021573, 0.01880741], [0.17021573, 0.01880741],
                        [-0.0330974, -0.29719853], [-0.0330974, -0.29719853]],
                       [[0., 0.], [-0.00171897, 0.08536071], [-0.17820849, -0.02149377],
                        [0.18570223, 0.22941835]]])
    np.testing.assert_allclose(got_out, tf_out, atol=1e-5)


def test_masking_value_zeroes_the_masked_steps():
    x = fg.constant(np.array([[[1., 2.], [-1., -1.], [0., -1.]]], np.float32))
    layer = layers.Masking(mask_value=-1.)
    out = layer(x)
    np.testing.assert_array_equal(_run(out), [[[1, 2], [0, 0], [0, -1]]])
    np.testing.assert_array_equal(_run(get_mask(out)), [[True, False, True]])
    assert layer.get_config()["mask_value"] == -1.


def test_masks_flow_through_a_functional_model():
    x, _, _, (seq, h, c) = _embedded_lstm()
    pooled = layers.GlobalAveragePooling1D()(seq)
    model = Model(x, [seq, pooled])
    fresh = layers.Input((5,), dtype="int32")
    new_seq, new_pooled = model(fresh)
    assert get_mask(new_seq) is not None and get_mask(new_seq) is not get_mask(seq)
    assert get_mask(new_pooled) is None
    got_seq, got_pooled, got_mask = _run([new_seq, new_pooled, get_mask(new_seq)],
                                         {fresh: IDS})
    np.testing.assert_allclose(got_seq, TF_SEQ, atol=1e-5)
    np.testing.assert_array_equal(got_mask, IDS != 0)
    mask = (IDS != 0)[..., None]
    np.testing.assert_allclose(got_pooled, (TF_SEQ * mask).sum(1) / mask.sum(1), atol=1e-5)
    predicted = model.predict(IDS)
    np.testing.assert_allclose(predicted[0], TF_SEQ, atol=1e-5)


def test_masks_flow_through_sequential():
    model = fg.keras.Sequential([layers.Embedding(6, 3, mask_zero=True, input_length=5),
                                 layers.LSTM(2)])
    model.layers[0].set_weights([EMB])
    model.layers[1].set_weights(LSTM_WEIGHTS)
    np.testing.assert_allclose(model.predict(IDS), TF_SEQ[:, -1], atol=1e-5)


def test_global_average_pooling_1d_masked_mean():
    x = layers.Input((5,), dtype="int32")
    emb = layers.Embedding(6, 3, mask_zero=True)
    pooled = layers.GlobalAveragePooling1D()(emb(x))
    emb.set_weights([EMB])
    got = _run(pooled, {x: IDS})
    want = np.stack([EMB[row[row != 0]].mean(0) for row in IDS])
    np.testing.assert_allclose(got, want, atol=1e-6)
    np.testing.assert_allclose(got, TF_GAP, atol=1e-6)
    assert get_mask(pooled) is None


def test_global_average_pooling_1d_channels_first_mask():
    values = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    mask = np.array([[True, False, True, True], [False, False, True, False]])
    out = layers.GlobalAveragePooling1D(data_format="channels_first")(
        fg.constant(values), mask=fg.constant(mask))
    want = np.stack([values[b][:, mask[b]].mean(-1) for b in range(2)])
    np.testing.assert_allclose(_run(out), want, atol=1e-6)


def test_merge_layers_combine_masks():
    x = layers.Input((5,), dtype="int32")
    y = layers.Input((5,), dtype="int32")
    ex = layers.Embedding(6, 3, mask_zero=True)(x)
    cat = layers.Concatenate()([ex, layers.Embedding(6, 3)(y)])
    added = layers.Add()([ex, layers.Embedding(6, 3, mask_zero=True)(y)])
    unmasked = layers.Add()([layers.Embedding(6, 3)(x), layers.Embedding(6, 3)(y)])
    ids2 = np.array([[1, 0, 3, 4, 0], [0, 2, 4, 0, 1]])
    got_cat, got_add = _run([get_mask(cat), get_mask(added)], {x: IDS, y: ids2})
    # Concatenate: an unmasked input counts as all ones; then all over the feature axis
    np.testing.assert_array_equal(got_cat, IDS != 0)
    np.testing.assert_array_equal(got_add, (IDS != 0) & (ids2 != 0))
    assert get_mask(unmasked) is None
    assert layers.Dot(axes=-1).compute_mask([ex, ex], [get_mask(ex)] * 2) is None


def test_concatenate_mask_along_the_time_axis():
    a = fg.constant(np.ones((1, 2, 3), np.float32))
    b = fg.constant(np.ones((1, 3, 3), np.float32))
    mask = layers.Concatenate(axis=1).compute_mask([a, b], [fg.constant([[True, False]]), None])
    np.testing.assert_array_equal(_run(mask), [[True, False, True, True, True]])


def test_pass_through_layers_keep_the_mask():
    x = layers.Input((5,), dtype="int32")
    e = layers.Embedding(6, 3, mask_zero=True)(x)
    for layer in (layers.Dense(4), layers.Dropout(0.5), layers.Activation("relu")):
        assert get_mask(layer(e)) is get_mask(e)
    assert get_mask(layers.Lambda(lambda t: t * 2)(e)) is None
    keep_first = layers.Lambda(lambda t: t * 2, mask=lambda t, m: m[:, :1])(e)
    np.testing.assert_array_equal(_run(get_mask(keep_first), {x: IDS}), [[True], [False]])


def test_layer_without_masking_support():
    x = layers.Input((5,), dtype="int32")
    e = layers.Embedding(6, 3, mask_zero=True)(x)
    flatten = layers.Flatten()
    # TF 1.15: calling drops the mask; compute_mask itself raises
    assert get_mask(flatten(e)) is None
    with pytest.raises(TypeError, match="does not support masking, but was passed an "
                                        "input_mask"):
        flatten.compute_mask(e, get_mask(e))
    assert flatten.compute_mask(e, None) is None


def test_call_gets_the_mask_and_an_explicit_mask_wins():
    seen = []

    class Probe(layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(mask)
            return inputs * 1.0

    x = layers.Input((5,), dtype="int32")
    e = layers.Embedding(6, 3, mask_zero=True)(x)
    Probe()(e)
    assert seen[-1] is get_mask(e)
    explicit = fg.constant(np.ones((2, 5), bool))
    out = layers.LSTM(2, return_sequences=True)(e, mask=explicit)
    assert get_mask(out) is explicit


def test_bidirectional_and_time_distributed_pass_masks():
    x = layers.Input((5,), dtype="int32")
    emb = layers.Embedding(6, 3, mask_zero=True)
    e = emb(x)
    bi = layers.Bidirectional(layers.LSTM(2, return_sequences=True), merge_mode="sum")
    seq = bi(e)
    assert get_mask(seq) is get_mask(e)
    bi_last = layers.Bidirectional(layers.LSTM(2))(e)
    assert get_mask(bi_last) is None
    td = layers.TimeDistributed(layers.Dense(3))(e)
    np.testing.assert_array_equal(_run(get_mask(td), {x: IDS}), IDS != 0)
    emb.set_weights([EMB])
    forward = bi.forward_layer
    backward = bi.backward_layer
    forward.set_weights(LSTM_WEIGHTS)
    backward.set_weights(LSTM_WEIGHTS)
    padded = np.array([[3, 1, 4, 0, 0]])
    got = _run(seq, {x: padded})
    fwd, _, _ = _np_masked_lstm(EMB[padded], padded != 0, *LSTM_WEIGHTS)
    rev_ids = padded[:, ::-1]
    bwd, _, _ = _np_masked_lstm(EMB[rev_ids], rev_ids != 0, *LSTM_WEIGHTS)
    np.testing.assert_allclose(got, fwd + bwd[:, ::-1], atol=1e-5)


def test_rnn_mask_of_the_wrong_rank():
    with pytest.raises(ValueError, match=r"\[batch, time\]"):
        layers.LSTM(2)(fg.constant(np.ones((1, 3, 2), np.float32)),
                       mask=fg.constant(np.ones((1, 3, 2), bool)))


@pytest.mark.parametrize("unroll", [False, True])
def test_padding_gets_no_gradient(unroll):
    x, emb, _, (seq, h, c) = _embedded_lstm(unroll)
    loss = fg.reduce_sum(h * h) + fg.reduce_sum(c)
    grad = fg.gradients(loss, [emb.embeddings])[0]
    got = _run(fg.convert_to_tensor(grad), {x: IDS})
    np.testing.assert_array_equal(got[0], np.zeros(3))  # index 0 is always masked
    assert np.abs(got[1:]).min() > 0
    # one entry against a central finite difference of the numpy reference
    eps = 1e-3

    def np_loss(table):
        _, h_np, c_np = _np_masked_lstm(table[IDS].astype(np.float64), IDS != 0,
                                        *LSTM_WEIGHTS)
        return (h_np ** 2).sum() + c_np.sum()

    up, down = EMB.astype(np.float64).copy(), EMB.astype(np.float64).copy()
    up[4, 1] += eps
    down[4, 1] -= eps
    np.testing.assert_allclose(got[4, 1], (np_loss(up) - np_loss(down)) / (2 * eps),
                               rtol=1e-2, atol=1e-5)


def test_fit_with_masked_sequences_learns():
    model = fg.keras.Sequential([layers.Embedding(6, 4, mask_zero=True, input_length=5),
                                 layers.LSTM(3), layers.Dense(1)])
    model.compile("adam", "mse")
    targets = (IDS != 0).sum(1, keepdims=True).astype(np.float32) / 5
    first = model.evaluate(IDS, targets, verbose=0)
    model.fit(IDS, targets, epochs=30, verbose=0)
    assert model.evaluate(IDS, targets, verbose=0) < first
