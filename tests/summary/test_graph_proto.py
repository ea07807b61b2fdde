"""The GraphDef written for TensorBoard's Graphs tab, parsed back with TensorBoard's own
protobuf classes."""

import numpy as np
from tensorboard.compat.proto import graph_pb2

import flowgraph as fg
from flowgraph.summary.graph_proto import MAX_CONST_ELEMENTS, graph_def

DT_FLOAT, DT_INT32, DT_STRING = 1, 3, 7


def as_tensorboard(graph) -> graph_pb2.GraphDef:
    return graph_pb2.GraphDef.FromString(graph_def(graph).SerializeToString())


def nodes(graph) -> dict:
    return {n.name: n for n in as_tensorboard(graph).node}


def dims(shape_proto) -> list:
    return None if shape_proto.unknown_rank else [d.size for d in shape_proto.dim]


def test_inputs_controls_devices_and_output_index():
    x = fg.constant([3.0, 1.0, 2.0], name="x")
    values, indices = fg.nn.top_k(x, 2)
    first = fg.reduce_max(values, name="first")
    with fg.control_dependencies([first]), fg.device("/cpu:0"):
        y = fg.identity(indices, name="y")
    n = nodes(fg.get_default_graph())
    assert list(n["y"].input) == ["TopKV2:1", "^first"]
    assert n["y"].device == y.op.device == "/device:CPU:0"
    assert n["y"].op == "Identity"
    assert list(n["TopKV2"].input)[0] == "x"
    shapes = n["TopKV2"].attr["_output_shapes"].list.shape
    assert [dims(s) for s in shapes] == [[2], [2]]


def test_dtype_attributes_and_partial_shapes():
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    anything = fg.placeholder(fg.int32, name="anything")
    c = fg.cast(x, fg.int32, name="c")
    s = fg.reduce_sum(c, axis=1, keepdims=True, name="s")
    fg.add(anything, 1, name="plus")
    n = nodes(x.graph)
    assert n["x"].attr["dtype"].type == DT_FLOAT
    assert dims(n["x"].attr["shape"].shape) == [-1, 3]
    assert dims(n["x"].attr["_output_shapes"].list.shape[0]) == [-1, 3]
    assert n["anything"].attr["shape"].shape.unknown_rank
    assert n["anything"].attr["_output_shapes"].list.shape[0].unknown_rank
    assert n["c"].attr["DstT"].type == DT_INT32
    assert n["s"].attr["T"].type == DT_INT32  # from its input: Sum has no dtype attribute
    assert list(n["s"].attr["axis"].list.i) == [1]
    assert n["s"].attr["keepdims"].b is True
    assert dims(n["s"].attr["_output_shapes"].list.shape[0]) == [-1, 1]
    assert s.shape.as_list() == [None, 1]
    assert n["plus"].attr["T"].type == DT_INT32


def test_constants_small_with_values_large_without():
    fg.constant([[1.0, 2.0]], name="small")
    fg.constant(["a", "b"], name="words")
    fg.constant(np.zeros(MAX_CONST_ELEMENTS + 1, np.float32), name="big")
    n = nodes(fg.get_default_graph())
    small = n["small"].attr["value"].tensor
    assert small.dtype == DT_FLOAT
    assert dims(small.tensor_shape) == [1, 2]
    assert np.frombuffer(small.tensor_content, "<f4").tolist() == [1.0, 2.0]
    words = n["words"].attr["value"].tensor
    assert words.dtype == DT_STRING and list(words.string_val) == [b"a", b"b"]
    big = n["big"].attr["value"].tensor
    assert dims(big.tensor_shape) == [MAX_CONST_ELEMENTS + 1] and big.tensor_content == b""
    assert n["small"].attr["dtype"].type == DT_FLOAT


def test_scoped_names_and_variables():
    with fg.name_scope("model"):
        with fg.name_scope("dense"):
            w = fg.Variable(fg.ones([2, 2]), name="kernel")
    n = nodes(w.graph)
    assert {"model/dense/kernel", "model/dense/kernel/Assign", "model/dense/kernel/read"} \
        <= set(n)
    assert n["model/dense/kernel"].op == "VariableV2"
    assert list(n["model/dense/kernel/read"].input) == ["model/dense/kernel"]
    assert dims(n["model/dense/kernel"].attr["shape"].shape) == [2, 2]


def test_no_output_ops_have_no_shapes():
    a = fg.constant(1.0, name="a")
    fg.group(a, name="done")
    n = nodes(fg.get_default_graph())
    assert "_output_shapes" not in n["done"].attr
    assert "^a" in list(n["done"].input)
