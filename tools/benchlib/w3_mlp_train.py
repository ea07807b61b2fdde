"""W3: one training step of a 784-512-256-10 ReLU MLP (mean sparse softmax cross-entropy,
plain SGD with learning rate 0.1, batch 128, float32) against a hand-written numpy forward
and backward pass and TF1; the anchors' data and initial weights, so the first losses of all
three agree. Target: at least TF1's steps/s."""

from __future__ import annotations

from typing import Callable

import numpy as np

import flowgraph as fg
from benchlib.common import dense_params, mean_xent_loss, mlp_logits, numpy_xent, session
from benchlib.report import Row, Target, TfSpec
from benchlib.timing import Settings, compare

SIZES, BATCH, LR = (784, 512, 256, 10), 128, 0.1
TF1_ANCHOR = "w3_mlp_train.py"  # timed in turn with flowgraph (tf1.Peer)


def problem() -> tuple:
    """The anchor's inputs, labels and initial weights."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH).astype(np.int32)
    return x, y, dense_params(SIZES)


def numpy_step(x: np.ndarray, y: np.ndarray, params: list) -> Callable[[], float]:
    """A hand-written numpy training step (forward, backward, in-place SGD)."""
    weights = [[w.copy(), b.copy()] for w, b in params]
    lr = np.float32(LR)

    def step() -> float:
        activations, pre = [x], []
        h = x
        for i, (w, b) in enumerate(weights):
            z = h @ w + b
            pre.append(z)
            h = np.maximum(z, 0) if i < len(weights) - 1 else z
            activations.append(h)
        loss, delta = numpy_xent(h, y)
        for i in range(len(weights) - 1, -1, -1):
            w, b = weights[i]
            dw = activations[i].T @ delta
            db = delta.sum(axis=0)
            if i > 0:
                delta = (delta @ w.T) * (pre[i - 1] > 0)
            w -= lr * dw
            b -= lr * db
        return loss

    return step


def run(settings: Settings) -> list:
    x_value, y_value, params = problem()
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (BATCH, SIZES[0]))
        y = fg.placeholder(fg.int32, (BATCH,))
        loss = mean_xent_loss(y, mlp_logits(x, params))
        train = fg.train.GradientDescentOptimizer(LR).minimize(loss)
        init = fg.global_variables_initializer()
    sess = session(graph)
    sess.run(init)
    feeds = {x: x_value, y: y_value}
    reference = numpy_step(x_value, y_value, params)
    first = [sess.run([train, loss], feeds)[1] for _ in range(3)]
    np.testing.assert_allclose(first, [reference() for _ in range(3)], rtol=1e-4)
    spec = TfSpec(TF1_ANCHOR, "W3", "Session.run", "median", 1e3)
    t = compare({"fg": lambda: sess.run([train, loss], feeds), "np": reference}, settings,
                tf1=spec.variant)
    sess.close()
    return [Row("W3", "MLP 784-512-256-10 SGD step, batch 128", "ms/step", t["fg"] * 1e3,
                numpy=t["np"] * 1e3, targets=[Target("tf1", 1.0), Target("numpy", 1.15)],
                tf=spec,
                notes={"steps_per_s": 1 / t["fg"], "first_loss": float(first[0])})]
