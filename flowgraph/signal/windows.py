"""Raised-cosine windows (TF1's tf.signal.hann_window and hamming_window)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

import flowgraph as fg
from flowgraph import dtypes


def hann_window(window_length: Any, periodic: bool = True, dtype: Any = dtypes.float32,
                name: Optional[str] = None) -> fg.Tensor:
    """The Hann window 0.5 - 0.5 cos(2 pi n / N) of `window_length` samples, N being
    window_length when `periodic` (for spectral analysis) and window_length - 1 otherwise.

    >>> fg.signal.hann_window(4)  # [0, 0.5, 1, 0.5]
    """
    return _raised_cosine_window(name, "hann_window", window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length: Any, periodic: bool = True, dtype: Any = dtypes.float32,
                   name: Optional[str] = None) -> fg.Tensor:
    """The Hamming window 0.54 - 0.46 cos(2 pi n / N) (N as in `hann_window`)."""
    return _raised_cosine_window(name, "hamming_window", window_length, periodic, dtype, 0.54,
                                 0.46)


def _raised_cosine_window(name, default, window_length, periodic, dtype, a, b) -> fg.Tensor:
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype.name}")
    with fg.name_scope(name, default, [window_length, periodic]):
        window_length = fg.convert_to_tensor(window_length, dtype=dtypes.int32,
                                             name="window_length")
        if window_length.shape.ndims not in (None, 0):
            raise ValueError(f"window_length must be a scalar, got shape {window_length.shape}")
        periodic = fg.cast(fg.convert_to_tensor(periodic, dtype=dtypes.bool_,
                                                name="periodic"), dtypes.int32)
        static = fg.get_static_value(window_length) if hasattr(fg, "get_static_value") \
            else None
        if static is not None and int(static) == 1:
            return fg.ones([1], dtype=dtype)
        even = 1 - fg.mod(window_length, 2)
        n = fg.cast(window_length + periodic * even - 1, dtype)
        count = fg.cast(fg.range(window_length), dtype)
        cos_arg = fg.constant(2 * np.pi, dtype=dtype) * count / n
        window = fg.constant(a, dtype=dtype) - fg.constant(b, dtype=dtype) * fg.cos(cos_arg)
        if static is None:  # window_length 1 is [1] (the formula gives 0 / 0 there)
            window = fg.where(fg.equal(window_length, 1), fg.ones_like(window), window)
        return window
