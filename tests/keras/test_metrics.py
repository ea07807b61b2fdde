"""tf.keras.metrics: the metric functions vs numpy, and the stateful metric classes."""

import numpy as np
import pytest

from flowgraph.keras import backend as K
from flowgraph.keras import losses
from flowgraph.keras import metrics as M

Y_TRUE = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], np.float32)
Y_PRED = np.array([[.2, .7, .1], [.3, .5, .2], [.1, .3, .6]], np.float32)
LABELS = np.array([1, 0, 2])


def _run(tensors):
    return K.get_session().run(tensors)


def test_accuracy_functions():
    got = _run([M.binary_accuracy(Y_TRUE, Y_PRED), M.binary_accuracy(Y_TRUE, Y_PRED, 0.25),
                M.categorical_accuracy(Y_TRUE, Y_PRED),
                M.sparse_categorical_accuracy(LABELS, Y_PRED),
                M.sparse_categorical_accuracy(LABELS.reshape(3, 1).astype(np.float32), Y_PRED),
                M.top_k_categorical_accuracy(Y_TRUE, Y_PRED, k=2),
                M.top_k_categorical_accuracy(Y_TRUE, Y_PRED, k=1),
                M.sparse_top_k_categorical_accuracy(LABELS, Y_PRED, k=2)])
    np.testing.assert_allclose(got[0], ((Y_PRED > 0.5) == Y_TRUE).mean(-1))
    np.testing.assert_allclose(got[1], ((Y_PRED > 0.25) == Y_TRUE).mean(-1))
    want = (Y_PRED.argmax(-1) == LABELS).astype(np.float32)
    for index in (2, 3, 4, 6):
        np.testing.assert_array_equal(got[index], want)
        assert got[index].dtype == np.float32
    ranks = (-Y_PRED).argsort(-1)
    in_top2 = np.array([LABELS[i] in ranks[i, :2] for i in range(3)], np.float32)
    np.testing.assert_array_equal(got[5], in_top2)
    np.testing.assert_array_equal(got[7], in_top2)
    assert in_top2.tolist() == [1., 1., 1.] and want.tolist() == [1., 0., 1.]


def test_loss_functions_are_metrics():
    assert M.get("mse") is losses.mean_squared_error
    assert M.get("categorical_crossentropy") is losses.categorical_crossentropy
    assert M.get("binary_accuracy") is M.binary_accuracy
    assert M.get(M.mae) is M.mae
    with pytest.raises(ValueError, match="Unknown metric"):
        M.get("no_such_metric")
    with pytest.raises(ValueError, match="Could not interpret"):
        M.get(1)


def test_stateful_accuracy_accumulates_and_resets():
    metric = M.CategoricalAccuracy()
    update = metric.update_state(Y_TRUE, Y_PRED)
    result = metric.result()
    assert [v.name for v in metric.weights] == ["categorical_accuracy/total:0",
                                                "categorical_accuracy/count:0"]
    sess = K.get_session()
    sess.run(update)
    np.testing.assert_allclose(sess.run(result), 2 / 3, rtol=1e-6)
    second = metric.update_state(Y_TRUE[:1], Y_PRED[:1])
    sess.run(second)
    np.testing.assert_allclose(sess.run(result), 3 / 4, rtol=1e-6)
    metric.reset_states()
    assert sess.run(result) == 0.0


def test_mean_with_weights_and_call():
    mean = M.Mean()
    value = mean([1., 2., 3., 4.], sample_weight=[1., 0., 2., 1.])
    np.testing.assert_allclose(_run(value), (1 + 6 + 4) / 4, rtol=1e-6)
    binary = M.BinaryAccuracy(threshold=0.6)
    value = binary(np.array([[1.], [0.], [1.]]), np.array([[0.7], [0.65], [0.55]]))
    np.testing.assert_allclose(_run(value), 1 / 3, rtol=1e-6)
    sparse = M.SparseCategoricalAccuracy()
    np.testing.assert_allclose(_run(sparse(LABELS.reshape(3, 1), Y_PRED)), 2 / 3, rtol=1e-6)
    assert M.deserialize(M.serialize(binary)).get_config() == {
        "threshold": 0.6, "name": "binary_accuracy", "dtype": "float32"}
