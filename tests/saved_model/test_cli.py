"""`flowgraph run` and `flowgraph inspect`, run as `python -m flowgraph ...` subprocesses."""

import os

import numpy as np

import flowgraph as fg
from tests.saved_model.helpers import build_mlp, run_cli, saved_mlp


def test_run_prints_outputs_and_writes_npy_files(tmp_path):
    export_dir = tmp_path / "export"
    inputs, probs, logits = saved_mlp(export_dir)
    np.save(tmp_path / "x.npy", inputs.astype(np.float64))  # converted to float32 safely
    result = run_cli("run", export_dir, "--input", f"x={tmp_path / 'x.npy'}",
                     "--out-dir", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "probs: dtype=float32 shape=(5, 3)" in result.stdout
    assert "logits: dtype=float32 shape=(5, 3)" in result.stdout
    assert sorted(os.listdir(tmp_path / "out")) == ["logits.npy", "probs.npy"]
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "probs.npy"), probs)
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "logits.npy"), logits)


def test_run_selected_output_and_signature(tmp_path):
    export_dir = tmp_path / "export"
    inputs, probs, _ = saved_mlp(export_dir)
    np.save(tmp_path / "x.npy", inputs)
    result = run_cli("run", export_dir, "--input", f"x={tmp_path / 'x.npy'}", "--output",
                     "probs", "--signature", "serving_default")
    assert result.returncode == 0, result.stderr
    assert "probs: dtype=float32 shape=(5, 3)" in result.stdout
    assert "logits" not in result.stdout
    assert f"{probs[0, 0]:.5f}"[:6] in result.stdout  # the preview shows the values


def test_run_errors_are_clear(tmp_path):
    export_dir = tmp_path / "export"
    inputs, _, _ = saved_mlp(export_dir)
    np.save(tmp_path / "x.npy", inputs)
    np.save(tmp_path / "bad.npy", np.zeros((5, 7), np.float32))
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    x_arg = f"x={tmp_path / 'x.npy'}"

    result = run_cli("run", export_dir, "--input", f"z={tmp_path / 'x.npy'}")
    assert result.returncode == 2
    assert "unknown input key(s) ['z']" in result.stderr and "['x']" in result.stderr

    result = run_cli("run", export_dir, "--input", x_arg, "--output", "nope")
    assert result.returncode == 2
    assert "valid output keys: ['logits', 'probs']" in result.stderr

    result = run_cli("run", export_dir, "--input", x_arg, "--signature", "other")
    assert result.returncode == 2 and "'other' not found" in result.stderr
    assert "serving_default" in result.stderr

    result = run_cli("run", export_dir, "--input", f"x={tmp_path / 'missing.npy'}")
    assert result.returncode == 1 and "no such file" in result.stderr

    result = run_cli("run", export_dir, "--input", f"x={tmp_path / 'bad.npy'}")
    assert result.returncode == 1
    assert "has shape (5, 7), but the signature expects (?, 4)" in result.stderr

    result = run_cli("run", export_dir, "--input", f"x={tmp_path / 'obj.npy'}")
    assert result.returncode == 1 and "pickles are never loaded" in result.stderr

    result = run_cli("run", export_dir)
    assert result.returncode == 2 and "--input x=PATH.npy" in result.stderr

    result = run_cli("run", tmp_path, "--input", x_arg)
    assert result.returncode == 1 and "not a saved model folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_reads_npz_members(tmp_path):
    export_dir = tmp_path / "export"
    inputs, probs, _ = saved_mlp(export_dir)
    np.savez(tmp_path / "data.npz", first=inputs, second=inputs * 2)
    result = run_cli("run", export_dir, "--input", f"x={tmp_path / 'data.npz'}[first]",
                     "--output", "probs", "--out-dir", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "probs.npy"), probs)


def test_inspect_saved_model(tmp_path):
    export_dir = tmp_path / "export"
    saved_mlp(export_dir)
    result = run_cli("inspect", export_dir)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "saved model:" in out and "tags ['serve']" in out
    assert "saved_model_schema_version 1" in out
    lines = [line.split() for line in out.splitlines()]
    assert ["MatMul", "2"] in lines and ["Softmax", "1"] in lines
    assert ["VariableV2", "4"] in lines
    # Variables with dtype, shape and size in bytes (4 * 8 float32 = 128 bytes).
    assert ["w0", "float32", "(4,", "8)", "128", "bytes"] in lines
    assert ["b1", "float32", "(3,)", "12", "bytes"] in lines
    assert "'serving_default' (method tensorflow/serving/predict)" in out
    assert ["x:", "x:0", "float32", "(?,", "4)"] in lines
    assert ["probs:", "probs:0", "float32", "(?,", "3)"] in lines


def test_inspect_checkpoint_graph_and_meta_graph_files(tmp_path):
    (tmp_path / "ckpt").mkdir()
    graph = fg.Graph()
    with graph.as_default():
        build_mlp()
        saver = fg.train.Saver()
        with fg.Session(graph=graph) as sess:
            sess.run(fg.global_variables_initializer())
            prefix = saver.save(sess, str(tmp_path / "ckpt" / "model"), global_step=3)
        graph_path = fg.train.write_graph(graph, str(tmp_path), "graph.json", as_text=True)
        binary_path = fg.train.write_graph(graph, str(tmp_path), "graph.fg", as_text=False)

    result = run_cli("inspect", prefix)
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert result.stdout.startswith("checkpoint:")
    assert ["w1", "float32", "(8,", "3)", "96", "bytes"] in lines

    result = run_cli("inspect", tmp_path / "ckpt")  # the folder: its latest checkpoint
    assert result.returncode == 0 and "model-3" in result.stdout

    result = run_cli("inspect", f"{prefix}.meta")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("meta graph:")
    assert ["MatMul", "2"] in [line.split() for line in result.stdout.splitlines()]

    for path in (graph_path, binary_path):
        result = run_cli("inspect", path)
        assert result.returncode == 0, result.stderr
        lines = [line.split() for line in result.stdout.splitlines()]
        assert result.stdout.startswith("graph:")
        assert ["MatMul", "2"] in lines and ["Placeholder", "1"] in lines
        assert ["b0", "float32", "(8,)", "32", "bytes"] in lines

    result = run_cli("inspect", tmp_path / "nothing")
    assert result.returncode == 1 and "no such file" in result.stderr


def test_summarize_text_saved_model_in_process(tmp_path):
    from flowgraph.io.inspect import format_summary, summarize
    export_dir = tmp_path / "export"
    saved_mlp(export_dir, as_text=True)
    summary = summarize(str(export_dir))
    assert summary["kind"] == "saved_model" and summary["file"] == "saved_model.json"
    assert summary["format_versions"]["saved_model_schema_version"] == 1
    (meta,) = summary["meta_graphs"]
    assert meta["tags"] == ["serve"]
    assert meta["graph"]["ops"]["MatMul"] == 2 and meta["graph"]["ops"]["Relu"] == 1
    assert meta["signatures"]["serving_default"]["inputs"]["x"] == {
        "name": "x:0", "dtype": "float32", "shape": [None, 4]}
    assert {v["name"]: (v["shape"], v["bytes"]) for v in summary["variables"]} == {
        "w0": ([4, 8], 128), "b0": ([8], 32), "w1": ([8, 3], 96), "b1": ([3], 12)}
    assert "variables: 4, 268 bytes in total" in format_summary(summary)
    # The saved model file itself is summarized as its folder.
    assert summarize(str(export_dir / "saved_model.json"))["kind"] == "saved_model"
