"""The DFT path of stride-1 convolutions (flowgraph/ops/conv_fft.py): its three passes
against the nested-loop references of cases/conv.py, its use through fg.nn.conv2d and
fg.gradients, and which convolutions take it."""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import flowgraph as fg
from flowgraph.ops import conv_fft, conv_kernels
from flowgraph.runtime.config import RewriterConfig
from tests.ops.cases.conv import (
    rand,
    ref_conv2d,
    ref_conv2d_backprop_filter,
    ref_conv2d_backprop_input,
)


def _pads(x_shape, w_shape, padding):
    if not isinstance(padding, str):
        return padding
    if padding == "VALID":
        return ((0, 0), (0, 0))
    pads = []
    for k in w_shape[:2]:
        total = k - 1
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _out_hw(x_shape, w_shape, pads):
    return tuple(x_shape[1 + a] + sum(pads[a]) - w_shape[a] + 1 for a in range(2))


CASES = [
    # (x shape, filter shape, padding)
    ((2, 6, 6, 3), (5, 5, 3, 4), "SAME"),
    ((3, 7, 9, 2), (3, 2, 2, 5), "SAME"),        # even filter width: odd pad after
    ((2, 10, 6, 4), (4, 3, 4, 3), "VALID"),
    ((1, 5, 5, 3), (5, 5, 3, 2), "SAME"),        # filter as large as the image
    ((2, 8, 7, 2), (3, 3, 2, 3), ((0, 3), (2, 1))),
    ((1, 4, 11, 1), (1, 4, 1, 2), ((1, 1), (0, 0))),  # 1-row filter, padding rows only
    ((2, 3, 3, 2), (2, 2, 2, 2), ((4, 0), (0, 4))),   # outputs far beyond the input
]


@pytest.mark.parametrize("x_shape,w_shape,padding", CASES)
def test_three_passes_match_nested_loops_in_float64(x_shape, w_shape, padding):
    x, w = rand(x_shape, 1), rand(w_shape, 2)
    pads = _pads(x_shape, w_shape, padding)
    want = ref_conv2d(x, w, padding=pads)
    got = conv_fft.conv2d(x, w, pads, _out_hw(x_shape, w_shape, pads))
    assert got.dtype == np.float64 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    dy = rand(want.shape, 3)
    dx = conv_fft.backprop_input(x_shape, w, dy, pads)
    np.testing.assert_allclose(dx, ref_conv2d_backprop_input(x_shape, w, dy, padding=pads),
                               rtol=1e-10, atol=1e-12)
    dw = conv_fft.backprop_filter(x, w_shape, dy, pads)
    np.testing.assert_allclose(dw, ref_conv2d_backprop_filter(x, w_shape, dy, padding=pads),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("x_shape,w_shape,padding", CASES[:3])
def test_float32_stays_float32_within_rounding(x_shape, w_shape, padding):
    x, w = rand(x_shape, 4), rand(w_shape, 5)
    pads = _pads(x_shape, w_shape, padding)
    want = ref_conv2d(x, w, padding=pads)
    dy = rand(want.shape, 6)
    results = [
        (conv_fft.conv2d(x.astype(np.float32), w.astype(np.float32), pads, want.shape[1:3]),
         want),
        (conv_fft.backprop_input(x_shape, w.astype(np.float32), dy.astype(np.float32), pads),
         ref_conv2d_backprop_input(x_shape, w, dy, padding=pads)),
        (conv_fft.backprop_filter(x.astype(np.float32), w_shape, dy.astype(np.float32), pads),
         ref_conv2d_backprop_filter(x, w_shape, dy, padding=pads)),
    ]
    for got, ref in results:
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, ref, rtol=0, atol=2e-6 * np.abs(ref).max())


def _spy_on_passes(monkeypatch):
    """The list the DFT path's entry points append their names to when called."""
    calls = []
    for name in ("conv2d", "backprop_input", "backprop_filter", "backprop_both"):
        original = getattr(conv_fft, name)

        def spy(*args, _original=original, _name=name):
            calls.append(_name)
            return _original(*args)
        monkeypatch.setattr(conv_fft, name, spy)
    return calls


def _numpy_conv_same(x, w):
    """A stride-1 SAME convolution by sliding windows and einsum (odd square filters)."""
    k = w.shape[0]
    p = k // 2
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    windows = sliding_window_view(xp, (k, k), axis=(1, 2))  # [b, y, x, c, i, j]
    return np.einsum("byxcij,ijco->byxo", windows, w, optimize=True)


@pytest.mark.parametrize("remapping", [True, False])
def test_large_convolution_in_a_session_takes_the_dft_path_and_matches_numpy(monkeypatch,
                                                                           remapping):
    # The benchmark CNN's second convolution: big enough for the DFT path and for its batch
    # to be split over the cores; forward, input and filter gradients against numpy (with
    # remapping, the two gradients run as one node transforming dy once).
    calls = _spy_on_passes(monkeypatch)
    config = fg.ConfigProto()
    if not remapping:
        config.graph_options.rewrite_options.remapping = RewriterConfig.OFF
    rng = np.random.default_rng(7)
    xv = rng.standard_normal((64, 14, 14, 32)).astype(np.float32)
    wv = (rng.standard_normal((5, 5, 32, 64)) / 30).astype(np.float32)
    upv = rng.standard_normal((64, 14, 14, 64)).astype(np.float32)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, xv.shape)
        w = fg.placeholder(fg.float32, wv.shape)
        up = fg.placeholder(fg.float32, upv.shape)
        y = fg.nn.conv2d(x, w, 1, "SAME")
        dx, dw = fg.gradients(y, [x, w], grad_ys=up)
        with fg.Session(config=config) as sess:
            got_y, got_dx, got_dw = sess.run([y, dx, dw], {x: xv, w: wv, up: upv})
    assert sorted(calls) == (["backprop_both", "conv2d"] if remapping else
                             ["backprop_filter", "backprop_input", "conv2d"])
    x64, w64, up64 = xv.astype(np.float64), wv.astype(np.float64), upv.astype(np.float64)
    want_y = _numpy_conv_same(x64, w64)
    # dx is the SAME convolution of dy with the rotated filter (in / out channels swapped)
    want_dx = _numpy_conv_same(up64, w64[::-1, ::-1].transpose(0, 1, 3, 2))
    xp = np.pad(x64, ((0, 0), (2, 2), (2, 2), (0, 0)))
    want_dw = np.einsum("byxcij,byxo->ijco", sliding_window_view(xp, (5, 5), axis=(1, 2)),
                        up64, optimize=True)
    for got, want in ((got_y, want_y), (got_dx, want_dx), (got_dw, want_dw)):
        np.testing.assert_allclose(got, want, rtol=0, atol=2e-6 * np.abs(want).max())


def _force_dft(monkeypatch):
    monkeypatch.setattr(conv_fft, "MIN_MACS", 0)
    monkeypatch.setattr(conv_fft, "MIN_BATCH", 1)
    monkeypatch.setattr(conv_fft, "MIN_CHANNELS", 1)
    monkeypatch.setattr(conv_fft, "MAX_WORK_RATIO", 1e9)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_conv_kernels_dispatch_keeps_dtype_and_values(monkeypatch, dtype):
    _force_dft(monkeypatch)
    x, w = rand((2, 6, 5, 3), 8), rand((3, 3, 3, 2), 9)
    pads = ((1, 1), (1, 1))
    xd, wd = x.astype(dtype), w.astype(dtype)
    want = ref_conv2d(xd.astype(np.float64), wd.astype(np.float64), padding=pads)
    got = conv_kernels.conv2d(xd, wd, (1, 1), (1, 1), pads, (6, 5))
    tol = {np.float16: 2e-3, np.float32: 2e-6, np.float64: 1e-12}[dtype]
    assert got.dtype == dtype
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=0,
                               atol=tol * np.abs(want).max())
    dy = rand(want.shape, 10).astype(dtype)
    dx = conv_kernels.conv2d_backprop_input(x.shape, wd, dy, (1, 1), (1, 1), pads)
    dw = conv_kernels.conv2d_backprop_filter(xd, w.shape, dy, (1, 1), (1, 1), pads)
    assert dx.dtype == dtype and dw.dtype == dtype
    dy64 = dy.astype(np.float64)
    want_dx = ref_conv2d_backprop_input(x.shape, wd.astype(np.float64), dy64, padding=pads)
    want_dw = ref_conv2d_backprop_filter(xd.astype(np.float64), w.shape, dy64, padding=pads)
    np.testing.assert_allclose(dx.astype(np.float64), want_dx, rtol=0,
                               atol=tol * np.abs(want_dx).max())
    np.testing.assert_allclose(dw.astype(np.float64), want_dw, rtol=0,
                               atol=tol * np.abs(want_dw).max())


def test_strided_and_dilated_convolutions_never_take_the_dft_path(monkeypatch):
    _force_dft(monkeypatch)
    shape, k = (64, 14, 14, 32), (5, 5)
    pads = ((2, 2), (2, 2))
    assert conv_fft.usable(shape, k, 64, (1, 1), (1, 1), pads, (14, 14), np.float32)
    assert not conv_fft.usable(shape, k, 64, (2, 2), (1, 1), pads, (7, 7), np.float32)
    assert not conv_fft.usable(shape, k, 64, (1, 1), (2, 2), ((4, 4), (4, 4)), (14, 14),
                               np.float32)
    assert not conv_fft.usable(shape, k, 64, (1, 1), (1, 1), pads, (14, 14), np.int32)


def test_which_convolutions_take_the_dft_path():
    same5 = ((2, 2), (2, 2))
    # the benchmark CNN's second convolution (batch 64, 14x14, 32 -> 64, 5x5)
    assert conv_fft.usable((64, 14, 14, 32), (5, 5), 64, (1, 1), (1, 1), same5, (14, 14),
                           np.float32)
    # a small batch: the transforms' fixed costs win
    assert not conv_fft.usable((8, 14, 14, 32), (5, 5), 64, (1, 1), (1, 1), same5,
                               (14, 14), np.float32)
    # 3x3 filters: too few taps for the per-bin products to save enough
    assert not conv_fft.usable((64, 14, 14, 64), (3, 3), 64, (1, 1), (1, 1),
                               ((1, 1), (1, 1)), (14, 14), np.float32)
    # a single input channel (the CNN's first convolution)
    assert not conv_fft.usable((64, 28, 28, 1), (5, 5), 32, (1, 1), (1, 1), same5,
                               (28, 28), np.float32)
    # large images: the DFT matrices would grow too long
    assert not conv_fft.usable((64, 56, 56, 32), (5, 5), 64, (1, 1), (1, 1), same5,
                               (56, 56), np.float32)


def test_cyclic_lengths_leave_no_wrap_around():
    # L must exceed every input-row minus tap minus output-row difference: for 14 rows,
    # 5 taps and SAME padding (2 before) that is 16.
    assert conv_fft._lengths((14, 14), (5, 5), ((2, 2), (2, 2)), (14, 14)) == (16, 16)
    assert conv_fft._lengths((10, 6), (4, 3), ((0, 0), (0, 0)), (7, 4)) == (10, 6)


def test_nchw_convolution_and_gradients_on_the_dft_path(monkeypatch):
    _force_dft(monkeypatch)
    calls = _spy_on_passes(monkeypatch)
    x_nhwc, w = rand((2, 6, 5, 3), 11), rand((3, 3, 3, 4), 12)
    up_nhwc = rand((2, 6, 5, 4), 13)
    with fg.Graph().as_default():
        x = fg.constant(x_nhwc.transpose(0, 3, 1, 2))
        wt = fg.constant(w)
        y = fg.nn.conv2d(x, wt, 1, "SAME", data_format="NCHW")
        dx, dw = fg.gradients(y, [x, wt], grad_ys=fg.constant(up_nhwc.transpose(0, 3, 1, 2)))
        with fg.Session() as sess:
            got_y, got_dx, got_dw = sess.run([y, dx, dw])
    assert "conv2d" in calls and ("backprop_both" in calls or "backprop_input" in calls)
    np.testing.assert_allclose(got_y.transpose(0, 2, 3, 1),
                               ref_conv2d(x_nhwc, w, padding="SAME"), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_dx.transpose(0, 2, 3, 1), ref_conv2d_backprop_input(
        x_nhwc.shape, w, up_nhwc, padding="SAME"), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_dw, ref_conv2d_backprop_filter(
        x_nhwc, w.shape, up_nhwc, padding="SAME"), rtol=1e-10, atol=1e-12)


def test_random_shapes_and_paddings_match_im2col(monkeypatch):
    # Paddings up to the filter size + 1 on each side (outputs larger than the input, filters
    # larger than it), odd and even sizes; against the im2col kernels (a separate
    # implementation, the DFT path switched off for them).
    monkeypatch.setattr(conv_fft, "ENABLED", False)
    rng = np.random.default_rng(42)
    checked = 0
    while checked < 60:
        b, h, w, c, o = (int(v) for v in rng.integers(1, [4, 16, 16, 5, 5]))
        kh, kw = (int(v) for v in rng.integers(1, 8, 2))
        pads = ((int(rng.integers(0, kh + 2)), int(rng.integers(0, kh + 2))),
                (int(rng.integers(0, kw + 2)), int(rng.integers(0, kw + 2))))
        oh, ow = h + sum(pads[0]) - kh + 1, w + sum(pads[1]) - kw + 1
        if oh < 1 or ow < 1:
            continue
        x, f = rng.standard_normal((b, h, w, c)), rng.standard_normal((kh, kw, c, o))
        dy = rng.standard_normal((b, oh, ow, o))
        want = [conv_kernels.conv2d(x, f, (1, 1), (1, 1), pads, (oh, ow)),
                conv_kernels.conv2d_backprop_input(x.shape, f, dy, (1, 1), (1, 1), pads),
                conv_kernels.conv2d_backprop_filter(x, f.shape, dy, (1, 1), (1, 1), pads)]
        got = [conv_fft.conv2d(x, f, pads, (oh, ow)), *conv_fft.backprop_both(x, f, dy, pads)]
        for g, ref in zip(got, want):
            np.testing.assert_allclose(g, ref, rtol=1e-9, atol=1e-9,
                                       err_msg=str((x.shape, f.shape, pads)))
        checked += 1
