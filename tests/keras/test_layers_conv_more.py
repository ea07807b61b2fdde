"""tf.keras.layers (convolution family, second round): DepthwiseConv2D, SeparableConv1D,
Conv3DTranspose, Cropping3D, UpSampling3D, ZeroPadding3D, SpatialDropout3D,
LocallyConnected1D/2D. Outputs against numbers from tf_keras (hard-coded) and numpy loops;
weight names/shapes and parameter counts as tf_keras reports them."""

import json

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import layers


def run(fetches, feeds):
    return K.get_session().run(fetches, feeds)


# (key, layer class, constructor keywords, input shape): tf_keras outputs for weights
# w_i = sin(0.7 * arange(size) + i) (in layer.weights order), inputs cos(0.3 * arange)
CASES = [
    ("lc1_i1", "LocallyConnected1D",
     dict(filters=2, kernel_size=3, strides=1, implementation=1), (2, 5, 2)),
    ("lc1_i2_same_s2", "LocallyConnected1D",
     dict(filters=2, kernel_size=2, strides=2, padding="same", implementation=2), (2, 5, 2)),
    ("lc1_i3_same", "LocallyConnected1D",
     dict(filters=2, kernel_size=2, padding="same", implementation=3), (2, 4, 2)),
    ("lc1_i1_cf", "LocallyConnected1D",
     dict(filters=2, kernel_size=2, data_format="channels_first", implementation=1), (2, 2, 4)),
    ("lc1_i2_cf", "LocallyConnected1D",
     dict(filters=2, kernel_size=2, data_format="channels_first", implementation=2), (2, 2, 4)),
    ("lc1_i3_cf", "LocallyConnected1D",
     dict(filters=2, kernel_size=2, data_format="channels_first", implementation=3), (2, 2, 4)),
    ("lc2_i1", "LocallyConnected2D",
     dict(filters=2, kernel_size=(2, 2), strides=(1, 2), implementation=1), (1, 3, 4, 2)),
    ("lc2_i2_same", "LocallyConnected2D",
     dict(filters=2, kernel_size=(2, 3), padding="same", implementation=2), (1, 3, 3, 2)),
    ("lc2_i3", "LocallyConnected2D",
     dict(filters=2, kernel_size=2, implementation=3), (1, 3, 3, 2)),
    ("lc2_i1_cf", "LocallyConnected2D",
     dict(filters=2, kernel_size=2, data_format="channels_first", implementation=1),
     (1, 2, 3, 3)),
    ("lc2_i3_cf", "LocallyConnected2D",
     dict(filters=2, kernel_size=2, data_format="channels_first", implementation=3),
     (1, 2, 3, 3)),
    ("dw", "DepthwiseConv2D",
     dict(kernel_size=2, strides=(1, 2), depth_multiplier=2, padding="same"), (1, 3, 4, 2)),
    ("sep1", "SeparableConv1D",
     dict(filters=2, kernel_size=2, depth_multiplier=2, strides=2), (1, 5, 2)),
    ("sep1_causal", "SeparableConv1D",
     dict(filters=2, kernel_size=2, padding="causal", dilation_rate=2), (1, 5, 2)),
    ("c3t", "Conv3DTranspose",
     dict(filters=2, kernel_size=2, strides=(2, 1, 1), padding="same"), (1, 2, 2, 2, 2)),
    ("c3t_same_op", "Conv3DTranspose",
     dict(filters=1, kernel_size=4, strides=2, padding="same", output_padding=1),
     (1, 2, 3, 1, 1)),
    ("dw_dil", "DepthwiseConv2D", dict(kernel_size=2, dilation_rate=2, use_bias=False),
     (1, 4, 4, 1)),
    ("c3t_op", "Conv3DTranspose",
     dict(filters=1, kernel_size=3, strides=2, output_padding=1), (1, 2, 2, 1, 1)),
]

TF_OUTPUTS = {
    'lc1_i1': ((2, 3, 2), [
        1.33533, 1.63631, 0.42246, -0.41778, -0.38185, -0.50323, 0.37166, 0.31271, 0.84935,
        0.48552, -0.73681, -1.37627
    ]),
    'lc1_i2_same_s2': ((2, 3, 2), [
        0.00882, 0.69731, 0.74148, -0.20379, -0.53509, -0.57005, 1.70213, 1.32405, 0.66532,
        0.38048, -0.73367, -1.36505
    ]),
    'lc1_i3_same': ((2, 4, 2), [
        1.45692, 2.80177, -0.65471, 0.58287, 0.0968, -2.11037, -0.34066, -0.65254, 0.25905,
        -0.5154, 2.57858, -1.13434, -0.80576, 0.08603, -2.45381, 1.41619
    ]),
    'lc1_i1_cf': ((2, 2, 3), [
        1.84264, 1.07454, -0.48988, 1.31385, 0.44222, -1.07076, 0.28285, 0.47125, 1.06209, -0.1861,
        -1.4057, -1.36086
    ]),
    'lc1_i2_cf': ((2, 2, 3), [
        -0.25361, 0.17904, 1.05444, 0.8758, -0.92266, -2.13433, 1.81802, 1.01527, -0.30579,
        -0.00552, 0.3362, 0.00415
    ]),
    'lc1_i3_cf': ((2, 2, 3), [
        1.87506, 1.18374, -0.48323, 1.006, -2.20722, 0.4898, -1.25129, 2.15045, 0.75341, 0.09016,
        0.53267, -2.86145
    ]),
    'lc2_i1': ((1, 2, 2, 2), [
        0.90498, 1.20732, 0.66923, 0.15676, -0.58352, -0.80401, -0.97825, -0.29942
    ]),
    'lc2_i2_same': ((1, 3, 3, 2), [
        0.99167, 3.29477, 4.48114, 3.23748, -0.15338, -1.80092, -1.61572, -1.55302, -0.34286,
        -0.25657, -0.76623, -1.02579, -2.89058, -0.49808, 3.06868, 5.24714, 2.97463, 1.6261
    ]),
    'lc2_i3': ((1, 2, 2, 2), [
        4.43871, 2.24324, -1.87526, -4.02517, -0.04459, 0.61069, 0.47679, -0.99048
    ]),
    'lc2_i1_cf': ((1, 2, 2, 2), [
        1.09529, 1.03507, 0.15461, -0.40942, -0.35807, -0.68134, -1.08734, -0.99937
    ]),
    'lc2_i3_cf': ((1, 2, 2, 2), [
        3.92148, 0.2466, -2.10248, -0.88095, -4.9235, -1.96707, 1.58851, 1.3829
    ]),
    'dw': ((1, 3, 2, 4), [
        0.73739, 1.01807, 0.84305, 0.23084, 0.91248, 1.13328, 0.78551, 0.06672, 0.99701, 1.0679,
        0.58763, -0.12946, 0.88318, 0.90529, 0.50177, -0.10752, 1.05409, 0.82539, 0.32043,
        -0.45221, 1.15979, 1.2769, 0.94981, 0.10326
    ]),
    'sep1': ((1, 2, 2), [
        0.94798, 0.24563, 0.25276, -0.34161
    ]),
    'sep1_causal': ((1, 5, 2), [
        2.29555, 1.43891, 1.95613, 1.25624, 1.66673, 0.80962, 0.69703, 0.20388, -0.19852, -0.32378
    ]),
    'c3t': ((1, 4, 2, 2, 2), [
        1.45692, 2.80177, 1.2418, 0.53142, 0.27184, 3.01083, 1.2617, -0.10373, -0.72824, 1.66495,
        1.44766, 1.37374, -1.37669, 0.49455, 2.08618, 1.37185, 0.25905, -0.5154, 0.27543, 0.69458,
        0.8241, -1.89651, 0.3496, 1.2607, 2.12235, 0.36153, 0.92616, 0.41909, 3.70481, 0.87586,
        0.39122, 0.5121
    ]),
    'c3t_same_op': ((1, 3, 5, 1, 1), [
        1.68722, -0.72468, 2.64221, -0.60075, 2.48792, 1.31759, -0.18277, 1.65985, -0.24018,
        1.58543, 0.80329, 1.06231, 0.26765, 1.4263, -0.12024
    ]),
    'dw_dil': ((1, 2, 2, 1), [
        -1.04954, -1.34287, -1.45328, -1.22256
    ]),
    'c3t_op': ((1, 6, 6, 4, 1), [
        0.84147, 1.48569, 1.82692, 0.84147, 1.70468, 1.17646, 0.49069, 0.84147, -0.0301, 0.47446,
        1.15164, 0.84147, 1.66613, 1.1615, 0.50635, 0.84147, 0.00882, -0.0971, 0.2384, 0.84147,
        0.84147, 0.84147, 0.84147, 0.84147, 0.85828, 1.49846, 1.82964, 0.84147, 1.69607, 1.16057,
        0.47499, 0.84147, -0.02216, 0.48994, 1.16737, 0.84147, 1.6579, 1.14632, 0.49136, 0.84147,
        0.00107, -0.09397, 0.25094, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.87509, 2.04274,
        2.64541, 0.84147, 2.39966, 1.42107, 0.16989, 0.84147, -0.73332, 0.09511, 1.27456, 0.84147,
        2.18602, 1.33928, 0.25841, 0.84147, -0.54823, -0.70128, -0.12875, 0.84147, 0.84147,
        0.84147, 0.84147, 0.84147, 0.85535, 1.38371, 1.65704, 0.84147, 1.5468, 1.10483, 0.539,
        0.84147, 0.12588, 0.44171, 0.94556, 0.84147, 1.3727, 1.03983, 0.61366, 0.84147, 0.29464,
        0.2328, 0.45723, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.86922, 1.39409, 1.65905,
        0.84147, 1.5395, 1.09165, 0.52613, 0.84147, 0.12983, 0.45246, 0.95805, 0.84147, 1.3672,
        1.02989, 0.60397, 0.84147, 0.28975, 0.23501, 0.4655, 0.84147, 0.84147, 0.84147, 0.84147,
        0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147,
        0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147, 0.84147,
        0.84147, 0.84147, 0.84147, 0.84147, 0.84147
    ]),
}


def _weights_for(layer):
    return [np.sin(np.arange(int(np.prod(w.shape.as_list()))) * 0.7 + i)
            .reshape(w.shape.as_list()).astype(np.float32)
            for i, w in enumerate(layer.weights)]


@pytest.mark.parametrize("key,cls,kwargs,shape", CASES, ids=[c[0] for c in CASES])
def test_outputs_match_tf_keras(key, cls, kwargs, shape):
    layer = getattr(layers, cls)(**kwargs)
    x = layers.Input(shape[1:], batch_size=shape[0])
    y = layer(x)
    layer.set_weights(_weights_for(layer))
    xv = np.cos(np.arange(int(np.prod(shape))) * 0.3).reshape(shape).astype(np.float32)
    out = run(y, {x: xv})
    want_shape, values = TF_OUTPUTS[key]
    assert out.shape == want_shape
    assert tuple(y.shape.as_list()) == want_shape
    np.testing.assert_allclose(out.ravel(), values, atol=2e-5)


def test_weight_names_shapes_and_param_counts():
    # (layer, input shape, weight names, weight shapes, output shape, params) from tf_keras
    specs = [
        (layers.DepthwiseConv2D(3, depth_multiplier=2), (6, 7, 3),
         ["depthwise_conv2d/depthwise_kernel:0", "depthwise_conv2d/bias:0"],
         [(3, 3, 3, 2), (6,)], [None, 4, 5, 6], 60),
        (layers.LocallyConnected2D(4, 3), (6, 7, 3),
         ["locally_connected2d/kernel:0", "locally_connected2d/bias:0"],
         [(20, 27, 4), (4, 5, 4)], [None, 4, 5, 4], 2240),
        (layers.LocallyConnected2D(4, 3, implementation=2), (6, 7, 3),
         ["locally_connected2d_1/kernel:0", "locally_connected2d_1/bias:0"],
         [(6, 7, 3, 4, 5, 4), (4, 5, 4)], [None, 4, 5, 4], 10160),
        (layers.LocallyConnected2D(4, 3, implementation=3, padding="same"), (6, 7, 3),
         ["locally_connected2d_2/kernel:0", "locally_connected2d_2/bias:0"],
         [(3648,), (6, 7, 4)], [None, 6, 7, 4], 3816),
        (layers.SeparableConv1D(5, 3, depth_multiplier=2), (8, 3),
         ["separable_conv1d/depthwise_kernel:0", "separable_conv1d/pointwise_kernel:0",
          "separable_conv1d/bias:0"], [(3, 3, 2), (1, 6, 5), (5,)], [None, 6, 5], 53),
        (layers.LocallyConnected1D(4, 3), (8, 3),
         ["locally_connected1d/kernel:0", "locally_connected1d/bias:0"],
         [(6, 9, 4), (6, 4)], [None, 6, 4], 240),
        (layers.LocallyConnected1D(4, 3, implementation=2, strides=2), (8, 3),
         ["locally_connected1d_1/kernel:0", "locally_connected1d_1/bias:0"],
         [(8, 3, 3, 4), (3, 4)], [None, 3, 4], 300),
        (layers.Conv3DTranspose(3, 2, strides=2), (4, 5, 6, 2),
         ["conv3d_transpose/kernel:0", "conv3d_transpose/bias:0"],
         [(2, 2, 2, 3, 2), (3,)], [None, 8, 10, 12, 3], 51),
    ]
    for layer, in_shape, names, shapes, out_shape, params in specs:
        y = layer(layers.Input(in_shape))
        assert [w.name for w in layer.weights] == names
        assert [tuple(w.shape.as_list()) for w in layer.weights] == shapes
        assert y.shape.as_list() == out_shape
        assert tuple(layer.compute_output_shape((None,) + in_shape).as_list()) == \
            tuple(out_shape)
        assert layer.count_params() == params


def test_aliases_and_default_names():
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose
    assert fg.keras.layers.LocallyConnected2D is layers.LocallyConnected2D
    names = [layers.Cropping3D().name, layers.UpSampling3D().name, layers.ZeroPadding3D().name,
             layers.SpatialDropout3D(0.5).name, layers.DepthwiseConv2D(2).name,
             layers.SeparableConv1D(1, 2).name, layers.Conv3DTranspose(1, 2).name,
             layers.LocallyConnected1D(1, 2).name, layers.LocallyConnected1D(1, 2).name]
    assert names == ["cropping3d", "up_sampling3d", "zero_padding3d", "spatial_dropout3d",
                     "depthwise_conv2d", "separable_conv1d", "conv3d_transpose",
                     "locally_connected1d", "locally_connected1d_1"]


def test_signatures_follow_tf_1_15():
    import inspect
    params = list(inspect.signature(layers.DepthwiseConv2D.__init__).parameters)
    assert params[1:6] == ["kernel_size", "strides", "padding", "depth_multiplier",
                           "data_format"]
    params = list(inspect.signature(layers.LocallyConnected2D.__init__).parameters)
    assert params[-2:] == ["implementation", "kwargs"]
    sig = inspect.signature(layers.Cropping3D.__init__)
    assert sig.parameters["cropping"].default == ((1, 1), (1, 1), (1, 1))
    assert inspect.signature(layers.ZeroPadding3D.__init__).parameters["padding"].default == \
        (1, 1, 1)


def _depthwise_reference(x, w, b, stride):
    """channels_last 'valid' depthwise convolution, written out."""
    n, h, wd, c = x.shape
    kh, kw, _, m = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, oh, ow, c * m))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            for ch in range(c):
                for q in range(m):
                    out[:, i, j, ch * m + q] = np.sum(patch[..., ch] * w[:, :, ch, q],
                                                      axis=(1, 2))
    return out + b


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depthwise_conv2d_against_numpy(data_format):
    rng = np.random.RandomState(0)
    x = rng.randn(2, 5, 6, 3)
    layer = layers.DepthwiseConv2D((2, 3), strides=2, depth_multiplier=2,
                                   data_format=data_format, activation="relu")
    feed_x = x if data_format == "channels_last" else x.transpose(0, 3, 1, 2)
    inp = layers.Input(feed_x.shape[1:])
    y = layer(inp)
    w, b = rng.randn(2, 3, 3, 2), rng.randn(6)
    layer.set_weights([w, b])
    want = np.maximum(_depthwise_reference(x, w, b, 2), 0)
    if data_format == "channels_first":
        want = want.transpose(0, 3, 1, 2)
    np.testing.assert_allclose(run(y, {inp: feed_x}), want, rtol=1e-5, atol=1e-5)


def test_separable_conv1d_against_numpy():
    rng = np.random.RandomState(1)
    x = rng.randn(2, 7, 3)
    layer = layers.SeparableConv1D(4, 3, padding="same", depth_multiplier=2)
    inp = layers.Input((7, 3))
    y = layer(inp)
    dw, pw, b = rng.randn(3, 3, 2), rng.randn(1, 6, 4), rng.randn(4)
    layer.set_weights([dw, pw, b])
    padded = np.pad(x, [(0, 0), (1, 1), (0, 0)])
    depth = np.zeros((2, 7, 6))
    for t in range(7):
        for ch in range(3):
            for q in range(2):
                depth[:, t, ch * 2 + q] = padded[:, t:t + 3, ch] @ dw[:, ch, q]
    want = depth @ pw[0] + b
    np.testing.assert_allclose(run(y, {inp: x}), want, rtol=1e-5, atol=1e-5)


def test_conv3d_transpose_against_numpy_scatter():
    rng = np.random.RandomState(2)
    x = rng.randn(1, 2, 3, 2, 2)
    layer = layers.Conv3DTranspose(3, (2, 2, 3), strides=(2, 1, 2))
    inp = layers.Input((2, 3, 2, 2))
    y = layer(inp)
    w, b = rng.randn(2, 2, 3, 3, 2), rng.randn(3)
    layer.set_weights([w, b])
    # 'valid': each input voxel scatters kernel * value to the output window
    out = np.zeros((1, 2 * 2 + 0, 3 + 1, 2 * 2 + 1, 3))
    for d, r, c in np.ndindex(2, 3, 2):
        contribution = np.einsum("abcoi,i->abco", w, x[0, d, r, c])
        out[0, 2 * d:2 * d + 2, r:r + 2, 2 * c:2 * c + 3] += contribution
    np.testing.assert_allclose(run(y, {inp: x}), out + b, rtol=1e-5, atol=1e-5)
    assert y.shape.as_list() == [None, 4, 4, 5, 3]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_3d_cropping_padding_upsampling(data_format):
    x = np.arange(2 * 3 * 4 * 5 * 2, dtype=np.float32).reshape(2, 3, 4, 5, 2)
    first = data_format == "channels_first"
    feed = x.transpose(0, 4, 1, 2, 3) if first else x

    def back(a):
        return a.transpose(0, 2, 3, 4, 1) if first else a

    inp = layers.Input(feed.shape[1:])
    crop = layers.Cropping3D(((1, 0), (1, 2), 2), data_format=data_format)(inp)
    pad = layers.ZeroPadding3D((1, (0, 2), 0), data_format=data_format)(inp)
    up = layers.UpSampling3D((2, 1, 3), data_format=data_format)(inp)
    got = run([crop, pad, up], {inp: feed})
    np.testing.assert_array_equal(back(got[0]), x[:, 1:, 1:2, 2:3, :])
    np.testing.assert_array_equal(
        back(got[1]), np.pad(x, [(0, 0), (1, 1), (0, 2), (0, 0), (0, 0)]))
    want_up = np.repeat(np.repeat(x, 2, axis=1), 3, axis=3)
    np.testing.assert_array_equal(back(got[2]), want_up)
    assert back(np.zeros([1] + crop.shape.as_list()[1:])).shape[1:4] == (2, 1, 1)
    assert back(np.zeros([1] + up.shape.as_list()[1:])).shape[1:] == (6, 4, 15, 2)


def test_3d_argument_errors():
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping3D((1, 2))
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding3D("same")
    with pytest.raises(ValueError, match="data_format"):
        layers.SpatialDropout3D(0.5, data_format="NDHWC")
    with pytest.raises(ValueError, match="output padding"):
        layers.Conv3DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="only \"valid\" is supported if implementation is 1"):
        layers.LocallyConnected1D(2, 3, padding="same")
    layer = layers.LocallyConnected2D(2, 3, implementation=4)
    with pytest.raises(ValueError, match="Unrecognized implementation mode: 4"):
        layer(layers.Input((5, 5, 1)))
    with pytest.raises(ValueError, match="should be defined"):
        layers.LocallyConnected1D(2, 3)(layers.Input((None, 3)))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_spatial_dropout3d_drops_whole_channels(data_format):
    first = data_format == "channels_first"
    shape = (8, 6, 2, 3, 2) if first else (8, 2, 3, 2, 6)
    inp = layers.Input(shape[1:])
    layer = layers.SpatialDropout3D(0.5, data_format=data_format)
    train = layer(inp, training=True)
    infer = layer(inp, training=False)
    x = np.ones(shape, np.float32)
    got_train, got_infer = run([train, infer], {inp: x})
    np.testing.assert_array_equal(got_infer, x)
    per_channel = got_train.transpose(0, 2, 3, 4, 1) if first else got_train
    per_channel = per_channel.reshape(8, -1, 6)
    # each (example, channel) volume is all zeros or all 1 / (1 - rate)
    assert np.all(per_channel.min(axis=1) == per_channel.max(axis=1))
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert 0 < np.sum(per_channel == 0) < per_channel.size


def _locally_connected_reference(x, kernels, bias, kernel_size, stride):
    """channels_last 'valid' 1-D locally connected layer: kernels[t] is [k, in, filters]."""
    steps = (x.shape[1] - kernel_size) // stride + 1
    return np.stack([np.tensordot(x[:, t * stride:t * stride + kernel_size], kernels[t],
                                  axes=([1, 2], [0, 1])) for t in range(steps)], 1) + bias


@pytest.mark.parametrize("implementation", [1, 2, 3])
def test_locally_connected1d_implementations_agree_with_numpy(implementation):
    rng = np.random.RandomState(3)
    x = rng.randn(3, 7, 2)
    kernels = rng.randn(3, 3, 2, 4)  # 3 output steps (stride 2), kernel 3, 2 in, 4 out
    bias = rng.randn(3, 4)
    layer = layers.LocallyConnected1D(4, 3, strides=2, implementation=implementation)
    inp = layers.Input((7, 2))
    y = layer(inp)
    if implementation == 1:
        kernel = kernels.reshape(3, 6, 4)
    elif implementation == 2:
        kernel = np.zeros((7, 2, 3, 4))
        for t in range(3):
            kernel[2 * t:2 * t + 3, :, t, :] = kernels[t]
    else:
        # entries sorted by (flat output index, flat input index)
        entries = {}
        for t in range(3):
            for j in range(3):
                for ci in range(2):
                    for f in range(4):
                        entries[(t * 4 + f, (2 * t + j) * 2 + ci)] = kernels[t, j, ci, f]
        kernel = np.array([entries[key] for key in sorted(entries)])
    layer.set_weights([kernel, bias])
    want = _locally_connected_reference(x, kernels, bias, 3, 2)
    np.testing.assert_allclose(run(y, {inp: x}), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cls,kwargs", [
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, padding="same",
                             dilation_rate=2, activation="relu",
                             depthwise_regularizer="l2")),
    ("SeparableConv1D", dict(filters=3, kernel_size=2, padding="causal",
                             pointwise_initializer="ones")),
    ("Conv3DTranspose", dict(filters=2, kernel_size=3, strides=2, output_padding=(1, 0, 1),
                             data_format="channels_first")),
    ("Cropping3D", dict(cropping=(1, 2, (0, 3)))),
    ("UpSampling3D", dict(size=3, data_format="channels_first")),
    ("ZeroPadding3D", dict(padding=2)),
    ("SpatialDropout3D", dict(rate=0.3, data_format="channels_first")),
    ("LocallyConnected1D", dict(filters=2, kernel_size=3, padding="same", implementation=3)),
    ("LocallyConnected2D", dict(filters=2, kernel_size=(2, 3), strides=2, implementation=2,
                                data_format="channels_first", use_bias=False)),
])
def test_config_round_trip(cls, kwargs):
    layer = getattr(layers, cls)(**kwargs)
    config = layer.get_config()
    json.dumps(config)  # plain data
    clone = getattr(layers, cls).from_config(config)
    assert clone.get_config() == config
    restored = layers.deserialize({"class_name": cls, "config": config})
    assert type(restored) is getattr(layers, cls)
    assert restored.get_config() == config
    for key, value in kwargs.items():
        if key in ("padding", "cropping", "size", "output_padding") and \
                not isinstance(value, str):
            continue  # normalized to tuples
        if key.endswith(("initializer", "regularizer")) or key == "activation":
            continue  # serialized objects
        got = config[key]
        if isinstance(value, int) and isinstance(got, tuple):
            value = (value,) * len(got)  # kernel_size=3 -> (3, 3)
        assert got == value, key


def test_config_keys_follow_tf():
    config = layers.DepthwiseConv2D(3).get_config()
    assert "kernel_initializer" not in config and "filters" not in config
    assert config["depthwise_initializer"]["class_name"] == "GlorotUniform"
    config = layers.SpatialDropout3D(0.5).get_config()
    assert {"rate", "noise_shape", "seed"} <= set(config)
    config = layers.LocallyConnected2D(2, 3, implementation=2).get_config()
    assert config["implementation"] == 2 and config["kernel_size"] == (3, 3)
    assert layers.ZeroPadding3D(2).get_config()["padding"] == ((2, 2), (2, 2), (2, 2))


def test_model_with_new_layers_fits_and_reloads_from_json():
    model = fg.keras.models.Sequential([
        layers.ZeroPadding3D(1, input_shape=(2, 4, 4, 1)),
        layers.Cropping3D(((1, 1), (0, 0), (0, 0))),
        layers.UpSampling3D((1, 1, 1)),
        layers.SpatialDropout3D(0.2),
        layers.Conv3DTranspose(2, 2, strides=(1, 1, 1)),
        layers.Reshape((3, 7 * 7 * 2)),
        layers.LocallyConnected1D(3, 1, implementation=3),
        layers.SeparableConv1D(2, 2, padding="same"),
        layers.Reshape((3, 2, 1)),
        layers.DepthwiseConv2D(2, padding="same"),
        layers.LocallyConnected2D(1, 2, implementation=2),
        layers.Flatten(),
    ])
    model.compile("sgd", "mse")
    rng = np.random.RandomState(4)
    x, y = rng.randn(8, 2, 4, 4, 1), rng.randn(8, 2)
    before = [w.copy() for w in model.get_weights()]
    loss0 = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    after = model.get_weights()
    assert all(a.shape == b.shape for a, b in zip(after, before))
    assert any(not np.allclose(a, b) for a, b in zip(after, before))
    assert model.evaluate(x, y, verbose=0) < loss0
    clone = fg.keras.models.model_from_json(model.to_json())
    assert [type(lay).__name__ for lay in clone.layers] == \
        [type(lay).__name__ for lay in model.layers]
    clone.set_weights(after)
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls,kwargs,shape", [
    ("SeparableConv1D", dict(filters=3, kernel_size=3, strides=2, depth_multiplier=2),
     (2, 9, 2)),
    ("SeparableConv1D", dict(filters=2, kernel_size=2, padding="causal"), (2, 5, 3)),
    ("Conv3DTranspose", dict(filters=2, kernel_size=(2, 3, 2), strides=(1, 2, 2),
                             padding="same"), (1, 2, 3, 2, 3)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, padding="same"),
     (2, 4, 5, 3)),
])
def test_channels_first_matches_channels_last(cls, kwargs, shape):
    rng = np.random.RandomState(5)
    x = rng.randn(*shape).astype(np.float32)
    last = getattr(layers, cls)(data_format="channels_last", **kwargs)
    first = getattr(layers, cls)(data_format="channels_first", **kwargs)
    perm = (0, len(shape) - 1) + tuple(range(1, len(shape) - 1))
    inv = (0,) + tuple(range(2, len(shape))) + (1,)
    in_last = layers.Input(shape[1:])
    in_first = layers.Input(tuple(np.array(shape)[list(perm)][1:]))
    out_last, out_first = last(in_last), first(in_first)
    weights = [rng.randn(*w.shape.as_list()) for w in last.weights]
    last.set_weights(weights)
    first.set_weights(weights)
    got_last, got_first = run([out_last, out_first], {in_last: x,
                                                      in_first: x.transpose(perm)})
    np.testing.assert_allclose(got_first.transpose(inv), got_last, rtol=1e-5, atol=1e-5)
    assert tuple(out_first.shape.as_list()[1:]) == \
        tuple(np.array(out_last.shape.as_list())[list(perm)][1:])
