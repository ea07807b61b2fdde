"""Meta graphs: collections, Variables, saver_def, signatures, scopes, files."""

import json
import os
import warnings

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors
from flowgraph.graph import GraphKeys
from flowgraph.io import (
    GraphDefError,
    MetaGraphDef,
    SignatureDef,
    TensorInfo,
    export_meta_graph,
    import_meta_graph,
    load_graph_file,
    read_meta_graph_file,
)
from flowgraph.io.meta_graph import import_meta_graph_with_return_elements

X = np.array([[1.0, 2.0]], dtype=np.float32)


def build_model():
    """A small trainable model with every kind of collection item; returns its tensors."""
    x = fg.placeholder(fg.float32, [None, 2], name="x")
    w = fg.Variable(np.ones((2, 1), np.float32), name="w")
    b = fg.Variable(0.5, name="b", trainable=False)
    counter = fg.Variable(0, name="counter", trainable=False,
                          collections=[GraphKeys.LOCAL_VARIABLES])
    with fg.device("/cpu:0"):
        loss = fg.reduce_mean(fg.matmul(x, w) + b, name="loss")
    step = fg.train.get_or_create_global_step()
    count = counter.assign_add(1)
    fg.add_to_collection(GraphKeys.UPDATE_OPS, count.op)
    with fg.control_dependencies([count]):
        train = fg.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    fg.add_to_collection(GraphKeys.LOSSES, loss)
    fg.add_to_collection(GraphKeys.SUMMARIES, fg.identity(loss, name="summary"))
    assert fg.get_collection(GraphKeys.TRAIN_OP) == [train]  # added by minimize, as TF1
    for item in ("text", 3, 2.5, float("inf"), True, b"\x00\xff", loss, train, w):
        fg.add_to_collection("custom", item)
    fg.add_to_collection("sparse", fg.SparseTensor([[0, 1]], [4.0], [2, 2]))
    fg.add_to_collection("slices", fg.IndexedSlices(fg.constant([[1.0, 2.0]]),
                                                    fg.constant([1]), fg.constant([3, 2])))
    return x, w, b, loss, train


def exported(as_text, **kwargs):
    graph = fg.Graph()
    with graph.as_default():
        build_model()
        meta = export_meta_graph(**kwargs)
    if as_text:
        return MetaGraphDef.from_json(meta.to_json()), graph
    return MetaGraphDef.FromString(meta.SerializeToString()), graph


@pytest.mark.parametrize("as_text", [False, True])
def test_collections_round_trip_and_are_rebuilt(as_text):
    meta, original = exported(as_text)
    assert set(meta.collection_def) == {
        "variables", "trainable_variables", "local_variables", "update_ops", "losses",
        "summaries", "train_op", "global_step", "custom", "sparse", "slices"}
    assert [e["kind"] for e in meta.collection_def["custom"]] == [
        "string", "int", "float", "float", "bool", "bytes", "tensor", "operation",
        "variable"]
    with fg.Graph().as_default() as graph:
        import_meta_graph(meta)
        custom = fg.get_collection("custom")
        assert custom[:6] == ["text", 3, 2.5, float("inf"), True, b"\x00\xff"]
        assert custom[6] is graph.get_tensor_by_name("loss:0")
        assert custom[7] is graph.get_operation_by_name(original.get_collection(
            GraphKeys.TRAIN_OP)[0].name)
        w = custom[8]
        assert isinstance(w, fg.Variable) and w.name == "w:0"
        assert fg.global_variables()[0] is w and fg.trainable_variables() == [w]
        assert [v.name for v in fg.global_variables()] == ["w:0", "b:0", "global_step:0"]
        assert [v.name for v in fg.local_variables()] == ["counter:0"]
        assert fg.get_collection(GraphKeys.GLOBAL_STEP)[0] is fg.global_variables()[2]
        assert fg.train.get_global_step() is fg.global_variables()[2]
        sparse, = fg.get_collection("sparse")
        assert isinstance(sparse, fg.SparseTensor) and sparse.values.name == \
            "SparseTensor/values:0"
        slices, = fg.get_collection("slices")
        assert isinstance(slices, fg.IndexedSlices) and slices.dense_shape is not None
        assert graph.get_operation_by_name("loss").device == "/device:CPU:0"
        train, = fg.get_collection(GraphKeys.TRAIN_OP)
        with fg.Session() as sess:
            sess.run([fg.global_variables_initializer(), fg.local_variables_initializer()])
            assert sess.run("loss:0", {"x:0": X}) == 3.5
            sess.run(train, {"x:0": X})
            assert sess.run("loss:0", {"x:0": X}) == pytest.approx(3.0)
            assert sess.run("counter:0") == 1
            value = sess.run(sparse)
            assert value.values.tolist() == [4.0] and value.dense_shape.tolist() == [2, 2]
            assert fg.train.global_step(sess, fg.train.get_global_step()) == 1


def test_imported_variables_work_with_a_saver(tmp_path):
    graph = fg.Graph()
    with graph.as_default():
        x, w, b, loss, train = build_model()
        saver = fg.train.Saver()
        with fg.Session() as sess:
            sess.run([fg.global_variables_initializer(), fg.local_variables_initializer()])
            sess.run(train, {x: X})
            prefix = saver.save(sess, str(tmp_path / "model"))
            want = sess.run(loss, {x: X})
    assert os.path.exists(prefix + ".meta")
    with fg.Graph().as_default():
        restored_saver = fg.train.import_meta_graph(prefix + ".meta")
        assert isinstance(restored_saver, fg.train.Saver)
        with fg.Session() as sess:
            restored_saver.restore(sess, prefix)
            assert sess.run("loss:0", {"x:0": X}) == want
    with fg.Graph().as_default():
        scoped_saver = fg.train.import_meta_graph(prefix + ".meta", import_scope="copy")
        assert [v.name for v in fg.global_variables()][0] == "copy/w:0"
        with fg.Session() as sess:
            scoped_saver.restore(sess, prefix)
            assert sess.run("copy/loss:0", {"copy/x:0": X}) == want


def test_saver_is_made_for_variables_only_when_there_is_no_saver_def():
    meta, _ = exported(False)
    assert meta.saver_def is None
    with fg.Graph().as_default():
        assert isinstance(import_meta_graph(meta), fg.train.Saver)
    graph = fg.Graph()
    with graph.as_default():
        fg.constant(1.0, name="c")
        meta = export_meta_graph()
    with fg.Graph().as_default():
        assert import_meta_graph(meta) is None


def test_import_scope_input_map_and_return_elements():
    meta, _ = exported(False)
    with fg.Graph().as_default() as graph:
        fg.constant(0.0, name="pre")
        feed = fg.constant(X, name="feed")
        _, (loss,) = import_meta_graph_with_return_elements(
            meta, import_scope="scope", input_map={"x:0": feed}, return_elements=["loss:0"])
        assert loss.name == "scope/loss:0"
        assert fg.get_collection(GraphKeys.LOSSES) == [loss]
        assert [v.name for v in fg.trainable_variables()] == ["scope/w:0"]
        assert graph.get_operation_by_name("scope/MatMul").inputs[0] is feed
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            assert sess.run(loss) == 3.5
        with pytest.raises(ValueError, match="Attempted to map inputs"):
            import_meta_graph(meta, import_scope="again", input_map={"nope:0": feed})


def test_restore_collections_predicate_and_clear_devices():
    meta, _ = exported(False)
    with fg.Graph().as_default() as graph:
        import_meta_graph(meta, clear_devices=True,
                          restore_collections_predicate=lambda key: key != "custom")
        assert fg.get_collection("custom") == [] and fg.get_collection(GraphKeys.LOSSES)
        assert graph.get_operation_by_name("loss").device == ""
    meta, _ = exported(True, clear_devices=True)
    assert all(node.device == "" for node in meta.graph_def.node)


def test_export_scope_strips_names_and_leaves_unbound_inputs():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None], name="x")
        with fg.name_scope("block"):
            scale = fg.Variable(2.0, name="scale")
            y = fg.multiply(x, scale, name="y")
        fg.add_to_collection("outputs", y)
        fg.add_to_collection("outputs", x)  # outside the scope: left out
        meta = export_meta_graph(export_scope="block")
    names = [node.name for node in meta.graph_def.node]
    assert "y" in names and "x" not in names and all(not n.startswith("block/") for n in names)
    assert "$unbound_inputs_x" in [n for n in meta.graph_def.node if n.name == "y"][0].input
    assert meta.collection_def["outputs"] == [{"kind": "tensor", "name": "y:0"}]
    meta = MetaGraphDef.FromString(meta.SerializeToString())
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="unbound input"):
            import_meta_graph(meta, import_scope="a")
    with fg.Graph().as_default():
        feed = fg.constant([1.0, 3.0])
        import_meta_graph(meta, import_scope="b", input_map={"$unbound_inputs_x:0": feed})
        assert [v.name for v in fg.global_variables()] == ["b/scale:0"]
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            assert sess.run("b/y:0").tolist() == [2.0, 6.0]


@pytest.mark.parametrize("as_text", [False, True])
def test_signatures_tags_and_saver_def_round_trip(as_text):
    graph = fg.Graph()
    with graph.as_default():
        build_model()
        saver = fg.train.Saver()
        meta = saver.export_meta_graph()
    meta.meta_info_def.tags = ["serve", "gpu"]
    meta.signature_def["predict"] = SignatureDef(
        inputs={"x": TensorInfo("x:0", fg.float32, [None, 2])},
        outputs={"loss": TensorInfo("loss:0", fg.float32, [])}, method_name="predict")
    copy = MetaGraphDef.from_json(meta.to_json()) if as_text else \
        MetaGraphDef.FromString(meta.SerializeToString())
    assert copy.meta_info_def.tags == ["serve", "gpu"]
    assert copy.meta_info_def.flowgraph_version == fg.__version__
    assert "VariableV2" in copy.meta_info_def.stripped_op_list
    assert copy.signature_def == meta.signature_def
    assert copy.signature_def["predict"].inputs["x"].tensor_shape.as_list() == [None, 2]
    assert copy.saver_def == dict(saver.as_saver_def())
    assert copy.collection_def == json.loads(json.dumps(meta.collection_def))


def test_unsupported_collection_items_are_left_out_with_a_warning():
    graph = fg.Graph()
    with graph.as_default():
        fg.add_to_collection("callables", print)
        fg.add_to_collection("names", "kept")
        with pytest.warns(UserWarning, match="callables"):
            meta = export_meta_graph()
    assert "callables" not in meta.collection_def and "names" in meta.collection_def
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        export_meta_graph(graph=graph, collection_list=["names"])


@pytest.mark.parametrize("entry, message", [
    ({"kind": "tensor", "name": "missing:0"}, "not a tensor of the graph"),
    ({"kind": "tensor", "name": "loss"}, "not a tensor of the graph"),
    ({"kind": "operation", "name": "loss:0"}, "not a operation of the graph"),
    ({"kind": "pickle", "value": "gASV"}, "unknown entry kind 'pickle'"),
    ({"kind": "int", "value": "3"}, "invalid value"),
    ({"kind": "bytes", "value": "@@"}, "not valid base64"),
    ({"kind": "variable", "name": "w:0", "variable_def": {"variable_name": "w:0"}},
     "invalid node name"),
])
def test_invalid_collection_entries_are_rejected(entry, message):
    meta, _ = exported(True)
    top = json.loads(meta.to_json())
    top["document"]["collection_def"]["custom"] = [entry]
    with pytest.raises(GraphDefError) as info:
        MetaGraphDef.from_json(json.dumps(top))
    assert message in str(info.value)
    assert isinstance(info.value, errors.InvalidArgumentError)


def test_files_text_binary_and_versions(tmp_path):
    graph = fg.Graph()
    with graph.as_default():
        build_model()
        export_meta_graph(str(tmp_path / "m.json"), as_text=True)
        export_meta_graph(str(tmp_path / "m.meta"))
    text = (tmp_path / "m.json").read_text()
    assert text.lstrip().startswith("{") and '"kind": "meta_graph"' in text
    for name in ("m.json", "m.meta"):
        meta = read_meta_graph_file(str(tmp_path / name))
        assert "variables" in meta.collection_def
        loaded = load_graph_file(str(tmp_path / name))
        assert [v.name for v in loaded.get_collection("trainable_variables")] == ["w:0"]
        with loaded.as_default(), fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            assert sess.run("loss:0", {"x:0": X}) == 3.5
    top = json.loads(text)
    top["document"]["graph_def"]["versions"]["min_consumer"] = 7
    (tmp_path / "new.json").write_text(json.dumps(top))
    with pytest.raises(errors.UnimplementedError, match="7"):
        read_meta_graph_file(str(tmp_path / "new.json"))
    with pytest.raises(errors.UnimplementedError, match="7"):
        fg.train.import_meta_graph(str(tmp_path / "new.json"))


def test_load_graph_file_reads_a_saved_model_folder(tmp_path):
    import flowgraph.saved_model  # noqa: F401 - registers fg.saved_model
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, 2], name="x")
        w = fg.Variable(np.full((2, 1), 2.0, np.float32), name="w")
        y = fg.matmul(x, w, name="y")
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            fg.saved_model.simple_save(sess, str(tmp_path / "model"), inputs={"x": x},
                                       outputs={"y": y})
    loaded = load_graph_file(str(tmp_path / "model"))
    assert "y" in loaded and [v.name for v in loaded.get_collection("variables")] == ["w:0"]
