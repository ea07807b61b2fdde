"""simple_save / SavedModelBuilder / loader.load round trips, as TF1's saved model API."""

import json
import os

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.saved_model import constants, loader, signature_constants, tag_constants
from tests.saved_model.helpers import batch, build_mlp, run_python, saved_mlp


def _load_and_run(export_dir, tags=("serve",), key="serving_default", inputs=None,
                  import_scope=None):
    graph = fg.Graph()
    with fg.Session(graph=graph) as sess:
        meta = fg.saved_model.loader.load(sess, list(tags), str(export_dir),
                                          import_scope=import_scope)
        sig = meta.signature_def[key]
        scope = f"{import_scope}/" if import_scope else ""
        x = graph.get_tensor_by_name(scope + sig.inputs["x"].name)
        outs = {k: graph.get_tensor_by_name(scope + v.name) for k, v in sig.outputs.items()}
        return meta, sess.run(outs, {x: batch() if inputs is None else inputs})


def test_simple_save_layout_and_same_process_load(tmp_path):
    export_dir = tmp_path / "export"
    inputs, probs, logits = saved_mlp(export_dir)
    assert sorted(os.listdir(export_dir)) == ["saved_model.fgm", "variables"]
    assert sorted(os.listdir(export_dir / "variables")) == [
        "variables.data-00000-of-00001", "variables.index"]
    meta, out = _load_and_run(export_dir, inputs=inputs)
    np.testing.assert_array_equal(out["probs"], probs)
    np.testing.assert_array_equal(out["logits"], logits)
    assert list(meta.meta_info_def.tags) == [tag_constants.SERVING]
    sig = meta.signature_def[signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
    assert sig.method_name == signature_constants.PREDICT_METHOD_NAME
    assert sig.inputs["x"].name == "x:0"
    assert sig.outputs["probs"].name == "probs:0"
    assert fg.as_dtype(sig.outputs["probs"].dtype) == fg.float32
    assert fg.TensorShape(sig.inputs["x"].tensor_shape).as_list() == [None, 4]


def test_load_restores_variables_not_initializers(tmp_path):
    export_dir = tmp_path / "export"
    graph = fg.Graph()
    with graph.as_default():
        v = fg.Variable(np.zeros(3, np.float32), name="v")
        x = fg.placeholder(fg.float32, [3], name="x")
        y = fg.add(v, x, name="y")
        with fg.Session(graph=graph) as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(v.assign([1.0, 2.0, 3.0]))  # trained value differs from the initial one
            fg.saved_model.simple_save(sess, str(export_dir), {"x": x}, {"y": y})
    graph2 = fg.Graph()
    with fg.Session(graph=graph2) as sess:
        fg.saved_model.load(sess, [tag_constants.SERVING], str(export_dir))
        np.testing.assert_array_equal(sess.run("v:0"), [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(sess.run("y:0", {"x:0": [1.0, 1.0, 1.0]}), [2, 3, 4])
        assert [var.op.name for var in graph2.get_collection(fg.GraphKeys.GLOBAL_VARIABLES)] \
            == ["v"]


def test_load_in_fresh_process_gives_identical_outputs(tmp_path):
    export_dir = tmp_path / "export"
    inputs, probs, logits = saved_mlp(export_dir)
    np.save(tmp_path / "x.npy", inputs)
    code = f"""
import numpy as np
import flowgraph as fg
from flowgraph import saved_model
with fg.Session(graph=fg.Graph()) as sess:
    meta = saved_model.loader.load(sess, [saved_model.tag_constants.SERVING], {str(export_dir)!r})
    sig = meta.signature_def["serving_default"]
    out = sess.run({{k: v.name for k, v in sig.outputs.items()}},
                   {{sig.inputs["x"].name: np.load({str(tmp_path / 'x.npy')!r})}})
np.save({str(tmp_path / 'probs.npy')!r}, out["probs"])
np.save({str(tmp_path / 'logits.npy')!r}, out["logits"])
import sys
print(sorted(m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("tests", "pytest")))
"""
    result = run_python(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    np.testing.assert_array_equal(np.load(tmp_path / "probs.npy"), probs)
    np.testing.assert_array_equal(np.load(tmp_path / "logits.npy"), logits)


def test_as_text_saved_model_round_trip(tmp_path):
    export_dir = tmp_path / "export"
    inputs, probs, _ = saved_mlp(export_dir, as_text=True)
    assert os.path.isfile(export_dir / "saved_model.json")
    assert not os.path.exists(export_dir / "saved_model.fgm")
    with open(export_dir / "saved_model.json") as handle:
        document = json.load(handle)
    assert document["kind"] == "saved_model"
    assert loader.maybe_saved_model_directory(str(export_dir))
    _, out = _load_and_run(export_dir, inputs=inputs)
    np.testing.assert_array_equal(out["probs"], probs)


def test_builder_with_several_tag_sets(tmp_path):
    export_dir = str(tmp_path / "export")
    graph = fg.Graph()
    with graph.as_default():
        x, probs, logits = build_mlp()
        predict = fg.saved_model.predict_signature_def({"x": x}, {"probs": probs})
        raw = fg.saved_model.predict_signature_def({"x": x}, {"logits": logits})
        with fg.Session(graph=graph) as sess:
            sess.run(fg.global_variables_initializer())
            expected = sess.run([probs, logits], {x: batch()})
            builder = fg.saved_model.builder.SavedModelBuilder(export_dir)
            builder.add_meta_graph_and_variables(sess, [tag_constants.TRAINING],
                                                 signature_def_map={"raw": raw})
            builder.add_meta_graph([tag_constants.SERVING], signature_def_map={
                "serving_default": predict})
            builder.add_meta_graph([tag_constants.SERVING, tag_constants.GPU],
                                   signature_def_map={"serving_default": predict, "raw": raw})
            path = builder.save()
    assert path == os.fsencode(os.path.join(export_dir, "saved_model.fgm"))  # bytes, as TF1
    meta, out = _load_and_run(export_dir, tags=["serve"])
    np.testing.assert_array_equal(out["probs"], expected[0])
    assert sorted(meta.signature_def) == ["serving_default"]
    meta, out = _load_and_run(export_dir, tags=["train"], key="raw")
    np.testing.assert_array_equal(out["logits"], expected[1])
    # The tag set matches as a set: order does not matter.
    meta, out = _load_and_run(export_dir, tags=["gpu", "serve"], key="raw")
    assert sorted(meta.signature_def) == ["raw", "serving_default"]
    np.testing.assert_array_equal(out["logits"], expected[1])
    with fg.Session(graph=fg.Graph()) as sess:
        with pytest.raises(RuntimeError, match="could not be found in SavedModel") as info:
            fg.saved_model.loader.load(sess, ["serve", "tpu"], export_dir)
    message = str(info.value)
    assert "available_tags" in message and "'gpu'" in message and "'train'" in message


def test_builder_call_order_errors(tmp_path):
    graph = fg.Graph()
    with graph.as_default():
        fg.Variable(1.0, name="v")
        with fg.Session(graph=graph) as sess:
            sess.run(fg.global_variables_initializer())
            builder = fg.saved_model.Builder(str(tmp_path / "a"))
            with pytest.raises(AssertionError, match="has not been saved yet"):
                builder.add_meta_graph(["serve"])
            builder.add_meta_graph_and_variables(sess, ["train"])
            with pytest.raises(AssertionError, match="already been saved"):
                builder.add_meta_graph_and_variables(sess, ["serve"])
            with pytest.raises(TypeError, match="main_op needs to be an Operation"):
                builder.add_meta_graph(["serve"], main_op="not an op")


def test_existing_non_empty_export_dir_is_rejected(tmp_path):
    export_dir = tmp_path / "export"
    export_dir.mkdir()
    fg.saved_model.builder.SavedModelBuilder(str(export_dir))  # empty: fine
    (export_dir / "old.txt").write_text("previous export")
    with pytest.raises(AssertionError, match="Export directory already exists, and isn't "
                       "empty"):
        fg.saved_model.builder.SavedModelBuilder(str(export_dir))
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None], name="x")
        with fg.Session(graph=graph) as sess, pytest.raises(AssertionError):
            fg.saved_model.simple_save(sess, str(export_dir), {"x": x}, {"y": x * 2.0})
    assert os.listdir(export_dir) == ["old.txt"]


def test_model_without_variables(tmp_path):
    export_dir = tmp_path / "export"
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [2], name="x")
        y = fg.multiply(x, 3.0, name="y")
        with fg.Session(graph=graph) as sess:
            fg.saved_model.simple_save(sess, str(export_dir), {"x": x}, {"y": y})
    with fg.Session(graph=fg.Graph()) as sess:
        meta = fg.saved_model.load(sess, ["serve"], str(export_dir))
        y_name = meta.signature_def["serving_default"].outputs["y"].name
        np.testing.assert_array_equal(sess.run(y_name, {"x:0": [1.0, 2.0]}), [3.0, 6.0])


def test_main_op_runs_after_restore(tmp_path):
    export_dir = tmp_path / "export"
    graph = fg.Graph()
    with graph.as_default():
        w = fg.Variable(np.float32(2.0), name="w")
        counter = fg.Variable(np.float32(0.0), name="counter",
                              collections=[fg.GraphKeys.LOCAL_VARIABLES], trainable=False)
        x = fg.placeholder(fg.float32, [], name="x")
        y = fg.add(x * w, counter, name="y")
        with fg.control_dependencies([counter.initializer]):
            main = fg.group(fg.assign(counter, w * 10.0), name="main")
        with fg.Session(graph=graph) as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(w.assign(5.0))
            fg.saved_model.simple_save(sess, str(export_dir), {"x": x}, {"y": y},
                                       legacy_init_op=main)
    with fg.Session(graph=fg.Graph()) as sess:
        fg.saved_model.load(sess, ["serve"], str(export_dir))
        # The main op ran after the restore: counter = restored w (5) * 10.
        assert sess.run("y:0", {"x:0": 1.0}) == pytest.approx(55.0)


def test_import_scope_and_tensor_info_helpers(tmp_path):
    export_dir = tmp_path / "export"
    inputs, probs, _ = saved_mlp(export_dir)
    graph = fg.Graph()
    with fg.Session(graph=graph) as sess:
        meta = fg.saved_model.load(sess, ["serve"], str(export_dir), import_scope="m")
        sig = meta.signature_def["serving_default"]
        x = fg.saved_model.utils.get_tensor_from_tensor_info(sig.inputs["x"], graph, "m")
        y = fg.saved_model.get_tensor_from_tensor_info(sig.outputs["probs"], graph,
                                                       import_scope="m")
        assert (x.name, y.name) == ("m/x:0", "m/probs:0")
        np.testing.assert_array_equal(sess.run(y, {x: inputs}), probs)


def test_missing_and_damaged_saved_models(tmp_path):
    with fg.Session(graph=fg.Graph()) as sess:
        with pytest.raises(fg.errors.NotFoundError, match="SavedModel file does not exist"):
            fg.saved_model.load(sess, ["serve"], str(tmp_path / "nowhere"))
    assert not fg.saved_model.maybe_saved_model_directory(str(tmp_path))
    export_dir = tmp_path / "export"
    saved_mlp(export_dir)
    path = export_dir / constants.SAVED_MODEL_FILENAME_PB
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # inside the stored meta graph bytes
    path.write_bytes(bytes(data))
    with fg.Session(graph=fg.Graph()) as sess:
        with pytest.raises(fg.errors.DataLossError, match="checksum"):
            fg.saved_model.load(sess, ["serve"], str(export_dir))
        assert len(sess.graph.get_operations()) == 0


def test_newer_schema_version_is_unimplemented(tmp_path):
    export_dir = tmp_path / "export"
    saved_mlp(export_dir, as_text=True)
    path = export_dir / "saved_model.json"
    document = json.loads(path.read_text())
    document["document"]["saved_model_schema_version"] = 99
    path.write_text(json.dumps(document))
    with fg.Session(graph=fg.Graph()) as sess:
        with pytest.raises(fg.errors.UnimplementedError, match="upgrade flowgraph"):
            fg.saved_model.load(sess, ["serve"], str(export_dir))


def test_a_lone_string_tag_is_one_tag(tmp_path):
    export_dir = tmp_path / "export"
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [], name="x")
        with fg.Session(graph=graph) as sess:
            builder = fg.saved_model.Builder(str(export_dir))
            builder.add_meta_graph_and_variables(sess, "serve", {
                "serving_default": fg.saved_model.predict_signature_def({"x": x}, {"y": x})})
            builder.save()
    with fg.Session(graph=fg.Graph()) as sess:
        meta = fg.saved_model.load(sess, "serve", str(export_dir))
    assert list(meta.meta_info_def.tags) == ["serve"]


@pytest.mark.parametrize("document, tensors", [
    ({"saved_model_schema_version": 1, "meta_graphs": "all"}, {}),
    ({"saved_model_schema_version": "1", "meta_graphs": []}, {}),
    ({"saved_model_schema_version": 1, "meta_graphs": [{"tags": "serve"}]}, {}),
    ({"saved_model_schema_version": 1, "meta_graphs": [{"tags": [], "meta_graph": "m"}]}, {}),
    ({"saved_model_schema_version": 1, "meta_graphs": [{"tags": [], "meta_graph": "m"}]},
     {"m": np.zeros((2, 2), np.float32)}),
    ({"saved_model_schema_version": 1, "meta_graphs": [{"tags": [], "meta_graph": "m"}]},
     {"m": np.frombuffer(b"not a container", np.uint8)}),
])
def test_malformed_saved_model_documents_are_data_loss(tmp_path, document, tensors):
    from flowgraph.io import container
    container.write(str(tmp_path / "saved_model.fgm"), "saved_model", document, tensors)
    with fg.Session(graph=fg.Graph()) as sess:
        with pytest.raises(fg.errors.DataLossError):
            fg.saved_model.load(sess, [], str(tmp_path))
