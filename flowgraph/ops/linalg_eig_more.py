"""Eigenvalues of symmetric tridiagonal matrices and the matrix logarithm, as TF 1.15's
tf.linalg.eigh_tridiagonal and tf.linalg.logm (op MatrixLogarithm). Neither has a gradient:
TF registers none for MatrixLogarithm, and its eigh_tridiagonal is a bisection loop.

TF builds eigh_tridiagonal from many small ops; here it is one node, "EighTridiagonal",
whose kernel solves the dense Hermitian tridiagonal eigenproblem with LAPACK (numpy)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []

_SELECTS = ("a", "v", "i")


def _dense_tridiagonal(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """The Hermitian matrix with diagonal alpha, superdiagonal beta and subdiagonal
    conj(beta) (TF's convention, checked against its eigenvectors)."""
    n = alpha.shape[0]
    dtype = np.complex128 if np.iscomplexobj(alpha) or np.iscomplexobj(beta) else np.float64
    mat = np.zeros((n, n), dtype=dtype)
    mat[np.arange(n), np.arange(n)] = alpha.real
    if n > 1:
        mat[np.arange(n - 1), np.arange(1, n)] = beta
        mat[np.arange(1, n), np.arange(n - 1)] = np.conj(beta)
    return mat


@register
class EighTridiagonal(Op):
    """(eigenvalues[, eigenvectors]) of the Hermitian tridiagonal matrix with diagonal
    alpha [n] and off-diagonal beta [n-1]: eigenvalues ascending, in alpha's real dtype;
    eigenvectors [n, k] as columns in alpha's dtype. `select` 'a' keeps all, 'v' those in
    the interval (select_range[0], select_range[1]], 'i' the indices select_range[0] to
    select_range[1] inclusive."""

    eigvals_only: bool = True
    select: str = "a"
    select_range: tuple = ()
    differentiable = False

    def check(self) -> None:
        if self.select not in _SELECTS:
            raise ValueError("'select must have a value in {'a', 'i', 'v'}.")

    def _count(self, n: Optional[int]) -> Optional[int]:
        if self.select == "a":
            return n
        if self.select == "i":
            return int(self.select_range[1]) - int(self.select_range[0]) + 1
        return None

    def infer(self, op):
        alpha, beta = op.inputs
        n = alpha.shape[0].value if alpha.shape.ndims == 1 else None
        k = self._count(n)
        values = (alpha.dtype.real_dtype, TensorShape([k]))
        if self.eigvals_only:
            return [values]
        return [values, (alpha.dtype, TensorShape([n, k]))]

    def kernel(self, alpha, beta):
        n = alpha.shape[0]
        if beta.shape[0] != max(n - 1, 0):
            raise errors.InvalidArgumentError(
                None, None, f"eigh_tridiagonal: beta must have n-1 = {max(n - 1, 0)} "
                f"elements for alpha of length {n}, got {beta.shape[0]}")
        mat = _dense_tridiagonal(alpha, beta)
        if self.eigvals_only:
            w, v = np.linalg.eigvalsh(mat), None
        else:
            w, v = np.linalg.eigh(mat)
        if self.select == "i":
            lo, hi = int(self.select_range[0]), int(self.select_range[1])
            if not 0 <= lo <= hi < n:
                raise errors.InvalidArgumentError(
                    None, None, f"eigh_tridiagonal: select_range {(lo, hi)} for select='i' "
                    f"must satisfy 0 <= lo <= hi < n = {n}")
            keep = np.arange(lo, hi + 1)
        elif self.select == "v":
            lo, hi = float(self.select_range[0]), float(self.select_range[1])
            keep = np.nonzero((w > lo) & (w <= hi))[0]
        else:
            keep = np.arange(n)
        values = w[keep].astype(alpha.dtype.type(0).real.dtype)
        if self.eigvals_only:
            return values
        return values, v[:, keep].astype(alpha.dtype)


def _static_range(select_range: Any, select: str) -> tuple:
    if select == "a":
        return ()
    if select_range is None:
        raise TypeError(f"eigh_tridiagonal: select='{select}' needs select_range, a pair "
                        "(lo, hi) of Python numbers")
    if isinstance(select_range, Tensor):
        from flowgraph.ops.registry import constant_value
        value = constant_value(select_range)
        if value is None:
            raise TypeError("eigh_tridiagonal: select_range must be known at graph build "
                            "(Python numbers or a constant), got a computed tensor")
        select_range = value
    pair = np.asarray(select_range).reshape(-1)
    if pair.shape != (2,):
        raise ValueError("eigh_tridiagonal: select_range must have 2 elements (lo, hi), got "
                         f"{np.asarray(select_range).tolist()}")
    if select == "i":
        lo, hi = int(pair[0]), int(pair[1])
        if lo != pair[0] or hi != pair[1]:
            raise TypeError(f"eigh_tridiagonal: select='i' takes integer indices, got {pair}")
        if lo < 0 or hi < lo:
            raise ValueError(f"eigh_tridiagonal: select_range {(lo, hi)} for select='i' must "
                             "satisfy 0 <= lo <= hi")
        return (lo, hi)
    return (float(pair[0]), float(pair[1]))


def eigh_tridiagonal(alpha: Any, beta: Any, eigvals_only: bool = True, select: str = "a",
                     select_range: Any = None, tol: Any = None,
                     name: Optional[str] = None) -> Any:
    """Eigenvalues (and, if eigvals_only=False, eigenvectors) of the Hermitian tridiagonal
    matrix with real diagonal `alpha` [n] and off-diagonal `beta` [n-1] (superdiagonal beta,
    subdiagonal conj(beta)), as tf.linalg.eigh_tridiagonal.

    select: 'a' all eigenvalues, 'v' those in (select_range[0], select_range[1]],
    'i' those with indices select_range[0]..select_range[1] (inclusive, ascending order).
    Returns the eigenvalues [k] ascending in alpha's real dtype, or (eigenvalues,
    eigenvectors [n, k] as columns). `tol` (TF's bisection tolerance) is accepted for
    compatibility; the LAPACK solver used here is accurate to machine precision.

    >>> w = fg.linalg.eigh_tridiagonal([1., 2.], [1.])   # [1.5 - sqrt(5)/2, 1.5 + sqrt(5)/2]
    """
    from flowgraph.ops.elementwise import op_scope
    if select not in _SELECTS:
        raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
    with op_scope(name, "eigh_tridiagonal", [alpha, beta]):
        a = convert_to_tensor(alpha, name="alpha")
        b = convert_to_tensor(beta, name="beta")
        if a.dtype != b.dtype:
            raise ValueError("'alpha' and 'beta' must have the same type.")
        if not (a.dtype.is_floating or a.dtype.is_complex):
            raise ValueError(f"eigh_tridiagonal: alpha and beta must be float or complex, got "
                             f"{a.dtype.name}")
        for t, label in ((a, "alpha"), (b, "beta")):
            if t.shape.ndims is not None and t.shape.ndims != 1:
                raise ValueError(f"eigh_tridiagonal: {label} must be a vector, got shape "
                                 f"{t.shape} (batches are not supported, as in TF)")
        if a.shape.ndims == 1 and b.shape.ndims == 1:
            n, m = a.shape[0].value, b.shape[0].value
            if n is not None and m is not None and m != max(n - 1, 0):
                raise ValueError(f"eigh_tridiagonal: beta must have n-1 elements; alpha has "
                                 f"shape {a.shape} and beta {b.shape}")
        op = EighTridiagonal(eigvals_only=bool(eigvals_only), select=select,
                             select_range=_static_range(select_range, select))
        if select == "i" and a.shape.ndims == 1 and a.shape[0].value is not None:
            if op.select_range[1] >= a.shape[0].value:
                raise ValueError(f"eigh_tridiagonal: select_range {op.select_range} for "
                                 f"select='i' is out of range for n = {a.shape[0].value}")
        out = apply_op(op, [a, b])
    return out if eigvals_only else tuple(out)


def _log_series(x: np.ndarray) -> np.ndarray:
    """log(I + X) for ||X|| < 1/4 by 16-point Gauss-Legendre quadrature of
    log(I + X) = integral_0^1 X (I + t X)^-1 dt (error far below double precision)."""
    nodes, weights = np.polynomial.legendre.leggauss(16)
    nodes, weights = 0.5 * (nodes + 1.0), 0.5 * weights
    eye = np.eye(x.shape[0], dtype=x.dtype)
    total = np.zeros_like(x)
    for t, w in zip(nodes, weights):
        total += w * np.linalg.solve(eye + t * x, x)
    return total


def _sqrtm_db(a: np.ndarray) -> np.ndarray:
    """The principal square root by the product form of the Denman-Beavers iteration
    (valid with no eigenvalue on the closed negative real axis)."""
    n = a.shape[0]
    m, y = a.copy(), a.copy()
    eye = np.eye(n, dtype=a.dtype)
    for _ in range(100):
        det = np.linalg.det(m)
        g = abs(det) ** (-1.0 / (2 * n)) if det != 0 else 1.0
        m_inv = np.linalg.inv(m)
        y_next = 0.5 * g * y @ (eye + m_inv / g ** 2)
        m = 0.5 * (eye + 0.5 * (g ** 2 * m + m_inv / g ** 2))
        done = np.linalg.norm(y_next - y) <= 1e-15 * np.linalg.norm(y_next)
        y = y_next
        if done:
            break
    return y


def _logm_one(a: np.ndarray) -> np.ndarray:
    """The principal logarithm of one complex128 matrix; NaN when it is singular (as TF).
    Eigendecomposition when the eigenvectors are well conditioned, else inverse scaling
    and squaring (square roots until close to I, then a quadrature series)."""
    n = a.shape[0]
    if n == 0:
        return a.copy()
    w, v = np.linalg.eig(a)
    scale = max(float(np.max(np.abs(w))), 1e-300)
    if np.any(np.abs(w) <= 1e-14 * scale) or not np.all(np.isfinite(w)):
        return np.full_like(a, np.nan)
    if np.linalg.cond(v) < 1e6:
        return (v * np.log(w)) @ np.linalg.inv(v)
    neg_real = (w.real < 0) & (np.abs(w.imag) <= 1e-12 * scale)
    if np.any(neg_real):
        raise errors.InvalidArgumentError(
            None, None, "MatrixLogarithm: the matrix is defective (nearly) and has a negative "
            "real eigenvalue; its principal logarithm is not computed accurately here. "
            "Perturb the input slightly or compute it with scipy.linalg.logm")
    eye = np.eye(n, dtype=a.dtype)
    x, k = a.copy(), 0
    while np.linalg.norm(x - eye, 1) > 0.25 and k < 60:
        x, k = _sqrtm_db(x), k + 1
    return (2.0 ** k) * _log_series(x - eye)


@register
class MatrixLogarithm(Op):
    """The principal logarithm of each innermost square complex matrix (TF's
    MatrixLogarithm; complex64/complex128 only, no gradient). Singular matrices give NaN
    (as TF). Defective matrices use inverse scaling and squaring; a defective matrix with a
    negative real eigenvalue raises InvalidArgumentError."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        if not x.dtype.is_complex:
            raise TypeError(f"Value passed to parameter 'input' has DataType {x.dtype.name} "
                            "not in list of allowed values: complex64, complex128 "
                            "(cast with fg.complex(x, 0.) or fg.cast(x, fg.complex128))")
        shape = x.shape
        if shape.ndims is not None:
            if shape.ndims < 2:
                raise ValueError(f"MatrixLogarithm needs a tensor of rank >= 2, got shape "
                                 f"{shape}")
            m, k = shape[-2].value, shape[-1].value
            if m is not None and k is not None and m != k:
                raise ValueError(f"MatrixLogarithm needs square matrices, got shape {shape}")
        return [(x.dtype, shape)]

    def kernel(self, x):
        if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
            raise errors.InvalidArgumentError(
                None, None, f"MatrixLogarithm needs square matrices, got shape {x.shape}")
        n = x.shape[-1]
        batch = int(np.prod(x.shape[:-2], dtype=np.int64))
        flat = x.reshape((batch, n, n)).astype(np.complex128)
        logs = np.stack([_logm_one(m) for m in flat]) if flat.shape[0] else flat
        return logs.reshape(x.shape).astype(x.dtype)


def matrix_logarithm(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """The principal matrix logarithm of each innermost square complex matrix
    (node "MatrixLogarithm"; tf.linalg.logm). Input complex64 or complex128 [..., M, M].

    >>> fg.linalg.logm([[2. + 0j, 1.], [0., 2.]])   # [[log 2, 0.5], [0, log 2]]
    """
    x = convert_to_tensor(input)
    return apply_op(MatrixLogarithm(), [x], name=name)


logm = matrix_logarithm
