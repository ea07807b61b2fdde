"""W6: one SGD training step of an LSTM classifier, against a hand-written numpy LSTM and
TF1 (LSTMCell; its own initial weights, so only times compare). Targets: at least TF1's
steps/s, and within 1.3x of numpy (issue 7).

An LSTM (BasicLSTMCell, 128 units) reads 28 steps of 28 features (batch 64, float32); its
final state h goes through a dense layer to 10 logits; the loss is the mean sparse softmax
cross-entropy; plain SGD with learning rate 0.1. The same step is built with
`fg.nn.dynamic_rnn` and with `fg.nn.static_rnn`, and written by hand in numpy (forward,
backpropagation through time, in-place SGD), all from the same initial weights.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

import flowgraph as fg
from benchlib.common import session
from benchlib.report import Row, Target, TfSpec
from benchlib.timing import Settings, compare

STEPS, DEPTH, UNITS, BATCH, CLASSES = 28, 28, 128, 64, 10
TF1_ANCHOR = "w6_lstm_train.py"  # timed in turn with flowgraph (tf1.Peer)
LSTM_LR = 0.1


def lstm_problem() -> tuple:
    """Fixed inputs [batch, time, depth], labels and glorot-uniform initial weights:
    (x, y, [kernel, bias, dense_kernel, dense_bias])."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((BATCH, STEPS, DEPTH), dtype=np.float32)
    y = rng.integers(0, CLASSES, BATCH).astype(np.int32)

    def glorot(fan_in: int, fan_out: int) -> np.ndarray:
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)

    return x, y, [glorot(DEPTH + UNITS, 4 * UNITS), np.zeros(4 * UNITS, np.float32),
                  glorot(UNITS, CLASSES), np.zeros(CLASSES, np.float32)]


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


def numpy_lstm_step(x: np.ndarray, y: np.ndarray, params: list) -> Callable[[], float]:
    """A hand-written numpy training step (forward, backpropagation through time, SGD)."""
    weights = [p.copy() for p in params]
    units = UNITS
    rows = np.arange(len(y))
    lr = np.float32(LSTM_LR)
    scale = np.float32(1.0 / len(y))
    inputs = [np.ascontiguousarray(x[:, t]) for t in range(x.shape[1])]

    def step() -> float:
        kernel, bias, dense, dense_bias = weights  # updated in place below
        h = np.zeros((len(y), units), np.float32)
        c = np.zeros_like(h)
        cache = []
        for x_t in inputs:
            xh = np.concatenate([x_t, h], axis=1)
            z = xh @ kernel
            z += bias
            i = _sigmoid(z[:, :units])
            j = np.tanh(z[:, units:2 * units])
            f = _sigmoid(z[:, 2 * units:3 * units] + np.float32(1.0))
            o = _sigmoid(z[:, 3 * units:])
            c_prev = c
            c = c_prev * f + i * j
            tc = np.tanh(c)
            h = tc * o
            cache.append((xh, i, j, f, o, c_prev, tc))
        logits = h @ dense + dense_bias
        top = logits.max(axis=1, keepdims=True)
        exp = np.exp(logits - top)
        total = exp.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(total[:, 0]) + top[:, 0] - logits[rows, y]))
        d = exp / total
        d[rows, y] -= 1
        d *= scale
        d_dense, d_dense_bias = h.T @ d, d.sum(axis=0)
        dh = d @ dense.T
        dc = np.zeros_like(dh)
        d_kernel = np.zeros_like(kernel)
        d_bias = np.zeros_like(bias)
        dz = np.empty((len(y), 4 * units), np.float32)
        for xh, i, j, f, o, c_prev, tc in reversed(cache):
            dz[:, 3 * units:] = dh * tc * o * (1 - o)
            dc += dh * o * (1 - tc * tc)
            dz[:, 2 * units:3 * units] = dc * c_prev * f * (1 - f)
            dz[:, :units] = dc * j * i * (1 - i)
            dz[:, units:2 * units] = dc * i * (1 - j * j)
            dc *= f
            d_kernel += xh.T @ dz
            d_bias += dz.sum(axis=0)
            dh = dz @ kernel[DEPTH:].T
        kernel -= lr * d_kernel
        bias -= lr * d_bias
        dense -= lr * d_dense
        dense_bias -= lr * d_dense_bias
        return loss

    return step


def flowgraph_lstm_step(x_value: np.ndarray, y_value: np.ndarray, params: list,
                        dynamic: bool) -> tuple:
    """(session, step function) of the same training step built with dynamic_rnn (or
    static_rnn over the unstacked steps)."""
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (BATCH, STEPS, DEPTH))
        y = fg.placeholder(fg.int32, (BATCH,))
        cell = fg.nn.rnn_cell.BasicLSTMCell(UNITS)
        if dynamic:
            _, state = fg.nn.dynamic_rnn(cell, x, dtype=fg.float32)
        else:
            _, state = fg.nn.static_rnn(cell, fg.unstack(x, axis=1), dtype=fg.float32)
        logits = fg.matmul(state.h, fg.Variable(params[2])) + fg.Variable(params[3])
        loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                             logits=logits))
        train = fg.train.GradientDescentOptimizer(LSTM_LR).minimize(loss)
        init = fg.global_variables_initializer()
        assign = [cell.weights[0].assign(params[0]), cell.weights[1].assign(params[1])]
    sess = session(graph)
    sess.run(init)
    sess.run(assign)
    feeds = {x: x_value, y: y_value}
    return sess, lambda: sess.run([train, loss], feeds)[1]


def run(settings: Settings) -> list:
    x_value, y_value, params = lstm_problem()
    rows = []
    for dynamic in (False, True):  # the anchor's order, for the TF1 peer
        kind = "dynamic_rnn" if dynamic else "static_rnn"
        sess, step = flowgraph_lstm_step(x_value, y_value, params, dynamic)
        reference = numpy_lstm_step(x_value, y_value, params)
        first = [step() for _ in range(3)]
        np.testing.assert_allclose(first, [reference() for _ in range(3)], rtol=1e-4)
        spec = TfSpec(TF1_ANCHOR, "W6", f"LSTMCell + {kind}", "median", 1e3)
        t = compare({"fg": step, "np": reference}, settings, tf1=spec.variant)
        sess.close()
        rows.append(Row("W6", f"LSTM 28x128 {kind} SGD step, batch 64", "ms/step",
                        t["fg"] * 1e3, numpy=t["np"] * 1e3,
                        targets=[Target("tf1", 1.0), Target("numpy", 1.3)],
                        tf=spec,
                        notes={"steps_per_s": 1 / t["fg"]}))
    return rows
