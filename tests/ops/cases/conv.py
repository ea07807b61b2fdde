"""Cases for conv.py, conv_grad.py and conv_depthwise.py: Conv2D, Conv2DBackpropInput,
Conv2DBackpropFilter, DepthwiseConv2dNative and its two backprops.

References are hand-computed literals and direct nested-loop convolutions written here in
plain numpy (one output pixel at a time, bounds checked against the unpadded input), with
TF1's SAME arithmetic spelled out independently: out = ceil(in / stride),
pad_total = max((out - 1) * stride + k_eff - in, 0), pad_before = pad_total // 2.
The float64 gradient check covers every case (so the backprop cases also check the
second-order rules).
"""

import math

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F32 = np.float32


def rand(shape, seed, dtype=np.float64):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape).astype(dtype)


# --------------------------------------------------------------------------- references
def ref_geometry(size, k, stride, dilation, padding):
    """(out, pad_before) along one dimension; padding "SAME", "VALID" or (before, after)."""
    k_eff = (k - 1) * dilation + 1
    if padding == "SAME":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + k_eff - size, 0)
        return out, total // 2
    before, after = (0, 0) if padding == "VALID" else padding
    return (size + before + after - k_eff) // stride + 1, before


def _spatial(x_shape, w_shape, strides, padding, dilations):
    pads = (padding, padding) if isinstance(padding, str) else padding
    oh, top = ref_geometry(x_shape[1], w_shape[0], strides[0], dilations[0], pads[0])
    ow, left = ref_geometry(x_shape[2], w_shape[1], strides[1], dilations[1], pads[1])
    return oh, ow, top, left


def _taps(x_shape, w_shape, strides, padding, dilations):
    """Yields (b, y, x, i, j, r, c): output pixel (b, y, x) reads input (r, c) with kernel
    tap (i, j), for every tap that lands inside the input."""
    oh, ow, top, left = _spatial(x_shape, w_shape, strides, padding, dilations)
    for b in range(x_shape[0]):
        for y in range(oh):
            for x in range(ow):
                for i in range(w_shape[0]):
                    for j in range(w_shape[1]):
                        r = y * strides[0] + i * dilations[0] - top
                        c = x * strides[1] + j * dilations[1] - left
                        if 0 <= r < x_shape[1] and 0 <= c < x_shape[2]:
                            yield b, y, x, i, j, r, c


def ref_conv2d(x, w, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    """NHWC x, HWIO w; padding "SAME", "VALID" or ((top, bottom), (left, right))."""
    oh, ow, _, _ = _spatial(x.shape, w.shape, strides, padding, dilations)
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for b, y, xx, i, j, r, c in _taps(x.shape, w.shape, strides, padding, dilations):
        out[b, y, xx] += x[b, r, c] @ w[i, j]
    return out


def ref_conv2d_backprop_input(x_shape, w, dy, strides=(1, 1), padding="VALID",
                              dilations=(1, 1)):
    dx = np.zeros(x_shape)
    for b, y, xx, i, j, r, c in _taps(x_shape, w.shape, strides, padding, dilations):
        dx[b, r, c] += w[i, j] @ dy[b, y, xx]
    return dx


def ref_conv2d_backprop_filter(x, w_shape, dy, strides=(1, 1), padding="VALID",
                               dilations=(1, 1)):
    dw = np.zeros(w_shape)
    for b, y, xx, i, j, r, c in _taps(x.shape, w_shape, strides, padding, dilations):
        dw[i, j] += np.outer(x[b, r, c], dy[b, y, xx])
    return dw


def ref_depthwise(x, w, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    oh, ow, _, _ = _spatial(x.shape, w.shape, strides, padding, dilations)
    c_in, m = w.shape[2], w.shape[3]
    out = np.zeros((x.shape[0], oh, ow, c_in, m))
    for b, y, xx, i, j, r, c in _taps(x.shape, w.shape, strides, padding, dilations):
        out[b, y, xx] += x[b, r, c][:, None] * w[i, j]
    return out.reshape(x.shape[0], oh, ow, c_in * m)


def ref_depthwise_backprop_input(x_shape, w, dy, strides=(1, 1), padding="VALID",
                                 dilations=(1, 1)):
    dx = np.zeros(x_shape)
    dy5 = dy.reshape(dy.shape[:3] + w.shape[2:])
    for b, y, xx, i, j, r, c in _taps(x_shape, w.shape, strides, padding, dilations):
        dx[b, r, c] += np.sum(w[i, j] * dy5[b, y, xx], axis=1)
    return dx


def ref_depthwise_backprop_filter(x, w_shape, dy, strides=(1, 1), padding="VALID",
                                  dilations=(1, 1)):
    dw = np.zeros(w_shape)
    dy5 = dy.reshape(dy.shape[:3] + tuple(w_shape[2:]))
    for b, y, xx, i, j, r, c in _taps(x.shape, w_shape, strides, padding, dilations):
        dw[i, j] += x[b, r, c][:, None] * dy5[b, y, xx]
    return dw


def nchw(a):
    return np.ascontiguousarray(np.transpose(a, (0, 3, 1, 2)))


# --------------------------------------------------------------------------- builders
def _conv(strides=1, padding="VALID", dilations=1, data_format="NHWC"):
    return lambda x, w: fg.nn.conv2d(x, w, strides=strides, padding=padding,
                                     dilations=dilations, data_format=data_format)


def _conv_case(name, x, w, strides=(1, 1), padding="VALID", dilations=(1, 1), **kw):
    fg_padding = padding if isinstance(padding, str) else \
        [[0, 0], list(padding[0]), list(padding[1]), [0, 0]]
    return OpCase("Conv2D", _conv(list(strides), fg_padding, list(dilations)), [x, w],
                  expected=lambda a, b: ref_conv2d(a, b, strides, padding, dilations),
                  name=name, **kw)


def _backprop_input(x_shape, strides, padding, dilations=(1, 1)):
    def build(w, dy):
        return fg.nn.conv2d_backprop_input(list(x_shape), w, dy, strides=[1, *strides, 1],
                                           padding=padding, dilations=[1, *dilations, 1])
    return build


def _backprop_filter(w_shape, strides, padding, dilations=(1, 1)):
    def build(x, dy):
        return fg.nn.conv2d_backprop_filter(x, list(w_shape), dy, strides=[1, *strides, 1],
                                            padding=padding, dilations=[1, *dilations, 1])
    return build


def _input_case(name, x_shape, w_shape, strides, padding, dilations=(1, 1), seed=0):
    oh, ow, _, _ = _spatial(x_shape, w_shape, strides, padding, dilations)
    w, dy = rand(w_shape, seed), rand((x_shape[0], oh, ow, w_shape[3]), seed + 1)
    return OpCase("Conv2DBackpropInput", _backprop_input(x_shape, strides, padding, dilations),
                  [w, dy], name=name,
                  expected=lambda a, b: ref_conv2d_backprop_input(x_shape, a, b, strides,
                                                                  padding, dilations))


def _filter_case(name, x_shape, w_shape, strides, padding, dilations=(1, 1), seed=0):
    oh, ow, _, _ = _spatial(x_shape, w_shape, strides, padding, dilations)
    x, dy = rand(x_shape, seed), rand((x_shape[0], oh, ow, w_shape[3]), seed + 1)
    return OpCase("Conv2DBackpropFilter",
                  _backprop_filter(w_shape, strides, padding, dilations), [x, dy], name=name,
                  expected=lambda a, b: ref_conv2d_backprop_filter(a, w_shape, b, strides,
                                                                   padding, dilations))


def _depthwise(strides=(1, 1), padding="VALID", rate=None):
    return lambda x, w: fg.nn.depthwise_conv2d(x, w, [1, *strides, 1], padding, rate=rate)


def _depthwise_case(name, x, w, strides=(1, 1), padding="VALID", rate=(1, 1), **kw):
    return OpCase("DepthwiseConv2dNative", _depthwise(strides, padding, list(rate)), [x, w],
                  expected=lambda a, b: ref_depthwise(a, b, strides, padding, rate),
                  name=name, **kw)


def _dw_input_case(name, x_shape, w_shape, strides, padding, seed=0):
    oh, ow, _, _ = _spatial(x_shape, w_shape, strides, padding, (1, 1))
    w = rand(w_shape, seed)
    dy = rand((x_shape[0], oh, ow, w_shape[2] * w_shape[3]), seed + 1)

    def build(a, b):
        return fg.nn.depthwise_conv2d_native_backprop_input(list(x_shape), a, b,
                                                            [1, *strides, 1], padding)
    return OpCase("DepthwiseConv2dNativeBackpropInput", build, [w, dy], name=name,
                  expected=lambda a, b: ref_depthwise_backprop_input(x_shape, a, b, strides,
                                                                     padding))


def _dw_filter_case(name, x_shape, w_shape, strides, padding, seed=0):
    oh, ow, _, _ = _spatial(x_shape, w_shape, strides, padding, (1, 1))
    x = rand(x_shape, seed)
    dy = rand((x_shape[0], oh, ow, w_shape[2] * w_shape[3]), seed + 1)

    def build(a, b):
        return fg.nn.depthwise_conv2d_native_backprop_filter(a, list(w_shape), b,
                                                             [1, *strides, 1], padding)
    return OpCase("DepthwiseConv2dNativeBackpropFilter", build, [x, dy], name=name,
                  expected=lambda a, b: ref_depthwise_backprop_filter(a, w_shape, b, strides,
                                                                      padding))


# --------------------------------------------------------------------------- literals
# 1..9 in a 3x3 image; a 2x2 filter of ones sums each 2x2 window.
NINE = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
ONES22 = np.ones((2, 2, 1, 1))
# SAME with stride 1 pads one row / column after (pad_total 1: 0 before, 1 after).
SAME_NINE = np.array([[12.0, 16.0, 9.0], [24.0, 28.0, 15.0], [15.0, 17.0, 9.0]])
# Two output channels: the identity tap and minus the bottom-right tap.
TWO = np.zeros((2, 2, 1, 2))
TWO[0, 0, 0, 0] = 1.0
TWO[1, 1, 0, 1] = -1.0

CASES = [
    # ------------------------------------------------------------------ Conv2D literals
    OpCase("Conv2D", _conv(), [NINE, ONES22],
           expected=np.array([12.0, 16.0, 24.0, 28.0]).reshape(1, 2, 2, 1), name="literal"),
    OpCase("Conv2D", _conv(padding="SAME"), [NINE.astype(F32), ONES22.astype(F32)],
           expected=SAME_NINE.reshape(1, 3, 3, 1).astype(F32), name="literal_same_f32"),
    OpCase("Conv2D", _conv(strides=2, padding="SAME"), [NINE, ONES22],
           # out 2: pad_total = (2 - 1) * 2 + 2 - 3 = 1, all after: windows at 0 and 2.
           expected=np.array([12.0, 9.0, 15.0, 9.0]).reshape(1, 2, 2, 1),
           name="literal_same_stride2"),
    OpCase("Conv2D", _conv(), [NINE, TWO],
           expected=np.stack([[[1.0, 2.0], [4.0, 5.0]], [[-5.0, -6.0], [-8.0, -9.0]]],
                             axis=-1)[None], name="literal_two_channels"),
    OpCase("Conv2D", _conv(dilations=2), [np.arange(1.0, 17.0).reshape(1, 4, 4, 1),
                                          ONES22],
           # taps at (0, 0), (0, 2), (2, 0), (2, 2) of each 3x3 dilated window.
           expected=np.array([1 + 3 + 9 + 11.0, 2 + 4 + 10 + 12.0, 5 + 7 + 13 + 15.0,
                              6 + 8 + 14 + 16.0]).reshape(1, 2, 2, 1),
           name="literal_dilated"),
    # ------------------------------------------------------------------ Conv2D vs loops
    _conv_case("same_even", rand((1, 4, 4, 2), 1), rand((3, 3, 2, 3), 2), padding="SAME"),
    _conv_case("same_odd_stride2", rand((2, 5, 5, 1), 3), rand((3, 3, 1, 2), 4), (2, 2),
               "SAME"),
    _conv_case("same_stride3", rand((1, 7, 6, 2), 5), rand((2, 3, 2, 2), 6), (3, 3), "SAME"),
    _conv_case("valid_stride2", rand((1, 6, 7, 2), 7), rand((3, 2, 2, 2), 8), (2, 2)),
    _conv_case("valid_stride3_uneven", rand((1, 8, 7, 1), 9), rand((2, 2, 1, 2), 10), (3, 2)),
    _conv_case("same_dilated", rand((1, 5, 5, 2), 11), rand((2, 2, 2, 2), 12), padding="SAME",
               dilations=(2, 2)),
    _conv_case("valid_dilated_rect", rand((1, 6, 5, 1), 13), rand((2, 2, 1, 2), 14),
               dilations=(2, 1)),
    _conv_case("explicit", rand((1, 3, 4, 2), 15), rand((2, 2, 2, 2), 16), (2, 1),
               padding=((1, 2), (0, 1))),
    # Stride 1 with pads wider than the kernel / out_c > 4 * in_c: the input gradient takes
    # col2im instead of the rotated-filter convolution.
    _conv_case("explicit_wide_pads", rand((1, 3, 3, 1), 36), rand((2, 2, 1, 1), 37),
               padding=((3, 0), (0, 2))),
    _conv_case("many_out_channels", rand((1, 3, 4, 1), 38), rand((2, 2, 1, 5), 39),
               padding="SAME"),
    _conv_case("wide_channels", rand((1, 4, 4, 8), 17), rand((3, 3, 8, 2), 18), padding="SAME"),
    _conv_case("pointwise", rand((2, 3, 3, 3), 19), rand((1, 1, 3, 2), 20)),
    _conv_case("pointwise_stride2", rand((1, 5, 4, 3), 21), rand((1, 1, 3, 2), 22), (2, 2)),
    _conv_case("kernel_covers_all", rand((1, 2, 2, 2), 23), rand((2, 2, 2, 3), 24)),
    _conv_case("float32", rand((2, 5, 6, 3), 25, F32), rand((3, 3, 3, 4), 26, F32), (2, 2),
               "SAME", rtol=1e-5, atol=1e-5),
    _conv_case("float16", rand((1, 4, 4, 2), 27, np.float16),
               rand((2, 2, 2, 2), 28, np.float16), rtol=1e-2, atol=1e-2, grad=False),
    _conv_case("empty_batch", np.zeros((0, 4, 4, 2)), rand((3, 3, 2, 2), 29), padding="SAME"),
    OpCase("Conv2D", _conv(strides=2, padding="SAME", data_format="NCHW"),
           [nchw(rand((1, 5, 4, 2), 30)), rand((3, 3, 2, 2), 31)],
           expected=lambda x, w: nchw(ref_conv2d(np.transpose(x, (0, 2, 3, 1)), w, (2, 2),
                                                 "SAME")), name="nchw"),
    OpCase("Conv2D", lambda x, w: fg.nn.conv1d(x, w, 2, "SAME"),
           [rand((2, 7, 2), 32), rand((3, 2, 3), 33)],
           expected=lambda x, w: ref_conv2d(x[:, None], w[None], (1, 2), "SAME")[:, 0],
           name="conv1d"),
    OpCase("Conv2D", lambda x, w: fg.nn.convolution(x, w, "VALID", dilation_rate=[2, 1]),
           [rand((1, 6, 4, 1), 34), rand((2, 2, 1, 2), 35)],
           expected=lambda x, w: ref_conv2d(x, w, dilations=(2, 1)), name="convolution",
           partial_shapes=False),
    # ------------------------------------------------------------------ backprops
    _input_case("same_stride1", (1, 4, 4, 2), (3, 3, 2, 2), (1, 1), "SAME"),
    _input_case("same_stride2_odd", (2, 5, 5, 1), (3, 3, 1, 2), (2, 2), "SAME", seed=2),
    _input_case("valid_stride3", (1, 8, 7, 2), (2, 3, 2, 1), (3, 2), "VALID", seed=4),
    _input_case("valid_dilated", (1, 5, 5, 1), (2, 2, 1, 2), (1, 1), "VALID", (2, 2), seed=6),
    _input_case("pointwise_stride2", (1, 5, 4, 2), (1, 1, 2, 2), (2, 2), "VALID", seed=8),
    _filter_case("same_stride1", (1, 4, 4, 2), (3, 3, 2, 2), (1, 1), "SAME"),
    _filter_case("same_stride2_odd", (2, 5, 5, 1), (3, 3, 1, 2), (2, 2), "SAME", seed=2),
    _filter_case("valid_stride3", (1, 8, 7, 2), (2, 3, 2, 1), (3, 2), "VALID", seed=4),
    _filter_case("same_dilated", (1, 5, 5, 1), (2, 2, 1, 2), (1, 1), "SAME", (2, 2), seed=6),
    _filter_case("wide_channels", (1, 3, 3, 8), (2, 2, 8, 1), (1, 1), "SAME", seed=8),
    _filter_case("pointwise", (1, 3, 3, 2), (1, 1, 2, 2), (1, 1), "VALID", seed=10),
    OpCase("Conv2DBackpropInput",
           lambda x, w: fg.nn.conv2d_transpose(x, w, [1, 5, 5, 2], [1, 2, 2, 1], "SAME"),
           [rand((1, 3, 3, 3), 40), rand((3, 3, 2, 3), 41)], name="conv2d_transpose",
           expected=lambda x, w: ref_conv2d_backprop_input((1, 5, 5, 2), w, x, (2, 2),
                                                           "SAME")),
    # ------------------------------------------------------------------ depthwise
    _depthwise_case("valid", rand((1, 4, 4, 2), 50), rand((2, 2, 2, 1), 51)),
    _depthwise_case("same_multiplier2", rand((2, 4, 5, 2), 52), rand((3, 3, 2, 2), 53),
                    padding="SAME"),
    _depthwise_case("same_stride2", rand((1, 5, 5, 3), 54), rand((3, 3, 3, 1), 55), (2, 2),
                    "SAME"),
    _depthwise_case("rate2", rand((1, 5, 5, 1), 56), rand((2, 2, 1, 2), 57), padding="SAME",
                    rate=(2, 2)),
    _depthwise_case("float32", rand((1, 4, 4, 2), 58, F32), rand((2, 2, 2, 2), 59, F32),
                    rtol=1e-5, atol=1e-5),
    _dw_input_case("same_multiplier2", (1, 4, 4, 2), (3, 3, 2, 2), (1, 1), "SAME"),
    _dw_input_case("valid_stride2", (1, 5, 5, 2), (2, 2, 2, 1), (2, 2), "VALID", seed=2),
    _dw_filter_case("same_multiplier2", (1, 4, 4, 2), (3, 3, 2, 2), (1, 1), "SAME"),
    _dw_filter_case("valid_stride2", (1, 5, 5, 2), (2, 2, 2, 1), (2, 2), "VALID", seed=2),
    OpCase("Conv2D", lambda x, d, p: fg.nn.separable_conv2d(x, d, p, [1, 1, 1, 1], "SAME"),
           [rand((1, 4, 4, 2), 60), rand((3, 3, 2, 2), 61), rand((1, 1, 4, 3), 62)],
           expected=lambda x, d, p: ref_conv2d(ref_depthwise(x, d, padding="SAME"), p),
           name="separable"),
]
