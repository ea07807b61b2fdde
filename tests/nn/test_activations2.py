"""flowgraph's extra activations in `fg.nn`: step, silu / swish, gelu, crelu, maxout, rbf
(values against numpy / math, gradients, names and errors)."""

import math

import numpy as np
import pytest

import flowgraph as fg

X = np.array([[-3.0, -0.5, 0.2], [1.0, 2.5, -1.5]])


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


def gradient_error(build, shape, value=None):
    x = fg.placeholder(fg.float64, shape)
    y = build(x)
    with fg.Session():
        return fg.test.compute_gradient_error(x, shape, y, y.shape.as_list(),
                                              x_init_value=value, delta=1e-6)


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


# --------------------------------------------------------------------------- step
def test_step_values_and_zero_gradient():
    x = fg.constant(X)
    y = fg.nn.step(x, threshold=0.2)
    (g,) = fg.gradients(fg.reduce_sum(y * 3.0), x)
    assert y.name == "Step:0" and g is not None
    got, grad = run([y, g])
    np.testing.assert_array_equal(got, [[0, 0, 0], [1, 1, 0]])
    np.testing.assert_array_equal(grad, np.zeros_like(X))


# --------------------------------------------------------------------------- silu, gelu
def test_silu_and_swish():
    got = run([fg.nn.silu(X), fg.nn.swish(X), fg.nn.silu(X, beta=2.0)])
    np.testing.assert_allclose(got[0], X * _sigmoid(X))
    np.testing.assert_allclose(got[1], got[0])
    np.testing.assert_allclose(got[2], X * _sigmoid(2 * X))
    with fg.Graph().as_default():
        assert fg.nn.swish(X).name == "swish:0" and fg.nn.silu(X).name == "silu:0"
    assert gradient_error(lambda x: fg.nn.silu(x, beta=1.5), [2, 3], X) < 1e-7
    with pytest.raises(TypeError, match="floating"):
        fg.nn.silu(np.array([1, 2]))


def test_gelu_exact_and_approximate():
    exact, approx = run([fg.nn.gelu(X), fg.nn.gelu(X, approximate=True)])
    np.testing.assert_allclose(exact, [[0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in r]
                                       for r in X], rtol=1e-14)
    tanh_form = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(approx, tanh_form, rtol=1e-14)
    with fg.Graph().as_default():
        assert fg.nn.gelu(X).name == "Gelu:0"
    assert gradient_error(fg.nn.gelu, [2, 3], X) < 1e-7
    assert gradient_error(lambda x: fg.nn.gelu(x, True), [2, 3], X) < 1e-7
    # Second derivative of the exact form: phi(x) * (2 - x^2).
    x = fg.constant(X)
    (g,) = fg.gradients(fg.reduce_sum(fg.nn.gelu(x)), x)
    (h,) = fg.gradients(g, x)
    phi = np.exp(-X ** 2 / 2) / np.sqrt(2 * np.pi)
    np.testing.assert_allclose(run(h), phi * (2 - X ** 2), rtol=1e-10)


# --------------------------------------------------------------------------- crelu, maxout
def test_crelu():
    got = run(fg.nn.crelu(X))
    np.testing.assert_array_equal(got, np.concatenate([np.maximum(X, 0), np.maximum(-X, 0)],
                                                      -1))
    assert run(fg.nn.crelu(X, axis=0)).shape == (4, 3)
    with fg.Graph().as_default():
        assert fg.nn.crelu(X).name == "CRelu:0"


def test_maxout():
    x = np.arange(24.0).reshape(2, 12) * np.array([1, -1] * 6)
    got = run(fg.nn.maxout(x, 3))
    np.testing.assert_array_equal(got, x.reshape(2, 3, 4).max(-1))
    y = np.random.default_rng(0).normal(size=(2, 6, 5))
    np.testing.assert_array_equal(run(fg.nn.maxout(y, 2, axis=1)),
                                  y.reshape(2, 2, 3, 5).max(2))
    p = fg.placeholder(fg.float64, [None, 12])
    out = fg.nn.maxout(p, 4)
    assert out.shape.as_list() == [None, 4]
    np.testing.assert_array_equal(run(out, {p: x}), x.reshape(2, 4, 3).max(-1))
    with pytest.raises(ValueError, match="not a multiple of num_units"):
        fg.nn.maxout(x, 5)
    with pytest.raises(ValueError, match="known"):
        fg.nn.maxout(fg.placeholder(fg.float32, [2, None]), 2)


# --------------------------------------------------------------------------- rbf
def test_rbf_values_and_gradients():
    rng = np.random.default_rng(1)
    x, c = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    gamma = np.array([0.5, 1.0, 2.0, 0.1, 1.5])
    d2 = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    got = run([fg.nn.rbf(x, c, 0.7), fg.nn.rbf(x, c, fg.constant(gamma))])
    np.testing.assert_allclose(got[0], np.exp(-0.7 * d2), rtol=1e-12)
    np.testing.assert_allclose(got[1], np.exp(-gamma * d2), rtol=1e-12)
    # A point on a centre is exactly 1 (no negative squared distance from rounding).
    assert run(fg.nn.rbf(c[:2], c, 1.0))[0, 0] == 1.0
    centers = fg.constant(c)
    assert gradient_error(lambda t: fg.nn.rbf(t, centers, 0.5), [4, 3], x) < 1e-7
    xc = fg.constant(x)
    assert gradient_error(lambda t: fg.nn.rbf(xc, t, fg.constant(gamma)), [5, 3], c) < 1e-7
    with pytest.raises(ValueError, match="2-D"):
        fg.nn.rbf(x[0], c, 1.0)
