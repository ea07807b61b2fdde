"""Each optimizer's first steps against its update rule written out in numpy."""

import numpy as np
import pytest

import flowgraph as fg
from tests.train.helpers import assert_close, reference, run_steps


def zeros(p):
    return np.zeros_like(p)


def test_gradient_descent():
    def update(p, g, s, t):
        return p - 0.05 * g

    assert_close(run_steps(fg.train.GradientDescentOptimizer(0.05), 3),
                 reference(update, 3, {}))


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov):
    def update(p, g, s, t):
        s["a"] = 0.9 * s["a"] + g
        step = g + 0.9 * s["a"] if nesterov else s["a"]
        return p - 0.02 * step

    opt = fg.train.MomentumOptimizer(0.02, 0.9, use_nesterov=nesterov)
    assert_close(run_steps(opt, 4), reference(update, 4, {"a": zeros}))


def test_adagrad():
    def update(p, g, s, t):
        s["acc"] = s["acc"] + g * g
        return p - 0.1 * g / np.sqrt(s["acc"])

    assert_close(run_steps(fg.train.AdagradOptimizer(0.1), 4),
                 reference(update, 4, {"acc": lambda p: np.full_like(p, 0.1)}))


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop(momentum):
    def update(p, g, s, t):
        s["ms"] = 0.9 * s["ms"] + 0.1 * g * g
        s["mom"] = momentum * s["mom"] + 0.01 * g / np.sqrt(s["ms"] + 1e-10)
        return p - s["mom"]

    opt = fg.train.RMSPropOptimizer(0.01, momentum=momentum)
    # The mean square starts at ONES (TF1).
    assert_close(run_steps(opt, 4),
                 reference(update, 4, {"ms": np.ones_like, "mom": zeros}))


def test_centered_rmsprop():
    def update(p, g, s, t):
        s["ms"] = 0.8 * s["ms"] + 0.2 * g * g
        s["mg"] = 0.8 * s["mg"] + 0.2 * g
        s["mom"] = 0.3 * s["mom"] + 0.01 * g / np.sqrt(s["ms"] - s["mg"] ** 2 + 1e-6)
        return p - s["mom"]

    opt = fg.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.3, epsilon=1e-6,
                                    centered=True)
    assert_close(run_steps(opt, 4),
                 reference(update, 4, {"ms": np.ones_like, "mg": zeros, "mom": zeros}))


def test_adam_step_by_step_against_the_published_formula():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8

    def update(p, g, s, t):
        # Kingma and Ba, Algorithm 1, with TF1's lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t).
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return p - lr_t * s["m"] / (np.sqrt(s["v"]) + eps)

    assert_close(run_steps(fg.train.AdamOptimizer(lr), 5),
                 reference(update, 5, {"m": zeros, "v": zeros}), rtol=1e-5)


def test_adam_defaults_and_beta_powers():
    opt = fg.train.AdamOptimizer()
    assert (opt._lr, opt._beta1, opt._beta2, opt._epsilon) == (0.001, 0.9, 0.999, 1e-08)
    graph = fg.Graph()
    with graph.as_default():
        from tests.train.helpers import build
        w, b, loss = build()
        train = opt.minimize(loss)
        b1p, b2p = opt._get_beta_accumulators()
        assert (b1p.op.name, b2p.op.name) == ("beta1_power", "beta2_power")
        assert not b1p.trainable
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            np.testing.assert_allclose(sess.run([b1p, b2p]), [0.9, 0.999], rtol=1e-6)
            sess.run(train)
            sess.run(train)
            np.testing.assert_allclose(sess.run([b1p, b2p]), [0.9 ** 3, 0.999 ** 3],
                                       rtol=1e-6)


@pytest.mark.parametrize("l1,l2,power,shrink", [(0.0, 0.0, -0.5, 0.0), (0.05, 0.1, -0.5, 0.0),
                                                (0.01, 0.0, -0.3, 0.0),
                                                (0.0, 0.1, -0.5, 0.2)])
def test_ftrl(l1, l2, power, shrink):
    lr = 0.5

    def update(p, g, s, t):
        # ApplyFtrlV2: the accumulator takes the raw grad, `linear` the shrunk one.
        new_acc = s["acc"] + g * g
        g = g + 2 * shrink * p
        s["lin"] = s["lin"] + g - (new_acc ** -power - s["acc"] ** -power) / lr * p
        s["acc"] = new_acc
        quadratic = new_acc ** -power / lr + 2 * l2
        return np.where(np.abs(s["lin"]) > l1, (np.sign(s["lin"]) * l1 - s["lin"]) / quadratic,
                        0.0)

    opt = fg.train.FtrlOptimizer(lr, learning_rate_power=power, l1_regularization_strength=l1,
                                 l2_regularization_strength=l2,
                                 l2_shrinkage_regularization_strength=shrink)
    assert_close(run_steps(opt, 3),
                 reference(update, 3, {"acc": lambda p: np.full_like(p, 0.1), "lin": zeros}),
                 rtol=1e-4, atol=1e-6)


def test_float64_variables():
    def update(p, g, s, t):
        return p - 0.05 * g

    got = run_steps(fg.train.GradientDescentOptimizer(0.05), 2, dtype=fg.float64)
    assert got[0][0].dtype == np.float64
    # The learning rate is a float64 constant: no rounding through float32.
    assert_close(got, reference(update, 2, {}), rtol=1e-13, atol=0)


def test_float64_adam_is_exact():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8

    def update(p, g, s, t):
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        return p - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * s["m"] / (np.sqrt(s["v"]) + eps)

    got = run_steps(fg.train.AdamOptimizer(lr), 3, dtype=fg.float64)
    assert_close(got, reference(update, 3, {"m": zeros, "v": zeros}), rtol=1e-12, atol=0)


def test_learning_rate_as_tensor_placeholder_and_callable():
    def update(p, g, s, t):
        return p - 0.05 * g

    want = reference(update, 2, {})
    assert_close(run_steps(fg.train.GradientDescentOptimizer(lambda: 0.05), 2), want)
    graph = fg.Graph()
    with graph.as_default():
        from tests.train.helpers import build
        w, b, loss = build()
        lr = fg.placeholder(fg.float32, [])
        train = fg.train.MomentumOptimizer(lr, momentum=fg.constant(0.0)).minimize(loss)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            got = []
            for _ in range(2):
                sess.run(train, {lr: 0.05})
                got.append(sess.run([w, b]))
    assert_close(got, want)


def test_gradient_descent_does_not_need_slots():
    opt = fg.train.GradientDescentOptimizer(0.1)
    run_steps(opt, 1)
    assert opt.get_slot_names() == []


def test_optimizers_validate_arguments():
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        fg.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(ValueError, match="learning_rate_power"):
        fg.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength"):
        fg.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0)
    with pytest.raises(ValueError, match="Must specify the optimizer name"):
        fg.train.Optimizer(False, "")


def test_ftrl_l2_shrinkage_accumulates_raw_gradient():
    # One step by hand (TF1 ApplyFtrlV2 / SparseApplyFtrlV2): var=1, accum=0.1, g=0.5,
    # lr=0.5, shrinkage=0.25 -> accum = 0.1 + 0.5^2 = 0.35 (raw g, not the shrunk 1.0);
    # linear = (0.5 + 2*0.25*1) - (sqrt(.35) - sqrt(.1)) / 0.5 * 1 = 0.4492396;
    # var = -linear / (sqrt(.35) / 0.5) = -0.3796767. The sparse row (var=2) gives
    # linear = 1.5 - 0.5507604 * 2 = 0.3984792, var = -0.3367763.
    with fg.Graph().as_default():
        v = fg.Variable([1.0])
        rows = fg.Variable([1.0, 2.0])
        opt = fg.train.FtrlOptimizer(0.5, l2_shrinkage_regularization_strength=0.25)
        dense = opt.apply_gradients([(fg.constant([0.5]), v)])
        sparse = opt.apply_gradients(
            [(fg.IndexedSlices(fg.constant([0.5]), fg.constant([1])), rows)])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run([dense, sparse])
            got = sess.run([v, opt.get_slot(v, "accum"), opt.get_slot(v, "linear"),
                            rows, opt.get_slot(rows, "accum"), opt.get_slot(rows, "linear")])
    want = [[-0.3796767], [0.35], [0.4492396], [1.0, -0.3367763], [0.1, 0.35], [0.0, 0.3984792]]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
