"""TF1 behaviours of `fg.nn`: names, argument handling, errors, stability, and the composite
functions (moments, zero_fraction, embedding_lookup).

Loss-specific behaviours (v1 vs v2 label gradients, sparse labels, bad labels) are in
tests/nn/test_losses.py.
"""

import math

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.nn as nn


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


# --------------------------------------------------------------------------- namespace
def test_namespace_has_the_tf1_names():
    for name in ["relu", "relu6", "elu", "selu", "leaky_relu", "softplus", "softsign",
                 "sigmoid", "tanh", "softmax", "log_softmax", "bias_add", "l2_loss", "top_k",
                 "in_top_k", "moments", "zero_fraction", "embedding_lookup",
                 "softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
                 "sparse_softmax_cross_entropy_with_logits",
                 "sigmoid_cross_entropy_with_logits"]:
        assert callable(getattr(nn, name)), name
    assert nn.sigmoid is fg.sigmoid and nn.tanh is fg.tanh
    assert fg.nn is nn


def test_activations_are_not_top_level_names():
    # TF1 has tf.nn.relu but no tf.relu.
    assert not hasattr(fg, "relu") and not hasattr(fg, "bias_add")


@pytest.mark.parametrize("build, name", [
    (lambda x: nn.relu(x), "Relu:0"),
    (lambda x: nn.relu6(x), "Relu6:0"),
    (lambda x: nn.leaky_relu(x), "LeakyRelu:0"),
    (lambda x: nn.elu(x), "Elu:0"),
    (lambda x: nn.selu(x), "Selu:0"),
    (lambda x: nn.softplus(x), "Softplus:0"),
    (lambda x: nn.softsign(x), "Softsign:0"),
    (lambda x: nn.softmax(x), "Softmax:0"),
    (lambda x: nn.log_softmax(x), "LogSoftmax:0"),
    (lambda x: nn.bias_add(x, [1.0, 2.0]), "BiasAdd:0"),
    (lambda x: nn.l2_loss(x), "L2Loss:0"),
    (lambda x: nn.zero_fraction(x), "zero_fraction/fraction:0"),
])
def test_default_node_names_follow_tf1(build, name):
    x = fg.placeholder(fg.float32, [3, 2])
    assert build(x).name == name


def test_given_names_are_used():
    x = fg.placeholder(fg.float32, [3, 2])
    assert nn.relu(x, name="act").name == "act:0"
    assert nn.relu6(x, name="r6").name == "r6:0"
    assert nn.softmax(x, name="probs").name == "probs:0"
    assert nn.bias_add(x, [1.0, 2.0], name="pre").name == "pre:0"


# --------------------------------------------------------------------------- activations
def test_relu_gradient_is_zero_at_zero_and_uses_relu_grad():
    x = fg.constant([-1.0, 0.0, 2.0])
    y = nn.relu(x)
    (g,) = fg.gradients(y, x)
    assert g.op.type == "ReluGrad"
    assert g.op.inputs[1] is y  # computed from the output, as TF1
    np.testing.assert_array_equal(run(g), [0.0, 0.0, 1.0])


def test_relu6_gradient_is_zero_outside_0_6():
    x = fg.constant([-1.0, 0.0, 3.0, 6.0, 7.0])
    (g,) = fg.gradients(nn.relu6(x), x)
    np.testing.assert_array_equal(run(g), [0.0, 0.0, 1.0, 0.0, 0.0])


def test_leaky_relu_casts_integers_to_float32_and_takes_tensor_alpha():
    y = nn.leaky_relu(fg.constant([-10, 5]))
    assert y.dtype == fg.float32
    np.testing.assert_allclose(run(y), [-2.0, 5.0])
    alpha = fg.placeholder(fg.float32, [])
    z = nn.leaky_relu(fg.constant([-10.0, 5.0]), alpha=alpha)
    np.testing.assert_allclose(run(z, {alpha: 0.5}), [-5.0, 5.0])
    np.testing.assert_allclose(run(nn.leaky_relu(fg.constant([-4.0]), np.array(0.25))), [-1.0])


def test_activations_are_finite_at_large_inputs():
    x = fg.constant([-1000.0, 1000.0], fg.float32)
    outs = run([nn.elu(x), nn.selu(x), nn.softplus(x), nn.softsign(x), nn.sigmoid(x)])
    for out in outs:
        assert np.all(np.isfinite(out))
    np.testing.assert_allclose(outs[2], [0.0, 1000.0])
    (g,) = fg.gradients(nn.softplus(x), x)
    np.testing.assert_allclose(run(g), [0.0, 1.0])


def test_activations_reject_integer_inputs_where_tf1_does():
    with pytest.raises(TypeError, match="floating"):
        nn.elu(fg.constant([1, 2]))
    with pytest.raises(TypeError, match="floating"):
        nn.softmax(fg.constant([1, 2]))


# --------------------------------------------------------------------------- softmax
def test_softmax_rows_sum_to_one_at_plus_minus_1000():
    x = fg.constant([[1000.0, -1000.0, 999.0], [-1000.0, -1000.0, -1000.0]])
    p, log_p = run([nn.softmax(x), nn.log_softmax(x)])
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(log_p))
    np.testing.assert_allclose(p.sum(axis=1), [1.0, 1.0], rtol=1e-6)
    e = math.exp(-1.0)
    np.testing.assert_allclose(p[0], [1 / (1 + e), 0.0, e / (1 + e)], rtol=1e-6)
    np.testing.assert_allclose(log_p[0], [-math.log1p(e), -2000.0 - math.log1p(e),
                                          -1.0 - math.log1p(e)], rtol=1e-6)
    np.testing.assert_allclose(p[1], [1 / 3] * 3, rtol=1e-6)


def test_softmax_axis_and_dim():
    x = fg.constant([[1.0, 2.0], [3.0, 5.0]])
    got = run(nn.softmax(x, axis=0))
    np.testing.assert_allclose(got[:, 0], [1 / (1 + math.exp(2)), 1 / (1 + math.exp(-2))])
    np.testing.assert_allclose(run(nn.softmax(x, dim=0)), got)
    with pytest.raises(ValueError, match="both 'axis' and 'dim'"):
        nn.softmax(x, axis=0, dim=0)


def test_softmax_axis_out_of_range_is_tf1s_invalid_argument():
    x = fg.constant([[1.0, 2.0]])
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"Dimension \(2\) must be in the "
                       r"range \[-2, 2\)"):
        nn.softmax(x, axis=2)
    with pytest.raises(fg.errors.InvalidArgumentError):
        nn.log_softmax(x, axis=-3)


def test_softmax_of_a_scalar_is_an_error():
    with pytest.raises(ValueError, match=">= 1 dimension"):
        nn.softmax(fg.constant(1.0))


def test_softmax_unknown_rank_runs_on_the_given_axis():
    x = fg.placeholder(fg.float64)
    y = nn.softmax(x, axis=0)
    got = run(y, {x: [[0.0, 1.0], [0.0, 1.0]]})
    np.testing.assert_allclose(got, [[0.5, 0.5], [0.5, 0.5]])


def test_softmax_gradient_matches_the_jacobian():
    x0 = np.array([0.3, -1.2, 2.0])
    w = np.array([1.0, 2.0, -0.5])
    x = fg.constant(x0)
    (g,) = fg.gradients(nn.softmax(x), x, grad_ys=fg.constant(w))
    p = np.exp(x0) / np.exp(x0).sum()
    np.testing.assert_allclose(run(g), (np.diag(p) - np.outer(p, p)) @ w)


# --------------------------------------------------------------------------- bias_add
def test_bias_add_checks_shapes_and_dtypes():
    x = fg.placeholder(fg.float32, [None, 3])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        nn.bias_add(x, fg.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="rank >= 2"):
        nn.bias_add(fg.constant([1.0, 2.0]), fg.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="1-D"):
        nn.bias_add(x, fg.constant([[1.0, 2.0, 3.0]]))
    with pytest.raises(TypeError, match="one dtype"):
        nn.bias_add(x, fg.constant([1.0, 2.0, 3.0], fg.float64))
    with pytest.raises(ValueError, match="data_format"):
        nn.bias_add(x, [1.0, 2.0, 3.0], data_format="HWCN")


def test_bias_add_runtime_mismatch_is_invalid_argument():
    x = fg.placeholder(fg.float32)
    b = fg.placeholder(fg.float32)
    y = nn.bias_add(x, b)
    with pytest.raises(fg.errors.InvalidArgumentError, match="as many biases"):
        run(y, {x: np.ones((2, 3)), b: np.ones(1)})


def test_bias_add_gradient_is_one_bias_add_grad_node():
    x = fg.placeholder(fg.float32, [None, 3])
    b = fg.constant([0.5, -1.0, 2.0])
    y = nn.bias_add(x, b)
    gx, gb = fg.gradients(y, [x, b], grad_ys=fg.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert gb.op.type == "BiasAddGrad"
    assert gb.shape.as_list() == [3]
    values = run([gx, gb], {x: np.zeros((2, 3))})
    np.testing.assert_allclose(values[1], [5.0, 7.0, 9.0])
    np.testing.assert_allclose(values[0], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def test_bias_add_nchw_formats():
    x = fg.constant(np.zeros((1, 2, 2, 2), np.float32))
    for fmt in ("NCHW", "NCDHW"):
        y = nn.bias_add(fg.constant(np.zeros((1, 2, 2), np.float32)) if fmt == "NCHW" else x,
                        [1.0, 2.0], data_format=fmt)
        got = run(y)
        assert np.all(got[:, 0] == 1.0) and np.all(got[:, 1] == 2.0)


def test_bias_add_grad_nchw_of_unknown_rank_differentiates():
    x = fg.placeholder(fg.float64)
    b = fg.constant([1.0, -1.0], fg.float64)
    y = nn.bias_add(x, b, data_format="NCHW")
    (gb,) = fg.gradients(fg.reduce_sum(fg.square(y)), b)
    (hb,) = fg.gradients(gb[0], x)  # through BiasAddGrad's own gradient
    x0 = np.arange(8.0).reshape(2, 2, 2)
    got = run([gb, hb], {x: x0})
    np.testing.assert_allclose(got[0], 2 * (x0 + np.array([1.0, -1.0])[:, None]).sum((0, 2)))
    expected = np.zeros_like(x0)
    expected[:, 0] = 2.0
    np.testing.assert_allclose(got[1], expected)


# --------------------------------------------------------------------------- l2_loss
def test_l2_loss_value_and_gradient():
    t = fg.constant([[1.0, -2.0], [3.0, 0.5]])
    loss = nn.l2_loss(t)
    (g,) = fg.gradients(loss, t)
    value, grad = run([loss, g])
    assert value.shape == () and value.dtype == np.float32
    assert value == pytest.approx((1 + 4 + 9 + 0.25) / 2)
    np.testing.assert_allclose(grad, [[1.0, -2.0], [3.0, 0.5]])


# --------------------------------------------------------------------------- moments
def test_moments_match_numpy():
    x0 = np.array([[1.0, 2.0, 4.0], [3.0, 6.0, 8.0]], np.float32)
    mean, var = nn.moments(fg.constant(x0), axes=[0])
    assert mean.shape.as_list() == [3] and var.shape.as_list() == [3]
    m, v = run([mean, var])
    np.testing.assert_allclose(m, [2.0, 4.0, 6.0])
    np.testing.assert_allclose(v, [1.0, 4.0, 4.0])
    mean, var = nn.moments(fg.constant(x0), axes=[0, 1], keep_dims=True)
    assert mean.shape.as_list() == [1, 1]
    m, v = run([mean, var])
    np.testing.assert_allclose(m, [[4.0]])
    np.testing.assert_allclose(v, [[x0.var()]], rtol=1e-6)
    with pytest.raises(ValueError, match="both"):
        nn.moments(fg.constant(x0), [0], keep_dims=True, keepdims=True)


def test_moments_float16_and_gradient():
    mean, var = nn.moments(fg.constant(np.array([1.0, 3.0], np.float16)), [0])
    assert mean.dtype == fg.float16 and var.dtype == fg.float16
    assert run([mean, var]) == [2.0, 1.0]
    x0 = np.array([1.0, 2.0, 6.0])
    x = fg.constant(x0)
    _, var = nn.moments(x, [0])
    (g,) = fg.gradients(var, x)
    np.testing.assert_allclose(run(g), 2 * (x0 - x0.mean()) / 3)


# --------------------------------------------------------------------------- zero_fraction
def test_zero_fraction():
    frac = nn.zero_fraction(fg.constant([[0.0, 1.0], [0.0, 0.0]]))
    assert frac.dtype == fg.float32 and frac.shape.ndims == 0
    assert run(frac) == pytest.approx(0.75)
    assert run(nn.zero_fraction(fg.constant([1, 2, 0, 4]))) == pytest.approx(0.25)
    assert np.isnan(run(nn.zero_fraction(fg.constant(np.zeros((0, 2), np.float32)))))


# --------------------------------------------------------------------------- embedding_lookup
def test_embedding_lookup_gathers_rows():
    params = fg.constant(np.arange(12.0).reshape(4, 3))
    ids = fg.constant([[3, 0], [1, 1]])
    y = nn.embedding_lookup(params, ids)
    assert y.name == "embedding_lookup:0"
    assert y.shape.as_list() == [2, 2, 3]
    np.testing.assert_allclose(run(y), np.arange(12.0).reshape(4, 3)[[[3, 0], [1, 1]]])


def test_embedding_lookup_gradient_is_indexed_slices():
    params = fg.Variable(np.arange(12.0).reshape(4, 3))
    y = nn.embedding_lookup(params, [2, 0, 2])
    (g,) = fg.gradients(fg.reduce_sum(y), params)
    assert isinstance(g, fg.IndexedSlices)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        dense = sess.run(fg.convert_to_tensor(g))
    np.testing.assert_allclose(dense, [[1.0] * 3, [0.0] * 3, [2.0] * 3, [0.0] * 3])


@pytest.mark.parametrize("strategy, shards", [
    # 5 ids in 2 shards: "mod" puts 0, 2, 4 in shard 0 and 1, 3 in shard 1;
    # "div" puts 0, 1, 2 in shard 0 and 3, 4 in shard 1.
    ("mod", [[0, 2, 4], [1, 3]]),
    ("div", [[0, 1, 2], [3, 4]]),
])
def test_embedding_lookup_sharded_params(strategy, shards):
    table = np.arange(5.0)[:, None] * np.array([1.0, 10.0])
    params = [fg.constant(table[rows]) for rows in shards]
    ids = [4, 1, 3, 0, 2]
    y = nn.embedding_lookup(params, ids, partition_strategy=strategy)
    np.testing.assert_allclose(run(y), table[ids])


def test_embedding_lookup_max_norm_and_errors():
    params = fg.constant([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    y = nn.embedding_lookup(params, [0, 1, 2], max_norm=1.0)
    np.testing.assert_allclose(run(y), [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]], rtol=1e-6)
    with pytest.raises(ValueError, match="partition strategy"):
        nn.embedding_lookup(params, [0], partition_strategy="round")
    with pytest.raises(ValueError, match="at least one"):
        nn.embedding_lookup([], [0])
    with pytest.raises(fg.errors.InvalidArgumentError, match="not in"):
        run(nn.embedding_lookup(params, [7]))
