"""Discrete cosine transforms (TF1's tf.signal.dct / idct), composed from rfft and irfft."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

import flowgraph as fg
from flowgraph.ops.fft_ops import irfft, rfft


def _validate(input: fg.Tensor, dct_type: int, n: Optional[int], axis: int,  # noqa: A002
              norm: Optional[str]) -> None:
    if axis != -1:
        raise NotImplementedError(f"axis must be -1. Got: {axis}")
    if n is not None and n < 1:
        raise ValueError(f"n should be a positive integer or None, got {n}")
    if dct_type not in (1, 2, 3):
        raise ValueError(f"Only Types I, II and III (I)DCT are supported, got type {dct_type}")
    if dct_type == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        last = input.shape[-1].value if input.shape.ndims else None
        if last is not None and last < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    if norm not in (None, "ortho"):
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm!r}")


def dct(input: Any, type: int = 2, n: Optional[int] = None, axis: int = -1,  # noqa: A002
        norm: Optional[str] = None, name: Optional[str] = None) -> fg.Tensor:
    """The type I, II or III discrete cosine transform of `input` over its innermost axis
    (scipy.fftpack.dct's definitions); ``norm="ortho"`` makes types II and III orthonormal.
    `n` truncates or zero-pads the innermost axis first."""
    with fg.name_scope(name, "dct", [input]):
        input = fg.convert_to_tensor(input)
        if not input.dtype.is_floating:
            raise TypeError(f"dct needs a float32 or float64 input, got {input.dtype.name}")
        _validate(input, type, n, axis, norm)
        if n is not None:
            input = _fit_last(input, n)
        axis_dim = input.shape[-1].value if input.shape.ndims else None
        if axis_dim is None:
            raise ValueError("dct needs a statically known innermost dimension; set the "
                             "placeholder's shape or pass n.")
        dtype = input.dtype
        real_dtype = dtype
        complex_dtype = fg.complex128 if dtype == fg.float64 else fg.complex64
        k = np.arange(axis_dim, dtype=np.float64)
        if type == 1:
            mirrored = fg.concat([input, fg.reverse(input[..., 1:-1], [-1])], -1)
            return fg.real(rfft(mirrored))
        if type == 2:
            scale = fg.constant((2.0 * np.exp(-0.5j * np.pi * k / axis_dim))
                                .astype(complex_dtype.np))
            spectrum = rfft(input, fft_length=[2 * axis_dim])[..., :axis_dim]
            dct2 = fg.real(spectrum * scale)
            if norm == "ortho":
                weights = np.full(axis_dim, np.sqrt(2.0) * 0.5 / np.sqrt(axis_dim))
                weights[0] = 0.5 / np.sqrt(axis_dim)
                dct2 = dct2 * fg.constant(weights.astype(real_dtype.np))
            return dct2
        # Type III: the (scaled) inverse of type II.
        if norm == "ortho":
            weights = np.full(axis_dim, np.sqrt(axis_dim) * np.sqrt(0.5))
            weights[0] = np.sqrt(axis_dim)
            weighted = input * fg.constant(weights.astype(real_dtype.np))
        else:
            weighted = input * fg.constant(np.array(axis_dim, real_dtype.np))
        scale = fg.constant((2.0 * np.exp(0.5j * np.pi * k / axis_dim))
                            .astype(complex_dtype.np))
        spectrum = scale * fg.complex(weighted, fg.zeros_like(weighted))
        return irfft(spectrum, fft_length=[2 * axis_dim])[..., :axis_dim]


def idct(input: Any, type: int = 2, n: Optional[int] = None, axis: int = -1,  # noqa: A002
         norm: Optional[str] = None, name: Optional[str] = None) -> fg.Tensor:
    """The inverse DCT of `type` over the innermost axis: dct of the inverse type (II <-> III,
    I is its own); with norm="ortho" idct(dct(x)) == x, without it the result is scaled by
    2N (types II / III) or 2(N - 1) (type I), as TF1 and scipy."""
    inverse_type = {1: 1, 2: 3, 3: 2}.get(type, type)
    return dct(input, type=inverse_type, n=n, axis=axis, norm=norm, name=name or "idct")


def _fit_last(x: fg.Tensor, n: int) -> fg.Tensor:
    last = x.shape[-1].value if x.shape.ndims else None
    if last is None:
        raise ValueError("dct with n needs a statically known innermost dimension.")
    if last >= n:
        return x[..., :n]
    paddings = [[0, 0]] * (x.shape.ndims - 1) + [[0, n - last]]
    return fg.pad(x, paddings)
