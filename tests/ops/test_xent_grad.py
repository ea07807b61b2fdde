"""Second derivatives of the cross-entropy losses (through the fused ops' backprop output),
against hand-derived formulas."""

import numpy as np

import flowgraph as fg

X0 = np.array([0.5, -1.0, 2.0, 0.0])
P = np.exp(X0) / np.exp(X0).sum()
SOFTMAX_JACOBIAN = np.diag(P) - np.outer(P, P)


def run(fetches):
    with fg.Session() as sess:
        return sess.run(fetches)


def test_softmax_xent_hessian_is_the_softmax_jacobian():
    x = fg.constant(X0)
    loss = fg.nn.softmax_cross_entropy_with_logits_v2(labels=[0.1, 0.2, 0.3, 0.4], logits=x)
    (h,) = fg.hessians(loss, x)
    np.testing.assert_allclose(run(h), SOFTMAX_JACOBIAN, atol=1e-12)


def test_softmax_xent_hessian_scales_with_the_label_sum():
    z0 = np.array([1.0, 0.5, 0.0, 0.5])  # sums to 2: the Hessian is 2 * the Jacobian
    x = fg.constant(X0)
    loss = fg.nn.softmax_cross_entropy_with_logits(labels=z0, logits=x)
    (h,) = fg.hessians(loss, x)
    np.testing.assert_allclose(run(h), 2 * SOFTMAX_JACOBIAN, atol=1e-12)


def test_softmax_xent_mixed_derivative_labels_logits():
    # d loss / d z = -log_softmax(x); d/dx of its sum with weights w is -(w - sum(w) p).
    x = fg.constant(X0)
    z = fg.constant([0.25, 0.25, 0.25, 0.25], fg.float64)
    loss = fg.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x)
    (gz,) = fg.gradients(loss, z)
    w = np.array([1.0, -2.0, 0.5, 3.0])
    (mixed,) = fg.gradients(gz, x, grad_ys=fg.constant(w))
    np.testing.assert_allclose(run(mixed), -(w - w.sum() * P), atol=1e-12)
    # ... and d/dz of the logits' gradient (softmax * sum(z) - z) with weights w.
    (gx,) = fg.gradients(loss, x)
    (mixed2,) = fg.gradients(gx, z, grad_ys=fg.constant(w))
    np.testing.assert_allclose(run(mixed2), np.dot(w, P) - w, atol=1e-12)


def test_sparse_xent_hessian_and_batched_second_derivative():
    x = fg.constant(X0)
    loss = fg.nn.sparse_softmax_cross_entropy_with_logits(labels=2, logits=x)
    (h,) = fg.hessians(loss, x)
    np.testing.assert_allclose(run(h), SOFTMAX_JACOBIAN, atol=1e-12)
    batch = np.stack([X0, X0[::-1]])
    xb = fg.constant(batch)
    lb = fg.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 3], logits=xb)
    (g,) = fg.gradients(fg.reduce_sum(lb), xb)
    w = np.array([[1.0, 0.0, 2.0, -1.0], [0.5, 0.5, 0.0, 1.0]])
    (hv,) = fg.gradients(g, xb, grad_ys=fg.constant(w))  # a Hessian-vector product
    expected = []
    for row, wr in zip(batch, w):
        p = np.exp(row) / np.exp(row).sum()
        expected.append((np.diag(p) - np.outer(p, p)) @ wr)
    np.testing.assert_allclose(run(hv), np.array(expected), atol=1e-12)


def test_sigmoid_xent_second_derivatives():
    x0 = np.array([-3.0, 0.0, 1.5])
    x = fg.constant(x0)
    z = fg.constant([0.0, 0.5, 1.0], fg.float64)
    loss = fg.reduce_sum(fg.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x))
    gx, gz = fg.gradients(loss, [x, z])
    (hxx,) = fg.gradients(gx, x)
    (hxz,) = fg.gradients(gx, z)
    (hzx,) = fg.gradients(gz, x)
    s = 1 / (1 + np.exp(-x0))
    got = run([hxx, hxz, hzx])
    np.testing.assert_allclose(got[0], s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(got[1], -np.ones(3))
    np.testing.assert_allclose(got[2], -np.ones(3))
