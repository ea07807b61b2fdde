"""`LinearOperatorBlockDiag`: the direct sum `diag(A1, ..., AJ)` of square operators."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as tf
from flowgraph.linalg_operators._operator_list import all_hint, check_operator_list, static_dim
from flowgraph.linalg_operators.base import LinearOperator


class LinearOperatorBlockDiag(LinearOperator):
    """Square block-diagonal operator; each method works block by block.

    Batch shapes of the blocks broadcast. Block sizes must be static.
    """

    def __init__(
        self,
        operators: Any,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = True,
        name: Optional[str] = None,
    ) -> None:
        operators = check_operator_list(operators, "LinearOperatorBlockDiag")
        for op in operators:
            if op.is_square is False:
                raise ValueError(
                    f"All operators must be square; {op.name} has shape {op.shape}."
                )
        is_non_singular = all_hint(
            operators, "is_non_singular", is_non_singular,
            "The direct sum of non-singular operators is always non-singular.",
        )
        is_self_adjoint = all_hint(
            operators, "is_self_adjoint", is_self_adjoint,
            "The direct sum of self-adjoint operators is always self-adjoint.",
        )
        is_positive_definite = all_hint(
            operators, "is_positive_definite", is_positive_definite,
            "The direct sum of positive definite operators is always positive definite.",
        )
        if is_square is False:
            raise ValueError("The direct sum of square operators is always square.")
        is_square = True
        self._operators = operators
        self._sizes = [static_dim(op.domain_dimension, "block size", op) for op in operators]
        if name is None:
            name = "_ds_".join(op.name for op in operators)
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
        """The diagonal blocks, top-left first."""
        return self._operators

    def _shape(self):
        batch = self._operators[0].batch_shape
        for op in self._operators[1:]:
            batch = tf.broadcast_static_shape(batch, op.batch_shape)
        n = sum(self._sizes)
        return batch.concatenate([n, n])

    def _shape_tensor(self):
        batch = self._operators[0].batch_shape_tensor()
        for op in self._operators[1:]:
            batch = tf.broadcast_dynamic_shape(batch, op.batch_shape_tensor())
        n = sum(self._sizes)
        return tf.concat([batch, tf.constant([n, n], dtype=tf.int32)], 0)

    def _broadcast_concat(self, parts, axis):
        """Concatenate `parts` after broadcasting their batch dimensions to a common one."""
        batch = tf.shape(parts[0])[:-2]
        for part in parts[1:]:
            batch = tf.broadcast_dynamic_shape(batch, tf.shape(part)[:-2])
        parts = [
            tf.broadcast_to(p, tf.concat([batch, tf.shape(p)[-2:]], 0)) for p in parts
        ]
        return tf.concat(parts, axis=axis)

    def _blockwise(self, x, adjoint, adjoint_arg, method):
        x = tf.linalg.adjoint(x) if adjoint_arg else x
        pieces = tf.split(x, self._sizes, axis=-2)
        results = [
            getattr(op, method)(piece, adjoint=adjoint)
            for op, piece in zip(self._operators, pieces)
        ]
        return self._broadcast_concat(results, axis=-2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._blockwise(x, adjoint, adjoint_arg, "matmul")

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._blockwise(rhs, adjoint, adjoint_arg, "solve")

    def _determinant(self):
        result = self._operators[0].determinant()
        for op in self._operators[1:]:
            result = result * op.determinant()
        return result

    def _log_abs_determinant(self):
        result = self._operators[0].log_abs_determinant()
        for op in self._operators[1:]:
            result = result + op.log_abs_determinant()
        return result

    def _trace(self):
        result = self._operators[0].trace()
        for op in self._operators[1:]:
            result = result + op.trace()
        return result

    def _diag_part(self):
        diags = [tf.expand_dims(op.diag_part(), -2) for op in self._operators]
        return tf.squeeze(self._broadcast_concat(diags, axis=-1), axis=[-2])

    def _to_dense(self):
        rows = []
        total = sum(self._sizes)
        start = 0
        for op, size in zip(self._operators, self._sizes):
            dense = op.to_dense()
            paddings = [[0, 0]] * (dense.shape.ndims - 1) + [[start, total - start - size]]
            rows.append(tf.pad(dense, paddings))
            start += size
        return self._broadcast_concat(rows, axis=-2)

    def _inverse(self):
        return LinearOperatorBlockDiag(
            [op.inverse() for op in self._operators],
            is_non_singular=self.is_non_singular,
            is_self_adjoint=self.is_self_adjoint,
            is_positive_definite=self.is_positive_definite,
            is_square=True,
        )
