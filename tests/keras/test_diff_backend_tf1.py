"""Keras mixed with plain TF1 graph code: Keras layers on placeholders trained by tf.train
optimizers in a user's Session, the backend functions, initializers and activations on
tensors. The expected numbers and names were produced by TensorFlow (tf.compat.v1 graph
mode with the TF1-era Keras) running the same code."""

import numpy as np
import pytest

import flowgraph as tf

K = tf.keras.backend
L = tf.keras.layers


@pytest.fixture(autouse=True)
def _fresh_graph():
    K.clear_session()
    yield
    K.clear_session()


def test_layers_on_placeholders_trained_with_tf_train_adam():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    dense = L.Dense(3, activation="tanh",
                    kernel_initializer=tf.keras.initializers.Constant(0.1))
    bn = L.BatchNormalization(momentum=0.9)
    out = L.Dense(1, kernel_initializer="ones")(bn(dense(x)))
    assert out.name == "dense_1/BiasAdd:0"
    assert [v.name for v in tf.trainable_variables()] == [
        "dense/kernel:0", "dense/bias:0", "batch_normalization/gamma:0",
        "batch_normalization/beta:0", "dense_1/kernel:0", "dense_1/bias:0"]
    assert len(bn.updates) == 2
    loss = tf.reduce_mean(tf.square(out - y))
    with tf.control_dependencies(bn.updates):
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
    sess = tf.Session()
    K.set_session(sess)
    sess.run(tf.global_variables_initializer())
    data_x = (np.arange(20, dtype=np.float32).reshape(5, 4) / 10.0) ** 2
    data_y = np.array([[1], [2], [0], [1], [3]], np.float32)
    losses = [sess.run([loss, train], {x: data_x, y: data_y, K.learning_phase(): 1})[0]
              for _ in range(4)]
    np.testing.assert_allclose(losses, [9.279749, 2.1008897, 3.7189476, 2.7401], rtol=1e-5)
    np.testing.assert_allclose(sess.run(loss, {x: data_x, y: data_y}), 1.1297731, rtol=1e-5)
    np.testing.assert_allclose(K.get_value(bn.moving_mean), [0.0626734] * 3, rtol=1e-5)
    np.testing.assert_allclose(K.get_value(bn.moving_variance), [0.686957] * 3, rtol=1e-5)
    f = K.function([x, K.learning_phase()], [out])
    np.testing.assert_allclose(f([data_x, 0])[0].ravel(),
                               [0.53974116, 0.8492007, 1.5312562, 2.2840447, 2.654787],
                               rtol=1e-5)
    np.testing.assert_allclose(f([data_x, 1])[0].ravel(),
                               [-0.6413484, -0.10227981, 1.085839, 2.3971725, 3.0429935],
                               rtol=1e-5)


def test_conv_layers_in_variable_scope_trained_with_momentum():
    x = tf.placeholder(tf.float32, [None, 6, 6, 2])
    with tf.variable_scope("net"):
        conv = L.Conv2D(3, 3, padding="same", activation="relu",
                        kernel_initializer=tf.keras.initializers.Constant(0.05),
                        bias_initializer="ones")
        h = L.Flatten()(L.MaxPooling2D()(conv(x)))
        logits = L.Dense(2, kernel_initializer="ones")(h)
    assert conv.kernel.name == "net/conv2d/kernel:0"
    assert h.shape.as_list() == [None, 27]
    labels = tf.placeholder(tf.int64, [None])
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    step = tf.train.MomentumOptimizer(0.01, 0.9).minimize(
        loss, global_step=tf.train.get_or_create_global_step())
    sess = tf.Session()
    K.set_session(sess)
    sess.run(tf.global_variables_initializer())
    data = np.linspace(-1, 1, 144).reshape(2, 6, 6, 2).astype(np.float32)
    got = [sess.run([loss, step], {x: data, labels: [0, 1]})[0] for _ in range(3)]
    np.testing.assert_allclose(got, [0.6931472, 0.6763383, 0.6553659], rtol=1e-5)
    np.testing.assert_allclose(sess.run(conv.bias), [0.99992] * 3, atol=1e-5)


def test_backend_variables_placeholders_and_names():
    v = K.variable(np.array([[1.0, 2.0], [3.0, 4.0]]), name="myvar")
    assert (v.name, v.dtype.base_dtype, K.int_shape(v), K.dtype(v)) == \
        ("myvar:0", tf.float32, (2, 2), "float32")
    assert K.variable(3).name == "Variable:0"
    v_int = K.variable([1, 2], dtype="int32")
    assert (v_int.name, v_int.dtype.base_dtype) == ("Variable_1:0", tf.int32)
    np.testing.assert_array_equal(K.get_value(v), [[1, 2], [3, 4]])
    K.set_value(v, [[5, 6], [7, 8]])
    np.testing.assert_array_equal(K.eval(v * 2), [[10, 12], [14, 16]])
    np.testing.assert_array_equal(K.eval(K.dot(v, K.transpose(v))), [[61, 83], [83, 113]])
    p = K.placeholder(shape=(None, 3), name="ph")
    assert (p.name, K.int_shape(p), K.ndim(p)) == ("ph:0", (None, 3), 2)
    p2 = K.placeholder(ndim=2)
    assert (p2.name, K.int_shape(p2)) == ("Placeholder_1:0", (None, None))
    assert K.placeholder(shape=(2, 3), dtype="int32").name == "Placeholder_2:0"
    assert K.int_shape(tf.constant([[1, 2, 3]])) == (1, 3)
    assert K.int_shape(np.zeros((2, 5))) == (2, 5)
    # K.zeros / K.ones make the fill op first, then the Variable
    assert K.zeros((2, 2)).name == "Variable_2:0"
    assert K.ones((1, 2), name="o").name == "o_1:0"
    # an unknown or zero dimension gives the plain tensor
    dynamic = K.zeros(tf.shape(p))
    assert not isinstance(dynamic, tf.Variable) and dynamic.name == "zeros_1:0"
    assert not isinstance(K.zeros((0, 3)), tf.Variable)
    assert K.count_params(v) == 4
    assert L.Dense(2).name == "dense"
    K.clear_session()
    assert L.Dense(2).name == "dense"
    assert K.variable(1.0).name == "Variable:0"
    # the new graph starts with the learning-phase placeholder
    assert "keras_learning_phase" in [op.name for op in tf.get_default_graph().get_operations()]


def test_session_function_updates_and_batch_values():
    graph = tf.Graph()
    with graph.as_default():
        sess = tf.Session()
        with sess.as_default():
            assert K.get_session() is sess
            vv = K.variable(2.0)
            assert K.get_value(vv) == 2.0
    assert K.function([], [K.constant(3.0)])([]) == [3.0]
    u = K.variable(0.0)
    w = K.variable(1.0)
    inc = K.placeholder(shape=())
    f = K.function([inc], [u], updates=[K.update_add(u, inc)])
    assert f([2.0]) == [2.0]
    assert f([3.0]) == [5.0]
    assert K.get_value(u) == 5.0
    assert K.batch_get_value([u, w]) == [5.0, 1.0]
    K.batch_set_value([(u, 10.0), (w, 20.0)])
    assert K.batch_get_value([u, w]) == [10.0, 20.0]
    assert K.learning_phase().name == "keras_learning_phase:0"
    K.set_learning_phase(1)
    assert K.learning_phase() == 1
    assert K.eval(K.in_train_phase(K.constant(1.0), K.constant(0.0))) == 1.0


def test_keras_initializers_with_get_variable_and_activations_on_tensors():
    ki = tf.keras.initializers
    init = ki.Constant(2.5)
    v = tf.get_variable("v", shape=[3, 3], initializer=init)
    ident = tf.get_variable("i", shape=[3, 3], initializer=ki.Identity())
    he = tf.get_variable("he", shape=[200, 300], initializer=ki.he_normal(seed=1))
    assert v.name == "v:0" and v.dtype.base_dtype == tf.float32
    tf.get_variable("w", shape=[2, 4], initializer=ki.he_normal(seed=3),
                    regularizer=tf.keras.regularizers.l2(0.5))
    assert len(tf.losses.get_regularization_losses()) == 1
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(v), np.full((3, 3), 2.5))
    np.testing.assert_array_equal(sess.run(ident), np.eye(3))
    he_value = sess.run(he)
    # truncated normal at 2 stddevs with the fan-in variance scale 2 / 200
    assert abs(he_value.std() - np.sqrt(2 / 200)) < 0.05 * np.sqrt(2 / 200)
    assert np.abs(he_value).max() <= 2 * np.sqrt(2 / 200) / 0.87962566103423978 + 1e-6
    ka = tf.keras.activations
    t = tf.constant([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    expected = {
        "elu": [-0.86466, -0.39347, 0.0, 0.5, 3.0],
        "selu": [-1.52017, -0.69176, 0.0, 0.52535, 3.1521],
        "softplus": [0.12693, 0.47408, 0.69315, 0.97408, 3.04859],
        "hard_sigmoid": [0.1, 0.4, 0.5, 0.6, 1.0],
        "softmax": [0.00576, 0.02584, 0.0426, 0.07023, 0.85557],
        "exponential": [0.13534, 0.60653, 1.0, 1.64872, 20.08554],
    }
    for name, want in expected.items():
        np.testing.assert_allclose(sess.run(getattr(ka, name)(t))[0], want, atol=1e-5)
    np.testing.assert_allclose(sess.run(ka.relu(t, alpha=0.1, max_value=1.0, threshold=0.2)),
                               [[-0.22, -0.07, -0.02, 0.5, 1.0]], atol=1e-6)
    reg = tf.keras.regularizers.l1_l2(l1=0.1, l2=0.2)
    np.testing.assert_allclose(sess.run(reg(tf.constant([[1.0, -2.0]]))), 1.3, rtol=1e-6)
    constrained = tf.keras.constraints.MinMaxNorm(0.5, 1.0, rate=0.5)(
        tf.constant([[3.0, 0.1], [4.0, 0.2]]))
    np.testing.assert_allclose(sess.run(constrained), [[1.8, 0.1618], [2.4, 0.3236]],
                               atol=1e-4)
