"""Learning-rate schedules against hand-computed values."""

import math

import numpy as np
import pytest

import flowgraph as fg


def values(make, steps, dtype=fg.int64):
    graph = fg.Graph()
    with graph.as_default():
        step = fg.placeholder(dtype, [])
        lr = make(step)
        with fg.Session() as sess:
            return lr, [float(sess.run(lr, {step: s})) for s in steps]


def test_exponential_decay():
    lr, got = values(lambda s: fg.train.exponential_decay(0.1, s, 100, 0.5), [0, 50, 100, 250])
    np.testing.assert_allclose(got, [0.1, 0.1 * 0.5 ** 0.5, 0.05, 0.1 * 0.5 ** 2.5], rtol=1e-6)
    assert lr.name == "ExponentialDecay:0" and lr.dtype == fg.float32


def test_exponential_decay_staircase_and_variable_step():
    _, got = values(lambda s: fg.train.exponential_decay(0.1, s, 100, 0.5, staircase=True),
                    [0, 99, 100, 250])
    np.testing.assert_allclose(got, [0.1, 0.1, 0.05, 0.025], rtol=1e-6)
    graph = fg.Graph()
    with graph.as_default():
        step = fg.train.get_or_create_global_step()
        lr = fg.train.exponential_decay(1.0, step, 10, 0.1)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(fg.assign(step, 20))
            np.testing.assert_allclose(sess.run(lr), 0.01, rtol=1e-5)


def test_global_step_is_required():
    with pytest.raises(ValueError, match="global_step is required"):
        fg.train.exponential_decay(0.1, None, 10, 0.5)


def test_piecewise_constant():
    lr, got = values(lambda s: fg.train.piecewise_constant(s, [10, 20], [1.0, 0.5, 0.1]),
                     [0, 10, 11, 20, 21, 1000])
    assert got == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.1, 0.1])
    assert lr.name == "PiecewiseConstant:0"
    _, got32 = values(lambda s: fg.train.piecewise_constant(s, [5], [2.0, 3.0]), [5, 6],
                      dtype=fg.int32)
    assert got32 == [2.0, 3.0]
    _, floats = values(lambda s: fg.train.piecewise_constant(s, [0.5], [2.0, 3.0]), [0.25, 1.0],
                       dtype=fg.float32)
    assert floats == [2.0, 3.0]


def test_piecewise_constant_errors():
    with pytest.raises(ValueError, match="1 less than"):
        fg.train.piecewise_constant(fg.constant(1), [1, 2], [1.0, 2.0])
    with pytest.raises(ValueError, match="same dtype"):
        fg.train.piecewise_constant(fg.constant(1), [1], [1.0, fg.constant(2.0, fg.float64)])
    with pytest.raises(ValueError, match="must have the same dtype as x"):
        fg.train.piecewise_constant(fg.constant(1), [fg.constant(1.0)], [1.0, 2.0])


def test_polynomial_decay():
    # (0.1 - 0.01) * (1 - step / 100) ^ 2 + 0.01, the step capped at 100
    _, got = values(lambda s: fg.train.polynomial_decay(0.1, s, 100, 0.01, power=2.0),
                    [0, 50, 100, 150])
    np.testing.assert_allclose(got, [0.1, 0.09 * 0.25 + 0.01, 0.01, 0.01], rtol=1e-6)
    _, default = values(lambda s: fg.train.polynomial_decay(1.0, s, 10), [5])
    np.testing.assert_allclose(default, [(1.0 - 0.0001) * 0.5 + 0.0001], rtol=1e-6)


def test_polynomial_decay_cycle():
    # decay_steps grows to the first multiple of 100 beyond the step
    _, got = values(lambda s: fg.train.polynomial_decay(0.1, s, 100, 0.0, cycle=True),
                    [0, 50, 150, 200])
    np.testing.assert_allclose(got, [0.1, 0.05, 0.1 * (1 - 150 / 200), 0.0], atol=1e-7)


def test_inverse_time_decay():
    _, got = values(lambda s: fg.train.inverse_time_decay(0.1, s, 10, 0.5), [0, 5, 20])
    np.testing.assert_allclose(got, [0.1, 0.1 / 1.25, 0.1 / 2.0], rtol=1e-6)
    _, stair = values(lambda s: fg.train.inverse_time_decay(0.1, s, 10, 0.5, staircase=True),
                      [9, 10])
    np.testing.assert_allclose(stair, [0.1, 0.1 / 1.5], rtol=1e-6)


def test_natural_exp_decay():
    _, got = values(lambda s: fg.train.natural_exp_decay(0.1, s, 10, 0.5), [0, 10, 15])
    np.testing.assert_allclose(got, [0.1, 0.1 * math.exp(-0.5), 0.1 * math.exp(-0.75)],
                               rtol=1e-6)
    _, stair = values(lambda s: fg.train.natural_exp_decay(0.1, s, 10, 0.5, staircase=True),
                      [15])
    np.testing.assert_allclose(stair, [0.1 * math.exp(-0.5)], rtol=1e-6)


def test_cosine_decay():
    _, got = values(lambda s: fg.train.cosine_decay(0.1, s, 100), [0, 50, 100, 200])
    np.testing.assert_allclose(got, [0.1, 0.05, 0.0, 0.0], atol=1e-7)
    _, alpha = values(lambda s: fg.train.cosine_decay(0.1, s, 100, alpha=0.2), [25, 100])
    c = 0.5 * (1 + math.cos(math.pi * 0.25))
    np.testing.assert_allclose(alpha, [0.1 * (0.8 * c + 0.2), 0.1 * 0.2], rtol=1e-6)


def test_cosine_decay_restarts():
    # periods of 10, 20, 40 steps (t_mul 2), each restart at half the rate (m_mul 0.5)
    _, got = values(lambda s: fg.train.cosine_decay_restarts(1.0, s, 10, m_mul=0.5),
                    [0, 5, 10, 20, 30])
    np.testing.assert_allclose(got, [1.0, 0.5, 0.5, 0.25, 0.25], atol=1e-6)
    _, linear = values(lambda s: fg.train.cosine_decay_restarts(1.0, s, 10, t_mul=1.0),
                       [5, 10, 15])
    np.testing.assert_allclose(linear, [0.5, 1.0, 0.5], atol=1e-6)


def test_linear_cosine_decay():
    _, got = values(lambda s: fg.train.linear_cosine_decay(1.0, s, 100), [0, 50, 100])
    # ((alpha + linear) * cosine + beta) with num_periods 0.5, alpha 0, beta 0.001
    want = [(1.0 * 1.0) + 0.001, 0.5 * 0.5 * (1 + math.cos(math.pi * 0.5)) + 0.001, 0.001]
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_schedule_drives_an_optimizer():
    graph = fg.Graph()
    with graph.as_default():
        step = fg.train.get_or_create_global_step()
        w = fg.Variable(0.0, name="w")
        lr = fg.train.piecewise_constant(step, [1], [1.0, 0.1])
        train = fg.train.GradientDescentOptimizer(lr).minimize(-w, global_step=step)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            # steps 0 and 1 use 1.0, step 2 uses 0.1; the gradient of -w is -1
            np.testing.assert_allclose(sess.run(w), 2.1, rtol=1e-6)


def test_noisy_linear_cosine_decay_without_noise_and_at_the_end():
    # initial_variance=0 leaves linear_cosine_decay: step 5 of 20, num_periods 0.5 ->
    # linear = 0.75, cosine = 0.5 * (1 + cos(pi * 0.25)); lr * (linear * cosine + beta).
    want5 = 0.1 * (0.75 * 0.5 * (1 + np.cos(np.pi * 0.25)) + 0.001)
    with fg.Graph().as_default():
        step = fg.placeholder(fg.int64, [])
        quiet = fg.train.noisy_linear_cosine_decay(0.1, step, 20, initial_variance=0.0)
        # At and past decay_steps the cosine factor is 0, so the noise cancels: lr * beta.
        noisy = fg.train.noisy_linear_cosine_decay(0.1, step, 20)
        assert quiet.dtype == fg.float32 and quiet.shape.as_list() == []
        assert quiet.op.name.startswith("NoisyLinearCosineDecay")
        with fg.Session() as sess:
            np.testing.assert_allclose(sess.run(quiet, {step: 5}), want5, rtol=1e-6)
            for s in (20, 35):
                np.testing.assert_allclose(sess.run(noisy, {step: s}), 0.1 * 0.001, rtol=1e-5)


def test_noisy_linear_cosine_decay_noise_has_the_documented_variance():
    # Step 3: variance = 1 / (1 + 3)^0.55, cosine factor c = 0.5 * (1 + cos(pi * 3 / 10)),
    # so the decayed rate is N(lr * (linear * c + beta), (lr * c)^2 * variance).
    c = 0.5 * (1 + np.cos(np.pi * 0.3))
    mean = 2.0 * (0.7 * c + 0.001)
    std = 2.0 * c * np.sqrt(4.0 ** -0.55)
    with fg.Graph().as_default():
        step = fg.constant(3, fg.int64)
        # Separate schedules draw independent noise; each run draws afresh.
        draws = fg.stack([fg.train.noisy_linear_cosine_decay(2.0, step, 10)
                          for _ in range(50)])
        with fg.Session() as sess:
            got = np.concatenate([sess.run(draws) for _ in range(16)])
    assert abs(got.mean() - mean) < 4 * std / np.sqrt(got.size)
    assert 0.85 * std < got.std() < 1.15 * std


def test_noisy_linear_cosine_decay_needs_a_global_step():
    with pytest.raises(ValueError, match="global_step is required"):
        fg.train.noisy_linear_cosine_decay(0.1, None, 10)
