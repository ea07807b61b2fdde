"""Cases for pool_argmax.py: MaxPoolWithArgmax, MaxPoolGradWithArgmax and
MaxPoolGradGradWithArgmax.

The reference `loop_argmax` visits every output cell and scans its window's real cells
(rows outer, columns inner), keeping the first strict maximum, as TF1's CPU kernel; its
index is ``(y * W + x) * C + c`` (plus ``b * H * W * C`` with include_batch_in_index).
The gradient references scatter / gather by those indices with plain loops.
"""

import numpy as np

import flowgraph as fg
from flowgraph.ops import pool_argmax
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

F32 = np.float32


def _out_size(n, k, s, padding):
    """(out, pad_before) from TF1's padding formulas."""
    if padding == "VALID":
        return (n - k) // s + 1, 0
    out = -(-n // s)
    return out, max((out - 1) * s + k - n, 0) // 2


def loop_argmax(x, k, s, padding, include_batch=False):
    """(max, argmax int64) of a channels-last input, k and s as [kh, kw], [sh, sw]."""
    x = np.asarray(x)
    n, h, w, c = x.shape
    oh, ph = _out_size(h, k[0], s[0], padding)
    ow, pw = _out_size(w, k[1], s[1], padding)
    out = np.zeros((n, oh, ow, c), x.dtype)
    arg = np.zeros((n, oh, ow, c), np.int64)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    best = None
                    for di in range(k[0]):
                        for dj in range(k[1]):
                            y, xx = i * s[0] + di - ph, j * s[1] + dj - pw
                            if not (0 <= y < h and 0 <= xx < w):
                                continue
                            v = x[b, y, xx, ch]
                            if best is None or v > best[0]:
                                best = (v, (y * w + xx) * c + ch)
                    out[b, i, j, ch] = best[0]
                    arg[b, i, j, ch] = best[1] + (b * h * w * c if include_batch else 0)
    return out, arg


def loop_scatter(shape, dy, arg, include_batch=False):
    g = np.zeros(shape, np.float64)
    per = int(np.prod(shape[1:]))
    flat = g.reshape(-1)
    for b in range(dy.shape[0]):
        for idx in np.ndindex(dy.shape[1:]):
            offset = 0 if include_batch else b * per
            flat[arg[(b,) + idx] + offset] += dy[(b,) + idx]
    return g.astype(dy.dtype)


def loop_gather(g, arg, include_batch=False):
    out = np.zeros(arg.shape, g.dtype)
    per = int(np.prod(g.shape[1:]))
    for b in range(arg.shape[0]):
        for idx in np.ndindex(arg.shape[1:]):
            offset = 0 if include_batch else b * per
            out[(b,) + idx] = g.reshape(-1)[arg[(b,) + idx] + offset]
    return out


def _distinct(shape, seed):
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) * 0.05 - 1.0


def _pool(k, s, padding, **kw):
    return lambda x: pool_argmax.max_pool_with_argmax(x, [1, k[0], k[1], 1], [1, s[0], s[1], 1],
                                                padding, **kw)


def _grad(k, s, padding, include_batch=False):
    def build(x, dy):
        attrs = dict(ksize=[1, k[0], k[1], 1], strides=[1, s[0], s[1], 1], padding=padding,
                     include_batch_in_index=include_batch)
        _, arg = pool_argmax.max_pool_with_argmax(x, attrs["ksize"], attrs["strides"], padding,
                                            include_batch_in_index=include_batch)
        return apply_op(pool_argmax.MaxPoolGradWithArgmax(**attrs), [x, dy, arg])
    return build


def _grad_grad(k, s, padding, include_batch=False):
    def build(x, g):
        attrs = dict(ksize=[1, k[0], k[1], 1], strides=[1, s[0], s[1], 1], padding=padding,
                     include_batch_in_index=include_batch)
        _, arg = pool_argmax.max_pool_with_argmax(x, attrs["ksize"], attrs["strides"], padding,
                                            include_batch_in_index=include_batch)
        return apply_op(pool_argmax.MaxPoolGradGradWithArgmax(**attrs), [x, g, arg])
    return build


X = _distinct((2, 5, 5, 3), 0)
X6 = _distinct((1, 6, 7, 2), 1)
TIES = np.array([[[[1.0], [3.0], [3.0]], [[3.0], [0.0], [2.0]], [[1.0], [1.0], [1.0]]]], F32)
# Every window's maximum is held by several cells; -inf only in real cells.
FLAT = np.array([[[[-np.inf], [-np.inf]], [[-np.inf], [-np.inf]]]], F32)


def _argmax_of(x, k, s, padding, include_batch=False):
    return loop_argmax(x, k, s, padding, include_batch)[1]


CASES = [
    OpCase("MaxPoolWithArgmax", _pool([2, 2], [2, 2], "SAME"), [X],
           expected=lambda x: loop_argmax(x, [2, 2], [2, 2], "SAME")),
    OpCase("MaxPoolWithArgmax", _pool([3, 3], [2, 2], "SAME"), [X.astype(F32)],
           expected=lambda x: loop_argmax(x, [3, 3], [2, 2], "SAME"), name="3x3-s2"),
    OpCase("MaxPoolWithArgmax", _pool([2, 3], [2, 1], "VALID"), [X6],
           expected=lambda x: loop_argmax(x, [2, 3], [2, 1], "VALID"), name="valid"),
    OpCase("MaxPoolWithArgmax", _pool([2, 2], [1, 2], "SAME", include_batch_in_index=True),
           [X], expected=lambda x: loop_argmax(x, [2, 2], [1, 2], "SAME", True),
           name="batch_index"),
    OpCase("MaxPoolWithArgmax", _pool([3, 2], [2, 2], "SAME", Targmax=fg.int32),
           [X6], name="int32_argmax",
           expected=lambda x: [v.astype(t) for v, t in
                               zip(loop_argmax(x, [3, 2], [2, 2], "SAME"), [x.dtype,
                                                                            np.int32])]),
    OpCase("MaxPoolWithArgmax", _pool([2, 2], [1, 1], "SAME"),
           [np.array(-X * 40, np.int32)], grad=False, name="int32_input",
           expected=lambda x: loop_argmax(x, [2, 2], [1, 1], "SAME")),
    # Hand-computed: ties go to the first maximum in scan order.
    OpCase("MaxPoolWithArgmax", _pool([2, 2], [1, 1], "VALID"), [TIES], grad=False,
           name="ties", expected=[np.array([[[[3.0], [3.0]], [[3.0], [2.0]]]], F32),
                                  np.array([[[[1], [1]], [[3], [5]]]], np.int64)]),
    # The first real cell of a window is taken even when it holds -inf.
    OpCase("MaxPoolWithArgmax", _pool([2, 2], [1, 1], "SAME"), [FLAT], grad=False,
           name="lowest", expected=[FLAT, np.array([[[[0], [1]], [[2], [3]]]], np.int64)]),
    OpCase("MaxPoolWithArgmax", _pool([2, 2], [2, 2], "SAME"), [np.zeros((0, 4, 4, 2), F32)],
           grad=False, name="empty",
           expected=[np.zeros((0, 2, 2, 2), F32), np.zeros((0, 2, 2, 2), np.int64)]),
    # ------------------------------------------------------------------ gradients
    OpCase("MaxPoolGradWithArgmax", _grad([2, 2], [2, 2], "SAME"),
           [X, _distinct((2, 3, 3, 3), 3)],
           expected=lambda x, dy: loop_scatter(x.shape, dy,
                                               _argmax_of(x, [2, 2], [2, 2], "SAME"))),
    OpCase("MaxPoolGradWithArgmax", _grad([3, 3], [1, 1], "SAME", True),
           [X, _distinct((2, 5, 5, 3), 4)], name="overlapping_batch_index",
           expected=lambda x, dy: loop_scatter(
               x.shape, dy, _argmax_of(x, [3, 3], [1, 1], "SAME", True), True)),
    OpCase("MaxPoolGradWithArgmax", _grad([2, 2], [1, 1], "VALID"),
           [TIES, np.array([[[[1.0], [2.0]], [[4.0], [8.0]]]], F32)], name="ties",
           expected=np.array([[[[0.0], [3.0], [0.0]], [[4.0], [0.0], [8.0]],
                               [[0.0], [0.0], [0.0]]]], F32)),
    OpCase("MaxPoolGradGradWithArgmax", _grad_grad([3, 3], [2, 2], "SAME"),
           [X, _distinct((2, 5, 5, 3), 5)],
           expected=lambda x, g: loop_gather(g, _argmax_of(x, [3, 3], [2, 2], "SAME"))),
    OpCase("MaxPoolGradGradWithArgmax", _grad_grad([2, 3], [2, 1], "VALID", True),
           [X6, _distinct((1, 6, 7, 2), 6)], name="batch_index",
           expected=lambda x, g: loop_gather(g, _argmax_of(x, [2, 3], [2, 1], "VALID", True),
                                             True)),
]
