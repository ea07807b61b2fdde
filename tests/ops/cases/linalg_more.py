"""Cases for linalg_more.py and linalg_more_tridiag.py (Lu, MatrixSquareRoot,
TridiagonalSolve, TridiagonalMatMul). Expected values are TF 2.21 outputs hard-coded here
(Lu, sqrtm) or dense numpy products and solves written here; gradients by finite
differences."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

A3 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]])
# tf.linalg.lu(A3) in TF 2.21.
A3_LU = np.array([[7.0, 8.0, 10.0], [1.0 / 7.0, 6.0 / 7.0, 11.0 / 7.0], [4.0 / 7.0, 0.5, -0.5]])
SPD2 = np.array([[4.0, 1.0], [1.0, 3.0]])
# tf.linalg.sqrtm(SPD2) in TF 2.21.
SPD2_ROOT = np.array([[1.98157763, 0.27083221], [0.27083221, 1.71074543]])
DIAGS = np.array([[1.0, 2.0, 0.5, 9.0], [4.0, 5.0, 6.0, 3.0], [9.0, 7.0, 8.0, 2.0]])
RHS = np.array([[1.0, -1.0], [2.0, 0.5], [3.0, 1.0], [-2.0, 4.0]])


def dense(diags):
    """The dense [..., M, M] matrix of compact diagonals [..., 3, M]."""
    m = diags.shape[-1]
    out = np.zeros(diags.shape[:-2] + (m, m))
    for i in range(m):
        out[..., i, i] = diags[..., 1, i]
        if i + 1 < m:
            out[..., i, i + 1] = diags[..., 0, i]
            out[..., i + 1, i] = diags[..., 2, i + 1]
    return out


def _check_sqrtm(outputs, inputs):
    (root,) = outputs
    np.testing.assert_allclose(root @ root, inputs[0], rtol=1e-10, atol=1e-12)
    assert np.all(np.linalg.eigvals(root).real > 0)


CASES = [
    OpCase("Lu", lambda x: list(fg.linalg.lu(x)), [A3],
           expected=[A3_LU, np.int32([2, 0, 1])], rtol=1e-12, atol=1e-12),
    OpCase("Lu", lambda x: list(fg.linalg.lu(x, output_idx_type=fg.int64)),
           [np.stack([A3, A3[::-1]]).astype(np.float32)],
           expected=[np.stack([A3_LU, A3_LU]), np.int64([[2, 0, 1], [0, 2, 1]])],
           rtol=1e-6, atol=1e-6, name="batch-int64"),
    OpCase("MatrixSquareRoot", lambda x: fg.linalg.sqrtm(x), [SPD2], expected=SPD2_ROOT,
           rtol=1e-8),
    OpCase("MatrixSquareRoot", lambda x: fg.matrix_square_root(x),
           [np.array([[[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.0, 0.2, 1.5]],
                      [[1.0, 2.0, 0.0], [-2.0, 1.0, 0.0], [0.0, 0.0, 4.0]]])[:1]],
           check=_check_sqrtm, name="nonsymmetric"),
    OpCase("TridiagonalSolve", lambda d, b: fg.linalg.tridiagonal_solve(d, b), [DIAGS, RHS],
           expected=np.linalg.solve(dense(DIAGS), RHS), rtol=1e-10),
    OpCase("TridiagonalSolve",
           lambda d, b: fg.linalg.tridiagonal_solve(d, b, partial_pivoting=False),
           [np.stack([DIAGS, DIAGS + 1.0]), np.stack([RHS, 2 * RHS])],
           expected=np.linalg.solve(dense(np.stack([DIAGS, DIAGS + 1.0])),
                                    np.stack([RHS, 2 * RHS])),
           rtol=1e-10, name="thomas-batch"),
    OpCase("TridiagonalMatMul", lambda d, b: fg.linalg.tridiagonal_matmul(d, b),
           [DIAGS, RHS], expected=dense(DIAGS) @ RHS, rtol=1e-12),
    OpCase("TridiagonalMatMul",
           lambda d, b: fg.linalg.tridiagonal_matmul(d, b, diagonals_format="matrix"),
           [np.stack([dense(DIAGS) + np.triu(np.ones((4, 4)), 2)]), RHS[None]],
           expected=(dense(DIAGS) @ RHS)[None], rtol=1e-12, name="matrix-format"),
]
