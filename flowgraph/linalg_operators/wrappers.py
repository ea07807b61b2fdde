"""`LinearOperatorAdjoint` and `LinearOperatorInversion`: lazy `A^H` and `A^-1`."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as tf
from flowgraph.linalg_operators.base import LinearOperator, combine_hints, is_complex


def _conj(x, dtype):
    return tf.conj(x) if is_complex(dtype) else x


class _OperatorWrapper(LinearOperator):
    """Shared constructor of operators derived lazily from one `operator`.

    Subclasses set `_relation` (used in hint error messages) and `_name_suffix` (the
    default name is `operator.name + _name_suffix`).
    """

    _relation = ""
    _name_suffix = ""

    def __init__(
        self,
        operator: Any,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = None,
        name: Optional[str] = None,
    ) -> None:
        if not isinstance(operator, LinearOperator):
            raise TypeError(f"Expected a LinearOperator, got {type(operator).__name__}.")
        self._operator = operator
        self._check_hints(operator, is_non_singular, is_square)
        hints = combine_hints(
            operator,
            self._relation,
            is_square=is_square,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
        )
        super().__init__(
            dtype=operator.dtype,
            graph_parents=operator.graph_parents,
            name=name or operator.name + self._name_suffix,
            **hints,
        )

    def _check_hints(
        self, operator: LinearOperator, is_non_singular: Optional[bool],
        is_square: Optional[bool],
    ) -> None:
        """Extra hint requirements of the derived operator; none by default."""


class LinearOperatorAdjoint(_OperatorWrapper):
    """`A^H` of `operator`, computed by flipping `adjoint` flags of the wrapped operator."""

    _relation = "adjoint"
    _name_suffix = "_adjoint"

    @property
    def operator(self) -> LinearOperator:
        """The operator before taking the adjoint."""
        return self._operator

    def _shape(self):
        s = self._operator.shape
        return s[:-2].concatenate([s[-1], s[-2]])

    def _shape_tensor(self):
        s = self._operator.shape_tensor()
        return tf.concat([s[:-2], s[-1:], s[-2:-1]], 0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return _conj(self._operator.determinant(), self.dtype)

    def _log_abs_determinant(self):
        return self._operator.log_abs_determinant()

    def _trace(self):
        return _conj(self._operator.trace(), self.dtype)

    def _diag_part(self):
        return _conj(self._operator.diag_part(), self.dtype)

    def _to_dense(self):
        return tf.linalg.adjoint(self._operator.to_dense())

    def adjoint(self, name: str = "adjoint") -> LinearOperator:
        """The adjoint of the adjoint is the wrapped operator."""
        return self._operator


class LinearOperatorInversion(_OperatorWrapper):
    """`A^-1` of a square non-singular `operator`: matmul calls `operator.solve` and back."""

    _relation = "inverse"
    _name_suffix = "_inv"

    def _check_hints(self, operator, is_non_singular, is_square):
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError(
                f"operator and supplied hints must have is_non_singular equal to True or "
                f"None. Found operator.is_non_singular ({operator.is_non_singular}), "
                f"is_non_singular ({is_non_singular})."
            )
        if operator.is_square is False or is_square is False:
            raise ValueError(
                f"operator and supplied hints must have is_square equal to True or None. "
                f"Found operator.is_square ({operator.is_square}), is_square ({is_square})."
            )

    @property
    def operator(self) -> LinearOperator:
        """The operator before inversion."""
        return self._operator

    def _shape(self):
        return self._operator.shape

    def _shape_tensor(self):
        return self._operator.shape_tensor()

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return 1.0 / self._operator.determinant()

    def _log_abs_determinant(self):
        return -1.0 * self._operator.log_abs_determinant()

    def _inverse(self) -> LinearOperator:
        return self._operator
