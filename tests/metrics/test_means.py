"""fg.metrics means and errors, checked against numpy over several update batches."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import metrics

RNG = np.random.default_rng(0)


def _stream(value, update, feeds):
    """Runs `update` for each feed dict; returns the update results and the final value."""
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        updates = [sess.run(update, feed) for feed in feeds]
        return updates, sess.run(value)


def test_mean_weighted_over_batches_and_names():
    x = fg.placeholder(fg.float32, [None])
    w = fg.placeholder(fg.float32, [None])
    value, update = metrics.mean(x, weights=w)
    assert [v.op.name for v in fg.local_variables()] == ["mean/total", "mean/count"]
    assert fg.get_collection(fg.GraphKeys.METRIC_VARIABLES) == fg.local_variables()
    assert fg.trainable_variables() == [] and fg.global_variables() == []
    batches = [(RNG.normal(size=5), RNG.uniform(size=5)) for _ in range(3)]
    updates, final = _stream(value, update, [{x: b, w: c} for b, c in batches])
    xs = np.concatenate([b for b, _ in batches])
    ws = np.concatenate([c for _, c in batches])
    np.testing.assert_allclose(final, (xs * ws).sum() / ws.sum(), rtol=1e-5)
    first = batches[0]
    np.testing.assert_allclose(updates[0], (first[0] * first[1]).sum() / first[1].sum(),
                               rtol=1e-5)


def test_mean_value_before_any_update_is_zero_and_initializer_resets():
    x = fg.placeholder(fg.float32, [None])
    value, update = metrics.mean(x)
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        assert sess.run(value) == 0.0
        sess.run(update, {x: [1.0, 2.0, 6.0]})
        assert sess.run(value) == pytest.approx(3.0)
        sess.run(fg.local_variables_initializer())
        sess.run(update, {x: [10.0]})
        assert sess.run(value) == pytest.approx(10.0)


def test_accuracy_squeezes_labels_and_counts_weights():
    labels = fg.placeholder(fg.int64, [None, 1])
    preds = fg.placeholder(fg.int64, [None])
    weights = fg.placeholder(fg.float32, [None])
    acc, update = metrics.accuracy(labels, preds, weights=weights)
    assert {v.op.name for v in fg.local_variables()} == {"accuracy/total", "accuracy/count"}
    feeds = [{labels: [[1], [0], [2]], preds: [1, 1, 2], weights: [1.0, 2.0, 0.5]},
             {labels: [[0], [0]], preds: [0, 1], weights: [3.0, 1.0]}]
    updates, final = _stream(acc, update, feeds)
    assert updates[0] == pytest.approx(1.5 / 3.5)
    assert final == pytest.approx((1.5 + 3.0) / (3.5 + 4.0))


def test_accuracy_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        metrics.accuracy(fg.constant([1, 2, 3]), fg.constant([1, 2]))


def test_regression_errors_over_batches():
    labels = fg.placeholder(fg.float32, [None])
    preds = fg.placeholder(fg.float32, [None])
    mae = metrics.mean_absolute_error(labels, preds)
    mse = metrics.mean_squared_error(labels, preds)
    rmse = metrics.root_mean_squared_error(labels, preds)
    names = {v.op.name for v in fg.local_variables()}
    assert {"mean_absolute_error/total", "mean_squared_error/count",
            "root_mean_squared_error/total"} <= names
    batches = [(RNG.normal(size=4), RNG.normal(size=4)) for _ in range(3)]
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        for y, p in batches:
            sess.run([mae[1], mse[1], rmse[1]], {labels: y, preds: p})
        got = sess.run([mae[0], mse[0], rmse[0]])
    y = np.concatenate([b[0] for b in batches])
    p = np.concatenate([b[1] for b in batches])
    np.testing.assert_allclose(got, [np.abs(y - p).mean(), ((y - p) ** 2).mean(),
                                     np.sqrt(((y - p) ** 2).mean())], rtol=1e-5)


def test_mean_relative_error_zero_normalizer_counts_zero():
    value, update = metrics.mean_relative_error(
        labels=fg.constant([1.0, 2.0, 4.0]), predictions=fg.constant([2.0, 2.0, 1.0]),
        normalizer=fg.constant([2.0, 0.0, 3.0]))
    _, final = _stream(value, update, [None])
    assert final == pytest.approx((0.5 + 0.0 + 1.0) / 3)


def test_mean_cosine_distance():
    labels = np.float32([[1, 0], [0, 1], [0.6, 0.8]])
    preds = np.float32([[1, 0], [1, 0], [0.8, 0.6]])
    value, update = metrics.mean_cosine_distance(labels, preds, dim=1)
    _, final = _stream(value, update, [None])
    expected = 1 - np.mean([1.0, 0.0, 0.96])
    assert final == pytest.approx(expected, rel=1e-5)


def test_percentage_below():
    x = fg.placeholder(fg.float32, [None])
    value, update = metrics.percentage_below(x, threshold=2.0)
    assert fg.local_variables()[0].op.name == "percentage_below_threshold/total"
    _, final = _stream(value, update, [{x: [1, 2, 3]}, {x: [0, 5]}])
    assert final == pytest.approx(2 / 5)


def test_mean_tensor_elementwise():
    x = fg.placeholder(fg.float32, [2, 2])
    value, update = metrics.mean_tensor(x)
    assert [v.op.name for v in fg.local_variables()] == ["mean/total_tensor",
                                                         "mean/count_tensor"]
    a, b = RNG.normal(size=(2, 2)), RNG.normal(size=(2, 2))
    _, final = _stream(value, update, [{x: a}, {x: b}])
    np.testing.assert_allclose(final, (a + b) / 2, rtol=1e-5)


def test_collections_and_scoping():
    x = fg.constant([1.0, 3.0])
    value, update = metrics.mean(x, metrics_collections=["m"], updates_collections=["u"],
                                 name="my_mean")
    assert fg.get_collection("m") == [value] and fg.get_collection("u") == [update]
    metrics.mean(x, name="my_mean")
    names = [v.op.name for v in fg.local_variables()]
    assert names == ["my_mean/total", "my_mean/count", "my_mean_1/total", "my_mean_1/count"]
    with pytest.raises(ValueError, match="list or tuple"):
        metrics.mean(x, metrics_collections="m")


def test_bad_weights_shape_is_a_value_error():
    with pytest.raises(ValueError, match="broadcast"):
        metrics.mean(fg.zeros([3, 4]), weights=fg.ones([3, 2]))
