"""LinearOperator family: values against numpy, shapes, hints, gradients by finite differences."""

import numpy as np
import pytest

import flowgraph as tf
from flowgraph import errors

RNG = np.random.RandomState(0)
A = RNG.randn(2, 3, 3) + 3 * np.eye(3)
X = RNG.randn(2, 3, 4)
D = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]])


def run(*fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(list(fetches), feed_dict=feed)


def test_full_matrix_values_and_shapes():
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorFullMatrix(A)
        assert op.shape.as_list() == [2, 3, 3]
        assert op.batch_shape.as_list() == [2]
        assert op.tensor_rank == 3
        assert op.dtype == tf.float64
        mm, mma, sol, sola, det, lad, tr, dp, dense, st = run(
            op.matmul(X), op.matmul(X, adjoint=True), op.solve(X), op.solve(X, adjoint=True),
            op.determinant(), op.log_abs_determinant(), op.trace(), op.diag_part(),
            op.to_dense(), op.shape_tensor(),
        )
        at = np.swapaxes(A, -1, -2)
        np.testing.assert_allclose(mm, A @ X)
        np.testing.assert_allclose(mma, at @ X)
        np.testing.assert_allclose(sol, np.linalg.solve(A, X))
        np.testing.assert_allclose(sola, np.linalg.solve(at, X))
        np.testing.assert_allclose(det, np.linalg.det(A))
        np.testing.assert_allclose(lad, np.log(np.abs(np.linalg.det(A))))
        np.testing.assert_allclose(tr, np.trace(A, axis1=-2, axis2=-1))
        np.testing.assert_allclose(dp, np.diagonal(A, axis1=-2, axis2=-1))
        np.testing.assert_allclose(dense, A)
        assert list(st) == [2, 3, 3]


def test_matvec_solvevec_adjoint_arg_and_matmul_operator():
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorFullMatrix(A)
        v = X[..., 0]
        xt = np.swapaxes(X, -1, -2)
        mv, sv, mm_arg = run(op.matvec(v), op.solvevec(v), op.matmul(xt, adjoint_arg=True))
        np.testing.assert_allclose(mv, np.einsum("bij,bj->bi", A, v))
        np.testing.assert_allclose(sv, np.linalg.solve(A, v[..., None])[..., 0])
        np.testing.assert_allclose(mm_arg, A @ X)
        comp = op @ tf.linalg.LinearOperatorDiag(D)
        assert isinstance(comp, tf.linalg.LinearOperatorComposition)
        (dense,) = run(comp.to_dense())
        np.testing.assert_allclose(dense, A @ (D[..., :, None] * np.eye(3)))


def test_diag_operations_are_elementwise():
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorDiag(D)
        assert op.shape.as_list() == [2, 3, 3]
        assert op.is_self_adjoint is True and op.is_square is True
        dm = D[..., :, None] * np.eye(3)
        mm, sol, det, lad, tr, inv, chol_err = (
            op.matmul(X), op.solve(X), op.determinant(), op.log_abs_determinant(),
            op.trace(), op.inverse().to_dense(), None,
        )
        mm, sol, det, lad, tr, inv = run(mm, sol, det, lad, tr, inv)
        np.testing.assert_allclose(mm, dm @ X)
        np.testing.assert_allclose(sol, np.linalg.solve(dm, X))
        np.testing.assert_allclose(det, np.prod(D, -1))
        np.testing.assert_allclose(lad, np.log(np.abs(np.prod(D, -1))))
        np.testing.assert_allclose(tr, D.sum(-1))
        np.testing.assert_allclose(inv, np.linalg.inv(dm))
        assert chol_err is None
        with pytest.raises(ValueError, match="Cholesky"):
            op.cholesky()
        pd = tf.linalg.LinearOperatorDiag(np.abs(D), is_positive_definite=True)
        (chol,) = run(pd.cholesky().to_dense())
        np.testing.assert_allclose(chol, np.linalg.cholesky(np.abs(D)[..., :, None] * np.eye(3)))


def test_lower_triangular_ignores_upper_and_solves():
    with tf.Graph().as_default():
        op = tf.linalg.LinearOperatorLowerTriangular(A)
        low = np.tril(A)
        mm, sol, sola, det, dense = run(
            op.matmul(X), op.solve(X), op.solve(X, adjoint=True), op.determinant(), op.to_dense()
        )
        np.testing.assert_allclose(dense, low)
        np.testing.assert_allclose(mm, low @ X)
        np.testing.assert_allclose(sol, np.linalg.solve(low, X))
        np.testing.assert_allclose(sola, np.linalg.solve(np.swapaxes(low, -1, -2), X))
        np.testing.assert_allclose(det, np.prod(np.diagonal(A, axis1=-2, axis2=-1), -1))
        with pytest.raises(ValueError, match="square"):
            tf.linalg.LinearOperatorLowerTriangular(A, is_square=False)


def test_identity_and_scaled_identity():
    with tf.Graph().as_default():
        ident = tf.linalg.LinearOperatorIdentity(3, batch_shape=[2], dtype=tf.float64)
        assert ident.shape.as_list() == [2, 3, 3]
        assert ident.inverse() is ident and ident.adjoint() is ident
        x1 = X[0]
        mm, det, lad, tr, dense = run(
            ident.matmul(x1), ident.determinant(), ident.log_abs_determinant(), ident.trace(),
            ident.to_dense(),
        )
        np.testing.assert_allclose(mm, np.broadcast_to(x1, (2, 3, 4)))
        np.testing.assert_allclose(det, [1.0, 1.0])
        np.testing.assert_allclose(lad, [0.0, 0.0])
        np.testing.assert_allclose(tr, [3.0, 3.0])
        np.testing.assert_allclose(dense, np.broadcast_to(np.eye(3), (2, 3, 3)))
        with pytest.raises(ValueError, match="always non-singular"):
            tf.linalg.LinearOperatorIdentity(3, is_non_singular=False)
        with pytest.raises(ValueError, match="non-negative"):
            tf.linalg.LinearOperatorIdentity(-1)

        mult = np.array([2.0, -0.5])
        sc = tf.linalg.LinearOperatorScaledIdentity(3, mult)
        assert sc.shape.as_list() == [2, 3, 3]
        mm, sol, det, lad, tr, dp = run(
            sc.matmul(X), sc.solve(X), sc.determinant(), sc.log_abs_determinant(), sc.trace(),
            sc.diag_part(),
        )
        np.testing.assert_allclose(mm, mult[:, None, None] * X)
        np.testing.assert_allclose(sol, X / mult[:, None, None])
        np.testing.assert_allclose(det, [8.0, -0.125])
        np.testing.assert_allclose(lad, 3 * np.log(np.abs(mult)))
        np.testing.assert_allclose(tr, [6.0, -1.5])
        np.testing.assert_allclose(dp, [[2.0] * 3, [-0.5] * 3])


def test_composition_adjoint_inversion():
    with tf.Graph().as_default():
        full = tf.linalg.LinearOperatorFullMatrix(A)
        low = tf.linalg.LinearOperatorLowerTriangular(A)
        comp = tf.linalg.LinearOperatorComposition([full, low])
        assert comp.name == "LinearOperatorFullMatrix_o_LinearOperatorLowerTriangular"
        prod = A @ np.tril(A)
        adj = tf.linalg.LinearOperatorAdjoint(full)
        inv = tf.linalg.LinearOperatorInversion(full)
        assert adj.name == "LinearOperatorFullMatrix_adjoint"
        assert inv.name == "LinearOperatorFullMatrix_inv"
        cm, cma, cs, cdet, am, idense, im, idet = run(
            comp.matmul(X), comp.matmul(X, adjoint=True), comp.solve(X), comp.determinant(),
            adj.matmul(X), inv.to_dense(), inv.matmul(X), inv.determinant(),
        )
        np.testing.assert_allclose(cm, prod @ X)
        np.testing.assert_allclose(cma, np.swapaxes(prod, -1, -2) @ X)
        np.testing.assert_allclose(cs, np.linalg.solve(prod, X))
        np.testing.assert_allclose(cdet, np.linalg.det(prod))
        np.testing.assert_allclose(am, np.swapaxes(A, -1, -2) @ X)
        np.testing.assert_allclose(idense, np.linalg.inv(A))
        np.testing.assert_allclose(im, np.linalg.solve(A, X))
        np.testing.assert_allclose(idet, 1 / np.linalg.det(A))
        with pytest.raises(TypeError, match="same dtype"):
            tf.linalg.LinearOperatorComposition(
                [full, tf.linalg.LinearOperatorDiag(D.astype(np.float32))]
            )
        with pytest.raises(ValueError, match="non-empty"):
            tf.linalg.LinearOperatorComposition([])


def test_hint_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="positive definite matrix is always non-singular"):
            tf.linalg.LinearOperatorFullMatrix(A, is_non_singular=False, is_positive_definite=True)
        with pytest.raises(ValueError, match="non-singular matrix is always square"):
            tf.linalg.LinearOperatorFullMatrix(A, is_non_singular=True, is_square=False)
        with pytest.raises(ValueError, match="real diagonal operator is always self adjoint"):
            tf.linalg.LinearOperatorDiag(D, is_self_adjoint=False)
        with pytest.raises(ValueError, match="at least 2 dimensions"):
            tf.linalg.LinearOperatorFullMatrix([1.0, 2.0])
        with pytest.raises(TypeError, match="dtype"):
            tf.linalg.LinearOperatorFullMatrix(np.eye(2, dtype=np.int32))
        sing = tf.linalg.LinearOperatorFullMatrix(A, is_non_singular=False)
        with pytest.raises(ValueError, match="singular"):
            sing.inverse()
        with pytest.raises(ValueError, match="is_non_singular equal to True or None"):
            tf.linalg.LinearOperatorInversion(sing)
        op = tf.linalg.LinearOperatorFullMatrix(A)
        with pytest.raises(ValueError, match="compatible"):
            op.matmul(np.ones((2, 4, 1)))
        with pytest.raises(TypeError, match="dtype"):
            op.matmul(np.ones((2, 3, 1), np.float32))


def test_runtime_asserts():
    with tf.Graph().as_default():
        ok = tf.linalg.LinearOperatorDiag([1.0, 2.0])
        bad = tf.linalg.LinearOperatorDiag([1.0, 0.0])
        run(ok.assert_non_singular(), ok.assert_positive_definite(), ok.assert_self_adjoint())
        with pytest.raises(errors.InvalidArgumentError):
            run(bad.assert_non_singular())
        notpd = tf.linalg.LinearOperatorDiag([1.0, -2.0])
        with pytest.raises(errors.InvalidArgumentError):
            run(notpd.assert_positive_definite())
        nonsym = tf.linalg.LinearOperatorFullMatrix([[1.0, 2.0], [0.0, 1.0]])
        with pytest.raises(errors.InvalidArgumentError):
            run(nonsym.assert_self_adjoint())
        sym = tf.linalg.LinearOperatorFullMatrix(
            [[2.0, 1.0], [1.0, 2.0]], is_self_adjoint=True, is_positive_definite=True
        )
        run(sym.assert_self_adjoint(), sym.assert_positive_definite())
        singular = tf.linalg.LinearOperatorFullMatrix([[1.0, 2.0], [2.0, 4.0]])
        with pytest.raises(errors.InvalidArgumentError):
            run(singular.assert_non_singular())


def _fd_grad(f, x0, eps=1e-6):
    g = np.zeros_like(x0)
    for idx in np.ndindex(*x0.shape):
        xp, xm = x0.copy(), x0.copy()
        xp[idx] += eps
        xm[idx] -= eps
        g[idx] = (f(xp) - f(xm)) / (2 * eps)
    return g


@pytest.mark.parametrize("kind", ["full", "tril", "diag"])
def test_gradients_through_matmul_and_solve(kind):
    mat0 = A[0] if kind != "diag" else D[0]
    rhs = X[0]

    def np_op(m):
        if kind == "full":
            return m
        if kind == "tril":
            return np.tril(m)
        return np.diag(m)

    def np_loss(m):
        dense = np_op(m)
        return np.sum(np.sin(dense @ rhs)) + np.sum(np.linalg.solve(dense, rhs) ** 2)

    with tf.Graph().as_default():
        p = tf.placeholder(tf.float64, mat0.shape)
        cls = {
            "full": tf.linalg.LinearOperatorFullMatrix,
            "tril": tf.linalg.LinearOperatorLowerTriangular,
            "diag": tf.linalg.LinearOperatorDiag,
        }[kind]
        op = cls(p)
        loss = tf.reduce_sum(tf.sin(op.matmul(rhs))) + tf.reduce_sum(op.solve(rhs) ** 2)
        (grad,) = tf.gradients(loss, [p])
        (g,) = run(grad, feed={p: mat0})
    np.testing.assert_allclose(g, _fd_grad(np_loss, mat0), rtol=1e-5, atol=1e-6)
