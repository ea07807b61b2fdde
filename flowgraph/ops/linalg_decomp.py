"""Matrix decompositions of the innermost matrices: qr (TF1's Qr), svd (Svd) and the
eigen-decomposition of self-adjoint matrices (SelfAdjointEigV2). Qr and SelfAdjointEigV2
differentiate as TF1's linalg_grad.py; Svd has no gradient here."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["qr", "svd", "self_adjoint_eig", "self_adjoint_eigvals"]


def _matrices(op: Any, x: Tensor) -> TensorShape:
    if not x.dtype.is_floating:
        raise TypeError(f"{op.type} takes floating matrices, got {x.dtype.name}")
    if x.shape.ndims is not None and x.shape.ndims < 2:
        raise ValueError(f"{op.type} needs a tensor of rank >= 2, got shape {x.shape}")
    return x.shape


def _dims(shape: TensorShape) -> tuple:
    if shape.ndims is None:
        return None, None, None
    return shape[:-2], shape[-2].value, shape[-1].value


def _min(a: Optional[int], b: Optional[int]) -> Optional[int]:
    return None if a is None or b is None else min(a, b)


@register
class Qr(Op):
    """(q, r) with a = q @ r, q orthonormal columns and r upper triangular (reduced: q is
    [M, K], r [K, N], K = min(M, N); full_matrices: q [M, M], r [M, N])."""

    full_matrices: bool = False

    def infer(self, op):
        x = op.inputs[0]
        batch, m, n = _dims(_matrices(op, x))
        if batch is None:
            return [(x.dtype, TensorShape(None))] * 2
        k = m if self.full_matrices else _min(m, n)
        return [(x.dtype, batch.concatenate([m, k])), (x.dtype, batch.concatenate([k, n]))]

    def kernel(self, x):
        q, r = np.linalg.qr(x, mode="complete" if self.full_matrices else "reduced")
        return q.astype(x.dtype, copy=False), r.astype(x.dtype, copy=False)

    def grad(self, op, dq, dr):
        # TF1's _QrGrad, for reduced factors of matrices with M >= N.
        from flowgraph.ops.band_part import matrix_band_part
        from flowgraph.ops.linalg import matmul, matrix_transpose
        from flowgraph.ops.linalg_solve import matrix_triangular_solve
        from flowgraph.ops.math import add, subtract
        a = op.inputs[0]
        _, m, n = _dims(a.shape)
        if self.full_matrices or m is None or n is None or m < n:
            raise NotImplementedError("The gradient of qr is defined for reduced factors of "
                                      "matrices with at least as many rows as columns "
                                      f"(full_matrices=False, M >= N); got {a.shape}")
        q, r = op.outputs
        qdq = matmul(q, dq, transpose_a=True)
        qdq_ = subtract(qdq, matrix_transpose(qdq))
        rdr = matmul(r, dr, transpose_b=True)
        rdr_ = subtract(rdr, matrix_transpose(rdr))
        tril = matrix_band_part(add(qdq_, rdr_), -1, 0)

        def solve(x, rr):
            return matrix_transpose(matrix_triangular_solve(rr, matrix_transpose(x),
                                                            lower=False, adjoint=False))

        grad_a = matmul(q, add(dr, solve(tril, r)))
        grad_b = solve(subtract(dq, matmul(q, qdq)), r)
        return [add(grad_a, grad_b)]


@register
class Svd(Op):
    """(s, u, v) with a = u @ diag(s) @ v^T, s descending (TF1's output order)."""

    compute_uv: bool = True
    full_matrices: bool = False
    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        batch, m, n = _dims(_matrices(op, x))
        if batch is None:
            unknown = [(x.dtype, TensorShape(None))]
            return unknown * (3 if self.compute_uv else 1)
        k = _min(m, n)
        s = (x.dtype, batch.concatenate([k]))
        if not self.compute_uv:
            return [s]
        cols_u, cols_v = (m, n) if self.full_matrices else (k, k)
        return [s, (x.dtype, batch.concatenate([m, cols_u])),
                (x.dtype, batch.concatenate([n, cols_v]))]

    def kernel(self, x):
        if not self.compute_uv:
            return np.linalg.svd(x, compute_uv=False).astype(x.dtype, copy=False)
        u, s, vh = np.linalg.svd(x, full_matrices=self.full_matrices)
        return (s.astype(x.dtype, copy=False), u.astype(x.dtype, copy=False),
                np.swapaxes(vh, -1, -2).astype(x.dtype, copy=False))


@register
class SelfAdjointEigV2(Op):
    """(e, v): the ascending eigenvalues and eigenvectors (columns of v) of each symmetric
    matrix (only its lower triangle is read)."""

    compute_v: bool = True

    def infer(self, op):
        x = op.inputs[0]
        batch, m, _ = _dims(_matrices(op, x))
        if batch is None:
            return [(x.dtype, TensorShape(None))] * (2 if self.compute_v else 1)
        e = (x.dtype, batch.concatenate([m]))
        return [e, (x.dtype, batch.concatenate([m, m]))] if self.compute_v else [e]

    def kernel(self, x):
        if not self.compute_v:
            return (np.linalg.eigvalsh(x, UPLO="L").astype(x.dtype, copy=False),)
        e, v = np.linalg.eigh(x, UPLO="L")
        return e.astype(x.dtype, copy=False), v.astype(x.dtype, copy=False)

    def grad(self, op, de, dv=None):
        # TF1's _SelfAdjointEigV2Grad: the gradient of a symmetric input, folded onto the
        # lower triangle the kernel reads.
        from flowgraph.ops.band_part import matrix_band_part
        from flowgraph.ops.diag import matrix_diag, matrix_diag_part, matrix_set_diag
        from flowgraph.ops.division import div_no_nan
        from flowgraph.ops.fill import ones_like, zeros_like
        from flowgraph.ops.linalg import matmul, matrix_transpose
        from flowgraph.ops.math import add, multiply, subtract
        from flowgraph.ops.shape_ops import expand_dims
        e = op.outputs[0]
        middle = matrix_diag(de)
        if self.compute_v and dv is not None:
            v = op.outputs[1]
            diff = subtract(expand_dims(e, -2), expand_dims(e, -1))
            f = matrix_set_diag(div_no_nan(ones_like(diff), diff), zeros_like(e))
            middle = add(middle, multiply(f, matmul(v, dv, transpose_a=True)))
            grad_a = matmul(v, matmul(middle, v, transpose_b=True))
        else:
            v = op.outputs[1] if self.compute_v else None
            if v is None:
                raise NotImplementedError("The gradient of self_adjoint_eigvals needs the "
                                          "eigenvectors: use self_adjoint_eig")
            grad_a = matmul(v, matmul(middle, v, transpose_b=True))
        grad_a = matrix_band_part(add(grad_a, matrix_transpose(grad_a)), -1, 0)
        grad_a = matrix_set_diag(grad_a, multiply(0.5, matrix_diag_part(grad_a)))
        return [grad_a]


def qr(input: Any, full_matrices: bool = False, name: Optional[str] = None) -> tuple:  # noqa: A002
    """(q, r): the QR factorization of each innermost matrix (node "Qr")."""
    q, r = apply_op(Qr(full_matrices=bool(full_matrices)), [convert_to_tensor(input)],
                    name=name)
    return q, r


def svd(tensor: Any, full_matrices: bool = False, compute_uv: bool = True,
        name: Optional[str] = None) -> Any:
    """(s, u, v) of each innermost matrix, or s alone with compute_uv=False (node "Svd")."""
    outputs = apply_op(Svd(compute_uv=bool(compute_uv), full_matrices=bool(full_matrices)),
                       [convert_to_tensor(tensor)], name=name)
    if not compute_uv:
        return outputs[0] if isinstance(outputs, (list, tuple)) else outputs
    s, u, v = outputs
    return s, u, v


def self_adjoint_eig(tensor: Any, name: Optional[str] = None) -> tuple:
    """(e, v): eigenvalues (ascending) and eigenvectors of each symmetric matrix."""
    e, v = apply_op(SelfAdjointEigV2(compute_v=True), [convert_to_tensor(tensor)], name=name)
    return e, v


def self_adjoint_eigvals(tensor: Any, name: Optional[str] = None) -> Tensor:
    """The eigenvalues (ascending) of each symmetric matrix."""
    e, _ = self_adjoint_eig(tensor, name=name)
    return e
