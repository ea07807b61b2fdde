"""`LinearOperatorComposition`: `A1 @ A2 @ ... @ AJ`, applied right to left."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as tf
from flowgraph.linalg_operators.base import LinearOperator


class LinearOperatorComposition(LinearOperator):
    """The product of a list of LinearOperators, never formed densely unless asked."""

    def __init__(
        self,
        operators: Any,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = None,
        name: Optional[str] = None,
    ) -> None:
        operators = list(operators)
        if not operators:
            raise ValueError(f"Expected a non-empty list of operators. Found: {operators}")
        for op in operators:
            if not isinstance(op, LinearOperator):
                raise TypeError(
                    f"Expected a list of LinearOperator, got {type(op).__name__}. Wrap dense "
                    "matrices in tf.linalg.LinearOperatorFullMatrix."
                )
        dtype = operators[0].dtype
        for op in operators:
            if op.dtype != dtype:
                names = [(o.name, o.dtype.name) for o in operators]
                raise TypeError(f"Expected all operators to have the same dtype.  Found {names}")
        for left, right in zip(operators[:-1], operators[1:]):
            if not left.domain_dimension.is_compatible_with(right.range_dimension):
                raise ValueError(
                    f"Operators are incompatible: {left.name} has domain dimension "
                    f"{left.domain_dimension} but {right.name} has range dimension "
                    f"{right.range_dimension}."
                )
        if all(op.is_non_singular for op in operators):
            if is_non_singular is False:
                raise ValueError(
                    "The composition of non-singular operators is always non-singular."
                )
            is_non_singular = True
        self._operators = operators
        if name is None:
            name = "_o_".join(op.name for op in operators)
        graph_parents = []
        for op in operators:
            graph_parents.extend(op.graph_parents)
        super().__init__(
            dtype=dtype,
            graph_parents=graph_parents,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )

    @property
    def operators(self) -> list:
        """The composed operators, leftmost first."""
        return self._operators

    def _shape(self):
        batch = self._operators[0].batch_shape
        for op in self._operators[1:]:
            batch = tf.broadcast_static_shape(batch, op.batch_shape)
        rows = self._operators[0].range_dimension
        cols = self._operators[-1].domain_dimension
        return batch.concatenate([rows, cols])

    def _shape_tensor(self):
        batch = self._operators[0].batch_shape_tensor()
        for op in self._operators[1:]:
            batch = tf.broadcast_dynamic_shape(batch, op.batch_shape_tensor())
        return tf.concat(
            [
                batch,
                tf.reshape(self._operators[0].range_dimension_tensor(), [1]),
                tf.reshape(self._operators[-1].domain_dimension_tensor(), [1]),
            ],
            0,
        )

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        if adjoint:
            ordered = self._operators
        else:
            ordered = list(reversed(self._operators))
        result = ordered[0].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in ordered[1:]:
            result = op.matmul(result, adjoint=adjoint)
        return result

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        if not all(op.is_square for op in self._operators):
            return super()._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        ordered = list(reversed(self._operators)) if adjoint else self._operators
        result = ordered[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in ordered[1:]:
            result = op.solve(result, adjoint=adjoint)
        return result

    def _determinant(self):
        if not all(op.is_square for op in self._operators):
            return super()._determinant()
        result = self._operators[0].determinant()
        for op in self._operators[1:]:
            result = result * op.determinant()
        return result

    def _log_abs_determinant(self):
        if not all(op.is_square for op in self._operators):
            return super()._log_abs_determinant()
        result = self._operators[0].log_abs_determinant()
        for op in self._operators[1:]:
            result = result + op.log_abs_determinant()
        return result

    def _to_dense(self):
        result = self._operators[-1].to_dense()
        for op in reversed(self._operators[:-1]):
            result = op.matmul(result)
        return result
