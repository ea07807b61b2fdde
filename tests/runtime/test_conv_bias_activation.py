"""The conv_bias_activation rewrite (part of remapping): Conv2D + bias add (+ Relu) as one
node applying the bias and ReLU to each block of the convolution's output. Values against
the nested-loop reference of tests/ops/cases/conv.py plus numpy, and against the reference
executor under every pass configuration."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops import conv_fft
from tests.ops.cases.conv import rand, ref_conv2d
from tests.runtime.passes_util import check_all_configs, only, run_runs


def _count(plans):
    return sum(p.pass_counts.get("conv_bias_activation", 0) for p in plans)


@pytest.mark.parametrize("form", ["bias_add_relu", "add_relu", "bias_first", "bias_add"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_bias_relu_values_in_every_configuration(form, dtype):
    x_value = rand((2, 7, 6, 3), 1, dtype)
    w_value = rand((3, 3, 3, 4), 2, dtype)
    b_value = rand((4,), 3, dtype)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(dtype, x_value.shape)
        w = fg.placeholder(dtype, w_value.shape)
        b = fg.placeholder(dtype, b_value.shape)
        conv = fg.nn.conv2d(x, w, 1, "SAME")
        if form in ("bias_add_relu", "bias_add"):
            total = fg.nn.bias_add(conv, b)
        elif form == "add_relu":
            total = conv + b
        else:
            total = b + conv
        out = total if form == "bias_add" else fg.nn.relu(total)
    ref, counts = check_all_configs(graph, out, [{x: x_value, w: w_value, b: b_value}],
                                    expect={"remapping": "conv_bias_activation",
                                            "all": "conv_bias_activation"})
    want = ref_conv2d(x_value.astype(np.float64), w_value.astype(np.float64),
                      padding="SAME") + b_value
    if form != "bias_add":
        want = np.maximum(want, 0)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ref[0], want, rtol=tol, atol=tol)
    assert "conv_bias_activation" not in counts["none"]


def test_dft_path_applies_the_epilogue_per_range(monkeypatch):
    monkeypatch.setattr(conv_fft, "MIN_MACS", 0)
    monkeypatch.setattr(conv_fft, "MIN_BATCH", 1)
    monkeypatch.setattr(conv_fft, "MIN_CHANNELS", 1)
    monkeypatch.setattr(conv_fft, "MAX_WORK_RATIO", 1e9)
    x_value, w_value, b_value = rand((3, 9, 8, 4), 4), rand((5, 5, 4, 6), 5), rand((6,), 6)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float64, x_value.shape)
        out = fg.nn.relu(fg.nn.bias_add(fg.nn.conv2d(x, w_value, 1, "SAME"), b_value))
    results, plans = run_runs(graph, only("remapping"), out, [{x: x_value}])
    assert _count(plans) == 1
    want = np.maximum(ref_conv2d(x_value, w_value, padding="SAME") + b_value, 0)
    np.testing.assert_allclose(results[0], want, rtol=1e-10, atol=1e-12)


def test_not_rewritten_for_nchw_float16_or_a_fetched_convolution():
    x_value, w_value, b_value = rand((1, 5, 5, 2), 7), rand((3, 3, 2, 3), 8), rand((3,), 9)
    cases = []
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float64, x_value.shape)
        conv = fg.nn.conv2d(x, w_value, 1, "SAME")
        cases.append((graph, [conv, fg.nn.relu(fg.nn.bias_add(conv, b_value))], {x: x_value}))
    graph16 = fg.Graph()
    with graph16.as_default():
        x16 = fg.placeholder(fg.float16, x_value.shape)
        out16 = fg.nn.relu(fg.nn.bias_add(fg.nn.conv2d(x16, w_value.astype(np.float16), 1,
                                                       "SAME"), b_value.astype(np.float16)))
        cases.append((graph16, out16, {x16: x_value.astype(np.float16)}))
    graph_nchw = fg.Graph()
    with graph_nchw.as_default():
        xc = fg.placeholder(fg.float64, (1, 2, 5, 5))
        conv_c = fg.nn.conv2d(xc, w_value, 1, "SAME", data_format="NCHW")
        out_c = fg.nn.relu(fg.nn.bias_add(conv_c, b_value, data_format="NCHW"))
        cases.append((graph_nchw, out_c, {xc: x_value.transpose(0, 3, 1, 2)}))
    for g, fetches, feeds in cases:
        results, plans = run_runs(g, only("remapping"), fetches, [feeds])
        assert _count(plans) == 0
    want = ref_conv2d(x_value, w_value, padding="SAME")
    np.testing.assert_allclose(run_runs(cases[0][0], only("remapping"), cases[0][1],
                                        [cases[0][2]])[0][0][1],
                               np.maximum(want + b_value, 0), rtol=1e-12)


def test_a_bias_of_the_wrong_length_at_run_time_raises_the_bias_add_error():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (1, 4, 4, 2))
        b = fg.placeholder(fg.float32, (None,))
        out = fg.nn.relu(fg.nn.bias_add(fg.nn.conv2d(x, np.ones((3, 3, 2, 3), np.float32), 1,
                                                     "SAME"), b))
    feeds = {x: np.ones((1, 4, 4, 2), np.float32), b: np.ones(5, np.float32)}
    with fg.Session(graph=graph, config=only("remapping")) as sess:
        with pytest.raises((fg.errors.InvalidArgumentError, ValueError), match="bias"):
            sess.run(out, feeds)
        plans = list(sess._plans.values())
    assert _count(plans) == 1
