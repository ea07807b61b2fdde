"""fg.layers convolution and pooling layers: variable names and shapes, output shapes,
values against numpy references."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.layers as layers


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(fetches, feed_dict)


def np_conv2d_valid(x, w, stride=1):
    """Cross-correlation of NHWC `x` with HWIO `w`, VALID padding."""
    kh, kw = w.shape[:2]
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, w.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out


RNG = np.random.default_rng(0)


def test_conv2d_variables_shapes_and_names():
    x = fg.placeholder(fg.float32, [None, 28, 28, 1])
    y = layers.conv2d(x, 16, 5, padding="same", activation=fg.nn.relu)
    assert y.op.name == "conv2d/Relu" and y.shape.as_list() == [None, 28, 28, 16]
    assert [(v.op.name, v.shape.as_list()) for v in fg.global_variables()] == [
        ("conv2d/kernel", [5, 5, 1, 16]), ("conv2d/bias", [16])]
    z = layers.conv2d(y, 8, (3, 2), strides=(2, 1))
    assert z.shape.as_list() == [None, 13, 27, 8]
    assert fg.global_variables()[2].op.name == "conv2d_1/kernel"


def test_conv2d_values_match_numpy():
    xv = RNG.standard_normal((2, 7, 6, 3)).astype(np.float32)
    layer = layers.Conv2D(4, 3, strides=2, bias_initializer=fg.constant_initializer(0.25))
    y = layer(fg.constant(xv))
    out, kernel = run([y, layer.kernel])
    np.testing.assert_allclose(out, np_conv2d_valid(xv, kernel, 2) + 0.25, rtol=1e-4,
                               atol=1e-5)


def test_conv2d_same_padding_equals_valid_on_zero_padded_input():
    xv = RNG.standard_normal((1, 5, 5, 2)).astype(np.float32)
    layer = layers.Conv2D(3, 3, padding="same", use_bias=False)
    out, kernel = run([layer(fg.constant(xv)), layer.kernel])
    padded = np.pad(xv, [(0, 0), (1, 1), (1, 1), (0, 0)])
    np.testing.assert_allclose(out, np_conv2d_valid(padded, kernel), rtol=1e-4, atol=1e-5)


def test_conv2d_channels_first_matches_channels_last():
    xv = RNG.standard_normal((2, 6, 6, 3)).astype(np.float32)
    init = fg.constant_initializer(RNG.standard_normal((3, 3, 3, 4)).astype(np.float32))
    last = layers.conv2d(fg.constant(xv), 4, 3, kernel_initializer=init,
                         bias_initializer=fg.constant_initializer(0.5))
    first = layers.conv2d(fg.constant(xv.transpose(0, 3, 1, 2)), 4, 3,
                          data_format="channels_first", kernel_initializer=init,
                          bias_initializer=fg.constant_initializer(0.5))
    assert first.shape.as_list() == [2, 4, 4, 4]
    a, b = run([last, first])
    np.testing.assert_allclose(a, b.transpose(0, 2, 3, 1), rtol=1e-4, atol=1e-5)


def test_conv1d_causal_padding_looks_only_backwards():
    xv = np.zeros((1, 6, 1), np.float32)
    xv[0, 3, 0] = 1.0
    y = layers.conv1d(fg.constant(xv), 1, 3, padding="causal", use_bias=False,
                      kernel_initializer=fg.constant_initializer([1.0, 2.0, 3.0]))
    assert y.shape.as_list() == [1, 6, 1]
    # out[t] = 1*x[t-2] + 2*x[t-1] + 3*x[t]: the impulse at t=3 shows at t = 3, 4, 5 only.
    np.testing.assert_allclose(run(y)[0, :, 0], [0, 0, 0, 3, 2, 1])
    assert fg.global_variables()[0].shape.as_list() == [3, 1, 1]


def test_conv1d_valid_strided_shape():
    y = layers.conv1d(fg.placeholder(fg.float32, [None, 10, 3]), 4, 3, strides=2)
    assert y.shape.as_list() == [None, 4, 4]


def test_conv2d_rejects_wrong_rank_and_unknown_channels():
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        layers.conv2d(fg.placeholder(fg.float32, [None, 5, 5]), 2, 3)
    with pytest.raises(ValueError, match="channel dimension of the inputs should be defined"):
        layers.conv2d(fg.placeholder(fg.float32, [None, 5, 5, None]), 2, 3)
    with pytest.raises(ValueError, match="`kernel_size` argument must be a tuple of 2"):
        layers.Conv2D(2, (3, 3, 3))


def test_conv2d_transpose_shapes_and_adjoint_of_conv2d():
    x = fg.placeholder(fg.float32, [None, 7, 7, 16])
    same = layers.conv2d_transpose(x, 8, 3, strides=2, padding="same")
    valid = layers.conv2d_transpose(x, 8, 3, strides=2)
    assert same.shape.as_list() == [None, 14, 14, 8]
    assert valid.shape.as_list() == [None, 15, 15, 8]
    assert fg.global_variables()[0].shape.as_list() == [3, 3, 8, 16]
    # <conv_transpose(y), x> == <y, conv(x)> with the same kernel (it is conv's adjoint).
    w = RNG.standard_normal((3, 3, 2, 3)).astype(np.float32)
    yv = RNG.standard_normal((1, 3, 3, 3)).astype(np.float32)
    t = layers.conv2d_transpose(fg.constant(yv), 2, 3, use_bias=False,
                                kernel_initializer=fg.constant_initializer(w))
    xv = RNG.standard_normal((1, 5, 5, 2)).astype(np.float32)
    out = run(t)
    assert out.shape == (1, 5, 5, 2)
    np.testing.assert_allclose((out * xv).sum(), (yv * np_conv2d_valid(xv, w)).sum(),
                               rtol=1e-4)


def test_conv2d_transpose_with_unknown_spatial_size():
    x = fg.placeholder(fg.float32, [None, None, None, 4])
    y = layers.conv2d_transpose(x, 2, 3, strides=2, padding="same")
    assert y.shape.as_list() == [None, None, None, 2]
    assert run(y, {x: np.ones((2, 3, 5, 4))}).shape == (2, 6, 10, 2)


def test_separable_conv2d_variables_and_values():
    xv = RNG.standard_normal((2, 6, 6, 3)).astype(np.float32)
    layer = layers.SeparableConv2D(5, 3, depth_multiplier=2)
    y = layer(fg.constant(xv))
    assert [(v.op.name, v.shape.as_list()) for v in layer.variables] == [
        ("separable_conv2d/depthwise_kernel", [3, 3, 3, 2]),
        ("separable_conv2d/pointwise_kernel", [1, 1, 6, 5]),
        ("separable_conv2d/bias", [5])]
    out, dw, pw = run([y, layer.depthwise_kernel, layer.pointwise_kernel])
    depthwise = np.concatenate([np_conv2d_valid(xv[..., c:c + 1], dw[:, :, c:c + 1, :])
                                for c in range(3)], axis=-1)
    np.testing.assert_allclose(out, depthwise @ pw[0, 0], rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- pooling
def test_max_and_average_pooling2d_values():
    xv = np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2)
    mx = layers.max_pooling2d(fg.constant(xv), 2, 2)
    av = layers.average_pooling2d(fg.constant(xv), 2, 2)
    assert mx.op.name == "max_pooling2d/MaxPool" and av.op.name == "average_pooling2d/AvgPool"
    blocks = xv.reshape(1, 2, 2, 2, 2, 2).transpose(0, 1, 3, 5, 2, 4).reshape(1, 2, 2, 2, 4)
    got_max, got_avg = run([mx, av])
    np.testing.assert_array_equal(got_max, blocks.max(-1))
    np.testing.assert_allclose(got_avg, blocks.mean(-1))


def test_average_pooling_same_divides_by_real_cells():
    xv = np.ones((1, 3, 3, 1), np.float32)
    xv[0, 2, 2, 0] = 4.0
    y = layers.average_pooling2d(fg.constant(xv), 2, 2, padding="same")
    assert y.shape.as_list() == [1, 2, 2, 1]
    np.testing.assert_allclose(run(y)[0, :, :, 0], [[1.0, 1.0], [1.0, 4.0]])


def test_pooling1d_values_and_channels_first():
    xv = np.array([[[1.0], [5.0], [2.0], [0.0], [7.0]]], np.float32)  # [1, 5, 1]
    mx = layers.max_pooling1d(fg.constant(xv), 2, 2)
    av = layers.average_pooling1d(fg.constant(xv), 3, 1)
    first = layers.MaxPooling1D(2, 2, data_format="channels_first")(
        fg.constant(xv.transpose(0, 2, 1)))
    assert mx.shape.as_list() == [1, 2, 1] and av.shape.as_list() == [1, 3, 1]
    got_max, got_avg, got_first = run([mx, av, first])
    np.testing.assert_array_equal(got_max[0, :, 0], [5.0, 2.0])
    np.testing.assert_allclose(got_avg[0, :, 0], [8 / 3, 7 / 3, 3.0], rtol=1e-6)
    np.testing.assert_array_equal(got_first[0, 0], [5.0, 2.0])


def test_pooling_layers_need_strides_and_valid_padding():
    with pytest.raises(TypeError):
        layers.MaxPooling2D(2)  # noqa - TF1's tf.layers pooling has no default strides
    with pytest.raises(ValueError, match="padding"):
        layers.MaxPooling2D(2, 2, padding="full")
    assert layers.MaxPooling2D(3, 2, padding="same").compute_output_shape(
        [None, 7, 8, 3]).as_list() == [None, 4, 4, 3]


def test_dilated_conv2d_equals_conv_with_a_spread_kernel():
    xv = RNG.standard_normal((1, 7, 7, 2)).astype(np.float32)
    layer = layers.Conv2D(3, 2, dilation_rate=2, use_bias=False)
    y = layer(fg.constant(xv))
    assert y.shape.as_list() == [1, 5, 5, 3]
    out, kernel = run([y, layer.kernel])
    spread = np.zeros((3, 3, 2, 3), np.float32)
    spread[::2, ::2] = kernel
    np.testing.assert_allclose(out, np_conv2d_valid(xv, spread), rtol=1e-4, atol=1e-5)
