"""`LinearOperatorZeros`: the `[B1,...,Bb, M, N]` all-zeros operator."""

from __future__ import annotations

from typing import Any

import numpy as np

import flowgraph as tf
from flowgraph.linalg_operators.base import LinearOperator
from flowgraph.linalg_operators.identity import _static_batch_shape, _static_nonneg_int
from flowgraph.shapes import TensorShape


class LinearOperatorZeros(LinearOperator):
    """`[B1,...,Bb, M, N]` zero matrix; `matmul` returns zeros, `add_to_tensor` returns `x`.

    Example: `tf.linalg.LinearOperatorZeros(2, 3).to_dense()` is a `[2, 3]` zero matrix.
    """

    def __init__(
        self,
        num_rows: Any,
        num_columns: Any = None,
        batch_shape: Any = None,
        dtype: Any = None,
        is_non_singular: bool = False,
        is_self_adjoint: bool = True,
        is_positive_definite: bool = False,
        is_square: bool = True,
        assert_proper_shapes: bool = False,
        name: str = "LinearOperatorZeros",
    ) -> None:
        dtype = tf.as_dtype(dtype or tf.float32)
        if not is_self_adjoint:
            raise ValueError("A zero operator is always self adjoint.")
        if is_non_singular:
            raise ValueError("A zero operator is always singular.")
        if is_positive_definite:
            raise ValueError("A zero operator is always not positive-definite.")
        self._num_rows = _static_nonneg_int(num_rows, "num_rows")
        if num_columns is None:
            self._num_columns = self._num_rows
        else:
            self._num_columns = _static_nonneg_int(num_columns, "num_columns")
        if is_square and self._num_rows != self._num_columns:
            raise ValueError(
                f"LinearOperatorZeros initialized as is_square=True, but got "
                f"num_rows({self._num_rows}) != num_columns({self._num_columns}). "
                "Pass is_square=False for a non-square zero operator."
            )
        self._batch_shape_arg = _static_batch_shape(batch_shape)
        self._assert_proper_shapes = assert_proper_shapes
        super().__init__(
            dtype=dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )

    def _shape(self):
        batch = self._batch_shape_arg or []
        return TensorShape(batch + [self._num_rows, self._num_columns])

    def _shape_tensor(self):
        return tf.constant(self._shape().as_list(), dtype=tf.int32)

    def _zeros(self, shape):
        return tf.zeros(shape, dtype=self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        rows = self._num_columns if adjoint else self._num_rows
        x_shape = tf.shape(x)
        cols = x_shape[-2] if adjoint_arg else x_shape[-1]
        x_batch = x_shape[:-2]
        batch = tf.broadcast_dynamic_shape(
            x_batch, tf.constant(self._batch_shape_arg or [], dtype=tf.int32)
        )
        out_shape = tf.concat([batch, [rows], tf.reshape(cols, [1])], 0)
        return tf.zeros(out_shape, dtype=self.dtype)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        raise NotImplementedError("Exact solve not implemented for a zero operator.")

    def _determinant(self):
        return self._zeros(self.batch_shape.as_list())

    def _log_abs_determinant(self):
        minus_inf = tf.constant(-np.inf, dtype=self.dtype.real_dtype)
        return tf.fill(self.batch_shape.as_list(), minus_inf)

    def _to_dense(self):
        return self._zeros(self.shape.as_list())

    def _diag_part(self):
        n = min(self._num_rows, self._num_columns)
        return self._zeros(self.batch_shape.as_list() + [n])

    def _trace(self):
        return self._zeros(self.batch_shape.as_list())

    def _add_to_tensor(self, x):
        batch = self.batch_shape.as_list()
        if batch:
            return x + self._zeros(self.shape.as_list())
        return tf.identity(x)
