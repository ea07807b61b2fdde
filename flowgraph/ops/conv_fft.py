"""Stride-1 2-D convolutions through the discrete Fourier transform (NHWC inputs, HWIO
filters), for the shapes where that beats im2col + BLAS (`usable`).

A 5x5 convolution of 14x14 images costs 25 multiply-adds per output value and input
channel as a product over im2col blocks; in the frequency domain it is one complex
multiply-add per frequency bin (16 x 9 bins for 14x14 images, i.e. about 12% of the
work). Each of the three passes of a convolution becomes two transforms into the frequency
domain, one batched complex product per bin over the channels, and one transform back:

    forward:         out = G(p) [ F(u) x  .  F(-i) w ]         (summed over in-channels)
    input gradient:  dx  = G(u) [ F(p) dy .  F(i) w^T ]        (summed over out-channels)
    filter gradient: dw  = G(i) [ F(u) x^T . F(-p) dy ]        (summed over the batch)

with F(q) the transform of a signal placed at positions q of a cyclic axis of length L,
G(q) the inverse read at positions q, u the input rows, i the filter taps and
p = y - pad_before the output rows. L is large enough that no product wraps around, so the
results are the exact (linear) convolutions up to rounding (about 1e-6 of the largest
value in float32, like a different summation order).

The images are small, so each transform is a matrix product with a precomputed DFT matrix
(real input, half spectrum along the width) rather than an FFT call: numpy's FFTs over
thousands of 16-point axes cost more than the products themselves.
"""

from __future__ import annotations

import functools
import os
from typing import Callable, Optional, Sequence

import numpy as np

from flowgraph.runtime import intra_op

__all__: list = []

ENABLED = os.environ.get("FLOWGRAPH_CONV_FFT", "1") != "0"
# When the transforms pay (measured, 2 cores, float32; each pass, DFT / im2col):
#   batch 64, 14x14, 32 -> 64 channels, 5x5: 2.8-3.0 / 3.6-4.5 ms
#   batch 32, 28x28, 32 -> 64 channels, 5x5: 6.1-7.2 / 7.5-8.9 ms
#   batch 8, 14x14, 32 -> 64 channels, 5x5:  1.1-1.3 / 0.6-0.7 ms (fixed costs dominate)
#   batch 64, 14x14, 64 -> 64 channels, 3x3: 3.5-3.7 / 2.8-2.9 ms (too few taps)
# so only large convolutions (in multiply-adds as im2col does them) with large batches,
# and whose per-bin products are a small fraction of im2col's, go through the DFT.
MIN_MACS = 200_000_000
MIN_BATCH = 16
MAX_WORK_RATIO = 0.15
MIN_CHANNELS = 8
# The DFT matrices grow with the square of the cyclic length: longer axes stay with im2col.
MAX_LENGTH = 40


def _lengths(size_hw: Sequence[int], k_hw: Sequence[int], pads: Sequence[Sequence[int]],
             out_hw: Sequence[int]) -> tuple:
    """The cyclic length per spatial axis: the shortest without wrap-around for all three
    passes, i.e. L > u - i - p for every input row u, tap i and output row p."""
    return tuple(max(k + out - 1 - before, size + before)
                 for size, k, (before, _), out in zip(size_hw, k_hw, pads, out_hw))


def usable(x_shape: Sequence[int], k_hw: Sequence[int], out_c: int,
           strides: Sequence[int], dilations: Sequence[int], pads: Sequence[Sequence[int]],
           out_hw: Sequence[int], dtype: np.dtype) -> bool:
    """Whether the DFT convolution is the faster way for this convolution (any pass)."""
    batch, h, w, c = (int(v) for v in x_shape)
    kh, kw = (int(v) for v in k_hw)
    oh, ow = (int(v) for v in out_hw)
    if not ENABLED or tuple(strides) != (1, 1) or tuple(dilations) != (1, 1) or \
            np.dtype(dtype).kind != "f" or min(c, out_c) < MIN_CHANNELS or batch < MIN_BATCH:
        return False
    lh, lw = _lengths((h, w), (kh, kw), pads, (oh, ow))
    if max(lh, lw) > MAX_LENGTH or min(oh, ow) < 1:
        return False
    direct = batch * oh * ow * kh * kw * c * out_c
    bins = lh * (lw // 2 + 1)
    return direct >= MIN_MACS and 4 * bins <= MAX_WORK_RATIO * oh * ow * kh * kw


# --------------------------------------------------------------------------- DFT matrices
def _complex_of(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.complex128 if dtype == np.float64 else np.complex64)


@functools.lru_cache(maxsize=256)
def _forward_matrix(length: int, positions: tuple, half: bool, dtype: np.dtype) -> np.ndarray:
    """[bins, len(positions)]: exp(-2 pi i k q / L) for bins k (0..L//2 if `half`)."""
    bins = np.arange(length // 2 + 1 if half else length)
    matrix = np.exp(-2j * np.pi * np.outer(bins, positions) / length).astype(dtype)
    matrix.flags.writeable = False
    return matrix


@functools.lru_cache(maxsize=256)
def _inverse_matrix(length: int, positions: tuple, half: bool, dtype: np.dtype) -> np.ndarray:
    """[len(positions), bins]: exp(2 pi i k q / L) / L, times 2 for the bins whose mirror
    image the half spectrum leaves out (the real part of the product is then the inverse
    transform of the whole Hermitian spectrum)."""
    bins = np.arange(length // 2 + 1 if half else length)
    matrix = np.exp(2j * np.pi * np.outer(positions, bins) / length) / length
    if half:
        weights = np.full(bins.size, 2.0)
        weights[0] = 1.0
        if length % 2 == 0:
            weights[-1] = 1.0
        matrix = matrix * weights
    matrix = matrix.astype(dtype)
    matrix.flags.writeable = False
    return matrix


def _spectrum(planes: np.ndarray, lengths: tuple, rows: Sequence[int],
              cols: Sequence[int]) -> np.ndarray:
    """The 2-D spectrum [lw // 2 + 1, lh, rest] of `planes` [width, height, rest] (real
    values in a complex array), placed at row positions `rows` and column positions `cols`."""
    lh, lw = lengths
    width, height = planes.shape[:2]
    fw = _forward_matrix(lw, tuple(int(q) for q in cols), True, planes.dtype)
    fh = _forward_matrix(lh, tuple(int(q) for q in rows), False, planes.dtype)
    by_cols = np.matmul(fw, planes.reshape(width, -1))  # [lw // 2 + 1, height * rest]
    return np.matmul(fh, by_cols.reshape(fw.shape[0], height, -1))


def _real_planes(a: np.ndarray, order: tuple, dtype: np.dtype) -> np.ndarray:
    """`a` transposed by `order` into a new complex array (imaginary parts 0)."""
    planes = np.empty(tuple(a.shape[k] for k in order), dtype)
    planes.real = a.transpose(order)
    planes.imag = 0
    return planes


def _signal(spectrum: np.ndarray, lengths: tuple, rows: Sequence[int],
            cols: Sequence[int]) -> np.ndarray:
    """The real signal [len(cols), len(rows), rest] read at row positions `rows` and column
    positions `cols` from a half spectrum [lw // 2 + 1, lh, rest]."""
    lh, lw = lengths
    gh = _inverse_matrix(lh, tuple(int(q) for q in rows), False, spectrum.dtype)
    gw = _inverse_matrix(lw, tuple(int(q) for q in cols), True, spectrum.dtype)
    by_rows = np.matmul(gh, spectrum)  # [lw // 2 + 1, len(rows), rest]
    full = np.matmul(gw, by_rows.reshape(gw.shape[1], -1))
    return full.real.reshape(len(cols), len(rows), -1)


def _positions(size: int, shift: int = 0) -> np.ndarray:
    return np.arange(size) + shift


# --------------------------------------------------------------------------- the passes
# Each pass splits its batch over the cores (flowgraph.runtime.intra_op), every range
# running its own transforms and products with one BLAS thread: the products are small (a
# few hundred thousand multiply-adds each), and two BLAS threads woken for each of them
# cost more than they save.
def _split(batch: int, elements: int, fn) -> None:
    intra_op.split(batch, elements, fn, blas=True)


def conv2d(x: np.ndarray, w: np.ndarray, pads: Sequence[Sequence[int]],
           out_hw: Sequence[int], epilogue: Optional[Callable] = None) -> np.ndarray:
    """out[b, y, x, o] = sum_{i, j, c} xpad[b, y + i, x + j, c] * w[i, j, c, o];
    `epilogue` as conv_kernels.conv2d's (applied to each range of images)."""
    batch, h, width, c = x.shape
    kh, kw, _, o = w.shape
    oh, ow = out_hw
    (top, _), (left, _) = pads
    lengths = _lengths((h, width), (kh, kw), pads, out_hw)
    cdt = _complex_of(x.dtype)
    ws = _spectrum(_real_planes(w, (1, 0, 2, 3), cdt), lengths, -_positions(kh),
                   -_positions(kw))
    bins = ws.shape[0] * ws.shape[1]
    ws = ws.reshape(bins, c, o)
    out = np.empty((batch, oh, ow, o), x.dtype)

    def images(first: int, end: int) -> None:
        n = end - first
        xs = _spectrum(_real_planes(x[first:end], (2, 1, 0, 3), cdt), lengths,
                       _positions(h), _positions(width))
        prod = np.matmul(xs.reshape(bins, n, c), ws)
        part = _signal(prod.reshape(-1, lengths[0], n * o), lengths, _positions(oh, -top),
                       _positions(ow, -left))
        out[first:end] = part.reshape(ow, oh, n, o).transpose(2, 1, 0, 3)
        if epilogue is not None:
            epilogue(out[first:end].reshape(-1, o))

    _split(batch, x.size + out.size, images)
    return out


def backprop_input(input_shape: Sequence[int], w: np.ndarray, dy: np.ndarray,
                   pads: Sequence[Sequence[int]]) -> np.ndarray:
    """dx[b, u, v, c] = sum over the outputs (y, x) and taps (i, j) with u = y + i - top,
    v = x + j - left of dy[b, y, x, o] * w[i, j, c, o]."""
    return _backprop(input_shape, w.shape, dy, pads, w=w)[0]


def backprop_filter(x: np.ndarray, filter_shape: Sequence[int], dy: np.ndarray,
                    pads: Sequence[Sequence[int]]) -> np.ndarray:
    """dw[i, j, c, o] = sum_{b, y, x} xpad[b, y + i, x + j, c] * dy[b, y, x, o]."""
    return _backprop(x.shape, filter_shape, dy, pads, x=x)[1]


def backprop_both(x: np.ndarray, w: np.ndarray, dy: np.ndarray,
                  pads: Sequence[Sequence[int]]) -> tuple:
    """(backprop_input, backprop_filter) of one convolution, transforming dy once."""
    return _backprop(x.shape, w.shape, dy, pads, w=w, x=x)


def _backprop(input_shape: Sequence[int], filter_shape: Sequence[int], dy: np.ndarray,
              pads: Sequence[Sequence[int]], w: Optional[np.ndarray] = None,
              x: Optional[np.ndarray] = None) -> tuple:
    """(input gradient if `w` is given, filter gradient if `x` is given), else None each.

    Both use dy's spectrum at the output positions p: the filter gradient is taken as
    G(-i) [F(-u) x^T . F(p) dy], the complex conjugate of G(i) [F(u) x^T . F(-p) dy]
    (conjugating every spectrum negates the positions), whose real part is the same."""
    batch, h, width, c = (int(v) for v in input_shape)
    kh, kw, _, o = (int(v) for v in filter_shape)
    oh, ow = dy.shape[1:3]
    (top, _), (left, _) = pads
    lengths = _lengths((h, width), (kh, kw), pads, (oh, ow))
    bins = lengths[0] * (lengths[1] // 2 + 1)
    cdt = _complex_of(dy.dtype)
    ws_t = dx = None
    if w is not None:
        ws = _spectrum(_real_planes(w, (1, 0, 2, 3), cdt), lengths, _positions(kh),
                       _positions(kw))
        ws_t = ws.reshape(bins, c, o).transpose(0, 2, 1)
        dx = np.empty((batch, h, width, c), dy.dtype)
    sums: dict = {}  # first image of a range -> that range's per-bin filter sums

    def images(first: int, end: int) -> None:
        n = end - first
        ds = _spectrum(_real_planes(dy[first:end], (2, 1, 0, 3), cdt), lengths,
                       _positions(oh, -top), _positions(ow, -left)).reshape(bins, n, o)
        if dx is not None:
            part = _signal(np.matmul(ds, ws_t).reshape(-1, lengths[0], n * c), lengths,
                           _positions(h), _positions(width))
            dx[first:end] = part.reshape(width, h, n, c).transpose(2, 1, 0, 3)
        if x is not None:
            xs = _spectrum(_real_planes(x[first:end], (2, 1, 0, 3), cdt), lengths,
                           -_positions(h), -_positions(width))
            sums[first] = np.matmul(xs.reshape(bins, n, c).transpose(0, 2, 1), ds)

    _split(batch, dy.size * 3, images)
    if x is None:
        return dx, None
    parts = [sums[first] for first in sorted(sums)]
    total = parts[0]
    for part in parts[1:]:
        total += part
    dw = _signal(total.reshape(-1, lengths[0], c * o), lengths, -_positions(kh),
                 -_positions(kw))
    return dx, np.ascontiguousarray(dw.reshape(kw, kh, c, o).transpose(1, 0, 2, 3))
