"""fg.profiler: parameter and float-operation counts (hand-computed), views and options."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors, profiler
from flowgraph.profiler import ProfileOptionBuilder as Builder


def _quiet(options):
    return Builder(options).with_empty_output().build()


def _dense_model():
    x = fg.placeholder(fg.float32, [2, 3], name="x")
    with fg.variable_scope("dense"):
        w = fg.get_variable("W", [3, 4], initializer=fg.ones_initializer())
        b = fg.get_variable("b", [4], initializer=fg.zeros_initializer())
    y = fg.nn.relu(fg.matmul(x, w) + b, name="y")
    return x, fg.reduce_sum(y * 2.0, name="s")


def _tree(node, depth=0):
    return [(depth, node.name)] + [t for c in node.children for t in _tree(c, depth + 1)]


def test_trainable_parameters_by_scope(capsys):
    _dense_model()
    fg.Variable(np.zeros(5, np.float32), trainable=False, name="steps")
    result = profiler.profile(fg.get_default_graph(),
                              options=Builder.trainable_variables_parameter())
    assert result.name == "_TFProfRoot"
    assert result.total_parameters == 3 * 4 + 4  # the untrainable Variable is not counted
    assert _tree(result) == [(0, "_TFProfRoot"), (1, "dense"), (2, "dense/W"), (2, "dense/b")]
    (dense,) = result.children
    assert [(c.parameters, c.total_parameters) for c in dense.children] == [(12, 12), (4, 4)]
    out = capsys.readouterr().out
    assert "_TFProfRoot (--/16 params)" in out
    assert "    dense/W (3x4, 12/12 params)" in out


def test_default_options_are_trainable_parameters(capsys):
    _dense_model()
    assert profiler.profile().total_parameters == 16
    assert "dense/b (4, 4/4 params)" in capsys.readouterr().out


def test_float_operations_by_scope_hand_counted(capsys):
    _dense_model()
    result = profiler.profile(fg.get_default_graph(), options=Builder.float_operation())
    matmul, add, mul, total_sum = 2 * 3 * 2 * 4, 2 * 4, 2 * 4, 2 * 4 - 1
    assert result.total_float_ops == matmul + add + mul + total_sum
    # ordered by float ops, largest first, ties by name; zero-flop nodes hidden
    assert [(c.name, c.total_float_ops) for c in result.children] == \
        [("MatMul", matmul), ("add", add), ("mul", mul), ("s", total_sum)]
    assert "_TFProfRoot (--/71 flops)" in capsys.readouterr().out


def test_op_view_is_a_chain_of_op_types():
    _dense_model()
    result = profiler.profile(cmd="op", options=_quiet(Builder.float_operation()))
    assert isinstance(result, profiler.MultiGraphNodeProto)
    assert result.total_float_ops == 71
    chain, node = [], result
    while node.children:
        (node,) = node.children
        chain.append((node.name, node.float_ops, node.total_float_ops))
    assert chain == [("MatMul", 48, 71), ("Add", 8, 23), ("Mul", 8, 15), ("Sum", 7, 7)]
    assert [g.name for g in result.children[0].graph_nodes] == ["MatMul"]


@pytest.mark.parametrize("build, expected", [
    # Conv2D: 2 * out elements (1*5*5*4) * kh * kw * in_channels
    (lambda x: fg.nn.conv2d(x, fg.zeros([3, 3, 2, 4]), [1, 1, 1, 1], "SAME"),
     2 * 100 * 3 * 3 * 2),
    # strided VALID conv: out 1x2x2x4
    (lambda x: fg.nn.conv2d(x, fg.zeros([3, 3, 2, 4]), [1, 2, 2, 1], "VALID"),
     2 * 16 * 3 * 3 * 2),
    (lambda x: fg.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), 2 * 2 * 2 * 4),
    (lambda x: fg.nn.avg_pool(x, [1, 3, 3, 1], [1, 1, 1, 1], "SAME"), 50 * 9),
    (lambda x: fg.nn.bias_add(x, fg.zeros([2])), 50),
    (lambda x: fg.nn.depthwise_conv2d(x, fg.zeros([3, 3, 2, 1]), [1, 1, 1, 1], "SAME"),
     2 * 50 * 9),
    (lambda x: fg.reduce_mean(x, axis=[1, 2]), 50),
    (lambda x: fg.reduce_sum(x, axis=[1, 2]), 50 - 2),
    (lambda x: fg.nn.softmax(fg.reshape(x, [5, 10])), 5 * 50),
    (lambda x: fg.nn.l2_loss(x), 3 * 50 - 1),
    (lambda x: fg.add_n([x, x, x]), 2 * 50),
    (lambda x: fg.squared_difference(x, x), 2 * 50),
    (lambda x: fg.rsqrt(x), 2 * 50),
    (lambda x: fg.matmul(fg.zeros([2, 3, 4]), fg.zeros([2, 4, 5])), 2 * 4 * 30),
    (lambda x: fg.matmul(fg.zeros([4, 3]), fg.zeros([4, 5]), transpose_a=True), 2 * 4 * 15),
    (lambda x: fg.nn.relu(x), 0),  # no registered count in TF1
])
def test_float_operations_of_single_ops(build, expected):
    x = fg.placeholder(fg.float32, [1, 5, 5, 2], name="x")
    build(x)
    assert profiler.profile(options=_quiet(Builder.float_operation())).total_float_ops == \
        expected


def test_unknown_shapes_count_zero():
    x = fg.placeholder(fg.float32, [None, 3])
    fg.matmul(x, fg.ones([3, 2]))
    assert profiler.profile(options=_quiet(Builder.float_operation())).total_float_ops == 0


def test_max_depth_hides_deeper_nodes_and_their_totals():
    _dense_model()
    opts = Builder(Builder.trainable_variables_parameter()).with_max_depth(2)
    result = profiler.profile(options=opts.with_empty_output().build())
    assert _tree(result) == [(0, "_TFProfRoot"), (1, "dense")]
    assert result.total_parameters == 0  # only displayed nodes are accounted
    shallow = profiler.profile(options=_quiet(
        Builder(Builder.trainable_variables_parameter()).with_max_depth(1).build()))
    assert _tree(shallow) == [(0, "_TFProfRoot")]


def test_min_parameters_lifts_children_of_hidden_scopes():
    _dense_model()
    opts = Builder(Builder.trainable_variables_parameter()).with_min_parameters(5)
    result = profiler.profile(options=opts.with_empty_output().build())
    assert _tree(result) == [(0, "_TFProfRoot"), (1, "dense/W")]
    assert result.total_parameters == 12


def test_hide_and_accounted_types():
    _dense_model()
    opts = Builder(Builder.float_operation()).with_accounted_types(["MatMul", "Sum"])
    result = profiler.profile(options=opts.with_empty_output().build())
    assert result.total_float_ops == 48 + 7
    opts = Builder(Builder.float_operation()).with_node_names(hide_name_regexes=["Mat.*"])
    result = profiler.profile(options=opts.with_empty_output().build())
    assert result.total_float_ops == 8 + 8 + 7


def test_time_and_memory_from_a_traced_run():
    x, s = _dense_model()
    meta = fg.RunMetadata()
    config = fg.ConfigProto()
    config.experimental.executor_type = "REFERENCE"  # one traced step per op
    with fg.Session(config=config) as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(s, {x: np.ones((2, 3))}, run_metadata=meta,
                 options=fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE))
    stats = {n.node_name: n.all_end_rel_micros for n in meta.step_stats.dev_stats[0].node_stats}
    opts = _quiet(Builder.time_and_memory(min_micros=0, min_bytes=0))
    result = profiler.profile(run_meta=meta, options=opts)
    nodes = {c.name: c for c in result.children}
    assert nodes["MatMul"].exec_micros == stats["MatMul"]
    assert nodes["MatMul"].run_count == 1
    assert nodes["MatMul"].requested_bytes == 2 * 4 * 4  # a float32 [2, 4] output
    assert result.total_exec_micros == sum(stats[n] for n in stats if n in _names(result))


def _names(node):
    return {node.name} | {n for c in node.children for n in _names(c)}


def test_file_output_and_builder(tmp_path, capsys):
    _dense_model()
    path = tmp_path / "report.txt"
    opts = Builder(Builder.float_operation()).with_file_output(str(path)).build()
    assert opts["output"] == f"file:outfile={path}"
    profiler.profile(options=opts)
    assert "MatMul (48/48 flops)" in path.read_text()
    assert capsys.readouterr().out == ""
    built = Builder().with_max_depth(3).select(["params", "float_ops"]).order_by("params")
    built = built.with_stdout_output().build()
    assert (built["max_depth"], built["select"], built["order_by"], built["output"]) == \
        (3, ["params", "float_ops"], "params", "stdout")
    assert Builder().build()["account_displayed_op_only"] is False


def test_bad_arguments():
    _dense_model()
    with pytest.raises(errors.InvalidArgumentError, match="unknown cmd"):
        profiler.profile(cmd="nope", options=_quiet(Builder.float_operation()))
    with pytest.raises(ValueError, match="Unknown profiler options"):
        profiler.profile(options={"max_deep": 3})
