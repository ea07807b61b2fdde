"""fg.nn.ctc_loss, ctc_greedy_decoder and ctc_beam_search_decoder against independent
references: enumeration of every frame alignment of tiny inputs, hand-computed decodes, and
exhaustive search over label sequences."""

import itertools

import numpy as np
import pytest

import flowgraph as fg


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _reduce(path, blank, merge):
    out = []
    for k, c in enumerate(path):
        if c != blank and not (merge and k > 0 and c == path[k - 1]):
            out.append(c)
    return tuple(out)


def _sequence_probs(frames, merge=True):
    """{label sequence: summed probability of its alignments} for frames [T, C]."""
    p = _softmax(frames)
    blank = frames.shape[1] - 1
    probs = {}
    for path in itertools.product(range(frames.shape[1]), repeat=frames.shape[0]):
        key = _reduce(path, blank, merge)
        probs[key] = probs.get(key, 0.0) + np.prod([p[t, c] for t, c in enumerate(path)])
    return probs


def _sparse(labels):
    indices = [[b, i] for b, seq in enumerate(labels) for i in range(len(seq))]
    values = np.array([v for seq in labels for v in seq], np.int32)
    return fg.SparseTensor(indices, values, [len(labels), max(len(s) for s in labels)])


def _run(fetches, feed=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed)


@pytest.mark.parametrize("merge", [True, False])
def test_loss_equals_brute_force_over_alignments(merge):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3, 3))
    labels = [[0, 1], [1, 1], [0]]
    lengths = [4, 4, 2]
    with fg.Graph().as_default():
        loss = fg.nn.ctc_loss(_sparse(labels), x, lengths, ctc_merge_repeated=merge)
        got = _run(loss)
    want = [-np.log(_sequence_probs(x[:n, b], merge).get(tuple(lab), 0.0))
            for b, (lab, n) in enumerate(zip(labels, lengths))]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_gradient_matches_finite_differences_of_brute_force():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 1, 3))
    with fg.Graph().as_default():
        xt = fg.constant(x)
        loss = fg.nn.ctc_loss(_sparse([[1, 0]]), xt, [3])
        grad = _run(fg.gradients(3.0 * loss, xt)[0])

    def brute(v):
        return -np.log(_sequence_probs(v[:, 0])[(1, 0)])

    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = 1e-6
        numeric[i] = 3.0 * (brute(x + step) - brute(x - step)) / 2e-6
    np.testing.assert_allclose(grad, numeric, atol=1e-7)


def test_time_major_false_and_collapse_repeated():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 2, 3))          # [time, batch, classes]
    with fg.Graph().as_default():
        loss = fg.nn.ctc_loss(_sparse([[0, 0, 1], [1]]), np.transpose(x, (1, 0, 2)), [3, 3],
                              preprocess_collapse_repeated=True, time_major=False)
        got = _run(loss)
    want = [-np.log(_sequence_probs(x[:, 0])[(0, 1)]), -np.log(_sequence_probs(x[:, 1])[(1,)])]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_static_shapes_and_placeholder_feed():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [None, 2, 4])
        loss = fg.nn.ctc_loss(_sparse([[0], [2]]), x, [1, 1])
        assert loss.shape.as_list() == [2] and loss.dtype == fg.float32
        got = _run(loss, {x: np.zeros((1, 2, 4), np.float32)})
    np.testing.assert_allclose(got, [np.log(4.0)] * 2, rtol=1e-6)


def test_longer_labels_error_or_zero_when_ignored():
    x = np.zeros((2, 1, 3))
    with fg.Graph().as_default():
        bad = fg.nn.ctc_loss(_sparse([[0, 1, 0]]), x, [2])
        with pytest.raises(fg.errors.InvalidArgumentError, match="Not enough time"):
            _run(bad)
    with fg.Graph().as_default():
        xt = fg.constant(x)
        loss = fg.nn.ctc_loss(_sparse([[0, 1, 0]]), xt, [2],
                              ignore_longer_outputs_than_inputs=True)
        value, grad = _run([loss, fg.gradients(loss, xt)[0]])
    np.testing.assert_array_equal(value, [0.0])
    np.testing.assert_array_equal(grad, np.zeros_like(x))


def test_input_errors():
    x = np.zeros((2, 1, 3))
    with fg.Graph().as_default():
        with pytest.raises(TypeError, match="SparseTensor"):
            fg.nn.ctc_loss([[0]], x, [2])
        with pytest.raises(fg.errors.InvalidArgumentError, match="sequence_length"):
            _run(fg.nn.ctc_loss(_sparse([[0]]), x, [3]))
        with pytest.raises(fg.errors.InvalidArgumentError, match="blank"):
            _run(fg.nn.ctc_loss(_sparse([[2]]), x, [2]))


def test_greedy_decoder_by_hand():
    # argmax per frame: b0: 1 1 2 1 0 -> merged [1, 1, 0] / unmerged [1, 1, 1, 0];
    # b1 (length 2): 0 0 -> [0] / [0, 0].
    x = np.full((5, 2, 3), -1.0, np.float32)
    for t, c in enumerate([1, 1, 2, 1, 0]):
        x[t, 0, c] = 2.0
    x[0, 1, 0] = x[1, 1, 0] = 3.0
    with fg.Graph().as_default():
        (merged,), neg = fg.nn.ctc_greedy_decoder(x, [5, 2])
        (plain,), _ = fg.nn.ctc_greedy_decoder(x, [5, 2], merge_repeated=False)
        assert neg.shape.as_list() == [2, 1]
        m, n, p = _run([merged, neg, plain])
    np.testing.assert_array_equal(m.indices, [[0, 0], [0, 1], [0, 2], [1, 0]])
    np.testing.assert_array_equal(m.values, [1, 1, 0, 0])
    np.testing.assert_array_equal(m.dense_shape, [2, 3])
    np.testing.assert_allclose(n, [[-10.0], [-6.0]])
    np.testing.assert_array_equal(p.values, [1, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(p.dense_shape, [2, 4])


def test_beam_search_with_wide_beam_equals_exhaustive_search():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4, 2, 3)) * 1.5
    lengths = [4, 3]
    with fg.Graph().as_default():
        decoded, log_probs = fg.nn.ctc_beam_search_decoder(
            x, lengths, beam_width=64, top_paths=3, merge_repeated=False)
        assert len(decoded) == 3 and log_probs.shape.as_list() == [2, 3]
        values = _run([decoded, log_probs])
    paths, got_logp = values
    for b in range(2):
        probs = _sequence_probs(x[:lengths[b], b])
        best = sorted(probs.items(), key=lambda kv: -kv[1])[:3]
        for k, (seq, prob) in enumerate(best):
            sp = paths[k]
            row = sp.values[sp.indices[:, 0] == b]
            assert tuple(row) == seq
            np.testing.assert_allclose(got_logp[b, k], np.log(prob), rtol=1e-6)


def test_beam_search_merge_repeated_merges_blank_separated_repeats():
    # Frames 1, blank, 1 dominate: the prefix is [1, 1]; TF1's default merge_repeated=True
    # reports it as [1].
    x = np.full((3, 1, 3), -20.0)
    x[0, 0, 1] = x[1, 0, 2] = x[2, 0, 1] = 0.0
    with fg.Graph().as_default():
        (merged,), _ = fg.nn.ctc_beam_search_decoder(x, [3], beam_width=4)
        (plain,), _ = fg.nn.ctc_beam_search_decoder(x, [3], beam_width=4, merge_repeated=False)
        m, p = _run([merged, plain])
    np.testing.assert_array_equal(m.values, [1])
    np.testing.assert_array_equal(p.values, [1, 1])


def test_beam_search_errors_and_empty_sequences():
    x = np.zeros((2, 1, 2), np.float32)
    with fg.Graph().as_default():
        with pytest.raises(fg.errors.InvalidArgumentError, match="more paths than the beam"):
            _run(fg.nn.ctc_beam_search_decoder(x, [2], beam_width=2, top_paths=3)[1])
        with pytest.raises(fg.errors.InvalidArgumentError, match="Less leaves"):
            _run(fg.nn.ctc_beam_search_decoder(x[:1], [1], beam_width=5, top_paths=3)[1])
        with pytest.raises(fg.errors.FailedPreconditionError, match="sequence_length"):
            _run(fg.nn.ctc_beam_search_decoder(x, [3])[1])
        (sp,), logp = fg.nn.ctc_beam_search_decoder(x, [0])
        sp_value, logp_value = _run([sp, logp])
    assert sp_value.indices.shape == (0, 2)
    np.testing.assert_array_equal(sp_value.dense_shape, [1, 0])
    np.testing.assert_array_equal(logp_value, [[0.0]])
