"""Cases for ctc.py (CTCLoss) and ctc_decoders.py (CTCGreedyDecoder, CTCBeamSearchDecoder).

References are written here independently of the kernels: the CTC loss by enumerating every
frame alignment (class sequence) of a tiny input and summing the probabilities of those
that reduce to the labels; the greedy decode by hand; the beam search on inputs whose one
likely path is known.
"""

import itertools

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

# [max_time=3, batch=2, num_classes=3]; the blank is class 2.
LOGITS = np.array([[[0.5, -0.2, 0.1], [1.0, 0.3, -0.4]],
                   [[-0.3, 0.8, 0.2], [0.0, -0.6, 0.9]],
                   [[0.2, 0.1, -0.5], [0.4, 0.7, -0.1]]])
LABEL_INDICES = [[0, 0], [0, 1], [1, 0]]
LABEL_VALUES = np.array([0, 1, 1], np.int32)
LENGTHS = np.array([3, 2], np.int32)


def _reduce(path, blank):
    out = []
    for k, c in enumerate(path):
        if c != blank and (k == 0 or c != path[k - 1]):
            out.append(c)
    return out


def brute_force_ctc(x, labels, lengths):
    """-log of the summed probability of every class sequence reducing to the labels."""
    losses = []
    for b, target in enumerate(labels):
        frames = x[:lengths[b], b]
        p = np.exp(frames - frames.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        total = 0.0
        for path in itertools.product(range(x.shape[2]), repeat=lengths[b]):
            if _reduce(path, x.shape[2] - 1) == list(target):
                total += np.prod([p[t, c] for t, c in enumerate(path)])
        losses.append(-np.log(total))
    return np.array(losses)


def _loss(x, lengths):
    labels = fg.SparseTensor(LABEL_INDICES, LABEL_VALUES, [2, 2])
    return fg.nn.ctc_loss(labels, x, lengths)


def _greedy(x, lengths):
    decoded, neg_sum = fg.nn.ctc_greedy_decoder(x, lengths)
    sp = decoded[0]
    return [sp.indices, sp.values, sp.dense_shape, neg_sum]


def _beam(x, lengths):
    decoded, log_probs = fg.nn.ctc_beam_search_decoder(x, lengths, beam_width=3, top_paths=1,
                                                     merge_repeated=False)
    sp = decoded[0]
    return [sp.indices, sp.values, sp.dense_shape, log_probs]


# Frame argmaxes: b0 -> 0, 1, 0 (decoded [0, 1, 0]); b1 (2 frames) -> 0, 2 (decoded [0]).
GREEDY = [np.array([[0, 0], [0, 1], [0, 2], [1, 0]], np.int64),
          np.array([0, 1, 0, 0], np.int64), np.array([2, 3], np.int64),
          np.array([[-(0.5 + 0.8 + 0.2)], [-(1.0 + 0.9)]])]

# One dominant path per example: b0 frames 1, blank, 1 -> [1, 1] (merge_repeated=False
# keeps both); b1 frames 0, 0 -> [0].
PEAKED = np.full((3, 2, 3), -20.0)
PEAKED[0, 0, 1] = PEAKED[1, 0, 2] = PEAKED[2, 0, 1] = 0.0
PEAKED[0, 1, 0] = PEAKED[1, 1, 0] = PEAKED[2, 1, 2] = 0.0
PEAKED_LENGTHS = np.array([3, 2], np.int32)


def _check_peaked(values, _inputs):
    indices, vals, shape, log_probs = values
    np.testing.assert_array_equal(indices, [[0, 0], [0, 1], [1, 0]])
    np.testing.assert_array_equal(vals, [1, 1, 0])
    np.testing.assert_array_equal(shape, [2, 2])
    # log P of the dominant alignment ~ 0 (every other class has weight e^-20).
    np.testing.assert_allclose(log_probs, [[0.0], [0.0]], atol=1e-7)


CASES = [
    OpCase("CTCLoss", _loss, [LOGITS, LENGTHS],
           expected=lambda x, n: brute_force_ctc(x, [[0, 1], [1]], n)),
    OpCase("CTCLoss", _loss, [LOGITS.astype(np.float32), LENGTHS],
           expected=lambda x, n: brute_force_ctc(x.astype(np.float64), [[0, 1], [1]], n),
           rtol=1e-5, name="float32", grad=False),
    OpCase("CTCGreedyDecoder", _greedy, [LOGITS, LENGTHS], expected=GREEDY),
    OpCase("CTCBeamSearchDecoder", _beam, [PEAKED, PEAKED_LENGTHS], check=_check_peaked),
]
