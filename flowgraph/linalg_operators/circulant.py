"""`LinearOperatorCirculant`, `...Circulant2D`, `...Circulant3D`: (nested block) circulants.

An operator is defined by its `spectrum` (eigenvalues): `A x = IFFT(spectrum * FFT(x))`,
with 1-, 2- or 3-D FFTs over the trailing `block_depth` dimensions of `spectrum`.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

import flowgraph as tf
from flowgraph import dtypes
from flowgraph.linalg_operators.base import LinearOperator, is_complex

_FFT_NAMES = {1: ("fft", "ifft"), 2: ("fft2d", "ifft2d"), 3: ("fft3d", "ifft3d")}
_SPECTRUM_DTYPES = ("float16", "float32", "float64", "complex64", "complex128")


def _to_complex(x):
    if is_complex(x.dtype):
        return x
    target = tf.complex128 if x.dtype.name == "float64" else tf.complex64
    return tf.cast(x, target)


class _BaseLinearOperatorCirculant(LinearOperator):
    """Shared implementation; `block_depth` is 1, 2 or 3."""

    def __init__(
        self,
        spectrum: Any,
        block_depth: int,
        input_output_dtype: Any = dtypes.complex64,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = True,
        name: str = "LinearOperatorCirculant",
    ) -> None:
        if block_depth not in (1, 2, 3):
            raise ValueError(f"Argument block_depth must be one of [1, 2, 3]. Found: {block_depth}")
        self._block_depth = block_depth
        with tf.name_scope(name, values=[spectrum]):
            self._spectrum = tf.convert_to_tensor(spectrum, name="spectrum")
            if self._spectrum.dtype.name not in _SPECTRUM_DTYPES:
                raise TypeError(
                    f"Argument spectrum must have dtype in {list(_SPECTRUM_DTYPES)}. Found: "
                    f"{self._spectrum.dtype.name}. Cast it, e.g. tf.cast(spectrum, tf.float32)."
                )
            ndims = self._spectrum.shape.ndims
            if ndims is not None and ndims < block_depth:
                raise ValueError(
                    f"Argument spectrum must have at least {block_depth} dimensions.  "
                    f"Found: {self._spectrum}"
                )
            if not is_complex(self._spectrum.dtype):
                if is_self_adjoint is False:
                    raise ValueError(
                        "A real spectrum always corresponds to a self-adjoint operator."
                    )
                is_self_adjoint = True
            if is_square is False:
                raise ValueError("A [[nested] block] circulant operator is always square.")
            is_square = True
            super().__init__(
                dtype=tf.as_dtype(input_output_dtype),
                graph_parents=[self._spectrum],
                is_non_singular=is_non_singular,
                is_self_adjoint=is_self_adjoint,
                is_positive_definite=is_positive_definite,
                is_square=is_square,
                name=name,
            )

    @property
    def spectrum(self):
        """The spectrum `[B1,...,Bb, N0(, N1(, N2))]` as given."""
        return self._spectrum

    @property
    def block_depth(self) -> int:
        """Depth of nesting: 1 (circulant), 2 (block circulant), 3."""
        return self._block_depth

    def block_shape_tensor(self):
        """Runtime shape of the blocks, the trailing `block_depth` spectrum dimensions."""
        return tf.shape(self._spectrum)[-self._block_depth:]

    @property
    def block_shape(self):
        """Static shape of the blocks."""
        return self._spectrum.shape[-self._block_depth:]

    def _shape(self):
        block = self.block_shape
        if block.is_fully_defined():
            n = int(np.prod(block.as_list()))
        else:
            n = None
        return self._spectrum.shape[:-self._block_depth].concatenate([n, n])

    def _shape_tensor(self):
        n = tf.reduce_prod(self.block_shape_tensor())
        batch = tf.shape(self._spectrum)[:-self._block_depth]
        return tf.concat([batch, tf.reshape(n, [1]), tf.reshape(n, [1])], 0)

    def _apply(self, x, adjoint, adjoint_arg, solve):
        x = tf.linalg.adjoint(x) if adjoint_arg else x
        spectrum = _to_complex(self._spectrum)
        if adjoint:
            spectrum = tf.conj(spectrum)
        # Looked up at call time: tf.signal is imported after tf.linalg.
        fft_name, ifft_name = _FFT_NAMES[self._block_depth]
        fft, ifft = getattr(tf.signal, fft_name), getattr(tf.signal, ifft_name)
        # [..., N, R] -> [..., R, N] -> [..., R, N0(, N1(, N2))]
        x_rows = tf.linalg.matrix_transpose(tf.cast(x, spectrum.dtype))
        lead = tf.shape(x_rows)[:-1]
        blocked = tf.reshape(x_rows, tf.concat([lead, self.block_shape_tensor()], 0))
        spectrum = tf.expand_dims(spectrum, -(self._block_depth + 1))
        transformed = fft(blocked)
        transformed = transformed / spectrum if solve else transformed * spectrum
        y = ifft(transformed)
        y_lead = tf.shape(y)[:-self._block_depth]
        n = tf.reshape(tf.reduce_prod(self.block_shape_tensor()), [1])
        y = tf.linalg.matrix_transpose(tf.reshape(y, tf.concat([y_lead, n], 0)))
        return tf.cast(y, self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._apply(x, adjoint, adjoint_arg, solve=False)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._apply(rhs, adjoint, adjoint_arg, solve=True)

    def _block_axes(self):
        return [-(i + 1) for i in range(self._block_depth)]

    def _determinant(self):
        axes = self._block_axes()
        if not is_complex(self._spectrum.dtype):
            return tf.cast(tf.reduce_prod(self._spectrum, axis=axes), self.dtype)
        # Prod has no complex kernel: multiply moduli and add arguments instead.
        modulus = tf.reduce_prod(tf.abs(self._spectrum), axis=axes)
        phase = tf.reduce_sum(tf.math.angle(self._spectrum), axis=axes)
        det = tf.complex(modulus * tf.cos(phase), modulus * tf.sin(phase))
        return tf.cast(det, self.dtype)

    def _log_abs_determinant(self):
        lad = tf.reduce_sum(tf.log(tf.abs(self._spectrum)), axis=self._block_axes())
        return tf.cast(lad, self.dtype)

    def _trace(self):
        return tf.cast(tf.reduce_sum(self._spectrum, axis=self._block_axes()), self.dtype)

    def _diag_part(self):
        n = tf.reduce_prod(self.block_shape_tensor())
        mean = self._trace() / tf.cast(tf.maximum(n, 1), self.dtype)
        ones = tf.ones(tf.reshape(n, [1]), dtype=self.dtype)
        return tf.expand_dims(mean, -1) * ones

    def _to_dense(self):
        n = tf.reduce_prod(self.block_shape_tensor())
        batch = tf.shape(self._spectrum)[:-self._block_depth]
        eye = tf.eye(n, dtype=self.dtype)
        eye = eye + tf.zeros(tf.concat([batch, [n, n]], 0), dtype=self.dtype)
        return self._matmul(eye)

    def _inverse(self):
        return type(self)(
            1.0 / self._spectrum,
            input_output_dtype=self.dtype,
            is_non_singular=self.is_non_singular,
            is_self_adjoint=self.is_self_adjoint,
            is_positive_definite=self.is_positive_definite,
            is_square=True,
        )


class LinearOperatorCirculant(_BaseLinearOperatorCirculant):
    """`[..., N, N]` circulant operator with eigenvalues `spectrum` `[..., N]`.

    The dense matrix is `scipy.linalg.circulant(ifft(spectrum))`. A real
    `spectrum` gives a self-adjoint operator; a Hermitian one (`spectrum[k] ==
    conj(spectrum[-k])`) a real operator, usable with a real `input_output_dtype`.
    """

    def __init__(
        self,
        spectrum: Any,
        input_output_dtype: Any = dtypes.complex64,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = True,
        name: str = "LinearOperatorCirculant",
    ) -> None:
        super().__init__(
            spectrum,
            block_depth=1,
            input_output_dtype=input_output_dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )


class LinearOperatorCirculant2D(_BaseLinearOperatorCirculant):
    """Block circulant with circulant blocks; `spectrum` `[..., N0, N1]`, `N = N0 * N1`."""

    def __init__(
        self,
        spectrum: Any,
        input_output_dtype: Any = dtypes.complex64,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = True,
        name: str = "LinearOperatorCirculant2D",
    ) -> None:
        super().__init__(
            spectrum,
            block_depth=2,
            input_output_dtype=input_output_dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )


class LinearOperatorCirculant3D(_BaseLinearOperatorCirculant):
    """Doubly nested block circulant; `spectrum` `[..., N0, N1, N2]`, `N = N0 * N1 * N2`."""

    def __init__(
        self,
        spectrum: Any,
        input_output_dtype: Any = dtypes.complex64,
        is_non_singular: Optional[bool] = None,
        is_self_adjoint: Optional[bool] = None,
        is_positive_definite: Optional[bool] = None,
        is_square: Optional[bool] = True,
        name: str = "LinearOperatorCirculant3D",
    ) -> None:
        super().__init__(
            spectrum,
            block_depth=3,
            input_output_dtype=input_output_dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
        )
