"""The graph core: default graphs, names, scopes, lookups, collections, control deps."""

import inspect
import os
import re

import numpy as np
import pytest

import flowgraph as fg

THIS_FILE = os.path.abspath(__file__)


def _line() -> int:
    """The line number of the caller."""
    return inspect.currentframe().f_back.f_lineno


# --------------------------------------------------------------------------- default graph
def test_default_graph_and_as_default():
    base = fg.get_default_graph()
    assert fg.get_default_graph() is base
    g = fg.Graph()
    with g.as_default() as entered:
        assert entered is g
        assert fg.get_default_graph() is g
        c = fg.constant(1.0)
    assert fg.get_default_graph() is base
    assert c.graph is g
    assert c.op in g.get_operations()
    assert c.op not in base.get_operations()


def test_nested_as_default():
    g1, g2 = fg.Graph(), fg.Graph()
    with g1.as_default():
        with g2.as_default():
            assert fg.get_default_graph() is g2
        assert fg.get_default_graph() is g1


def test_reset_default_graph():
    old = fg.get_default_graph()
    fg.constant(1.0)
    fg.reset_default_graph()
    new = fg.get_default_graph()
    assert new is not old
    assert new.get_operations() == []
    assert len(old.get_operations()) == 1


def test_reset_default_graph_inside_as_default_is_an_error():
    with fg.Graph().as_default():
        with pytest.raises(AssertionError):
            fg.reset_default_graph()


# --------------------------------------------------------------------------- names
def test_unique_names():
    assert fg.constant(1, name="c").name == "c:0"
    assert fg.constant(1, name="c").name == "c_1:0"
    assert fg.constant(1, name="c").name == "c_2:0"
    assert fg.constant(1).name == "Const:0"
    assert fg.constant(1).name == "Const_1:0"


def test_unique_names_skip_taken_suffixes():
    assert fg.constant(1, name="c_1").op.name == "c_1"
    assert fg.constant(1, name="c").op.name == "c"
    # "c_1" is taken by the first node, so the next "c" gets "c_2".
    assert fg.constant(1, name="c").op.name == "c_2"


def test_unique_names_are_case_insensitive():
    assert fg.constant(1.0, name="Loss").op.name == "Loss"
    assert fg.constant(1.0, name="loss").op.name == "loss_1"
    assert fg.constant(1.0, name="LOSS").op.name == "LOSS_2"


def test_graph_unique_name_without_marking():
    g = fg.get_default_graph()
    fg.constant(1, name="x")
    assert g.unique_name("x", mark_as_used=False) == "x_1"
    assert g.unique_name("x", mark_as_used=False) == "x_1"
    assert g.unique_name("x") == "x_1"
    assert g.unique_name("x") == "x_2"


def test_name_scope_nesting():
    with fg.name_scope("outer") as outer:
        assert outer == "outer/"
        with fg.name_scope("inner") as inner:
            assert inner == "outer/inner/"
            c = fg.constant(1.0, name="c")
        d = fg.constant(1.0, name="d")
    e = fg.constant(1.0, name="e")
    assert c.op.name == "outer/inner/c"
    assert d.op.name == "outer/d"
    assert e.op.name == "e"
    assert fg.get_default_graph().get_name_scope() == ""


def test_name_scope_reopened_gets_new_name_and_trailing_slash_reenters():
    with fg.name_scope("s") as first:
        fg.constant(1.0, name="a")
    with fg.name_scope("s") as second:
        b = fg.constant(1.0, name="b")
    assert first == "s/"
    assert second == "s_1/"
    assert b.op.name == "s_1/b"
    with fg.name_scope(first) as again:
        assert again == "s/"
        c = fg.constant(1.0, name="a")
    # Re-entering "s/" reuses the scope; names inside are still made unique.
    assert c.op.name == "s/a_1"


def test_name_scope_none_resets_to_top():
    with fg.name_scope("top"):
        with fg.name_scope(None) as scope:
            assert scope == ""
            c = fg.constant(1.0, name="c")
    assert c.op.name == "c"


def test_name_scope_default_name():
    with fg.name_scope(None, default_name="dflt") as scope:
        assert scope == "dflt/"
    with fg.name_scope("given", default_name="dflt") as scope:
        assert scope == "given/"


def test_op_name_from_scope_string_is_used_as_is():
    with fg.name_scope("myop") as scope:
        c = fg.identity(fg.constant(1.0), name=scope)
    assert c.op.name == "myop"


def test_invalid_scope_name():
    with pytest.raises(ValueError):
        with fg.name_scope("bad name!"):
            pass
    with pytest.raises(ValueError):
        with fg.name_scope("_top"):  # a top-level scope may not start with '_'
            pass
    with fg.name_scope("outer"):
        with fg.name_scope("_inner") as inner:  # a nested one may (as TF1)
            assert inner == "outer/_inner/"


def test_invalid_node_name():
    with pytest.raises(ValueError, match="not a valid node name"):
        fg.constant(1.0, name="bad name!")
    with pytest.raises(ValueError, match="not a valid node name"):
        fg.constant(1.0, name="x:0")
    assert "bad name!" not in fg.get_default_graph()


# --------------------------------------------------------------------------- lookup
def test_get_tensor_and_operation_by_name():
    g = fg.get_default_graph()
    with fg.name_scope("s"):
        x = fg.placeholder(fg.float32, [2], name="x")
    assert g.get_tensor_by_name("s/x:0") is x
    assert g.get_operation_by_name("s/x") is x.op
    assert "s/x" in g
    assert g.as_graph_element("s/x:0") is x
    assert g.as_graph_element("s/x") is x.op


def test_get_tensor_by_name_errors():
    g = fg.get_default_graph()
    fg.placeholder(fg.float32, [2], name="x")
    with pytest.raises(KeyError, match="nothere"):
        g.get_tensor_by_name("nothere:0")
    with pytest.raises(KeyError, match="x:1"):
        g.get_tensor_by_name("x:1")
    with pytest.raises(ValueError, match="x:0"):
        g.get_tensor_by_name("x")  # an Operation name, not a Tensor name
    with pytest.raises(TypeError):
        g.get_tensor_by_name(3)


def test_get_operation_by_name_errors():
    g = fg.get_default_graph()
    fg.placeholder(fg.float32, [2], name="x")
    with pytest.raises(KeyError, match="nothere"):
        g.get_operation_by_name("nothere")
    with pytest.raises(ValueError, match="Tensor"):
        g.get_operation_by_name("x:0")  # as TF1: a Tensor name, not an Operation name


def test_get_operations_in_creation_order():
    a = fg.constant(1.0, name="a")
    b = fg.constant(2.0, name="b")
    c = fg.add(a, b, name="c")
    ops = fg.get_default_graph().get_operations()
    assert [op.name for op in ops] == ["a", "b", "c"]
    assert ops[2] is c.op
    assert len(fg.get_default_graph()) == 3


# --------------------------------------------------------------------------- collections
def test_collections():
    a = fg.constant(1.0, name="a")
    with fg.name_scope("layer1"):
        b = fg.constant(1.0, name="b")
    with fg.name_scope("layer10"):
        c = fg.constant(1.0, name="c")
    fg.add_to_collection("mine", a)
    fg.add_to_collection("mine", b)
    fg.add_to_collections(["mine", "other"], c)
    fg.add_to_collection("mine", "no name attribute")
    assert fg.get_collection("mine") == [a, b, c, "no name attribute"]
    assert fg.get_collection("other") == [c]
    assert fg.get_collection("missing") == []
    # scope is a regex matched at the start of item.name; items without .name are skipped.
    assert fg.get_collection("mine", scope="layer1") == [b, c]
    assert fg.get_collection("mine", scope="layer1/") == [b]
    assert fg.get_collection("mine", scope=r"layer\d+/c") == [c]


def test_get_collection_is_a_copy_and_ref_is_live():
    fg.add_to_collection("k", 1)
    copy = fg.get_collection("k")
    copy.append(2)
    assert fg.get_collection("k") == [1]
    ref = fg.get_collection_ref("k")
    ref.append(3)
    assert fg.get_collection("k") == [1, 3]
    assert fg.get_default_graph().get_all_collection_keys() == ["k"]


def test_graph_keys_values_as_tf1():
    assert fg.GraphKeys.GLOBAL_VARIABLES == "variables"
    assert fg.GraphKeys.TRAINABLE_VARIABLES == "trainable_variables"
    assert fg.GraphKeys.LOCAL_VARIABLES == "local_variables"
    assert fg.GraphKeys.UPDATE_OPS == "update_ops"
    assert fg.GraphKeys.LOSSES == "losses"
    assert fg.GraphKeys.SUMMARIES == "summaries"


def test_collections_are_per_graph():
    g = fg.Graph()
    fg.add_to_collection("k", 1)
    with g.as_default():
        fg.add_to_collection("k", 2)
        assert fg.get_collection("k") == [2]
    assert fg.get_collection("k") == [1]


# --------------------------------------------------------------------------- finalize, graphs
def test_finalize_then_adding_a_node_raises_runtime_error():
    g = fg.Graph()
    with g.as_default():
        fg.constant(1.0, name="before")
        g.finalize()
        assert g.finalized
        with pytest.raises(RuntimeError, match="finalized"):
            fg.constant(2.0, name="after")
    assert [op.name for op in g.get_operations()] == ["before"]


def test_mixing_tensors_of_two_graphs_raises_value_error():
    g1, g2 = fg.Graph(), fg.Graph()
    with g1.as_default():
        a = fg.constant(1.0)
    with g2.as_default():
        b = fg.constant(2.0)
    with pytest.raises(ValueError, match="graph"):
        fg.add(a, b)
    with g2.as_default():
        with pytest.raises(ValueError):
            with fg.control_dependencies([a]):
                pass


def test_session_rejects_fetch_from_other_graph():
    g = fg.Graph()
    with g.as_default():
        a = fg.constant(1.0)
    with fg.Session() as sess:
        with pytest.raises(ValueError):
            sess.run(a)


# --------------------------------------------------------------------------- control deps
def test_control_dependencies_recorded():
    a = fg.constant(1.0, name="a")
    b = fg.constant(2.0, name="b")
    with fg.control_dependencies([a]):
        c = fg.identity(b, name="c")
        with fg.control_dependencies([b.op]):
            d = fg.identity(b, name="d")
    e = fg.identity(b, name="e")
    assert c.op.control_inputs == [a.op]
    # b is already d's data input, so only a is added as a control input.
    assert d.op.control_inputs == [a.op]
    assert e.op.control_inputs == []


def test_control_dependencies_none_clears_outer():
    a = fg.constant(1.0, name="a")
    with fg.control_dependencies([a]):
        with fg.control_dependencies(None):
            b = fg.constant(2.0, name="b")
        c = fg.constant(3.0, name="c")
    assert b.op.control_inputs == []
    assert c.op.control_inputs == [a.op]


def test_control_dependencies_order_execution():
    v = fg.Variable(0.0, name="v")
    inc = v.assign_add(1.0)
    with fg.control_dependencies([inc]):
        read = v.read_value()  # a new read, made inside the block (v.value() is not)
    with fg.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(read) == 1.0
        assert sess.run(read) == 2.0


# --------------------------------------------------------------------------- devices
def test_device_recorded_on_ops():
    with fg.device("/cpu:0"):
        a = fg.constant(1.0)
        with fg.device("/job:worker/task:1"):
            b = fg.constant(1.0)
        with fg.device(None):
            c = fg.constant(1.0)
    d = fg.constant(1.0)
    assert a.op.device == "/device:CPU:0"
    assert a.device == "/device:CPU:0"
    assert b.op.device == "/job:worker/task:1/device:CPU:0"
    assert c.op.device == ""
    assert d.op.device == ""


def test_bad_device_spec():
    with pytest.raises(ValueError):
        with fg.device("/tpu_thing:0"):
            fg.constant(1.0)


# --------------------------------------------------------------------------- Operation
def test_operation_properties():
    a = fg.constant([1.0, 2.0], name="a")
    b = fg.constant([3.0, 4.0], name="b")
    with fg.control_dependencies([fg.no_op(name="first")]):
        c = fg.add(a, b, name="sum")
    op = c.op
    assert op.name == "sum"
    assert op.type == "Add"
    assert op.inputs == (a, b)
    assert op.outputs == [c]
    assert [o.name for o in op.control_inputs] == ["first"]
    assert op.graph is fg.get_default_graph()
    assert c.value_index == 0
    assert c.dtype is fg.float32
    assert c.shape.as_list() == [2]
    assert a.consumers() == [op]
    assert op.values() == (c,)
    assert "sum" in repr(op) and "Add" in repr(op)
    assert "sum:0" in repr(c)


def test_no_op_has_no_outputs():
    op = fg.no_op(name="nothing")
    assert op.outputs == []
    assert op.type == "NoOp"


def test_creation_site_recorded():
    line = _line() + 1
    c = fg.constant(1.0, name="here")
    site = c.op.creation_site
    assert os.path.abspath(site.filename) == THIS_FILE
    assert site.lineno == line
    assert site.function == "test_creation_site_recorded"
    assert "here" in site.line
    assert c.op.describe() == f"node here (op type Const) defined at {site.filename}:{line}"


def test_creation_site_of_nested_builder_calls_is_user_code():
    # Variable creates several nodes inside flowgraph code; all point at this line.
    line = _line() + 1
    v = fg.Variable(1.0, name="v")
    for op in (v.op, v.initializer, v.value().op):
        assert os.path.abspath(op.creation_site.filename) == THIS_FILE
        assert op.creation_site.lineno == line


# --------------------------------------------------------------------------- Tensor
def test_tensor_bool_and_len_are_errors():
    t = fg.constant([1.0, 2.0])
    with pytest.raises(TypeError):
        bool(t)
    with pytest.raises(TypeError):
        len(t)


def test_tensor_is_hashable_by_identity():
    a = fg.constant(1.0)
    b = fg.constant(1.0)
    d = {a: 1, b: 2}
    assert d[a] == 1 and d[b] == 2
    assert a != b


def test_set_shape():
    x = fg.placeholder(fg.float32, [None, 3])
    x.set_shape([5, None])
    assert x.shape.as_list() == [5, 3]
    with pytest.raises(ValueError):
        x.set_shape([5, 4])


def test_operator_overloads():
    a = fg.constant([[1.0, 2.0], [3.0, 4.0]])
    b = fg.constant([[5.0, 6.0], [7.0, 8.0]])
    results = [a + b, a * b, a @ b, a[1], a[:, 0], a - 1.0, 2.0 * a, -a, a / b]
    av = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    bv = np.array([[5.0, 6.0], [7.0, 8.0]], np.float32)
    expected = [[[6, 8], [10, 12]], [[5, 12], [21, 32]], [[19, 22], [43, 50]], [3, 4],
                [1, 3], [[0, 1], [2, 3]], [[2, 4], [6, 8]], [[-1, -2], [-3, -4]], av / bv]
    with fg.Session() as sess:
        values = sess.run(results)
    for got, want in zip(values, expected):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=1e-6)
    assert (a @ b).shape.as_list() == [2, 2]
    assert a[1].shape.as_list() == [2]


def test_operator_with_numpy_on_the_left():
    a = fg.constant([1.0, 2.0])
    total = np.array([10.0, 20.0], np.float32) + a
    assert isinstance(total, fg.Tensor)
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(total), [11.0, 22.0])


def test_tensor_eval_and_operation_run_with_default_session():
    v = fg.Variable(3.0, name="v")
    doubled = fg.add(v, v)
    with fg.Session() as sess:
        assert fg.get_default_session() is sess
        v.initializer.run()
        assert doubled.eval() == 6.0
        x = fg.placeholder(fg.float32, [])
        assert fg.add(x, 1.0).eval(feed_dict={x: 2.0}) == 3.0
    assert fg.get_default_session() is None


def test_tensor_eval_without_session_is_an_error():
    c = fg.constant(1.0)
    with pytest.raises(ValueError, match="default session"):
        c.eval()


def test_tensor_eval_with_explicit_session():
    c = fg.constant(4.0)
    sess = fg.Session()
    assert c.eval(session=sess) == 4.0
    sess.close()


# --------------------------------------------------------------------------- build errors
def test_shape_mismatch_at_build_time_names_node_type_shapes_and_site():
    a = fg.placeholder(fg.float32, [2, 3], name="a")
    b = fg.placeholder(fg.float32, [4, 5], name="b")
    line = _line() + 2
    with pytest.raises(ValueError) as info:
        fg.add(a, b, name="bad_sum")
    message = str(info.value)
    assert "bad_sum" in message
    assert "Add" in message
    assert "(2, 3)" in message and "(4, 5)" in message
    assert f"{THIS_FILE}:{line}" in message or f"{os.path.basename(THIS_FILE)}:{line}" in \
        message
    # The failed node is not left in the graph.
    assert "bad_sum" not in fg.get_default_graph()


def test_dtype_mismatch_at_build_time_is_type_error():
    a = fg.placeholder(fg.float32, [2], name="a")
    b = fg.placeholder(fg.int32, [2], name="b")
    with pytest.raises(TypeError, match=re.escape("float32")):
        fg.add(a, b)
