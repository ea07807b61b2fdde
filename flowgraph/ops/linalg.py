"""Linear algebra: matmul (and the `@` operator), trace, matrix_transpose, eye."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import binary_inputs
from flowgraph.ops.reduce_axes import static_axis
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.shapes import TensorShape, broadcast_shapes

__all__ = ["matmul", "trace", "matrix_transpose", "eye"]

# TF1's MatMul / BatchMatMulV2 take floating types and int32 / int64.
MATMUL_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def check_pair_dtypes(op: Any, a: Tensor, b: Tensor, allowed: Sequence[DType]) -> DType:
    if a.dtype != b.dtype:
        raise TypeError(f"{op.type} needs both inputs of one dtype, got {a.dtype.name} and "
                        f"{b.dtype.name}; use fg.cast on one of them.")
    if a.dtype not in allowed:
        raise TypeError(f"{op.type} does not support dtype {a.dtype.name}; expected one of "
                        f"{[d.name for d in allowed]}.")
    return a.dtype


def _inner_mismatch(op: Any, ka: Any, kb: Any, a: Tensor, b: Tensor, flags: str) -> ValueError:
    return ValueError(f"Dimensions must be equal, but are {ka} and {kb} for {op.type}: the "
                      f"inner dimensions of a {a.shape} and b {b.shape}{flags} do not match "
                      "(a's columns must equal b's rows).")


@register
class MatMul(Op):
    """The matrix product of two rank-2 tensors, `a @ b`, optionally transposing either."""

    uses_all_cores = True  # numpy's BLAS runs it on every core

    transpose_a: bool = False
    transpose_b: bool = False

    def infer(self, op):
        a, b = op.inputs
        dtype = check_pair_dtypes(op, a, b,
                                  MATMUL_DTYPES + (dtypes.complex64, dtypes.complex128))
        for name, t in (("a", a), ("b", b)):
            if t.shape.ndims is not None and t.shape.ndims != 2:
                raise ValueError(f"Shape must be rank 2 but is rank {t.shape.ndims} for "
                                 f"MatMul input {name} {t.shape}")
        m, ka = _matrix_dims(a.shape, self.transpose_a)
        kb, n = _matrix_dims(b.shape, self.transpose_b)
        if ka is not None and kb is not None and ka != kb:
            flags = f" (transpose_a={self.transpose_a}, transpose_b={self.transpose_b})"
            raise _inner_mismatch(op, ka, kb, a, b, flags)
        return [(dtype, TensorShape([m, n]))]

    def kernel(self, a, b):
        if self.transpose_a:
            a = a.T
        if self.transpose_b:
            b = b.T
        return np.matmul(a, b)

    def fast_kernel(self, op):
        if not self.transpose_a:
            return np.matmul if not self.transpose_b else lambda a, b: np.matmul(a, b.T)
        if not self.transpose_b:
            return lambda a, b: np.matmul(a.T, b)
        return lambda a, b: np.matmul(a.T, b.T)

    def grad(self, op, dy):
        # TF1's _MatMulGrad: two matmuls with transpose flags, no explicit transposes
        # (of the conjugated inputs, for complex ones).
        from flowgraph.ops.complex_ops import conj_if_complex as _cj
        a, b = _cj(op.inputs[0]), _cj(op.inputs[1])
        dy = convert_to_tensor(dy)  # an IndexedSlices (from a gather) becomes dense
        ta, tb = self.transpose_a, self.transpose_b
        if not ta and not tb:
            return [_matmul(dy, b, False, True), _matmul(a, dy, True, False)]
        if not ta:
            return [_matmul(dy, b, False, False), _matmul(dy, a, True, False)]
        if not tb:
            return [_matmul(b, dy, False, True), _matmul(a, dy, False, False)]
        return [_matmul(b, dy, True, True), _matmul(dy, a, True, True)]


def _matmul(a: Tensor, b: Tensor, transpose_a: bool, transpose_b: bool) -> Tensor:
    return apply_op(MatMul(transpose_a=transpose_a, transpose_b=transpose_b), [a, b],
                    name="MatMul")


@register
class BatchMatMulV2(Op):
    """Batched matrix products over the last two axes; the leading (batch) axes broadcast.

    `adj_x` / `adj_y` transpose the last two axes of `x` / `y` first (the adjoint, for the
    real dtypes flowgraph has).
    """

    uses_all_cores = True  # numpy's BLAS runs it on every core

    adj_x: bool = False
    adj_y: bool = False

    # The batch axes broadcast: the framework sums each gradient back to its input's shape.
    broadcasting = True

    def infer(self, op):
        x, y = op.inputs
        dtype = check_pair_dtypes(op, x, y, MATMUL_DTYPES)
        for name, t in (("a", x), ("b", y)):
            if t.shape.ndims is not None and t.shape.ndims < 2:
                raise ValueError(f"Shape must be at least rank 2 but is rank {t.shape.ndims} "
                                 f"for matmul input {name} {t.shape}")
        if x.shape.ndims is None or y.shape.ndims is None:
            return [(dtype, TensorShape(None))]
        m, ka = _matrix_dims(x.shape[-2:], self.adj_x)
        kb, n = _matrix_dims(y.shape[-2:], self.adj_y)
        if ka is not None and kb is not None and ka != kb:
            flags = f" (adjoint_a={self.adj_x}, adjoint_b={self.adj_y})"
            raise _inner_mismatch(op, ka, kb, x, y, flags)
        batch = broadcast_shapes(x.shape[:-2], y.shape[:-2])
        if batch is None:
            raise ValueError(f"The batch dimensions of a {x.shape} and b {y.shape} cannot be "
                             f"broadcast together: {x.shape[:-2]} vs {y.shape[:-2]}.")
        return [(dtype, batch.concatenate([m, n]))]

    def kernel(self, x, y):
        if self.adj_x:
            x = np.swapaxes(x, -1, -2)
        if self.adj_y:
            y = np.swapaxes(y, -1, -2)
        return np.matmul(x, y)

    def fast_kernel(self, op):
        return None if self.adj_x or self.adj_y else np.matmul

    def grad(self, op, dy):
        # TF1's _BatchMatMulV2 gradient: two batch matmuls with adjoint flags.
        x, y = op.inputs
        dy = convert_to_tensor(dy)
        if not self.adj_x and not self.adj_y:
            return [_batch_matmul(dy, y, False, True), _batch_matmul(x, dy, True, False)]
        if not self.adj_x:
            return [_batch_matmul(dy, y, False, False), _batch_matmul(dy, x, True, False)]
        if not self.adj_y:
            return [_batch_matmul(y, dy, False, True), _batch_matmul(x, dy, False, False)]
        return [_batch_matmul(y, dy, True, True), _batch_matmul(dy, x, True, True)]


def _batch_matmul(x: Tensor, y: Tensor, adj_x: bool, adj_y: bool) -> Tensor:
    return apply_op(BatchMatMulV2(adj_x=adj_x, adj_y=adj_y), [x, y], name="MatMul")


def _matrix_dims(shape: TensorShape, transposed: bool) -> tuple:
    """(rows, columns) of a matrix shape (after transposing), as ints or None."""
    if shape.ndims is None:
        return None, None
    rows, cols = shape.as_list()[-2:]
    return (cols, rows) if transposed else (rows, cols)


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, name: Optional[str] = None) -> Tensor:
    """The matrix product `a @ b`, as TF1's `tf.matmul` (also what `a @ b` on Tensors calls).

    Parameters
    ----------
    a, b : Tensor or array-like
        Rank >= 2 tensors of one dtype (float16/32/64, int32, int64). With rank > 2 the
        leading axes are batch axes and broadcast against each other.
    transpose_a, transpose_b, adjoint_a, adjoint_b : bool
        Transpose the last two axes of `a` / `b` before multiplying (adjoint: conjugate
        and transpose; the same for real dtypes); at most one of transpose_x / adjoint_x per
        input.
    a_is_sparse, b_is_sparse : bool
        Hints only (accepted for TF1 compatibility).
    name : str, optional
        The node name (default ``"MatMul"``).

    Returns
    -------
    Tensor
        `[..., M, N]` for `a` `[..., M, K]` and `b` `[..., K, N]`. Inner dimensions that do
        not match raise ValueError when the graph is built.

    >>> fg.matmul(fg.ones([2, 3]), fg.ones([3, 4])).shape.as_list()
    [2, 4]
    """
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    a, b = binary_inputs(a, b)
    if (adjoint_a or adjoint_b) and a.dtype.is_complex:
        from flowgraph.ops.complex_ops import conj
        # the adjoint is the conjugate transpose: the kernels only transpose
        a = conj(a) if adjoint_a else a
        b = conj(b) if adjoint_b else b
    flip_a = bool(transpose_a or adjoint_a)
    flip_b = bool(transpose_b or adjoint_b)
    if a.shape.ndims == 2 and b.shape.ndims == 2:
        op_def: Op = MatMul(transpose_a=flip_a, transpose_b=flip_b)
    else:
        op_def = BatchMatMulV2(adj_x=flip_a, adj_y=flip_b)
    return apply_op(op_def, [a, b], name=name or "MatMul")


# --------------------------------------------------------------------------- trace, transpose
@register
class Trace(Op):
    """The sum of the main diagonal of each matrix in the last two axes."""

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype not in MATMUL_DTYPES:
            raise TypeError(f"trace does not support dtype {x.dtype.name}")
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        if x.shape.ndims < 2:
            raise ValueError(f"trace needs a (batch of) matrices of rank >= 2, got shape "
                             f"{x.shape}")
        return [(x.dtype, x.shape[:-2])]

    def kernel(self, x):
        return np.asarray(np.trace(x, axis1=-2, axis2=-1, dtype=x.dtype))

    def grad(self, op, dy):
        # dy on the main diagonal of each matrix: dy[..., None, None] * eye(rows, columns).
        from flowgraph.ops.math import multiply
        from flowgraph.ops.shape_ops import expand_dims, shape
        x = op.inputs[0]
        dims = x.shape.as_list()[-2:] if x.shape.ndims is not None else [None, None]
        if None in dims:
            dynamic = shape(x)
            identity = eye(dynamic[-2], dynamic[-1], dtype=x.dtype)
        else:
            identity = convert_to_tensor(np.eye(dims[0], dims[1], dtype=x.dtype.np))
        return [multiply(expand_dims(expand_dims(dy, -1), -1), identity)]


def trace(x: Any, name: Optional[str] = None) -> Tensor:
    """The trace of each matrix (the last two axes) of `x`, as `tf.linalg.trace`:
    ``trace(x)[..., ] = sum_i x[..., i, i]``."""
    return apply_op(Trace(), [convert_to_tensor(x)], name=name)


@register
class MatrixTranspose(Op):
    """Swaps the last two axes (transposes each matrix of a batch)."""

    @classmethod
    def default_name(cls) -> str:
        return "matrix_transpose"

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        if x.shape.ndims < 2:
            raise ValueError(f"Argument 'a' should be a (batch) matrix, with rank >= 2. Found: "
                             f"{x.shape}")
        dims = x.shape.as_list()
        return [(x.dtype, TensorShape(dims[:-2] + [dims[-1], dims[-2]]))]

    def kernel(self, x):
        return np.swapaxes(x, -1, -2)

    def grad(self, op, dy):
        return [apply_op(MatrixTranspose(), [convert_to_tensor(dy)], name="matrix_transpose")]


def matrix_transpose(a: Any, name: str = "matrix_transpose", conjugate: bool = False) -> Tensor:
    """Transposes the last two axes of `a`, as `tf.linalg.matrix_transpose` (`conjugate` is a
    no-op for flowgraph's real dtypes)."""
    return apply_op(MatrixTranspose(), [convert_to_tensor(a)], name=name)


# --------------------------------------------------------------------------- eye
@register
class Eye(Op):
    """An identity matrix `[num_rows, num_columns]` (ones on the main diagonal), repeated
    over `batch_shape`; inputs are the scalar num_rows and num_columns."""

    batch_shape: tuple = ()
    dtype: DType = dtypes.float32

    differentiable = False  # its inputs are integer sizes

    def check(self) -> None:
        batch = tuple(int(d) for d in self.batch_shape)
        if any(d < 0 for d in batch):
            raise ValueError(f"eye: batch_shape must be non-negative, got {list(batch)}")
        object.__setattr__(self, "batch_shape", batch)

    @classmethod
    def default_name(cls) -> str:
        return "eye"

    def infer(self, op):
        dims = []
        for t, what in zip(op.inputs, ("num_rows", "num_columns")):
            if not t.dtype.is_integer or t.shape.ndims not in (None, 0):
                raise TypeError(f"eye: {what} must be an integer scalar, got {t.dtype.name} "
                                f"of shape {t.shape}")
            value = constant_value(t)
            if value is not None and int(value) < 0:
                raise ValueError(f"eye: {what} must be >= 0, got {int(value)}")
            dims.append(None if value is None else int(value))
        return [(self.dtype, TensorShape(list(self.batch_shape) + dims))]

    def kernel(self, num_rows, num_columns):
        rows, cols = int(num_rows), int(num_columns)
        if rows < 0 or cols < 0:
            raise errors.InvalidArgumentError(None, None, f"eye: num_rows ({rows}) and "
                                              f"num_columns ({cols}) must be >= 0")
        matrix = np.eye(rows, cols, dtype=self.dtype.np)
        return np.broadcast_to(matrix, tuple(self.batch_shape) + matrix.shape).copy()


def eye(num_rows: Any, num_columns: Any = None, batch_shape: Any = None,
        dtype: Any = dtypes.float32, name: Optional[str] = None) -> Tensor:
    """An identity matrix (or a batch of them), as TF1's `tf.eye`.

    Parameters
    ----------
    num_rows, num_columns : int or scalar integer Tensor
        The matrix size; `num_columns` defaults to `num_rows`.
    batch_shape : list of ints, optional
        Leading batch dimensions: the result is `batch_shape + [num_rows, num_columns]`.
    dtype : DType
        The element type (float32 by default).
    """
    rows = convert_to_tensor(num_rows, dtype=_int_dtype(num_rows))
    cols = rows if num_columns is None else convert_to_tensor(
        num_columns, dtype=_int_dtype(num_columns))
    batch = static_axis(batch_shape, "eye batch_shape")
    batch = () if batch is None else ((batch,) if isinstance(batch, int) else tuple(batch))
    return apply_op(Eye(batch_shape=batch, dtype=dtypes.as_dtype(dtype)), [rows, cols],
                    name=name)


def _int_dtype(value: Any) -> Any:
    return None if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__") else \
        dtypes.int32
