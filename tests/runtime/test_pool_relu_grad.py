"""The pool_relu_grad rewrite (part of remapping): ReluGrad(MaxPoolGrad(x, y, dy), x) runs
as MaxPoolGrad(x, y, ReluGrad(dy, y)). Values against a numpy reference written here and
against the reference executor under every pass configuration."""

import numpy as np
import pytest

import flowgraph as fg
from tests.runtime.passes_util import check_all_configs, only, run_runs

RNG = np.random.default_rng(11)


def _ref_relu_pool_grad(pre, up, k, s):
    """d(sum(up * max_pool(relu(pre))))/d(pre) for VALID windows k x k with stride s: each
    window's gradient to its first maximum (scan order), then times relu's mask."""
    h = np.maximum(pre, 0)
    dx = np.zeros_like(pre)
    for b in range(pre.shape[0]):
        for oy in range(up.shape[1]):
            for ox in range(up.shape[2]):
                for c in range(pre.shape[3]):
                    window = h[b, oy * s:oy * s + k, ox * s:ox * s + k, c]
                    i, j = np.unravel_index(np.argmax(window), window.shape)
                    dx[b, oy * s + i, ox * s + j, c] += up[b, oy, ox, c]
    return dx * (pre > 0)


@pytest.mark.parametrize("k,s", [(2, 2), (3, 2), (2, 1)])
def test_relu_then_max_pool_gradient(k, s):
    # Many exact zeros after the ReLU: windows whose maxima tie at 0 route to their first
    # cell, and the mask must then drop them.
    pre = RNG.standard_normal((2, 7, 6, 3)).astype(np.float32)
    pre[0, :3] = -1.0
    out_hw = ((7 - k) // s + 1, (6 - k) // s + 1)
    up_value = RNG.standard_normal((2,) + out_hw + (3,)).astype(np.float32)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, pre.shape)
        up = fg.placeholder(fg.float32, up_value.shape)
        pooled = fg.nn.max_pool(fg.nn.relu(x), k, s, "VALID")
        grad = fg.gradients(pooled, x, grad_ys=up)[0]
    ref, counts = check_all_configs(graph, grad, [{x: pre, up: up_value}],
                                    expect={"remapping": "pool_relu_grad",
                                            "all": "pool_relu_grad"})
    # (overlapping windows sum up to four float32 terms, in another order than here)
    np.testing.assert_allclose(ref[0], _ref_relu_pool_grad(pre, up_value, k, s), rtol=1e-5,
                               atol=1e-6)
    assert "pool_relu_grad" not in counts["none"]


def test_not_rewritten_when_the_pooling_gradient_is_fetched_too():
    pre = RNG.standard_normal((1, 4, 4, 2)).astype(np.float32)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, pre.shape)
        h = fg.nn.relu(x)
        pooled = fg.nn.max_pool(h, 2, 2, "VALID")
        dh, dx = fg.gradients(pooled, [h, x])
    results, plans = run_runs(graph, only("remapping"), [dh, dx], [{x: pre}])
    assert all(plan.pass_counts.get("pool_relu_grad", 0) == 0 for plan in plans)
    ones = np.ones((1, 2, 2, 2), np.float32)
    np.testing.assert_array_equal(results[0][1], _ref_relu_pool_grad(pre, ones, 2, 2))
    np.testing.assert_array_equal(results[0][1], results[0][0] * (pre > 0))


def test_3d_pooling():
    pre = RNG.standard_normal((1, 4, 4, 4, 2)).astype(np.float64)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float64, pre.shape)
        pooled = fg.nn.max_pool3d(fg.nn.relu(x), 2, 2, "VALID")
        grad = fg.gradients(fg.reduce_sum(pooled * 3.0), x)[0]
    ref, _ = check_all_configs(graph, grad, [{x: pre}], expect={"remapping": "pool_relu_grad"})
    h = np.maximum(pre, 0).reshape(1, 2, 2, 2, 2, 2, 2, 2)
    want = np.zeros_like(pre)
    for a in range(2):
        for b in range(2):
            for c in range(2):
                for ch in range(2):
                    cell = h[0, a, :, b, :, c, :, ch]
                    i, j, k = np.unravel_index(np.argmax(cell), cell.shape)
                    want[0, 2 * a + i, 2 * b + j, 2 * c + k, ch] = 3.0
    np.testing.assert_array_equal(ref[0], want * (pre > 0))
