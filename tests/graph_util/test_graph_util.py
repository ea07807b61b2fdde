"""fg.graph_util: freezing, sub-graph extraction, training-node removal (TF1 semantics)."""

import os

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import graph_util
from flowgraph.io.graph_def import GraphDef, NodeDef

W0 = np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]], np.float32)
B0 = np.array([0.25, -1.0], np.float32)
X = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]], np.float32)


def _model():
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    w = fg.Variable(W0, name="w")
    b = fg.get_variable("b", initializer=B0)
    y = fg.identity(fg.nn.relu(fg.matmul(x, w) + b), name="y")
    return x, w, b, y


def test_frozen_graph_replaces_variables_by_their_session_values():
    x, w, b, y = _model()
    loss = fg.reduce_sum(y)
    train = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(train, {x: X})  # frozen values are the trained ones, not the initial ones
        w_now, b_now = sess.run([w, b])
        frozen = graph_util.convert_variables_to_constants(
            sess, sess.graph.as_graph_def(), ["y"])
    ops = {n.name: n.op for n in frozen.node}
    assert ops["w"] == "Const" and ops["b"] == "Const"
    assert "VariableV2" not in ops.values()
    # pruned: no initializers, optimizer or saver nodes
    assert not any(n.op in ("Assign", "ApplyGradientDescent", "NoOp") for n in frozen.node)
    assert set(ops) == {"x", "w", "w/read", "b", "b/read", "MatMul", "add", "Relu", "y"}
    consts = {n.name: n.attr["value"] for n in frozen.node if n.op == "Const"}
    np.testing.assert_array_equal(consts["w"], w_now)
    np.testing.assert_array_equal(consts["b"], b_now)
    assert not np.array_equal(w_now, W0)
    expected = np.maximum(X @ w_now + b_now, 0)
    with fg.Graph().as_default():
        (y2,) = fg.import_graph_def(frozen, return_elements=["y:0"], name="")
        with fg.Session() as sess:  # no initializer run
            np.testing.assert_allclose(sess.run(y2, {"x:0": X}), expected, rtol=1e-6)


@pytest.mark.parametrize("as_text", [False, True])
def test_frozen_graph_round_trips_through_write_graph(tmp_path, as_text):
    x, w, b, y = _model()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        frozen = graph_util.convert_variables_to_constants(
            sess, sess.graph.as_graph_def(), ["y"])
    path = fg.train.write_graph(frozen, str(tmp_path), "frozen.pb", as_text=as_text)
    with open(path, "rb") as f:
        data = f.read()
    loaded = GraphDef.from_json(data) if as_text else GraphDef.FromString(data)
    if not as_text:  # TF1's spelling
        other = fg.GraphDef()
        other.ParseFromString(data)
        assert other == loaded
    with fg.Graph().as_default():
        (y2,) = fg.import_graph_def(loaded, return_elements=["y:0"], name="frozen")
        with fg.Session() as sess:
            out = sess.run(y2, {"frozen/x:0": X})
    np.testing.assert_allclose(out, np.maximum(X @ W0 + B0, 0), rtol=1e-6)
    assert os.path.basename(path) == "frozen.pb"


def test_whitelist_and_blacklist_keep_other_variables():
    x, w, b, y = _model()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        only_w = graph_util.convert_variables_to_constants(
            sess, sess.graph.as_graph_def(), ["y"], variable_names_whitelist=["w"])
        not_w = graph_util.convert_variables_to_constants(
            sess, sess.graph.as_graph_def(), ["y"], variable_names_blacklist=["w"])
    assert {n.name: n.op for n in only_w.node}["b"] == "VariableV2"
    assert {n.name: n.op for n in only_w.node}["w"] == "Const"
    assert {n.name: n.op for n in not_w.node}["w"] == "VariableV2"
    assert {n.name: n.op for n in not_w.node}["b"] == "Const"


def test_missing_output_name_raises_tf1_assertion_error():
    _model()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        with pytest.raises(AssertionError, match="nope is not in graph"):
            graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(),
                                                      ["nope"])
        with pytest.raises(TypeError, match="iterable of strings"):
            graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), "y")


def test_extract_sub_graph_keeps_ancestors_in_order_with_control_inputs():
    a = fg.constant(1.0, name="a")
    b = fg.constant(2.0, name="b")
    c = fg.add(a, b, name="c")
    with fg.control_dependencies([fg.no_op(name="ctrl")]):
        d = fg.identity(c, name="d")
    fg.multiply(a, 3.0, name="unused")
    full = fg.get_default_graph().as_graph_def()
    sub = graph_util.extract_sub_graph(full, ["d"])
    assert [n.name for n in sub.node] == ["a", "b", "c", "ctrl", "d"]
    assert [n.name for n in graph_util.extract_sub_graph(full, ["c"]).node] == ["a", "b", "c"]
    sub.node[0].name = "changed"  # a copy: the input graph def is untouched
    assert full.node[0].name == "a"
    with pytest.raises(AssertionError, match="zzz is not in graph"):
        graph_util.extract_sub_graph(full, ["zzz"])
    with pytest.raises(TypeError):
        graph_util.extract_sub_graph(fg.get_default_graph(), ["d"])
    assert d is not None


def test_remove_training_nodes_splices_identities_and_check_numerics():
    x = fg.placeholder(fg.float32, [2], name="x")
    i1 = fg.identity(x, name="i1")
    chk = fg.debugging.check_numerics(i1, "bad", name="chk")
    sg = fg.stop_gradient(chk, name="sg")
    out = fg.multiply(sg, 2.0, name="out")
    keep = fg.identity(out, name="keep")
    graph_def = fg.get_default_graph().as_graph_def()
    pruned = graph_util.remove_training_nodes(graph_def, protected_nodes=["keep"])
    names = [n.name for n in pruned.node]
    assert "i1" not in names and "chk" not in names and "sg" not in names
    assert "keep" in names
    by_name = {n.name: n for n in pruned.node}
    assert by_name["out"].input[0] == "x"
    assert by_name["keep"].input == ["out"]
    with fg.Graph().as_default():
        (k,) = fg.import_graph_def(pruned, return_elements=["keep:0"], name="")
        with fg.Session() as sess:
            np.testing.assert_allclose(sess.run(k, {"x:0": [1.0, -3.0]}), [2.0, -6.0])
    unprotected = graph_util.remove_training_nodes(graph_def)
    assert "keep" not in [n.name for n in unprotected.node]  # TF1 splices outputs too
    assert keep is not None


def test_identity_with_control_edges_is_kept():
    x = fg.placeholder(fg.float32, [], name="x")
    gate = fg.identity(x, name="gate")
    with fg.control_dependencies([gate]):
        fg.add(x, 1.0, name="after")
    pruned = graph_util.remove_training_nodes(fg.get_default_graph().as_graph_def())
    assert "gate" in [n.name for n in pruned.node]


def test_tensor_shape_from_node_def_name():
    fg.placeholder(fg.float32, [None, 7], name="x")
    graph = fg.get_default_graph()
    assert graph_util.tensor_shape_from_node_def_name(graph, "x").as_list() == [None, 7]
    assert graph_util.tensor_shape_from_node_def_name(graph, "x:0").as_list() == [None, 7]


def test_must_run_on_cpu():
    c32 = fg.constant([1, 2], dtype=fg.int32)
    cf = fg.constant([1.0])
    w = fg.Variable(1.0)
    cast = fg.cast(c32, fg.float32)
    assert graph_util.must_run_on_cpu(c32.op)
    assert not graph_util.must_run_on_cpu(cf.op)
    assert graph_util.must_run_on_cpu(cast.op)
    assert not graph_util.must_run_on_cpu(w.op)
    assert graph_util.must_run_on_cpu(w.op, pin_variables_on_cpu=True)
    node = NodeDef("s", "Const", attr={"dtype": fg.string, "value": np.array(b"a")})
    assert graph_util.must_run_on_cpu(node)
