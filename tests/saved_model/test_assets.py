"""Asset files: copied into export_dir/assets, fed to their tensors at load time, and never
resolved outside the saved model's folder."""

import os

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.saved_model  # noqa: F401
from flowgraph.saved_model.file_format import (
    AssetFileDef,
    parse_saved_model,
    write_saved_model,
)


def _save_with_asset(tmp_path, as_text=False):
    """A model whose main op stores the (fed) asset path in a local string Variable."""
    vocab = tmp_path / "src" / "vocab.txt"
    vocab.parent.mkdir()
    vocab.write_text("a\nb\nc\n")
    export_dir = tmp_path / "export"
    graph = fg.Graph()
    with graph.as_default():
        asset = fg.constant(str(vocab), name="vocab_path")
        fg.add_to_collection(fg.GraphKeys.ASSET_FILEPATHS, asset)
        seen = fg.Variable(b"", dtype=fg.string, name="seen_path", trainable=False,
                           collections=[fg.GraphKeys.LOCAL_VARIABLES])
        with fg.control_dependencies([seen.initializer]):
            main = fg.group(fg.assign(seen, asset), name="main")
        x = fg.placeholder(fg.float32, [None], name="x")
        w = fg.Variable(np.float32(3.0), name="w")
        y = fg.multiply(x, w, name="y")
        with fg.Session(graph=graph) as sess:
            sess.run(fg.global_variables_initializer())
            if as_text:
                builder = fg.saved_model.builder.SavedModelBuilder(str(export_dir))
                builder.add_meta_graph_and_variables(
                    sess, ["serve"], {"serving_default": fg.saved_model.predict_signature_def(
                        {"x": x}, {"y": y})},
                    assets_collection=fg.get_collection(fg.GraphKeys.ASSET_FILEPATHS),
                    main_op=main)
                builder.save(as_text=True)
            else:
                fg.saved_model.simple_save(sess, str(export_dir), {"x": x}, {"y": y},
                                           legacy_init_op=main)
    return export_dir


@pytest.mark.parametrize("as_text", [False, True])
def test_asset_is_copied_and_fed_inside_the_export_dir(tmp_path, as_text):
    export_dir = _save_with_asset(tmp_path, as_text)
    copied = export_dir / "assets" / "vocab.txt"
    assert copied.read_text() == "a\nb\nc\n"
    model = parse_saved_model(str(export_dir))
    assert model.asset_file_defs == [[AssetFileDef("vocab.txt", "vocab_path:0")]]
    os.rename(tmp_path / "export", tmp_path / "moved")  # paths are relative to the folder
    with fg.Session(graph=fg.Graph()) as sess:
        fg.saved_model.load(sess, ["serve"], str(tmp_path / "moved"))
        seen = sess.run("seen_path:0")
    assert os.path.realpath(seen.decode()) == os.path.realpath(
        tmp_path / "moved" / "assets" / "vocab.txt")


def _tamper(export_dir, filename):
    model = parse_saved_model(str(export_dir))
    model.asset_file_defs[0][0].filename = filename
    as_text = model.path.endswith(".json")
    os.unlink(model.path)
    write_saved_model(str(export_dir), model, as_text)


@pytest.mark.parametrize("as_text", [False, True])
@pytest.mark.parametrize("filename", ["../secret.txt", "../../etc/passwd", "/etc/passwd",
                                      "sub/../../secret.txt", "..", ""])
def test_asset_paths_escaping_the_folder_are_rejected(tmp_path, filename, as_text):
    export_dir = _save_with_asset(tmp_path, as_text)
    (tmp_path / "secret.txt").write_text("outside")
    _tamper(export_dir, filename)
    graph = fg.Graph()
    with fg.Session(graph=graph) as sess:
        with pytest.raises((fg.errors.InvalidArgumentError, fg.errors.DataLossError)):
            fg.saved_model.load(sess, ["serve"], str(export_dir))
        assert len(graph.get_operations()) == 0  # rejected before anything was imported


def test_asset_symlink_out_of_the_folder_is_rejected(tmp_path):
    export_dir = _save_with_asset(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("not part of the model")
    os.symlink(outside, export_dir / "assets" / "link.txt")
    _tamper(export_dir, "link.txt")
    with fg.Session(graph=fg.Graph()) as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="not inside its assets/"):
            fg.saved_model.load(sess, ["serve"], str(export_dir))
    # A symlinked assets folder pointing elsewhere is refused too.
    _tamper(export_dir, "vocab.txt")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "vocab.txt").write_text("x")
    os.rename(export_dir / "assets", tmp_path / "old_assets")
    os.symlink(elsewhere, export_dir / "assets")
    with fg.Session(graph=fg.Graph()) as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="not inside its assets/"):
            fg.saved_model.load(sess, ["serve"], str(export_dir))
    os.unlink(export_dir / "assets")
    with fg.Session(graph=fg.Graph()) as sess:
        with pytest.raises(fg.errors.NotFoundError, match="vocab.txt"):
            fg.saved_model.load(sess, ["serve"], str(export_dir))


def test_asset_tensor_must_be_a_string_constant(tmp_path):
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.string, [], name="p")
        with fg.Session(graph=graph) as sess:
            builder = fg.saved_model.Builder(str(tmp_path / "a"))
            with pytest.raises(TypeError, match="must be of type constant"):
                builder.add_meta_graph_and_variables(sess, ["serve"], assets_collection=[x])
            with pytest.raises(TypeError, match="must be of type string"):
                builder.add_meta_graph_and_variables(sess, ["serve"],
                                                     assets_collection=[fg.constant(1.0)])


def test_assets_with_the_same_base_name_get_distinct_files(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "vocab.txt").write_text(folder)
    graph = fg.Graph()
    with graph.as_default():
        a = fg.constant(str(tmp_path / "one" / "vocab.txt"))
        b = fg.constant(str(tmp_path / "two" / "vocab.txt"))
        with fg.Session(graph=graph) as sess:
            builder = fg.saved_model.Builder(str(tmp_path / "export"))
            builder.add_meta_graph_and_variables(sess, ["serve"], assets_collection=[a, b])
            builder.save()
    model = parse_saved_model(str(tmp_path / "export"))
    names = [asset.filename for asset in model.asset_file_defs[0]]
    assert names == ["vocab.txt", "vocab_1.txt"]
    assert (tmp_path / "export" / "assets" / "vocab.txt").read_text() == "one"
    assert (tmp_path / "export" / "assets" / "vocab_1.txt").read_text() == "two"
