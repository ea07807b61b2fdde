"""`LinearOperatorLowerTriangular`: uses only the lower triangle of `tril`."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as tf
from flowgraph.linalg_operators.base import (
    LinearOperator,
    convert_operator_tensor,
    forced_hint,
)


class LinearOperatorLowerTriangular(LinearOperator):
    """`[..., N, N]` lower-triangular operator; the strict upper triangle of `tril` is ignored.

    Solves use a triangular solve (O(N^2)); the determinant is the diagonal's product.
    """

    def __init__(
        self,
        tril: Any,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = None,
        name: str = "LinearOperatorLowerTriangular",
    ) -> None:
        is_square = forced_hint(
            is_square, "Only square lower triangular operators supported at this time."
        )
        with tf.name_scope(name, values=[tril]):
            self._tril = convert_operator_tensor(tril, "tril", min_ndims=2)
            self._diag = tf.linalg.diag_part(self._tril)
            super().__init__(
                dtype=self._tril.dtype,
                graph_parents=[self._tril],
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                name=name,
            )

    def _get_tril(self):
        return tf.linalg.band_part(self._tril, -1, 0)

    def _shape(self):
        return self._tril.shape

    def _shape_tensor(self):
        return tf.shape(self._tril)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return tf.matmul(self._get_tril(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = tf.linalg.adjoint(rhs) if adjoint_arg else rhs
        return tf.linalg.triangular_solve(self._get_tril(), rhs, lower=True, adjoint=adjoint)

    def _determinant(self):
        return tf.reduce_prod(self._diag, axis=[-1])

    def _log_abs_determinant(self):
        return tf.reduce_sum(tf.log(tf.abs(self._diag)), axis=[-1])

    def _diag_part(self):
        return self._diag

    def _to_dense(self):
        return self._get_tril()

    def _assert_non_singular(self):
        return tf.debugging.assert_positive(
            tf.abs(self._diag), message="Singular operator:  Diagonal contained zero values."
        )
