"""tf.contrib.layers: separable_conv2d, group_norm, instance_norm, maxout, optimize_loss and
adaptive_clipping_fn. Values are checked against numpy references written here (or numbers
produced by TF 1.15's contrib code, hard-coded); variable names, scopes and summary tags are
the ones TF 1.15 creates."""

import numpy as np
import pytest

import flowgraph as tf

L = tf.contrib.layers


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield


def _run(fetches, feed=None):
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        return s.run(fetches, feed)


def _names(variables):
    return [v.name for v in variables]


# ------------------------------------------------------------------ numpy references
def _same_pads(size, k, s, r):
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * r + 1 - size, 0)
    return out, total // 2


def _np_depthwise(x, w, stride, rate, padding):
    """x [n, h, w, c], w [kh, kw, c, m] -> [n, oh, ow, c * m] (channel-major)."""
    n, h, wd, c = x.shape
    kh, kw, _, m = w.shape
    if padding == "SAME":
        oh, ph = _same_pads(h, kh, stride, rate)
        ow, pw = _same_pads(wd, kw, stride, rate)
    else:
        oh = (h - (kh - 1) * rate - 1) // stride + 1
        ow = (wd - (kw - 1) * rate - 1) // stride + 1
        ph = pw = 0
    out = np.zeros((n, oh, ow, c, m), np.float64)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    yi, xj = i * stride + a * rate - ph, j * stride + b * rate - pw
                    if 0 <= yi < h and 0 <= xj < wd:
                        out[:, i, j] += x[:, yi, xj, :, None] * w[a, b]
    return out.reshape(n, oh, ow, c * m)


def _np_group_norm(x, groups, eps=1e-6):
    n, h, w, c = x.shape
    g = x.reshape(n, h, w, groups, c // groups).astype(np.float64)
    mean = g.mean(axis=(1, 2, 4), keepdims=True)
    var = g.var(axis=(1, 2, 4), keepdims=True)
    return ((g - mean) / np.sqrt(var + eps)).reshape(x.shape)


# ------------------------------------------------------------------ separable_conv2d
def test_separable_conv2d_values_variables_and_collections():
    rng = np.random.RandomState(0)
    xv = rng.randn(2, 5, 6, 3).astype(np.float32)
    dw = rng.randn(3, 3, 3, 2).astype(np.float32)
    pw = rng.randn(1, 1, 6, 4).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 5, 6, 3])
    y = L.separable_conv2d(x, 4, [3, 3], depth_multiplier=2, stride=2,
                           weights_initializer=tf.constant_initializer(dw),
                           pointwise_initializer=tf.constant_initializer(pw),
                           biases_initializer=tf.constant_initializer(0.25),
                           activation_fn=None, outputs_collections="outs",
                           variables_collections=["mine"])
    assert y.shape.as_list() == [None, 3, 3, 4]
    assert _names(tf.global_variables()) == [
        "SeparableConv2d/depthwise_weights:0", "SeparableConv2d/pointwise_weights:0",
        "SeparableConv2d/biases:0"]
    assert [v.shape.as_list() for v in tf.global_variables()] == [[3, 3, 3, 2], [1, 1, 6, 4],
                                                                  [4]]
    assert _names(tf.model_variables()) == _names(tf.global_variables())
    assert _names(tf.trainable_variables()) == _names(tf.global_variables())
    assert _names(tf.get_collection("mine")) == _names(tf.global_variables())
    assert tf.get_collection("outs") == [y]
    got = _run(y, {x: xv})
    want = np.einsum("nhwc,co->nhwo", _np_depthwise(xv, dw, 2, 1, "SAME"), pw[0, 0]) + 0.25
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_separable_conv2d_depthwise_only_with_rate_and_relu():
    rng = np.random.RandomState(1)
    xv = rng.randn(1, 7, 7, 2).astype(np.float32)
    dw = rng.randn(3, 3, 2, 3).astype(np.float32)
    y = L.separable_conv2d(tf.constant(xv), None, 3, depth_multiplier=3, rate=2,
                           padding="VALID", weights_initializer=tf.constant_initializer(dw),
                           biases_initializer=tf.constant_initializer(-0.5))
    assert y.name == "SeparableConv2d/Relu:0"
    assert y.shape.as_list() == [1, 3, 3, 6]
    assert _names(tf.global_variables()) == ["SeparableConv2d/depthwise_weights:0",
                                             "SeparableConv2d/biases:0"]
    assert tf.global_variables()[1].shape.as_list() == [6]
    want = np.maximum(_np_depthwise(xv, dw, 1, 2, "VALID") - 0.5, 0.0)
    np.testing.assert_allclose(_run(y), want, rtol=1e-5, atol=1e-5)


def test_separable_conv2d_nchw_matches_nhwc():
    rng = np.random.RandomState(2)
    xv = rng.randn(2, 4, 4, 3).astype(np.float32)
    init = tf.constant_initializer(rng.randn(2, 2, 3, 1).astype(np.float32))
    pinit = tf.constant_initializer(rng.randn(1, 1, 3, 5).astype(np.float32))
    nhwc = L.separable_conv2d(tf.constant(xv), 5, 2, weights_initializer=init,
                              pointwise_initializer=pinit,
                              biases_initializer=tf.constant_initializer(0.1))
    nchw = L.separable_conv2d(tf.constant(xv.transpose(0, 3, 1, 2)), 5, 2,
                              data_format="NCHW", weights_initializer=init,
                              pointwise_initializer=pinit,
                              biases_initializer=tf.constant_initializer(0.1))
    assert nchw.shape.as_list() == [2, 5, 4, 4]
    a, b = _run([nhwc, nchw])
    np.testing.assert_allclose(b, a.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-6)


def test_separable_conv2d_regularizer_normalizer_reuse_and_alias():
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    L.separable_conv2d(x, 3, 3, weights_regularizer=L.l2_regularizer(0.5), scope="sep")
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 2  # both kernels
    before = _names(tf.global_variables())
    again = L.separable_convolution2d(x, 3, 3, scope="sep", reuse=True)
    assert _names(tf.global_variables()) == before  # the kernels and biases are reused
    assert again.name == "sep_1/Relu:0"
    out = L.separable_conv2d(x, 3, 3, normalizer_fn=L.batch_norm, scope="bn")
    # the normalizer replaces the biases
    assert [n for n in _names(tf.global_variables()) if n.startswith("bn/")] == [
        "bn/depthwise_weights:0", "bn/pointwise_weights:0", "bn/BatchNorm/beta:0",
        "bn/BatchNorm/moving_mean:0", "bn/BatchNorm/moving_variance:0"]
    assert out.shape.as_list() == [None, 4, 4, 3]
    assert L.separable_convolution2d is L.separable_conv2d


def test_separable_conv2d_errors():
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    with pytest.raises(ValueError, match="data_format"):
        L.separable_conv2d(x, 3, 3, data_format="NWHC")
    with pytest.raises(ValueError, match="channel"):
        L.separable_conv2d(tf.placeholder(tf.float32, [None, 4, 4, None]), 3, 3)
    with pytest.raises(ValueError, match="4-D"):
        L.separable_conv2d(tf.placeholder(tf.float32, [None, 4, 2]), 3, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        L.separable_conv2d(x, 3, [3, 3, 3])
    with pytest.raises(ValueError, match="padding"):
        L.separable_conv2d(x, 3, 3, padding="FULL")


# ------------------------------------------------------------------ group_norm
def test_group_norm_values_and_variables():
    rng = np.random.RandomState(3)
    xv = (rng.randn(2, 3, 3, 6) * 3 + 1).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 3, 3, 6])
    y = L.group_norm(x, groups=3, outputs_collections="outs")
    assert _names(tf.global_variables()) == ["GroupNorm/beta:0", "GroupNorm/gamma:0"]
    assert _names(tf.model_variables()) == ["GroupNorm/beta:0", "GroupNorm/gamma:0"]
    assert tf.get_collection("outs") == [y]
    assert y.shape.as_list() == [None, 3, 3, 6]
    np.testing.assert_allclose(_run(y, {x: xv}), _np_group_norm(xv, 3), rtol=1e-4,
                               atol=1e-4)


def test_group_norm_params_nchw_and_mean_close_to_zero():
    rng = np.random.RandomState(4)
    xv = rng.randn(2, 4, 3, 2).astype(np.float32)  # NCHW, 4 channels
    gamma = np.array([1.0, 2.0, -1.0, 0.5], np.float32)
    beta = np.array([0.0, 0.5, 1.0, -2.0], np.float32)
    inits = {"gamma": tf.constant_initializer(gamma), "beta": tf.constant_initializer(beta)}
    y = L.group_norm(tf.constant(xv), groups=2, channels_axis=-3, reduction_axes=(-2, -1),
                     param_initializers=inits, activation_fn=tf.nn.relu,
                     variables_collections={"beta": ["betas"]})
    y2 = L.group_norm(tf.constant(xv), groups=2, channels_axis=-3, reduction_axes=(-2, -1),
                      param_initializers=inits, activation_fn=tf.nn.relu,
                      mean_close_to_zero=True)
    assert _names(tf.get_collection("betas")) == ["GroupNorm/beta:0"]
    assert "GroupNorm_1/gamma:0" in _names(tf.global_variables())
    norm = _np_group_norm(xv.transpose(0, 2, 3, 1), 2).transpose(0, 3, 1, 2)
    want = np.maximum(norm * gamma[:, None, None] + beta[:, None, None], 0)
    a, b = _run([y, y2])
    np.testing.assert_allclose(a, want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(b, want, rtol=1e-4, atol=1e-4)


def test_group_norm_no_params_gradient():
    xv = np.random.RandomState(5).randn(1, 2, 2, 4)
    x = tf.constant(xv)
    y = L.group_norm(x, groups=2, center=False, scale=False)
    assert tf.global_variables() == []
    (g,) = tf.gradients(tf.reduce_sum(y * np.arange(16.0).reshape(1, 2, 2, 4)), [x])
    got = _run(g)
    eps = 1e-6
    num = np.zeros_like(xv)
    weights = np.arange(16.0).reshape(1, 2, 2, 4)
    for idx in np.ndindex(*xv.shape):
        d = np.zeros_like(xv)
        d[idx] = eps
        num[idx] = ((_np_group_norm(xv + d, 2) * weights).sum()
                    - (_np_group_norm(xv - d, 2) * weights).sum()) / (2 * eps)
    np.testing.assert_allclose(got, num, rtol=1e-4, atol=1e-5)


def test_group_norm_errors():
    x = tf.placeholder(tf.float32, [None, 4, 4, 6])
    with pytest.raises(ValueError, match="commensurate"):
        L.group_norm(x, groups=4)
    with pytest.raises(ValueError, match="Invalid groups 8 for 6 channels"):
        L.group_norm(x, groups=8)
    with pytest.raises(ValueError, match="mutually exclusive"):
        L.group_norm(x, groups=2, reduction_axes=(-2, -1))
    with pytest.raises(ValueError, match="out of bounds"):
        L.group_norm(x, groups=2, channels_axis=4)
    with pytest.raises(ValueError, match="undefined rank"):
        L.group_norm(tf.placeholder(tf.float32), groups=2)
    with pytest.raises(ValueError, match="undefined dimensions"):
        L.group_norm(tf.placeholder(tf.float32, [2, None, 4, 6]), groups=2)


# ------------------------------------------------------------------ instance_norm
def test_instance_norm_values_nhwc_and_nchw():
    rng = np.random.RandomState(6)
    xv = (rng.randn(2, 3, 4, 3) * 2 - 1).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 3, 4, 3])
    y = L.instance_norm(x)
    gamma = np.array([2.0, -1.0, 0.5], np.float32)
    y2 = L.instance_norm(tf.constant(xv.transpose(0, 3, 1, 2)), data_format="NCHW",
                         param_initializers={"gamma": tf.constant_initializer(gamma)},
                         center=False)
    assert y.name.startswith("InstanceNorm/instancenorm/")
    assert _names(tf.global_variables()) == ["InstanceNorm/beta:0", "InstanceNorm/gamma:0",
                                             "InstanceNorm_1/gamma:0"]
    mean = xv.mean(axis=(1, 2), keepdims=True)
    var = xv.var(axis=(1, 2), keepdims=True)
    norm = (xv - mean) / np.sqrt(var + 1e-6)
    a, b = _run([y, y2], {x: xv})
    np.testing.assert_allclose(a, norm, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(b, (norm * gamma).transpose(0, 3, 1, 2), rtol=1e-4,
                               atol=1e-4)


def test_instance_norm_errors():
    with pytest.raises(ValueError, match="undefined rank"):
        L.instance_norm(tf.placeholder(tf.float32))
    with pytest.raises(ValueError, match="data_format"):
        L.instance_norm(tf.placeholder(tf.float32, [1, 2, 2, 3]), data_format="NCWH")
    with pytest.raises(ValueError, match="undefined channels"):
        L.instance_norm(tf.placeholder(tf.float32, [1, 2, 2, None]))


# ------------------------------------------------------------------ maxout
def test_maxout_last_axis_and_dynamic_batch():
    xv = np.random.RandomState(7).randn(3, 2, 6).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 2, 6])
    y = L.maxout(x, 3)
    assert y.name == "MaxOut/Max:0"
    assert y.shape.as_list() == [None, 2, 3]
    want = np.stack([xv[..., 2 * i:2 * i + 2].max(-1) for i in range(3)], -1)
    np.testing.assert_array_equal(_run(y, {x: xv}), want)


def test_maxout_other_axis_as_tf():
    xv = (np.arange(24) * 7 % 11).astype(np.float32).reshape(2, 4, 3)
    got = _run(L.maxout(tf.constant(xv), 2, axis=1))
    # TF 1.15 tf.contrib.layers.maxout(x, 2, axis=1) (reshape to [2, 2, 3, 2], max last)
    want = np.array([[[7, 10, 6], [9, 8, 4]], [[7, 10, 9], [5, 8, 7]]], np.float32)
    np.testing.assert_array_equal(got, want)


def test_maxout_errors():
    with pytest.raises(ValueError, match=r"number of features\(5\) is not a multiple of "
                                         r"num_units\(2\)"):
        L.maxout(tf.placeholder(tf.float32, [None, 5]), 2)
    with pytest.raises(ValueError, match="known"):
        L.maxout(tf.placeholder(tf.float32, [None, None]), 2)
    with pytest.raises(ValueError, match="num_units"):
        L.maxout(tf.placeholder(tf.float32, [None, 4]), 0)


# ------------------------------------------------------------------ optimize_loss
_X = np.array([[1., 2.], [3., 4.], [5., 7.], [2., -1.]], np.float32)
_Y = _X @ np.array([[2.], [-1.]], np.float32) + 0.5


def _least_squares():
    w = tf.get_variable("w", [2, 1], initializer=tf.zeros_initializer())
    b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(tf.matmul(tf.constant(_X), w) + b - tf.constant(_Y)))
    return w, b, loss


def test_optimize_loss_trains_least_squares_to_solution():
    w, b, loss = _least_squares()
    gs = tf.train.get_or_create_global_step()
    train = L.optimize_loss(loss, gs, 0.1, "Adam")
    assert train.name == "OptimizeLoss/control_dependency:0"
    assert _names(tf.global_variables())[:4] == ["w:0", "b:0", "global_step:0",
                                                 "OptimizeLoss/learning_rate:0"]
    assert "OptimizeLoss/learning_rate:0" not in _names(tf.trainable_variables())
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        for _ in range(1500):
            s.run(train)
        wv, bv, step, lv = s.run([w, b, gs, loss])
    np.testing.assert_allclose(wv.ravel(), [2.0, -1.0], atol=1e-2)
    np.testing.assert_allclose(bv, [0.5], atol=2e-2)
    assert step == 1500 and lv < 1e-3


def test_optimize_loss_clipping_and_summaries_as_tf():
    w, b, loss = _least_squares()
    gs = tf.train.get_or_create_global_step()
    train = L.optimize_loss(loss, gs, 0.02, "SGD", clip_gradients=1.0,
                            summaries=list(L.OPTIMIZER_SUMMARIES))
    tags = [t.op.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)]
    assert tags == ["OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/loss",
                    "OptimizeLoss/gradients/w_0", "OptimizeLoss/gradient_norm/w_0",
                    "OptimizeLoss/gradients/b_0", "OptimizeLoss/gradient_norm/b_0",
                    "OptimizeLoss/global_norm/clipped_gradient_norm"]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        losses = [s.run(train) for _ in range(3)]
        wv, bv, step = s.run([w, b, gs])
    # TF 1.15 contrib optimize_loss, same problem and arguments
    np.testing.assert_allclose(losses, [12.25, 11.772495, 11.314832], rtol=1e-5)
    np.testing.assert_allclose(wv.ravel(), [0.04528424, 0.03639648], rtol=1e-5)
    np.testing.assert_allclose(bv, [0.01497747], rtol=1e-5)
    assert step == 3
    # hand check of one step: the gradient (norm > 1) is scaled to norm 1
    g = np.concatenate([(2 * _X.T @ (-_Y) / 4).ravel(), [2 * (-_Y).mean()]])
    assert np.linalg.norm(g) > 1.0
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(train)
        one = np.concatenate([s.run(w).ravel(), s.run(b)])
    np.testing.assert_allclose(one, -0.02 * g / np.linalg.norm(g), rtol=1e-5)


def test_optimize_loss_default_summaries_and_decay():
    _, _, loss = _least_squares()
    gs = tf.train.get_or_create_global_step()
    L.optimize_loss(loss, gs, 0.1, "SGD")
    # as TF 1.15: the learning rate is summarized only with a learning_rate_decay_fn
    assert [t.op.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)] == [
        "OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/loss"]
    decayed = []
    train = L.optimize_loss(
        loss, gs, 0.5, tf.train.GradientDescentOptimizer, name="second",
        learning_rate_decay_fn=lambda lr, step: decayed.append(lr) or lr * 0.5)
    assert decayed[0].name == "second/learning_rate:0"
    assert "second/learning_rate_1" in [t.op.name
                                        for t in tf.get_collection(tf.GraphKeys.SUMMARIES)]
    assert train.name == "second/control_dependency:0"


def test_optimize_loss_optimizer_forms_and_options():
    w, b, loss = _least_squares()
    counter = tf.get_variable("counter", [], initializer=tf.zeros_initializer(),
                              trainable=False)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, counter.assign_add(1.0))
    gs = tf.train.get_or_create_global_step()
    sgd = L.optimize_loss(loss, gs, None, tf.train.GradientDescentOptimizer(0.01),
                          variables=[w], name="inst")
    by_fn = L.optimize_loss(loss, gs, tf.constant(0.01),
                            lambda lr: tf.train.GradientDescentOptimizer(lr), name="fn",
                            gradient_multipliers={b: 0.0, "w:0": 2.0},
                            increment_global_step=False, update_ops=[])
    mom = L.optimize_loss(loss, gs, 0.01, "Momentum", name="mom", variables=[b])
    assert "mom/b/Momentum:0" in _names(tf.global_variables())
    grad_w = (2 * _X.T @ (-_Y) / 4).ravel()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(sgd)
        np.testing.assert_allclose(s.run(w).ravel(), -0.01 * grad_w, rtol=1e-5)
        assert s.run(b) == 0.0 and s.run(counter) == 1.0 and s.run(gs) == 1
        s.run(tf.global_variables_initializer())
        s.run(by_fn)  # b's gradient is multiplied by 0, w's by 2; no step, no update op
        np.testing.assert_allclose(s.run(w).ravel(), -0.02 * grad_w, rtol=1e-5)
        assert s.run(b) == 0.0 and s.run(counter) == 0.0 and s.run(gs) == 0
        s.run(tf.global_variables_initializer())
        s.run(mom)
        s.run(mom)  # momentum 0.9: b moves by -lr * g, then by -lr * (1.9 g) (g ~ constant)
        g_b = 2 * (-_Y).mean()
        assert abs(s.run(b)[0] - (-0.01 * g_b * 2.9)) < 0.02 * abs(g_b)


def test_optimize_loss_gradient_noise():
    w = tf.get_variable("w", [50], initializer=tf.zeros_initializer())
    loss = tf.reduce_sum(w * np.arange(50.0, dtype=np.float32))
    train = L.optimize_loss(loss, None, 1.0, "SGD", gradient_noise_scale=0.1)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(train)
        wv = s.run(w)
    noise = wv + np.arange(50.0)  # the update is -(grad + noise)
    assert np.all(np.abs(noise) <= 0.2 + 1e-5) and np.std(noise) > 0.01


def test_optimize_loss_adaptive_clipping():
    w = tf.get_variable("w", [2], initializer=tf.constant_initializer([3.0, -4.0]))
    loss = tf.reduce_sum(tf.square(w))
    gs = tf.train.get_or_create_global_step()
    train = L.optimize_loss(loss, gs, 0.1, "SGD",
                            clip_gradients=L.adaptive_clipping_fn(static_max_norm=5.0,
                                                                  global_step=gs))
    assert _names(tf.global_variables())[-2:] == ["OptimizeLoss/AdaptiveMaxNorm/mean:0",
                                                  "OptimizeLoss/AdaptiveMaxNorm/sq_mean:0"]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        got = []
        for _ in range(4):
            s.run(train)
            got.append(s.run(w))
    # TF 1.15: the gradient (norm 10, then 9, 8, 7) is capped at norm 5 each step
    want = [[2.7, -3.6], [2.4, -3.2], [2.1, -2.8], [1.8, -2.4]]
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_optimize_loss_errors():
    _, _, loss = _least_squares()
    gs = tf.train.get_or_create_global_step()
    with pytest.raises(ValueError, match="Optimizer name should be one of"):
        L.optimize_loss(loss, gs, 0.1, "Sgd")
    with pytest.raises(ValueError, match="Learning rate should be 0d Tensor or float"):
        L.optimize_loss(loss, gs, 1, "SGD")
    with pytest.raises(ValueError, match="Invalid learning_rate"):
        L.optimize_loss(loss, gs, -0.1, "SGD")
    with pytest.raises(ValueError, match="Learning rate is None"):
        L.optimize_loss(loss, gs, None, "SGD")
    with pytest.raises(ValueError, match="Summaries should be one of"):
        L.optimize_loss(loss, gs, 0.1, "SGD", summaries=["weights"])
    with pytest.raises(ValueError, match="Unknown type"):
        L.optimize_loss(loss, gs, 0.1, "SGD", clip_gradients=1)
    with pytest.raises(ValueError, match="Unrecognized optimizer"):
        L.optimize_loss(loss, gs, 0.1, 3)
    with pytest.raises(ValueError, match="function should return"):
        L.optimize_loss(loss, gs, 0.1, lambda lr: None)
    with pytest.raises(ValueError, match="scalar"):
        L.optimize_loss(tf.constant([1.0, 2.0]), gs, 0.1, "SGD")
    with pytest.raises(TypeError, match="integer"):
        L.optimize_loss(loss, tf.constant(1.0), 0.1, "SGD")


def test_optimize_loss_decay_needs_global_step():
    _, _, loss = _least_squares()
    with pytest.raises(ValueError, match="global_step is required"):
        L.optimize_loss(loss, None, 0.1, "SGD", learning_rate_decay_fn=lambda lr, g: lr)


def test_optimize_loss_sparse_gradients():
    emb = tf.get_variable("emb", [4, 2], initializer=tf.zeros_initializer())
    coef = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    loss = tf.reduce_sum(tf.gather(emb, [0, 2]) * coef)
    train = L.optimize_loss(loss, None, 0.1, "SGD", gradient_multipliers={emb: 2.0},
                            clip_gradients=100.0, summaries=["gradients", "gradient_norm"])
    assert [t.op.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)] == [
        "OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/gradients/emb_0",
        "OptimizeLoss/gradient_norm/emb_0", "OptimizeLoss/global_norm/clipped_gradient_norm"]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(train)
        got = s.run(emb)
    want = np.zeros((4, 2), np.float32)
    want[[0, 2]] = -0.1 * 2.0 * coef
    np.testing.assert_allclose(got, want, rtol=1e-6)
