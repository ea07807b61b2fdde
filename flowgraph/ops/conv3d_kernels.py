"""numpy kernels of the 3-D convolutions (channels last: NDHWC inputs, DHWIO filters).

As the 2-D kernels of conv_kernels.py: the padded input is seen through ``as_strided`` as
windows ``[batch, out_d, out_h, out_w, kd, kh, kw, in_c]`` and copied, a few images at a
time, into an im2col block ``[rows, kd * kh * kw * in_c]`` multiplied by the filter as a
matrix. The filter gradient is the transposed product; the input gradient is ``dy @ w.T``
scattered back by col2im, one strided add per kernel offset. No loop runs over voxels.
"""

from __future__ import annotations

import math
from typing import Iterator, Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from flowgraph.ops.conv_kernels import BLOCK_BYTES, work_dtype

__all__: list = []


def pad_ndhwc(x: np.ndarray, pads: Sequence[Sequence[int]]) -> np.ndarray:
    """x with (before, after) zeros around each of its 3 spatial dims."""
    if not any(b or a for b, a in pads):
        return x
    shape = (x.shape[0],) + tuple(s + b + a for s, (b, a) in zip(x.shape[1:4], pads)) \
        + (x.shape[4],)
    out = np.zeros(shape, x.dtype)
    out[(slice(None),) + tuple(slice(b, b + s) for s, (b, _) in zip(x.shape[1:4], pads))] = x
    return out


def windows(xp: np.ndarray, k: Sequence[int], strides: Sequence[int],
            dilations: Sequence[int], out: Sequence[int]) -> np.ndarray:
    """A read-only view [batch, od, oh, ow, kd, kh, kw, c] of the padded input's windows."""
    sb, sd, sh, sw, sc = xp.strides
    spatial = (sd, sh, sw)
    shape = (xp.shape[0],) + tuple(out) + tuple(k) + (xp.shape[4],)
    view_strides = ((sb,) + tuple(s * st for s, st in zip(spatial, strides))
                    + tuple(s * d for s, d in zip(spatial, dilations)) + (sc,))
    return as_strided(xp, shape, view_strides, writeable=False)


def _batches(batch: int, rows_per_image: int, row_bytes: int) -> Iterator[tuple]:
    """(b0, b1) runs of whole images whose im2col rows take about BLOCK_BYTES."""
    per = max(1, BLOCK_BYTES // max(rows_per_image * row_bytes, 1))
    for b0 in range(0, batch, per):
        yield b0, min(batch, b0 + per)


def offset_slices(offset: Sequence[int], strides: Sequence[int], dilations: Sequence[int],
                  out: Sequence[int]) -> tuple:
    """The strided slices of the padded input read by kernel offset (i, j, l)."""
    return tuple(slice(i * d, i * d + (o - 1) * s + 1, s)
                 for i, s, d, o in zip(offset, strides, dilations, out))


def conv3d(x: np.ndarray, w: np.ndarray, strides: Sequence[int], dilations: Sequence[int],
           pads: Sequence[Sequence[int]], out_size: Sequence[int]) -> np.ndarray:
    """out[b, z, y, x, o] = sum_{i, j, l, c} xpad[b, z*sd + i*dd, y*sh + j*dh, x*sw + l*dw, c]
    * w[i, j, l, c, o]."""
    dtype = x.dtype
    wd = work_dtype(dtype)
    x, w = x.astype(wd, copy=False), w.astype(wd, copy=False)
    batch = x.shape[0]
    o = w.shape[4]
    depth = math.prod(w.shape[:4])
    wmat = w.reshape(depth, o)
    out = np.empty((batch,) + tuple(out_size) + (o,), wd)
    if out.size == 0:
        return out.astype(dtype, copy=False)
    if depth == 0:
        out.fill(0)
        return out.astype(dtype, copy=False)
    view = windows(pad_ndhwc(x, pads), w.shape[:3], strides, dilations, out_size)
    per_image = math.prod(out_size)
    for b0, b1 in _batches(batch, per_image, depth * wd.itemsize):
        cols = view[b0:b1].reshape(-1, depth)  # (the copy of this block's windows)
        np.matmul(cols, wmat, out=out[b0:b1].reshape(-1, o))
    return out.astype(dtype, copy=False)


def conv3d_backprop_filter(x: np.ndarray, filter_shape: Sequence[int], dy: np.ndarray,
                           strides: Sequence[int], dilations: Sequence[int],
                           pads: Sequence[Sequence[int]]) -> np.ndarray:
    """The gradient of conv3d for its filter: im2col(x).T @ dy, summed over image blocks."""
    dtype = dy.dtype
    wd = work_dtype(dtype)
    x, dy = x.astype(wd, copy=False), np.ascontiguousarray(dy, dtype=wd)
    k = tuple(int(v) for v in filter_shape[:3])
    c, o = int(filter_shape[3]), int(filter_shape[4])
    depth = math.prod(k) * c
    out_size = dy.shape[1:4]
    acc = np.zeros((depth, o), wd)
    if dy.size and acc.size:
        view = windows(pad_ndhwc(x, pads), k, strides, dilations, out_size)
        per_image = math.prod(out_size)
        for b0, b1 in _batches(x.shape[0], per_image, depth * wd.itemsize):
            cols = view[b0:b1].reshape(-1, depth)
            acc += np.matmul(cols.T, dy[b0:b1].reshape(-1, o))
    return acc.reshape(k + (c, o)).astype(dtype, copy=False)


def conv3d_backprop_input(input_shape: Sequence[int], w: np.ndarray, dy: np.ndarray,
                          strides: Sequence[int], dilations: Sequence[int],
                          pads: Sequence[Sequence[int]]) -> np.ndarray:
    """The gradient of conv3d for its input: (dy @ w.T) scattered back by col2im."""
    dtype = dy.dtype
    wd = work_dtype(dtype)
    w, dy = w.astype(wd, copy=False), np.ascontiguousarray(dy, dtype=wd)
    batch, c = int(input_shape[0]), int(input_shape[4])
    size = tuple(int(v) for v in input_shape[1:4])
    k = w.shape[:3]
    o = w.shape[4]
    depth = math.prod(k) * c
    out_size = dy.shape[1:4]
    wmat_t = w.reshape(depth, o).T
    padded = tuple(s + b + a for s, (b, a) in zip(size, pads))
    dxp = np.zeros((batch,) + padded + (c,), wd)
    if dy.size and depth:
        per_image = math.prod(out_size)
        for b0, b1 in _batches(batch, per_image, depth * wd.itemsize):
            dcols = np.matmul(dy[b0:b1].reshape(-1, o), wmat_t)
            d8 = dcols.reshape((b1 - b0,) + tuple(out_size) + tuple(k) + (c,))
            for offset in np.ndindex(*k):
                region = offset_slices(offset, strides, dilations, out_size)
                dxp[(slice(b0, b1),) + region] += d8[(Ellipsis,) + offset + (slice(None),)]
    inner = tuple(slice(b, b + s) for s, (b, _) in zip(size, pads))
    return dxp[(slice(None),) + inner].astype(dtype, copy=False)
