"""tf.keras.estimator.model_to_estimator: an Estimator from a compiled Keras model, checked
against numpy forward passes of the Keras model's weights and against the model's own
evaluate / predict."""

import os

import numpy as np
import pytest

import flowgraph as fg

k = fg.keras


def _data(n=32, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 3).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    return x, y


def _numpy_forward(weights, x):
    w1, b1, w2, b2 = weights
    return np.tanh(x @ w1 + b1) @ w2 + b2


def _input_fn(features, labels=None, batch_size=8, shuffle=False, num_epochs=1):
    return fg.estimator.inputs.numpy_input_fn(features, labels, batch_size=batch_size,
                                              shuffle=shuffle, num_epochs=num_epochs)


def _sequential():
    model = k.Sequential([k.layers.Dense(4, activation="tanh", input_shape=(3,)),
                          k.layers.Dense(1)])
    model.compile(k.optimizers.SGD(0.1), "mse", metrics=["mae"])
    return model


def test_sequential_evaluate_predict_train(tmp_path):
    k.backend.clear_session()
    x, y = _data()
    model = _sequential()
    weights = model.get_weights()
    reference = _numpy_forward(weights, x)
    keras_eval = model.evaluate(x, y, batch_size=8, verbose=0)
    keras_pred = model.predict(x)
    est = k.estimator.model_to_estimator(keras_model=model, model_dir=str(tmp_path))
    assert isinstance(est, fg.estimator.Estimator)
    assert os.path.exists(str(tmp_path / "keras" / "keras_model.ckpt.index"))
    name_in, name_out = model.input_names[0], model.output_names[0]
    metrics = est.evaluate(_input_fn({name_in: x}, y))
    np.testing.assert_allclose(metrics["loss"], np.mean((reference - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(metrics["mean_absolute_error"],
                               np.mean(np.abs(reference - y)), rtol=1e-5)
    np.testing.assert_allclose([metrics["loss"], metrics["mean_absolute_error"]], keras_eval,
                               rtol=1e-5)
    assert metrics["global_step"] == 0
    preds = list(est.predict(_input_fn({name_in: x})))
    assert len(preds) == 32 and set(preds[0]) == {name_out}
    got = np.stack([p[name_out] for p in preds])
    np.testing.assert_allclose(got, reference, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got, keras_pred, rtol=1e-6, atol=1e-6)
    # one training step of plain SGD from the Keras weights, by hand
    est.train(_input_fn({name_in: x[:8]}, y[:8], num_epochs=None), steps=1)
    w1, b1, w2, b2 = weights
    xb, yb = x[:8].astype(np.float64), y[:8].astype(np.float64)
    h = np.tanh(xb @ w1 + b1)
    d_out = 2.0 * (h @ w2 + b2 - yb) / 8
    d_h = (d_out @ w2.T) * (1 - h ** 2)
    np.testing.assert_allclose(est.get_variable_value("dense_1/kernel"),
                               w2 - 0.1 * h.T @ d_out, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(est.get_variable_value("dense/kernel"),
                               w1 - 0.1 * xb.T @ d_h, rtol=1e-4, atol=1e-6)
    assert est.get_variable_value("global_step") == 1
    # training makes the loss fall, and the global step counts the steps
    est.train(_input_fn({name_in: x}, y, shuffle=True, num_epochs=None), steps=60)
    after = est.evaluate(_input_fn({name_in: x}, y))
    assert after["global_step"] == 61
    assert after["loss"] < 0.25 * metrics["loss"]


def test_features_as_single_tensor_and_labels_of_rank_one(tmp_path):
    k.backend.clear_session()
    x, y = _data(16, seed=1)
    model = _sequential()
    reference = _numpy_forward(model.get_weights(), x)
    est = k.estimator.model_to_estimator(model, model_dir=str(tmp_path))

    def input_fn():
        data = fg.data.Dataset.from_tensor_slices((x, y[:, 0])).batch(4)
        return data.make_one_shot_iterator().get_next()

    metrics = est.evaluate(input_fn)
    np.testing.assert_allclose(metrics["loss"], np.mean((reference - y) ** 2), rtol=1e-5)


def test_functional_two_inputs_two_outputs(tmp_path):
    k.backend.clear_session()
    rng = np.random.RandomState(2)
    a = rng.randn(12, 2).astype(np.float32)
    b = rng.randn(12, 3).astype(np.float32)
    ya = rng.randn(12, 1).astype(np.float32)
    yb = (rng.rand(12, 1) > 0.5).astype(np.float32)
    in_a = k.Input((2,), name="a")
    in_b = k.Input((3,), name="b")
    merged = k.layers.concatenate([in_a, in_b])
    out_r = k.layers.Dense(1, name="reg")(merged)
    out_c = k.layers.Dense(1, activation="sigmoid", name="cls")(merged)
    model = k.Model([in_a, in_b], [out_r, out_c])
    model.compile("adam", loss={"reg": "mse", "cls": "binary_crossentropy"},
                  loss_weights={"reg": 1.0, "cls": 0.5}, metrics={"cls": ["accuracy"]})
    kr, br, kc, bc = model.get_weights()
    m = np.concatenate([a, b], axis=1)
    pr = m @ kr + br
    pc = 1 / (1 + np.exp(-(m @ kc + bc)))
    eps = 1e-7
    pcc = np.clip(pc, eps, 1 - eps)
    bce = np.mean(-(yb * np.log(pcc) + (1 - yb) * np.log(1 - pcc)))
    mse = np.mean((pr - ya) ** 2)
    acc = np.mean((pc > 0.5) == (yb > 0.5))
    est = k.estimator.model_to_estimator(model, model_dir=str(tmp_path))
    metrics = est.evaluate(_input_fn({"a": a, "b": b}, {"reg": ya, "cls": yb}, batch_size=6))
    np.testing.assert_allclose(metrics["loss"], mse + 0.5 * bce, rtol=1e-4)
    np.testing.assert_allclose(metrics["reg_loss"], mse, rtol=1e-4)
    np.testing.assert_allclose(metrics["cls_loss"], bce, rtol=1e-4)
    np.testing.assert_allclose(metrics["cls_acc"], acc, rtol=1e-6)
    preds = list(est.predict(_input_fn({"a": a, "b": b})))
    assert set(preds[0]) == {"reg", "cls"}
    np.testing.assert_allclose(np.stack([p["cls"] for p in preds]), pc, rtol=1e-5)
    np.testing.assert_allclose(np.stack([p["reg"] for p in preds]), pr, rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(KeyError, match="Expected keys"):
        est.evaluate(_input_fn({"a": a, "c": b}, {"reg": ya, "cls": yb}))


def test_bad_arguments(tmp_path):
    k.backend.clear_session()
    model = k.Sequential([k.layers.Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match="not been compiled"):
        k.estimator.model_to_estimator(model, model_dir=str(tmp_path))
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Either `keras_model` or `keras_model_path`"):
        k.estimator.model_to_estimator()
    with pytest.raises(ValueError, match="not both"):
        k.estimator.model_to_estimator(model, keras_model_path="m.h5")


def test_from_saved_model_file(tmp_path):
    k.backend.clear_session()
    x, y = _data(8, seed=3)
    model = _sequential()
    reference = _numpy_forward(model.get_weights(), x)
    path = str(tmp_path / "saved_model_file")
    model.save(path)
    k.backend.clear_session()
    est = k.estimator.model_to_estimator(keras_model_path=path,
                                         model_dir=str(tmp_path / "est"))
    preds = list(est.predict(_input_fn({"dense_input": x})))
    np.testing.assert_allclose(np.stack([p["dense_1"] for p in preds]), reference,
                               rtol=1e-5, atol=1e-6)


def test_batch_normalization_trains_in_train_mode(tmp_path):
    k.backend.clear_session()
    x, y = _data(8, seed=4)
    model = k.Sequential([k.layers.BatchNormalization(input_shape=(3,)), k.layers.Dense(1)])
    model.compile(k.optimizers.SGD(0.0), "mse")
    kernel, bias = model.layers[1].get_weights()
    est = k.estimator.model_to_estimator(model, model_dir=str(tmp_path))
    # evaluation (learning phase 0) normalizes with the moving statistics (0 and 1)
    metrics = est.evaluate(_input_fn({"batch_normalization_input": x}, y))
    ref = x / np.sqrt(1 + 1e-3) @ kernel + bias
    np.testing.assert_allclose(metrics["loss"], np.mean((ref - y) ** 2), rtol=1e-5)
    # training (learning phase 1) runs the moving-average updates (biased batch variance)
    est.train(_input_fn({"batch_normalization_input": x}, y, num_epochs=None), steps=1)
    np.testing.assert_allclose(est.get_variable_value("batch_normalization/moving_mean"),
                               0.01 * x.mean(axis=0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(est.get_variable_value("batch_normalization/moving_variance"),
                               0.99 + 0.01 * x.var(axis=0), rtol=1e-5)


def test_tf_train_optimizer_and_metric_objects(tmp_path):
    k.backend.clear_session()
    x, y = _data(16, seed=5)
    model = k.Sequential([k.layers.Dense(1, input_shape=(3,))])
    model.compile(fg.train.AdamOptimizer(0.1), "mse", metrics=[k.metrics.MeanAbsoluteError()])
    kernel, bias = model.get_weights()
    est = k.estimator.model_to_estimator(model, model_dir=str(tmp_path))
    eval_fn = _input_fn({"dense_input": x}, y, batch_size=4)
    first = est.evaluate(eval_fn)
    np.testing.assert_allclose(first["mean_absolute_error"],
                               np.mean(np.abs(x @ kernel + bias - y)), rtol=1e-5)
    est.train(_input_fn({"dense_input": x}, y, shuffle=True, num_epochs=None), steps=20)
    assert "dense/kernel/Adam" in est.get_variable_names()
    second, third = est.evaluate(eval_fn), est.evaluate(eval_fn)
    assert second["global_step"] == 20
    assert second["loss"] < 0.5 * first["loss"]
    # the metric's state starts from zero in each evaluation
    assert second["mean_absolute_error"] == third["mean_absolute_error"]
    trained_k = est.get_variable_value("dense/kernel")
    trained_b = est.get_variable_value("dense/bias")
    np.testing.assert_allclose(second["mean_absolute_error"],
                               np.mean(np.abs(x @ trained_k + trained_b - y)), rtol=1e-5)
