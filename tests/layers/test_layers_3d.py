"""tf.layers Conv3D / Conv3DTranspose / MaxPooling3D / AveragePooling3D and tf.nn.conv3d's
builders: TF1 variable names and shapes, values against plain numpy references."""

import numpy as np
import pytest

import flowgraph as tf
from tests.ops.cases.conv3d import ref_backprop_input, ref_conv3d

RNG = np.random.default_rng(3)


def test_conv3d_layer_variables_and_values():
    x_val = RNG.uniform(-1, 1, (2, 4, 5, 3, 2))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 4, 5, 3, 2])
        y = tf.layers.conv3d(x, 3, (2, 3, 2), strides=(1, 2, 1), padding="same",
                             activation=tf.nn.relu, bias_initializer=tf.ones_initializer())
        names = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
        assert names == {"conv3d/kernel": [2, 3, 2, 2, 3], "conv3d/bias": [3]}
        assert y.shape.as_list() == [None, 4, 3, 3, 3]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            kernel, got = sess.run([tf.global_variables()[0], y], {x: x_val})
    expected = np.maximum(ref_conv3d(x_val, kernel, (1, 2, 1), "SAME") + 1.0, 0.0)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_conv3d_channels_first_and_reuse():
    x_val = RNG.uniform(-1, 1, (1, 4, 3, 3, 2))  # NDHWC
    with tf.Graph().as_default():
        x = tf.constant(x_val.transpose(0, 4, 1, 2, 3))
        y = tf.layers.conv3d(x, 2, 2, data_format="channels_first", name="c",
                             bias_initializer=tf.constant_initializer(0.5))
        y2 = tf.layers.conv3d(x, 2, 2, data_format="channels_first", name="c", reuse=True)
        assert len(tf.global_variables()) == 2
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            kernel, got, got2 = sess.run([tf.global_variables()[0], y, y2])
    expected = (ref_conv3d(x_val, kernel, (1, 1, 1), "VALID") + 0.5).transpose(0, 4, 1, 2, 3)
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    np.testing.assert_array_equal(got, got2)


@pytest.mark.parametrize("padding, out", [("same", [1, 4, 6, 2, 3]),
                                          ("valid", [1, 5, 6, 3, 3])])
def test_conv3d_transpose_layer(padding, out):
    x_val = RNG.uniform(-1, 1, (1, 2, 3, 1, 4))
    with tf.Graph().as_default():
        x = tf.constant(x_val)
        y = tf.layers.conv3d_transpose(x, 3, (3, 2, 3), strides=2, padding=padding)
        kernel = tf.global_variables()[0]
        assert kernel.op.name == "conv3d_transpose/kernel"
        assert kernel.shape.as_list() == [3, 2, 3, 3, 4]
        assert y.shape.as_list() == out
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            k, got = sess.run([kernel, y])
    expected = ref_backprop_input(out, k, x_val, (2, 2, 2), padding.upper())
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_pooling_layers():
    x_val = RNG.uniform(-1, 1, (2, 4, 4, 6, 3))
    blocks = x_val.reshape(2, 2, 2, 2, 2, 3, 2, 3)
    with tf.Graph().as_default():
        x = tf.constant(x_val)
        m = tf.layers.max_pooling3d(x, 2, 2)
        a = tf.layers.AveragePooling3D((2, 2, 2), (2, 2, 2))(x)
        s = tf.layers.MaxPool3D(3, 3, padding="same")(x)
        with tf.Session() as sess:
            got_m, got_a, got_s = sess.run([m, a, s])
    np.testing.assert_allclose(got_m, blocks.max(axis=(2, 4, 6)))
    np.testing.assert_allclose(got_a, blocks.mean(axis=(2, 4, 6)))
    assert got_s.shape == (2, 2, 2, 2, 3)
    # SAME, window 3, stride 3: over 4 cells out = 2, pad_total = max(3 + 3 - 4, 0) = 2, one
    # before, so the first window holds cells [0, 2); over 6 cells no padding: [0, 3).
    np.testing.assert_allclose(got_s[0, 0, 0, 0], x_val[0, :2, :2, :3].max(axis=(0, 1, 2)))


def test_training_a_conv3d_layer_lowers_the_loss():
    x_val = RNG.uniform(-1, 1, (4, 3, 3, 3, 1))
    target = x_val.sum(axis=(1, 2, 3))
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        x = tf.constant(x_val, tf.float32)
        h = tf.layers.conv3d(x, 1, 3)
        loss = tf.reduce_mean(tf.square(tf.reshape(h, [4, 1]) - target))
        train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(loss)
            for _ in range(20):
                sess.run(train)
            assert sess.run(loss) < 0.5 * first


def test_nn_conv3d_argument_errors():
    with tf.Graph().as_default():
        x = tf.zeros([1, 4, 4, 4, 2])
        w = tf.zeros([2, 2, 2, 3, 1])
        with pytest.raises(ValueError, match="in_channels = 3"):
            tf.nn.conv3d(x, w, [1, 1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match="batch and depth"):
            tf.nn.conv3d(x, tf.zeros([2, 2, 2, 2, 1]), [2, 1, 1, 1, 1], "SAME")
        with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID'"):
            tf.nn.conv3d(x, tf.zeros([2, 2, 2, 2, 1]), [1, 1, 1, 1, 1], "FULL")
        with pytest.raises(ValueError, match="Negative dimension size"):
            tf.nn.conv3d(x, tf.zeros([5, 2, 2, 2, 1]), [1, 1, 1, 1, 1], "VALID")
        with pytest.raises(ValueError, match="output_shape does not match filter's output"):
            tf.nn.conv3d_transpose(x, tf.zeros([2, 2, 2, 3, 2]), [1, 8, 8, 8, 4],
                                   [1, 2, 2, 2, 1])
        assert tf.nn.conv3d_backprop_filter is tf.nn.conv3d_backprop_filter_v2
