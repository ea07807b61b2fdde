"""Batched linear algebra on the innermost square matrices: inverse, determinant,
log-determinant, Cholesky, solves (general and triangular), as TF1's MatrixInverse,
MatrixDeterminant, LogMatrixDeterminant, Cholesky, MatrixSolve, MatrixTriangularSolve.
Gradients follow TF1's linalg_grad.py."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["matrix_inverse", "matrix_determinant", "cholesky", "matrix_solve",
           "matrix_triangular_solve"]


def _square(op: Any, x: Tensor) -> TensorShape:
    if not x.dtype.is_floating:
        raise TypeError(f"{op.type} takes floating matrices, got {x.dtype.name}")
    shape = x.shape
    if shape.ndims is not None:
        if shape.ndims < 2:
            raise ValueError(f"{op.type} needs a tensor of rank >= 2, got shape {shape}")
        m, n = shape[-2].value, shape[-1].value
        if m is not None and n is not None and m != n:
            raise ValueError(f"{op.type} needs square matrices, got shape {shape}")
    return shape


def _adjoint(x: Any) -> Tensor:
    from flowgraph.ops.linalg import matrix_transpose
    return matrix_transpose(x)


def _mm(a: Any, b: Any, adjoint_a: bool = False, adjoint_b: bool = False) -> Tensor:
    from flowgraph.ops.linalg import matmul
    return matmul(a, b, transpose_a=adjoint_a, transpose_b=adjoint_b)


def _linalg_error(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


@register
class MatrixInverse(Op):
    """The inverse (or, with adjoint, the inverse of the adjoint) of each matrix;
    InvalidArgumentError for a singular one."""

    adjoint: bool = False

    def infer(self, op):
        x = op.inputs[0]
        return [(x.dtype, _square(op, x))]

    def kernel(self, x):
        try:
            inv = np.linalg.inv(np.swapaxes(x, -1, -2) if self.adjoint else x)
        except np.linalg.LinAlgError:
            raise _linalg_error("Input is not invertible.") from None
        return inv.astype(x.dtype, copy=False)

    def grad(self, op, dy):
        # TF1's _MatrixInverseGrad.
        from flowgraph.ops.unary import negative
        ainv = op.outputs[0]
        adj = self.adjoint
        return [negative(_mm(ainv, _mm(dy, ainv, adjoint_a=adj, adjoint_b=not adj),
                             adjoint_a=not adj))]


@register
class MatrixDeterminant(Op):
    """The determinant of each matrix: [..., M, M] -> [...]."""

    def infer(self, op):
        x = op.inputs[0]
        shape = _square(op, x)
        return [(x.dtype, shape[:-2] if shape.ndims is not None else TensorShape(None))]

    def kernel(self, x):
        return np.asarray(np.linalg.det(x), dtype=x.dtype)

    def grad(self, op, dy):
        from flowgraph.ops.math import multiply
        from flowgraph.ops.shape_ops import expand_dims
        a = op.inputs[0]
        c = op.outputs[0]
        inv_t = matrix_inverse(a, adjoint=True)
        scale = expand_dims(expand_dims(multiply(dy, c), -1), -1)
        return [multiply(scale, inv_t)]


@register
class LogMatrixDeterminant(Op):
    """(sign, log|det|) of each matrix."""

    differentiable = True

    def infer(self, op):
        x = op.inputs[0]
        shape = _square(op, x)
        out = shape[:-2] if shape.ndims is not None else TensorShape(None)
        return [(x.dtype, out), (x.dtype, out)]

    def kernel(self, x):
        sign, logdet = np.linalg.slogdet(x)
        return np.asarray(sign, dtype=x.dtype), np.asarray(logdet, dtype=x.dtype)

    def grad(self, op, dsign, dlogdet):
        from flowgraph.ops.math import multiply
        from flowgraph.ops.shape_ops import expand_dims
        inv_t = matrix_inverse(op.inputs[0], adjoint=True)
        return [multiply(expand_dims(expand_dims(dlogdet, -1), -1), inv_t)]


@register
class Cholesky(Op):
    """The lower-triangular Cholesky factor L (A = L L^T) of each symmetric positive
    definite matrix (only its lower triangle is read)."""

    def infer(self, op):
        x = op.inputs[0]
        return [(x.dtype, _square(op, x))]

    def kernel(self, x):
        try:
            return np.linalg.cholesky(x).astype(x.dtype, copy=False)
        except np.linalg.LinAlgError:
            raise _linalg_error("Cholesky decomposition was not successful. The input might "
                                "not be valid.") from None

    def grad(self, op, dl):
        # TF1's _CholeskyGrad (Murray 2016, "Differentiation of the Cholesky decomposition").
        from flowgraph.ops.band_part import matrix_band_part
        from flowgraph.ops.linalg import eye
        from flowgraph.ops.math import add, multiply
        from flowgraph.ops.shape_ops import shape
        l_ = op.outputs[0]
        n = shape(l_)[-1]
        l_inverse = matrix_triangular_solve(l_, eye(n, batch_shape=shape(l_)[:-2],
                                                     dtype=l_.dtype))
        middle = _mm(l_, dl, adjoint_a=True)
        from flowgraph.ops.diag import matrix_diag_part, matrix_set_diag
        middle = matrix_set_diag(middle, multiply(0.5, matrix_diag_part(middle)))
        middle = matrix_band_part(middle, -1, 0)
        grad_a = _mm(_mm(l_inverse, middle, adjoint_a=True), l_inverse)
        grad_a = add(grad_a, _adjoint(grad_a))
        return [multiply(0.5, grad_a)]


@register
class MatrixSolve(Op):
    """X with A X = B (or A^T X = B with adjoint) for each matrix A and right-hand sides B."""

    adjoint: bool = False

    def infer(self, op):
        a, b = op.inputs
        _square(op, a)
        if a.dtype != b.dtype:
            raise TypeError(f"{op.type}: matrix {a.dtype.name} and rhs {b.dtype.name} must "
                            "have one dtype")
        if a.shape.ndims is not None and b.shape.ndims is not None:
            if not a.shape[-1:].is_compatible_with(b.shape[-2:-1]):
                raise ValueError(f"{op.type}: matrix {a.shape} and rhs {b.shape} are "
                                 "incompatible")
        return [(b.dtype, b.shape)]

    def kernel(self, a, b):
        try:
            x = np.linalg.solve(np.swapaxes(a, -1, -2) if self.adjoint else a, b)
        except np.linalg.LinAlgError:
            raise _linalg_error("Input matrix is not invertible.") from None
        return x.astype(b.dtype, copy=False)

    def grad(self, op, dx):
        from flowgraph.ops.unary import negative
        a = op.inputs[0]
        x = op.outputs[0]
        grad_b = matrix_solve(a, dx, adjoint=not self.adjoint)
        if self.adjoint:
            grad_a = negative(_mm(x, grad_b, adjoint_b=True))
        else:
            grad_a = negative(_mm(grad_b, x, adjoint_b=True))
        return [grad_a, grad_b]


@register
class MatrixTriangularSolve(Op):
    """X with A X = B for triangular A (its lower triangle with lower=True, else its upper;
    the other triangle is ignored), or A^T X = B with adjoint."""

    lower: bool = True
    adjoint: bool = False

    def infer(self, op):
        return MatrixSolve.infer(self, op)

    def _triangle(self, a: np.ndarray) -> np.ndarray:
        t = np.tril(a) if self.lower else np.triu(a)
        return np.swapaxes(t, -1, -2) if self.adjoint else t

    def kernel(self, a, b):
        t = self._triangle(a)
        diagonal = np.diagonal(t, axis1=-2, axis2=-1)
        if np.any(diagonal == 0):
            raise _linalg_error("Input matrix is not invertible.") from None
        return np.linalg.solve(t, b).astype(b.dtype, copy=False)

    def grad(self, op, dx):
        from flowgraph.ops.band_part import matrix_band_part
        from flowgraph.ops.unary import negative
        a = op.inputs[0]
        x = op.outputs[0]
        grad_b = matrix_triangular_solve(a, dx, lower=self.lower, adjoint=not self.adjoint)
        if self.adjoint:
            grad_a = negative(_mm(x, grad_b, adjoint_b=True))
        else:
            grad_a = negative(_mm(grad_b, x, adjoint_b=True))
        band = (-1, 0) if self.lower else (0, -1)
        return [matrix_band_part(grad_a, *band), grad_b]


def matrix_inverse(input: Any, adjoint: bool = False,  # noqa: A002
                   name: Optional[str] = None) -> Tensor:
    """The inverse of each innermost square matrix (node "MatrixInverse")."""
    return apply_op(MatrixInverse(adjoint=bool(adjoint)), [convert_to_tensor(input)],
                    name=name)


def matrix_determinant(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """The determinant of each innermost square matrix (node "MatrixDeterminant")."""
    return apply_op(MatrixDeterminant(), [convert_to_tensor(input)], name=name)


def log_matrix_determinant(input: Any, name: Optional[str] = None) -> tuple:  # noqa: A002
    """(sign, log|det|) of each innermost square matrix (TF1's tf.linalg.slogdet)."""
    sign, logdet = apply_op(LogMatrixDeterminant(), [convert_to_tensor(input)], name=name)
    return sign, logdet


def cholesky(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """The lower Cholesky factor of each symmetric positive definite matrix."""
    return apply_op(Cholesky(), [convert_to_tensor(input)], name=name)


def matrix_solve(matrix: Any, rhs: Any, adjoint: bool = False,
                 name: Optional[str] = None) -> Tensor:
    """X with matrix @ X = rhs (node "MatrixSolve")."""
    a = convert_to_tensor(matrix)
    return apply_op(MatrixSolve(adjoint=bool(adjoint)),
                    [a, convert_to_tensor(rhs, dtype=a.dtype)], name=name)


def matrix_triangular_solve(matrix: Any, rhs: Any, lower: bool = True, adjoint: bool = False,
                            name: Optional[str] = None) -> Tensor:
    """X with matrix @ X = rhs for a lower (or upper) triangular matrix."""
    a = convert_to_tensor(matrix)
    return apply_op(MatrixTriangularSolve(lower=bool(lower), adjoint=bool(adjoint)),
                    [a, convert_to_tensor(rhs, dtype=a.dtype)], name=name)
