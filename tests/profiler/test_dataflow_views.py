"""fg.profiler's graph view (children are inputs) and code view (call sites): hand-built
expected trees, checked on TF's profiler for the same graphs."""

import json
import os

import numpy as np

import flowgraph as fg
from flowgraph import profiler
from flowgraph.profiler import ProfileOptionBuilder as Builder

HERE = os.path.basename(__file__)


def _quiet(options, **changes):
    options = Builder(options).with_empty_output().build()
    options.update(changes)
    return options


def _tree(node, depth=0):
    return [(depth, node.name, node.float_ops, node.total_float_ops)] + \
        [t for c in node.children for t in _tree(c, depth + 1)]


def _diamond():
    """e = matmul(d, a), d = b + c, b = a + 1, c = a * 3, a = x * 2 on 4x4 floats: a is
    shared by b, c and e. Flops: 16 per elementwise op, 2 * 4 * 16 = 128 for e."""
    x = fg.placeholder(fg.float32, [4, 4], name="x")
    a = fg.multiply(x, 2.0, name="a")
    b = fg.add(a, 1.0, name="b")
    c = fg.multiply(a, 3.0, name="c")
    d = fg.add(b, c, name="d")
    return fg.matmul(d, a, name="e")


def _graph(**changes):
    return profiler.profile(cmd="graph", options=_quiet(Builder.float_operation(), **changes))


def test_graph_view_children_are_inputs_and_shared_inputs_appear_once(capsys):
    _diamond()
    result = profiler.profile(cmd="graph", options=Builder.float_operation())
    assert isinstance(result, profiler.GraphNodeProto)
    # e's inputs are d then a; a is reached first through d -> b, so it is listed there.
    assert _tree(result) == [(0, "_TFProfRoot", 0, 192), (1, "e", 128, 192),
                             (2, "d", 16, 64), (3, "b", 16, 32), (4, "a", 16, 16),
                             (3, "c", 16, 16)]
    assert result.total_definition_count == 6
    out = capsys.readouterr().out
    assert "_TFProfRoot (--/192 flops)\n  e (128/192 flops)\n    d (16/64 flops)\n" in out
    assert "scope: The nodes in the model graph" in out  # TF1 reuses the scope doc


def test_graph_view_depth_counts_accounted_nodes():
    _diamond()
    shallow = _graph(max_depth=3, account_displayed_op_only=False)
    assert _tree(shallow) == [(0, "_TFProfRoot", 0, 192), (1, "e", 128, 192),
                              (2, "d", 16, 64)]
    shown = _graph(max_depth=3)  # only what is displayed is summed
    assert [n[3] for n in _tree(shown)] == [144, 144, 16]


def test_graph_view_name_options():
    _diamond()
    start = _graph(start_name_regexes=["d"])
    assert _tree(start) == [(0, "_TFProfRoot", 0, 64), (1, "d", 16, 64), (2, "b", 16, 32),
                            (3, "a", 16, 16), (2, "c", 16, 16)]
    trimmed = _graph(trim_name_regexes=["d"])
    assert _tree(trimmed) == [(0, "_TFProfRoot", 0, 144), (1, "e", 128, 144),
                              (2, "d", 16, 16)]
    hidden = _graph(hide_name_regexes=["d"])  # d's inputs move up to e
    assert _tree(hidden) == [(0, "_TFProfRoot", 0, 176), (1, "e", 128, 176),
                             (2, "b", 16, 32), (3, "a", 16, 16), (2, "c", 16, 16)]
    muls = _graph(account_type_regexes=["Mul"])  # unaccounted e, d, b pass a and c up
    assert _tree(muls) == [(0, "_TFProfRoot", 0, 32), (1, "a", 16, 16), (1, "c", 16, 16)]
    by_name = _graph(order_by="name", hide_name_regexes=["e"])
    assert [n[1] for n in _tree(by_name)] == ["_TFProfRoot", "d", "b", "a", "c"]


def test_graph_view_trainable_parameters_are_roots_children():
    x = fg.placeholder(fg.float32, [2, 3], name="x")
    with fg.variable_scope("dense"):
        w = fg.get_variable("W", [3, 4])
        b = fg.get_variable("b", [4])
    fg.nn.relu(fg.matmul(x, w) + b, name="y")
    opts = _quiet(Builder.trainable_variables_parameter(), max_depth=2)
    result = profiler.profile(cmd="graph", options=opts)
    assert [(c.name, c.parameters) for c in result.children] == [("dense/W", 12),
                                                                  ("dense/b", 4)]
    assert result.total_parameters == 16


def test_graph_view_deep_chain_does_not_hit_the_recursion_limit():
    t = fg.constant(np.ones(2, np.float32))
    for _ in range(1500):
        t = t * 1.5
    result = _graph(max_depth=3)
    assert result.total_float_ops == 2 * 2  # two shown Mul nodes below the root


def _layer(x):
    return fg.matmul(x, x, name="mm")


def test_code_view_groups_ops_by_call_site(capsys):
    x = fg.Variable(np.ones((3, 3), np.float32), name="v")
    line = _layer.__code__.co_firstlineno + 1
    y = _layer(x)
    loss = fg.reduce_sum(y, name="loss")
    loss_line = test_code_view_groups_ops_by_call_site.__code__.co_firstlineno + 4
    fg.gradients(loss, [x])
    result = profiler.profile(cmd="code", options=Builder.float_operation())
    assert isinstance(result, profiler.MultiGraphNodeProto)
    # matmul 2*3*9 = 54; its gradient two matmuls (108); the sum 9 - 1 = 8; the AddN
    # of the two gradient paths (named gradients/AddN, so no forward op's) 9 * (2 - 1)
    names = [(c.name, c.float_ops, c.total_float_ops) for c in result.children]
    assert names == [(f"{HERE}:{line}:_layer (gradient)", 108, 108),
                     (f"{HERE}:{line}:_layer", 54, 54),
                     (f"{HERE}:{loss_line + 2}:test_code_view_gr...", 9, 9),
                     (f"{HERE}:{loss_line}:test_code_view_gr...", 8, 8)]
    assert result.total_float_ops == 108 + 54 + 9 + 8
    assert [g.name for g in result.children[1].graph_nodes] == ["mm"]
    out = capsys.readouterr()
    assert f"  {HERE}:{line}:_layer (54/54 flops)\n" in out.out
    assert "code: When python trace is available" in out.out
    assert "code view ignores account_displayed_op_only" in out.err


def test_code_view_thresholds_use_totals_and_unaccounted_sites_show_dashes(capsys):
    _diamond()
    opts = Builder(Builder.trainable_variables_parameter()).build()
    fg.Variable(np.zeros((2, 5), np.float32), name="w")
    result = profiler.profile(cmd="code", options=opts)
    assert result.total_parameters == 10
    (site,) = result.children
    assert (site.parameters, site.total_parameters) == (10, 10)
    assert "_TFProfRoot (--/10 params)" in capsys.readouterr().out
    few = profiler.profile(cmd="code", options=_quiet(Builder.float_operation(), max_depth=1))
    assert few.children == [] and few.total_float_ops == 192
    muls = profiler.profile(cmd="code", options=_quiet(
        Builder.float_operation(), account_type_regexes=["MatMul"]))
    assert [c.total_float_ops for c in muls.children] == [128]


def test_profiler_hook_writes_timeline_traces(tmp_path):
    with fg.Graph().as_default():
        fg.train.create_global_step()
        v = fg.Variable(1.0)
        train = fg.group(fg.assign_add(v, 1.0), fg.assign_add(fg.train.get_global_step(), 1))
        hook = fg.train.ProfilerHook(save_steps=1, output_dir=str(tmp_path))
        with fg.train.MonitoredSession(hooks=[hook]) as sess:
            for _ in range(2):
                sess.run(train)
    with open(tmp_path / "timeline-2.json") as f:
        events = json.load(f)["traceEvents"]
    processes = [e["args"]["name"] for e in events if e["name"] == "process_name"]
    assert processes[0] == "Allocators"  # TF1's Timeline layout
    assert any(p.endswith(" Compute") for p in processes)
    ops = [e for e in events if e["ph"] == "X"]
    assert {e["args"]["op"] for e in ops} >= {"AssignAdd"}
    assert all(e["dur"] >= 0 and e["cat"] == "Op" for e in ops)
