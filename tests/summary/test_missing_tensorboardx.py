"""Without tensorboardX: graphs with summaries still build, and what needs it says how to
install it."""

import subprocess
import sys
import textwrap

import pytest

import flowgraph as fg
import flowgraph.summary as summary
from flowgraph import errors

HINT = "pip install 'flowgraph[tensorboard]'"


@pytest.fixture
def no_tensorboardx(monkeypatch):
    """Makes every import of tensorboardX (and its submodules) fail."""
    for name in [n for n in sys.modules if n == "tensorboardX" or n.startswith("tensorboardX.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError):
        import tensorboardX.proto.summary_pb2  # noqa: F401
    yield


def test_file_writer_gives_the_install_hint(no_tensorboardx, tmp_path):
    with pytest.raises(ImportError, match=r"pip install 'flowgraph\[tensorboard\]'"):
        summary.FileWriter(tmp_path)


def test_building_works_and_running_gives_the_hint(no_tensorboardx):
    s = summary.scalar("loss", fg.constant(1.0))
    merged = summary.merge_all()
    assert s.op.type == "ScalarSummary" and merged is not None
    with fg.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError) as info:
            sess.run(merged)
    assert HINT in str(info.value)
    assert "ScalarSummary" in str(info.value)  # names the node that needed it


def test_protobuf_classes_give_the_hint(no_tensorboardx):
    with pytest.raises(ImportError, match=r"flowgraph\[tensorboard\]"):
        summary.Summary(value=[])
    with pytest.raises(ImportError, match=r"flowgraph\[tensorboard\]"):
        summary.Summary.Value  # noqa: B018
    assert not isinstance(b"", summary.Summary)
    with pytest.raises(AttributeError):
        summary.Summary.__wrapped__  # noqa: B018 - introspection must not try the import


def test_import_flowgraph_summary_needs_no_tensorboardx():
    code = textwrap.dedent("""
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "tensorboardX":
                    raise ImportError("blocked for the test")

        sys.meta_path.insert(0, Block())
        import flowgraph as fg
        import flowgraph.summary as summary
        s = summary.scalar("x", fg.constant(1.0))
        print(s.op.name)
        try:
            summary.FileWriter("unused")
        except ImportError as exc:
            print(exc)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    lines = result.stdout.splitlines()
    assert lines[0] == "x"
    assert HINT in lines[1]
