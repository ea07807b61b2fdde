"""`LinearOperatorToeplitz`: a (batch of) Toeplitz matrix given by first column and row."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as tf
from flowgraph.linalg_operators._matmul import matmul
from flowgraph.linalg_operators.base import LinearOperator, convert_operator_tensor


class LinearOperatorToeplitz(LinearOperator):
    """`[..., N, N]` Toeplitz operator `T[i, j] = col[i - j]` (i >= j), `row[j - i]` (i < j).

    `col[..., 0]` is the diagonal; `row[..., 0]` is ignored (as in TF). The dense
    matrix is assembled with one `gather` from the concatenated `[row[:0:-1], col]`,
    so gradients flow to both `col` and `row`.
    """

    def __init__(
        self,
        col: Any,
        row: Any,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = None,
        name: str = "LinearOperatorToeplitz",
    ) -> None:
        with tf.name_scope(name, values=[row, col]):
            self._row = convert_operator_tensor(row, "row", min_ndims=1)
            self._col = convert_operator_tensor(col, "col", min_ndims=1)
            if self._row.dtype != self._col.dtype:
                raise TypeError(
                    f"Arguments row and col must have the same dtype; found row "
                    f"{self._row.dtype.name} and col {self._col.dtype.name}. Cast one of them."
                )
            if not self._row.shape[-1:].is_compatible_with(self._col.shape[-1:]):
                raise ValueError(
                    f"Arguments row and col must have the same last dimension (N); found "
                    f"row shape {self._row.shape} and col shape {self._col.shape}."
                )
            if is_square is False:
                raise ValueError("Only square Toeplitz operators currently supported.")
            is_square = True
            super().__init__(
                dtype=self._row.dtype,
                graph_parents=[self._row, self._col],
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                name=name,
            )

    @property
    def col(self):
        """First column `[..., N]`."""
        return self._col

    @property
    def row(self):
        """First row `[..., N]` (its first entry is ignored)."""
        return self._row

    def _shape(self):
        batch = tf.broadcast_static_shape(self._row.shape[:-1], self._col.shape[:-1])
        n = self._col.shape[-1:]
        if n[0].value is None:
            n = self._row.shape[-1:]
        return batch.concatenate(n).concatenate(n)

    def _shape_tensor(self):
        batch = tf.broadcast_dynamic_shape(tf.shape(self._row)[:-1], tf.shape(self._col)[:-1])
        n = tf.shape(self._col)[-1:]
        return tf.concat([batch, n, n], 0)

    def _to_dense(self):
        col = self._col + tf.zeros_like(self._row)
        row = self._row + tf.zeros_like(self._col)
        # [row[N-1], ..., row[1], col[0], ..., col[N-1]]: T[i, j] = vec[N - 1 + i - j].
        vec = tf.concat([tf.reverse(row[..., 1:], axis=[-1]), col], axis=-1)
        n = tf.shape(col)[-1]
        r = tf.range(n)
        index = (n - 1) + tf.expand_dims(r, -1) - tf.expand_dims(r, 0)
        return tf.gather(vec, index, axis=-1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return matmul(self._to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _diag_part(self):
        diag = self._col[..., :1] + tf.zeros_like(self._row)
        return diag + tf.zeros_like(self._col)

    def _trace(self):
        n = tf.cast(tf.shape(self._col)[-1], self.dtype)
        return n * (self._col[..., 0] + tf.zeros_like(self._row[..., 0]))
