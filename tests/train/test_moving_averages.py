"""ExponentialMovingAverage: shadow variables, their names and values."""

import numpy as np
import pytest

import flowgraph as fg


@pytest.fixture
def graph():
    g = fg.Graph()
    with g.as_default():
        yield g


def test_shadow_variables_follow_the_average(graph):
    w = fg.Variable([1.0, 2.0], name="w")
    b = fg.Variable(5.0, name="b")
    ema = fg.train.ExponentialMovingAverage(0.9)
    update = ema.apply([w, b])
    shadow = ema.average(w)
    assert shadow.op.name == "w/ExponentialMovingAverage"
    assert ema.average_name(w) == "w/ExponentialMovingAverage"
    assert not shadow.trainable and shadow in fg.global_variables()
    assert set(fg.moving_average_variables()) == {w, b}  # TF1 collects the averaged variables
    assert update.name == "ExponentialMovingAverage"
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_allclose(sess.run(shadow), [1.0, 2.0])  # starts at w's value
        expected_w, expected_b = np.array([1.0, 2.0]), 5.0
        for new_w, new_b in (([3.0, 0.0], 1.0), ([-1.0, 4.0], 2.0)):
            sess.run([w.assign(new_w), b.assign(new_b)])
            sess.run(update)
            expected_w = 0.9 * expected_w + 0.1 * np.array(new_w)
            expected_b = 0.9 * expected_b + 0.1 * new_b
            np.testing.assert_allclose(sess.run(shadow), expected_w, rtol=1e-6)
            np.testing.assert_allclose(sess.run(ema.average(b)), expected_b, rtol=1e-6)


def test_num_updates_caps_the_decay(graph):
    w = fg.Variable(0.0, name="w")
    n = fg.placeholder(fg.int32, [])
    ema = fg.train.ExponentialMovingAverage(0.999, num_updates=n)
    update = ema.apply([w])
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(w.assign(10.0))
        sess.run(update, {n: 0})  # decay min(0.999, 1/10) = 0.1
        np.testing.assert_allclose(sess.run(ema.average(w)), 9.0, rtol=1e-6)
        sess.run(update, {n: 10000})  # decay 0.999
        np.testing.assert_allclose(sess.run(ema.average(w)), 0.999 * 9.0 + 0.01, rtol=1e-6)


def test_average_after_a_training_step_sees_the_trained_value(graph):
    w = fg.Variable(1.0, name="w")
    train = fg.train.GradientDescentOptimizer(1.0).minimize(-w)  # w += 1
    ema = fg.train.ExponentialMovingAverage(0.5)
    with fg.control_dependencies([train]):
        step = ema.apply([w])
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(step)
        np.testing.assert_allclose(sess.run(w), 2.0)
        np.testing.assert_allclose(sess.run(ema.average(w)), 0.5 * 1.0 + 0.5 * 2.0)


def test_tensors_and_zero_debias(graph):
    x = fg.placeholder(fg.float32, [2], name="x")
    ema = fg.train.ExponentialMovingAverage(0.8, zero_debias=True)
    update = ema.apply([x])
    avg = ema.average(x)
    assert avg.op.name == "x/ExponentialMovingAverage"
    assert x not in fg.moving_average_variables()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(update, {x: [1.0, 2.0]})
        # biased = 0.2 * x; divided by 1 - 0.8^1 gives x itself
        np.testing.assert_allclose(sess.run(avg), [1.0, 2.0], rtol=1e-6)
        sess.run(update, {x: [3.0, 0.0]})
        biased = 0.8 * 0.2 * np.array([1.0, 2.0]) + 0.2 * np.array([3.0, 0.0])
        np.testing.assert_allclose(sess.run(avg), biased / (1 - 0.8 ** 2), rtol=1e-6)


def test_variables_to_restore(graph):
    w = fg.Variable(1.0, name="w")
    step = fg.Variable(0, name="step", trainable=False)
    ema = fg.train.ExponentialMovingAverage(0.9)
    ema.apply([w])
    names = ema.variables_to_restore()
    assert names["w/ExponentialMovingAverage"] is w
    assert names["step"] is step
    assert "w" not in names


def test_non_float_variables_are_rejected(graph):
    with pytest.raises(TypeError, match="half, float, or double"):
        fg.train.ExponentialMovingAverage(0.9).apply([fg.Variable(1, name="i")])


def test_apply_twice_reuses_the_shadow(graph):
    w = fg.Variable(1.0, name="w")
    ema = fg.train.ExponentialMovingAverage(0.9)
    ema.apply([w])
    first = ema.average(w)
    ema.apply([w])
    assert ema.average(w) is first
    other = fg.Variable(2.0, name="other")
    assert ema.average(other) is None
    assert ema.average_name(other) == "other/ExponentialMovingAverage"
