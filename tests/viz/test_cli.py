"""`flowgraph viz GRAPH_FILE -o out.png`: the handler flowgraph.viz.cli.viz_command."""

from __future__ import annotations

import argparse
import shutil

import pytest

from flowgraph.io import load_graph_file, write_graph
from flowgraph.viz.cli import viz_command
from tests.viz.helpers import mlp_graph

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program is not installed")


def _args(graph_file, output, depth=None, fetch=None, no_gradients=False):
    return argparse.Namespace(graph_file=str(graph_file), output=str(output), depth=depth,
                              fetch=fetch or [], no_gradients=no_gradients)


@pytest.fixture
def graph_file(tmp_path):
    graph, _ = mlp_graph()
    path = write_graph(graph, str(tmp_path), "mlp.fgraph")
    assert load_graph_file(path) is not None
    return path


@needs_dot
def test_draws_a_graph_file(tmp_path, graph_file, capsys):
    out = tmp_path / "mlp.png"
    assert viz_command(_args(graph_file, out, depth=1)) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert str(out) in capsys.readouterr().out


def test_fetch_and_no_gradients(tmp_path, graph_file):
    out = tmp_path / "loss.dot"
    assert viz_command(_args(graph_file, out, fetch=["loss/Mean"])) == 0
    source = out.read_text()
    assert "loss/Mean" in source and "accuracy/Mean" not in source
    out2 = tmp_path / "model.dot"
    assert viz_command(_args(graph_file, out2, depth=2, no_gradients=True)) == 0
    source = out2.read_text()
    assert "dense/MatMul" in source and "gradients" not in source and "ApplyAdam" not in source


def test_unknown_fetch_name(tmp_path, graph_file, capsys):
    assert viz_command(_args(graph_file, tmp_path / "x.dot", fetch=["no_such_op"])) == 2
    assert "no_such_op" in capsys.readouterr().err
    assert not (tmp_path / "x.dot").exists()


def test_missing_dot(tmp_path, graph_file, monkeypatch, capsys):
    monkeypatch.setenv("FLOWGRAPH_DOT", str(tmp_path / "no-dot"))
    assert viz_command(_args(graph_file, tmp_path / "mlp.png")) == 1
    err = capsys.readouterr().err
    assert "apt-get install graphviz" in err and str(tmp_path / "mlp.dot") in err
    assert (tmp_path / "mlp.dot").exists()


def test_missing_graph_file(tmp_path, capsys):
    assert viz_command(_args(tmp_path / "nope.fgraph", tmp_path / "out.png")) == 1
    assert "nope.fgraph" in capsys.readouterr().err
