"""Second derivatives of the activations, softmax, bias_add and l2_loss (through their
...Grad ops' own gradients), against hand-derived formulas."""

import numpy as np
import pytest

import flowgraph as fg

X0 = np.array([-2.0, -0.5, 0.75, 3.0, 7.0])
SCALE = 1.0507009873554804934193349852946
ALPHA = 1.6732632423543772848170429916717


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def second_derivative(build, x0=X0):
    """d2/dx2 of sum(build(x)), elementwise (the functions here act elementwise)."""
    x = fg.constant(x0)
    (g,) = fg.gradients(fg.reduce_sum(build(x)), x)
    (h,) = fg.gradients(g, x)
    with fg.Session() as sess:
        return sess.run([g, h])


@pytest.mark.parametrize("build, first, second", [
    # sum(relu(x)^2): 2 relu(x), then 2 where x > 0.
    (lambda x: fg.square(fg.nn.relu(x)), lambda x: 2 * np.maximum(x, 0), lambda x: 2.0 * (x > 0)),
    # sum(relu6(x)^2): 2 relu6(x) where 0 < x < 6, then 2 there.
    (lambda x: fg.square(fg.nn.relu6(x)),
     lambda x: 2 * np.clip(x, 0, 6) * ((x > 0) & (x < 6)),
     lambda x: 2.0 * ((x > 0) & (x < 6))),
    # sum(leaky_relu(x)^2) with alpha 0.2: 2 x (1 or 0.04), then 2 or 2 * 0.04.
    (lambda x: fg.square(fg.nn.leaky_relu(x)), lambda x: 2 * x * np.where(x > 0, 1.0, 0.04),
     lambda x: np.where(x > 0, 2.0, 0.08)),
    (lambda x: fg.nn.elu(x), lambda x: np.where(x > 0, 1.0, np.exp(x)),
     lambda x: np.where(x > 0, 0.0, np.exp(x))),
    (lambda x: fg.nn.selu(x), lambda x: np.where(x > 0, SCALE, SCALE * ALPHA * np.exp(x)),
     lambda x: np.where(x > 0, 0.0, SCALE * ALPHA * np.exp(x))),
    (lambda x: fg.nn.softplus(x), _sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    (lambda x: fg.nn.softsign(x), lambda x: 1 / (1 + np.abs(x)) ** 2,
     lambda x: -2 * np.sign(x) / (1 + np.abs(x)) ** 3),
], ids=["relu", "relu6", "leaky_relu", "elu", "selu", "softplus", "softsign"])
def test_second_derivatives(build, first, second):
    g, h = second_derivative(build)
    np.testing.assert_allclose(g, first(X0), rtol=1e-10)
    np.testing.assert_allclose(h, second(X0), rtol=1e-10, atol=1e-12)


def test_elu_second_derivative_through_the_mixed_term():
    # sum(elu(x)^2): 2 elu elu', then 2 (elu'^2 + elu elu''); for x < 0 elu'' = exp(x).
    g, h = second_derivative(lambda x: fg.square(fg.nn.elu(x)))
    e = np.where(X0 > 0, X0, np.expm1(X0))
    d1 = np.where(X0 > 0, 1.0, np.exp(X0))
    d2 = np.where(X0 > 0, 0.0, np.exp(X0))
    np.testing.assert_allclose(g, 2 * e * d1, rtol=1e-10)
    np.testing.assert_allclose(h, 2 * (d1 * d1 + e * d2), rtol=1e-10)


def test_softmax_hessian():
    x0 = np.array([0.3, -1.0, 2.0])
    x = fg.constant(x0)
    (h,) = fg.hessians(fg.nn.softmax(x)[0], x)
    p = np.exp(x0) / np.exp(x0).sum()
    eye = np.eye(3)
    # d2 p0 / dxi dxj = d/dxi [p0 (e0j - pj)]
    #                 = p0 (e0i - pi)(e0j - pj) - p0 pj (eij - pi)
    expected = (p[0] * np.outer(eye[0] - p, eye[0] - p)
                - p[0] * (eye * p[None, :] - np.outer(p, p)))
    with fg.Session() as sess:
        np.testing.assert_allclose(sess.run(h), expected, atol=1e-12)


def test_log_softmax_hessian_is_minus_the_softmax_jacobian():
    x0 = np.array([0.5, 1.5, -0.25, 0.0])
    x = fg.constant(x0)
    (h,) = fg.hessians(fg.nn.log_softmax(x)[2], x)
    p = np.exp(x0) / np.exp(x0).sum()
    with fg.Session() as sess:
        np.testing.assert_allclose(sess.run(h), -(np.diag(p) - np.outer(p, p)), atol=1e-12)


def test_bias_add_hessian_for_the_bias():
    x = fg.constant(np.arange(6.0).reshape(3, 2))
    b = fg.constant([1.0, -2.0], fg.float64)
    (h,) = fg.hessians(fg.reduce_sum(fg.square(fg.nn.bias_add(x, b))), b)
    with fg.Session() as sess:
        np.testing.assert_allclose(sess.run(h), 2 * 3 * np.eye(2))


def test_l2_loss_hessian_is_identity():
    t = fg.constant([[1.0, -2.0], [0.5, 3.0]])
    (h,) = fg.hessians(fg.nn.l2_loss(t), t)
    with fg.Session() as sess:
        np.testing.assert_allclose(sess.run(h), np.eye(4).reshape(2, 2, 2, 2))


def test_relu_grad_has_no_gradient_through_its_mask():
    x = fg.constant(X0)
    y = fg.nn.relu(x)
    (g,) = fg.gradients(fg.reduce_sum(y * 3.0), x)
    assert g.op.type == "ReluGrad"
    (through_mask,) = fg.gradients(g, y, unconnected_gradients="zero")
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(through_mask), np.zeros(5))
