"""W4: inference of the W3 MLP (softmax output) on a batch of 4096, against numpy's forward
pass and TF1. Target: at least TF1's samples/s."""

from __future__ import annotations

import numpy as np

import flowgraph as fg
from benchlib.common import dense_params, mlp_logits, session
from benchlib.report import Row, Target, TfSpec
from benchlib.timing import Settings, compare

SIZES, BATCH = (784, 512, 256, 10), 4096
TF1_ANCHOR = "w4_mlp_infer.py"  # timed in turn with flowgraph (tf1.Peer)
SPEC = TfSpec(TF1_ANCHOR, "W4", "Session.run", "median", 1e3)


def numpy_forward(x: np.ndarray, params: list) -> np.ndarray:
    """The anchor's numpy forward pass (in place where it can be)."""
    h = x
    for i, (w, b) in enumerate(params):
        h = h @ w + b
        if i < len(params) - 1:
            np.maximum(h, 0, out=h)
    h -= h.max(axis=1, keepdims=True)
    np.exp(h, out=h)
    h /= h.sum(axis=1, keepdims=True)
    return h


def run(settings: Settings) -> list:
    x_value = np.random.default_rng(2).standard_normal((BATCH, SIZES[0]), dtype=np.float32)
    params = dense_params(SIZES)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (BATCH, SIZES[0]))
        probs = fg.nn.softmax(mlp_logits(x, params))
        init = fg.global_variables_initializer()
    sess = session(graph)
    sess.run(init)
    np.testing.assert_allclose(sess.run(probs, {x: x_value}), numpy_forward(x_value, params),
                               atol=1e-5)
    t = compare({"fg": lambda: sess.run(probs, {x: x_value}),
                 "np": lambda: numpy_forward(x_value, params)}, settings, tf1=SPEC.variant)
    sess.close()
    return [Row("W4", "MLP inference, batch 4096", "ms/batch", t["fg"] * 1e3,
                numpy=t["np"] * 1e3, targets=[Target("tf1", 1.0)],
                tf=SPEC,
                notes={"samples_per_s": BATCH / t["fg"]})]
