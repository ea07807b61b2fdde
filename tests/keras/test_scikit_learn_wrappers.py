"""tf.keras.wrappers.scikit_learn: KerasClassifier / KerasRegressor (TF 1.15 semantics).

The models have fixed weights and learn at rate 0, so their outputs are checked against
numpy. scikit-learn is not installed here; the estimator protocol (get_params / set_params,
cloning through the constructor) is exercised directly."""

import numpy as np
import pytest

import flowgraph as fg

keras = fg.keras
sk = fg.keras.wrappers.scikit_learn

W3 = np.array([[1.0, -0.5, 0.2], [0.3, 0.8, -1.0]], dtype=np.float32)
B3 = np.array([0.1, 0.0, -0.2], dtype=np.float32)
X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0], [0.5, -1.5], [2.0, 1.0],
              [-2.0, -0.5]], dtype=np.float32)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def build_softmax(units=3, loss="categorical_crossentropy", lr=0.0):
    model = keras.Sequential([keras.layers.Dense(
        units, activation="softmax", input_shape=(2,),
        kernel_initializer=keras.initializers.Constant(W3),
        bias_initializer=keras.initializers.Constant(B3))])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss=loss, metrics=["accuracy"])
    return model


def build_sigmoid():
    model = keras.Sequential([keras.layers.Dense(
        1, activation="sigmoid", input_shape=(2,),
        kernel_initializer=keras.initializers.Constant([[1.0], [-2.0]]),
        bias_initializer=keras.initializers.Constant(0.25))])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def build_linear(out=1):
    model = keras.Sequential([keras.layers.Dense(
        out, input_shape=(2,), kernel_initializer=keras.initializers.Constant(
            np.array([[2.0, 1.0], [-1.0, 0.5]], dtype=np.float32)[:, :out]),
        bias_initializer=keras.initializers.Constant(0.5))])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    return model


def test_namespace():
    assert fg.keras.wrappers.scikit_learn.KerasClassifier is sk.KerasClassifier
    assert issubclass(sk.KerasRegressor, sk.BaseWrapper)


def test_check_params_get_set_params():
    clf = sk.KerasClassifier(build_fn=build_softmax, units=3, epochs=2, batch_size=4,
                             verbose=0, nb_epoch=1)
    params = clf.get_params()
    assert params == {"units": 3, "epochs": 2, "batch_size": 4, "verbose": 0, "nb_epoch": 1,
                      "build_fn": build_softmax}
    params["epochs"] = 99
    assert clf.sk_params["epochs"] == 2  # get_params returns a copy
    assert clf.get_params(deep=True)["epochs"] == 2
    with pytest.raises(ValueError, match="bogus is not a legal parameter"):
        sk.KerasClassifier(build_fn=build_softmax, bogus=1)
    assert clf.set_params(epochs=5, steps=None) is clf
    assert clf.sk_params["epochs"] == 5
    with pytest.raises(ValueError, match="unitz is not a legal parameter"):
        clf.set_params(unitz=3)
    # what scikit-learn's clone does: rebuild from get_params
    clone = type(clf)(**clf.get_params())
    assert clone.sk_params == clf.sk_params and clone.build_fn is build_softmax


def test_filter_sk_params():
    clf = sk.KerasClassifier(build_fn=build_softmax, units=3, epochs=2, batch_size=4)

    def fn(units, batch_size=1, **kwargs):
        return None
    assert clf.filter_sk_params(fn) == {"units": 3, "batch_size": 4}
    assert clf.filter_sk_params(fn, {"batch_size": 8, "x": 1}) == {
        "units": 3, "batch_size": 8, "x": 1}
    assert clf.filter_sk_params(keras.Sequential.fit) == {"epochs": 2, "batch_size": 4}


def test_classifier_predict_proba_score():
    y = np.array([30, 10, 20, 30, 10, 20])  # labels are mapped through classes_
    clf = sk.KerasClassifier(build_fn=build_softmax, epochs=2, verbose=0)
    history = clf.fit(X, y)
    assert history.epoch == [0, 1]
    np.testing.assert_array_equal(clf.classes_, [10, 20, 30])
    assert clf.n_classes_ == 3
    probs = _softmax(X @ W3 + B3)
    np.testing.assert_allclose(clf.predict_proba(X), probs, rtol=1e-5, atol=1e-6)
    expected = np.array([10, 20, 30])[probs.argmax(axis=1)]
    np.testing.assert_array_equal(clf.predict(X), expected)
    assert clf.score(X, y, verbose=0) == pytest.approx(np.mean(expected == y))
    # the one-hot targets made from y give the loss numpy computes
    idx = np.searchsorted([10, 20, 30], y)
    ce = -np.mean(np.log(probs[np.arange(6), idx]))
    loss, _ = clf.model.evaluate(X, np.eye(3)[idx], verbose=0)
    assert loss == pytest.approx(ce, rel=1e-5)


def test_classifier_one_hot_y_and_sparse_loss():
    y = np.eye(3)[[0, 2, 1, 1, 0, 2]]
    clf = sk.KerasClassifier(build_fn=build_softmax, verbose=0)
    clf.fit(X, y, epochs=1)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    clf = sk.KerasClassifier(build_fn=build_softmax, loss="sparse_categorical_crossentropy",
                             verbose=0)
    clf.fit(X, np.array([0, 2, 1, 1, 0, 2]))
    expected = _softmax(X @ W3 + B3).argmax(axis=1)
    np.testing.assert_array_equal(clf.predict(X), expected)
    with pytest.raises(ValueError, match="Invalid shape for y"):
        clf.fit(X, np.zeros((6, 1, 1)))


def test_binary_classifier():
    y = np.array([1, 0, 0, 1, 1, 0])
    clf = sk.KerasClassifier(build_fn=build_sigmoid, verbose=0)
    clf.fit(X, y)
    p = 1 / (1 + np.exp(-(X @ np.array([1.0, -2.0]) + 0.25)))
    np.testing.assert_allclose(clf.predict_proba(X), np.stack([1 - p, p], axis=1),
                               rtol=1e-5, atol=1e-6)
    pred = clf.predict(X)
    assert pred.shape == (6, 1)  # TF 1.15: predict_classes of a sigmoid keeps the axis
    np.testing.assert_array_equal(pred[:, 0], (p > 0.5).astype(int))
    assert clf.score(X, y, verbose=0) == pytest.approx(np.mean((p > 0.5) == y))


def test_score_needs_accuracy():
    def build():
        model = build_softmax()
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
        return model
    clf = sk.KerasClassifier(build_fn=build, verbose=0)
    clf.fit(X, np.array([0, 1, 2, 0, 1, 2]))
    with pytest.raises(ValueError, match="metrics=\\[\"accuracy\"\\]"):
        clf.score(X, np.array([0, 1, 2, 0, 1, 2]), verbose=0)


def test_regressor():
    y = np.array([1.0, 2.0, 0.0, -1.0, 3.0, 0.5], dtype=np.float32)
    reg = sk.KerasRegressor(build_fn=build_linear, epochs=1, batch_size=2, verbose=0)
    reg.fit(X, y)
    ref = X @ np.array([2.0, -1.0]) + 0.5
    pred = reg.predict(X)
    assert pred.shape == (6,)
    np.testing.assert_allclose(pred, ref, rtol=1e-5)
    assert reg.score(X, y, verbose=0) == pytest.approx(-np.mean((ref - y) ** 2), rel=1e-5)
    reg2 = sk.KerasRegressor(build_fn=build_linear, out=2, verbose=0)
    reg2.fit(X, np.stack([y, y], axis=1))
    assert reg2.predict(X).shape == (6, 2)


def test_training_happens_with_sk_params():
    # one full-batch SGD step on the mse of a linear model, against the hand-derived update
    def build(lr=0.0):
        model = keras.Sequential([keras.layers.Dense(
            1, input_shape=(2,), kernel_initializer="zeros", bias_initializer="zeros")])
        model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
        return model
    y = np.array([1.0, 2.0, 0.0, -1.0, 3.0, 0.5], dtype=np.float32)
    reg = sk.KerasRegressor(build_fn=build, lr=0.1, epochs=1, batch_size=6, verbose=0,
                            shuffle=False)
    reg.fit(X, y)
    grad_w = -2 * X.T @ y / 6  # d mean((0 - y)^2) / dw at w = 0, b = 0
    grad_b = -2 * y.mean()
    ref = X @ (-0.1 * grad_w) + (-0.1 * grad_b)
    np.testing.assert_allclose(reg.predict(X), ref, rtol=1e-5)


class _Builder:
    def __init__(self):
        self.calls = 0

    def __call__(self, units=3):
        self.calls += 1
        return build_softmax(units)


class _OwnBuilder(sk.KerasClassifier):
    def __call__(self, units=3):
        return build_softmax(units)


def test_callable_object_and_subclass_builders():
    builder = _Builder()
    clf = sk.KerasClassifier(build_fn=builder, units=3, verbose=0)
    clf.fit(X, np.array([0, 1, 2, 0, 1, 2]))
    assert builder.calls == 1
    with pytest.raises(ValueError, match="unit is not a legal parameter"):
        sk.KerasClassifier(build_fn=builder, unit=3)
    own = _OwnBuilder(units=3, verbose=0)
    own.fit(X, np.array([0, 1, 2, 0, 1, 2]))
    np.testing.assert_array_equal(own.predict(X), _softmax(X @ W3 + B3).argmax(axis=1))
    with pytest.raises(ValueError, match="not fitted"):
        sk.KerasRegressor(build_fn=build_linear).predict(X)


def test_sequential_predict_classes_and_proba():
    model = build_softmax()
    probs = _softmax(X @ W3 + B3)
    np.testing.assert_allclose(model.predict_proba(X), probs, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model.predict_classes(X), probs.argmax(axis=1))


def test_import_path_as_tf1():
    from flowgraph.keras.wrappers.scikit_learn import KerasClassifier, KerasRegressor

    assert KerasClassifier is sk.KerasClassifier and KerasRegressor is sk.KerasRegressor
