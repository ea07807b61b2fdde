"""TF1's Adadelta, ProximalGradientDescent, ProximalAdagrad and AdagradDA optimizers: slot
Variable names and the values after three steps, dense and sparse, as a real TF1 run
(tf.compat.v1) gives them."""

import numpy as np
import pytest

import flowgraph as fg

OPTIMIZERS = {
    "adadelta": lambda gs: fg.train.AdadeltaOptimizer(1.0),
    "proxgd": lambda gs: fg.train.ProximalGradientDescentOptimizer(
        0.1, l1_regularization_strength=0.1, l2_regularization_strength=0.05),
    "proxada": lambda gs: fg.train.ProximalAdagradOptimizer(0.1,
                                                            l1_regularization_strength=0.05),
    "adagradda": lambda gs: fg.train.AdagradDAOptimizer(
        0.1, gs, l1_regularization_strength=0.01, l2_regularization_strength=0.02),
}
# TF1 values of e after three steps.
DENSE = {
    "adadelta": [-0.501358, -0.248646, 0.0, 0.25136, 0.498644, 0.751358, 0.998644, 1.251357],
    "proxgd": [-0.754354, -0.139013, 0.0, 0.356308, 0.301765, 3.538488, 0.435252, 19.534048],
    "proxada": [-0.728577, -0.095868, 0.0, 0.458779, 0.305038, 0.993535, 0.78628, 1.489258],
    "adagradda": [-0.093844, 0.083106, 0.0, 0.083106, -0.093844, 0.101999, -0.100208,
                  0.100836],
}
SPARSE = {
    "adadelta": [0.0, 0.248644, 0.5, 0.75, 0.998643, 1.248643, 1.5, 1.75],
    "proxgd": [0.0, 0.101923, 0.5, 0.75, 0.193355, 0.246553, 1.5, 1.75],
    "proxada": [0.0, 0.066229, 0.5, 0.75, 0.778083, 1.026581, 1.5, 1.75],
    "adagradda": [0.0, -0.032299, 0.5, 0.75, -0.079369, -0.083397, 1.5, 1.75],
}


def _three_steps(kind, sparse):
    gs = fg.train.get_or_create_global_step()
    start = np.arange(8, dtype=np.float32).reshape(4, 2) / 4
    e = fg.Variable(start if sparse else start - 0.5, name="e")
    if sparse:
        loss = fg.reduce_sum(fg.gather(e, [0, 2, 2]) ** 2)
    else:
        loss = fg.reduce_sum(e ** 3 * fg.constant([1.0, -2.0]))
    train = OPTIMIZERS[kind](gs).minimize(loss, global_step=gs)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        return sess.run(e).ravel()


@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_dense_updates_match_tf1(kind):
    np.testing.assert_allclose(_three_steps(kind, sparse=False), DENSE[kind], atol=2e-5)


@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_sparse_updates_touch_only_gathered_rows_as_tf1(kind):
    np.testing.assert_allclose(_three_steps(kind, sparse=True), SPARSE[kind], atol=2e-5)


def test_slot_names_and_defaults():
    w = fg.Variable([1.0, -2.0], name="w")
    b = fg.Variable(0.5, name="b")
    loss = fg.reduce_sum(w * w) + b
    gs = fg.train.get_or_create_global_step()
    opt = fg.train.AdadeltaOptimizer()
    assert (opt._lr, opt._rho, opt._epsilon) == (0.001, 0.95, 1e-8)
    train = opt.minimize(loss)
    assert opt.get_name() == "Adadelta"
    assert sorted(opt.get_slot_names()) == ["accum", "accum_update"]
    assert train.name == "Adadelta"
    da = fg.train.AdagradDAOptimizer(0.1, gs)
    da.minimize(loss)
    assert sorted(da.get_slot_names()) == ["gradient_accumulator",
                                           "gradient_squared_accumulator"]
    pa = fg.train.ProximalAdagradOptimizer(0.1)
    pa.minimize(loss)
    assert [v.name for v in fg.global_variables()] == [
        "w:0", "b:0", "global_step:0", "w/Adadelta:0", "w/Adadelta_1:0", "b/Adadelta:0",
        "b/Adadelta_1:0", "w/AdagradDA:0", "w/AdagradDA_1:0", "b/AdagradDA:0",
        "b/AdagradDA_1:0", "w/ProximalAdagrad:0", "b/ProximalAdagrad:0"]
    with pytest.raises(ValueError):
        fg.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0)
