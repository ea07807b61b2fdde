"""tf.keras.optimizers: steps on a small quadratic vs numpy update rules and tf_keras numbers,
variable names, config, lookup."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import optimizers as O

X0 = np.array([1.0, -2.0])
SCALE = np.array([1.0, 3.0])


def _grad(x):
    return 2 * SCALE * x


def _steps(optimizer, n=3):
    """Values of x after each of `n` steps minimizing sum(SCALE * x^2) from X0."""
    with fg.Graph().as_default():
        x = fg.Variable(X0.astype(np.float32), name="x")
        loss = fg.reduce_sum(x * x * fg.constant(SCALE.astype(np.float32)))
        updates = optimizer.get_updates(loss, [x])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            values = []
            for _ in range(n):
                sess.run(updates)
                values.append(sess.run(x))
            assert sess.run(optimizer.iterations) == n
            names = [v.name for v in optimizer.weights]
    return np.array(values), names


def _numpy_adam(lr, b1, b2, eps, amsgrad=False, decay=0.0, n=3):
    x, m, v, vhat, out = X0.copy(), 0 * X0, 0 * X0, 0 * X0, []
    for t in range(1, n + 1):
        g = _grad(x)
        lr_t = lr / (1 + decay * (t - 1))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vhat = np.maximum(vhat, v)
        denom = np.sqrt(vhat if amsgrad else v) + eps
        x = x - lr_t * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / denom
        out.append(x)
    return np.array(out)


def _numpy_sgd(lr, momentum=0.0, nesterov=False, n=3):
    x, accum, out = X0.copy(), 0 * X0, []
    for _ in range(n):
        g = _grad(x)
        accum = momentum * accum - lr * g
        x = x + (momentum * accum - lr * g if nesterov else accum)
        out.append(x)
    return np.array(out)


def _numpy_rmsprop(lr, rho, eps, momentum=0.0, centered=False, n=3):
    x, ms, mg, mom, out = X0.copy(), 0 * X0, 0 * X0, 0 * X0, []
    for _ in range(n):
        g = _grad(x)
        ms = rho * ms + (1 - rho) * g * g
        mg = rho * mg + (1 - rho) * g
        denom = ms - mg * mg if centered else ms
        if momentum:
            mom = momentum * mom + lr * g / np.sqrt(denom + eps)
            x = x - mom
        else:
            x = x - lr * g / (np.sqrt(denom) + eps)
        out.append(x)
    return np.array(out)


def _numpy_adagrad(lr, init, eps, n=3):
    x, acc, out = X0.copy(), np.full(2, init), []
    for _ in range(n):
        g = _grad(x)
        acc = acc + g * g
        x = x - lr * g / (np.sqrt(acc) + eps)
        out.append(x)
    return np.array(out)


def _numpy_adadelta(lr, rho, eps, n=3):
    x, acc, acc_up, out = X0.copy(), 0 * X0, 0 * X0, []
    for _ in range(n):
        g = _grad(x)
        acc = rho * acc + (1 - rho) * g * g
        update = np.sqrt(acc_up + eps) / np.sqrt(acc + eps) * g
        acc_up = rho * acc_up + (1 - rho) * update * update
        x = x - lr * update
        out.append(x)
    return np.array(out)


def _numpy_adamax(lr, b1, b2, eps, n=3):
    x, m, u, out = X0.copy(), 0 * X0, 0 * X0, []
    for t in range(1, n + 1):
        g = _grad(x)
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g))
        x = x - lr / (1 - b1 ** t) * m / (u + eps)
        out.append(x)
    return np.array(out)


def _numpy_nadam(lr, b1, b2, eps, schedule_decay=0.004, n=3):
    x, m, v, cache, out = X0.copy(), 0 * X0, 0 * X0, 1.0, []
    for t in range(1, n + 1):
        g = _grad(x)
        mu_t = b1 * (1 - 0.5 * 0.96 ** (schedule_decay * t))
        mu_next = b1 * (1 - 0.5 * 0.96 ** (schedule_decay * (t + 1)))
        cache = cache * mu_t
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_bar = (1 - mu_t) * g / (1 - cache) + mu_next * m / (1 - cache * mu_next)
        x = x - lr * m_bar / (np.sqrt(v / (1 - b2 ** t)) + eps)
        out.append(x)
    return np.array(out)


CASES = [
    ("sgd", lambda: O.SGD(0.1), lambda: _numpy_sgd(0.1)),
    ("sgd_momentum", lambda: O.SGD(0.1, momentum=0.9), lambda: _numpy_sgd(0.1, 0.9)),
    ("sgd_nesterov", lambda: O.SGD(0.1, momentum=0.9, nesterov=True),
     lambda: _numpy_sgd(0.1, 0.9, True)),
    ("adam", lambda: O.Adam(0.1), lambda: _numpy_adam(0.1, 0.9, 0.999, 1e-7)),
    ("adam_amsgrad", lambda: O.Adam(0.1, amsgrad=True),
     lambda: _numpy_adam(0.1, 0.9, 0.999, 1e-7, amsgrad=True)),
    ("adam_decay", lambda: O.Adam(lr=0.1, decay=0.5),
     lambda: _numpy_adam(0.1, 0.9, 0.999, 1e-7, decay=0.5)),
    ("rmsprop", lambda: O.RMSprop(0.1), lambda: _numpy_rmsprop(0.1, 0.9, 1e-7)),
    ("rmsprop_centered", lambda: O.RMSprop(0.1, centered=True),
     lambda: _numpy_rmsprop(0.1, 0.9, 1e-7, centered=True)),
    ("rmsprop_momentum", lambda: O.RMSprop(0.1, momentum=0.5),
     lambda: _numpy_rmsprop(0.1, 0.9, 1e-7, momentum=0.5)),
    ("adagrad", lambda: O.Adagrad(0.1), lambda: _numpy_adagrad(0.1, 0.1, 1e-7)),
    ("adadelta", lambda: O.Adadelta(1.0), lambda: _numpy_adadelta(1.0, 0.95, 1e-7)),
    ("adamax", lambda: O.Adamax(0.1), lambda: _numpy_adamax(0.1, 0.9, 0.999, 1e-7)),
    ("nadam", lambda: O.Nadam(0.1), lambda: _numpy_nadam(0.1, 0.9, 0.999, 1e-7)),
]


@pytest.mark.parametrize("name,make,reference", CASES, ids=[c[0] for c in CASES])
def test_steps_match_numpy(name, make, reference):
    got, _ = _steps(make())
    np.testing.assert_allclose(got, reference(), rtol=1e-4, atol=1e-5)


# x after 3 steps, printed by tf_keras' (legacy OptimizerV2) optimizers on the same problem
TF_KERAS_THIRD_STEP = {
    "sgd_nesterov": [-0.1083519458770752, 0.6081279516220093],
    "adam": [0.7015866637229919, -1.7006235122680664],
    "adam_decay": [0.7840637564659119, -1.7836271524429321],
    "rmsprop": [0.36918067932128906, -1.308717966079712],
    "rmsprop_centered": [0.32356950640678406, -1.2453413009643555],
    "rmsprop_momentum": [0.07640042901039124, -0.9800556302070618],
    "adagrad": [0.7822992205619812, -1.7758744955062866],
    "adadelta": [0.9957124590873718, -1.995710849761963],
    "adamax": [0.7154995203018188, -1.7076482772827148],
    "nadam": [0.7527292966842651, -1.7475085258483887],
}


@pytest.mark.parametrize("name", sorted(TF_KERAS_THIRD_STEP))
def test_steps_match_tf_keras(name):
    make = {c[0]: c[1] for c in CASES}[name]
    got, _ = _steps(make())
    np.testing.assert_allclose(got[-1], TF_KERAS_THIRD_STEP[name], rtol=1e-5, atol=1e-6)


def test_variable_names_as_tf_keras():
    assert _steps(O.Adam(0.1))[1] == ["Adam/iter:0", "Adam/x/m:0", "Adam/x/v:0"]
    assert _steps(O.SGD(0.1, momentum=0.5))[1] == ["SGD/iter:0", "SGD/x/momentum:0"]
    assert _steps(O.Nadam())[1] == ["Nadam/iter:0", "Nadam/momentum_cache:0", "Nadam/x/m:0",
                                    "Nadam/x/v:0"]
    assert _steps(O.Adadelta())[1] == ["Adadelta/iter:0", "Adadelta/x/accum_grad:0",
                                       "Adadelta/x/accum_var:0"]
    with fg.Graph().as_default():
        optimizer = O.Adam()
        assert optimizer.lr.name == "Adam/learning_rate:0"
        assert optimizer.lr is optimizer.learning_rate
        assert optimizer.iterations.dtype.base_dtype == fg.int64


def test_lr_variable_can_be_changed():
    K.clear_session()
    optimizer = O.SGD(0.1)
    x = fg.Variable([1.0], name="x")
    update = optimizer.get_updates(fg.reduce_sum(x * x), [x])
    sess = K.get_session()
    sess.run(update)
    np.testing.assert_allclose(sess.run(x), [0.8], rtol=1e-6)
    optimizer.lr = 0.5
    np.testing.assert_allclose(sess.run(optimizer.lr), 0.5)
    sess.run(update)
    np.testing.assert_allclose(sess.run(x), [0.0], atol=1e-6)
    assert optimizer.get_config()["learning_rate"] == pytest.approx(0.5)
    K.clear_session()


def test_minimize_apply_gradients_and_clipping():
    with fg.Graph().as_default():
        x = fg.Variable([3.0, -4.0], name="x")
        optimizer = O.SGD(1.0, clipnorm=1.0)
        grads = optimizer.get_gradients(fg.reduce_sum(x * x), [x])
        step = optimizer.minimize(lambda: fg.reduce_sum(x * x), [x])
        clip_value = O.SGD(1.0, clipvalue=0.5).get_gradients(fg.reduce_sum(x * x), [x])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            np.testing.assert_allclose(sess.run(grads[0]), [0.6, -0.8], rtol=1e-6)
            np.testing.assert_allclose(sess.run(clip_value[0]), [0.5, -0.5])
            sess.run(step)
            np.testing.assert_allclose(sess.run(x), [2.4, -3.2], rtol=1e-6)


def test_config_and_lookup():
    assert O.Adam(lr=0.01, decay=0.1).get_config() == {
        "name": "Adam", "learning_rate": 0.01, "decay": 0.1, "beta_1": 0.9, "beta_2": 0.999,
        "epsilon": 1e-07, "amsgrad": False}
    assert O.SGD().get_config() == {"name": "SGD", "learning_rate": 0.01, "decay": 0.0,
                                    "momentum": 0.0, "nesterov": False}
    assert O.RMSprop().get_config() == {"name": "RMSprop", "learning_rate": 0.001,
                                        "decay": 0.0, "rho": 0.9, "momentum": 0.0,
                                        "epsilon": 1e-07, "centered": False}
    assert O.Nadam().get_config()["decay"] == 0.004
    assert O.Adagrad().get_config()["initial_accumulator_value"] == 0.1
    assert O.Adadelta().get_config()["rho"] == 0.95
    for name, cls in [("sgd", O.SGD), ("Adam", O.Adam), ("RMSprop", O.RMSprop),
                      ("adagrad", O.Adagrad), ("adadelta", O.Adadelta),
                      ("adamax", O.Adamax), ("NADAM", O.Nadam)]:
        assert type(O.get(name)) is cls
    clone = O.deserialize(O.serialize(O.Adam(0.05, amsgrad=True)))
    assert isinstance(clone, O.Adam) and clone.get_config()["amsgrad"] is True
    assert clone.get_config()["learning_rate"] == 0.05
    adam = O.Adam()
    assert O.get(adam) is adam
    with pytest.raises(ValueError, match="Unknown optimizer"):
        O.get("nope")
    with pytest.raises(TypeError, match="Unexpected keyword"):
        O.SGD(momentun=0.9)


def test_tf_optimizer_is_wrapped():
    with fg.Graph().as_default():
        wrapped = O.get(fg.train.GradientDescentOptimizer(0.25))
        assert isinstance(wrapped, O.TFOptimizer)
        x = fg.Variable([2.0], name="x")
        updates = wrapped.get_updates(fg.reduce_sum(x * x), [x])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(updates)
            np.testing.assert_allclose(sess.run(x), [1.0])
            assert sess.run(wrapped.iterations) == 1
