"""`LinearOperatorKronecker`: the Kronecker product `A1 (x) A2 (x) ... (x) AJ`."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as tf
from flowgraph.linalg_operators._matmul import matmul
from flowgraph.linalg_operators._operator_list import all_hint, check_operator_list, static_dim
from flowgraph.linalg_operators.base import LinearOperator


def _kron_dense(a, b):
    """Batched Kronecker product of `[..., m, n]` and `[..., p, q]` -> `[..., m*p, n*q]`."""
    product = tf.expand_dims(tf.expand_dims(a, -1), -3) * tf.expand_dims(
        tf.expand_dims(b, -3), -2
    )
    # product[..., i, k, j, l] = a[..., i, j] * b[..., k, l]
    shape = tf.shape(product)
    rows = shape[-4] * shape[-3]
    cols = shape[-2] * shape[-1]
    return tf.reshape(product, tf.concat([shape[:-4], tf.stack([rows, cols])], 0))


def _kron_vector(a, b):
    """Batched Kronecker product of vectors `[..., m]` and `[..., p]` -> `[..., m*p]`."""
    product = tf.expand_dims(a, -1) * tf.expand_dims(b, -2)
    shape = tf.shape(product)
    return tf.reshape(product, tf.concat([shape[:-2], [shape[-2] * shape[-1]]], 0))


class LinearOperatorKronecker(LinearOperator):
    """`[..., M1*...*MJ, N1*...*NJ]` Kronecker product of the given operators.

    Determinant, trace and diagonal use the factors (`det(A (x) B) = det(A)^q det(B)^m`);
    matmul and solve use the dense product. Factor dimensions must be static.
    """

    def __init__(
        self,
        operators: Any,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = None,
        name: Optional[str] = None,
    ) -> None:
        operators = check_operator_list(operators, "LinearOperatorKronecker")
        is_non_singular = all_hint(
            operators, "is_non_singular", is_non_singular,
            "The Kronecker product of non-singular operators is always non-singular.",
        )
        is_self_adjoint = all_hint(
            operators, "is_self_adjoint", is_self_adjoint,
            "The Kronecker product of self-adjoint operators is always self-adjoint.",
        )
        is_positive_definite = all_hint(
            operators, "is_positive_definite", is_positive_definite,
            "The Kronecker product of positive-definite operators is always "
            "positive-definite.",
        )
        self._operators = operators
        self._rows = [static_dim(op.range_dimension, "range dimension", op) for op in operators]
        self._cols = [static_dim(op.domain_dimension, "domain dimension", op) for op in operators]
        if name is None:
            name = "_x_".join(op.name for op in operators)
        graph_parents = []
        for op in operators:
            graph_parents.extend(op.graph_parents)
        super().__init__(
            dtype=operators[0].dtype,
            graph_parents=graph_parents,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )

    @property
    def operators(self) -> list:
        """The Kronecker factors, leftmost first."""
        return self._operators

    def _product(self, dims: list) -> int:
        result = 1
        for d in dims:
            result *= d
        return result

    def _shape(self):
        batch = self._operators[0].batch_shape
        for op in self._operators[1:]:
            batch = tf.broadcast_static_shape(batch, op.batch_shape)
        return batch.concatenate([self._product(self._rows), self._product(self._cols)])

    def _shape_tensor(self):
        batch = self._operators[0].batch_shape_tensor()
        for op in self._operators[1:]:
            batch = tf.broadcast_dynamic_shape(batch, op.batch_shape_tensor())
        dims = [self._product(self._rows), self._product(self._cols)]
        return tf.concat([batch, tf.constant(dims, dtype=tf.int32)], 0)

    def _to_dense(self):
        result = self._operators[0].to_dense()
        for op in self._operators[1:]:
            result = _kron_dense(result, op.to_dense())
        return result

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return matmul(self._to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _all_square(self) -> bool:
        return all(m == n for m, n in zip(self._rows, self._cols))

    def _determinant(self):
        if not self._all_square():
            return super()._determinant()
        total = self._product(self._rows)
        result = None
        for op, n in zip(self._operators, self._rows):
            term = op.determinant() ** (total // n)
            result = term if result is None else result * term
        return result

    def _log_abs_determinant(self):
        if not self._all_square():
            return super()._log_abs_determinant()
        total = self._product(self._rows)
        result = None
        for op, n in zip(self._operators, self._rows):
            term = float(total // n) * op.log_abs_determinant()
            result = term if result is None else result + term
        return result

    def _trace(self):
        if not self._all_square():
            return super()._trace()
        result = self._operators[0].trace()
        for op in self._operators[1:]:
            result = result * op.trace()
        return result

    def _diag_part(self):
        if not self._all_square():
            return super()._diag_part()
        result = self._operators[0].diag_part()
        for op in self._operators[1:]:
            result = _kron_vector(result, op.diag_part())
        return result

    def _inverse(self):
        return LinearOperatorKronecker(
            [op.inverse() for op in self._operators],
            is_non_singular=self.is_non_singular,
            is_self_adjoint=self.is_self_adjoint,
            is_positive_definite=self.is_positive_definite,
            is_square=True,
        )
