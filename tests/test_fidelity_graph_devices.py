"""TF1 behaviours of Graph placement and node descriptions: device functions, DeviceSpec,
replica_device_setter, colocate_with, Operation.node_def and GraphDef input names.
Expected values come from running the same snippets on TensorFlow (`tf.compat.v1`)."""

import numpy as np

import flowgraph as fg
from flowgraph.devices import DeviceSpec


def test_device_function_sees_the_op_and_places_it():
    with fg.Graph().as_default():
        with fg.device(lambda op: "/cpu:0" if op.type == "Const" else ""):
            a = fg.constant(1.0)
            b = a + a
        assert (a.device, b.device) == ("/cpu:0", "")


def test_inner_device_string_wins_over_outer_function_fields():
    def to_ps(op):
        return "/job:ps/task:0" if op.type == "VariableV2" else ""

    with fg.Graph().as_default():
        with fg.device(to_ps):
            v = fg.Variable(1.0, name="v")
            with fg.device("/cpu:0"):
                c = fg.constant(1.0)
        assert v.op.device == "/job:ps/task:0"
        assert c.device == ""  # the function's answer for a Const replaces the device (TF1)


def test_device_spec_strings_and_merging():
    spec = DeviceSpec(job="ps", replica=0, task=1, device_type="cpu", device_index=0)
    assert spec.to_string() == "/job:ps/replica:0/task:1/device:CPU:0"
    parsed = DeviceSpec.from_string("/job:worker/gpu:1")
    assert (parsed.job, parsed.task, parsed.device_type, parsed.device_index) == \
        ("worker", None, "GPU", 1)
    merged = parsed.make_merged_spec(DeviceSpec(task=3))
    assert merged.to_string() == "/job:worker/task:3/device:GPU:1"
    with fg.Graph().as_default():
        with fg.device(spec):
            a = fg.constant(1.0)
        assert a.device == "/job:ps/replica:0/task:1/device:CPU:0"


def test_replica_device_setter_round_robins_variables_over_ps_tasks():
    with fg.Graph().as_default():
        with fg.device(fg.train.replica_device_setter(ps_tasks=2)):
            v1 = fg.Variable(1.0)
            v2 = fg.Variable(2.0)
            v3 = fg.Variable(3.0)
            c = v1 + v2
        assert [v.device for v in (v1, v2, v3)] == \
            ["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0"]
        assert c.device == "/job:worker"
        assert fg.train.replica_device_setter(ps_tasks=0) is None
        setter = fg.train.replica_device_setter(cluster={"ps": ["a:1", "b:1", "c:1"],
                                                         "worker": ["w:1"]})
        with fg.device(setter):
            ws = [fg.Variable(float(i)) for i in range(4)]
        assert [w.device for w in ws] == ["/job:ps/task:0", "/job:ps/task:1",
                                          "/job:ps/task:2", "/job:ps/task:0"]
        with fg.Session() as sess:  # placement does not change what runs
            sess.run(fg.global_variables_initializer())
            assert sess.run(c) == 3.0


def test_colocate_with_records_groups_and_uses_the_ops_device():
    with fg.Graph().as_default():
        with fg.device("/job:ps/task:1"):
            a = fg.constant(1.0, name="a")
        with fg.device(lambda op: "/job:worker"):
            with fg.colocate_with(a):
                b = fg.identity(a, name="b")
            c = fg.identity(a, name="c")
        assert b.op.colocation_groups() == [b"loc:@a"]
        assert c.op.colocation_groups() == [b"loc:@c"]
        assert b.op.node_def.attr["_class"].list.s == [b"loc:@a"]
        assert b.device == "/job:ps/task:1"  # the outer device function does not apply
        assert c.device == "/job:worker"


def test_operation_node_def_names_inputs_as_tf1():
    with fg.Graph().as_default():
        x = fg.constant([[1.0, 2.0]], name="x")
        parts = fg.split(x, 2, axis=1, name="parts")
        gate = fg.no_op(name="gate")
        with fg.control_dependencies([gate]):
            y = fg.matmul(parts[1], x, transpose_a=True, name="mm")
        node = y.op.node_def
        assert (node.name, node.op) == ("mm", "MatMul")
        assert list(node.input) == ["parts:1", "x", "^gate"]
        assert y.op.get_attr("transpose_a") is True
        graph_def = fg.get_default_graph().as_graph_def()
        by_name = {n.name: n for n in graph_def.node}
        assert list(by_name["mm"].input) == ["parts:1", "x", "^gate"]
        # The TF1 spelling imports back, and the graph computes the same.
        with fg.Graph().as_default():
            out, = fg.import_graph_def(graph_def, return_elements=["mm:0"], name="")
            with fg.Session() as sess:
                np.testing.assert_allclose(sess.run(out), [[2.0, 4.0]])


def test_graph_def_versions_match_the_graph_defs():
    graph = fg.Graph()
    versions = graph.graph_def_versions
    assert versions.producer >= 1
    assert versions.producer == graph.as_graph_def().versions.producer
