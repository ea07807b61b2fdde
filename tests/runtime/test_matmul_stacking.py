"""The matmul stacking pass: a sum (AddN) of matmuls runs as one matmul of the stacked
operands. Values are checked against numpy written here, and against the reference
executor under every pass configuration."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.runtime.passes import matmul_stacking
from flowgraph.runtime.passes.matmul_stacking import StackedMatMulSum
from tests.runtime.passes_util import check_all_configs, only, run_runs

RNG = np.random.default_rng(3)


@pytest.fixture(autouse=True)
def stack_small_products(monkeypatch):
    """The small products of these tests are stacked too (the size rule has its own test)."""
    monkeypatch.setattr(matmul_stacking, "MIN_SIDE", 1)


def _operand(rows, cols, transpose):
    value = RNG.standard_normal((rows, cols)).astype(np.float32)
    return value.T.copy() if transpose else value


def _op(value, transpose):
    return value.T if transpose else value


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_sum_of_products(transpose_a, transpose_b):
    # Products [4, 5] with inner sizes 3, 2 and 6: the operands differ in width.
    inner = [3, 2, 6]
    a_values = [_operand(4, k, transpose_a) for k in inner]
    b_values = [_operand(k, 5, transpose_b) for k in inner]
    graph = fg.Graph()
    with graph.as_default():
        a = [fg.placeholder(fg.float32, v.shape) for v in a_values]
        b = [fg.placeholder(fg.float32, v.shape) for v in b_values]
        total = fg.add_n([fg.matmul(x, y, transpose_a=transpose_a, transpose_b=transpose_b)
                          for x, y in zip(a, b)])
    feeds = dict(zip(a + b, a_values + b_values))
    ref, counts = check_all_configs(graph, total, [feeds],
                                    expect={"matmul_stacking": "matmul_stacking",
                                            "all": "matmul_stacking"})
    want = sum(_op(x, transpose_a) @ _op(y, transpose_b) for x, y in zip(a_values, b_values))
    np.testing.assert_allclose(ref[0], want, rtol=1e-5, atol=1e-5)
    assert "matmul_stacking" not in counts["none"]


def test_other_terms_are_added_to_the_stacked_product():
    a_values = [_operand(3, 4, False) for _ in range(3)]
    b_values = [_operand(4, 2, False) for _ in range(3)]
    extra = _operand(3, 2, False)
    graph = fg.Graph()
    with graph.as_default():
        products = [fg.matmul(fg.constant(x), fg.constant(y))
                    for x, y in zip(a_values, b_values)]
        transposed = fg.matmul(fg.constant(b_values[0]), fg.constant(a_values[0]),
                               transpose_a=True, transpose_b=True)  # [2, 3]: not stacked
        e = fg.placeholder(fg.float32, [3, 2])
        total = fg.add_n([products[0], e, products[1], fg.transpose(transposed),
                          products[2]])
    results, plans = run_runs(graph, only("matmul_stacking"), total, [{e: extra}])
    assert sum(p.pass_counts.get("matmul_stacking", 0) for p in plans) == 1
    want = sum(x @ y for x, y in zip(a_values, b_values)) + extra + a_values[0] @ b_values[0]
    np.testing.assert_allclose(results[0], want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", ["read_twice", "fetched", "one_product"])
def test_not_rewritten(case):
    a_values = [_operand(2, 3, False) for _ in range(2)]
    b_values = [_operand(3, 2, False) for _ in range(2)]
    graph = fg.Graph()
    with graph.as_default():
        p0, p1 = [fg.matmul(fg.constant(x), fg.constant(y)) for x, y in zip(a_values, b_values)]
        if case == "one_product":
            total = fg.add_n([p0, fg.constant(b_values[0].T @ a_values[1].T)])
        else:
            total = fg.add_n([p0, p1])
        fetches = {"read_twice": [total, p1 * 2.0], "fetched": [total, p1],
                   "one_product": [total]}[case]
    results, plans = run_runs(graph, only("matmul_stacking"), fetches, [{}])
    assert not any(p.pass_counts.get("matmul_stacking") for p in plans)
    second = b_values[0].T @ a_values[1].T if case == "one_product" else \
        a_values[1] @ b_values[1]
    np.testing.assert_allclose(results[0][0], a_values[0] @ b_values[0] + second, rtol=1e-5)


def test_kernel_falls_back_for_unplanned_operands():
    def fallback(*ins):
        return sum(a @ b for a, b in zip(ins[:2], ins[2:]))

    kernel = StackedMatMulSum(2, False, False, np.float32, fallback)
    a = [_operand(2, 3, False), _operand(2, 4, False)]
    b = [_operand(3, 5, False), _operand(4, 5, False)]
    np.testing.assert_allclose(kernel(*a, *b), a[0] @ b[0] + a[1] @ b[1], rtol=1e-5)
    # Swapped inner sizes (3 with 4): concatenation would multiply, wrongly; the fallback
    # raises numpy's error for the mismatched pair instead.
    with pytest.raises(ValueError):
        kernel(a[0], a[1], b[1], b[0])
    ints = [np.arange(6).reshape(2, 3)] * 2
    np.testing.assert_array_equal(kernel(*ints, *[np.ones((3, 1), np.int64)] * 2),
                                  [[6], [24]])


def test_static_rnn_kernel_gradient():
    # sum over steps of x_t.T @ dz_t: the kernel gradient of h_t = tanh(x_t @ W + h @ U).
    steps, batch, depth, units = 4, 3, 2, 3
    xs = RNG.standard_normal((steps, batch, depth))
    w_value = RNG.standard_normal((depth + units, units)) * 0.5
    graph = fg.Graph()
    with graph.as_default():
        w = fg.constant(w_value)
        h = fg.zeros([batch, units], fg.float64)
        for t in range(steps):
            h = fg.tanh(fg.matmul(fg.concat([fg.constant(xs[t]), h], 1), w))
        (dw,) = fg.gradients(fg.reduce_sum(h * h), [w])
    results, plans = run_runs(graph, only("matmul_stacking"), dw, [{}])
    assert sum(p.pass_counts.get("matmul_stacking", 0) for p in plans) == 1

    def loss_of(weights):
        v = np.zeros((batch, units))
        for t in range(steps):
            v = np.tanh(np.concatenate([xs[t], v], 1) @ weights)
        return (v * v).sum()

    numeric = np.zeros_like(w_value)
    for index in np.ndindex(*w_value.shape):
        step = np.zeros_like(w_value)
        step[index] = 1e-6
        numeric[index] = (loss_of(w_value + step) - loss_of(w_value - step)) / 2e-6
    np.testing.assert_allclose(results[0], numeric, rtol=1e-6, atol=1e-8)


def test_thin_or_huge_products_are_computed_one_by_one(monkeypatch):
    monkeypatch.setattr(matmul_stacking, "MIN_SIDE", 32)
    calls = []

    def fallback(*ins):
        calls.append(len(ins))
        return sum(a @ b for a, b in zip(ins[:2], ins[2:]))

    kernel = StackedMatMulSum(2, False, False, np.float32, fallback)
    a = [_operand(40, 3, False), _operand(40, 4, False)]
    wide = [_operand(3, 32, False), _operand(4, 32, False)]
    thin = [_operand(3, 1, False), _operand(4, 1, False)]
    np.testing.assert_allclose(kernel(*a, *wide), a[0] @ wide[0] + a[1] @ wide[1],
                               rtol=1e-5, atol=1e-5)
    assert calls == []  # [40, 32]: stacked
    np.testing.assert_allclose(kernel(*a, *thin), a[0] @ thin[0] + a[1] @ thin[1],
                               rtol=1e-5, atol=1e-5)
    assert calls == [4]  # [40, 1]: one by one
    monkeypatch.setattr(matmul_stacking, "MAX_STACK_BYTES", 1000)
    kernel(*a, *wide)
    assert calls == [4, 4]
