"""TF1 names: space_to_batch family, dilation2d / erosion2d, fractional pooling,
conv transposes and loss scaling. Hard-coded numbers come from TensorFlow (tf.compat.v1)
runs of the same graphs; other references are numpy written here."""

import numpy as np
import pytest

import flowgraph as fg


def _run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


# ------------------------------------------------------------------ space to batch
def test_space_to_batch_nd_matches_tf():
    x = np.arange(2 * 4 * 6 * 3, dtype=np.float32).reshape(2, 4, 6, 3)
    y = fg.space_to_batch_nd(x, [2, 3], [[0, 2], [1, 2]])
    assert y.shape.as_list() == [12, 3, 3, 3]
    got = _run(y)[:, :, :, 0].ravel()
    # TF: the first 18 values of out[..., 0].
    want = [0, 6, 15, 0, 42, 51, 0, 0, 0, 0, 78, 87, 0, 114, 123, 0, 0, 0]
    np.testing.assert_array_equal(got[:18], want)
    np.testing.assert_array_equal(np.sort(got[got > 0]),
                                  np.sort(x[:, :, :, 0].ravel()[x[:, :, :, 0].ravel() > 0]))


def test_batch_to_space_nd_matches_tf():
    x = np.arange(12 * 2 * 3, dtype=np.float32).reshape(12, 2, 3, 1)
    y = fg.batch_to_space_nd(x, [2, 3], [[1, 0], [0, 2]])
    assert y.shape.as_list() == [2, 3, 7, 1]
    want = [36, 48, 60, 37, 49, 61, 38, 3, 15, 27, 4, 16, 28, 5, 39, 51, 63, 40, 52, 64, 41,
            42, 54, 66, 43, 55, 67, 44, 9, 21, 33, 10, 22, 34, 11, 45, 57, 69, 46, 58, 70, 47]
    np.testing.assert_array_equal(_run(y).ravel(), want)


def test_space_to_batch_1d_and_round_trip():
    x = np.arange(18, dtype=np.float32).reshape(2, 3, 3)
    y = fg.space_to_batch_nd(x, [3], [[1, 2]])
    want = [0, 0, 0, 6, 7, 8, 0, 0, 0, 15, 16, 17, 0, 1, 2, 0, 0, 0, 9, 10, 11, 0, 0, 0,
            3, 4, 5, 0, 0, 0, 12, 13, 14, 0, 0, 0]  # TF
    back = fg.batch_to_space_nd(y, [3], [[1, 2]])
    got, restored = _run([y, back])
    np.testing.assert_array_equal(got.ravel(), want)
    np.testing.assert_array_equal(restored, x)


def test_space_to_batch_4d_wrappers():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    y = fg.space_to_batch(x, [[0, 0], [0, 0]], block_size=2)
    z = fg.nn.space_to_batch(x, [[0, 0], [0, 0]], block_shape=2)
    back = fg.batch_to_space(y, [[0, 0], [0, 0]], 2)
    got, got2, restored = _run([y, z, back])
    # out batch (o_h * 2 + o_w) holds x[0, o_h::2, o_w::2].
    want = np.stack([x[0, oh::2, ow::2] for oh in range(2) for ow in range(2)])
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got2, want)
    np.testing.assert_array_equal(restored, x)
    with pytest.raises(ValueError, match="both"):
        fg.space_to_batch(x, [[0, 0], [0, 0]], block_size=2, block_shape=2)


def test_space_to_batch_errors():
    x = np.zeros((1, 5, 4, 1), np.float32)
    with pytest.raises(ValueError, match="not divisible"):
        fg.space_to_batch_nd(x, [2, 2], [[0, 0], [0, 0]])
    p = fg.placeholder(fg.int32, [2, 2])
    y = fg.space_to_batch_nd(x, [2, 2], p)
    with pytest.raises(fg.errors.InvalidArgumentError, match="not divisible"):
        _run(y, {p: [[0, 0], [0, 0]]})
    with pytest.raises(fg.errors.InvalidArgumentError, match="non-negative"):
        _run(y, {p: [[-1, 0], [0, 0]]})
    with pytest.raises(ValueError, match="not divisible"):
        fg.batch_to_space_nd(np.zeros((3, 2, 2, 1), np.float32), [2, 2], [[0, 0], [0, 0]])


def test_space_to_batch_gradients():
    rng = np.random.default_rng(0)
    x = fg.placeholder(fg.float64, [2, 3, 4, 2])
    y = fg.space_to_batch_nd(x, [2, 2], [[1, 0], [0, 2]])
    z = fg.batch_to_space_nd(y * y, [2, 2], [[1, 0], [0, 2]])
    with fg.Session():
        err = fg.test.compute_gradient_error(x, [2, 3, 4, 2], z, [2, 3, 4, 2],
                                             x_init_value=rng.normal(size=(2, 3, 4, 2)))
    assert err < 1e-6


def test_required_space_to_batch_paddings():
    p, c = fg.required_space_to_batch_paddings([5, 7], [2, 3], [[1, 1], [0, 2]])
    np.testing.assert_array_equal(_run(p), [[1, 2], [0, 2]])  # TF
    np.testing.assert_array_equal(_run(c), [[0, 1], [0, 0]])  # TF
    shape = fg.placeholder(fg.int32, [2])
    p2, c2 = fg.required_space_to_batch_paddings(shape, [4, 3])
    got_p, got_c = _run([p2, c2], {shape: [6, 9]})
    np.testing.assert_array_equal(got_p, [[0, 2], [0, 0]])
    np.testing.assert_array_equal(got_c, [[0, 2], [0, 0]])


# ------------------------------------------------------------------ morphology
def _morph_inputs():
    rng = np.random.RandomState(0)
    x = np.round(rng.uniform(-2, 2, (1, 5, 6, 2)), 2).astype(np.float32)
    k = np.round(rng.uniform(-1, 1, (2, 3, 2)), 2).astype(np.float32)
    return x, k


def test_dilation_erosion_match_tf():
    x, k = _morph_inputs()
    xt, kt = fg.constant(x), fg.constant(k)
    d = fg.nn.dilation2d(xt, kt, [1, 1, 2, 1], [1, 2, 1, 1], "VALID")
    e = fg.nn.erosion2d(xt, kt, [1, 1, 2, 1], [1, 2, 1, 1], "VALID")
    dy = fg.constant(np.arange(1, 13, dtype=np.float32).reshape(1, 3, 2, 2))
    gx, gk = fg.gradients(d, [xt, kt], grad_ys=dy)
    ex, ek = fg.gradients(e, [xt, kt])
    got = _run([d, e, gk, ek, gx])
    np.testing.assert_allclose(got[0].ravel(), [1.04, 0.97, 1.24, 0.85, 2.45, 1.07, 1.62, 0.94,
                                                2.90, 1.06, 2.59, 0.38], atol=1e-6)
    np.testing.assert_allclose(got[1].ravel(), [-1.74, 0.44, -1.26, -0.08, -2.56, -0.84, -2.87,
                                                -1.04, -2.48, -0.81, -1.62, -1.33], atol=1e-6)
    np.testing.assert_array_equal(got[2].ravel(), [0, 0, 0, 26, 3, 14, 11, 0, 5, 2, 17, 0])
    np.testing.assert_array_equal(got[3].ravel(), [0, -2, -1, -1, 0, -2, -1, 0, -1, -1, -3, 0])
    assert got[4].sum() == 78.0  # every out_backprop value lands on one input cell
    assert e.op.name == "erosion2d/Neg_1" and d.op.type == "Dilation2D"


def test_dilation_same_filter_gradient_matches_tf():
    x, k = _morph_inputs()
    xt, kt = fg.constant(x), fg.constant(k)
    d = fg.nn.dilation2d(xt, kt, [1, 2, 1, 1], [1, 1, 2, 1], "SAME")
    assert d.shape.as_list() == [1, 3, 6, 2]
    dy = fg.constant(np.arange(1, 37, dtype=np.float32).reshape(1, 3, 6, 2))
    gk = fg.gradients(d, kt, grad_ys=dy)[0]
    np.testing.assert_array_equal(_run(gk).ravel(),
                                  [64, 88, 91, 154, 25, 30, 53, 10, 66, 22, 25, 38])  # TF


def test_dilation_argument_errors():
    x = np.zeros((1, 4, 4, 2), np.float32)
    with pytest.raises(ValueError, match="depth"):
        fg.nn.dilation2d(x, np.zeros((2, 2, 3), np.float32), [1, 1, 1, 1], [1, 1, 1, 1],
                         "SAME")
    with pytest.raises(ValueError, match="batch and depth"):
        fg.nn.dilation2d(x, np.zeros((2, 2, 2), np.float32), [2, 1, 1, 1], [1, 1, 1, 1],
                         "SAME")
    with pytest.raises(ValueError, match="both"):
        fg.nn.dilation2d(x, np.zeros((2, 2, 2), np.float32), [1, 1, 1, 1], [1, 1, 1, 1],
                         "SAME", filters=np.zeros((2, 2, 2), np.float32))


def test_erosion_gradient_finite_differences():
    rng = np.random.default_rng(3)
    x = fg.placeholder(fg.float64, [1, 4, 5, 2])
    k = fg.placeholder(fg.float64, [2, 2, 2])
    e = fg.nn.erosion2d(x, k, [1, 1, 1, 1], [1, 1, 2, 1], "SAME")
    with fg.Session():
        err = fg.test.compute_gradient_error(
            [x, k], [[1, 4, 5, 2], [2, 2, 2]], e, [1, 4, 5, 2],
            x_init_value=[rng.uniform(-1, 1, (1, 4, 5, 2)), rng.uniform(-1, 1, (2, 2, 2))],
            delta=1e-6)
    assert err < 1e-5


# ------------------------------------------------------------------ fractional pooling
@pytest.mark.parametrize("pseudo", [False, True])
def test_fractional_sequences_properties(pseudo):
    x = np.zeros((1, 100, 23, 1), np.float32)
    out, rows, cols = fg.nn.fractional_max_pool(x, [1.0, 1.7, 1.44, 1.0],
                                                pseudo_random=pseudo)
    assert out.shape.as_list() == [1, 58, 15, 1]
    assert rows.shape.as_list() == [59] and rows.dtype == fg.int64
    with fg.Session() as sess:
        draws = [sess.run([rows, cols]) for _ in range(4)]
    for r, c in draws:
        for seq, size, n in ((r, 100, 58), (c, 23, 15)):
            assert seq[0] == 0 and seq[-1] == size and len(seq) == n + 1
            assert set(np.diff(seq).tolist()) <= {size // n, size // n + 1}
    # Not deterministic: new regions in each run.
    assert any(not np.array_equal(draws[0][0], d[0]) for d in draws[1:])


def test_fractional_deterministic_and_errors():
    x = np.arange(70, dtype=np.float32).reshape(1, 7, 10, 1)
    _, rows, cols = fg.nn.fractional_avg_pool(x, [1.0, 1.5, 2.3, 1.0], deterministic=True,
                                              seed=1, seed2=2)
    with fg.Session() as sess:
        first = sess.run([rows, cols])
        second = sess.run([rows, cols])
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    bad = fg.nn.fractional_max_pool(x, [1.0, 1.5, 2.3, 1.0], seed=3)[0]
    with pytest.raises(fg.errors.InvalidArgumentError, match="seed2 should be 0"):
        _run(bad)
    too_big = fg.nn.fractional_max_pool(x, [1.0, 8.0, 2.3, 1.0])
    assert too_big[0].shape.as_list() == [1, 0, 4, 1]  # as TF
    with pytest.raises(fg.errors.InvalidArgumentError, match="Pooling ratio is higher"):
        _run(too_big[0])
    with pytest.raises(fg.errors.UnimplementedError):
        _run(fg.nn.fractional_max_pool(x, [2.0, 1.5, 2.3, 1.0])[0])
    with pytest.raises(ValueError, match="smaller than 1"):
        fg.nn.fractional_max_pool(x, [1.0, 0.5, 2.3, 1.0])


@pytest.mark.parametrize("fn", [fg.nn.fractional_max_pool, fg.nn.fractional_avg_pool])
def test_fractional_gradients(fn):
    rng = np.random.default_rng(5)
    x = fg.placeholder(fg.float64, [2, 6, 5, 2])
    y = fn(x, [1.0, 1.5, 1.3, 1.0], overlapping=True, deterministic=True, seed=4, seed2=1)[0]
    with fg.Session():
        err = fg.test.compute_gradient_error(x, [2, 6, 5, 2], y, y.shape.as_list(),
                                             x_init_value=rng.uniform(-1, 1, (2, 6, 5, 2)),
                                             delta=1e-6)
    assert err < 1e-5


# ------------------------------------------------------------------ convolutions, losses
def _conv_inputs():
    rng = np.random.RandomState(1)
    x = np.round(rng.uniform(-1, 1, (2, 5, 7, 2)), 2).astype(np.float32)
    w = np.round(rng.uniform(-1, 1, (3, 2, 2, 3)), 2).astype(np.float32)
    wt = np.round(rng.uniform(-1, 1, (3, 2, 3, 2)), 2).astype(np.float32)
    v = np.round(rng.uniform(-1, 1, (2, 5, 7, 2)), 2).astype(np.float32)
    return x, w, wt, v


def test_with_space_to_batch_matches_tf_and_dilated_conv():
    x, w, _, _ = _conv_inputs()

    def op(inp, n, pad):
        assert n == 2
        return fg.nn.convolution(inp, w, pad)
    same = fg.nn.with_space_to_batch(x, [2, 3], "SAME", op, filter_shape=[3, 2])
    valid = fg.nn.with_space_to_batch(x, [2, 2], "VALID", op)
    dilated = fg.nn.convolution(x, w, "SAME", dilation_rate=[2, 3])
    got_same, got_valid, want = _run([same, valid, dilated])
    assert got_same.shape == (2, 5, 7, 3) and got_valid.shape == (2, 1, 5, 3)
    np.testing.assert_allclose(got_same.ravel()[:4], [-1.0164, 0.2219, 0.0095, -0.0165],
                               atol=1e-4)  # TF
    np.testing.assert_allclose(got_valid.ravel()[:4], [2.2315, -0.3931, -1.4661, 0.772],
                               atol=1e-4)  # TF
    np.testing.assert_allclose(got_same, want, atol=1e-5)
    with pytest.raises(ValueError, match="filter_shape"):
        fg.nn.with_space_to_batch(x, [2, 2], "SAME", op)


def test_atrous_conv2d_transpose_and_conv_transpose_match_tf():
    _, _, wt, v = _conv_inputs()
    same = fg.nn.atrous_conv2d_transpose(v, wt, [2, 5, 7, 3], 2, "SAME")
    valid = fg.nn.atrous_conv2d_transpose(v, wt, [2, 9, 9, 3], 2, "VALID")
    t2 = fg.nn.conv_transpose(v, wt, [2, 10, 14, 3], [1, 2, 2, 1])
    t1 = fg.nn.conv_transpose(v[:, 0], wt[0], [2, 14, 3], 2, padding="VALID")
    got = _run([same, valid, t2, t1])
    np.testing.assert_allclose(got[0].ravel()[:4], [0.3225, 0.359, 0.0693, -1.2432], atol=1e-4)
    np.testing.assert_allclose(got[0].sum(), 4.6654, atol=1e-3)
    np.testing.assert_allclose(got[1].ravel()[:4], [0.1315, 0.7605, 0.266, -0.2529], atol=1e-4)
    np.testing.assert_allclose(got[1].sum(), 24.6649, atol=1e-3)
    np.testing.assert_allclose(got[2].sum(), 10.6396, atol=1e-3)
    np.testing.assert_allclose(got[3].sum(), 1.3153, atol=1e-3)
    with pytest.raises(ValueError, match="length 3, 4 or 5"):
        fg.nn.conv_transpose(v, wt, [2, 10], [1, 2, 2, 1])


def test_atrous_conv2d_transpose_is_the_gradient_of_atrous_conv2d():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 6, 7, 2))
    w = rng.normal(size=(3, 3, 2, 3))
    dy = rng.normal(size=(1, 6, 7, 3))
    xt = fg.constant(x)
    y = fg.nn.atrous_conv2d(xt, fg.constant(w), 2, "SAME")
    grad = fg.gradients(y, xt, grad_ys=fg.constant(dy))[0]
    t = fg.nn.atrous_conv2d_transpose(dy, w, [1, 6, 7, 2], 2, "SAME")
    got, want = _run([t, grad])
    np.testing.assert_allclose(got, want, atol=1e-10)


def test_depthwise_backprop_aliases():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1, 4, 4, 2))
    w = rng.normal(size=(2, 2, 2, 2))
    dy = rng.normal(size=(1, 4, 4, 4))
    xt, wt = fg.constant(x), fg.constant(w)
    y = fg.nn.depthwise_conv2d(xt, wt, [1, 1, 1, 1], "SAME")
    gx, gw = fg.gradients(y, [xt, wt], grad_ys=fg.constant(dy))
    bi = fg.nn.depthwise_conv2d_backprop_input([1, 4, 4, 2], w, dy, [1, 1, 1, 1], "SAME")
    bf = fg.nn.depthwise_conv2d_backprop_filter(x, [2, 2, 2, 2], dy, [1, 1, 1, 1], "SAME")
    got = _run([bi, gx, bf, gw])
    np.testing.assert_allclose(got[0], got[1], atol=1e-12)
    np.testing.assert_allclose(got[2], got[3], atol=1e-12)
    # An independent check of one filter tap: out channel c*2+q at tap (0, 0).
    pad = np.pad(x, [(0, 0), (0, 1), (0, 1), (0, 0)])
    tap = (pad[0, :4, :4, 1] * dy[0, :, :, 3]).sum()
    np.testing.assert_allclose(got[2][0, 0, 1, 1], tap, atol=1e-12)


def test_compute_average_loss_and_scale_regularization_loss():
    got = _run([
        fg.nn.compute_average_loss([1.0, 2.0, 4.0]),
        fg.nn.compute_average_loss([[1.0, 2.0], [3.0, 4.0]], sample_weight=[2.0, 0.5],
                                   global_batch_size=4),
        fg.nn.compute_average_loss(np.array([1.0, 2.0]), sample_weight=[[2.0], [1.0]]),
        fg.nn.scale_regularization_loss([1.0, 2.5]),
    ])
    np.testing.assert_allclose(got, [7.0 / 3, 2.375, 2.0, 3.5], rtol=1e-6)  # TF
    with pytest.raises(ValueError, match="at least rank 1"):
        fg.nn.compute_average_loss(3.0)
    with pytest.raises(ValueError, match="non-negative integer"):
        fg.nn.compute_average_loss([1.0], global_batch_size=-2)
