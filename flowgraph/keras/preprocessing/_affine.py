"""Bilinear (order-1) 2-D affine resampling in numpy, matching
``scipy.ndimage.affine_transform(..., order=1, mode=...)`` for the Keras fill modes."""

from __future__ import annotations

import numpy as np

FILL_MODES = ("constant", "nearest", "reflect", "wrap")


def _neighbours(coord: np.ndarray, n: int, mode: str) -> tuple:
    """Indices of the two neighbours of `coord` along an axis of length `n`, the weight of
    the second, and a mask of the coordinates that fall outside (``'constant'`` only)."""
    outside = np.zeros(coord.shape, dtype=bool)
    if mode == "wrap":
        # scipy's 'wrap': the last and first points overlap (period n - 1)
        period = n - 1
        if period > 0:
            out = (coord < 0) | (coord > period)
            coord = np.where(out, np.mod(coord, period), coord)
        else:
            coord = np.zeros_like(coord)
    elif mode == "constant":
        outside = (coord < 0) | (coord > n - 1)
    low = np.floor(coord)
    frac = coord - low
    low = low.astype(np.int64)
    high = low + 1
    if mode == "reflect":
        low, high = _reflect(low, n), _reflect(high, n)
    else:
        low, high = np.clip(low, 0, n - 1), np.clip(high, 0, n - 1)
    return low, high, frac, outside


def _reflect(index: np.ndarray, n: int) -> np.ndarray:
    """Half-sample symmetric extension: ``d c b a | a b c d | d c b a``."""
    index = np.mod(index, 2 * n)
    return np.where(index >= n, 2 * n - 1 - index, index)


def affine_resample(image: np.ndarray, matrix: np.ndarray, offset: np.ndarray, mode: str,
                    cval: float) -> np.ndarray:
    """``out[r, c] = image[matrix @ (r, c) + offset]``, bilinearly interpolated, for a 2-D
    `image`; points outside are filled as `mode` says (``'constant'``: `cval`)."""
    if mode not in FILL_MODES:
        raise ValueError(f"fill_mode must be one of {FILL_MODES}, got {mode!r}")
    h, w = image.shape
    rows, cols = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64),
                             indexing="ij")
    src_r = matrix[0, 0] * rows + matrix[0, 1] * cols + offset[0]
    src_c = matrix[1, 0] * rows + matrix[1, 1] * cols + offset[1]
    r0, r1, fr, out_r = _neighbours(src_r, h, mode)
    c0, c1, fc, out_c = _neighbours(src_c, w, mode)
    img = image.astype(np.float64)
    value = ((1 - fr) * (1 - fc) * img[r0, c0] + (1 - fr) * fc * img[r0, c1]
             + fr * (1 - fc) * img[r1, c0] + fr * fc * img[r1, c1])
    if mode == "constant":
        value = np.where(out_r | out_c, cval, value)
    return value.astype(image.dtype)
