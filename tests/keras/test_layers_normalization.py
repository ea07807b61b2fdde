"""Keras BatchNormalization and LayerNormalization: numbers against numpy written here,
train/test behaviour with the learning phase, moving-average updates, names, gradients."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import layers

XB = np.array([[1., 2., 3.], [3., 0., -1.], [2., 5., 4.], [0., 1., 2.]], np.float32)


def test_names_defaults_and_trainability():
    bn = layers.BatchNormalization()
    bn(fg.placeholder(fg.float32, [None, 3]))
    assert [w.name for w in bn.weights] == ["batch_normalization/gamma:0",
                                            "batch_normalization/beta:0",
                                            "batch_normalization/moving_mean:0",
                                            "batch_normalization/moving_variance:0"]
    assert [w.name for w in bn.trainable_weights] == ["batch_normalization/gamma:0",
                                                      "batch_normalization/beta:0"]
    assert bn.momentum == 0.99 and bn.epsilon == 1e-3
    gamma, beta, mean, var = bn.get_weights()
    np.testing.assert_array_equal(gamma, np.ones(3))
    np.testing.assert_array_equal(beta, np.zeros(3))
    np.testing.assert_array_equal(mean, np.zeros(3))
    np.testing.assert_array_equal(var, np.ones(3))
    second = layers.BatchNormalization(center=False)
    second(fg.placeholder(fg.float32, [None, 3]))
    assert [w.name for w in second.weights] == ["batch_normalization_1/gamma:0",
                                                "batch_normalization_1/moving_mean:0",
                                                "batch_normalization_1/moving_variance:0"]


def test_training_uses_batch_statistics_and_updates_moving_averages():
    inputs = fg.placeholder(fg.float32, [None, 3])
    bn = layers.BatchNormalization(momentum=0.9, gamma_initializer="ones")
    out = bn(inputs, training=True)
    assert len(bn.updates) == 2
    sess = K.get_session()
    mean, var = XB.mean(0), XB.var(0)
    np.testing.assert_allclose(sess.run(out, {inputs: XB}),
                               (XB - mean) / np.sqrt(var + 1e-3), rtol=1e-5, atol=1e-6)
    sess.run(bn.updates, {inputs: XB})
    moving_mean, moving_var = sess.run([bn.moving_mean, bn.moving_variance])
    np.testing.assert_allclose(moving_mean, 0.1 * mean, rtol=1e-6)
    np.testing.assert_allclose(moving_var, 0.9 + 0.1 * var, rtol=1e-6)
    sess.run(bn.updates, {inputs: XB})
    np.testing.assert_allclose(sess.run(bn.moving_mean), 0.9 * 0.1 * mean + 0.1 * mean,
                               rtol=1e-6)


def test_inference_uses_moving_statistics():
    inputs = fg.placeholder(fg.float32, [None, 3])
    bn = layers.BatchNormalization(epsilon=0.01)
    out = bn(inputs, training=False)
    assert bn.updates == []
    gamma = np.array([2.0, 0.5, 1.0], np.float32)
    beta = np.array([0.1, -0.2, 0.3], np.float32)
    mean = np.array([1.0, 2.0, -1.0], np.float32)
    var = np.array([4.0, 0.25, 1.0], np.float32)
    bn.set_weights([gamma, beta, mean, var])
    want = (XB - mean) / np.sqrt(var + 0.01) * gamma + beta
    np.testing.assert_allclose(K.get_session().run(out, {inputs: XB}), want, rtol=1e-5,
                               atol=1e-6)


def test_learning_phase_placeholder_controls_mode_and_updates():
    inputs = fg.placeholder(fg.float32, [None, 3])
    bn = layers.BatchNormalization(momentum=0.5)
    out = bn(inputs)  # training=None: the learning phase
    phase = K.learning_phase()
    sess = K.get_session()
    # test mode (the default): moving statistics (0 and 1), updates leave them alone
    np.testing.assert_allclose(sess.run(out, {inputs: XB}), XB / np.sqrt(1 + 1e-3),
                               rtol=1e-5)
    sess.run(bn.updates, {inputs: XB})
    np.testing.assert_array_equal(sess.run(bn.moving_mean), np.zeros(3))
    np.testing.assert_array_equal(sess.run(bn.moving_variance), np.ones(3))
    # train mode when fed True
    mean, var = XB.mean(0), XB.var(0)
    np.testing.assert_allclose(sess.run(out, {inputs: XB, phase: True}),
                               (XB - mean) / np.sqrt(var + 1e-3), rtol=1e-5, atol=1e-6)
    sess.run(bn.updates, {inputs: XB, phase: True})
    np.testing.assert_allclose(sess.run(bn.moving_mean), 0.5 * mean, rtol=1e-6)
    np.testing.assert_allclose(sess.run(bn.moving_variance), 0.5 + 0.5 * var, rtol=1e-6)


def test_fixed_learning_phase():
    K.set_learning_phase(1)
    inputs = fg.placeholder(fg.float32, [None, 3])
    bn = layers.BatchNormalization()
    out = bn(inputs)
    mean, var = XB.mean(0), XB.var(0)
    np.testing.assert_allclose(K.get_session().run(out, {inputs: XB}),
                               (XB - mean) / np.sqrt(var + 1e-3), rtol=1e-5, atol=1e-6)


def test_images_channels_last_update_with_bessel_correction():
    """4-D inputs take the fused kernel, whose moving variance uses n / (n - 1) (TF1)."""
    x = np.sin(np.arange(2 * 2 * 2 * 3)).reshape(2, 2, 2, 3).astype(np.float32)
    inputs = fg.placeholder(fg.float32, [None, 2, 2, 3])
    bn = layers.BatchNormalization(momentum=0.9)
    out = bn(inputs, training=True)
    sess = K.get_session()
    flat = x.reshape(-1, 3)
    np.testing.assert_allclose(sess.run(out, {inputs: x}),
                               (x - flat.mean(0)) / np.sqrt(flat.var(0) + 1e-3), rtol=1e-4,
                               atol=1e-5)
    sess.run(bn.updates, {inputs: x})
    np.testing.assert_allclose(sess.run(bn.moving_variance),
                               0.9 + 0.1 * flat.var(0, ddof=1), rtol=1e-5)


def test_batch_norm_gradients_flow():
    inputs = fg.placeholder(fg.float32, [None, 3])
    bn = layers.BatchNormalization()
    out = bn(inputs, training=True)
    grads = fg.gradients(fg.reduce_sum(out * out), bn.trainable_weights + [inputs])
    assert all(g is not None for g in grads)
    g_gamma, g_beta, _ = K.get_session().run(grads, {inputs: XB})
    normed = (XB - XB.mean(0)) / np.sqrt(XB.var(0) + 1e-3)
    np.testing.assert_allclose(g_gamma, (2 * normed * normed).sum(0), rtol=1e-4)
    np.testing.assert_allclose(g_beta, (2 * normed).sum(0), atol=1e-4)


def test_batch_norm_config_round_trip():
    bn = layers.BatchNormalization(axis=1, momentum=0.8, epsilon=0.01, center=False)
    config = bn.get_config()
    assert config["axis"] == 1 and config["momentum"] == 0.8 and config["center"] is False
    again = layers.BatchNormalization.from_config(config)
    assert again.momentum == 0.8 and again.epsilon == 0.01 and again.center is False


def test_layer_normalization():
    inputs = fg.placeholder(fg.float32, [None, 3])
    ln = layers.LayerNormalization()
    out = ln(inputs)
    assert [w.name for w in ln.weights] == ["layer_normalization/gamma:0",
                                            "layer_normalization/beta:0"]
    gamma = np.array([1.5, -1.0, 0.5], np.float32)
    beta = np.array([0.0, 0.2, -0.1], np.float32)
    ln.set_weights([gamma, beta])
    mean, var = XB.mean(-1, keepdims=True), XB.var(-1, keepdims=True)
    want = (XB - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(K.get_session().run(out, {inputs: XB}), want, rtol=1e-5,
                               atol=1e-5)
    grads = fg.gradients(fg.reduce_sum(out), ln.weights + [inputs])
    assert all(g is not None for g in grads)


def test_layer_normalization_several_axes():
    x = np.cos(np.arange(2 * 3 * 4)).reshape(2, 3, 4).astype(np.float32)
    inputs = fg.placeholder(fg.float32, [None, 3, 4])
    ln = layers.LayerNormalization(axis=[1, 2], center=False)
    out = ln(inputs)
    assert [tuple(w.shape.as_list()) for w in ln.weights] == [(3, 4)]
    mean = x.mean((1, 2), keepdims=True)
    var = x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(K.get_session().run(out, {inputs: x}),
                               (x - mean) / np.sqrt(var + 1e-3), rtol=1e-5, atol=1e-5)


def test_bad_axis():
    with pytest.raises(ValueError, match="axis"):
        layers.BatchNormalization(axis=3)(fg.placeholder(fg.float32, [None, 3]))
    with pytest.raises(ValueError, match="axis"):
        layers.LayerNormalization(axis="x")
