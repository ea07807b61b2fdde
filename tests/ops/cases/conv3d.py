"""Cases for conv3d.py: Conv3D, Conv3DBackpropInputV2, Conv3DBackpropFilterV2.

The reference is a tap-by-tap loop written here in plain numpy (every output voxel, every
kernel tap landing inside the unpadded input), with TF1's SAME arithmetic spelled out:
out = ceil(in / stride), pad_total = max((out - 1) * stride + k_eff - in, 0),
pad_before = pad_total // 2. The backprop references are the adjoints of that same loop.
The float64 gradient check covers every case (the backprop cases check the second-order
rules too).
"""

import math

import numpy as np

from flowgraph.ops import conv3d as c3
from tests.ops.harness import OpCase


def rand(shape, seed):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape)


def _geometry(size, k, stride, dilation, padding):
    k_eff = (k - 1) * dilation + 1
    if padding == "SAME":
        out = math.ceil(size / stride)
        return out, max((out - 1) * stride + k_eff - size, 0) // 2
    return (size - k_eff) // stride + 1, 0


def _taps(x_shape, w_shape, strides, padding, dilations):
    """(output index, kernel tap, input index) triples of every tap inside the input."""
    geo = [_geometry(x_shape[1 + a], w_shape[a], strides[a], dilations[a], padding)
           for a in range(3)]
    outs = [g[0] for g in geo]
    for b in range(x_shape[0]):
        for o in np.ndindex(*outs):
            for t in np.ndindex(*w_shape[:3]):
                p = [o[a] * strides[a] + t[a] * dilations[a] - geo[a][1] for a in range(3)]
                if all(0 <= p[a] < x_shape[1 + a] for a in range(3)):
                    yield (b,) + o, t, (b,) + tuple(p)
    return outs


def _out_shape(x_shape, w_shape, strides, padding, dilations):
    return [x_shape[0]] + [_geometry(x_shape[1 + a], w_shape[a], strides[a], dilations[a],
                                     padding)[0] for a in range(3)] + [w_shape[4]]


def ref_conv3d(x, w, strides, padding, dilations=(1, 1, 1)):
    y = np.zeros(_out_shape(x.shape, w.shape, strides, padding, dilations))
    for o, t, p in _taps(x.shape, w.shape, strides, padding, dilations):
        y[o] += x[p] @ w[t]
    return y


def ref_backprop_input(x_shape, w, dy, strides, padding, dilations=(1, 1, 1)):
    dx = np.zeros(x_shape)
    for o, t, p in _taps(x_shape, w.shape, strides, padding, dilations):
        dx[p] += w[t] @ dy[o]
    return dx


def ref_backprop_filter(x, w_shape, dy, strides, padding, dilations=(1, 1, 1)):
    dw = np.zeros(w_shape)
    for o, t, p in _taps(x.shape, w_shape, strides, padding, dilations):
        dw[t] += np.outer(x[p], dy[o])
    return dw


def _full(v):
    return [1] + list(v) + [1]


def conv_case(x_shape, w_shape, strides, padding, dilations=(1, 1, 1), name="", seed=0):
    x, w = rand(x_shape, seed), rand(w_shape, seed + 1)
    build = (lambda x, w: c3.conv3d(x, w, _full(strides), padding, dilations=_full(dilations)))
    return OpCase("Conv3D", build, [x, w], name=name,
                  expected=ref_conv3d(x, w, strides, padding, dilations))


def input_case(x_shape, w_shape, strides, padding, name, seed=0):
    w = rand(w_shape, seed)
    dy = rand(_out_shape(x_shape, w_shape, strides, padding, (1, 1, 1)), seed + 1)
    build = (lambda w, dy: c3.conv3d_backprop_input_v2(x_shape, w, dy, _full(strides),
                                                       padding))
    return OpCase("Conv3DBackpropInputV2", build, [w, dy], name=name,
                  expected=ref_backprop_input(x_shape, w, dy, strides, padding))


def filter_case(x_shape, w_shape, strides, padding, name, seed=0):
    x = rand(x_shape, seed)
    dy = rand(_out_shape(x_shape, w_shape, strides, padding, (1, 1, 1)), seed + 1)
    build = (lambda x, dy: c3.conv3d_backprop_filter_v2(x, list(w_shape), dy, _full(strides),
                                                        padding))
    return OpCase("Conv3DBackpropFilterV2", build, [x, dy], name=name,
                  expected=ref_backprop_filter(x, w_shape, dy, strides, padding))


X_NDHWC = rand((1, 4, 3, 5, 2), 5)
W_NC = rand((2, 2, 2, 2, 3), 6)

CASES = [
    # Hand-computed: a 2x2x2 box sum over 1..27 arranged 3x3x3 (VALID): the window at the
    # origin holds 1+2+4+5+10+11+13+14 = 60; each step right adds 8, down 24, deeper 72.
    OpCase("Conv3D", lambda x, w: c3.conv3d(x, w, [1] * 5, "VALID"),
           [np.arange(1.0, 28.0).reshape(1, 3, 3, 3, 1), np.ones((2, 2, 2, 1, 1))],
           expected=np.array([60.0, 68.0, 84.0, 92.0, 132.0, 140.0, 156.0, 164.0]).reshape(
               1, 2, 2, 2, 1), name="box_sum"),
    conv_case((2, 4, 5, 3, 2), (2, 3, 2, 2, 3), (1, 1, 1), "VALID", name="valid"),
    conv_case((1, 5, 4, 5, 2), (3, 2, 3, 2, 2), (2, 1, 2), "SAME", name="same_strided"),
    conv_case((1, 5, 3, 3, 1), (2, 2, 1, 1, 2), (1, 1, 1), "VALID", (2, 1, 1),
              name="dilated"),
    OpCase("Conv3D", lambda x, w: c3.conv3d(x, w, [1, 1, 1, 2, 2], "SAME",
                                            data_format="NCDHW"),
           [X_NDHWC.transpose(0, 4, 1, 2, 3), W_NC],
           expected=ref_conv3d(X_NDHWC, W_NC, (1, 2, 2), "SAME").transpose(0, 4, 1, 2, 3),
           name="ncdhw"),
    input_case((2, 4, 3, 4, 2), (2, 2, 3, 2, 3), (1, 1, 1), "SAME", name="same"),
    input_case((1, 5, 4, 5, 2), (3, 2, 2, 2, 2), (2, 2, 2), "VALID", name="strided"),
    filter_case((2, 4, 3, 4, 2), (2, 2, 3, 2, 3), (1, 1, 1), "SAME", name="same"),
    filter_case((1, 5, 4, 5, 2), (3, 2, 2, 2, 2), (2, 1, 2), "VALID", name="strided"),
    OpCase("Conv3DBackpropInputV2",
           lambda x, w: c3.conv3d_transpose(x, w, [1, 4, 4, 4, 2], [1, 2, 2, 2, 1], "SAME"),
           [rand((1, 2, 2, 2, 3), 8), rand((2, 2, 2, 2, 3), 9)],
           expected=ref_backprop_input((1, 4, 4, 4, 2), rand((2, 2, 2, 2, 3), 9),
                                       rand((1, 2, 2, 2, 3), 8), (2, 2, 2), "SAME"),
           name="transpose"),
]
