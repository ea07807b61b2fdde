"""TF1 behaviour of the convolutions: SAME / VALID arithmetic, node names, errors, NCHW,
conv2d_transpose, and the kernels' internal paths (blocks, narrow / wide channels, the
rotated-filter input gradient) against the nested-loop references of cases/conv.py."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops import conv_kernels
from tests.ops.cases.conv import (
    nchw,
    rand,
    ref_conv2d,
    ref_conv2d_backprop_filter,
    ref_conv2d_backprop_input,
    ref_depthwise,
)


def run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


# --------------------------------------------------------------------------- arithmetic
@pytest.mark.parametrize("size,k,stride,dilation", [
    (5, 3, 1, 1), (5, 3, 2, 1), (6, 3, 2, 1), (7, 2, 3, 1), (8, 5, 3, 1), (4, 4, 1, 1),
    (9, 3, 2, 2), (6, 2, 1, 3), (1, 3, 1, 1), (2, 5, 3, 1),
])
def test_same_and_valid_output_sizes_follow_tf1(size, k, stride, dilation):
    k_eff = (k - 1) * dilation + 1
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, [1, size, size + 1, 1])
        w = fg.placeholder(fg.float64, [k, k, 1, 1])
        same = fg.nn.conv2d(x, w, stride, "SAME", dilations=dilation)
        assert same.shape.as_list()[1:3] == [-(-size // stride), -(-(size + 1) // stride)]
        if size >= k_eff:
            valid = fg.nn.conv2d(x, w, stride, "VALID", dilations=dilation)
            assert valid.shape[1] == (size - k_eff) // stride + 1
        xv, wv = rand((1, size, size + 1, 1), size), rand((k, k, 1, 1), k)
        got = run(same, {x: xv, w: wv})
        want = ref_conv2d(xv, wv, (stride, stride), "SAME", (dilation, dilation))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_same_puts_the_odd_padding_pixel_after():
    # A 1x2 filter [1, 10] on [1, 2, 3, 4] with SAME: pad_total 1, all after the row.
    x = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 1, 4, 1)
    w = np.array([1.0, 10.0]).reshape(1, 2, 1, 1)
    out = run(fg.nn.conv2d(x, w, 1, "SAME"))
    np.testing.assert_array_equal(out.reshape(-1), [21.0, 32.0, 43.0, 4.0])


def test_explicit_padding_list():
    x, w = rand((1, 3, 3, 1), 1), rand((2, 2, 1, 1), 2)
    out = fg.nn.conv2d(x, w, 1, [[0, 0], [2, 0], [0, 1], [0, 0]])
    assert out.shape.as_list() == [1, 4, 3, 1]
    np.testing.assert_allclose(run(out), ref_conv2d(x, w, padding=((2, 0), (0, 1))))


# --------------------------------------------------------------------------- names
def test_node_names_follow_tf1():
    with fg.Graph().as_default() as g:
        x = fg.placeholder(fg.float32, [2, 8, 8, 3])
        x1 = fg.placeholder(fg.float32, [2, 8, 3])
        assert fg.nn.conv2d(x, np.ones((3, 3, 3, 4)), 1, "SAME").op.name == "Conv2D"
        squeezed = fg.nn.conv1d(x1, np.ones((3, 3, 4)), 1, "SAME")
        assert squeezed.op.name == "conv1d/Squeeze"
        assert g.get_operation_by_name("conv1d").type == "Conv2D"
        assert fg.nn.depthwise_conv2d(x, np.ones((3, 3, 3, 2)), [1, 1, 1, 1],
                                      "SAME").op.name == "depthwise"
        sep = fg.nn.separable_conv2d(x, np.ones((3, 3, 3, 2)), np.ones((1, 1, 6, 5)),
                                     [1, 1, 1, 1], "SAME")
        assert (sep.op.name, sep.op.type) == ("separable_conv2d", "Conv2D")
        assert g.get_operation_by_name("separable_conv2d/depthwise").type == \
            "DepthwiseConv2dNative"
        up = fg.nn.conv2d_transpose(x, np.ones((3, 3, 5, 3), np.float32), [2, 16, 16, 5],
                                    [1, 2, 2, 1])
        assert (up.op.name, up.op.type) == ("conv2d_transpose", "Conv2DBackpropInput")
        assert up.shape.as_list() == [2, 16, 16, 5]
        assert fg.nn.convolution(x, np.ones((3, 3, 3, 4)), "SAME").op.name == "convolution"


def test_gradients_are_tf1_backprop_ops():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [1, 5, 5, 2])
        w = fg.Variable(np.ones((3, 3, 2, 4), np.float32))
        dx, dw = fg.gradients(fg.reduce_sum(fg.nn.conv2d(x, w, 2, "SAME")), [x, w])
        assert (dx.op.type, dw.op.type) == ("Conv2DBackpropInput", "Conv2DBackpropFilter")
        assert dx.shape.as_list() == [1, 5, 5, 2] and dw.shape.as_list() == [3, 3, 2, 4]


# --------------------------------------------------------------------------- errors
def test_channel_mismatch_names_both_shapes():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [1, 8, 8, 3])
        with pytest.raises(ValueError, match=r"3 channels.*in_channels = 4.*\(1, 8, 8, 3\)"
                                             r".*\(3, 3, 4, 2\)"):
            fg.nn.conv2d(x, np.ones((3, 3, 4, 2), np.float32), 1, "SAME")


def test_channel_mismatch_at_run_time_for_unknown_shapes():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, None)
        y = fg.nn.conv2d(x, np.ones((3, 3, 4, 2), np.float32), 1, "SAME")
        with pytest.raises(fg.errors.InvalidArgumentError, match="in_channels = 4"):
            run(y, {x: np.ones((1, 5, 5, 3), np.float32)})


@pytest.mark.parametrize("kwargs,message", [
    (dict(padding="EXPLICIT"), "must be a list"),
    (dict(padding="same"), "padding must be 'SAME', 'VALID'"),
    (dict(padding=[[0, 0], [1, 1], [1, 1]]), "must be of size 4"),
    (dict(padding=[[0, 0], [1, 1], [1], [0, 0]]), "list/tuple of size 2"),
    (dict(padding=[[1, 0], [1, 1], [1, 1], [0, 0]]), "batch or depth"),
    (dict(strides=[1, 1, 1]), "strides should be of length 1, 2 or 4 but was 3"),
    (dict(strides=[2, 1, 1, 1]), "batch and depth"),
    (dict(dilations=[1, 1, 1, 2]), "batch and depth"),
    (dict(strides=0), "positive"),
    (dict(data_format="NCWH"), "'NHWC'.*'NCHW'"),
])
def test_bad_attributes_raise_value_error(kwargs, message):
    args = dict(strides=1, padding="SAME")
    args.update(kwargs)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [1, 8, 8, 3])
        with pytest.raises(ValueError, match=message):
            fg.nn.conv2d(x, np.ones((3, 3, 3, 2), np.float32), **args)


def test_valid_window_larger_than_input():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [1, 2, 2, 1])
        with pytest.raises(ValueError, match="Negative dimension size caused by subtracting "
                                             "3 from 2"):
            fg.nn.conv2d(x, np.ones((3, 3, 1, 1), np.float32), 1, "VALID")


def test_rank_dtype_and_argument_errors():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [8, 8, 3])
        w = np.ones((3, 3, 3, 2), np.float32)
        with pytest.raises(ValueError, match="rank 4"):
            fg.nn.conv2d(x, w, 1, "SAME")
        x4 = fg.placeholder(fg.float32, [1, 8, 8, 3])
        with pytest.raises(TypeError, match="one dtype"):
            fg.nn.conv2d(x4, fg.constant(w.astype(np.float64)), 1, "SAME")
        with pytest.raises(TypeError, match="floating"):
            fg.nn.conv2d(fg.placeholder(fg.int32, [1, 8, 8, 3]), fg.constant(w.astype(int)),
                         1, "SAME")
        with pytest.raises(ValueError, match="Cannot specify both 'filters' and 'filter'"):
            fg.nn.conv2d(x4, w, 1, "SAME", filters=w)
        with pytest.raises(ValueError, match="rank 3 or 4"):
            fg.nn.convolution(fg.placeholder(fg.float32, [1, 4, 4, 4, 1]),
                              np.ones((2, 2, 2, 1, 1), np.float32), "SAME")
        with pytest.raises(ValueError, match="rate > 1"):
            fg.nn.depthwise_conv2d(x4, np.ones((3, 3, 3, 1), np.float32), [1, 2, 2, 1],
                                   "SAME", rate=[2, 2])
        with pytest.raises(ValueError, match="input channels does not match"):
            fg.nn.conv2d_transpose(x4, np.ones((3, 3, 5, 4), np.float32), [1, 8, 8, 5],
                                   [1, 1, 1, 1])
        with pytest.raises(ValueError, match="output_shape does not match filter's output"):
            fg.nn.conv2d_transpose(x4, np.ones((3, 3, 5, 3), np.float32), [1, 8, 8, 6],
                                   [1, 1, 1, 1])
        with pytest.raises(ValueError, match="does not match the output shape|gives an "
                                             "output of shape"):
            fg.nn.conv2d_backprop_input([1, 8, 8, 3], w, fg.zeros([1, 3, 3, 2]), [1, 1, 1, 1],
                                        "SAME")


# --------------------------------------------------------------------------- layouts
def test_nchw_matches_nhwc_forward_and_gradients():
    xv, wv = rand((2, 7, 6, 3), 1), rand((3, 2, 3, 4), 2)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, [2, 7, 6, 3])
        xc = fg.placeholder(fg.float64, [2, 3, 7, 6])
        w = fg.placeholder(fg.float64, [3, 2, 3, 4])
        y = fg.nn.conv2d(x, w, [1, 2, 1, 1], "SAME", dilations=1)
        yc = fg.nn.conv2d(xc, w, [1, 1, 2, 1], "SAME", data_format="NCHW")
        assert yc.shape.as_list() == [2, 4, 4, 6]
        grads = fg.gradients(y * y, [x, w]) + fg.gradients(yc * yc, [xc, w])
        out = run([y, yc] + grads, {x: xv, xc: nchw(xv), w: wv})
    np.testing.assert_allclose(out[1], nchw(out[0]), rtol=1e-12)
    np.testing.assert_allclose(out[4], nchw(out[2]), rtol=1e-12)
    np.testing.assert_allclose(out[5], out[3], rtol=1e-12)


def test_conv1d_ncw_and_explicit_padding():
    xv, wv = rand((2, 3, 9), 3), rand((3, 3, 2), 4)  # NCW input
    out = run(fg.nn.conv1d(xv, wv, 2, [[0, 0], [0, 0], [1, 2]], data_format="NCW"))
    nwc = np.transpose(xv, (0, 2, 1))
    want = ref_conv2d(nwc[:, None], wv[None], (1, 2), ((0, 0), (1, 2)))[:, 0]
    np.testing.assert_allclose(out, np.transpose(want, (0, 2, 1)), rtol=1e-12)


def test_atrous_and_convolution_match_dilated_conv2d():
    xv, wv = rand((1, 9, 9, 2), 5), rand((3, 3, 2, 2), 6)
    want = ref_conv2d(xv, wv, padding="SAME", dilations=(2, 2))
    np.testing.assert_allclose(run(fg.nn.atrous_conv2d(xv, wv, 2, "SAME")), want, rtol=1e-12)
    with pytest.raises(ValueError, match="less than one"):
        fg.nn.atrous_conv2d(xv, wv, 0, "SAME")


# --------------------------------------------------------------------------- transpose
def test_conv2d_transpose_is_the_gradient_of_conv2d():
    xv, wv = rand((2, 7, 7, 3), 7), rand((3, 3, 3, 5), 8)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, [None, 7, 7, 3])
        y = fg.nn.conv2d(x, wv, 2, "SAME")
        up = fg.placeholder(fg.float64, [None, 4, 4, 5])
        out_shape = [fg.shape(up)[0], 7, 7, 3]
        t = fg.nn.conv2d_transpose(up, wv, out_shape, [1, 2, 2, 1], "SAME")
        assert t.shape.as_list() == [None, 7, 7, 3]
        upv = rand((2, 4, 4, 5), 9)
        grad = fg.gradients(y, x, grad_ys=up)[0]
        got, want = run([t, grad], {x: xv, up: upv})
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(got, ref_conv2d_backprop_input(xv.shape, wv, upv, (2, 2),
                                                              "SAME"), rtol=1e-12)


# --------------------------------------------------------------------------- kernel paths
@pytest.mark.parametrize("block_pixels", [1, 20, 80, 150, 10 ** 9])
@pytest.mark.parametrize("flip_ratio", [0, 100])
@pytest.mark.parametrize("channels", [1, 2, 5])
def test_kernel_blocks_and_paths_agree_with_reference(monkeypatch, block_pixels, flip_ratio,
                                                      channels):
    # Blocks of 1 or 2 rows of one image, of 1 or 2 whole images, or everything at once;
    # FLIP_MAX_RATIO picks the col2im or the rotated-filter input gradient; the channels
    # pick the transposed or the plain im2col.
    monkeypatch.setattr(conv_kernels, "BLOCK_BYTES", 1)
    monkeypatch.setattr(conv_kernels, "MIN_BLOCK_PIXELS", block_pixels)
    monkeypatch.setattr(conv_kernels, "FLIP_MAX_RATIO", flip_ratio)
    x, w = rand((3, 9, 8, channels), channels), rand((3, 3, channels, 4), 10)
    for strides, padding, dilations in [((1, 1), "SAME", (1, 1)), ((2, 3), "SAME", (1, 1)),
                                        ((1, 1), "VALID", (2, 1)),
                                        ((1, 1), ((3, 0), (1, 2)), (1, 1))]:
        pads = _pads(x.shape, w.shape, strides, padding, dilations)
        out = ref_conv2d(x, w, strides, padding, dilations)
        got = conv_kernels.conv2d(x, w, strides, dilations, pads, out.shape[1:3])
        np.testing.assert_allclose(got, out, rtol=1e-10, atol=1e-12)
        dy = rand(out.shape, 11)
        np.testing.assert_allclose(
            conv_kernels.conv2d_backprop_input(x.shape, w, dy, strides, dilations, pads),
            ref_conv2d_backprop_input(x.shape, w, dy, strides, padding, dilations),
            rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(
            conv_kernels.conv2d_backprop_filter(x, w.shape, dy, strides, dilations, pads),
            ref_conv2d_backprop_filter(x, w.shape, dy, strides, padding, dilations),
            rtol=1e-10, atol=1e-12)


def _pads(x_shape, w_shape, strides, padding, dilations):
    if not isinstance(padding, str):
        return padding
    pads = []
    for size, k, s, d in zip(x_shape[1:3], w_shape[:2], strides, dilations):
        k_eff = (k - 1) * d + 1
        if padding == "VALID":
            pads.append((0, 0))
            continue
        out = -(-size // s)
        total = max((out - 1) * s + k_eff - size, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def test_kernels_leave_their_inputs_unchanged_and_keep_float32():
    x, w = rand((2, 6, 6, 4), 12, np.float32), rand((3, 3, 4, 2), 13, np.float32)
    with fg.Graph().as_default():
        xp, wp = fg.placeholder(fg.float32, x.shape), fg.placeholder(fg.float32, w.shape)
        y = fg.nn.conv2d(xp, wp, 1, "SAME")
        d = fg.nn.depthwise_conv2d(xp, wp[:, :, :, :1] * 1.0, [1, 1, 1, 1], "SAME")
        fetches = [y, d] + fg.gradients([fg.reduce_sum(y * y), fg.reduce_sum(d)], [xp, wp])
        x0, w0 = x.copy(), w.copy()
        values = run(fetches, {xp: x, wp: w})
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)
    assert all(v.dtype == np.float32 for v in values)
    np.testing.assert_allclose(values[0], ref_conv2d(x.astype(np.float64), w, padding="SAME"),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(values[1], ref_depthwise(x.astype(np.float64), w[..., :1],
                                                        padding="SAME"), rtol=1e-4, atol=1e-5)


def test_float16_is_computed_in_float32():
    x, w = rand((1, 6, 6, 3), 14), rand((3, 3, 3, 2), 15)
    out = run(fg.nn.conv2d(x.astype(np.float16), w.astype(np.float16), 1, "SAME"))
    assert out.dtype == np.float16
    want = ref_conv2d(x.astype(np.float16).astype(np.float64),
                      w.astype(np.float16).astype(np.float64), padding="SAME")
    np.testing.assert_allclose(out, want, rtol=2e-3, atol=2e-3)


def test_sizes_known_only_at_run_time():
    w, dy = rand((3, 3, 2, 4), 16), rand((1, 5, 5, 4), 17)
    with fg.Graph().as_default():
        sizes = fg.placeholder(fg.int32, None)
        filter_sizes = fg.placeholder(fg.int32, [None])
        dx = fg.nn.conv2d_backprop_input(sizes, w, dy, 1, "SAME")
        assert dx.shape.as_list() == [1, None, None, 2]
        x = fg.placeholder(fg.float64, [1, 5, 5, 2])
        dw = fg.nn.conv2d_backprop_filter(x, filter_sizes, dy, 1, "SAME")
        assert dw.shape.as_list() == [None, None, 2, 4]
        xv = rand((1, 5, 5, 2), 18)
        got_dx, got_dw = run([dx, dw], {sizes: [1, 5, 5, 2], filter_sizes: [3, 3, 2, 4],
                                        x: xv})
        np.testing.assert_allclose(got_dx, ref_conv2d_backprop_input((1, 5, 5, 2), w, dy,
                                                                     padding="SAME"))
        np.testing.assert_allclose(got_dw, ref_conv2d_backprop_filter(xv, (3, 3, 2, 4), dy,
                                                                      padding="SAME"))
        with pytest.raises(fg.errors.InvalidArgumentError,
                           match=r"input_sizes \[1, 6, 6, 2\].*should have shape "
                                 r"\[1, 6, 6, 4\]"):
            run(dx, {sizes: [1, 6, 6, 2]})
        with pytest.raises(ValueError, match="vector of 4 ints"):
            fg.nn.conv2d_backprop_input(fg.placeholder(fg.int32, [3]), w, dy, 1, "SAME")
        with pytest.raises(TypeError, match="int32"):
            fg.nn.conv2d_backprop_input(fg.placeholder(fg.float32, [4]), w, dy, 1, "SAME")
