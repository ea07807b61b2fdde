"""fg.nn.ctc_loss_v2 / ctc_beam_search_decoder_v2 against numbers from TensorFlow 2.21
(tf.compat.v1.nn.*_v2, the same code as TF 1.15), hard-coded."""

import numpy as np
import pytest

import flowgraph as fg

LOGITS = np.float32([
    [[1.76, 0.40, 0.98, 2.24], [1.87, -0.98, 0.95, -0.15]],
    [[-0.10, 0.41, 0.14, 1.45], [0.76, 0.12, 0.44, 0.33]],
    [[1.49, -0.21, 0.31, -0.85], [-2.55, 0.65, 0.86, -0.74]],
    [[2.27, -1.45, 0.05, -0.19], [1.53, 1.47, 0.15, 0.38]],
    [[-0.89, -1.98, -0.35, 0.16], [1.23, 1.20, -0.39, -0.30]]])

CASES = [  # labels, blank_index, TF loss, TF d(sum loss)/d logits[0]
    ([[1, 2], [3, 1]], None, [3.8059330, 3.8565156],
     [[-0.390342, -0.232412, 0.137612, 0.485141], [-0.31044, 0.036403, 0.250796, 0.023241]]),
    ([[1, 2], [0, 1]], -1, [4.7995667, 4.8555236],
     [[0.300197, -0.147937, 0.137612, -0.289873], [-0.178603, 0.036403, 0.250796, -0.108596]]),
    ([[1, 3], [0, 3]], 2, [6.0072570, 3.2774949],
     [[0.300197, -0.418109, -0.36723, 0.485141], [0.097136, 0.036403, -0.217021, 0.083483]]),
]


@pytest.mark.parametrize("labels, blank, loss, grad0", CASES)
def test_dense_labels_loss_and_gradient_match_tensorflow(labels, blank, loss, grad0):
    with fg.Graph().as_default():
        logits = fg.constant(LOGITS)
        out = fg.nn.ctc_loss_v2(fg.constant(labels), logits, fg.constant([2, 1]),
                                fg.constant([5, 4]), blank_index=blank)
        grad = fg.gradients(fg.reduce_sum(out), logits)[0]
        with fg.Session() as sess:
            got, g = sess.run([out, grad])
    np.testing.assert_allclose(got, loss, rtol=1e-5)
    np.testing.assert_allclose(g[0], grad0, atol=2e-5)
    np.testing.assert_array_equal(g[4, 1], 0.0)  # past example 1's 4 frames


def test_gradient_matches_finite_differences():
    labels, lengths = np.int32([[1, 2], [3, 1]]), np.int32([2, 1])
    x = LOGITS.astype(np.float64)
    with fg.Graph().as_default():
        holder = fg.placeholder(fg.float64, [5, 2, 4])
        loss = fg.reduce_sum(fg.nn.ctc_loss_v2(labels, holder, lengths, [5, 4]))
        grad = fg.gradients(loss, holder)[0]
        with fg.Session() as sess:
            g = sess.run(grad, {holder: x})
            eps = 1e-6
            for idx in [(0, 0, 1), (2, 1, 3), (3, 0, 0)]:
                up, down = x.copy(), x.copy()
                up[idx] += eps
                down[idx] -= eps
                fd = (sess.run(loss, {holder: up}) - sess.run(loss, {holder: down})) / (2 * eps)
                assert abs(fd - g[idx]) < 1e-6


def test_sparse_labels_and_batch_major():
    with fg.Graph().as_default():
        sp = fg.SparseTensor([[0, 0], [0, 1], [1, 0]], fg.constant([2, 0, 3]), [2, 2])
        sparse_loss = fg.nn.ctc_loss_v2(sp, fg.constant(LOGITS), None, [5, 4], blank_index=1)
        batch_major = fg.nn.ctc_loss_v2([[1, 3], [0, 3]], fg.constant(LOGITS.transpose(1, 0, 2)),
                                        [2, 1], [5, 4], logits_time_major=False, blank_index=2)
        with fg.Session() as sess:
            a, b = sess.run([sparse_loss, batch_major])
    np.testing.assert_allclose(a, [4.4370065, 4.7995720], rtol=1e-5)
    np.testing.assert_allclose(b, [6.0072570, 3.2774949], rtol=1e-5)


def test_build_errors():
    with fg.Graph().as_default():
        sp = fg.SparseTensor([[0, 0]], fg.constant([1]), [2, 1])
        with pytest.raises(ValueError, match="blank_index must be given"):
            fg.nn.ctc_loss_v2(sp, fg.constant(LOGITS), None, [5, 4])
        with pytest.raises(ValueError, match="label_length must be given"):
            fg.nn.ctc_loss_v2([[1], [1]], fg.constant(LOGITS), None, [5, 4])
        with pytest.raises(ValueError, match="out of range"):
            fg.nn.ctc_loss_v2([[1], [1]], fg.constant(LOGITS), [1, 1], [5, 4], blank_index=4)


def test_beam_search_decoder_v2_matches_tensorflow():
    with fg.Graph().as_default():
        decoded, log_prob = fg.nn.ctc_beam_search_decoder_v2(fg.constant(LOGITS), [5, 4],
                                                             beam_width=3, top_paths=2)
        with fg.Session() as sess:
            (d0, d1), p = sess.run([decoded, log_prob])
    np.testing.assert_array_equal(d0.indices, [[0, 0], [1, 0], [1, 1], [1, 2]])
    np.testing.assert_array_equal(d0.values, [0, 0, 2, 1])
    np.testing.assert_array_equal(d0.dense_shape, [2, 3])
    np.testing.assert_array_equal(d1.indices, [[0, 0], [0, 1], [1, 0], [1, 1], [1, 2]])
    np.testing.assert_array_equal(d1.values, [0, 0, 0, 2, 0])
    np.testing.assert_allclose(p, [[-2.0552418, -2.6613631], [-1.9889404, -2.188325]],
                               rtol=1e-5)
