"""TF 1.15's extra tf.keras.metrics classes; numbers from tf_keras (hard-coded) or numpy."""

import numpy as np
import pytest

import flowgraph as fg

k = fg.keras

Y_TRUE = np.array([[0., 1., 1.], [1., 0., 1.]], np.float32)
Y_PRED = np.array([[0.2, 0.7, 0.4], [0.9, 0.3, 0.6]], np.float32)
WEIGHTS = np.array([0.3, 0.7], np.float32)

# tf_keras (graph mode): update without weights, then with WEIGHTS, then result()
TF_RESULTS = {
    "Hinge": ("hinge", 0.6433333),
    "SquaredHinge": ("squared_hinge", 0.6243333),
    "CategoricalHinge": ("categorical_hinge", 0.043333318),
    "CosineSimilarity": ("cosine_similarity", 0.94121534),
    "KLDivergence": ("kullback_leibler_divergence", 0.9007892),
    "LogCoshError": ("logcosh", 0.05789259),
    "MeanAbsolutePercentageError": ("mean_absolute_percentage_error", 8.5555576e+07),
    "MeanSquaredLogarithmicError": ("mean_squared_logarithmic_error", 0.049896885),
    "Poisson": ("poisson", 0.82804126),
    "RootMeanSquaredError": ("root_mean_squared_error", 0.34624976),
}


def _run_updates(metric, *updates):
    sess = k.backend.get_session()
    ops = [metric.update_state(*args, **kw) for args, kw in updates]
    sess.run(fg.variables_initializer(metric.variables))
    for op in ops:
        sess.run(op)
    return sess.run(metric.result())


@pytest.mark.parametrize("class_name", sorted(TF_RESULTS))
def test_mean_metrics_match_tf_keras(class_name):
    k.backend.clear_session()
    metric = getattr(k.metrics, class_name)()
    name, expected = TF_RESULTS[class_name]
    assert metric.name == name
    value = _run_updates(metric, ((Y_TRUE, Y_PRED), {}),
                         ((Y_TRUE, Y_PRED), {"sample_weight": WEIGHTS}))
    np.testing.assert_allclose(value, expected, rtol=2e-6)
    metric.reset_states()
    assert k.backend.get_session().run(metric.result()) == 0.0


def test_root_mean_squared_error_numpy():
    k.backend.clear_session()
    metric = k.metrics.RootMeanSquaredError()
    value = _run_updates(metric, ((Y_TRUE, Y_PRED), {"sample_weight": WEIGHTS}))
    weights = np.broadcast_to(WEIGHTS[:, None], Y_TRUE.shape)
    expected = np.sqrt(np.sum(weights * (Y_TRUE - Y_PRED) ** 2) / np.sum(weights))
    np.testing.assert_allclose(value, expected, rtol=1e-6)


def test_cosine_similarity_axis_and_config():
    k.backend.clear_session()
    metric = k.metrics.CosineSimilarity(axis=0)
    assert metric.get_config() == {"axis": 0, "name": "cosine_similarity", "dtype": "float32"}
    value = _run_updates(metric, ((Y_TRUE, Y_PRED), {}))
    t = Y_TRUE / np.linalg.norm(Y_TRUE, axis=0)
    p = Y_PRED / np.linalg.norm(Y_PRED, axis=0)
    np.testing.assert_allclose(value, np.mean(np.sum(t * p, axis=0)), rtol=1e-6)


def test_mean_relative_error():
    k.backend.clear_session()
    metric = k.metrics.MeanRelativeError(normalizer=[1., 3., 2.])
    assert metric.name == "mean_relative_error"
    value = _run_updates(metric, ((Y_TRUE, Y_PRED), {}))
    np.testing.assert_allclose(value, 0.16666667, rtol=1e-6)  # tf_keras
    np.testing.assert_allclose(metric.get_config()["normalizer"], [1., 3., 2.])


def test_mean_tensor():
    k.backend.clear_session()
    metric = k.metrics.MeanTensor()
    with pytest.raises(ValueError, match="does not have any result yet"):
        metric.result()
    value = _run_updates(metric, (([[1., 2.], [3., 4.]],), {}),
                         (([[5., 0.], [1., 2.]],), {"sample_weight": [0.5, 2.0]}))
    np.testing.assert_allclose(value, [[2.3333333, 1.3333334], [1.6666666, 2.6666667]],
                               rtol=1e-6)  # tf_keras
    assert [v.op.name for v in metric.variables] == ["mean_tensor/total", "mean_tensor/count"]
    with pytest.raises(ValueError, match="same shape"):
        metric.update_state([1., 2., 3.])


def test_mean_iou():
    k.backend.clear_session()
    metric = k.metrics.MeanIoU(num_classes=3)
    assert metric.name == "mean_io_u"
    labels = [0, 1, 2, 2, 1, 0]
    preds = [0, 2, 2, 1, 1, 1]
    weights = [1., 2., 0.5, 1., 1., 3.]
    value = _run_updates(metric, ((labels, preds), {"sample_weight": weights}))
    np.testing.assert_allclose(value, 0.17857142, rtol=1e-6)  # tf_keras
    cm = np.zeros((3, 3))
    for t, p, w in zip(labels, preds, weights):
        cm[t, p] += w
    tp = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - tp
    np.testing.assert_allclose(value, np.mean(tp / union), rtol=1e-6)
    assert metric.variables[0].dtype.base_dtype == fg.float64
    assert metric.get_config()["num_classes"] == 3


def _sens_spec_reference(y, p, value, num_thresholds, sensitivity_at):
    """TF 1.15's algorithm: the threshold whose other rate is closest to `value`."""
    if num_thresholds == 1:
        thresholds = [0.5]
    else:
        thresholds = [0.0] + [(i + 1) / (num_thresholds - 1)
                              for i in range(num_thresholds - 2)] + [1.0]
    rows = []
    for t in thresholds:
        pos = p > t
        tp = np.sum(pos & (y == 1))
        fp = np.sum(pos & (y == 0))
        tn = np.sum(~pos & (y == 0))
        fn = np.sum(~pos & (y == 1))
        rows.append((tp, fp, tn, fn))
    rows = np.array(rows, np.float32)  # float32 rates, as TF: ties round the same way
    tp, fp, tn, fn = rows.T
    value = np.float32(value)
    if sensitivity_at:
        spec = np.where(tn + fp > 0, tn / np.maximum(tn + fp, 1e-12), 0.0).astype(np.float32)
        i = np.argmin(np.abs(spec - value))
        return tp[i] / (tp[i] + fn[i])
    sens = np.where(tp + fn > 0, tp / np.maximum(tp + fn, 1e-12), 0.0).astype(np.float32)
    i = np.argmin(np.abs(sens - value))
    return tn[i] / (tn[i] + fp[i])


@pytest.mark.parametrize("num_thresholds", [1, 5, 200])
@pytest.mark.parametrize("class_name,value", [("SensitivityAtSpecificity", 0.7),
                                              ("SpecificityAtSensitivity", 0.6)])
def test_sensitivity_specificity(class_name, value, num_thresholds):
    k.backend.clear_session()
    y = np.array([0, 0, 1, 1, 0, 1, 0, 1], np.float32)
    p = np.array([0.1, 0.6, 0.35, 0.8, 0.45, 0.55, 0.2, 0.9], np.float32)
    metric = getattr(k.metrics, class_name)(value, num_thresholds=num_thresholds)
    result = _run_updates(metric, ((y, p), {}))
    expected = _sens_spec_reference(y, p, value, num_thresholds,
                                    class_name == "SensitivityAtSpecificity")
    np.testing.assert_allclose(result, expected, rtol=1e-6)
    if num_thresholds in (1, 200):
        assert result == pytest.approx(0.75)  # tf_keras agrees on these
    config = metric.get_config()
    assert config["num_thresholds"] == num_thresholds
    clone = k.metrics.deserialize({"class_name": class_name, "config": config})
    assert type(clone) is type(metric) and clone.value == value


def test_sensitivity_docstring_examples():
    k.backend.clear_session()
    m = k.metrics.SensitivityAtSpecificity(0.4, num_thresholds=1)
    assert _run_updates(m, (([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]), {})) == pytest.approx(0.5)
    m = k.metrics.SpecificityAtSensitivity(0.8, num_thresholds=1)
    assert _run_updates(m, (([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]), {})) == pytest.approx(1.0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_thresholds"):
        k.metrics.SensitivityAtSpecificity(0.5, num_thresholds=0)
    with pytest.raises(ValueError, match=r"specificity` must be in the range \[0, 1\]"):
        k.metrics.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match=r"sensitivity` must be in the range"):
        k.metrics.SpecificityAtSensitivity(-0.1)
    with pytest.raises(TypeError, match="unexpected keyword"):
        k.metrics.Hinge(axis=0)


def test_serialize_round_trip():
    k.backend.clear_session()
    metric = k.metrics.RootMeanSquaredError(name="rmse")
    config = k.metrics.serialize(metric)
    assert config == {"class_name": "RootMeanSquaredError",
                      "config": {"name": "rmse", "dtype": "float32"}}
    clone = k.metrics.deserialize(config)
    assert isinstance(clone, k.metrics.RootMeanSquaredError) and clone.name == "rmse"


def test_in_model_compile():
    k.backend.clear_session()
    rng = np.random.RandomState(0)
    x = rng.rand(16, 3).astype(np.float32)
    y = (x.sum(axis=1, keepdims=True) > 1.5).astype(np.float32)
    model = k.Sequential([k.layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile("sgd", "binary_crossentropy",
                  metrics=[k.metrics.RootMeanSquaredError(), k.metrics.Hinge(),
                           k.metrics.SensitivityAtSpecificity(0.5), k.metrics.MeanIoU(2)])
    assert model.metrics_names == ["loss", "root_mean_squared_error", "hinge",
                                   "sensitivity_at_specificity", "mean_io_u"]
    results = model.evaluate(x, y, batch_size=16, verbose=0)
    pred = model.predict(x)
    np.testing.assert_allclose(results[1], np.sqrt(np.mean((pred - y) ** 2)), rtol=1e-5)
    signed = 2 * y - 1
    np.testing.assert_allclose(results[2], np.mean(np.maximum(1 - signed * pred, 0)),
                               rtol=1e-5)
    expected = _sens_spec_reference(y.ravel(), pred.ravel(), 0.5, 200, True)
    np.testing.assert_allclose(results[3], expected, rtol=1e-5)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["mean_io_u"]) == 2
