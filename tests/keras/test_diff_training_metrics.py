"""TF 1.15's confusion-count metrics: TruePositives ... Precision, Recall (thresholds,
top_k, class_id, sample weights), checked against counts worked out by hand."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import initializers, layers, metrics
from flowgraph.keras.models import Sequential

Y_TRUE = np.array([[0, 1, 1], [1, 0, 1]], "float32")
Y_PRED = np.array([[0.6, 0.4, 0.9], [0.2, 0.55, 0.7]], "float32")
WEIGHTS = np.array([[1, 2, 1], [0.5, 1, 1]], "float32")
# at 0.5: TP (0,2) w1 + (1,2) w1; FP (0,0) w1 + (1,1) w1; FN (0,1) w2 + (1,0) w0.5; TN none


def _value(metric, weights=WEIGHTS):
    value = metric(fg.constant(Y_TRUE), fg.constant(Y_PRED), sample_weight=fg.constant(weights))
    return K.get_session().run(value)


@pytest.mark.parametrize("metric, want", [
    (metrics.TruePositives, 2.0), (metrics.FalsePositives, 2.0),
    (metrics.FalseNegatives, 2.5), (metrics.TrueNegatives, 0.0),
    (metrics.Precision, 2.0 / 4.0), (metrics.Recall, 2.0 / 4.5)])
def test_counts_at_the_default_threshold(metric, want):
    got = _value(metric())
    assert np.shape(got) == () and abs(got - want) < 1e-6


def test_several_thresholds_give_a_vector():
    # at 0.3: TP 2 + 1 + 1 = 4, FP 2; at 0.65: TP 2, FP 0
    np.testing.assert_allclose(_value(metrics.Precision(thresholds=[0.3, 0.65])),
                               [4 / 6, 1.0], rtol=1e-6)
    np.testing.assert_allclose(_value(metrics.FalsePositives(thresholds=[0.1, 0.5])),
                               [2.0, 2.0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.Precision(thresholds=[1.5])


def test_top_k_and_class_id():
    # top 1 of each row: 0.9 and 0.7, both labelled 1 -> TP 2, FN 2.5
    assert abs(_value(metrics.Recall(top_k=1)) - 2 / 4.5) < 1e-6
    # class 2 above 0.8: only 0.9 (label 1)
    got = _value(metrics.Precision(class_id=2, thresholds=0.8), np.array([1, 3], "float32"))
    assert got == 1.0


def test_names_are_unique_and_states_accumulate_in_fit():
    assert metrics.Precision().name == "precision"
    assert metrics.Precision().name == "precision_1"
    assert metrics.Precision(name="p").get_config() == {
        "thresholds": None, "top_k": None, "class_id": None, "name": "p", "dtype": "float32"}
    rng = np.random.RandomState(0)
    x = rng.rand(40, 4).astype("float32")
    y = (x[:, 0] > 0.5).astype("float32")
    model = Sequential([layers.Dense(1, input_shape=(4,), activation="sigmoid",
                                     kernel_initializer=initializers.Constant(0.1))])
    model.compile("sgd", "binary_crossentropy",
                  metrics=[metrics.Precision(name="p"), metrics.Recall(thresholds=0.6,
                                                                        name="r")])
    hist = model.fit(x, y, epochs=1, verbose=0, shuffle=False, batch_size=40)
    pred = 1 / (1 + np.exp(-(x.sum(1) * 0.1)))  # the predictions before the one update
    tp = np.sum((pred > 0.5) & (y == 1))
    assert abs(hist.history["p"][0] - tp / np.sum(pred > 0.5)) < 1e-6
    assert abs(hist.history["r"][0] - np.sum((pred > 0.6) & (y == 1)) / y.sum()) < 1e-6
