"""fg.viz.render: image files by suffix, the missing-`dot` error, Jupyter display."""

from __future__ import annotations

import shutil
import struct

import pytest

import flowgraph as fg
import flowgraph.viz as viz
from tests.viz.helpers import mlp_graph

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program is not installed")

MAGIC = {
    ".png": b"\x89PNG\r\n\x1a\n",
    ".pdf": b"%PDF-",
}


def _small_graph() -> fg.Graph:
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, 3], name="x")
        with fg.name_scope("layer"):
            w = fg.Variable(fg.ones([3, 2]), name="w")
            fg.nn.relu(fg.matmul(x, w))
    return graph


@needs_dot
@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_binary_formats(tmp_path, suffix):
    path = tmp_path / f"graph{suffix}"
    result = viz.render(_small_graph(), path)
    assert result == str(path)
    assert path.read_bytes().startswith(MAGIC[suffix])


@needs_dot
def test_svg(tmp_path):
    path = tmp_path / "graph.svg"
    viz.render(_small_graph(), str(path))
    text = path.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "MatMul" in text and "cluster_layer" in text


def test_dot_source_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWGRAPH_DOT", str(tmp_path / "no-such-dot"))
    path = tmp_path / "graph.dot"
    viz.render(_small_graph(), path)
    text = path.read_text()
    assert text.startswith("digraph") and "cluster_layer" in text
    gv = tmp_path / "graph.gv"
    viz.render(_small_graph(), gv)
    assert gv.read_text() == text


@needs_dot
def test_png_dpi(tmp_path):
    def width(path):
        data = path.read_bytes()
        return struct.unpack(">I", data[16:20])[0]  # the IHDR chunk's width

    small, large = tmp_path / "small.png", tmp_path / "large.png"
    viz.render(_small_graph(), small, dpi=48)
    viz.render(_small_graph(), large, dpi=144)
    assert width(large) > 2 * width(small)


def test_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf, \.dot"):
        viz.render(_small_graph(), tmp_path / "graph.jpeg")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("program", ["missing-program", "/no/such/dir/dot"])
def test_missing_dot_writes_source_and_explains(tmp_path, monkeypatch, program):
    monkeypatch.setenv("FLOWGRAPH_DOT", program)
    path = tmp_path / "model.png"
    with pytest.raises(viz.GraphvizUnavailableError) as info:
        viz.render(_small_graph(), path)
    error = info.value
    assert isinstance(error, fg.errors.UnavailableError)
    assert isinstance(error, fg.errors.OpError)
    dot_path = tmp_path / "model.dot"
    message = str(error)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert str(dot_path) in message and "FLOWGRAPH_DOT" in message and program in message
    assert error.dot_path == str(dot_path)
    assert dot_path.read_text().startswith("digraph")
    assert not path.exists()


def test_missing_dot_on_path(tmp_path, monkeypatch):
    monkeypatch.delenv("FLOWGRAPH_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert viz.find_dot() is None
    with pytest.raises(viz.GraphvizUnavailableError, match="not found on the PATH"):
        viz.render(_small_graph(), tmp_path / "model.svg")
    assert (tmp_path / "model.dot").exists()


@needs_dot
def test_flowgraph_dot_names_the_program(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWGRAPH_DOT", shutil.which("dot"))
    assert viz.find_dot() == shutil.which("dot")
    path = viz.render(_small_graph(), tmp_path / "graph.png")
    assert open(path, "rb").read(8) == MAGIC[".png"]


@needs_dot
def test_fetches_and_options_reach_the_drawing(tmp_path):
    graph, model = mlp_graph()
    path = tmp_path / "loss.svg"
    viz.render(model["loss"], path, depth=0, title="loss only")
    text = path.read_text()
    assert "loss only" in text and "accuracy" not in text and "Adam" not in text


@needs_dot
def test_graph_displays_itself_in_jupyter():
    graph = _small_graph()
    bundle = graph._repr_mimebundle_()
    assert bundle["text/plain"] == repr(graph)
    assert "<svg" in bundle["image/svg+xml"]
    assert "<svg" in graph._repr_svg_()
    assert "image/svg+xml" not in fg.Graph()._repr_mimebundle_()


def test_jupyter_without_dot_falls_back_to_text(monkeypatch, tmp_path):
    monkeypatch.setenv("FLOWGRAPH_DOT", str(tmp_path / "no-such-dot"))
    graph = _small_graph()
    assert graph._repr_mimebundle_() == {"text/plain": repr(graph)}
    assert graph._repr_svg_() is None
