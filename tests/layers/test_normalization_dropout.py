"""batch_normalization (training vs inference, UPDATE_OPS moving averages against numpy,
fused 4-D path with Bessel's correction, sharing) and dropout (training flag as bool or
tensor, rate, noise_shape)."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.layers as layers

RNG = np.random.default_rng(3)
UPDATE_OPS = fg.GraphKeys.UPDATE_OPS


def test_batch_norm_variables_in_tf1_order():
    layers.batch_normalization(fg.placeholder(fg.float32, [None, 4]))
    assert [(v.op.name, v.shape.as_list()) for v in fg.global_variables()] == [
        ("batch_normalization/gamma", [4]), ("batch_normalization/beta", [4]),
        ("batch_normalization/moving_mean", [4]), ("batch_normalization/moving_variance", [4])]
    assert [v.op.name for v in fg.trainable_variables()] == [
        "batch_normalization/gamma", "batch_normalization/beta"]


@pytest.mark.parametrize("shape, axis, reduce_axes, bessel", [
    ((16, 5), -1, (0,), False),            # dense features: plain kernel, biased variance
    ((6, 3, 4, 2), -1, (0, 1, 2), True),   # NHWC images: fused kernel, Bessel-corrected
    ((6, 2, 3, 4), 1, (0, 2, 3), True),    # NCHW images: fused as well
    ((6, 3, 5), 1, (0, 2), False),         # 3-D, middle axis: plain kernel, broadcast
])
def test_batch_norm_training_and_update_ops_against_numpy(shape, axis, reduce_axes, bessel):
    xv = RNG.standard_normal(shape).astype(np.float32) * 3 + 1
    x = fg.placeholder(fg.float32, shape)
    layer = layers.BatchNormalization(axis=axis, momentum=0.9, epsilon=1e-3,
                                      gamma_initializer=fg.constant_initializer(2.0),
                                      beta_initializer=fg.constant_initializer(0.5))
    y = layer(x, training=True)
    updates = fg.get_collection(UPDATE_OPS)
    assert len(updates) == 2 and layer.updates == updates
    keep = [1 if i in reduce_axes else s for i, s in enumerate(shape)]
    mean = xv.astype(np.float64).mean(axis=reduce_axes)
    var = xv.astype(np.float64).var(axis=reduce_axes)
    expected = 2.0 * (xv - mean.reshape(keep)) / np.sqrt(var.reshape(keep) + 1e-3) + 0.5
    n = xv.size / mean.size
    var_for_average = var * n / (n - 1) if bessel else var
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        out = sess.run(y, {x: xv})
        np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
        # Running y alone leaves the moving statistics untouched ...
        np.testing.assert_array_equal(sess.run(layer.moving_mean), np.zeros(mean.size))
        # ... the UPDATE_OPS move them: m -= (m - batch) * (1 - momentum).
        sess.run(updates, {x: xv})
        sess.run(updates, {x: xv})
        moving_mean, moving_var = sess.run([layer.moving_mean, layer.moving_variance])
    np.testing.assert_allclose(moving_mean, mean * (1 - 0.9 ** 2), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(moving_var, 0.81 + var_for_average * (1 - 0.81), rtol=1e-4)


def test_batch_norm_inference_uses_moving_statistics_and_adds_no_updates():
    x = fg.placeholder(fg.float32, [None, 3])
    y = layers.batch_normalization(
        x, epsilon=0.01, moving_mean_initializer=fg.constant_initializer([1.0, 2.0, 3.0]),
        moving_variance_initializer=fg.constant_initializer([4.0, 1.0, 0.25]))
    assert fg.get_collection(UPDATE_OPS) == []
    xv = RNG.standard_normal((5, 3)).astype(np.float32)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        out = sess.run(y, {x: xv})
    expected = (xv - [1.0, 2.0, 3.0]) / np.sqrt(np.array([4.0, 1.0, 0.25]) + 0.01)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(8, 3), (4, 2, 2, 3)])
def test_batch_norm_training_tensor_switches_statistics_and_updates(shape):
    x = fg.placeholder(fg.float32, shape)
    training = fg.placeholder(fg.bool, [])
    layer = layers.BatchNormalization(momentum=0.5, center=False, scale=False,
                                      moving_mean_initializer=fg.constant_initializer(10.0))
    y = layer(x, training=training)
    assert layer.variables == [layer.moving_mean, layer.moving_variance]
    updates = fg.get_collection(UPDATE_OPS)
    xv = RNG.standard_normal(shape).astype(np.float32)
    axes = tuple(range(len(shape) - 1))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        infer, _ = sess.run([y, updates], {x: xv, training: False})
        np.testing.assert_allclose(infer, (xv - 10.0) / np.sqrt(1.0 + 1e-3), rtol=1e-5)
        np.testing.assert_allclose(sess.run(layer.moving_mean), np.full(3, 10.0))
        train, _ = sess.run([y, updates], {x: xv, training: True})
        np.testing.assert_allclose(train.mean(axis=axes), 0.0, atol=1e-5)
        np.testing.assert_allclose(sess.run(layer.moving_mean), 5.0 + 0.5 * xv.mean(axis=axes),
                                   rtol=1e-5)


def test_batch_norm_reuse_and_errors():
    x = fg.placeholder(fg.float32, [None, 4])
    layers.batch_normalization(x, training=True, name="bn")
    layers.batch_normalization(x, training=True, name="bn", reuse=True)
    assert len(fg.global_variables()) == 4 and len(fg.get_collection(UPDATE_OPS)) == 4
    with pytest.raises(ValueError, match="undefined `axis` dimension"):
        layers.batch_normalization(fg.placeholder(fg.float32, [None, None]))
    with pytest.raises(ValueError, match="Invalid axis"):
        layers.batch_normalization(x, axis=3)


def test_batch_norm_trains_with_update_ops_as_control_dependencies():
    x = fg.placeholder(fg.float32, [None, 2])
    h = layers.batch_normalization(x, training=True, momentum=0.0)
    loss = fg.reduce_mean(fg.square(layers.dense(h, 1) - 1.0))
    with fg.control_dependencies(fg.get_collection(UPDATE_OPS)):
        train = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
    xv = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
    moving = fg.get_collection(fg.GraphKeys.GLOBAL_VARIABLES, "batch_normalization/moving_mean")
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(train, {x: xv})
        np.testing.assert_allclose(sess.run(moving[0]), [2.0, 4.0])


# --------------------------------------------------------------------------- dropout
def test_dropout_is_identity_unless_training():
    inputs = fg.ones([5, 5])
    out = layers.dropout(inputs, 0.5, training=False)
    assert out.op.name == "dropout/Identity"
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(out), np.ones((5, 5)))


def test_dropout_training_zeroes_and_scales():
    out = layers.dropout(fg.ones([100, 100]), rate=0.25, training=True, seed=1)
    with fg.Session() as sess:
        value = sess.run(out)
    assert set(np.unique(value)) == {0.0, np.float32(1 / 0.75)}
    assert 0.2 < np.mean(value == 0) < 0.3


def test_dropout_training_placeholder_and_rate_tensor():
    training = fg.placeholder(fg.bool, [])
    rate = fg.placeholder(fg.float32, [])
    layer = layers.Dropout(rate, seed=1)
    out = layer(fg.ones([20, 20]), training=training)
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {training: False, rate: 0.5}),
                                      np.ones((20, 20)))
        assert sess.run(out, {training: True, rate: 0.5}).min() == 0.0
        np.testing.assert_array_equal(sess.run(out, {training: True, rate: 0.0}),
                                      np.ones((20, 20)))


def test_dropout_noise_shape_with_none_entries():
    layer = layers.Dropout(0.5, noise_shape=[None, 1, None], seed=2)
    out = layer(fg.ones([5, 3, 2]), training=True)
    dynamic = layers.Dropout(0.5, noise_shape=[None, 1, None], seed=2)(
        fg.placeholder(fg.float32, [None, 3, 2]), training=True)
    with fg.Session() as sess:
        value = sess.run(out)
        value2 = sess.run(dynamic, {"Placeholder:0": np.ones((5, 3, 2))})
    assert value.min() == 0.0
    for v in (value, value2):
        np.testing.assert_array_equal(v[:, 0, :], v[:, 1, :])
        np.testing.assert_array_equal(v[:, 0, :], v[:, 2, :])


def test_dropout_layer_properties():
    layer = layers.Dropout(0.3, name="drop")
    assert (layer.rate, layer.noise_shape, layer.seed) == (0.3, None, None)
    layer.apply(fg.ones(()))
    assert layer.name == "drop" and layer.variables == []
