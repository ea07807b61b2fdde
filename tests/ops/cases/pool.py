"""Cases for pool.py and pool_grad.py: MaxPool, AvgPool, their 3-D forms, SumPool, and the
gradient ops MaxPoolGrad, MaxPoolGradGrad, AvgPoolGrad, SumPoolGrad (2-D and 3-D).

References are direct loops over every output cell (`loop_pool`), written from TF1's
padding rule: ``out = ceil(n / s)`` for SAME, ``pad_before = pad_total // 2``; windows
count only real cells. Gradient references loop the same way. Inputs of the gradient
check hold distinct values (no ties in any max window).
"""

import itertools

import numpy as np

import flowgraph as fg
from flowgraph.ops import pool_grad
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

F32 = np.float32


def _dims(n, k, s, d, padding):
    """(out, pad_before) of one spatial dimension, from TF1's documented formulas."""
    k_eff = (k - 1) * d + 1
    if padding == "VALID":
        return int(np.ceil((n - k_eff + 1) / s)), 0
    out = int(np.ceil(n / s))
    pad_total = max((out - 1) * s + k_eff - n, 0)
    return out, pad_total // 2


def _windows(shape, ksize, strides, padding, dilations=None):
    """For a channels-last input shape: yields (output index without batch/channel, list of
    input spatial indices inside the window, in scan order)."""
    spatial = shape[1:-1]
    dilations = dilations or [1] * len(spatial)
    dims = [_dims(n, k, s, d, padding)
            for n, k, s, d in zip(spatial, ksize, strides, dilations)]
    for out_index in itertools.product(*(range(o) for o, _ in dims)):
        cells = []
        for offset in itertools.product(*(range(k) for k in ksize)):
            pos = tuple(o * s + z * d - b for o, s, z, d, (_, b) in
                        zip(out_index, strides, offset, dilations, dims))
            if all(0 <= p < n for p, n in zip(pos, spatial)):
                cells.append(pos)
        yield out_index, cells


def _out_shape(shape, ksize, strides, padding, dilations=None):
    dilations = dilations or [1] * len(ksize)
    return (shape[0],) + tuple(_dims(n, k, s, d, padding)[0] for n, k, s, d in
                               zip(shape[1:-1], ksize, strides, dilations)) + (shape[-1],)


def loop_pool(x, ksize, strides, padding, mode, dilations=None):
    """Channels-last pooling by a loop over every output cell."""
    x = np.asarray(x)
    out = np.zeros(_out_shape(x.shape, ksize, strides, padding, dilations),
                   np.float64 if mode == "avg" else x.dtype)
    for out_index, cells in _windows(x.shape, ksize, strides, padding, dilations):
        for b in range(x.shape[0]):
            for c in range(x.shape[-1]):
                values = [x[(b,) + cell + (c,)] for cell in cells]
                if mode == "max":
                    result = max(values)
                elif mode == "min":
                    result = min(values)
                elif mode == "sum":
                    result = sum(values)
                else:
                    result = sum(float(v) for v in values) / len(values)
                out[(b,) + out_index + (c,)] = result
    return out.astype(x.dtype)


def loop_max_grad(x, dy, ksize, strides, padding):
    """dy of each window added at the first maximum of the window (scan order)."""
    g = np.zeros(x.shape, dy.dtype)
    for out_index, cells in _windows(x.shape, ksize, strides, padding):
        for b in range(x.shape[0]):
            for c in range(x.shape[-1]):
                values = [x[(b,) + cell + (c,)] for cell in cells]
                first = cells[int(np.argmax(values))]
                g[(b,) + first + (c,)] += dy[(b,) + out_index + (c,)]
    return g


def loop_max_grad_grad(x, ddx, ksize, strides, padding):
    out = np.zeros(_out_shape(x.shape, ksize, strides, padding), ddx.dtype)
    for out_index, cells in _windows(x.shape, ksize, strides, padding):
        for b in range(x.shape[0]):
            for c in range(x.shape[-1]):
                values = [x[(b,) + cell + (c,)] for cell in cells]
                first = cells[int(np.argmax(values))]
                out[(b,) + out_index + (c,)] = ddx[(b,) + first + (c,)]
    return out


def loop_sum_grad(shape, dy, ksize, strides, padding, average):
    g = np.zeros(shape, np.float64)
    for out_index, cells in _windows(shape, ksize, strides, padding):
        for cell in cells:
            scale = 1.0 / len(cells) if average else 1.0
            g[(slice(None),) + cell + (slice(None),)] += dy[(slice(None),) + out_index +
                                                            (slice(None),)] * scale
    return g.astype(dy.dtype)


def _distinct(shape, seed):
    """Values with no ties, at least 0.05 apart (safe for finite differences)."""
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n).reshape(shape) * 0.05 - 1.0)


def _nchw(x):
    # A C-contiguous copy: the gradient check nudges the fed array through reshape(-1).
    return np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)))


def _nhwc(x):
    return np.transpose(x, (0, 2, 3, 1))


X = _distinct((2, 5, 5, 3), 0)
X32 = X.astype(F32)
X6 = _distinct((1, 6, 7, 2), 1)
X3D = _distinct((1, 4, 5, 3, 2), 2)
TIES = np.array([[[[1.0], [3.0], [3.0]], [[3.0], [0.0], [2.0]], [[1.0], [1.0], [1.0]]]], F32)


def _max(k, s, padding, **kw):
    return lambda x: fg.nn.max_pool(x, k, s, padding, **kw)


def _avg(k, s, padding, **kw):
    return lambda x: fg.nn.avg_pool(x, k, s, padding, **kw)


def _max_grad(k, s, padding):
    def build(x, dy):
        attrs = dict(ksize=[1, k, k, 1], strides=[1, s, s, 1], padding=padding)
        y = fg.nn.max_pool(x, k, s, padding)
        return apply_op(pool_grad.MaxPoolGrad(**attrs), [x, y, dy])
    return build


def _max_grad_grad(k, s, padding):
    def build(x, ddx):
        attrs = dict(ksize=[1, k, k, 1], strides=[1, s, s, 1], padding=padding)
        y = fg.nn.max_pool(x, k, s, padding)
        return apply_op(pool_grad.MaxPoolGradGrad(**attrs), [x, y, ddx])
    return build


def _avg_grad(shape, k, s, padding, cls=pool_grad.AvgPoolGrad):
    def build(dy):
        rank = len(shape)
        ones = [1] * (rank - 2)
        attrs = dict(ksize=[1] + [k] * (rank - 2) + [1], strides=[1] + [s] * (rank - 2) + [1],
                     padding=padding, data_format={4: "NHWC", 5: "NDHWC", 3: "NWC"}[rank])
        del ones
        return apply_op(cls(**attrs), [fg.constant(list(shape), fg.int32), dy])
    return build


DY_MAX = _distinct((2, 3, 3, 3), 3)
RELU_TIES = np.maximum(np.round(np.random.default_rng(10).standard_normal((2, 5, 5, 3))), 0)
DY_VALID = _distinct((1, 1, 3, 2), 4)
DY3 = _distinct((2, 2, 2, 3), 5)

CASES = [
    # ------------------------------------------------------------------ MaxPool
    OpCase("MaxPool", _max(2, 2, "SAME"), [X],
           expected=lambda x: loop_pool(x, [2, 2], [2, 2], "SAME", "max")),
    OpCase("MaxPool", _max(3, 2, "SAME"), [X32],
           expected=lambda x: loop_pool(x, [3, 3], [2, 2], "SAME", "max"), name="3x3-s2"),
    OpCase("MaxPool", _max([2, 3], [2, 1], "VALID"), [X6],
           expected=lambda x: loop_pool(x, [2, 3], [2, 1], "VALID", "max"), name="valid"),
    OpCase("MaxPool", _max([1, 3, 2, 1], [1, 1, 2, 1], "SAME"), [X6],
           expected=lambda x: loop_pool(x, [3, 2], [1, 2], "SAME", "max"), name="4-lists"),
    OpCase("MaxPool", _max(2, 2, "SAME", data_format="NCHW"), [_nchw(X)],
           expected=lambda x: _nchw(loop_pool(_nhwc(x), [2, 2], [2, 2], "SAME", "max")),
           name="nchw"),
    OpCase("MaxPool", _max(2, 1, "SAME"), [np.array(-X * 40, np.int32)],
           expected=lambda x: loop_pool(x, [2, 2], [1, 1], "SAME", "max"), name="int32",
           grad=False),
    OpCase("MaxPool", _max(1, 3, "VALID"), [X], name="k1-s3",
           expected=lambda x: x[:, ::3, ::3, :]),
    OpCase("MaxPool", _max(2, 2, "SAME"), [np.zeros((0, 4, 4, 2), F32)],
           expected=np.zeros((0, 2, 2, 2), F32), name="empty", grad=False),
    OpCase("MaxPool", _max(2, 1, "VALID"), [TIES],
           expected=np.array([[[[3.0], [3.0]], [[3.0], [2.0]]]], F32), name="ties",
           grad=False),
    # ------------------------------------------------------------------ AvgPool
    OpCase("AvgPool", _avg(2, 2, "SAME"), [X],
           expected=lambda x: loop_pool(x, [2, 2], [2, 2], "SAME", "avg")),
    OpCase("AvgPool", _avg(3, 2, "SAME"), [X32], rtol=1e-5,
           expected=lambda x: loop_pool(x, [3, 3], [2, 2], "SAME", "avg"), name="3x3-s2"),
    OpCase("AvgPool", _avg([3, 2], [1, 2], "SAME"), [X6],
           expected=lambda x: loop_pool(x, [3, 2], [1, 2], "SAME", "avg"), name="rect"),
    OpCase("AvgPool", _avg(2, 2, "VALID"), [X6],
           expected=lambda x: loop_pool(x, [2, 2], [2, 2], "VALID", "avg"), name="valid"),
    OpCase("AvgPool", _avg(3, 1, "SAME", data_format="NCHW"), [_nchw(X)],
           expected=lambda x: _nchw(loop_pool(_nhwc(x), [3, 3], [1, 1], "SAME", "avg")),
           name="nchw"),
    OpCase("AvgPool", _avg(2, 2, "SAME"), [X.astype(np.float16)], rtol=2e-3, atol=2e-3,
           expected=lambda x: loop_pool(x.astype(np.float64), [2, 2], [2, 2], "SAME", "avg"
                                        ).astype(np.float16), name="float16", grad=False),
    # A 3x3 SAME window at a corner of a 3x3 input holds 4 real cells, at an edge 6.
    OpCase("AvgPool", _avg(3, 1, "SAME"), [np.arange(9, dtype=F32).reshape(1, 3, 3, 1)],
           expected=np.array([[2.0, 2.5, 3.0], [3.5, 4.0, 4.5], [5.0, 5.5, 6.0]],
                             F32).reshape(1, 3, 3, 1), name="counts"),
    # ------------------------------------------------------------------ 3-D
    OpCase("MaxPool3D", lambda x: fg.nn.max_pool3d(x, 2, 2, "SAME"), [X3D],
           expected=lambda x: loop_pool(x, [2, 2, 2], [2, 2, 2], "SAME", "max")),
    OpCase("MaxPool3D", lambda x: fg.nn.max_pool3d(x, [2, 3, 1], 1, "VALID"), [X3D],
           expected=lambda x: loop_pool(x, [2, 3, 1], [1, 1, 1], "VALID", "max"),
           name="valid"),
    OpCase("AvgPool3D", lambda x: fg.nn.avg_pool3d(x, 3, 2, "SAME"), [X3D],
           expected=lambda x: loop_pool(x, [3, 3, 3], [2, 2, 2], "SAME", "avg")),
    OpCase("AvgPool3D", lambda x: fg.nn.avg_pool3d(x, 2, 1, "SAME", data_format="NCDHW"),
           [np.ascontiguousarray(np.moveaxis(X3D, -1, 1))], name="ncdhw",
           expected=lambda x: np.moveaxis(loop_pool(np.moveaxis(x, 1, -1), [2, 2, 2],
                                                    [1, 1, 1], "SAME", "avg"), -1, 1)),
    # ------------------------------------------------------------------ SumPool (pool())
    OpCase("SumPool", lambda x: fg.nn.pool(x, [3, 3], "SUM", "SAME", strides=[2, 2]), [X],
           expected=lambda x: loop_pool(x, [3, 3], [2, 2], "SAME", "sum")),
    OpCase("SumPool", lambda x: fg.nn.pool(x, [2], "SUM", "VALID"), [X6[:, 0]],
           expected=lambda x: loop_pool(x, [2], [1], "VALID", "sum"), name="1d"),
    OpCase("SumPool", lambda x: fg.nn.pool(x, [2, 2], "SUM", "VALID", dilation_rate=[2, 1]),
           [X6], expected=lambda x: loop_pool(x, [2, 2], [1, 1], "VALID", "sum", [2, 1]),
           name="dilated"),
    OpCase("SumPool", lambda x: fg.nn.pool(x, [2, 2], "SUM", "SAME"),
           [np.arange(8, dtype=np.int64).reshape(1, 2, 4, 1)], name="int64",
           expected=np.array([[10, 14, 18, 10], [9, 11, 13, 7]], np.int64).reshape(1, 2, 4, 1)),
    # ------------------------------------------------------------------ gradients
    OpCase("MaxPoolGrad", _max_grad(2, 2, "SAME"), [X, DY_MAX],
           expected=lambda x, dy: loop_max_grad(x, dy, [2, 2], [2, 2], "SAME")),
    OpCase("MaxPoolGrad", _max_grad(3, 2, "SAME"), [X32, DY_MAX.astype(F32)],
           expected=lambda x, dy: loop_max_grad(x, dy, [3, 3], [2, 2], "SAME"),
           name="overlapping"),
    OpCase("MaxPoolGrad", _max_grad(2, 1, "VALID"),
           [TIES, np.array([[[[1.0], [2.0]], [[4.0], [8.0]]]], F32)], name="ties",
           expected=np.array([[[[0.0], [3.0], [0.0]], [[4.0], [0.0], [8.0]],
                               [[0.0], [0.0], [0.0]]]], F32), grad=False),
    # relu-like inputs: many windows whose maximum is held by several cells (zeros, equal
    # integers); 2x2 windows with stride 2 tile the 5x5 input (padded after) exactly.
    OpCase("MaxPoolGrad", _max_grad(2, 2, "SAME"), [RELU_TIES, DY_MAX], name="ties_tiled",
           expected=lambda x, dy: loop_max_grad(x, dy, [2, 2], [2, 2], "SAME"), grad=False),
    # Disjoint windows with gaps between them (stride 3 > ksize 2): cells in no window get 0.
    OpCase("MaxPoolGrad", _max_grad(2, 3, "VALID"), [X6, _distinct((1, 2, 2, 2), 8)],
           expected=lambda x, dy: loop_max_grad(x, dy, [2, 2], [3, 3], "VALID"), name="gaps"),
    OpCase("MaxPoolGradGrad", _max_grad_grad(2, 2, "SAME"), [RELU_TIES, X * 3.0],
           expected=lambda x, g: loop_max_grad_grad(x, g, [2, 2], [2, 2], "SAME"),
           name="ties_tiled", grad=False),
    OpCase("MaxPoolGradGrad", _max_grad_grad(3, 2, "SAME"), [X, X[::-1] * 2.0],
           expected=lambda x, g: loop_max_grad_grad(x, g, [3, 3], [2, 2], "SAME")),
    OpCase("MaxPool3DGrad",
           lambda x, dy: apply_op(pool_grad.MaxPool3DGrad(
               ksize=[1, 2, 2, 2, 1], strides=[1, 2, 2, 2, 1], padding="SAME", data_format="NDHWC"),
               [x, fg.nn.max_pool3d(x, 2, 2, "SAME"), dy]),
           [X3D, _distinct((1, 2, 3, 2, 2), 6)],
           expected=lambda x, dy: loop_max_grad(x, dy, [2, 2, 2], [2, 2, 2], "SAME")),
    OpCase("MaxPool3DGradGrad",
           lambda x, g: apply_op(pool_grad.MaxPool3DGradGrad(
               ksize=[1, 2, 2, 2, 1], strides=[1, 1, 1, 1, 1], padding="VALID",
               data_format="NDHWC"), [x, fg.nn.max_pool3d(x, 2, 1, "VALID"), g]),
           [X3D, X3D * 3.0],
           expected=lambda x, g: loop_max_grad_grad(x, g, [2, 2, 2], [1, 1, 1], "VALID")),
    OpCase("AvgPoolGrad", _avg_grad((2, 5, 5, 3), 2, 2, "SAME"), [DY_MAX],
           expected=lambda dy: loop_sum_grad((2, 5, 5, 3), dy, [2, 2], [2, 2], "SAME", True)),
    OpCase("AvgPoolGrad", _avg_grad((2, 5, 5, 3), 3, 2, "SAME"), [DY_MAX.astype(F32)],
           rtol=1e-5, name="overlapping",
           expected=lambda dy: loop_sum_grad((2, 5, 5, 3), dy, [3, 3], [2, 2], "SAME", True)),
    OpCase("AvgPoolGrad", _avg_grad((1, 3, 6, 2), 2, 2, "VALID"), [DY_VALID], name="valid",
           expected=lambda dy: loop_sum_grad((1, 3, 6, 2), dy, [2, 2], [2, 2], "VALID", True)),
    OpCase("AvgPoolGrad", _avg_grad((1, 6, 7, 2), 2, 3, "VALID"), [_distinct((1, 2, 2, 2), 9)],
           name="gaps",
           expected=lambda dy: loop_sum_grad((1, 6, 7, 2), dy, [2, 2], [3, 3], "VALID", True)),
    OpCase("AvgPool3DGrad", _avg_grad((1, 3, 4, 3, 2), 2, 2, "SAME", pool_grad.AvgPool3DGrad),
           [_distinct((1, 2, 2, 2, 2), 7)],
           expected=lambda dy: loop_sum_grad((1, 3, 4, 3, 2), dy, [2, 2, 2], [2, 2, 2], "SAME",
                                             True)),
    OpCase("SumPoolGrad", _avg_grad((2, 4, 4, 3), 3, 2, "SAME", pool_grad.SumPoolGrad), [DY3],
           expected=lambda dy: loop_sum_grad((2, 4, 4, 3), dy, [3, 3], [2, 2], "SAME", False)),
]
