"""A small MLP to save, its inputs, and a way to run the `flowgraph` command."""

import os
import subprocess
import sys

import numpy as np

import flowgraph as fg
import flowgraph.saved_model  # noqa: F401 - makes fg.saved_model available

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIZES = (4, 8, 3)


def build_mlp(seed: int = 0):
    """(x placeholder [None, 4], probs [None, 3], logits) of a 4-8-3 MLP with Variables."""
    rng = np.random.default_rng(seed)
    x = fg.placeholder(fg.float32, [None, SIZES[0]], name="x")
    h = x
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        w = fg.Variable(rng.normal(0, 0.5, (a, b)).astype(np.float32), name=f"w{i}")
        bias = fg.Variable(rng.normal(0, 0.1, b).astype(np.float32), name=f"b{i}")
        h = fg.matmul(h, w) + bias
        if i < len(SIZES) - 2:
            h = fg.nn.relu(h)
    logits = fg.identity(h, name="logits")
    probs = fg.nn.softmax(logits, name="probs")
    return x, probs, logits


def batch(rows: int = 5, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(rows, SIZES[0])).astype(np.float32)


def saved_mlp(export_dir, as_text: bool = False):
    """Saves a freshly initialized MLP with simple_save; returns (x batch, expected probs,
    expected logits)."""
    graph = fg.Graph()
    with graph.as_default():
        x, probs, logits = build_mlp()
        with fg.Session(graph=graph) as sess:
            sess.run(fg.global_variables_initializer())
            inputs = batch()
            expected = sess.run([probs, logits], {x: inputs})
            if as_text:
                from flowgraph.saved_model import signature_def_utils
                builder = fg.saved_model.builder.SavedModelBuilder(export_dir)
                sig = signature_def_utils.predict_signature_def(
                    {"x": x}, {"probs": probs, "logits": logits})
                builder.add_meta_graph_and_variables(sess, ["serve"],
                                                     {"serving_default": sig})
                builder.save(as_text=True)
            else:
                fg.saved_model.simple_save(sess, str(export_dir), inputs={"x": x},
                                           outputs={"probs": probs, "logits": logits})
    return inputs, expected[0], expected[1]


def run_python(code: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, env=_env(), timeout=300)


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    """`python -m flowgraph ARGS...` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "flowgraph", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=_env(), timeout=300)


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    return env
