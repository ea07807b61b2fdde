"""Iterator ops in graph files: datasets built from tensors, files, ranges and traced
functions save and load (also in a fresh process); Python code is refused clearly."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.data import Dataset, TextLineDataset
from flowgraph.io import GraphDef, import_graph_def
from tests.data.util import drain


def _pipeline():
    """A graph with an initializable iterator over a pipeline of traced functions."""
    values = fg.placeholder(fg.float32, [None], name="values")
    ds = Dataset.from_tensor_slices(values).map(lambda v: v * 2.0 + 1.0)
    ds = ds.filter(lambda v: fg.greater(v, 2.0)).shuffle(8, seed=5)
    ds = ds.flat_map(lambda v: Dataset.range(2).map(lambda i: v + fg.cast(i, fg.float32)))
    ds = ds.batch(3).repeat(2)
    it = ds.make_initializable_iterator()
    return it.initializer, it.get_next(name="next")


FEED = [0.0, 1.0, 2.0, 3.0, 4.0]


def _run(graph, init_name, next_name):
    with fg.Session(graph=graph) as sess:
        sess.run(init_name, {"values:0": FEED})
        return [v.tolist() for v in drain(next_name, sess)]


def test_round_trip_binary_and_json():
    graph = fg.Graph()
    with graph.as_default():
        init, nxt = _pipeline()
    want = _run(graph, init.name, nxt.name)
    assert sum(len(b) for b in want) == 2 * 2 * 4
    graph_def = graph.as_graph_def()
    for restored_def in (GraphDef.FromString(graph_def.SerializeToString()),
                         GraphDef.from_json(graph_def.to_json())):
        restored = fg.Graph()
        with restored.as_default():
            import_graph_def(restored_def, name="")
        assert _run(restored, init.name, nxt.name) == want
        for original, copy in zip(graph.get_operations(), restored.get_operations()):
            assert copy.op_def == original.op_def, original.name


def test_saved_graph_runs_in_a_fresh_process(tmp_path):
    (tmp_path / "lines.txt").write_text("3\n1\n2\n")
    graph = fg.Graph()
    with graph.as_default():
        init, nxt = _pipeline()
        lines = TextLineDataset(str(tmp_path / "lines.txt")).map(fg.string_to_number)
        total = lines.reduce(np.float32(0), lambda s, v: s + v)
        one_shot = Dataset.range(4).map(lambda x: x * x).make_one_shot_iterator()
        squares = one_shot.get_next(name="squares")
    want = _run(graph, init.name, nxt.name)
    fg.train.write_graph(graph, str(tmp_path), "pipeline.fgraph", as_text=False)
    child = f"""
import json, sys
import flowgraph as fg
from flowgraph.io import load_graph_file
graph = load_graph_file(sys.argv[1])
out = {{}}
with fg.Session(graph=graph) as sess:
    sess.run({init.name!r}, {{"values:0": {FEED!r}}})
    batches = []
    while True:
        try:
            batches.append(sess.run({nxt.name!r}).tolist())
        except fg.errors.OutOfRangeError:
            break
    out["batches"] = batches
    out["total"] = float(sess.run({total.name!r}))
    out["squares"] = [int(sess.run({squares.name!r})) for _ in range(4)]
print(json.dumps(out))
"""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, "-c", child, str(tmp_path / "pipeline.fgraph")],
                          env=dict(os.environ, PYTHONPATH=root), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    import json
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["batches"] == want
    assert result["total"] == 6.0
    assert result["squares"] == [0, 1, 4, 9]


def test_python_code_is_left_out_with_a_clear_warning_and_error(tmp_path):
    graph = fg.Graph()
    with graph.as_default():
        def make_rows():
            yield from range(3)

        nxt = Dataset.from_generator(make_rows, fg.int64).map(lambda x: x + 1) \
            .make_one_shot_iterator().get_next()
        w = fg.Variable(1.0, name="w")
        with fg.Session() as sess:
            sess.run(w.initializer)
            assert drain(nxt, sess) == [1, 2, 3]
            with pytest.warns(UserWarning, match="make_rows.*cannot hold"):
                fg.train.Saver().save(sess, str(tmp_path / "model"))  # saving still works
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = graph.as_graph_def().SerializeToString()
    restored = fg.Graph()
    with restored.as_default():
        import_graph_def(GraphDef.FromString(data), name="")
        with fg.Session() as sess:
            with pytest.raises(fg.errors.UnimplementedError,
                               match="built from Python code \\(the generator 'make_rows'"):
                sess.run(nxt.name)


def test_equal_descriptions_compare_by_value():
    from flowgraph.ops.iterator_ops import MakeIterator
    a = Dataset.from_tensor_slices(np.arange(4)).map(lambda x: x * 2)
    b = Dataset.from_tensor_slices(np.arange(4)).map(lambda x: x * 2)
    c = Dataset.from_tensor_slices(np.arange(5)).map(lambda x: x * 2)
    from flowgraph.data.describe import Capture, encode
    made = [MakeIterator(dataset=encode(d._node, Capture())) for d in (a, b, c)]
    assert made[0] == made[1] and hash(made[0]) == hash(made[1])
    assert made[0] != made[2]
