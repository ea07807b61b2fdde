"""`LinearOperatorDiag`: a (batch of) diagonal matrix given by its diagonal."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as tf
from flowgraph.linalg_operators.base import (
    LinearOperator,
    convert_operator_tensor,
    forced_hint,
    is_complex,
    real_implies_self_adjoint,
)


class LinearOperatorDiag(LinearOperator):
    """`[..., N, N]` operator `diag(d)` for `d` of shape `[..., N]`.

    Matmul is broadcasting multiplication, solve is division, the determinant is a
    product: all O(N) per batch member.
    """

    def __init__(
        self,
        diag: Any,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = None,
        name: str = "LinearOperatorDiag",
    ) -> None:
        with tf.name_scope(name, values=[diag]):
            self._diag = convert_operator_tensor(diag, "diag", min_ndims=1)
            is_self_adjoint = real_implies_self_adjoint(self._diag.dtype, is_self_adjoint)
            is_square = forced_hint(
                is_square, "Only square diagonal operators currently supported."
            )
            super().__init__(
                dtype=self._diag.dtype,
                graph_parents=[self._diag],
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                name=name,
            )

    @property
    def diag(self):
        """The diagonal tensor `[..., N]`."""
        return self._diag

    def _shape(self):
        d = self._diag.shape
        return d.concatenate(d[-1:])

    def _shape_tensor(self):
        d = tf.shape(self._diag)
        return tf.concat([d, d[-1:]], 0)

    def _term(self, adjoint):
        return tf.conj(self._diag) if adjoint and is_complex(self.dtype) else self._diag

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = tf.linalg.adjoint(x) if adjoint_arg else x
        return tf.expand_dims(self._term(adjoint), -1) * x

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = tf.linalg.adjoint(rhs) if adjoint_arg else rhs
        return rhs / tf.expand_dims(self._term(adjoint), -1)

    def _determinant(self):
        return tf.reduce_prod(self._diag, axis=[-1])

    def _log_abs_determinant(self):
        return tf.reduce_sum(tf.log(tf.abs(self._diag)), axis=[-1])

    def _to_dense(self):
        return tf.linalg.diag(self._diag)

    def _diag_part(self):
        return self._diag

    def _trace(self):
        return tf.reduce_sum(self._diag, axis=-1)

    def _add_to_tensor(self, x):
        return tf.linalg.set_diag(x, tf.linalg.diag_part(x) + self._diag)

    def _inverse(self):
        return LinearOperatorDiag(
            1.0 / self._diag,
            is_non_singular=self.is_non_singular,
            is_self_adjoint=self.is_self_adjoint,
            is_positive_definite=self.is_positive_definite,
            is_square=True,
        )

    def _cholesky(self):
        return LinearOperatorDiag(
            tf.sqrt(self._diag),
            is_non_singular=True,
            is_self_adjoint=True,
            is_positive_definite=True,
            is_square=True,
        )

    def _assert_non_singular(self):
        return tf.debugging.assert_positive(
            tf.abs(self._diag), message="Singular operator:  Diagonal contained zero values."
        )

    def _assert_positive_definite(self):
        return tf.debugging.assert_positive(
            tf.math.real(self._diag),
            message="Diagonal operator had diagonal entries with non-positive real part, "
            "thus was not positive definite.",
        )

    def _assert_self_adjoint(self):
        if not is_complex(self.dtype):
            return tf.no_op("assert_real_diag_self_adjoint")
        return tf.debugging.assert_equal(
            tf.math.imag(self._diag),
            tf.zeros_like(tf.math.imag(self._diag)),
            message="This diagonal operator contained non-zero imaginary values.  "
            "Thus it was not self-adjoint.",
        )
