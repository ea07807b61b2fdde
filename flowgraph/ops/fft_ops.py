"""Fast Fourier transforms over the innermost 1, 2 or 3 dimensions (TF1's spectral ops).

FFT / IFFT (and the 2D, 3D forms) map complex tensors to complex tensors of one shape.
RFFT maps a real tensor to the non-negative frequency half of its spectrum (the innermost
dimension becomes fft_length[-1] // 2 + 1); IRFFT inverts it. Both take `fft_length`, an
int32 vector input: the input is cropped or zero-padded to it along the transformed
dimensions. Gradients are TF1's (fft_ops.py), written as compositions of these ops.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.shapes import TensorShape

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "rfft", "irfft", "rfft2d",
           "irfft2d", "rfft3d", "irfft3d"]

_COMPLEX_OF = {"float32": dtypes.complex64, "float64": dtypes.complex128}


def _check_rank(op: Any, x: Tensor, rank: int) -> None:
    if x.shape.ndims is not None and x.shape.ndims < rank:
        raise ValueError(f"Shape must be at least rank {rank} but is rank {x.shape.ndims} for "
                         f"{op.type} input {x.name} {x.shape}.")


def _axes(rank: int) -> tuple:
    return tuple(range(-rank, 0))


class _ComplexFFT(Op):
    """FFT or its inverse over the innermost `fft_rank` dimensions of a complex tensor."""

    fft_rank: ClassVar[int] = 1
    inverse: ClassVar[bool] = False

    def infer(self, op):
        x = op.inputs[0]
        if not x.dtype.is_complex:
            raise TypeError(f"{op.type} input {x.name} has dtype {x.dtype.name}; expected "
                            "complex64 or complex128 (use fg.complex or fg.cast).")
        _check_rank(op, x, self.fft_rank)
        return [(x.dtype, x.shape)]

    def kernel(self, x):
        if x.size == 0:
            return np.zeros_like(x)
        fn = np.fft.ifftn if self.inverse else np.fft.fftn
        return fn(x, axes=_axes(self.fft_rank)).astype(x.dtype, copy=False)

    def grad(self, op, dy):
        # TF1: d fft = ifft(dy) * N, d ifft = fft(dy) / N, N the transformed size.
        from flowgraph.ops.cast import cast
        from flowgraph.ops.division import realdiv
        from flowgraph.ops.math import multiply
        from flowgraph.ops.reduce import reduce_prod
        from flowgraph.ops.shape_ops import shape
        size = reduce_prod(shape(dy)[-self.fft_rank:])
        size = cast(cast(size, dy.dtype.real_dtype), dy.dtype)
        back = apply_op(_COMPLEX_OPS[(self.fft_rank, not self.inverse)](), [dy])
        return [realdiv(back, size) if self.inverse else multiply(back, size)]


@register
class FFT(_ComplexFFT):
    """The discrete Fourier transform over the innermost dimension."""


@register
class IFFT(_ComplexFFT):
    """The inverse discrete Fourier transform over the innermost dimension."""

    inverse = True


@register
class FFT2D(_ComplexFFT):
    """The 2-D discrete Fourier transform over the 2 innermost dimensions."""

    fft_rank = 2


@register
class IFFT2D(_ComplexFFT):
    """The inverse 2-D discrete Fourier transform over the 2 innermost dimensions."""

    fft_rank = 2
    inverse = True


@register
class FFT3D(_ComplexFFT):
    """The 3-D discrete Fourier transform over the 3 innermost dimensions."""

    fft_rank = 3


@register
class IFFT3D(_ComplexFFT):
    """The inverse 3-D discrete Fourier transform over the 3 innermost dimensions."""

    fft_rank = 3
    inverse = True


_COMPLEX_OPS = {(1, False): FFT, (1, True): IFFT, (2, False): FFT2D, (2, True): IFFT2D,
                (3, False): FFT3D, (3, True): IFFT3D}


def _check_fft_length(op: Any, fft_length: Tensor, rank: int) -> Optional[np.ndarray]:
    """The static fft_length (None if unknown) after checking its dtype and shape."""
    if fft_length.dtype != dtypes.int32:
        raise TypeError(f"{op.type} fft_length must be int32, got {fft_length.dtype.name}.")
    if not fft_length.shape.is_compatible_with([rank]):
        raise ValueError(f"{op.type} fft_length must be a vector of {rank} lengths, got shape "
                         f"{fft_length.shape}.")
    value = constant_value(fft_length)
    if value is not None and np.any(value < 0):
        raise ValueError(f"{op.type} fft_length must be non-negative, got {value.tolist()}.")
    return value


def _runtime_lengths(op_type: str, fft_length: np.ndarray, rank: int) -> tuple:
    lengths = np.asarray(fft_length).reshape(-1)
    if lengths.size != rank or np.any(lengths < 0):
        raise errors.InvalidArgumentError(
            None, None, f"{op_type} fft_length must be {rank} non-negative lengths, got "
            f"{lengths.tolist()}.")
    return tuple(int(n) for n in lengths)


def _inner_shape(x: Tensor, rank: int, inner: Optional[np.ndarray]) -> TensorShape:
    if x.shape.ndims is None:
        return TensorShape(None)
    outer = x.shape.as_list()[:-rank]
    if inner is None:
        return TensorShape(outer + [None] * rank)
    return TensorShape(outer + [int(n) for n in inner])


class _RealFFT(Op):
    """RFFT over the innermost `fft_rank` dimensions: inputs (real input, fft_length)."""

    fft_rank: ClassVar[int] = 1

    def infer(self, op):
        x, fft_length = op.inputs
        if x.dtype.name not in _COMPLEX_OF:
            raise TypeError(f"{op.type} input {x.name} has dtype {x.dtype.name}; expected "
                            "float32 or float64.")
        _check_rank(op, x, self.fft_rank)
        lengths = _check_fft_length(op, fft_length, self.fft_rank)
        inner = None if lengths is None else np.concatenate(
            [lengths[:-1], [lengths[-1] // 2 + 1]])
        return [(_COMPLEX_OF[x.dtype.name], _inner_shape(x, self.fft_rank, inner))]

    def kernel(self, x, fft_length):
        lengths = _runtime_lengths(self.type_name, fft_length, self.fft_rank)
        dtype = _COMPLEX_OF[x.dtype.name].np
        out_inner = lengths[:-1] + (lengths[-1] // 2 + 1,)
        if 0 in lengths or x.size == 0:
            return np.zeros(x.shape[:-self.fft_rank] + out_inner, dtype)
        return np.fft.rfftn(x, s=lengths, axes=_axes(self.fft_rank)).astype(dtype, copy=False)

    def grad(self, op, dy):
        # With z = rfft(x), dL/dx = N * irfft(dy * w) cut back to x's shape, w being 1 at
        # the frequencies irfft counts once (0, and N/2 for even N) and 1/2 elsewhere.
        x, fft_length = op.inputs
        from flowgraph.ops.math import multiply
        total = _total_size(fft_length, dy.dtype)
        weighted = multiply(dy, _half_spectrum_mask(dy, fft_length, inverse=False))
        back = apply_op(_REAL_OPS[(self.fft_rank, True)](), [weighted, fft_length])
        back = multiply(back, _cast_real(total, back.dtype))
        from flowgraph.ops.shape_ops import shape
        return [_fit_inner(back, shape(x)[-self.fft_rank:], self.fft_rank), None]


class _InverseRealFFT(Op):
    """IRFFT over the innermost `fft_rank` dimensions: inputs (complex input, fft_length)."""

    fft_rank: ClassVar[int] = 1

    def infer(self, op):
        x, fft_length = op.inputs
        if not x.dtype.is_complex:
            raise TypeError(f"{op.type} input {x.name} has dtype {x.dtype.name}; expected "
                            "complex64 or complex128.")
        _check_rank(op, x, self.fft_rank)
        lengths = _check_fft_length(op, fft_length, self.fft_rank)
        return [(x.dtype.real_dtype, _inner_shape(x, self.fft_rank, lengths))]

    def kernel(self, x, fft_length):
        lengths = _runtime_lengths(self.type_name, fft_length, self.fft_rank)
        dtype = x.real.dtype
        if 0 in lengths or x.size == 0:
            return np.zeros(x.shape[:-self.fft_rank] + lengths, dtype)
        return np.fft.irfftn(x, s=lengths, axes=_axes(self.fft_rank)).astype(dtype, copy=False)

    def grad(self, op, dy):
        # x = irfft(z): dL/dz = rfft(dy) * c / N, c = 1 at 0 (and N/2 for even N), else 2.
        z, fft_length = op.inputs
        from flowgraph.ops.math import multiply
        from flowgraph.ops.shape_ops import shape
        spectrum = apply_op(_REAL_OPS[(self.fft_rank, False)](), [dy, fft_length])
        total = _total_size(fft_length, spectrum.dtype)
        mask = _half_spectrum_mask(spectrum, fft_length, inverse=True)
        from flowgraph.ops.division import realdiv
        grad = realdiv(multiply(spectrum, mask), total)
        return [_fit_inner(grad, shape(z)[-self.fft_rank:], self.fft_rank), None]


@register
class RFFT(_RealFFT):
    """The real-input FFT over the innermost dimension."""


@register
class IRFFT(_InverseRealFFT):
    """The inverse of RFFT over the innermost dimension."""


@register
class RFFT2D(_RealFFT):
    """The real-input FFT over the 2 innermost dimensions."""

    fft_rank = 2


@register
class IRFFT2D(_InverseRealFFT):
    """The inverse of RFFT2D over the 2 innermost dimensions."""

    fft_rank = 2


@register
class RFFT3D(_RealFFT):
    """The real-input FFT over the 3 innermost dimensions."""

    fft_rank = 3


@register
class IRFFT3D(_InverseRealFFT):
    """The inverse of RFFT3D over the 3 innermost dimensions."""

    fft_rank = 3


_REAL_OPS = {(1, False): RFFT, (1, True): IRFFT, (2, False): RFFT2D, (2, True): IRFFT2D,
             (3, False): RFFT3D, (3, True): IRFFT3D}


# --------------------------------------------------------------------------- gradient helpers
def _cast_real(x: Tensor, dtype: Any) -> Tensor:
    from flowgraph.ops.cast import cast
    return cast(x, dtype)


def _total_size(fft_length: Tensor, dtype: Any) -> Tensor:
    """prod(fft_length) as a scalar of `dtype` (complex via its real dtype)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.reduce import reduce_prod
    dtype = dtypes.as_dtype(dtype)
    return cast(cast(reduce_prod(fft_length), dtype.real_dtype), dtype)


def _half_spectrum_mask(spectrum: Tensor, fft_length: Tensor, inverse: bool) -> Tensor:
    """A vector over the innermost (half-spectrum) axis of `spectrum`: where irfft counts a
    frequency once (0, and N/2 for even N) 1, elsewhere 1/2 (or 2 when `inverse`)."""
    from flowgraph.ops.compare import equal
    from flowgraph.ops.division import floordiv, floormod
    from flowgraph.ops.fill import fill
    from flowgraph.ops.fill import range as fg_range
    from flowgraph.ops.logic import logical_and, logical_or, where
    from flowgraph.ops.shape_ops import shape
    n = fft_length[-1]
    k = fg_range(shape(spectrum)[-1])
    once = logical_or(equal(k, 0), logical_and(equal(floormod(n, 2), 0),
                                               equal(k, floordiv(n, 2))))
    dtype = spectrum.dtype
    ones = fill(shape(k), np.array(1, dtype.np))
    other = fill(shape(k), np.array(2.0 if inverse else 0.5, dtype.np))
    return where(once, ones, other)


def _fit_inner(t: Tensor, target: Tensor, rank: int) -> Tensor:
    """t cropped or zero-padded at the end of its `rank` innermost dimensions to `target`."""
    from flowgraph.ops.array import concat, stack
    from flowgraph.ops.fill import fill, zeros_like
    from flowgraph.ops.math import maximum, minimum, subtract
    from flowgraph.ops.pad import pad
    from flowgraph.ops.shape_ops import shape, size
    from flowgraph.ops.slicing import slice as fg_slice
    full = shape(t)
    inner = full[-rank:]
    outer_rank = subtract(size(full), rank)
    keep = concat([fill([outer_rank], -1), minimum(inner, target)], 0)
    cropped = fg_slice(t, zeros_like(full), keep)
    extra = concat([fill([outer_rank], 0), maximum(subtract(target, inner), 0)], 0)
    return pad(cropped, stack([zeros_like(full), extra], axis=1))


# --------------------------------------------------------------------------- public functions
def _complex_fft(op_class: type, default: str):
    def transform(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
        with op_scope(name, default, [input]) as scope:
            return apply_op(op_class(), [convert_to_tensor(input, name="input")], name=scope)
    transform.__name__ = transform.__qualname__ = default.lower()
    inverse = "inverse " if op_class.inverse else ""
    transform.__doc__ = (f"The {inverse}{op_class.fft_rank}-D discrete Fourier transform over "
                         f"the {op_class.fft_rank} innermost dimension(s) of a complex tensor "
                         f"(node {op_class.__name__!r}).")
    return transform


fft = _complex_fft(FFT, "FFT")
ifft = _complex_fft(IFFT, "IFFT")
fft2d = _complex_fft(FFT2D, "FFT2D")
ifft2d = _complex_fft(IFFT2D, "IFFT2D")
fft3d = _complex_fft(FFT3D, "FFT3D")
ifft3d = _complex_fft(IFFT3D, "IFFT3D")


def _default_fft_length(x: Tensor, rank: int, inverse: bool) -> Any:
    """TF1's inferred fft_length: the innermost dims of x; for irfft the last one becomes
    2 * (n - 1) (the even length whose half spectrum has n bins)."""
    dims = x.shape.as_list()[-rank:] if x.shape.ndims is not None else None
    if dims is not None and None not in dims:
        if inverse:
            dims[-1] = max(0, 2 * (dims[-1] - 1))
        return convert_to_tensor(np.array(dims, np.int32))
    from flowgraph.ops.array import concat
    from flowgraph.ops.math import maximum, multiply, subtract
    from flowgraph.ops.shape_ops import shape
    inner = shape(x)[-rank:]
    if not inverse:
        return inner
    last = maximum(multiply(subtract(inner[-1:], 1), 2), 0)
    return concat([inner[:-1], last], 0)


def _real_fft(op_class: type, default: str, inverse: bool):
    def transform(input_tensor: Any, fft_length: Any = None,
                  name: Optional[str] = None) -> Tensor:
        with op_scope(name, default, [input_tensor, fft_length]) as scope:
            x = convert_to_tensor(input_tensor, name="input_tensor",
                                  preferred_dtype=None if inverse else dtypes.float32)
            rank = op_class.fft_rank
            if fft_length is None:
                fft_length = _default_fft_length(x, rank, inverse)
            else:
                fft_length = convert_to_tensor(fft_length, dtype=dtypes.int32)
            return apply_op(op_class(), [x, fft_length], name=scope)
    transform.__name__ = default
    transform.__qualname__ = default
    rank = op_class.fft_rank
    if inverse:
        transform.__doc__ = (
            f"The inverse of rfft{'' if rank == 1 else f'{rank}d'} over the {rank} innermost "
            "dimension(s): a real tensor whose innermost dimensions are `fft_length` "
            "(default: the input's, the last one 2 * (n - 1)); node "
            f"{op_class.__name__!r}.")
    else:
        transform.__doc__ = (
            f"The {rank}-D FFT of a real tensor over its {rank} innermost dimension(s), "
            "cropped or zero-padded to `fft_length` (default: the input's dims); the "
            f"innermost output dimension is fft_length[-1] // 2 + 1. Node "
            f"{op_class.__name__!r}.")
    return transform


rfft = _real_fft(RFFT, "rfft", False)
irfft = _real_fft(IRFFT, "irfft", True)
rfft2d = _real_fft(RFFT2D, "rfft2d", False)
irfft2d = _real_fft(IRFFT2D, "irfft2d", True)
rfft3d = _real_fft(RFFT3D, "rfft3d", False)
irfft3d = _real_fft(IRFFT3D, "irfft3d", True)
