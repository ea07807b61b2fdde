"""The `LinearOperator` base class: hints, shapes and default (dense) algorithms."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

import flowgraph as tf
from flowgraph.shapes import TensorShape

_ALLOWED_DTYPES = ("float16", "float32", "float64", "complex64", "complex128")


def check_dtype(tensor: Any, arg_name: str) -> None:
    """Raise TypeError unless `tensor` has a floating or complex dtype (as TF does)."""
    if tensor.dtype.name not in _ALLOWED_DTYPES:
        raise TypeError(
            f"Argument {arg_name} must have dtype in {list(_ALLOWED_DTYPES)}. "
            f"Found: {tensor.dtype.name}. Cast it first, e.g. tf.cast({arg_name}, tf.float32)."
        )


def is_complex(dtype: Any) -> bool:
    """True for complex64/complex128."""
    return dtype.name.startswith("complex")


def combine_hint(operator: Any, attr: str, provided: Optional[bool], message: str):
    """TF's `use_operator_or_provided_hint_unless_contradicting`."""
    op_hint = getattr(operator, attr)
    if op_hint is False and provided:
        raise ValueError(message)
    if op_hint and provided is False:
        raise ValueError(message)
    if op_hint or provided:
        return True
    if op_hint is False or provided is False:
        return False
    return None


_HINT_ADJECTIVES = {
    "is_square": "square",
    "is_non_singular": "non-singular",
    "is_self_adjoint": "self-adjoint",
    "is_positive_definite": "positive-definite",
}


def combine_hints(operator: Any, relation: str, **provided: Optional[bool]) -> dict:
    """`combine_hint` for every hint of an operator derived from `operator`.

    `relation` names the derived operator ("adjoint", "inverse"); each hint is one
    its derived operator has exactly when `operator` has it. Hints are checked in
    the order is_square, is_non_singular, is_self_adjoint, is_positive_definite.
    """
    combined = {}
    for attr, adjective in _HINT_ADJECTIVES.items():
        message = (
            f"An operator is {adjective} if and only if its {relation} is {adjective}."
        )
        combined[attr] = combine_hint(operator, attr, provided[attr], message)
    return combined


def forced_hint(provided: Optional[bool], message: str) -> bool:
    """Return True for a hint the operator's structure guarantees; raise if it is False."""
    if provided is False:
        raise ValueError(message)
    return True


def real_implies_self_adjoint(dtype: Any, is_self_adjoint: Optional[bool]) -> Optional[bool]:
    """A real diagonal (or scaled identity) operator is always self-adjoint."""
    if is_complex(dtype):
        return is_self_adjoint
    return forced_hint(is_self_adjoint, "A real diagonal operator is always self adjoint.")


def convert_operator_tensor(value: Any, arg_name: str, min_ndims: int):
    """Convert `value` to a float/complex tensor named `arg_name` of rank >= `min_ndims`."""
    tensor = tf.convert_to_tensor(value, name=arg_name)
    check_dtype(tensor, arg_name)
    ndims = tensor.shape.ndims
    if ndims is not None and ndims < min_ndims:
        dims = "dimension" if min_ndims == 1 else "dimensions"
        raise ValueError(
            f"Argument {arg_name} must have at least {min_ndims} {dims}.  Found: {tensor}"
        )
    return tensor


def _dim_value(dim: Any) -> Optional[int]:
    return getattr(dim, "value", dim)


class LinearOperator:
    """Base class for a (batch of) linear operator(s) `A` of shape `[B1,...,Bb, M, N]`.

    Subclasses implement `_shape`, `_shape_tensor`, `_matmul` and optionally faster
    versions of `_solve`, `_determinant`, `_log_abs_determinant`, `_diag_part`, ...
    Every public method mirrors TF 1.15's `tf.linalg.LinearOperator`.
    """

    def __init__(
        self,
        dtype: Any,
        graph_parents: Any = None,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = None,
        name: Optional[str] = None,
    ) -> None:
        if is_positive_definite:
            if is_non_singular is False:
                raise ValueError("A positive definite matrix is always non-singular.")
            is_non_singular = True
        if is_non_singular:
            if is_square is False:
                raise ValueError("A non-singular matrix is always square.")
            is_square = True
        if is_self_adjoint:
            if is_square is False:
                raise ValueError("A self-adjoint matrix is always square.")
            is_square = True
        self._is_square_set_or_implied_by_hints = is_square
        self._dtype = tf.as_dtype(dtype) if dtype is not None else None
        self._graph_parents = list(graph_parents or [])
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._name = name or type(self).__name__

    # ----------------------------------------------------------------- metadata
    @property
    def dtype(self):
        """The dtype of tensors this operator acts on."""
        return self._dtype

    @property
    def name(self) -> str:
        """Name given at construction."""
        return self._name

    @property
    def graph_parents(self) -> list:
        """Tensors this operator was built from."""
        return self._graph_parents

    @property
    def is_non_singular(self) -> Optional[bool]:
        """Hint: the operator is invertible."""
        return self._is_non_singular

    @property
    def is_self_adjoint(self) -> Optional[bool]:
        """Hint: the operator equals its adjoint."""
        return self._is_self_adjoint

    @property
    def is_positive_definite(self) -> Optional[bool]:
        """Hint: `Re(x^H A x) > 0` for all nonzero `x`."""
        return self._is_positive_definite

    @property
    def is_square(self) -> Optional[bool]:
        """True/False if the static shape decides it, otherwise the hint."""
        auto = _dim_value(self.domain_dimension) == _dim_value(self.range_dimension)
        if self._is_square_set_or_implied_by_hints is False and auto:
            raise ValueError(
                "User set is_square hint to False, but the operator was square."
            )
        if None in (_dim_value(self.domain_dimension), _dim_value(self.range_dimension)):
            return self._is_square_set_or_implied_by_hints
        return auto

    # ------------------------------------------------------------------- shapes
    def _shape(self) -> TensorShape:
        raise NotImplementedError(f"{type(self).__name__} must implement _shape.")

    def _shape_tensor(self):
        raise NotImplementedError(f"{type(self).__name__} must implement _shape_tensor.")

    @property
    def shape(self) -> TensorShape:
        """Static `TensorShape` `[B1,...,Bb, M, N]`."""
        return self._shape()

    def shape_tensor(self, name: str = "shape_tensor"):
        """Runtime shape as an int32 tensor."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                if self.shape.is_fully_defined():
                    return tf.constant(self.shape.as_list(), dtype=tf.int32)
                return self._shape_tensor()

    @property
    def batch_shape(self) -> TensorShape:
        """Static batch shape `[B1,...,Bb]`."""
        return self.shape[:-2]

    def batch_shape_tensor(self, name: str = "batch_shape_tensor"):
        """Runtime batch shape."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                if self.batch_shape.is_fully_defined():
                    return tf.constant(self.batch_shape.as_list(), dtype=tf.int32)
                return self._shape_tensor()[:-2]

    @property
    def tensor_rank(self) -> Optional[int]:
        """Static rank `b + 2` (None if unknown)."""
        return self.shape.ndims

    def tensor_rank_tensor(self, name: str = "tensor_rank_tensor"):
        """Runtime rank."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                if self.tensor_rank is not None:
                    return tf.constant(self.tensor_rank, dtype=tf.int32)
                return tf.size(self._shape_tensor())

    @property
    def domain_dimension(self):
        """Static `N` (the size of vectors this operator acts on)."""
        return self.shape[-1]

    def domain_dimension_tensor(self, name: str = "domain_dimension_tensor"):
        """Runtime `N`."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                n = _dim_value(self.domain_dimension)
                if n is not None:
                    return tf.constant(n, dtype=tf.int32)
                return self._shape_tensor()[-1]

    @property
    def range_dimension(self):
        """Static `M` (the size of vectors this operator produces)."""
        return self.shape[-2]

    def range_dimension_tensor(self, name: str = "range_dimension_tensor"):
        """Runtime `M`."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                m = _dim_value(self.range_dimension)
                if m is not None:
                    return tf.constant(m, dtype=tf.int32)
                return self._shape_tensor()[-2]

    # -------------------------------------------------------------- validation
    def _check_input_dtype(self, arg: Any) -> None:
        if arg.dtype.base_dtype != self.dtype:
            raise TypeError(
                f"Expected argument to have dtype {self.dtype.name}. Found: {arg.dtype.name} "
                f"in tensor {arg.name}. Cast it with tf.cast(x, {self.dtype.name})."
            )

    def _check_inner_dims(self, x: Any, adjoint: bool, adjoint_arg: bool, what: str) -> None:
        op_dim = self.shape[-2] if adjoint else self.shape[-1]
        x_shape = x.shape
        if x_shape.ndims is None:
            return
        if x_shape.ndims < 2:
            raise ValueError(
                f"{self.name}.{what}: argument must have rank >= 2 (got shape {x_shape}); "
                f"use {what}vec for vectors."
            )
        x_dim = x_shape[-1] if adjoint_arg else x_shape[-2]
        if not op_dim.is_compatible_with(x_dim):
            raise ValueError(
                f"{self.name}.{what}: dimensions {op_dim} and {x_dim} are not compatible "
                f"(operator shape {self.shape}, argument shape {x_shape}, adjoint={adjoint}, "
                f"adjoint_arg={adjoint_arg})."
            )

    def _max_condition_number_to_be_non_singular(self) -> float:
        n = _dim_value(self.domain_dimension) or 1
        eps = np.finfo(self.dtype.real_dtype.as_numpy_dtype).eps
        return 1.0 / (100.0 * eps * n)

    def _assert_non_singular(self):
        if self._can_use_cholesky():
            return self.assert_positive_definite()
        singular_values = tf.linalg.svd(self.to_dense(), compute_uv=False)
        cond = tf.reduce_max(singular_values, axis=-1) / tf.reduce_min(singular_values, axis=-1)
        return tf.debugging.assert_less(
            cond,
            tf.constant(self._max_condition_number_to_be_non_singular(), dtype=cond.dtype),
            message="Singular matrix up to precision epsilon.",
        )

    def assert_non_singular(self, name: str = "assert_non_singular"):
        """Op that fails at run time (InvalidArgumentError) if the operator is singular."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                return self._assert_non_singular()

    def _assert_positive_definite(self):
        if self.is_self_adjoint:
            return tf.debugging.assert_positive(
                tf.linalg.diag_part(tf.linalg.cholesky(self.to_dense())),
                message="Matrix was not positive definite.",
            )
        raise NotImplementedError(
            "assert_positive_definite is not implemented for operators not hinted "
            "is_self_adjoint=True (as in TF)."
        )

    def assert_positive_definite(self, name: str = "assert_positive_definite"):
        """Op that fails at run time if the operator is not positive definite."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                return self._assert_positive_definite()

    def _assert_self_adjoint(self):
        dense = self.to_dense()
        return tf.debugging.assert_equal(
            dense, tf.linalg.adjoint(dense), message="Matrix was not equal to its adjoint."
        )

    def assert_self_adjoint(self, name: str = "assert_self_adjoint"):
        """Op that fails at run time if the operator is not self-adjoint."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                return self._assert_self_adjoint()

    # ------------------------------------------------------------------ matmul
    def _matmul(self, x, adjoint: bool = False, adjoint_arg: bool = False):
        raise NotImplementedError(f"{type(self).__name__} must implement _matmul.")

    def matmul(self, x, adjoint: bool = False, adjoint_arg: bool = False, name: str = "matmul"):
        """Compute `A @ x` (or `A^H`, `x^H` per flags). `x` may also be a LinearOperator."""
        if isinstance(x, LinearOperator):
            from flowgraph.linalg_operators.composition import LinearOperatorComposition

            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            if not left.domain_dimension.is_compatible_with(right.range_dimension):
                raise ValueError(
                    f"Operators are incompatible. Expected `x` to have dimension "
                    f"{left.domain_dimension} but got {right.range_dimension}."
                )
            return LinearOperatorComposition([left, right])
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                x = tf.convert_to_tensor(x, name="x")
                self._check_input_dtype(x)
                self._check_inner_dims(x, adjoint, adjoint_arg, "matmul")
                return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def matvec(self, x, adjoint: bool = False, name: str = "matvec"):
        """Compute `A @ x` for a (batch of) vector(s) `x` of shape `[..., N]`."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                x = tf.convert_to_tensor(x, name="x")
                self._check_input_dtype(x)
                mat = tf.expand_dims(x, -1)
                return tf.squeeze(self.matmul(mat, adjoint=adjoint), axis=[-1])

    # ------------------------------------------------------------------- solve
    def _solve(self, rhs, adjoint: bool = False, adjoint_arg: bool = False):
        if adjoint_arg:
            rhs = tf.linalg.adjoint(rhs)
        if self._can_use_cholesky():
            return tf.linalg.cholesky_solve(tf.linalg.cholesky(self.to_dense()), rhs)
        return tf.linalg.solve(self.to_dense(), rhs, adjoint=adjoint)

    def solve(self, rhs, adjoint: bool = False, adjoint_arg: bool = False, name: str = "solve"):
        """Solve `A X = rhs` (or `A^H X = rhs`) for `X`."""
        if self.is_non_singular is False:
            raise NotImplementedError(
                "Exact solve not implemented for an operator that is expected to be singular."
            )
        if self.is_square is False:
            raise NotImplementedError(
                "Exact solve not implemented for an operator that is expected to not be square."
            )
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                rhs = tf.convert_to_tensor(rhs, name="rhs")
                self._check_input_dtype(rhs)
                self._check_inner_dims(rhs, not adjoint, adjoint_arg, "solve")
                return self._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def solvevec(self, rhs, adjoint: bool = False, name: str = "solve"):
        """Solve `A x = rhs` for a (batch of) vector(s) `rhs` of shape `[..., M]`."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                rhs = tf.convert_to_tensor(rhs, name="rhs")
                self._check_input_dtype(rhs)
                mat = tf.expand_dims(rhs, -1)
                return tf.squeeze(self.solve(mat, adjoint=adjoint), axis=[-1])

    # ------------------------------------------------------- scalar functions
    def _can_use_cholesky(self) -> bool:
        return bool(self.is_self_adjoint and self.is_positive_definite)

    def _determinant(self):
        if self._can_use_cholesky():
            return tf.exp(self.log_abs_determinant())
        return tf.linalg.det(self.to_dense())

    def determinant(self, name: str = "det"):
        """Determinant of every batch member, shape `[B1,...,Bb]`."""
        if self.is_square is False:
            raise NotImplementedError(
                "Determinant not implemented for an operator that is expected to not be square."
            )
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                return self._determinant()

    def _log_abs_determinant(self):
        if self._can_use_cholesky():
            diag = tf.linalg.diag_part(tf.linalg.cholesky(self.to_dense()))
            return 2.0 * tf.reduce_sum(tf.log(tf.abs(diag)), axis=[-1])
        _, log_abs_det = tf.linalg.slogdet(self.to_dense())
        return log_abs_det

    def log_abs_determinant(self, name: str = "log_abs_det"):
        """`log|det(A)|` of every batch member."""
        if self.is_square is False:
            raise NotImplementedError(
                "Determinant not implemented for an operator that is expected to not be square."
            )
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                return self._log_abs_determinant()

    def _to_dense(self):
        n = _dim_value(self.domain_dimension)
        if n is None or not self.batch_shape.is_fully_defined():
            raise ValueError(
                f"{self.name}.to_dense needs a fully defined static shape, got {self.shape}."
            )
        eye = tf.eye(n, batch_shape=self.batch_shape.as_list(), dtype=self.dtype)
        return self.matmul(eye)

    def to_dense(self, name: str = "to_dense"):
        """The dense `[B1,...,Bb, M, N]` tensor this operator represents."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                return self._to_dense()

    def _diag_part(self):
        return tf.linalg.diag_part(self.to_dense())

    def diag_part(self, name: str = "diag_part"):
        """Main diagonal, shape `[B1,...,Bb, min(M, N)]`."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                return self._diag_part()

    def _trace(self):
        return tf.reduce_sum(self.diag_part(), axis=-1)

    def trace(self, name: str = "trace"):
        """Trace of every batch member, shape `[B1,...,Bb]`."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                return self._trace()

    def _add_to_tensor(self, x):
        return self.to_dense() + x

    def add_to_tensor(self, x, name: str = "add_to_tensor"):
        """Return `A + x` as a dense tensor."""
        with tf.name_scope(self.name):
            with tf.name_scope(name):
                x = tf.convert_to_tensor(x, name="x")
                self._check_input_dtype(x)
                return self._add_to_tensor(x)

    # ---------------------------------------------------- operator-valued ops
    def adjoint(self, name: str = "adjoint") -> "LinearOperator":
        """The adjoint `A^H` as a LinearOperator (self if hinted self-adjoint)."""
        if self.is_self_adjoint is True:
            return self
        from flowgraph.linalg_operators.wrappers import LinearOperatorAdjoint

        return LinearOperatorAdjoint(self)

    H = property(adjoint, None)

    def inverse(self, name: str = "inverse") -> "LinearOperator":
        """The inverse `A^-1` as a LinearOperator."""
        if self.is_square is False:
            raise ValueError(
                "Cannot take the Inverse: This operator represents a non square matrix."
            )
        if self.is_non_singular is False:
            raise ValueError("Cannot take the Inverse: This operator represents a singular matrix.")
        return self._inverse()

    def _inverse(self) -> "LinearOperator":
        from flowgraph.linalg_operators.wrappers import LinearOperatorInversion

        return LinearOperatorInversion(self)

    def cholesky(self, name: str = "cholesky") -> "LinearOperator":
        """Lower Cholesky factor `L` (`A = L L^H`) as a LinearOperator."""
        if not self._can_use_cholesky():
            raise ValueError(
                "Cannot take the Cholesky decomposition: Not a positive definite self "
                "adjoint matrix. Construct the operator with is_self_adjoint=True and "
                "is_positive_definite=True if it is."
            )
        return self._cholesky()

    def _cholesky(self) -> "LinearOperator":
        from flowgraph.linalg_operators.lower_triangular import LinearOperatorLowerTriangular

        return LinearOperatorLowerTriangular(
            tf.linalg.cholesky(self.to_dense()),
            is_non_singular=True,
            is_self_adjoint=False,
            is_square=True,
        )

    def __repr__(self) -> str:
        return (
            f"<fg.linalg.{type(self).__name__} '{self.name}' shape={self.shape} "
            f"dtype={self.dtype.name}>"
        )
