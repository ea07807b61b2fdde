"""TF1 behaviours of the normalization functions of `fg.nn`: fused_batch_norm (outputs,
Bessel correction, epsilon floor, errors, formats, gradients), batch_normalization,
l2_normalize, layer_normalization and local response normalization."""

import numpy as np
import pytest

import flowgraph as fg

RNG = np.random.default_rng(5)
X = RNG.normal(2.0, 3.0, (4, 3, 5, 2))
SCALE = np.array([1.5, -0.5])
OFFSET = np.array([0.25, 2.0])


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


# --------------------------------------------------------------------------- fused_batch_norm
def test_training_outputs_batch_mean_and_bessel_corrected_variance():
    y, mean, var = run(fg.nn.fused_batch_norm(X, SCALE, OFFSET))
    n = 4 * 3 * 5
    np.testing.assert_allclose(mean, X.mean(axis=(0, 1, 2)))
    np.testing.assert_allclose(var, X.var(axis=(0, 1, 2)) * n / (n - 1))
    # y is normalized with the uncorrected variance.
    normalized = (X - X.mean(axis=(0, 1, 2))) / np.sqrt(X.var(axis=(0, 1, 2)) + 0.001)
    np.testing.assert_allclose(y, normalized * SCALE + OFFSET, rtol=1e-10)


def test_inference_uses_the_given_statistics():
    mean, var = np.array([1.0, -1.0]), np.array([4.0, 0.25])
    y, m, v = run(fg.nn.fused_batch_norm(X, SCALE, OFFSET, mean, var, epsilon=0.01,
                                         is_training=False))
    np.testing.assert_allclose(y, (X - mean) / np.sqrt(var + 0.01) * SCALE + OFFSET)
    np.testing.assert_array_equal(m, mean)
    np.testing.assert_array_equal(v, var)


def test_epsilon_is_raised_to_tf1s_minimum():
    y, _, _ = fg.nn.fused_batch_norm(X, SCALE, OFFSET, epsilon=0.0)
    assert y.op.op_def.epsilon == pytest.approx(1.001e-5)
    assert y.op.type == "FusedBatchNormV3" and len(y.op.outputs) == 6


def test_nchw_matches_nhwc():
    nchw = np.ascontiguousarray(np.transpose(X, (0, 3, 1, 2)))
    a = run(fg.nn.fused_batch_norm(X, SCALE, OFFSET))
    b = run(fg.nn.fused_batch_norm(nchw, SCALE, OFFSET, data_format="NCHW"))
    np.testing.assert_allclose(np.transpose(b[0], (0, 2, 3, 1)), a[0], rtol=1e-10)
    np.testing.assert_allclose(b[1:], a[1:])


def test_float16_input_has_float32_statistics():
    y, mean, var = fg.nn.fused_batch_norm(X.astype(np.float16), SCALE.astype(np.float32),
                                          OFFSET.astype(np.float32))
    assert (y.dtype, mean.dtype, var.dtype) == (fg.float16, fg.float32, fg.float32)
    got = run(y)
    assert got.dtype == np.float16
    with pytest.raises(TypeError, match="float32"):
        fg.nn.fused_batch_norm(X.astype(np.float16), fg.constant(SCALE), OFFSET)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(mean=[0.0, 0.0], variance=[1.0, 1.0]), ValueError, "must be None if is_training"),
    (dict(is_training=False), ValueError, "must be a 1-D tensor when is_training is False"),
    (dict(data_format="NWC"), ValueError, "data_format"),
])
def test_fused_batch_norm_argument_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        fg.nn.fused_batch_norm(X, SCALE, OFFSET, **kwargs)


def test_fused_batch_norm_shape_errors():
    with pytest.raises(ValueError, match="4-dimensional"):
        fg.nn.fused_batch_norm(X[0], SCALE, OFFSET)
    with pytest.raises(ValueError, match="2 elements"):
        fg.nn.fused_batch_norm(X, [1.0, 2.0, 3.0], OFFSET)
    x = fg.placeholder(fg.float64, [None, None, None, None])
    y, _, _ = fg.nn.fused_batch_norm(x, SCALE, OFFSET)
    assert y.shape.as_list() == [None, None, None, None]
    with pytest.raises(fg.errors.InvalidArgumentError, match="scale must have shape \\[3\\]"):
        run(y, {x: np.zeros((1, 2, 2, 3))})


def _composite_bn(x, scale, offset, training=True, mean=None, var=None, eps=0.001):
    """Batch norm from reduction ops, as an independent graph to differentiate."""
    if training:
        mean = fg.reduce_mean(x, [0, 1, 2])
        var = fg.reduce_mean(fg.square(x - mean), [0, 1, 2])
    return (x - mean) * fg.math.rsqrt(var + eps) * scale + offset


@pytest.mark.parametrize("training", [True, False])
def test_fused_gradients_match_the_composite(training):
    x, s, o = fg.constant(X), fg.constant(SCALE), fg.constant(OFFSET)
    m, v = (None, None) if training else (fg.constant(np.array([1.0, 2.0])),
                                          fg.constant(np.array([0.5, 3.0])))
    w = fg.constant(RNG.normal(size=X.shape))
    fused, _, _ = fg.nn.fused_batch_norm(x, s, o, m, v, is_training=training)
    composite = _composite_bn(x, s, o, training, m, v)
    sources = [x, s, o] + ([] if training else [m, v])
    got = run(fg.gradients(fg.reduce_sum(fused * w), sources))
    want = run(fg.gradients(fg.reduce_sum(composite * w), sources))
    for g, e in zip(got, want):
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-10)


def test_statistics_outputs_carry_gradients():
    # TF1 drops them; flowgraph differentiates batch_mean and batch_var too.
    x = fg.constant(X)
    _, mean, var = fg.nn.fused_batch_norm(x, SCALE, OFFSET)
    g_mean, g_var = run([fg.gradients(fg.reduce_sum(mean), x)[0],
                         fg.gradients(fg.reduce_sum(var), x)[0]])
    n = 60
    np.testing.assert_allclose(g_mean, np.full(X.shape, 1.0 / n))
    np.testing.assert_allclose(g_var, 2 * (X - X.mean(axis=(0, 1, 2))) / (n - 1), atol=1e-12)


# --------------------------------------------------------------------------- composites
def test_batch_normalization_matches_the_formula_and_scope():
    mean, var = fg.nn.moments(fg.constant(X), [0, 1, 2])
    y = fg.nn.batch_normalization(X, mean, var, OFFSET, SCALE, 1e-3)
    assert y.name.startswith("batchnorm/")
    np.testing.assert_allclose(run(y), (X - X.mean((0, 1, 2))) / np.sqrt(
        X.var((0, 1, 2)) + 1e-3) * SCALE + OFFSET, rtol=1e-10)
    no_affine = run(fg.nn.batch_normalization(X, 1.0, 4.0, None, None, 0.0))
    np.testing.assert_allclose(no_affine, (X - 1.0) / 2.0)


def test_batch_normalization_casts_float32_statistics_for_float16_x():
    y = fg.nn.batch_normalization(X.astype(np.float16), fg.constant([1.0, 2.0]),
                                  fg.constant([1.0, 1.0]), None, None, 0.0)
    assert y.dtype == fg.float16


def test_l2_normalize():
    v = np.array([[3.0, 4.0], [0.0, 0.0], [1e-8, 0.0]])
    got = run([fg.nn.l2_normalize(v, axis=1), fg.nn.l2_normalize(v, dim=0),
               fg.nn.l2_normalize(v)])
    np.testing.assert_allclose(got[0][0], [0.6, 0.8])
    np.testing.assert_array_equal(got[0][1], [0.0, 0.0])  # max(sum, epsilon): no nan
    np.testing.assert_allclose(got[0][2], [1e-8 / 1e-6, 0.0])  # divisor sqrt(epsilon)
    np.testing.assert_allclose(got[1][:, 0], v[:, 0] / np.sqrt(9.0 + 1e-16))
    np.testing.assert_allclose(got[2], v / 5.0)
    assert fg.nn.l2_normalize(v, 1, name="unit").name == "unit:0"
    with pytest.raises(ValueError, match="both"):
        fg.nn.l2_normalize(v, axis=0, dim=0)


def test_layer_normalization():
    got = run(fg.nn.layer_normalization(X, axis=[1, 2, 3], epsilon=0.0))
    flat = X.reshape(4, -1)
    want = (flat - flat.mean(1, keepdims=True)) / flat.std(1, keepdims=True)
    np.testing.assert_allclose(got.reshape(4, -1), want, rtol=1e-10)
    last = run(fg.nn.layer_normalization(X))
    np.testing.assert_allclose(last.mean(-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(last.var(-1), 1.0, rtol=1e-6)


def test_lrn_values_name_and_alias():
    x = RNG.normal(size=(1, 2, 2, 7))
    y = fg.nn.lrn(x, depth_radius=2, bias=2.0, alpha=0.1, beta=0.75)
    assert fg.nn.lrn is fg.nn.local_response_normalization and y.name == "LRN:0"
    sums = np.stack([np.sum(x[..., max(0, c - 2):c + 3] ** 2, -1) for c in range(7)], -1)
    np.testing.assert_allclose(run(y), x / (2.0 + 0.1 * sums) ** 0.75, rtol=1e-12)
    with pytest.raises(ValueError, match="4-dimensional"):
        fg.nn.lrn(x[0])


def test_normalization_gradients_pass_the_numeric_check():
    x = fg.placeholder(fg.float64, [2, 3, 4])
    for y in (fg.nn.l2_normalize(x, axis=[1, 2]), fg.nn.layer_normalization(x),
              fg.nn.lrn(fg.reshape(x, [1, 2, 3, 4]), depth_radius=1)):
        with fg.Session():
            err = fg.test.compute_gradient_error(x, [2, 3, 4], y, y.shape.as_list(),
                                                 delta=1e-6)
        assert err < 1e-6
