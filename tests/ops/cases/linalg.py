"""Cases for MatMul, BatchMatMulV2, Tensordot, Einsum, Trace, MatrixTranspose and Eye.

Expected values are hand-computed literals or numpy (np.einsum / np.swapaxes written here)."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)    # [2, 3]
B = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]], dtype=np.float32)  # [3, 2]
AB = np.array([[7.0, -1.0], [16.0, -1.0]], dtype=np.float32)           # A @ B by hand
RNG = np.random.default_rng(7)
P = RNG.standard_normal((1, 3, 2, 4))
Q = RNG.standard_normal((5, 1, 4, 3))
R = np.arange(40, dtype=np.float64).reshape(4, 5, 2)
M3 = np.arange(12, dtype=np.float64).reshape(2, 2, 3)
U = RNG.standard_normal((2, 1, 2, 3))
V = RNG.standard_normal((3, 3, 2))
W = RNG.standard_normal((3, 3))
E1 = RNG.standard_normal((2, 1, 3))
E2 = RNG.standard_normal((4, 3))


def _matrix(t):
    """Pins a placeholder to rank 2, so that matmul picks MatMul even when the harness feeds
    placeholders of unknown shape (with unknown rank, TF1 uses the batch op)."""
    t.set_shape([None, None])
    return t


def _bmm(x, y):
    return np.einsum("...ij,...jk->...ik", x, y)


CASES = [
    # MatMul (rank 2)
    OpCase("MatMul", lambda a, b: fg.matmul(_matrix(a), _matrix(b)), [A, B], expected=AB),
    OpCase("MatMul", lambda a, b: fg.matmul(_matrix(a), _matrix(b), transpose_a=True),
           [A.T.copy(), B], expected=AB, name="transpose_a"),
    OpCase("MatMul", lambda a, b: fg.matmul(_matrix(a), _matrix(b), transpose_b=True),
           [A, B.T.copy()], expected=AB, name="transpose_b"),
    OpCase("MatMul", lambda a, b: fg.matmul(_matrix(a), _matrix(b), adjoint_a=True,
                                            adjoint_b=True),
           [A.T.copy(), B.T.copy()], expected=AB, name="adjoint-both"),
    OpCase("MatMul", lambda a, b: fg.matmul(_matrix(a), _matrix(b)),
           [np.int32([[1, 2], [3, 4]]), np.int32([[5], [6]])], expected=np.int32([[17], [39]]),
           name="int32"),
    OpCase("MatMul", lambda a: fg.matmul(_matrix(a), [[1.0], [1.0], [1.0]]), [A],
           expected=np.float32([[6.0], [15.0]]), name="python-operand"),
    OpCase("MatMul", lambda a, b: fg.matmul(_matrix(a), _matrix(b)),
           [np.zeros((2, 0), np.float64), np.zeros((0, 3), np.float64)],
           expected=np.zeros((2, 3)), name="empty-inner"),
    # BatchMatMulV2: rank >= 3, batch axes broadcast
    OpCase("BatchMatMulV2", lambda a, b: fg.matmul(a, b), [np.stack([A, 2 * A]), B],
           expected=np.stack([AB, 2 * AB]), name="rank3-by-rank2"),
    OpCase("BatchMatMulV2", lambda a, b: fg.matmul(a, b), [P, Q], expected=_bmm(P, Q),
           rtol=1e-12, name="broadcast-batch"),
    OpCase("BatchMatMulV2", lambda a, b: fg.matmul(a, b, transpose_a=True, adjoint_b=True),
           [np.swapaxes(P, -1, -2).copy(), np.swapaxes(Q, -1, -2).copy()],
           expected=_bmm(P, Q), rtol=1e-12, name="transposes"),
    OpCase("BatchMatMulV2", lambda a, b: fg.matmul(a, b, adjoint_a=True),
           [np.swapaxes(P, -1, -2).copy(), Q], expected=_bmm(P, Q), rtol=1e-12,
           name="adjoint-a"),
    OpCase("BatchMatMulV2", lambda a, b: fg.matmul(a, b, transpose_b=True),
           [B.T.copy(), np.stack([A, -A])],
           expected=np.stack([B.T @ A.T, -(B.T @ A.T)]), name="rank2-by-rank3-transpose-b"),
    OpCase("BatchMatMulV2", lambda a, b: fg.matmul(a, b), [U, V[:1]],
           expected=_bmm(U, V[:1]), rtol=1e-12, name="broadcast-ones"),
    OpCase("BatchMatMulV2", lambda a, b: fg.matmul(a, b),
           [np.int64(np.arange(8).reshape(2, 2, 2)), np.int64([[1, 0], [0, -1]])],
           expected=np.int64([[[0, -1], [2, -3]], [[4, -5], [6, -7]]]), name="int64"),
    # Tensordot
    OpCase("Tensordot", lambda a, b: fg.tensordot(a, b, 1), [A, B], expected=AB,
           name="int-axes"),
    OpCase("Tensordot", lambda a, c: fg.tensordot(a, c, [[0], [1]]),
           [A, np.float32([[1, 0], [0, 1], [1, 1], [2, -1]])],
           expected=np.float32([[1, 4, 5, -2], [2, 5, 7, -1], [3, 6, 9, 0]]), name="pair-axes"),
    OpCase("Tensordot", lambda a, b: fg.tensordot(a, b, axes=0),
           [np.float32([1.0, 2.0]), np.float32([3.0, 4.0, 5.0])],
           expected=np.float32([[3.0, 4.0, 5.0], [6.0, 8.0, 10.0]]), name="outer"),
    OpCase("Tensordot", lambda a, b: fg.tensordot(a, b, [[-1, 1], [0, 2]]),
           [P[0], R], expected=np.einsum("ijk,kmj->im", P[0], R),
           rtol=1e-12, name="two-axes-negative"),
    # Einsum
    OpCase("Einsum", lambda a, b: fg.einsum("ij,jk->ik", a, b), [A, B], expected=AB),
    OpCase("Einsum", lambda a: fg.einsum("bij->bji", a), [M3],
           expected=np.swapaxes(M3, 1, 2), name="transpose"),
    OpCase("Einsum", lambda a, b: fg.einsum("...ij,jk", a, b), [M3, np.ones((3, 2))],
           expected=np.einsum("bij,jk->bik", M3, np.ones((3, 2))), name="ellipsis-implicit"),
    OpCase("Einsum", lambda a: fg.einsum("ii->", a), [np.float32([[1, 2], [3, 4]])],
           expected=np.float32(5.0), name="trace"),
    # gradient shapes: diagonals, letters summed away, '...' broadcasting (also mid-operand)
    OpCase("Einsum", lambda a: fg.einsum("ii->i", a), [W], expected=np.diag(W).copy(),
           name="diagonal"),
    OpCase("Einsum", lambda a, b: fg.einsum("iij,j->i", a, b), [U[:, 0], W[0]],
           expected=np.einsum("iij,j->i", U[:, 0], W[0]), rtol=1e-12,
           name="diagonal-and-vector"),
    OpCase("Einsum", lambda a: fg.einsum("ij->i", a), [A], expected=np.float32([6.0, 15.0]),
           name="sum-away"),
    OpCase("Einsum", lambda a, b: fg.einsum("...ij,...jk->...ik", a, b), [U, V],
           expected=_bmm(U, V), rtol=1e-12, name="ellipsis-broadcast"),
    OpCase("Einsum", lambda a, b: fg.einsum("i...j,...j->...i", a, b), [E1, E2],
           expected=np.einsum("i...j,...j->...i", E1, E2), rtol=1e-12,
           name="ellipsis-middle-broadcast"),
    OpCase("Einsum", lambda a, b, c: fg.einsum("ij,jk,kl->il", a, b, c), [A, B, B.T.copy()],
           expected=AB @ B.T, rtol=1e-5, name="chain"),
    # Trace
    OpCase("Trace", lambda x: fg.trace(x), [np.float32([[1, 2], [3, 4]])],
           expected=np.float32(5.0)),
    OpCase("Trace", lambda x: fg.trace(x), [M3], expected=np.float64([4.0, 16.0]),
           name="batch-nonsquare"),
    OpCase("Trace", lambda x: fg.trace(x), [np.int32([[[1, 0, 0], [0, 2, 0], [0, 0, 3]]])],
           expected=np.int32([6]), name="int"),
    # MatrixTranspose
    OpCase("MatrixTranspose", lambda x: fg.matrix_transpose(x), [A], expected=A.T),
    OpCase("MatrixTranspose", lambda x: fg.matrix_transpose(x), [M3],
           expected=np.float64([[[0, 3], [1, 4], [2, 5]], [[6, 9], [7, 10], [8, 11]]]),
           name="batch"),
    # Eye
    OpCase("Eye", lambda: fg.eye(2, 3), expected=np.float32([[1, 0, 0], [0, 1, 0]])),
    OpCase("Eye", lambda: fg.eye(2, batch_shape=[2], dtype=fg.int32),
           expected=np.int32([[[1, 0], [0, 1]], [[1, 0], [0, 1]]]), name="batch-int"),
    OpCase("Eye", lambda n: fg.eye(n, dtype=fg.float64), [np.int32(3)],
           expected=np.diag([1.0, 1.0, 1.0]), name="tensor-size"),
    OpCase("Eye", lambda: fg.eye(0), expected=np.zeros((0, 0), np.float32), name="empty"),
]
