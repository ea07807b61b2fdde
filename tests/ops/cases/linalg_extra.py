"""Cases for diag.py, linalg_solve.py and linalg_decomp.py. References are numpy's linalg
written here (independent of the kernels' code paths) or literals; gradients are checked by
finite differences (Cholesky of a symmetrized input, as it reads one triangle)."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F64 = np.float64
SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
RHS = np.array([[1.0, 0.5], [2.0, -1.0], [0.3, 0.7]])
TALL = np.array([[2.0, -1.0], [0.5, 3.0], [1.0, 1.0]])
LOWER = np.array([[2.0, 0.0, 0.0], [1.0, -3.0, 0.0], [0.5, 0.2, 1.5]])


def _sym(x):
    return 0.5 * (x + fg.matrix_transpose(x))


def _check_qr(outputs, inputs):
    q, r = outputs
    np.testing.assert_allclose(q @ r, inputs[0], atol=1e-12)
    np.testing.assert_allclose(q.T @ q, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(np.tril(r, -1), 0.0)
    # LAPACK's (and TF1's) signs: r's diagonal is -+ the column norm here.
    np.testing.assert_allclose(np.abs(np.diag(r)), np.abs(np.linalg.qr(inputs[0])[1].diagonal()))


def _check_svd(outputs, inputs):
    s, u, v = outputs
    np.testing.assert_allclose(s, np.sqrt(np.linalg.eigvalsh(inputs[0].T @ inputs[0]))[::-1])
    np.testing.assert_allclose(u @ np.diag(s) @ v.T, inputs[0], atol=1e-12)


def _check_eig(outputs, inputs):
    e, v = outputs
    np.testing.assert_allclose(e, np.sort(np.linalg.eigvals(SPD).real), rtol=1e-12)
    np.testing.assert_allclose(SPD @ v, v * e, atol=1e-12)


CASES = [
    OpCase("MatrixDiag", lambda d: fg.matrix_diag(d), [np.array([[1.0, 2.0], [3.0, 4.0]])],
           expected=np.array([[[1.0, 0.0], [0.0, 2.0]], [[3.0, 0.0], [0.0, 4.0]]])),
    OpCase("MatrixDiagPart", lambda x: fg.matrix_diag_part(x), [TALL.T],
           expected=np.array([2.0, 3.0])),
    OpCase("MatrixSetDiag", lambda x, d: fg.matrix_set_diag(x, d),
           [np.zeros((2, 3)), np.array([1.0, 2.0])],
           expected=np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])),
    OpCase("Diag", lambda d: fg.diag(d), [np.array([[1.0, 2.0], [3.0, 4.0]])],
           expected=np.diag([1.0, 2.0, 3.0, 4.0]).reshape(2, 2, 2, 2)),
    OpCase("DiagPart", lambda x: fg.diag_part(x), [np.arange(16.0).reshape(2, 2, 2, 2)],
           expected=np.array([[0.0, 5.0], [10.0, 15.0]])),
    OpCase("MatrixInverse", lambda x: fg.matrix_inverse(x), [SPD + np.eye(3) * 0.1 + LOWER],
           expected=np.linalg.inv(SPD + np.eye(3) * 0.1 + LOWER), rtol=1e-10),
    OpCase("MatrixInverse", lambda x: fg.matrix_inverse(x, adjoint=True), [SPD + LOWER],
           expected=np.linalg.inv((SPD + LOWER).T), rtol=1e-10, name="adjoint"),
    OpCase("MatrixDeterminant", lambda x: fg.matrix_determinant(x),
           [np.stack([SPD, LOWER])], expected=np.array([21.29, -9.0]), rtol=1e-10),
    OpCase("LogMatrixDeterminant", lambda x: list(fg.linalg.slogdet(x)), [LOWER],
           expected=[F64(-1.0), np.log(9.0)], rtol=1e-10),
    OpCase("Cholesky", lambda x: fg.cholesky(_sym(x)), [SPD],
           expected=np.array([[2.0, 0.0, 0.0], [0.5, np.sqrt(2.75), 0.0],
                              [0.25, (0.2 - 0.125) / np.sqrt(2.75),
                               np.sqrt(2.0 - 0.0625 - ((0.2 - 0.125) ** 2) / 2.75)]]),
           rtol=1e-10),
    OpCase("MatrixSolve", lambda a, b: fg.matrix_solve(a, b), [SPD, RHS],
           expected=np.linalg.inv(SPD) @ RHS, rtol=1e-10),
    OpCase("MatrixSolve", lambda a, b: fg.matrix_solve(a, b, adjoint=True), [SPD + LOWER, RHS],
           expected=np.linalg.inv((SPD + LOWER).T) @ RHS, rtol=1e-10, name="adjoint"),
    OpCase("MatrixTriangularSolve", lambda a, b: fg.matrix_triangular_solve(a, b),
           [LOWER + np.triu(np.ones((3, 3)), 1), RHS],
           expected=np.linalg.inv(LOWER) @ RHS, rtol=1e-10),
    OpCase("MatrixTriangularSolve",
           lambda a, b: fg.matrix_triangular_solve(a, b, lower=False, adjoint=True),
           [LOWER.T + np.tril(np.ones((3, 3)), -1), RHS],
           expected=np.linalg.inv(LOWER) @ RHS, rtol=1e-10, name="upper-adjoint"),
    OpCase("Qr", lambda x: list(fg.qr(x)), [TALL], check=_check_qr),
    OpCase("Svd", lambda x: list(fg.svd(x)), [TALL], check=_check_svd),
    OpCase("SelfAdjointEigV2", lambda x: list(fg.self_adjoint_eig(x)), [SPD],
           check=_check_eig),
]
