"""`LinearOperatorHouseholder`: the reflection `I - 2 v v^H / (v^H v)`."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as tf
from flowgraph.linalg_operators._matmul import matmul
from flowgraph.linalg_operators.base import LinearOperator, convert_operator_tensor


class LinearOperatorHouseholder(LinearOperator):
    """`[..., N, N]` Householder reflection about the hyperplane orthogonal to `reflection_axis`.

    The operator is self-adjoint and its own inverse, so `solve` is `matmul`;
    its determinant is `-1`. Matmul costs O(N) per column.
    """

    def __init__(
        self,
        reflection_axis: Any,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = None,
        name: str = "LinearOperatorHouseholder",
    ) -> None:
        with tf.name_scope(name, values=[reflection_axis]):
            self._reflection_axis = convert_operator_tensor(
                reflection_axis, "reflection_axis", min_ndims=1
            )
            if is_self_adjoint is False:
                raise ValueError("A Householder operator is always self adjoint.")
            is_self_adjoint = True
            if is_positive_definite is True:
                raise ValueError("A Householder operator is always non-positive definite.")
            is_positive_definite = False
            if is_square is False:
                raise ValueError("A Householder operator is always square.")
            is_square = True
            super().__init__(
                dtype=self._reflection_axis.dtype,
                graph_parents=[self._reflection_axis],
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                name=name,
            )

    @property
    def reflection_axis(self):
        """The (unnormalized) reflection axis `[..., N]`."""
        return self._reflection_axis

    def _shape(self):
        v = self._reflection_axis.shape
        return v.concatenate(v[-1:])

    def _shape_tensor(self):
        v = tf.shape(self._reflection_axis)
        return tf.concat([v, v[-1:]], 0)

    def _unit_axis(self):
        v = self._reflection_axis
        squared = tf.math.real(v * tf.conj(v))
        norm = tf.sqrt(tf.reduce_sum(squared, axis=-1, keepdims=True))
        return v / tf.cast(norm, self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        # Self-adjoint, so `adjoint` changes nothing.
        x = tf.linalg.adjoint(x) if adjoint_arg else x
        u = tf.expand_dims(self._unit_axis(), -1)
        projection = matmul(u, x, adjoint_a=True)
        return x - 2.0 * u * projection

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return -tf.ones(tf.shape(self._reflection_axis)[:-1], dtype=self.dtype)

    def _log_abs_determinant(self):
        return tf.zeros(tf.shape(self._reflection_axis)[:-1], dtype=self.dtype.real_dtype)

    def _to_dense(self):
        u = self._unit_axis()
        outer = tf.expand_dims(u, -1) * tf.expand_dims(tf.conj(u), -2)
        eye = tf.eye(tf.shape(u)[-1], dtype=self.dtype)
        return eye - 2.0 * outer

    def _diag_part(self):
        u = self._unit_axis()
        return 1.0 - 2.0 * u * tf.conj(u)

    def _trace(self):
        return tf.reduce_sum(self._diag_part(), axis=-1)

    def _inverse(self):
        return self
