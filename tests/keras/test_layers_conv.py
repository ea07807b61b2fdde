"""tf.keras.layers (H1): convolution, pooling, padding/cropping/upsampling layers vs numpy
loops; variable names and configs as TF 1.15 / tf_keras (hard-coded)."""

import numpy as np
import pytest

from flowgraph.keras import backend as K
from flowgraph.keras import layers


def run(fetches, feeds):
    return K.get_session().run(fetches, feeds)


def conv2d_valid(x, w, b, stride=1):
    n, h, wd, _ = x.shape
    kh, kw, _, f = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out + b


def pool2d(x, size, stride, fn):
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j, :] = fn(x[:, i * stride:i * stride + size,
                                   j * stride:j * stride + size, :], axis=(1, 2))
    return out


def test_conv_weight_names_and_shapes():
    specs = [(layers.Conv2D(2, 3), (5, 5, 1), ["conv2d/kernel:0", "conv2d/bias:0"],
              [(3, 3, 1, 2), (2,)], [None, 3, 3, 2]),
             (layers.Conv1D(2, 3), (5, 2), ["conv1d/kernel:0", "conv1d/bias:0"],
              [(3, 2, 2), (2,)], [None, 3, 2]),
             (layers.Conv2DTranspose(2, 2), (3, 3, 1),
              ["conv2d_transpose/kernel:0", "conv2d_transpose/bias:0"],
              [(2, 2, 2, 1), (2,)], [None, 4, 4, 2]),
             (layers.SeparableConv2D(2, 2), (3, 3, 2),
              ["separable_conv2d/depthwise_kernel:0", "separable_conv2d/pointwise_kernel:0",
               "separable_conv2d/bias:0"], [(2, 2, 2, 1), (1, 1, 2, 2), (2,)],
              [None, 2, 2, 2]),
             (layers.Conv3D(1, 2), (3, 3, 3, 1), ["conv3d/kernel:0", "conv3d/bias:0"],
              [(2, 2, 2, 1, 1), (1,)], [None, 2, 2, 2, 1])]
    for layer, shape, names, shapes, out_shape in specs:
        y = layer(layers.Input(shape))
        assert [w.name for w in layer.weights] == names
        assert [tuple(w.shape.as_list()) for w in layer.weights] == shapes
        assert y.shape.as_list() == out_shape


def test_conv2d_values_and_config():
    x = layers.Input((6, 5, 2))
    conv = layers.Conv2D(3, (3, 2), strides=2, activation="relu")
    y = conv(x)
    rng = np.random.RandomState(0)
    w = rng.randn(3, 2, 2, 3).astype(np.float32)
    b = rng.randn(3).astype(np.float32)
    conv.set_weights([w, b])
    xv = rng.randn(2, 6, 5, 2).astype(np.float32)
    np.testing.assert_allclose(run(y, {x: xv}), np.maximum(conv2d_valid(xv, w, b, 2), 0),
                               rtol=1e-4, atol=1e-5)
    config = conv.get_config()
    assert config["filters"] == 3 and config["kernel_size"] == (3, 2)
    assert config["strides"] == (2, 2) and config["padding"] == "valid"
    assert config["data_format"] == "channels_last" and config["dilation_rate"] == (1, 1)
    assert config["activation"] == "relu"
    assert conv.compute_output_shape((None, 6, 5, 2)).as_list() == [None, 2, 2, 3]


def test_conv1d_causal_values():
    x = layers.Input((5, 1))
    conv = layers.Conv1D(1, 2, padding="causal", use_bias=False)
    y = conv(x)
    conv.set_weights([np.array([[[1.0]], [[10.0]]], np.float32)])
    xv = np.arange(1, 6, dtype=np.float32).reshape(1, 5, 1)
    # out[t] = 1 * x[t-1] + 10 * x[t], x[-1] = 0
    expected = np.array([10, 21, 32, 43, 54], np.float32).reshape(1, 5, 1)
    np.testing.assert_allclose(run(y, {x: xv}), expected)


def test_conv2d_transpose_values():
    x = layers.Input((2, 2, 1))
    conv = layers.Conv2DTranspose(1, 2, strides=2, use_bias=False)
    y = conv(x)
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32).reshape(2, 2, 1, 1)
    conv.set_weights([kernel])
    xv = np.array([[1.0, 10.0], [100.0, 1000.0]], np.float32).reshape(1, 2, 2, 1)
    expected = np.kron(xv[0, :, :, 0], kernel[:, :, 0, 0])  # stride = kernel: blocks
    np.testing.assert_allclose(run(y, {x: xv})[0, :, :, 0], expected)
    with pytest.raises(ValueError):
        layers.Conv2DTranspose(1, 2, output_padding=1)


def test_pooling_values_and_defaults():
    x = layers.Input((5, 6, 2))
    xv = np.random.RandomState(4).randn(3, 5, 6, 2).astype(np.float32)
    maxp = layers.MaxPooling2D()
    avgp = layers.AvgPool2D(pool_size=3, strides=1)
    outs = [maxp(x), avgp(x), layers.GlobalMaxPooling2D()(x),
            layers.GlobalAvgPool2D()(x)]
    values = run(outs, {x: xv})
    np.testing.assert_allclose(values[0], pool2d(xv, 2, 2, np.max), rtol=1e-6)
    np.testing.assert_allclose(values[1], pool2d(xv, 3, 1, np.mean), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(values[2], xv.max(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(values[3], xv.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    assert outs[0].shape.as_list() == [None, 2, 3, 2]
    assert maxp.get_config() == {"name": "max_pooling2d", "trainable": True,
                                 "dtype": "float32", "pool_size": (2, 2),
                                 "padding": "valid", "strides": (2, 2),
                                 "data_format": "channels_last"}
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D


def test_pooling_1d_and_3d():
    s = layers.Input((7, 2))
    sv = np.random.RandomState(5).randn(2, 7, 2).astype(np.float32)
    m1 = layers.MaxPooling1D()(s)
    a1 = layers.AveragePooling1D(pool_size=3, strides=2)(s)
    g1 = layers.GlobalAveragePooling1D()(s)
    m1v, a1v, g1v = run([m1, a1, g1], {s: sv})
    np.testing.assert_allclose(m1v, np.stack([sv[:, 2 * i:2 * i + 2].max(1)
                                              for i in range(3)], 1), rtol=1e-6)
    np.testing.assert_allclose(a1v, np.stack([sv[:, 2 * i:2 * i + 3].mean(1)
                                              for i in range(3)], 1), rtol=1e-5)
    np.testing.assert_allclose(g1v, sv.mean(1), rtol=1e-5, atol=1e-6)
    v = layers.Input((4, 4, 4, 1))
    vv = np.random.RandomState(6).randn(1, 4, 4, 4, 1).astype(np.float32)
    m3 = layers.MaxPooling3D()(v)
    assert m3.shape.as_list() == [None, 2, 2, 2, 1]
    expected = vv.reshape(1, 2, 2, 2, 2, 2, 2, 1).max(axis=(2, 4, 6))
    np.testing.assert_allclose(run(m3, {v: vv}), expected, rtol=1e-6)


def test_padding_cropping_upsampling():
    x = layers.Input((3, 4, 1))
    xv = np.arange(12, dtype=np.float32).reshape(1, 3, 4, 1)
    zp = layers.ZeroPadding2D(((1, 0), (2, 1)))(x)
    cr = layers.Cropping2D(((1, 0), (1, 2)))(x)
    up = layers.UpSampling2D((2, 3))(x)
    s = layers.Input((4, 2))
    sv = np.arange(8, dtype=np.float32).reshape(1, 4, 2)
    zp1 = layers.ZeroPadding1D(2)(s)
    cr1 = layers.Cropping1D((1, 2))(s)
    up1 = layers.UpSampling1D(3)(s)
    values = run([zp, cr, up, zp1, cr1, up1], {x: xv, s: sv})
    np.testing.assert_array_equal(values[0], np.pad(xv, [(0, 0), (1, 0), (2, 1), (0, 0)]))
    np.testing.assert_array_equal(values[1], xv[:, 1:, 1:2])
    np.testing.assert_array_equal(values[2], xv.repeat(2, axis=1).repeat(3, axis=2))
    np.testing.assert_array_equal(values[3], np.pad(sv, [(0, 0), (2, 2), (0, 0)]))
    np.testing.assert_array_equal(values[4], sv[:, 1:2])
    np.testing.assert_array_equal(values[5], sv.repeat(3, axis=1))
    assert [t.shape.as_list() for t in (zp, cr, up, zp1, cr1, up1)] == [
        [None, 4, 7, 1], [None, 2, 1, 1], [None, 6, 12, 1], [None, 8, 2], [None, 1, 2],
        [None, 12, 2]]
    assert layers.ZeroPadding2D().get_config()["padding"] == ((1, 1), (1, 1))
    assert layers.Cropping2D().get_config()["cropping"] == ((0, 0), (0, 0))
    with pytest.raises(ValueError):
        layers.UpSampling2D(interpolation="cubic")
    with pytest.raises(ValueError):
        layers.Conv2D(2, 3, data_format="NHWC")


def test_upsampling2d_bilinear_matches_tf_keras():
    x = layers.Input((2, 3, 1))
    y = layers.UpSampling2D(interpolation="bilinear")(x)
    xv = np.arange(6, dtype=np.float32).reshape(1, 2, 3, 1)
    # tf_keras (graph mode) UpSampling2D(interpolation='bilinear') on this input
    expected = [[0.0, 0.25, 0.75, 1.25, 1.75, 2.0], [0.75, 1.0, 1.5, 2.0, 2.5, 2.75],
                [2.25, 2.5, 3.0, 3.5, 4.0, 4.25], [3.0, 3.25, 3.75, 4.25, 4.75, 5.0]]
    np.testing.assert_allclose(run(y, {x: xv})[0, :, :, 0], expected, atol=1e-5)
