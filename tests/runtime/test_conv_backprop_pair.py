"""The conv_backprop_pair rewrite (part of remapping): a convolution's input and filter
gradients of one out_backprop run as one node (transforming out_backprop once on the DFT
path). Values against the nested-loop references of tests/ops/cases/conv.py and against
the reference executor under every pass configuration."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops import conv_fft
from tests.ops.cases.conv import rand, ref_conv2d_backprop_filter, ref_conv2d_backprop_input
from tests.runtime.passes_util import check_all_configs, only, run_runs


def _graph(x_value, w_value, up_value, padding, data_format="NHWC"):
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float64, x_value.shape)
        w = fg.placeholder(fg.float64, w_value.shape)
        up = fg.placeholder(fg.float64, up_value.shape)
        y = fg.nn.conv2d(x, w, 1, padding, data_format=data_format)
        grads = fg.gradients(y, [x, w], grad_ys=up)
    return graph, grads, {x: x_value, w: w_value, up: up_value}


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_pair_matches_references_in_every_configuration(padding):
    x_value, w_value = rand((2, 6, 5, 3), 1), rand((3, 3, 3, 4), 2)
    out_hw = (6, 5) if padding == "SAME" else (4, 3)
    up_value = rand((2,) + out_hw + (4,), 3)
    graph, grads, feeds = _graph(x_value, w_value, up_value, padding)
    ref, counts = check_all_configs(graph, grads, [feeds],
                                    expect={"remapping": "conv_backprop_pair",
                                            "all": "conv_backprop_pair"})
    np.testing.assert_allclose(ref[0][0], ref_conv2d_backprop_input(
        x_value.shape, w_value, up_value, padding=padding), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ref[0][1], ref_conv2d_backprop_filter(
        x_value, w_value.shape, up_value, padding=padding), rtol=1e-12, atol=1e-12)
    assert "conv_backprop_pair" not in counts["none"]


@pytest.mark.parametrize("shapes,padding", [
    (((3, 7, 6, 4), (5, 5, 4, 6)), "SAME"),
    (((2, 9, 8, 3), (4, 3, 3, 5)), ((1, 2), (0, 3))),
])
def test_pair_on_the_dft_path(monkeypatch, shapes, padding):
    monkeypatch.setattr(conv_fft, "MIN_MACS", 0)
    monkeypatch.setattr(conv_fft, "MIN_BATCH", 1)
    monkeypatch.setattr(conv_fft, "MIN_CHANNELS", 1)
    monkeypatch.setattr(conv_fft, "MAX_WORK_RATIO", 1e9)
    calls = []
    original = conv_fft.backprop_both
    monkeypatch.setattr(conv_fft, "backprop_both",
                        lambda *args: calls.append(1) or original(*args))
    x_shape, w_shape = shapes
    x_value, w_value = rand(x_shape, 4), rand(w_shape, 5)
    if padding == "SAME":
        pads = tuple(((k - 1) // 2, k - 1 - (k - 1) // 2) for k in w_shape[:2])
        tf_padding = "SAME"
    else:
        pads = padding
        tf_padding = [[0, 0], list(padding[0]), list(padding[1]), [0, 0]]
    out_hw = tuple(x_shape[1 + a] + sum(pads[a]) - w_shape[a] + 1 for a in range(2))
    up_value = rand((x_shape[0],) + out_hw + (w_shape[3],), 6)
    graph, grads, feeds = _graph(x_value, w_value, up_value, tf_padding)
    results, plans = run_runs(graph, only("remapping"), grads, [feeds])
    assert calls and sum(p.pass_counts.get("conv_backprop_pair", 0) for p in plans) == 1
    np.testing.assert_allclose(results[0][0], ref_conv2d_backprop_input(
        x_shape, w_value, up_value, padding=pads), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(results[0][1], ref_conv2d_backprop_filter(
        x_value, w_shape, up_value, padding=pads), rtol=1e-10, atol=1e-12)


def test_nchw_pair_runs_the_ops_own_kernels():
    x_nhwc, w_value = rand((2, 5, 4, 2), 7), rand((3, 2, 2, 3), 8)
    up_nhwc = rand((2, 5, 4, 3), 9)
    graph, grads, feeds = _graph(x_nhwc.transpose(0, 3, 1, 2), w_value,
                                 up_nhwc.transpose(0, 3, 1, 2), "SAME", data_format="NCHW")
    results, plans = run_runs(graph, only("remapping"), grads, [feeds])
    assert sum(p.pass_counts.get("conv_backprop_pair", 0) for p in plans) == 1
    want_dx = ref_conv2d_backprop_input(x_nhwc.shape, w_value, up_nhwc, padding="SAME")
    np.testing.assert_allclose(results[0][0], want_dx.transpose(0, 3, 1, 2), rtol=1e-12)
    np.testing.assert_allclose(results[0][1], ref_conv2d_backprop_filter(
        x_nhwc, w_value.shape, up_nhwc, padding="SAME"), rtol=1e-12)
