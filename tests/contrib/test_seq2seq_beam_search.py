"""tf.contrib.seq2seq beam search: gather_tree and BeamSearchDecoder through dynamic_decode,
checked against numpy references written here."""

import numpy as np
import pytest

import flowgraph as tf

s2s = tf.contrib.seq2seq

VOCAB, END = 5, 1
STARTS = np.array([0, 4], np.int32)  # row 0 ends early greedily, row 1 never


def _np_gather_tree(step_ids, parent_ids, lengths, end_token):
    n_t, n_b, n_k = step_ids.shape
    out = np.full_like(step_ids, end_token)
    for b in range(n_b):
        for k in range(n_k):
            n = lengths[b]
            if n <= 0:
                continue
            out[n - 1, b, k] = step_ids[n - 1, b, k]
            parent = parent_ids[n - 1, b, k]
            for t in range(n - 2, -1, -1):
                out[t, b, k] = step_ids[t, b, parent]
                parent = parent_ids[t, b, parent]
            done = False
            for t in range(n_t):
                if done:
                    out[t, b, k] = end_token
                elif out[t, b, k] == end_token:
                    done = True
    return out


def test_gather_tree_matches_numpy_loop():
    rng = np.random.RandomState(0)
    n_t, n_b, n_k = 6, 3, 4
    step_ids = rng.randint(0, 7, size=(n_t, n_b, n_k)).astype(np.int32)
    parent_ids = rng.randint(0, n_k, size=(n_t, n_b, n_k)).astype(np.int32)
    lengths = np.array([6, 4, 1], np.int32)
    got = tf.Session().run(s2s.gather_tree(step_ids, parent_ids, lengths, 3))
    np.testing.assert_array_equal(got, _np_gather_tree(step_ids, parent_ids, lengths, 3))


def test_gather_tree_bad_shape():
    with pytest.raises(ValueError, match="max_time, batch_size, beam_width"):
        s2s.gather_tree(np.zeros([2, 3], np.int32), np.zeros([2, 3], np.int32), [2], 0)


class _IdentityCell(tf.nn.rnn_cell.RNNCell):
    """Output = input (a one-hot of the previous token); the state is a step counter."""

    @property
    def state_size(self):
        return 1

    @property
    def output_size(self):
        return VOCAB

    def call(self, inputs, state):
        return inputs, state + 1.0


def _transition_logits():
    rng = np.random.RandomState(0)
    return rng.randn(VOCAB, VOCAB).astype(np.float32) * 1.5


def _np_log_softmax(x):
    x = x.astype(np.float64)
    z = x - x.max()
    return z - np.log(np.exp(z).sum())


def _np_beam_search(table, batch, beam, max_iter, w):
    """Hypothesis-list beam search following TF 1.15's scoring rules."""
    results = []
    for b in range(batch):
        # (tokens, log_prob, finished, length); beams 1.. start "dead" as in TF.
        hyps = [([], 0.0, False, 0)]
        steps = []
        for _t in range(max_iter):
            cands = []
            for h, (toks, lp, fin, ln) in enumerate(hyps):
                if fin:
                    cands.append((lp / ((5.0 + ln) / 6.0) ** w, h, END, lp, True, ln))
                    continue
                prev = toks[-1] if toks else STARTS[b]
                logp = _np_log_softmax(table[prev])
                for v in range(VOCAB):
                    score_len = ln + (0 if v == END else 1)
                    total = lp + logp[v]
                    cands.append((total / ((5.0 + score_len) / 6.0) ** w, h, v, total,
                                  v == END, ln + 1))
            cands.sort(key=lambda c: -c[0])
            best = cands[:beam]
            hyps = [(hyps[c[1]][0] + [c[2]], c[3], c[4], c[5]) for c in best]
            steps.append([c[0] for c in best])
            if all(h[2] for h in hyps):
                break
        results.append((hyps, steps))
    return results


def _decode(beam_width, w, max_iter, batch=2):
    table = _transition_logits()
    cell = _IdentityCell()
    init = s2s.tile_batch(tf.zeros([batch, 1]), beam_width)
    dense = tf.layers.Dense(VOCAB, use_bias=False,
                            kernel_initializer=tf.constant_initializer(table))
    dec = s2s.BeamSearchDecoder(cell, np.eye(VOCAB, dtype=np.float32),
                                tf.constant(STARTS[:batch]), END, init, beam_width,
                                output_layer=dense, length_penalty_weight=w)
    out, state, lengths = s2s.dynamic_decode(dec, maximum_iterations=max_iter)
    return table, out, state, lengths


@pytest.mark.parametrize("w", [0.0, 1.5])
def test_beam_search_matches_numpy(w):
    batch, beam, max_iter = 2, 3, 6
    table, out, state, _ = _decode(beam, w, max_iter, batch)
    assert isinstance(out, s2s.FinalBeamSearchDecoderOutput)
    assert isinstance(state, s2s.BeamSearchDecoderState)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ids, scores, log_probs, lens = sess.run(
            [out.predicted_ids, out.beam_search_decoder_output.scores, state.log_probs,
             state.lengths])
    ref = _np_beam_search(table, batch, beam, max_iter, w)
    n_steps = max(len(steps) for _, steps in ref)
    assert ids.shape == (batch, n_steps, beam)
    assert any(h[2] for hyps, _ in ref for h in hyps), "reference should finish some beams"
    for b, (hyps, steps) in enumerate(ref):
        want = np.full((n_steps, beam), END)
        for k, (toks, _lp, _fin, _ln) in enumerate(hyps):
            want[:len(toks), k] = toks
            cut = toks.index(END) + 1 if END in toks else len(toks)
            want[cut:, k] = END
        np.testing.assert_array_equal(ids[b], want)
        np.testing.assert_allclose(scores[b, len(steps) - 1], steps[-1], rtol=1e-5)
        if len(steps) == n_steps:
            np.testing.assert_allclose(log_probs[b], [h[1] for h in hyps], rtol=1e-5)
            np.testing.assert_array_equal(lens[b], [h[3] for h in hyps])


def test_beam_width_one_equals_greedy():
    batch, max_iter = 2, 7
    table, out, _, _ = _decode(1, 0.0, max_iter, batch)
    helper = s2s.GreedyEmbeddingHelper(np.eye(VOCAB, dtype=np.float32),
                                       tf.constant(STARTS[:batch]), END)
    dense = tf.layers.Dense(VOCAB, use_bias=False,
                            kernel_initializer=tf.constant_initializer(table))
    greedy = s2s.BasicDecoder(_IdentityCell(), helper, tf.zeros([batch, 1]),
                              output_layer=dense)
    g_out, _, g_len = s2s.dynamic_decode(greedy, maximum_iterations=max_iter,
                                         scope="greedy")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ids, g_ids, g_lens = sess.run([out.predicted_ids, g_out.sample_id, g_len])
    # Numpy greedy reference too, so the comparison cannot pass vacuously.
    for b in range(batch):
        prev, toks = STARTS[b], []
        for _ in range(max_iter):
            prev = int(np.argmax(table[prev]))
            toks.append(prev)
            if prev == END:
                break
        assert g_lens[b] == len(toks)
        np.testing.assert_array_equal(g_ids[b, :len(toks)], toks)
        np.testing.assert_array_equal(ids[b, :len(toks), 0], toks)
        assert np.all(ids[b, len(toks):, 0] == END)


def test_beam_search_bad_state_batch():
    with pytest.raises(ValueError, match="tile_batch"):
        s2s.BeamSearchDecoder(_IdentityCell(), np.eye(VOCAB, dtype=np.float32),
                              tf.constant(STARTS), END, tf.zeros([2, 1]), 3)


def test_tensor_arrays_in_the_cell_state_are_not_handed_back_unsorted():
    import flowgraph as fg
    s2s = fg.contrib.seq2seq
    batch, beam, vocab = 2, 3, 5
    memory = s2s.tile_batch(fg.constant(np.ones((batch, 4, 3), np.float32)), beam)
    mechanism = s2s.LuongAttention(6, memory)
    cell = s2s.AttentionWrapper(fg.nn.rnn_cell.BasicRNNCell(6), mechanism,
                                alignment_history=True)
    state = cell.zero_state(batch * beam, fg.float32)
    embedding = fg.constant(np.eye(vocab, dtype=np.float32))
    decoder = s2s.BeamSearchDecoder(cell, embedding, fg.zeros([batch], fg.int32), 1, state,
                                    beam, output_layer=fg.layers.Dense(vocab))
    with pytest.raises(ValueError, match="reorder_tensor_arrays=False"):
        s2s.dynamic_decode(decoder, maximum_iterations=3)
    fg.reset_default_graph()
    memory = s2s.tile_batch(fg.constant(np.ones((batch, 4, 3), np.float32)), beam)
    cell = s2s.AttentionWrapper(fg.nn.rnn_cell.BasicRNNCell(6), s2s.LuongAttention(6, memory),
                                alignment_history=True)
    decoder = s2s.BeamSearchDecoder(cell, fg.constant(np.eye(vocab, dtype=np.float32)),
                                    fg.zeros([batch], fg.int32), 1,
                                    cell.zero_state(batch * beam, fg.float32), beam,
                                    output_layer=fg.layers.Dense(vocab),
                                    reorder_tensor_arrays=False)
    outputs, _, _ = s2s.dynamic_decode(decoder, maximum_iterations=3)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        assert sess.run(outputs.predicted_ids).shape == (batch, 3, beam)
