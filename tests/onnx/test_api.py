"""fg.onnx.export / import_model as a user meets them: frozen Variables, the checker,
atomic files, errors that list what is unsupported, bad arguments, drawing an import."""

import os
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import flowgraph as fg  # noqa: E402
from tests.onnx.helpers import run_onnx  # noqa: E402
from tests.onnx.onnx_models import FLOAT, model, single  # noqa: E402


def _linear():
    x = fg.placeholder(fg.float32, [None, 2], name="x")
    w = fg.Variable([[1.0], [2.0]], name="w")
    return x, w, fg.matmul(x, w)


def test_variables_are_frozen_at_their_session_values(tmp_path):
    x, w, y = _linear()
    path = tmp_path / "linear.onnx"
    with fg.Session() as sess:
        sess.run(w.initializer)
        sess.run(w.assign([[3.0], [-1.0]]))
        exported = fg.onnx.export(sess, {"x": x}, {"y": y}, path)
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in exported.graph.initializer}
    np.testing.assert_array_equal(weights["w"], [[3.0], [-1.0]])
    got = run_onnx(path, {"x": np.array([[1.0, 1.0], [2.0, 0.0]], np.float32)})["y"]
    np.testing.assert_array_equal(got, [[2.0], [6.0]])
    loaded = onnx.load(path)
    onnx.checker.check_model(loaded, full_check=True)
    assert loaded == exported
    assert [i.name for i in loaded.graph.input] == ["x"]
    assert loaded.opset_import[0].version == 17


def test_uninitialized_variable_is_reported(tmp_path):
    x, w, y = _linear()
    with fg.Session() as sess, pytest.raises(fg.errors.FailedPreconditionError, match="w"):
        fg.onnx.export(sess, {"x": x}, {"y": y}, tmp_path / "m.onnx")


def test_unsupported_ops_are_all_listed_and_nothing_is_written(tmp_path):
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    other = fg.placeholder(fg.float32, [None, 3], name="other")
    noise = fg.random_uniform(fg.shape(x), name="noise")
    y = fg.cumprod(x + noise, axis=1, name="products") + other
    z = fg.image.rgb_to_hsv(x, name="to_hsv")
    path = tmp_path / "m.onnx"
    path.write_bytes(b"previous")
    with fg.Session() as sess, pytest.raises(fg.errors.UnimplementedError) as info:
        fg.onnx.export(sess, {"x": x}, {"y": y, "z": z}, path)
    message = str(info.value)
    for op_type, node in (("RandomUniform", "noise"), ("Cumprod", "products"),
                          ("RGBToHSV", "to_hsv"), ("Placeholder", "other")):
        assert op_type in message and f"'{node}" in message, (op_type, message)
    assert "pass it in inputs=" in message  # the placeholder's fix
    assert {p[0] for p in info.value.problems} == {"RandomUniform", "Cumprod", "RGBToHSV",
                                                   "Placeholder"}
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["m.onnx"]  # no temporary file left behind


def test_an_op_needing_a_known_value_says_which(tmp_path):
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    perm = fg.placeholder(fg.int32, [2], name="perm")
    with fg.Session() as sess, pytest.raises(fg.errors.UnimplementedError,
                                             match="permutation .* must be known"):
        fg.onnx.export(sess, {"x": x, "perm": perm}, {"y": fg.transpose(x, perm)},
                       tmp_path / "m.onnx")


def test_graph_without_variables_needs_no_session(tmp_path):
    x = fg.placeholder(fg.float32, [None], name="x")
    path = tmp_path / "m.onnx"
    fg.onnx.export(None, {"x": x}, {"y": x * 2.0 + 1.0}, path)
    np.testing.assert_array_equal(run_onnx(path, {"x": np.ones(2, np.float32)})["y"], [3, 3])
    _, w, y = _linear()
    with pytest.raises(ValueError, match="needs the Session"):
        fg.onnx.export(None, {}, {"y": fg.reduce_sum(w)}, tmp_path / "w.onnx")


def test_an_input_may_be_any_tensor_and_an_output_an_input(tmp_path):
    x = fg.placeholder(fg.float32, [None], name="x")
    hidden = fg.exp(x)
    path = tmp_path / "m.onnx"
    fg.onnx.export(None, {"hidden": hidden}, {"y": hidden + 1.0, "same": hidden}, path)
    got = run_onnx(path, {"hidden": np.array([1.0, 2.0], np.float32)})
    np.testing.assert_array_equal(got["y"], [2.0, 3.0])
    np.testing.assert_array_equal(got["same"], [1.0, 2.0])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(outputs={}), ValueError, "at least one output"),
    (dict(outputs={"x": None}), TypeError, "must be a Tensor"),
    (dict(inputs={"y": "x"}), TypeError, "must be a Tensor"),
    (dict(inputs=[1]), TypeError, "dict"),
    (dict(opset=12), ValueError, "opset must be an int from 13"),
    (dict(opset=99), ValueError, "opset"),
])
def test_bad_arguments(tmp_path, kwargs, error, match):
    x = fg.placeholder(fg.float32, [None], name="x")
    args = dict(inputs={"x": x}, outputs={"y": x * 2.0}, path=tmp_path / "m.onnx")
    args.update(kwargs)
    with pytest.raises(error, match=match):
        fg.onnx.export(None, **args)


def test_names_and_graphs_must_fit(tmp_path):
    x = fg.placeholder(fg.float32, [None], name="x")
    with pytest.raises(ValueError, match="both an input and an output"):
        fg.onnx.export(None, {"x": x}, {"x": x * 2.0}, tmp_path / "m.onnx")
    unknown = fg.placeholder(fg.float32, None, name="unknown")
    with pytest.raises(ValueError, match="unknown number of dimensions"):
        fg.onnx.export(None, {"u": unknown}, {"y": unknown * 2.0}, tmp_path / "m.onnx")
    with fg.Graph().as_default():
        stranger = fg.constant(1.0) * 2.0
    with fg.Session() as sess, pytest.raises(ValueError, match="another graph"):
        fg.onnx.export(sess, {}, {"y": stranger}, tmp_path / "m.onnx")


def test_missing_onnx_package_gives_an_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    x = fg.placeholder(fg.float32, [None], name="x")
    with pytest.raises(ImportError, match=r'pip install "flowgraph\[onnx\]"'):
        fg.onnx.export(None, {"x": x}, {"y": x}, tmp_path / "m.onnx")
    with pytest.raises(ImportError, match=r"flowgraph\[onnx\]"):
        fg.onnx.import_model(tmp_path / "m.onnx")


# --------------------------------------------------------------------------- import side
def test_import_lists_every_unsupported_op_type(tmp_path):
    nodes = [single("Relu", ["x"]),
             onnx.helper.make_node("Resize", ["y", "", "scales"], ["big"], name="resize"),
             onnx.helper.make_node("Hardmax", ["big"], ["h"], name="hardmax"),
             onnx.helper.make_node("Custom", ["h"], ["out"], name="custom", domain="acme")]
    proto = model(nodes, [("x", FLOAT, [1, 1, 2, 2])], [("out", FLOAT, None)],
                  [("scales", np.ones(4, np.float32))])
    proto.opset_import.append(onnx.helper.make_opsetid("acme", 1))
    with pytest.raises(fg.errors.UnimplementedError) as info:
        fg.onnx.import_model(proto)
    message = str(info.value)
    for op_type, node in (("Resize", "resize"), ("Hardmax", "hardmax"), ("Custom", "custom")):
        assert op_type in message and f"'{node}'" in message
    assert "'acme'" in message and "Relu" not in message.split("Supported")[0]


def test_import_of_a_broken_or_missing_file(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage\xff\xff")
    with pytest.raises(fg.errors.InvalidArgumentError, match="bad.onnx"):
        fg.onnx.import_model(bad)
    with pytest.raises(fg.errors.NotFoundError, match="nothing.onnx"):
        fg.onnx.import_model(tmp_path / "nothing.onnx")


def test_imported_names_inputs_with_defaults_and_drawing(tmp_path):
    weights = np.array([[2.0]], np.float32)
    nodes = [onnx.helper.make_node("MatMul", ["data:0", "scale"], ["product"],
                                   name="layer/matmul"),
             onnx.helper.make_node("Sigmoid", ["product"], ["out/prob"], name="layer/sigmoid")]
    proto = model(nodes, [("data:0", FLOAT, ["batch", 1]), ("scale", FLOAT, [1, 1])],
                  [("out/prob", FLOAT, ["batch", 1])], [("scale", weights)])
    path = tmp_path / "m.onnx"
    onnx.save(proto, path)
    graph, inputs, outputs = fg.onnx.import_model(path)
    assert set(inputs) == {"data:0", "scale"}
    assert inputs["data:0"].name == "data_0:0" and inputs["data:0"].shape.as_list() == [None, 1]
    assert outputs["out/prob"].name == "out/prob:0"
    with fg.Session(graph=graph) as sess:
        x = np.array([[0.0], [1.0]], np.float32)
        got = sess.run(outputs["out/prob"], {inputs["data:0"]: x})
        np.testing.assert_allclose(got, 1 / (1 + np.exp(-2 * x)), rtol=1e-6)
        # An initializer that is also an input is a placeholder with a default.
        got = sess.run(outputs["out/prob"], {inputs["data:0"]: x, inputs["scale"]: [[0.0]]})
        np.testing.assert_allclose(got, [[0.5], [0.5]])
    dot_path = fg.viz.render(graph, tmp_path / "imported.dot")
    source = open(dot_path).read()
    assert "MatMul" in source and "Sigmoid" in source and "data_0" in source
    if fg.viz.find_dot() is not None:
        png = fg.viz.render(graph, tmp_path / "imported.png")
        assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_supported_op_type_lists():
    exportable = fg.onnx.exportable_op_types()
    importable = fg.onnx.importable_op_types()
    assert {"Conv2D", "MatMul", "If", "While", "FusedBatchNormV3", "StridedSlice"} <= \
        set(exportable)
    assert {"Conv", "Gemm", "If", "Loop", "BatchNormalization", "Slice"} <= set(importable)
    assert exportable == sorted(exportable)
