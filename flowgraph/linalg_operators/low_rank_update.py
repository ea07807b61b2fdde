"""`LinearOperatorLowRankUpdate`: `A = L + U D V^H` with a cheap base operator `L`."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as tf
from flowgraph.linalg_operators._matmul import matmul
from flowgraph.linalg_operators.base import LinearOperator, check_dtype, is_complex
from flowgraph.linalg_operators.diag import LinearOperatorDiag
from flowgraph.linalg_operators.identity import LinearOperatorIdentity


class LinearOperatorLowRankUpdate(LinearOperator):
    """`[..., M, N]` operator `L + U D V^H`; `U` is `[..., M, K]`, `V` `[..., N, K]`, `D` `K x K`.

    `D = diag(diag_update)` (identity when `diag_update` is None) and `V = U` when
    `v` is None. Solves use the Woodbury identity and determinants the matrix
    determinant lemma, both through the `K x K` capacitance `C = D^-1 + V^H L^-1 U`.
    """

    def __init__(
        self,
        base_operator: LinearOperator,
        u: Any,
        diag_update: Any = None,
        v: Any = None,
        is_diag_update_positive: Optional[bool] = None,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = None,
        name: str = "LinearOperatorLowRankUpdate",
    ) -> None:
        if not isinstance(base_operator, LinearOperator):
            raise TypeError(
                f"Argument base_operator must be a LinearOperator, got "
                f"{type(base_operator).__name__}. Wrap a dense matrix in "
                "tf.linalg.LinearOperatorFullMatrix."
            )
        dtype = base_operator.dtype
        if diag_update is None:
            if is_diag_update_positive is False:
                raise ValueError(
                    "Default diagonal is the identity, which is positive.  However, "
                    "user set 'is_diag_update_positive' to False."
                )
            is_diag_update_positive = True
        self._use_cholesky = bool(
            base_operator.is_positive_definite
            and base_operator.is_self_adjoint
            and is_diag_update_positive
            and v is None
        )
        if base_operator.is_self_adjoint and v is None and not is_complex(dtype):
            if is_self_adjoint is False:
                raise ValueError(
                    "A = L + UDU^H, with L self-adjoint and D real diagonal.  Since"
                    " UDU^H is self-adjoint, this must be a self-adjoint operator."
                )
            is_self_adjoint = True
        if self._use_cholesky:
            if is_positive_definite is False or is_self_adjoint is False or (
                is_non_singular is False
            ):
                raise ValueError(
                    "Arguments imply this is self-adjoint positive-definite operator."
                )
            is_positive_definite = True
            is_self_adjoint = True
        values = list(base_operator.graph_parents) + [u, diag_update, v]
        with tf.name_scope(name, values=[x for x in values if x is not None]):
            self._u = self._convert(u, "u", dtype)
            self._v = self._u if v is None else self._convert(v, "v", dtype)
            if diag_update is None:
                self._diag_update = None
            else:
                self._diag_update = self._convert(diag_update, "diag_update", dtype)
            self._base_operator = base_operator
            self._is_diag_update_positive = is_diag_update_positive
            parents = list(base_operator.graph_parents) + [self._u, self._diag_update]
            if v is not None:
                parents.append(self._v)
            super().__init__(
                dtype=dtype,
                graph_parents=[p for p in parents if p is not None],
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                name=name,
            )
            self._check_shapes()
            self._set_diag_operators()

    @staticmethod
    def _convert(value, arg_name, dtype):
        tensor = tf.convert_to_tensor(value, name=arg_name)
        check_dtype(tensor, arg_name)
        if tensor.dtype.base_dtype != dtype:
            raise TypeError(
                f"Argument {arg_name} must have dtype {dtype.name} (the base operator's); "
                f"found {tensor.dtype.name}. Cast it with tf.cast({arg_name}, {dtype.name})."
            )
        return tensor

    def _check_shapes(self):
        u_shape, v_shape = self._u.shape, self._v.shape
        for arg, shape in (("u", u_shape), ("v", v_shape)):
            if shape.ndims is not None and shape.ndims < 2:
                raise ValueError(f"Argument {arg} must have rank >= 2; found shape {shape}.")
        if u_shape.ndims is None or v_shape.ndims is None:
            return
        base = self._base_operator
        if not u_shape[-2].is_compatible_with(base.range_dimension):
            raise ValueError(
                f"u.shape[-2] ({u_shape[-2]}) must equal the base operator's range "
                f"dimension ({base.range_dimension}); base shape {base.shape}."
            )
        if not v_shape[-2].is_compatible_with(base.domain_dimension):
            raise ValueError(
                f"v.shape[-2] ({v_shape[-2]}) must equal the base operator's domain "
                f"dimension ({base.domain_dimension}); base shape {base.shape}."
            )
        if not u_shape[-1].is_compatible_with(v_shape[-1]):
            raise ValueError(
                f"u and v must have the same last dimension K; found {u_shape} and {v_shape}."
            )
        if self._diag_update is not None:
            d_shape = self._diag_update.shape
            if d_shape.ndims is not None and not d_shape[-1:].is_compatible_with(u_shape[-1:]):
                raise ValueError(
                    f"diag_update.shape[-1] must equal u.shape[-1] (K); found {d_shape} "
                    f"and {u_shape}."
                )

    def _set_diag_operators(self):
        if self._diag_update is not None:
            self._diag_operator = LinearOperatorDiag(
                self._diag_update, is_positive_definite=self._is_diag_update_positive
            )
        else:
            k = self._u.shape[-1].value
            if k is None:
                raise ValueError(
                    f"u's last dimension must be static when diag_update is None; u has "
                    f"shape {self._u.shape}."
                )
            self._diag_operator = LinearOperatorIdentity(num_rows=k, dtype=self.dtype)

    @property
    def u(self):
        """`U`, shape `[..., M, K]`."""
        return self._u

    @property
    def v(self):
        """`V`, shape `[..., N, K]` (the same tensor as `u` when `v` was None)."""
        return self._v

    @property
    def diag_update(self):
        """`diag_update` or None (meaning the identity)."""
        return self._diag_update

    @property
    def diag_operator(self):
        """`D` as a LinearOperator."""
        return self._diag_operator

    @property
    def base_operator(self):
        """The base operator `L`."""
        return self._base_operator

    @property
    def is_diag_update_positive(self):
        """Hint: `D` is positive."""
        return self._is_diag_update_positive

    def _shape(self):
        batch = tf.broadcast_static_shape(self._base_operator.batch_shape, self._u.shape[:-2])
        batch = tf.broadcast_static_shape(batch, self._v.shape[:-2])
        return batch.concatenate(self._base_operator.shape[-2:])

    def _shape_tensor(self):
        batch = tf.broadcast_dynamic_shape(
            self._base_operator.batch_shape_tensor(), tf.shape(self._u)[:-2]
        )
        batch = tf.broadcast_dynamic_shape(batch, tf.shape(self._v)[:-2])
        return tf.concat([batch, self._base_operator.shape_tensor()[-2:]], 0)

    def _factors(self, adjoint):
        """`(left, right)` with `A` (or `A^H`) `= L(^H) + left D(^H) right^H`."""
        return (self._v, self._u) if adjoint else (self._u, self._v)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        left, right = self._factors(adjoint)
        base_x = self._base_operator.matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        right_x = matmul(right, x, adjoint_a=True, adjoint_b=adjoint_arg)
        d_right_x = self._diag_operator.matmul(right_x, adjoint=adjoint)
        return base_x + tf.matmul(left, d_right_x)

    def _capacitance(self, adjoint):
        """`C = D^-1 + right^H L^-1 left` for `A` (or `A^H`)."""
        left, right = self._factors(adjoint)
        linv_left = self._base_operator.solve(left, adjoint=adjoint)
        small = matmul(right, linv_left, adjoint_a=True)
        d_inverse = self._diag_operator.inverse()
        if adjoint:
            d_inverse = d_inverse.adjoint()
        return d_inverse.add_to_tensor(small)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        if self._base_operator.is_non_singular is False:
            raise ValueError(
                "Solve not implemented unless this is a perturbation of a "
                "non-singular LinearOperator."
            )
        # Woodbury: A^-1 = L^-1 - L^-1 U C^-1 V^H L^-1.
        left, right = self._factors(adjoint)
        linv_rhs = self._base_operator.solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        right_linv_rhs = matmul(right, linv_rhs, adjoint_a=True)
        capacitance = self._capacitance(adjoint)
        if self._use_cholesky:
            z = tf.linalg.cholesky_solve(tf.linalg.cholesky(capacitance), right_linv_rhs)
        else:
            z = tf.linalg.solve(capacitance, right_linv_rhs)
        return linv_rhs - self._base_operator.solve(tf.matmul(left, z), adjoint=adjoint)

    def _log_abs_determinant(self):
        # Matrix determinant lemma: det(A) = det(C) det(D) det(L).
        capacitance = self._capacitance(False)
        if self._use_cholesky:
            chol_diag = tf.linalg.diag_part(tf.linalg.cholesky(capacitance))
            lad_c = 2.0 * tf.reduce_sum(tf.log(tf.abs(chol_diag)), axis=[-1])
        else:
            _, lad_c = tf.linalg.slogdet(capacitance)
        return (
            lad_c
            + self._diag_operator.log_abs_determinant()
            + self._base_operator.log_abs_determinant()
        )

    def _determinant(self):
        if self.is_positive_definite:
            return tf.exp(self._log_abs_determinant())
        det_c = tf.linalg.det(self._capacitance(False))
        return det_c * self._diag_operator.determinant() * self._base_operator.determinant()

    def _diag_part(self):
        if not self.is_square:
            return super()._diag_part()
        # diag(U D V^H)_i = sum_k U_ik D_k conj(V_ik)
        terms = self._u * tf.conj(self._v)
        if self._diag_update is not None:
            terms = terms * tf.expand_dims(self._diag_update, -2)
        return self._base_operator.diag_part() + tf.reduce_sum(terms, axis=-1)

    def _to_dense(self):
        d = self._diag_operator.matmul(tf.linalg.adjoint(self._v))
        return self._base_operator.to_dense() + tf.matmul(self._u, d)
