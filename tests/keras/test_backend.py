"""tf.keras.backend tensor functions: values against numpy written here and numbers
hard-coded from TF1-era Keras (tf_keras 2.x in graph mode)."""

import numpy as np
import pytest

from flowgraph.keras import backend as K


def test_placeholder_variable_and_shapes():
    x = K.placeholder(shape=(None, 3))
    assert K.int_shape(x) == (None, 3) and K.dtype(x) == "float32" and K.ndim(x) == 2
    assert K.is_placeholder(x)
    assert K.int_shape(K.placeholder(ndim=3)) == (None, None, None)
    v = K.variable(np.arange(6).reshape(3, 2), name="v")
    assert v.name == "v:0" and K.dtype(v) == "float32" and K.count_params(v) == 6
    np.testing.assert_array_equal(K.get_value(v), np.arange(6).reshape(3, 2))
    K.set_value(v, np.full((3, 2), 7.0))
    np.testing.assert_array_equal(K.eval(v), np.full((3, 2), 7.0))
    K.batch_set_value([(v, np.zeros((3, 2)))])
    assert K.batch_get_value([v])[0].sum() == 0
    np.testing.assert_array_equal(K.eval(K.eye(2)), np.eye(2))
    np.testing.assert_array_equal(K.eval(K.zeros((2, 2))), np.zeros((2, 2)))


def test_function_with_updates_and_learning_phase():
    x = K.placeholder(shape=(None, 3))
    v = K.variable(np.ones((3, 2)))
    y = K.dot(x, v)
    f = K.function([x], [y, K.sum(y)], updates=[(v, v * 2)])
    out, total = f([np.ones((2, 3))])
    np.testing.assert_array_equal(out, np.full((2, 2), 3.0))  # before the update
    assert total == 12.0
    np.testing.assert_array_equal(K.get_value(v), np.full((3, 2), 2.0))
    phase = K.learning_phase()
    g = K.function([phase], [K.in_train_phase(K.constant(1.0), K.constant(2.0))])
    assert g([True])[0] == 1.0 and g([False])[0] == 2.0
    assert K.in_test_phase(3, 4, training=1) == 4
    with pytest.raises(TypeError, match="list or tuple"):
        K.function(x, [y])


def test_dot_and_batch_dot():
    a = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    b = np.arange(40.0, dtype=np.float32).reshape(2, 4, 5) / 10
    np.testing.assert_allclose(K.eval(K.dot(K.constant(a), K.constant(b))),
                               np.einsum("ijk,lkm->ijlm", a, b), rtol=1e-5)
    assert K.int_shape(K.dot(K.placeholder(ndim=3), K.placeholder(shape=(4, 3, 5)))) == (
        None, None, 4, 5)
    c = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(K.eval(K.batch_dot(K.constant(a), K.constant(c), axes=1)),
                               [[20, 23, 26, 29], [200, 212, 224, 236]])
    assert K.int_shape(K.batch_dot(K.ones((2, 3, 4)), K.ones((2, 4, 5)))) == (2, 3, 5)
    assert K.int_shape(K.batch_dot(K.ones((2, 3)), K.ones((2, 3)))) == (2, 1)
    assert K.int_shape(K.batch_dot(K.ones((2, 3, 4)), K.ones((2, 5, 4)), axes=(2, 2))) == (
        2, 3, 5)


def test_reductions_and_elementwise():
    x = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], np.float32)
    t = K.constant(x)
    np.testing.assert_allclose(K.eval(K.std(t, axis=1)), x.std(axis=1), rtol=1e-6)
    np.testing.assert_allclose(K.eval(K.var(t, axis=0, keepdims=True)),
                               x.var(axis=0, keepdims=True), rtol=1e-6)
    assert K.eval(K.mean(K.greater(t, 0))) == pytest.approx(4 / 6)
    np.testing.assert_array_equal(K.eval(K.any(K.less(t, -5), axis=1)), [False, True])
    np.testing.assert_array_equal(K.eval(K.argmax(t)), [2, 1])
    np.testing.assert_array_equal(K.eval(K.sqrt(t)), np.sqrt(np.maximum(x, 0)))
    np.testing.assert_array_equal(K.eval(K.clip(t, 0, None)), np.maximum(x, 0))
    np.testing.assert_array_equal(K.eval(K.clip(t, 2, 1)), np.full_like(x, 2))
    np.testing.assert_array_equal(K.eval(K.prod(t, axis=0)), x.prod(axis=0))


def test_shape_functions():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    t = K.constant(x)
    np.testing.assert_array_equal(K.eval(K.repeat_elements(t, 3, 1)), np.repeat(x, 3, 1))
    r = K.repeat_elements(K.placeholder(shape=(None, 2)), 2, 0)
    assert K.int_shape(r) == (None, 2)
    np.testing.assert_array_equal(K.eval(K.repeat(t, 3)), np.repeat(x[:, None], 3, 1))
    np.testing.assert_array_equal(K.eval(K.concatenate([t, t])), np.concatenate([x, x], -1))
    np.testing.assert_array_equal(K.eval(K.permute_dimensions(K.ones((2, 3, 4)), (2, 0, 1))),
                                  np.ones((4, 2, 3)))
    assert K.eval(K.batch_flatten(K.ones((2, 3, 4)))).shape == (2, 12)
    np.testing.assert_array_equal(K.eval(K.arange(2, 8, 2)), [2, 4, 6])
    assert K.dtype(K.arange(3, dtype="float32")) == "float32"
    np.testing.assert_array_equal(K.eval(K.reverse(t, 1)), x[:, ::-1])
    np.testing.assert_array_equal(K.eval(K.one_hot(K.constant([0, 2], "int32"), 3)),
                                  [[1, 0, 0], [0, 0, 1]])


def test_switch():
    cond = K.constant([True, False])
    np.testing.assert_array_equal(K.eval(K.switch(cond, K.ones((2, 3)), K.zeros((2, 3)))),
                                  [[1, 1, 1], [0, 0, 0]])
    m = K.constant([[True, False], [False, True]])
    out = K.eval(K.switch(m, K.ones((2, 2, 3)), K.zeros((2, 2, 3))))
    np.testing.assert_array_equal(out[:, :, 0], [[1, 0], [0, 1]])
    assert K.eval(K.switch(K.constant(False), lambda: K.constant(1.0),
                           lambda: K.constant(5.0))) == 5.0
    with pytest.raises(ValueError, match="Rank of `condition`"):
        K.switch(K.ones((2, 2, 2)) > 0, K.ones((2, 2)), K.zeros((2, 2)))


P = np.array([[0.2, 0.7, 0.1], [0.05, 0.05, 0.9]], np.float32)
T = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32)


def test_categorical_crossentropies_match_keras():
    # probabilities that do not sum to 1 get rescaled (numbers from tf_keras)
    out = K.eval(K.categorical_crossentropy(K.constant(T), K.constant(P * 2)))
    np.testing.assert_allclose(out, [0.3566749691963196, 2.995732307434082], rtol=1e-6)
    np.testing.assert_allclose(out, -np.log([0.7, 0.05]), rtol=1e-6)
    sparse = K.eval(K.sparse_categorical_crossentropy(K.constant([1, 0]), K.constant(P)))
    np.testing.assert_allclose(sparse, [0.3566749691963196, 2.995732307434082], rtol=1e-6)
    logits = np.array([[1.0, -2.0, 0.5]], np.float32)
    via_softmax = K.categorical_crossentropy(K.constant([[0.0, 0.0, 1.0]]),
                                             K.softmax(K.constant(logits)))
    np.testing.assert_allclose(K.eval(via_softmax), [1.0045969486236572], rtol=1e-6)
    from_logits = K.eval(K.categorical_crossentropy(K.constant([[0.0, 0.0, 1.0]]),
                                                    K.constant(logits), from_logits=True))
    np.testing.assert_allclose(from_logits, [1.0045969486236572], rtol=1e-6)
    # per-position targets over (batch, steps, classes)
    probs3 = np.stack([P, P[::-1]])
    labels = np.array([[1, 0], [2, 1]])
    out3 = K.eval(K.sparse_categorical_crossentropy(K.constant(labels), K.constant(probs3)))
    expected = -np.log(np.take_along_axis(probs3, labels[..., None], -1)[..., 0])
    np.testing.assert_allclose(out3, expected, rtol=1e-5)


def test_binary_crossentropy_matches_keras():
    pb = np.array([[0.0, 0.3], [1.0, 0.9]], np.float32)
    tb = np.array([[0.0, 1.0], [1.0, 1.0]], np.float32)
    out = K.eval(K.binary_crossentropy(K.constant(tb), K.constant(pb)))
    np.testing.assert_allclose(out, [[0.0, 1.2039724588394165], [0.0, 0.10536041110754013]],
                               rtol=1e-6, atol=1e-6)
    logits = np.array([[-1.0, 2.0]], np.float32)
    target = np.array([[1.0, 0.0]], np.float32)
    ref = np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits)))
    np.testing.assert_allclose(K.eval(K.binary_crossentropy(K.constant(target),
                                                            K.constant(logits), True)),
                               ref, rtol=1e-6)
    np.testing.assert_allclose(K.eval(K.binary_crossentropy(K.constant(target),
                                                            K.sigmoid(K.constant(logits)))),
                               ref, rtol=1e-6)


def test_updates_and_moving_average():
    v = K.variable(1.0)
    K.get_session()
    K.get_session().run(K.update_add(v, 2.0))
    assert K.get_value(v) == 3.0
    K.get_session().run(K.update_sub(v, 0.5))
    assert K.get_value(v) == 2.5
    K.get_session().run(K.update(v, 1.0))
    m = K.moving_average_update(v, 3.0, 0.9)
    # zero-debiased as TF1's Keras: the first step already reaches 3 (tf_keras: 2.9999995)
    assert K.get_session().run(m) == pytest.approx(3.0, abs=1e-5)


def test_gradients_and_stop_gradient():
    x = K.variable(np.array([1.0, 2.0, 3.0]))
    loss = K.sum(K.square(x)) + K.sum(K.stop_gradient(x) * 5)
    grad = K.gradients(loss, [x])[0]
    np.testing.assert_allclose(K.eval(grad), [2.0, 4.0, 6.0])


def test_bias_add_dropout_l2_normalize():
    x = np.ones((2, 3, 2), np.float32)
    bias = np.array([1.0, 2.0], np.float32)
    np.testing.assert_array_equal(K.eval(K.bias_add(K.constant(x), K.constant(bias))),
                                  x + bias)
    first = K.eval(K.bias_add(K.constant(np.ones((2, 2, 3))), K.constant(bias),
                              data_format="channels_first"))
    np.testing.assert_array_equal(first, np.ones((2, 2, 3)) + bias[None, :, None])
    with pytest.raises(ValueError, match="Unexpected bias dimensions"):
        K.bias_add(K.constant(x), K.ones((1, 1, 1)))
    dropped = K.eval(K.dropout(K.ones((100, 100)), 0.5, seed=1))
    assert set(np.unique(dropped)) <= {0.0, 2.0}
    assert 0.4 < (dropped == 0).mean() < 0.6
    v = np.array([[3.0, 4.0]], np.float32)
    np.testing.assert_allclose(K.eval(K.l2_normalize(K.constant(v), axis=1)), [[0.6, 0.8]])


def test_is_keras_tensor():
    from flowgraph.keras import history
    plain = K.placeholder(shape=(None, 2))
    assert not K.is_keras_tensor(plain)
    history.mark_input(object(), plain)
    assert K.is_keras_tensor(plain)
    with pytest.raises(ValueError, match="Expected a symbolic tensor"):
        K.is_keras_tensor(np.ones(2))
