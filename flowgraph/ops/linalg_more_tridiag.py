"""Tridiagonal systems, as TF 1.15: TridiagonalSolve (Gaussian elimination with partial
pivoting as LAPACK's gtsv, or the Thomas algorithm) and TridiagonalMatMul, with their
gradients as TF's linalg_grad.py, and the public tridiagonal_solve / tridiagonal_matmul
that accept the 'compact', 'sequence' and 'matrix' formats."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []

_NOT_INVERTIBLE = "The matrix is not invertible."
_THOMAS_FAILED = ("The matrix is either not invertible, or requires pivoting. Try setting "
                  "partial_pivoting = True.")


def _fail(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _floating(op: Any, *tensors: Tensor) -> None:
    for t in tensors:
        if not t.dtype.is_floating:
            raise TypeError(f"{op.type} takes float32 or float64 tensors, got {t.dtype.name}")
        if t.dtype != tensors[0].dtype:
            raise TypeError(f"{op.type}: all inputs must have one dtype, got "
                            f"{[x.dtype.name for x in tensors]}")


def _solve_pivoting(sup, diag, sub, rhs):
    """LAPACK gtsv-style elimination with row interchanges, vectorized over the batch:
    sup/diag/sub [B, n], rhs [B, n, K]."""
    n = diag.shape[-1]
    u0, u1, u2 = diag.copy(), np.zeros_like(diag), np.zeros_like(diag)
    u1[:, 0] = sup[:, 0]
    x = rhs.copy()
    for i in range(n - 1):
        keep = np.abs(u0[:, i]) >= np.abs(sub[:, i + 1])
        if np.any(keep & (u0[:, i] == 0)):
            raise _fail(_NOT_INVERTIBLE)
        with np.errstate(divide="ignore", invalid="ignore"):
            f_keep = sub[:, i + 1] / u0[:, i]
            f_swap = u0[:, i] / sub[:, i + 1]
        # No interchange.
        a0 = diag[:, i + 1] - f_keep * u1[:, i]
        ax = rhs[:, i + 1] - f_keep[:, None] * x[:, i]
        # Interchange rows i and i + 1.
        b0 = u1[:, i] - f_swap * diag[:, i + 1]
        bx = x[:, i] - f_swap[:, None] * rhs[:, i + 1]
        new_x_i = np.where(keep[:, None], x[:, i], rhs[:, i + 1])
        u0[:, i] = np.where(keep, u0[:, i], sub[:, i + 1])
        u0[:, i + 1] = np.where(keep, a0, b0)
        u1[:, i] = np.where(keep, u1[:, i], diag[:, i + 1])
        if i != n - 2:
            u1[:, i + 1] = np.where(keep, sup[:, i + 1], -f_swap * sup[:, i + 1])
            u2[:, i] = np.where(keep, 0, sup[:, i + 1])
        x[:, i + 1] = np.where(keep[:, None], ax, bx)
        x[:, i] = new_x_i
    if np.any(u0[:, n - 1] == 0):
        raise _fail(_NOT_INVERTIBLE)
    x[:, n - 1] /= u0[:, n - 1, None]
    x[:, n - 2] = (x[:, n - 2] - u1[:, n - 2, None] * x[:, n - 1]) / u0[:, n - 2, None]
    for i in range(n - 3, -1, -1):
        x[:, i] = (x[:, i] - u1[:, i, None] * x[:, i + 1]
                   - u2[:, i, None] * x[:, i + 2]) / u0[:, i, None]
    return x


def _solve_thomas(sup, diag, sub, rhs):
    """The Thomas algorithm (no pivoting), vectorized over the batch."""
    n = diag.shape[-1]
    u = np.zeros_like(diag)
    x = np.empty_like(rhs)
    if np.any(diag[:, 0] == 0):
        raise _fail(_THOMAS_FAILED)
    u[:, 0] = sup[:, 0] / diag[:, 0]
    x[:, 0] = rhs[:, 0] / diag[:, 0, None]
    for i in range(1, n):
        denom = diag[:, i] - sub[:, i] * u[:, i - 1]
        if np.any(denom == 0):
            raise _fail(_THOMAS_FAILED)
        u[:, i] = sup[:, i] / denom
        x[:, i] = (rhs[:, i] - sub[:, i, None] * x[:, i - 1]) / denom[:, None]
    for i in range(n - 2, -1, -1):
        x[:, i] -= u[:, i, None] * x[:, i + 1]
    return x


@register
class TridiagonalSolve(Op):
    """X [..., M, K] with T X = rhs, T the tridiagonal matrix given by `diagonals`
    [..., 3, M] (superdiagonal, diagonal, subdiagonal; diagonals[..., 0, M-1] and
    diagonals[..., 2, 0] are ignored). InvalidArgumentError on a zero pivot."""

    partial_pivoting: bool = True

    def infer(self, op):
        diags, rhs = op.inputs
        _floating(op, diags, rhs)
        ds, rs = diags.shape, rhs.shape
        for what, s in (("diagonals", ds), ("rhs", rs)):
            if s.ndims is not None and s.ndims < 2:
                raise ValueError(f"{op.type}: {what} must have rank >= 2, got shape {s}")
        if ds.ndims is not None and ds[-2].value not in (None, 3):
            raise ValueError(f"{op.type}: expected 3 diagonals (shape [..., 3, M]), got "
                             f"shape {ds}")
        if ds.ndims is None or rs.ndims is None:
            return [(rhs.dtype, rs)]
        if ds.ndims != rs.ndims or not ds[:-2].is_compatible_with(rs[:-2]):
            raise ValueError(f"{op.type}: diagonals {ds} and rhs {rs} must have the same "
                             "batch dimensions")
        if not ds[-1].is_compatible_with(rs[-2]):
            raise ValueError(f"{op.type}: expected the same number of left-hand sides and "
                             f"right-hand sides, got {ds[-1].value} and {rs[-2].value}")
        return [(rhs.dtype, ds[:-2].merge_with(rs[:-2]).concatenate(rs[-2:]))]

    def kernel(self, diags, rhs):
        if diags.shape[:-2] != rhs.shape[:-2] or diags.shape[-1] != rhs.shape[-2]:
            raise _fail(f"TridiagonalSolve: diagonals {diags.shape} and rhs {rhs.shape} do "
                        "not match (want [..., 3, M] and [..., M, K])")
        n, k = rhs.shape[-2], rhs.shape[-1]
        if n == 0 or rhs.size == 0:
            return np.zeros(rhs.shape, rhs.dtype)
        d = diags.reshape((-1, 3, n))
        b = rhs.reshape((-1, n, k))
        if n == 1:
            if np.any(d[:, 1, 0] == 0):
                raise _fail("The matrix is not invertible: it is a scalar with value zero.")
            return (b / d[:, 1, :, None]).reshape(rhs.shape).astype(rhs.dtype, copy=False)
        solve = _solve_pivoting if self.partial_pivoting else _solve_thomas
        x = solve(d[:, 0], d[:, 1], d[:, 2], b)
        return x.reshape(rhs.shape).astype(rhs.dtype, copy=False)

    def grad(self, op, dx):
        # TF's _TridiagonalSolveGrad.
        from flowgraph.ops.unary import negative
        diags = op.inputs[0]
        x = op.outputs[0]
        grad_rhs = apply_op(TridiagonalSolve(partial_pivoting=self.partial_pivoting),
                            [_transpose_tridiagonal(diags), dx])
        return [negative(_three_diagonals_of_product(grad_rhs, x)), grad_rhs]


def _shift(x: Tensor, left: bool) -> Tensor:
    """Moves the next-to-last axis by one (left: x[i+1] -> i), filling in a zero."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.fill import zeros_like
    if left:
        return concat([x[..., 1:, :], zeros_like(x[..., :1, :])], -2)
    return concat([zeros_like(x[..., :1, :]), x[..., :-1, :]], -2)


def _transpose_tridiagonal(diags: Tensor) -> Tensor:
    """The compact diagonals of the transposed matrix."""
    from flowgraph.ops.array import concat, stack
    from flowgraph.ops.fill import zeros_like
    zero = zeros_like(diags[..., 1, :1])
    superdiag = concat([diags[..., 2, 1:], zero], -1)
    subdiag = concat([zero, diags[..., 0, :-1]], -1)
    return stack([superdiag, diags[..., 1, :], subdiag], axis=-2)


def _three_diagonals_of_product(x: Tensor, y_tr: Tensor) -> Tensor:
    """The compact diagonals of x @ y_tr^T, in O(M K) (TF's _MatmulExtractingThreeDiagonals)."""
    from flowgraph.ops.array import stack
    from flowgraph.ops.math import multiply
    from flowgraph.ops.reduce import reduce_sum
    diag = reduce_sum(multiply(x, y_tr), axis=-1)
    superdiag = reduce_sum(multiply(x, _shift(y_tr, left=True)), axis=-1)
    subdiag = reduce_sum(multiply(x, _shift(y_tr, left=False)), axis=-1)
    return stack([superdiag, diag, subdiag], axis=-2)


@register
class TridiagonalMatMul(Op):
    """T @ rhs for the tridiagonal T given by superdiag, maindiag, subdiag [..., 1, M]
    (superdiag[..., M-1] and subdiag[..., 0] are ignored) and rhs [..., M, N]."""

    def infer(self, op):
        sup, main, sub, rhs = op.inputs
        _floating(op, sup, main, sub, rhs)
        rs = rhs.shape
        if rs.ndims is not None and rs.ndims < 2:
            raise ValueError(f"{op.type}: rhs must have rank >= 2, got shape {rs}")
        for t in (sup, main, sub):
            s = t.shape
            if s.ndims is None or rs.ndims is None:
                continue
            if s.ndims != rs.ndims or s[-2].value not in (None, 1):
                raise ValueError(f"{op.type}: each diagonal must have shape [..., 1, M] with "
                                 f"rhs [..., M, N], got {s} and rhs {rs}")
            if not s[:-2].is_compatible_with(rs[:-2]) or not s[-1].is_compatible_with(rs[-2]):
                raise ValueError(f"{op.type}: diagonal {s} does not match rhs {rs} "
                                 "(want [..., 1, M] and [..., M, N])")
        return [(rhs.dtype, rs if rs.ndims is not None else TensorShape(None))]

    def kernel(self, sup, main, sub, rhs):
        for d in (sup, main, sub):
            if d.shape[:-2] != rhs.shape[:-2] or d.shape[-2:] != (1, rhs.shape[-2]):
                raise _fail(f"TridiagonalMatMul: diagonal {d.shape} does not match rhs "
                            f"{rhs.shape} (want [..., 1, M] and [..., M, N])")
        sup_c, main_c, sub_c = (np.swapaxes(d, -1, -2) for d in (sup, main, sub))
        out = main_c * rhs
        out[..., :-1, :] += sup_c[..., :-1, :] * rhs[..., 1:, :]
        out[..., 1:, :] += sub_c[..., 1:, :] * rhs[..., :-1, :]
        return out.astype(rhs.dtype, copy=False)

    def grad(self, op, dy):
        # TF's _TridiagonalMatMulGrad.
        from flowgraph.ops.linalg import matrix_transpose
        from flowgraph.ops.math import add, multiply
        from flowgraph.ops.reduce import reduce_sum
        from flowgraph.ops.shape_ops import expand_dims
        sup, main, sub, rhs = op.inputs
        sup_t, main_t, sub_t = (matrix_transpose(d) for d in (sup, main, sub))

        def per_diagonal(r: Tensor) -> Tensor:
            return expand_dims(reduce_sum(multiply(r, dy), axis=-1), -2)

        rhs_grad = add(add(_shift(multiply(sup_t, dy), left=False), multiply(main_t, dy)),
                       _shift(multiply(sub_t, dy), left=True))
        return [per_diagonal(_shift(rhs, left=True)), per_diagonal(rhs),
                per_diagonal(_shift(rhs, left=False)), rhs_grad]


def _check_format(diagonals_format: str) -> None:
    if diagonals_format not in ("compact", "sequence", "matrix"):
        raise ValueError(f"Unrecognized diagonals_format: {diagonals_format!r}; use "
                         "'compact', 'sequence' or 'matrix'")


def _from_matrix(matrix: Any) -> tuple:
    """(superdiag, maindiag, subdiag) [..., M] of square matrices [..., M, M], padded with
    zeros at the ends TF ignores."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.diag import matrix_diag_part
    from flowgraph.ops.fill import zeros_like
    m = convert_to_tensor(matrix)
    s = m.shape
    if s.ndims is not None and s.ndims < 2:
        raise ValueError(f"diagonals in 'matrix' format must have rank >= 2, got shape {s}")
    if s.ndims is not None and not s[-1].is_compatible_with(s[-2]):
        raise ValueError("Expected last two dimensions of diagonals to be same, got "
                         f"{s[-2].value} and {s[-1].value}")
    main = matrix_diag_part(m)
    zero = zeros_like(main[..., :1])
    sup = concat([matrix_diag_part(m[..., :-1, 1:]), zero], -1)
    sub = concat([zero, matrix_diag_part(m[..., 1:, :-1])], -1)
    return sup, main, sub


def _from_sequence(diagonals: Any) -> tuple:
    from flowgraph.ops.array import concat
    from flowgraph.ops.fill import zeros_like
    if not isinstance(diagonals, (tuple, list)) or len(diagonals) != 3:
        raise ValueError("Expected diagonals to be a sequence of length 3: (superdiag, "
                         "maindiag, subdiag)")
    sup, main, sub = (convert_to_tensor(d) for d in diagonals)
    m = main.shape[-1].value if main.shape.ndims else None
    padded = []
    for t, what, at_end in ((sup, "superdiagonal", True), (sub, "subdiagonal", False)):
        n = t.shape[-1].value if t.shape.ndims else None
        if n is not None and m is not None and n == m - 1:
            zero = zeros_like(main[..., :1])
            t = concat([t, zero] if at_end else [zero, t], -1)
        elif n is not None and m is not None and n != m:
            raise ValueError(f"Expected {what} to have length {m} or {m - 1}, got {n}.")
        padded.append(t)
    return padded[0], main, padded[1]


def tridiagonal_solve(diagonals: Any, rhs: Any, diagonals_format: str = "compact",
                      transpose_rhs: bool = False, conjugate_rhs: bool = False,
                      name: Optional[str] = None, partial_pivoting: bool = True) -> Tensor:
    """Solves tridiagonal systems T X = rhs (node "TridiagonalSolve").

    diagonals: 'compact' [..., 3, M] (superdiagonal, diagonal, subdiagonal); 'sequence'
    a list of three [..., M] (or [..., M-1] for the off-diagonals); 'matrix' [..., M, M].
    rhs: [..., M] or [..., M, K] ([..., K, M] with transpose_rhs). Returns rhs's shape.
    """
    from flowgraph.ops.array import stack
    from flowgraph.ops.linalg import matrix_transpose
    from flowgraph.ops.shape_ops import expand_dims, squeeze
    _check_format(diagonals_format)
    if diagonals_format == "compact":
        diags = convert_to_tensor(diagonals)
    else:
        parts = _from_sequence(diagonals) if diagonals_format == "sequence" else \
            _from_matrix(diagonals)
        diags = stack(list(parts), axis=-2)
    rhs = convert_to_tensor(rhs, dtype=diags.dtype)
    d_rank, r_rank = diags.shape.ndims, rhs.shape.ndims
    if d_rank is not None:
        if d_rank < 2:
            raise ValueError(f"Expected diagonals to have rank at least 2, got {d_rank}")
        if r_rank is not None and r_rank not in (d_rank, d_rank - 1):
            raise ValueError(f"Expected the rank of rhs to be {d_rank - 1} or {d_rank}, got "
                             f"{r_rank}")
        if diags.shape[-2].value not in (None, 3):
            raise ValueError(f"Expected 3 diagonals got {diags.shape[-2].value}")
    vector = d_rank is not None and r_rank is not None and r_rank == d_rank - 1
    if vector:
        rhs = expand_dims(rhs, -1)
    elif transpose_rhs:
        rhs = matrix_transpose(rhs)
    if d_rank is not None and rhs.shape.ndims is not None and \
            not diags.shape[-1].is_compatible_with(rhs.shape[-2]):
        raise ValueError("Expected number of left-hand sided and right-hand sides to be equal, "
                         f"got {diags.shape[-1].value} and {rhs.shape[-2].value}")
    op = TridiagonalSolve(partial_pivoting=bool(partial_pivoting))
    if vector:
        return squeeze(apply_op(op, [diags, rhs], name=name), axis=[-1])
    return apply_op(op, [diags, rhs], name=name)


def tridiagonal_matmul(diagonals: Any, rhs: Any, diagonals_format: str = "compact",
                       name: Optional[str] = None) -> Tensor:
    """T @ rhs for tridiagonal T (node "TridiagonalMatMul"); rhs is [..., M, N].

    diagonals: 'compact' [..., 3, M]; 'sequence' a list (superdiag, maindiag, subdiag) of
    [..., M]; 'matrix' [..., M, M] (entries off the three diagonals are ignored).
    """
    from flowgraph.ops.shape_ops import expand_dims
    _check_format(diagonals_format)
    if diagonals_format == "compact":
        d = convert_to_tensor(diagonals)
        if d.shape.ndims is not None and (d.shape.ndims < 2 or
                                          d.shape[-2].value not in (None, 3)):
            raise ValueError(f"diagonals in 'compact' format must be [..., 3, M], got shape "
                             f"{d.shape}")
        parts = (d[..., 0, :], d[..., 1, :], d[..., 2, :])
    elif diagonals_format == "sequence":
        if not isinstance(diagonals, (tuple, list)) or len(diagonals) != 3:
            raise ValueError("Expected diagonals to be a sequence of length 3: (superdiag, "
                             "maindiag, subdiag)")
        parts = tuple(convert_to_tensor(t) for t in diagonals)
    else:
        parts = _from_matrix(diagonals)
    rhs = convert_to_tensor(rhs, dtype=parts[1].dtype)
    inputs = [expand_dims(convert_to_tensor(p, dtype=rhs.dtype), -2) for p in parts]
    return apply_op(TridiagonalMatMul(), inputs + [rhs], name=name)
