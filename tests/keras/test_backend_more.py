"""fg.keras.backend's convolution, pooling, padding, resizing, batch-norm, rnn, loop, CTC and
sparse functions, against numpy references written here and numbers from TensorFlow."""

import itertools

import numpy as np
import pytest

import flowgraph as fg

K = fg.keras.backend


def run(fetches, feed=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed)


@pytest.fixture(autouse=True)
def fresh_graph():
    with fg.Graph().as_default():
        yield


def rand(*shape, seed=0):
    return np.random.RandomState(seed).randn(*shape).astype("float32")


# -- numpy references (channels last)
def np_pads(size, k, s, d, padding):
    eff = (k - 1) * d + 1
    if padding == "valid":
        return 0, (size - eff) // s + 1
    out = -(-size // s)
    total = max((out - 1) * s + eff - size, 0)
    return total // 2, out


def np_conv(x, w, strides, padding, dilation):
    """N-D cross-correlation; x [batch, *spatial, in], w [*k, in, out]."""
    nd = x.ndim - 2
    pads, outs = zip(*[np_pads(x.shape[1 + i], w.shape[i], strides[i], dilation[i], padding)
                       for i in range(nd)])
    y = np.zeros((x.shape[0],) + outs + (w.shape[-1],))
    for pos in itertools.product(*[range(o) for o in outs]):
        for kpos in itertools.product(*[range(k) for k in w.shape[:nd]]):
            src = [pos[i] * strides[i] + kpos[i] * dilation[i] - pads[i] for i in range(nd)]
            if all(0 <= src[i] < x.shape[1 + i] for i in range(nd)):
                patch = x[(slice(None),) + tuple(src)]
                y[(slice(None),) + pos] += patch @ w[kpos]
    return y


def np_pool(x, size, strides, padding, mode):
    nd = x.ndim - 2
    pads, outs = zip(*[np_pads(x.shape[1 + i], size[i], strides[i], 1, padding)
                       for i in range(nd)])
    y = np.zeros((x.shape[0],) + outs + (x.shape[-1],))
    for pos in itertools.product(*[range(o) for o in outs]):
        index = [slice(None)]
        for i in range(nd):
            lo = pos[i] * strides[i] - pads[i]
            index.append(slice(max(lo, 0), min(lo + size[i], x.shape[1 + i])))
        window = x[tuple(index)].reshape(x.shape[0], -1, x.shape[-1])
        y[(slice(None),) + pos] = window.max(1) if mode == "max" else window.mean(1)
    return y


def to_first(x):
    return np.moveaxis(x, -1, 1)


def to_last(x):
    return np.moveaxis(x, 1, -1)


# -- convolutions
def test_conv1d_valid_causal_and_channels_first():
    x, k = rand(2, 7, 3), rand(3, 3, 4, seed=1)
    out = run([K.conv1d(x, k), K.conv1d(x, k, padding="causal", dilation_rate=2),
               K.conv1d(to_first(x), k, strides=2, padding="same",
                        data_format="channels_first")])
    np.testing.assert_allclose(out[0], np_conv(x, k, (1,), "valid", (1,)), atol=1e-5)
    causal = np.pad(x, [(0, 0), (4, 0), (0, 0)])
    np.testing.assert_allclose(out[1], np_conv(causal, k, (1,), "valid", (2,)), atol=1e-5)
    assert out[1].shape == (2, 7, 4)
    np.testing.assert_allclose(out[2], to_first(np_conv(x, k, (2,), "same", (1,))), atol=1e-5)
    assert out[2].shape == (2, 4, 4)


def test_conv2d_strides_dilation_and_channels_first():
    x, k = rand(2, 6, 5, 3), rand(3, 2, 3, 4, seed=1)
    same = K.conv2d(x, k, strides=(2, 2), padding="same")
    dil = K.conv2d(to_first(x), k, data_format="channels_first", dilation_rate=(2, 2))
    assert K.int_shape(same) == (2, 3, 3, 4)
    assert K.int_shape(dil) == (2, 4, 2, 3)
    out = run([same, dil])
    np.testing.assert_allclose(out[0], np_conv(x, k, (2, 2), "same", (1, 1)), atol=1e-5)
    np.testing.assert_allclose(out[1], to_first(np_conv(x, k, (1, 1), "valid", (2, 2))),
                               atol=1e-5)


def np_conv_transpose(x, w, strides, padding, out_hw):
    """Scatter each input pixel through the kernel (w [kh, kw, out, in])."""
    n, h, wd, _ = x.shape
    kh, kw = w.shape[:2]
    full = np.zeros((n, (h - 1) * strides[0] + kh, (wd - 1) * strides[1] + kw, w.shape[2]))
    for i, j in itertools.product(range(h), range(wd)):
        for a, b in itertools.product(range(kh), range(kw)):
            full[:, i * strides[0] + a, j * strides[1] + b] += x[:, i, j] @ w[a, b].T
    tops = [0, 0]
    if padding == "same":
        tops = [max((h - 1) * strides[0] + kh - out_hw[0], 0) // 2,
                max((wd - 1) * strides[1] + kw - out_hw[1], 0) // 2]
    return full[:, tops[0]:tops[0] + out_hw[0], tops[1]:tops[1] + out_hw[1]]


def test_conv2d_transpose():
    x, k = rand(2, 6, 5, 3), rand(3, 3, 4, 3, seed=1)
    y = K.conv2d_transpose(x, k, (2, 12, 10, 4), strides=(2, 2), padding="same")
    y_cf = K.conv2d_transpose(to_first(x), k, (2, 4, 8, 7), padding="valid",
                              data_format="channels_first")
    out = run([y, y_cf])
    np.testing.assert_allclose(out[0], np_conv_transpose(x, k, (2, 2), "same", (12, 10)),
                               atol=1e-5)
    np.testing.assert_allclose(out[1], to_first(np_conv_transpose(x, k, (1, 1), "valid",
                                                                  (8, 7))), atol=1e-5)


def test_conv3d():
    x, k = rand(2, 4, 5, 4, 2), rand(2, 3, 2, 2, 3, seed=1)
    y = K.conv3d(x, k, padding="same", strides=(1, 2, 1))
    y_cf = K.conv3d(to_first(x), k, data_format="channels_first")
    out = run([y, y_cf])
    np.testing.assert_allclose(out[0], np_conv(x, k, (1, 2, 1), "same", (1, 1, 1)), atol=1e-5)
    np.testing.assert_allclose(out[1], to_first(np_conv(x, k, (1, 1, 1), "valid", (1, 1, 1))),
                               atol=1e-5)


def np_depthwise(x, w, strides, padding, dilation):
    chans = [np_conv(x[..., c:c + 1], w[:, :, c:c + 1, :], strides, padding, dilation)
             for c in range(x.shape[-1])]
    return np.concatenate(chans, axis=-1)  # channel c, multiplier m -> c * M + m


def test_depthwise_and_separable_conv2d():
    x, dk, pk = rand(2, 6, 5, 3), rand(3, 3, 3, 2, seed=1), rand(1, 1, 6, 4, seed=2)
    out = run([K.depthwise_conv2d(x, dk, padding="same"),
               K.depthwise_conv2d(to_first(x), dk, strides=(2, 2),
                                  data_format="channels_first"),
               K.separable_conv2d(x, dk, pk, padding="same", dilation_rate=(2, 2))])
    np.testing.assert_allclose(out[0], np_depthwise(x, dk, (1, 1), "same", (1, 1)), atol=1e-5)
    np.testing.assert_allclose(out[1], to_first(np_depthwise(x, dk, (2, 2), "valid", (1, 1))),
                               atol=1e-5)
    sep = np_depthwise(x, dk, (1, 1), "same", (2, 2)) @ pk[0, 0]
    np.testing.assert_allclose(out[2], sep, atol=1e-5)


def test_conv_rejects_unknown_padding_and_data_format():
    x, k = rand(1, 4, 4, 1), rand(2, 2, 1, 1)
    with pytest.raises(ValueError, match="padding"):
        K.conv2d(x, k, padding="full")
    with pytest.raises(ValueError, match="data_format"):
        K.conv2d(x, k, data_format="NHWC")


def test_default_data_format_follows_image_data_format():
    x, k = rand(1, 2, 5, 4), rand(3, 3, 2, 1, seed=1)
    K.set_image_data_format("channels_first")
    try:
        y = K.conv2d(x, k)
    finally:
        K.set_image_data_format("channels_last")
    assert K.int_shape(y) == (1, 1, 3, 2)
    np.testing.assert_allclose(run(y), to_first(np_conv(to_last(x), k, (1, 1), "valid",
                                                        (1, 1))), atol=1e-5)


# -- pooling
def test_pool2d_and_pool3d():
    x2, x3 = rand(2, 6, 5, 3), rand(2, 4, 5, 4, 2)
    out = run([K.pool2d(x2, (2, 2), strides=(2, 2), padding="same"),
               K.pool2d(to_first(x2), (3, 2), data_format="channels_first", pool_mode="avg"),
               K.pool3d(x3, (2, 2, 2), strides=(2, 2, 2), pool_mode="avg", padding="same"),
               K.pool3d(to_first(x3), (2, 3, 2), data_format="channels_first")])
    np.testing.assert_allclose(out[0], np_pool(x2, (2, 2), (2, 2), "same", "max"), atol=1e-6)
    np.testing.assert_allclose(out[1], to_first(np_pool(x2, (3, 2), (1, 1), "valid", "avg")),
                               atol=1e-6)
    np.testing.assert_allclose(out[2], np_pool(x3, (2, 2, 2), (2, 2, 2), "same", "avg"),
                               atol=1e-6)
    np.testing.assert_allclose(out[3], to_first(np_pool(x3, (2, 3, 2), (1, 1, 1), "valid",
                                                        "max")), atol=1e-6)
    with pytest.raises(ValueError, match="Invalid pooling mode: sum"):
        K.pool2d(x2, (2, 2), pool_mode="sum")


# -- locally connected
def test_local_conv1d_and_local_conv2d():
    x1, k1 = rand(2, 7, 3), rand(3, 2 * 3, 4, seed=1)
    x2, k2 = rand(2, 6, 5, 3), rand(4, 3 * 2 * 3, 4, seed=2)
    out = run([K.local_conv1d(x1, k1, (2,), (2,)),
               K.local_conv2d(x2, k2, (3, 2), (2, 2), (2, 2)),
               K.local_conv2d(to_first(x2), k2, (3, 2), (2, 2), (2, 2),
                              data_format="channels_first")])
    ref1 = np.stack([x1[:, 2 * t:2 * t + 2].reshape(2, -1) @ k1[t] for t in range(3)], 1)
    np.testing.assert_allclose(out[0], ref1, atol=1e-5)
    ref2 = np.zeros((2, 2, 2, 4))
    ref2_cf = np.zeros((2, 4, 2, 2))
    for r, c in itertools.product(range(2), range(2)):
        patch = x2[:, 2 * r:2 * r + 3, 2 * c:2 * c + 2]
        ref2[:, r, c] = patch.reshape(2, -1) @ k2[r * 2 + c]
        # channels_first flattens each patch channel-major
        ref2_cf[:, :, r, c] = to_first(patch).reshape(2, -1) @ k2[r * 2 + c]
    np.testing.assert_allclose(out[1], ref2, atol=1e-5)
    np.testing.assert_allclose(out[2], ref2_cf, atol=1e-5)


# -- resizing and padding
def np_bilinear_tf1(x, out_h, out_w):
    """TF1 resize_bilinear (align_corners=False, no half-pixel centers)."""
    n, h, w, c = x.shape
    y = np.zeros((n, out_h, out_w, c))
    for i, j in itertools.product(range(out_h), range(out_w)):
        sy, sx = i * h / out_h, j * w / out_w
        y0, x0 = int(np.floor(sy)), int(np.floor(sx))
        y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
        dy, dx = sy - y0, sx - x0
        top = x[:, y0, x0] * (1 - dx) + x[:, y0, x1] * dx
        bottom = x[:, y1, x0] * (1 - dx) + x[:, y1, x1] * dx
        y[:, i, j] = top * (1 - dy) + bottom * dy
    return y


def test_resize_images_and_volumes():
    x, v = rand(2, 3, 4, 2), rand(1, 2, 3, 2, 2)
    near = K.resize_images(x, 2, 3, "channels_last")
    bil = K.resize_images(to_first(x), 2, 2, "channels_first", interpolation="bilinear")
    vol = K.resize_volumes(v, 2, 1, 2, "channels_last")
    assert K.int_shape(near) == (2, 6, 12, 2)
    assert K.int_shape(bil) == (2, 2, 6, 8)
    out = run([near, bil, vol])
    np.testing.assert_array_equal(out[0], x.repeat(2, 1).repeat(3, 2))
    np.testing.assert_allclose(out[1], to_first(np_bilinear_tf1(x, 6, 8)), atol=1e-5)
    np.testing.assert_array_equal(out[2], v.repeat(2, 1).repeat(2, 3))
    with pytest.raises(ValueError, match="interpolation"):
        K.resize_images(x, 2, 2, "channels_last", interpolation="cubic")
    with pytest.raises(ValueError, match="data_format"):
        K.resize_images(x, 2, 2, None)


def test_paddings():
    x1, x2, x3 = rand(2, 3, 2), rand(1, 2, 3, 2), rand(1, 2, 2, 2, 1)
    out = run([K.temporal_padding(x1, (2, 1)), K.temporal_padding(x1),
               K.spatial_2d_padding(x2, ((1, 0), (2, 3)), data_format="channels_first"),
               K.spatial_2d_padding(x2), K.spatial_3d_padding(x3)])
    np.testing.assert_array_equal(out[0], np.pad(x1, [(0, 0), (2, 1), (0, 0)]))
    np.testing.assert_array_equal(out[1], np.pad(x1, [(0, 0), (1, 1), (0, 0)]))
    np.testing.assert_array_equal(out[2], np.pad(x2, [(0, 0), (0, 0), (1, 0), (2, 3)]))
    np.testing.assert_array_equal(out[3], np.pad(x2, [(0, 0), (1, 1), (1, 1), (0, 0)]))
    np.testing.assert_array_equal(out[4], np.pad(x3, [(0, 0)] + [(1, 1)] * 3 + [(0, 0)]))
    with pytest.raises(ValueError, match="padding"):
        K.spatial_2d_padding(x2, ((1, 1),))


# -- batch normalization
def test_batch_normalization():
    x, x3 = rand(4, 3, 2, 5), rand(4, 3, 5, seed=1)
    g = np.random.RandomState(2).rand(5).astype("float32") + 0.5
    b = rand(5, seed=3)
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    out = run([K.batch_normalization(x, mean, var, b, g, epsilon=0.01),
               K.batch_normalization(x3, b * 0.1, g, b, None)])
    np.testing.assert_allclose(out[0], g * (x - mean) / np.sqrt(var + 0.01) + b, atol=1e-5)
    np.testing.assert_allclose(out[1], (x3 - b * 0.1) / np.sqrt(g + 1e-3) + b, atol=1e-5)


def test_normalize_batch_in_training_regular_and_broadcast():
    x, x3 = rand(4, 3, 2, 5), rand(4, 3, 5, seed=1)
    g = np.random.RandomState(2).rand(5).astype("float32") + 0.5
    b = rand(5, seed=3)
    y3, m3, v3 = run(K.normalize_batch_in_training(x3, g, b, [0, 1]))
    np.testing.assert_allclose(m3, x3.mean((0, 1)), atol=1e-6)
    np.testing.assert_allclose(v3, x3.var((0, 1)), atol=1e-5)
    ref = g * (x3 - x3.mean((0, 1))) / np.sqrt(x3.var((0, 1)) + 1e-3) + b
    np.testing.assert_allclose(y3, ref, atol=1e-5)
    yc, mc, vc = run(K.normalize_batch_in_training(x, None, None, [0, 2, 3]))
    assert mc.shape == (3,) and vc.shape == (3,)
    np.testing.assert_allclose(vc, x.var((0, 2, 3)), atol=1e-5)
    m, v = x.mean((0, 2, 3), keepdims=True), x.var((0, 2, 3), keepdims=True)
    np.testing.assert_allclose(yc, (x - m) / np.sqrt(v + 1e-3), atol=1e-5)


def test_normalize_batch_in_training_fused_matches_tf():
    # TF 1.15 takes the fused path for 4D NHWC: its variance is the unbiased one.
    x = np.random.RandomState(6).randn(3, 2, 2, 2).astype("float32")
    y, m, v = run(K.normalize_batch_in_training(x, [1.5, 0.5], [0.1, -0.2], [0, 1, 2],
                                                epsilon=1e-3))
    np.testing.assert_allclose(m, [0.19173533, 0.23103112], atol=1e-6)
    np.testing.assert_allclose(v, [1.7516261, 0.9184684], atol=1e-5)
    np.testing.assert_allclose(y[0, 0, 0], [-4.9586174e-01, 7.1193948e-02], atol=1e-5)
    np.testing.assert_allclose(y[2, 1, 1], [-1.7321450, -5.7831067e-01], atol=1e-5)


# -- rnn
def np_rnn(x, w, u, c, mask=None, backwards=False, zero_output=False):
    """Reference K.rnn with step tanh(x w + h u + c); masked steps repeat the last output
    (or give zeros) and keep the state."""
    steps = list(range(x.shape[1]))
    if backwards:
        steps.reverse()
    h = np.zeros((x.shape[0], u.shape[0]))
    prev = np.zeros_like(h)
    outs = []
    for t in steps:
        new = np.tanh(x[:, t] @ w + h @ u + c)
        keep = np.ones((x.shape[0], 1), bool) if mask is None else mask[:, t:t + 1]
        out = np.where(keep, new, 0.0 if zero_output else prev)
        h = np.where(keep, new, h)
        prev = np.where(keep, new, prev)
        outs.append(out)
    return outs[-1], np.stack(outs, 1), h


@pytest.fixture
def rnn_data():
    r = np.random.RandomState(4)
    x, w, u, c = r.randn(3, 5, 4), r.randn(4, 2), r.randn(2, 2), r.randn(3, 2)
    mask = np.array([[1, 1, 0, 1, 0], [1, 1, 1, 1, 1], [0, 1, 1, 0, 0]], bool)
    return [a.astype("float32") for a in (x, w, u, c)] + [mask]


def _step(w, u):
    w, u = fg.convert_to_tensor(w), fg.convert_to_tensor(u)

    def step(x, states):
        out = K.tanh(K.dot(x, w) + K.dot(states[0], u) + states[1])
        return out, [out]
    return step


@pytest.mark.parametrize("unroll", [False, True])
@pytest.mark.parametrize("kind", ["plain", "back", "mask", "mask_back", "mask_zero"])
def test_rnn_matches_reference(rnn_data, unroll, kind):
    x, w, u, c, mask = rnn_data
    kwargs = {"back": {"go_backwards": True}, "mask": {"mask": mask},
              "mask_back": {"mask": mask, "go_backwards": True},
              "mask_zero": {"mask": mask, "zero_output_for_mask": True}}.get(kind, {})
    last, outs, states = K.rnn(_step(w, u), x, [fg.zeros((3, 2))], constants=[c],
                               unroll=unroll, **kwargs)
    assert K.int_shape(outs) == (3, 5, 2) and K.int_shape(last) == (3, 2)
    got = run([last, outs, states[0]])
    np_mask = None if "mask" not in kwargs else mask
    ref = np_rnn(x, w, u, c, np_mask, kwargs.get("go_backwards", False),
                 kwargs.get("zero_output_for_mask", False))
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_rnn_input_length_and_time_major(rnn_data):
    x, w, u, c, mask = rnn_data
    lengths = np.array([3, 5, 1], "int32")
    h0 = fg.zeros((3, 2))
    fwd = K.rnn(_step(w, u), x, [h0], constants=[c], input_length=fg.constant(lengths))
    back = K.rnn(_step(w, u), x, [h0], constants=[c], input_length=fg.constant(lengths),
                 go_backwards=True)
    major = K.rnn(_step(w, u), np.transpose(x, (1, 0, 2)), [h0], constants=[c],
                  time_major=True)
    got = run([fwd[0], fwd[1], fwd[2][0], back[1], back[2][0], major[1]])
    steps = np.arange(5)
    fwd_mask = steps[None, :] < lengths[:, None]
    ref = np_rnn(x, w, u, c, fwd_mask)
    np.testing.assert_allclose(got[1], ref[1], atol=1e-5)
    np.testing.assert_allclose(got[2], ref[2], atol=1e-5)
    np.testing.assert_allclose(got[0], ref[1][:, -1], atol=1e-5)
    # backwards: step i (reading time 4 - i) runs when 4 - lengths < i, as TF 1.15
    back_mask = (4 - lengths[:, None] < steps[None, ::-1])
    ref_b = np_rnn(x, w, u, c, back_mask, backwards=True)
    np.testing.assert_allclose(got[3], ref_b[1], atol=1e-5)
    np.testing.assert_allclose(got[4], ref_b[2], atol=1e-5)
    np.testing.assert_allclose(got[5], np.transpose(np_rnn(x, w, u, c)[1], (1, 0, 2)),
                               atol=1e-5)


def test_rnn_gradient_flows_through_loop(rnn_data):
    x, w, u, c, _ = rnn_data
    wv = fg.constant(w)
    _, outs, _ = K.rnn(_step(wv, u), x, [fg.zeros((3, 2))], constants=[c])
    grad = run(K.gradients(K.sum(outs), [wv])[0])
    eps, num = 1e-2, np.zeros_like(w)
    for i, j in itertools.product(range(4), range(2)):
        plus, minus = w.astype("float64"), w.astype("float64")
        plus[i, j] += eps
        minus[i, j] -= eps
        num[i, j] = (np_rnn(x, plus, u, c)[1].sum() - np_rnn(x, minus, u, c)[1].sum()) / (2 * eps)
    np.testing.assert_allclose(grad, num, atol=2e-3)


def test_rnn_errors(rnn_data):
    x, w, u, c, _ = rnn_data
    with pytest.raises(ValueError, match="rank at least 3"):
        K.rnn(_step(w, u), x[:, :, 0], [fg.zeros((3, 2))], constants=[c])
    free = fg.placeholder(fg.float32, (3, None, 4))
    with pytest.raises(ValueError, match="fixed number of timesteps"):
        K.rnn(_step(w, u), free, [fg.zeros((3, 2))], constants=[c], unroll=True)


# -- functional loops
def test_map_fn_foldl_foldr():
    x = rand(4, 3, 5)
    v = np.array([1.0, 2.0, 3.0], "float32")
    out = run([K.map_fn(lambda r: K.sum(r * r), x),
               K.foldl(lambda a, r: a * 2 + r, v), K.foldr(lambda a, r: a * 2 + r, v),
               K.foldl(lambda a, r: a + r, x, initializer=fg.zeros((3, 5)))])
    np.testing.assert_allclose(out[0], (x * x).sum((1, 2)), rtol=1e-5)
    assert out[1] == (1 * 2 + 2) * 2 + 3
    assert out[2] == (3 * 2 + 2) * 2 + 1
    np.testing.assert_allclose(out[3], x.sum(0), atol=1e-5)


# -- CTC
@pytest.fixture
def ctc_data():
    yp = np.random.RandomState(5).rand(2, 6, 4).astype("float32")
    yp /= yp.sum(-1, keepdims=True)
    return yp, np.array([[0, 1, 2], [2, 2, 0]], "int32"), np.array([[6], [5]], "int32"), \
        np.array([[3], [2]], "int32")


def test_ctc_label_dense_to_sparse(ctc_data):
    _, labels, _, lengths = ctc_data
    sp = K.ctc_label_dense_to_sparse(labels, lengths[:, 0])
    assert K.is_sparse(sp)
    idx, vals, shape = run([sp.indices, sp.values, sp.dense_shape])
    np.testing.assert_array_equal(idx, [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]])
    assert idx.dtype == np.int64 and shape.dtype == np.int64 and vals.dtype == np.int32
    np.testing.assert_array_equal(vals, [0, 1, 2, 2, 2])
    np.testing.assert_array_equal(shape, [2, 3])


def test_ctc_batch_cost_matches_tf(ctc_data):
    yp, yt, il, ll = ctc_data
    cost = K.ctc_batch_cost(yt, yp, il, ll)
    assert K.int_shape(cost)[1] == 1
    np.testing.assert_allclose(run(cost), [[4.7586603], [5.8975415]], rtol=1e-5)


def test_ctc_decode_matches_tf(ctc_data):
    yp, _, il, _ = ctc_data
    (greedy,), g_lp = K.ctc_decode(yp, il[:, 0])
    beams, b_lp = K.ctc_decode(yp, il[:, 0], greedy=False, beam_width=5, top_paths=2)
    out = run([greedy, g_lp, beams[0], beams[1], b_lp])
    np.testing.assert_array_equal(out[0], [[2, 2, 0], [0, 1, -1]])
    assert out[0].dtype == np.int64
    np.testing.assert_allclose(out[1], [[5.2412405], [3.7556992]], rtol=1e-5)
    np.testing.assert_array_equal(out[2], [[1, 2, 0], [0, 1, -1]])
    np.testing.assert_array_equal(out[3], [[1, 2], [0, 2]])
    np.testing.assert_allclose(out[4], [[-2.8802905, -3.6273396], [-1.7672412, -2.0723667]],
                               rtol=1e-5)


# -- misc
def test_in_top_k():
    preds = np.array([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1]], "float32")
    out = run(K.in_top_k(preds, np.array([2, 2], "int32"), 2))
    np.testing.assert_array_equal(out, [True, False])


def test_print_tensor_passes_value_through(capsys):
    x = fg.constant([1.0, 2.0])
    y = K.print_tensor(x, message="value: ")
    np.testing.assert_array_equal(run(y * 2), [2.0, 4.0])
    captured = capsys.readouterr()
    assert "value: " in captured.out + captured.err


def test_random_binomial():
    draws = K.random_binomial((2000,), p=0.3, seed=3)
    assert K.dtype(draws) == "float32"
    value = run(draws)
    assert set(np.unique(value)) <= {0.0, 1.0}
    assert abs(value.mean() - 0.3) < 0.05
    assert run(K.random_binomial((5,), p=0.0, dtype="float64", seed=1)).sum() == 0.0


def test_to_dense_and_is_sparse():
    sp = fg.SparseTensor([[0, 1], [1, 0]], [3.0, 4.0], [2, 2])
    dense = fg.constant([[1.0]])
    assert K.is_sparse(sp) and not K.is_sparse(dense)
    assert K.to_dense(dense) is dense
    np.testing.assert_array_equal(run(K.to_dense(sp)), [[0.0, 3.0], [4.0, 0.0]])


def test_learning_phase_scope_restores():
    placeholder = K.learning_phase()
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1
        with K.learning_phase_scope(0):
            assert K.learning_phase() == 0
        assert K.learning_phase() == 1
    assert K.learning_phase() is placeholder
    K.set_learning_phase(0)
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1
    assert K.learning_phase() == 0
    with pytest.raises(ValueError, match="0 or 1"):
        with K.learning_phase_scope(2):
            pass
