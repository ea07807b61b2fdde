"""tf.contrib.seq2seq: sequence_loss, helpers, BasicDecoder, dynamic_decode, tile_batch,
checked against numpy references written here."""

import numpy as np
import pytest

import flowgraph as tf

s2s = tf.contrib.seq2seq


def _np_xent(logits, targets):
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], -1)[..., 0]


@pytest.mark.parametrize("flags", [
    dict(), dict(average_across_timesteps=False),
    dict(average_across_batch=False),
    dict(average_across_timesteps=False, average_across_batch=False),
    dict(average_across_timesteps=False, average_across_batch=False,
         sum_over_timesteps=True, sum_over_batch=True),
    dict(average_across_timesteps=False, average_across_batch=False, sum_over_batch=True),
    dict(average_across_timesteps=False, average_across_batch=False,
         sum_over_timesteps=True),
])
def test_sequence_loss_matches_numpy(flags):
    rng = np.random.RandomState(1)
    logits = rng.randn(3, 4, 5).astype(np.float32)
    targets = rng.randint(0, 5, size=(3, 4)).astype(np.int32)
    weights = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [0.5, 1, 1, 1]], np.float32)
    ce = _np_xent(logits.astype(np.float64), targets) * weights
    at = flags.get("average_across_timesteps", True)
    ab = flags.get("average_across_batch", True)
    st, sb = flags.get("sum_over_timesteps", False), flags.get("sum_over_batch", False)
    if at and ab:
        want = ce.sum() / weights.sum()
    elif st and sb:
        want = ce.sum() / np.count_nonzero(weights)
    elif at or ab:
        axis = 0 if ab else 1
        want = ce.sum(axis) / weights.sum(axis)
    elif st or sb:
        axis = 0 if sb else 1
        want = ce.sum(axis) / np.count_nonzero(weights, axis=axis)
    else:
        want = ce
    loss = s2s.sequence_loss(tf.constant(logits), tf.constant(targets), tf.constant(weights),
                             **flags)
    with tf.Session() as sess:
        got = sess.run(loss)
    assert got.shape == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_sequence_loss_bad_input():
    logits = tf.zeros([2, 3, 4])
    with pytest.raises(ValueError, match="Logits must be"):
        s2s.sequence_loss(tf.zeros([2, 4]), tf.zeros([2, 3], tf.int32), tf.ones([2, 3]))
    with pytest.raises(ValueError, match="Targets must be"):
        s2s.sequence_loss(logits, tf.zeros([2], tf.int32), tf.ones([2, 3]))
    with pytest.raises(ValueError, match="cannot be set to True"):
        s2s.sequence_loss(logits, tf.zeros([2, 3], tf.int32), tf.ones([2, 3]),
                          sum_over_timesteps=True)


def test_tile_batch():
    x = np.arange(12, dtype=np.float32).reshape(3, 2, 2)
    t = s2s.tile_batch((tf.constant(x), tf.constant([1, 2, 3])), 2)
    assert t[0].shape.as_list() == [6, 2, 2]
    with tf.Session() as sess:
        a, b = sess.run(t)
    np.testing.assert_array_equal(a, np.repeat(x, 2, axis=0))
    np.testing.assert_array_equal(b, [1, 1, 2, 2, 3, 3])


def _np_rnn_dense(x, kernel, bias, wo, bo, h0):
    """Basic tanh RNN over [batch, time, depth] inputs plus a dense projection."""
    h, outs, states = h0, [], []
    for t in range(x.shape[1]):
        h = np.tanh(np.concatenate([x[:, t], h], 1) @ kernel + bias)
        outs.append(h @ wo + bo)
        states.append(h)
    return np.stack(outs, 1), np.stack(states, 1)


@pytest.mark.parametrize("impute", [False, True])
def test_training_decode_matches_numpy(impute):
    rng = np.random.RandomState(0)
    x = rng.randn(2, 4, 3).astype(np.float32)
    lengths = np.array([4, 2], np.int32)
    cell = tf.nn.rnn_cell.BasicRNNCell(5)
    helper = s2s.TrainingHelper(tf.constant(x), lengths)
    dense = tf.layers.Dense(6, name="output_projection")
    dec = s2s.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32), output_layer=dense)
    out, state, lens = s2s.dynamic_decode(dec, impute_finished=impute)
    assert isinstance(out, s2s.BasicDecoderOutput)
    assert out.rnn_output.shape.as_list() == [2, None, 6]
    assert out.sample_id.dtype == tf.int32
    names = sorted(v.op.name for v in tf.global_variables())
    assert names == ["decoder/basic_rnn_cell/bias", "decoder/basic_rnn_cell/kernel",
                     "decoder/output_projection/bias", "decoder/output_projection/kernel"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        (o, st, ln), (k, b, wo, bo) = sess.run([(out, state, lens), (
            cell.weights[0], cell.weights[1], dense.kernel, dense.bias)])
    want_o, want_h = _np_rnn_dense(x, k, b, wo, bo, np.zeros((2, 5), np.float32))
    want_state = want_h[:, -1].copy()
    if impute:
        want_o[1, 2:] = 0.0
        want_state[1] = want_h[1, 1]
    np.testing.assert_array_equal(ln, lengths)
    np.testing.assert_allclose(o.rnn_output, want_o, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(o.sample_id, want_o.argmax(-1))
    np.testing.assert_allclose(st, want_state, rtol=1e-5, atol=1e-5)


def _greedy_graph(bias, max_iter, end_token=2, start=(1, 1, 1)):
    batch = len(start)
    rng = np.random.RandomState(3)
    emb = rng.randn(4, 3).astype(np.float32)
    cell = tf.nn.rnn_cell.BasicRNNCell(5)
    dense = tf.layers.Dense(4, bias_initializer=tf.constant_initializer(bias))
    helper = s2s.GreedyEmbeddingHelper(tf.constant(emb), tf.constant(list(start)), end_token)
    dec = s2s.BasicDecoder(cell, helper, cell.zero_state(batch, tf.float32), output_layer=dense)
    out, _, lens = s2s.dynamic_decode(dec, maximum_iterations=max_iter)
    return emb, cell, dense, out, lens


def test_greedy_stops_at_end_token():
    _, _, _, out, lens = _greedy_graph([0.0, 0.0, 100.0, 0.0], max_iter=10)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, ln = sess.run([out, lens])
    np.testing.assert_array_equal(ln, [1, 1, 1])
    np.testing.assert_array_equal(o.sample_id, [[2], [2], [2]])


def test_greedy_maximum_iterations():
    _, _, _, out, lens = _greedy_graph([0.0, 0.0, -100.0, 0.0], max_iter=5)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, ln = sess.run([out, lens])
    np.testing.assert_array_equal(ln, [5, 5, 5])
    assert o.rnn_output.shape == (3, 5, 4)
    assert not (o.sample_id == 2).any()


def test_greedy_matches_numpy_loop():
    tf.set_random_seed(0)
    emb, cell, dense, out, lens = _greedy_graph(np.zeros(4), max_iter=7, end_token=3,
                                                start=(0, 1, 2, 3))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        (o, ln), (k, b, wo, bo) = sess.run([(out, lens), (
            cell.weights[0], cell.weights[1], dense.kernel, dense.bias)])
    # numpy greedy decode as TF1 runs it: all rows step until every row has finished
    h = np.zeros((4, 5), np.float32)
    inp = emb[[0, 1, 2, 3]]
    finished = np.zeros(4, bool)
    length = np.zeros(4, np.int32)
    ids_all, logits_all = [], []
    for t in range(7):
        h = np.tanh(np.concatenate([inp, h], 1) @ k + b)
        logits = h @ wo + bo
        ids = logits.argmax(-1)
        length = np.where(finished, length, t + 1)
        finished = finished | (ids == 3)
        ids_all.append(ids)
        logits_all.append(logits)
        inp = emb[ids]
        if finished.all():
            break
    assert len(set(length.tolist())) > 1  # rows stop at different steps
    np.testing.assert_array_equal(ln, length)
    np.testing.assert_array_equal(o.sample_id, np.stack(ids_all, 1))
    np.testing.assert_allclose(o.rnn_output, np.stack(logits_all, 1), rtol=1e-5, atol=1e-5)


def test_greedy_bad_args():
    with pytest.raises(ValueError, match="start_tokens must be a vector"):
        s2s.GreedyEmbeddingHelper(tf.zeros([4, 3]), 1, 2)
    with pytest.raises(ValueError, match="end_token must be a scalar"):
        s2s.GreedyEmbeddingHelper(tf.zeros([4, 3]), [1], [2])
    with pytest.raises(TypeError, match="Decoder"):
        s2s.dynamic_decode(object())


def test_training_decode_gradient_finite_differences():
    rng = np.random.RandomState(5)
    x0 = rng.randn(2, 3, 2)
    x = tf.placeholder(tf.float64, [2, 3, 2])
    cell = tf.nn.rnn_cell.BasicRNNCell(3, dtype=tf.float64)
    helper = s2s.TrainingHelper(x, [3, 2])
    dec = s2s.BasicDecoder(cell, helper, cell.zero_state(2, tf.float64))
    out, _, _ = s2s.dynamic_decode(dec, impute_finished=True)
    loss = tf.reduce_sum(tf.square(out.rnn_output))
    gx, gk = tf.gradients(loss, [x, cell.weights[0]])
    assert gk is not None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        g = sess.run(gx, {x: x0})
        eps = 1e-6
        num = np.zeros_like(x0)
        for idx in np.ndindex(*x0.shape):
            xp, xm = x0.copy(), x0.copy()
            xp[idx] += eps
            xm[idx] -= eps
            num[idx] = (sess.run(loss, {x: xp}) - sess.run(loss, {x: xm})) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)
    # row 1 stops at length 2: its third input has no effect
    np.testing.assert_array_equal(g[1, 2], 0.0)


def test_copy_task_trains():
    rng = np.random.RandomState(0)
    vocab, steps, batch, go = 5, 4, 16, 0
    src = tf.placeholder(tf.int32, [batch, steps])
    emb = tf.get_variable("emb", [vocab, 8], initializer=tf.random_uniform_initializer(-1, 1))
    with tf.variable_scope("encoder"):
        _, enc_state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(16),
                                         tf.nn.embedding_lookup(emb, src), dtype=tf.float32)
    dec_in = tf.concat([tf.fill([batch, 1], go), src[:, :-1]], 1)
    helper = s2s.TrainingHelper(tf.nn.embedding_lookup(emb, dec_in), tf.fill([batch], steps))
    dec = s2s.BasicDecoder(tf.nn.rnn_cell.GRUCell(16), helper, enc_state,
                           output_layer=tf.layers.Dense(vocab))
    out, _, _ = s2s.dynamic_decode(dec)
    loss = s2s.sequence_loss(out.rnn_output, src, tf.ones([batch, steps]))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    data = rng.randint(1, vocab, size=(batch, steps)).astype(np.int32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {src: data})
        for _ in range(60):
            sess.run(train, {src: data})
        last = sess.run(loss, {src: data})
    assert first > 1.2
    assert last < 0.5 * first
