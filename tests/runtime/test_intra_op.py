"""Memory-bound passes split over the cores (flowgraph.runtime.intra_op): the row ranges
cover every row once, errors reach the caller, and the split kernels (fused elementwise
chains, max pooling and its gradient, the gradient-descent update) give what numpy written
here gives."""

import os
import threading

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.runtime import intra_op

BIG = 1 << 16  # the threshold the tests set: small arrays, split all the same
MULTI_CORE = (os.cpu_count() or 1) > 1


@pytest.fixture
def unlimited(monkeypatch):
    monkeypatch.setattr(intra_op, "MIN_ELEMENTS", BIG)
    monkeypatch.setattr(intra_op, "quiet_blas", True)
    monkeypatch.setattr(intra_op, "max_parts", 0)
    monkeypatch.setattr(intra_op, "crowded", False)
    monkeypatch.setattr(intra_op, "ENABLED", True)


def _ranges(rows, elements):
    seen, lock = [], threading.Lock()

    def record(start, stop):
        with lock:
            seen.append((start, stop, threading.current_thread().name))

    intra_op.split(rows, elements, record)
    return sorted(seen)


def test_ranges_cover_every_row_once(unlimited):
    seen = _ranges(7, BIG)
    covered = [r for start, stop, _ in seen for r in range(start, stop)]
    assert covered == list(range(7))
    if MULTI_CORE:
        assert len(seen) == min(os.cpu_count(), 7)
        assert len({name for *_, name in seen}) == len(seen)  # one thread per range


def test_small_or_limited_passes_run_whole_on_the_calling_thread(unlimited, monkeypatch):
    me = threading.current_thread().name
    monkeypatch.setattr(intra_op, "quiet_blas", False)  # BLAS threads may still spin
    assert _ranges(64, BIG) == [(0, 64, me)]
    monkeypatch.setattr(intra_op, "quiet_blas", True)
    assert _ranges(64, BIG - 1) == [(0, 64, me)]
    assert _ranges(1, BIG) == [(0, 1, me)]
    monkeypatch.setattr(intra_op, "max_parts", 1)
    assert _ranges(64, BIG) == [(0, 64, me)]
    monkeypatch.setattr(intra_op, "max_parts", 0)
    monkeypatch.setattr(intra_op, "crowded", True)
    assert _ranges(64, BIG) == [(0, 64, me)]


def test_an_error_in_a_range_reaches_the_caller_and_the_helpers_stay_usable(unlimited):
    def fail_late_rows(start, stop):
        if stop == 10 and start > 0:
            raise KeyError("row range failed")

    if MULTI_CORE:
        with pytest.raises(KeyError, match="row range failed"):
            intra_op.split(10, BIG, fail_late_rows)
    covered = [r for start, stop, _ in _ranges(10, BIG) for r in range(start, stop)]
    assert covered == list(range(10))


def _run(fetch, feeds):
    with fg.Session() as sess:
        return sess.run(fetch, feeds)


def test_a_large_fused_chain_gives_numpys_values(unlimited):
    rng = np.random.default_rng(0)
    x_value = rng.standard_normal((64, 32, 32, 8), dtype=np.float32)
    b_value = rng.standard_normal(8, dtype=np.float32)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, x_value.shape)
        y = fg.nn.relu(fg.nn.bias_add(x, fg.constant(b_value))) * 2.0 - 1.0
        got = _run(y, {x: x_value})
    expected = np.maximum(x_value + b_value, 0) * np.float32(2) - np.float32(1)
    np.testing.assert_array_equal(got, expected)


def test_a_chain_of_matmuls_and_activations_never_overwrites_its_operands(unlimited):
    rng = np.random.default_rng(1)
    x_value = rng.standard_normal((512, 512), dtype=np.float32)
    ws = [rng.standard_normal((512, 512), dtype=np.float32) / 16 for _ in range(3)]
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, x_value.shape)
        h = x
        for w in ws:
            h = fg.tanh(fg.matmul(h, fg.constant(w)))
        got = _run(h, {x: x_value})
    expected = x_value
    for w in ws:
        expected = np.tanh(expected @ w)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def _first_max_mask(x):
    """One-hot [n, h/2, w/2, c, 4] of each 2x2 window's first maximum (scan order)."""
    n, h, w, c = x.shape
    windows = x.reshape(n, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 5, 2, 4)
    windows = windows.reshape(n, h // 2, w // 2, c, 4)
    return np.eye(4, dtype=x.dtype)[windows.argmax(axis=-1)], windows.max(axis=-1)


def test_large_max_pooling_and_its_gradient_match_numpy_with_ties(unlimited):
    rng = np.random.default_rng(2)
    # Small integers: many windows hold their maximum twice; the first one gets the gradient.
    x_value = rng.integers(0, 3, (32, 32, 32, 16)).astype(np.float32)
    dy_value = rng.standard_normal((32, 16, 16, 16), dtype=np.float32)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, x_value.shape)
        y = fg.nn.max_pool(x, 2, 2, "VALID")
        dy = fg.placeholder(fg.float32, dy_value.shape)
        (dx,) = fg.gradients(y, [x], grad_ys=[dy])
        got_y, got_dx = _run([y, dx], {x: x_value, dy: dy_value})
    mask, expected_y = _first_max_mask(x_value)
    np.testing.assert_array_equal(got_y, expected_y)
    routed = mask * dy_value[..., None]  # [n, h/2, w/2, c, 4]
    expected_dx = routed.reshape(32, 16, 16, 16, 2, 2).transpose(0, 1, 4, 2, 5, 3)
    np.testing.assert_array_equal(got_dx, expected_dx.reshape(x_value.shape))


def test_a_large_gradient_descent_update_matches_numpy(unlimited):
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal((700, 1000), dtype=np.float32)
    g = rng.standard_normal((700, 1000), dtype=np.float32)
    with fg.Graph().as_default():
        w = fg.Variable(w0)
        grad = fg.placeholder(fg.float32, g.shape)
        update = fg.train.GradientDescentOptimizer(0.25).apply_gradients([(grad, w)])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(update, {grad: g})
            got = sess.run(w)
    np.testing.assert_array_equal(got, w0 - np.float32(0.25) * g)


@pytest.mark.parametrize("shape", [(128, 2048), (1, 300_000)])
def test_a_large_chain_reading_its_first_value_again_gives_numpys_values(unlimited, shape):
    # exp(-x * x): the multiply reads x, the chain's first value, as its other operand too.
    x_value = np.random.default_rng(4).standard_normal(shape, dtype=np.float32)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, shape)
        h = fg.tanh(x * 1.5 + 0.25)
        got = _run(fg.exp(-h * h) + 1.0, {x: x_value})
    h_value = np.tanh(x_value * np.float32(1.5) + np.float32(0.25))
    np.testing.assert_array_equal(got, np.exp(-h_value * h_value) + np.float32(1))


def _padded(x, k):
    p = k // 2
    return np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))


def test_large_convolutions_and_their_gradients_match_numpy(unlimited):
    rng = np.random.default_rng(5)
    x_value = rng.standard_normal((9, 12, 12, 6)).astype(np.float32)  # odd batch: uneven
    w_value = rng.standard_normal((3, 3, 6, 10)).astype(np.float32)
    dy_value = rng.standard_normal((9, 12, 12, 10)).astype(np.float32)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, x_value.shape)
        w = fg.placeholder(fg.float32, w_value.shape)
        y = fg.nn.conv2d(x, w, 1, "SAME")
        dx, dw = fg.gradients(y, [x, w], grad_ys=[fg.constant(dy_value)])
        got_y, got_dx, got_dw = _run([y, dx, dw], {x: x_value, w: w_value})
    xp = _padded(x_value.astype(np.float64), 3)
    expected_y = np.zeros((9, 12, 12, 10))
    expected_dw = np.zeros((3, 3, 6, 10))
    expected_dxp = np.zeros_like(xp)
    for i in range(3):
        for j in range(3):
            patch = xp[:, i:i + 12, j:j + 12, :]
            expected_y += np.einsum("nhwc,co->nhwo", patch, w_value[i, j])
            expected_dw[i, j] = np.einsum("nhwc,nhwo->co", patch, dy_value)
            expected_dxp[:, i:i + 12, j:j + 12, :] += np.einsum("nhwo,co->nhwc", dy_value,
                                                                w_value[i, j])
    np.testing.assert_allclose(got_y, expected_y, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got_dw, expected_dw, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(got_dx, expected_dxp[:, 1:13, 1:13, :], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("transpose_a", [False, True])
def test_a_large_matmul_with_bias_and_relu_matches_numpy(unlimited, transpose_a):
    rng = np.random.default_rng(6)
    a_value = rng.standard_normal((300, 64) if not transpose_a else (64, 300)).astype(
        np.float32)
    w_value = rng.standard_normal((64, 256)).astype(np.float32)
    b_value = rng.standard_normal(256).astype(np.float32)
    with fg.Graph().as_default():
        a = fg.placeholder(fg.float32, a_value.shape)
        y = fg.nn.relu(fg.matmul(a, fg.constant(w_value), transpose_a=transpose_a) +
                       fg.constant(b_value))
        got = _run(y, {a: a_value})
    left = (a_value.T if transpose_a else a_value).astype(np.float64)
    np.testing.assert_allclose(got, np.maximum(left @ w_value + b_value, 0), rtol=1e-4,
                               atol=1e-4)
