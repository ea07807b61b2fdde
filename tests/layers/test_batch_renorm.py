"""BatchNormalization's renorm, virtual_batch_size and adjustment against a real TF1 run.

The numbers below come from TensorFlow 2.21's `tf.compat.v1.layers.batch_normalization`
(tf_keras's v1 layer, graph mode) running exactly `_train` below with
``import tensorflow.compat.v1 as tf``: a batch-norm layer behind a trainable scalar, trained
with GradientDescent(0.1) on a squared error, UPDATE_OPS as control dependencies of the train
op, on the inputs of `_batches`. Recorded: every variable after the last step, the first 12
outputs of the last step, and the first 12 inference outputs on the first batch.
"""

import numpy as np
import pytest

import flowgraph as fg

UPDATE_OPS = fg.GraphKeys.UPDATE_OPS


def _batches(shape, n):
    size = int(np.prod(shape))
    out = []
    for k in range(n):
        base = np.sin(np.arange(size, dtype=np.float64) * (0.7 + 0.13 * k) + 1.0) * (1.5 + k)
        out.append((base.reshape(shape) + 0.3 * (k + 1) + np.arange(shape[-1]) * 0.5)
                   .astype(np.float32))
    return out


def _adjustment(shape):
    n = fg.cast(shape[-1], fg.float32)
    return (fg.fill(shape[-1:], 1.0 + 0.1 * n) * fg.constant([1.0, 0.8, 1.2]),
            fg.constant([0.1, -0.2, 0.3]) * n)


def _train(shape, training_values, **kwargs):
    x = fg.placeholder(fg.float32, shape)
    training = fg.placeholder(fg.bool, [])
    pre = fg.get_variable("pre", [], initializer=fg.ones_initializer())
    y = fg.layers.batch_normalization(x * pre, training=training, **kwargs)
    target = fg.constant(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape), fg.float32)
    loss = fg.reduce_mean(fg.square(y - target))
    updates = fg.get_collection(UPDATE_OPS)
    with fg.control_dependencies(updates):
        train = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
    variables = fg.global_variables()
    xs = _batches(shape, len(training_values))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        for xv, flag in zip(xs, training_values):
            out, _ = sess.run([y, train], {x: xv, training: flag})
        values = dict(zip([v.op.name.replace("batch_normalization/", "") for v in variables],
                          sess.run(variables)))
        infer = sess.run(y, {x: xs[0], training: False})
    return variables, updates, values, out, infer


SCENARIOS = {
    "renorm_clip": ((6, 3), [True] * 4, dict(
        renorm=True, momentum=0.6, renorm_momentum=0.5,
        renorm_clipping={"rmax": 1.6, "rmin": 0.95, "dmax": 0.5})),
    "renorm_flag": ((6, 3), [True, False, True, True], dict(
        renorm=True, momentum=0.7, renorm_momentum=0.6)),
    "renorm_nhwc": ((4, 2, 2, 3), [True] * 3, dict(
        renorm=True, momentum=0.5, renorm_momentum=0.8,
        renorm_clipping={"rmax": 2.0, "dmax": 1.0})),
    "vbs": ((8, 3), [True, True, False], dict(virtual_batch_size=2, momentum=0.5)),
    "vbs_3d": ((6, 2, 3), [True, True], dict(virtual_batch_size=3, momentum=0.5)),
    "vbs_renorm": ((8, 3), [True] * 3, dict(
        virtual_batch_size=4, renorm=True, momentum=0.5, renorm_momentum=0.5)),
    "adjust": ((6, 3), [True, False, True], dict(adjustment=_adjustment, momentum=0.5)),
    "adjust_renorm_noscale": ((6, 3), [True] * 3, dict(
        adjustment=_adjustment, renorm=True, scale=False, center=False, momentum=0.5,
        renorm_momentum=0.5)),
}

TF = {
    "renorm_clip": {
        "pre":
            [0.9995734],
        "gamma":
            [0.5023732, 0.4982239, 0.5754728],
        "beta":
            [-0.09884723, -0.08208164, -0.05921936],
        "moving_mean":
            [0.921406, 1.411065, 1.750523],
        "moving_variance":
            [6.728788, 5.933391, 3.224425],
        "moving_stddev":
            [2.594183, 2.43606, 1.795947],
        "renorm_mean":
            [1.022458, 1.569426, 1.947631],
        "renorm_stddev":
            [2.911116, 2.640012, 1.875005],
        "last":
            [0.9048918, 1.049573, 0.1113438, -0.9478605, -0.8770209, 0.4103984, 1.021289, 0.8708713,
             -0.2580926, -1.031834, -0.6695385, 0.7688274],
        "infer":
            [0.0251171, 0.09696701, 0.1207605, -0.2071364, -0.3947527, -0.6734002, -0.4757265,
             -0.3217758, -0.05408132, 0.02772033, 0.09625965, 0.114758],
    },
    "renorm_flag": {
        "pre":
            [0.3246351],
        "gamma":
            [0.5032799, 0.4979069, 0.5516611],
        "beta":
            [-0.1061452, -0.1199943, -0.1194115],
        "moving_mean":
            [0.2423981, 0.4072642, 0.5435472],
        "moving_variance":
            [1.062494, 1.005917, 0.7220775],
        "moving_stddev":
            [1.031259, 1.003453, 0.8503397],
        "renorm_mean":
            [0.2908124, 0.4816386, 0.6356341],
        "renorm_stddev":
            [1.056368, 1.001316, 0.8032642],
        "last":
            [0.9568335, 0.6446184, -0.04709366, -0.9938523, -0.6546584, 0.1276739, 1.079383,
             0.5241035, -0.2629923, -1.082264, -0.5147343, 0.3371398],
        "infer":
            [0.02305894, 0.0463981, 0.01513818, -0.167031, -0.3410496, -0.507063, -0.3868611,
             -0.2835479, -0.09982926, 0.02518959, 0.04584077, 0.01119119],
    },
    "renorm_nhwc": {
        "pre":
            [0.9995938],
        "gamma":
            [0.4860502, 0.425256, 0.4463783],
        "beta":
            [-0.0975738, -0.1477625, -0.1469973],
        "moving_mean":
            [0.7289191, 1.218152, 1.596853],
        "moving_variance":
            [3.579245, 4.311255, 3.550307],
        "moving_stddev":
            [1.892153, 2.076597, 1.884491],
        "renorm_mean":
            [0.3638, 0.6316702, 0.8462359],
        "renorm_stddev":
            [1.408812, 1.487525, 1.40275],
        "last":
            [2.079836, 1.919402, 0.8893359, -1.029951, -1.177771, -0.4095739, 1.294435, 2.025749,
             1.758631, -0.08639517, -1.066146, -1.131341],
        "infer":
            [0.1163153, 0.07103315, 0.02245957, -0.1917693, -0.4213329, -0.5646172, -0.5480547,
             -0.3482601, -0.1067908, 0.1197685, 0.0703249, 0.01802224],
    },
    "vbs": {
        "pre":
            [0.4427631],
        "gamma":
            [0.7069638, 0.6482366, 0.6492968],
        "beta":
            [-0.05376765, -0.02966, -0.005356729],
        "moving_mean":
            [0.4394946, 0.842255, 1.187855],
        "moving_variance":
            [1.63104, 2.143303, 2.178697],
        "last":
            [2.26817, 2.255602, 0.8834404, -1.280393, -1.732597, -0.5284631, 1.371953, 2.392544,
             1.828356, -0.2037067, -1.588859, -1.313018],
        "infer":
            [0.0857935, 0.04584557, -0.07733196, -0.2081914, -0.4255964, -0.560145, -0.5481709,
             -0.355629, -0.1836277, 0.08908862, 0.04516742, -0.08098119],
    },
    "vbs_3d": {
        "pre":
            [0.9997374],
        "gamma":
            [0.8596564, 0.8580399, 0.8644128],
        "beta":
            [-0.007365081, 7.45058e-10, 0.007365073],
        "moving_mean":
            [0.4397103, 0.7645528, 1.080001],
        "moving_variance":
            [1.986722, 2.286108, 2.14488],
        "last":
            [0.8994219, 1.14808, 0.962575, -0.4126332, -1.019644, -1.480617, -0.7125574, 0.601485,
             1.047939, 1.393901, 0.0910784, -0.6894166],
        "infer":
            [0.6768193, 0.8637279, 0.7347023, -0.05458021, -0.500593, -0.7280363, -0.9004092,
             -0.2981121, 0.4126669, 0.6850173, 0.8617653, 0.7236465],
    },
    "vbs_renorm": {
        "pre":
            [0.9995652],
        "gamma":
            [0.6086758, 0.6153981, 0.5818172],
        "beta":
            [-0.09890744, -0.1154675, -0.1270465],
        "moving_mean":
            [0.8598729, 1.216898, 1.463523],
        "moving_variance":
            [2.430602, 1.520459, 1.383825],
        "moving_stddev":
            [1.559359, 1.233474, 1.176786],
        "renorm_mean":
            [0.8598729, 1.216898, 1.463523],
        "renorm_stddev":
            [1.559359, 1.233474, 1.176786],
        "last":
            [1.758418, 0.5319693, -0.4932867, -0.9959252, -0.2090467, 0.7170872, 0.9836802,
             0.6595221, 0.06463373, -0.0844456, -0.1158233, 0.0148316],
        "infer":
            [0.1749744, 0.4181736, 0.2925442, -0.2931624, -0.7813357, -0.9328127, -0.8345404,
             -0.6033146, 0.02277046, 0.1802215, 0.4164481, 0.2832825],
    },
    "adjust": {
        "pre":
            [0.3862098],
        "gamma":
            [0.5551876, 0.5537674, 0.471963],
        "beta":
            [-0.09244692, 0.0009780135, -0.1211446],
        "moving_mean":
            [0.3246279, 0.4925094, 0.6420922],
        "moving_variance":
            [0.7487613, 1.242754, 1.038625],
        "last":
            [1.353193, 0.2581217, 0.817812, -1.216995, -1.153916, -0.0483742, 0.7040721, 0.3066066,
             1.397507, -0.4371619, -1.103025, -0.5296893],
        "infer":
            [0.08625659, 0.1951002, -0.00482899, -0.2108574, -0.2661641, -0.4480855, -0.5544558,
             -0.1977071, -0.102416, 0.08958682, 0.1944366, -0.008179277],
    },
    "adjust_renorm_noscale": {
        "pre":
            [0.9990962],
        "moving_mean":
            [0.9149282, 1.228983, 1.431563],
        "moving_variance":
            [2.432986, 5.141797, 3.902073],
        "moving_stddev":
            [1.560124, 2.267774, 1.97562],
        "renorm_mean":
            [0.9149282, 1.228983, 1.431563],
        "renorm_stddev":
            [1.560124, 2.267774, 1.97562],
        "last":
            [3.348067, 2.038842, 2.557136, -1.540693, -2.763031, -0.2037347, 2.113373, 2.203723,
             4.404847, -0.05737089, -2.589967, -1.737872],
        "infer":
            [0.4139841, 0.465852, 0.4451976, -0.3543852, -0.5938263, -0.8087122, -1.242968,
             -0.4365579, 0.1691378, 0.4225965, 0.4643276, 0.4357201],
    },
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_training_matches_tf1(name):
    shape, training_values, kwargs = SCENARIOS[name]
    variables, updates, values, last, infer = _train(shape, training_values, **kwargs)
    expected = TF[name]
    assert len(updates) == 2  # moving mean, moving variance (renorm: via moving_stddev)
    assert list(values) == [k for k in expected if k not in ("last", "infer")]
    for key, value in values.items():
        np.testing.assert_allclose(np.ravel(value), expected[key], rtol=2e-5, atol=2e-5,
                                   err_msg=key)
    np.testing.assert_allclose(last.ravel()[:12], expected["last"], rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(infer.ravel()[:12], expected["infer"], rtol=2e-5, atol=2e-5)


def _op_types():
    return {op.type for op in fg.get_default_graph().get_operations()}


def test_renorm_variables_in_tf1_order_and_not_fused():
    x = fg.placeholder(fg.float32, [None, 2, 2, 3])
    layer = fg.layers.BatchNormalization(renorm=True)
    layer(x, training=True)
    assert [(v.op.name, v.shape.as_list()) for v in fg.global_variables()] == [
        ("batch_normalization/gamma", [3]), ("batch_normalization/beta", [3]),
        ("batch_normalization/moving_mean", [3]), ("batch_normalization/moving_variance", [3]),
        ("batch_normalization/moving_stddev", [3]), ("batch_normalization/renorm_mean", [3]),
        ("batch_normalization/renorm_stddev", [3])]
    assert [v.op.name for v in fg.trainable_variables()] == [
        "batch_normalization/gamma", "batch_normalization/beta"]
    # TF1's v1 layer falls back to the plain kernel (no error) for renorm, even on 4-D.
    assert not layer.fused and not any(t.startswith("FusedBatchNorm") for t in _op_types())
    assert {"renorm_r", "renorm_d"} <= {op.name.split("/")[-1]
                                        for op in fg.get_default_graph().get_operations()}


def test_renorm_initial_values_come_from_the_moving_initializers():
    x = fg.placeholder(fg.float32, [None, 2])
    layer = fg.layers.BatchNormalization(
        renorm=True, moving_mean_initializer=fg.constant_initializer([1.0, -2.0]),
        moving_variance_initializer=fg.constant_initializer([4.0, 0.25]))
    layer(x, training=True)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        stddev, mean, renorm_stddev = sess.run(
            [layer.moving_stddev, layer.renorm_mean, layer.renorm_stddev])
    np.testing.assert_allclose(stddev, [2.0, 0.5])
    np.testing.assert_allclose(renorm_stddev, [2.0, 0.5])
    np.testing.assert_allclose(mean, [1.0, -2.0])


def test_renorm_first_step_by_hand():
    # Step one, renorm averages at their initial values (mean 0, stddev 1): r = batch stddev,
    # d = batch mean; clipped to [rmin, rmax] and [-dmax, dmax]; the output is
    # x_hat * r + d with x_hat the batch-normalized input (gamma 1, beta 0).
    xv = np.array([[0.0, 10.0], [2.0, 14.0], [4.0, 12.0], [6.0, 16.0]], np.float32)
    x = fg.placeholder(fg.float32, [4, 2])
    layer = fg.layers.BatchNormalization(renorm=True, epsilon=0.01, renorm_momentum=0.75,
                                         momentum=0.5,
                                         renorm_clipping={"rmax": 2.0, "dmax": 5.0})
    y = layer(x, training=True)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        out, _ = sess.run([y, fg.get_collection(UPDATE_OPS)], {x: xv})
        renorm_mean, renorm_stddev, moving_stddev, moving_var = sess.run(
            [layer.renorm_mean, layer.renorm_stddev, layer.moving_stddev,
             layer.moving_variance])
    mean, var = xv.mean(0).astype(np.float64), xv.var(0).astype(np.float64)
    std = np.sqrt(var + 0.01)
    r, d = np.minimum(std, 2.0), np.clip(mean, -5.0, 5.0)
    np.testing.assert_allclose(out, (xv - mean) / std * r + d, rtol=1e-5)
    np.testing.assert_allclose(renorm_mean, 0.25 * mean, rtol=1e-6)
    np.testing.assert_allclose(renorm_stddev, 0.75 + 0.25 * std, rtol=1e-6)
    np.testing.assert_allclose(moving_stddev, 0.5 + 0.5 * std, rtol=1e-6)
    np.testing.assert_allclose(moving_var, (0.5 + 0.5 * std) ** 2 - 0.01, rtol=1e-6)


def test_renorm_inference_only_adds_no_updates():
    x = fg.placeholder(fg.float32, [None, 3])
    y = fg.layers.batch_normalization(x, renorm=True, training=False)
    assert fg.get_collection(UPDATE_OPS) == []
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y, {x: xv}), xv / np.sqrt(1.0 + 1e-3), rtol=1e-6)


def test_renorm_variables_shared_with_reuse():
    x = fg.placeholder(fg.float32, [None, 3])
    fg.layers.batch_normalization(x, renorm=True, training=True, name="bn")
    fg.layers.batch_normalization(x, renorm=True, training=True, name="bn", reuse=True)
    assert len(fg.global_variables()) == 7 and len(fg.get_collection(UPDATE_OPS)) == 4


def test_virtual_batch_variables_have_an_extra_dimension():
    x = fg.placeholder(fg.float32, [None, 5, 3])
    y = fg.layers.batch_normalization(x, virtual_batch_size=2, training=True)
    assert y.shape.as_list() == [None, 5, 3]
    assert [v.shape.as_list() for v in fg.global_variables()] == [[1, 1, 1, 3]] * 4


def test_virtual_batches_are_strided_rows_as_tf1_graph_mode():
    # [4, 1] reshaped to [2, 2, 1]: rows (0, 2) and (1, 3) are the two virtual batches.
    xv = np.array([[0.0], [10.0], [2.0], [30.0]], np.float32)
    x = fg.placeholder(fg.float32, [4, 1])
    y = fg.layers.batch_normalization(x, virtual_batch_size=2, training=True, epsilon=0.0)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y, {x: xv}), [[-1.0], [-1.0], [1.0], [1.0]],
                                   rtol=1e-6)


def test_virtual_batches_with_unknown_inner_dimensions():
    x = fg.placeholder(fg.float32, [None, None, 2])
    y = fg.layers.batch_normalization(x, virtual_batch_size=2, training=True, epsilon=0.0)
    assert y.shape.as_list() == [None, None, 2]
    xv = np.arange(12, dtype=np.float32).reshape(2, 3, 2) ** 2
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        out = sess.run(y, {x: xv})
    # One virtual batch of both rows: statistics over rows and the middle axis per channel.
    mean, std = xv.mean(axis=(0, 1)), xv.std(axis=(0, 1))
    np.testing.assert_allclose(out, (xv - mean) / std, rtol=1e-5, atol=1e-6)


def test_virtual_batch_size_must_divide_the_batch():
    x = fg.placeholder(fg.float32, [None, 3])
    y = fg.layers.batch_normalization(x, virtual_batch_size=2, training=True)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        with pytest.raises(fg.errors.InvalidArgumentError, match="reshape"):
            sess.run(y, {x: np.ones((5, 3), np.float32)})


def test_adjustment_receives_the_dynamic_input_shape():
    seen = []

    def adjustment(shape):
        seen.append(shape)
        return fg.constant([2.0, 2.0]), fg.constant([1.0, -1.0])

    x = fg.placeholder(fg.float32, [None, 2])
    y = fg.layers.batch_normalization(x, adjustment=adjustment, training=True, epsilon=0.0,
                                      center=False, gamma_initializer=fg.constant_initializer(3))
    xv = np.array([[1.0, 0.0], [3.0, 4.0]], np.float32)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        out, shape = sess.run([y, seen[0]], {x: xv})
    np.testing.assert_array_equal(shape, [2, 2])
    # (x_hat * 2 + bias) * gamma
    np.testing.assert_allclose(out, (np.array([[-1.0, -1.0], [1.0, 1.0]]) * 2 + [1, -1]) * 3,
                               rtol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    (dict(renorm=True, renorm_clipping={"rmax": 2.0, "max": 1.0}), "renorm_clipping"),
    (dict(virtual_batch_size=0), "virtual_batch_size must be a positive integer"),
    (dict(virtual_batch_size=2, axis=0), "axis cannot include 0"),
    (dict(virtual_batch_size=2, adjustment=lambda s: (1.0, 0.0)), "adjustment cannot"),
])
def test_invalid_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fg.layers.batch_normalization(fg.placeholder(fg.float32, [4, 3]), training=True,
                                      **kwargs)
