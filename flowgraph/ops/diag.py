"""Diagonal ops: matrix_diag, matrix_diag_part, matrix_set_diag (batched, on the last two
dimensions) and diag, diag_part (a rank-k tensor's "diagonal" of rank 2k / k), as TF1's."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["matrix_diag", "matrix_diag_part", "matrix_set_diag", "diag", "diag_part"]


@register
class MatrixDiag(Op):
    """Square matrices whose diagonals are the last dimension of the input: [..., N] ->
    [..., N, N]."""

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        if x.shape.ndims < 1:
            raise ValueError(f"matrix_diag needs a tensor of rank >= 1, got {x.shape}")
        return [(x.dtype, x.shape.concatenate([x.shape[-1]]))]

    def kernel(self, x):
        n = x.shape[-1]
        out = np.zeros(x.shape + (n,), dtype=x.dtype)
        idx = np.arange(n)
        out[..., idx, idx] = x
        return out

    def grad(self, op, dy):
        return [matrix_diag_part(dy)]


@register
class MatrixDiagPart(Op):
    """The main diagonals of the innermost matrices: [..., M, N] -> [..., min(M, N)]."""

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        if x.shape.ndims < 2:
            raise ValueError(f"matrix_diag_part needs a tensor of rank >= 2, got {x.shape}")
        m, n = x.shape[-2].value, x.shape[-1].value
        k = min(m, n) if m is not None and n is not None else None
        return [(x.dtype, x.shape[:-2].concatenate([k]))]

    def kernel(self, x):
        return np.ascontiguousarray(np.diagonal(x, axis1=-2, axis2=-1))

    def grad(self, op, dy):
        from flowgraph.ops.fill import zeros_like
        return [matrix_set_diag(zeros_like(op.inputs[0]), dy)]


@register
class MatrixSetDiag(Op):
    """The input matrices with their main diagonals replaced by `diagonal`."""

    def infer(self, op):
        x, d = op.inputs
        if x.dtype != d.dtype:
            raise TypeError(f"matrix_set_diag: input {x.dtype.name} and diagonal "
                            f"{d.dtype.name} must have one dtype")
        if x.shape.ndims is not None and x.shape.ndims < 2:
            raise ValueError(f"matrix_set_diag needs an input of rank >= 2, got {x.shape}")
        return [(x.dtype, x.shape)]

    def kernel(self, x, d):
        out = np.array(x, copy=True)
        k = min(x.shape[-2], x.shape[-1])
        if d.shape != x.shape[:-2] + (k,):
            from flowgraph import errors
            raise errors.InvalidArgumentError(
                None, None, f"matrix_set_diag: diagonal of shape {list(d.shape)} does not fit "
                            f"the input of shape {list(x.shape)}")
        idx = np.arange(k)
        out[..., idx, idx] = d
        return out

    def grad(self, op, dy):
        from flowgraph.ops.fill import zeros_like
        d = op.inputs[1]
        return [matrix_set_diag(dy, zeros_like(d)), matrix_diag_part(dy)]


@register
class Diag(Op):
    """The rank-2k tensor with `diagonal` (rank k) on its diagonal:
    out[i1..ik, i1..ik] = diagonal[i1..ik]."""

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims == 0:
            raise ValueError("diag needs a tensor of rank >= 1")
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        return [(x.dtype, x.shape.concatenate(x.shape))]

    def kernel(self, x):
        return np.diag(x.reshape(-1)).reshape(x.shape + x.shape)

    def grad(self, op, dy):
        return [diag_part(dy)]


@register
class DiagPart(Op):
    """The diagonal of a rank-2k tensor whose first k dimensions equal its last k."""

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        if x.shape.ndims % 2 or x.shape.ndims == 0:
            raise ValueError(f"diag_part needs a tensor of even rank, got {x.shape}")
        k = x.shape.ndims // 2
        if not x.shape[:k].is_compatible_with(x.shape[k:]):
            raise ValueError(f"diag_part: the first and last halves of shape {x.shape} "
                             "must be equal")
        return [(x.dtype, x.shape[:k].merge_with(x.shape[k:]))]

    def kernel(self, x):
        k = x.ndim // 2
        size = int(np.prod(x.shape[:k]))
        return np.ascontiguousarray(np.diagonal(x.reshape(size, size))).reshape(x.shape[:k])

    def grad(self, op, dy):
        return [diag(dy)]


def _only_main_diagonal(k: Any, **others: Any) -> None:
    """flowgraph's diagonal ops handle the main diagonal only (TF1's defaults)."""
    defaults = {"num_rows": -1, "num_cols": -1, "padding_value": 0, "align": "RIGHT_LEFT"}
    if k != 0 or any(others[key] != defaults[key] for key in others):
        raise NotImplementedError("Only the main diagonal (k=0, default num_rows, num_cols, "
                                  "padding_value and align) is supported")


def matrix_diag(diagonal: Any, name: str = "diag", k: Any = 0, num_rows: Any = -1,
                num_cols: Any = -1, padding_value: Any = 0,
                align: str = "RIGHT_LEFT") -> Tensor:
    """Batched diagonal matrices from the last dimension of `diagonal` (node "diag", op
    MatrixDiag)."""
    _only_main_diagonal(k, num_rows=num_rows, num_cols=num_cols, padding_value=padding_value,
                        align=align)
    return apply_op(MatrixDiag(), [convert_to_tensor(diagonal)], name=name)


def matrix_diag_part(input: Any, name: str = "diag_part", k: Any = 0,  # noqa: A002
                     padding_value: Any = 0, align: str = "RIGHT_LEFT") -> Tensor:
    """The main diagonals of the innermost matrices (node "diag_part", op MatrixDiagPart)."""
    _only_main_diagonal(k, padding_value=padding_value, align=align)
    return apply_op(MatrixDiagPart(), [convert_to_tensor(input)], name=name)


def matrix_set_diag(input: Any, diagonal: Any, name: str = "set_diag", k: Any = 0,  # noqa: A002
                    align: str = "RIGHT_LEFT") -> Tensor:
    """The innermost matrices of `input` with their main diagonals set to `diagonal` (node
    "set_diag", op MatrixSetDiag)."""
    _only_main_diagonal(k, align=align)
    x = convert_to_tensor(input)
    return apply_op(MatrixSetDiag(), [x, convert_to_tensor(diagonal, dtype=x.dtype)],
                    name=name)


def diag(diagonal: Any, name: Optional[str] = None) -> Tensor:
    """A rank-2k tensor with `diagonal` on its diagonal (node "Diag")."""
    return apply_op(Diag(), [convert_to_tensor(diagonal)], name=name)


def diag_part(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """The diagonal of a rank-2k tensor (node "DiagPart")."""
    return apply_op(DiagPart(), [convert_to_tensor(input)], name=name)
