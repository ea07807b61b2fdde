"""Control flow in graph files (binary, JSON, imported under a prefix, in a fresh process,
differentiated after import), in the thread-pool executor, and in pictures."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.control_flow as cf
from flowgraph.runtime.executor import run_sequential
from flowgraph.runtime.parallel import ParallelExecutor
from flowgraph.runtime.plan import Plan
from flowgraph.runtime.state import SessionState

XV = np.float64([0.3, -0.8, 1.2])


def build_model():
    """A graph with cond, nested while, a TensorArray, an assign in a branch, gradients."""
    x = fg.placeholder(fg.float64, [3], name="x")
    w = fg.Variable(np.float64([0.5, -1.0, 0.25]), name="w")
    counter = fg.Variable(0, name="counter")

    def body(i, s, ta):
        _, inner = cf.while_loop(lambda j, a: j < i, lambda j, a: (j + 1, fg.sin(a) + w), [0, s])
        s = cf.cond(fg.reduce_sum(inner) > 0, lambda: inner * x, lambda: inner - x)
        return i + 1, s, ta.write(i, s)

    _, s, ta = cf.while_loop(lambda i, *_: i < 3, body,
                             [0, x, cf.TensorArray(fg.float64, size=3)])
    y = cf.cond(fg.reduce_sum(x) > 0,
                lambda: fg.identity(fg.reduce_sum(ta.stack()) + 0.0 * fg.cast(
                    counter.assign_add(1), fg.float64)),
                lambda: fg.reduce_sum(s))
    y = fg.identity(y, name="y")
    gx, gw = fg.gradients(y, [x, w])
    fetches = [y, fg.identity(gx, name="gx"), fg.identity(gw, name="gw")]
    return fetches, fg.global_variables_initializer()


def run_names(graph, names, init_name, prefix=""):
    def scoped(name):
        return f"{prefix}/{name}" if prefix else name

    with fg.Session(graph=graph) as sess:
        sess.run(scoped(init_name))
        first = sess.run([scoped(n) for n in names], {scoped("x:0"): XV})
        second = sess.run([scoped(n) for n in names] + [scoped("counter:0")],
                          {scoped("x:0"): XV})
    return first, second


@pytest.fixture
def model():
    graph = fg.Graph()
    with graph.as_default():
        fetches, init = build_model()
    names = [t.name for t in fetches]
    return graph, names, init.name


def test_graph_def_round_trips_binary_json_and_prefixed(model):
    graph, names, init = model
    want = run_names(graph, names, init)
    assert want[1][-1] == 2  # the assign in the taken branch ran once per run
    graph_def = graph.as_graph_def()
    for restored_def in (fg.GraphDef.FromString(graph_def.SerializeToString()),
                         fg.GraphDef.from_json(graph_def.to_json())):
        for prefix in ("", "import"):
            restored = fg.Graph()
            with restored.as_default():
                if prefix:
                    fg.import_graph_def(restored_def)
                else:
                    fg.import_graph_def(restored_def, name="")
            got = run_names(restored, names, init, prefix)
            for a, b in zip(got[0] + got[1], want[0] + want[1]):
                np.testing.assert_allclose(a, b, rtol=1e-12)
    restored_ops = {op.name: op for op in restored.get_operations()}
    for op in graph.get_operations():
        if op.type in ("If", "While"):
            assert restored_ops[f"import/{op.name}"].op_def == op.op_def


def test_imported_graph_can_be_differentiated_again(model):
    graph, names, init = model
    graph_def = graph.as_graph_def()
    restored = fg.Graph()
    with restored.as_default():
        fg.import_graph_def(graph_def, name="")
        x = restored.get_tensor_by_name("x:0")
        y = restored.get_tensor_by_name("y:0")
        (gx,) = fg.gradients(y, x)
        with fg.Session() as sess:
            sess.run(init)
            got = sess.run(gx, {x: XV})
    np.testing.assert_allclose(got, run_names(graph, names, init)[0][1], rtol=1e-12)


def test_graph_file_runs_in_a_fresh_process(model, tmp_path):
    graph, names, init = model
    want = run_names(graph, names, init)[0]
    (tmp_path / "graph.fg").write_bytes(graph.as_graph_def().SerializeToString())
    np.save(tmp_path / "want.npy", np.concatenate([np.ravel(v) for v in want]))
    child = (
        "import sys, numpy as np, flowgraph as fg\n"
        "folder = sys.argv[1]\n"
        "g = fg.Graph()\n"
        "with g.as_default():\n"
        "    fg.import_graph_def(fg.GraphDef.FromString(open(folder + '/graph.fg', 'rb')"
        ".read()), name='')\n"
        f"    with fg.Session() as sess:\n"
        f"        sess.run({init!r})\n"
        f"        got = sess.run({names!r}, {{'x:0': np.array({XV.tolist()!r})}})\n"
        "want = np.load(folder + '/want.npy')\n"
        "got = np.concatenate([np.ravel(v) for v in got])\n"
        "assert np.allclose(got, want, rtol=1e-12), (got, want)\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run([sys.executable, "-c", child, str(tmp_path)], capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, PYTHONPATH=root))
    assert done.returncode == 0, done.stderr[-3000:]


def test_thread_pool_executor_gives_identical_results(model):
    graph, names, init = model
    with graph.as_default():
        fetches = [graph.get_tensor_by_name(n) for n in names]
        x = graph.get_tensor_by_name("x:0")
    state = SessionState()
    init_plan = Plan([], [graph.get_operation_by_name(init)], [], state)
    run_sequential(init_plan, init_plan.template.copy())
    plan = Plan(fetches, [], [x], state)

    def execute(executor=None):
        values = plan.template.copy()
        values[plan.feed_slots[0]] = XV
        if executor is None:
            run_sequential(plan, values)
        else:
            executor.run(plan, values)
        return plan.read_fetches(values)

    sequential = execute()
    parallel = ParallelExecutor(threads=4, min_elements=0)
    try:
        for _ in range(3):
            for got, want in zip(execute(parallel), sequential):
                np.testing.assert_array_equal(got, want)
    finally:
        parallel.shutdown()


def test_sessions_with_several_inter_op_threads_agree(model):
    graph, names, init = model
    results = []
    for threads in (1, 4):
        config = fg.ConfigProto(inter_op_parallelism_threads=threads)
        with fg.Session(graph=graph, config=config) as sess:
            sess.run(init)
            results.append(sess.run(names, {"x:0": XV}))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_control_flow_ops_drawn_as_control_flow():
    import flowgraph.viz as viz
    x = fg.placeholder(fg.float32, [2], name="x")
    y = cf.cond(x[0] > 0, lambda: x * 2.0, lambda: -x, name="choose")
    z = cf.while_loop(lambda v: fg.reduce_sum(v) < 10.0, lambda v: v * 2.0, [y], name="grow")
    fg.gradients(z, x)
    source = viz.to_dot(fg.get_default_graph()).source
    for name in ("choose", "grow"):
        line = next(line for line in source.splitlines()
                    if line.strip().startswith(f"{name} [") or f'"{name}" [' in line)
        assert "hexagon" in line, line
    assert "while_grad" in source and "cond_grad" not in source.split("choose_grad")[0][-1:]
