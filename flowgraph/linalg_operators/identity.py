"""`LinearOperatorIdentity` and `LinearOperatorScaledIdentity`."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

import flowgraph as tf
from flowgraph.linalg_operators.base import (
    LinearOperator,
    check_dtype,
    is_complex,
    real_implies_self_adjoint,
)
from flowgraph.shapes import TensorShape


def _static_nonneg_int(value: Any, arg_name: str) -> int:
    """`num_rows` must be known when the graph is built (a Python/numpy integer)."""
    if isinstance(value, tf.Tensor):
        static = tf.get_static_value(value)
        if static is None:
            raise ValueError(
                f"Argument {arg_name} must be statically known in flowgraph; got the "
                f"non-constant tensor {value.name}. Pass a Python int."
            )
        value = static
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise ValueError(f"Argument {arg_name} must be a 0-D Tensor. Found shape {arr.shape}.")
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"Argument {arg_name} must be integer type.  Found: {arr.dtype}")
    if int(arr) < 0:
        raise ValueError(f"Argument {arg_name} must be non-negative.  Found: {int(arr)}")
    return int(arr)


def _static_batch_shape(batch_shape: Any) -> Optional[list]:
    if batch_shape is None:
        return None
    if isinstance(batch_shape, tf.Tensor):
        static = tf.get_static_value(batch_shape)
        if static is None:
            raise ValueError("Argument batch_shape must be statically known; pass a list.")
        batch_shape = static
    arr = np.asarray(batch_shape)
    if arr.ndim != 1:
        raise ValueError(f"Argument batch_shape must be a 1-D Tensor.  Found: {batch_shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"Argument batch_shape must be integer type.  Found: {arr.dtype}")
    if np.any(arr < 0):
        raise ValueError(f"Argument batch_shape must be non-negative.  Found: {batch_shape}")
    return [int(v) for v in arr]


class LinearOperatorIdentity(LinearOperator):
    """`[B1,...,Bb, N, N]` identity; matmul/solve return the argument (broadcast to batch)."""

    def __init__(
        self,
        num_rows: Any,
        batch_shape: Any = None,
        dtype: Any = None,
        is_non_singular: bool = True,
        is_self_adjoint: bool = True,
        is_positive_definite: bool = True,
        is_square: bool = True,
        assert_proper_shapes: bool = False,
        name: str = "LinearOperatorIdentity",
    ) -> None:
        dtype = tf.as_dtype(dtype or tf.float32)
        if not is_self_adjoint:
            raise ValueError("An identity operator is always self adjoint.")
        if not is_non_singular:
            raise ValueError("An identity operator is always non-singular.")
        if not is_positive_definite:
            raise ValueError("An identity operator is always positive-definite.")
        if not is_square:
            raise ValueError("An identity operator is always square.")
        self._num_rows_static = _static_nonneg_int(num_rows, "num_rows")
        self._batch_shape_static = _static_batch_shape(batch_shape)
        self._assert_proper_shapes = assert_proper_shapes
        super().__init__(
            dtype=dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )

    def _batch_list(self) -> list:
        return self._batch_shape_static or []

    def _shape(self):
        n = self._num_rows_static
        return TensorShape(self._batch_list() + [n, n])

    def _shape_tensor(self):
        return tf.constant(self.shape.as_list(), dtype=tf.int32)

    def _broadcast(self, x):
        if not self._batch_list():
            return x
        return x * tf.ones(self._batch_list() + [1, 1], dtype=self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = tf.linalg.adjoint(x) if adjoint_arg else x
        return self._broadcast(x)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return tf.ones(self._batch_list(), dtype=self.dtype)

    def _log_abs_determinant(self):
        return tf.zeros(self._batch_list(), dtype=self.dtype)

    def _trace(self):
        return tf.ones(self._batch_list(), dtype=self.dtype) * self._num_rows_static

    def _diag_part(self):
        return tf.ones(self._batch_list() + [self._num_rows_static], dtype=self.dtype)

    def _to_dense(self):
        return tf.eye(
            self._num_rows_static, batch_shape=self._batch_shape_static, dtype=self.dtype
        )

    def _add_to_tensor(self, x):
        return tf.linalg.set_diag(x, tf.linalg.diag_part(x) + 1)

    def _inverse(self):
        return self

    def adjoint(self, name: str = "adjoint"):
        """The identity is its own adjoint."""
        return self

    def _cholesky(self):
        return self

    def _assert_non_singular(self):
        return tf.no_op("assert_non_singular")

    def _assert_positive_definite(self):
        return tf.no_op("assert_positive_definite")

    def _assert_self_adjoint(self):
        return tf.no_op("assert_self_adjoint")


class LinearOperatorScaledIdentity(LinearOperator):
    """`[B1,...,Bb, N, N]` operator `multiplier * I` for `multiplier` of shape `[B1,...,Bb]`."""

    def __init__(
        self,
        num_rows: Any,
        multiplier: Any,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: bool = True,
        assert_proper_shapes: bool = False,
        name: str = "LinearOperatorScaledIdentity",
    ) -> None:
        if not is_square:
            raise ValueError("A ScaledIdentity operator is always square.")
        with tf.name_scope(name, values=[multiplier, num_rows]):
            self._multiplier = tf.convert_to_tensor(multiplier, name="multiplier")
            check_dtype(self._multiplier, "multiplier")
            is_self_adjoint = real_implies_self_adjoint(self._multiplier.dtype, is_self_adjoint)
            self._num_rows_static = _static_nonneg_int(num_rows, "num_rows")
            self._assert_proper_shapes = assert_proper_shapes
            super().__init__(
                dtype=self._multiplier.dtype,
                graph_parents=[self._multiplier],
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                name=name,
            )

    @property
    def multiplier(self):
        """The scalar (batch) multiplier."""
        return self._multiplier

    def _shape(self):
        n = self._num_rows_static
        return self._multiplier.shape.concatenate([n, n])

    def _shape_tensor(self):
        n = self._num_rows_static
        return tf.concat([tf.shape(self._multiplier), tf.constant([n, n], tf.int32)], 0)

    def _mult_matrix(self, adjoint):
        m = tf.conj(self._multiplier) if adjoint and is_complex(self.dtype) else self._multiplier
        return tf.expand_dims(tf.expand_dims(m, -1), -1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = tf.linalg.adjoint(x) if adjoint_arg else x
        return x * self._mult_matrix(adjoint)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = tf.linalg.adjoint(rhs) if adjoint_arg else rhs
        return rhs / self._mult_matrix(adjoint)

    def _determinant(self):
        return self._multiplier ** tf.cast(self._num_rows_static, self.dtype)

    def _log_abs_determinant(self):
        log_abs = tf.log(tf.abs(self._multiplier))
        return tf.cast(self._num_rows_static, log_abs.dtype) * log_abs

    def _trace(self):
        return self._multiplier * tf.cast(self._num_rows_static, self.dtype)

    def _diag_part(self):
        ones = tf.ones([self._num_rows_static], dtype=self.dtype)
        return tf.expand_dims(self._multiplier, -1) * ones

    def _to_dense(self):
        return self._mult_matrix(False) * tf.eye(self._num_rows_static, dtype=self.dtype)

    def _add_to_tensor(self, x):
        return tf.linalg.set_diag(x, tf.linalg.diag_part(x) + tf.expand_dims(self._multiplier, -1))

    def _inverse(self):
        return LinearOperatorScaledIdentity(
            self._num_rows_static,
            1.0 / self._multiplier,
            is_non_singular=self.is_non_singular,
            is_self_adjoint=self.is_self_adjoint,
            is_positive_definite=self.is_positive_definite,
            is_square=True,
        )

    def _cholesky(self):
        return LinearOperatorScaledIdentity(
            self._num_rows_static,
            tf.sqrt(self._multiplier),
            is_non_singular=True,
            is_self_adjoint=True,
            is_positive_definite=True,
            is_square=True,
        )

    def _assert_non_singular(self):
        return tf.debugging.assert_positive(
            tf.abs(self._multiplier), message="LinearOperator was singular"
        )

    def _assert_positive_definite(self):
        return tf.debugging.assert_positive(
            tf.math.real(self._multiplier), message="LinearOperator was not positive definite."
        )

    def _assert_self_adjoint(self):
        if not is_complex(self.dtype):
            return tf.no_op("assert_self_adjoint")
        imag = tf.math.imag(self._multiplier)
        return tf.debugging.assert_equal(
            imag, tf.zeros_like(imag), message="LinearOperator was not self-adjoint"
        )
