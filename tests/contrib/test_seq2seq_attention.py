"""tf.contrib.seq2seq attention (BahdanauAttention, LuongAttention, AttentionWrapper),
checked against numpy written here."""

import numpy as np
import pytest

import flowgraph as tf

s2s = tf.contrib.seq2seq


def _np_softmax(x):
    z = x - x.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def _vars(sess):
    return {v.name: sess.run(v) for v in tf.global_variables()}


def _setup(rng, batch=2, t_mem=4, d_mem=3, d_in=2):
    memory = rng.randn(batch, t_mem, d_mem).astype(np.float32)
    inputs = rng.randn(batch, d_in).astype(np.float32)
    lengths = np.array([4, 2], np.int32)[:batch]
    return memory, inputs, lengths


def _np_cell_and_context(w, memory, inputs, lengths, num_units, score):
    """BasicRNNCell step from zero state with zero previous attention, then attention."""
    mem = memory * (np.arange(memory.shape[1])[None, :] < lengths[:, None])[..., None]
    keys = mem @ w["memory_layer/kernel:0"]
    cell_in = np.concatenate([inputs, np.zeros((inputs.shape[0], 5), np.float32)], 1)
    h = np.tanh(np.concatenate([cell_in, np.zeros((inputs.shape[0], num_units))], 1)
                @ w["rnn/attention_wrapper/basic_rnn_cell/kernel:0"]
                + w["rnn/attention_wrapper/basic_rnn_cell/bias:0"])
    s = score(h, keys)
    s = np.where(np.arange(memory.shape[1])[None, :] < lengths[:, None], s, -np.inf)
    align = _np_softmax(s)
    context = np.einsum("bt,btd->bd", align, mem)
    attention = np.concatenate([h, context], 1) @ \
        w["rnn/attention_wrapper/attention_layer/kernel:0"]
    return align, attention


@pytest.mark.parametrize("kind", ["bahdanau", "luong", "luong_scaled", "bahdanau_norm"])
def test_one_attention_step_matches_numpy(kind):
    rng = np.random.RandomState(0)
    memory, inputs, lengths = _setup(rng)
    num_units = 3
    mem_t = tf.constant(memory)
    with tf.variable_scope("rnn"):
        if kind.startswith("bahdanau"):
            mech = s2s.BahdanauAttention(num_units, mem_t, memory_sequence_length=lengths,
                                         normalize=kind.endswith("norm"))
        else:
            mech = s2s.LuongAttention(num_units, mem_t, memory_sequence_length=lengths,
                                      scale=kind.endswith("scaled"))
        cell = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(num_units), mech,
                                    attention_layer_size=5)
        state = cell.zero_state(2, tf.float32)
        out, new_state = cell(tf.constant(inputs), state)
    assert cell.output_size == 5
    assert isinstance(new_state, s2s.AttentionWrapperState)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = _vars(sess)
        got_out, got_align, got_time = sess.run([out, new_state.alignments, new_state.time])
    names = set(w)
    assert "rnn/memory_layer/kernel:0" in names
    w["memory_layer/kernel:0"] = w["rnn/memory_layer/kernel:0"]
    if kind.startswith("bahdanau"):
        pre = "rnn/attention_wrapper/bahdanau_attention/"
        wq, v = w[pre + "query_layer/kernel:0"], w[pre + "attention_v:0"]
        if kind.endswith("norm"):
            g, b = w[pre + "attention_g:0"], w[pre + "attention_b:0"]
            assert np.isclose(g, np.sqrt(1.0 / num_units))
            v = g * v / np.sqrt((v ** 2).sum())
        else:
            b = 0.0
            assert pre + "attention_g:0" not in names

        def score(h, keys):
            return (v * np.tanh(keys + (h @ wq)[:, None, :] + b)).sum(-1)
    else:
        g = w.get("rnn/attention_wrapper/luong_attention/attention_g:0", 1.0)
        assert ("rnn/attention_wrapper/luong_attention/attention_g:0" in names) == \
            kind.endswith("scaled")

        def score(h, keys):
            return g * np.einsum("bd,btd->bt", h, keys)
    want_align, want_out = _np_cell_and_context(w, memory, inputs, lengths, num_units, score)
    assert got_time == 1
    np.testing.assert_allclose(got_align, want_align, rtol=1e-5, atol=1e-6)
    assert np.all(got_align[1, 2:] == 0)
    np.testing.assert_allclose(got_out, want_out, rtol=1e-5, atol=1e-5)


def test_no_attention_layer_outputs_context_and_history():
    rng = np.random.RandomState(1)
    memory, inputs, lengths = _setup(rng)
    mech = s2s.LuongAttention(2, tf.constant(memory), memory_sequence_length=lengths)
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), mech, alignment_history=True)
    assert cell.output_size == 3
    x = tf.constant(np.stack([inputs, inputs * 2], 1))
    outs, final = tf.nn.dynamic_rnn(cell, x, initial_state=cell.zero_state(2, tf.float32),
                                   dtype=tf.float32)
    hist = final.alignment_history.stack()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_outs, got_hist, align = sess.run([outs, hist, final.alignments])
    mem = memory * (np.arange(4)[None, :] < lengths[:, None])[..., None]
    assert got_outs.shape == (2, 2, 3)
    assert got_hist.shape == (2, 2, 4)
    np.testing.assert_allclose(got_hist[1], align, rtol=1e-6)
    np.testing.assert_allclose(got_hist.sum(-1), np.ones((2, 2)), rtol=1e-5)
    for t in range(2):
        want = np.einsum("bt,btd->bd", got_hist[t], mem)
        np.testing.assert_allclose(got_outs[:, t], want, rtol=1e-5, atol=1e-6)


def test_training_decode_loss_falls_and_gradients_flow():
    tf.set_random_seed(3)
    rng = np.random.RandomState(3)
    batch, t_src, vocab, steps = 4, 5, 6, 4
    src = rng.randint(0, vocab, size=(batch, t_src)).astype(np.int32)
    src_len = np.array([5, 4, 3, 5], np.int32)
    tgt = src[:, :steps][:, ::-1].copy()
    emb = tf.get_variable("emb", [vocab, 8])
    enc_out, enc_state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8),
                                           tf.nn.embedding_lookup(emb, src),
                                           sequence_length=src_len, dtype=tf.float32)
    mech = s2s.BahdanauAttention(8, enc_out, memory_sequence_length=src_len)
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(8), mech, attention_layer_size=8)
    init = cell.zero_state(batch, tf.float32).clone(cell_state=enc_state)
    dec_in = np.concatenate([np.zeros((batch, 1), np.int32), tgt[:, :-1]], 1)
    helper = s2s.TrainingHelper(tf.nn.embedding_lookup(emb, dec_in), tf.fill([batch], steps))
    dec = s2s.BasicDecoder(cell, helper, init, output_layer=tf.layers.Dense(vocab))
    out, final_state, _ = s2s.dynamic_decode(dec)
    assert isinstance(final_state, s2s.AttentionWrapperState)
    loss = s2s.sequence_loss(out.rnn_output, tf.constant(tgt), tf.ones([batch, steps]))
    grads = tf.gradients(loss, tf.trainable_variables())
    names = [v.name for v in tf.trainable_variables()]
    assert "memory_layer/kernel:0" in names
    assert "decoder/attention_wrapper/attention_layer/kernel:0" in names
    assert "decoder/attention_wrapper/bahdanau_attention/query_layer/kernel:0" in names
    assert "decoder/attention_wrapper/bahdanau_attention/attention_v:0" in names
    assert all(g is not None for g in grads), [n for n, g in zip(names, grads) if g is None]
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gvals = sess.run(grads)
        first = sess.run(loss)
        for _ in range(60):
            sess.run(train)
        last = sess.run(loss)
    assert all(np.abs(getattr(g, "values", g)).sum() > 0 for g in gvals)
    assert last < 0.5 * first


def test_gradient_matches_finite_differences():
    rng = np.random.RandomState(5)
    memory, inputs, lengths = _setup(rng)
    mem_var = tf.Variable(memory.astype(np.float64))
    mech = s2s.BahdanauAttention(3, mem_var, memory_sequence_length=lengths, dtype=tf.float64)
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(3, dtype=tf.float64), mech,
                                attention_layer_size=2)
    out, _ = cell(tf.constant(inputs.astype(np.float64)), cell.zero_state(2, tf.float64))
    loss = tf.reduce_sum(tf.square(out))
    (g,) = tf.gradients(loss, [mem_var])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(g)
        eps = 1e-6
        num = np.zeros_like(memory, dtype=np.float64)
        for idx in np.ndindex(memory.shape):
            for sign in (1, -1):
                m = memory.astype(np.float64).copy()
                m[idx] += sign * eps
                num[idx] += sign * sess.run(loss, {mem_var: m}) / (2 * eps)
    np.testing.assert_allclose(got, num, rtol=1e-4, atol=1e-7)
    assert np.all(got[1, 2:] == 0)


def test_hardmax_and_safe_cumprod():
    x = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 3.5]], np.float32)
    with tf.Session() as sess:
        h, c = sess.run([s2s.hardmax(x), s2s.safe_cumprod(np.array([0.5, 0.2, 1.0, 0.1]))])
    np.testing.assert_array_equal(h, [[0, 1, 0], [0, 0, 1]])
    np.testing.assert_allclose(c, np.cumprod([0.5, 0.2, 1.0, 0.1]), rtol=1e-6)


def test_bad_input_errors():
    mem = tf.zeros([2, 4, 3])
    with pytest.raises(TypeError, match="AttentionMechanism"):
        s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), object())
    mech = s2s.LuongAttention(2, mem)
    cell = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), mech)
    with pytest.raises(TypeError, match="AttentionWrapperState"):
        cell(tf.zeros([2, 2]), tf.zeros([2, 2]))
    with pytest.raises(ValueError, match="batch sizes"):
        cell.zero_state(3, tf.float32)
    with pytest.raises(ValueError, match="one\\s+integer per attention_mechanism"):
        s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), mech, attention_layer_size=[2, 3])
    luong = s2s.LuongAttention(4, mem)
    bad = s2s.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(2), luong)
    with pytest.raises(ValueError, match="num_units"):
        bad(tf.zeros([2, 2]), bad.zero_state(2, tf.float32))
