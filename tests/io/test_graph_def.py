"""GraphDef: binary and JSON round trips, import_graph_def, validation of files."""

import json
import math
import os
import pickle
from typing import Optional

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors
from flowgraph.io import GraphDef, container, graph_checks, import_graph_def, load_graph_file
from flowgraph.io.graph_def import NodeDef
from flowgraph.ops import registry
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape


# --------------------------------------------------------------------------- helpers
@pytest.fixture
def attr_op():
    """A test-only op with one attribute of every kind (removed from the registry after)."""

    @register
    class TestEveryAttribute(Op):
        """Outputs `table * count + scale`, or the nested graph's "out:0" when `body` is
        set."""

        dtype: fg.DType = fg.float64
        shape: TensorShape = TensorShape([None, 3])
        count: int = 0
        scale: float = 1.0
        flag: bool = False
        label: str = ""
        axes: tuple = ()
        nested: tuple = ()
        maybe: Optional[int] = None
        table: Optional[np.ndarray] = None
        body: Optional[fg.Graph] = None

        stateful = True  # never folded at build time

        def infer(self, op):
            return [(fg.float64, TensorShape(None))]

        def kernel(self):
            if self.body is not None:
                with fg.Session(graph=self.body) as sess:
                    return np.asarray(sess.run("out:0"), dtype=np.float64)
            return np.asarray(self.table, dtype=np.float64) * self.count + self.scale

    yield TestEveryAttribute
    registry._REGISTRY.pop("TestEveryAttribute", None)


def _body_graph():
    body = fg.Graph()
    with body.as_default():
        fg.add(fg.constant([1.5, 2.5], name="c"), fg.constant(1.0), name="out")
    return body


def _round_trips(graph_def):
    """The GraphDefs read back from the binary and the JSON forms."""
    return [GraphDef.FromString(graph_def.SerializeToString()),
            GraphDef.from_json(graph_def.to_json())]


def _import(graph_def, **kwargs):
    graph = fg.Graph()
    with graph.as_default():
        result = import_graph_def(graph_def, **kwargs)
    return graph, result


def _json_top(graph_def):
    return json.loads(graph_def.to_json())


def _from_top(top):
    return GraphDef.from_json(json.dumps(top))


# --------------------------------------------------------------------------- round trips
def test_every_kind_of_attribute_round_trips(attr_op):
    graph = fg.Graph()
    table = np.array([[1.0, -2.0], [np.inf, np.nan]])
    with graph.as_default():
        apply_op(attr_op(dtype=fg.int16, shape=[None, 3, 7], count=-(2 ** 40), scale=math.inf,
                         flag=True, label="héllo \"x\"\n", axes=[1, -2],
                         nested=((1, 2.5, None), ("a", b"\x00b"), (fg.float32,
                                                                   TensorShape(None))),
                         maybe=None, table=table), [], name="every")
        apply_op(attr_op(scale=math.nan, shape=TensorShape(None), maybe=7, table=np.zeros((0, 2)),
                         nested=(np.array(["x", "yz"], dtype=object),)), [], name="nan")
    for copy in _round_trips(graph.as_graph_def()):
        restored, _ = _import(copy, name="")
        every = restored.get_operation_by_name("every").op_def
        assert every.dtype == fg.int16 and every.shape == TensorShape([None, 3, 7])
        assert every.count == -(2 ** 40) and every.scale == math.inf and every.flag is True
        assert every.label == "héllo \"x\"\n" and every.axes == (1, -2)
        assert every.nested[0] == (1, 2.5, None) and every.nested[1] == ("a", b"\x00b")
        assert every.nested[2] == (fg.float32, TensorShape(None))
        assert every.maybe is None
        np.testing.assert_array_equal(every.table, table)
        other = restored.get_operation_by_name("nan").op_def
        assert math.isnan(other.scale) and other.shape.ndims is None and other.maybe == 7
        assert other.table.shape == (0, 2)
        assert other.nested[0].tolist() == [b"x", b"yz"]
        with fg.Session(graph=restored) as sess:
            np.testing.assert_array_equal(sess.run("nan:0"), np.full((0, 2), np.nan))


def test_graph_valued_attribute_is_a_nested_graph_document(attr_op):
    graph = fg.Graph()
    with graph.as_default():
        apply_op(attr_op(body=_body_graph()), [], name="functional")
    graph_def = graph.as_graph_def()
    data = graph_def.SerializeToString()
    box = container.parse(data)
    assert "functional:body/c:value" in box.tensor_names()  # nested Consts as tensors too
    node = [n for n in _json_top(graph_def)["document"]["node"] if n["name"] == "functional"]
    assert [n["name"] for n in node[0]["attr"]["body"]["graph"]["node"]] == ["c", "Const",
                                                                            "out"]
    for copy in _round_trips(graph_def):
        restored, _ = _import(copy, name="")
        body = restored.get_operation_by_name("functional").op_def.body
        assert isinstance(body, fg.Graph) and len(body) == 3
        with fg.Session(graph=restored) as sess:
            np.testing.assert_array_equal(sess.run("functional:0"), [2.5, 3.5])


def test_names_devices_control_inputs_strings_and_sites_round_trip():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, 2], name="scope/x")
        words = fg.constant([["a", "bé"], ["", "\x00z"]], name="words")
        with fg.device("/job:worker/task:1"), fg.device("/cpu:0"):
            y = fg.multiply(x, 2.0, name="scope/y")
        with fg.control_dependencies([words.op, y.op]):
            z = fg.identity(x, name="z")
    site = z.op.creation_site
    for copy in _round_trips(graph.as_graph_def()):
        node = {n.name: n for n in copy.node}["z"]
        assert node.input == ["scope/x", "^words", "^scope/y"]
        restored, _ = _import(copy, name="")
        assert [op.name for op in restored.get_operations()] == \
            [op.name for op in graph.get_operations()]
        new_z = restored.get_operation_by_name("z")
        assert [c.name for c in new_z.control_inputs] == ["words", "scope/y"]
        assert restored.get_operation_by_name("scope/y").device == \
            "/job:worker/task:1/device:CPU:0"
        assert new_z.creation_site.filename == site.filename == __file__
        assert (new_z.creation_site.lineno, new_z.creation_site.function) == \
            (site.lineno, site.function)
        with fg.Session(graph=restored) as sess:
            got = sess.run("words:0")
        assert got.tolist() == [[b"a", "bé".encode()], [b"", b"\x00z"]]


def test_creation_sites_can_be_stripped():
    graph = fg.Graph()
    with graph.as_default():
        fg.constant(1.0, name="c")
    kept = graph.as_graph_def()
    stripped = graph.as_graph_def(strip_creation_sites=True)
    assert kept.node[0].creation_site.filename == __file__
    assert stripped.node[0].creation_site is None
    assert __file__ in kept.to_json() and __file__ not in stripped.to_json()
    assert os.path.basename(__file__).encode() not in stripped.SerializeToString()
    assert "site" not in _json_top(stripped)["document"]["node"][0]


def test_json_is_sorted_indented_and_has_inline_values_with_checksums():
    graph = fg.Graph()
    with graph.as_default():
        fg.constant(np.arange(3, dtype=np.int64), name="c")
    text = graph.as_graph_def().to_json()
    assert text.startswith('{\n "document": {\n')
    value = json.loads(text)["document"]["node"][0]["attr"]["value"]["tensor"]
    assert value["dtype"] == "int64" and value["shape"] == [3] and len(value["sha256"]) == 64
    assert json.dumps(json.loads(text), indent=1, sort_keys=True) + "\n" == text


def test_set_shape_refinements_and_add_shapes_are_kept():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, 3], name="x")
        x.set_shape([4, 3])
        y = fg.reshape(x, fg.placeholder(fg.int32, [2], name="s"), name="y")
        y.set_shape([None, 6])
        fg.identity(y, name="z")
    graph_def = graph.as_graph_def()
    assert {n.name for n in graph_def.node if n.output_shapes is not None} == {"x", "y"}
    assert all(n.output_shapes is not None for n in graph.as_graph_def(add_shapes=True).node)
    for copy in _round_trips(graph_def):
        restored, _ = _import(copy, name="")
        assert restored.get_tensor_by_name("x:0").shape == TensorShape([4, 3])
        assert restored.get_tensor_by_name("z:0").shape == TensorShape([None, 6])


def test_graph_def_api_parse_from_string_equality_and_write_graph(tmp_path):
    graph = fg.Graph()
    with graph.as_default():
        fg.add(fg.constant(1.0), fg.constant(2.0), name="sum")
    graph_def = graph.as_graph_def()
    other = GraphDef()
    other.ParseFromString(graph_def.SerializeToString())
    assert other == graph_def and other.ByteSize() == len(graph_def.SerializeToString())
    text_path = fg.train.write_graph(graph, str(tmp_path), "g.json")
    binary_path = fg.train.write_graph(graph_def, str(tmp_path / "sub"), "g.fg",
                                       as_text=False)
    assert text_path == str(tmp_path / "g.json")
    assert open(text_path, encoding="utf-8").read() == graph_def.to_json()
    assert container.read(binary_path).kind == "graph"
    for path in (text_path, binary_path):
        loaded = load_graph_file(path)
        with fg.Session(graph=loaded) as sess:
            assert sess.run("sum:0") == 3.0


# --------------------------------------------------------------------------- importing
def _small_graph():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None], name="x")
        c = fg.constant(10.0, name="c")
        y = fg.add(x, c, name="y")
        fg.multiply(y, 2.0, name="out")
        fg.no_op(name="done")
    return graph.as_graph_def()


def test_import_with_input_map_return_elements_and_prefix():
    graph_def = _small_graph()
    with fg.Graph().as_default() as graph:
        feed = fg.constant([1.0, 2.0], name="feed")
        out, y, done = import_graph_def(graph_def, input_map={"x:0": feed},
                                        return_elements=["out:0", "y:0", "done"])
        assert (out.name, y.name, done.name) == ("import/out:0", "import/y:0", "import/done")
        assert isinstance(done, fg.Operation) and y.op.inputs[0] is feed
        out2, = import_graph_def(graph_def, input_map={"c": fg.constant(0.0)},
                                 return_elements=["out:0"])
        assert out2.name == "import_1/out:0"
        out3, = import_graph_def(graph_def, return_elements=["out:0"], name="mine")
        assert out3.name == "mine/out:0"
        with fg.Session() as sess:
            np.testing.assert_array_equal(sess.run(out), [22.0, 24.0])
            np.testing.assert_array_equal(sess.run(out2, {"import_1/x:0": [3.0]}), [6.0])
        assert import_graph_def(graph_def, name="kept") is None
        assert "kept/out" in graph


def test_import_with_empty_name_keeps_names_and_uniquifies_clashes():
    graph_def = _small_graph()
    with fg.Graph().as_default() as graph:
        fg.constant(0.0, name="c")
        out, c = import_graph_def(graph_def, name="", return_elements=["out:0", "c:0"])
        assert out.name == "out:0" and c.name == "c_1:0"
        assert graph.get_operation_by_name("y").inputs[1] is c


def test_import_maps_control_inputs():
    graph = fg.Graph()
    with graph.as_default():
        first = fg.no_op(name="first")
        with fg.control_dependencies([first]):
            fg.constant(1.0, name="after")
    with fg.Graph().as_default():
        replacement = fg.no_op(name="replacement")
        after, = import_graph_def(graph.as_graph_def(), input_map={"^first": replacement},
                                  return_elements=["after"])
        assert after.control_inputs == [replacement]


@pytest.mark.parametrize("kwargs, message", [
    ({"input_map": {"nope:0": 1.0}}, "Attempted to map inputs that were not found in "
                                     "graph_def: [nope:0]"),
    ({"input_map": {"x:3": 1.0}}, "Attempted to map inputs that were not found"),
    ({"return_elements": ["nope:0"]}, "Requested return tensor 'nope:0' not found"),
    ({"return_elements": ["nope"]}, "Requested return node 'nope' not found"),
    ({"return_elements": ["out:5"]}, "Requested return tensor 'out:5' not found"),
    ({"input_map": {"x:0": fg.constant}, "name": ""}, "requires a non-empty `name`"),
])
def test_import_argument_errors_are_value_errors(kwargs, message):
    if "input_map" in kwargs and kwargs["input_map"].get("x:0") is fg.constant:
        kwargs["input_map"] = {"x:0": [1.0]}
    with fg.Graph().as_default():
        with pytest.raises(ValueError) as info:
            import_graph_def(_small_graph(), **kwargs)
    assert message in str(info.value)


def test_import_type_errors_and_dtype_mismatch():
    with fg.Graph().as_default():
        with pytest.raises(TypeError, match="graph_def must be a GraphDef"):
            import_graph_def(b"bytes")
        with pytest.raises(TypeError, match="input_map must be a dictionary"):
            import_graph_def(_small_graph(), input_map={0: fg.constant(1.0)})
        with pytest.raises(TypeError, match="return_elements must be a list of strings"):
            import_graph_def(_small_graph(), return_elements="out:0")
        with pytest.raises(ValueError, match="was passed int32 from .* incompatible with "
                                             "expected float32"):
            import_graph_def(_small_graph(), input_map={"x:0": fg.constant([1])})


def test_import_infers_shapes_again_through_the_ops():
    with fg.Graph().as_default():
        out, = import_graph_def(_small_graph(), return_elements=["out:0"],
                                input_map={"x": fg.placeholder(fg.float32, [5])})
        assert out.shape == TensorShape([5])


# --------------------------------------------------------------------------- validation
def test_unknown_op_type_is_not_found_listing_close_names_and_builds_nothing():
    top = _json_top(_small_graph())
    top["document"]["node"][2]["op"] = "Addd"
    with pytest.raises(errors.NotFoundError) as info:
        _from_top(top)
    assert "'Addd'" in str(info.value) and "'Add'" in str(info.value)
    graph_def = _small_graph()
    graph_def.node[2].op = "os.system"
    with fg.Graph().as_default() as graph:
        with pytest.raises(errors.NotFoundError, match="os.system"):
            import_graph_def(graph_def)
        assert len(graph) == 0


def test_pickle_payloads_are_rejected_without_running_anything(tmp_path):
    marker = tmp_path / "unpickled"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    payload = pickle.dumps(Exploit())
    with pytest.raises(errors.DataLossError, match="pickle"):
        GraphDef.FromString(payload)
    path = tmp_path / "graph.pb"
    path.write_bytes(payload)
    with pytest.raises(errors.DataLossError, match="pickle"):
        load_graph_file(str(path))
    with pytest.raises(errors.OpError):
        GraphDef.from_json(payload)
    assert not marker.exists()


@pytest.mark.parametrize("edit, message", [
    (lambda n: n[2]["attr"].update(pickle={"s": "cos\nsystem"}), "has no attribute 'pickle'"),
    (lambda n: n[0]["attr"].update(dtype={"pickle": "gASV"}), "must be DType"),
    (lambda n: n[0]["attr"].update(dtype={"dtype": "numpy.float32"}), "unknown dtype"),
    (lambda n: n[0]["attr"].update(dtype={"s": "float32"}), "must be DType"),
    (lambda n: n[0]["attr"].update(shape={"shape": [-1]}), "invalid dimension"),
    (lambda n: n[0]["attr"].update(shape={"shape": [None] * 99}), "at most 32"),
    (lambda n: n[1].update(name="bad name"), "invalid name"),
    (lambda n: n[1].update(name="x"), "two nodes are named 'x'"),
    (lambda n: n[2].update(input=["x:0", "missing:0"]), "no node is named 'missing'"),
    (lambda n: n[2].update(input=["x:0", "c:zero"]), "malformed input"),
    (lambda n: n[2].update(input="x:0"), "'input' must be a list"),
    (lambda n: n[0].update(input=["out:0"]), "cycle: "),
    (lambda n: n[2].update(site={"file": 1, "line": 2, "function": "f"}), "'site'"),
    (lambda n: n.append(7), "must be a JSON object"),
])
def test_invalid_documents_are_rejected(edit, message):
    top = _json_top(_small_graph())
    edit(top["document"]["node"])
    with pytest.raises(errors.InvalidArgumentError) as info:
        _from_top(top)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_cycle_error_names_the_nodes_in_the_cycle():
    top = _json_top(_small_graph())
    top["document"]["node"][0]["input"] = ["^out"]  # x <- out <- y <- x
    with pytest.raises(errors.InvalidArgumentError) as info:
        _from_top(top)
    assert all(name in str(info.value) for name in ("x", "y", "out"))


def test_attribute_values_are_checked_by_the_op_class():
    graph = fg.Graph()
    with graph.as_default():
        fg.split(fg.constant([1.0, 2.0]), 2, name="split")
    top = _json_top(graph.as_graph_def())
    node = [n for n in top["document"]["node"] if n["op"] == "Split"][0]
    node["attr"]["num_split"] = {"i": 0}
    with pytest.raises(errors.InvalidArgumentError, match="num_split >= 1"):
        _from_top(top)
    node["attr"]["num_split"] = {"i": True}
    with pytest.raises(errors.InvalidArgumentError, match="64-bit integer"):
        _from_top(top)
    del node["attr"]["num_split"]
    with pytest.raises(errors.InvalidArgumentError, match="num_split"):
        _from_top(top)


def test_strings_are_never_resolved_to_python_objects():
    top = _json_top(_small_graph())
    top["document"]["node"][0]["attr"]["dtype"] = {"dtype": "object"}
    with pytest.raises(errors.InvalidArgumentError, match="unknown dtype"):
        _from_top(top)
    top = _json_top(_small_graph())
    top["document"]["node"][2]["op"] = "numpy.load"
    with pytest.raises(errors.NotFoundError):
        _from_top(top)


def test_damaged_tensor_values_are_data_loss():
    top = _json_top(_small_graph())
    tensor = top["document"]["node"][1]["attr"]["value"]["tensor"]
    assert tensor["data"] == "AAAgQQ=="  # 10.0 as float32
    tensor["data"] = "AAAAQQ=="  # same length, another value
    with pytest.raises(errors.DataLossError, match="checksum"):
        _from_top(top)
    tensor["data"] = "!!!!"
    with pytest.raises(errors.DataLossError, match="base64"):
        _from_top(top)
    tensor["data"], tensor["shape"] = "AAAgQQ==", [2]
    with pytest.raises(errors.DataLossError, match="need 8"):
        _from_top(top)
    data = bytearray(_small_graph().SerializeToString())
    data[-1] ^= 0xFF  # the last byte belongs to a Const tensor
    with pytest.raises(errors.DataLossError, match="checksum"):
        GraphDef.FromString(bytes(data))


def test_counts_are_bounded(monkeypatch):
    monkeypatch.setattr(graph_checks, "MAX_NODES", 3)
    with pytest.raises(errors.InvalidArgumentError, match="at most 3 nodes"):
        _from_top(_json_top(_small_graph()))
    monkeypatch.setattr(graph_checks, "MAX_NODES", 100)
    monkeypatch.setattr(graph_checks, "MAX_INPUTS", 1)
    graph_def = _small_graph()
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="more than the limit of 1"):
            import_graph_def(graph_def)


def test_unbound_inputs_need_an_input_map():
    graph_def = GraphDef([NodeDef("y", "Identity", ["$unbound_inputs_x:0"])])
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="unbound input"):
            import_graph_def(graph_def)
        y, = import_graph_def(graph_def, input_map={"x:0": fg.constant(3.0)},
                              return_elements=["y:0"])
        with fg.Session() as sess:
            assert sess.run(y) == 3.0


# --------------------------------------------------------------------------- versions
def test_newer_graph_versions_are_unimplemented_naming_both_versions():
    top = _json_top(_small_graph())
    top["document"]["versions"]["min_consumer"] = 99
    with pytest.raises(errors.UnimplementedError) as info:
        _from_top(top)
    assert "99" in str(info.value) and "graph version 1" in str(info.value)
    with pytest.raises(errors.UnimplementedError, match="99"):
        GraphDef.FromString(container.pack("graph", top["document"], {}))
    top = _json_top(_small_graph())
    top["document"]["versions"]["bad_consumers"] = [1]
    with pytest.raises(errors.UnimplementedError, match="bad_consumers"):
        _from_top(top)
    graph_def = _small_graph()
    graph_def.versions.min_consumer = 5
    with fg.Graph().as_default():
        with pytest.raises(errors.UnimplementedError, match="5"):
            import_graph_def(graph_def)


def test_newer_file_formats_are_unimplemented_naming_both_versions(monkeypatch, tmp_path):
    top = _json_top(_small_graph())
    top["min_consumer"], top["producer"] = 42, 43
    with pytest.raises(errors.UnimplementedError) as info:
        _from_top(top)
    assert "43" in str(info.value) and "42" in str(info.value) and "version 1" in \
        str(info.value)
    path = tmp_path / "new.json"
    path.write_text(json.dumps(top))
    with pytest.raises(errors.UnimplementedError, match="42"):
        load_graph_file(str(path))
    monkeypatch.setattr(container, "CONSUMER_VERSION", 42)
    data = _small_graph().SerializeToString()
    monkeypatch.setattr(container, "CONSUMER_VERSION", 1)
    with pytest.raises(errors.UnimplementedError, match="42"):
        GraphDef.FromString(data)


def test_wrong_kind_and_missing_files():
    with pytest.raises(errors.InvalidArgumentError, match="'checkpoint'"):
        GraphDef.FromString(container.pack("checkpoint", {}, {}))
    with pytest.raises(errors.NotFoundError):
        load_graph_file("/nonexistent/graph.json")


def test_a_stored_tensor_is_referenced_once():
    graph = fg.Graph()
    with graph.as_default():
        fg.constant([1.0, 2.0], name="a")
        fg.constant([3.0, 4.0], name="b")
    box = container.parse(graph.as_graph_def().SerializeToString())
    document = box.document
    document["node"][1]["attr"]["value"]["tensor"]["ref"] = "a:value"
    tensors = {name: box.read_tensor(name) for name in box.tensor_names()}
    with pytest.raises(errors.DataLossError, match="a second time"):
        GraphDef.FromString(container.pack("graph", document, tensors))
    document["node"][1]["attr"]["value"]["tensor"]["ref"] = "missing"
    with pytest.raises(errors.DataLossError, match="does not hold"):
        GraphDef.FromString(container.pack("graph", document, tensors))


def test_from_version_keeps_the_nodes_added_since():
    graph = fg.Graph()
    with graph.as_default():
        fg.constant(1.0, name="old")
        version = graph.version
        fg.constant(2.0, name="new")
    names = [node.name for node in graph.as_graph_def(from_version=version).node]
    assert names == ["new"]


def test_inputs_may_refer_to_later_nodes():
    top = _json_top(_small_graph())
    top["document"]["node"].reverse()
    graph_def = _from_top(top)
    assert [n.name for n in graph_def.node][0] == "done"
    restored, (out,) = _import(graph_def, name="", return_elements=["out:0"])
    assert [op.name for op in restored.get_operations()] == ["done", "Const", "c", "x", "y",
                                                             "out"]
    with fg.Session(graph=restored) as sess:
        assert sess.run(out, {"x:0": [1.0]}).tolist() == [22.0]
