"""tf.keras.losses: values vs numpy formulas and numbers produced by tf_keras (TF 1.15 API)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import losses as L

EPS = 1e-7
Y_TRUE = np.array([[0, 1, 0], [1, 0, 0]], np.float32)
Y_PRED = np.array([[.2, .7, .1], [.5, .3, .2]], np.float32)


def _run(tensors):
    with fg.Session() as sess:
        return sess.run(tensors)


# numbers printed by tf_keras (graph mode) for Y_TRUE, Y_PRED
TF_KERAS = {
    "mse": [0.04666667, 0.12666667],
    "mae": [0.2, 0.33333334],
    "mape": [1.0000001e+08, 1.6666669e+08],
    "msle": [0.02291251, 0.06161235],
    "hinge": [0.8666666, 1.0],
    "squared_hinge": [0.9133334, 1.1266667],
    "categorical_hinge": [0.5, 0.8],
    "logcosh": [0.02306686, 0.06144108],
    "categorical_crossentropy": [0.35667497, 0.6931472],
    "binary_crossentropy": [0.22839285, 0.42432168],
    "kld": [0.35667214, 0.69314426],
    "poisson": [0.45222494, 0.5643823],
}


@pytest.mark.parametrize("name", sorted(TF_KERAS))
def test_functions_match_tf_keras(name):
    value = _run(L.get(name)(Y_TRUE, Y_PRED))
    assert value.shape == (2,)
    np.testing.assert_allclose(value, TF_KERAS[name], rtol=2e-5)


def test_functions_match_numpy_formulas():
    t, p = Y_TRUE.astype(np.float64), Y_PRED.astype(np.float64)
    clipped = np.clip(p, EPS, 1 - EPS)
    logits = np.log(clipped / (1 - clipped))
    bce = np.maximum(logits, 0) - logits * t + np.log1p(np.exp(-np.abs(logits)))
    expected = {
        L.mean_squared_error: ((p - t) ** 2).mean(-1),
        L.mean_absolute_error: np.abs(p - t).mean(-1),
        L.mean_absolute_percentage_error:
            100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1),
        L.mean_squared_logarithmic_error:
            ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2).mean(-1),
        L.hinge: np.maximum(1 - (2 * t - 1) * p, 0).mean(-1),
        L.squared_hinge: (np.maximum(1 - (2 * t - 1) * p, 0) ** 2).mean(-1),
        L.categorical_hinge:
            np.maximum(0, ((1 - t) * p).max(-1) - (t * p).sum(-1) + 1),
        L.logcosh: np.log(np.cosh(p - t)).mean(-1),
        L.categorical_crossentropy:
            -(t * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))).sum(-1),
        L.binary_crossentropy: bce.mean(-1),
        L.kullback_leibler_divergence:
            (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1),
        L.poisson: (p - t * np.log(p + EPS)).mean(-1),
    }
    values = _run([fn(Y_TRUE, Y_PRED) for fn in expected])
    for (fn, want), got in zip(expected.items(), values):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6, err_msg=fn.__name__)


def test_cosine_proximity_is_negative_cosine_in_tf_1_15():
    t, p = Y_TRUE, Y_PRED
    want = -(t * p).sum(-1) / (np.linalg.norm(t, axis=-1) * np.linalg.norm(p, axis=-1))
    got = _run(L.cosine_proximity(t, p))
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert L.get("cosine_similarity") is L.cosine_proximity
    assert (got < 0).all()


def test_crossentropies_use_logits_of_softmax_and_sigmoid_outputs():
    logits = np.array([[30., 0., -30.], [1., 2., 3.]], np.float32)
    labels = np.array([[0., 0., 1.], [0., 1., 0.]], np.float32)
    shifted = logits - logits.max(-1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    cce, bce = _run([
        L.categorical_crossentropy(labels, fg.nn.softmax(fg.constant(logits))),
        L.binary_crossentropy(labels, fg.nn.sigmoid(fg.constant(logits)))])
    # no clipping: the exact value 60 (clipping to 1e-7 would give about 16.1)
    np.testing.assert_allclose(cce, -(labels * log_softmax).sum(-1), rtol=1e-5)
    exact_bce = (np.maximum(logits, 0) - logits * labels
                 + np.log1p(np.exp(-np.abs(logits)))).mean(-1)
    np.testing.assert_allclose(bce, exact_bce, rtol=1e-5)


def test_from_logits():
    logits = np.array([[1., 2., 3.], [0.5, -1., 0.]], np.float32)
    shifted = logits - logits.max(-1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    got = _run([L.categorical_crossentropy(Y_TRUE, logits, from_logits=True),
                L.sparse_categorical_crossentropy([1, 0], logits, from_logits=True)])
    want = -(Y_TRUE * log_softmax).sum(-1)
    np.testing.assert_allclose(got[0], want, rtol=1e-5)
    np.testing.assert_allclose(got[1], want, rtol=1e-5)


@pytest.mark.parametrize("labels", [np.array([1, 0]), np.array([[1], [0]]),
                                    np.array([1., 0.], np.float32),
                                    np.array([[1.], [0.]], np.float32)])
def test_sparse_labels_shapes_and_dtypes(labels):
    got = _run(L.sparse_categorical_crossentropy(labels, Y_PRED))
    assert got.shape == (2,)
    np.testing.assert_allclose(got, [-np.log(0.7), -np.log(0.5)], rtol=1e-5)


def test_label_smoothing():
    got = _run([L.categorical_crossentropy(Y_TRUE, Y_PRED, label_smoothing=0.1),
                L.binary_crossentropy(Y_TRUE, Y_PRED, label_smoothing=0.2)])
    smooth = Y_TRUE * 0.9 + 0.1 / 3
    np.testing.assert_allclose(got[0], -(smooth * np.log(Y_PRED)).sum(-1), rtol=1e-5)
    t = Y_TRUE * 0.8 + 0.1
    np.testing.assert_allclose(
        got[1], -(t * np.log(Y_PRED) + (1 - t) * np.log(1 - Y_PRED)).mean(-1), rtol=1e-4)


def test_loss_classes_reduce_and_weight():
    cce = L.CategoricalCrossentropy(label_smoothing=0.1)
    bce = L.BinaryCrossentropy(from_logits=True)
    mse_sum = L.MeanSquaredError(reduction="sum")
    mse_none = L.MeanSquaredError(reduction=L.Reduction.NONE)
    got = _run([cce(Y_TRUE, Y_PRED, sample_weight=[1., 2.]), bce(Y_TRUE, Y_PRED),
                mse_sum(Y_TRUE, Y_PRED), mse_none(Y_TRUE, Y_PRED),
                L.MeanSquaredError()(Y_TRUE, Y_PRED, sample_weight=[[1.], [3.]])])
    # tf_keras numbers
    np.testing.assert_allclose(got[0], 0.97236645, rtol=1e-5)
    np.testing.assert_allclose(got[1], 0.67871547, rtol=1e-5)
    per_sample = ((Y_PRED - Y_TRUE) ** 2).mean(-1)
    np.testing.assert_allclose(got[2], per_sample.sum(), rtol=1e-5)
    np.testing.assert_allclose(got[3], per_sample, rtol=1e-5)
    np.testing.assert_allclose(got[4], (per_sample * [1, 3]).sum() / 2, rtol=1e-5)


def test_loss_class_call_and_fn_give_per_sample_values():
    loss = L.SparseCategoricalCrossentropy()
    assert loss.fn is L.sparse_categorical_crossentropy
    got = _run([loss.call(np.array([[1], [0]]), Y_PRED), loss(np.array([[1], [0]]), Y_PRED)])
    np.testing.assert_allclose(got[0], [-np.log(0.7), -np.log(0.5)], rtol=1e-5)
    np.testing.assert_allclose(got[1], (-np.log(0.7) - np.log(0.5)) / 2, rtol=1e-5)


def test_binary_class_squeezes_trailing_axis_of_predictions():
    y_true = fg.constant([1., 0., 1.])
    y_pred = fg.constant([[0.9], [0.2], [0.4]])
    got = _run(L.BinaryCrossentropy()(y_true, y_pred))
    want = -np.mean([np.log(0.9), np.log(0.8), np.log(0.4)])
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_huber():
    t = np.array([[0., 1.], [2., 0.]], np.float32)
    p = np.array([[0.5, 3.], [2., -1.5]], np.float32)
    err = np.abs(p - t)
    want = np.where(err <= 1.0, 0.5 * err ** 2, err - 0.5)
    got = _run([L.huber_loss(t, p), L.Huber()(t, p)])
    np.testing.assert_allclose(got[0], want, rtol=1e-6)
    np.testing.assert_allclose(got[1], want.mean(), rtol=1e-6)


def test_get_serialize_deserialize():
    assert L.get("mse") is L.mean_squared_error
    assert L.get("categorical_crossentropy") is L.categorical_crossentropy
    assert L.get(None) is None
    assert L.get(L.hinge) is L.hinge
    assert L.serialize(L.mse) == "mean_squared_error"
    config = L.serialize(L.CategoricalCrossentropy(from_logits=True))
    assert config == {"class_name": "CategoricalCrossentropy",
                      "config": {"from_logits": True, "label_smoothing": 0,
                                 "reduction": "auto", "name": "categorical_crossentropy"}}
    loss = L.deserialize(config)
    assert isinstance(loss, L.CategoricalCrossentropy)
    assert loss.get_config() == config["config"]
    with pytest.raises(ValueError, match="Unknown loss function"):
        L.get("no_such_loss")
    with pytest.raises(ValueError, match="Could not interpret"):
        L.get(3)
    with pytest.raises(ValueError, match="Invalid Reduction"):
        L.MeanSquaredError(reduction="mean")
