"""Structured LinearOperators (block diag, circulant, Householder, Kronecker, low-rank
update, Toeplitz, zeros) against dense numpy/scipy references, plus gradients."""

import numpy as np
import pytest
import scipy.linalg as sla

import flowgraph as tf

RNG = np.random.RandomState(1)


def run(*fetches):
    with tf.Session() as sess:
        return sess.run(list(fetches))


def adj(m):
    return np.conj(np.swapaxes(m, -1, -2))


def check_all_methods(op, dense, x, rtol=1e-7, atol=1e-9, solve=True, x_adj=None):
    """Compare every method of `op` with the numpy `dense` reference, using rhs `x`."""
    fetches = {
        "dense": op.to_dense(),
        "matmul": op.matmul(x),
        "matmul_adj": op.matmul(x if x_adj is None else x_adj, adjoint=True),
        "matmul_adj_arg": op.matmul(adj(x), adjoint_arg=True),
        "matvec": op.matvec(x[..., 0]),
        "matvec_adj": op.matvec((x if x_adj is None else x_adj)[..., 0], adjoint=True),
        "diag_part": op.diag_part(),
        "trace": op.trace(),
        "shape_tensor": op.shape_tensor(),
    }
    expected = {
        "dense": dense,
        "matmul": dense @ x,
        "matmul_adj": adj(dense) @ (x if x_adj is None else x_adj),
        "matmul_adj_arg": dense @ x,
        "matvec": (dense @ x[..., :1])[..., 0],
        "matvec_adj": (adj(dense) @ (x if x_adj is None else x_adj)[..., :1])[..., 0],
        "diag_part": np.diagonal(dense, axis1=-2, axis2=-1),
        "trace": np.trace(dense, axis1=-2, axis2=-1),
        "shape_tensor": np.array(dense.shape),
    }
    if solve:
        fetches.update(
            solve=op.solve(x),
            solve_adj=op.solve(x, adjoint=True),
            solve_adj_arg=op.solve(adj(x), adjoint_arg=True),
            solvevec=op.solvevec(x[..., 0]),
            det=op.determinant(),
            log_abs_det=op.log_abs_determinant(),
            inverse=op.inverse().to_dense(),
        )
        expected.update(
            solve=np.linalg.solve(dense, x),
            solve_adj=np.linalg.solve(adj(dense), x),
            solve_adj_arg=np.linalg.solve(dense, x),
            solvevec=np.linalg.solve(dense, x[..., :1])[..., 0],
            det=np.linalg.det(dense),
            log_abs_det=np.log(np.abs(np.linalg.det(dense))),
            inverse=np.linalg.inv(dense),
        )
    keys = list(fetches)
    values = run(*[fetches[k] for k in keys])
    for key, value in zip(keys, values):
        np.testing.assert_allclose(value, expected[key], rtol=rtol, atol=atol, err_msg=key)
    assert op.shape.as_list() == list(dense.shape)
    assert op.batch_shape.as_list() == list(dense.shape[:-2])
    assert op.range_dimension.value == dense.shape[-2]
    assert op.domain_dimension.value == dense.shape[-1]


# ---------------------------------------------------------------------- Toeplitz
def test_toeplitz_matches_scipy():
    col = RNG.randn(2, 4) + 4.0 * np.array([1.0, 0, 0, 0])
    row = RNG.randn(2, 4)
    dense = np.stack([sla.toeplitz(c, r) for c, r in zip(col, row)])
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorToeplitz(col, row)
        assert op.is_square is True
        assert op.dtype == tf.float64
        check_all_methods(op, dense, RNG.randn(2, 4, 3))


def test_toeplitz_ignores_row0_and_broadcasts():
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorToeplitz([1.0, 2.0, 3.0], [[99.0, 4.0, 5.0]] * 2)
        assert op.shape.as_list() == [2, 3, 3]
        (dense,) = run(op.to_dense())
    expected = np.array([[1.0, 4.0, 5.0], [2.0, 1.0, 4.0], [3.0, 2.0, 1.0]])
    np.testing.assert_allclose(dense, np.stack([expected, expected]))


def test_toeplitz_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Only square Toeplitz"):
            tf.linalg.LinearOperatorToeplitz([1.0, 2.0], [1.0, 3.0], is_square=False)
        with pytest.raises(ValueError, match="same last dimension"):
            tf.linalg.LinearOperatorToeplitz([1.0, 2.0], [1.0, 3.0, 4.0])
        with pytest.raises(TypeError, match="dtype"):
            tf.linalg.LinearOperatorToeplitz([1, 2], [1, 3])


# --------------------------------------------------------------------- Circulant
def _circulant_1d(spectrum):
    return np.stack([sla.circulant(np.fft.ifft(s)) for s in spectrum])


def test_circulant_complex_matches_scipy():
    spectrum = RNG.randn(2, 5) + 1j * RNG.randn(2, 5) + 3.0
    dense = _circulant_1d(spectrum)
    x = RNG.randn(2, 5, 2) + 1j * RNG.randn(2, 5, 2)
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorCirculant(spectrum, input_output_dtype=tf.complex128)
        assert op.dtype == tf.complex128
        assert op.is_self_adjoint is None
        check_all_methods(op, dense, x)


def test_circulant_hermitian_spectrum_real_io_dtype():
    # A Hermitian spectrum (s[k] = conj(s[-k])) is the FFT of a real first column.
    first_col = np.array([3.0, 1.0, -0.5, 0.25])
    spectrum = np.fft.fft(first_col)
    dense = sla.circulant(first_col)
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorCirculant(spectrum, input_output_dtype=tf.float64)
        assert op.dtype == tf.float64
        mm, dd, sol = run(op.matmul(np.eye(4)), op.to_dense(), op.solve(np.eye(4)))
    np.testing.assert_allclose(mm, dense, atol=1e-12)
    np.testing.assert_allclose(dd, dense, atol=1e-12)
    np.testing.assert_allclose(sol, np.linalg.inv(dense), atol=1e-12)


def test_circulant_real_spectrum_is_self_adjoint():
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorCirculant([4.0, 1.0, 1.0])
        assert op.is_self_adjoint is True
        assert op.dtype == tf.complex64
        with pytest.raises(ValueError, match="real spectrum"):
            tf.linalg.LinearOperatorCirculant([4.0, 1.0, 1.0], is_self_adjoint=False)
        with pytest.raises(ValueError, match="always square"):
            tf.linalg.LinearOperatorCirculant([4.0, 1.0], is_square=False)
        with pytest.raises(ValueError, match="at least 2 dimensions"):
            tf.linalg.LinearOperatorCirculant2D([4.0, 1.0])
        with pytest.raises(TypeError, match="spectrum must have dtype"):
            tf.linalg.LinearOperatorCirculant([4, 1])


@pytest.mark.parametrize("block_shape", [(2, 3), (2, 2, 3)])
def test_circulant_2d_3d_match_kron_dft(block_shape):
    spectrum = RNG.randn(*block_shape) + 1j * RNG.randn(*block_shape) + 2.0
    # Dense reference: F^-1 diag(spectrum) F, F the Kronecker product of 1-D DFT matrices.
    dft = np.ones((1, 1))
    for n in block_shape:
        dft = np.kron(dft, np.fft.fft(np.eye(n)))
    dense = np.linalg.inv(dft) @ np.diag(spectrum.ravel()) @ dft
    n = dense.shape[-1]
    x = RNG.randn(n, 2) + 1j * RNG.randn(n, 2)
    cls = {2: tf.linalg.LinearOperatorCirculant2D, 3: tf.linalg.LinearOperatorCirculant3D}
    with tf.Graph().as_default():
        op = cls[len(block_shape)](spectrum, input_output_dtype=tf.complex128)
        assert op.block_depth == len(block_shape)
        check_all_methods(op, dense, x)


# ------------------------------------------------------------------- Householder
def test_householder_matches_reflection():
    axis = RNG.randn(2, 4)
    unit = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
    dense = np.eye(4) - 2.0 * unit[..., :, None] * unit[..., None, :]
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorHouseholder(axis)
        assert op.is_self_adjoint is True
        assert op.is_positive_definite is False
        assert op.is_square is True
        check_all_methods(op, dense, RNG.randn(2, 4, 3))
        (det,) = run(op.determinant())
    np.testing.assert_allclose(det, [-1.0, -1.0])


def test_householder_complex_and_errors():
    axis = RNG.randn(3) + 1j * RNG.randn(3)
    unit = axis / np.linalg.norm(axis)
    dense = np.eye(3) - 2.0 * np.outer(unit, np.conj(unit))
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorHouseholder(axis)
        check_all_methods(op, dense, RNG.randn(3, 2) + 1j * RNG.randn(3, 2))
        with pytest.raises(ValueError, match="always self adjoint"):
            tf.linalg.LinearOperatorHouseholder([1.0, 2.0], is_self_adjoint=False)
        with pytest.raises(ValueError, match="non-positive definite"):
            tf.linalg.LinearOperatorHouseholder([1.0, 2.0], is_positive_definite=True)
        with pytest.raises(ValueError, match="always square"):
            tf.linalg.LinearOperatorHouseholder([1.0, 2.0], is_square=False)
        with pytest.raises(ValueError, match="at least 1 dimension"):
            tf.linalg.LinearOperatorHouseholder(1.0)


# ------------------------------------------------------------------------- Zeros
def test_zeros_values_shapes_and_errors():
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorZeros(3, batch_shape=[4])
        assert op.shape.as_list() == [4, 3, 3]
        assert op.is_square is True and op.is_self_adjoint is True
        assert op.is_non_singular is False and op.is_positive_definite is False
        assert op.dtype == tf.float32
        # As in TF, a zero operator is self-adjoint, hence square.
        with pytest.raises(ValueError, match="is_square=True"):
            tf.linalg.LinearOperatorZeros(2, 3)
        with pytest.raises(ValueError, match="self-adjoint matrix is always square"):
            tf.linalg.LinearOperatorZeros(2, 3, is_square=False)
        x = np.ones((2, 1, 3, 5), np.float32)
        dense, mm, mma, dp, tr, added = run(
            op.to_dense(), op.matmul(x), op.matmul(np.ones((3, 2), np.float32), adjoint=True),
            op.diag_part(), op.trace(), op.add_to_tensor(np.full((4, 3, 3), 7.0, np.float32)),
        )
        np.testing.assert_array_equal(dense, np.zeros((4, 3, 3)))
        np.testing.assert_array_equal(mm, np.zeros((2, 4, 3, 5)))
        np.testing.assert_array_equal(mma, np.zeros((4, 3, 2)))
        np.testing.assert_array_equal(dp, np.zeros((4, 3)))
        np.testing.assert_array_equal(tr, np.zeros(4))
        np.testing.assert_array_equal(added, np.full((4, 3, 3), 7.0))
        sq = tf.linalg.LinearOperatorZeros(3, dtype=tf.float64)
        assert sq.is_square is True
        det, lad = run(sq.determinant(), sq.log_abs_determinant())
        assert det == 0.0 and lad == -np.inf
        with pytest.raises(NotImplementedError):
            sq.solve(np.eye(3))
        with pytest.raises(ValueError, match="always singular"):
            tf.linalg.LinearOperatorZeros(2, is_non_singular=True)
        with pytest.raises(ValueError, match="always self adjoint"):
            tf.linalg.LinearOperatorZeros(2, is_self_adjoint=False)
        with pytest.raises(ValueError, match="not positive-definite"):
            tf.linalg.LinearOperatorZeros(2, is_positive_definite=True)
        with pytest.raises(ValueError, match="non-negative"):
            tf.linalg.LinearOperatorZeros(-1)
        with pytest.raises(TypeError, match="integer"):
            tf.linalg.LinearOperatorZeros(2.5)


# ------------------------------------------------------------------- BlockDiag
def test_block_diag_matches_scipy():
    a = RNG.randn(2, 2, 2) + 3 * np.eye(2)
    d = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]])
    dense = np.stack([sla.block_diag(a[i], np.diag(d[i])) for i in range(2)])
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorBlockDiag(
            [tf.linalg.LinearOperatorFullMatrix(a), tf.linalg.LinearOperatorDiag(d)]
        )
        assert op.name == "LinearOperatorFullMatrix_ds_LinearOperatorDiag"
        assert op.is_square is True
        check_all_methods(op, dense, RNG.randn(2, 5, 3))


def test_block_diag_hints_and_errors():
    with tf.Graph().as_default():
        d1 = tf.linalg.LinearOperatorDiag([1.0, 2.0], is_non_singular=True)
        d2 = tf.linalg.LinearOperatorDiag([3.0], is_non_singular=True)
        op = tf.linalg.LinearOperatorBlockDiag([d1, d2])
        assert op.is_non_singular is True and op.is_self_adjoint is True
        with pytest.raises(ValueError, match="non-singular"):
            tf.linalg.LinearOperatorBlockDiag([d1, d2], is_non_singular=False)
        with pytest.raises(ValueError, match="always square"):
            tf.linalg.LinearOperatorBlockDiag([d1, d2], is_square=False)
        with pytest.raises(ValueError, match="non-empty"):
            tf.linalg.LinearOperatorBlockDiag([])
        with pytest.raises(TypeError, match="same dtype"):
            tf.linalg.LinearOperatorBlockDiag([d1, tf.linalg.LinearOperatorDiag([1.0 + 0j])])
        with pytest.raises(ValueError, match="must be square"):
            tf.linalg.LinearOperatorBlockDiag([tf.linalg.LinearOperatorFullMatrix(np.ones((2, 3)))])


# ------------------------------------------------------------------- Kronecker
def test_kronecker_matches_numpy():
    a = RNG.randn(2, 2) + 2 * np.eye(2)
    b = RNG.randn(3, 3) + 3 * np.eye(3)
    d = np.array([2.0, -1.5])
    dense = np.kron(np.kron(a, b), np.diag(d))
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorKronecker([
            tf.linalg.LinearOperatorFullMatrix(a),
            tf.linalg.LinearOperatorFullMatrix(b),
            tf.linalg.LinearOperatorDiag(d),
        ])
        assert op.name == "LinearOperatorFullMatrix_x_LinearOperatorFullMatrix_x_LinearOperatorDiag"
        check_all_methods(op, dense, RNG.randn(12, 2), rtol=1e-6)


def test_kronecker_batched_nonsquare_and_hints():
    a = RNG.randn(2, 2, 3)
    b = RNG.randn(2, 2)
    dense = np.stack([np.kron(a[i], b) for i in range(2)])
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorKronecker(
            [tf.linalg.LinearOperatorFullMatrix(a), tf.linalg.LinearOperatorFullMatrix(b)]
        )
        assert op.shape.as_list() == [2, 4, 6]
        assert op.is_square is False
        check_all_methods(op, dense, RNG.randn(2, 6, 2), solve=False, x_adj=RNG.randn(2, 4, 2))
        pd = tf.linalg.LinearOperatorDiag([1.0, 2.0], is_positive_definite=True)
        k = tf.linalg.LinearOperatorKronecker([pd, pd])
        assert k.is_positive_definite is True and k.is_self_adjoint is True
        with pytest.raises(ValueError, match="positive-definite"):
            tf.linalg.LinearOperatorKronecker([pd, pd], is_positive_definite=False)


# ------------------------------------------------------------- LowRankUpdate
def test_low_rank_update_general_matches_numpy():
    base = RNG.randn(2, 4, 4) + 4 * np.eye(4)
    u = RNG.randn(2, 4, 2)
    v = RNG.randn(2, 4, 2)
    diag = np.array([[1.5, -0.5], [2.0, 0.7]])
    dense = base + u @ (diag[..., :, None] * np.swapaxes(v, -1, -2))
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorLowRankUpdate(
            tf.linalg.LinearOperatorFullMatrix(base), u, diag_update=diag, v=v
        )
        assert op.is_self_adjoint is None
        check_all_methods(op, dense, RNG.randn(2, 4, 3), rtol=1e-6)


def test_low_rank_update_spd_cholesky_path():
    d = np.array([1.0, 2.0, 3.0, 0.5])
    u = RNG.randn(4, 2)
    dense = np.diag(d) + u @ u.T
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorLowRankUpdate(
            tf.linalg.LinearOperatorDiag(d, is_positive_definite=True), u
        )
        assert op.is_self_adjoint is True and op.is_positive_definite is True
        assert op.is_diag_update_positive is True
        check_all_methods(op, dense, RNG.randn(4, 3), rtol=1e-6)
        with pytest.raises(ValueError, match="self-adjoint positive-definite"):
            tf.linalg.LinearOperatorLowRankUpdate(
                tf.linalg.LinearOperatorDiag(d, is_positive_definite=True), u,
                is_positive_definite=False,
            )
        with pytest.raises(ValueError, match="identity, which is positive"):
            tf.linalg.LinearOperatorLowRankUpdate(
                tf.linalg.LinearOperatorDiag(d), u, is_diag_update_positive=False
            )
        with pytest.raises(ValueError, match="must be a self-adjoint operator"):
            tf.linalg.LinearOperatorLowRankUpdate(
                tf.linalg.LinearOperatorDiag(d), u, is_self_adjoint=False
            )
        with pytest.raises(ValueError, match="range"):
            tf.linalg.LinearOperatorLowRankUpdate(tf.linalg.LinearOperatorDiag(d), u[:3])
        with pytest.raises(TypeError, match="dtype"):
            tf.linalg.LinearOperatorLowRankUpdate(
                tf.linalg.LinearOperatorDiag(d), u.astype(np.float32)
            )


# ------------------------------------------------------------------ gradients
def _fd_grad(f, x0, eps=1e-6):
    grad = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        step = np.zeros_like(x0)
        step[idx] = eps
        grad[idx] = (f(x0 + step) - f(x0 - step)) / (2 * eps)
    return grad


W = RNG.randn(4, 3)
X_RHS = RNG.randn(4, 3)


def test_toeplitz_matmul_gradient_finite_differences():
    col0 = RNG.randn(4)
    row0 = RNG.randn(4)

    def np_loss(c, r):
        return float(np.sum(W * (sla.toeplitz(c, r) @ X_RHS)))

    with tf.Graph().as_default():
        col = tf.constant(col0)
        row = tf.constant(row0)
        op = tf.linalg.LinearOperatorToeplitz(col, row)
        loss = tf.reduce_sum(W * op.matmul(X_RHS))
        gc, gr = run(*tf.gradients(loss, [col, row]))
    np.testing.assert_allclose(gc, _fd_grad(lambda c: np_loss(c, row0), col0), atol=1e-6)
    np.testing.assert_allclose(gr, _fd_grad(lambda r: np_loss(col0, r), row0), atol=1e-6)
    assert gr[0] == 0.0  # row[0] is ignored


def test_low_rank_update_matmul_and_solve_gradients():
    d0 = np.array([2.0, 3.0, 1.5, 4.0])
    u0 = RNG.randn(4, 2)
    diag0 = np.array([0.8, 1.3])

    def np_dense(d, u, diag):
        return np.diag(d) + u @ np.diag(diag) @ u.T

    with tf.Graph().as_default():
        d = tf.constant(d0)
        u = tf.constant(u0)
        diag = tf.constant(diag0)
        op = tf.linalg.LinearOperatorLowRankUpdate(
            tf.linalg.LinearOperatorDiag(d), u, diag_update=diag
        )
        loss_mm = tf.reduce_sum(W * op.matmul(X_RHS))
        loss_solve = tf.reduce_sum(W * op.solve(X_RHS))
        grads = run(*tf.gradients(loss_mm, [d, u, diag]), *tf.gradients(loss_solve, [d, u, diag]))

    def loss(which, dd, uu, gg):
        dense = np_dense(dd, uu, gg)
        out = dense @ X_RHS if which == "mm" else np.linalg.solve(dense, X_RHS)
        return float(np.sum(W * out))

    for i, which in enumerate(["mm", "solve"]):
        gd, gu, gg = grads[3 * i: 3 * i + 3]
        np.testing.assert_allclose(
            gd, _fd_grad(lambda z, which=which: loss(which, z, u0, diag0), d0), atol=1e-6)
        np.testing.assert_allclose(
            gu, _fd_grad(lambda z, which=which: loss(which, d0, z, diag0), u0), atol=1e-6)
        np.testing.assert_allclose(
            gg, _fd_grad(lambda z, which=which: loss(which, d0, u0, z), diag0), atol=1e-6)


def test_circulant_and_kronecker_matmul_gradients():
    spec0 = np.array([3.0, 1.0, -0.5, 2.0])
    a0 = RNG.randn(2, 2)
    b0 = RNG.randn(2, 2)
    x = X_RHS

    def circ_loss(s):
        dense = np.real(sla.circulant(np.fft.ifft(s)))
        return float(np.sum(W * (dense @ x)))

    def kron_loss(a):
        return float(np.sum(W * (np.kron(a, b0) @ x)))

    with tf.Graph().as_default():
        spec = tf.constant(spec0)
        a = tf.constant(a0)
        circ = tf.linalg.LinearOperatorCirculant(spec, input_output_dtype=tf.float64)
        kron = tf.linalg.LinearOperatorKronecker(
            [tf.linalg.LinearOperatorFullMatrix(a), tf.linalg.LinearOperatorFullMatrix(b0)]
        )
        gs, ga = run(
            tf.gradients(tf.reduce_sum(W * circ.matmul(x)), spec)[0],
            tf.gradients(tf.reduce_sum(W * kron.matmul(x)), a)[0],
        )
    np.testing.assert_allclose(gs, _fd_grad(circ_loss, spec0), atol=1e-6)
    np.testing.assert_allclose(ga, _fd_grad(kron_loss, a0), atol=1e-6)


def test_linalg_adjoint_conjugates_complex():
    x = np.array([[1 + 2j, 3j], [4.0, -1j]])
    with tf.Graph().as_default():
        (value,) = run(tf.linalg.adjoint(x))
    np.testing.assert_array_equal(value, np.array([[1 - 2j, 4.0], [-3j, 1j]]))


def test_unknown_batch_dimension_via_placeholders():
    col = RNG.randn(3, 4) + 4.0 * np.array([1.0, 0, 0, 0])
    row = RNG.randn(3, 4)
    spectrum = RNG.randn(3, 4) + 3.0
    x = RNG.randn(3, 4, 2)
    toeplitz_ref = np.stack([sla.toeplitz(c, r) for c, r in zip(col, row)])
    circulant_ref = np.stack([np.real(sla.circulant(np.fft.ifft(s))) for s in spectrum])
    with tf.Graph().as_default():
        pc = tf.placeholder(tf.float64, [None, 4])
        pr = tf.placeholder(tf.float64, [None, 4])
        ps = tf.placeholder(tf.float64, [None, 4])
        toeplitz = tf.linalg.LinearOperatorToeplitz(pc, pr)
        circ = tf.linalg.LinearOperatorCirculant(ps, input_output_dtype=tf.float64)
        assert toeplitz.shape.as_list() == [None, 4, 4]
        assert circ.shape.as_list() == [None, 4, 4]
        with tf.Session() as sess:
            tm, ts, cm, shape = sess.run(
                [toeplitz.matmul(x), toeplitz.solve(x), circ.matmul(x), circ.shape_tensor()],
                feed_dict={pc: col, pr: row, ps: spectrum},
            )
    np.testing.assert_allclose(tm, toeplitz_ref @ x)
    np.testing.assert_allclose(ts, np.linalg.solve(toeplitz_ref, x))
    np.testing.assert_allclose(cm, circulant_ref @ x, atol=1e-12)
    assert list(shape) == [3, 4, 4]
