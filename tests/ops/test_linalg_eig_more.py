"""tf.linalg.eigh_tridiagonal and tf.linalg.logm: values against dense numpy / scipy
references written here and TF 2.21 outputs hard-coded here; TF's build-time errors."""

import numpy as np
import pytest
import scipy.linalg

import flowgraph as fg

ALPHA = np.array([1.0, 2.0, 3.0, 4.0])
BETA = np.array([0.5, -1.0, 2.0])
C_ALPHA = ALPHA.astype(np.complex128)
C_BETA = BETA + 1j * np.array([1.0, 0.5, -1.0])
# tf.linalg.eigh_tridiagonal(C_ALPHA, C_BETA) in TF 2.21.
C_EIGS = np.array([0.0127215, 1.13350833, 2.92349328, 5.9302769])
# Its first eigenvector (column 0) in TF 2.21: fixes the Hermitian convention
# (superdiagonal beta, subdiagonal conj(beta)).
TF_C_VEC0 = np.array([0.25372626 - 0.62360259j, 0.39233615 + 0.44666656j,
                      0.09750407 + 0.37087533j, 0.04410707 - 0.2104831j])


def _run(t):
    with fg.Session() as sess:
        return sess.run(t)


def _dense(alpha, beta):
    return np.diag(alpha) + np.diag(beta, 1) + np.diag(np.conj(beta), -1)


def test_eigenvalues_all_match_dense_eigvalsh():
    rng = np.random.default_rng(0)
    alpha, beta = rng.normal(size=7), rng.normal(size=6)
    w = fg.linalg.eigh_tridiagonal(alpha, beta)
    assert w.shape.as_list() == [7] and w.dtype == fg.float64
    np.testing.assert_allclose(_run(w), np.linalg.eigvalsh(_dense(alpha, beta)), atol=1e-12)


def test_float32_and_node_names():
    w = fg.linalg.eigh_tridiagonal(ALPHA.astype(np.float32), BETA.astype(np.float32))
    assert w.dtype == fg.float32
    assert w.name.startswith("eigh_tridiagonal/")
    np.testing.assert_allclose(_run(w), [0.58756244, 1.164569, 2.5771823, 5.670686], rtol=1e-5)


def test_vectors_satisfy_eigen_equation_and_are_orthonormal():
    w, v = fg.linalg.eigh_tridiagonal(ALPHA, BETA, eigvals_only=False)
    assert v.shape.as_list() == [4, 4]
    w, v = _run([w, v])
    np.testing.assert_allclose(w, [0.58756225, 1.16456937, 2.57718238, 5.67068601], rtol=1e-7)
    np.testing.assert_allclose(_dense(ALPHA, BETA) @ v, v * w, atol=1e-10)
    np.testing.assert_allclose(v.T @ v, np.eye(4), atol=1e-10)


def test_complex_hermitian_values_and_vectors():
    w, v = fg.linalg.eigh_tridiagonal(C_ALPHA, C_BETA, eigvals_only=False)
    assert w.dtype == fg.float64 and v.dtype == fg.complex128
    w, v = _run([w, v])
    np.testing.assert_allclose(w, C_EIGS, rtol=1e-6)
    dense = _dense(C_ALPHA, C_BETA)
    np.testing.assert_allclose(dense @ v, v * w, atol=1e-10)
    np.testing.assert_allclose(v.conj().T @ v, np.eye(4), atol=1e-10)
    # TF's vector is the same up to a unit phase.
    phase = np.vdot(v[:, 0], TF_C_VEC0)
    assert abs(abs(phase) - 1.0) < 1e-6
    np.testing.assert_allclose(v[:, 0] * phase, TF_C_VEC0, atol=1e-6)


def test_select_index_and_value_ranges():
    w_all = np.linalg.eigvalsh(_dense(ALPHA, BETA))
    w_i = fg.linalg.eigh_tridiagonal(ALPHA, BETA, select="i", select_range=[1, 2])
    assert w_i.shape.as_list() == [2]
    np.testing.assert_allclose(_run(w_i), w_all[1:3], rtol=1e-12)
    w_v = fg.linalg.eigh_tridiagonal(ALPHA, BETA, select="v", select_range=(1.0, 6.0))
    assert w_v.shape.as_list() == [None]
    np.testing.assert_allclose(_run(w_v), w_all[1:], rtol=1e-12)
    empty = fg.linalg.eigh_tridiagonal(ALPHA, BETA, select="v", select_range=(3.0, 5.0))
    assert _run(empty).shape == (0,)
    w_t, v_t = fg.linalg.eigh_tridiagonal(ALPHA, BETA, eigvals_only=False, select="v",
                                          select_range=fg.constant([0.0, 2.0]), tol=1e-9)
    w_t, v_t = _run([w_t, v_t])
    np.testing.assert_allclose(w_t, w_all[:2], rtol=1e-12)
    assert v_t.shape == (4, 2)
    np.testing.assert_allclose(_dense(ALPHA, BETA) @ v_t, v_t * w_t, atol=1e-10)


def test_single_element():
    w, v = _run(list(fg.linalg.eigh_tridiagonal(np.array([2.0]), np.zeros([0]),
                                                 eigvals_only=False)))
    np.testing.assert_allclose(w, [2.0])
    np.testing.assert_allclose(np.abs(v), [[1.0]])


def test_eigh_tridiagonal_errors():
    with pytest.raises(ValueError, match="select must have a value"):
        fg.linalg.eigh_tridiagonal(ALPHA, BETA, select="x")
    with pytest.raises(TypeError, match="select_range"):
        fg.linalg.eigh_tridiagonal(ALPHA, BETA, select="v")
    with pytest.raises(ValueError, match="same type"):
        fg.linalg.eigh_tridiagonal(ALPHA.astype(np.float32), BETA)
    with pytest.raises(ValueError, match="float or complex"):
        fg.linalg.eigh_tridiagonal(ALPHA.astype(np.int32), BETA.astype(np.int32))
    with pytest.raises(ValueError, match="n-1"):
        fg.linalg.eigh_tridiagonal(ALPHA, BETA[:2])
    with pytest.raises(ValueError, match="vector"):
        fg.linalg.eigh_tridiagonal(np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="out of range"):
        fg.linalg.eigh_tridiagonal(ALPHA, BETA, select="i", select_range=[2, 4])
    with pytest.raises(ValueError, match="2 elements"):
        fg.linalg.eigh_tridiagonal(ALPHA, BETA, select="v", select_range=[1.0])


def test_eigh_tridiagonal_runtime_length_check():
    a = fg.placeholder(fg.float64, [None])
    b = fg.placeholder(fg.float64, [None])
    w = fg.linalg.eigh_tridiagonal(a, b)
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="n-1"):
            sess.run(w, {a: ALPHA, b: BETA[:1]})
        np.testing.assert_allclose(sess.run(w, {a: ALPHA, b: BETA}),
                                   np.linalg.eigvalsh(_dense(ALPHA, BETA)), rtol=1e-12)


def test_logm_matches_scipy_diagonalizable_batch():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4, 4)) + 1j * rng.normal(size=(3, 4, 4))
    y = fg.linalg.logm(x)
    assert y.dtype == fg.complex128 and y.shape.as_list() == [3, 4, 4]
    want = np.stack([scipy.linalg.logm(m) for m in x])
    np.testing.assert_allclose(_run(y), want, atol=1e-10)


def test_logm_jordan_block_and_principal_branch():
    jordan = np.array([[3.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 3.0]]) + 0j
    np.testing.assert_allclose(_run(fg.linalg.logm(jordan)), scipy.linalg.logm(jordan),
                               atol=1e-10)
    # Defective with complex eigenvalues.
    rot = np.array([[1j, 1.0], [0.0, 1j]])
    np.testing.assert_allclose(_run(fg.linalg.logm(rot)), scipy.linalg.logm(rot), atol=1e-10)
    # TF 2.21: logm(diag(-1, 2)) = diag(i pi, log 2).
    got = _run(fg.linalg.logm(np.diag([-1.0, 2.0]) + 0j))
    np.testing.assert_allclose(got, np.diag([np.pi * 1j, np.log(2.0)]), atol=1e-12)


def test_logm_complex64_singular_and_empty():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.complex64)
    y = fg.linalg.logm(x)
    assert y.dtype == fg.complex64
    np.testing.assert_allclose(_run(y), scipy.linalg.logm(x.astype(np.complex128)),
                               rtol=1e-5, atol=1e-5)
    # TF 2.21 gives NaN for a singular matrix.
    assert np.all(np.isnan(_run(fg.linalg.logm(np.diag([0.0, 2.0]) + 0j))))
    assert _run(fg.linalg.logm(np.zeros((0, 0), np.complex128))).shape == (0, 0)


def test_logm_errors_and_no_gradient():
    with pytest.raises(TypeError, match="complex64, complex128"):
        fg.linalg.logm(np.eye(2))
    with pytest.raises(ValueError, match="square"):
        fg.linalg.logm(np.ones((2, 3)) + 0j)
    defective_negative = np.array([[-1.0, 1.0], [0.0, -1.0]]) + 0j
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="negative real eigenvalue"):
            sess.run(fg.linalg.logm(defective_negative))
    x = fg.constant(np.eye(2) + 0j)
    y = fg.linalg.logm(x)
    assert y.op.type == "MatrixLogarithm"
    with pytest.raises(LookupError, match="MatrixLogarithm"):
        fg.gradients(fg.math.real(y), x)
