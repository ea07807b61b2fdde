"""tf.keras.optimizers.Ftrl and tf.keras.optimizers.schedules; numbers from tf_keras
(hard-coded) and numpy re-implementations of the update rules."""

import numpy as np
import pytest

import flowgraph as fg

k = fg.keras
S = k.optimizers.schedules

COEF = np.array([1.0, 0.5, 3.0], np.float32)
LIN = np.array([0.3, -0.2, 0.1], np.float32)
START = np.array([1.0, -2.0, 0.5], np.float32)


def _run(optimizer, steps=3):
    k.backend.clear_session()
    sess = k.backend.get_session()
    v = fg.Variable(START)
    loss = fg.reduce_sum(v * v * COEF + v * LIN)
    update = optimizer.get_updates(loss, [v])
    sess.run(fg.global_variables_initializer())
    out = []
    for _ in range(steps):
        sess.run(update)
        out.append(sess.run(v))
    return np.array(out)


def _ftrl_numpy(lr, power, init_acc, l1, l2, shrink, steps=3):
    var = START.astype(np.float64)
    acc = np.full(3, init_acc)
    linear = np.zeros(3)
    out = []
    for _ in range(steps):
        g = 2 * COEF * var + LIN
        g_shrunk = g + 2 * shrink * var
        new_acc = acc + g * g
        linear += g_shrunk - (new_acc ** -power - acc ** -power) / lr * var
        quadratic = new_acc ** -power / lr + 2 * l2
        var = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quadratic, 0.0)
        acc = new_acc
        out.append(var.copy())
    return np.array(out)


FTRL_CASES = [
    (dict(learning_rate=0.1), (0.1, -0.5, 0.1, 0.0, 0.0, 0.0),
     [[0.7647231, -1.616462, 0.34977514], [0.70283014, -1.5531807, 0.29212326],
      [0.65284956, -1.5010571, 0.24842547]]),
    (dict(learning_rate=0.5, learning_rate_power=-0.7, initial_accumulator_value=0.2,
          l1_regularization_strength=0.05, l2_regularization_strength=0.1),
     (0.5, -0.7, 0.2, 0.05, 0.1, 0.0),
     [[0.52881163, -1.3838226, 0.14577648], [0.36459735, -1.1959991, 0.055119738],
      [0.25108048, -1.0545362, 0.01552476]]),
    (dict(learning_rate=0.5, l1_regularization_strength=0.01, l2_regularization_strength=0.1,
          l2_shrinkage_regularization_strength=0.2), (0.5, -0.5, 0.1, 0.01, 0.1, 0.2),
     [[0.2685826, -0.9936087, -0.076201364], [0.08466293, -0.6903012, -0.016308049],
      [-0.007824711, -0.48015937, -0.015632702]]),
]


@pytest.mark.parametrize("kwargs,numpy_args,tf_values", FTRL_CASES)
def test_ftrl_matches_tf_keras_and_numpy(kwargs, numpy_args, tf_values):
    values = _run(k.optimizers.Ftrl(**kwargs))
    np.testing.assert_allclose(values, tf_values, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(values, _ftrl_numpy(*numpy_args), rtol=2e-5, atol=1e-6)


def test_ftrl_slots_config_and_errors():
    optimizer = k.optimizers.Ftrl(learning_rate=0.5)
    _run(optimizer, steps=1)
    assert optimizer.get_slot_names() == ["accumulator", "linear"]
    assert [w.op.name for w in optimizer.weights][:3] == [
        "Ftrl/iter", "Ftrl/Variable/accumulator", "Ftrl/Variable/linear"]
    assert optimizer.get_config() == {
        "name": "Ftrl", "learning_rate": 0.5, "decay": 0.0, "initial_accumulator_value": 0.1,
        "learning_rate_power": -0.5, "l1_regularization_strength": 0.0,
        "l2_regularization_strength": 0.0, "l2_shrinkage_regularization_strength": 0.0}
    assert isinstance(k.optimizers.get("ftrl"), k.optimizers.Ftrl)
    clone = k.optimizers.deserialize(k.optimizers.serialize(k.optimizers.Ftrl(0.3)))
    assert isinstance(clone, k.optimizers.Ftrl)
    with pytest.raises(ValueError, match="learning_rate_power 0.500000 needs to be negative"):
        k.optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="initial_accumulator_value"):
        k.optimizers.Ftrl(initial_accumulator_value=-1.0)
    with pytest.raises(ValueError, match="l1_regularization_strength"):
        k.optimizers.Ftrl(l1_regularization_strength=-1.0)


STEPS = np.array([0., 1., 5., 10., 23., 100.], np.float32)
SCHEDULE_CASES = [  # tf_keras values at STEPS
    (lambda: S.ExponentialDecay(0.1, 10, 0.5),
     [1.000000e-01, 9.330330e-02, 7.071068e-02, 5.000000e-02, 2.030631e-02, 9.765625e-05]),
    (lambda: S.ExponentialDecay(0.1, 10, 0.5, staircase=True),
     [1.000000e-01, 1.000000e-01, 1.000000e-01, 5.000000e-02, 2.500000e-02, 9.765625e-05]),
    (lambda: S.PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1]),
     [1., 1., 1., 0.5, 0.1, 0.1]),
    (lambda: S.PolynomialDecay(0.1, 10),
     [1.000e-01, 9.001e-02, 5.005e-02, 1.000e-04, 1.000e-04, 1.000e-04]),
    (lambda: S.PolynomialDecay(0.1, 10, 0.01, power=2.0, cycle=True),
     [0.1, 0.082899995, 0.0325, 0.01, 0.014900001, 0.01]),
    (lambda: S.InverseTimeDecay(0.1, 10, 0.5),
     [0.1, 0.095238104, 0.08, 0.06666667, 0.046511628, 0.016666668]),
    (lambda: S.InverseTimeDecay(0.1, 10, 0.5, staircase=True),
     [0.1, 0.1, 0.1, 0.06666667, 0.05, 0.016666668]),
]


@pytest.mark.parametrize("index", range(len(SCHEDULE_CASES)))
def test_schedules_match_tf_keras(index):
    make, expected = SCHEDULE_CASES[index]
    with fg.Graph().as_default(), fg.Session() as sess:
        schedule = make()
        step = fg.placeholder(fg.float32, [])
        rate = schedule(step)
        values = [sess.run(rate, {step: s}) for s in STEPS]
    np.testing.assert_allclose(values, expected, rtol=1e-6)
    config = S.serialize(schedule)
    assert config["class_name"] == type(schedule).__name__
    clone = S.deserialize(config)
    assert type(clone) is type(schedule) and clone.get_config() == schedule.get_config()


def test_schedule_formulas_numpy():
    with fg.Graph().as_default(), fg.Session() as sess:
        values = sess.run([S.ExponentialDecay(2.0, 4, 0.3)(fg.constant(7.0)),
                           S.PolynomialDecay(1.0, 8, 0.2, power=0.5)(fg.constant(3.0)),
                           S.InverseTimeDecay(1.5, 2, 0.25)(fg.constant(5.0))])
    np.testing.assert_allclose(values, [2.0 * 0.3 ** (7 / 4),
                                        0.8 * (1 - 3 / 8) ** 0.5 + 0.2,
                                        1.5 / (1 + 0.25 * 5 / 2)], rtol=1e-6)


def test_piecewise_bad_lengths():
    with pytest.raises(ValueError, match="1 less than the length of values"):
        S.PiecewiseConstantDecay([1, 2], [0.1, 0.2])


def test_schedule_as_learning_rate():
    # tf_keras: SGD / Adam with schedules, three steps
    values = _run(k.optimizers.SGD(learning_rate=S.ExponentialDecay(0.1, 1, 0.5)))
    np.testing.assert_allclose(values, [[0.77, -1.78, 0.19], [0.678, -1.681, 0.12799999],
                                        [0.63659996, -1.633975, 0.1063]], rtol=1e-5)
    var = START.astype(np.float64)  # numpy: lr = 0.1 * 0.5^t at step t = 0, 1, 2
    for t in range(3):
        var = var - 0.1 * 0.5 ** t * (2 * COEF * var + LIN)
    np.testing.assert_allclose(values[-1], var, rtol=1e-5)
    values = _run(k.optimizers.Adam(learning_rate=S.PiecewiseConstantDecay([1], [0.1, 0.01])))
    np.testing.assert_allclose(values, [[0.90000015, -1.9000001, 0.4000001],
                                        [0.8003405, -1.8001487, 0.30112505],
                                        [0.79043627, -1.7901893, 0.2914719]], rtol=1e-5)


def test_optimizer_config_with_schedule():
    optimizer = k.optimizers.SGD(learning_rate=S.ExponentialDecay(0.1, 1, 0.5))
    config = optimizer.get_config()
    assert config["learning_rate"] == {
        "class_name": "ExponentialDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5,
                   "staircase": False, "name": None}}
    clone = k.optimizers.SGD.from_config(config)
    assert isinstance(clone.lr, S.ExponentialDecay)
    assert clone.get_config() == config
