"""`fg.linalg.band_part` / `fg.matrix_band_part` (TF1's MatrixBandPart): keeps a band of
diagonals of each innermost matrix and zeros the rest."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register

__all__ = ["matrix_band_part"]


@register
class MatrixBandPart(Op):
    """Inputs: a tensor of rank >= 2, and scalars num_lower and num_upper. Element (m, n) of
    each innermost matrix is kept when ``(num_lower < 0 or m - n <= num_lower) and
    (num_upper < 0 or n - m <= num_upper)``, else set to zero."""

    def infer(self, op):
        x, lower, upper = op.inputs
        x.shape.with_rank_at_least(2)
        for what, t in (("num_lower", lower), ("num_upper", upper)):
            check_dtype(op, t, "i", what)
            t.shape.with_rank(0)
        return [(x.dtype, x.shape)]

    def kernel(self, x, lower, upper):
        rows, cols = x.shape[-2:]
        lower, upper = int(lower), int(upper)
        if lower > rows or upper > cols:
            raise errors.InvalidArgumentError(
                None, None, f"num_lower ({lower}) must not exceed the rows ({rows}) and "
                f"num_upper ({upper}) the columns ({cols})")
        m = np.arange(rows)[:, None]
        n = np.arange(cols)[None, :]
        keep = ((lower < 0) | (m - n <= lower)) & ((upper < 0) | (n - m <= upper))
        return np.where(keep, x, np.zeros((), x.dtype))

    def grad(self, op, dy):
        return [matrix_band_part(dy, op.inputs[1], op.inputs[2]), None, None]


def matrix_band_part(input: Any, num_lower: Any, num_upper: Any,  # noqa: A002 - TF1's name
                     name: Optional[str] = None) -> Tensor:
    """Keeps `num_lower` sub-diagonals and `num_upper` super-diagonals (negative: all) of
    each innermost matrix (TF1's `tf.matrix_band_part` / `tf.linalg.band_part`).

    >>> fg.matrix_band_part(x, 0, -1)   # upper triangular part
    """
    x = convert_to_tensor(input)
    return apply_op(MatrixBandPart(), [x, convert_to_tensor(num_lower, dtype=dtypes.int64),
                                       convert_to_tensor(num_upper, dtype=dtypes.int64)],
                    name=name)
