"""Sums of matmuls over a while loop's iterations (flowgraph.runtime.loop_sums): a loop
variable updated as ``total + a @ b`` is collected and multiplied out in stacks. Values are
checked against numpy loops written here and against the same loop with the option off."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.control_flow as cf
from flowgraph.runtime import loop_sums
from flowgraph.runtime.config import RewriterConfig
from flowgraph.runtime.passes import matmul_stacking

RNG = np.random.default_rng(5)
STEPS, ROWS, INNER, COLS = 6, 3, 4, 5
XS = RNG.standard_normal((STEPS, INNER, ROWS))  # a_t, used transposed
YS = RNG.standard_normal((STEPS, INNER, COLS))
START = RNG.standard_normal((ROWS, COLS))


@pytest.fixture(autouse=True)
def stack_small_products(monkeypatch):
    """The small products of these tests are stacked too (see test_matmul_stacking)."""
    monkeypatch.setattr(matmul_stacking, "MIN_SIDE", 1)


def _config(on: bool) -> fg.ConfigProto:
    config = fg.ConfigProto()
    if not on:
        config.graph_options.rewrite_options.matmul_stacking = RewriterConfig.OFF
    return config


def _spy(monkeypatch) -> list:
    """Records the number of products of every stacked flush."""
    flushed = []
    original = loop_sums._Collector.flush

    def flush(self):
        flushed.append(len(self.a))
        original(self)

    monkeypatch.setattr(loop_sums._Collector, "flush", flush)
    return flushed


def _matmul_loop(extra_read: str = ""):
    xs, ys = fg.constant(XS), fg.constant(YS)
    n = fg.placeholder(fg.int32, [])

    def body(i, total, other):
        product = fg.matmul(xs[i], ys[i], transpose_a=True)
        if extra_read == "body":
            other = other + fg.reduce_sum(total)
        return i + 1, total + product, other

    def cond(i, total, other):
        if extra_read == "cond":
            return fg.logical_and(i < n, fg.reduce_sum(total) < 1e9)
        return i < n

    _, total, other = cf.while_loop(cond, body, [0, fg.constant(START), fg.constant(0.0,
                                                                                 fg.float64)])
    return n, total, other


def _numpy_total(count):
    total = START.copy()
    for t in range(count):
        total = total + XS[t].T @ YS[t]
    return total


@pytest.mark.parametrize("count", [0, 1, STEPS])
def test_sum_over_iterations(monkeypatch, count):
    flushed = _spy(monkeypatch)
    n, total, _ = _matmul_loop()
    with fg.Session(config=_config(True)) as sess:
        got = sess.run(total, {n: count})
    np.testing.assert_allclose(got, _numpy_total(count), rtol=1e-12, atol=1e-12)
    assert flushed == [count]  # one flush, at the end


def test_operands_are_flushed_when_large(monkeypatch):
    flushed = _spy(monkeypatch)
    monkeypatch.setattr(loop_sums, "FLUSH_BYTES", 2 * (XS[0].nbytes + YS[0].nbytes))
    n, total, _ = _matmul_loop()
    with fg.Session(config=_config(True)) as sess:
        got = sess.run(total, {n: STEPS})
    np.testing.assert_allclose(got, _numpy_total(STEPS), rtol=1e-12, atol=1e-12)
    assert flushed == [3, 3, 0]  # pushed 3 > 2 items' bytes: flushed; the last is empty


@pytest.mark.parametrize("extra_read", ["body", "cond"])
def test_total_read_elsewhere_runs_the_loop_as_written(monkeypatch, extra_read):
    flushed = _spy(monkeypatch)
    n, total, other = _matmul_loop(extra_read)
    with fg.Session(config=_config(True)) as sess:
        got, got_other = sess.run([total, other], {n: STEPS})
    np.testing.assert_allclose(got, _numpy_total(STEPS), rtol=1e-12)
    if extra_read == "body":
        want = sum(_numpy_total(t).sum() for t in range(STEPS))
        np.testing.assert_allclose(got_other, want, rtol=1e-12)
    assert flushed == []


def test_switched_off_by_the_session_config(monkeypatch):
    flushed = _spy(monkeypatch)
    n, total, _ = _matmul_loop()
    with fg.Session(config=_config(False)) as sess:
        got = sess.run(total, {n: STEPS})
    np.testing.assert_allclose(got, _numpy_total(STEPS), rtol=1e-12)
    assert flushed == []


def test_mismatched_operands_raise_the_matmul_error():
    # Iteration 2 multiplies [2, 3].T by [4, 5]: the loop must fail as written would.
    a = fg.placeholder(fg.float64, [None, 3])
    b = fg.placeholder(fg.float64, [None, 5])

    def body(i, total):
        return i + 1, total + fg.matmul(a[: 2 + i], b[: 2 + 2 * (i // 2)], transpose_a=True)

    _, total = cf.while_loop(lambda i, t: i < 3, body, [0, fg.zeros([3, 5], fg.float64)])
    with fg.Session() as sess:
        with pytest.raises((fg.errors.InvalidArgumentError, ValueError)):
            sess.run(total, {a: np.ones((4, 3)), b: np.ones((4, 5))})


def test_dynamic_rnn_gradients_match_the_reference_executor(monkeypatch):
    flushed = _spy(monkeypatch)
    steps, batch, depth, units = 5, 3, 2, 4
    x_value = RNG.standard_normal((batch, steps, depth))
    weights = [RNG.standard_normal((depth + units, 4 * units)) * 0.5,
               RNG.standard_normal(4 * units) * 0.1]
    graph = fg.Graph()
    with graph.as_default():
        cell = fg.nn.rnn_cell.BasicLSTMCell(units)
        _, state = fg.nn.dynamic_rnn(cell, fg.constant(x_value), dtype=fg.float64)
        grad = fg.gradients(fg.reduce_sum(state.h * state.h), cell.weights)
        init = fg.global_variables_initializer()
        assign = [fg.assign(v, w) for v, w in zip(cell.weights, weights)]
    reference = fg.ConfigProto()
    reference.experimental.executor_type = "REFERENCE"  # no passes, no loop sums
    grads = {}
    for label, config in (("default", _config(True)), ("reference", reference)):
        with fg.Session(graph=graph, config=config) as sess:
            sess.run(init)
            sess.run(assign)
            grads[label] = sess.run(grad)
        if label == "default":
            assert flushed == [steps]  # the kernel gradient, summed after the backward loop
    assert flushed == [steps]
    for got, want in zip(grads["default"], grads["reference"]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_other_loop_variables_keep_their_shape_checks(monkeypatch):
    flushed = _spy(monkeypatch)
    xs, ys = fg.constant(XS), fg.constant(YS)
    n = fg.placeholder(fg.int32, [])

    def body(i, total, v):
        # v's length is only known at run time: checked against its invariant each time.
        return (i + 1, total + fg.matmul(xs[i], ys[i], transpose_a=True),
                fg.tile(v, fg.reshape(n, [1])))

    _, total, v = cf.while_loop(lambda i, t, v: i < 3, body,
                                [0, fg.constant(START), fg.constant([1.0, 2.0])])
    with fg.Session() as sess:
        got, got_v = sess.run([total, v], {n: 1})
        np.testing.assert_allclose(got, _numpy_total(3), rtol=1e-12)
        np.testing.assert_array_equal(got_v, [1.0, 2.0])
        with pytest.raises(fg.errors.InvalidArgumentError, match="shape invariant"):
            sess.run(total, {n: 2})
    assert flushed[0] == 3
