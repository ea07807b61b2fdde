"""Executors: the thread-pool executor against the sequential reference, freeing of
intermediates, concurrent runs on one Session, and error propagation."""

import collections
import threading
import time

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.registry import apply_op
from flowgraph.runtime.executor import run_sequential
from flowgraph.runtime.parallel import ParallelExecutor
from flowgraph.runtime.plan import Plan
from flowgraph.runtime.state import SessionState
from tests.runtime import kernels

FEED_SHAPES = [(3, 4), (4,), (1, 4), (3, 1)]


def build_random_dag(seed: int):
    """A random DAG of elementwise ops over 4 float64 placeholders.

    Every value stays in [-1, 1]: inputs are drawn there and each node is tanh(a),
    a * b, (a + b) / 2 or (a - b) / 2 of earlier nodes (fan-in picked at random, repeats
    allowed); about one node in six also gets control dependencies on earlier nodes.
    Returns (feeds {placeholder: value}, fetches, targets, number of nodes made).
    """
    rng = np.random.default_rng(seed)
    n_nodes = int(rng.integers(30, 201))
    feeds = {}
    nodes = []
    for i, shape in enumerate(FEED_SHAPES):
        p = fg.placeholder(fg.float64, shape, name=f"in{i}")
        feeds[p] = rng.uniform(-1.0, 1.0, size=shape)
        nodes.append(p)
    nodes.append(fg.constant(rng.uniform(-1.0, 1.0, size=(4,)), name="c0"))
    half = fg.constant(0.5, dtype=fg.float64, name="half")
    while len(nodes) < n_nodes:
        kind = rng.choice(["tanh", "mul", "mean", "halfdiff"])
        # Prefer recent nodes so the DAG gets deep, but reach back anywhere.
        picks = [nodes[max(0, len(nodes) - int(back))]
                 for back in rng.geometric(0.15, size=2)]
        controls = []
        if rng.random() < 1 / 6:
            k = int(rng.integers(1, 3))
            first = len(FEED_SHAPES)  # (control edges from placeholders: test_session.py)
            controls = [nodes[int(j)].op for j in rng.integers(first, len(nodes), size=k)]
        with fg.control_dependencies(controls):
            a, b = picks
            if kind == "tanh":
                out = fg.tanh(a)
            elif kind == "mul":
                out = fg.multiply(a, b)
            elif kind == "mean":
                out = fg.multiply(fg.add(a, b), half)
            else:
                out = fg.multiply(fg.subtract(a, b), half)
        nodes.append(out)
    count = int(rng.integers(3, 8))
    fetch_idx = sorted(set(rng.integers(len(FEED_SHAPES), len(nodes), size=count).tolist())
                       | {len(nodes) - 1})
    fetches = [nodes[i] for i in fetch_idx]
    with fg.control_dependencies([nodes[int(rng.integers(5, len(nodes)))].op]):
        target = fg.no_op(name="target")
    return feeds, fetches, [target], len(nodes)


def run_plan(plan: Plan, feeds: dict, executor=None) -> tuple:
    values = plan.template.copy()
    for slot, tensor in zip(plan.feed_slots, plan.feeds):
        values[slot] = feeds[tensor]
    if executor is None:
        run_sequential(plan, values)
    else:
        executor.run(plan, values)
    return plan.read_fetches(values), values


def numpy_reference(fetches, feeds):
    """Evaluates the graph with numpy directly (independent of the executors)."""
    memo = {}

    def value(t):
        if t in feeds:
            return feeds[t]
        if t not in memo:
            op = t.op
            args = [value(i) for i in op.inputs]
            if op.type == "Const":
                memo[t] = op.op_def.value
            elif op.type == "Tanh":
                memo[t] = np.tanh(args[0])
            elif op.type == "Mul":
                memo[t] = args[0] * args[1]
            elif op.type == "Add":
                memo[t] = args[0] + args[1]
            elif op.type == "Sub":
                memo[t] = args[0] - args[1]
            else:
                raise AssertionError(f"unexpected op type {op.type}")
        return memo[t]

    return [value(t) for t in fetches]


@pytest.fixture
def parallel():
    executor = ParallelExecutor(threads=4, min_elements=0)
    yield executor
    executor.shutdown()


@pytest.mark.parametrize("seed", range(12))
def test_random_dags_parallel_equals_sequential(seed, parallel):
    graph = fg.Graph()
    with graph.as_default():
        feeds, fetches, targets, n_nodes = build_random_dag(seed)
    assert 30 <= n_nodes <= 200
    plan = Plan(fetches, targets, list(feeds), SessionState())
    assert any(step.op.control_inputs for step in plan.steps)
    sequential, _ = run_plan(plan, feeds)
    reference = numpy_reference(fetches, feeds)
    for got, want in zip(sequential, reference):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    for _ in range(3):
        in_parallel, _ = run_plan(plan, feeds, parallel)
        assert len(in_parallel) == len(sequential)
        for got, want in zip(in_parallel, sequential):
            assert got.shape == want.shape
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", range(3))
def test_random_dags_through_sessions(seed):
    graph = fg.Graph()
    with graph.as_default():
        feeds, fetches, targets, _ = build_random_dag(100 + seed)
    reference = numpy_reference(fetches, feeds)
    for threads in (1, 4):
        config = fg.ConfigProto(inter_op_parallelism_threads=threads)
        with fg.Session(graph=graph, config=config) as sess:
            got = sess.run([fetches, targets], feeds)[0]
        for g, want in zip(got, reference):
            np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-12)


def test_parallel_respects_control_dependencies(parallel):
    v = fg.Variable(np.float64(0.0), name="counter")
    x = fg.placeholder(fg.float64, [], name="x")
    inc = v.assign_add(1.0)
    with fg.control_dependencies([inc]):
        after = fg.add(v.read_value(), x)
    state = SessionState()
    init_plan = Plan([], [v.initializer], [], state)
    run_plan(init_plan, {})
    plan = Plan([after], [], [x], state)
    for i in range(1, 6):
        (got,), _ = run_plan(plan, {x: np.float64(10.0)}, parallel)
        assert got == 10.0 + i


# --------------------------------------------------------------------------- freeing
@pytest.mark.parametrize("seed", range(5))
def test_every_non_fetched_slot_is_freed_exactly_once(seed):
    graph = fg.Graph()
    with graph.as_default():
        feeds, fetches, targets, _ = build_random_dag(200 + seed)
    plan = Plan(fetches, targets, list(feeds), SessionState())
    fetch_slots = set(plan.fetch_slots)
    freed = collections.Counter(slot for step in plan.steps for slot in step.frees)
    used = {slot for step in plan.steps for slot in (*step.inputs, *step.outputs)}
    assert not fetch_slots & set(freed)
    for slot in used - fetch_slots:
        assert freed[slot] == 1, f"slot {slot} freed {freed[slot]} times"
    assert set(freed) <= used
    # Each slot is freed at (or after) its last reader, never before a reader runs.
    freed_at = {slot: step.index for step in plan.steps for slot in step.frees}
    for step in plan.steps:
        for slot in step.inputs:
            assert freed_at.get(slot, len(plan.steps)) >= step.index
    _, values = run_plan(plan, feeds)
    for slot, value in enumerate(values):
        if slot in used and slot not in fetch_slots:
            assert value is None, f"slot {slot} still holds a value after the run"


def test_frees_unread_outputs_and_fed_spares():
    v = fg.Variable(np.zeros(3), name="v")
    x = fg.placeholder(fg.float64, [3], name="x")
    y = fg.add(x, 1.0, name="y")
    z = fg.multiply(y, 2.0, name="z")
    assign = v.assign(z)  # its output is read by nobody
    plan = Plan([z], [assign.op, v.initializer], [y], SessionState())
    freed = collections.Counter(slot for step in plan.steps for slot in step.frees)
    assert all(count == 1 for count in freed.values())
    (got,), values = run_plan(plan, {y: np.array([1.0, 2.0, 3.0])})
    np.testing.assert_array_equal(got, [2.0, 4.0, 6.0])
    fetch = set(plan.fetch_slots)
    assert all(v is None for s, v in enumerate(values) if s not in fetch)


def test_parallel_frees_intermediates(parallel):
    graph = fg.Graph()
    with graph.as_default():
        feeds, fetches, targets, _ = build_random_dag(7)
    plan = Plan(fetches, targets, list(feeds), SessionState())
    _, values = run_plan(plan, feeds, parallel)
    keep = set(plan.fetch_slots) | plan.preloaded
    used = {slot for step in plan.steps for slot in (*step.inputs, *step.outputs)}
    leftover = [s for s, v in enumerate(values) if s in used - keep and v is not None]
    assert leftover == []


# --------------------------------------------------------------------------- concurrency
def _concurrent_graph():
    x = fg.placeholder(fg.float64, [16], name="x")
    w = fg.constant(np.linspace(-1.0, 1.0, 16), name="w")
    t = x
    branches = []
    for i in range(6):
        b = fg.tanh(fg.multiply(fg.add(t, w), float(i + 1) / 6.0))
        branches.append(b)
        t = fg.subtract(b, fg.multiply(t, 0.25))
    out = branches[0]
    for b in branches[1:]:
        out = fg.add(out, b)
    return x, out


def _serial_reference(x_value):
    w = np.linspace(-1.0, 1.0, 16)
    t = x_value
    branches = []
    for i in range(6):
        b = np.tanh((t + w) * ((i + 1) / 6.0))
        branches.append(b)
        t = b - t * 0.25
    out = branches[0]
    for b in branches[1:]:
        out = out + b
    return out


@pytest.mark.parametrize("force_parallel", [False, True])
def test_concurrent_runs_on_one_session_equal_serial_results(force_parallel):
    x, out = _concurrent_graph()
    n_threads, n_calls = 8, 25
    inputs = {(i, j): np.random.default_rng(i * 1000 + j).uniform(-1, 1, 16)
              for i in range(n_threads) for j in range(n_calls)}
    sess = fg.Session(config=fg.ConfigProto(inter_op_parallelism_threads=4))
    if force_parallel:
        # Run even this small graph on the thread pool (the default skips tiny graphs).
        sess._executor.shutdown()
        sess._executor = ParallelExecutor(threads=4, min_elements=0)
        assert sess._executor.worthwhile(Plan([out], [], [x], sess.state))
    serial = {key: sess.run(out, {x: value}) for key, value in inputs.items()}
    for key, value in inputs.items():
        np.testing.assert_allclose(serial[key], _serial_reference(value), rtol=1e-12)
    results = {}
    failures = []
    barrier = threading.Barrier(n_threads)

    def worker(i):
        try:
            barrier.wait()
            for j in range(n_calls):
                results[(i, j)] = sess.run(out, feed_dict={x: inputs[(i, j)]})
        except BaseException as exc:  # pragma: no cover - reported by the assert
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sess.close()
    assert failures == []
    assert len(results) == n_threads * n_calls
    for key in inputs:
        np.testing.assert_array_equal(results[key], serial[key])


# --------------------------------------------------------------------------- errors
def test_parallel_executor_propagates_kernel_errors(parallel):
    x = fg.placeholder(fg.float64, [4], name="x")
    ok = fg.tanh(x, name="fine")
    bad = apply_op(kernels.FailingOp(), [fg.add(ok, 1.0)], name="explodes")
    other = fg.multiply(ok, 3.0, name="independent")
    plan = Plan([bad, other], [], [x], SessionState())
    with pytest.raises(fg.errors.OpError) as info:
        run_plan(plan, {x: np.zeros(4)}, parallel)
    message = str(info.value)
    assert "explodes" in message
    assert "FailingOpForTest" in message
    assert "test_executors.py" in message
    assert info.value.op is bad.op
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    # The executor is still usable afterwards.
    good_plan = Plan([other], [], [x], SessionState())
    (got,), _ = run_plan(good_plan, {x: np.zeros(4)}, parallel)
    np.testing.assert_array_equal(got, np.zeros(4))


def test_parallel_deadline_and_trace(parallel):
    x = fg.placeholder(fg.float64, [], name="x")
    t = x
    for _ in range(8):
        t = apply_op(kernels.SlowIdentity(seconds=0.05), [t])
    plan = Plan([t], [], [x], SessionState())
    values = plan.template.copy()
    values[plan.feed_slots[0]] = np.float64(1.0)
    with pytest.raises(fg.errors.DeadlineExceededError):
        parallel.run(plan, values, deadline=time.monotonic() + 0.12)
    values = plan.template.copy()
    values[plan.feed_slots[0]] = np.float64(2.0)
    trace = []
    parallel.run(plan, values, deadline=time.monotonic() + 60.0, trace=trace)
    assert plan.read_fetches(values) == [2.0]
    assert sorted(step.index for step, _, _ in trace) == list(range(len(plan.steps)))
    for _, start, end in trace:
        assert end - start >= 0.04


@pytest.mark.parametrize("chain", [False, True])
def test_closing_the_session_during_a_parallel_run_does_not_hang(chain):
    x = fg.placeholder(fg.float64, [], name="x")
    if chain:
        out = x
        for _ in range(6):
            out = apply_op(kernels.SlowIdentity(seconds=0.1), [out])
        fetches = [out]
    else:
        fetches = [apply_op(kernels.SlowIdentity(seconds=0.1), [x]) for _ in range(8)]
    sess = fg.Session(config=fg.ConfigProto(inter_op_parallelism_threads=2))
    sess._executor.shutdown()
    sess._executor = ParallelExecutor(threads=2, min_elements=0)
    outcome = []

    def run():
        try:
            outcome.append(sess.run(fetches, {x: 1.0}))
        except BaseException as exc:
            outcome.append(exc)

    kernels.SLOW_STARTED.clear()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert kernels.SLOW_STARTED.wait(timeout=10)  # the run is under way
    sess.close()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the run never returned after Session.close()"
    if chain or isinstance(outcome[0], BaseException):
        # (Independent steps all queued before the close let the run complete instead.)
        assert isinstance(outcome[0], fg.errors.CancelledError)
        assert "closed" in str(outcome[0])
    else:
        assert [float(v) for v in outcome[0]] == [1.0] * 8


def test_parallel_and_sequential_raise_the_same_error_class(parallel):
    a = fg.placeholder(fg.float64, None, name="a")
    b = fg.placeholder(fg.float64, None, name="b")
    c = fg.add(a, b, name="mismatch")
    plan = Plan([c], [], [a, b], SessionState())
    feeds = {a: np.ones((2, 3)), b: np.ones((4, 5))}
    with pytest.raises(fg.errors.InvalidArgumentError, match="mismatch"):
        run_plan(plan, feeds)
    with pytest.raises(fg.errors.InvalidArgumentError, match="mismatch"):
        run_plan(plan, feeds, parallel)


def test_a_chain_of_worker_steps_stays_on_one_worker():
    # Each link waits only for the previous one and for Variable reads (run inline before
    # any worker starts), so the worker that finishes a link runs the next one itself.
    n = 1 << 20  # large enough for a worker of its own (MIN_PARALLEL_ELEMENTS)
    x = fg.placeholder(fg.float32, [n], name="x")
    v = fg.Variable(np.full(n, 2.0, np.float32), name="v")
    chains = {}
    for tag in ("a", "b"):
        h = kernels.thread_recorder(tag, x)
        for _ in range(4):
            h = kernels.thread_recorder(tag, h, v.value())
        chains[tag] = h
    executor = ParallelExecutor(threads=2)
    with fg.Session() as sess:
        sess.run(v.initializer)
        sess._executor = executor
        assert executor.worthwhile(sess._plan_for([chains["a"], chains["b"]], (x,)))
        kernels.THREADS_SEEN.clear()
        got = sess.run(chains, {x: np.ones(n, np.float32)})
    executor.shutdown()
    for tag in ("a", "b"):
        np.testing.assert_array_equal(got[tag], np.full(n, 9.0, np.float32))
        threads = [ident for seen, ident in kernels.THREADS_SEEN if seen == tag]
        assert len(threads) == 5
        assert len(set(threads)) == 1, f"chain {tag} moved between threads: {threads}"
    assert threading.get_ident() not in {ident for _, ident in kernels.THREADS_SEEN}


def test_a_failing_link_ends_its_chain(parallel):
    x = fg.placeholder(fg.float64, [4], name="x")
    h = kernels.failing(kernels.thread_recorder("first", x), name="broken")
    out = kernels.thread_recorder("after", h)
    plan = Plan([out], [], [x], SessionState())
    kernels.THREADS_SEEN.clear()
    with pytest.raises(fg.errors.OpError, match="broken"):
        run_plan(plan, {x: np.zeros(4)}, parallel)
    assert [tag for tag, _ in kernels.THREADS_SEEN] == ["first"]
