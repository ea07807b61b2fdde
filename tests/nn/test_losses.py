"""TF1 behaviours of the `fg.nn` cross-entropy losses: v1 vs v2 label gradients, sparse
int32/int64 labels and bad-label errors, stability at +-1000, argument checks, and a lean
gradient graph on the training path."""

import math

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.nn as nn

LOGITS = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.25]])
PROBS = np.array([[0.0, 0.0, 1.0], [0.5, 0.25, 0.25]])


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


def np_log_softmax(x):
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------- dense labels
def test_v2_backpropagates_into_labels_and_v1_does_not():
    logits = fg.constant(LOGITS)
    labels = fg.constant(PROBS)
    dy = fg.constant([2.0, -1.0], fg.float64)
    v2 = nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    v1 = nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    g2_logits, g2_labels = fg.gradients(v2, [logits, labels], grad_ys=dy)
    g1_logits, g1_labels = fg.gradients(v1, [logits, labels], grad_ys=dy)
    assert g1_labels is None
    got = run([g2_logits, g2_labels, g1_logits, v1, v2])
    np.testing.assert_allclose(got[1], -np.array([[2.0], [-1.0]]) * np_log_softmax(LOGITS))
    p = np.exp(np_log_softmax(LOGITS))
    np.testing.assert_allclose(got[0], np.array([[2.0], [-1.0]]) * (p - PROBS))
    np.testing.assert_allclose(got[2], got[0])
    np.testing.assert_allclose(got[3], got[4])
    np.testing.assert_allclose(got[4], -(PROBS * np_log_softmax(LOGITS)).sum(axis=1))


def test_names_follow_tf1():
    logits = fg.placeholder(fg.float32, [None, 3])
    labels = fg.placeholder(fg.float32, [None, 3])
    ids = fg.placeholder(fg.int64, [None])
    assert nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits).name == \
        "softmax_cross_entropy_with_logits:0"
    assert nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits).name == \
        "softmax_cross_entropy_with_logits_sg:0"
    assert nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=logits).name == \
        "SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits:0"
    assert nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits).name == \
        "logistic_loss:0"
    assert nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits,
                                                   name="xent").name == "xent:0"


def test_loss_shapes():
    logits = fg.placeholder(fg.float32, [None, 4, 3])
    labels = fg.placeholder(fg.float32, [None, 4, 3])
    assert nn.softmax_cross_entropy_with_logits_v2(labels, logits).shape.as_list() == \
        [None, 4]
    assert nn.softmax_cross_entropy_with_logits_v2(labels, logits, axis=1).shape.as_list() == \
        [None, 3]
    ids = fg.placeholder(fg.int32, [None, 4])
    assert nn.sparse_softmax_cross_entropy_with_logits(
        labels=ids, logits=logits).shape.as_list() == [None, 4]


def test_named_arguments_are_required():
    logits = fg.constant(LOGITS)
    with pytest.raises(ValueError, match="named arguments"):
        nn.softmax_cross_entropy_with_logits(fg.constant(PROBS), logits)
    with pytest.raises(ValueError, match="named arguments"):
        nn.sparse_softmax_cross_entropy_with_logits([0, 1], logits)
    with pytest.raises(ValueError, match="named arguments"):
        nn.sigmoid_cross_entropy_with_logits(PROBS, logits)
    with pytest.raises(ValueError, match="must be provided"):
        nn.sigmoid_cross_entropy_with_logits(logits=logits)


def test_labels_and_logits_must_have_one_shape():
    logits = fg.constant(LOGITS)
    with pytest.raises(ValueError, match="same shape"):
        nn.softmax_cross_entropy_with_logits_v2(labels=fg.constant([[1.0, 0.0]]),
                                                logits=logits)
    with pytest.raises(ValueError, match="same shape"):
        nn.softmax_cross_entropy_with_logits(labels=[[1.0, 0.0, 0.0]], logits=logits)
    with pytest.raises(ValueError, match="same shape"):
        nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0, 0.0], logits=logits)


def test_shape_mismatch_at_run_time_is_invalid_argument():
    logits = fg.placeholder(fg.float32)
    labels = fg.placeholder(fg.float32)
    loss = nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    with pytest.raises(fg.errors.InvalidArgumentError, match="same size"):
        run(loss, {logits: np.zeros((2, 3)), labels: np.zeros((2, 4))})


def test_v2_casts_labels_to_the_logits_dtype():
    logits = fg.constant(LOGITS.astype(np.float32))
    loss = nn.softmax_cross_entropy_with_logits_v2(labels=fg.constant(PROBS), logits=logits)
    assert loss.dtype == fg.float32
    int_loss = nn.softmax_cross_entropy_with_logits_v2(labels=[[0, 0, 1], [1, 0, 0]],
                                                       logits=logits)
    got = run([loss, int_loss])
    np.testing.assert_allclose(got[1], -np_log_softmax(LOGITS)[[0, 1], [2, 0]], rtol=1e-6)


def test_v1_accepts_axis_or_dim():
    logits = fg.constant(LOGITS.T.copy())
    labels = fg.constant(PROBS.T.copy())
    by_dim = nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, dim=0)
    by_axis = nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, axis=0)
    a, b = run([by_dim, by_axis])
    np.testing.assert_allclose(a, -(PROBS * np_log_softmax(LOGITS)).sum(axis=1))
    np.testing.assert_allclose(b, a)
    with pytest.raises(ValueError, match="both"):
        nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, dim=0, axis=0)


def test_softmax_losses_are_stable_at_plus_minus_1000():
    big = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], np.float32)
    logits = fg.constant(big)
    dense = nn.softmax_cross_entropy_with_logits_v2(labels=[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
                                                    logits=logits)
    sparse = nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 2], logits=logits)
    g_dense = fg.gradients(dense, logits)[0]
    g_sparse = fg.gradients(sparse, logits)[0]
    values = run([dense, sparse, g_dense, g_sparse])
    lse = math.log1p(math.exp(-1.0))  # log(e^0 + e^-1) for the second row
    np.testing.assert_allclose(values[0], [2000.0, 1.0 + lse], rtol=1e-6)
    np.testing.assert_allclose(values[1], values[0])
    for g in values[2:]:
        assert np.all(np.isfinite(g))
        np.testing.assert_allclose(g[0], [1.0, -1.0, 0.0], atol=1e-6)
        np.testing.assert_allclose(g.sum(axis=1), [0.0, 0.0], atol=1e-6)


def test_unnormalized_labels_get_the_true_gradient():
    # TF1's fused kernel assumes labels sum to 1; flowgraph's gradient is exact anyway.
    x0 = np.array([0.2, -0.4, 1.0])
    z0 = np.array([0.5, 1.0, 0.25])
    x = fg.constant(x0)
    (g,) = fg.gradients(nn.softmax_cross_entropy_with_logits_v2(labels=z0, logits=x), x)
    p = np.exp(x0) / np.exp(x0).sum()
    np.testing.assert_allclose(run(g), p * z0.sum() - z0)


# --------------------------------------------------------------------------- sparse labels
@pytest.mark.parametrize("dtype", [fg.int32, fg.int64])
def test_sparse_takes_int32_and_int64_labels(dtype):
    loss = nn.sparse_softmax_cross_entropy_with_logits(
        labels=fg.constant([2, 0], dtype), logits=fg.constant(LOGITS))
    np.testing.assert_allclose(run(loss), -np_log_softmax(LOGITS)[[0, 1], [2, 0]])


@pytest.mark.parametrize("bad", [3, -1])
def test_sparse_label_out_of_range_names_the_label(bad):
    labels = fg.placeholder(fg.int32, [2])
    loss = nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                       logits=fg.constant(LOGITS))
    message = (rf"Received a label value of {bad} which is outside the valid range of "
               rf"\[0, 3\)\.  Label values: 1 {bad}")
    with pytest.raises(fg.errors.InvalidArgumentError, match=message):
        run(loss, {labels: [1, bad]})


def test_sparse_argument_checks():
    logits = fg.constant(LOGITS)
    with pytest.raises(TypeError, match="int32 or int64"):
        nn.sparse_softmax_cross_entropy_with_logits(labels=[1.0, 0.0], logits=logits)
    with pytest.raises(ValueError, match="Rank mismatch"):
        nn.sparse_softmax_cross_entropy_with_logits(labels=[[1], [0]], logits=logits)
    with pytest.raises(ValueError, match="Shape mismatch"):
        nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 0, 2], logits=logits)
    with pytest.raises(ValueError, match="cannot be scalars"):
        nn.sparse_softmax_cross_entropy_with_logits(labels=1, logits=fg.constant(1.0))


def test_sparse_has_no_gradient_for_labels_and_a_lean_one_for_logits():
    labels = fg.placeholder(fg.int64, [None])
    logits = fg.placeholder(fg.float64, [None, 3])
    loss = fg.reduce_mean(nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                      logits=logits))
    g_logits, g_labels = fg.gradients(loss, [logits, labels])
    assert g_labels is None
    types = {op.type for op in loss.graph.get_operations() if op.name.startswith("gradients")}
    assert not types & {"Softmax", "LogSoftmax", "Exp"}, types  # reuses the fused backprop
    got = run(g_logits, {labels: [2, 0], logits: LOGITS})
    p = np.exp(np_log_softmax(LOGITS))
    np.testing.assert_allclose(got, (p - np.eye(3)[[2, 0]]) / 2)


# --------------------------------------------------------------------------- sigmoid
def test_sigmoid_loss_values_and_gradients():
    x0 = np.array([[-2.0, 0.0, 3.0]])
    z0 = np.array([[0.0, 0.5, 1.0]])
    x = fg.constant(x0)
    z = fg.constant(z0)
    loss = nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    gx, gz = fg.gradients(loss, [x, z])
    values = run([loss, gx, gz])
    np.testing.assert_allclose(values[0], np.log1p(np.exp(x0)) - x0 * z0)
    np.testing.assert_allclose(values[1], 1 / (1 + np.exp(-x0)) - z0)
    np.testing.assert_allclose(values[2], -x0)


def test_sigmoid_loss_is_stable_and_checks_dtypes():
    x = fg.constant([1000.0, -1000.0, 1000.0, -1000.0])
    loss = nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0, 0.0, 1.0], logits=x)
    (g,) = fg.gradients(loss, x)
    value, grad = run([loss, g])
    np.testing.assert_allclose(value, [0.0, 0.0, 1000.0, 1000.0])
    np.testing.assert_allclose(grad, [0.0, 0.0, 1.0, -1.0])
    with pytest.raises(TypeError, match="do not match"):
        nn.sigmoid_cross_entropy_with_logits(labels=fg.constant([1.0], fg.float64),
                                             logits=fg.constant([1.0]))


# --------------------------------------------------------------------------- training path
def test_mlp_gradient_graph_is_lean():
    x = fg.placeholder(fg.float32, [None, 4])
    y = fg.placeholder(fg.int32, [None])
    w1 = fg.Variable(np.full((4, 5), 0.1, np.float32))
    b1 = fg.Variable(np.zeros(5, np.float32))
    w2 = fg.Variable(np.full((5, 3), 0.1, np.float32))
    b2 = fg.Variable(np.zeros(3, np.float32))
    h = nn.relu(nn.bias_add(fg.matmul(x, w1), b1))
    logits = nn.bias_add(fg.matmul(h, w2), b2)
    loss = fg.reduce_mean(nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    before = len(loss.graph.get_operations())
    grads = fg.gradients(loss, [w1, b1, w2, b2])
    new_ops = loss.graph.get_operations()[before:]
    types = [op.type for op in new_ops]
    assert types.count("ReluGrad") == 1 and types.count("BiasAddGrad") == 2
    assert not {"Softmax", "Exp", "Select", "SelectV2", "Where"} & set(types)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        got = sess.run(grads, {x: np.ones((2, 4)), y: [0, 2]})
    assert [g.shape for g in got] == [(4, 5), (5,), (5, 3), (3,)]
    # All logits are equal: softmax is 1/3 each; the mean backprop for b2 is p - mean onehot.
    np.testing.assert_allclose(got[3], [1 / 3 - 0.5, 1 / 3, 1 / 3 - 0.5], atol=1e-6)


def test_large_static_batches_build_no_second_order_terms():
    # The unused backprop output's gradient arrives as a big Fill of zeros: still known zero.
    logits = fg.placeholder(fg.float32, [1024, 100])
    labels = fg.placeholder(fg.float32, [1024, 100])
    ids = fg.placeholder(fg.int32, [1024])
    dense = nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    sparse = nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=logits)
    before = len(logits.graph.get_operations())
    fg.gradients([fg.reduce_mean(dense), fg.reduce_mean(sparse)], logits)
    types = {op.type for op in logits.graph.get_operations()[before:]}
    assert not types & {"Softmax", "LogSoftmax", "Sum"}, types
