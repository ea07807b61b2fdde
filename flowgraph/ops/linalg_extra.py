"""Linear-algebra helpers built from other ops: adjoint, matvec, cross, cholesky_solve,
logdet, matrix_solve_ls (tf.linalg.lstsq) and pinv."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["cholesky_solve", "cross", "matrix_solve_ls"]


def adjoint(matrix: Any, name: Optional[str] = None) -> Tensor:
    """The (conjugate) transpose of each innermost matrix."""
    from flowgraph.ops.linalg import matrix_transpose
    with op_scope(name, "adjoint", [matrix]):
        transposed = matrix_transpose(convert_to_tensor(matrix))
        if transposed.dtype.is_complex:
            from flowgraph.ops.complex_ops import conj
            return conj(transposed)
        return transposed


def matvec(a: Any, b: Any, transpose_a: bool = False, adjoint_a: bool = False,
           a_is_sparse: bool = False, b_is_sparse: bool = False,
           name: Optional[str] = None) -> Tensor:
    """a @ b for matrices a [..., M, N] and vectors b [..., N]: [..., M]."""
    from flowgraph.ops.linalg import matmul
    from flowgraph.ops.shape_ops import expand_dims, squeeze
    with op_scope(name, "MatVec", [a, b]):
        a = convert_to_tensor(a)
        product = matmul(a, expand_dims(convert_to_tensor(b, dtype=a.dtype), -1),
                         transpose_a=transpose_a, adjoint_a=adjoint_a)
        return squeeze(product, axis=[-1])


def cross(a: Any, b: Any, name: Optional[str] = None) -> Tensor:
    """The cross product of 3-vectors along the last dimension."""
    from flowgraph.ops.array import stack, unstack
    from flowgraph.ops.math import multiply, subtract
    with op_scope(name, "Cross", [a, b]):
        a = convert_to_tensor(a)
        b = convert_to_tensor(b, dtype=a.dtype)
        for t in (a, b):
            if t.shape.ndims is not None and t.shape[-1].value not in (None, 3):
                raise ValueError(f"cross takes vectors of 3 components in the last "
                                 f"dimension, got shape {t.shape}")
        a1, a2, a3 = unstack(a, num=3, axis=-1)
        b1, b2, b3 = unstack(b, num=3, axis=-1)
        return stack([subtract(multiply(a2, b3), multiply(a3, b2)),
                      subtract(multiply(a3, b1), multiply(a1, b3)),
                      subtract(multiply(a1, b2), multiply(a2, b1))], axis=-1)


def cholesky_solve(chol: Any, rhs: Any, name: Optional[str] = None) -> Tensor:
    """X with A X = rhs, given A's lower Cholesky factor `chol` (two triangular solves)."""
    from flowgraph.ops.linalg_solve import matrix_triangular_solve
    with op_scope(name, "cholesky_solve", [chol, rhs]):
        y = matrix_triangular_solve(chol, rhs, adjoint=False, lower=True)
        return matrix_triangular_solve(chol, y, adjoint=True, lower=True)


def logdet(matrix: Any, name: Optional[str] = None) -> Tensor:
    """log(det(A)) of each symmetric positive definite matrix, from its Cholesky factor."""
    from flowgraph.ops.diag import matrix_diag_part
    from flowgraph.ops.linalg_solve import cholesky
    from flowgraph.ops.math import multiply
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.unary import log
    with op_scope(name, "logdet", [matrix]):
        chol = cholesky(convert_to_tensor(matrix))
        return multiply(2.0, reduce_sum(log(matrix_diag_part(chol)), axis=[-1]))


def matrix_solve_ls(matrix: Any, rhs: Any, l2_regularizer: Any = 0.0, fast: bool = True,
                    name: Optional[str] = None) -> Tensor:
    """The least-squares solution X of matrix @ X = rhs (with an optional L2 penalty), by
    the normal equations as TF1's fast path; needs the matrix shape known when built."""
    from flowgraph.ops.linalg import eye, matmul
    from flowgraph.ops.linalg_solve import matrix_solve
    from flowgraph.ops.math import add, multiply
    with op_scope(name, "matrix_solve_ls", [matrix, rhs, l2_regularizer]):
        a = convert_to_tensor(matrix)
        b = convert_to_tensor(rhs, dtype=a.dtype)
        m, n = a.shape[-2].value if a.shape.ndims else None, \
            a.shape[-1].value if a.shape.ndims else None
        if m is None or n is None:
            raise ValueError("matrix_solve_ls needs the matrix's last two dimensions known "
                             f"when the graph is built, got shape {a.shape}")
        lam = convert_to_tensor(l2_regularizer, dtype=a.dtype)
        if m >= n:
            gram = add(matmul(a, a, transpose_a=True), multiply(lam, eye(n, dtype=a.dtype)))
            return matrix_solve(gram, matmul(a, b, transpose_a=True))
        gram = add(matmul(a, a, transpose_b=True), multiply(lam, eye(m, dtype=a.dtype)))
        return matmul(a, matrix_solve(gram, b), transpose_a=True)


lstsq = matrix_solve_ls


def pinv(a: Any, rcond: Any = None, validate_args: bool = False,
         name: Optional[str] = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each innermost matrix (singular values below
    rcond * the largest are treated as zero; rcond defaults to 10 * max(M, N) * eps)."""
    from flowgraph.ops.compare import greater
    from flowgraph.ops.division import div_no_nan
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.linalg import matmul
    from flowgraph.ops.linalg_decomp import svd
    from flowgraph.ops.logic import where
    from flowgraph.ops.math import multiply
    from flowgraph.ops.reduce import reduce_max
    from flowgraph.ops.shape_ops import expand_dims
    with op_scope(name, "pinv", [a]):
        a = convert_to_tensor(a)
        if rcond is None:
            dims = [d for d in a.shape.as_list()[-2:]] if a.shape.ndims else [None]
            size = max(d for d in dims if d is not None) if any(dims) else 1
            rcond = 10.0 * size * float(np.finfo(a.dtype.np).eps)
        s, u, v = svd(a, full_matrices=False, compute_uv=True)
        cutoff = multiply(convert_to_tensor(rcond, dtype=a.dtype),
                          reduce_max(s, axis=-1, keepdims=True))
        s_inv = where(greater(s, cutoff), div_no_nan(1.0, s), zeros_like(s))
        return matmul(multiply(v, expand_dims(s_inv, -2)), u, transpose_b=True)
