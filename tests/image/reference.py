"""Slow, independent references for the image ops: plain per-pixel loops written from
TF1's C++ kernels (image_resizer_state.h, resize_*_op.cc, contrib's ProjectiveGenerator),
and the standard library's `colorsys` for HSV. Tests compare the vectorized ops with them
on small images."""

from __future__ import annotations

import colorsys
import math

import numpy as np

F32 = np.float32


def _scale(in_size, out_size, align):
    if align and out_size > 1:
        return F32(in_size - 1) / F32(out_size - 1)
    return F32(in_size) / F32(out_size)


def _c_round(v):
    return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)


def bilinear(img, oh, ow, align=False, half=False):
    n, h, w, c = img.shape
    out = np.zeros((n, oh, ow, c))
    sy, sx = _scale(h, oh, align), _scale(w, ow, align)
    for y in range(oh):
        iy = (F32(y) + F32(0.5)) * sy - F32(0.5) if half else F32(y) * sy
        top, bottom = max(math.floor(iy), 0), min(math.ceil(iy), h - 1)
        ly = float(iy) - math.floor(iy)
        for x in range(ow):
            ix = (F32(x) + F32(0.5)) * sx - F32(0.5) if half else F32(x) * sx
            left, right = max(math.floor(ix), 0), min(math.ceil(ix), w - 1)
            lx = float(ix) - math.floor(ix)
            tl, tr = img[:, top, left].astype(float), img[:, top, right].astype(float)
            bl, br = img[:, bottom, left].astype(float), img[:, bottom, right].astype(float)
            upper = tl + (tr - tl) * lx
            lower = bl + (br - bl) * lx
            out[:, y, x] = upper + (lower - upper) * ly
    return out


def nearest(img, oh, ow, align=False, half=False):
    n, h, w, c = img.shape
    out = np.zeros((n, oh, ow, c), img.dtype)
    sy, sx = _scale(h, oh, align), _scale(w, ow, align)

    def source(o, scale, limit):
        pos = (F32(o) + F32(0.5)) * scale if half else F32(o) * scale
        i = _c_round(float(pos)) if align else math.floor(pos)
        return max(0, min(i, limit - 1))

    for y in range(oh):
        for x in range(ow):
            out[:, y, x] = img[:, source(y, sy, h), source(x, sx, w)]
    return out


def _cubic(x, a):
    x = abs(x)
    if x <= 1:
        return ((a + 2) * x - (a + 3)) * x * x + 1
    if x < 2:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return 0.0


def _bicubic_weights(o, scale, limit, half):
    pos = (F32(o) + F32(0.5)) * scale - F32(0.5) if half else F32(o) * scale
    start = math.floor(pos)
    frac = round(float(pos - start) * 1024) / 1024  # TF1's 1/1024 coefficient table
    a = -0.5 if half else -0.75
    taps = []
    for k in range(-1, 3):
        index = start + k
        weight = _cubic(frac - k, a)
        clamped = min(max(index, 0), limit - 1)
        if half and clamped != index:
            weight = 0.0
        taps.append((clamped, weight))
    if half:
        total = sum(wt for _, wt in taps)
        taps = [(i, wt / total) for i, wt in taps]
    return taps


def bicubic(img, oh, ow, align=False, half=False):
    n, h, w, c = img.shape
    out = np.zeros((n, oh, ow, c))
    sy, sx = _scale(h, oh, align), _scale(w, ow, align)
    for y in range(oh):
        for x in range(ow):
            for iy, wy in _bicubic_weights(y, sy, h, half):
                for ix, wx in _bicubic_weights(x, sx, w, half):
                    out[:, y, x] += wy * wx * img[:, iy, ix]
    return out


def area(img, oh, ow, align=False):
    n, h, w, c = img.shape
    out = np.zeros((n, oh, ow, c))
    sy, sx = _scale(h, oh, align), _scale(w, ow, align)

    def cover(cell, lo, hi, scale):
        if cell < lo:
            return scale if cell + 1 > hi else cell + 1 - lo
        return hi - cell if cell + 1 > hi else 1.0

    for y in range(oh):
        y0, y1 = float(F32(y) * sy), float(F32(y + 1) * sy)
        for x in range(ow):
            x0, x1 = float(F32(x) * sx), float(F32(x + 1) * sx)
            total = np.zeros((n, c))
            for i in range(math.floor(y0), math.ceil(y1)):
                for j in range(math.floor(x0), math.ceil(x1)):
                    weight = cover(i, y0, y1, float(sy)) * cover(j, x0, x1, float(sx))
                    total += weight * img[:, min(i, h - 1), min(j, w - 1)]
            out[:, y, x] = total / (float(sy) * float(sx))
    return out


def projective(img, transforms, interpolation="NEAREST", out_hw=None):
    n, h, w, c = img.shape
    oh, ow = out_hw or (h, w)
    transforms = np.asarray(transforms, F32).reshape(-1, 8)
    out = np.zeros((n, oh, ow, c))

    def read(b, y, x):
        return img[b, y, x].astype(float) if 0 <= y < h and 0 <= x < w else np.zeros(c)

    for b in range(n):
        t = transforms[b if len(transforms) > 1 else 0]
        for y in range(oh):
            for x in range(ow):
                k = t[6] * F32(x) + t[7] * F32(y) + F32(1)
                sx = float((t[0] * F32(x) + t[1] * F32(y) + t[2]) / k)
                sy = float((t[3] * F32(x) + t[4] * F32(y) + t[5]) / k)
                if interpolation == "NEAREST":
                    out[b, y, x] = read(b, _c_round(sy), _c_round(sx))
                    continue
                fy, fx = math.floor(sy), math.floor(sx)
                top = (fx + 1 - sx) * read(b, fy, fx) + (sx - fx) * read(b, fy, fx + 1)
                bottom = (fx + 1 - sx) * read(b, fy + 1, fx) + (sx - fx) * read(b, fy + 1, fx + 1)
                out[b, y, x] = (fy + 1 - sy) * top + (sy - fy) * bottom
    return out


def adjoint(forward, in_shape, dy):
    """J^T dy for a linear `forward`, J built column by column from unit inputs."""
    grad = np.zeros(in_shape)
    for i in range(grad.size):
        unit = np.zeros(in_shape)
        unit.flat[i] = 1.0
        grad.flat[i] = np.sum(forward(unit) * dy)
    return grad


def rgb_to_hsv(rgb):
    flat = np.asarray(rgb, float).reshape(-1, 3)
    return np.array([colorsys.rgb_to_hsv(*p) for p in flat]).reshape(np.shape(rgb))


def hsv_to_rgb(hsv):
    flat = np.asarray(hsv, float).reshape(-1, 3)
    return np.array([colorsys.hsv_to_rgb(*p) for p in flat]).reshape(np.shape(hsv))


def adjust_hue(rgb, delta):
    hsv = rgb_to_hsv(rgb)
    hsv[..., 0] = (hsv[..., 0] + delta) % 1.0
    return hsv_to_rgb(hsv)


def adjust_saturation(rgb, factor):
    hsv = rgb_to_hsv(rgb)
    hsv[..., 1] = np.clip(hsv[..., 1] * factor, 0, 1)
    return hsv_to_rgb(hsv)
