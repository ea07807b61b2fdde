"""numpy helpers of the image ops: resampling weights ("taps") and their adjoints.

A resize is separable: along one axis, output index ``o`` is ``sum_k w[o, k] * x[idx[o, k]]``
(two taps for bilinear, four for bicubic, one for nearest, a box for area). The same taps,
scattered back, give the exact gradient (the adjoint). Positions follow TF1's kernels
(image_resizer_state.h): the scale is ``in / out``, or ``(in - 1) / (out - 1)`` with
`align_corners`; output index ``o`` samples ``o * scale`` (legacy) or
``(o + 0.5) * scale - 0.5`` (half-pixel centres), in float32 as TF1 computes it.
"""

from __future__ import annotations

import numpy as np

__all__: list = []

_F32 = np.float32
_TABLE_SIZE = 1024


def resize_scale(in_size: int, out_size: int, align_corners: bool) -> np.float32:
    """TF1's CalculateResizeScale, in float32."""
    if align_corners and out_size > 1:
        return _F32(in_size - 1) / _F32(out_size - 1)
    return _F32(in_size) / _F32(out_size)


def _positions(in_size: int, out_size: int, align_corners: bool, half_pixel: bool,
               offset: float = 0.5) -> np.ndarray:
    """Source positions of the output indices (float32); `offset` is what the half-pixel
    scaler subtracts after scaling (0.5 for interpolation, 0 for nearest neighbour)."""
    scale = resize_scale(in_size, out_size, align_corners)
    out = np.arange(out_size, dtype=_F32)
    if half_pixel:
        return (out + _F32(0.5)) * scale - _F32(offset)
    return out * scale


def round_half_away(x: np.ndarray) -> np.ndarray:
    """C's roundf: halves round away from zero (numpy's round goes to even)."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def bilinear_taps(in_size: int, out_size: int, align_corners: bool,
                  half_pixel: bool) -> tuple:
    """(idx, weights) of shape [out, 2]: the lower and upper neighbours, as TF1's
    compute_interpolation_weights (indices clamped into the image)."""
    pos = _positions(in_size, out_size, align_corners, half_pixel)
    low_f = np.floor(pos)
    lower = np.clip(low_f, 0, in_size - 1).astype(np.int64)
    upper = np.clip(np.ceil(pos), 0, in_size - 1).astype(np.int64)
    lerp = pos - low_f
    return np.stack([lower, upper], 1), np.stack([_F32(1) - lerp, lerp], 1)


def nearest_taps(in_size: int, out_size: int, align_corners: bool, half_pixel: bool) -> tuple:
    """(idx, weights) of shape [out, 1]: floor (or round, with align_corners) of the source
    position, as TF1's resize_nearest_neighbor_op (half-pixel: ``(o + 0.5) * scale``)."""
    pos = _positions(in_size, out_size, align_corners, half_pixel, offset=0.0)
    src = round_half_away(pos) if align_corners else np.floor(pos)
    idx = np.clip(src, 0, in_size - 1).astype(np.int64)
    return idx[:, None], np.ones((out_size, 1), _F32)


def _cubic_coefficients(offset: np.ndarray, a: float) -> np.ndarray:
    """The four Keys-cubic weights for a fractional position quantized to 1/1024 (TF1's
    coefficient table), shape [out, 4]."""
    def inner(x):   # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def outer(x):   # 1 <= |x| <= 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    near = offset / _TABLE_SIZE
    far = (_TABLE_SIZE - offset) / _TABLE_SIZE
    weights = np.stack([outer(near + 1), inner(near), inner(far), outer(far + 1)], 1)
    return weights.astype(_F32)


def bicubic_taps(in_size: int, out_size: int, align_corners: bool, half_pixel: bool) -> tuple:
    """(idx, weights) of shape [out, 4] as TF1's resize_bicubic_op: a = -0.75 with indices
    clamped at the borders (legacy), or Keys' a = -0.5 with samples outside the image
    dropped and the weights renormalized (half-pixel centres)."""
    pos = _positions(in_size, out_size, align_corners, half_pixel)
    start = np.floor(pos)
    offset = np.rint((pos - start) * _TABLE_SIZE).astype(np.int64)
    weights = _cubic_coefficients(offset, -0.5 if half_pixel else -0.75)
    raw = start.astype(np.int64)[:, None] + np.arange(-1, 3)
    idx = np.clip(raw, 0, in_size - 1)
    if half_pixel:
        weights = np.where(idx == raw, weights, _F32(0))
        total = weights.sum(axis=1, keepdims=True)
        usable = np.abs(total) >= 1000 * np.finfo(np.float32).tiny
        weights = np.where(usable, weights / np.where(usable, total, 1), weights)
    return idx, weights.astype(_F32)


def area_taps(in_size: int, out_size: int, align_corners: bool) -> tuple:
    """(idx, weights) of shape [out, K]: the fraction of each input cell inside output
    cell ``[o * scale, (o + 1) * scale)``, divided by the scale (TF1's resize_area_op, with
    indices past the edge clamped)."""
    scale = resize_scale(in_size, out_size, align_corners)
    out = np.arange(out_size, dtype=_F32)
    lo = out * scale
    hi = (out + _F32(1)) * scale
    start = np.floor(lo).astype(np.int64)
    end = np.ceil(hi).astype(np.int64)
    count = int(max(1, (end - start).max()))
    cells = start[:, None] + np.arange(count)
    c = cells.astype(_F32)
    lo2, hi2 = lo[:, None], hi[:, None]
    cover = np.where(c < lo2, np.where(c + 1 > hi2, scale, c + 1 - lo2),
                     np.where(c + 1 > hi2, hi2 - c, _F32(1)))
    cover = np.where(cells < end[:, None], cover, _F32(0))
    idx = np.clip(cells, 0, in_size - 1)
    return idx, (cover / scale).astype(_F32)


TAPS = {"bilinear": bilinear_taps, "nearest": nearest_taps, "bicubic": bicubic_taps}


def apply_taps(x: np.ndarray, axis: int, idx: np.ndarray, weights: np.ndarray,
               dtype: np.dtype) -> np.ndarray:
    """Resamples `x` along `axis` with the taps; the result has `dtype`."""
    shape = [1] * x.ndim
    shape[axis] = idx.shape[0]
    total = None
    for k in range(idx.shape[1]):
        part = np.take(x, idx[:, k], axis=axis).astype(dtype, copy=False)
        part = part * weights[:, k].astype(dtype).reshape(shape)
        total = part if total is None else np.add(total, part, out=total)
    return total


def scatter_taps(targets: np.ndarray, weights: np.ndarray, rows: np.ndarray,
                 count: int) -> np.ndarray:
    """``out[targets[k, i]] += weights[k, i] * rows[i]`` over every tap k and row i, for
    `targets` and `weights` of shape [taps, rows]; out has `count` rows. A bincount per
    column when there are few columns (channels), else a sort and a segmented sum; no
    Python loop over rows."""
    columns = rows.shape[1]
    if columns <= 16:
        out = np.zeros((count, columns), dtype=np.float64)
        flat_targets = targets.reshape(-1)
        for c in range(columns):
            values = (weights * rows[:, c]).reshape(-1)
            out[:, c] = np.bincount(flat_targets, weights=values, minlength=count)
        return out.astype(rows.dtype, copy=False)
    out = np.zeros((count, columns), dtype=rows.dtype)
    flat_targets = targets.reshape(-1)
    if flat_targets.size == 0:
        return out
    order = np.argsort(flat_targets, kind="stable")
    sorted_targets = flat_targets[order]
    source_rows = order % rows.shape[0]
    values = rows[source_rows] * weights.reshape(-1)[order, None]
    starts = np.flatnonzero(np.r_[True, sorted_targets[1:] != sorted_targets[:-1]])
    out[sorted_targets[starts]] = np.add.reduceat(values, starts, axis=0)
    return out


def adjoint_taps(dy: np.ndarray, axis: int, idx: np.ndarray, weights: np.ndarray,
                 in_size: int) -> np.ndarray:
    """The transpose of `apply_taps`: scatters `dy` (resampled size along `axis`) back to
    `in_size` elements along `axis`. Resize taps are monotone in the output index, so each
    tap is a segmented sum over runs of equal input indices."""
    moved = np.moveaxis(dy, axis, 0)
    out = np.zeros((in_size,) + moved.shape[1:], dtype=dy.dtype)
    if moved.shape[0] == 0:
        return np.moveaxis(out, 0, axis)
    shape = (-1,) + (1,) * (moved.ndim - 1)
    for k in range(idx.shape[1]):
        column = idx[:, k]
        weighted = moved * weights[:, k].astype(dy.dtype).reshape(shape)
        if np.all(column[1:] >= column[:-1]):
            starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
            out[column[starts]] += np.add.reduceat(weighted, starts, axis=0)
        else:
            np.add.at(out, column, weighted)
    return np.moveaxis(out, 0, axis)
