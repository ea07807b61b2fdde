"""The plan optimization passes: each one alone, all together and none give the results of
the reference executor (which runs the graph as written), on graphs built to trigger each
pass and on graphs with state, randomness, assignments and control flow; and each pass
rewrites what it should."""

import numpy as np
import pytest

import flowgraph as fg
from tests.runtime.passes_util import check_all_configs, only, reference_config, run_runs
from tests.runtime.test_executors import build_random_dag, numpy_reference

RNG = np.random.default_rng(42)
X = RNG.standard_normal((3, 4)).astype(np.float32)
X2 = RNG.standard_normal((3, 4)).astype(np.float32)


def test_constant_folding_graph():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [3, 4], name="x")
        c = fg.constant(np.arange(4, dtype=np.float32))
        scale = fg.exp(fg.constant(0.5)) * 2.0 + fg.reduce_sum(c)  # known in advance
        n = fg.cast(fg.shape(x)[0], fg.float32)  # x's shape is fully known
        y = x * scale + c * n
    want = X * np.float32(np.exp(0.5) * 2.0 + 6.0) + np.arange(4, dtype=np.float32) * 3
    ref, counts = check_all_configs(graph, y, [{x: X}],
                                    expect={"constant_folding": "constant_folding"})
    np.testing.assert_allclose(ref[0], want, rtol=1e-6)
    assert counts["none"] == {}


def test_arithmetic_simplifications_graph():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [3, 4], name="x")
        a = x * 1.0 + 0.0
        b = (1.0 * a - 0.0) / 1.0
        c = fg.negative(fg.negative(fg.identity(b)))
        d = fg.transpose(fg.transpose(c, [1, 0]), [1, 0])
        e = fg.reshape(fg.reshape(d, [12]), [4, 3])
        f = fg.reshape(fg.cast(e, fg.float32), [4, 3])
        g = fg.transpose(fg.transpose(x, [1, 0]), [0, 1])  # composes to one transpose
        out = fg.stop_gradient(f) + g
    want = X.reshape(4, 3) + X.T
    ref, counts = check_all_configs(graph, out, [{x: X}, {x: X2}],
                                    expect={"arithmetic": "arithmetic"})
    np.testing.assert_array_equal(ref[0], want)
    assert counts["arithmetic"]["arithmetic"] >= 8


def test_arithmetic_keeps_broadcasting_and_fetched_nodes():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [4], name="x")
        grows = x * np.ones((2, 4), np.float32)  # multiplies by ones but changes the shape
        kept = fg.identity(x, name="kept")  # fetched: it stays
        out = grows + 0.0
    ref, _ = check_all_configs(graph, [out, kept], [{x: X[0]}])
    np.testing.assert_array_equal(ref[0][0], np.stack([X[0], X[0]]))
    np.testing.assert_array_equal(ref[0][1], X[0])


def test_common_subexpressions_graph():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [3, 4], name="x")
        a = fg.tanh(x * 2.0 + 1.0)
        b = fg.tanh(x * 2.0 + 1.0)  # the same again, with new constant nodes
        s1 = fg.reduce_sum(a, axis=1)
        s2 = fg.reduce_sum(b, axis=1)
        out = s1 * s2
    t = np.tanh(X * 2 + 1)
    ref, counts = check_all_configs(graph, out, [{x: X}],
                                    expect={"common_subexpression": "common_subexpression"})
    np.testing.assert_allclose(ref[0], t.sum(1) ** 2, rtol=1e-5)


def test_random_ops_are_never_merged_or_folded():
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(7)
        a = fg.random_normal([5], seed=1)
        b = fg.random_normal([5], seed=1)  # same op and seed, but two ops draw twice
        c = fg.random_uniform([5], seed=2) * 1.0
        out = [a, b, c, a - b]
    ref, _ = check_all_configs(graph, out, [{}, {}])
    first, second = ref
    assert not np.array_equal(first[0], second[0])  # each run draws anew
    np.testing.assert_array_equal(first[0], first[1])  # same seed, same stream
    np.testing.assert_array_equal(first[3], np.zeros(5, np.float32))


def test_no_ops_grouping_assignments():
    graph = fg.Graph()
    with graph.as_default():
        v = fg.Variable(np.zeros(3, np.float32), name="v")
        w = fg.Variable(np.ones(3, np.float32), name="w")
        inc = v.assign_add(np.ones(3, np.float32))
        dec = w.assign_sub(np.full(3, 0.5, np.float32))
        inner = fg.group(inc, dec)
        outer = fg.group(inner)
        with fg.control_dependencies([outer]):
            total = fg.identity(v.read_value() + w.read_value())
        init = fg.global_variables_initializer()
    ref, _ = check_all_configs(graph, total, [{}, {}, {}], init=init,
                               expect={"dependency": "dependency"})
    np.testing.assert_array_equal(ref[0], np.full(3, 1.5, np.float32))
    np.testing.assert_array_equal(ref[2], np.full(3, 2.5, np.float32))


def test_elementwise_chains_and_matmul_fusion():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [3, 4], name="x")
        w = fg.constant(RNG.standard_normal((4, 5)).astype(np.float32))
        b = fg.constant(RNG.standard_normal(5).astype(np.float32))
        h = fg.nn.relu(fg.matmul(x, w) + b)
        chain = fg.tanh(fg.sigmoid(h * 0.5 - 0.25)) / 2.0
        small = fg.exp(fg.negative(fg.square(x))) + fg.sqrt(fg.abs(x))
        out = [chain, small]
    wv, bv = graph.get_operations()[1].op_def.value, graph.get_operations()[2].op_def.value
    h_np = np.maximum(X @ wv + bv, 0)
    want = np.tanh(1 / (1 + np.exp(-(h_np * 0.5 - 0.25)))) / 2
    ref, counts = check_all_configs(graph, out, [{x: X}, {x: X2}],
                                    expect={"elementwise_fusion": "fusion",
                                            "remapping": "fusion"})
    np.testing.assert_allclose(ref[0][0], want, rtol=1e-5)
    np.testing.assert_allclose(ref[0][1], np.exp(-X * X) + np.sqrt(np.abs(X)), rtol=1e-6)


def test_fused_chain_falls_back_when_a_side_operand_broadcasts_wider():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None], name="x")
        y = fg.placeholder(fg.float32, [None, None], name="y")
        out = fg.tanh(fg.exp(x * 0.5) + y) * 2.0  # y may make the result 2-D
    xv = np.linspace(-1, 1, 4).astype(np.float32)
    yv = np.ones((3, 4), np.float32)
    ref, _ = check_all_configs(graph, out, [{x: xv, y: yv}, {x: xv, y: yv[:1, :]}])
    np.testing.assert_allclose(ref[0], np.tanh(np.exp(xv * 0.5) + yv) * 2, rtol=1e-6)
    assert ref[1].shape == (1, 4)


@pytest.mark.parametrize("seed", range(4))
def test_random_dags(seed):
    graph = fg.Graph()
    with graph.as_default():
        feeds, fetches, targets, _ = build_random_dag(300 + seed)
    ref, _ = check_all_configs(graph, [fetches, targets], [feeds])
    for got, want in zip(ref[0][0], numpy_reference(fetches, feeds)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_training_steps_give_the_same_losses():
    rng = np.random.default_rng(3)
    xv = rng.standard_normal((16, 8)).astype(np.float32)
    yv = rng.integers(0, 3, 16).astype(np.int32)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, 8], name="x")
        y = fg.placeholder(fg.int32, [None], name="y")
        h = fg.layers.dense(x, 12, activation=fg.nn.relu,
                            kernel_initializer=fg.constant_initializer(
                                rng.standard_normal((8, 12)).astype(np.float32) * 0.3))
        h = fg.layers.dense(h, 6, activation=fg.tanh,
                            kernel_initializer=fg.constant_initializer(
                                rng.standard_normal((12, 6)).astype(np.float32) * 0.3))
        logits = fg.layers.dense(h, 3, kernel_initializer=fg.constant_initializer(
            rng.standard_normal((6, 3)).astype(np.float32) * 0.3))
        loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits))
        train = fg.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
        init = fg.global_variables_initializer()
    runs = [{x: xv, y: yv}] * 5
    ref, counts = check_all_configs(graph, [train, loss], runs, init=init,
                                    expect={"all": "fusion"})
    losses = [r[1] for r in ref]
    assert losses[-1] < losses[0]  # it trains


def test_control_flow_bodies_are_optimized_too():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [4], name="x")
        v = fg.Variable(np.zeros(4, np.float32), name="acc")

        def body(i, t):
            return i + 1, fg.tanh(t * 1.0 + 0.5) * 0.9

        _, looped = fg.while_loop(lambda i, t: i < 5, body, [fg.constant(0), x])
        branch = fg.cond(fg.reduce_sum(x) > 0, lambda: fg.exp(x * 0.5) + 1.0,
                         lambda: fg.negative(fg.negative(x)) - 1.0)
        update = v.assign_add(looped)
        init = fg.global_variables_initializer()
    xv = np.array([0.5, -1.0, 2.0, 0.25], np.float32)
    t = xv.copy()
    for _ in range(5):
        t = np.tanh(t + 0.5) * 0.9
    ref, counts = check_all_configs(graph, [looped, branch, update], [{x: xv}, {x: -xv}],
                                    init=init, expect={"arithmetic": "arithmetic",
                                                       "elementwise_fusion": "fusion"})
    np.testing.assert_allclose(ref[0][0], t, rtol=1e-6)
    np.testing.assert_allclose(ref[0][1], np.exp(xv * 0.5) + 1, rtol=1e-6)
    np.testing.assert_allclose(ref[1][1], -xv - 1, rtol=1e-6)


def test_fetching_a_fused_intermediate_keeps_it():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [3, 4], name="x")
        a = fg.tanh(x * 2.0)
        b = fg.exp(a) + 1.0
    got, plans = run_runs(graph, only("elementwise_fusion"), [a, b], [{x: X}])
    np.testing.assert_allclose(got[0][0], np.tanh(X * 2), rtol=1e-6)
    np.testing.assert_allclose(got[0][1], np.exp(np.tanh(X * 2)) + 1, rtol=1e-6)
    names = [step.op.name for step in plans[0].steps]
    assert a.op.name in names and b.op.name in names


def test_fed_intermediate_wins_over_its_producer():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [3, 4], name="x")
        a = x * 1.0
        c = fg.constant(2.0) * 3.0
        out = a + c
    fed_a = np.full((3, 4), 10.0, np.float32)
    ref, _ = check_all_configs(graph, out, [{x: X, a: fed_a}, {x: X, c: np.float32(0.0)}])
    np.testing.assert_array_equal(ref[0], fed_a + 6.0)
    np.testing.assert_array_equal(ref[1], X)


def test_passes_leave_the_users_graph_alone():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [3, 4], name="x")
        y = fg.tanh(fg.identity(x * 1.0) + fg.constant(1.0) * 2.0)
        z = fg.tanh(fg.identity(x * 1.0) + fg.constant(1.0) * 2.0)
    before = [(op.name, op.type, [t.name for t in op.inputs], list(op.control_inputs))
              for op in graph.get_operations()]
    check_all_configs(graph, [y, z], [{x: X}])
    after = [(op.name, op.type, [t.name for t in op.inputs], list(op.control_inputs))
             for op in graph.get_operations()]
    assert after == before


@pytest.mark.parametrize("rows", [600, 1])
def test_large_chains_run_block_by_block_with_the_same_values(monkeypatch, rows):
    from flowgraph.runtime import fused
    monkeypatch.setattr(fused, "BLOCK_MIN_BYTES", 1 << 8)  # small arrays take that path too
    monkeypatch.setattr(fused, "BLOCK_BYTES", 1 << 7)
    rng = np.random.default_rng(5)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [rows, 70], name="x")
        col = fg.placeholder(fg.float32, [rows, 1], name="col")
        full = fg.placeholder(fg.float32, [rows, 70], name="full")
        b = fg.constant(rng.standard_normal(70).astype(np.float32))
        one = fg.constant(np.full((1, 1), 0.5, np.float32))
        w = fg.constant(rng.standard_normal((70, 70)).astype(np.float32) * 0.1)
        y = fg.tanh((x + b) * col - full) * one + 1.0  # sides: row, column, full, 1x1
        z = fg.sigmoid(fg.exp(x * 0.01) * one) - 0.25  # single-value sides: flattened
        h = fg.nn.relu(fg.matmul(x, w) + b) * 2.0  # a matmul head, then a blocked epilogue
    feeds = {x: rng.standard_normal((rows, 70)).astype(np.float32),
             col: rng.standard_normal((rows, 1)).astype(np.float32),
             full: rng.standard_normal((rows, 70)).astype(np.float32)}
    ref, _ = check_all_configs(graph, [y, z, h], [feeds])
    xv, cv, fv = feeds[x], feeds[col], feeds[full]
    bv = b.op.op_def.value
    np.testing.assert_allclose(ref[0][0], np.tanh((xv + bv) * cv - fv) * 0.5 + 1, rtol=1e-5)
    np.testing.assert_allclose(ref[0][1], 1 / (1 + np.exp(-np.exp(xv * 0.01) * 0.5)) - 0.25,
                               rtol=1e-5)


def test_fused_kernels_are_safe_to_run_from_several_threads():
    import threading
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [64], name="x")
        y = x
        for i in range(30):  # one fused chain (numexpr for arrays this small)
            y = fg.tanh(y * 0.9 + 0.1) if i % 2 else fg.exp(y * 0.1) - 0.5
    inputs = [np.random.default_rng(i).standard_normal(64).astype(np.float32)
              for i in range(20)]
    with fg.Session(graph=graph, config=reference_config()) as sess:
        want = [sess.run(y, {x: a}) for a in inputs]
    sess = fg.Session(graph=graph, config=fg.ConfigProto(inter_op_parallelism_threads=1))
    got = [sess.run(y, {x: a}) for a in inputs]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    mismatches = []

    def work():
        for _ in range(50):
            for a, g in zip(inputs, got):
                if not np.array_equal(sess.run(y, {x: a}), g):
                    mismatches.append(1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sess.close()
    assert mismatches == []


def test_an_error_inside_a_fused_chain_names_the_failing_op():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None], name="x")
        y = fg.placeholder(fg.float32, [None], name="y")
        out = fg.tanh(fg.add(x, y, name="mismatch")) * 2.0
    for config in (reference_config(), only("elementwise_fusion")):
        with fg.Session(graph=graph, config=config) as sess:
            with pytest.raises(fg.errors.InvalidArgumentError, match="mismatch") as info:
                sess.run(out, {x: np.ones(3, np.float32), y: np.ones(4, np.float32)})
        assert info.value.op.name == "mismatch"
        assert "test_passes.py" in str(info.value)
