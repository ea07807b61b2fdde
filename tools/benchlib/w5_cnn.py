"""W5: one training step of the anchor CNN (conv 5x5x32 SAME + relu + max_pool 2, conv 5x5x64
SAME + relu + max_pool 2, dense 1024 relu, dense 10, mean sparse softmax cross-entropy, SGD
with learning rate 0.05 as in the anchor: 0.1 diverges on its random batch; batch 64 of
28x28x1, float32) against the hand-written numpy version (w5_numpy) and TF1, from the
anchor's data and initial weights. Target: at least 0.8x TF1's steps/s."""

from __future__ import annotations

import numpy as np

import flowgraph as fg
from benchlib.common import mean_xent_loss, session
from benchlib.report import Row, Target, TfSpec
from benchlib.timing import Settings, compare
from benchlib.w5_numpy import LR, numpy_cnn_step

BATCH = 64
TF1_ANCHOR = "w5_cnn_train.py"  # timed in turn with flowgraph (tf1.Peer)
SPEC = TfSpec(TF1_ANCHOR, "W5", "Session.run", "median", 1e3)


def problem() -> tuple:
    """The anchor's fixed batch, labels and He-initialized weights (HWIO filters; dense rows
    in NHWC flatten order): [conv1, bias1, conv2, bias2, dense1, bias3, dense2, bias4]."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((BATCH, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.int32)

    def he(shape: tuple, fan_in: int) -> np.ndarray:
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in))

    weights = [he((5, 5, 1, 32), 25), he((5, 5, 32, 64), 800), he((3136, 1024), 3136),
               he((1024, 10), 1024)]
    biases = [np.zeros(n, np.float32) for n in (32, 64, 1024, 10)]
    return x, y, [weights[0], biases[0], weights[1], biases[1], weights[2], biases[2],
                  weights[3], biases[3]]


def build(params: list) -> tuple:
    """(x, y, loss, train op, initializer) of the CNN in the default graph."""
    x = fg.placeholder(fg.float32, (BATCH, 28, 28, 1))
    y = fg.placeholder(fg.int32, (BATCH,))
    v = [fg.Variable(p) for p in params]
    h = x
    for i in (0, 2):
        h = fg.nn.relu(fg.nn.bias_add(fg.nn.conv2d(h, v[i], 1, "SAME"), v[i + 1]))
        h = fg.nn.max_pool(h, 2, 2, "SAME")
    h = fg.nn.relu(fg.matmul(fg.reshape(h, (BATCH, 3136)), v[4]) + v[5])
    loss = mean_xent_loss(y, fg.matmul(h, v[6]) + v[7])
    train = fg.train.GradientDescentOptimizer(LR).minimize(loss)
    return x, y, loss, train, fg.global_variables_initializer()


def run(settings: Settings) -> list:
    x_value, y_value, params = problem()
    graph = fg.Graph()
    with graph.as_default():
        x, y, loss, train, init = build(params)
    sess = session(graph)
    sess.run(init)
    feeds = {x: x_value, y: y_value}
    reference = numpy_cnn_step(x_value, y_value, params)
    first = [sess.run([train, loss], feeds)[1] for _ in range(3)]
    np.testing.assert_allclose(first, [reference() for _ in range(3)], rtol=1e-4)
    t = compare({"fg": lambda: sess.run([train, loss], feeds), "np": reference}, settings,
                warmup=2, tf1=SPEC.variant)
    sess.close()
    return [Row("W5", "CNN conv-pool x2 + dense SGD step, batch 64", "ms/step", t["fg"] * 1e3,
                numpy=t["np"] * 1e3, targets=[Target("tf1", 1 / 0.8), Target("numpy", 1.2)],
                tf=SPEC,
                notes={"steps_per_s": 1 / t["fg"], "first_loss": float(first[0])})]
