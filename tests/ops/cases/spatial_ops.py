"""Cases for space_batch.py, morphology.py and fractional_pool.py.

References are plain loops written from TF1's op definitions:
- SpaceToBatchND: ``out[(o_1 * b_2 + o_2) * batch + n, i_1, i_2, ...] =
  padded[n, i_1 * b_1 + o_1, i_2 * b_2 + o_2, ...]``; BatchToSpaceND is its inverse.
- Dilation2D: max over the real cells of input + filter; the backprops send each
  out_backprop value to the first (rows outer) maximizing cell / tap.
- Fractional pools: max / mean over the windows given by the returned sequences.
"""

import itertools

import numpy as np

import flowgraph as fg
from flowgraph.ops import fractional_pool as fp
from flowgraph.ops import morphology
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

F32 = np.float32


def _distinct(shape, seed):
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n).reshape(shape) * 0.07 - 1.0)


# ------------------------------------------------------------------ space to batch
def loop_space_to_batch(x, block, pads):
    m = len(block)
    padded = np.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)] * (x.ndim - 1 - m))
    sizes = [padded.shape[1 + i] // block[i] for i in range(m)]
    batch = x.shape[0]
    out = np.zeros([batch * int(np.prod(block))] + sizes + list(x.shape[1 + m:]), x.dtype)
    for offs in itertools.product(*[range(b) for b in block]):
        flat = 0
        for o, b in zip(offs, block):
            flat = flat * b + o
        for n in range(batch):
            for idx in itertools.product(*[range(s) for s in sizes]):
                src = (n,) + tuple(i * b + o for i, b, o in zip(idx, block, offs))
                out[(flat * batch + n,) + idx] = padded[src]
    return out


def loop_batch_to_space(x, block, crops):
    m = len(block)
    batch = x.shape[0] // int(np.prod(block))
    full = np.zeros([batch] + [x.shape[1 + i] * block[i] for i in range(m)]
                    + list(x.shape[1 + m:]), x.dtype)
    for offs in itertools.product(*[range(b) for b in block]):
        flat = 0
        for o, b in zip(offs, block):
            flat = flat * b + o
        for n in range(batch):
            for idx in itertools.product(*[range(x.shape[1 + i]) for i in range(m)]):
                dst = (n,) + tuple(i * b + o for i, b, o in zip(idx, block, offs))
                full[dst] = x[(flat * batch + n,) + idx]
    index = (slice(None),) + tuple(slice(c0, full.shape[1 + i] - c1)
                                   for i, (c0, c1) in enumerate(crops))
    return full[index]


def _s2b(x, block, pads):
    return fg.space_to_batch_nd(x, block, pads)


def _b2s(x, block, crops):
    return fg.batch_to_space_nd(x, block, crops)


X4 = _distinct((2, 3, 4, 2), 0)
X3 = _distinct((2, 5, 3), 1)
B4 = _distinct((12, 2, 3, 2), 2)

# ------------------------------------------------------------------ dilation
def _geometry(size, k, s, r, padding):
    k_eff = (k - 1) * r + 1
    if padding == "SAME":
        out = -(-size // s)
        return out, max((out - 1) * s + k_eff - size, 0) // 2
    return (size - k_eff) // s + 1, 0


def loop_dilation(x, w, strides, rates, padding):
    """(output, input argmax positions, filter argmax positions) by plain loops."""
    n, h, wd, c = x.shape
    kh, kw, _ = w.shape
    oh, pt = _geometry(h, kh, strides[1], rates[1], padding)
    ow, pl = _geometry(wd, kw, strides[2], rates[2], padding)
    out = np.zeros((n, oh, ow, c), x.dtype)
    arg_in, arg_f = {}, {}
    for b, i, j, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        best, where_in, where_f = None, None, None
        for di, dj in itertools.product(range(kh), range(kw)):
            y = i * strides[1] + di * rates[1] - pt
            xx = j * strides[2] + dj * rates[2] - pl
            if 0 <= y < h and 0 <= xx < wd:
                v = x[b, y, xx, ch] + w[di, dj, ch]
                if best is None or v > best:
                    best, where_in, where_f = v, (b, y, xx, ch), (di, dj, ch)
        out[b, i, j, ch] = best
        arg_in[(b, i, j, ch)] = where_in
        arg_f[(b, i, j, ch)] = where_f
    return out, arg_in, arg_f


def _dilation_case(strides, rates, padding, part):
    attrs = dict(strides=strides, rates=rates, padding=padding)

    def build(x, w, *dy):
        if part == "out":
            return fg.nn.dilation2d(x, w, strides, rates, padding)
        cls = morphology.Dilation2DBackpropInput if part == "input" else \
            morphology.Dilation2DBackpropFilter
        return apply_op(cls(**attrs), [x, w, dy[0]])

    def expected(x, w, *dy):
        out, arg_in, arg_f = loop_dilation(x, w, strides, rates, padding)
        if part == "out":
            return out
        grad = np.zeros_like(x if part == "input" else w)
        for key, where in (arg_in if part == "input" else arg_f).items():
            grad[where] += dy[0][key]
        return grad
    return build, expected


DX = _distinct((2, 5, 6, 2), 3)
DW = _distinct((2, 3, 2), 4) * 0.5
DY_SAME = _distinct((2, 3, 6, 2), 5)
DY_VALID = _distinct((2, 3, 2, 2), 6)


# ------------------------------------------------------------------ fractional pools
def _check_sequence(seq, size, ratio):
    out = int(np.floor(size / ratio))
    assert seq.dtype == np.int64 and seq.shape == (out + 1,)
    assert seq[0] == 0 and seq[-1] == size
    k = size // out
    assert set(np.diff(seq).tolist()) <= {k, k + 1}


def _pool_reference(x, rows, cols, overlapping, reduce):
    out = np.zeros((x.shape[0], len(rows) - 1, len(cols) - 1, x.shape[3]), x.dtype)
    for i in range(len(rows) - 1):
        r1 = min(rows[i + 1] + (1 if overlapping else 0), x.shape[1])
        for j in range(len(cols) - 1):
            c1 = min(cols[j + 1] + (1 if overlapping else 0), x.shape[2])
            out[:, i, j, :] = reduce(x[:, rows[i]:r1, cols[j]:c1, :], axis=(1, 2))
    return out


def _fractional_case(fn, ratio, reduce, **kw):
    def build(x):
        return fn(x, ratio, deterministic=True, seed=7, seed2=3, **kw)

    def check(outputs, inputs):
        out, rows, cols = outputs
        x = inputs[0]
        _check_sequence(rows, x.shape[1], ratio[1])
        _check_sequence(cols, x.shape[2], ratio[2])
        want = _pool_reference(x, rows, cols, kw.get("overlapping", False), reduce)
        np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-6)
    return build, check


def _fractional_grad_case(kind, overlapping):
    rows = np.array([0, 2, 3, 5], np.int64)
    cols = np.array([0, 1, 3, 4, 6], np.int64)

    def build(x, dy):
        if kind == "max":
            return apply_op(fp.FractionalMaxPoolGrad(overlapping=overlapping),
                            [x, fg.zeros_like(dy), dy, fg.constant(rows), fg.constant(cols)])
        return apply_op(fp.FractionalAvgPoolGrad(overlapping=overlapping),
                        [fg.shape(x, out_type=fg.int64), dy, fg.constant(rows),
                         fg.constant(cols)])

    def expected(x, dy):
        grad = np.zeros_like(x)
        for i in range(len(rows) - 1):
            r1 = min(rows[i + 1] + (1 if overlapping else 0), x.shape[1])
            for j in range(len(cols) - 1):
                c1 = min(cols[j + 1] + (1 if overlapping else 0), x.shape[2])
                for b, ch in itertools.product(range(x.shape[0]), range(x.shape[3])):
                    win = x[b, rows[i]:r1, cols[j]:c1, ch]
                    if kind == "max":
                        y, xx = np.unravel_index(np.argmax(win), win.shape)
                        grad[b, rows[i] + y, cols[j] + xx, ch] += dy[b, i, j, ch]
                    else:
                        grad[b, rows[i]:r1, cols[j]:c1, ch] += dy[b, i, j, ch] / win.size
        return grad
    return build, expected


FX = _distinct((2, 5, 6, 3), 7)
FDY = _distinct((2, 3, 4, 3), 8)

CASES = [
    OpCase("SpaceToBatchND", _s2b, [X4, np.array([2, 3], np.int32),
                                    np.array([[1, 0], [1, 1]], np.int32)],
           expected=lambda x, b, p: loop_space_to_batch(x, b.tolist(), p.tolist())),
    OpCase("SpaceToBatchND", _s2b, [X3, np.array([3], np.int64),
                                    np.array([[0, 1]], np.int64)], name="1d_int64",
           expected=lambda x, b, p: loop_space_to_batch(x, b.tolist(), p.tolist())),
    OpCase("SpaceToBatchND", _s2b, [X4.astype(np.int32), np.array([1, 2], np.int32),
                                    np.zeros((2, 2), np.int32)], name="int", grad=False,
           expected=lambda x, b, p: loop_space_to_batch(x, b.tolist(), p.tolist())),
    OpCase("BatchToSpaceND", _b2s, [B4, np.array([2, 3], np.int32),
                                    np.array([[1, 0], [2, 4]], np.int32)],
           expected=lambda x, b, c: loop_batch_to_space(x, b.tolist(), c.tolist())),
    OpCase("BatchToSpaceND", _b2s, [B4, np.array([4], np.int32),
                                    np.array([[0, 3]], np.int32)], name="1d",
           expected=lambda x, b, c: loop_batch_to_space(x, b.tolist(), c.tolist())),
]

for _padding, _dy in (("SAME", DY_SAME), ("VALID", DY_VALID)):
    _s, _r = ([1, 2, 1, 1], [1, 1, 2, 1]) if _padding == "SAME" else ([1, 1, 2, 1],
                                                                    [1, 2, 1, 1])
    _b, _e = _dilation_case(_s, _r, _padding, "out")
    # Random (off-grid) values for the gradient check: no ties between window sums.
    CASES.append(OpCase("Dilation2D", _b, [DX, DW], expected=_e, name=_padding,
                        grad_inputs=[np.random.default_rng(9).uniform(-1, 1, DX.shape),
                                     np.random.default_rng(10).uniform(-1, 1, DW.shape)]))
    for _part, _op in (("input", "Dilation2DBackpropInput"),
                       ("filter", "Dilation2DBackpropFilter")):
        _b, _e = _dilation_case(_s, _r, _padding, _part)
        CASES.append(OpCase(_op, _b, [DX, DW, _dy], expected=_e, name=_padding))

for _fn, _op, _reduce in ((fp.fractional_max_pool, "FractionalMaxPool", np.max),
                          (fp.fractional_avg_pool, "FractionalAvgPool", np.mean)):
    for _kw in ({}, {"overlapping": True, "pseudo_random": True}):
        _b, _c = _fractional_case(_fn, [1.0, 1.6, 1.4, 1.0], _reduce, **_kw)
        CASES.append(OpCase(_op, _b, [FX], check=_c, name="-".join(_kw) or "random"))

for _kind, _op in (("max", "FractionalMaxPoolGrad"), ("avg", "FractionalAvgPoolGrad")):
    for _overlap in (False, True):
        _b, _e = _fractional_grad_case(_kind, _overlap)
        CASES.append(OpCase(_op, _b, [FX, FDY], expected=_e,
                            name="overlapping" if _overlap else "disjoint"))
