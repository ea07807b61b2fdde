"""fg.losses against numpy formulas: every loss with scalar, per-example and per-element
weights, every Reduction, label smoothing, argument errors, dtypes, names and collections."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.losses as losses
from flowgraph.losses import Reduction

RNG = np.random.default_rng(1)
LABELS = RNG.uniform(-1, 1, (4, 3)).astype(np.float32)
PREDS = RNG.uniform(-2, 2, (4, 3)).astype(np.float32)
W_ELEMENT = np.array([[1, 0, 2], [0, 0, 0], [0.5, 1, 1], [3, 0, 1]], np.float32)
W_EXAMPLE = np.array([[2.0], [0.0], [1.0], [0.5]], np.float32)


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


def reduce_np(per_element, weights, reduction):
    """Independent numpy reference of TF1's reductions."""
    w = np.broadcast_to(np.asarray(weights, np.float64), per_element.shape)
    weighted = per_element * w
    if reduction == Reduction.NONE:
        return weighted
    total = weighted.sum()
    if reduction == Reduction.SUM:
        return total
    if reduction == Reduction.MEAN:
        return total / w.sum() if w.sum() else 0.0
    if reduction == Reduction.SUM_OVER_BATCH_SIZE:
        return total / per_element.size
    nonzero = np.count_nonzero(w)
    return total / nonzero if nonzero else 0.0


def np_softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def elementwise_cases():
    d = PREDS - LABELS
    probs = 1 / (1 + np.exp(-PREDS))
    binary = (LABELS > 0).astype(np.float32)
    huber = np.where(np.abs(d) <= 1.0, 0.5 * d * d, np.abs(d) - 0.5)
    huber2 = np.where(np.abs(d) <= 0.5, 0.5 * d * d, 0.5 * (np.abs(d) - 0.25))
    return {
        "mse": (lambda **k: losses.mean_squared_error(LABELS, PREDS, **k), d ** 2),
        "abs": (lambda **k: losses.absolute_difference(LABELS, PREDS, **k), np.abs(d)),
        "huber": (lambda **k: losses.huber_loss(LABELS, PREDS, **k), huber),
        "huber_delta": (lambda **k: losses.huber_loss(LABELS, PREDS, delta=0.5, **k), huber2),
        "log": (lambda **k: losses.log_loss(binary, probs, **k),
                -binary * np.log(probs + 1e-7) - (1 - binary) * np.log(1 - probs + 1e-7)),
        "hinge": (lambda **k: losses.hinge_loss(binary, PREDS, **k),
                  np.maximum(0, 1 - (2 * binary - 1) * PREDS)),
        "sigmoid": (lambda **k: losses.sigmoid_cross_entropy(binary, PREDS, **k),
                    np_softplus(PREDS) - binary * PREDS),
    }


@pytest.mark.parametrize("case", sorted(elementwise_cases()))
@pytest.mark.parametrize("reduction", sorted(set(Reduction.all())))
@pytest.mark.parametrize("weights", ["scalar", "example", "element"])
def test_elementwise_losses_match_numpy(case, reduction, weights):
    fn, per_element = elementwise_cases()[case]
    w = {"scalar": 2.5, "example": W_EXAMPLE, "element": W_ELEMENT}[weights]
    loss = fn(weights=w, reduction=reduction)
    assert loss.dtype == fg.float32
    expected = reduce_np(per_element.astype(np.float64), w, reduction)
    np.testing.assert_allclose(run(loss), expected, rtol=2e-5, atol=1e-6)


def test_default_reduction_is_sum_by_nonzero_weights():
    loss = losses.mean_squared_error(LABELS, PREDS, weights=W_ELEMENT)
    d2 = (PREDS - LABELS) ** 2
    np.testing.assert_allclose(run(loss), (d2 * W_ELEMENT).sum() / 7, rtol=1e-5)
    assert Reduction.SUM_OVER_NONZERO_WEIGHTS == Reduction.SUM_BY_NONZERO_WEIGHTS


def test_all_zero_weights_give_zero_not_nan():
    for reduction in (Reduction.MEAN, Reduction.SUM_BY_NONZERO_WEIGHTS):
        loss = losses.absolute_difference(LABELS, PREDS, weights=0.0, reduction=reduction)
        assert run(loss) == 0.0


def test_weights_placeholder_of_unknown_shape():
    w = fg.placeholder(fg.float32)
    loss = losses.absolute_difference(LABELS, PREDS, weights=w)
    expected = reduce_np(np.abs(PREDS - LABELS), W_EXAMPLE, Reduction.SUM_BY_NONZERO_WEIGHTS)
    np.testing.assert_allclose(run(loss, {w: W_EXAMPLE}), expected, rtol=1e-5)


def test_weights_that_do_not_broadcast_are_rejected():
    with pytest.raises(ValueError, match=r"weights can not be broadcast to values\. "
                                         r"values\.rank=2\. weights\.rank=1"):
        losses.mean_squared_error(LABELS, PREDS, weights=np.ones(4, np.float32))
    with pytest.raises(ValueError, match="Mismatch at dim 1"):
        losses.mean_squared_error(LABELS, PREDS, weights=np.ones((4, 2), np.float32))


def test_invalid_reduction_and_missing_arguments():
    with pytest.raises(ValueError, match="Invalid Reduction Key mean"):
        losses.mean_squared_error(LABELS, PREDS, reduction="mean")
    with pytest.raises(ValueError, match="labels must not be None"):
        losses.mean_squared_error(None, PREDS)
    with pytest.raises(ValueError, match="logits must not be None"):
        losses.softmax_cross_entropy(LABELS, None)
    with pytest.raises(ValueError):
        losses.mean_squared_error(LABELS, PREDS[:, :2])


def test_regression_losses_compute_in_float32_like_tf1():
    loss = losses.mean_squared_error(LABELS.astype(np.float64), PREDS.astype(np.float64))
    assert loss.dtype == fg.float32


def np_log_softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


ONEHOT = np.eye(3, dtype=np.float32)[[0, 2, 1, 2]]


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("reduction", [Reduction.NONE, Reduction.SUM, Reduction.MEAN,
                                       Reduction.SUM_BY_NONZERO_WEIGHTS])
def test_softmax_cross_entropy_with_smoothing_and_example_weights(smoothing, reduction):
    weights = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    loss = losses.softmax_cross_entropy(ONEHOT, PREDS, weights=weights,
                                        label_smoothing=smoothing, reduction=reduction)
    labels = ONEHOT * (1 - smoothing) + smoothing / 3
    per_example = -(labels * np_log_softmax(PREDS.astype(np.float64))).sum(-1)
    np.testing.assert_allclose(run(loss), reduce_np(per_example, weights, reduction),
                               rtol=1e-5)


def test_softmax_cross_entropy_does_not_backpropagate_into_labels():
    labels = fg.constant(ONEHOT)
    logits = fg.constant(PREDS)
    loss = losses.softmax_cross_entropy(labels, logits)
    g_labels, g_logits = fg.gradients(loss, [labels, logits])
    assert g_labels is None
    p = np.exp(np_log_softmax(PREDS.astype(np.float64)))
    np.testing.assert_allclose(run(g_logits), (p - ONEHOT) / 4, rtol=1e-5, atol=1e-7)


def test_sigmoid_cross_entropy_label_smoothing():
    binary = (LABELS > 0).astype(np.float32)
    loss = losses.sigmoid_cross_entropy(binary, PREDS, label_smoothing=0.2)
    smoothed = binary * 0.8 + 0.1
    expected = (np_softplus(PREDS.astype(np.float64)) - smoothed * PREDS).mean()
    np.testing.assert_allclose(run(loss), expected, rtol=1e-5)


def test_sparse_softmax_cross_entropy_labels_and_weights_shapes():
    ids = np.array([0, 2, 1, 2])
    weights = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    per_example = -np_log_softmax(PREDS.astype(np.float64))[np.arange(4), ids]
    expected = (per_example * weights).sum() / 3
    for labels, w in [(ids.astype(np.int32), weights), (ids.astype(np.int64), weights),
                      (ids.reshape(4, 1), weights.reshape(4, 1))]:
        fg.reset_default_graph()
        loss = losses.sparse_softmax_cross_entropy(labels, PREDS, weights=w)
        assert loss.op.name == "sparse_softmax_cross_entropy_loss/value"
        np.testing.assert_allclose(run(loss), expected, rtol=1e-5)


def test_cosine_distance_axis_and_deprecated_dim():
    a = LABELS / np.linalg.norm(LABELS, axis=1, keepdims=True)
    b = PREDS / np.linalg.norm(PREDS, axis=1, keepdims=True)
    per_example = 1 - (a * b).sum(axis=1, keepdims=True)
    loss = losses.cosine_distance(a, b, axis=1, weights=W_EXAMPLE, reduction=Reduction.NONE)
    assert loss.shape.as_list() == [4, 1]
    np.testing.assert_allclose(run(loss), per_example * W_EXAMPLE, rtol=1e-5, atol=1e-6)
    old = losses.cosine_distance(a, b, dim=1)
    np.testing.assert_allclose(run(old), per_example.mean(), rtol=1e-5)
    with pytest.raises(ValueError, match="You must specify 'axis'"):
        losses.cosine_distance(a, b)
    with pytest.raises(ValueError, match="Cannot specify both"):
        losses.cosine_distance(a, b, axis=1, dim=1)


def test_mean_pairwise_squared_error_matches_pairs():
    loss = losses.mean_pairwise_squared_error(LABELS, PREDS, weights=2.0)
    d = (PREDS - LABELS).astype(np.float64)
    expected = 0.0
    for row in d:
        pairs = [(row[i] - row[j]) ** 2 for i in range(3) for j in range(3) if i != j]
        expected += 2.0 * np.mean(pairs)
    np.testing.assert_allclose(run(loss), expected, rtol=1e-5)
    assert fg.get_collection(fg.GraphKeys.LOSSES) == [loss]


def test_compute_weighted_loss_keeps_float64_and_names():
    per = np.array([[1.0, 2.0], [3.0, 4.0]])
    loss = losses.compute_weighted_loss(per, weights=[[1.0], [0.0]])
    assert loss.dtype == fg.float64 and loss.op.name == "weighted_loss/value"
    assert run(loss) == 1.5
    total = losses.compute_weighted_loss(per, reduction=Reduction.SUM, scope="mine")
    assert total.op.name == "mine/Sum" and run(total) == 10.0


def test_losses_collection_and_total_loss():
    a = losses.mean_squared_error(LABELS, PREDS)
    b = losses.absolute_difference(LABELS, PREDS, loss_collection=None)
    c = losses.huber_loss(LABELS, PREDS, loss_collection="extra")
    losses.add_loss(fg.constant(1.0))
    assert losses.get_losses()[0] is a and len(losses.get_losses()) == 2
    assert b not in losses.get_losses() and losses.get_losses(loss_collection="extra") == [c]
    assert losses.get_losses(scope="mean_squared") == [a]
    reg = fg.constant(0.25)
    fg.add_to_collection(fg.GraphKeys.REGULARIZATION_LOSSES, reg)
    total = losses.get_total_loss()
    assert total.op.name == "total_loss"
    mse = ((PREDS - LABELS) ** 2).mean()
    np.testing.assert_allclose(run(total), mse + 1.0 + 0.25, rtol=1e-5)
    np.testing.assert_allclose(run(losses.get_total_loss(False)), mse + 1.0, rtol=1e-5)


def test_total_loss_without_losses_raises():
    with pytest.raises(ValueError, match="No losses"):
        losses.get_total_loss()


def test_a_loss_trains_a_model():
    x = RNG.standard_normal((64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3
    w = fg.Variable(np.zeros((3, 1), np.float32))
    b = fg.Variable(0.0)
    loss = losses.mean_squared_error(y, fg.matmul(x, w) + b)
    train = fg.train.GradientDescentOptimizer(0.1).minimize(losses.get_total_loss())
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        first = sess.run(loss)
        for _ in range(200):
            sess.run(train)
        assert sess.run(loss) < 1e-4 * first


@pytest.mark.parametrize("shape", [(1,), (4,), (3,), (2, 3)])
def test_mean_pairwise_squared_error_rejects_weights_that_do_not_broadcast(shape):
    # TF1's broadcast_weights: weights must be a scalar or of the losses' rank, each dim
    # 1 or matching. [1] / [batch] (rank 1 for [4, 3] losses) and [2, 3] are refused.
    with fg.Graph().as_default():
        x = np.ones((4, 3), np.float32)
        with pytest.raises(ValueError, match="can not be broadcast"):
            losses.mean_pairwise_squared_error(x, 2 * x, weights=np.ones(shape, np.float32))


def test_mean_pairwise_squared_error_accepts_per_example_column_weights():
    # Example 0: diffs [1, 2, 4] -> pairs (1, 4, 9) / 3 pairs = 14/3; weight 2.
    # Example 1: diffs [0, 0, 3] -> pairs (0, 9, 9) / 3 = 6; weight 0.5. Sum: 28/3 + 3.
    labels = np.zeros((2, 3), np.float32)
    preds = np.array([[1, 2, 4], [0, 0, 3]], np.float32)
    with fg.Graph().as_default():
        loss = losses.mean_pairwise_squared_error(
            labels, preds, weights=np.array([[2.0], [0.5]], np.float32))
        with fg.Session() as sess:
            np.testing.assert_allclose(sess.run(loss), 28 / 3 + 3, rtol=1e-6)
