"""tf.contrib.opt: AdamW, MomentumW and LazyAdam checked against numpy written here.

weight_decay becomes a float32 tensor as in TF1, so the tests use exact binary fractions."""

import numpy as np
import pytest

import flowgraph as tf
from flowgraph.contrib import opt


def _adam_np(var, g, m, v, t, lr=0.001, b1=0.9, b2=0.999, eps=1e-8):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    return var - lr_t * m / (np.sqrt(v) + eps), m, v


def _run_steps(make_opt, init, grads, **apply_kwargs):
    g = tf.Graph()
    with g.as_default():
        var = tf.Variable(np.array(init, np.float64), name="w")
        grad_ph = tf.placeholder(tf.float64, shape=np.shape(init))
        optimizer = make_opt()
        train = optimizer.apply_gradients([(grad_ph, var)], **apply_kwargs)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out = []
            for grad in grads:
                sess.run(train, {grad_ph: grad})
                out.append(sess.run(var))
    return out, optimizer


def test_adamw_matches_numpy():
    init = [1.0, -2.0, 3.0]
    grads = [np.array([0.1, 0.2, -0.3]), np.array([-0.5, 0.4, 0.0])]
    got, optimizer = _run_steps(lambda: opt.AdamWOptimizer(0.125, learning_rate=0.05),
                                init, grads)
    var, m, v = np.array(init), np.zeros(3), np.zeros(3)
    for t, grad in enumerate(grads, 1):
        var = var - 0.125 * var
        var, m, v = _adam_np(var, grad, m, v, t, lr=0.05)
        np.testing.assert_allclose(got[t - 1], var, rtol=1e-10)
    assert optimizer.get_name() == "AdamW"


def test_momentumw_matches_numpy_and_nesterov():
    init = [1.0, 2.0]
    grads = [np.array([0.5, -1.0]), np.array([0.25, 0.75]), np.array([1.0, 1.0])]
    for nesterov in (False, True):
        got, _ = _run_steps(lambda n=nesterov: opt.MomentumWOptimizer(
            0.0625, learning_rate=0.1, momentum=0.9, use_nesterov=n), init, grads)
        var, acc = np.array(init), np.zeros(2)
        for i, grad in enumerate(grads):
            var = var - 0.0625 * var
            acc = 0.9 * acc + grad
            step = grad + 0.9 * acc if nesterov else acc
            var = var - 0.1 * step
            np.testing.assert_allclose(got[i], var, rtol=1e-12)


def test_decay_var_list_limits_decay():
    g = tf.Graph()
    with g.as_default():
        a = tf.Variable(np.array([1.0, 2.0]), name="a")
        b = tf.Variable(np.array([3.0, 4.0]), name="b")
        loss = tf.reduce_sum(a * 0.0) + tf.reduce_sum(b * 0.0)
        train = opt.MomentumWOptimizer(0.5, 0.1, 0.9).minimize(loss, decay_var_list=[a])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            np.testing.assert_allclose(sess.run(a), [0.5, 1.0])
            np.testing.assert_allclose(sess.run(b), [3.0, 4.0])


def test_lazy_adam_dense_equals_adam():
    init = [[1.0, 2.0], [3.0, 4.0]]
    grads = [np.array([[0.1, -0.2], [0.3, 0.0]])] * 3
    got, optimizer = _run_steps(lambda: opt.LazyAdamOptimizer(0.1), init, grads)
    var, m, v = np.array(init), np.zeros((2, 2)), np.zeros((2, 2))
    for t, grad in enumerate(grads, 1):
        var, m, v = _adam_np(var, grad, m, v, t, lr=0.1)
        np.testing.assert_allclose(got[t - 1], var, rtol=1e-10)
    assert optimizer.get_name() == "Adam"


def test_lazy_adam_sparse_only_touches_rows():
    init = np.arange(8.0).reshape(4, 2)
    g = tf.Graph()
    with g.as_default():
        var = tf.Variable(init, name="emb")
        values = tf.placeholder(tf.float64, shape=[None, 2])
        indices = tf.placeholder(tf.int32, shape=[None])
        grad = tf.IndexedSlices(values, indices, tf.constant([4, 2]))
        optimizer = opt.LazyAdamOptimizer(0.1)
        train = optimizer.apply_gradients([(grad, var)])
        steps = [([0, 2, 0], [[1.0, 1.0], [0.5, -0.5], [1.0, 0.0]]),
                 ([1], [[0.2, 0.3]])]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            ref, m, v = init.copy(), np.zeros((4, 2)), np.zeros((4, 2))
            for t, (idx, vals) in enumerate(steps, 1):
                sess.run(train, {values: vals, indices: idx})
                dense = np.zeros((4, 2))
                np.add.at(dense, idx, np.array(vals))
                rows = sorted(set(idx))
                lr = 0.1 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
                m[rows] = 0.9 * m[rows] + 0.1 * dense[rows]
                v[rows] = 0.999 * v[rows] + 0.001 * dense[rows] ** 2
                ref[rows] -= lr * m[rows] / (np.sqrt(v[rows]) + 1e-8)
                np.testing.assert_allclose(sess.run(var), ref, rtol=1e-10)
                np.testing.assert_allclose(sess.run(optimizer.get_slot(var, "m")), m,
                                           rtol=1e-10)
            # row 3 is never touched: unchanged
            np.testing.assert_array_equal(sess.run(var)[3], init[3])


def test_adamw_sparse_decays_touched_rows_only():
    init = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    g = tf.Graph()
    with g.as_default():
        var = tf.Variable(init, name="emb")
        grad = tf.IndexedSlices(tf.constant([[0.5, -0.5]], tf.float64), tf.constant([1]),
                                tf.constant([3, 2]))
        train = opt.AdamWOptimizer(0.125, learning_rate=0.01).apply_gradients([(grad, var)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            got = sess.run(var)
    # untouched rows have g = 0 and m = 0 after one step, so they do not move
    row = init[1] * 0.875
    row, _, _ = _adam_np(row, np.array([0.5, -0.5]), np.zeros(2), np.zeros(2), 1, lr=0.01)
    np.testing.assert_allclose(got[1], row, rtol=1e-10)
    np.testing.assert_allclose(got[[0, 2]], init[[0, 2]])


def test_extend_with_decoupled_weight_decay():
    with pytest.raises(TypeError, match="Optimizer subclass"):
        opt.extend_with_decoupled_weight_decay(dict)
    sgdw = opt.extend_with_decoupled_weight_decay(tf.train.GradientDescentOptimizer)
    got, _ = _run_steps(lambda: sgdw(0.125, learning_rate=0.5), [2.0], [np.array([1.0])])
    np.testing.assert_allclose(got[0], [2.0 * 0.875 - 0.5])


def test_decay_var_list_is_per_call():
    g = tf.Graph()
    with g.as_default():
        a = tf.Variable(np.array([1.0]), name="a")
        b = tf.Variable(np.array([4.0]), name="b")
        zero = tf.constant([0.0], tf.float64)
        optimizer = opt.MomentumWOptimizer(0.5, 0.1, 0.9)
        only_a = optimizer.apply_gradients([(zero, a), (zero, b)], decay_var_list=[a])
        every = optimizer.apply_gradients([(zero, a), (zero, b)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(only_a)
            np.testing.assert_allclose(sess.run([a, b]), [[0.5], [4.0]])
            sess.run(every)
            np.testing.assert_allclose(sess.run([a, b]), [[0.25], [2.0]])
