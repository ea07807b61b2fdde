"""as_graph_def(add_shapes=True): TF1's `_output_shapes` attribute, read back and imported.

Expected values are what TF 1.x / 2.x (compat.v1) writes for the same graphs: -1 for an
unknown size, `unknown_rank` for an unknown rank, no attribute for an op without outputs.
"""

import pytest

import flowgraph as fg


def _graph() -> fg.Graph:
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, 3], name="x")
        fg.placeholder(fg.float32, None, name="u")
        fg.placeholder(fg.float32, [], name="s")
        fg.identity(x, name="y")
        fg.split(fg.zeros([4, 2], name="z"), 2, name="sp")
        fg.no_op(name="n")
    return graph


def _dims(attr) -> list:
    return [(None if s.unknown_rank else [d.size for d in s.dim]) for s in attr.list.shape]


def _by_name(graph_def) -> dict:
    return {node.name: node for node in graph_def.node}


def test_add_shapes_writes_tf1_output_shapes_attr():
    nodes = _by_name(_graph().as_graph_def(add_shapes=True))
    assert _dims(nodes["x"].attr["_output_shapes"]) == [[-1, 3]]
    assert _dims(nodes["y"].attr["_output_shapes"]) == [[-1, 3]]
    assert _dims(nodes["u"].attr["_output_shapes"]) == [None]
    assert nodes["u"].attr["_output_shapes"].list.shape[0].unknown_rank is True
    assert _dims(nodes["s"].attr["_output_shapes"]) == [[]]
    assert nodes["s"].attr["_output_shapes"].list.shape[0].unknown_rank is False
    assert _dims(nodes["sp"].attr["_output_shapes"]) == [[2, 2], [2, 2]]
    assert "_output_shapes" not in nodes["n"].attr  # no outputs: TF1 writes none


def test_without_add_shapes_no_attr():
    for node in _graph().as_graph_def().node:
        assert "_output_shapes" not in node.attr
    assert sorted(_by_name(_graph().as_graph_def())["x"].attr) == ["dtype", "shape"]


@pytest.mark.parametrize("form", ["binary", "json"])
def test_output_shapes_survive_serialization(form):
    graph_def = _graph().as_graph_def(add_shapes=True)
    if form == "binary":
        back = fg.GraphDef.FromString(graph_def.SerializeToString())
    else:
        back = fg.GraphDef.from_json(graph_def.to_json())
    nodes = _by_name(back)
    assert _dims(nodes["x"].attr["_output_shapes"]) == [[-1, 3]]
    assert _dims(nodes["u"].attr["_output_shapes"]) == [None]
    assert _dims(nodes["sp"].attr["_output_shapes"]) == [[2, 2], [2, 2]]
    assert "_output_shapes" not in nodes["n"].attr
    assert back == graph_def


def test_import_graph_def_with_output_shapes():
    graph_def = fg.GraphDef.FromString(_graph().as_graph_def(add_shapes=True)
                                       .SerializeToString())
    target = fg.Graph()
    with target.as_default():
        fg.import_graph_def(graph_def, name="")
        assert target.get_tensor_by_name("x:0").shape.as_list() == [None, 3]
        assert target.get_tensor_by_name("sp:1").shape.as_list() == [2, 2]
        assert target.get_tensor_by_name("u:0").shape.ndims is None
        y = target.get_tensor_by_name("y:0")
        x = target.get_tensor_by_name("x:0")
        with fg.Session(graph=target) as sess:
            out = sess.run(y, {x: [[1.0, 2.0, 3.0]]})
    assert out.tolist() == [[1.0, 2.0, 3.0]]
    # Importing drops the attribute, as TF1 (the graph infers the shapes itself).
    again = _by_name(target.as_graph_def())
    assert "_output_shapes" not in again["x"].attr


def test_output_shapes_reflect_set_shape():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, None], name="x")
        x.set_shape([5, None])
    node = _by_name(graph.as_graph_def(add_shapes=True))["x"]
    assert _dims(node.attr["_output_shapes"]) == [[5, -1]]
