"""The matmul slicing pass: a matmul whose result is split, with pieces nobody reads,
computes only the pieces read. Values are checked against numpy products written here, and
against the reference executor under every pass configuration."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.runtime.config import RewriterConfig
from flowgraph.runtime.passes.matmul_slicing import SlicedMatMul
from tests.runtime.passes_util import check_all_configs, only, run_runs

RNG = np.random.default_rng(7)


def _operand(rows, cols, transpose):
    value = RNG.standard_normal((rows, cols)).astype(np.float32)
    return value.T.copy() if transpose else value


def _steps(plans):
    return [step for plan in plans for step in plan.steps]


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
@pytest.mark.parametrize("axis", [1, 0, -1])
def test_split_pieces_of_a_product(transpose_a, transpose_b, axis):
    a_value = _operand(5, 3, transpose_a)  # a @ b is [5, 9]
    b_value = _operand(3, 9, transpose_b)
    graph = fg.Graph()
    with graph.as_default():
        a = fg.placeholder(fg.float32, a_value.shape, name="a")
        b = fg.placeholder(fg.float32, b_value.shape, name="b")
        product = fg.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        sizes = [1, -1, 2] if axis == 0 else [2, -1, 3]
        first, _, last = fg.split(product, sizes, axis=axis)
        out = [first * 2.0, fg.reduce_sum(last)]
    full = (a_value.T if transpose_a else a_value) @ (b_value.T if transpose_b else b_value)
    want = [full[:1] * 2, full[3:].sum()] if axis == 0 else \
        [full[:, :2] * 2, full[:, 6:].sum()]
    ref, counts = check_all_configs(graph, out, [{a: a_value, b: b_value}],
                                    expect={"matmul_slicing": "matmul_slicing",
                                            "all": "matmul_slicing"})
    np.testing.assert_allclose(ref[0][0], want[0], rtol=1e-5)
    np.testing.assert_allclose(ref[0][1], want[1], rtol=1e-5, atol=1e-5)
    assert "matmul_slicing" not in counts["none"]


def test_equal_split_and_one_piece_used():
    a_value, b_value = _operand(4, 6, False), _operand(6, 8, False)
    graph = fg.Graph()
    with graph.as_default():
        a = fg.constant(a_value)
        b = fg.placeholder(fg.float32, [6, 8])
        pieces = fg.split(fg.matmul(a, b), 4, axis=1)
        out = fg.identity(pieces[2])
    results, plans = run_runs(graph, only("matmul_slicing"), out, [{b: b_value}])
    np.testing.assert_allclose(results[0], a_value @ b_value[:, 4:6], rtol=1e-5)
    kinds = {type(step.fn).__name__ for step in _steps(plans)}
    assert "SlicedMatMul" in kinds


def test_gradient_of_concat_feeding_a_matmul():
    # Only the gradient of h is wanted: the gradient matmul computes dy @ W[3:].T alone.
    x_value, h_value = _operand(4, 3, False), _operand(4, 5, False)
    w_value = _operand(8, 6, False)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [4, 3])
        h = fg.placeholder(fg.float32, [4, 5])
        w = fg.constant(w_value)
        y = fg.matmul(fg.concat([x, h], 1), w)
        loss = fg.reduce_sum(y * y)
        (dh,) = fg.gradients(loss, [h])
    ref, _ = check_all_configs(graph, dh, [{x: x_value, h: h_value}],
                               expect={"matmul_slicing": "matmul_slicing"})
    dy = 2 * np.concatenate([x_value, h_value], 1) @ w_value
    np.testing.assert_allclose(ref[0], dy @ w_value[3:].T, rtol=1e-5)


@pytest.mark.parametrize("case", ["all_used", "product_read_twice", "product_fetched",
                                  "unknown_sizes"])
def test_not_rewritten(case):
    a_value, b_value = _operand(3, 4, False), _operand(4, 6, False)
    graph = fg.Graph()
    with graph.as_default():
        a = fg.placeholder(fg.float32, [3, 4])
        b = fg.placeholder(fg.float32, [4, 6])
        sizes_in = fg.placeholder(fg.int32, [2])
        product = fg.matmul(a, b)
        sizes = sizes_in if case == "unknown_sizes" else [2, 4]
        left, right = fg.split(product, sizes, axis=1)
        fetches = {"all_used": [left, right], "product_read_twice": [left, product + 1.0],
                   "product_fetched": [left, product], "unknown_sizes": [left]}[case]
    feeds = {a: a_value, b: b_value, sizes_in: [2, 4]}
    results, plans = run_runs(graph, only("matmul_slicing"), fetches, [feeds])
    assert not any(plan.pass_counts.get("matmul_slicing") for plan in plans)
    np.testing.assert_allclose(results[0][0], (a_value @ b_value)[:, :2], rtol=1e-5)


def test_switched_off_by_the_session_config():
    a_value, b_value = _operand(3, 4, False), _operand(4, 6, False)
    graph = fg.Graph()
    with graph.as_default():
        product = fg.matmul(fg.constant(a_value), fg.placeholder(fg.float32, [4, 6], "b"))
        left, _ = fg.split(product, [2, 4], axis=1)
    config = fg.ConfigProto()
    config.graph_options.rewrite_options.matmul_slicing = RewriterConfig.OFF
    feeds = {"b:0": b_value}
    _, off_plans = run_runs(graph, config, left, [feeds])
    _, on_plans = run_runs(graph, fg.ConfigProto(), left, [feeds])
    assert not any(p.pass_counts.get("matmul_slicing") for p in off_plans)
    assert any(p.pass_counts.get("matmul_slicing") for p in on_plans)


def test_kernel_falls_back_for_unplanned_operands():
    # Planned for float32 [*, 6] products cut at columns [2, 4); other inputs run the
    # original matmul and split.
    def fallback(a, b):
        return np.split(a @ b, [2, 4], axis=1)[1]

    kernel = SlicedMatMul(False, False, 1, 6, ((2, 4),), np.float32, fallback)
    a32, b32 = _operand(2, 3, False), _operand(3, 6, False)
    np.testing.assert_allclose(kernel(a32, b32), (a32 @ b32)[:, 2:4], rtol=1e-6)
    a64, b64 = a32.astype(np.float64), b32.astype(np.float64)
    np.testing.assert_array_equal(kernel(a64, b64), (a64 @ b64)[:, 2:4])
    wide = _operand(3, 7, False)
    np.testing.assert_array_equal(kernel(a32, wide), fallback(a32, wide))
    ints = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(kernel(ints, np.ones((3, 6), np.int64)),
                                  [[3, 3], [12, 12]])


def test_gradient_of_a_static_rnn_matches_numpy():
    # The static-RNN pattern the pass is for: h_t = tanh(concat([x_t, h_{t-1}]) @ W).
    steps, batch, depth, units = 3, 2, 3, 4
    xs = RNG.standard_normal((steps, batch, depth)).astype(np.float64)
    w_value = RNG.standard_normal((depth + units, units)) * 0.5
    graph = fg.Graph()
    with graph.as_default():
        w = fg.constant(w_value)
        h = fg.zeros([batch, units], fg.float64)
        h0 = h
        for t in range(steps):
            h = fg.tanh(fg.matmul(fg.concat([fg.constant(xs[t]), h], 1), w))
        loss = fg.reduce_sum(h)
        (dh0,) = fg.gradients(loss, [h0])
    results, plans = run_runs(graph, only("matmul_slicing"), dh0, [{}])
    assert sum(p.pass_counts.get("matmul_slicing", 0) for p in plans) == steps

    def loss_of(start):
        v = start
        for t in range(steps):
            v = np.tanh(np.concatenate([xs[t], v], 1) @ w_value)
        return v.sum()

    h_start = np.zeros((batch, units))
    numeric = np.zeros_like(h_start)
    for index in np.ndindex(*h_start.shape):
        step = np.zeros_like(h_start)
        step[index] = 1e-6
        numeric[index] = (loss_of(h_start + step) - loss_of(h_start - step)) / 2e-6
    np.testing.assert_allclose(results[0], numeric, rtol=1e-6, atol=1e-8)
