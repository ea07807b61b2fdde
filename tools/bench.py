"""Benchmarks of flowgraph's runtime against hand-written numpy measured in the same run.

Not a test: it prints timings and ratios. Run: `python tools/bench.py [--budget SECONDS]`.

W1: fixed cost of `sess.run(x + 1, {x: arr})` on a (4,) float32 placeholder vs numpy's
    `arr + 1`.
W2: a chain of 200 elementwise ops (add, multiply, tanh in turn) on a (16,) float32
    placeholder vs the same 200 numpy calls.
W3: one training step of a 784-512-256-10 ReLU MLP (softmax cross-entropy, plain SGD with
    learning rate 0.1, batch 128, float32) vs a hand-written numpy forward and backward pass.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flowgraph as fg  # noqa: E402

# Targets of the core issue (ratio to numpy, lower is better).
TARGETS = {"W1": 35.0, "W2": 2.2, "W3": 1.15}
MLP_SIZES = (784, 512, 256, 10)
MLP_BATCH = 128
MLP_LR = 0.1


def timeit(fn: Callable[[], object], budget: float, warmup: int = 50) -> float:
    """Median seconds per call over repeated batches filling about `budget` seconds."""
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < 0.05:
        fn()
        calls += 1
    per_batch = max(1, calls // 5)
    samples = []
    deadline = time.perf_counter() + budget
    while time.perf_counter() < deadline or len(samples) < 5:
        t0 = time.perf_counter()
        for _ in range(per_batch):
            fn()
        samples.append((time.perf_counter() - t0) / per_batch)
    return statistics.median(samples)


def w1(budget: float) -> tuple:
    arr = np.random.default_rng(0).standard_normal(4).astype(np.float32)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (4,))
        y = x + 1.0
    sess = fg.Session(graph=graph)
    np.testing.assert_allclose(sess.run(y, {x: arr}), arr + 1)
    fg_time = timeit(lambda: sess.run(y, feed_dict={x: arr}), budget)
    np_time = timeit(lambda: arr + 1, budget)
    sess.close()
    return fg_time, np_time


def w2(budget: float, length: int = 200) -> tuple:
    arr = np.random.default_rng(0).standard_normal(16).astype(np.float32)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (16,))
        y = x
        for i in range(length):
            kind = i % 3
            y = y + 0.5 if kind == 0 else (y * 0.9 if kind == 1 else fg.tanh(y))
    half = np.float32(0.5)
    scale = np.float32(0.9)

    def numpy_chain() -> np.ndarray:
        v = arr
        for i in range(length):
            kind = i % 3
            v = np.add(v, half) if kind == 0 else (np.multiply(v, scale) if kind == 1
                                                   else np.tanh(v))
        return v

    sess = fg.Session(graph=graph)
    np.testing.assert_allclose(sess.run(y, {x: arr}), numpy_chain(), rtol=1e-5)
    fg_time = timeit(lambda: sess.run(y, feed_dict={x: arr}), budget)
    np_time = timeit(numpy_chain, budget)
    sess.close()
    return fg_time, np_time


def mlp_problem() -> tuple:
    """Fixed inputs, labels and initial weights shared by both sides of W3."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((MLP_BATCH, MLP_SIZES[0]), dtype=np.float32)
    y = rng.integers(0, MLP_SIZES[-1], MLP_BATCH).astype(np.int32)
    params = []
    for fan_in, fan_out in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params.append((rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32),
                       np.zeros(fan_out, dtype=np.float32)))
    return x, y, params


def numpy_mlp_step(x: np.ndarray, y: np.ndarray, params: list) -> Callable[[], float]:
    """A hand-written numpy training step (forward, backward, in-place SGD)."""
    weights = [[w.copy(), b.copy()] for w, b in params]
    rows = np.arange(len(y))
    lr = np.float32(MLP_LR)
    scale = np.float32(1.0 / len(y))

    def step() -> float:
        activations, pre = [x], []
        h = x
        for i, (w, b) in enumerate(weights):
            z = h @ w + b
            pre.append(z)
            h = np.maximum(z, 0) if i < len(weights) - 1 else z
            activations.append(h)
        top = h.max(axis=1, keepdims=True)
        exp = np.exp(h - top)
        total = exp.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(total[:, 0]) + top[:, 0] - h[rows, y]))
        delta = exp / total
        delta[rows, y] -= 1
        delta *= scale
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


def w3(budget: float) -> tuple:
    x_value, y_value, params = mlp_problem()
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (MLP_BATCH, MLP_SIZES[0]))
        y = fg.placeholder(fg.int32, (MLP_BATCH,))
        h = x
        for i, (w, b) in enumerate(params):
            h = fg.matmul(h, fg.Variable(w)) + fg.Variable(b)
            if i < len(params) - 1:
                h = fg.nn.relu(h)
        loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                             logits=h))
        train = fg.train.GradientDescentOptimizer(MLP_LR).minimize(loss)
        init = fg.global_variables_initializer()
    sess = fg.Session(graph=graph)
    sess.run(init)
    numpy_step = numpy_mlp_step(x_value, y_value, params)
    first = [sess.run([train, loss], {x: x_value, y: y_value})[1] for _ in range(3)]
    reference = [numpy_step() for _ in range(3)]
    np.testing.assert_allclose(first, reference, rtol=1e-4)
    fg_time = timeit(lambda: sess.run([train, loss], {x: x_value, y: y_value}), budget,
                     warmup=5)
    np_time = timeit(numpy_step, budget, warmup=5)
    sess.close()
    return fg_time, np_time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=2.0,
                        help="seconds of timing per measurement")
    args = parser.parse_args()
    print(f"flowgraph {fg.__version__}, numpy {np.__version__}")
    print(f"{'workload':<40} {'flowgraph':>12} {'numpy':>12} {'ratio':>8} {'target':>8}")
    failed = False
    for name, label, fn in (("W1", "sess.run(x + 1), x of shape (4,)", w1),
                            ("W2", "200-op elementwise chain on (16,)", w2),
                            ("W3", "MLP 784-512-256-10 SGD step, batch 128", w3)):
        fg_time, np_time = fn(args.budget)
        ratio = fg_time / np_time
        ok = ratio <= TARGETS[name]
        failed |= not ok
        print(f"{name} {label:<37} {fg_time * 1e6:>10.1f}us {np_time * 1e6:>10.1f}us "
              f"{ratio:>7.2f}x {TARGETS[name]:>7.2f}x {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
