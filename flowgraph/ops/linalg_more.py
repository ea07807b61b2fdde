"""More batched linear algebra, as TF 1.15: the LU factorization with partial pivoting
(TF's Lu) and the principal matrix square root (MatrixSquareRoot), with the LU-based
composites lu_solve, lu_matrix_inverse and lu_reconstruct. Lu has no gradient, as in TF;
MatrixSquareRoot differentiates as TF's _MatrixSquareRootGrad (a Sylvester equation)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.linalg_solve import _square
from flowgraph.ops.registry import Op, apply_op, register

# Only TF1's top-level name; the rest are reached as fg.linalg.<name>.
__all__ = ["matrix_square_root"]


def _not_invertible(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _lu_factor(a: np.ndarray) -> tuple:
    """Packed LU factors and row permutations of a stack of square matrices [B, n, n]:
    a[b][perm[b]] = L @ U, the pivot the largest magnitude in its column (first on ties)."""
    lu = np.array(a, copy=True)
    count, n = lu.shape[0], lu.shape[-1]
    perm = np.tile(np.arange(n), (count, 1))
    rows = np.arange(count)
    for k in range(n):
        piv = k + np.argmax(np.abs(lu[:, k:, k]), axis=1)
        row_k = lu[rows, k].copy()
        lu[rows, k] = lu[rows, piv]
        lu[rows, piv] = row_k
        perm_k = perm[rows, k].copy()
        perm[rows, k] = perm[rows, piv]
        perm[rows, piv] = perm_k
        pivot = lu[:, k, k]
        if np.any(pivot == 0):
            raise _not_invertible("Input is not invertible.")
        lu[:, k + 1:, k] /= pivot[:, None]
        lu[:, k + 1:, k + 1:] -= lu[:, k + 1:, k, None] * lu[:, k, None, k + 1:]
    return lu, perm


@register
class Lu(Op):
    """(lu, p): the LU factorization with partial pivoting of each square matrix, packed
    as L + U - I (L unit lower triangular), with input[..., p, :] = L @ U; p has dtype
    output_idx_type. InvalidArgumentError for a singular matrix (a zero pivot)."""

    output_idx_type: dtypes.DType = dtypes.int32
    differentiable = False

    def check(self) -> None:
        if self.output_idx_type not in (dtypes.int32, dtypes.int64):
            raise TypeError("Lu: output_idx_type must be int32 or int64, got "
                            f"{self.output_idx_type.name}")

    def infer(self, op):
        x = op.inputs[0]
        shape = _square(op, x)
        perm = shape[:-1] if shape.ndims is not None else shape
        return [(x.dtype, shape), (self.output_idx_type, perm)]

    def kernel(self, x):
        n = x.shape[-1]
        lu, perm = _lu_factor(x.reshape((-1, n, n)))
        return (lu.reshape(x.shape).astype(x.dtype, copy=False),
                perm.reshape(x.shape[:-1]).astype(self.output_idx_type.np))


def _sqrtm_one(a: np.ndarray) -> np.ndarray:
    """The principal square root of one real matrix (float64): NaN when it has a negative
    real eigenvalue (as TF's real kernel), by eigendecomposition when the eigenvectors are
    well conditioned, else by the scaled Denman-Beavers iteration (defective matrices)."""
    n = a.shape[-1]
    if n == 0:
        return a.copy()
    w, v = np.linalg.eig(a)
    scale = max(float(np.max(np.abs(w))), 1e-300)
    if np.any((w.real < 0) & (np.abs(w.imag) <= 1e-12 * scale)):
        return np.full_like(a, np.nan)
    if np.linalg.cond(v) < 1e6:
        root = (v * np.sqrt(w.astype(complex))) @ np.linalg.inv(v)
        return root.real
    y, z = a.copy(), np.eye(n)
    for _ in range(100):
        det = abs(np.linalg.det(y) * np.linalg.det(z))
        if det == 0 or not np.isfinite(det):
            return np.full_like(a, np.nan)
        g = det ** (-1.0 / (2 * n))
        y_next = 0.5 * (g * y + np.linalg.inv(g * z))
        z = 0.5 * (g * z + np.linalg.inv(g * y))
        done = np.linalg.norm(y_next - y) <= 1e-15 * np.linalg.norm(y_next)
        y = y_next
        if done:
            break
    return y


@register
class MatrixSquareRoot(Op):
    """The principal square root R (R @ R = A, eigenvalues with positive real parts) of each
    square matrix; NaN for a matrix with a negative real eigenvalue (no real root)."""

    def infer(self, op):
        x = op.inputs[0]
        return [(x.dtype, _square(op, x))]

    def kernel(self, x):
        n = x.shape[-1]
        flat = x.reshape((-1, n, n)).astype(np.float64)
        roots = np.stack([_sqrtm_one(m) for m in flat]) if flat.shape[0] else flat
        return roots.reshape(x.shape).astype(x.dtype)

    def grad(self, op, dr):
        from flowgraph.ops.linalg_more_grad import matrix_square_root_grad
        return [matrix_square_root_grad(op.outputs[0], dr)]


def lu(input: Any, output_idx_type: Any = dtypes.int32,  # noqa: A002 - TF1's name
       name: Optional[str] = None) -> tuple:
    """(lu, p): the LU decomposition with partial pivoting of each innermost square matrix
    (node "Lu"). `lu` packs L (unit lower triangular, diagonal not stored) and U as
    L + U - I; `p` [..., M] is the row permutation: input[..., p, :] = L @ U.

    >>> lu, p = fg.linalg.lu([[1., 2.], [3., 4.]])   # p = [1, 0]
    """
    x = convert_to_tensor(input)
    out, perm = apply_op(Lu(output_idx_type=dtypes.as_dtype(output_idx_type)), [x],
                         name=name)
    return out, perm


def matrix_square_root(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """The principal square root of each innermost square matrix (node "MatrixSquareRoot";
    tf.linalg.sqrtm, tf.matrix_square_root)."""
    return apply_op(MatrixSquareRoot(), [convert_to_tensor(input)], name=name)


sqrtm = matrix_square_root


def _lu_checks(lower_upper: Tensor, perm: Tensor) -> None:
    """TF's lu_reconstruct_assertions, done at graph build (static shapes)."""
    if not lower_upper.dtype.is_floating:
        raise TypeError(f"`lower_upper` must be a floating tensor, got {lower_upper.dtype.name}")
    if not perm.dtype.is_integer:
        raise TypeError(f"`perm` must be an int32 or int64 tensor (the p of tf.linalg.lu), "
                        f"got {perm.dtype.name}")
    rank = lower_upper.shape.ndims
    if rank is not None and rank < 2:
        raise ValueError("Input `lower_upper` must have at least 2 dimensions.")
    if rank is not None and perm.shape.ndims is not None and rank != perm.shape.ndims + 1:
        raise ValueError("`rank(lower_upper)` must equal `rank(perm) + 1`; got shapes "
                         f"{lower_upper.shape} and {perm.shape}")
    if rank is not None and not lower_upper.shape[-2].is_compatible_with(
            lower_upper.shape[-1]):
        raise ValueError(f"`lower_upper` must be square, got shape {lower_upper.shape}")


def _lu_inputs(lower_upper: Any, perm: Any) -> tuple:
    lower_upper = convert_to_tensor(lower_upper, dtype_hint=dtypes.float32)
    perm = convert_to_tensor(perm, dtype_hint=dtypes.int32)
    _lu_checks(lower_upper, perm)
    return lower_upper, perm


def _unit_lower(lower_upper: Tensor) -> Tensor:
    from flowgraph.ops.band_part import matrix_band_part
    from flowgraph.ops.diag import matrix_diag_part, matrix_set_diag
    from flowgraph.ops.fill import ones_like
    return matrix_set_diag(matrix_band_part(lower_upper, -1, 0),
                           ones_like(matrix_diag_part(lower_upper)))


def _permutation(perm: Tensor, like: Tensor) -> Tensor:
    """P with P[..., i, perm[i]] = 1, so that P @ X = X[..., perm, :]."""
    from flowgraph.ops.masking import one_hot
    from flowgraph.ops.shape_ops import shape
    return one_hot(perm, shape(like)[-1], dtype=like.dtype)


def lu_solve(lower_upper: Any, perm: Any, rhs: Any, validate_args: bool = False,
             name: Optional[str] = None) -> Tensor:
    """X with A @ X = rhs, given (lower_upper, perm) = tf.linalg.lu(A); rhs is [..., M, K]
    (batch shapes broadcast). The matrix is not checked for invertibility."""
    from flowgraph.ops.linalg import matmul
    from flowgraph.ops.linalg_solve import matrix_triangular_solve
    with op_scope(name, "lu_solve", [lower_upper, perm, rhs]):
        lower_upper, perm = _lu_inputs(lower_upper, perm)
        rhs = convert_to_tensor(rhs, dtype_hint=lower_upper.dtype)
        if rhs.shape.ndims is not None and rhs.shape.ndims < 2:
            raise ValueError("Input `rhs` must have at least 2 dimensions (use "
                             f"rhs[..., tf.newaxis] for vectors), got shape {rhs.shape}")
        if lower_upper.shape.ndims is not None and rhs.shape.ndims is not None and \
                not lower_upper.shape[-1].is_compatible_with(rhs.shape[-2]):
            raise ValueError("`lower_upper.shape[-1]` must equal `rhs.shape[-2]`; got "
                             f"{lower_upper.shape} and {rhs.shape}")
        permuted = matmul(_permutation(perm, lower_upper), rhs)
        y = matrix_triangular_solve(_unit_lower(lower_upper), permuted, lower=True)
        return matrix_triangular_solve(lower_upper, y, lower=False)


def lu_matrix_inverse(lower_upper: Any, perm: Any, validate_args: bool = False,
                      name: Optional[str] = None) -> Tensor:
    """The inverse of A, given (lower_upper, perm) = tf.linalg.lu(A)."""
    from flowgraph.ops.linalg import eye
    from flowgraph.ops.shape_ops import shape
    with op_scope(name, "lu_matrix_inverse", [lower_upper, perm]):
        lower_upper, perm = _lu_inputs(lower_upper, perm)
        # One identity, broadcast over the batch by lu_solve's permutation matmul.
        identity = eye(shape(lower_upper)[-1], dtype=lower_upper.dtype)
        return lu_solve(lower_upper, perm, identity)


def lu_reconstruct(lower_upper: Any, perm: Any, validate_args: bool = False,
                   name: Optional[str] = None) -> Tensor:
    """A, given (lower_upper, perm) = tf.linalg.lu(A): P^T @ L @ U."""
    from flowgraph.ops.band_part import matrix_band_part
    from flowgraph.ops.linalg import matmul
    with op_scope(name, "lu_reconstruct", [lower_upper, perm]):
        lower_upper, perm = _lu_inputs(lower_upper, perm)
        x = matmul(_unit_lower(lower_upper), matrix_band_part(lower_upper, 0, -1))
        out = matmul(_permutation(perm, lower_upper), x, transpose_a=True)
        out.set_shape(lower_upper.shape)
        return out
