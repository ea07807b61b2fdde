"""`adjoint_a` / `adjoint_b` of tf.matmul and tf.linalg.matvec take the conjugate transpose
of complex inputs (TF1), not only the transpose."""

from __future__ import annotations

import numpy as np

import flowgraph as fg

X = np.array([[1 + 2j, 3j], [1, 2 - 1j]], np.complex64)
Y = np.array([[2 - 1j, 1], [0.5j, -1 + 1j]], np.complex64)


def test_matmul_adjoints_conjugate_complex_inputs():
    with fg.Graph().as_default():
        a, b = fg.constant(X), fg.constant(Y)
        with fg.Session() as sess:
            left, right, both = sess.run([fg.matmul(a, b, adjoint_a=True),
                                          fg.matmul(a, b, adjoint_b=True),
                                          fg.matmul(a, b, adjoint_a=True, adjoint_b=True)])
    np.testing.assert_allclose(left, X.conj().T @ Y, rtol=1e-6)
    np.testing.assert_allclose(right, X @ Y.conj().T, rtol=1e-6)
    np.testing.assert_allclose(both, X.conj().T @ Y.conj().T, rtol=1e-6)
    # by hand: (X^H Y)[0, 0] = (1-2j)(2-1j) + 1 * 0.5j = (2 - 5j + 2j^2) + 0.5j = -4.5j
    assert left[0, 0] == np.complex64(-4.5j)


def test_transpose_does_not_conjugate_and_matvec_adjoint_does():
    with fg.Graph().as_default():
        a = fg.constant(X)
        with fg.Session() as sess:
            plain, vec = sess.run([fg.matmul(a, a, transpose_a=True),
                                   fg.linalg.matvec(a, fg.constant(Y[0]), adjoint_a=True)])
    np.testing.assert_allclose(plain, X.T @ X, rtol=1e-6)
    np.testing.assert_allclose(vec, X.conj().T @ Y[0], rtol=1e-6)
