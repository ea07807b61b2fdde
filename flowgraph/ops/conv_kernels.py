"""numpy kernels of the 2-D convolutions (channels last: NHWC inputs, HWIO filters).

A convolution is one BLAS matrix product over an im2col view: the padded input seen through
``as_strided`` as windows ``[batch, out_h, out_w, kh, kw, in_c]``, copied into a contiguous
``[rows, kh * kw * in_c]`` block and multiplied by the filter as a
``[kh * kw * in_c, out_c]`` matrix. The filter gradient is the transposed product. The
input gradient of a stride-1 convolution is again a convolution (of the padded output
gradient with the filter rotated by 180 degrees); otherwise it is a product followed by
col2im: a loop over the kh * kw kernel offsets that adds strided slices. No loop ever runs
over pixels.

The windows are copied a block of rows at a time (a few MB, so that the block is still in
cache when BLAS reads it): this is faster than materializing the whole im2col matrix, and
needs far less memory. float16 is computed in float32 (numpy has no float16 BLAS).

Large convolutions and filter gradients split their batch over the cores
(flowgraph.runtime.intra_op), each range copying and multiplying its own blocks with
one-thread BLAS: the copies then run on every core too, instead of on one while BLAS's
threads wait (measured on the CNN benchmark step: 27.4 -> 25.4 ms).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from flowgraph.ops import conv_fft
from flowgraph.runtime import intra_op

__all__: list = []

# Bytes of im2col rows copied per block: a few MB stay in the shared cache between the copy
# and the matrix product; but a block has at least MIN_BLOCK_PIXELS rows, as BLAS runs
# short products less efficiently.
BLOCK_BYTES = 4 << 20
MIN_BLOCK_PIXELS = 1024
# Below this many input channels, the im2col block is filled one kernel offset at a time,
# transposed (see _Im2col.blocks).
NARROW_CHANNELS = 3
# A stride-1 input gradient is computed as a convolution of dy with the rotated filter
# (an im2col of dy, out_c channels wide) unless out_c exceeds in_c by more than this factor;
# else by col2im (dy @ filter.T, then one strided add per kernel offset).
FLIP_MAX_RATIO = 4


def work_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype computed in: float16 widens to float32."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def pad_nhwc(x: np.ndarray, pads: Sequence[Sequence[int]]) -> np.ndarray:
    """x with ((top, bottom), (left, right)) zero rows / columns around its spatial dims."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    b, h, w, c = x.shape
    out = np.zeros((b, h + top + bottom, w + left + right, c), x.dtype)
    out[:, top:top + h, left:left + w, :] = x
    return out


def offset_slices(i: int, j: int, strides: Sequence[int], dilations: Sequence[int],
                  out_hw: Sequence[int], rows: Optional[Sequence[int]] = None) -> tuple:
    """(row slice, column slice) of the padded input read by kernel offset (i, j) for the
    output rows `rows` = (first, end) (all by default)."""
    (sh, sw), (dh, dw), (oh, ow) = strides, dilations, out_hw
    y0, y1 = rows if rows is not None else (0, oh)
    top = y0 * sh + i * dh
    left = j * dw
    return (slice(top, top + (y1 - y0 - 1) * sh + 1, sh),
            slice(left, left + (ow - 1) * sw + 1, sw))


def windows(xp: np.ndarray, k_hw: Sequence[int], strides: Sequence[int],
            dilations: Sequence[int], out_hw: Sequence[int]) -> np.ndarray:
    """A read-only view [batch, out_h, out_w, kh, kw, c] of the padded input's windows."""
    sb, sy, sx, sc = xp.strides
    (sh, sw), (dh, dw) = strides, dilations
    shape = (xp.shape[0], out_hw[0], out_hw[1], k_hw[0], k_hw[1], xp.shape[3])
    return as_strided(xp, shape, (sb, sy * sh, sx * sw, sy * dh, sx * dw, sc),
                      writeable=False)


def blocks(batch: int, out_h: int, out_w: int, pixel_bytes: int) -> Iterator[tuple]:
    """(b0, b1, y0, y1) blocks of output rows covering [batch, out_h]: whole images when an
    image holds fewer im2col rows than a block, else runs of rows of one image. A block has
    about BLOCK_BYTES of im2col rows of `pixel_bytes` each, and at least MIN_BLOCK_PIXELS
    (so that each matrix product stays large). The rows of a block are consecutive in the
    flattened [batch * out_h * out_w] order."""
    pixels = max(MIN_BLOCK_PIXELS, BLOCK_BYTES // max(pixel_bytes, 1))
    image = out_h * out_w
    if image <= pixels:
        per = max(1, pixels // max(image, 1))
        for b0 in range(0, batch, per):
            yield b0, min(batch, b0 + per), 0, out_h
        return
    per = max(1, pixels // max(out_w, 1))
    for b in range(batch):
        for y0 in range(0, out_h, per):
            yield b, b + 1, y0, min(out_h, y0 + per)


class _Im2col:
    """Copies blocks of windows of one padded input into a reused buffer."""

    def __init__(self, xp: np.ndarray, k_hw: Sequence[int], strides: Sequence[int],
                 dilations: Sequence[int], out_hw: Sequence[int]) -> None:
        self.xp, self.k_hw, self.strides, self.dilations = xp, k_hw, strides, dilations
        self.out_hw = out_hw
        self.depth = k_hw[0] * k_hw[1] * xp.shape[3]
        self.view = windows(xp, k_hw, strides, dilations, out_hw)
        self.buffer = None

    def blocks(self) -> Iterator[tuple]:
        """(first flat row, end flat row, [rows, kh * kw * c] im2col block) per block; the
        block is overwritten by the next one.

        With few channels the block is filled transposed, as [kh * kw * c, rows] (each kernel
        offset then copies whole contiguous rows, several times faster than scattering one or
        two values per pixel), and handed out as its transpose: BLAS takes either layout."""
        oh, ow = self.out_hw
        kh, kw = self.k_hw
        c = self.xp.shape[3]
        for b0, b1, y0, y1 in blocks(self.xp.shape[0], oh, ow, self.depth * self.xp.itemsize):
            rows = (b1 - b0, y1 - y0, ow)
            if c < NARROW_CHANNELS:
                cols_t = self._take((kh, kw, c) + rows)
                for i in range(kh):
                    for j in range(kw):
                        ys, xs = offset_slices(i, j, self.strides, self.dilations,
                                               self.out_hw, (y0, y1))
                        np.copyto(cols_t[i, j], self.xp[b0:b1, ys, xs, :].transpose(3, 0, 1, 2))
                cols = cols_t.reshape(self.depth, -1).T
            else:
                cols = self._take(rows + (kh, kw, c)).reshape(-1, self.depth)
                np.copyto(cols.reshape(rows + (kh, kw, c)), self.view[b0:b1, y0:y1])
            yield (b0 * oh + y0) * ow, ((b1 - 1) * oh + y1) * ow, cols

    def _take(self, shape: tuple) -> np.ndarray:
        size = math.prod(shape)  # np.prod of a tuple costs ~4 us (array conversion)
        if self.buffer is None or self.buffer.size < size:
            self.buffer = np.empty(size, self.xp.dtype)
        return self.buffer[:size].reshape(shape)


def _is_pointwise(k_hw: Sequence[int], pads: Sequence[Sequence[int]]) -> bool:
    return tuple(k_hw) == (1, 1) and not any(pads[0]) and not any(pads[1])


def _flipped_pads(size_hw: Sequence[int], k_hw: Sequence[int], dilations: Sequence[int],
                  pads: Sequence[Sequence[int]], out_hw: Sequence[int]) -> Any:
    """The ((top, bottom), (left, right)) padding of dy that makes a stride-1 convolution
    with the rotated filter give the input gradient, or None if some would be negative."""
    result = []
    for size, k, d, (before, _), out in zip(size_hw, k_hw, dilations, pads, out_hw):
        k_eff = (k - 1) * d + 1
        first = k_eff - 1 - before
        last = size - out + before
        if first < 0 or last < 0:
            return None
        result.append((first, last))
    return tuple(result)


def _subsample(x: np.ndarray, strides: Sequence[int], out_hw: Sequence[int]) -> np.ndarray:
    return x[:, :out_hw[0] * strides[0]:strides[0], :out_hw[1] * strides[1]:strides[1], :]


# --------------------------------------------------------------------------- Conv2D
def conv2d(x: np.ndarray, w: np.ndarray, strides: Sequence[int], dilations: Sequence[int],
           pads: Sequence[Sequence[int]], out_hw: Sequence[int],
           epilogue: Optional[Callable[[np.ndarray], None]] = None) -> np.ndarray:
    """out[b, y, x, o] = sum_{i, j, c} xpad[b, y*sh + i*dh, x*sw + j*dw, c] * w[i, j, c, o].

    `epilogue(rows)`, if given, is applied in place to each block of output rows ([pixels,
    out_c], float32 / float64 only) right after it is computed, while it is in cache (a bias
    and an activation: passes/conv_bias_activation.py)."""
    dtype = x.dtype
    wd = work_dtype(dtype)
    x, w = x.astype(wd, copy=False), w.astype(wd, copy=False)
    batch, c = x.shape[0], x.shape[3]
    kh, kw, _, o = w.shape
    oh, ow = out_hw
    wmat = w.reshape(kh * kw * c, o)
    if _is_pointwise((kh, kw), pads):
        rows = _subsample(x, strides, out_hw).reshape(-1, c)
        product = np.matmul(rows, wmat)
        if epilogue is not None:
            epilogue(product)
        return product.reshape(batch, oh, ow, o).astype(dtype, copy=False)
    if conv_fft.usable(x.shape, (kh, kw), o, strides, dilations, pads, out_hw, wd):
        return conv_fft.conv2d(x, w, pads, out_hw, epilogue).astype(dtype, copy=False)
    out = np.empty((batch, oh, ow, o), wd)
    flat = out.reshape(-1, o)
    if out.size:
        xp = pad_nhwc(x, pads)

        def images(first: int, end: int) -> None:  # output images first..end-1
            im2col = _Im2col(xp[first:end], (kh, kw), strides, dilations, out_hw)
            base = first * oh * ow
            for r0, r1, cols in im2col.blocks():
                block = flat[base + r0:base + r1]
                np.matmul(cols, wmat, out=block)
                if epilogue is not None:
                    epilogue(block)

        intra_op.split(batch, out.size // o * wmat.shape[0], images, blas=True)
    return out.astype(dtype, copy=False)


def conv2d_backprop_filter(x: np.ndarray, filter_shape: Sequence[int], dy: np.ndarray,
                           strides: Sequence[int], dilations: Sequence[int],
                           pads: Sequence[Sequence[int]]) -> np.ndarray:
    """The gradient of conv2d for its filter: im2col(x).T @ dy, summed block by block."""
    dtype = dy.dtype
    wd = work_dtype(dtype)
    x, dy = x.astype(wd, copy=False), np.ascontiguousarray(dy, dtype=wd)
    kh, kw, c, o = (int(v) for v in filter_shape)
    out_hw = dy.shape[1:3]
    dy2 = dy.reshape(-1, o)
    if _is_pointwise((kh, kw), pads):
        rows = _subsample(x, strides, out_hw).reshape(-1, c)
        return np.matmul(rows.T, dy2).reshape(kh, kw, c, o).astype(dtype, copy=False)
    if conv_fft.usable(x.shape, (kh, kw), o, strides, dilations, pads, out_hw, wd):
        return conv_fft.backprop_filter(x, (kh, kw, c, o), dy, pads).astype(dtype, copy=False)
    acc = np.zeros((kh * kw * c, o), wd)
    if dy.size and acc.size:
        xp = pad_nhwc(x, pads)
        oh, ow = out_hw
        sums: dict = {}  # first image of a range -> that range's sum

        def images(first: int, end: int) -> None:  # images first..end-1
            im2col = _Im2col(xp[first:end], (kh, kw), strides, dilations, out_hw)
            rows = dy2[first * oh * ow:end * oh * ow]
            total = acc if first == 0 else np.zeros_like(acc)
            part = None
            for r0, r1, cols in im2col.blocks():
                if r0 == 0 and r1 == rows.shape[0]:
                    np.matmul(cols.T, rows, out=total)  # a single block
                    break
                if part is None:
                    part = np.empty_like(acc)
                np.matmul(cols.T, rows[r0:r1], out=part)
                total += part
            sums[first] = total

        intra_op.split(x.shape[0], dy2.shape[0] * acc.shape[0], images, blas=True)
        for first in sorted(sums)[1:]:
            acc += sums[first]
    return acc.reshape(kh, kw, c, o).astype(dtype, copy=False)


def conv2d_backprop_input(input_shape: Sequence[int], w: np.ndarray, dy: np.ndarray,
                          strides: Sequence[int], dilations: Sequence[int],
                          pads: Sequence[Sequence[int]]) -> np.ndarray:
    """The gradient of conv2d for its input: for stride 1, a convolution of the padded dy
    with the rotated filter; else (dy @ w.T) scattered back by col2im, one strided add per
    kernel offset."""
    dtype = dy.dtype
    wd = work_dtype(dtype)
    w, dy = w.astype(wd, copy=False), np.ascontiguousarray(dy, dtype=wd)
    batch, h, width, c = (int(v) for v in input_shape)
    kh, kw, _, o = w.shape
    oh, ow = dy.shape[1:3]
    depth = kh * kw * c
    wmat_t = w.reshape(depth, o).T
    dy2 = dy.reshape(-1, o)
    if _is_pointwise((kh, kw), pads):
        grad = np.matmul(dy2, wmat_t).reshape(batch, oh, ow, c)
        if (oh, ow) == (h, width):
            return grad.astype(dtype, copy=False)
        dx = np.zeros((batch, h, width, c), wd)
        _subsample(dx, strides, (oh, ow))[...] = grad
        return dx.astype(dtype, copy=False)
    if conv_fft.usable(input_shape, (kh, kw), o, strides, dilations, pads, (oh, ow), wd):
        return conv_fft.backprop_input(input_shape, w, dy, pads).astype(dtype, copy=False)
    flipped = _flipped_pads((h, width), (kh, kw), dilations, pads, (oh, ow))
    if tuple(strides) == (1, 1) and flipped is not None and o <= FLIP_MAX_RATIO * c:
        # Stride 1: the input gradient is a convolution of the padded dy with the filter
        # rotated by 180 degrees (in / out channels swapped): one im2col product, no col2im.
        w_flip = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2))
        return conv2d(dy, w_flip, (1, 1), dilations, flipped, (h, width)).astype(dtype,
                                                                               copy=False)
    (top, bottom), (left, right) = pads
    dxp = np.zeros((batch, h + top + bottom, width + left + right, c), wd)
    if dy.size and depth:
        buffer = None
        for b0, b1, y0, y1 in blocks(batch, oh, ow, depth * dxp.itemsize):
            r0, r1 = (b0 * oh + y0) * ow, ((b1 - 1) * oh + y1) * ow
            size = (r1 - r0) * depth
            if buffer is None or buffer.size < size:
                buffer = np.empty(size, wd)
            dcols = buffer[:size].reshape(r1 - r0, depth)
            np.matmul(dy2[r0:r1], wmat_t, out=dcols)
            d6 = dcols.reshape(b1 - b0, y1 - y0, ow, kh, kw, c)
            for i in range(kh):
                for j in range(kw):
                    ys, xs = offset_slices(i, j, strides, dilations, (oh, ow), (y0, y1))
                    dxp[b0:b1, ys, xs, :] += d6[:, :, :, i, j, :]
    return dxp[:, top:top + h, left:left + width, :].astype(dtype, copy=False)


# --------------------------------------------------------------------------- depthwise
def depthwise_conv2d(x: np.ndarray, w: np.ndarray, strides: Sequence[int],
                     dilations: Sequence[int], pads: Sequence[Sequence[int]],
                     out_hw: Sequence[int]) -> np.ndarray:
    """out[b, y, x, c * m + q] = sum_{i, j} xpad[b, y*sh + i*dh, x*sw + j*dw, c] *
    w[i, j, c, q]: one broadcast multiply-add per kernel offset."""
    dtype = x.dtype
    wd = work_dtype(dtype)
    x, w = x.astype(wd, copy=False), w.astype(wd, copy=False)
    batch, c = x.shape[0], x.shape[3]
    kh, kw, _, m = w.shape
    xp = pad_nhwc(x, pads)
    out = np.zeros((batch,) + tuple(out_hw) + (c, m), wd)
    part = np.empty_like(out)
    for i in range(kh):
        for j in range(kw):
            ys, xs = offset_slices(i, j, strides, dilations, out_hw)
            np.multiply(xp[:, ys, xs, :, None], w[i, j], out=part)
            out += part
    return out.reshape(batch, out_hw[0], out_hw[1], c * m).astype(dtype, copy=False)


def depthwise_backprop_input(input_shape: Sequence[int], w: np.ndarray, dy: np.ndarray,
                             strides: Sequence[int], dilations: Sequence[int],
                             pads: Sequence[Sequence[int]]) -> np.ndarray:
    """The gradient of depthwise_conv2d for its input."""
    dtype = dy.dtype
    wd = work_dtype(dtype)
    w, dy = w.astype(wd, copy=False), dy.astype(wd, copy=False)
    batch, h, width, c = (int(v) for v in input_shape)
    kh, kw, _, m = w.shape
    oh, ow = dy.shape[1:3]
    dy5 = dy.reshape(batch, oh, ow, c, m)
    (top, bottom), (left, right) = pads
    dxp = np.zeros((batch, h + top + bottom, width + left + right, c), wd)
    part = np.empty((batch, oh, ow, c), wd)
    for i in range(kh):
        for j in range(kw):
            ys, xs = offset_slices(i, j, strides, dilations, (oh, ow))
            if m == 1:
                np.multiply(dy5[..., 0], w[i, j, :, 0], out=part)
            else:
                np.einsum("bhwcm,cm->bhwc", dy5, w[i, j], out=part)
            dxp[:, ys, xs, :] += part
    return dxp[:, top:top + h, left:left + width, :].astype(dtype, copy=False)


def depthwise_backprop_filter(x: np.ndarray, filter_shape: Sequence[int], dy: np.ndarray,
                              strides: Sequence[int], dilations: Sequence[int],
                              pads: Sequence[Sequence[int]]) -> np.ndarray:
    """The gradient of depthwise_conv2d for its filter."""
    dtype = dy.dtype
    wd = work_dtype(dtype)
    x, dy = x.astype(wd, copy=False), dy.astype(wd, copy=False)
    kh, kw, c, m = (int(v) for v in filter_shape)
    oh, ow = dy.shape[1:3]
    dy5 = dy.reshape(dy.shape[0], oh, ow, c, m)
    xp = pad_nhwc(x, pads)
    dw = np.empty((kh, kw, c, m), wd)
    for i in range(kh):
        for j in range(kw):
            ys, xs = offset_slices(i, j, strides, dilations, (oh, ow))
            np.einsum("bhwc,bhwcm->cm", xp[:, ys, xs, :], dy5, out=dw[i, j])
    return dw.astype(dtype, copy=False)
