"""tf.contrib.slim: arg_scope-aware layers with TF 1.15's variable and op names (the names of a
small VGG-like net are hard-coded from TF 1.15's naming rules: ``<scope>/weights``, repeat's
``<scope>/<scope>_<i>``), arg_scope defaults checked through numpy-computed values."""

import numpy as np
import pytest

import flowgraph as tf

slim = tf.contrib.slim


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield


def _vgg_like(inputs):
    with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.relu,
                        weights_initializer=tf.truncated_normal_initializer(0.0, 0.01),
                        weights_regularizer=slim.l2_regularizer(0.0005)):
        with tf.variable_scope("vgg"):
            net = slim.conv2d(inputs, 8, [3, 3], scope="conv1")
            net = slim.max_pool2d(net, [2, 2], scope="pool1")
            net = slim.repeat(net, 2, slim.conv2d, 16, [3, 3], scope="conv2")
            net = slim.max_pool2d(net, [2, 2], scope="pool2")
            net = slim.stack(net, slim.conv2d, [(8, [3, 3]), (4, [1, 1])], scope="conv3")
            net = slim.flatten(net, scope="flatten")
            net = slim.fully_connected(net, 32, scope="fc6")
            net = slim.dropout(net, 0.5, scope="dropout6")
            net = slim.fully_connected(net, 10, activation_fn=None, scope="fc7")
    return net


def test_vgg_like_variable_and_output_names():
    logits = _vgg_like(tf.placeholder(tf.float32, [2, 16, 16, 3]))
    expected = []
    for layer in ["conv1", "conv2/conv2_1", "conv2/conv2_2", "conv3/conv3_1", "conv3/conv3_2",
                  "fc6", "fc7"]:
        expected += [f"vgg/{layer}/weights:0", f"vgg/{layer}/biases:0"]
    assert [v.name for v in slim.get_model_variables()] == expected
    assert [v.name for v in tf.trainable_variables()] == expected
    shapes = [v.shape.as_list() for v in slim.get_variables(suffix="weights")]
    assert shapes == [[3, 3, 3, 8], [3, 3, 8, 16], [3, 3, 16, 16], [3, 3, 16, 8],
                      [1, 1, 8, 4], [64, 32], [32, 10]]
    assert logits.name == "vgg/fc7/BiasAdd:0"
    assert logits.shape.as_list() == [2, 10]
    reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [r.name for r in reg][:2] == ["vgg/conv1/weights/Regularizer/l2_regularizer:0",
                                         "vgg/conv2/conv2_1/weights/Regularizer/l2_regularizer:0"]
    assert len(reg) == 7
    assert [v.op.name for v in slim.get_variables_to_restore(exclude=["vgg/fc7"])][-2:] == [
        "vgg/fc6/weights", "vgg/fc6/biases"]


def test_arg_scope_values_reach_the_layer():
    x = np.arange(2 * 4 * 4 * 1, dtype=np.float32).reshape(2, 4, 4, 1) / 10.0 - 1.0
    with slim.arg_scope([slim.conv2d], weights_initializer=tf.constant_initializer(0.5),
                        biases_initializer=tf.constant_initializer(-1.0), padding="VALID"):
        with slim.arg_scope([slim.conv2d], activation_fn=None):
            y = slim.conv2d(x, 1, [2, 2], scope="lin")
        z = slim.conv2d(x, 1, [2, 2], stride=2, scope="relu")
    windows = x[:, :-1, :-1] + x[:, 1:, :-1] + x[:, :-1, 1:] + x[:, 1:, 1:]
    expect_y = 0.5 * windows - 1.0
    expect_z = np.maximum(expect_y[:, ::2, ::2], 0.0)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        got_y, got_z = s.run([y, z])
    np.testing.assert_allclose(got_y, expect_y, rtol=1e-6)
    np.testing.assert_allclose(got_z, expect_z, rtol=1e-6)
    assert y.name == "lin/BiasAdd:0"
    assert z.name == "relu/Relu:0"


def test_normalizer_fn_uses_batch_norm_arg_scope():
    x = np.random.RandomState(0).randn(4, 3, 3, 2).astype(np.float32)
    with slim.arg_scope([slim.batch_norm], is_training=True, scale=True, epsilon=1e-3):
        y = slim.conv2d(x, 2, [1, 1], normalizer_fn=slim.batch_norm, activation_fn=None,
                        weights_initializer=tf.constant_initializer(1.0), scope="c")
    assert sorted(v.op.name for v in slim.get_variables("c")) == [
        "c/BatchNorm/beta", "c/BatchNorm/gamma", "c/BatchNorm/moving_mean",
        "c/BatchNorm/moving_variance", "c/weights"]
    pre = np.repeat(x.sum(axis=3, keepdims=True), 2, axis=3)
    mean, var = pre.mean(axis=(0, 1, 2)), pre.var(axis=(0, 1, 2))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        np.testing.assert_allclose(s.run(y), (pre - mean) / np.sqrt(var + 1e-3), atol=1e-5)


def test_linear_and_aliases_share_the_arg_scope():
    assert slim.convolution2d is slim.conv2d
    with slim.arg_scope([slim.fully_connected], weights_initializer=tf.constant_initializer(2.0),
                        activation_fn=tf.nn.relu):
        out = slim.linear(np.array([[1.0, -3.0]], np.float32), 1, scope="lin")
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        np.testing.assert_allclose(s.run(out), [[-4.0]])  # activation_fn=None beats the scope


def test_undecorated_contrib_layer_is_rejected_with_a_hint():
    with pytest.raises(ValueError, match="slim.conv2d"):
        with slim.arg_scope([tf.contrib.layers.conv2d], padding="VALID"):
            pass
    assert slim.has_arg_scope(slim.max_pool2d)
    assert "padding" in slim.arg_scoped_arguments(slim.conv2d)


# ------------------------------------------------------------------ slim.losses (contrib order)


def test_losses_take_logits_first_and_match_numpy():
    logits = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], np.float32)
    onehot = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], np.float32)
    weights = np.array([2.0, 0.0], np.float32)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    per_example = -(onehot * log_softmax).sum(axis=1)
    xent = slim.losses.softmax_cross_entropy(logits, onehot, weights=weights)
    sparse = slim.losses.sparse_softmax_cross_entropy(logits, np.array([2, 0]))
    preds, targets = np.array([1.0, 4.0], np.float32), np.array([2.0, 1.0], np.float32)
    mse = slim.losses.mean_squared_error(preds, targets)
    hinge = slim.losses.hinge_loss(np.array([0.5, -2.0, 3.0], np.float32),
                                   np.array([1.0, 1.0, 0.0], np.float32))
    with tf.Session() as s:
        got = s.run([xent, sparse, mse, hinge, slim.losses.get_total_loss()])
    np.testing.assert_allclose(got[0], 2.0 * per_example[0], rtol=1e-5)  # one non-zero weight
    np.testing.assert_allclose(got[1], per_example.mean(), rtol=1e-5)
    np.testing.assert_allclose(got[2], (1.0 + 9.0) / 2, rtol=1e-6)
    np.testing.assert_allclose(got[3], [0.5, 3.0, 4.0])  # element-wise, as in TF1 contrib
    np.testing.assert_allclose(got[4], got[0] + got[1] + got[2], rtol=1e-5)
    assert xent.name == "softmax_cross_entropy_loss/value:0"
    assert len(slim.losses.get_losses()) == 3


def test_losses_need_labels():
    with pytest.raises(ValueError, match="labels must not be None"):
        slim.losses.mean_squared_error(np.zeros(2, np.float32))
